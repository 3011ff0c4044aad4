//! Validation of a bundle against the parts of STIX 2.1 an alert relies on.
//!
//! Errors break a MUST of the specification (a missing required property,
//! an identifier that is not `type--UUID`, a timestamp that is not UTC
//! RFC 3339, a reference property pointing to the wrong type of object, a
//! pattern that does not parse); warnings break a SHOULD or leave something
//! forewarn cannot use (a reference to an object that is not in the
//! bundle, a UUID of another version than STIX advises). Objects forewarn does not use
//! are checked only for what every STIX object must have.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::bundle::Bundle;
use crate::object::{Category, StixObject, id_type};
use crate::pattern;
use crate::tlp::Tlp;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Breaks a SHOULD, or cannot be verified.
    Warning,
    /// Breaks a MUST: the bundle is not valid STIX 2.1.
    Error,
}

/// One problem found in a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// How serious it is.
    pub severity: Severity,
    /// The object: its id, or `objects[N]` when it has none.
    pub object: String,
    /// The property, when the problem is in one.
    pub property: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}: {}", self.object)?;
        if let Some(property) = &self.property {
            write!(f, ": {property}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Properties each type forewarn reads must have.
const REQUIRED: &[(&str, &[&str])] = &[
    ("report", &["name", "published", "object_refs"]),
    ("threat-actor", &["name"]),
    ("intrusion-set", &["name"]),
    ("identity", &["name"]),
    ("campaign", &["name"]),
    ("indicator", &["pattern", "pattern_type", "valid_from"]),
    (
        "relationship",
        &["relationship_type", "source_ref", "target_ref"],
    ),
    ("sighting", &["sighting_of_ref"]),
    ("note", &["content", "object_refs"]),
    (
        "extension-definition",
        &[
            "name",
            "schema",
            "version",
            "extension_types",
            "created_by_ref",
        ],
    ),
    ("url", &["value"]),
    ("domain-name", &["value"]),
    ("email-addr", &["value"]),
];

/// Timestamp properties, checked wherever they appear.
const TIMESTAMPS: &[&str] = &[
    "created",
    "modified",
    "published",
    "valid_from",
    "valid_until",
    "first_seen",
    "last_seen",
    "first_observed",
    "last_observed",
];

/// The type a reference property must point to, where the specification
/// fixes one.
const REFERENCE_TYPES: &[(&str, &str)] = &[
    ("created_by_ref", "identity"),
    ("object_marking_refs", "marking-definition"),
    ("marking_ref", "marking-definition"),
];

/// Validates a bundle; returns every problem found, errors first.
pub fn validate(bundle: &Bundle) -> Vec<Problem> {
    let mut problems = Vec::new();
    if bundle.properties().get("type").and_then(Value::as_str) != Some("bundle") {
        problems.push(problem(
            Severity::Error,
            "bundle",
            Some("type"),
            "is missing".to_owned(),
        ));
    }
    match bundle.id() {
        Some(id) => match check_id(id, "bundle", Category::Meta) {
            Ok(None) => {}
            Ok(Some(warning)) => {
                problems.push(problem(Severity::Warning, "bundle", Some("id"), warning));
            }
            Err(message) => problems.push(problem(Severity::Error, "bundle", Some("id"), message)),
        },
        None => problems.push(problem(
            Severity::Error,
            "bundle",
            Some("id"),
            "is missing".to_owned(),
        )),
    }
    // Versions of one object share an id and differ in `modified`.
    let mut versions: HashMap<(&str, Option<&str>), usize> = HashMap::new();
    for object in bundle.objects() {
        if let Some(id) = object.id() {
            *versions
                .entry((id, object.str_property("modified")))
                .or_default() += 1;
        }
    }
    for (index, object) in bundle.objects().iter().enumerate() {
        let label = object
            .id()
            .map_or_else(|| format!("objects[{index}]"), str::to_owned);
        let mut report = |severity: Severity, property: Option<&str>, message: String| {
            problems.push(problem(severity, &label, property, message));
        };
        check_object(bundle, object, &mut report);
        if let Some(id) = object.id()
            && versions
                .get(&(id, object.str_property("modified")))
                .is_some_and(|n| *n > 1)
        {
            report(
                Severity::Error,
                Some("id"),
                "another object has the same id and the same `modified`".to_owned(),
            );
        }
    }
    problems.sort_by_key(|p| std::cmp::Reverse(p.severity));
    problems
}

fn problem(severity: Severity, object: &str, property: Option<&str>, message: String) -> Problem {
    Problem {
        severity,
        object: object.to_owned(),
        property: property.map(str::to_owned),
        message,
    }
}

/// Checks one object, reporting each problem.
fn check_object(
    bundle: &Bundle,
    object: &StixObject,
    report: &mut impl FnMut(Severity, Option<&str>, String),
) {
    let Some(object_type) = object.object_type() else {
        report(Severity::Error, Some("type"), "is missing".to_owned());
        return;
    };
    if !valid_type_name(object_type) {
        report(
            Severity::Error,
            Some("type"),
            format!(
                "`{object_type}` is not a valid type name (3 to 250 lower-case letters, digits and single hyphens)"
            ),
        );
    }
    let category = Category::of(object_type);
    match object.id() {
        Some(id) => match check_id(id, object_type, category) {
            Ok(None) => {}
            Ok(Some(warning)) => report(Severity::Warning, Some("id"), warning),
            Err(message) => report(Severity::Error, Some("id"), message),
        },
        None => report(Severity::Error, Some("id"), "is missing".to_owned()),
    }
    match object.properties().get("spec_version") {
        Some(Value::String(v)) if v == "2.1" => {}
        Some(other) => report(
            Severity::Error,
            Some("spec_version"),
            format!("is {other}, not \"2.1\""),
        ),
        // STIX 2.0 put the version on the bundle; such bundles still
        // circulate, and OASIS's validator reads them as 2.1.
        None if category != Category::Observable => match bundle.properties().get("spec_version") {
            Some(declared) => report(
                Severity::Warning,
                Some("spec_version"),
                format!("is missing (the bundle declares {declared}, as in STIX 2.0)"),
            ),
            None => report(
                Severity::Error,
                Some("spec_version"),
                "is missing".to_owned(),
            ),
        },
        None => {}
    }
    let needs_created = matches!(category, Category::Domain | Category::Relationship)
        || matches!(
            object_type,
            "marking-definition" | "extension-definition" | "language-content"
        );
    let needs_modified = needs_created && object_type != "marking-definition";
    for (property, needed) in [("created", needs_created), ("modified", needs_modified)] {
        if needed && !object.properties().contains_key(property) {
            report(Severity::Error, Some(property), "is missing".to_owned());
        }
    }
    for property in TIMESTAMPS {
        if let Some(value) = object.properties().get(*property)
            && let Err(message) = check_timestamp(value)
        {
            report(Severity::Error, Some(property), message);
        }
    }
    for (earlier, later) in [("created", "modified"), ("valid_from", "valid_until")] {
        if let (Some(a), Some(b)) = (timestamp(object, earlier), timestamp(object, later))
            && b < a
        {
            report(
                Severity::Error,
                Some(later),
                format!("is earlier than `{earlier}`"),
            );
        }
    }
    if let Some((_, required)) = REQUIRED.iter().find(|(t, _)| *t == object_type) {
        for property in *required {
            match object.properties().get(*property) {
                None => report(Severity::Error, Some(property), "is missing".to_owned()),
                Some(Value::Array(items)) if items.is_empty() => {
                    report(Severity::Error, Some(property), "is empty".to_owned());
                }
                Some(_) => {}
            }
        }
    }
    if object_type == "marking-definition"
        && !object.properties().contains_key("extensions")
        && !(object.properties().contains_key("definition_type")
            && object.properties().contains_key("definition"))
    {
        report(
            Severity::Error,
            None,
            "a marking definition needs `definition_type` and `definition`, or `extensions`"
                .to_owned(),
        );
    }
    if object_type == "indicator" && object.str_property("pattern_type") == Some("stix") {
        check_pattern(object, report);
    }
    check_references(bundle, object, report);
    check_extensions(object, report);
}

/// Checks an indicator's STIX pattern parses. Patterns outside what forewarn
/// matches are valid STIX; the alert lists them as unsupported.
fn check_pattern(object: &StixObject, report: &mut impl FnMut(Severity, Option<&str>, String)) {
    let Some(text) = object.str_property("pattern") else {
        return;
    };
    if let Err(e) = pattern::parse(text) {
        report(
            Severity::Error,
            Some("pattern"),
            format!("column {}: {}", e.column(text), e.message),
        );
    }
}

/// Checks every reference is an identifier of the right type that resolves
/// in the bundle.
fn check_references(
    bundle: &Bundle,
    object: &StixObject,
    report: &mut impl FnMut(Severity, Option<&str>, String),
) {
    for (property, id) in object.references() {
        // "object_refs[2]" -> "object_refs"; "granular_markings[0].marking_ref" -> "marking_ref".
        let last = property.rsplit('.').next().unwrap_or(&property);
        let base = last.split('[').next().unwrap_or(last);
        // A custom property (x_...) or a custom object follows its
        // author's rules, not the specification's: what is wrong there is
        // worth a warning only.
        let custom = base.starts_with("x_") || object.category() == Category::Custom;
        let severity = if custom {
            Severity::Warning
        } else {
            Severity::Error
        };
        let Some(target_type) = id_type(id) else {
            report(
                severity,
                Some(&property),
                format!("`{id}` is not a STIX identifier"),
            );
            continue;
        };
        if let Err(message) = check_id(id, target_type, Category::of(target_type)) {
            report(severity, Some(&property), message);
            continue;
        }
        if let Some((_, wanted)) = REFERENCE_TYPES.iter().find(|(p, _)| *p == base)
            && target_type != *wanted
        {
            report(
                Severity::Error,
                Some(&property),
                format!("must refer to a {wanted}, not to `{id}`"),
            );
            continue;
        }
        if Tlp::from_marking_id(id).is_some() || bundle.get(id).is_some() {
            continue;
        }
        // Bundles need not be closed: authors, markings and the objects a
        // report cites are often shared separately. forewarn can use only
        // what is there.
        report(
            Severity::Warning,
            Some(&property),
            format!("`{id}` is not in the bundle, so forewarn cannot use it"),
        );
    }
}

/// Checks the keys of `extensions` name an extension definition or a
/// predefined extension.
fn check_extensions(object: &StixObject, report: &mut impl FnMut(Severity, Option<&str>, String)) {
    let Some(extensions) = object.properties().get("extensions") else {
        return;
    };
    let Some(extensions) = extensions.as_object() else {
        report(
            Severity::Error,
            Some("extensions"),
            "is not an object".to_owned(),
        );
        return;
    };
    for key in extensions.keys() {
        let defined = key
            .strip_prefix("extension-definition--")
            .is_some_and(|uuid| uuid::Uuid::parse_str(uuid).is_ok());
        if !defined && !key.ends_with("-ext") {
            report(
                Severity::Warning,
                Some("extensions"),
                format!("`{key}` is neither an extension-definition id nor a predefined extension"),
            );
        }
    }
}

/// Whether `name` is a valid STIX type name.
fn valid_type_name(name: &str) -> bool {
    (3..=250).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

/// Checks `id` is `<object_type>--<UUID>` with an RFC 4122 UUID. Returns
/// a warning when the UUID is not of the version STIX recommends (4, or 5
/// for cyber-observables), as OASIS's validator does.
fn check_id(id: &str, object_type: &str, category: Category) -> Result<Option<String>, String> {
    let Some((prefix, uuid)) = id.split_once("--") else {
        return Err(format!("`{id}` is not of the form `{object_type}--<UUID>`"));
    };
    if prefix != object_type {
        return Err(format!("`{id}` does not start with `{object_type}--`"));
    }
    let parsed = match uuid::Uuid::parse_str(uuid) {
        Ok(parsed) if uuid.len() == 36 => parsed,
        _ => return Err(format!("`{uuid}` in `{id}` is not a UUID")),
    };
    let version = parsed.get_version_num();
    if parsed.get_variant() != uuid::Variant::RFC4122 || !(1..=5).contains(&version) {
        return Err(format!("`{uuid}` in `{id}` is not an RFC 4122 UUID"));
    }
    let recommended: &[usize] = match category {
        Category::Observable => &[4, 5],
        _ => &[4],
    };
    Ok((!recommended.contains(&version)).then(|| {
        format!(
            "`{id}` has a version {version} UUID; STIX recommends version {}",
            if recommended.len() > 1 { "4 or 5" } else { "4" }
        )
    }))
}

/// Checks a timestamp is RFC 3339 in UTC (`Z`).
fn check_timestamp(value: &Value) -> Result<(), String> {
    let Some(text) = value.as_str() else {
        return Err("is not a string".to_owned());
    };
    parse_timestamp(text)
        .map(|_| ())
        .ok_or_else(|| format!("`{text}` is not an RFC 3339 timestamp in UTC (ending in `Z`)"))
}

fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    if !text.ends_with('Z') || text.len() < 20 || text.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

fn timestamp(object: &StixObject, property: &str) -> Option<OffsetDateTime> {
    object.str_property(property).and_then(parse_timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
  "type": "bundle",
  "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
  "objects": [
    {"type": "report", "spec_version": "2.1", "id": "report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3",
     "created": "2025-11-18T09:00:00.000Z", "modified": "2025-11-18T09:00:00.000Z",
     "name": "Alert", "published": "2025-11-18T09:00:00Z",
     "object_refs": ["threat-actor--56f3f0db-b5d5-431c-ae56-c18f02caf500"],
     "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]},
    {"type": "threat-actor", "spec_version": "2.1", "id": "threat-actor--56f3f0db-b5d5-431c-ae56-c18f02caf500",
     "created": "2025-11-18T09:00:00.000Z", "modified": "2025-11-18T09:00:00.000Z",
     "name": "Amanda Qiu", "aliases": ["A. Qiu"], "x_forewarn_note": "kept"}
  ]
}"#;

    fn problems(text: &str) -> Vec<String> {
        validate(&Bundle::parse(text.as_bytes()).unwrap())
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_good_bundle_has_no_problems() {
        assert_eq!(problems(GOOD), Vec::<String>::new());
    }

    #[test]
    fn finds_missing_and_malformed_properties() {
        let bad = GOOD
            .replace("\"name\": \"Amanda Qiu\", ", "")
            .replace(
                "\"spec_version\": \"2.1\", \"id\": \"report",
                "\"id\": \"report",
            )
            .replace(
                "\"published\": \"2025-11-18T09:00:00Z\"",
                "\"published\": \"2025-11-18 09:00\"",
            );
        let found = problems(&bad);
        assert!(
            found.contains(
                &"error: threat-actor--56f3f0db-b5d5-431c-ae56-c18f02caf500: name: is missing"
                    .to_owned()
            ),
            "{found:#?}"
        );
        assert!(
            found.contains(
                &"error: report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3: spec_version: is missing"
                    .to_owned()
            ),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.contains("published: `2025-11-18 09:00` is not an RFC 3339")),
            "{found:#?}"
        );
    }

    #[test]
    fn finds_bad_identifiers_and_dangling_references() {
        let bad = GOOD.replace(
            "\"object_refs\": [\"threat-actor--56f3f0db-b5d5-431c-ae56-c18f02caf500\"]",
            "\"object_refs\": [\"identity--0b5b2b5e-5d9c-4a3c-9a8e-2d1f5a9b8c7d\", \"threat-actor--1\"]",
        ).replace("\"id\": \"threat-actor--56f3f0db-b5d5-431c-ae56-c18f02caf500\"", "\"id\": \"threat-actor--56f3f0db-b5d5-131c-ae56-c18f02caf500\"");
        let found = problems(&bad);
        assert!(found.iter().any(|p| p.starts_with("warning: ") && p.contains("object_refs[0]: `identity--0b5b2b5e-5d9c-4a3c-9a8e-2d1f5a9b8c7d` is not in the bundle")), "{found:#?}");
        assert!(
            found
                .iter()
                .any(|p| p.contains("object_refs[1]: `1` in `threat-actor--1` is not a UUID")),
            "{found:#?}"
        );
        // Another UUID version is what STIX advises against, not forbids.
        assert!(
            found
                .iter()
                .any(|p| p.starts_with("warning: ") && p.contains("has a version 1 UUID")),
            "{found:#?}"
        );
    }

    #[test]
    fn reports_patterns_that_do_not_parse_with_their_column() {
        let bad = GOOD.replace(
            "\"x_forewarn_note\": \"kept\"}",
            "\"x_forewarn_note\": \"kept\"},\n    {\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\", \"created\": \"2025-11-18T09:00:00.000Z\", \"modified\": \"2025-11-18T09:00:00.000Z\", \"pattern\": \"[url:value = 'x'\", \"pattern_type\": \"stix\", \"valid_from\": \"2025-11-18T09:00:00Z\"}",
        );
        let found = problems(&bad);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].starts_with(
                "error: indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f: pattern: column "
            ),
            "{found:#?}"
        );
    }

    #[test]
    fn custom_references_follow_their_authors_rules() {
        let text = GOOD.replace(
            "\"x_forewarn_note\": \"kept\"",
            "\"x_forewarn_note\": \"kept\", \"x_source_ref\": \"\"",
        );
        let found = problems(&text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].starts_with("warning: "), "{found:#?}");
    }

    #[test]
    fn warns_about_authors_outside_the_bundle() {
        let text = GOOD.replace(
            "\"name\": \"Alert\",",
            "\"name\": \"Alert\", \"created_by_ref\": \"identity--0b5b2b5e-5d9c-4a3c-9a8e-2d1f5a9b8c7d\",",
        );
        let found = problems(&text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].starts_with("warning: "), "{found:#?}");
    }
}
