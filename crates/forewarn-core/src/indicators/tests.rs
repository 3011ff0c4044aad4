use super::*;

fn approach(json: &str) -> Approach {
    serde_json::from_str(json).unwrap()
}

fn options() -> ExtractOptions {
    ExtractOptions {
        default_region: Some("GB".to_owned()),
    }
}

/// The November 2025 alert's two personas and their companies.
fn alert() -> IndicatorSet {
    let mut set = IndicatorSet::new();
    let a = set.add_alert(AlertSource {
        id: "report--1".to_owned(),
        name: "Headhunter profiles".to_owned(),
        issuer: Some("Example Security Service".to_owned()),
    });
    set.add_persona(a, "Amanda Qiu", &[]);
    set.add_persona(a, "Shirley Shen", &["Shen Shirley"]);
    set.add_organisation(a, "BR-YR Executive Search");
    set.add_organisation(a, "Internship Union");
    set.add_observable(
        a,
        "profile",
        &Condition::AnyOf(
            ObservableField::Url,
            vec!["https://www.linkedin.com/in/amanda-qiu-12345/".to_owned()],
        ),
    )
    .unwrap();
    set.add_observable(
        a,
        "mail domain",
        &Condition::Like(
            ObservableField::Email,
            "(?s)^.*@bryr\\.example\\.com$".to_owned(),
        ),
    )
    .unwrap();
    set
}

fn kinds(set: &IndicatorSet, json: &str) -> Vec<MatchKind> {
    set.matches(&approach(json), &options())
        .iter()
        .map(|m| m.kind)
        .collect()
}

#[test]
fn persona_with_organisation_and_name_alone() {
    let set = alert();
    assert_eq!(
        kinds(
            &set,
            r#"{"sender":{"name":"Qiu Amanda","organisation":"BRYR Executive Search Ltd"},"messages":[]}"#
        ),
        [MatchKind::Persona, MatchKind::Organisation]
    );
    assert_eq!(
        kinds(
            &set,
            r#"{"sender":{"name":"A. Qiu","organisation":"Oxford University"},"messages":[]}"#
        ),
        [MatchKind::PersonaName]
    );
    assert_eq!(
        kinds(&set, r#"{"sender":{"name":"Shirly Shen"},"messages":[]}"#),
        [MatchKind::PersonaName]
    );
    assert!(kinds(&set, r#"{"sender":{"name":"Amanda Smith"},"messages":[]}"#).is_empty());
    // The organisation named in the headline counts.
    assert_eq!(
        kinds(
            &set,
            r#"{"sender":{"name":"Amanda Qiu","headline":"Talent partner | BR-YR Executive Search"},"messages":[]}"#
        ),
        [MatchKind::Persona, MatchKind::Organisation]
    );
    assert!(kinds(&set, r#"{"sender":{"name":"Qiu"},"messages":[]}"#).is_empty());
}

#[test]
fn observables_after_canonicalisation() {
    let set = alert();
    let found = set.matches(
        &approach(
            r#"{"sender":{"name":"Recruiter","profile_url":"linkedin.com/in/Amanda-Qiu-12345"},"messages":[]}"#,
        ),
        &options(),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].kind, MatchKind::Observable);
    let found = set.matches(
        &approach(
            r#"{"sender":{"name":"Recruiter"},"messages":[{"text":"Write to me at Jobs@BRYR.Example.com please"}]}"#,
        ),
        &options(),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(matches!(
        &found[0].evidence,
        Evidence::Message { text, .. } if text == "Jobs@BRYR.Example.com"
    ));
}

#[test]
fn canonical_values() {
    assert_eq!(
        canonical_value(
            ObservableField::Url,
            "https://uk.linkedin.com/in/Zo%C3%AB-Li/?trk=x"
        ),
        Some("linkedin.com/in/zoë-li".to_owned())
    );
    assert_eq!(
        canonical_value(ObservableField::Domain, "Mail.Example.CO.UK."),
        Some("mail.example.co.uk".to_owned())
    );
    assert_eq!(
        canonical_value(ObservableField::AccountLogin, "@Amanda_Q"),
        Some("amanda_q".to_owned())
    );
}

#[test]
fn lookups_do_not_scan_every_indicator() {
    let mut set = IndicatorSet::new();
    let a = set.add_alert(AlertSource {
        id: "r".to_owned(),
        name: "many".to_owned(),
        issuer: None,
    });
    for i in 0..10_000 {
        set.add_persona(a, &format!("Persona{i} Surname{i}"), &[]);
        set.add_organisation(a, &format!("Company {i} Ltd"));
        set.add_observable(
            a,
            "x",
            &Condition::AnyOf(ObservableField::Email, vec![format!("p{i}@example.com")]),
        )
        .unwrap();
    }
    assert!(set.always.is_empty());
    assert_eq!(
        kinds(
            &set,
            r#"{"sender":{"name":"Persona77 Surname77","organisation":"Company 77"},"messages":[]}"#
        ),
        [MatchKind::Persona, MatchKind::Organisation]
    );
}

#[test]
fn an_alerted_domain_covers_its_subdomains_only() {
    let mut set = IndicatorSet::new();
    let a = set.add_alert(AlertSource {
        id: "r".to_owned(),
        name: "domains".to_owned(),
        issuer: None,
    });
    set.add_observable(
        a,
        "domain",
        &Condition::AnyOf(ObservableField::Domain, vec!["bryr.example.com".to_owned()]),
    )
    .unwrap();
    let hit = r#"{"sender":{"name":"R","emails":["x@mail.bryr.example.com"]},"messages":[]}"#;
    assert_eq!(kinds(&set, hit), [MatchKind::Observable]);
    let miss = r#"{"sender":{"name":"R","emails":["x@other.example.com"]},"messages":[{"text":"see https://example.com/"}]}"#;
    assert!(kinds(&set, miss).is_empty());
}

mod index {
    use super::*;
    use proptest::prelude::*;

    const WORDS: &[&str] = &[
        "amanda",
        "a",
        "qiu",
        "chiu",
        "shirley",
        "shirly",
        "shen",
        "wei",
        "w",
        "zhang",
        "chang",
        "li",
        "lee",
        "邱曼达",
        "oliver",
        "olivr",
        "hartmann",
        "j",
    ];

    fn name() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(WORDS), 1..5).prop_map(|w| w.join(" "))
    }

    proptest! {
        /// The index never hides a persona that matches.
        #[test]
        fn candidates_include_every_match(personas in proptest::collection::vec(name(), 1..20), sender in name()) {
            let mut set = IndicatorSet::new();
            let a = set.add_alert(AlertSource { id: "r".to_owned(), name: "r".to_owned(), issuer: None });
            for p in &personas {
                set.add_persona(a, p, &[]);
            }
            let folded = FoldedName::new(&sender);
            let candidates = set.persona_candidates(&folded);
            for (i, p) in set.personas.iter().enumerate() {
                if p.folded.iter().any(|f| names_match(f, &folded)) {
                    prop_assert!(candidates.contains(&i), "{} ~ {sender} but not a candidate", p.name);
                }
            }
        }
    }
}

#[test]
fn photos_match_within_eight_bits() {
    let mut set = IndicatorSet::new();
    let a = set.add_alert(AlertSource {
        id: "r".to_owned(),
        name: "photos".to_owned(),
        issuer: None,
    });
    let alerted = 0x8f3c_1e2d_4b5a_6978_u64;
    set.add_photo(a, "Amanda Qiu", alerted);
    let with_photo = |hash: u64| {
        format!(r#"{{"sender":{{"name":"R","photo":{{"phash":"{hash:016x}"}}}},"messages":[]}}"#)
    };
    // Eight bits apart, spread over the whole hash: still the photo.
    let near = alerted ^ 0x8080_8080_8080_8080;
    assert_eq!(kinds(&set, &with_photo(near)), [MatchKind::Photo]);
    // Nine bits apart: another photo.
    let far = near ^ 0x1;
    assert!(kinds(&set, &with_photo(far)).is_empty());
    assert_eq!(parse_phash("zz"), None);
}
