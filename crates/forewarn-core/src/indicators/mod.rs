//! Indicators from alerts, and matching them against an approach.
//!
//! An alert names personas (by name and aliases), cover organisations and
//! observables (profile URLs and handles, e-mail addresses, domains). The
//! engine checks every approach against every loaded alert:
//!
//! - `FW-IND-PERSONA`: the sender's name matches an alerted persona and the
//!   sender's organisation matches an organisation of the same alert;
//! - `FW-IND-PERSONA-NAME`: the name matches but the organisation does not
//!   (or is not given): the same name as an alerted persona, to verify;
//! - `FW-IND-ORGANISATION`: the sender's organisation is an alerted one;
//! - `FW-IND-OBSERVABLE`: an alert's indicator pattern matches the sender's
//!   profile URL, handle, e-mail addresses or domains, or those in the
//!   sender's messages;
//! - `FW-IND-PHOTO`: the perceptual hash of the sender's profile photo is
//!   within [`PHOTO_DISTANCE`] bits of a photo of an alerted persona.
//!
//! Names and organisations are found through indexes keyed by their folded
//! words ([`names`]) and folded names ([`organisations`]); observables by
//! their canonical values. Checking an approach costs a few lookups however
//! many indicators are loaded; only `LIKE` patterns are tried one by one.

mod names;
mod organisations;

use std::collections::{BTreeMap, HashMap, HashSet};

use regex::Regex;

use crate::approach::{Approach, Author};
use crate::observables::{self, ExtractOptions, ObservableKind};
use crate::verdict::Evidence;

use names::{FoldedName, names_match};
use organisations::{MIN_KEY_CHARS, organisation_key};

/// Most bits in which two perceptual hashes of one photo differ.
pub const PHOTO_DISTANCE: u32 = 8;

/// How a 64-bit hash is cut for the photo index: nine pieces, so that two
/// hashes differing in at most eight bits agree on at least one piece.
const PHOTO_PIECES: [(u32, u32); 9] = [
    (0, 7),
    (7, 7),
    (14, 7),
    (21, 7),
    (28, 7),
    (35, 7),
    (42, 7),
    (49, 7),
    (56, 8),
];

/// The pieces of a hash, each tagged with its position.
fn photo_pieces(hash: u64) -> impl Iterator<Item = (u8, u8)> {
    PHOTO_PIECES
        .iter()
        .enumerate()
        .map(move |(i, (shift, bits))| {
            let piece = (hash >> shift) & ((1u64 << bits) - 1);
            (i as u8, piece as u8)
        })
}

/// Reads a perceptual hash written as 16 hexadecimal digits.
pub fn parse_phash(text: &str) -> Option<u64> {
    let text = text.trim();
    (text.len() == 16)
        .then(|| u64::from_str_radix(text, 16).ok())
        .flatten()
}

/// The alert an indicator comes from, as shown in verdicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertSource {
    /// The alert's id (a STIX report id).
    pub id: String,
    /// The alert's name.
    pub name: String,
    /// Who issued it, when known.
    pub issuer: Option<String>,
}

impl std::fmt::Display for AlertSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\u{201c}{}\u{201d}", self.name)?;
        if let Some(issuer) = &self.issuer {
            write!(f, " from {issuer}")?;
        }
        Ok(())
    }
}

/// What an observable test looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObservableField {
    /// The name an account shows, compared folded (case, diacritics and
    /// look-alike letters aside) but exactly; an alert's persona names are
    /// matched more tolerantly.
    DisplayName,
    /// A login or handle: a LinkedIn profile slug, a Telegram name.
    AccountLogin,
    /// A URL (LinkedIn profile URLs compare by their slug).
    Url,
    /// A registrable domain.
    Domain,
    /// An e-mail address.
    Email,
}

/// An indicator's condition over the observables of an approach.
#[derive(Debug, Clone)]
pub enum Condition {
    /// One of these values (canonicalised when added).
    AnyOf(ObservableField, Vec<String>),
    /// A value matching this `LIKE` translation (see
    /// `forewarn_stix::pattern::like_to_regex`), compared without case.
    Like(ObservableField, String),
    /// Every condition.
    All(Vec<Condition>),
    /// Any condition.
    Any(Vec<Condition>),
}

/// A compiled condition.
#[derive(Debug, Clone)]
enum Compiled {
    AnyOf(ObservableField, Vec<String>),
    Like(ObservableField, Regex),
    All(Vec<Compiled>),
    Any(Vec<Compiled>),
}

/// Why an indicator cannot be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndicatorError {
    /// A `LIKE` pattern does not compile.
    #[error("LIKE pattern `{pattern}`: {message}")]
    Like {
        /// The translated pattern.
        pattern: String,
        /// The regex compiler's message.
        message: String,
    },
}

/// One persona of an alert.
#[derive(Debug, Clone)]
struct Persona {
    alert: usize,
    /// The name as the alert writes it.
    name: String,
    /// Name and aliases, folded.
    folded: Vec<FoldedName>,
}

/// One observable indicator of an alert.
#[derive(Debug, Clone)]
struct ObservableIndicator {
    alert: usize,
    label: String,
    condition: Compiled,
}

/// The kinds of indicator match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchKind {
    /// Persona name and organisation.
    Persona,
    /// Persona name only.
    PersonaName,
    /// Organisation.
    Organisation,
    /// Observable.
    Observable,
    /// Profile photo.
    Photo,
}

/// One match of an alert in an approach.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorMatch {
    /// What matched.
    pub kind: MatchKind,
    /// Index of the alert in [`IndicatorSet::alerts`].
    pub alert: usize,
    /// What in the approach matched.
    pub evidence: Evidence,
    /// What in the alert it matched, in plain words.
    pub detail: String,
}

/// Every indicator of the loaded alerts, indexed for matching.
#[derive(Debug, Clone, Default)]
pub struct IndicatorSet {
    alerts: Vec<AlertSource>,
    personas: Vec<Persona>,
    /// Folded-word keys to personas, in increasing order.
    persona_index: HashMap<String, Vec<usize>>,
    /// The same, only for personas that can match through a single word
    /// key: names with an initial, or written in CJK characters.
    loose_index: HashMap<String, Vec<usize>>,
    /// Organisation keys to (alert, name as written).
    organisations: HashMap<String, Vec<(usize, String)>>,
    /// Keys of the first words of organisation names.
    organisation_first_words: HashSet<String>,
    /// Organisation keys per alert, for persona-plus-organisation matches.
    alert_organisations: Vec<HashSet<String>>,
    observables: Vec<ObservableIndicator>,
    /// Canonical values to the observable indicators that name them.
    value_index: HashMap<(ObservableField, String), Vec<usize>>,
    /// Observable indicators that must be tried on every approach.
    always: Vec<usize>,
    /// Photo hashes: (alert, whose photo, hash).
    photos: Vec<(usize, String, u64)>,
    /// Pieces of photo hashes to the photos that have them.
    photo_index: HashMap<(u8, u8), Vec<usize>>,
}

impl IndicatorSet {
    /// An empty set.
    pub fn new() -> IndicatorSet {
        IndicatorSet::default()
    }

    /// Adds an alert; returns its index for the indicators that follow.
    pub fn add_alert(&mut self, source: AlertSource) -> usize {
        self.alerts.push(source);
        self.alert_organisations.push(HashSet::new());
        self.alerts.len() - 1
    }

    /// The alerts.
    pub fn alerts(&self) -> &[AlertSource] {
        &self.alerts
    }

    /// How many personas, organisations, observable indicators and photos
    /// are loaded.
    pub fn len(&self) -> usize {
        self.personas.len()
            + self
                .alert_organisations
                .iter()
                .map(HashSet::len)
                .sum::<usize>()
            + self.observables.len()
            + self.photos.len()
    }

    /// Whether nothing is loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a persona of `alert` with its name and aliases. Names of one
    /// word (a first name, a surname, a handle) are kept for display but
    /// never match on their own.
    pub fn add_persona(&mut self, alert: usize, name: &str, aliases: &[&str]) {
        let index = self.personas.len();
        let folded: Vec<FoldedName> = std::iter::once(name)
            .chain(aliases.iter().copied())
            .map(FoldedName::new)
            .filter(|f| !f.words.is_empty())
            .collect();
        let mut keys: Vec<String> = folded.iter().flat_map(FoldedName::keys).collect();
        keys.sort_unstable();
        keys.dedup();
        let loose = folded.iter().any(FoldedName::is_loose);
        for key in keys {
            if loose {
                self.loose_index.entry(key.clone()).or_default().push(index);
            }
            self.persona_index.entry(key).or_default().push(index);
        }
        self.personas.push(Persona {
            alert,
            name: name.to_owned(),
            folded,
        });
    }

    /// Adds a cover organisation of `alert`.
    pub fn add_organisation(&mut self, alert: usize, name: &str) {
        let key = organisation_key(name);
        if key.chars().count() < MIN_KEY_CHARS {
            return;
        }
        if let Some(set) = self.alert_organisations.get_mut(alert) {
            set.insert(key.clone());
        }
        if let Some(first) = organisations::first_word_key(name) {
            self.organisation_first_words.insert(first);
        }
        self.organisations
            .entry(key)
            .or_default()
            .push((alert, name.to_owned()));
    }

    /// Adds the perceptual hash of a photo of `whose` (a persona's name) to
    /// `alert`.
    pub fn add_photo(&mut self, alert: usize, whose: &str, phash: u64) {
        let index = self.photos.len();
        for piece in photo_pieces(phash) {
            self.photo_index.entry(piece).or_default().push(index);
        }
        self.photos.push((alert, whose.to_owned(), phash));
    }

    /// Adds an observable indicator of `alert`; `label` names it in
    /// verdicts (the indicator's name or pattern).
    pub fn add_observable(
        &mut self,
        alert: usize,
        label: &str,
        condition: &Condition,
    ) -> Result<(), IndicatorError> {
        let index = self.observables.len();
        let compiled = compile(condition)?;
        let mut values = Vec::new();
        // An indicator needs trying on every approach unless every way it
        // can match goes through a value in the index.
        if indexable(&compiled, &mut values) {
            for value in values {
                self.value_index.entry(value).or_default().push(index);
            }
        } else {
            self.always.push(index);
        }
        self.observables.push(ObservableIndicator {
            alert,
            label: label.to_owned(),
            condition: compiled,
        });
        Ok(())
    }

    /// Every alert match in `approach`.
    pub fn matches(&self, approach: &Approach, options: &ExtractOptions) -> Vec<IndicatorMatch> {
        let mut out = Vec::new();
        if self.is_empty() {
            return out;
        }
        let sender = &approach.sender;
        // Organisations the sender claims.
        let mut claimed: Vec<(String, String, String)> = Vec::new();
        if let Some(org) = &sender.organisation {
            claimed.push((
                organisation_key(org),
                "sender.organisation".to_owned(),
                org.clone(),
            ));
        }
        for (i, e) in sender.experience.iter().enumerate() {
            if let Some(org) = &e.organisation {
                claimed.push((
                    organisation_key(org),
                    format!("sender.experience.{i}.organisation"),
                    org.clone(),
                ));
            }
        }
        // An organisation named in the headline or the about text
        // ("Headhunter | BR-YR Executive Search").
        for (field, text) in [
            ("sender.headline", &sender.headline),
            ("sender.about", &sender.about),
        ] {
            if let Some(text) = text {
                let starts = |k: &str| self.organisation_first_words.contains(k);
                for key in organisations::keys_within(text, starts) {
                    if self.organisations.contains_key(&key) {
                        claimed.push((key, field.to_owned(), text.clone()));
                    }
                }
            }
        }
        let mut alerts_with_org: HashSet<usize> = HashSet::new();
        for (key, field, text) in &claimed {
            for (alert, name) in self.organisations.get(key).into_iter().flatten() {
                alerts_with_org.insert(*alert);
                out.push(IndicatorMatch {
                    kind: MatchKind::Organisation,
                    alert: *alert,
                    evidence: Evidence::Field {
                        field: field.clone(),
                        text: text.clone(),
                    },
                    detail: format!("the alerted organisation {name}"),
                });
            }
        }
        self.match_personas(approach, &alerts_with_org, &mut out);
        self.match_observables(approach, options, &mut out);
        self.match_photo(approach, &mut out);
        out.sort_by(|a, b| a.kind.cmp(&b.kind).then(a.alert.cmp(&b.alert)));
        out.dedup();
        out
    }

    fn match_personas(
        &self,
        approach: &Approach,
        alerts_with_org: &HashSet<usize>,
        out: &mut Vec<IndicatorMatch>,
    ) {
        let sender = FoldedName::new(&approach.sender.name);
        let mut candidates = self.persona_candidates(&sender);
        candidates.sort_unstable();
        candidates.dedup();
        for index in candidates {
            let Some(persona) = self.personas.get(index) else {
                continue;
            };
            if !persona.folded.iter().any(|f| names_match(f, &sender)) {
                continue;
            }
            let with_org = alerts_with_org.contains(&persona.alert);
            out.push(IndicatorMatch {
                kind: if with_org {
                    MatchKind::Persona
                } else {
                    MatchKind::PersonaName
                },
                alert: persona.alert,
                evidence: Evidence::Field {
                    field: "sender.name".to_owned(),
                    text: approach.sender.name.clone(),
                },
                detail: format!("the alerted persona {}", persona.name),
            });
        }
    }

    fn match_photo(&self, approach: &Approach, out: &mut Vec<IndicatorMatch>) {
        let Some(text) = approach
            .sender
            .photo
            .as_ref()
            .and_then(|p| p.phash.as_deref())
        else {
            return;
        };
        let Some(hash) = parse_phash(text) else {
            return;
        };
        let mut candidates: Vec<usize> = photo_pieces(hash)
            .filter_map(|piece| self.photo_index.get(&piece))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        for index in candidates {
            let Some((alert, whose, alerted)) = self.photos.get(index) else {
                continue;
            };
            let distance = (hash ^ alerted).count_ones();
            if distance <= PHOTO_DISTANCE {
                out.push(IndicatorMatch {
                    kind: MatchKind::Photo,
                    alert: *alert,
                    evidence: Evidence::Field {
                        field: "sender.photo.phash".to_owned(),
                        text: text.to_owned(),
                    },
                    detail: format!(
                        "a photo of the alerted persona {whose} ({distance} of 64 bits differ)"
                    ),
                });
            }
        }
    }

    /// Personas that may match `sender`: a superset of the matches, found
    /// without touching the long lists of common words where possible.
    ///
    /// A match pairs at least two words, at most one of them through an
    /// initial, and leaves at most one word of the longer name unpaired.
    /// When neither name has an initial or is written in CJK characters,
    /// every full pair shares an index key, so a persona must be hit by two
    /// of the sender's words, one of them among the sender's rarest (the
    /// rarest, or the two rarest when one word may be left unpaired).
    fn persona_candidates(&self, sender: &FoldedName) -> Vec<usize> {
        let words: Vec<&String> = sender
            .words
            .iter()
            .filter(|w| w.chars().count() >= 2)
            .collect();
        let lists = key_lists;
        let mut out: Vec<usize> = Vec::new();
        // Personas with an initial or a CJK name: any one word may do.
        for word in &words {
            for list in lists(&self.loose_index, word) {
                out.extend(list);
            }
        }
        let mut by_word: Vec<Vec<&Vec<usize>>> = words
            .iter()
            .map(|w| lists(&self.persona_index, w))
            .collect();
        if sender.is_loose() || by_word.len() < 2 {
            for list in by_word.iter().flatten() {
                out.extend(list.iter());
            }
            return out;
        }
        by_word.sort_by_key(|l| l.iter().map(|v| v.len()).sum::<usize>());
        let pivots = if by_word.len() >= 3 { 2 } else { 1 };
        for (i, pivot) in by_word.iter().take(pivots).enumerate() {
            for &candidate in pivot.iter().copied().flatten() {
                let also_hit = by_word.iter().enumerate().any(|(j, other)| {
                    j != i && other.iter().any(|l| l.binary_search(&candidate).is_ok())
                });
                if also_hit {
                    out.push(candidate);
                }
            }
        }
        out
    }

    fn match_observables(
        &self,
        approach: &Approach,
        options: &ExtractOptions,
        out: &mut Vec<IndicatorMatch>,
    ) {
        if self.observables.is_empty() {
            return;
        }
        let facts = facts(approach, options);
        let mut candidates: Vec<usize> = facts
            .keys()
            .filter_map(|key| self.value_index.get(key))
            .flatten()
            .chain(self.always.iter())
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        for index in candidates {
            let Some(indicator) = self.observables.get(index) else {
                continue;
            };
            if let Some((evidence, identifying)) = holds(&indicator.condition, &facts) {
                // A display name is a name: matched alone, it is the same
                // name as an alerted persona, not the persona.
                out.push(IndicatorMatch {
                    kind: if identifying {
                        MatchKind::Observable
                    } else {
                        MatchKind::PersonaName
                    },
                    alert: indicator.alert,
                    evidence,
                    detail: format!("the alert's indicator {}", indicator.label),
                });
            }
        }
    }
}

/// The index lists of every key of `word`.
fn key_lists<'a>(index: &'a HashMap<String, Vec<usize>>, word: &str) -> Vec<&'a Vec<usize>> {
    names::word_keys(word)
        .iter()
        .filter_map(|k| index.get(k))
        .collect()
}

/// The canonical key of a value for a field, or `None` when it is not a
/// value of that field.
pub fn canonical_value(field: ObservableField, value: &str) -> Option<String> {
    let value = value.trim();
    match field {
        ObservableField::DisplayName => {
            let folded = FoldedName::new(value).words.join(" ");
            (!folded.is_empty()).then_some(folded)
        }
        ObservableField::AccountLogin => {
            let login = value.trim_start_matches('@').to_lowercase();
            (!login.is_empty()).then_some(login)
        }
        ObservableField::Url => {
            if let Some(slug) = linkedin_slug(value) {
                return Some(format!("linkedin.com/in/{slug}"));
            }
            let (url, _) = observables::canonical_url(value)?;
            Some(url.trim_end_matches('/').to_owned())
        }
        ObservableField::Domain => {
            let host = value.trim().trim_end_matches('.').to_lowercase();
            (!host.is_empty() && !host.contains(['/', '@', ' '])).then_some(host)
        }
        ObservableField::Email => observables::canonical_email(value).map(|(email, _)| email),
    }
}

/// The profile slug of a LinkedIn profile URL, lower-cased.
pub fn linkedin_slug(url: &str) -> Option<String> {
    let (canonical, domain) = observables::canonical_url(url)?;
    if domain != "linkedin.com" {
        return None;
    }
    let path = canonical.split_once("linkedin.com/")?.1;
    let slug = path.strip_prefix("in/")?.split(['/', '?', '#']).next()?;
    let slug = percent_encoding::percent_decode_str(slug)
        .decode_utf8_lossy()
        .to_lowercase();
    (!slug.is_empty()).then_some(slug)
}

/// The host of a URL, lower-cased.
fn url_host(url: &str) -> Option<String> {
    let (canonical, _) = observables::canonical_url(url)?;
    let parsed = url::Url::parse(&canonical).ok()?;
    parsed.host_str().map(str::to_lowercase)
}

fn compile(condition: &Condition) -> Result<Compiled, IndicatorError> {
    Ok(match condition {
        Condition::AnyOf(field, values) => Compiled::AnyOf(
            *field,
            values
                .iter()
                .filter_map(|v| canonical_value(*field, v))
                .collect(),
        ),
        Condition::Like(field, source) => {
            let regex = regex::RegexBuilder::new(source)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| IndicatorError::Like {
                    pattern: source.clone(),
                    message: e.to_string(),
                })?;
            Compiled::Like(*field, regex)
        }
        Condition::All(parts) => {
            Compiled::All(parts.iter().map(compile).collect::<Result<_, _>>()?)
        }
        Condition::Any(parts) => {
            Compiled::Any(parts.iter().map(compile).collect::<Result<_, _>>()?)
        }
    })
}

/// Collects the values through which a condition can match; returns false
/// when it can match without any of them (a `LIKE`).
fn indexable(condition: &Compiled, out: &mut Vec<(ObservableField, String)>) -> bool {
    match condition {
        Compiled::AnyOf(field, values) => {
            out.extend(values.iter().map(|v| (*field, v.clone())));
            true
        }
        Compiled::Like(..) => false,
        // Every part must hold: the values of any one indexable part do.
        Compiled::All(parts) => {
            for part in parts {
                let mut values = Vec::new();
                if indexable(part, &mut values) {
                    out.extend(values);
                    return true;
                }
            }
            false
        }
        Compiled::Any(parts) => parts.iter().all(|p| indexable(p, out)),
    }
}

/// Each canonical observable of the approach's sender, with where it was
/// found.
fn facts(
    approach: &Approach,
    options: &ExtractOptions,
) -> BTreeMap<(ObservableField, String), Evidence> {
    let mut facts = BTreeMap::new();
    let mut add = |field: ObservableField, value: &str, evidence: &Evidence| {
        if let Some(key) = canonical_value(field, value) {
            facts
                .entry((field, key))
                .or_insert_with(|| evidence.clone());
        }
    };
    // A host and every parent domain down to its registrable domain: an
    // alerted domain covers its subdomains.
    let add_host =
        |add: &mut dyn FnMut(ObservableField, &str, &Evidence), host: &str, evidence: &Evidence| {
            let host = host.trim_end_matches('.').to_lowercase();
            let registrable = observables::registrable_domain(&host);
            let mut rest = host.as_str();
            loop {
                add(ObservableField::Domain, rest, evidence);
                if registrable.as_deref().is_none_or(|r| r == rest) {
                    break;
                }
                match rest.split_once('.') {
                    Some((_, parent)) => rest = parent,
                    None => break,
                }
            }
        };
    let sender = &approach.sender;
    add(
        ObservableField::DisplayName,
        &sender.name,
        &Evidence::Field {
            field: "sender.name".to_owned(),
            text: sender.name.clone(),
        },
    );
    if let Some(url) = &sender.profile_url {
        let evidence = Evidence::Field {
            field: "sender.profile_url".to_owned(),
            text: url.clone(),
        };
        add(ObservableField::Url, url, &evidence);
        if let Some(host) = url_host(url) {
            add_host(&mut add, &host, &evidence);
        }
        if let Some(slug) = linkedin_slug(url) {
            add(ObservableField::AccountLogin, &slug, &evidence);
        }
    }
    for (i, email) in sender.emails.iter().enumerate() {
        let evidence = Evidence::Field {
            field: format!("sender.emails.{i}"),
            text: email.clone(),
        };
        add(ObservableField::Email, email, &evidence);
        if let Some((canonical, _)) = observables::canonical_email(email)
            && let Some((_, host)) = canonical.rsplit_once('@')
        {
            add_host(&mut add, host, &evidence);
        }
    }
    for (index, message) in approach.messages.iter().enumerate() {
        if message.from != Author::Sender {
            continue;
        }
        for o in observables::extract(&message.text, options) {
            let evidence = Evidence::Message {
                message: index,
                start: o.start,
                end: o.end,
                text: message
                    .text
                    .get(o.start..o.end)
                    .unwrap_or_default()
                    .to_owned(),
            };
            match &o.kind {
                ObservableKind::Email { .. } => {
                    add(ObservableField::Email, &o.value, &evidence);
                    if let Some((_, host)) = o.value.rsplit_once('@') {
                        add_host(&mut add, host, &evidence);
                    }
                }
                ObservableKind::Url { .. } => {
                    add(ObservableField::Url, &o.value, &evidence);
                    if let Some(host) = url_host(&o.value) {
                        add_host(&mut add, &host, &evidence);
                    }
                    if let Some(slug) = linkedin_slug(&o.value) {
                        add(ObservableField::AccountLogin, &slug, &evidence);
                    }
                }
                ObservableKind::Messenger { .. } => {
                    add(ObservableField::AccountLogin, &o.value, &evidence);
                }
                ObservableKind::Phone | ObservableKind::Wallet { .. } => {}
            }
        }
    }
    facts
}

/// Whether a condition holds, with the evidence of one value that made it
/// and whether anything but a display name did.
fn holds(
    condition: &Compiled,
    facts: &BTreeMap<(ObservableField, String), Evidence>,
) -> Option<(Evidence, bool)> {
    match condition {
        Compiled::AnyOf(field, values) => values
            .iter()
            .find_map(|v| facts.get(&(*field, v.clone())).cloned())
            .map(|e| (e, *field != ObservableField::DisplayName)),
        Compiled::Like(field, regex) => facts
            .iter()
            .find(|((f, value), _)| f == field && regex.is_match(value))
            .map(|(_, e)| (e.clone(), *field != ObservableField::DisplayName)),
        Compiled::All(parts) => {
            let mut first: Option<Evidence> = None;
            let mut identifying = false;
            for part in parts {
                let (evidence, by_identifier) = holds(part, facts)?;
                identifying |= by_identifier;
                first.get_or_insert(evidence);
            }
            first.map(|e| (e, identifying))
        }
        // Prefer a branch that identifies over one that only names.
        Compiled::Any(parts) => {
            let mut by_name = None;
            for part in parts {
                match holds(part, facts) {
                    Some((e, true)) => return Some((e, true)),
                    Some(found) => {
                        by_name.get_or_insert(found);
                    }
                    None => {}
                }
            }
            by_name
        }
    }
}

#[cfg(test)]
mod tests;
