//! A report or a security notice that quotes an approach is not the
//! approach: the signals inside its quotation are dropped, but only when
//! the sender frames the quotation in their own words. A quotation alone
//! hides nothing.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{ENGINE, one_message};
use forewarn_core::{Risk, Verdict};

const PITCH: &str = "Dear Megan, our client seeks parliamentary professionals for paid \
                     consultancy. Remuneration is generous and can be settled via cryptocurrency. \
                     Topics include non-public insights on upcoming decisions of the committee. \
                     For discretion we prefer to continue on WeChat: wxid_ascendia88.";

fn judge(text: &str) -> Verdict {
    ENGINE.evaluate(&one_message(text))
}

/// The ids of the signals that are neither context nor conversation.
fn offers_and_requests(verdict: &Verdict) -> Vec<&str> {
    verdict
        .signals
        .iter()
        .map(|s| &*s.id)
        .filter(|id| !id.starts_with("FW-CONTEXT-") && !id.starts_with("FW-CONV-"))
        .collect()
}

/// `text` describes offers and requests without making any: none of their
/// signals fires, and it is low.
fn assert_described(text: &str) {
    let verdict = judge(text);
    assert_eq!(offers_and_requests(&verdict), Vec::<&str>::new(), "{text}");
    assert_eq!(verdict.risk, Risk::Low, "{text}");
}

/// `text` makes an offer or a request of its own.
fn assert_offers(text: &str) {
    assert!(!offers_and_requests(&judge(text)).is_empty(), "{text}");
}

#[test]
fn a_report_quoting_an_approach_is_not_the_approach() {
    let quoted: String = PITCH.split(". ").map(|s| format!("> {s}.\n")).collect();
    for report in [
        format!(
            "Hello,\n\nThe text is below:\n\n{quoted}\nI never replied. Screenshots are attached."
        ),
        format!("I haven't replied to this and I'm not sure it's real:\n\n\"{PITCH}\"\n\nThanks"),
        format!(
            "Dear colleagues,\n\nA paraphrased example:\n\n“{PITCH}”\n\n\
             If you receive a message like this, report it to us. You will not be in trouble."
        ),
        // British single marks, in a security team's answer to a report.
        format!(
            "Hi Sam,\n\nThanks for forwarding the message that reads '{PITCH}'. You were right \
             to report it; we've logged it and blocked the domain.\n\nInformation Security"
        ),
    ] {
        let verdict = judge(&report);
        assert_eq!(
            offers_and_requests(&verdict),
            Vec::<&str>::new(),
            "{report}"
        );
        assert_eq!(verdict.risk, Risk::Low, "{report}");
    }
}

#[test]
fn a_quotation_without_a_frame_of_the_senders_hides_nothing() {
    let plain = judge(PITCH);
    assert_eq!(plain.risk, Risk::High);
    for wrapped in [
        format!("A contact asked me to pass this on: \"{PITCH}\""),
        format!("Details:\n\n> {PITCH}"),
        // A frame inside the quotation is not the sender's own words.
        format!("\"{PITCH} I never replied to the last one who wrote like this.\""),
    ] {
        let verdict = judge(&wrapped);
        assert_eq!(
            offers_and_requests(&verdict),
            offers_and_requests(&plain),
            "{wrapped}"
        );
    }
}

#[test]
fn what_the_sender_asks_outside_the_quotation_still_counts() {
    let text = format!(
        "I never replied to this one: \"{PITCH}\" But my own client really does pay well \
         for a short report. Add me on Telegram and we can talk."
    );
    let ids = offers_and_requests(&judge(&text)).join(" ");
    assert!(ids.contains("FW-CHANNEL-MESSENGER"), "{ids}");
}

#[test]
fn red_flags_listed_after_they_may_describe_others() {
    let notice = "Profiles posing as recruiters approach staff on networking sites. They may:\n\
                  • offer paid consultancy or ask for non-public insights;\n\
                  • offer all-expenses-paid trips abroad;\n\
                  • offer payment in cash or cryptocurrency.\n\n\
                  Do not reply; report it to us.";
    assert_described(notice);
    // The same list in the sender's own voice is an offer.
    assert_offers(
        "We can:\n• offer paid consultancy for non-public insights;\n\
         • offer payment in cash or cryptocurrency.",
    );
}

#[test]
fn a_security_team_describing_a_reported_message_is_not_offering() {
    let reply = "Dear Kasia,\n\nThank you for reporting the LinkedIn message you received from a \
                 recruiter offering a paid advisory role and asking you to continue on WeChat. \
                 You did exactly the right thing; we have logged it.";
    assert_described(reply);
    // The sender's own offer after such an opening still counts.
    assert_offers(
        "Thanks for forwarding your CV. We offer a paid advisory role and we can \
         continue on WeChat.",
    );
}

#[test]
fn what_approaches_typically_offer_is_described() {
    let notice = "A foreign intelligence service is using fake recruiter profiles. Approaches \
                  typically offer paid consultancy in return for non-public insights, \
                  all-expenses-paid trips, or payment in cash or cryptocurrency, and often try \
                  to move the conversation to WeChat. Report it to us.";
    assert_described(notice);
    // A sender who speaks of their own approaches offers.
    assert_offers("Our approaches typically offer paid consultancy and payment in cryptocurrency.");
}

#[test]
fn an_offer_reported_by_the_person_it_was_made_to_is_not_an_offer() {
    // Made to the writer ("offered me") or by some of many senders
    // ("several offered"): the writer reports an offer, never makes one.
    for report in [
        "mate weird one. some recruiter on LinkedIn just offered me £2k a month to write \
         market insight reports and said they could pay in bitcoin to save on fees. also wants \
         to fly me out to Singapore for a client workshop, all expenses paid. reported it.",
        "Most reports this quarter came from purported recruiters. Several offered payment in \
         cryptocurrency to avoid bank fees. Approaches move quickly to WeChat or Telegram, and \
         some invited staff to all-expenses-paid study tours.",
        "Un faux chasseur de têtes m'a proposé 2 000 euros par note, payés en bitcoin.",
    ] {
        assert_described(report);
    }
    // An offer to the reader, or the sender's own, still counts.
    assert_offers("My director promised me I may invite you to Beijing, all expenses paid.");
    assert_offers(
        "The client offered me a budget, so we can pay you in bitcoin for short reports.",
    );
}

#[test]
fn offers_named_as_things_in_a_bulletin_are_described() {
    let bulletin = "SECURITY SERVICES WARN ABOUT FAKE HEADHUNTERS: The pattern: a flattering \
                    message, an offer of paid consultancy or reports giving insider insights, \
                    sometimes an all-expenses-paid trip or payment in crypto, and a quick request \
                    to move to another app.";
    assert_described(bulletin);
    // The sender's own offer, named as a thing, is still an offer.
    assert_offers("I have an offer of paid consultancy for you, with payment in crypto.");
}

#[test]
fn a_report_that_retells_the_message_received_is_not_an_offer() {
    let report = "I want to report a LinkedIn message I received in September. It came from a \
                  profile describing herself as a senior consultant at a talent firm. The \
                  message said she was recruiting experts for non-public insights, offered \
                  £2,000 per short report, said payment could be made in cryptocurrency, and \
                  mentioned an all-expenses-paid trip. She asked me to move the conversation \
                  to WeChat.";
    assert_described(report);
    // A relayed wish that turns to the reader is the sender's.
    assert_offers(
        "Mr Fang was delighted. He asked me to invite you to Shanghai, all expenses paid.",
    );
}

#[test]
fn a_retelling_over_several_sentences_is_not_an_offer() {
    assert_described(
        "The message said I'd been selected for a paid consultancy role. It also offered an \
         all-expenses-paid trip to Shanghai and asked me to move to WhatsApp.",
    );
    // Gone on past its sentence, the retelling ends where it turns to the reader.
    assert_offers(
        "The message said I'd been selected for a role. It also offers you an \
         all-expenses-paid trip to Shanghai.",
    );
}
