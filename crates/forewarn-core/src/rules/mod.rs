//! Rules as data: rule packs, their compilation into one matcher, and
//! matching.
//!
//! Every phrase of every rule, the literals that decide where and whether
//! each regular expression runs ([`literals`]), and the negation cues
//! compile into one Aho-Corasick automaton per field (holding only the
//! rules that read that field), so a text is read once whatever the number
//! of rules, and a field no rule reads is not read at all. A hit is looked
//! at for a negation only when the walk found a cue shortly before it. The
//! automaton is a double array
//! (`daachorse`): thousands of literals make a large automaton, and the
//! double array keeps each state in 12 bytes, so a scan touches less
//! memory. A regex is tried, anchored, where one of its start literals
//! stands, and not at all on a text that lacks all of its required ("gate")
//! literals; a regex with neither, or one that would be tried at too many
//! places of a text, searches the whole text. The cost of scanning grows
//! with the text and with what it contains, not with the number of rules.
//! A try needs only a forward automaton; the full regex that a whole-text
//! search needs is built on first use ([`compiled_regex`]).

mod compiled_regex;
mod literals;
mod pack;

use std::ops::Range;

use aho_corasick::AhoCorasick;
use daachorse::{DoubleArrayAhoCorasick, DoubleArrayAhoCorasickBuilder};

use compiled_regex::{CompiledRegex, TryCaches};
use literals::{
    dead_ascii_boundary, prefix_literals, required_literals, requires_digit, start_literals,
    without_extensions,
};

use crate::normalise::{Normalised, is_cjk};

pub use pack::{Examples, FORMAT_VERSION, Family, Field, Rule, RulePack, RuleStage, valid_id};

/// The default rule pack, embedded in the binary.
pub const DEFAULT_PACK: &str = include_str!("../../rules/default.toml");

/// Largest compiled size of one regex, and of the set.
const REGEX_SIZE_LIMIT: usize = 8 << 20;

/// How many words before a hit are searched for a negation.
const NEGATION_WINDOW_WORDS: usize = 5;

/// How many CJK characters before a hit are searched for a negation.
const NEGATION_WINDOW_CJK: usize = 8;

/// How long an item of a list may be, in words or CJK characters, for the
/// negation before the list to reach over it to a later item.
const LIST_ITEM_WORDS: usize = 4;
const LIST_ITEM_CJK: usize = 8;

/// How many bytes before a hit are searched for a negation, at most.
const NEGATION_WINDOW_BYTES: usize = 160;

/// Errors in a rule pack.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// The pack is not valid TOML or does not have the pack's shape.
    #[error("{origin}: {message}")]
    Syntax {
        /// Where the pack came from.
        origin: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The pack's `format` is not one this build reads.
    #[error(
        "{origin}: rule-pack format {found} is not supported (this build reads format {FORMAT_VERSION})"
    )]
    Format {
        /// Where the pack came from.
        origin: String,
        /// The format found.
        found: u32,
    },
    /// A rule id does not follow `FW-UPPER-CASE`.
    #[error(
        "{origin}: rule id `{id}` must be `FW-` followed by upper-case letters, digits and single hyphens"
    )]
    Id {
        /// Where the pack came from.
        origin: String,
        /// The offending id.
        id: String,
    },
    /// Two rules share an id.
    #[error("{origin}: rule id `{id}` is used twice")]
    Duplicate {
        /// Where the pack came from.
        origin: String,
        /// The repeated id.
        id: String,
    },
    /// A rule has neither phrases nor regexes.
    #[error("{origin}: rule `{id}` has no phrases and no regexes")]
    NoPattern {
        /// Where the pack came from.
        origin: String,
        /// The rule.
        id: String,
    },
    /// A rule's weight is not a finite number.
    #[error("{origin}: rule `{id}` has a weight that is not a finite number")]
    Weight {
        /// Where the pack came from.
        origin: String,
        /// The rule.
        id: String,
    },
    /// A regex does not compile, or matches the empty string.
    #[error("rule `{id}`: regex `{pattern}`: {message}")]
    Regex {
        /// The rule.
        id: String,
        /// The pattern.
        pattern: String,
        /// What is wrong.
        message: String,
    },
    /// A phrase is empty once normalised.
    #[error("rule `{id}`: phrase `{phrase}` is empty once normalised")]
    Phrase {
        /// The rule.
        id: String,
        /// The phrase.
        phrase: String,
    },
    /// The phrase automaton could not be built.
    #[error("cannot build the phrase matcher: {0}")]
    Automaton(String),
}

/// One place where a rule fired, as a byte span of the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the rule in [`RuleSet::rules`].
    pub rule: usize,
    /// Byte span in the original text.
    pub span: Range<usize>,
}

/// A phrase of the automaton and the rule it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PhraseOwner {
    /// Index of the rule (indices are `u32` here, so that a trigger takes
    /// 8 bytes: every literal match of a scan reads one).
    rule: u32,
    /// Check for a word boundary before the phrase.
    left_boundary: bool,
    /// Check for a word boundary after the phrase.
    right_boundary: bool,
    /// The phrase ends with `*`: extend the hit to the end of the word.
    to_word_end: bool,
}

/// What a literal of the automaton stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Trigger {
    /// A rule's phrase: a hit where it stands.
    Phrase(PhraseOwner),
    /// A start literal of a regex (by index): try the regex here.
    Start(u32),
    /// A required literal of a regex (by index): the regex may match this
    /// text.
    Gate(u32),
    /// A negation cue (by index): a hit shortly after it may be negated.
    Cue(u32),
}

/// Where a negation or description cue stands in a scanned text, found by
/// the automaton walk: a hit is looked at for a negation or a description
/// only when a cue stands before it.
#[derive(Debug, Clone, Copy)]
struct CueSite {
    start: usize,
    end: usize,
    /// A Chinese or Japanese cue, which needs no word boundaries.
    cjk: bool,
    /// A description cue ("be wary of"), not a negation.
    describes: bool,
    /// A report cue ("offered me"), a description of an offer made to
    /// someone other than the reader.
    reports: bool,
}

/// Most tries and negation cues [`RuleSet::scan_many`] holds before it
/// runs the tries (some 1.5 MiB); a batch of ordinary texts holds some
/// tens per text.
const MAX_PENDING: usize = 1 << 16;

/// Texts walked whose tries have not run yet.
#[derive(Default)]
struct PendingTries {
    /// Where regexes are to be tried, as (regex, text, place).
    tries: Vec<(u32, u32, usize)>,
    /// Each text walked, in order: its index, its negation cues, and where
    /// its hits begin in its `out`.
    texts: Vec<(u32, Vec<CueSite>, usize)>,
    /// How many tries and cues are held.
    held: usize,
}

/// What a walk of one text works with, kept from text to text.
#[derive(Default)]
struct Scratch {
    /// Where regexes are to be tried, as (regex, place).
    tries: Vec<(u32, usize)>,
    /// For each regex, how many tries it has, up to `MAX_TRIES + 1`: past
    /// `MAX_TRIES`, no more are kept, and the regex searches the whole
    /// text instead. Empty until the first start literal.
    tried: Vec<u8>,
    too_many_tries: Vec<usize>,
    /// For each regex, 1 + where its last gate literal starts (0: none;
    /// `u32::MAX` for a regex without a gate). A match holds a gate
    /// literal, so no match of a regex starts after its last one. Empty
    /// until the first gate literal: short fields often hold none.
    gate_after: Vec<u32>,
}

/// A compiled regex and how the scan reaches it.
#[derive(Debug, Clone)]
struct RegexPlan {
    regex: CompiledRegex,
    /// The rule it belongs to.
    rule: usize,
    /// Tried only where one of its start literals stands.
    has_starts: bool,
    /// Run only on texts holding one of its gate literals.
    gated: bool,
}

/// What finds the hits of the rules that read one field.
#[derive(Clone)]
struct FieldMatcher {
    field: Field,
    /// Phrases, start literals and gate literals of those rules, and the
    /// negation cues when one of them may be negated, each once,
    /// in one automaton (none when they have no literals). A pattern's
    /// value, made by [`automaton_value`], is the trigger it stands for or,
    /// when a literal stands for several things, their range in
    /// `triggers`: a match then reads its triggers without a search.
    automaton: Option<DoubleArrayAhoCorasick<u64>>,
    triggers: Vec<Trigger>,
    /// Their regexes without start literals, which search the whole text.
    unstarted: Vec<usize>,
}

impl std::fmt::Debug for FieldMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldMatcher")
            .field("field", &self.field)
            .field("states", &self.automaton.as_ref().map(|a| a.num_states()))
            .field("triggers", &self.triggers)
            .field("unstarted", &self.unstarted)
            .finish()
    }
}

/// A compiled rule pack.
#[derive(Debug, Clone)]
pub struct RuleSet {
    name: String,
    version: String,
    rules: Vec<Rule>,
    negatable: Vec<bool>,
    /// One matcher for each field some rule reads.
    matchers: Vec<FieldMatcher>,
    regexes: Vec<RegexPlan>,
    /// For each regex, where a match may start at the latest before a scan
    /// has seen any gate literal (see `scan_normalised`): anywhere
    /// (`u32::MAX`) for a regex without a gate, nowhere (0) for the others.
    no_gate_seen: Vec<u32>,
    /// For each regex, whether every match of it holds an ASCII digit.
    needs_digit: Vec<bool>,
    /// The negation cues alone, to find them in a window; their pattern
    /// indexes are their indexes in `cue_is_cjk`.
    negations: Option<AhoCorasick>,
    /// For each cue, negations, descriptions then reports: whether it is
    /// CJK.
    cue_is_cjk: Vec<bool>,
    /// How many of the cues are negations.
    negation_count: usize,
    /// How many of the cues are negations or descriptions: the rest are
    /// reports.
    report_start: usize,
    /// What the regexes' tries read and extend.
    caches: TryCaches,
}

/// Most places one regex is tried at in one text; past them, one search of
/// the whole text is cheaper. It also bounds the work and the memory of a
/// scan of a text made of a start literal repeated many times, where each
/// try could read to the end.
const MAX_TRIES: usize = 32;

/// 1 + where the last ASCII digit of `text` stands, or 0 without one.
fn last_digit_after(text: &str) -> usize {
    text.bytes()
        .rposition(|b| b.is_ascii_digit())
        .map_or(0, |at| at + 1)
}

/// Phrases that contain a negation cue without negating what follows.
const NOT_NEGATIONS: &[&str] = &[
    "not only",
    "not just",
    "no problem",
    "no doubt",
    "don't worry",
    "do not worry",
    "don't hesitate",
    "do not hesitate",
    "no need to worry",
    "not a problem",
    "不用担心",
    "不用擔心",
    "没问题",
    "沒問題",
    "不错",
    "不錯",
    "不客气",
    "不客氣",
    "no pressure",
    "no worries",
    "no rush",
    "no hurry",
    "no obligation",
    "kein problem",
    "keine sorge",
    "keine sorgen",
    "nicht nur",
    "zögern sie nicht",
    "pas de problème",
    "pas de souci",
    "pas de soucis",
    "n'hésitez pas",
];

impl RuleSet {
    /// The default rule pack, compiled.
    pub fn default_pack() -> Result<RuleSet, RuleError> {
        RuleSet::compile(RulePack::parse(DEFAULT_PACK, "default rule pack")?)
    }

    /// Compiles a parsed pack.
    pub fn compile(pack: RulePack) -> Result<RuleSet, RuleError> {
        // Every literal, with the rule it belongs to and what it stands for.
        let mut literals: Vec<(usize, Vec<u8>, Trigger)> = Vec::new();
        let mut regexes = Vec::new();
        let mut needs_digit = Vec::new();
        for (index, rule) in pack.rules.iter().enumerate() {
            let rule32 = index32(index)?;
            for phrase in &rule.phrases {
                let (body, prefix) = match phrase.strip_suffix('*') {
                    Some(body) => (body, true),
                    None => (phrase.as_str(), false),
                };
                let normalised = Normalised::new(body).as_str().trim().to_owned();
                let (Some(first), Some(last)) =
                    (normalised.chars().next(), normalised.chars().next_back())
                else {
                    return Err(RuleError::Phrase {
                        id: rule.id.clone(),
                        phrase: phrase.clone(),
                    });
                };
                let trigger = Trigger::Phrase(PhraseOwner {
                    rule: rule32,
                    left_boundary: is_word_char(first),
                    right_boundary: !prefix && is_word_char(last),
                    to_word_end: prefix,
                });
                literals.push((index, normalised.into_bytes(), trigger));
            }
            for pattern in &rule.regexes {
                let regex_error = |message: String| RuleError::Regex {
                    id: rule.id.clone(),
                    pattern: pattern.clone(),
                    message,
                };
                // Parsed once: the syntax tree gives the literals, and the
                // regex is built from it.
                let hir = regex_syntax::parse(pattern).map_err(|e| regex_error(e.to_string()))?;
                if let Some(literal) = dead_ascii_boundary(&hir) {
                    return Err(regex_error(format!(
                        "(?-u:\\b) stands next to \"{literal}\", which begins or ends with a non-ASCII letter there: an ASCII word boundary never holds beside it, so that part never matches (leave the boundary out on that side)"
                    )));
                }
                let prefixes = prefix_literals(&hir);
                let gates = required_literals(&hir, prefixes.as_ref());
                let starts = prefixes.map(|p| without_extensions(start_literals(p)));
                let regex_index = index32(regexes.len())?;
                needs_digit.push(requires_digit(&hir));
                // A regex with start literals is searched anchored where
                // one stands, so a prefilter of its own would go unused;
                // building one costs more than compiling the regex.
                let regex = CompiledRegex::new(hir, REGEX_SIZE_LIMIT, starts.is_none())
                    .map_err(regex_error)?;
                if regex.matches_empty() {
                    return Err(regex_error("matches the empty string".to_owned()));
                }
                regexes.push(RegexPlan {
                    regex,
                    rule: index,
                    has_starts: starts.is_some(),
                    gated: gates.is_some(),
                });
                for literal in starts.into_iter().flatten() {
                    literals.push((index, literal, Trigger::Start(regex_index)));
                }
                for literal in gates.into_iter().flatten() {
                    literals.push((index, literal, Trigger::Gate(regex_index)));
                }
            }
        }
        let mut fields: Vec<Field> = Vec::new();
        for field in pack.rules.iter().flat_map(|r| r.fields.iter()) {
            if !fields.contains(field) {
                fields.push(*field);
            }
        }
        let normalise_cues = |cues: &[String]| -> Vec<String> {
            cues.iter()
                .map(|c| Normalised::new(c).as_str().trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect()
        };
        let mut cues = normalise_cues(&pack.negations);
        let negation_count = cues.len();
        cues.extend(normalise_cues(&pack.descriptions));
        let report_start = cues.len();
        cues.extend(normalise_cues(&pack.reports));
        let cue_is_cjk: Vec<bool> = cues.iter().map(|c| c.chars().any(is_cjk)).collect();
        let cue_triggers: Vec<Trigger> = (0..index32(cues.len())?).map(Trigger::Cue).collect();
        let mut matchers = Vec::with_capacity(fields.len());
        for field in fields {
            let reads = |rule: usize| pack.rules[rule].fields.contains(&field);
            let mut read: Vec<(&[u8], &Trigger)> = literals
                .iter()
                .filter(|(rule, _, _)| reads(*rule))
                .map(|(_, literal, trigger)| (literal.as_slice(), trigger))
                .collect();
            // The walk also finds the negation and description cues, where
            // hits of rules that they cancel may stand.
            if pack
                .rules
                .iter()
                .any(|r| r.fields.contains(&field) && r.is_negatable())
            {
                read.extend(cues.iter().map(|c| c.as_bytes()).zip(&cue_triggers));
            }
            // Each literal once, with everything it stands for.
            read.sort_by_key(|(literal, _)| *literal);
            let triggers: Vec<Trigger> = read.iter().map(|(_, t)| (*t).clone()).collect();
            let mut patterns: Vec<(&[u8], Range<u32>)> = Vec::new();
            for (at, (literal, _)) in (0u32..).zip(&read) {
                match patterns.last_mut() {
                    Some((last, range)) if last == literal => range.end = at + 1,
                    _ => patterns.push((literal, at..at + 1)),
                }
            }
            let patterns: Vec<(&[u8], u64)> = patterns
                .into_iter()
                .map(|(literal, range)| Ok((literal, automaton_value(&triggers, range)?)))
                .collect::<Result<_, RuleError>>()?;
            let unstarted: Vec<usize> = (0..regexes.len())
                .filter(|&i| !regexes[i].has_starts && reads(regexes[i].rule))
                .collect();
            if patterns.is_empty() && unstarted.is_empty() {
                continue;
            }
            // Nearly every pair of bytes in a text begins some literal, so
            // the automaton's two-byte prefilter would skip nothing.
            let automaton = if patterns.is_empty() {
                None
            } else {
                let built = DoubleArrayAhoCorasickBuilder::new()
                    .use_prefilter(false)
                    .build_with_values(patterns)
                    .map_err(|e| RuleError::Automaton(e.to_string()))?;
                Some(built)
            };
            matchers.push(FieldMatcher {
                field,
                automaton,
                triggers,
                unstarted,
            });
        }
        let negations = if negation_count == 0 {
            None
        } else {
            let negations = &cues[..negation_count];
            Some(AhoCorasick::new(negations).map_err(|e| RuleError::Automaton(e.to_string()))?)
        };
        let negatable = pack.rules.iter().map(Rule::is_negatable).collect();
        let no_gate_seen = regexes
            .iter()
            .map(|r| if r.gated { 0 } else { u32::MAX })
            .collect();
        Ok(RuleSet {
            name: pack.name,
            version: pack.version,
            rules: pack.rules,
            negatable,
            matchers,
            regexes,
            no_gate_seen,
            needs_digit,
            negations,
            cue_is_cjk,
            negation_count,
            report_start,
            caches: TryCaches::new(),
        })
    }

    /// The pack's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The pack's content version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The rules, in pack order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Whether some rule reads `field`: texts of other fields need not be
    /// scanned.
    pub fn reads(&self, field: Field) -> bool {
        self.matcher(field).is_some()
    }

    fn matcher(&self, field: Field) -> Option<&FieldMatcher> {
        self.matchers.iter().find(|m| m.field == field)
    }

    /// Finds every hit in `text` of the rules that look at `field`,
    /// appending them to `out` with spans of the original text, in order of
    /// position.
    pub fn scan(&self, text: &str, field: Field, out: &mut Vec<Hit>) {
        if self.reads(field) {
            let normalised = Normalised::new(text);
            self.scan_normalised(&normalised, field, out);
        }
    }

    /// Like [`RuleSet::scan`], on an already normalised text.
    pub fn scan_normalised(&self, normalised: &Normalised, field: Field, out: &mut Vec<Hit>) {
        self.scan_many(&[(normalised, field)], std::slice::from_mut(out));
    }

    /// Like [`RuleSet::scan_normalised`] on each text, appending the hits
    /// of `texts[i]` to `outs[i]`, only faster on many: the tries of each
    /// regex in all the texts run one after another, while its automaton
    /// stays in the processor's caches. `outs` must be as long as `texts`.
    pub fn scan_many(&self, texts: &[(&Normalised, Field)], outs: &mut [Vec<Hit>]) {
        self.scan_many_holding(texts, outs, MAX_PENDING);
    }

    /// [`RuleSet::scan_many`], running the tries whenever more than
    /// `max_pending` tries and cues wait.
    fn scan_many_holding(
        &self,
        texts: &[(&Normalised, Field)],
        outs: &mut [Vec<Hit>],
        max_pending: usize,
    ) {
        let mut scratch = Scratch::default();
        let mut pending = PendingTries::default();
        for (text, &(normalised, field)) in (0u32..).zip(texts) {
            let (Some(matcher), Some(out)) = (self.matcher(field), outs.get_mut(text as usize))
            else {
                continue;
            };
            let first_hit = out.len();
            let cues = self.walk(normalised, matcher, &mut scratch, out);
            pending.held += scratch.tries.len() + cues.len();
            pending
                .tries
                .extend(scratch.tries.iter().map(|&(regex, at)| (regex, text, at)));
            pending.texts.push((text, cues, first_hit));
            // Hostile texts can hold a start literal at nearly every byte:
            // what waits for the regexes stays bounded, whatever the batch.
            if pending.held > max_pending {
                self.run_tries(texts, outs, &mut pending);
            }
        }
        self.run_tries(texts, outs, &mut pending);
    }

    /// Runs the pending tries, by regex, then by text and place, and puts
    /// the hits of the texts they came from in order.
    fn run_tries(
        &self,
        texts: &[(&Normalised, Field)],
        outs: &mut [Vec<Hit>],
        pending: &mut PendingTries,
    ) {
        let PendingTries {
            tries,
            texts: walked,
            held,
        } = pending;
        tries.sort_unstable();
        tries.dedup();
        // A match must begin where it is tried, and may not begin inside
        // the previous match of the same regex in the same text.
        let mut covered = (u32::MAX, u32::MAX, 0);
        let mut caches = self.caches.get();
        caches.resize_with(self.regexes.len(), || None);
        for &(index, text, at) in tries.iter() {
            if (covered.0, covered.1) == (index, text) && at < covered.2 {
                continue;
            }
            // `walked` is in order of the texts.
            let cues = walked
                .binary_search_by_key(&text, |(t, _, _)| *t)
                .ok()
                .and_then(|i| walked.get(i))
                .map(|(_, cues, _)| cues.as_slice());
            let t = text as usize;
            let (Some(plan), Some(cache), Some(&(normalised, _)), Some(out), Some(cues)) = (
                self.regexes.get(index as usize),
                caches.get_mut(index as usize),
                texts.get(t),
                outs.get_mut(t),
                cues,
            ) else {
                continue;
            };
            let cache = cache.get_or_insert_with(|| plan.regex.create_cache());
            // Anchored, a match starts at `at`: only its end is searched for.
            if let Some(end) = plan.regex.match_end_at(cache, normalised.as_str(), at)
                && end > at
            {
                covered = (index, text, end);
                self.push_hit(normalised, plan.rule, at..end, cues, out);
            }
        }
        for (text, _, first_hit) in walked.drain(..) {
            if let Some(out) = outs.get_mut(text as usize) {
                out[first_hit..].sort_by_key(|h| (h.span.start, h.span.end, h.rule));
            }
        }
        tries.clear();
        *held = 0;
    }

    /// Walks one text with its field's automaton: pushes the hits of its
    /// phrases, and of the regexes that search the whole text, to `out`,
    /// leaves where the other regexes are to be tried in `scratch.tries`,
    /// and returns the negation cues, in order of their ends.
    fn walk(
        &self,
        normalised: &Normalised,
        matcher: &FieldMatcher,
        scratch: &mut Scratch,
        out: &mut Vec<Hit>,
    ) -> Vec<CueSite> {
        let text = normalised.as_str();
        let Scratch {
            tries,
            tried,
            too_many_tries,
            gate_after,
        } = scratch;
        tries.clear();
        tried.clear();
        too_many_tries.clear();
        gate_after.clear();
        let mut cues: Vec<CueSite> = Vec::new();
        if let Some(automaton) = &matcher.automaton {
            let mut inline = Trigger::Cue(0);
            for m in automaton.find_overlapping_iter(text) {
                for trigger in triggers_of(m.value(), &matcher.triggers, &mut inline) {
                    match trigger {
                        Trigger::Phrase(owner) => {
                            self.phrase_hit(normalised, owner, m.start()..m.end(), &cues, out);
                        }
                        Trigger::Start(index) => {
                            if tried.is_empty() {
                                tried.resize(self.regexes.len(), 0);
                            }
                            if let Some(n) = tried.get_mut(*index as usize)
                                && usize::from(*n) <= MAX_TRIES
                            {
                                *n += 1;
                                if usize::from(*n) > MAX_TRIES {
                                    too_many_tries.push(*index as usize);
                                } else {
                                    tries.push((*index, m.start()));
                                }
                            }
                        }
                        Trigger::Gate(index) => {
                            if gate_after.is_empty() {
                                gate_after.extend_from_slice(&self.no_gate_seen);
                            }
                            if let Some(after) = gate_after.get_mut(*index as usize) {
                                // Texts are far shorter than 4 GiB (limits of
                                // the input); a longer one only loses this
                                // shortcut.
                                let start = u32::try_from(m.start() + 1).unwrap_or(u32::MAX);
                                *after = (*after).max(start);
                            }
                        }
                        Trigger::Cue(index) => cues.push(CueSite {
                            start: m.start(),
                            end: m.end(),
                            cjk: self.cue_is_cjk.get(*index as usize) == Some(&true),
                            describes: *index as usize >= self.negation_count,
                            reports: *index as usize >= self.report_start,
                        }),
                    }
                }
            }
        }
        // Every trigger of the matcher belongs to a rule that reads the
        // field; a regex may match from `at` on unless a gate literal must
        // start there or later and none does.
        let gates = if gate_after.is_empty() {
            &self.no_gate_seen
        } else {
            &*gate_after
        };
        // Nor can a match that must hold a digit start after the last one.
        let digit_after = std::cell::OnceCell::new();
        let runs = |index: usize, at: usize| {
            gates
                .get(index)
                .is_some_and(|&after| after == u32::MAX || after as usize > at)
                && (!self.needs_digit.get(index).is_some_and(|&d| d)
                    || *digit_after.get_or_init(|| last_digit_after(text)) > at)
        };
        // Regexes without start literals search the whole text, and so do
        // those with too many tries: it finds the same matches, as each
        // starts at a start literal.
        let too_often = |index: usize| {
            tried
                .get(index)
                .is_some_and(|&n| usize::from(n) > MAX_TRIES)
        };
        for &index in matcher.unstarted.iter().chain(too_many_tries.iter()) {
            let plan = &self.regexes[index];
            if runs(index, 0)
                && let Some(regex) = plan.regex.whole()
            {
                for m in regex.find_iter(text) {
                    self.push_hit(normalised, plan.rule, m.start()..m.end(), &cues, out);
                }
            }
        }
        // The others are tried, anchored, where one of their start literals
        // stands ([`RuleSet::scan_many`]).
        // Most start literals belong to regexes whose gate stayed shut, or
        // stand after its last gate literal: those go before the sort.
        tries.retain(|&(index, at)| runs(index as usize, at) && !too_often(index as usize));
        cues
    }

    /// A phrase found at `range` of the normalised text, if it stands on
    /// word boundaries as its rule asks.
    fn phrase_hit(
        &self,
        normalised: &Normalised,
        owner: &PhraseOwner,
        range: Range<usize>,
        cues: &[CueSite],
        out: &mut Vec<Hit>,
    ) {
        let text = normalised.as_str();
        if owner.left_boundary
            && text[..range.start]
                .chars()
                .next_back()
                .is_some_and(is_word_char)
        {
            return;
        }
        if owner.right_boundary && text[range.end..].chars().next().is_some_and(is_word_char) {
            return;
        }
        let mut end = range.end;
        if owner.to_word_end {
            end += text[end..]
                .char_indices()
                .find(|(_, c)| !is_word_char(*c))
                .map_or(text.len() - end, |(i, _)| i);
        }
        self.push_hit(normalised, owner.rule as usize, range.start..end, cues, out);
    }

    fn push_hit(
        &self,
        normalised: &Normalised,
        rule: usize,
        range: Range<usize>,
        cues: &[CueSite],
        out: &mut Vec<Hit>,
    ) {
        if self.negatable[rule]
            && (self.is_negated(normalised.as_str(), range.clone(), cues)
                || is_described(normalised.as_str(), range.clone(), cues))
        {
            return;
        }
        out.push(Hit {
            rule,
            span: normalised.original_span(range),
        });
    }

    /// Whether a negation cue stands shortly before `at`, in the same
    /// sentence. `cues` are the cues of `text`, in order of their ends.
    fn is_negated(&self, text: &str, hit: Range<usize>, cues: &[CueSite]) -> bool {
        if self.negations.is_none() {
            return false;
        }
        let at = hit.start;
        let from = negation_reach(text, at);
        let after = text.get(hit.end..).unwrap_or_default();
        if cue_between(text, cues, from, at) && self.negated_from(&text[from..at], after) {
            return true;
        }
        // A hit that runs over a comma into a clause of its own may be
        // negated within it, before its last word ("by bank transfer
        // against an invoice, never in crypto").
        let Some(inner) = text.get(hit.clone()) else {
            return false;
        };
        let clause = inner
            .char_indices()
            .rev()
            .find(|&(_, c)| is_clause_end(c))
            .map(|(i, c)| at + i + c.len_utf8());
        let last_word = inner.rfind(' ').map(|i| at + i);
        let (Some(clause), Some(last_word)) = (clause, last_word) else {
            return false;
        };
        clause < last_word
            && cue_between(text, cues, clause, last_word)
            && text
                .get(clause..last_word)
                .is_some_and(|before| self.negated_from(before, after))
    }

    /// Whether a negation cue in `before`, the text just before a hit,
    /// negates it; `after` is the text after the hit.
    fn negated_from(&self, before: &str, after: &str) -> bool {
        // A negation reaches to the end of its clause: punctuation, or a
        // "but" that turns the sentence, ends it ("No pressure, we pay in
        // crypto"; "not a lot, but we pay in crypto"). The window is the
        // last few words of the clause, or its last few characters of CJK
        // text, read in one walk back from the hit.
        let mut words = 0;
        let mut cjk = 0;
        let (mut most_words, mut most_cjk) = (NEGATION_WINDOW_WORDS, NEGATION_WINDOW_CJK);
        let mut window_start = before.len();
        let mut in_word = false;
        for (i, c) in before.char_indices().rev() {
            if is_clause_end(c) {
                // A comma between the items of a list does not end the
                // reach of the negation that governs the list ("must not
                // share confidential information, internal documents or
                // drafts"): the window reaches over the item before it, too.
                // A Chinese comma (，) never does: a clause after it may
                // well open with "和" or "或".
                if matches!(c, ',' | '、') && separates_items(c, &before[i + c.len_utf8()..], after)
                {
                    most_words = words + LIST_ITEM_WORDS + NEGATION_WINDOW_WORDS;
                    most_cjk = cjk + LIST_ITEM_CJK + NEGATION_WINDOW_CJK;
                    in_word = false;
                    window_start = i;
                    continue;
                }
                break;
            }
            if is_cjk(c) {
                cjk += 1;
                if cjk > most_cjk {
                    break;
                }
            } else if c.is_alphanumeric() || c == '\'' {
                if !in_word {
                    words += 1;
                    in_word = true;
                    if words > most_words {
                        break;
                    }
                }
            } else {
                in_word = false;
            }
            window_start = i;
        }
        if !self.has_negation_cue(&before[window_start..]) {
            return false;
        }
        let clause_start = before[..window_start]
            .char_indices()
            .rev()
            .find(|(_, c)| is_clause_end(*c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let sentence = &before[clause_start..];
        let window_start = window_start - clause_start;
        // Only now, rarely: a turn ends the clause, and phrases such as
        // "not only" do not negate.
        let mut turned = 0;
        for turn in [" but ", " however ", "但是", "可是"] {
            if let Some(i) = sentence[turned..].rfind(turn) {
                turned += i + turn.len();
            }
        }
        let mut window = sentence[window_start.max(turned)..].to_owned();
        for phrase in NOT_NEGATIONS {
            if window.contains(phrase) {
                window = window.replace(phrase, " ");
            }
        }
        self.has_negation_cue(&window)
    }

    /// Whether `window` holds a negation cue: a whole word, or any CJK cue.
    fn has_negation_cue(&self, window: &str) -> bool {
        let Some(cues) = &self.negations else {
            return false;
        };
        cues.find_overlapping_iter(window).any(|m| {
            let is_cjk_cue = self.cue_is_cjk[m.pattern().as_usize()];
            is_cjk_cue || is_whole_word(window, m.start()..m.end())
        })
    }

    /// Runs every rule's own examples; returns the ones that fail.
    pub fn test_examples(&self) -> Vec<ExampleFailure> {
        let mut failures = Vec::new();
        let mut hits = Vec::new();
        for (index, rule) in self.rules.iter().enumerate() {
            let field = rule.fields.first().copied().unwrap_or(Field::Messages);
            let mut check = |sentence: &String, expect: bool| {
                hits.clear();
                self.scan(sentence, field, &mut hits);
                let fired = hits.iter().any(|h| h.rule == index);
                if fired != expect {
                    failures.push(ExampleFailure {
                        rule: rule.id.clone(),
                        sentence: sentence.clone(),
                        expected_match: expect,
                    });
                }
            };
            for sentence in &rule.examples.matching {
                check(sentence, true);
            }
            for sentence in &rule.examples.no_match {
                check(sentence, false);
            }
        }
        failures
    }

    /// How many examples the rules carry, matching and not matching.
    pub fn example_count(&self) -> (usize, usize) {
        self.rules.iter().fold((0, 0), |(m, n), r| {
            (m + r.examples.matching.len(), n + r.examples.no_match.len())
        })
    }
}

/// A rule example that did not behave as its rule says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    /// The rule.
    pub rule: String,
    /// The example sentence.
    pub sentence: String,
    /// Whether the rule should have fired.
    pub expected_match: bool,
}

/// Where the text a negation of a hit at `at` may stand in begins: five
/// words never need more, and bounding it keeps the cost per hit constant
/// on long texts without punctuation.
fn negation_reach(text: &str, at: usize) -> usize {
    text.ceil_char_boundary(at.saturating_sub(NEGATION_WINDOW_BYTES))
}

/// Whether a cue of `cues` (in order of their ends) stands within
/// `from..at` of `text` as a cue of the window that [`RuleSet::negated_from`]
/// reads there could: a whole word, where the window's edges count as word
/// boundaries, or a CJK cue. Without one, no window there holds a cue.
fn cue_between(text: &str, cues: &[CueSite], from: usize, at: usize) -> bool {
    let ended = cues.partition_point(|c| c.end <= at);
    cues[..ended]
        .iter()
        .rev()
        .take_while(|c| c.end > from)
        .any(|c| {
            !c.describes
                && c.start >= from
                && (c.cjk
                    || ((c.start == from
                        || !text[..c.start]
                            .chars()
                            .next_back()
                            .is_some_and(is_word_char))
                        && (c.end == at
                            || !text[c.end..].chars().next().is_some_and(is_word_char))))
        })
}

/// How many of the description cues before a hit are read, the nearest
/// first.
const MAX_DESCRIPTION_CUES: usize = 4;

/// How far before a hit a description cue may stand: a sentence that lists
/// the red flags of an approach runs to several hundred bytes, and the
/// bound keeps the cost per hit constant on texts without full stops.
const DESCRIPTION_REACH_BYTES: usize = 1024;

/// Words by which the sender speaks of themselves: after one, a sentence
/// that opened by describing others ("unlike the fake recruiters") is back
/// to the sender's own offer ("we pay in crypto").
const FIRST_PERSON: &[&str] = &[
    "i", "i'm", "i'll", "i'd", "i've", "we", "we're", "we'll", "we'd", "we've", "our", "ours",
    "us", "my", "mine", "let's", "je", "nous", "notre", "nos", "mon", "ma", "mes", "ich", "wir",
    "unser", "unsere", "unseren", "unserem", "unserer", "unseres", "mein", "meine", "meinen",
    "meinem", "meiner",
];

/// The first person singular: in a report, the writer, who was offered
/// something. "I'll" offers, and is not among them.
const WRITER: &[&str] = &[
    "i", "i'm", "i'd", "i've", "my", "mine", "je", "mon", "ma", "mes", "ich", "mein", "meine",
    "meinen", "meinem", "meiner",
];

/// Words after "I" by which the writer of a report offers something
/// themselves ("... offered me a budget, and I can pay in crypto").
const WRITER_OFFERS: &[&str] = &["can", "will"];

/// Words by which the sender turns to the reader: after a report cue, what
/// follows one is an offer to the reader, not the one reported.
const ADDRESSEE: &[&str] = &[
    "you", "your", "yours", "you're", "you'll", "you'd", "you've", "yourself", "u", "ur", "vous",
    "votre", "vos", "du", "dich", "dir", "dein", "deine", "ihnen", "euch",
];

/// Whether `text` holds a word of [`ADDRESSEE`], or "你" or "您".
fn turns_to_reader(text: &str) -> bool {
    text.contains(['你', '您'])
        || text
            .split(|c: char| !(c.is_alphanumeric() || c == '\''))
            .any(|w| ADDRESSEE.contains(&w))
}

/// Turns after which the sender speaks for themselves again.
const DESCRIPTION_TURNS: &[&str] = &["but", "however", "mais", "aber", "doch"];

/// Words by which the sender asks the recipient for something: a request
/// of the sender's own, not a description of others'.
const ASKING: &[&str] = &["please", "pls", "plz", "kindly", "bitte", "veuillez"];

/// Modal verbs that, followed by "you", ask the recipient ("could you").
const ASKING_MODALS: &[&str] = &[
    "could", "would", "can", "will", "shall", "könnten", "können", "würden", "pourriez", "pouvez",
    "voudriez",
];

/// "You", after an asking modal.
const ASKED: &[&str] = &["you", "u", "sie", "vous"];

/// Whether a description cue of `cues` stands before a hit at `at` of
/// `text` and still reaches it ([`description_reaches`]: "offered a trip
/// and suggested \"continuing our chat on WeChat\"" still describes), with
/// no word of the sender just before the cue, in a sentence that is no
/// question; or after a report cue, with no word turning to the reader
/// between them nor in the hit itself ("he asked me to pass on an envelope
/// for your trouble" is the reader's).
fn is_described(text: &str, hit: Range<usize>, cues: &[CueSite]) -> bool {
    let at = hit.start;
    let from = at.saturating_sub(DESCRIPTION_REACH_BYTES);
    let ended = cues.partition_point(|c| c.end <= at);
    cues[..ended]
        .iter()
        .rev()
        .take_while(|c| c.end > from)
        .filter(|c| c.describes)
        // The nearest few: a text dense with cues costs a bounded walk per
        // hit, and a cue further back reaches over the nearer one's text.
        .take(MAX_DESCRIPTION_CUES)
        .any(|c| {
            if !(c.cjk || is_whole_word(text, c.start..c.end)) {
                return false;
            }
            let Some(between) = text.get(c.end..at) else {
                return false;
            };
            if !description_reaches(between, c.reports) {
                return false;
            }
            // A report, or a description gone on past a sentence, ends at
            // any word that turns to the reader: a hit that holds one is
            // the reader's.
            if (c.reports || holds_sentence_end(between))
                && turns_to_reader(text.get(hit.clone()).unwrap_or_default())
            {
                return false;
            }
            if c.reports {
                // A report needs neither check below: the reader, whom a
                // question would ask, ends it.
                return true;
            }
            let before = text.ceil_char_boundary(c.start.saturating_sub(SENDER_BEFORE_BYTES));
            !sender_just_before(&text[before..c.start]) && !asks(text.get(at..).unwrap_or_default())
        })
}

/// Whether the sentence a hit stands in, from the hit on, is a question:
/// a description of what others offer does not ask the recipient
/// ("unlike the fake recruiters, would a paid trip suit you?").
fn asks(after: &str) -> bool {
    let mut chars = after.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if i > DESCRIPTION_REACH_BYTES {
            return false;
        }
        if ends_sentence(c, chars.peek().map(|&(_, next)| next)) {
            return matches!(c, '?' | '？');
        }
    }
    false
}

/// Whether the sender speaks of themselves in the few words before a
/// description cue ("I sent you a message offering ..."), or sets
/// themselves apart from it ("unlike the fake recruiters, ..."): then
/// what follows is the sender's own.
fn sender_just_before(before: &str) -> bool {
    before
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .take(SENDER_BEFORE_WORDS)
        .any(|w| FIRST_PERSON.contains(&w) || CONTRASTS.contains(&w))
}

/// Words by which a sender sets themselves apart from what a description
/// cue names.
const CONTRASTS: &[&str] = &["unlike", "contrairement", "gegensatz", "anders"];

/// How many words before a description cue are read for the sender, and
/// in how many bytes at most.
const SENDER_BEFORE_WORDS: usize = 4;
const SENDER_BEFORE_BYTES: usize = 64;

/// Whether `between`, the text from a description cue to a hit, keeps the
/// hit in the description: no end of sentence, and outside quotation
/// marks no first-person word, nor a turn ("but") in the item of a list
/// the hit stands in; after a report cue (`reported`), no word turning to
/// the reader either ("you", "your"). A list of red flags runs as items
/// after a colon or a semicolon ("be wary of any contact that: - gives no
/// company details but ...; - offers ..."): each bullet opens a new item
/// of the same description. A description goes on into the next sentence
/// when that sentence opens with a pronoun standing for what was described
/// ("The message said ... . It also offered a trip"; "Fake recruiters
/// offer cash. They then ask for documents"), read from there on as a
/// report: a word turning to the reader ends it.
fn description_reaches(between: &str, reported: bool) -> bool {
    // Whether the description has gone on past the end of a sentence.
    let mut continued = false;
    let mut quoted = false;
    let mut turned = false;
    let mut word_start = None;
    let mut previous_word = "";
    // The previous word joins a clause to the one before a comma (", and").
    let mut joins_after_comma = false;
    // The last character that was not white space.
    let mut last = ' ';
    let mut chars = between.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        // A semicolon goes on to the next item of a list ("; - offers
        // ..."), or ends the clause ("beware of fake recruiters; the fee
        // is ...").
        if matches!(last, ';' | '；') && !c.is_whitespace() && !quoted && !is_bullet(c) {
            return false;
        }
        let in_word = (c.is_alphanumeric() && !is_cjk(c)) || (c == '\'' && word_start.is_some());
        if in_word {
            word_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = word_start.take()
            && !quoted
        {
            let word = &between[start..i];
            match speaks_or_turns(previous_word, word, reported, continued) {
                Some(Speaker::Sender) => return false,
                Some(Speaker::Turn) => turned = true,
                None => {}
            }
            // ", and you ...": a new clause, no longer the description's.
            if joins_after_comma && CLAUSE_SUBJECTS.contains(&word) {
                return false;
            }
            joins_after_comma = matches!(last, ',' | '，') && LIST_JOINS.contains(&word);
            previous_word = word;
        }
        let next = chars.peek().map(|&(_, next)| next);
        let next_is_space = next.is_none_or(char::is_whitespace);
        if ends_sentence(c, next) {
            if quoted || turned || !continues_description(&between[i + c.len_utf8()..]) {
                return false;
            }
            continued = true;
            previous_word = "";
            joins_after_comma = false;
            last = ' ';
            continue;
        }
        match c {
            '"' => quoted = !quoted,
            '«' | '「' | '『' => quoted = true,
            '»' | '」' | '』' => quoted = false,
            '我' if !quoted && !reported => return false,
            '请' | '請' if !quoted => return false,
            '你' | '您' if (reported || continued) && !quoted => return false,
            '但' if !quoted => turned = true,
            _ if is_bullet(c) && next_is_space && matches!(last, ';' | '；' | ':') => {
                turned = false;
            }
            _ => {}
        }
        if !c.is_whitespace() {
            last = c;
        }
    }
    // The hit itself opens the clause after a semicolon.
    if matches!(last, ';' | '；') && !quoted {
        return false;
    }
    if let Some(start) = word_start
        && !quoted
    {
        let word = &between[start..];
        match speaks_or_turns(previous_word, word, reported, continued) {
            Some(Speaker::Sender) => return false,
            Some(Speaker::Turn) => turned = true,
            None => {}
        }
        if joins_after_comma && CLAUSE_SUBJECTS.contains(&word) {
            return false;
        }
    }
    !turned
}

/// Pronouns that open a clause of their own after ", and" (", und", ",
/// et"): what follows them is no longer an item of the description ("you
/// may have been warned about messages like this, and you will be paid in
/// crypto"). Articles may as well open the next item of a list of red
/// flags ("offers of paid trips, and the promise of cash"), so they do not.
const CLAUSE_SUBJECTS: &[&str] = &[
    "you", "it", "it's", "this", "there", "there's", "they", "he", "she", "es", "vous", "il",
    "elle", "c'est",
];

/// Pronouns that, opening a sentence, stand for what the sentence before
/// described: the sender of a reported message ("it", "she"), or the
/// senders a warning names ("they"). "Sie" is left out: at the start of a
/// German sentence it may be the reader.
const CONTINUATIONS: &[&str] = &[
    "it", "he", "she", "they", "il", "elle", "ils", "elles", "er", "他", "她", "它", "对方", "對方",
];

/// Whether the sentence that `after` opens (after spaces, a bullet or a
/// quotation mark) begins with one of [`CONTINUATIONS`].
fn continues_description(after: &str) -> bool {
    let start = after.trim_start_matches(|c: char| {
        c.is_whitespace() || is_bullet(c) || matches!(c, '"' | '\'' | '«' | '「' | '(')
    });
    let word_end = start
        .find(|c: char| !c.is_alphanumeric() || is_cjk(c))
        .unwrap_or(start.len());
    let word = &start[..word_end];
    if !word.is_empty() {
        return CONTINUATIONS.contains(&word);
    }
    CONTINUATIONS
        .iter()
        .any(|p| p.chars().all(is_cjk) && start.starts_with(p))
}

/// Whether a sentence ends inside `text`.
fn holds_sentence_end(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if ends_sentence(c, chars.peek().copied()) {
            return true;
        }
    }
    false
}

/// Whether `c`, followed by `next`, ends a sentence. A full stop inside a
/// number or an abbreviation ("£5.5k", "e.g.") does not.
fn ends_sentence(c: char, next: Option<char>) -> bool {
    match c {
        '!' | '?' | '。' | '！' | '？' => true,
        '.' => next.is_none_or(char::is_whitespace),
        _ => false,
    }
}

/// Whether `range` of `text` stands on word boundaries.
fn is_whole_word(text: &str, range: Range<usize>) -> bool {
    !text[..range.start]
        .chars()
        .next_back()
        .is_some_and(is_word_char)
        && !text[range.end..].chars().next().is_some_and(is_word_char)
}

/// A mark that opens an item of a list.
fn is_bullet(c: char) -> bool {
    matches!(c, '-' | '•' | '*' | '–' | '—' | '·')
}

/// What a word between a description cue and a hit says of who speaks.
enum Speaker {
    /// The sender, of themselves ("we", "I", "our"), or asking the
    /// recipient ("please", "could you").
    Sender,
    /// A turn after which the sender may speak for themselves ("but").
    Turn,
}

/// What `word`, after `previous`, says of who speaks. In a report
/// (`reported`), the writer's "I" and "my" are the target's, not a
/// sender's ("offered me ... payment in USDT if I prefer"), unless the
/// writer offers ("I can pay", "I'll pay"), and a word turning to the
/// reader ends it; so it does in a description gone on past a sentence
/// (`continued`).
fn speaks_or_turns(previous: &str, word: &str, reported: bool, continued: bool) -> Option<Speaker> {
    let singular = WRITER.contains(&word) || word.starts_with("j'") || word.starts_with("m'");
    // "The US" is a country.
    let first_person =
        singular || (FIRST_PERSON.contains(&word) && !(word == "us" && previous == "the"));
    if (first_person && !(reported && singular))
        || (reported && previous == "i" && WRITER_OFFERS.contains(&word))
        || ((reported || continued) && ADDRESSEE.contains(&word))
        || ASKING.contains(&word)
        || (ASKED.contains(&word) && ASKING_MODALS.contains(&previous))
    {
        Some(Speaker::Sender)
    } else if DESCRIPTION_TURNS.contains(&word) {
        Some(Speaker::Turn)
    } else {
        None
    }
}

/// Words that join the last item of a list to the others.
const LIST_JOINS: &[&str] = &["or", "and", "nor", "oder", "und", "ou", "et", "ni"];

/// Words after which what follows is no longer governed by what came
/// before ("we don't need your CV, just the internal documents").
const LIST_BREAKS: &[&str] = &["just", "only", "but", "rather", "instead", "simply"];

/// Whether `comma` separates items of one list, the hit's among them,
/// given `between`, the text from the comma to the hit, and `after`, the
/// text after the hit. An enumeration comma (`、`) always does. After an
/// ASCII comma, the hit must open the item after the comma and a joining word ("or",
/// "and") must follow it within a few words ("X, Y or Z", the hit at Y),
/// or a joining word must stand between the comma and the hit after a
/// word of the item ("X, Y or Z", the hit at Z). A clause the comma
/// opens with a joining word ("no pressure, and we pay in crypto") is no
/// list item.
fn separates_items(comma: char, between: &str, after: &str) -> bool {
    if comma == '、' {
        return true;
    }
    fn words_of(text: &str) -> impl Iterator<Item = &str> {
        text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
            .filter(|w| !w.is_empty())
    }
    // `between` lies within the negation's byte window; only the start of
    // `after` is read, however long the text runs on without punctuation.
    if words_of(between).any(|w| LIST_BREAKS.contains(&w)) {
        return false;
    }
    if between.trim().is_empty() {
        let ahead = &after[..after.floor_char_boundary(LIST_LOOKAHEAD_BYTES)];
        let clause = &ahead[..ahead.find(is_clause_end).unwrap_or(ahead.len())];
        return words_of(clause).take(5).any(|w| LIST_JOINS.contains(&w));
    }
    words_of(between).count() <= 6 && words_of(between).skip(1).any(|w| LIST_JOINS.contains(&w))
}

/// How far after a hit [`separates_items`] looks for the word that joins a
/// list: five words of ordinary length.
const LIST_LOOKAHEAD_BYTES: usize = 64;

/// The automaton value of a literal that stands for the triggers at
/// `range` of `triggers`. A literal that stands for one thing, nearly
/// every one, holds that trigger itself, so that a match reads no other
/// memory (see [`Trigger::pack`]); the others hold the range.
fn automaton_value(triggers: &[Trigger], range: Range<u32>) -> Result<u64, RuleError> {
    if range.len() == 1
        && let Some(trigger) = triggers.get(range.start as usize)
    {
        return Ok(trigger.pack());
    }
    if u64::from(range.start) << 32 & INLINE_TRIGGER != 0 {
        return Err(RuleError::Automaton("too many literals".to_owned()));
    }
    Ok(u64::from(range.start) << 32 | u64::from(range.end))
}

/// The triggers an automaton value stands for: the one it holds, put in
/// `inline`, or those of its range of `triggers`.
fn triggers_of<'a>(value: u64, triggers: &'a [Trigger], inline: &'a mut Trigger) -> &'a [Trigger] {
    if let Some(trigger) = Trigger::unpack(value) {
        *inline = trigger;
        return std::slice::from_ref(inline);
    }
    let range = (value >> 32) as usize..(value & u64::from(u32::MAX)) as usize;
    triggers.get(range).unwrap_or_default()
}

/// The bit of an automaton value that marks a trigger held in the value.
const INLINE_TRIGGER: u64 = 1 << 63;

impl Trigger {
    /// The trigger as an automaton value: [`INLINE_TRIGGER`], then the
    /// flags of a phrase (bits 34 to 36), the kind (bits 32 and 33) and
    /// the index (bits 0 to 31).
    fn pack(&self) -> u64 {
        let (kind, index, flags) = match self {
            Trigger::Phrase(owner) => (
                0,
                owner.rule,
                u64::from(owner.left_boundary)
                    | u64::from(owner.right_boundary) << 1
                    | u64::from(owner.to_word_end) << 2,
            ),
            Trigger::Start(index) => (1, *index, 0),
            Trigger::Gate(index) => (2, *index, 0),
            Trigger::Cue(index) => (3, *index, 0),
        };
        INLINE_TRIGGER | flags << 34 | kind << 32 | u64::from(index)
    }

    /// The trigger an automaton value holds, if it holds one.
    fn unpack(value: u64) -> Option<Trigger> {
        if value & INLINE_TRIGGER == 0 {
            return None;
        }
        let index = value as u32;
        let flag = |bit: u32| value >> (34 + bit) & 1 == 1;
        Some(match value >> 32 & 3 {
            0 => Trigger::Phrase(PhraseOwner {
                rule: index,
                left_boundary: flag(0),
                right_boundary: flag(1),
                to_word_end: flag(2),
            }),
            1 => Trigger::Start(index),
            2 => Trigger::Gate(index),
            _ => Trigger::Cue(index),
        })
    }
}

/// An index of a rule or regex as the triggers keep it.
fn index32(index: usize) -> Result<u32, RuleError> {
    u32::try_from(index).map_err(|_| RuleError::Automaton("too many rules or regexes".to_owned()))
}

/// Punctuation that ends a clause, for negations.
fn is_clause_end(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | ';' | ',' | ':' | '\n' | '。' | '！' | '？' | '；' | '，' | '、' | '：'
    )
}

/// Letters and digits of scripts written with spaces between words. (The
/// CJK range test goes first: it spares CJK text the Unicode table lookup.)
fn is_word_char(c: char) -> bool {
    !is_cjk(c) && c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(rules: &str) -> RuleSet {
        let src = format!(
            "format = 1\nname = \"test\"\nnegations = [\"not\", \"no\", \"never\", \"不\"]\n{rules}"
        );
        RuleSet::compile(RulePack::parse(&src, "test").unwrap()).unwrap()
    }

    fn fired(set: &RuleSet, text: &str) -> Vec<String> {
        let mut hits = Vec::new();
        set.scan(text, Field::Messages, &mut hits);
        hits.iter()
            .map(|h| format!("{}={}", set.rules()[h.rule].id, &text[h.span.clone()]))
            .collect()
    }

    const TWO_RULES: &str = r#"
[[rule]]
id = "FW-OFFER-CRYPTO"
title = "crypto"
family = "offer"
weight = 1.0
phrases = ["crypto", "usdt", "加密货币"]

[[rule]]
id = "FW-REQUEST-DOCS"
title = "docs"
family = "request"
weight = 1.0
phrases = ["internal document*"]
regexes = ['non[- ]?public (?:information|data)']
"#;

    /// An offer rule called FW-OFFER-CRYPTO, matching with `matcher` (a
    /// `phrases` or `regexes` line).
    fn crypto_rule(matcher: &str) -> String {
        format!(
            "[[rule]]\nid = \"FW-OFFER-CRYPTO\"\ntitle = \"crypto\"\nfamily = \"offer\"\nweight = 1.0\n{matcher}\n"
        )
    }

    #[test]
    fn phrases_match_whole_words_on_the_normalised_text() {
        let set = pack(TWO_RULES);
        assert_eq!(fired(&set, "Paid in CRYPT0."), ["FW-OFFER-CRYPTO=CRYPT0"]);
        assert_eq!(fired(&set, "cryptography is fun"), Vec::<String>::new());
        assert_eq!(fired(&set, "用加密货币支付"), ["FW-OFFER-CRYPTO=加密货币"]);
        assert_eq!(
            fired(&set, "any internal documents?"),
            ["FW-REQUEST-DOCS=internal documents"]
        );
    }

    #[test]
    fn a_literal_standing_for_one_trigger_holds_it_in_its_value() {
        let owner = |rule, left_boundary, right_boundary, to_word_end| {
            Trigger::Phrase(PhraseOwner {
                rule,
                left_boundary,
                right_boundary,
                to_word_end,
            })
        };
        let triggers = [
            owner(0, false, false, false),
            owner(u32::MAX, true, false, true),
            owner(7, false, true, false),
            Trigger::Start(u32::MAX),
            Trigger::Gate(3),
            Trigger::Cue(0),
        ];
        let mut inline = Trigger::Cue(9);
        for (at, trigger) in (0u32..).zip(&triggers) {
            let value = automaton_value(&triggers, at..at + 1).unwrap();
            assert_eq!(
                triggers_of(value, &[], &mut inline),
                std::slice::from_ref(trigger)
            );
        }
        // Several triggers: their range.
        let value = automaton_value(&triggers, 2..5).unwrap();
        assert_eq!(Trigger::unpack(value), None);
        assert_eq!(triggers_of(value, &triggers, &mut inline), &triggers[2..5]);
        // A range no value can hold is refused rather than misread.
        assert!(automaton_value(&triggers, 1 << 31..(1 << 31) + 2).is_err());
    }

    #[test]
    fn regexes_report_spans_in_the_original() {
        let set = pack(TWO_RULES);
        assert_eq!(
            fired(&set, "Some NON-PUBLIC Information please"),
            ["FW-REQUEST-DOCS=NON-PUBLIC Information"]
        );
    }

    #[test]
    fn negations_cancel_negatable_hits() {
        let set = pack(TWO_RULES);
        assert!(fired(&set, "We do not want any internal documents.").is_empty());
        assert!(fired(&set, "我们不需要内部 internal documents").is_empty());
        assert_eq!(fired(&set, "No. Send internal documents").len(), 1);
        assert_eq!(fired(&set, "No rush, send internal documents").len(), 1);
        assert_eq!(
            fired(&set, "Not urgent but send internal documents").len(),
            1
        );
        assert_eq!(fired(&set, "不急，但是 internal documents").len(), 1);
        assert_eq!(
            fired(&set, "Not only that, send internal documents").len(),
            1
        );
        // "know" contains "no" but is not the word "no".
        assert_eq!(fired(&set, "I know internal documents matter").len(), 1);
    }

    #[test]
    fn a_negation_in_the_last_clause_of_a_hit_cancels_it() {
        let set = pack(&crypto_rule("regexes = ['pay (?:[^ ]+ ){0,6}in crypto']"));
        assert!(fired(&set, "We pay by bank transfer, never in crypto.").is_empty());
        assert!(fired(&set, "We pay by bank transfer, not in crypto.").is_empty());
        // A clause may end with a character of several bytes.
        assert!(fired(&set, "We pay by bank transfer 、 never in crypto.").is_empty());
        // Past the clause's negation, or with none in it, the hit stands.
        assert_eq!(
            fired(&set, "We pay by bank transfer, or in crypto.").len(),
            1
        );
        assert_eq!(
            fired(&set, "We pay quickly, no questions asked, in crypto.").len(),
            1
        );
        assert_eq!(fired(&set, "We pay you in crypto.").len(), 1);
    }

    fn described_pack() -> RuleSet {
        let src = format!(
            "format = 1\nname = \"test\"\ndescriptions = [\"be wary of\", \"fake recruiters\", \"msg offering\", \"可疑\"]\n{TWO_RULES}"
        );
        RuleSet::compile(RulePack::parse(&src, "test").unwrap()).unwrap()
    }

    #[test]
    fn described_offers_and_requests_are_not_the_senders() {
        let set = described_pack();
        let none = Vec::<String>::new();
        assert_eq!(fired(&set, "Be wary of anyone who pays in crypto."), none);
        // The items of a list of red flags, even past a "but" in one item.
        assert_eq!(
            fired(
                &set,
                "Be wary of any contact that:\n- gives no company details but is friendly;\n- pays in USDT;\n- asks for internal documents."
            ),
            none
        );
        // A first-person word inside a quotation is still described.
        assert_eq!(
            fired(
                &set,
                "He got a msg offering \"a fee in our crypto\" and more crypto"
            ),
            none
        );
        assert_eq!(fired(&set, "可疑的人会用加密货币付款"), none);
        // "The US" is a country, not the sender.
        assert_eq!(
            fired(&set, "Be wary of warnings by the US about crypto"),
            none
        );
    }

    #[test]
    fn the_sender_speaking_ends_a_description() {
        let set = described_pack();
        // Each text holds one hit that no description takes away.
        let speaking = [
            // The sender, of themselves.
            "Be wary of fake recruiters, we pay in crypto",
            "Be wary of fake recruiters, our fee is in crypto",
            // The sender, set apart from what the cue names.
            "Unlike the fake recruiters, the fee is in crypto",
            // A turn, outside a list.
            "Be wary of fake recruiters, but crypto is fine",
            // A semicolon that opens no item of a list ends the clause, and
            // so does a pronoun after ", and".
            "Be wary of fake recruiters; crypto is fine",
            "Be wary of fake recruiters, and you will be paid in crypto",
            "Be wary of fake recruiters, and it is paid in crypto",
            "Be wary of fake recruiters, et vous serez payé en crypto",
            // The end of the sentence.
            "Be wary of fake recruiters. Crypto it is.",
            // The sender, just before the cue.
            "I sent you a msg offering crypto",
            "We are wary of fake recruiters, send internal documents",
            // The sender asking the recipient, or a question.
            "Be wary of fake recruiters, could you take crypto",
            "Be wary of fake recruiters, please accept crypto",
            "Be wary of fake recruiters, is crypto fine for you?",
            // Chinese: the sender as 我.
            "可疑？我们用加密货币付款",
            // A quotation ends no sentence's reach: a description does not
            // run over the sentences of what it quotes, nor does a colon
            // make a description, or a sender could wrap a whole approach
            // in one ("Be wary of messages like this one: \"...\"").
            "Be wary of fake recruiters like this one: \"A firm. We pay in crypto.\"",
            "Details: \"We pay in crypto.\"",
        ];
        for text in speaking {
            assert_eq!(fired(&set, text).len(), 1, "{text}");
        }
        // A full stop inside a number ends no sentence.
        assert_eq!(
            fired(&set, "Be wary of offers of £5.5k in crypto"),
            Vec::<String>::new()
        );
        // An article after ", and" may open the next red flag of a list.
        assert_eq!(
            fired(
                &set,
                "Be wary of offers of cash, and the crypto they promise"
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_reported_offer_is_described_until_the_writer_turns_to_the_reader() {
        let src = format!(
            "format = 1\nname = \"test\"\nreports = [\"offered me\", \"several offered\"]\n{TWO_RULES}"
        );
        let set = RuleSet::compile(RulePack::parse(&src, "test").unwrap()).unwrap();
        let none = Vec::<String>::new();
        for report in [
            "Some recruiter offered me a fee in crypto",
            // Whoever speaks before it, and in a question.
            "A man I met offered me a fee in crypto",
            "Remember the one who offered me a fee in crypto?",
            "Several offered payment in crypto",
            // The writer's own words are the target's.
            "Some recruiter offered me a fee, in crypto if I prefer",
        ] {
            assert_eq!(fired(&set, report), none, "{report}");
        }
        for offer in [
            // The writer turns to the reader: the offer is theirs.
            "My client offered me a budget so you can be paid in crypto",
            "The client offered me a budget, ur fee is in crypto",
            // The sender speaks of themselves, or the sentence ends.
            "He offered me a budget and we pay in crypto",
            "The client offered me a budget and I can pay in crypto",
            "The client offered me a budget and I'll pay in crypto",
            "He offered me a budget. The fee is in crypto",
        ] {
            assert_eq!(fired(&set, offer).len(), 1, "{offer}");
        }
    }

    #[test]
    fn a_reported_hit_that_turns_to_the_reader_is_the_readers() {
        let src = "format = 1\nname = \"t\"\ndescriptions = [\"be wary of\"]\nreports = [\"asked me to\"]\n[[rule]]\nid = \"FW-OFFER-GIFT\"\ntitle = \"g\"\nfamily = \"offer\"\nweight = 1.0\nphrases = [\"for your trouble\", \"for his trouble\"]\n";
        let set = RuleSet::compile(RulePack::parse(src, "t").unwrap()).unwrap();
        assert_eq!(
            fired(&set, "He asked me to pass on an envelope for your trouble").len(),
            1
        );
        // So is one in a description gone on past a sentence.
        assert_eq!(
            fired(
                &set,
                "Be wary of fake recruiters. They give envelopes for your trouble"
            )
            .len(),
            1
        );
        assert_eq!(
            fired(&set, "He asked me to pass on an envelope for his trouble"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_description_goes_on_into_a_sentence_about_its_subject() {
        let src = format!(
            "format = 1\nname = \"test\"\ndescriptions = [\"be wary of\"]\nreports = [\"offered me\"]\n{TWO_RULES}"
        );
        let set = RuleSet::compile(RulePack::parse(&src, "test").unwrap()).unwrap();
        let none = Vec::<String>::new();
        for described in [
            "Some recruiter offered me a fee. It was to be paid in crypto.",
            "A man offered me a fee.\n- She then said crypto was fine.",
            "Be wary of fake recruiters. They pay in crypto. It is their hallmark.",
            "有人offered me a fee。他说可以用crypto。",
        ] {
            assert_eq!(fired(&set, described), none, "{described}");
        }
        for offer in [
            // Not a pronoun standing for the subject described.
            "Some recruiter offered me a fee. The fee is in crypto.",
            "Be wary of fake recruiters. We pay in crypto.",
            // Gone on as a report: a word turning to the reader ends it.
            "Be wary of fake recruiters. They will pay you in crypto.",
            "Some recruiter offered me a fee. It is for you, in crypto.",
            // A turn, or a quotation, ends it at the sentence's end.
            "Be wary of fake recruiters, but. They pay in crypto.",
            "Be wary of \"fake recruiters. They pay in crypto.\"",
        ] {
            assert_eq!(fired(&set, offer).len(), 1, "{offer}");
        }
    }

    #[test]
    fn each_field_is_matched_only_with_the_rules_that_read_it() {
        let set = pack(&format!(
            r#"{}
[[rule]]
id = "FW-PROFILE-HEADLINE"
title = "headline"
family = "profile"
weight = 1.0
fields = ["sender.headline", "messages"]
phrases = ["global opportunities"]
regexes = ['talent (?:consultant|partner)']
"#,
            crypto_rule(r#"phrases = ["crypto"]"#)
        ));
        assert!(set.reads(Field::Messages) && set.reads(Field::Headline));
        assert!(!set.reads(Field::Replies) && !set.reads(Field::About));
        let text = "Talent Consultant, Global Opportunities, paid in crypto";
        let ids = |field: Field| {
            let mut hits = Vec::new();
            set.scan(text, field, &mut hits);
            let mut ids: Vec<&str> = hits
                .iter()
                .map(|h| set.rules()[h.rule].id.as_str())
                .collect();
            ids.sort_unstable();
            ids
        };
        assert_eq!(
            ids(Field::Headline),
            ["FW-PROFILE-HEADLINE", "FW-PROFILE-HEADLINE"]
        );
        assert_eq!(
            ids(Field::Messages),
            [
                "FW-OFFER-CRYPTO",
                "FW-PROFILE-HEADLINE",
                "FW-PROFILE-HEADLINE"
            ]
        );
        assert!(ids(Field::Replies).is_empty());
    }

    #[test]
    fn a_field_read_only_by_regexes_without_literals_is_scanned() {
        let set = pack(
            r#"
[[rule]]
id = "FW-PROFILE-ABOUT"
title = "about"
family = "profile"
weight = 1.0
fields = ["sender.about"]
regexes = ['[a-z]{3}[0-9]{3}']
"#,
        );
        assert!(set.reads(Field::About) && !set.reads(Field::Messages));
        let mut hits = Vec::new();
        set.scan("ref abc123 here", Field::About, &mut hits);
        assert_eq!(hits.len(), 1, "{hits:?}");
    }

    #[test]
    fn a_literal_shared_by_rules_fires_each_and_hits_come_in_order() {
        let set = pack(
            r#"
[[rule]]
id = "FW-OFFER-CRYPTO"
title = "crypto"
family = "offer"
weight = 1.0
phrases = ["usdt"]
regexes = ['(?-u:\b)usdt (?:only|please)']

[[rule]]
id = "FW-OFFER-STABLECOIN"
title = "stablecoin"
family = "offer"
weight = 1.0
phrases = ["usdt", "paid in"]
"#,
        );
        assert_eq!(
            fired(&set, "Paid in USDT only."),
            [
                "FW-OFFER-STABLECOIN=Paid in",
                "FW-OFFER-CRYPTO=USDT",
                "FW-OFFER-STABLECOIN=USDT",
                "FW-OFFER-CRYPTO=USDT only",
            ]
        );
    }

    #[test]
    fn regex_matching_empty_is_refused() {
        let src = "format = 1\nname = \"t\"\n[[rule]]\nid = \"FW-A\"\ntitle = \"a\"\nfamily = \"offer\"\nweight = 1.0\nregexes = ['x*']\n";
        let err = RuleSet::compile(RulePack::parse(src, "t").unwrap()).unwrap_err();
        assert!(err.to_string().contains("empty string"), "{err}");
    }

    #[test]
    fn the_default_pack_compiles_and_passes_its_examples() {
        let set = RuleSet::default_pack().unwrap();
        let failures = set.test_examples();
        assert!(failures.is_empty(), "{failures:#?}");
        let (matching, no_match) = set.example_count();
        assert!(matching >= set.rules().len() && no_match >= set.rules().len());
    }
}

#[cfg(test)]
mod plan_tests {
    use super::*;
    use regex_automata::meta::Regex;

    #[test]
    fn almost_no_default_regex_searches_every_text() {
        let set = RuleSet::default_pack().unwrap();
        let total = set.regexes.len();
        let everywhere = set
            .regexes
            .iter()
            .filter(|p| !p.has_starts && !p.gated)
            .count();
        assert!(
            everywhere * 50 <= total,
            "{everywhere} of {total} regexes search every text"
        );
        let gated = set.regexes.iter().filter(|p| p.gated).count();
        assert!(
            gated * 10 >= total * 8,
            "only {gated} of {total} regexes are gated"
        );
    }

    /// The rule set of one rule with these regexes.
    fn regex_rule(regexes: &[&str]) -> RuleSet {
        let list: Vec<String> = regexes.iter().map(|r| format!("'{r}'")).collect();
        let src = format!(
            "format = 1\nname = \"t\"\n[[rule]]\nid = \"FW-A\"\ntitle = \"a\"\nfamily = \"offer\"\nweight = 1.0\nregexes = [{}]\n",
            list.join(", ")
        );
        RuleSet::compile(RulePack::parse(&src, "t").unwrap()).unwrap()
    }

    /// An amount in a cryptocurrency: started by a digit, gated by the
    /// currency.
    const AMOUNT: &str = r"(?-u:\b)[0-9][0-9,.]* ?(?:usdt|btc)(?-u:\b)";

    #[test]
    fn a_regex_tried_too_often_searches_the_whole_text() {
        let set = regex_rule(&[AMOUNT]);
        assert!(set.regexes.iter().all(|p| p.gated && p.has_starts));
        let pattern = Regex::new(AMOUNT).unwrap();
        // A digit starts a try; the last texts have more of them than one
        // regex is tried at.
        for numbers in [1, MAX_TRIES / 2, MAX_TRIES, 4 * MAX_TRIES] {
            let numbers: Vec<String> = (0..numbers)
                .map(|i| format!("{} items", 10 + i % 90))
                .collect();
            let text = format!("{}, 7 btc, 1,5 usdt 30 btc", numbers.join(", "));
            assert_eq!(Normalised::new(&text).as_str(), text);
            let mut hits = Vec::new();
            set.scan(&text, Field::Messages, &mut hits);
            let expected: Vec<Range<usize>> = pattern.find_iter(&text).map(|m| m.range()).collect();
            let found: Vec<Range<usize>> = hits.iter().map(|h| h.span.clone()).collect();
            assert_eq!(found, expected, "{} numbers", numbers.len());
            assert_eq!(found.len(), 3);
        }
    }

    #[test]
    fn a_trigger_takes_eight_bytes() {
        assert_eq!(std::mem::size_of::<Trigger>(), 8);
    }

    #[test]
    fn gated_and_started_regexes_find_every_match() {
        let set = regex_rule(&[AMOUNT, "(?:send|give) (?:[^ ]+ ){0,2}gifts?"]);
        assert!(set.regexes.iter().all(|p| p.gated));
        let mut hits = Vec::new();
        let text = "we pay 500 usdt and 2,000 btc, and send you gifts. send nothing else 12";
        set.scan(text, Field::Messages, &mut hits);
        let mut found: Vec<&str> = hits.iter().map(|h| &text[h.span.clone()]).collect();
        found.sort_unstable();
        assert_eq!(found, ["2,000 btc", "500 usdt", "send you gifts"]);
        hits.clear();
        set.scan("send 500 of them", Field::Messages, &mut hits);
        assert!(hits.is_empty());
    }
}

#[cfg(test)]
mod scan_properties {
    use super::*;
    use proptest::prelude::*;
    use regex_automata::meta::Regex;

    /// The default pack, compiled once for all the cases of a property.
    fn default_set() -> &'static RuleSet {
        static SET: std::sync::LazyLock<RuleSet> =
            std::sync::LazyLock::new(|| RuleSet::default_pack().unwrap());
        &SET
    }

    /// Words that overlap one another in many ways, and never normalise
    /// into something else (no single letters, digits or capitals).
    const WORDS: &[&str] = &["ab", "ba", "abc", "ca", "bca", "cab"];

    fn phrase() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(WORDS), 1..4).prop_map(|w| w.join(" "))
    }

    /// Every whole-word occurrence of `phrase` in `text`, found naively.
    fn occurrences(text: &str, phrase: &str) -> Vec<Range<usize>> {
        let word = |at: Option<&u8>| at.is_some_and(u8::is_ascii_alphanumeric);
        let bytes = text.as_bytes();
        (0..=text.len().saturating_sub(phrase.len()))
            .filter(|&i| text[i..].starts_with(phrase))
            .filter(|&i| i == 0 || !word(bytes.get(i - 1)))
            .filter(|&i| !word(bytes.get(i + phrase.len())))
            .map(|i| i..i + phrase.len())
            .collect()
    }

    proptest! {
        /// Each rule's phrases hit exactly where they stand as whole words,
        /// however the literals of several rules repeat and overlap.
        #[test]
        fn phrase_hits_are_every_whole_word_occurrence(
            rules in proptest::collection::vec(proptest::collection::vec(phrase(), 1..4), 1..4),
            text in proptest::collection::vec(proptest::sample::select(WORDS), 0..30),
        ) {
            let text = text.join(" ");
            let mut src = String::from("format = 1\nname = \"t\"\n");
            for (i, phrases) in rules.iter().enumerate() {
                let list: Vec<String> = phrases.iter().map(|p| format!("\"{p}\"")).collect();
                src.push_str(&format!(
                    "[[rule]]\nid = \"FW-R{i}\"\ntitle = \"r\"\nfamily = \"offer\"\nweight = 1.0\nphrases = [{}]\n",
                    list.join(", ")
                ));
            }
            let set = RuleSet::compile(RulePack::parse(&src, "t").unwrap()).unwrap();
            let mut hits = Vec::new();
            set.scan(&text, Field::Messages, &mut hits);
            let mut expected: Vec<Hit> = Vec::new();
            for (rule, phrases) in rules.iter().enumerate() {
                for phrase in phrases {
                    for span in occurrences(&text, phrase) {
                        expected.push(Hit { rule, span });
                    }
                }
            }
            expected.sort_by_key(|h| (h.span.start, h.span.end, h.rule));
            prop_assert_eq!(hits, expected);
        }

        /// Regexes tried only at their start literals, and only up to their
        /// last gate literal, hit exactly where a search of the whole text
        /// finds them.
        #[test]
        fn gated_regex_hits_are_every_match(
            text in proptest::collection::vec(proptest::sample::select(REGEX_WORDS), 0..80),
        ) {
            let text = text.join(" ");
            let src = format!(
                "format = 1\nname = \"t\"\n[[rule]]\nid = \"FW-A\"\ntitle = \"a\"\nfamily = \"offer\"\nweight = 1.0\nregexes = [{}]\n",
                GATED_REGEXES.iter().map(|r| format!("'{r}'")).collect::<Vec<_>>().join(", ")
            );
            let set = RuleSet::compile(RulePack::parse(&src, "t").unwrap()).unwrap();
            prop_assert!(set.regexes.iter().all(|p| p.gated && p.has_starts));
            let mut hits = Vec::new();
            set.scan(&text, Field::Messages, &mut hits);
            let mut expected: Vec<Hit> = Vec::new();
            for pattern in GATED_REGEXES {
                let regex = Regex::new(pattern).unwrap();
                for m in regex.find_iter(&text) {
                    expected.push(Hit { rule: 0, span: m.range() });
                }
            }
            expected.sort_by_key(|h| (h.span.start, h.span.end, h.rule));
            prop_assert_eq!(hits, expected);
        }
    }

    proptest! {
        /// Wherever the window before a hit holds a negation, a cue the
        /// walk finds stands between the window's bounds: leaving out the
        /// hits with none near them loses no negation. The cues are the
        /// default pack's, in texts made to put them at the window's edges,
        /// inside other words and next to CJK text.
        #[test]
        fn cue_sites_keep_every_negation(
            text in proptest::collection::vec(proptest::sample::select(NEGATION_PIECES), 0..60),
        ) {
            let set = default_set();
            let text = text.concat();
            // Every occurrence of every cue, as the walk records them.
            let cues: Vec<CueSite> = set
                .negations
                .as_ref()
                .unwrap()
                .find_overlapping_iter(&text)
                .map(|m| CueSite {
                    start: m.start(),
                    end: m.end(),
                    cjk: set.cue_is_cjk[m.pattern().as_usize()],
                    describes: false,
                    reports: false,
                })
                .collect();
            for at in (0..=text.len()).filter(|&at| text.is_char_boundary(at)) {
                let from = negation_reach(&text, at);
                if set.negated_from(&text[from..at], &text[at..]) {
                    prop_assert!(cue_between(&text, &cues, from, at), "{text:?} at {at}");
                }
            }
        }
    }

    proptest! {
        /// Texts scanned together, of several fields, hit as each scanned
        /// alone: the tries of the whole set, run regex by regex, go back to
        /// their own texts, with their own cues, and a match in one text
        /// hides no try in another; so do they when the tries run every few
        /// texts, as they do when many wait.
        #[test]
        fn texts_scanned_together_hit_as_each_alone(
            max_pending in prop_oneof![Just(MAX_PENDING), 0..40usize],
            texts in proptest::collection::vec(
                (
                    proptest::collection::vec(proptest::sample::select(SCAN_PIECES), 0..24),
                    proptest::sample::select(&[Field::Messages, Field::Replies, Field::Headline][..]),
                ),
                0..8,
            ),
        ) {
            let set = default_set();
            let normalised: Vec<(Normalised, Field)> = texts
                .iter()
                .map(|(pieces, field)| (Normalised::new(&pieces.concat()), *field))
                .collect();
            let together: Vec<(&Normalised, Field)> =
                normalised.iter().map(|(n, f)| (n, *f)).collect();
            let mut hits = vec![Vec::new(); together.len()];
            set.scan_many_holding(&together, &mut hits, max_pending);
            for ((text, field), found) in normalised.iter().zip(&hits) {
                let mut alone = Vec::new();
                set.scan_normalised(text, *field, &mut alone);
                prop_assert_eq!(found, &alone);
            }
        }
    }

    /// Pieces of the default pack's phrases and regexes: amounts, offers,
    /// channels, negations and the words between them.
    const SCAN_PIECES: &[&str] = &[
        "we pay ",
        "we will pay you ",
        "500 usdt ",
        "$2,000 ",
        "1 ",
        "for a short report ",
        "per page ",
        "don't tell your colleagues ",
        "not ",
        "continue on wechat ",
        "add me on whatsapp ",
        "your views on ",
        "before it is announced ",
        "the committee is considering ",
        "my client ",
        "prefers to remain anonymous ",
        "salary £60,000 - £70,000 ",
        "you and your family ",
        "flights covered ",
        "senior consultant ",
        "请加我微信",
        "报酬丰厚",
        ", ",
        ". ",
        "be wary of ",
        "offered me ",
        "several offered ",
        "unlike the fake recruiters ",
        "\"",
        "? ",
        "please ",
        "could you ",
        "but ",
        ": - ",
        "; - ",
        "可疑",
        "我",
    ];

    proptest! {
        /// Description and report cues only take hits away: every hit of
        /// the default pack is a hit of the same pack without them, at the
        /// same place.
        #[test]
        fn descriptions_only_take_hits_away(
            pieces in proptest::collection::vec(proptest::sample::select(SCAN_PIECES), 0..40),
        ) {
            static SETS: std::sync::LazyLock<(RuleSet, RuleSet)> = std::sync::LazyLock::new(|| {
                let pack = RulePack::parse(DEFAULT_PACK, "default").unwrap();
                let mut without = pack.clone();
                without.descriptions.clear();
                without.reports.clear();
                (RuleSet::compile(pack).unwrap(), RuleSet::compile(without).unwrap())
            });
            let (with, without) = &*SETS;
            let text = pieces.concat();
            let (mut described, mut all) = (Vec::new(), Vec::new());
            with.scan(&text, Field::Messages, &mut described);
            without.scan(&text, Field::Messages, &mut all);
            for hit in &described {
                prop_assert!(all.contains(hit), "{text:?}: {hit:?}");
            }
        }
    }

    /// Cues, words that hold one, turns, clause ends and CJK text.
    const NEGATION_PIECES: &[&str] = &[
        "not",
        "no",
        "never",
        "don't",
        "do not",
        "not only",
        "know",
        "note",
        "piano",
        "nor",
        "minor",
        "we pay",
        "a",
        "abcdefghijklmnopqrstuvwxyz",
        " ",
        " ",
        " ",
        ",",
        " but ",
        "不",
        "没有",
        "不用担心",
        "报酬",
        "x",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ];

    #[test]
    fn a_negation_governs_every_item_of_its_list() {
        let set = RuleSet::default_pack().unwrap();
        let fired = |text: &str| -> Vec<String> {
            let mut hits = Vec::new();
            set.scan(text, Field::Messages, &mut hits);
            hits.iter()
                .map(|h| set.rules()[h.rule].id.clone())
                .collect()
        };
        // Every item of a negated list is negated.
        for text in [
            "Experts must not share confidential information, internal documents or details of upcoming decisions.",
            "I won't ask about upcoming decisions, internal discussions or colleagues' views.",
            "我们不需要任何内部文件、会议纪要或未公开的信息。",
        ] {
            let requests: Vec<String> = fired(text)
                .into_iter()
                .filter(|id| id.starts_with("FW-REQUEST-"))
                .collect();
            assert!(requests.is_empty(), "{text}: {requests:?}");
        }
        // A clause after the comma is not a list item.
        for text in [
            "We don't need your CV, just the internal documents or drafts.",
            "No CV needed, and we would value the internal documents.",
            "不会有人知道，请把会议纪要发给我。",
        ] {
            assert!(
                fired(text).iter().any(|id| id == "FW-REQUEST-DOCUMENTS"),
                "{text}"
            );
        }
    }

    /// A window cut at its byte bound, inside a word, begins with a cue
    /// that is no whole word of the text: it still negates, and its site
    /// still counts.
    #[test]
    fn a_cue_at_the_cut_edge_of_the_window_counts() {
        let set = RuleSet::default_pack().unwrap();
        let text = format!("xnot {}", "a".repeat(200));
        let at = 1 + NEGATION_WINDOW_BYTES;
        let from = negation_reach(&text, at);
        assert_eq!(&text[from..from + 3], "not");
        assert!(set.negated_from(&text[from..at], &text[at..]));
        let cues = [CueSite {
            start: 1,
            end: 4,
            cjk: false,
            describes: false,
            reports: false,
        }];
        assert!(cue_between(&text, &cues, from, at));
        // One byte further on, the cue is outside the window.
        assert!(!cue_between(&text, &cues, from + 1, at + 1));
    }

    /// Regexes with start literals and gates (a part after the start, the
    /// end of the match), whose matches can nest and repeat.
    const GATED_REGEXES: &[&str] = &[
        r"(?:send|give) (?:[^ ]+ ){0,2}gifts?",
        r"(?:send|pay) [^.]{0,12}(?:usdt|btc)",
        r"(?:send|pay) (?:[a-z]+ )?[0-9]+ ?(?:usdt|btc)",
        // Started by a digit: tried at every one, or, past `MAX_TRIES` of
        // them, searched for in the whole text.
        r"[0-9][0-9 ]*(?:usdt|btc)",
    ];

    /// Words of those regexes, and others; none changes when normalised.
    const REGEX_WORDS: &[&str] = &[
        "send", "give", "pay", "gift", "gifts", "usdt", "btc", "you", "them", "and", ".", "12", "5",
    ];

    /// Pieces of text that reach the negation and description readers:
    /// cues, quotation marks of every kind, clause ends in several scripts,
    /// and words of the default pack's rules.
    const CUE_PIECES: &[&str] = &[
        "be wary of",
        "messages like",
        "not",
        "never",
        "no",
        "不",
        "可疑",
        "\"",
        "“",
        "”",
        "„",
        "«",
        "»",
        "「",
        "」",
        ",",
        "，",
        "、",
        ".",
        "?",
        "？",
        "。",
        ";",
        ":",
        "\n",
        "- ",
        "we",
        "please",
        "but",
        "pay",
        "paid",
        "by bank transfer",
        "in crypto",
        "usdt",
        "wechat",
        "internal documents",
        "加密货币",
        "é",
        " ",
    ];

    proptest! {
        /// Whatever the mix of cues, quotation marks and clause ends, the
        /// default pack's scan neither panics nor reports a span off the
        /// text's character boundaries.
        #[test]
        fn negations_and_descriptions_read_any_text(
            pieces in proptest::collection::vec(proptest::sample::select(CUE_PIECES), 0..60),
        ) {
            let text = pieces.join(" ");
            let mut hits = Vec::new();
            default_set().scan(&text, Field::Messages, &mut hits);
            for h in &hits {
                prop_assert!(text.get(h.span.clone()).is_some(), "{:?} in {:?}", h.span, text);
            }
        }
    }
}
