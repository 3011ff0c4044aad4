//! A rule's regex, compiled for the two ways a scan runs it.
//!
//! Nearly every regex is only *tried*, anchored, where one of its start
//! literals stands ([`super::literals`]): that needs the end of a match
//! beginning there, which a forward lazy DFA finds on its own. Only a regex
//! without start literals, or one with too many tries in a text, searches a
//! whole text, which also needs where each match begins: the full regex
//! (forward and reverse automata, a prefilter) is built for that on first
//! use. So loading a rule pack builds one automaton per regex instead of
//! two and a search strategy, and the regexes no text reaches are never
//! built whole.

use std::sync::{Arc, OnceLock};

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::meta::Regex;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::{Anchored, Input};
use regex_syntax::hir::Hir;

/// One regex: a forward lazy DFA for anchored tries, and the full regex
/// for whole-text searches, built when first needed.
#[derive(Debug, Clone)]
pub(super) struct CompiledRegex {
    hir: Hir,
    forward: DFA,
    whole: OnceLock<Option<Regex>>,
    /// Whether the full regex looks for its own literals first: only
    /// useful to a regex without start literals, which always searches
    /// whole texts.
    prefilter: bool,
}

impl CompiledRegex {
    /// Compiles `hir`, refusing it when its automaton would exceed
    /// `size_limit` bytes.
    pub(super) fn new(hir: Hir, size_limit: usize, prefilter: bool) -> Result<Self, String> {
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .nfa_size_limit(Some(size_limit))
                    .which_captures(WhichCaptures::None),
            )
            .build_from_hir(&hir)
            .map_err(|e| e.to_string())?;
        // A Unicode word boundary is read by the lazy DFA on ASCII text
        // only; it gives up on other text, and the full regex takes over.
        // So it does when text built to need a new state at nearly every
        // byte keeps clearing its cache (the settings the full regex's own
        // lazy DFA has): the full regex then falls back to an engine
        // without a cache, so the time stays linear in the text.
        let config = DFA::config()
            .unicode_word_boundary(true)
            .minimum_cache_clear_count(Some(3))
            .minimum_bytes_per_state(Some(10));
        let forward = DFA::builder()
            .configure(config)
            .build_from_nfa(nfa)
            .map_err(|e| e.to_string())?;
        Ok(CompiledRegex {
            hir,
            forward,
            whole: OnceLock::new(),
            prefilter,
        })
    }

    /// A cache for the forward DFA, which every try reads and extends.
    pub(super) fn create_cache(&self) -> Cache {
        self.forward.create_cache()
    }

    /// Whether the regex matches the empty string.
    pub(super) fn matches_empty(&self) -> bool {
        let mut cache = self.create_cache();
        self.match_end_at(&mut cache, "", 0).is_some()
    }

    /// The end of the leftmost-first match that begins at `at`, if one does.
    pub(super) fn match_end_at(&self, cache: &mut Cache, text: &str, at: usize) -> Option<usize> {
        let input = Input::new(text).range(at..).anchored(Anchored::Yes);
        match self.forward.try_search_fwd(cache, &input) {
            Ok(found) => found.map(|m| m.offset()),
            Err(_) => self
                .whole()
                .and_then(|regex| regex.search_half(&input))
                .map(|m| m.offset()),
        }
    }

    /// The full regex, for searches of whole texts; built on first use.
    ///
    /// `None` only if it cannot be built, which [`CompiledRegex::new`]
    /// rules out in practice: its size limit bounds the forward automaton,
    /// and the reverse one is of the same size; this one has no limit.
    pub(super) fn whole(&self) -> Option<&Regex> {
        self.whole
            .get_or_init(|| {
                let config = Regex::config()
                    .nfa_size_limit(None)
                    .auto_prefilter(self.prefilter);
                Regex::builder()
                    .configure(config)
                    .build_from_hir(&self.hir)
                    .ok()
            })
            .as_ref()
    }
}

/// One cache for each regex of a rule set, created on its first try.
type Caches = Vec<Option<Cache>>;

/// The forward DFAs' caches, one set for each thread scanning with a rule
/// set at the same time.
pub(super) struct TryCaches(Arc<Pool<Caches, fn() -> Caches>>);

impl TryCaches {
    pub(super) fn new() -> Self {
        TryCaches(Arc::new(Pool::new(Vec::new)))
    }

    /// This thread's caches, for as long as the guard lives.
    pub(super) fn get(&self) -> PoolGuard<'_, Caches, fn() -> Caches> {
        self.0.get()
    }
}

impl Clone for TryCaches {
    /// A copy of a rule set starts with caches of its own.
    fn clone(&self) -> Self {
        TryCaches::new()
    }
}

impl std::fmt::Debug for TryCaches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TryCaches")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(pattern: &str) -> CompiledRegex {
        let hir = regex_syntax::parse(pattern).unwrap();
        CompiledRegex::new(hir, 8 << 20, false).unwrap()
    }

    #[test]
    fn a_try_finds_the_end_of_the_match_beginning_there() {
        let regex = compiled(r"(?-u:\b)pay(?:ment)? in (?:crypto|cash)(?-u:\b)");
        let mut cache = regex.create_cache();
        let text = "we pay in cash or payment in crypto";
        assert_eq!(regex.match_end_at(&mut cache, text, 3), Some(14));
        assert_eq!(regex.match_end_at(&mut cache, text, 18), Some(35));
        assert_eq!(regex.match_end_at(&mut cache, text, 0), None);
        assert_eq!(regex.match_end_at(&mut cache, text, 4), None);
    }

    #[test]
    fn a_unicode_word_boundary_falls_back_to_the_full_regex() {
        let regex = compiled(r"\bvergütung\b");
        let mut cache = regex.create_cache();
        assert_eq!(
            regex.match_end_at(&mut cache, "die vergütung ist", 4),
            Some(14)
        );
        assert_eq!(regex.match_end_at(&mut cache, "die vergütungen", 4), None);
    }

    #[test]
    fn whole_text_searches_find_starts_and_ends() {
        let regex = compiled(r"(?-u:\b)[0-9]+ ?usdt(?-u:\b)");
        let found: Vec<_> = regex
            .whole()
            .unwrap()
            .find_iter("send 500 usdt or 20usdt")
            .map(|m| m.range())
            .collect();
        assert_eq!(found, vec![5..13, 17..23]);
    }

    #[test]
    fn empty_matches_are_seen() {
        assert!(compiled(r"(?:pay)?").matches_empty());
        assert!(!compiled(r"(?-u:\b)").matches_empty());
        assert!(!compiled(r"pay").matches_empty());
    }
}
