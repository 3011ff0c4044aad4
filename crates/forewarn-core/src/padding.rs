//! Padded copies of hostile training approaches.
//!
//! The rule pack is public, so a sender can paste into an approach the very
//! sentences that make genuine messages look ordinary: an event's agenda, a
//! compliance statement, a salary. Context counts only by its strongest
//! signal, but the model still learns how much that one is worth from
//! genuine messages alone, where it always stands beside an ordinary
//! request. Training therefore also sees a share of its hostile approaches
//! with one such sentence pasted in, still labelled hostile: a sentence
//! taken from the benign training approaches themselves, around a hit of a
//! context rule, so that no list of "reassuring" sentences is written by
//! hand (nor the ones `bench/evasion.py` measures with).

use std::collections::BTreeSet;

use crate::approach::{Approach, Author};
use crate::engine::Engine;
use crate::rules::Family;
use crate::signals::Source;
use crate::verdict::Evidence;

/// One hostile approach in this many gets a padded copy.
pub const PADDED_ONE_IN: u64 = 3;

/// Bounds, in bytes, of a sentence worth pasting.
const SENTENCE_BYTES: std::ops::Range<usize> = 21..300;

/// The sentences of `benign` approaches that hold a hit of a context rule,
/// each once, in sorted order.
pub fn context_sentences<'a>(
    engine: &Engine,
    benign: impl IntoIterator<Item = &'a Approach>,
) -> Vec<String> {
    let signals = engine.catalogue().signals();
    let is_padding = |signal: usize| {
        signals
            .get(signal)
            .is_some_and(|s| s.family == Family::Context && matches!(s.source, Source::Rule(_)))
    };
    let mut sentences = BTreeSet::new();
    for approach in benign {
        let analysis = engine.analyse(approach);
        for fired in analysis.fired.iter().filter(|f| is_padding(f.signal)) {
            for evidence in &fired.evidence {
                let Evidence::Message {
                    message,
                    start,
                    end,
                    ..
                } = evidence
                else {
                    continue;
                };
                let Some(text) = approach.messages.get(*message).map(|m| m.text.as_str()) else {
                    continue;
                };
                if let Some(sentence) = sentence_around(text, *start, *end)
                    && SENTENCE_BYTES.contains(&sentence.len())
                {
                    sentences.insert(sentence.to_owned());
                }
            }
        }
    }
    sentences.into_iter().collect()
}

/// The sentence of `text` that holds `start..end`: from the end of the
/// sentence or line before it to the next full stop followed by a space, or
/// the end of the text.
fn sentence_around(text: &str, start: usize, end: usize) -> Option<&str> {
    let before = text.get(..start)?;
    let from = [before.rfind(". "), before.rfind('\n')]
        .into_iter()
        .flatten()
        .max()
        .map_or(0, |i| i + 1);
    // A hit may end with the full stop that ends its sentence.
    let end = if text.get(..end)?.ends_with('.') {
        end - 1
    } else {
        end
    };
    let to = text
        .get(end..)?
        .find(". ")
        .map_or(text.len(), |i| end + i + 1);
    Some(text.get(from..to)?.trim())
}

/// Copies of one in [`PADDED_ONE_IN`] of the `hostile` approaches, chosen
/// by `seed`, each with one of `sentences` (chosen likewise) appended to
/// its first message from the sender, and `-padded` appended to its id.
/// The same inputs give the same copies.
pub fn padded_copies<'a>(
    hostile: impl IntoIterator<Item = &'a Approach>,
    sentences: &[String],
    seed: u64,
) -> Vec<Approach> {
    if sentences.is_empty() {
        return Vec::new();
    }
    let mut random = SplitMix64(seed);
    let mut copies = Vec::new();
    for approach in hostile {
        let pick = random.next();
        let sentence = random.next();
        if !pick.is_multiple_of(PADDED_ONE_IN) {
            continue;
        }
        let index = usize::try_from(sentence % sentences.len() as u64).unwrap_or(0);
        let mut copy = approach.clone();
        let Some(first) = copy.messages.iter_mut().find(|m| m.from == Author::Sender) else {
            continue;
        };
        first.text.push(' ');
        first.text.push_str(&sentences[index]);
        copy.id = copy.id.map(|id| format!("{id}-padded"));
        copies.push(copy);
    }
    copies
}

/// SplitMix64: a small generator whose output is fixed by its seed
/// forever, so that training stays byte-for-byte reproducible whatever
/// version of a random-number crate is in the tree.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EngineConfig, Model, RuleSet};

    fn approach(id: &str, text: &str) -> Approach {
        Approach {
            id: Some(id.to_owned()),
            ..Approach::one_message("A. Sender", text)
        }
    }

    #[test]
    fn sentences_come_from_context_hits_of_benign_text() {
        let engine = Engine::new(
            RuleSet::default_pack().unwrap(),
            Model::shipped().unwrap(),
            EngineConfig::default(),
        );
        let benign = approach(
            "b",
            "Dear colleague, thank you for your time. The role is Head of Policy, salary \
             GBP 95,000 to 110,000. I never replied to the fake one. Best wishes",
        );
        let sentences = context_sentences(&engine, [&benign]);
        assert_eq!(
            sentences,
            [
                "I never replied to the fake one.",
                "The role is Head of Policy, salary GBP 95,000 to 110,000."
            ]
        );
    }

    #[test]
    fn sentence_around_stops_at_full_stops_and_lines() {
        let text = "First. Second has the hit here. Third";
        let at = text.find("hit").unwrap();
        assert_eq!(
            sentence_around(text, at, at + 3),
            Some("Second has the hit here.")
        );
        assert_eq!(
            sentence_around(text, at, at + 9),
            Some("Second has the hit here.")
        );
        let text = "Line one\nthe hit";
        let at = text.find("hit").unwrap();
        assert_eq!(sentence_around(text, at, at + 3), Some("the hit"));
    }

    #[test]
    fn copies_are_a_seeded_share_padded_once() {
        let hostile: Vec<Approach> = (0..300)
            .map(|i| approach(&format!("h{i}"), "We pay in crypto."))
            .collect();
        let sentences = vec!["One.".to_owned(), "Two.".to_owned()];
        let copies = padded_copies(&hostile, &sentences, 42);
        assert!((70..130).contains(&copies.len()), "{}", copies.len());
        assert_eq!(copies, padded_copies(&hostile, &sentences, 42));
        assert_ne!(copies, padded_copies(&hostile, &sentences, 43));
        for c in &copies {
            assert!(c.id.as_deref().unwrap().ends_with("-padded"));
            let text = &c.messages[0].text;
            assert!(text == "We pay in crypto. One." || text == "We pay in crypto. Two.");
        }
        assert!(padded_copies(&hostile, &[], 42).is_empty());
    }
}
