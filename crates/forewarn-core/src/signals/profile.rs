//! Profile signals: what the sender's profile says about how checkable the
//! sender is.

use serde::{Deserialize, Serialize};
use time::Date;

use super::Builtin;
use crate::approach::{Approach, Sender};
use crate::dates::{parse_day, parse_month};
use crate::normalise::skeleton;
use crate::verdict::Evidence;

/// Thresholds and settings for profile signals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProfileConfig {
    /// An account younger than this many days at first contact is new.
    pub new_account_days: i64,
    /// Fewer connections than this is few.
    pub few_connections: u64,
    /// Place names (countries, regions, cities) your security team has
    /// flagged; matched against the sender's claimed location. Empty by
    /// default: a country is never a signal unless configured.
    pub countries_of_concern: Vec<String>,
}

impl Default for ProfileConfig {
    fn default() -> Self {
        ProfileConfig {
            new_account_days: 183,
            few_connections: 50,
            countries_of_concern: Vec::new(),
        }
    }
}

fn field(name: &str, text: impl Into<String>) -> Evidence {
    Evidence::Field {
        field: name.to_owned(),
        text: text.into(),
    }
}

/// Whether the approach describes the sender's history at all. A profile
/// URL or a headline alone says nothing about it: an e-mail has no profile,
/// and a scanned LinkedIn export names the profile without its contents, so
/// a missing history there is unknown, not thin.
fn describes_history(s: &Sender) -> bool {
    s.connections.is_some()
        || s.account_created.is_some()
        || s.about.is_some()
        || !s.experience.is_empty()
}

/// The profile signals of an approach. `first_contact` is the date of the
/// first message, or the reference date when messages carry none.
pub fn profile_signals(
    approach: &Approach,
    first_contact: Option<Date>,
    config: &ProfileConfig,
    out: &mut Vec<(Builtin, Vec<Evidence>)>,
) {
    let s = &approach.sender;
    if let (Some(created), Some(contact)) = (s.account_created.as_deref(), first_contact)
        && let Some(date) = parse_day(created)
    {
        let age = (contact - date).whole_days();
        if (0..config.new_account_days).contains(&age) {
            out.push((
                Builtin::ProfileNewAccount,
                vec![field("sender.account_created", created)],
            ));
        }
    }
    if let Some(n) = s.connections
        && n < config.few_connections
    {
        out.push((
            Builtin::ProfileFewConnections,
            vec![field("sender.connections", n.to_string())],
        ));
    }
    if s.mutual_connections == Some(0) {
        out.push((
            Builtin::ProfileNoMutual,
            vec![field("sender.mutual_connections", "0")],
        ));
    }
    if describes_history(s) {
        let about = s.about.as_deref().map_or(0, |a| a.trim().chars().count());
        if s.experience.len() <= 1 && about < 120 {
            out.push((
                Builtin::ProfileThinHistory,
                vec![field(
                    "sender.experience",
                    format!("{} position(s) listed", s.experience.len()),
                )],
            ));
        }
    }
    let inconsistencies = inconsistencies(s, first_contact);
    if !inconsistencies.is_empty() {
        out.push((Builtin::ProfileInconsistentHistory, inconsistencies));
    }
    if let Some(location) = s.location.as_deref()
        && !config.countries_of_concern.is_empty()
    {
        let place = skeleton(location);
        let flagged = config.countries_of_concern.iter().find(|c| {
            let c = skeleton(c);
            !c.is_empty() && contains_word(&place, &c)
        });
        if flagged.is_some() {
            out.push((
                Builtin::ProfileCountryOfConcern,
                vec![field("sender.location", location)],
            ));
        }
    }
}

/// Whether `needle` occurs in `haystack` on word boundaries.
fn contains_word(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(i, m)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + m.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// What does not add up in the work history.
fn inconsistencies(s: &Sender, first_contact: Option<Date>) -> Vec<Evidence> {
    let mut found = Vec::new();
    if let Some(org) = s.organisation.as_deref()
        && !s.experience.is_empty()
    {
        let claimed = comparable(org);
        let listed = s.experience.iter().any(|e| {
            e.organisation.as_deref().is_some_and(|o| {
                !claimed.is_empty()
                    && (comparable(o).contains(&claimed) || claimed.contains(&comparable(o)))
            })
        });
        if !claimed.is_empty() && !listed {
            found.push(field(
                "sender.organisation",
                format!("{org} (not in the work history)"),
            ));
        }
    }
    let mut current = 0;
    for (i, e) in s.experience.iter().enumerate() {
        let start = e.start.as_deref().and_then(parse_month);
        let end = e.end.as_deref().and_then(parse_month);
        if e.end.is_none() {
            current += 1;
        }
        if let (Some(a), Some(b)) = (start, end)
            && b < a
        {
            found.push(field(
                &format!("sender.experience.{i}"),
                format!(
                    "ends before it starts ({} to {})",
                    e.start.as_deref().unwrap_or(""),
                    e.end.as_deref().unwrap_or("")
                ),
            ));
        }
        if let (Some(a), Some(contact)) = (start, first_contact)
            && a > contact
        {
            found.push(field(
                &format!("sender.experience.{i}.start"),
                format!(
                    "starts after the first message ({})",
                    e.start.as_deref().unwrap_or("")
                ),
            ));
        }
    }
    if current >= 4 {
        found.push(field(
            "sender.experience",
            format!("{current} current positions at once"),
        ));
    }
    found
}

/// An organisation name reduced for comparison: skeleton, letters and digits
/// only, common legal suffixes dropped.
fn comparable(name: &str) -> String {
    let skel = skeleton(name);
    let words: Vec<&str> = skel
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| {
            !w.is_empty()
                && !matches!(
                    *w,
                    "ltd"
                        | "limited"
                        | "llc"
                        | "inc"
                        | "plc"
                        | "co"
                        | "gmbh"
                        | "sa"
                        | "the"
                        | "corp"
                        | "company"
                )
        })
        .collect();
    words.concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approach::Experience;

    fn approach(sender: Sender) -> Approach {
        Approach {
            sender,
            ..Approach::default()
        }
    }

    fn ids(a: &Approach, contact: Option<Date>, config: &ProfileConfig) -> Vec<&'static str> {
        let mut out = Vec::new();
        profile_signals(a, contact, config, &mut out);
        out.iter().map(|(b, _)| b.info().id).collect()
    }

    #[test]
    fn new_thin_profile_fires() {
        let a = approach(Sender {
            name: "x".into(),
            account_created: Some("2025-08-14".into()),
            connections: Some(12),
            mutual_connections: Some(0),
            profile_url: Some("https://www.linkedin.com/in/x".into()),
            ..Sender::default()
        });
        let contact = parse_day("2025-10-01");
        assert_eq!(
            ids(&a, contact, &ProfileConfig::default()),
            [
                "FW-PROFILE-NEW-ACCOUNT",
                "FW-PROFILE-FEW-CONNECTIONS",
                "FW-PROFILE-NO-MUTUAL",
                "FW-PROFILE-THIN-HISTORY"
            ]
        );
    }

    #[test]
    fn email_sender_without_profile_is_not_thin() {
        let a = approach(Sender {
            name: "x".into(),
            emails: vec!["x@example.org".into()],
            ..Sender::default()
        });
        assert!(ids(&a, None, &ProfileConfig::default()).is_empty());
    }

    #[test]
    fn a_profile_known_only_by_url_and_headline_is_not_thin() {
        // What a scanned LinkedIn export knows of a counterpart.
        let mut s = Sender {
            name: "x".into(),
            profile_url: Some("https://www.linkedin.com/in/x".into()),
            headline: Some("Partner".into()),
            ..Sender::default()
        };
        assert!(ids(&approach(s.clone()), None, &ProfileConfig::default()).is_empty());
        s.connections = Some(300);
        assert_eq!(
            ids(&approach(s), None, &ProfileConfig::default()),
            ["FW-PROFILE-THIN-HISTORY"]
        );
    }

    #[test]
    fn claimed_organisation_missing_from_history_is_inconsistent() {
        let exp = |org: &str| Experience {
            title: Some("Consultant".into()),
            organisation: Some(org.into()),
            start: Some("2019-01".into()),
            end: None,
        };
        let mut s = Sender {
            name: "x".into(),
            organisation: Some("BR-YR Executive Search Ltd".into()),
            experience: vec![exp("Other Co"), exp("Third Co")],
            about: Some("x".repeat(200)),
            ..Sender::default()
        };
        assert_eq!(
            ids(&approach(s.clone()), None, &ProfileConfig::default()),
            ["FW-PROFILE-INCONSISTENT-HISTORY"]
        );
        s.experience[0] = exp("BRYR Executive Search");
        assert!(ids(&approach(s), None, &ProfileConfig::default()).is_empty());
    }

    #[test]
    fn country_of_concern_only_when_configured() {
        let a = approach(Sender {
            name: "x".into(),
            location: Some("Ruritania City, Ruritania".into()),
            ..Sender::default()
        });
        assert!(ids(&a, None, &ProfileConfig::default()).is_empty());
        let config = ProfileConfig {
            countries_of_concern: vec!["Ruritania".into()],
            ..ProfileConfig::default()
        };
        assert_eq!(ids(&a, None, &config), ["FW-PROFILE-COUNTRY-OF-CONCERN"]);
    }
}
