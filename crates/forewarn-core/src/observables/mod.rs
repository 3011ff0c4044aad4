//! Observables: e-mail addresses, URLs, phone numbers, cryptocurrency
//! wallets and messenger handles, extracted from text and validated rather
//! than guessed.
//!
//! Every observable carries its canonical value (the form alerts are matched
//! on) and the byte span of the original text it was found in.
//!
//! The canonicalising helpers ([`canonical_email`], [`canonical_url`],
//! [`registrable_domain`], [`canonical_phone`], [`validate_wallet`],
//! [`canonical_wallet`], [`messenger_link`]) are public so that profile
//! fields (a sender's e-mail addresses, phone numbers, profile URL) are
//! canonicalised exactly like observables found in messages.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::normalise::Normalised;

mod link;
mod messenger;
mod phone;
mod wallet;

pub use link::{canonical_email, canonical_url, registrable_domain};
pub use messenger::messenger_link;
pub use phone::{canonical_phone, prepare_metadata};
pub use wallet::{canonical_wallet, validate_wallet};

/// What kind of thing an observable is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ObservableKind {
    /// An e-mail address; `domain` is its registrable domain.
    Email {
        /// Registrable domain of the address's host ("bbc.co.uk").
        domain: String,
    },
    /// A URL; `domain` is its registrable domain (public suffix list).
    Url {
        /// Registrable domain of the URL's host, or its IP address.
        domain: String,
    },
    /// A phone number, canonical value in E.164.
    Phone,
    /// A cryptocurrency wallet whose checksum is valid.
    Wallet {
        /// The chain the address belongs to.
        chain: Chain,
    },
    /// A messenger handle or link.
    Messenger {
        /// The messenger platform.
        platform: Messenger,
    },
}

/// A blockchain whose addresses are recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Chain {
    /// Bitcoin: base58check (P2PKH, P2SH) or bech32/bech32m (segwit, taproot).
    Bitcoin,
    /// Ethereum and EVM chains: 0x + 40 hex digits, EIP-55 checked when mixed-case.
    Ethereum,
    /// TRON: base58check with version byte 0x41 (addresses start with `T`).
    Tron,
}

/// A messenger platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Messenger {
    /// WeChat ID ("WeChat ID: abc123", "微信号：abc123").
    Wechat,
    /// WhatsApp click-to-chat link (wa.me/NUMBER).
    Whatsapp,
    /// Telegram link or handle (t.me/NAME).
    Telegram,
    /// Signal link (signal.me/#p/... ) or username.
    Signal,
}

/// One observable found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Observable {
    /// What it is.
    #[serde(flatten)]
    pub kind: ObservableKind,
    /// Canonical value: lower-cased e-mail (host in ASCII/punycode), URL as
    /// parsed (lower-cased host, punycode), E.164 phone, wallet address
    /// (base58 as written, bech32 and Ethereum lower-cased), messenger handle
    /// lower-cased (or E.164 when the handle is a phone number).
    pub value: String,
    /// Byte span in the original text.
    pub start: usize,
    /// End of the byte span (exclusive).
    pub end: usize,
}

/// Options for extraction.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// ISO 3166 region used for phone numbers written without a country
    /// code (e.g. "GB"); `None` accepts only international numbers.
    pub default_region: Option<String>,
}

/// Finds every observable in `text`, in order of position.
///
/// Spans are byte offsets into `text`, on character boundaries, sorted by
/// start and never overlapping: where two candidates overlap, the longer
/// one is kept, and on equal length the more specific kind (messenger, then
/// wallet, e-mail, URL, phone).
pub fn extract(text: &str, options: &ExtractOptions) -> Vec<Observable> {
    extract_kinds(text, options, |_| true)
}

/// The observables of [`extract`] whose kind is `wanted`, found with less
/// work: phone numbers are only looked for when they are wanted, or when
/// some wanted candidate was found that a longer phone number could
/// overlap; links likewise (a link can take a phone number's place too),
/// or when the text may hold a messenger link.
pub fn extract_kinds(
    text: &str,
    options: &ExtractOptions,
    wanted: impl Fn(&ObservableKind) -> bool,
) -> Vec<Observable> {
    extract_kinds_normalised(text, None, options, wanted)
}

/// [`extract_kinds`], given the text normalised too when it is at hand
/// ([`Normalised::new`] of `text`, as the engine has it): what that holds
/// spares reading the text for messenger handles when it cannot name a
/// platform.
pub fn extract_kinds_normalised(
    text: &str,
    normalised: Option<&Normalised>,
    options: &ExtractOptions,
    wanted: impl Fn(&ObservableKind) -> bool,
) -> Vec<Observable> {
    if text.is_empty() {
        return Vec::new();
    }
    // The region is looked up only for a candidate phone number.
    let region = options.default_region.as_deref();
    let mut found = Vec::new();
    if normalised.is_none_or(|n| messenger::may_name(n.as_str())) {
        messenger::find_phrases(text, region, &mut found);
    }
    wallet::find(text, &mut found);
    // Links are looked for when they are wanted, when they may hide a
    // candidate (a wallet in a block explorer's URL, a phone number in
    // "https://7911 123456"), or when a messenger link may stand in the
    // text. They go first, as they always have.
    let links_wanted = wanted(&ObservableKind::Url {
        domain: String::new(),
    }) || wanted(&ObservableKind::Email {
        domain: String::new(),
    }) || wanted(&ObservableKind::Phone);
    let any_wanted = |found: &[Observable]| found.iter().any(|o| wanted(&o.kind));
    if links_wanted || any_wanted(&found) || messenger::may_link(text) {
        let mut links = Vec::new();
        link::find(text, &mut links);
        found.splice(0..0, links);
    }
    // Phone numbers can only take a candidate's place, never add one of
    // another kind: without a wanted candidate, none is kept either way.
    if !wanted(&ObservableKind::Phone) && !any_wanted(&found) {
        return Vec::new();
    }
    phone::find(text, region, &mut found);
    let mut kept = resolve_overlaps(found);
    kept.retain(|o| wanted(&o.kind));
    kept
}

/// How specific a kind is, for breaking ties between overlapping candidates
/// of equal length: higher wins.
fn specificity(kind: &ObservableKind) -> u8 {
    match kind {
        ObservableKind::Messenger { .. } => 5,
        ObservableKind::Wallet { .. } => 4,
        ObservableKind::Email { .. } => 3,
        ObservableKind::Url { .. } => 2,
        ObservableKind::Phone => 1,
    }
}

/// Keeps a non-overlapping subset of `found`, preferring longer spans, then
/// more specific kinds, then earlier ones; returns it sorted by start.
fn resolve_overlaps(mut found: Vec<Observable>) -> Vec<Observable> {
    if found.len() <= 1 {
        return found;
    }
    found.sort_by(|a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then_with(|| specificity(&b.kind).cmp(&specificity(&a.kind)))
            .then_with(|| a.start.cmp(&b.start))
    });
    // Accepted spans, start -> end; they never overlap, so only the last
    // one starting before a candidate's end can overlap it.
    let mut taken: BTreeMap<usize, usize> = BTreeMap::new();
    let mut kept = Vec::with_capacity(found.len());
    for o in found {
        if o.start >= o.end {
            continue;
        }
        let overlaps = taken
            .range(..o.end)
            .next_back()
            .is_some_and(|(_, &end)| end > o.start);
        if !overlaps {
            taken.insert(o.start, o.end);
            kept.push(o);
        }
    }
    kept.sort_by_key(|o| o.start);
    kept
}

/// The character just before byte `at` in `text`, if any.
fn char_before(text: &str, at: usize) -> Option<char> {
    text.get(..at).and_then(|s| s.chars().next_back())
}

/// The character starting at byte `at` in `text`, if any.
fn char_at(text: &str, at: usize) -> Option<char> {
    text.get(at..).and_then(|s| s.chars().next())
}

#[cfg(test)]
mod tests;
