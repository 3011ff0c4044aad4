//! Reading alerts out of a bundle into the indicators the engine matches.
//!
//! Each `report` in a bundle is one alert, made of the objects its
//! `object_refs` name; a bundle without a report is one alert made of all
//! its objects. From those objects:
//!
//! - `threat-actor` and `intrusion-set`: personas, by `name` and `aliases`;
//! - `identity` with `identity_class` `organization`: cover organisations;
//! - `indicator` with a STIX pattern over `user-account:display_name`,
//!   `user-account:account_login`, `url:value`, `domain-name:value` or
//!   `email-addr:value`, compared with `=`, `IN` or `LIKE` and joined by
//!   `AND` and `OR`: observables. A pattern that only lists display names
//!   also adds them as personas, matched as tolerantly as persona names.
//!
//! Personas may carry the perceptual hashes of their profile photos in
//! forewarn's property extension ([`FOREWARN_EXTENSION`], property
//! `photo_phashes`: a list of 16 hexadecimal digits each).
//!
//! Indicators whose patterns forewarn cannot match are listed, with the
//! reason, and never silently dropped.

use forewarn_core::indicators::{
    AlertSource, Condition, IndicatorSet, ObservableField, parse_phash,
};

use crate::bundle::Bundle;
use crate::object::StixObject;
use crate::pattern::{self, ComparisonExpr, Literal, ObservationExpr, Operator, PropertyTest};
use crate::tlp::Tlp;

/// The id of forewarn's STIX extension definition, whose property
/// extension adds `photo_phashes` to threat actors and intrusion sets.
pub const FOREWARN_EXTENSION: &str = "extension-definition--e492c547-3aaf-4f50-abf3-725382cc298e";

/// What was read from one alert.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertSummary {
    /// The alert as verdicts name it.
    pub source: AlertSource,
    /// Its TLP level, when marked.
    pub tlp: Option<Tlp>,
    /// Personas loaded.
    pub personas: usize,
    /// Organisations loaded.
    pub organisations: usize,
    /// Observable indicators loaded.
    pub observables: usize,
    /// Persona photos loaded.
    pub photos: usize,
    /// Indicators kept but not matched, and why.
    pub unsupported: Vec<UnsupportedIndicator>,
}

/// An indicator forewarn keeps but cannot match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedIndicator {
    /// The indicator's id.
    pub id: String,
    /// Why it is not matched.
    pub reason: String,
}

/// Loads every alert of `bundle` into `set`; returns what each held.
///
/// `issuer` names who vouches for the bundle (the owner of the key that
/// signed it); without it, the identity the report names as its creator is
/// shown.
pub fn load_alerts(
    bundle: &Bundle,
    set: &mut IndicatorSet,
    issuer: Option<&str>,
) -> Vec<AlertSummary> {
    let reports: Vec<&StixObject> = bundle.of_type("report").collect();
    if reports.is_empty() {
        let id = bundle.id().unwrap_or("bundle").to_owned();
        let source = AlertSource {
            name: id.clone(),
            id,
            issuer: issuer.map(str::to_owned),
        };
        let objects: Vec<&StixObject> = bundle.objects().iter().collect();
        return vec![load_one(source, None, &objects, set)];
    }
    reports
        .into_iter()
        .map(|report| {
            let source = AlertSource {
                id: report.id().unwrap_or_default().to_owned(),
                name: report
                    .name()
                    .or(report.id())
                    .unwrap_or("unnamed alert")
                    .to_owned(),
                issuer: issuer
                    .map(str::to_owned)
                    .or_else(|| creator(bundle, report)),
            };
            let tlp = report
                .str_list("object_marking_refs")
                .into_iter()
                .find_map(Tlp::from_marking_id);
            let objects: Vec<&StixObject> = report
                .str_list("object_refs")
                .into_iter()
                .filter_map(|id| bundle.get(id))
                .collect();
            load_one(source, tlp, &objects, set)
        })
        .collect()
}

/// The name of the identity that created `object`, or its id when the
/// identity is not in the bundle.
fn creator(bundle: &Bundle, object: &StixObject) -> Option<String> {
    let id = object.str_property("created_by_ref")?;
    Some(
        bundle
            .get(id)
            .and_then(StixObject::name)
            .unwrap_or(id)
            .to_owned(),
    )
}

fn load_one(
    source: AlertSource,
    tlp: Option<Tlp>,
    objects: &[&StixObject],
    set: &mut IndicatorSet,
) -> AlertSummary {
    let alert = set.add_alert(source.clone());
    let mut summary = AlertSummary {
        source,
        tlp,
        personas: 0,
        organisations: 0,
        observables: 0,
        photos: 0,
        unsupported: Vec::new(),
    };
    for object in objects {
        match object.object_type() {
            Some("threat-actor" | "intrusion-set") => {
                if let Some(name) = object.name() {
                    set.add_persona(alert, name, &object.aliases());
                    summary.personas += 1;
                    for hash in photo_hashes(object) {
                        set.add_photo(alert, name, hash);
                        summary.photos += 1;
                    }
                }
            }
            Some("identity") if object.str_property("identity_class") == Some("organization") => {
                if let Some(name) = object.name() {
                    set.add_organisation(alert, name);
                    summary.organisations += 1;
                }
            }
            Some("indicator") => {
                let id = object.id().unwrap_or_default().to_owned();
                match load_indicator(object, alert, set) {
                    Ok(added) => {
                        summary.observables += added.observables;
                        summary.personas += added.personas;
                    }
                    Err(reason) => summary
                        .unsupported
                        .push(UnsupportedIndicator { id, reason }),
                }
            }
            _ => {}
        }
    }
    summary
}

/// The photo hashes a persona carries in forewarn's extension.
fn photo_hashes(object: &StixObject) -> Vec<u64> {
    object
        .properties()
        .get("extensions")
        .and_then(|e| e.get(FOREWARN_EXTENSION))
        .and_then(|e| e.get("photo_phashes"))
        .and_then(|p| p.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str())
                .filter_map(parse_phash)
                .collect()
        })
        .unwrap_or_default()
}

/// What one indicator added.
struct Added {
    observables: usize,
    personas: usize,
}

fn load_indicator(
    object: &StixObject,
    alert: usize,
    set: &mut IndicatorSet,
) -> Result<Added, String> {
    let pattern_type = object.str_property("pattern_type").unwrap_or_default();
    if pattern_type != "stix" {
        return Err(format!(
            "pattern type `{pattern_type}` is not STIX patterning"
        ));
    }
    let text = object.str_property("pattern").ok_or("it has no pattern")?;
    let parsed = pattern::parse(text).map_err(|e| {
        format!(
            "its pattern does not parse (column {}): {}",
            e.column(text),
            e.message
        )
    })?;
    if let Some(unsupported) = parsed.unsupported() {
        return Err(unsupported.reason);
    }
    let condition = observation(&parsed.expression)?;
    let tests = parsed.tests();
    // A pattern that only lists display names names personas: they are
    // matched as tolerantly as persona names (and, alone, never count as
    // more than the same name).
    if tests
        .iter()
        .all(|t| t.path.to_string() == "user-account:display_name" && t.op != Operator::Like)
    {
        let mut personas = 0;
        for test in tests {
            for name in string_values(test) {
                set.add_persona(alert, name, &[]);
                personas += 1;
            }
        }
        return Ok(Added {
            observables: 0,
            personas,
        });
    }
    let label = object.name().map_or_else(|| text.to_owned(), str::to_owned);
    set.add_observable(alert, &label, &condition)
        .map_err(|e| e.to_string())?;
    Ok(Added {
        observables: 1,
        personas: 0,
    })
}

fn observation(expr: &ObservationExpr) -> Result<Condition, String> {
    Ok(match expr {
        ObservationExpr::Observation { comparison, .. } => comparison_condition(comparison)?,
        ObservationExpr::And(l, r) => Condition::All(vec![observation(l)?, observation(r)?]),
        ObservationExpr::Or(l, r) => Condition::Any(vec![observation(l)?, observation(r)?]),
        ObservationExpr::FollowedBy(..) | ObservationExpr::Qualified { .. } => {
            return Err("FOLLOWEDBY and qualifiers are not supported".to_owned());
        }
    })
}

fn comparison_condition(expr: &ComparisonExpr) -> Result<Condition, String> {
    Ok(match expr {
        ComparisonExpr::Test(test) => test_condition(test)?,
        ComparisonExpr::And(l, r) => {
            Condition::All(vec![comparison_condition(l)?, comparison_condition(r)?])
        }
        ComparisonExpr::Or(l, r) => {
            Condition::Any(vec![comparison_condition(l)?, comparison_condition(r)?])
        }
    })
}

fn test_condition(test: &PropertyTest) -> Result<Condition, String> {
    let path = test.path.to_string();
    let field = match path.as_str() {
        "user-account:display_name" => ObservableField::DisplayName,
        "user-account:account_login" => ObservableField::AccountLogin,
        "url:value" => ObservableField::Url,
        "domain-name:value" => ObservableField::Domain,
        "email-addr:value" => ObservableField::Email,
        other => return Err(format!("object path `{other}` is not supported")),
    };
    let values: Vec<String> = string_values(test).into_iter().map(str::to_owned).collect();
    match test.op {
        Operator::Eq | Operator::In => Ok(Condition::AnyOf(field, values)),
        Operator::Like => Ok(Condition::Like(
            field,
            pattern::like_to_regex(values.first().map_or("", String::as_str)),
        )),
        other => Err(format!("operator {other} is not supported")),
    }
}

/// The string values a test compares with.
fn string_values(test: &PropertyTest) -> Vec<&str> {
    test.value
        .iter()
        .chain(test.set.iter())
        .filter_map(|v| match v {
            Literal::Str(s) => Some(s.as_str()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUNDLE: &str = r#"{"type":"bundle","id":"bundle--1","objects":[
      {"type":"identity","id":"identity--a","name":"Issuer Org","identity_class":"organization"},
      {"type":"report","id":"report--r","name":"Alert R","created_by_ref":"identity--a",
       "object_refs":["threat-actor--t","identity--c","indicator--i1","indicator--i2","indicator--i3"],
       "object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]},
      {"type":"threat-actor","id":"threat-actor--t","name":"Amanda Qiu","aliases":["Qiu Amanda"]},
      {"type":"identity","id":"identity--c","name":"Cover Co Ltd","identity_class":"organization"},
      {"type":"indicator","id":"indicator--i1","pattern_type":"stix","pattern":"[email-addr:value LIKE '%@cover.example.com']"},
      {"type":"indicator","id":"indicator--i2","pattern_type":"stix","pattern":"[user-account:display_name IN ('Shirly Shen', 'Shen Shirly')]"},
      {"type":"indicator","id":"indicator--i3","pattern_type":"stix","pattern":"[file:name = 'x.exe']"}
    ]}"#;

    #[test]
    fn reads_personas_organisations_and_indicators_of_the_report() {
        let bundle = Bundle::parse(BUNDLE.as_bytes()).unwrap();
        let mut set = IndicatorSet::new();
        let alerts = load_alerts(&bundle, &mut set, None);
        assert_eq!(alerts.len(), 1);
        let alert = &alerts[0];
        assert_eq!(alert.source.name, "Alert R");
        assert_eq!(alert.source.issuer.as_deref(), Some("Issuer Org"));
        assert_eq!(alert.tlp, Some(Tlp::Green));
        // The issuer's own identity is not a cover organisation: it is not
        // among the report's objects.
        assert_eq!(
            (alert.personas, alert.organisations, alert.observables),
            (3, 1, 1)
        );
        assert_eq!(alert.unsupported.len(), 1);
        assert_eq!(alert.unsupported[0].id, "indicator--i3");
        // Who vouches for the bundle replaces its own claim.
        let mut other = IndicatorSet::new();
        let signed = load_alerts(
            &bundle,
            &mut other,
            Some("Security team (signature verified)"),
        );
        assert_eq!(
            signed[0].source.issuer.as_deref(),
            Some("Security team (signature verified)")
        );
    }
}
