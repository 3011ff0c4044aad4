//! Tests of observable extraction.

use proptest::prelude::*;

use super::*;

fn opts(region: Option<&str>) -> ExtractOptions {
    ExtractOptions {
        default_region: region.map(str::to_owned),
    }
}

/// Extracts and checks the invariants every result must hold.
fn ex(text: &str, region: Option<&str>) -> Vec<Observable> {
    let found = extract(text, &opts(region));
    check_invariants(text, &found);
    found
}

fn check_invariants(text: &str, found: &[Observable]) {
    let mut last_end = 0;
    for o in found {
        assert!(o.start < o.end, "empty span {o:?}");
        assert!(o.end <= text.len(), "span out of bounds {o:?}");
        assert!(text.is_char_boundary(o.start) && text.is_char_boundary(o.end));
        assert!(o.start >= last_end, "overlap or unsorted: {found:?}");
        last_end = o.end;
    }
}

/// The text a span points at.
fn at<'a>(text: &'a str, o: &Observable) -> &'a str {
    &text[o.start..o.end]
}

/// The only observable found in `text`.
fn only(text: &str, region: Option<&str>) -> Observable {
    let found = ex(text, region);
    assert_eq!(found.len(), 1, "in {text:?}: {found:?}");
    found.into_iter().next().unwrap()
}

fn none(text: &str, region: Option<&str>) {
    let found = ex(text, region);
    assert!(found.is_empty(), "in {text:?}: {found:?}");
}

fn email(domain: &str) -> ObservableKind {
    ObservableKind::Email {
        domain: domain.to_owned(),
    }
}

fn url(domain: &str) -> ObservableKind {
    ObservableKind::Url {
        domain: domain.to_owned(),
    }
}

fn messenger(platform: Messenger) -> ObservableKind {
    ObservableKind::Messenger { platform }
}

fn wallet(chain: Chain) -> ObservableKind {
    ObservableKind::Wallet { chain }
}

#[test]
fn statics_compile() {
    assert!(phone::candidate_regex_compiles());
    assert!(messenger::statics_compile());
}

#[test]
fn empty_and_plain_text() {
    none("", None);
    none(
        "Dear Ms Jones, I enjoyed your speech on trade policy.",
        Some("GB"),
    );
}

// ---------------------------------------------------------------- e-mail

#[test]
fn email_found_lower_cased_with_registrable_domain() {
    let text = "Write to John.Smith@Mail.Example.CO.UK, please.";
    let o = only(text, None);
    assert_eq!(o.kind, email("example.co.uk"));
    assert_eq!(o.value, "john.smith@mail.example.co.uk");
    assert_eq!(at(text, &o), "John.Smith@Mail.Example.CO.UK");
}

#[test]
fn email_next_to_non_ascii_text() {
    let text = "邮箱john@example.com谢谢";
    let o = only(text, None);
    assert_eq!(o.kind, email("example.com"));
    assert_eq!(at(text, &o), "john@example.com");

    let text = "Écrivez à «jean.dupont@exemple.fr».";
    let o = only(text, None);
    assert_eq!(at(text, &o), "jean.dupont@exemple.fr");
    assert_eq!(o.kind, email("exemple.fr"));
}

#[test]
fn email_without_public_suffix_rejected() {
    none("mail x@localhost.localdomain or y@server", None);
    none("user@intranet.corp", None);
}

#[test]
fn canonical_email_helper() {
    assert_eq!(
        canonical_email("mailto:<Bob.Jones@News.BBC.co.uk>"),
        Some((
            "bob.jones@news.bbc.co.uk".to_owned(),
            "bbc.co.uk".to_owned()
        ))
    );
    assert_eq!(canonical_email("bob@192.168.0.1"), None);
    assert_eq!(canonical_email("not an email"), None);
    assert_eq!(canonical_email("@example.com"), None);
    assert_eq!(canonical_email("a b@example.com"), None);
    assert_eq!(canonical_email("x@example.invalidtld"), None);
}

// ---------------------------------------------------------------- URLs

#[test]
fn url_with_scheme() {
    let text = "See https://News.BBC.co.uk/world?id=1 for details.";
    let o = only(text, None);
    assert_eq!(o.kind, url("bbc.co.uk"));
    assert_eq!(o.value, "https://news.bbc.co.uk/world?id=1");
    assert_eq!(at(text, &o), "https://News.BBC.co.uk/world?id=1");
}

#[test]
fn url_without_scheme() {
    let text = "Look at www.x.com/a and brightpath-consulting.com.";
    let found = ex(text, None);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].kind, url("x.com"));
    assert_eq!(found[0].value, "https://www.x.com/a");
    assert_eq!(at(text, &found[0]), "www.x.com/a");
    assert_eq!(found[1].kind, url("brightpath-consulting.com"));
    assert_eq!(at(text, &found[1]), "brightpath-consulting.com");
}

#[test]
fn url_lookalikes_rejected() {
    none("This is, e.g., fine.", None);
    none("Mr.Smith said hello", None);
    none("Thanks.Best regards", None);
    none("I use node.js and read report.txt", None);
    none("Run setup.py then open notes.md", None);
    none("version 2.0.1 or 1.2.3.4", None);
    none("a.b and i.e. and U.S. policy", None);
}

#[test]
fn url_with_ip_host_needs_scheme() {
    let o = only("Log in at http://192.168.0.1/login now", None);
    assert_eq!(o.kind, url("192.168.0.1"));
    assert_eq!(o.value, "http://192.168.0.1/login");
}

#[test]
fn url_next_to_cjk_text() {
    let text = "请访问www.example.com谢谢";
    let o = only(text, None);
    assert_eq!(at(text, &o), "www.example.com");
    assert_eq!(o.kind, url("example.com"));

    let text = "网址：https://example.org/路径，谢谢";
    let o = only(text, None);
    assert_eq!(at(text, &o), "https://example.org/路径");

    let text = "见 https://zh.wikipedia.org/wiki/北京。";
    let o = only(text, None);
    assert_eq!(at(text, &o), "https://zh.wikipedia.org/wiki/北京");
    assert_eq!(o.value, "https://zh.wikipedia.org/wiki/%E5%8C%97%E4%BA%AC");

    let text = "访问https://www.example.com谢谢";
    assert_eq!(at(text, &only(text, None)), "https://www.example.com");

    let text = "见 «brightpath.com»。";
    assert_eq!(at(text, &only(text, None)), "brightpath.com");
}

#[test]
fn url_internationalised_and_homograph() {
    let text = "Откройте https://пример.рф/путь сейчас";
    let o = only(text, None);
    assert_eq!(at(text, &o), "https://пример.рф/путь");
    assert_eq!(o.kind, url("xn--e1afmkfd.xn--p1ai"));

    // Cyrillic "а" in "аpple.com".
    let text = "Sign in at www.аpple.com today";
    let o = only(text, None);
    assert_eq!(at(text, &o), "www.аpple.com");
    assert_eq!(o.kind, url("xn--pple-43d.com"));
}

#[test]
fn url_user_info_trick_uses_real_host() {
    let text = "Verify at https://bank.com@evil.example.net/login please";
    let o = only(text, None);
    assert_eq!(o.kind, url("example.net"));
    assert_eq!(at(text, &o), "https://bank.com@evil.example.net/login");
}

#[test]
fn registrable_domain_helper() {
    assert_eq!(
        registrable_domain("news.bbc.co.uk").as_deref(),
        Some("bbc.co.uk")
    );
    assert_eq!(
        registrable_domain("WWW.Example.COM.").as_deref(),
        Some("example.com")
    );
    assert_eq!(
        registrable_domain("пример.рф").as_deref(),
        Some("xn--e1afmkfd.xn--p1ai")
    );
    assert_eq!(registrable_domain("co.uk"), None);
    assert_eq!(registrable_domain("Mr.Smith"), None);
    assert_eq!(registrable_domain("localhost"), None);
    assert_eq!(registrable_domain("10.0.0.1"), None);
    assert_eq!(registrable_domain(""), None);
}

#[test]
fn canonical_url_helper() {
    assert_eq!(
        canonical_url("linkedin.com/in/John-Smith"),
        Some((
            "https://linkedin.com/in/John-Smith".to_owned(),
            "linkedin.com".to_owned()
        ))
    );
    assert_eq!(
        canonical_url("HTTPS://WWW.LinkedIn.com"),
        Some((
            "https://www.linkedin.com/".to_owned(),
            "linkedin.com".to_owned()
        ))
    );
    assert_eq!(canonical_url("not a url"), None);
    assert_eq!(canonical_url("mailto:x@example.com"), None);
    assert_eq!(canonical_url("x@example.com"), None);
    assert_eq!(canonical_url("file.unknownsuffix"), None);
}

// ---------------------------------------------------------------- messenger links

#[test]
fn whatsapp_links() {
    let text = "Message me: wa.me/447911123456 — thanks";
    let o = only(text, None);
    assert_eq!(o.kind, messenger(Messenger::Whatsapp));
    assert_eq!(o.value, "+447911123456");
    assert_eq!(at(text, &o), "wa.me/447911123456");

    let text = "https://api.whatsapp.com/send?phone=447911123456&text=hi";
    let o = only(text, None);
    assert_eq!(o.kind, messenger(Messenger::Whatsapp));
    assert_eq!(o.value, "+447911123456");
    assert_eq!(at(text, &o), text);

    let o = only("group: https://chat.whatsapp.com/AbCdEf123", None);
    assert_eq!(o.value, "AbCdEf123");
}

#[test]
fn telegram_links() {
    let text = "Join me on t.me/John_Doe!";
    let o = only(text, None);
    assert_eq!(o.kind, messenger(Messenger::Telegram));
    assert_eq!(o.value, "john_doe");
    assert_eq!(at(text, &o), "t.me/John_Doe");

    let o = only("https://telegram.me/BrightPathBot", None);
    assert_eq!(o.value, "brightpathbot");
    let o = only("https://t.me/+447911123456", None);
    assert_eq!(o.value, "+447911123456");
    let o = only("https://t.me/joinchat/AbC123", None);
    assert_eq!(o.value, "joinchat/AbC123");
    // "t.me" alone is just a URL.
    assert_eq!(only("see https://t.me/", None).kind, url("t.me"));
}

#[test]
fn signal_links() {
    let o = only("https://signal.me/#p/+447911123456", None);
    assert_eq!(o.kind, messenger(Messenger::Signal));
    assert_eq!(o.value, "+447911123456");

    let text = "Add me: signal.me/#eu/AbCdEf0123456789 ok";
    let o = only(text, None);
    assert_eq!(o.kind, messenger(Messenger::Signal));
    assert_eq!(o.value, "https://signal.me/#eu/AbCdEf0123456789");
    assert_eq!(at(text, &o), "signal.me/#eu/AbCdEf0123456789");
}

#[test]
fn messenger_link_helper() {
    assert_eq!(
        messenger_link("wa.me/447911123456"),
        Some((Messenger::Whatsapp, "+447911123456".to_owned()))
    );
    assert_eq!(
        messenger_link("https://t.me/SomeName"),
        Some((Messenger::Telegram, "somename".to_owned()))
    );
    assert_eq!(messenger_link("https://example.com/x"), None);
    assert_eq!(messenger_link("https://t.me/ab"), None);
}

// ---------------------------------------------------------------- messenger phrases

fn wechat(text: &str, expected: &str, span: &str) {
    let o = only(text, None);
    assert_eq!(o.kind, messenger(Messenger::Wechat), "{text}");
    assert_eq!(o.value, expected, "{text}");
    assert_eq!(at(text, &o), span, "{text}");
}

#[test]
fn wechat_ids_from_phrasing() {
    wechat("WeChat ID: abc_123", "abc_123", "abc_123");
    wechat("add me, wechat: abc123.", "abc123", "abc123");
    wechat("my WeChat is abc-123", "abc-123", "abc-123");
    wechat("微信号：abc123，谢谢", "abc123", "abc123");
    wechat("请加微信: Lily_Wang88", "lily_wang88", "Lily_Wang88");
    wechat("weixin: lilywang", "lilywang", "lilywang");
    wechat("wx: lily2024 thanks", "lily2024", "lily2024");
    wechat("WeChat ID lilywang", "lilywang", "lilywang");
    wechat("Add me on WeChat lily2024", "lily2024", "lily2024");
    wechat("微信号码：lily_2024", "lily_2024", "lily_2024");
    wechat("请加WeChat: lily_2024", "lily_2024", "lily_2024");
    wechat("微信ID：Lily2024", "lily2024", "Lily2024");
    wechat(
        "contact me by WeChat (ID: siyu_chen), or email",
        "siyu_chen",
        "siyu_chen",
    );
    wechat("微信（abc_123）", "abc_123", "abc_123");
}

#[test]
fn wechat_phone_number() {
    let text = "WeChat/WhatsApp: +44 7911 123456.";
    let o = only(text, None);
    assert_eq!(o.kind, messenger(Messenger::Wechat));
    assert_eq!(o.value, "+447911123456");
    assert_eq!(at(text, &o), "+44 7911 123456");

    let text = "WeChat ID: +44 7911 123456";
    assert_eq!(only(text, None).value, "+447911123456");
    let text = "微信号：07911 123456";
    assert_eq!(only(text, Some("GB")).value, "+447911123456");

    let text = "WhatsApp: +44 7911 123456";
    let o = only(text, None);
    assert_eq!(o.kind, messenger(Messenger::Whatsapp));
    assert_eq!(o.value, "+447911123456");
}

#[test]
fn wechat_lookalikes_rejected() {
    none("Let's talk on WeChat tomorrow", None);
    none("my WeChat is better than yours", None);
    none("WeChat: available anytime", None);
    none("wxyz: abc123", None);
    none("WeChat: ab1", None);
    none("WeChat ID: 1abcdefg", None);
    none("WeChat: abcdefghijklmnopqrstuvwxyz", None);
    // The address is an e-mail, not a WeChat ID.
    assert_eq!(
        only("WeChat: john_smith@gmail.com", None).kind,
        email("gmail.com")
    );
}

#[test]
fn telegram_and_signal_handles() {
    let text = "Telegram @John_Doe please";
    let o = only(text, None);
    assert_eq!(o.kind, messenger(Messenger::Telegram));
    assert_eq!(o.value, "john_doe");
    assert_eq!(at(text, &o), "@John_Doe");

    let text = "drop me a line on Telegram (@kate_adv) and";
    assert_eq!(at(text, &only(text, None)), "@kate_adv");

    let o = only("TG: @analyst_x", None);
    assert_eq!(o.value, "analyst_x");

    let text = "reach me on signal: Name.12 — safer";
    let o = only(text, None);
    assert_eq!(o.kind, messenger(Messenger::Signal));
    assert_eq!(o.value, "name.12");
    assert_eq!(at(text, &o), "Name.12");

    none("I follow @John_Doe on Twitter", None);
    none("the telegram arrived", None);
    none("a clear signal that talks stalled", None);
    none("Signals: @John_Doe", None);
}

// ---------------------------------------------------------------- phones

#[test]
fn international_phone_numbers() {
    let text = "Call me on +44 7911 123456 tomorrow";
    let o = only(text, None);
    assert_eq!(o.kind, ObservableKind::Phone);
    assert_eq!(o.value, "+447911123456");
    assert_eq!(at(text, &o), "+44 7911 123456");

    let o = only("Tel:+1 212-555-0123", None);
    assert_eq!(o.value, "+12125550123");

    let o = only("ring 0044 20 7946 0958", None);
    assert_eq!(o.value, "+442079460958");

    let o = only("office +44 (0)20 7946 0958", None);
    assert_eq!(o.value, "+442079460958");

    let text = "mobile (+44) 7911 123456";
    let o = only(text, None);
    assert_eq!(o.value, "+447911123456");
    assert_eq!(at(text, &o), "(+44) 7911 123456");

    // Brackets around the whole number belong to the text.
    let text = "call me (+44 7911 123456) or (07911 123456)";
    let found = ex(text, Some("GB"));
    let spans: Vec<&str> = found.iter().map(|o| at(text, o)).collect();
    assert_eq!(spans, ["+44 7911 123456", "07911 123456"]);

    // French typography: narrow no-break spaces.
    let text = "Tél.\u{a0}: +33\u{202f}6\u{202f}12\u{202f}34\u{202f}56\u{202f}78";
    let o = only(text, None);
    assert_eq!(o.value, "+33612345678");
    assert!(at(text, &o).starts_with("+33") && at(text, &o).ends_with("78"));
}

#[test]
fn national_numbers_need_a_region() {
    let text = "Call (020) 7946 0958 today";
    none(text, None);
    let o = only(text, Some("GB"));
    assert_eq!(o.value, "+442079460958");
    assert_eq!(at(text, &o), "(020) 7946 0958");

    let o = only("mobile: 07911 123456", Some("gb"));
    assert_eq!(o.value, "+447911123456");

    let o = only("call 212-555-0123", Some("US"));
    assert_eq!(o.value, "+12125550123");

    // An unknown region is treated as none.
    none("mobile: 07911 123456", Some("ZZ"));
}

#[test]
fn phones_next_to_non_ascii_text() {
    let text = "电话：+86 138 1234 5678，谢谢";
    let o = only(text, None);
    assert_eq!(o.value, "+8613812345678");
    assert_eq!(at(text, &o), "+86 138 1234 5678");

    let text = "Téléphone : +33 6 12 34 56 78.";
    let o = only(text, None);
    assert_eq!(o.value, "+33612345678");
    assert_eq!(at(text, &o), "+33 6 12 34 56 78");
}

#[test]
fn phone_followed_by_other_numbers() {
    let text = "+44 7911 123456 2 times";
    let o = only(text, None);
    assert_eq!(at(text, &o), "+44 7911 123456");

    let text = "Numbers: 020 7946 0958 07911 123456";
    let found = ex(text, Some("GB"));
    let values: Vec<&str> = found.iter().map(|o| o.value.as_str()).collect();
    assert_eq!(values, ["+442079460958", "+447911123456"]);
}

#[test]
fn phone_lookalikes_rejected() {
    for region in [None, Some("GB"), Some("US"), Some("DE"), Some("CN")] {
        none("The meeting is on 2025-03-14 at 10:30.", region);
        none("On 14.03.2025 10:30 and 03/14/2025", region);
        none("Fee: USD 2,000 or USD 2 000 000 or $2 000 000", region);
        none("Budget 2 000 000 EUR, 1.234.567 dollars", region);
        none("Project ERC-2024-117 and ref 2024 117 884", region);
        none("In 2019 2020 2021 we grew", region);
        none("pi is 3.14159265", region);
        none("Invoice 20240117 is due", region);
        none("card 4111 1111 1111 1111", region);
        none("at 10:30:45 12345678", region);
        none("ISBN 978-3-16-148410-0", region);
        none("Invoice no. 2079460958", region);
    }
    // A number written with "+" is a phone number whatever precedes it.
    assert_eq!(
        only("To order: +44 7911 123456", None).value,
        "+447911123456"
    );
    // Written nationally after "order", it reads as an order number.
    none("Order: 07911 123456", Some("GB"));
}

#[test]
fn canonical_phone_helper() {
    assert_eq!(
        canonical_phone("+44 20 7946 0958", None).as_deref(),
        Some("+442079460958")
    );
    assert_eq!(
        canonical_phone("tel:+1-212-555-0123", None).as_deref(),
        Some("+12125550123")
    );
    assert_eq!(
        canonical_phone("(020) 7946 0958 ext. 12", Some("GB")).as_deref(),
        Some("+442079460958")
    );
    assert_eq!(canonical_phone("020 7946 0958", None), None);
    assert_eq!(canonical_phone("call me", Some("GB")), None);
    assert_eq!(canonical_phone("+44 20 79AB 0958", None), None);
    assert_eq!(canonical_phone("+1 555", None), None);
    // The memo gives the same answer twice.
    assert_eq!(
        canonical_phone("07911 123456", Some("GB")),
        canonical_phone("07911123456", Some("GB"))
    );
    // The region comes from settings: any case reads, and one without
    // phone metadata (or no region at all) reads no national number.
    assert_eq!(
        canonical_phone("020 7946 0958", Some(" gb ")).as_deref(),
        Some("+442079460958")
    );
    for region in ["ZZ", "001", "é", "G", "GBR", "1A", ""] {
        assert_eq!(
            canonical_phone("020 7946 0958", Some(region)),
            None,
            "{region}"
        );
    }
}

// ---------------------------------------------------------------- wallets

/// A valid base58check address with `version` and a 20-byte `payload`.
fn base58_address(version: u8, payload: [u8; 20]) -> String {
    let mut bytes = vec![version];
    bytes.extend_from_slice(&payload);
    bs58::encode(bytes).with_check().into_string()
}

/// `s` with the character at `i` replaced by another of the same class.
fn mutate(s: &str, i: usize) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    chars[i] = match chars[i] {
        'a' => 'b',
        'z' => 'y',
        'A' => 'B',
        'Z' => 'Y',
        '9' => '8',
        c if c.is_ascii_digit() => char::from(c as u8 + 1),
        c if c.is_ascii_lowercase() => char::from(c as u8 + 1),
        c => char::from(c as u8 + 1),
    };
    chars.into_iter().collect()
}

const GENESIS: &str = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";
const BIP173: &str = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
const BIP350_TAPROOT: &str = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0";
const EIP55: [&str; 4] = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
];

#[test]
fn bitcoin_base58_addresses() {
    assert_eq!(validate_wallet(GENESIS), Some(Chain::Bitcoin));
    let text = "Send to 地址1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa。谢谢";
    let o = only(text, None);
    assert_eq!(o.kind, wallet(Chain::Bitcoin));
    assert_eq!(o.value, GENESIS);
    assert_eq!(at(text, &o), GENESIS);

    let p2sh = base58_address(0x05, [7; 20]);
    assert!(p2sh.starts_with('3'));
    assert_eq!(validate_wallet(&p2sh), Some(Chain::Bitcoin));
    let p2pkh = base58_address(0x00, [0xab; 20]);
    assert_eq!(validate_wallet(&p2pkh), Some(Chain::Bitcoin));
}

#[test]
fn bitcoin_base58_bad_checksum_rejected() {
    for i in [1, 10, 20, GENESIS.len() - 1] {
        let bad = mutate(GENESIS, i);
        assert_ne!(bad, GENESIS);
        assert_eq!(validate_wallet(&bad), None, "{bad}");
        none(&format!("pay {bad} now"), None);
    }
    // Right shape, random characters.
    none("pay 1BoatSLRHtKNngkdXEeobR76b53LETtpyX now", None);
    none("id 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz", None);
    // A valid payload under a version that is not Bitcoin's.
    let other = base58_address(0x30, [1; 20]);
    assert_eq!(validate_wallet(&other), None);
}

#[test]
fn bitcoin_inside_longer_token_rejected() {
    none(&format!("x{GENESIS}"), None);
    none(&format!("{GENESIS}x"), None);
}

#[test]
fn bitcoin_segwit_addresses() {
    assert_eq!(validate_wallet(BIP173), Some(Chain::Bitcoin));
    assert_eq!(validate_wallet(BIP350_TAPROOT), Some(Chain::Bitcoin));
    let upper = BIP173.to_ascii_uppercase();
    let o = only(&format!("BTC: {upper}."), None);
    assert_eq!(o.kind, wallet(Chain::Bitcoin));
    assert_eq!(o.value, BIP173);

    // Constructed segwit v0 and v1 addresses.
    let v0 =
        bech32::segwit::encode(bech32::hrp::BC, bech32::segwit::VERSION_0, &[3u8; 20]).unwrap();
    let v1 =
        bech32::segwit::encode(bech32::hrp::BC, bech32::segwit::VERSION_1, &[4u8; 32]).unwrap();
    for address in [v0, v1] {
        let text = format!("пожалуйста {address} спасибо");
        let o = only(&text, None);
        assert_eq!(at(&text, &o), address);
        assert_eq!(o.kind, wallet(Chain::Bitcoin));
    }
}

#[test]
fn bitcoin_segwit_bad_checksum_rejected() {
    for i in [5, 20, BIP173.len() - 1] {
        let bad = mutate(BIP173, i);
        assert_eq!(validate_wallet(&bad), None, "{bad}");
    }
    // Mixed case is invalid bech32.
    let mixed = format!("BC1Q{}", &BIP173[4..]);
    assert_eq!(validate_wallet(&mixed), None);
    // Testnet addresses are not Bitcoin mainnet.
    let testnet =
        bech32::segwit::encode(bech32::hrp::TB, bech32::segwit::VERSION_0, &[3u8; 20]).unwrap();
    assert_eq!(validate_wallet(&testnet), None);
    // A v0 address with a bech32m checksum is invalid (BIP-350).
    let v0_m = bech32::encode::<bech32::Bech32m>(bech32::hrp::BC, &[0u8; 21]).unwrap();
    assert_eq!(validate_wallet(&v0_m), None);
}

#[test]
fn ethereum_addresses() {
    for address in EIP55 {
        assert_eq!(validate_wallet(address), Some(Chain::Ethereum), "{address}");
        assert_eq!(
            validate_wallet(&address.to_ascii_lowercase()),
            Some(Chain::Ethereum)
        );
        let upper = format!("0x{}", address[2..].to_ascii_uppercase());
        assert_eq!(validate_wallet(&upper), Some(Chain::Ethereum));
    }
    let text = format!("USDT (ERC-20): «{}»", EIP55[0]);
    let o = only(&text, None);
    assert_eq!(o.kind, wallet(Chain::Ethereum));
    assert_eq!(o.value, EIP55[0].to_ascii_lowercase());
    assert_eq!(at(&text, &o), EIP55[0]);
}

#[test]
fn ethereum_bad_checksum_rejected() {
    for address in EIP55 {
        // Flip the case of one letter: the EIP-55 checksum fails.
        let pos = address[2..]
            .char_indices()
            .find(|(_, c)| c.is_ascii_alphabetic())
            .map(|(i, _)| i + 2)
            .unwrap();
        let mut chars: Vec<char> = address.chars().collect();
        chars[pos] = if chars[pos].is_ascii_uppercase() {
            chars[pos].to_ascii_lowercase()
        } else {
            chars[pos].to_ascii_uppercase()
        };
        let bad: String = chars.into_iter().collect();
        assert_eq!(validate_wallet(&bad), None, "{bad}");
        none(&format!("send to {bad}"), None);
    }
    // Not hex, wrong length.
    assert_eq!(
        validate_wallet("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg"),
        None
    );
    none("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00", None);
}

#[test]
fn tron_addresses() {
    let address = base58_address(0x41, [9; 20]);
    assert!(address.starts_with('T') && address.len() == 34);
    let text = format!("USDT TRC-20 地址：{address}");
    let o = only(&text, None);
    assert_eq!(o.kind, wallet(Chain::Tron));
    assert_eq!(o.value, address);
    assert_eq!(at(&text, &o), address);

    let bad = mutate(&address, 17);
    assert_eq!(validate_wallet(&bad), None);
    // 34 base58 characters starting with T, no checksum.
    assert_eq!(validate_wallet("TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT"), None);
    // A Bitcoin payload is not a TRON address.
    assert_eq!(
        validate_wallet(&base58_address(0x00, [9; 20])),
        Some(Chain::Bitcoin)
    );
}

#[test]
fn canonical_wallet_helper() {
    assert_eq!(
        canonical_wallet(&format!(" {} ", EIP55[1])),
        Some((Chain::Ethereum, EIP55[1].to_ascii_lowercase()))
    );
    assert_eq!(
        canonical_wallet(&BIP173.to_ascii_uppercase()),
        Some((Chain::Bitcoin, BIP173.to_owned()))
    );
    assert_eq!(
        canonical_wallet(GENESIS),
        Some((Chain::Bitcoin, GENESIS.to_owned()))
    );
    assert_eq!(canonical_wallet("hello"), None);
}

// ---------------------------------------------------------------- overlaps

#[test]
fn longer_observable_wins() {
    // A phone number inside a URL is part of the URL.
    let text = "https://example.com/call/+447911123456";
    let o = only(text, None);
    assert_eq!(o.kind, url("example.com"));

    // A wallet inside a URL too.
    let text = format!("https://etherscan.io/address/{}", EIP55[0]);
    assert_eq!(only(&text, None).kind, url("etherscan.io"));

    // The messenger phrase and the phone number cover the same text.
    let o = only("WeChat: +44 7911 123456", None);
    assert_eq!(o.kind, messenger(Messenger::Wechat));

    // The link is the messenger observable; the phrase adds nothing.
    let o = only("Telegram: t.me/JohnDoe", None);
    assert_eq!(o.kind, messenger(Messenger::Telegram));
    assert_eq!(o.value, "johndoe");

    // A link that swallows a phone number hides it from a search for
    // phone numbers alone too.
    let text = "https://7911 123456";
    let phones = |k: &ObservableKind| *k == ObservableKind::Phone;
    assert!(matches!(
        only(text, Some("GB")).kind,
        ObservableKind::Url { .. }
    ));
    assert_eq!(extract_kinds(text, &opts(Some("GB")), phones), []);
}

#[test]
fn mixed_message() {
    let text = "Dear Dr Jones, I represent BrightPath (brightpath-consulting.com). \
                Email me at j.li@brightpath-consulting.com or call +44 7911 123456. \
                WeChat ID: jli_2024. Fees paid to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa \
                or 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed. See t.me/BrightPathHQ.";
    let found = ex(text, Some("GB"));
    let kinds: Vec<(&ObservableKind, &str)> =
        found.iter().map(|o| (&o.kind, at(text, o))).collect();
    assert_eq!(
        kinds,
        [
            (
                &url("brightpath-consulting.com"),
                "brightpath-consulting.com"
            ),
            (
                &email("brightpath-consulting.com"),
                "j.li@brightpath-consulting.com"
            ),
            (&ObservableKind::Phone, "+44 7911 123456"),
            (&messenger(Messenger::Wechat), "jli_2024"),
            (&wallet(Chain::Bitcoin), GENESIS),
            (&wallet(Chain::Ethereum), EIP55[0]),
            (&messenger(Messenger::Telegram), "t.me/BrightPathHQ"),
        ]
    );
}

#[test]
fn serialises_with_kind_tag() {
    let o = only("wa.me/447911123456", None);
    let json = serde_json::to_value(&o).unwrap();
    assert_eq!(json["kind"], "messenger");
    assert_eq!(json["platform"], "whatsapp");
    assert_eq!(json["value"], "+447911123456");
}

#[test]
fn long_hostile_input_is_bounded() {
    let digits = "0".repeat(5000) + &" 1".repeat(5000) + "+44 7911 123456";
    let _ = ex(&digits, Some("GB"));
    let dots = "a.".repeat(20_000);
    let _ = ex(&dots, None);
    let words = "WeChat: ".repeat(5000);
    none(&words, None);
}

#[test]
fn a_name_in_a_word_of_mixed_scripts_is_still_looked_for() {
    // Normalisation rebuilds such words; the name's letters survive it, so
    // the search for handles is not spared.
    for text in [
        "ИWeChat: abc_1234",
        "ПриветWhatsApp +44 7911 123456",
        "éTG @abc_de",
    ] {
        let all = |_: &ObservableKind| true;
        let found =
            extract_kinds_normalised(text, Some(&Normalised::new(text)), &opts(Some("GB")), all);
        assert!(
            found
                .iter()
                .any(|o| matches!(o.kind, ObservableKind::Messenger { .. })),
            "{text}: {found:?}"
        );
        assert_eq!(found, extract_kinds(text, &opts(Some("GB")), all), "{text}");
    }
}

// ---------------------------------------------------------------- properties

/// Pieces that exercise every extractor when glued together at random.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("+44 ".to_owned()),
        Just("7911 123456".to_owned()),
        Just("(020) ".to_owned()),
        Just("0044".to_owned()),
        Just("WeChat: ".to_owned()),
        Just("微信号：".to_owned()),
        Just("Telegram @".to_owned()),
        Just("signal: ".to_owned()),
        Just("wa.me/".to_owned()),
        Just("t.me/".to_owned()),
        Just("Signal.Group/#".to_owned()),
        Just("signal.me/#p/".to_owned()),
        Just("TELEGRAM.dog/".to_owned()),
        Just("api.WhatsApp.com/send?phone=".to_owned()),
        Just("%2B".to_owned()),
        Just("ｍｅ".to_owned()),
        Just("https://".to_owned()),
        Just("www.".to_owned()),
        Just(".com".to_owned()),
        Just(".co.uk/".to_owned()),
        Just("@".to_owned()),
        Just("谢谢".to_owned()),
        Just("é".to_owned()),
        Just("2025-03-14".to_owned()),
        Just(GENESIS.to_owned()),
        Just("0x".to_owned()),
        Just("bc1q".to_owned()),
        "[a-zA-Z0-9 .:/@+()_#-]{0,12}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn extract_never_panics_on_arbitrary_text(text in any::<String>()) {
        for region in [None, Some("GB"), Some("US")] {
            let found = extract(&text, &opts(region));
            check_invariants(&text, &found);
        }
    }

    #[test]
    fn extract_never_panics_on_assembled_text(pieces in prop::collection::vec(piece(), 0..24)) {
        let text: String = pieces.concat();
        for region in [None, Some("GB"), Some("CN")] {
            let found = extract(&text, &opts(region));
            check_invariants(&text, &found);
        }
    }

    #[test]
    fn extract_kinds_keeps_what_extract_keeps(pieces in prop::collection::vec(piece(), 0..24)) {
        let text: String = pieces.concat();
        let kinds: [fn(&ObservableKind) -> bool; 3] = [
            |k| matches!(k, ObservableKind::Wallet { .. } | ObservableKind::Messenger { .. }),
            |k| matches!(k, ObservableKind::Email { .. } | ObservableKind::Url { .. }),
            |k| matches!(k, ObservableKind::Phone),
        ];
        for wanted in kinds {
            let all: Vec<Observable> = extract(&text, &opts(Some("GB")))
                .into_iter()
                .filter(|o| wanted(&o.kind))
                .collect();
            prop_assert_eq!(extract_kinds(&text, &opts(Some("GB")), wanted), all);
        }
    }

    #[test]
    fn the_normalised_text_changes_nothing_found(
        pieces in prop::collection::vec(prop_oneof![
            piece(),
            // A handle after each name, in some casing.
            Just(" WeChat ID abc_1234 ".to_owned()),
            Just(" we chat: abc_1234 ".to_owned()),
            Just(" wE-cHaT abc_1234 ".to_owned()),
            Just(" WEIXIN: abc_1234 ".to_owned()),
            Just(" Wx: abc_1234 ".to_owned()),
            Just(" 微信号码: abc_1234 ".to_owned()),
            Just(" Whats App +44 7911 123456 ".to_owned()),
            Just(" WHATSAPP: +447911123456 ".to_owned()),
            Just(" teleGRAM @abc_de ".to_owned()),
            Just(" TG @abc_de ".to_owned()),
            Just(" SIGNAL: abc.12 ".to_owned()),
            Just("Wеchat ".to_owned()),
            // A name inside a word of mixed scripts, which normalisation
            // rebuilds.
            Just(" ИWeChat: abc_1234 ".to_owned()),
            Just("ПриветWhatsApp +44 7911 123456 ".to_owned()),
            Just("éTG @abc_de ".to_owned()),
            Just("Ｔｅｌｅｇｒａｍ ".to_owned()),
            Just("s i g n a l".to_owned()),
            Just("\u{200B}".to_owned()),
            Just("3".to_owned()),
            "[a-zA-Z0-9 ]{0,3}",
        ], 0..24),
    ) {
        let text: String = pieces.concat();
        let normalised = Normalised::new(&text);
        let signalled = |k: &ObservableKind| {
            matches!(k, ObservableKind::Wallet { .. } | ObservableKind::Messenger { .. })
        };
        for wanted in [signalled, |_: &ObservableKind| true] {
            prop_assert_eq!(
                extract_kinds_normalised(&text, Some(&normalised), &opts(Some("GB")), wanted),
                extract_kinds(&text, &opts(Some("GB")), wanted)
            );
        }
    }

    #[test]
    fn wallets_are_found_in_every_token_that_is_one(
        pieces in prop::collection::vec(prop_oneof![
            Just(GENESIS.to_owned()),
            Just(EIP55[0].to_owned()),
            "[a-z0-9_]{0,16}",
            "[ .,:/é-]{1,3}",
        ], 0..16),
    ) {
        let text: String = pieces.concat();
        // The slow reading: every maximal token, validated.
        let mut expected = Vec::new();
        let mut start = None;
        for (i, b) in text.bytes().chain(std::iter::once(b' ')).enumerate() {
            let token = b.is_ascii_alphanumeric() || b == b'_';
            match (token, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    if validate_wallet(&text[s..i]).is_some() {
                        expected.push(s..i);
                    }
                    start = None;
                }
                _ => {}
            }
        }
        let mut found = Vec::new();
        wallet::find(&text, &mut found);
        let spans: Vec<_> = found.iter().map(|o| o.start..o.end).collect();
        prop_assert_eq!(spans, expected);
    }

    #[test]
    fn phone_parser_never_panics(number in "[+]?[0-9]{0,18}", region in prop_oneof![
        Just(None), Just(Some("GB")), Just(Some("US")), Just(Some("DE")), Just(Some("CN")),
        Just(Some("RU")), Just(Some("IN")), Just(Some("BR")), Just(Some("JP")), Just(Some("CH")),
    ]) {
        let _ = canonical_phone(&number, region);
    }

    /// The region is a setting: any two letters (most name no region with
    /// phone metadata), or anything else, is safe to read numbers with.
    #[test]
    fn any_region_setting_is_safe(number in "[+]?[0-9]{0,18}", region in prop_oneof![
        "[A-Za-z]{2}", ".{0,4}",
    ]) {
        let _ = canonical_phone(&number, Some(&region));
    }

    #[test]
    fn constructed_base58_addresses_are_found(payload in any::<[u8; 20]>(), tron in any::<bool>()) {
        let version = if tron { 0x41 } else { 0x00 };
        let address = base58_address(version, payload);
        let text = format!("à {address} ü");
        let found = extract(&text, &opts(None));
        prop_assert_eq!(found.len(), 1);
        prop_assert_eq!(&found[0].value, &address);
        prop_assert_eq!(&text[found[0].start..found[0].end], address.as_str());
    }

    #[test]
    fn random_base58_strings_are_rejected(s in "[1T][1-9A-HJ-NP-Za-km-z]{33}") {
        // A random string passes a 32-bit checksum with probability 2^-32.
        prop_assert_eq!(validate_wallet(&s), None);
    }
}
