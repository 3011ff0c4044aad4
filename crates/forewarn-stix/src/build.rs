//! Building an alert, a STIX 2.1 bundle, from what an analyst writes.
//!
//! An [`AlertDraft`] holds what an analyst types: a name and description,
//! personas with their aliases, cover organisations, observables (profile
//! URLs, domains, e-mail addresses, account logins, display names),
//! tradecraft, advice and a TLP 2.0 level. [`build_alert`] checks every
//! field against the limits below and writes the bundle forewarn's own
//! alerts follow (see `docs/alerts.md` and
//! `examples/alerts/parliament-2025-11.json`):
//!
//! - the TLP 2.0 `marking-definition` of the level, as OASIS publishes it;
//! - an `identity` (`identity_class` `organization`) for the [`Issuer`];
//! - one `report`, published now, whose `object_refs` name everything
//!   below;
//! - per persona a `threat-actor` (`threat_actor_types` `spy`, `roles`
//!   `agent`), with its aliases;
//! - per cover organisation an `identity` (`identity_class`
//!   `organization`);
//! - per observable an `indicator` whose STIX pattern compares one object
//!   path with `=`: `url:value`, `domain-name:value`, `email-addr:value`,
//!   `user-account:account_login` or `user-account:display_name`;
//! - per line of tradecraft an `attack-pattern` named by the line;
//! - the advice as a `note` ("What to do") about the report.
//!
//! Every object but the marking definition is created by the issuer and
//! marked with the level; every timestamp is the same instant, in UTC to the
//! millisecond. No `relationship` is written: a draft does not say which
//! persona claims which organisation, and forewarn matches a persona and an
//! organisation of the same alert together without one.
//!
//! The bytes depend only on the draft, the issuer, the time and the ids:
//! [`build_alert`] draws random (version 4) UUIDs, [`build_alert_with`]
//! takes them from the caller, for reproducible output.
//!
//! Values are checked, never guessed: a URL must parse, use http or https
//! and name a host; a domain must be a host name of at least two parts that
//! is not itself a public suffix (such as `co.uk`); an e-mail address must
//! be `local@domain` with such a domain; a login must have no white space;
//! text must hold no control or bidirectional formatting
//! characters. Quotes and backslashes in a value are escaped in its
//! pattern, and every pattern is parsed back to check it compares exactly
//! the value written.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

use forewarn_core::indicators::{ObservableField, canonical_value};
use forewarn_core::observables::registrable_domain;

use crate::bundle::Bundle;
use crate::object::StixObject;
use crate::pattern::{self, Literal, Operator};
use crate::tlp::{TLP_EXTENSION, Tlp};

/// Longest alert name or issuer name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
/// Longest persona name, alias, organisation name, observable value, line
/// of tradecraft or line of advice, in characters.
pub const MAX_TEXT_CHARS: usize = 1000;
/// Most personas in one alert.
pub const MAX_PERSONAS: usize = 100;
/// Most aliases of one persona.
pub const MAX_ALIASES: usize = 20;
/// Most cover organisations in one alert.
pub const MAX_ORGANISATIONS: usize = 100;
/// Most observables in one alert.
pub const MAX_OBSERVABLES: usize = 1000;
/// Most lines of tradecraft, and most lines of advice, in one alert.
pub const MAX_LINES: usize = 100;

/// When the TLP 2.0 marking definitions were published by OASIS: their
/// `created`.
const TLP_CREATED: &str = "2022-10-01T00:00:00.000Z";

/// Every TLP 2.0 level, least restricted first.
const TLP_LEVELS: [Tlp; 5] = [
    Tlp::Clear,
    Tlp::Green,
    Tlp::Amber,
    Tlp::AmberStrict,
    Tlp::Red,
];

/// An alert as an analyst writes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AlertDraft {
    /// The alert's name (the report's), 1 to [`MAX_NAME_CHARS`] characters.
    pub name: String,
    /// What the alert is about, at most [`MAX_DESCRIPTION_CHARS`]
    /// characters; line breaks allowed.
    #[serde(default)]
    pub description: String,
    /// False personas, at most [`MAX_PERSONAS`].
    #[serde(default)]
    pub personas: Vec<PersonaDraft>,
    /// Cover organisations by name, at most [`MAX_ORGANISATIONS`], each at
    /// most [`MAX_TEXT_CHARS`] characters.
    #[serde(default)]
    pub organisations: Vec<String>,
    /// Observables, at most [`MAX_OBSERVABLES`].
    #[serde(default)]
    pub observables: Vec<ObservableDraft>,
    /// Tradecraft, one short description a line ("paid consultancy for
    /// non-public insights"), at most [`MAX_LINES`].
    #[serde(default)]
    pub tradecraft: Vec<String>,
    /// What members should do, one line each, at most [`MAX_LINES`].
    #[serde(default)]
    pub advice: Vec<String>,
    /// The TLP 2.0 level: `TLP:CLEAR`, `TLP:GREEN`, `TLP:AMBER`
    /// (the default), `TLP:AMBER+STRICT` or `TLP:RED`, in any case.
    #[serde(default = "default_tlp")]
    pub tlp: String,
}

fn default_tlp() -> String {
    Tlp::Amber.name().to_owned()
}

/// A false persona: the name it uses and the other names it goes by.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PersonaDraft {
    /// The persona's name, 1 to [`MAX_TEXT_CHARS`] characters.
    pub name: String,
    /// Other names, at most [`MAX_ALIASES`], each at most
    /// [`MAX_TEXT_CHARS`] characters.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// One observable: what it is and its value.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ObservableDraft {
    /// What the value is.
    pub kind: ObservableKind,
    /// The value, at most [`MAX_TEXT_CHARS`] characters.
    pub value: String,
}

/// What an observable's value is, and so the object path its pattern
/// compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObservableKind {
    /// An http or https URL, such as a profile's (`url:value`).
    Url,
    /// A domain name, which also covers its subdomains when matched
    /// (`domain-name:value`).
    Domain,
    /// An e-mail address (`email-addr:value`).
    Email,
    /// A login or handle, such as a LinkedIn profile's slug
    /// (`user-account:account_login`).
    AccountLogin,
    /// The name an account shows (`user-account:display_name`); forewarn
    /// matches it as a persona's name.
    DisplayName,
}

impl ObservableKind {
    /// The STIX object path the kind's patterns compare.
    pub fn object_path(self) -> &'static str {
        match self {
            ObservableKind::Url => "url:value",
            ObservableKind::Domain => "domain-name:value",
            ObservableKind::Email => "email-addr:value",
            ObservableKind::AccountLogin => "user-account:account_login",
            ObservableKind::DisplayName => "user-account:display_name",
        }
    }

    /// The kind in plain words, as indicator names use it.
    fn label(self) -> &'static str {
        match self {
            ObservableKind::Url => "URL",
            ObservableKind::Domain => "domain",
            ObservableKind::Email => "e-mail address",
            ObservableKind::AccountLogin => "account login",
            ObservableKind::DisplayName => "display name",
        }
    }

    fn field(self) -> ObservableField {
        match self {
            ObservableKind::Url => ObservableField::Url,
            ObservableKind::Domain => ObservableField::Domain,
            ObservableKind::Email => ObservableField::Email,
            ObservableKind::AccountLogin => ObservableField::AccountLogin,
            ObservableKind::DisplayName => ObservableField::DisplayName,
        }
    }
}

/// Who publishes the alert (the server's organisation): an `identity` in
/// the bundle, the creator of every other object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    /// The organisation's name, 1 to [`MAX_NAME_CHARS`] characters.
    pub name: String,
}

/// Why a draft makes no alert: the field at fault and what is wrong.
///
/// Fields are named by their path in the draft, with list positions from
/// 0: `personas.2.name`, `observables.0.value`, `tlp`; `issuer.name` for
/// the issuer, `now` for the time; an empty path for the draft as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{kind}", prefix(.field))]
pub struct BuildError {
    /// The field at fault, such as `personas.2.name`; empty for the whole
    /// draft.
    pub field: String,
    /// What is wrong with it.
    pub kind: BuildErrorKind,
}

fn prefix(field: &str) -> String {
    if field.is_empty() {
        String::new()
    } else {
        format!("{field}: ")
    }
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildErrorKind {
    /// Nothing but white space.
    #[error("empty")]
    Empty,
    /// More characters than allowed.
    #[error("longer than {max} characters")]
    TooLong {
        /// The most allowed.
        max: usize,
    },
    /// More entries than allowed.
    #[error("more than {max} entries")]
    TooMany {
        /// The most allowed.
        max: usize,
    },
    /// A control character, or one that changes the direction of text.
    #[error("contains the control character U+{code_point:04X}")]
    ControlCharacter {
        /// The character's code point.
        code_point: u32,
    },
    /// A name without a single letter or digit: it could never match.
    #[error("has no letter or digit")]
    NoLetters,
    /// Not an http or https URL with a host.
    #[error("not a URL ({0})")]
    NotUrl(String),
    /// Not a host name, or a public suffix.
    #[error("not a domain name ({0})")]
    NotDomain(String),
    /// Not an e-mail address `local@domain`.
    #[error("not an e-mail address ({0})")]
    NotEmail(String),
    /// Not an account login.
    #[error("not an account login ({0})")]
    NotLogin(String),
    /// Not one of the five TLP 2.0 levels.
    #[error("not a TLP 2.0 level (TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT or TLP:RED)")]
    NotTlp,
    /// The draft names no persona, organisation or observable: the alert
    /// would match nothing.
    #[error("an alert needs at least one persona, organisation or observable")]
    NothingToMatch,
    /// A time that cannot be written as a STIX timestamp.
    #[error("not between the years 1 and 9999")]
    TimeOutOfRange,
    /// The pattern written for a value does not read back as that value.
    /// This is a fault in forewarn, reported rather than published.
    #[error("makes a pattern that does not read back ({0})")]
    Pattern(String),
}

fn fault(field: impl Into<String>, kind: BuildErrorKind) -> BuildError {
    BuildError {
        field: field.into(),
        kind,
    }
}

/// Builds the alert `draft` describes, published by `issuer` at `now`, as
/// the indented JSON of a STIX 2.1 bundle; ids are random version 4 UUIDs.
///
/// The bytes are what is signed and published. Errors name the first field
/// at fault.
pub fn build_alert(
    draft: &AlertDraft,
    issuer: &Issuer,
    now: OffsetDateTime,
) -> Result<Vec<u8>, BuildError> {
    build_alert_with(draft, issuer, now, Uuid::new_v4)
}

/// Builds an alert as [`build_alert`] does, taking each object's UUID from
/// `new_id`: the same draft, issuer, time and ids give the same bytes.
///
/// `new_id` is called only once the draft is known to be good, in this
/// order: the bundle, the issuer, the report, then the personas,
/// organisations, indicators, attack patterns and the note, each in the
/// draft's order. STIX expects version 4 UUIDs.
pub fn build_alert_with(
    draft: &AlertDraft,
    issuer: &Issuer,
    now: OffsetDateTime,
    mut new_id: impl FnMut() -> Uuid,
) -> Result<Vec<u8>, BuildError> {
    let checked = check(draft, issuer, now)?;
    let mut id = |object_type: &str| format!("{object_type}--{}", new_id());
    let bundle_id = id("bundle");
    let issuer_id = id("identity");
    let report_id = id("report");
    let common = Common {
        created_by: issuer_id.clone(),
        marking: checked.tlp.marking_id(),
        timestamp: checked.timestamp.clone(),
    };

    let mut refs: Vec<String> = Vec::new();
    let mut content: Vec<Map<String, Value>> = Vec::new();
    for persona in &checked.personas {
        let object_id = id("threat-actor");
        let mut o = common.start("threat-actor", &object_id, true);
        put(&mut o, "name", persona.name);
        if !persona.aliases.is_empty() {
            put(&mut o, "aliases", strings(&persona.aliases));
        }
        put(&mut o, "threat_actor_types", strings(&["spy"]));
        put(&mut o, "roles", strings(&["agent"]));
        content.push(common.finish(o));
        refs.push(object_id);
    }
    for name in &checked.organisations {
        let object_id = id("identity");
        let mut o = common.start("identity", &object_id, true);
        put(&mut o, "name", *name);
        put(&mut o, "identity_class", "organization");
        put(
            &mut o,
            "description",
            "Cover organisation named in the alert.",
        );
        content.push(common.finish(o));
        refs.push(object_id);
    }
    for observable in &checked.observables {
        let object_id = id("indicator");
        let mut o = common.start("indicator", &object_id, true);
        put(
            &mut o,
            "name",
            format!("{} {}", observable.kind.label(), observable.value),
        );
        put(
            &mut o,
            "description",
            format!(
                "{} named in the alert.",
                capitalised(observable.kind.label())
            ),
        );
        put(&mut o, "indicator_types", strings(&["malicious-activity"]));
        put(&mut o, "pattern", observable.pattern.as_str());
        put(&mut o, "pattern_type", "stix");
        put(&mut o, "pattern_version", "2.1");
        put(&mut o, "valid_from", common.timestamp.as_str());
        content.push(common.finish(o));
        refs.push(object_id);
    }
    for line in &checked.tradecraft {
        let object_id = id("attack-pattern");
        let mut o = common.start("attack-pattern", &object_id, true);
        put(&mut o, "name", *line);
        content.push(common.finish(o));
        refs.push(object_id);
    }
    if !checked.advice.is_empty() {
        let object_id = id("note");
        let mut o = common.start("note", &object_id, true);
        put(&mut o, "abstract", "What to do");
        put(&mut o, "content", checked.advice.join("\n"));
        put(&mut o, "object_refs", strings(&[report_id.as_str()]));
        content.push(common.finish(o));
        refs.push(object_id);
    }

    let mut identity = common.start("identity", &issuer_id, false);
    put(&mut identity, "name", checked.issuer);
    put(&mut identity, "identity_class", "organization");
    let identity = common.finish(identity);

    let mut report = common.start("report", &report_id, true);
    put(&mut report, "name", checked.name);
    if !checked.description.is_empty() {
        put(&mut report, "description", checked.description);
    }
    put(
        &mut report,
        "report_types",
        strings(&report_types(&checked)),
    );
    put(&mut report, "published", common.timestamp.as_str());
    put(&mut report, "object_refs", strings(&refs));
    let report = common.finish(report);

    let objects: Vec<StixObject> = [marking_definition(checked.tlp), identity, report]
        .into_iter()
        .chain(content)
        .map(StixObject::from_map)
        .collect();
    Ok(Bundle::new(&bundle_id, objects)
        .to_json_pretty()
        .into_bytes())
}

/// `text` with its first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The report types, from what the alert holds.
fn report_types(checked: &Checked<'_>) -> Vec<&'static str> {
    let mut types = Vec::new();
    if !checked.personas.is_empty() {
        types.push("threat-actor");
    }
    if !checked.organisations.is_empty() {
        types.push("identity");
    }
    if !checked.observables.is_empty() {
        types.push("indicator");
    }
    if !checked.tradecraft.is_empty() {
        types.push("attack-pattern");
    }
    types
}

/// What every object the issuer creates shares.
struct Common {
    created_by: String,
    marking: &'static str,
    timestamp: String,
}

impl Common {
    /// The properties every object starts with, in the order the example
    /// alert writes them.
    fn start(&self, object_type: &str, id: &str, created_by: bool) -> Map<String, Value> {
        let mut o = Map::new();
        put(&mut o, "type", object_type);
        put(&mut o, "spec_version", "2.1");
        put(&mut o, "id", id);
        put(&mut o, "created", self.timestamp.as_str());
        put(&mut o, "modified", self.timestamp.as_str());
        if created_by {
            put(&mut o, "created_by_ref", self.created_by.as_str());
        }
        o
    }

    /// Adds the marking, last.
    fn finish(&self, mut o: Map<String, Value>) -> Map<String, Value> {
        put(&mut o, "object_marking_refs", strings(&[self.marking]));
        o
    }
}

fn put(o: &mut Map<String, Value>, name: &str, value: impl Into<Value>) {
    o.insert(name.to_owned(), value.into());
}

fn strings<S: AsRef<str>>(items: &[S]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|s| Value::from(s.as_ref().to_owned()))
            .collect(),
    )
}

/// The TLP 2.0 marking definition of `tlp`, as OASIS publishes it.
fn marking_definition(tlp: Tlp) -> Map<String, Value> {
    let level = tlp.name().trim_start_matches("TLP:").to_lowercase();
    let mut extension = Map::new();
    put(&mut extension, "extension_type", "property-extension");
    put(&mut extension, "tlp_2_0", level);
    let mut extensions = Map::new();
    put(&mut extensions, TLP_EXTENSION, Value::Object(extension));
    let mut o = Map::new();
    put(&mut o, "type", "marking-definition");
    put(&mut o, "spec_version", "2.1");
    put(&mut o, "id", tlp.marking_id());
    put(&mut o, "created", TLP_CREATED);
    put(&mut o, "name", tlp.name());
    put(&mut o, "extensions", Value::Object(extensions));
    o
}

/// A draft that passed every check: trimmed text, observables with their
/// patterns.
struct Checked<'a> {
    name: &'a str,
    description: &'a str,
    personas: Vec<CheckedPersona<'a>>,
    organisations: Vec<&'a str>,
    observables: Vec<CheckedObservable>,
    tradecraft: Vec<&'a str>,
    advice: Vec<&'a str>,
    tlp: Tlp,
    issuer: &'a str,
    timestamp: String,
}

struct CheckedPersona<'a> {
    name: &'a str,
    aliases: Vec<&'a str>,
}

struct CheckedObservable {
    kind: ObservableKind,
    /// The value as the pattern compares it.
    value: String,
    pattern: String,
}

/// Checks every field of the draft, in the order they are declared.
fn check<'a>(
    draft: &'a AlertDraft,
    issuer: &'a Issuer,
    now: OffsetDateTime,
) -> Result<Checked<'a>, BuildError> {
    let name = line("name", &draft.name, MAX_NAME_CHARS)?;
    let description = text(
        "description",
        &draft.description,
        MAX_DESCRIPTION_CHARS,
        true,
    )?;

    at_most("personas", draft.personas.len(), MAX_PERSONAS)?;
    let mut personas = Vec::with_capacity(draft.personas.len());
    for (i, persona) in draft.personas.iter().enumerate() {
        let field = format!("personas.{i}.name");
        let name = line(&field, &persona.name, MAX_TEXT_CHARS)?;
        has_letters(&field, name)?;
        let field = format!("personas.{i}.aliases");
        at_most(&field, persona.aliases.len(), MAX_ALIASES)?;
        let mut aliases = Vec::with_capacity(persona.aliases.len());
        for (j, alias) in persona.aliases.iter().enumerate() {
            let field = format!("personas.{i}.aliases.{j}");
            let alias = line(&field, alias, MAX_TEXT_CHARS)?;
            has_letters(&field, alias)?;
            aliases.push(alias);
        }
        personas.push(CheckedPersona { name, aliases });
    }

    at_most(
        "organisations",
        draft.organisations.len(),
        MAX_ORGANISATIONS,
    )?;
    let mut organisations = Vec::with_capacity(draft.organisations.len());
    for (i, organisation) in draft.organisations.iter().enumerate() {
        let field = format!("organisations.{i}");
        let organisation = line(&field, organisation, MAX_TEXT_CHARS)?;
        has_letters(&field, organisation)?;
        organisations.push(organisation);
    }

    at_most("observables", draft.observables.len(), MAX_OBSERVABLES)?;
    let mut observables = Vec::with_capacity(draft.observables.len());
    for (i, observable) in draft.observables.iter().enumerate() {
        let field = format!("observables.{i}.value");
        let value = line(&field, &observable.value, MAX_TEXT_CHARS)?;
        let value = observable_value(observable.kind, value).map_err(|kind| fault(&field, kind))?;
        let pattern = observable_pattern(observable.kind, &value)
            .map_err(|message| fault(&field, BuildErrorKind::Pattern(message)))?;
        observables.push(CheckedObservable {
            kind: observable.kind,
            value,
            pattern,
        });
    }

    let tradecraft = lines("tradecraft", &draft.tradecraft)?;
    let advice = lines("advice", &draft.advice)?;
    let tlp = parse_tlp(&draft.tlp).ok_or_else(|| fault("tlp", BuildErrorKind::NotTlp))?;
    let issuer = line("issuer.name", &issuer.name, MAX_NAME_CHARS)?;
    let timestamp = timestamp(now).ok_or_else(|| fault("now", BuildErrorKind::TimeOutOfRange))?;

    if personas.is_empty() && organisations.is_empty() && observables.is_empty() {
        return Err(fault("", BuildErrorKind::NothingToMatch));
    }
    Ok(Checked {
        name,
        description,
        personas,
        organisations,
        observables,
        tradecraft,
        advice,
        tlp,
        issuer,
        timestamp,
    })
}

fn at_most(field: &str, count: usize, max: usize) -> Result<(), BuildError> {
    if count > max {
        return Err(fault(field, BuildErrorKind::TooMany { max }));
    }
    Ok(())
}

/// Checks a list of lines (tradecraft, advice).
fn lines<'a>(field: &str, items: &'a [String]) -> Result<Vec<&'a str>, BuildError> {
    at_most(field, items.len(), MAX_LINES)?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| line(&format!("{field}.{i}"), item, MAX_TEXT_CHARS))
        .collect()
}

/// Checks one line of text; returns it trimmed.
fn line<'a>(field: &str, value: &'a str, max: usize) -> Result<&'a str, BuildError> {
    let value = text(field, value, max, false)?;
    if value.is_empty() {
        return Err(fault(field, BuildErrorKind::Empty));
    }
    Ok(value)
}

/// Checks text (`multiline`: line breaks and tabs allowed); returns it
/// trimmed, possibly empty.
fn text<'a>(
    field: &str,
    value: &'a str,
    max: usize,
    multiline: bool,
) -> Result<&'a str, BuildError> {
    let value = value.trim();
    if let Some(c) = value.chars().find(|c| forbidden(*c, multiline)) {
        return Err(fault(
            field,
            BuildErrorKind::ControlCharacter {
                code_point: u32::from(c),
            },
        ));
    }
    if value.chars().count() > max {
        return Err(fault(field, BuildErrorKind::TooLong { max }));
    }
    Ok(value)
}

/// Whether `c` may not appear in text: control characters (but line breaks
/// and tabs in `multiline` text) and the characters that change the
/// direction of the text around them, which can make text show other than
/// it reads.
fn forbidden(c: char, multiline: bool) -> bool {
    match c {
        '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => !multiline,
        '\u{061C}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' => true,
        _ => c.is_control(),
    }
}

/// Checks a name has at least one letter or digit, without which it
/// could never match.
fn has_letters(field: &str, name: &str) -> Result<(), BuildError> {
    if name.chars().any(char::is_alphanumeric) {
        Ok(())
    } else {
        Err(fault(field, BuildErrorKind::NoLetters))
    }
}

/// Checks an observable's value (trimmed, without control characters) and
/// returns it as its pattern compares it.
fn observable_value(kind: ObservableKind, value: &str) -> Result<String, BuildErrorKind> {
    let matchable = |v: &str| canonical_value(kind.field(), v).is_some();
    match kind {
        ObservableKind::Url => {
            let url = url::Url::parse(value).map_err(|e| BuildErrorKind::NotUrl(e.to_string()))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(BuildErrorKind::NotUrl(format!(
                    "the scheme is `{}`, not http or https",
                    url.scheme()
                )));
            }
            if url.host().is_none() {
                return Err(BuildErrorKind::NotUrl("it has no host".to_owned()));
            }
            Ok(url.to_string())
        }
        ObservableKind::Domain => host_name(value).map_err(BuildErrorKind::NotDomain),
        ObservableKind::Email => {
            let Some((local, host)) = value.rsplit_once('@') else {
                return Err(BuildErrorKind::NotEmail("there is no @".to_owned()));
            };
            if local.is_empty() {
                return Err(BuildErrorKind::NotEmail("nothing before the @".to_owned()));
            }
            if local.chars().count() > 64 {
                return Err(BuildErrorKind::NotEmail(
                    "more than 64 characters before the @".to_owned(),
                ));
            }
            if local.chars().any(char::is_whitespace) {
                return Err(BuildErrorKind::NotEmail(
                    "white space before the @".to_owned(),
                ));
            }
            if let Some(c) = local.chars().find(|c| "@<>()[]\\,;:\"".contains(*c)) {
                return Err(BuildErrorKind::NotEmail(format!(
                    "`{c}` before the @ (quoted local parts are not supported)"
                )));
            }
            if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
                return Err(BuildErrorKind::NotEmail(
                    "a dot at the start or end, or two in a row, before the @".to_owned(),
                ));
            }
            let host = host_name(host).map_err(BuildErrorKind::NotEmail)?;
            Ok(format!("{local}@{host}"))
        }
        ObservableKind::AccountLogin => {
            if value.chars().any(char::is_whitespace) {
                return Err(BuildErrorKind::NotLogin(
                    "it contains white space".to_owned(),
                ));
            }
            if !matchable(value) {
                return Err(BuildErrorKind::NotLogin("it is only @".to_owned()));
            }
            Ok(value.to_owned())
        }
        ObservableKind::DisplayName => {
            if !value.chars().any(char::is_alphanumeric) || !matchable(value) {
                return Err(BuildErrorKind::NoLetters);
            }
            Ok(value.to_owned())
        }
    }
}

/// Checks a host name (letters, digits and hyphens, in at least two labels
/// of at most 63, not a public suffix; international names allowed); returns
/// it lower-cased in ASCII (punycode), without a final dot.
fn host_name(value: &str) -> Result<String, String> {
    let value = value.strip_suffix('.').unwrap_or(value);
    let ascii = match url::Host::parse(value) {
        Ok(url::Host::Domain(ascii)) => ascii,
        Ok(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => {
            return Err("an IP address, not a name".to_owned());
        }
        Err(e) => return Err(e.to_string()),
    };
    if ascii.len() > 253 {
        return Err("longer than 253 characters".to_owned());
    }
    for label in ascii.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err("each part between dots must have 1 to 63 characters".to_owned());
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err("only letters, digits, hyphens and dots are allowed".to_owned());
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a part between dots starts or ends with a hyphen".to_owned());
        }
    }
    if !ascii.contains('.') {
        return Err("a name of one part, without a dot".to_owned());
    }
    // A public suffix ("com", "co.uk") would name every domain under it.
    // Names under a suffix the list does not know (".example", a new
    // top-level domain) are valid STIX and kept.
    let below = format!("x.{ascii}");
    if registrable_domain(&below).as_deref() == Some(below.as_str()) {
        return Err("it is a public suffix".to_owned());
    }
    Ok(ascii)
}

/// A string literal of the STIX patterning language: quotes and
/// backslashes escaped, nothing else changed.
fn pattern_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if matches!(c, '\'' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// The pattern comparing `kind`'s object path with `value`, checked to
/// parse back as exactly that one comparison.
fn observable_pattern(kind: ObservableKind, value: &str) -> Result<String, String> {
    let path = kind.object_path();
    let text = format!("[{path} = {}]", pattern_literal(value));
    let parsed =
        pattern::parse(&text).map_err(|e| format!("column {}: {}", e.column(&text), e.message))?;
    let tests = parsed.tests();
    let exact = matches!(
        tests.as_slice(),
        [test] if test.path.to_string() == path
            && test.op == Operator::Eq
            && !test.negated
            && test.value == Some(Literal::Str(value.to_owned()))
    );
    if !exact || parsed.unsupported().is_some() {
        return Err(format!("`{text}` compares something else"));
    }
    Ok(text)
}

/// Reads a TLP 2.0 level's name, in any case.
fn parse_tlp(text: &str) -> Option<Tlp> {
    let text = text.trim();
    TLP_LEVELS
        .into_iter()
        .find(|level| level.name().eq_ignore_ascii_case(text))
}

/// `now` as a STIX timestamp: UTC, to the millisecond (RFC 3339, as STIX
/// recommends). `None` outside the years 1 to 9999.
fn timestamp(now: OffsetDateTime) -> Option<String> {
    let utc = now.checked_to_offset(UtcOffset::UTC)?;
    if !(1..=9999).contains(&utc.year()) {
        return None;
    }
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second(),
        utc.millisecond()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn pattern_literals_escape_quotes_and_backslashes_only() {
        assert_eq!(pattern_literal("a'b\\c"), r"'a\'b\\c'");
        assert_eq!(pattern_literal("李 ü"), "'李 ü'");
        assert_eq!(pattern_literal(""), "''");
    }

    #[test]
    fn hostile_values_stay_one_comparison() {
        for value in [
            "x'] OR [url:value LIKE '%",
            "\\",
            "'",
            "\\'",
            "a' OR user-account:display_name = 'b",
            "]",
            "/* comment */",
        ] {
            let text = observable_pattern(ObservableKind::DisplayName, value).unwrap();
            let parsed = pattern::parse(&text).unwrap();
            assert_eq!(parsed.tests().len(), 1, "{text}");
        }
    }

    #[test]
    fn tlp_levels_in_any_case() {
        assert_eq!(parse_tlp("TLP:AMBER+STRICT"), Some(Tlp::AmberStrict));
        assert_eq!(parse_tlp(" tlp:clear "), Some(Tlp::Clear));
        assert_eq!(parse_tlp("TLP:WHITE"), None);
        assert_eq!(parse_tlp("AMBER"), None);
        assert_eq!(default_tlp(), "TLP:AMBER");
    }

    #[test]
    fn timestamps_are_utc_to_the_millisecond() {
        assert_eq!(
            timestamp(datetime!(2025-11-18 10:00:00.123_999 +01:00)).unwrap(),
            "2025-11-18T09:00:00.123Z"
        );
        assert_eq!(
            timestamp(datetime!(2025-11-18 09:00 UTC)).unwrap(),
            "2025-11-18T09:00:00.000Z"
        );
        assert_eq!(timestamp(datetime!(0000-06-01 00:00 UTC)), None);
        assert_eq!(timestamp(datetime!(9999-12-31 23:00 -05:00)), None);
    }

    #[test]
    fn host_names() {
        assert_eq!(host_name("BRYR.Example.COM.").unwrap(), "bryr.example.com");
        assert_eq!(host_name("bücher.de").unwrap(), "xn--bcher-kva.de");
        assert_eq!(
            host_name("brightyear-search.example").unwrap(),
            "brightyear-search.example"
        );
        for bad in [
            "co.uk",
            "com",
            "localhost",
            "a_b.example.com",
            "-a.example.com",
            "a..example.com",
            "10.0.0.1",
            "example.com/x",
            "x@example.com",
            "exa mple.com",
            "",
        ] {
            assert!(host_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn control_characters() {
        assert!(forbidden('\u{7}', true));
        assert!(forbidden('\n', false));
        assert!(!forbidden('\n', true));
        assert!(forbidden('\u{202E}', true));
        assert!(forbidden('\u{85}', true));
        assert!(!forbidden('é', false));
    }
}
