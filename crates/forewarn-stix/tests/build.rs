//! Alerts built from an analyst's draft: the exact bytes (a golden file),
//! valid STIX that forewarn reads back into indicators matching what the
//! analyst wrote, hostile text escaped or refused, and OASIS's
//! `stix2_validator` content (where it is installed).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};

use forewarn_core::Approach;
use forewarn_core::indicators::{IndicatorSet, MatchKind};
use forewarn_core::observables::ExtractOptions;
use forewarn_stix::pattern::{self, Literal, Operator};
use forewarn_stix::{
    AlertDraft, BuildError, Bundle, Issuer, ObservableDraft, ObservableKind, PersonaDraft,
    Severity, StixObject, Tlp, build_alert, build_alert_with, load_alerts, validate,
};
use proptest::prelude::*;
use time::OffsetDateTime;

mod common;
use time::macros::datetime;
use uuid::Uuid;

const NOW: OffsetDateTime = datetime!(2025-11-18 09:00:00.250 UTC);

/// Version 4 UUIDs counted up from 1: the same on every run.
fn fixed_ids() -> impl FnMut() -> Uuid {
    let mut n: u128 = 0;
    move || {
        n += 1;
        uuid::Builder::from_random_bytes(n.to_be_bytes()).into_uuid()
    }
}

fn issuer() -> Issuer {
    Issuer {
        name: "Example Security Team".to_owned(),
    }
}

fn observable(kind: ObservableKind, value: &str) -> ObservableDraft {
    ObservableDraft {
        kind,
        value: value.to_owned(),
    }
}

fn persona(name: &str, aliases: &[&str]) -> PersonaDraft {
    PersonaDraft {
        name: name.to_owned(),
        aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
    }
}

/// A draft with a bit of everything, in the spirit of the example alert.
fn draft() -> AlertDraft {
    AlertDraft {
        name: "LinkedIn 'headhunter' profiles approaching Parliament".to_owned(),
        description: "Two profiles posing as recruiters for cover companies.\nThey offer paid \
                      consultancy for non-public insights."
            .to_owned(),
        personas: vec![
            persona("Amanda Qiu", &["Qiu Amanda"]),
            persona("Shirly Shen", &["Shirley Shen", "Shen Shirly"]),
        ],
        organisations: vec![
            "BR-YR Executive Search".to_owned(),
            "InternshipUnion".to_owned(),
        ],
        observables: vec![
            observable(
                ObservableKind::Url,
                "https://www.linkedin.com/in/amanda-qiu-12345/",
            ),
            observable(ObservableKind::Domain, "BRYR.example.com"),
            observable(
                ObservableKind::Email,
                "amanda.qiu@internshipunion.example.net",
            ),
            observable(ObservableKind::AccountLogin, "shirly-shen-intern"),
            observable(ObservableKind::DisplayName, "Amanda 'AQ' Qiu \\ Recruiter"),
        ],
        tradecraft: vec![
            "paid consultancy for non-public insights".to_owned(),
            "expenses-paid trips".to_owned(),
        ],
        advice: vec![
            "Do not reply to these profiles.".to_owned(),
            "Report any contact to your security team.".to_owned(),
        ],
        tlp: "TLP:AMBER".to_owned(),
    }
}

/// A draft naming only this persona.
fn minimal(name: &str) -> AlertDraft {
    AlertDraft {
        name: "Alert".to_owned(),
        description: String::new(),
        personas: vec![persona(name, &[])],
        organisations: Vec::new(),
        observables: Vec::new(),
        tradecraft: Vec::new(),
        advice: Vec::new(),
        tlp: "TLP:GREEN".to_owned(),
    }
}

fn build(draft: &AlertDraft) -> Result<Vec<u8>, BuildError> {
    build_alert_with(draft, &issuer(), NOW, fixed_ids())
}

fn objects_of<'a>(bundle: &'a Bundle, object_type: &'a str) -> Vec<&'a StixObject> {
    bundle.of_type(object_type).collect()
}

fn is_stix_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 24
        && text.ends_with('Z')
        && b[10] == b'T'
        && b[19] == b'.'
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// The value a built indicator's pattern compares, and its object path.
fn compared(indicator: &StixObject) -> (String, String) {
    let text = indicator.str_property("pattern").unwrap();
    let parsed = pattern::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    assert!(parsed.unsupported().is_none(), "{text}");
    let tests = parsed.tests();
    assert_eq!(tests.len(), 1, "{text}");
    let test = tests[0];
    assert_eq!(test.op, Operator::Eq, "{text}");
    assert!(!test.negated, "{text}");
    let Some(Literal::Str(value)) = &test.value else {
        panic!("{text} compares no string")
    };
    (test.path.to_string(), value.clone())
}

/// Everything a built bundle must be, whatever the draft: it parses,
/// validates without errors or warnings, has the shape forewarn's alerts
/// follow, and forewarn reads it back whole. Returns the bundle.
fn check_bundle(bytes: &[u8], draft: &AlertDraft, issuer: &Issuer) -> Bundle {
    let bundle = Bundle::parse(bytes).unwrap();
    let problems = validate(&bundle);
    let errors: Vec<String> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "errors: {errors:#?}");
    // Warnings would be references outside the bundle or UUIDs of another
    // version: a built bundle has neither.
    assert!(problems.is_empty(), "warnings: {problems:#?}");
    // Re-exported as read, byte for byte.
    assert_eq!(bundle.to_json_pretty().as_bytes(), bytes);

    let tlp = [
        Tlp::Clear,
        Tlp::Green,
        Tlp::Amber,
        Tlp::AmberStrict,
        Tlp::Red,
    ]
    .into_iter()
    .find(|t| t.name().eq_ignore_ascii_case(draft.tlp.trim()))
    .unwrap();
    let markings = objects_of(&bundle, "marking-definition");
    assert_eq!(markings.len(), 1);
    assert_eq!(markings[0].id(), Some(tlp.marking_id()));
    assert_eq!(markings[0].name(), Some(tlp.name()));

    let reports = objects_of(&bundle, "report");
    assert_eq!(reports.len(), 1);
    let report = reports[0];
    let issuer_id = report.str_property("created_by_ref").unwrap();
    let issuer_object = bundle.get(issuer_id).unwrap();
    assert_eq!(issuer_object.name(), Some(issuer.name.trim()));
    assert_eq!(
        issuer_object.str_property("identity_class"),
        Some("organization")
    );
    assert_eq!(report.name(), Some(draft.name.trim()));
    let created = report.str_property("created").unwrap();
    assert_eq!(report.str_property("published"), Some(created));

    for object in bundle.objects() {
        let id = object.id().unwrap();
        assert_eq!(object.str_property("spec_version"), Some("2.1"), "{id}");
        if object.object_type() == Some("marking-definition") {
            continue;
        }
        assert_eq!(object.str_list("object_marking_refs"), [tlp.marking_id()]);
        for property in ["created", "modified"] {
            let stamp = object.str_property(property).unwrap();
            assert!(is_stix_timestamp(stamp), "{id}: {property} {stamp}");
            assert_eq!(stamp, created, "{id}: {property}");
        }
        let uuid = Uuid::parse_str(id.split_once("--").unwrap().1).unwrap();
        assert_eq!(uuid.get_version_num(), 4, "{id}");
        if id != issuer_id {
            assert_eq!(
                object.str_property("created_by_ref"),
                Some(issuer_id),
                "{id}"
            );
        }
    }
    // The report names everything but itself, its issuer and the marking.
    let expected: Vec<&str> = bundle
        .objects()
        .iter()
        .filter(|o| {
            !matches!(o.object_type(), Some("report" | "marking-definition"))
                && o.id() != Some(issuer_id)
        })
        .filter_map(StixObject::id)
        .collect();
    assert_eq!(report.str_list("object_refs"), expected);

    // One object per thing the analyst wrote, in order.
    let actors = objects_of(&bundle, "threat-actor");
    assert_eq!(actors.len(), draft.personas.len());
    for (actor, persona) in actors.iter().zip(&draft.personas) {
        assert_eq!(actor.name(), Some(persona.name.trim()));
        let aliases: Vec<&str> = persona.aliases.iter().map(|a| a.trim()).collect();
        assert_eq!(actor.aliases(), aliases);
        assert_eq!(actor.str_list("threat_actor_types"), ["spy"]);
    }
    let organisations: Vec<&str> = objects_of(&bundle, "identity")
        .into_iter()
        .filter(|o| o.id() != Some(issuer_id))
        .map(|o| {
            assert_eq!(o.str_property("identity_class"), Some("organization"));
            o.name().unwrap()
        })
        .collect();
    let wanted: Vec<&str> = draft.organisations.iter().map(|o| o.trim()).collect();
    assert_eq!(organisations, wanted);
    let indicators = objects_of(&bundle, "indicator");
    assert_eq!(indicators.len(), draft.observables.len());
    for (indicator, observable) in indicators.iter().zip(&draft.observables) {
        assert_eq!(indicator.str_property("pattern_type"), Some("stix"));
        assert_eq!(indicator.str_property("valid_from"), Some(created));
        assert_eq!(
            indicator.str_list("indicator_types"),
            ["malicious-activity"]
        );
        let (path, _) = compared(indicator);
        assert_eq!(path, observable.kind.object_path());
    }
    let patterns: Vec<&str> = objects_of(&bundle, "attack-pattern")
        .into_iter()
        .map(|o| o.name().unwrap())
        .collect();
    let wanted: Vec<&str> = draft.tradecraft.iter().map(|t| t.trim()).collect();
    assert_eq!(patterns, wanted);
    let notes = objects_of(&bundle, "note");
    if draft.advice.is_empty() {
        assert!(notes.is_empty());
    } else {
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].str_property("abstract"), Some("What to do"));
        assert_eq!(notes[0].str_list("object_refs"), [report.id().unwrap()]);
        let content: Vec<&str> = draft.advice.iter().map(|a| a.trim()).collect();
        assert_eq!(
            notes[0].str_property("content"),
            Some(content.join("\n").as_str())
        );
    }
    assert!(objects_of(&bundle, "relationship").is_empty());

    // forewarn reads it back whole: every indicator supported.
    let mut set = IndicatorSet::new();
    let alerts = load_alerts(&bundle, &mut set, None);
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!(alert.tlp, Some(tlp));
    assert_eq!(alert.source.name, draft.name.trim());
    assert_eq!(alert.source.issuer.as_deref(), Some(issuer.name.trim()));
    assert!(alert.unsupported.is_empty(), "{:#?}", alert.unsupported);
    let display_names = draft
        .observables
        .iter()
        .filter(|o| o.kind == ObservableKind::DisplayName)
        .count();
    assert_eq!(alert.personas, draft.personas.len() + display_names);
    assert_eq!(alert.organisations, draft.organisations.len());
    assert_eq!(alert.observables, draft.observables.len() - display_names);
    bundle
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_built_alert_is_the_golden_file() {
    let bytes = build(&draft()).unwrap();
    check_bundle(&bytes, &draft(), &issuer());
    let text = String::from_utf8(bytes).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/built-alert.json");
    if std::env::var_os("UPDATE_GOLDENFILES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {}; run with UPDATE_GOLDENFILES=1",
            path.display()
        )
    });
    assert_eq!(text, expected, "output differs from {}", path.display());
}

#[test]
fn the_same_draft_time_and_ids_give_the_same_bytes_and_random_ids_differ() {
    assert_eq!(build(&draft()).unwrap(), build(&draft()).unwrap());
    let a = build_alert(&draft(), &issuer(), NOW).unwrap();
    let b = build_alert(&draft(), &issuer(), NOW).unwrap();
    let (a, b) = (
        check_bundle(&a, &draft(), &issuer()),
        check_bundle(&b, &draft(), &issuer()),
    );
    assert_ne!(a.id(), b.id());
    let ids = |bundle: &Bundle| -> Vec<String> {
        bundle
            .objects()
            .iter()
            .filter(|o| o.object_type() != Some("marking-definition"))
            .map(|o| o.id().unwrap().to_owned())
            .collect()
    };
    let (ids_a, ids_b) = (ids(&a), ids(&b));
    assert!(ids_a.iter().all(|id| !ids_b.contains(id)));
}

#[test]
fn observables_are_written_as_their_patterns_compare_them() {
    let bytes = build(&draft()).unwrap();
    let bundle = Bundle::parse(&bytes).unwrap();
    let found: Vec<(String, String)> = objects_of(&bundle, "indicator")
        .into_iter()
        .map(compared)
        .collect();
    let expected = [
        ("url:value", "https://www.linkedin.com/in/amanda-qiu-12345/"),
        // Domains lower-cased, in ASCII.
        ("domain-name:value", "bryr.example.com"),
        ("email-addr:value", "amanda.qiu@internshipunion.example.net"),
        ("user-account:account_login", "shirly-shen-intern"),
        ("user-account:display_name", "Amanda 'AQ' Qiu \\ Recruiter"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(p, v)| ((*p).to_owned(), (*v).to_owned()))
        .collect();
    assert_eq!(found, expected);
    let display = objects_of(&bundle, "indicator")[4]
        .str_property("pattern")
        .unwrap();
    assert_eq!(
        display,
        r"[user-account:display_name = 'Amanda \'AQ\' Qiu \\ Recruiter']"
    );
    // International names: the host in ASCII, the rest as written.
    let mut international = minimal("Amanda Qiu");
    international.observables = vec![
        observable(ObservableKind::Domain, "Bücher.de."),
        observable(ObservableKind::Email, "Анна@bücher.de"),
        observable(ObservableKind::Url, "HTTPS://Bücher.de/a b?q='x'"),
    ];
    let bytes = build(&international).unwrap();
    let bundle = check_bundle(&bytes, &international, &issuer());
    let values: Vec<String> = objects_of(&bundle, "indicator")
        .into_iter()
        .map(|i| compared(i).1)
        .collect();
    assert_eq!(
        values,
        [
            "xn--bcher-kva.de",
            "Анна@xn--bcher-kva.de",
            "https://xn--bcher-kva.de/a%20b?q=%27x%27"
        ]
    );
}

fn options() -> ExtractOptions {
    ExtractOptions {
        default_region: Some("GB".to_owned()),
    }
}

/// What the built alert matches in an approach.
fn matches(set: &IndicatorSet, approach: &str) -> Vec<(MatchKind, String)> {
    let approach: Approach = serde_json::from_str(approach).unwrap();
    set.matches(&approach, &options())
        .into_iter()
        .map(|m| {
            assert_eq!(m.alert, 0);
            (m.kind, m.detail)
        })
        .collect()
}

fn kinds(set: &IndicatorSet, approach: &str) -> Vec<MatchKind> {
    matches(set, approach).into_iter().map(|(k, _)| k).collect()
}

#[test]
fn forewarn_reads_the_alert_into_indicators_that_match_what_the_analyst_wrote() {
    let bytes = build(&draft()).unwrap();
    let bundle = check_bundle(&bytes, &draft(), &issuer());
    let mut set = IndicatorSet::new();
    let alerts = load_alerts(&bundle, &mut set, None);
    let alert = &alerts[0];
    assert_eq!(
        (alert.personas, alert.organisations, alert.observables),
        (3, 2, 4)
    );
    assert_eq!(alert.tlp, Some(Tlp::Amber));
    assert_eq!(
        alert.source.issuer.as_deref(),
        Some("Example Security Team")
    );

    // A persona, by name and by alias, with and without its organisation.
    assert_eq!(
        kinds(
            &set,
            r#"{"sender":{"name":"Qiu Amanda","organisation":"BRYR Executive Search Ltd"}}"#
        ),
        [MatchKind::Persona, MatchKind::Organisation]
    );
    assert_eq!(
        kinds(&set, r#"{"sender":{"name":"Shirley Shen"}}"#),
        [MatchKind::PersonaName]
    );
    assert_eq!(
        kinds(&set, r#"{"sender":{"name":"Shen Shirly"}}"#),
        [MatchKind::PersonaName]
    );
    // Each organisation.
    assert_eq!(
        kinds(
            &set,
            r#"{"sender":{"name":"Jo Bloggs","organisation":"Internship Union"}}"#
        ),
        [MatchKind::Organisation]
    );
    // Each observable.
    let observed = |approach: &str, detail: &str| {
        let found = matches(&set, approach);
        assert!(
            found
                .iter()
                .any(|(k, d)| *k == MatchKind::Observable && d.contains(detail)),
            "{approach}: {found:#?}"
        );
    };
    observed(
        r#"{"sender":{"name":"Jo Bloggs","profile_url":"https://uk.linkedin.com/in/Amanda-Qiu-12345"}}"#,
        "URL https://www.linkedin.com/in/amanda-qiu-12345/",
    );
    observed(
        r#"{"sender":{"name":"Jo Bloggs","emails":["talent@hr.bryr.example.com"]}}"#,
        "domain bryr.example.com",
    );
    observed(
        r#"{"sender":{"name":"Jo Bloggs","emails":["Amanda.Qiu@InternshipUnion.example.net"]}}"#,
        "e-mail address amanda.qiu@internshipunion.example.net",
    );
    observed(
        r#"{"sender":{"name":"Jo Bloggs","profile_url":"https://www.linkedin.com/in/shirly-shen-intern/"}}"#,
        "account login shirly-shen-intern",
    );
    observed(
        r#"{"sender":{"name":"Jo Bloggs"},"messages":[{"from":"sender","text":"Write to me at amanda.qiu@internshipunion.example.net"}]}"#,
        "e-mail address",
    );
    // The display name is read as a persona's name.
    let found = matches(
        &set,
        r#"{"sender":{"name":"Amanda 'AQ' Qiu \\ Recruiter"}}"#,
    );
    assert!(
        found
            .iter()
            .any(|(k, d)| *k == MatchKind::PersonaName && d.contains("'AQ'")),
        "{found:#?}"
    );
    // Nothing else.
    assert!(
        kinds(
            &set,
            r#"{"sender":{"name":"Jo Bloggs","organisation":"Acme Widgets","profile_url":"https://www.linkedin.com/in/jo-bloggs","emails":["jo@example.org"]}}"#
        )
        .is_empty()
    );
}

#[test]
fn every_tlp_level_marks_every_object() {
    for (text, level) in [
        ("TLP:CLEAR", Tlp::Clear),
        ("TLP:GREEN", Tlp::Green),
        ("tlp:amber", Tlp::Amber),
        (" TLP:AMBER+STRICT ", Tlp::AmberStrict),
        ("TLP:RED", Tlp::Red),
    ] {
        let mut d = draft();
        d.tlp = text.to_owned();
        let bundle = check_bundle(&build(&d).unwrap(), &d, &issuer());
        let marking = objects_of(&bundle, "marking-definition")[0];
        let extension = &marking.properties()["extensions"][forewarn_stix::tlp::TLP_EXTENSION];
        assert_eq!(extension["extension_type"], "property-extension");
        assert_eq!(
            extension["tlp_2_0"],
            level.name().trim_start_matches("TLP:").to_lowercase()
        );
        assert_eq!(
            marking.str_property("created"),
            Some("2022-10-01T00:00:00.000Z")
        );
    }
}

/// The marking definitions are those OASIS publishes, where we have them.
#[test]
fn marking_definitions_are_the_published_ones() {
    let dir = repo().join("../shared/data/stix/tlp2");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} is not here", dir.display());
        return;
    };
    let mut compared = 0;
    for entry in entries.flatten() {
        let published = Bundle::parse(&std::fs::read(entry.path()).unwrap()).unwrap();
        for marking in published.of_type("marking-definition") {
            let level = Tlp::from_marking_id(marking.id().unwrap()).unwrap();
            let mut d = draft();
            d.tlp = level.name().to_owned();
            let built = Bundle::parse(&build(&d).unwrap()).unwrap();
            let ours = objects_of(&built, "marking-definition")[0];
            assert_eq!(ours.properties(), marking.properties(), "{}", level.name());
            compared += 1;
        }
    }
    assert!(compared >= 3, "{compared}");
}

#[test]
fn the_time_is_written_in_utc_to_the_millisecond() {
    let built = build_alert_with(
        &draft(),
        &issuer(),
        datetime!(2025-11-18 10:00:00.123_456_789 +01:00),
        fixed_ids(),
    )
    .unwrap();
    let bundle = check_bundle(&built, &draft(), &issuer());
    let report = objects_of(&bundle, "report")[0];
    assert_eq!(
        report.str_property("published"),
        Some("2025-11-18T09:00:00.123Z")
    );
    let err = build_alert_with(
        &draft(),
        &issuer(),
        datetime!(-0001-01-01 00:00 UTC),
        fixed_ids(),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "now: not between the years 1 and 9999");
}

#[test]
fn optional_parts_are_left_out_when_not_written() {
    let d = minimal("Lena Zhou");
    let bundle = check_bundle(&build(&d).unwrap(), &d, &issuer());
    let report = objects_of(&bundle, "report")[0];
    assert!(report.str_property("description").is_none());
    assert_eq!(report.str_list("report_types"), ["threat-actor"]);
    assert!(objects_of(&bundle, "note").is_empty());
    assert!(objects_of(&bundle, "attack-pattern").is_empty());
    assert!(
        objects_of(&bundle, "threat-actor")[0]
            .properties()
            .get("aliases")
            .is_none()
    );
    let full = Bundle::parse(&build(&draft()).unwrap()).unwrap();
    assert_eq!(
        objects_of(&full, "report")[0].str_list("report_types"),
        ["threat-actor", "identity", "indicator", "attack-pattern"]
    );
    // Only an organisation, or only an observable, is an alert too.
    let mut only_org = minimal("x");
    only_org.personas.clear();
    only_org.organisations = vec!["Brightyear Executive Search".to_owned()];
    check_bundle(&build(&only_org).unwrap(), &only_org, &issuer());
    let mut only_observable = minimal("x");
    only_observable.personas.clear();
    only_observable.observables = vec![observable(ObservableKind::Domain, "brightyear.example")];
    check_bundle(
        &build(&only_observable).unwrap(),
        &only_observable,
        &issuer(),
    );
}

#[test]
fn drafts_read_from_json_with_defaults_and_refuse_unknown_fields() {
    let d: AlertDraft = serde_json::from_str(
        r#"{"name":"A persona","personas":[{"name":"Lena Zhou"}],
            "observables":[{"kind":"account_login","value":"lena-z"},{"kind":"display_name","value":"Lena Z"}]}"#,
    )
    .unwrap();
    assert_eq!(d.tlp, "TLP:AMBER");
    assert!(d.description.is_empty() && d.advice.is_empty() && d.tradecraft.is_empty());
    assert_eq!(d.personas[0].aliases, Vec::<String>::new());
    assert_eq!(d.observables[0].kind, ObservableKind::AccountLogin);
    assert_eq!(d.observables[1].kind, ObservableKind::DisplayName);
    let again: AlertDraft = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
    assert_eq!(again, d);
    for bad in [
        r#"{"name":"A","personas":[],"x":1}"#,
        r#"{"name":"A","personas":[{"name":"B","x":1}]}"#,
        r#"{"name":"A","observables":[{"kind":"url","value":"https://a.com","x":1}]}"#,
        r#"{"name":"A","observables":[{"kind":"phone","value":"+44"}]}"#,
        r#"{"personas":[{"name":"B"}]}"#,
    ] {
        assert!(serde_json::from_str::<AlertDraft>(bad).is_err(), "{bad}");
    }
}

#[test]
fn errors_name_the_field_at_fault() {
    let long = |n: usize| "a".repeat(n);
    let mut cases: Vec<(AlertDraft, String)> = Vec::new();
    let mut case = |change: &dyn Fn(&mut AlertDraft), message: &str| {
        let mut d = draft();
        change(&mut d);
        cases.push((d, message.to_owned()));
    };
    case(&|d| d.name = "  ".to_owned(), "name: empty");
    case(&|d| d.name = long(201), "name: longer than 200 characters");
    case(
        &|d| d.name = "a\u{0}b".to_owned(),
        "name: contains the control character U+0000",
    );
    case(
        &|d| d.description = long(10_001),
        "description: longer than 10000 characters",
    );
    case(
        &|d| d.description = "line\u{1b}[31m".to_owned(),
        "description: contains the control character U+001B",
    );
    case(
        &|d| d.personas.push(persona("", &[])),
        "personas.2.name: empty",
    );
    case(
        &|d| d.personas[1].name = "Amanda\nQiu".to_owned(),
        "personas.1.name: contains the control character U+000A",
    );
    case(
        &|d| d.personas[0].name = "Amanda \u{202E}uiQ".to_owned(),
        "personas.0.name: contains the control character U+202E",
    );
    case(
        &|d| d.personas[0].name = "-- ?".to_owned(),
        "personas.0.name: has no letter or digit",
    );
    case(
        &|d| d.personas = (0..101).map(|i| persona(&format!("P {i}"), &[])).collect(),
        "personas: more than 100 entries",
    );
    case(
        &|d| d.personas[1].aliases = (0..21).map(|i| format!("A {i}")).collect(),
        "personas.1.aliases: more than 20 entries",
    );
    case(
        &|d| d.personas[1].aliases[1] = long(1001),
        "personas.1.aliases.1: longer than 1000 characters",
    );
    case(
        &|d| d.organisations[1] = " ".to_owned(),
        "organisations.1: empty",
    );
    case(
        &|d| d.organisations = (0..101).map(|i| format!("Org {i}")).collect(),
        "organisations: more than 100 entries",
    );
    case(
        &|d| {
            d.observables = (0..1001)
                .map(|i| observable(ObservableKind::AccountLogin, &format!("l{i}")))
                .collect();
        },
        "observables: more than 1000 entries",
    );
    case(
        &|d| d.observables[0].value = "not a url".to_owned(),
        "observables.0.value: not a URL (relative URL without a base)",
    );
    case(
        &|d| d.observables[0].value = "ftp://files.example.com/x".to_owned(),
        "observables.0.value: not a URL (the scheme is `ftp`, not http or https)",
    );
    case(
        &|d| d.observables[0].value = "javascript:alert(1)".to_owned(),
        "observables.0.value: not a URL (the scheme is `javascript`, not http or https)",
    );
    case(
        &|d| d.observables[1].value = "co.uk".to_owned(),
        "observables.1.value: not a domain name (it is a public suffix)",
    );
    case(
        &|d| d.observables[1].value = "https://bryr.example.com".to_owned(),
        "observables.1.value: not a domain name (invalid international domain name)",
    );
    case(
        &|d| d.observables[1].value = "localhost".to_owned(),
        "observables.1.value: not a domain name (a name of one part, without a dot)",
    );
    case(
        &|d| d.observables[1].value = "10.1.2.3".to_owned(),
        "observables.1.value: not a domain name (an IP address, not a name)",
    );
    case(
        &|d| d.observables[2].value = "amanda.qiu".to_owned(),
        "observables.2.value: not an e-mail address (there is no @)",
    );
    case(
        &|d| d.observables[2].value = "a'b c@example.com".to_owned(),
        "observables.2.value: not an e-mail address (white space before the @)",
    );
    case(
        &|d| d.observables[2].value = "a(b)@example.com".to_owned(),
        "observables.2.value: not an e-mail address (`(` before the @ (quoted local parts are not supported))",
    );
    case(
        &|d| d.observables[2].value = "a@com".to_owned(),
        "observables.2.value: not an e-mail address (a name of one part, without a dot)",
    );
    case(
        &|d| d.observables[3].value = "shirly shen".to_owned(),
        "observables.3.value: not an account login (it contains white space)",
    );
    case(
        &|d| d.observables[3].value = "@".to_owned(),
        "observables.3.value: not an account login (it is only @)",
    );
    case(
        &|d| d.observables[4].value = "'".to_owned(),
        "observables.4.value: has no letter or digit",
    );
    case(
        &|d| d.observables[4].value = long(1001),
        "observables.4.value: longer than 1000 characters",
    );
    case(&|d| d.tradecraft[1] = String::new(), "tradecraft.1: empty");
    case(
        &|d| d.tradecraft = (0..101).map(|i| format!("t{i}")).collect(),
        "tradecraft: more than 100 entries",
    );
    case(
        &|d| d.advice[0] = "tab\there".to_owned(),
        "advice.0: contains the control character U+0009",
    );
    case(
        &|d| d.advice = (0..101).map(|i| format!("a{i}")).collect(),
        "advice: more than 100 entries",
    );
    for tlp in ["TLP:WHITE", "AMBER", "", "TLP:AMBER STRICT"] {
        let tlp = tlp.to_owned();
        case(
            &move |d| d.tlp = tlp.clone(),
            "tlp: not a TLP 2.0 level (TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT or TLP:RED)",
        );
    }
    case(
        &|d| {
            d.personas.clear();
            d.organisations.clear();
            d.observables.clear();
        },
        "an alert needs at least one persona, organisation or observable",
    );
    let total = cases.len();
    for (d, message) in cases {
        let err = build(&d).unwrap_err();
        assert_eq!(err.to_string(), message);
    }
    assert!(total >= 35, "{total}");
    let err = build_alert_with(
        &draft(),
        &Issuer {
            name: "\u{7}".to_owned(),
        },
        NOW,
        fixed_ids(),
    )
    .unwrap_err();
    assert_eq!(err.field, "issuer.name");
    // At the limits, all is well.
    let mut d = draft();
    d.name = long(200);
    d.description = format!("{}\n", long(9_999));
    d.personas = (0..100)
        .map(|i| PersonaDraft {
            name: format!("Persona Number {i}"),
            aliases: (0..20)
                .map(|j| format!("Alias {i} {j} {}", long(980)))
                .collect(),
        })
        .collect();
    d.organisations = (0..100).map(|i| format!("Organisation {i}")).collect();
    d.observables = (0..1000)
        .map(|i| observable(ObservableKind::DisplayName, &format!("{i}'\\{}", long(990))))
        .collect();
    d.tradecraft = (0..100).map(|_| long(1000)).collect();
    d.advice = (0..100).map(|_| long(1000)).collect();
    check_bundle(&build(&d).unwrap(), &d, &issuer());
}

/// Text meant to break out of a pattern, a JSON string or a display.
const HOSTILE: &[&str] = &[
    "'",
    "\\",
    "\\'",
    "'\\",
    "x'] OR [url:value LIKE '%",
    "x' OR user-account:display_name = 'y",
    "a\\' OR 1=1 --",
    "]]]][[[[",
    "/* x */ // y",
    "\"},{\"type\":\"indicator\"",
    "<script>alert(1)</script>",
    "Zoë 'Chloé' O\\'Brien",
    "李娜 (Li Na)",
    "Анна Петрова",
    "👩‍💼 recruiter",
    "a%_b",
    "\u{FEFF}bom",
    "\u{200B}zero width",
    "x\u{202E}cba",
    "line\nbreak",
    "nul\u{0}",
    "del\u{7F}",
    "\u{85}next line",
];

#[test]
fn hostile_text_is_escaped_or_refused_and_never_breaks_a_pattern() {
    let kinds = [
        ObservableKind::Url,
        ObservableKind::Domain,
        ObservableKind::Email,
        ObservableKind::AccountLogin,
        ObservableKind::DisplayName,
    ];
    let mut accepted = 0;
    for hostile in HOSTILE {
        let long = format!("{hostile}{}", "'\\".repeat(490));
        for text in [hostile.to_string(), long] {
            let values = [
                format!("https://x.example.com/{text}"),
                text.clone(),
                format!("{text}@example.com"),
                text.clone(),
                text.clone(),
            ];
            for (kind, value) in kinds.into_iter().zip(values) {
                let mut d = minimal("Amanda Qiu");
                d.observables = vec![observable(kind, &value)];
                d.personas[0].aliases = vec![text.clone()];
                d.organisations = vec![text.clone()];
                d.tradecraft = vec![text.clone()];
                d.advice = vec![text.clone()];
                d.name = text.chars().take(200).collect();
                d.description = text.clone();
                match build(&d) {
                    Ok(bytes) => {
                        accepted += 1;
                        let bundle = check_bundle(&bytes, &d, &issuer());
                        let indicator = objects_of(&bundle, "indicator")[0];
                        let (path, value_compared) = compared(indicator);
                        assert_eq!(path, kind.object_path());
                        if matches!(
                            kind,
                            ObservableKind::AccountLogin | ObservableKind::DisplayName
                        ) {
                            assert_eq!(value_compared, value.trim(), "{value:?}");
                        }
                    }
                    Err(e) => {
                        let message = e.to_string();
                        assert!(!e.field.is_empty(), "{message}");
                        assert!(
                            !message.contains(char::is_control),
                            "the message shows no control character: {message:?}"
                        );
                    }
                }
            }
        }
    }
    assert!(accepted >= 40, "{accepted}");
    // What must be accepted is, escaped.
    for name in [
        "x'] OR [url:value LIKE '%",
        "Zoë 'Chloé' O\\'Brien",
        "李娜 (Li Na)",
    ] {
        let mut d = minimal("Amanda Qiu");
        d.observables = vec![observable(ObservableKind::DisplayName, name)];
        let bytes = build(&d).unwrap();
        let bundle = check_bundle(&bytes, &d, &issuer());
        assert_eq!(compared(objects_of(&bundle, "indicator")[0]).1, name);
    }
    // What must be refused is.
    for name in ["x\u{202E}cba", "line\nbreak", "nul\u{0}", "del\u{7F}"] {
        let d = minimal(name);
        let err = build(&d).unwrap_err();
        assert_eq!(err.field, "personas.0.name", "{name:?}");
    }
}

/// Text: mostly plausible, with quotes, backslashes and brackets; some
/// printable Unicode; some anything at all.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z][a-zA-Z0-9 '\\\\\\[\\]%_@./:()-]{0,24}",
        2 => "[\\PC]{0,16}",
        1 => any::<String>(),
    ]
}

fn observable_of(
    kind: ObservableKind,
    values: impl Strategy<Value = String>,
) -> impl Strategy<Value = ObservableDraft> {
    values.prop_map(move |value| ObservableDraft { kind, value })
}

/// Observables: mostly values of their kind, hostile where a kind allows;
/// some of any kind with any text.
fn observables() -> impl Strategy<Value = ObservableDraft> {
    let kind = prop::sample::select(vec![
        ObservableKind::Url,
        ObservableKind::Domain,
        ObservableKind::Email,
        ObservableKind::AccountLogin,
        ObservableKind::DisplayName,
    ]);
    prop_oneof![
        3 => observable_of(
            ObservableKind::Url,
            "https?://[a-zA-Z0-9-]{1,12}\\.(com|co\\.uk|example|de)(/[a-zA-Z0-9 '\\\\%?=&#\\[\\]-]{0,20})?",
        ),
        3 => observable_of(
            ObservableKind::Domain,
            "[a-zA-Z0-9]{1,12}(\\.[a-z0-9-]{1,8}){0,2}\\.(com|org|uk|example)\\.?",
        ),
        3 => observable_of(
            ObservableKind::Email,
            "[a-zA-Z0-9'_+%-]{1,12}@[a-z0-9]{1,12}\\.(com|co\\.uk|example)",
        ),
        3 => observable_of(ObservableKind::AccountLogin, "@?[a-zA-Z0-9._'\\\\\\]-]{1,20}"),
        3 => observable_of(ObservableKind::DisplayName, text()),
        2 => (kind, text()).prop_map(|(kind, value)| ObservableDraft { kind, value }),
    ]
}

fn drafts() -> impl Strategy<Value = AlertDraft> {
    let personas = prop::collection::vec(
        (text(), prop::collection::vec(text(), 0..3))
            .prop_map(|(name, aliases)| PersonaDraft { name, aliases }),
        0..4,
    );
    let observables = prop::collection::vec(observables(), 0..6);
    let tlp = prop_oneof![
        4 => prop::sample::select(vec![
            "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED", "tlp:red",
        ])
        .prop_map(str::to_owned),
        1 => text(),
    ];
    (
        text(),
        text(),
        personas,
        prop::collection::vec(text(), 0..3),
        observables,
        prop::collection::vec(text(), 0..3),
        prop::collection::vec(text(), 0..3),
        tlp,
    )
        .prop_map(
            |(name, description, personas, organisations, observables, tradecraft, advice, tlp)| {
                AlertDraft {
                    name,
                    description,
                    personas,
                    organisations,
                    observables,
                    tradecraft,
                    advice,
                    tlp,
                }
            },
        )
}

const FIELDS: &[&str] = &[
    "name:",
    "description:",
    "personas.",
    "organisations.",
    "observables.",
    "tradecraft.",
    "advice.",
    "tlp:",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever the analyst writes, the alert is valid STIX that forewarn
    /// reads back whole, or a refusal naming a field.
    #[test]
    fn any_built_alert_is_valid_and_read_back_whole(d in drafts()) {
        match build(&d) {
            Ok(bytes) => {
                check_bundle(&bytes, &d, &issuer());
            }
            Err(e) => {
                let message = e.to_string();
                prop_assert!(
                    FIELDS.iter().any(|f| message.starts_with(f))
                        || message == "an alert needs at least one persona, organisation or observable",
                    "{}", message
                );
            }
        }
    }
}

/// The property above is not vacuous: many drafts make alerts, and every
/// kind of observable is among them.
#[test]
fn arbitrary_drafts_often_make_alerts() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = drafts();
    let (mut built, mut kinds) = (0, std::collections::HashSet::new());
    for _ in 0..400 {
        let d = strategy.new_tree(&mut runner).unwrap().current();
        if build(&d).is_ok() {
            built += 1;
            kinds.extend(d.observables.iter().map(|o| o.kind));
        }
    }
    eprintln!("{built} of 400 arbitrary drafts made alerts");
    assert!(built >= 100, "{built} of 400");
    assert_eq!(kinds.len(), 5, "{kinds:?}");
}

#[test]
fn built_alerts_pass_the_oasis_validator() {
    if !common::validator_available() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("forewarn-stix-built-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Every hostile text the builder accepts, everywhere it can go.
    let accepted: Vec<String> = HOSTILE
        .iter()
        .filter(|s| {
            s.chars().any(char::is_alphanumeric)
                && !s.contains(|c: char| c.is_control() || c == '\u{202E}')
        })
        .map(|s| (*s).to_owned())
        .collect();
    assert!(accepted.len() >= 12, "{accepted:?}");
    let mut hostile = draft();
    hostile.name = accepted.concat().chars().take(200).collect();
    hostile.description = HOSTILE
        .concat()
        .replace(|c: char| c.is_control() && c != '\n' || c == '\u{202E}', "");
    hostile.personas[0].aliases = accepted.clone();
    hostile.organisations.extend(accepted.iter().cloned());
    hostile.observables.extend(
        accepted
            .iter()
            .map(|s| observable(ObservableKind::DisplayName, s)),
    );
    hostile.tradecraft.extend(accepted.iter().cloned());
    hostile.advice.extend(accepted.iter().cloned());
    let mut drafts = vec![("golden", draft()), ("hostile", hostile)];
    for level in ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER+STRICT", "TLP:RED"] {
        let mut d = minimal("Lena Zhou");
        d.tlp = level.to_owned();
        drafts.push((level, d));
    }
    for (name, d) in drafts {
        let bytes = build_alert(&d, &issuer(), NOW).unwrap();
        check_bundle(&bytes, &d, &issuer());
        let path = dir.join(format!("{}.json", name.replace(':', "-")));
        std::fs::write(&path, &bytes).unwrap();
        let warnings = common::oasis_warnings(&path);
        assert!(warnings.is_empty(), "{name}: {warnings:#?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
