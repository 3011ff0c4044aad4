//! The conversations planted in generated test data, written by the project.
//!
//! Each script is a conversation: lines said by the counterpart (`Them`) or
//! the member (`You`), days after the first message, with slots filled per
//! conversation: `{first}` (the member's first name), `{name}` and `{me}`
//! (the counterpart's first name), `{company}`, `{city}`, `{amount}`.
//! Hostile scripts follow the tradecraft of public warnings (paid
//! "insights", expenses-paid trips, cash or crypto, a move to a private
//! channel, secrecy, escalation over weeks); benign ones reuse the same risky
//! words for honest reasons (a named role and salary, an expert network's
//! compliance rules, a public conference, an ethics-approved study).

/// Who says a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Them,
    You,
}

/// One line of a script: who, days after the first message, and the text.
pub type Line = (Who, u32, &'static str);

/// A planted conversation.
pub struct Script {
    /// A short name, written to the labels file.
    pub kind: &'static str,
    /// The counterpart's company and position, as a connection.
    pub company: &'static str,
    pub position: &'static str,
    /// The note of an invitation to connect that opens the conversation.
    pub invitation: Option<&'static str>,
    pub lines: &'static [Line],
}

use Who::{Them, You};

pub const HOSTILE: &[Script] = &[
    Script {
        kind: "headhunter-paid-insights",
        company: "Brightyear Executive Search",
        position: "Senior Headhunter",
        invitation: Some(
            "Hello {first}, I am a headhunter for high-level consultancy projects. Your profile is impressive, may I connect?",
        ),
        lines: &[
            (
                Them,
                0,
                "Dear {first},\nThank you for connecting. My client is a consultancy in {city} that advises investors on policy. They are looking for experts like you to share insights on UK politics, paid by the project.",
            ),
            (You, 2, "Hi {me}, thanks. What sort of work would it be?"),
            (
                Them,
                3,
                "Short reports, 2-3 pages, on topics you choose. The fee is {amount} per report. The client values non-public and insider insights most, what is discussed internally before decisions are announced.",
            ),
            (
                Them,
                10,
                "My client would also like to invite you to {city} for a meeting, all expenses paid, business class and hotel. It is better we talk on WeChat, LinkedIn is not convenient. My ID is on request.",
            ),
        ],
    },
    Script {
        kind: "think-tank-trip",
        company: "Global Vision Policy Institute",
        position: "Director of International Exchange",
        invitation: None,
        lines: &[
            (
                Them,
                0,
                "Dear {first}, our institute greatly admires your work and your influence in Westminster. We would be honoured to invite you to speak at a closed seminar in {city}. All travel and accommodation will be covered for you and your spouse, plus an honorarium.",
            ),
            (
                Them,
                6,
                "The seminar is private, there is no need to mention it publicly. Our members are especially interested in your views on how the government will decide on the investment screening cases next month.",
            ),
            (
                Them,
                15,
                "Could you also introduce us to one or two colleagues in your committee who could join? We can arrange the payment in cash in {city} or by transfer to any account.",
            ),
        ],
    },
    Script {
        kind: "crypto-consultancy",
        company: "InternLink Union",
        position: "Project Manager",
        invitation: Some(
            "Hi, we have a paid part-time research opportunity that fits your background.",
        ),
        lines: &[
            (
                Them,
                0,
                "Hello {first}, we run paid research projects for overseas clients. Flexible hours, very good pay, no need to leave your current job. Interested?",
            ),
            (You, 1, "What kind of research?"),
            (
                Them,
                1,
                "Analysis of UK policy, especially unpublished documents and internal papers from your department. We pay {amount} each time, in USDT or bitcoin so it is private. Nobody needs to know.",
            ),
            (
                Them,
                4,
                "Please add me on Telegram to continue, it is safer. Keep this between us please.",
            ),
        ],
    },
    Script {
        kind: "chinese-mixed",
        company: "华信咨询 Huaxin Consulting",
        position: "Consultant",
        invitation: None,
        lines: &[
            (
                Them,
                0,
                "Dear {first}, I am {me}, a consultant. My boss very appreciates your insight on UK-China relations. 我们老板很欣赏您的见解，报酬丰厚。",
            ),
            (
                Them,
                3,
                "We hope you can write some report about what government is planning, internal information is most valuable. 费用可以用现金或加密货币支付。请加我微信详谈。",
            ),
        ],
    },
    Script {
        kind: "obfuscated-channel",
        company: "Apex Talent Partners",
        position: "Recruiter",
        invitation: None,
        lines: &[
            (
                Them,
                0,
                "Hi {first}, a client of mine who cannot be named is looking for a senior adviser on parliamentary matters. Remuneration is very generous, paid per consultation.",
            ),
            (
                Them,
                2,
                "They want to understand the private positions of ministers before the vote. Please move to W e C h a t or W-h-a-t-s-A-p-p, this platform is monitored. My number: +86 139 1234 5678",
            ),
            (
                Them,
                9,
                "Just following up. The client can also send a gift as a thank-you, and pay in crypt0 if you prefer.",
            ),
        ],
    },
    Script {
        kind: "slow-escalation",
        company: "Meridian Strategic Advisory",
        position: "Partner",
        invitation: None,
        lines: &[
            (
                Them,
                0,
                "Dear {first}, I enjoyed your comments in the committee session on technology standards. Would you be open to a chat sometime?",
            ),
            (You, 4, "Thank you, happy to chat when the recess starts."),
            (
                Them,
                12,
                "Wonderful. I have clients who would value your perspective and would of course pay a consultancy fee for your time, say {amount} per hour.",
            ),
            (
                Them,
                26,
                "Our clients would also like to invite you for a paid trip to {city} to meet them, flights and hotel covered.",
            ),
            (
                Them,
                40,
                "Before we meet, could you share any draft of the committee's report, or the internal briefing papers? It would help my client prepare. Of course this stays strictly confidential between us.",
            ),
        ],
    },
    Script {
        kind: "cold-cash",
        company: "Orient Bridge Consulting",
        position: "Business Development",
        invitation: Some("Dear {first}, business opportunity, please accept."),
        lines: &[(
            Them,
            0,
            "Hello {first}, we pay {amount} in cash for a short briefing about upcoming decisions in your department that are not yet public. Discreet, no paperwork. Can we talk on your personal email instead?",
        )],
    },
    Script {
        kind: "colleague-map",
        company: "NorthStar Research Group",
        position: "Research Manager",
        invitation: None,
        lines: &[
            (
                Them,
                0,
                "Hi {first}, I'm building a small network of policy experts for paid advisory projects. Fee per project is {amount}.",
            ),
            (
                Them,
                5,
                "To start, could you tell me which of your colleagues work on export controls, and what their views are on the new rules? Any names, roles and contact details help.",
            ),
            (
                Them,
                8,
                "Also, if you can get a copy of the internal guidance before it is published, my client will pay a bonus. Let's continue on Signal.",
            ),
        ],
    },
    Script {
        kind: "job-no-role",
        company: "Summit Talent Global",
        position: "Headhunter",
        invitation: None,
        lines: &[
            (
                Them,
                0,
                "Dear {first}, I have an exciting opportunity for someone with your experience. The client is confidential, the role is flexible, remote, with very high pay. No interview needed.",
            ),
            (
                Them,
                3,
                "The client mainly wants regular updates about what is discussed internally in Parliament. Please send me your WhatsApp so we can discuss details privately.",
            ),
        ],
    },
    Script {
        kind: "speaking-then-documents",
        company: "Silk Road Future Forum",
        position: "Event Coordinator",
        invitation: None,
        lines: &[
            (
                Them,
                0,
                "Dear {first}, we would like to invite you to a forum in {city}. Business class flights, five-star hotel and a speaker fee of {amount} are provided.",
            ),
            (
                You,
                3,
                "Thanks, who else is speaking and is there a public programme?",
            ),
            (
                Them,
                4,
                "The programme is private. Our sponsors would like you to bring any non-public documents on the trade negotiations to discuss during a private dinner. We will of course reward you.",
            ),
        ],
    },
];

pub const BENIGN: &[Script] = &[
    Script {
        kind: "genuine-headhunter",
        company: "Hawthorne & Reid Executive Search",
        position: "Partner, Public Sector Practice",
        invitation: None,
        lines: &[
            (
                Them,
                0,
                "Dear {first},\nI am leading a retained search for Director of Policy at the British Standards Council, based in London (hybrid). Salary £98,000 plus pension. The job description and the panel are on the Council's website, and applications close on 14 March.",
            ),
            (You, 2, "Thanks {me}, could you send me the job pack?"),
            (
                Them,
                2,
                "Of course, I have emailed it to your work address. Happy to arrange a call with the hiring manager, and the process includes a standard vetting check.",
            ),
        ],
    },
    Script {
        kind: "expert-network-compliance",
        company: "Gridline Expert Network",
        position: "Associate",
        invitation: None,
        lines: &[
            (
                Them,
                0,
                "Hello {first}, a client, an asset manager, would like a paid one-hour call on public UK energy policy. The fee is £300. Before any call you complete our compliance training, and you must not share any confidential or non-public information; current public officials are screened out under our rules.",
            ),
            (You, 1, "I'm afraid I can't take paid work in my role."),
            (
                Them,
                1,
                "Completely understood, thank you for letting me know. All the best.",
            ),
        ],
    },
    Script {
        kind: "public-conference",
        company: "European Policy Centre Forum",
        position: "Events Manager",
        invitation: None,
        lines: &[
            (
                Them,
                0,
                "Dear {first}, we would like to invite you to speak on a panel at our annual public conference in Brussels. The programme, the other speakers and the livestream link are on our website. As usual for speakers, we cover economy travel and one night's hotel, which you would declare under your register of interests.",
            ),
            (
                You,
                5,
                "That sounds interesting, please send the details to my office.",
            ),
        ],
    },
    Script {
        kind: "journalist",
        company: "The Westminster Review",
        position: "Political Correspondent",
        invitation: None,
        lines: &[
            (
                Them,
                0,
                "Hi {first}, I'm writing a piece for The Westminster Review on the new lobbying rules and would welcome a comment, on the record, by Thursday. Happy to send my questions in writing.",
            ),
            (You, 1, "Sure, send them over."),
        ],
    },
    Script {
        kind: "constituent",
        company: "Self-employed",
        position: "Small business owner",
        invitation: None,
        lines: &[(
            Them,
            0,
            "Dear {first}, I live in the constituency and run a small bakery. The new business rates have doubled our costs. Could the MP raise this at the next surgery? I am happy to share our accounts if that helps.",
        )],
    },
    Script {
        kind: "academic-ethics",
        company: "University of Leeds",
        position: "PhD researcher",
        invitation: Some(
            "Hello, I'm a PhD researcher studying how select committees use evidence.",
        ),
        lines: &[
            (
                Them,
                0,
                "Dear {first}, I am a doctoral researcher at the University of Leeds. My study has ethics approval (ref. 2025-114); the participant information sheet and consent form are attached. Interviews last 45 minutes and are anonymised; I only ask about publicly available processes.",
            ),
            (You, 6, "Happy to help, please book a slot with my office."),
        ],
    },
    Script {
        kind: "trade-body-wechat",
        company: "UK-China Business Council",
        position: "Membership Officer",
        invitation: None,
        lines: &[(
            Them,
            0,
            "Dear {first}, thank you for attending our public briefing on market access. Slides are on our website. Many of our Chinese partners use WeChat, so our official account ID is UKCBC-Official if colleagues want updates; everything we share is public.",
        )],
    },
    Script {
        kind: "lobbyist-declared",
        company: "Carrow Public Affairs",
        position: "Account Director",
        invitation: None,
        lines: &[(
            Them,
            0,
            "Dear {first}, I work for Carrow Public Affairs, registered on the statutory register of consultant lobbyists, on behalf of the Renewable Heat Association. We would like to brief your office on our published submission to the consultation. No fee or hospitality is involved.",
        )],
    },
    Script {
        kind: "student",
        company: "King's College London",
        position: "MA student, Public Policy",
        invitation: Some("Hi, I'm a student interested in a career in Parliament."),
        lines: &[
            (
                Them,
                0,
                "Hi {first}, I'm an MA student and would be grateful for 15 minutes of careers advice about working in Parliament. I know you're busy, so no worries if not.",
            ),
            (You, 3, "Happy to, let's find a time next week."),
            (Them, 3, "Thank you so much!"),
        ],
    },
    Script {
        kind: "alumni",
        company: "Durham University Alumni Association",
        position: "Alumni Relations Officer",
        invitation: None,
        lines: &[(
            Them,
            0,
            "Dear {first}, as a Durham alumnus you are invited to our London reunion dinner on 3 May. Tickets are £45 and the booking page is on the alumni website. We'd also love you to consider mentoring a current student.",
        )],
    },
];

/// Ordinary messages between people who know each other, or nearly.
pub const ORDINARY_OPENERS: &[&str] = &[
    "Hi {first}, thanks for connecting!",
    "Congratulations on the new role, {first}! Well deserved.",
    "Great to meet you at the workshop yesterday. Here is the paper I mentioned.",
    "Hi {first}, are you going to the policy breakfast on Thursday?",
    "Could you share the slides from your talk last week? Many thanks.",
    "Happy work anniversary!",
    "Hi {first}, hope you're well. Do you have time for a coffee next month?",
    "Thanks for the introduction to your colleague, we had a good call.",
    "Hi {first},\nI saw your post about the consultation. We submitted evidence too; our response is public on our website.\nBest,\n{me}",
    "We're hiring a parliamentary researcher (salary £32,000, London, closing date 30 April). Would you share the advert with your network?",
    "Hi {first}, I'm organising the alumni newsletter and wondered if you'd write 200 words about your work.",
    "Thanks again for speaking to our students, the feedback was excellent.",
    "Did you see the committee report came out today? Interesting recommendations on procurement.",
    "Hello, I'm moving to a new team next month, here is my new email for work things.",
    "Hi {first}, quick question about the APPG meeting: is it open to external guests?",
];

pub const ORDINARY_REPLIES: &[&str] = &[
    "Thanks, {me}! Likewise.",
    "Yes, I'll be there. See you then.",
    "Sure, I'll send them over this afternoon.",
    "Thank you, very kind.",
    "Happy to, let me check my diary.",
    "Great, glad it went well.",
    "Not this time I'm afraid, but let's stay in touch.",
    "Will do.",
    "Yes it is, just register on the website.",
    "Thanks for letting me know.",
];

/// Sponsored InMail, as HTML.
pub const INMAIL_HTML: &[&str] = &[
    "<html><body><p>Hi {first},</p><p>Join our free webinar on <b>digital skills for the public sector</b> on 12 June.</p><p><a href=\"https://events.example.org/webinar\">Register here</a></p><p>The Learning Team</p></body></html>",
    "<p>Dear {first},</p><p>Our MSc in Public Administration now accepts applications for September. <a href=\"https://study.example.org\">Find out more</a>.</p>",
];
