//! Text normalisation for matching, with a map back to the original text.
//!
//! Rules match against a normalised copy of each text, so that "ＷｅＣｈａｔ",
//! "W e C h a t", "w.e.c.h.a.t", "We\u{200b}Chat" and "WеChat" (with a Cyrillic
//! `е`) all read `wechat`, and "crypt0" reads `crypto`. Every byte of the
//! normalised text remembers which bytes of the original it came from, so a
//! match found in the normalised text is reported as a span of the original:
//! evidence offsets always point into what the user wrote.
//!
//! The steps, in order:
//!
//! 1. zero-width and invisible format characters are dropped;
//! 2. each character with its combining marks is put in Unicode NFKC and
//!    case-folded (lower case, with the full folds of `ß` and final sigma);
//!    typographic apostrophes and quotes become `'` and `"`;
//! 3. letters that are confusable with an ASCII letter or digit (Unicode
//!    TS #39, e.g. Cyrillic `а`, Greek `ο`) become that ASCII character;
//! 4. runs of white space become one space;
//! 5. runs of three or more single letters separated by one space, dot,
//!    hyphen, underscore or asterisk are joined ("w e c h a t" → "wechat"),
//!    and a CJK character standing alone between spaces is joined to the
//!    CJK text beside it, as those scripts use no spaces ("加我 微 信" →
//!    "加我微信");
//! 6. digits inside words that also hold letters are read as the letters they
//!    imitate ("crypt0" → "crypto", "p4yment" → "payment").
//!
//! Names, organisations and URLs are compared by their confusable
//! [`skeleton`] instead.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::swar;

/// A normalised text with the origin of each of its bytes in the original.
#[derive(Debug, Clone, Default)]
pub struct Normalised {
    text: String,
    /// Where the bytes of `text` came from, piece by piece.
    origin: Origins,
}

impl Normalised {
    /// Normalises `original` for matching.
    ///
    /// Texts longer than `u32::MAX` bytes are not supported; callers bound
    /// message sizes well below that.
    pub fn new(original: &str) -> Self {
        if original.is_ascii() {
            return de_leet(join_spaced_letters(fold_ascii(original)));
        }
        let folded = fold_confusables(fold_characters(original), original);
        de_leet(join_spaced_cjk(join_spaced_letters(folded)))
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// A cursor for mapping bytes back to the original in increasing order.
    pub fn cursor(&self) -> OriginCursor<'_> {
        OriginCursor {
            pieces: &self.origin.pieces,
            index: 0,
        }
    }

    /// Maps a byte range of the normalised text to the byte range of the
    /// original text it came from.
    ///
    /// The result always lies on character boundaries of the original. An
    /// empty or out-of-bounds range maps to an empty range.
    #[inline]
    pub fn original_span(&self, range: Range<usize>) -> Range<usize> {
        let len = self.text.len();
        let end = range.end.min(len);
        if range.start >= end {
            let at = if range.start < len {
                self.origin.of(range.start).0
            } else if len > 0 {
                self.origin.of(len - 1).1
            } else {
                0
            };
            return at as usize..at as usize;
        }
        let start = self.origin.of(range.start).0 as usize;
        let stop = self.origin.of(end - 1).1 as usize;
        start..stop.max(start)
    }
}

/// One stretch of a normalised text and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    /// Where the piece starts in the normalised text.
    at: u32,
    /// Where its source starts in the original.
    from: u32,
    /// For a piece that came from one character (or a character and its
    /// marks): where that source ends, shared by every byte of the piece.
    /// `None` for a copy, whose bytes each came from the original byte at
    /// the same distance from `from`.
    whole: Option<u32>,
}

/// The byte range of the original that byte `at` came from, given the
/// piece that holds it.
#[inline]
fn source_of(piece: Option<&Piece>, at: usize) -> (u32, u32) {
    match piece {
        Some(Piece {
            at: start,
            from,
            whole: None,
        }) => {
            let byte = from + (at as u32 - start);
            (byte, byte + 1)
        }
        Some(Piece {
            from,
            whole: Some(to),
            ..
        }) => (*from, *to),
        None => (0, 0),
    }
}

/// Maps bytes of a normalised text back to the original when they are
/// asked for in increasing order, as a reader going through the text does:
/// each lookup moves on from the piece of the last one instead of searching
/// all the pieces again.
#[derive(Debug, Clone)]
pub struct OriginCursor<'a> {
    pieces: &'a [Piece],
    index: usize,
}

impl OriginCursor<'_> {
    /// Where byte `at` (within the text) came from: the start of
    /// [`Normalised::original_span`] of that one byte.
    #[inline]
    pub fn original_start(&mut self, at: usize) -> usize {
        let target = at as u32;
        if self.pieces.get(self.index).is_some_and(|p| p.at > target) {
            // Asked for an earlier byte: start over.
            self.index = 0;
        }
        while self
            .pieces
            .get(self.index + 1)
            .is_some_and(|p| p.at <= target)
        {
            self.index += 1;
        }
        source_of(self.pieces.get(self.index), at).0 as usize
    }
}

/// The origin of every byte of a normalised text, stored as pieces: most
/// text is copied byte for byte (ASCII, lower-cased), so one piece covers
/// a whole stretch between collapsed white space, and only characters that
/// normalisation rewrote get a piece each.
#[derive(Debug, Clone, Default)]
struct Origins {
    pieces: Vec<Piece>,
}

impl Origins {
    /// The byte range of the original that byte `at` of the normalised
    /// text came from. `at` must be within the text.
    #[inline]
    fn of(&self, at: usize) -> (u32, u32) {
        let index = self
            .pieces
            .partition_point(|p| p.at <= at as u32)
            .saturating_sub(1);
        source_of(self.pieces.get(index), at)
    }

    /// Records that the normalised bytes from `at` on came from `from`
    /// (`whole`: see [`Piece`]), unless the last piece already says so.
    #[inline]
    fn record(&mut self, at: usize, from: (u32, u32), one_byte: bool) {
        let at = at as u32;
        let copied = one_byte && from.1 == from.0 + 1;
        if let Some(last) = self.pieces.last() {
            let continues = match last.whole {
                None => copied && last.from + (at - last.at) == from.0,
                Some(to) => !copied && last.from == from.0 && to == from.1,
            };
            if continues {
                return;
            }
        }
        self.pieces.push(Piece {
            at,
            from: from.0,
            whole: (!copied).then_some(from.1),
        });
    }
}

/// Builds a normalised text one piece at a time, remembering origins.
struct Builder {
    text: String,
    origin: Origins,
    /// Whether the text ends in a space (or is empty): white space that
    /// follows is dropped.
    last_space: bool,
}

impl Builder {
    fn with_capacity(n: usize) -> Self {
        Self {
            text: String::with_capacity(n),
            // A piece for every few words is usual when spaces collapse or
            // characters are rewritten; sized once rather than grown.
            origin: Origins {
                pieces: Vec::with_capacity(n / 32 + 4),
            },
            last_space: true,
        }
    }

    /// Pushes a character that came from the original bytes `from`.
    #[inline]
    fn push(&mut self, c: char, from: (u32, u32)) {
        self.origin.record(self.text.len(), from, c.len_utf8() == 1);
        self.text.push(c);
    }

    /// Pushes a folded character: white space becomes one space, unless
    /// the text already ends in one.
    #[inline]
    fn push_folded(&mut self, c: char, from: (u32, u32)) {
        if c.is_whitespace() {
            if !self.last_space {
                self.push(' ', from);
                self.last_space = true;
            }
        } else {
            self.push(c, from);
            self.last_space = false;
        }
    }

    /// Steps 1 to 4 for the ASCII characters `range` of `original`: lower
    /// case and collapsed white space, one origin piece per stretch between
    /// collapses.
    fn push_ascii_run(&mut self, original: &str, range: Range<usize>) {
        let at = self.text.len();
        let Some(ascii) = original.get(range.clone()) else {
            return;
        };
        self.text.push_str(ascii);
        let run = &mut self.text[at..];
        run.make_ascii_lowercase();
        let run = run.as_bytes();
        // Most text has nothing to collapse: single spaces between words.
        if single_spaced(run, self.last_space) {
            if let Some(&last) = run.last() {
                let from = range.start as u32;
                self.origin.record(at, (from, from + 1), true);
                self.last_space = last == b' ';
            }
            return;
        }
        // Pushed again, collapsed.
        self.text.truncate(at);
        for (read, b) in ascii.bytes().enumerate() {
            let from = (range.start + read) as u32;
            self.push_folded(char::from(b.to_ascii_lowercase()), (from, from + 1));
        }
    }

    /// Copies the bytes `range` of `input` (on character boundaries), with
    /// their origins.
    fn copy(&mut self, input: &Normalised, range: Range<usize>) {
        let Some(text) = input.text.get(range.clone()) else {
            return;
        };
        let pieces = &input.origin.pieces;
        let first = pieces
            .partition_point(|p| p.at as usize <= range.start)
            .saturating_sub(1);
        for piece in &pieces[first..] {
            let piece_start = (piece.at as usize).max(range.start);
            if piece_start >= range.end {
                break;
            }
            let at = self.text.len() + (piece_start - range.start);
            match piece.whole {
                None => {
                    let from = piece.from + (piece_start - piece.at as usize) as u32;
                    self.origin.record(at, (from, from + 1), true);
                }
                Some(to) => self.origin.record(at, (piece.from, to), false),
            }
        }
        self.text.push_str(text);
        self.last_space = text.ends_with(' ');
    }

    fn finish(self) -> Normalised {
        Normalised {
            text: self.text,
            origin: self.origin,
        }
    }
}

/// White space in ASCII, as `char::is_whitespace` has it: vertical tab too.
fn is_ascii_space(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0x0B
}

/// Whether the white space of `run` (which follows a space when
/// `space_before`) is all single spaces: nothing to collapse. Eight bytes
/// are tested at a time; only a word that may hold a control byte (tab,
/// line feed and the like) or a space after a space is read byte by byte.
fn single_spaced(run: &[u8], space_before: bool) -> bool {
    let exact = |bytes: &[u8], mut space_before: bool| {
        bytes.iter().all(|&b| {
            let space = is_ascii_space(b);
            let keep = !space || (b == b' ' && !space_before);
            space_before = space;
            keep
        })
    };
    let mut chunks = run.chunks_exact(8);
    let mut before = space_before;
    for chunk in &mut chunks {
        let word = swar::load(chunk);
        let spaces = swar::equal(word, b' ');
        // A space marked where the byte before it (or the one before the
        // word) is one too.
        let doubled = spaces & ((spaces << 8) | (u64::from(before) << 7));
        if (swar::below(word, 0x0E) | doubled) != 0 && !exact(chunk, before) {
            return false;
        }
        // The word has no white space but single spaces.
        before = chunk[7] == b' ';
    }
    exact(chunks.remainder(), before)
}

/// Steps 1 to 4 for a text that is all ASCII.
fn fold_ascii(original: &str) -> Normalised {
    let mut out = Builder::with_capacity(original.len());
    out.push_ascii_run(original, 0..original.len());
    out.finish()
}

/// Characters that carry no visible content and are used to split keywords.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Steps 1 to 4: invisible characters, NFKC, case folding, confusables and
/// white space.
fn fold_characters(original: &str) -> Normalised {
    let bytes = original.as_bytes();
    let mut out = Builder::with_capacity(original.len());
    let mut segment = String::new();
    let mut i = 0;
    while i < bytes.len() {
        // The common case: a run of ASCII characters that no combining mark
        // can follow (the run's last byte is handled below when a
        // non-ASCII character comes next).
        let run = swar::find_non_ascii(&bytes[i..])
            .map_or(bytes.len(), |n| (i + n).saturating_sub(1).max(i));
        if run > i {
            out.push_ascii_run(original, i..run);
            i = run;
            continue;
        }
        // `i` is on a character boundary: it only ever moves by whole
        // characters.
        let mut chars = original[i..].char_indices().peekable();
        let Some((_, c)) = chars.next() else {
            break;
        };
        let mut consumed = c.len_utf8();
        if is_invisible(c) {
            i += consumed;
            continue;
        }
        // A segment is a character and the combining marks that follow it.
        let mut end = consumed;
        let mut marked = false;
        segment.clear();
        segment.push(c);
        while let Some(&(j, n)) = chars.peek() {
            if is_combining_mark(n) {
                segment.push(n);
                end = j + n.len_utf8();
                marked = true;
            } else if !is_invisible(n) {
                break;
            }
            consumed = j + n.len_utf8();
            chars.next();
        }
        let from = (i as u32, (i + end) as u32);
        i += consumed;
        if !marked && (c.is_ascii() || is_unified_ideograph(c)) {
            // A lone ASCII character followed by a non-ASCII one, or an
            // ideograph: NFKC and case folding leave both as they are.
            out.push_folded(c.to_ascii_lowercase(), from);
            continue;
        }
        for n in segment.nfkc() {
            match n {
                'ß' | 'ẞ' => {
                    out.push_folded('s', from);
                    out.push_folded('s', from);
                }
                'ς' => out.push_folded('σ', from),
                // Typographic apostrophes and quotes read as plain ones.
                '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{2032}' => out.push_folded('\'', from),
                '\u{201C}' | '\u{201D}' | '\u{2033}' => out.push_folded('"', from),
                _ => {
                    for l in n.to_lowercase() {
                        out.push_folded(l, from);
                    }
                }
            }
        }
    }
    out.finish()
}

/// Whether `c` is a CJK unified ideograph (base block or extension A):
/// characters that NFKC keeps and that have no case.
fn is_unified_ideograph(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF)
}

/// The ASCII letter or digit a single character is confusable with, for the
/// alphabets commonly used to disguise Latin keywords.
pub(crate) fn confusable_ascii(c: char) -> Option<char> {
    if !in_lookalike_block(c) {
        return None;
    }
    let mut buf = [0u8; 4];
    let mut skeleton = unicode_security::skeleton(c.encode_utf8(&mut buf));
    let first = skeleton.next()?;
    if skeleton.next().is_some() || !first.is_ascii_alphanumeric() {
        return None;
    }
    Some(first.to_ascii_lowercase())
}

/// Whether `c` belongs to one of the alphabets [`confusable_ascii`] reads.
fn in_lookalike_block(c: char) -> bool {
    matches!(c as u32,
        0x0100..=0x024F   // Latin extended
        | 0x0250..=0x02AF // IPA
        | 0x0370..=0x03FF // Greek
        | 0x0400..=0x052F // Cyrillic
        | 0x0530..=0x058F // Armenian
        | 0x13A0..=0x13FF // Cherokee
        | 0x1D00..=0x1DBF // phonetic extensions
        | 0x2100..=0x214F // letterlike symbols
        | 0xA640..=0xA69F // Cyrillic extended-B
    )
}

/// Whether `text` holds a character of those alphabets. Runs of ASCII,
/// most of most texts, are skipped eight bytes at a time.
fn holds_lookalike(text: &str) -> bool {
    let mut at = 0;
    while let Some(n) = swar::find_non_ascii(&text.as_bytes()[at..]) {
        // `at` only moves by whole characters: `at + n` starts one.
        at += n;
        let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else {
            return false;
        };
        if in_lookalike_block(c) {
            return true;
        }
        at += c.len_utf8();
    }
    false
}

/// Step 3: inside words that mix ASCII letters with letters of another
/// alphabet ("WеChat" with a Cyrillic `е`), the look-alikes become the ASCII
/// letters they imitate. Words wholly in another alphabet are left alone:
/// Russian or Greek text stays Russian or Greek.
fn fold_confusables(input: Normalised, original: &str) -> Normalised {
    // A character imitates an ASCII letter only if it, or what it was
    // written as, is of a look-alike alphabet: most texts that are not
    // ASCII (curly quotes, accents, Chinese) hold none.
    if input.text.is_ascii() || !(holds_lookalike(&input.text) || holds_lookalike(original)) {
        return input;
    }
    let text = input.text.as_str();
    // The letter a folded character imitates, judged on the character as it
    // was written: a capital such as Cyrillic `Н` or `Т` imitates `H` or `T`,
    // while its lower case `н` or `т` imitates nothing.
    let imitated = |at: usize, c: char| {
        let (start, end) = input.origin.of(at);
        let written = original.get(start as usize..end as usize).and_then(|w| {
            let mut chars = w.chars();
            chars.next().filter(|_| chars.next().is_none())
        });
        written
            .and_then(confusable_ascii)
            .or_else(|| confusable_ascii(c))
    };
    // Only mixed words are rebuilt; the text between them is copied.
    let mut out = Builder::with_capacity(text.len());
    let mut copied_to = 0;
    let mut word_start = 0;
    let word_ends = text
        .char_indices()
        .filter(|(_, c)| !c.is_alphanumeric())
        .map(|(i, c)| (i, i + c.len_utf8()))
        .chain(std::iter::once((text.len(), text.len())));
    for (word_end, next) in word_ends {
        let word = &text[word_start..word_end];
        let mixed = !word.is_ascii()
            && word.bytes().any(|b| b.is_ascii_alphabetic())
            && word
                .char_indices()
                .any(|(i, c)| !c.is_ascii() && imitated(word_start + i, c).is_some());
        if mixed {
            out.copy(&input, copied_to..word_start);
            for (i, c) in word.char_indices() {
                let at = word_start + i;
                let c = if c.is_ascii() {
                    c
                } else {
                    imitated(at, c).unwrap_or(c)
                };
                out.push(c, input.origin.of(at));
            }
            copied_to = word_end;
        }
        word_start = next;
    }
    out.copy(&input, copied_to..text.len());
    out.finish()
}

/// Separators between the letters of a spaced-out word.
fn is_letter_separator(c: char) -> bool {
    matches!(c, ' ' | '.' | '-' | '_' | '*' | '·' | '/' | '|')
}

/// Step 5: joins runs of three or more single letters separated by one
/// separator, such as "w e c h a t" or "w.e.c.h.a.t".
fn join_spaced_letters(input: Normalised) -> Normalised {
    let runs = spaced_runs(input.as_str());
    if runs.is_empty() {
        return input;
    }
    let text = input.as_str();
    let mut out = Builder::with_capacity(text.len());
    let mut copied_to = 0;
    for run in runs {
        out.copy(&input, copied_to..run.start);
        // Letters and separators alternate; the letters are kept.
        for (at, c) in text[run.clone()].char_indices().step_by(2) {
            out.push(c, input.origin.of(run.start + at));
        }
        copied_to = run.end;
    }
    out.copy(&input, copied_to..text.len());
    out.finish()
}

/// Step 5, for CJK: drops the spaces around a CJK character that stands
/// alone between them, where CJK text stands on the other side ("加我 微 信"
/// → "加我微信"). Spaces between longer words stay: one may set apart an
/// address or a name ("郵箱 王芳@example.org").
fn join_spaced_cjk(input: Normalised) -> Normalised {
    let text = input.as_str();
    let bytes = text.as_bytes();
    let alone = |word: &str| {
        let mut chars = word.chars();
        matches!((chars.next(), chars.next()), (Some(c), None) if is_cjk(c))
    };
    // Whether the space at `at` goes: a space is ASCII, so the words either
    // side of it are on boundaries.
    let joins = |at: usize| {
        let left = text[..at].rsplit(' ').next().unwrap_or_default();
        let right = text[at + 1..].split(' ').next().unwrap_or_default();
        alone(right) && left.chars().next_back().is_some_and(is_cjk)
            || alone(left) && right.chars().next().is_some_and(is_cjk)
    };
    let dropped: Vec<usize> = memchr::memchr_iter(b' ', bytes)
        .filter(|&at| {
            // CJK characters take three or four bytes: most spaces have an
            // ASCII byte on one side, and are passed over at once.
            let after_multibyte = at
                .checked_sub(1)
                .and_then(|i| bytes.get(i))
                .is_some_and(|b| (0x80..0xC0).contains(b));
            let before_cjk_range = bytes.get(at + 1).is_some_and(|&b| b >= 0xE3);
            after_multibyte && before_cjk_range && joins(at)
        })
        .collect();
    if dropped.is_empty() {
        return input;
    }
    let mut out = Builder::with_capacity(text.len());
    let mut copied_to = 0;
    for at in dropped {
        out.copy(&input, copied_to..at);
        copied_to = at + 1;
    }
    out.copy(&input, copied_to..text.len());
    out.finish()
}

/// A unit of text the spaced-letter search looks at: a byte of ASCII text,
/// or a character of any other.
trait Unit: Copy {
    fn is_letter(self) -> bool;
    fn is_separator(self) -> bool;
    fn is_alnum(self) -> bool;

    /// The first index from `from` on where a run could start: every run
    /// has separators one and three units after its start. Never past such
    /// an index; this default looks at each unit in turn.
    fn next_candidate(_units: &[Self], from: usize) -> usize {
        from
    }
}

impl Unit for u8 {
    fn is_letter(self) -> bool {
        self.is_ascii_alphabetic()
    }
    fn is_separator(self) -> bool {
        self.is_ascii() && is_letter_separator(char::from(self))
    }
    fn is_alnum(self) -> bool {
        self.is_ascii_alphanumeric()
    }

    /// Separators two bytes apart are rare in text, the mark of a letter
    /// standing alone: eight bytes are tested at a time.
    fn next_candidate(units: &[u8], from: usize) -> usize {
        // Bytes that may be separators: every byte from 0x20 to 0x2f
        // (space, `*`, `-`, `.`, `/` and others), `_` and `|`.
        let separators = |word: u64| {
            swar::equal(word & (0xf0 * swar::ONES), 0x20)
                | swar::equal(word, b'_')
                | swar::equal(word, b'|')
        };
        // The window starts one byte after the candidate start.
        let mut at = from + 1;
        while let Some(window) = units.get(at..at + 8) {
            let marks = separators(swar::load(window));
            // Byte k and byte k + 2 of the window both maybe separators
            // (a mark above a true one may be false: the caller tests).
            let pairs = marks & (marks >> 16);
            if pairs != 0 {
                return at + swar::first(pairs) - 1;
            }
            // Pairs starting at bytes 0 to 5 were tested.
            at += 6;
        }
        at - 1
    }
}

impl Unit for char {
    fn is_letter(self) -> bool {
        !is_cjk(self) && self.is_alphabetic()
    }
    fn is_separator(self) -> bool {
        is_letter_separator(self)
    }
    fn is_alnum(self) -> bool {
        self.is_alphanumeric()
    }
}

/// The byte ranges of `text` holding runs that [`join_spaced_letters`]
/// joins, from the first letter to the last.
fn spaced_runs(text: &str) -> Vec<Range<usize>> {
    if text.is_ascii() {
        return spaced_unit_runs(text.as_bytes());
    }
    if !may_hold_spaced_run(text) {
        return Vec::new();
    }
    let chars: Vec<char> = text.chars().collect();
    // Runs are rare and come in order: their byte offsets are counted in
    // one walk, as they are needed.
    let (mut index, mut offset) = (0, 0);
    let mut offset_of = |to: usize| {
        offset += chars[index..to].iter().map(|c| c.len_utf8()).sum::<usize>();
        index = to;
        offset
    };
    spaced_unit_runs(&chars)
        .into_iter()
        .map(|r| offset_of(r.start)..offset_of(r.end))
        .collect()
}

/// Whether `text` may hold a run [`spaced_unit_runs`] finds, read on bytes
/// rather than characters: a run has one character standing between two
/// separators, after a character that follows no ASCII letter or digit.
/// Text that is not ASCII seldom has one, and is then spared the character
/// by character search.
fn may_hold_spaced_run(text: &str) -> bool {
    let bytes = text.as_bytes();
    let char_at = |at: usize| text.get(at..).and_then(|rest| rest.chars().next());
    // The length of the separator starting at `at`, or 0.
    let separator = |at: usize| {
        char_at(at)
            .filter(|c| is_letter_separator(*c))
            .map_or(0, char::len_utf8)
    };
    (1..bytes.len()).any(|at| {
        if !may_start_separator(bytes[at]) {
            return false;
        }
        let after = separator(at);
        let Some(before) = text.get(..at).and_then(|t| t.chars().next_back()) else {
            return false;
        };
        let start = at - before.len_utf8();
        if after == 0 || start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
            return false;
        }
        let middle = at + after;
        char_at(middle).is_some_and(|c| separator(middle + c.len_utf8()) > 0)
    })
}

/// Whether `byte` may be the first byte of a separator: an ASCII separator,
/// or the first byte of `·`. Other bytes are passed over without decoding.
fn may_start_separator(byte: u8) -> bool {
    byte == 0xC2 || byte.is_ascii() && is_letter_separator(char::from(byte))
}

/// Runs of three or more single letters, each separated by one separator,
/// with no letter or digit just before or just after: ranges of unit
/// indices, from the first letter to the last.
fn spaced_unit_runs<U: Unit>(units: &[U]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let single_after = |j: usize| units.get(j).is_none_or(|u| !u.is_alnum());
    let mut i = 0;
    while i + 4 < units.len() {
        i = U::next_candidate(units, i);
        if i + 4 >= units.len() {
            break;
        }
        // Most units fail the first test: a separator after a letter.
        if !(units[i + 1].is_separator()
            && units[i].is_letter()
            && (i == 0 || !units[i - 1].is_alnum()))
        {
            i += 1;
            continue;
        }
        let mut last = i;
        while last + 2 < units.len()
            && units[last + 1].is_separator()
            && units[last + 2].is_letter()
            && single_after(last + 3)
        {
            last += 2;
        }
        if last - i >= 4 {
            runs.push(i..last + 1);
            i = last + 1;
        } else {
            i += 1;
        }
    }
    runs
}

/// Whether `c` is a CJK ideograph or kana, scripts written without spaces.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // kana
        | 0x3400..=0x4DBF // extension A
        | 0x4E00..=0x9FFF // unified ideographs
        | 0xF900..=0xFAFF // compatibility ideographs
        | 0x20000..=0x2FA1F)
}

/// The letter a digit imitates inside a word.
fn leet_letter(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '8' => 'b',
        _ => return None,
    })
}

/// Step 6: reads digits inside words that also hold at least two letters as
/// the letters they imitate.
fn de_leet(input: Normalised) -> Normalised {
    let words = leet_words(input.text.as_bytes());
    if words.is_empty() {
        return input;
    }
    let mut text = input.text.into_bytes();
    for word in words {
        for b in &mut text[word] {
            if let Some(l) = leet_letter(char::from(*b)) {
                *b = l as u8;
            }
        }
    }
    // Only ASCII digits were replaced by ASCII letters: still UTF-8, and
    // every byte keeps its origin.
    let text = String::from_utf8(text).unwrap_or_default();
    Normalised {
        text,
        origin: input.origin,
    }
}

/// The words of `text` written in leetspeak. Only words around a digit are
/// looked at.
fn leet_words(text: &[u8]) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut from = 0;
    while let Some(digit) = find_digit(&text[from..]) {
        let at = from + digit;
        let start = text[from..at]
            .iter()
            .rposition(|b| !b.is_ascii_alphanumeric())
            .map_or(from, |p| from + p + 1);
        let end = text[at..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(text.len(), |p| at + p);
        if leet_word(&text[start..end]) {
            words.push(start..end);
        }
        from = end;
    }
    words
}

/// The position of the first ASCII digit in `bytes`. Digits are rare in
/// text: eight bytes are tested at a time, and only the eight that hold
/// one are looked at one by one.
fn find_digit(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        // A digit `0x30 + d` becomes `d`, below 10; no other byte does.
        let marks = swar::below(swar::load(chunk) ^ (0x30 * swar::ONES), 10);
        if marks != 0 {
            return Some(at + swar::first(marks));
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(u8::is_ascii_digit)
        .map(|p| at + p)
}

/// A word written in leetspeak: ASCII letters (two or more) mixed with digits
/// that imitate letters, and not a hexadecimal-looking or mostly numeric token.
fn leet_word(word: &[u8]) -> bool {
    let letters = word.iter().filter(|b| b.is_ascii_alphabetic()).count();
    let digits = word.len() - letters;
    letters >= 2
        && digits >= 1
        && digits < letters
        && word.len() <= 24
        && word
            .iter()
            .all(|b| b.is_ascii_alphabetic() || leet_letter(char::from(*b)).is_some())
}

/// The confusable skeleton of a name, organisation or URL (Unicode TS #39),
/// case-folded, for comparing two strings that may use look-alike letters.
pub fn skeleton(s: &str) -> String {
    let folded: String = s.nfkc().flat_map(char::to_lowercase).collect();
    unicode_security::skeleton(&folded)
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn norm(s: &str) -> String {
        Normalised::new(s).as_str().to_owned()
    }

    #[test]
    fn folds_case_width_and_space() {
        assert_eq!(
            norm("Add me on ＷｅＣｈａｔ,  please"),
            "add me on wechat, please"
        );
        assert_eq!(norm("Straße\n\n\tNEXT"), "strasse next");
    }

    #[test]
    fn typographic_apostrophes_are_plain() {
        assert_eq!(norm("don\u{2019}t tell"), "don't tell");
    }

    #[test]
    fn drops_zero_width_characters() {
        assert_eq!(norm("cry\u{200b}pto pay\u{200d}ment"), "crypto payment");
    }

    #[test]
    fn joins_spaced_and_dotted_letters() {
        assert_eq!(norm("add me on W e C h a t now"), "add me on wechat now");
        assert_eq!(norm("my w.e.c.h.a.t is"), "my wechat is");
        assert_eq!(norm("t-e-l-e-g-r-a-m"), "telegram");
        // Two letters are not a run; ordinary words stay apart.
        assert_eq!(norm("e.g. a b"), "e.g. a b");
        assert_eq!(norm("I am a fan"), "i am a fan");
    }

    #[test]
    fn joins_cjk_characters_spaced_apart() {
        assert_eq!(norm("請加我 微 信：hzx"), "請加我微信:hzx");
        assert_eq!(norm("加  我   微信"), "加我微信");
        // Only a character standing alone, and only into CJK text.
        assert_eq!(norm("微信 id 和 wechat"), "微信 id 和 wechat");
        assert_eq!(
            norm("私人郵箱 王芳@example.org"),
            "私人郵箱 王芳@example.org"
        );
        assert_eq!(norm("郵箱 芳@example.org"), "郵箱 芳@example.org");
        let original = "加我 微 信 now";
        let n = Normalised::new(original);
        let at = n.as_str().find("微信").unwrap();
        assert_eq!(&original[n.original_span(at..at + "微信".len())], "微 信");
        let at = n.as_str().find("now").unwrap();
        assert_eq!(&original[n.original_span(at..at + 3)], "now");
    }

    #[test]
    fn reads_leetspeak_inside_words() {
        assert_eq!(
            norm("paid in crypt0 or b1tcoin"),
            "paid in crypto or bitcoin"
        );
        assert_eq!(norm("p4yment"), "payment");
        // Numbers and ordinary alphanumerics are left alone.
        assert_eq!(norm("2025 and 10am and 5g"), "2025 and 10am and 5g");
    }

    #[test]
    fn folds_confusable_letters() {
        // Cyrillic е and а inside Latin words.
        assert_eq!(norm("W\u{0435}Ch\u{0430}t"), "wechat");
        // Capitals are judged as written: Cyrillic Т and Н imitate T and H
        // although their lower cases т and н imitate nothing.
        assert_eq!(norm("\u{0422}ELEGRAM"), "telegram");
        assert_eq!(norm("W\u{0415}C\u{041D}AT"), "wechat");
        // Chinese, and words wholly in another alphabet, are untouched.
        assert_eq!(norm("加我微信"), "加我微信");
        assert_eq!(norm("Привет, Ελλάδα"), "привет, ελλάδα");
    }

    #[test]
    fn maps_spans_back_to_the_original() {
        let original = "Please add me on Ｗ e C h a t: abc";
        let n = Normalised::new(original);
        let at = n.as_str().find("wechat").unwrap();
        let span = n.original_span(at..at + "wechat".len());
        assert_eq!(&original[span], "Ｗ e C h a t");
    }

    #[test]
    fn copied_text_keeps_one_origin_piece_per_stretch() {
        let original = "Hello World, this is plain text";
        let n = Normalised::new(original);
        assert_eq!(n.origin.pieces.len(), 1);
        // Collapsed white space starts a new piece.
        let original = "Hello  World\n\nagain";
        let n = Normalised::new(original);
        assert_eq!(n.as_str(), "hello world again");
        assert_eq!(n.origin.pieces.len(), 3);
        let at = n.as_str().find("again").unwrap();
        assert_eq!(&original[n.original_span(at..at + 5)], "again");
    }

    #[test]
    fn mixed_words_are_rebuilt_and_the_rest_copied() {
        let original = "Add me on W\u{0435}Chat or 微信 now";
        let n = Normalised::new(original);
        assert_eq!(n.as_str(), "add me on wechat or 微信 now");
        let at = n.as_str().find("wechat").unwrap();
        assert_eq!(&original[n.original_span(at..at + 6)], "W\u{0435}Chat");
        let at = n.as_str().find("now").unwrap();
        assert_eq!(&original[n.original_span(at..at + 3)], "now");
    }

    proptest! {
        #[test]
        fn look_alike_alphabets_are_found_wherever_they_stand(
            text in "([a-z .]{0,9}|é|ß|µ|微信|’|[а-яё]|[α-ω]|Ꭺ|ᴀ|ℂ|Ꙁ|\u{0250}|\u{0531}){0,12}",
        ) {
            prop_assert_eq!(holds_lookalike(&text), text.chars().any(in_lookalike_block));
        }
    }

    #[test]
    fn skeleton_matches_lookalikes() {
        assert_eq!(skeleton("Аmanda Qiu"), skeleton("amanda qiu"));
        assert_ne!(skeleton("Amanda"), skeleton("Amando"));
    }

    proptest! {
        #[test]
        fn the_first_digit_is_found_wherever_it_stands(
            bytes in proptest::collection::vec(
                prop_oneof![4 => 0x20u8..0x7f, 1 => 0u8..=255, 1 => b'0'..=b'9'],
                0..40,
            ),
        ) {
            prop_assert_eq!(find_digit(&bytes), bytes.iter().position(u8::is_ascii_digit));
        }
    }

    #[test]
    fn every_separator_starts_with_a_byte_the_filter_accepts() {
        // `may_start_separator` lists first bytes by hand: a separator added
        // to `is_letter_separator` must be added there too.
        let separators: Vec<char> = (0..=char::MAX as u32)
            .filter_map(char::from_u32)
            .filter(|c| is_letter_separator(*c))
            .collect();
        assert!(separators.contains(&'·'));
        for c in separators {
            let mut buf = [0u8; 4];
            let first = c.encode_utf8(&mut buf).as_bytes()[0];
            assert!(may_start_separator(first), "{c:?}");
        }
    }

    proptest! {
        // Runs are rare in random text: more cases than the default.
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn text_without_a_byte_candidate_holds_no_spaced_run(
            pieces in proptest::collection::vec(
                prop_oneof![
                    4 => "[a-zA-ZéеЖωｗ]",
                    4 => "[ .·*/|_-]",
                    1 => Just("·".to_owned()),
                    1 => "[a-z]{2,4}",
                    1 => "[微信’😀0-9]",
                ],
                0..24,
            ),
        ) {
            let text = pieces.concat();
            let chars: Vec<char> = text.chars().collect();
            prop_assert!(
                may_hold_spaced_run(&text) || spaced_unit_runs(&chars).is_empty(),
                "a run was missed"
            );
        }
    }

    proptest! {
        #[test]
        fn byte_candidates_never_skip_a_possible_run(
            bytes in proptest::collection::vec(
                prop_oneof![6 => b'a'..=b'z', 2 => Just(b' '), 1 => 0u8..=255, 1 => Just(b'.')],
                0..48,
            ),
            from in 0usize..48,
        ) {
            let from = from.min(bytes.len());
            let next = <u8 as Unit>::next_candidate(&bytes, from);
            prop_assert!(next >= from);
            for i in from..next {
                let sep = |j: usize| bytes.get(j).is_some_and(|b| b.is_separator());
                prop_assert!(!(sep(i + 1) && sep(i + 3)), "skipped {}", i);
            }
        }
    }

    proptest! {
        #[test]
        fn single_spacing_is_told_apart_from_white_space_to_collapse(
            bytes in proptest::collection::vec(
                prop_oneof![8 => b'a'..=b'z', 3 => Just(b' '), 1 => 0u8..0x22, 1 => any::<u8>()],
                0..40,
            ),
            space_before in any::<bool>(),
        ) {
            let mut before = space_before;
            let expected = bytes.iter().all(|&b| {
                let space = is_ascii_space(b);
                let keep = !space || (b == b' ' && !before);
                before = space;
                keep
            });
            prop_assert_eq!(single_spaced(&bytes, space_before), expected);
        }
    }

    proptest! {
        #[test]
        fn spaced_runs_are_byte_ranges_of_the_letters(
            s in "([a-zé微] |[a-z]{2,4} |é\\.|[.*-]){0,30}",
        ) {
            let chars: Vec<char> = s.chars().collect();
            let offsets: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
            let expected: Vec<Range<usize>> = spaced_unit_runs(&chars)
                .into_iter()
                .map(|r| offsets[r.start]..offsets[r.end - 1] + chars[r.end - 1].len_utf8())
                .collect();
            prop_assert_eq!(spaced_runs(&s), expected);
        }
    }

    proptest! {
        /// Only spaces with a CJK character on each side are looked at;
        /// the rest are passed over on their bytes alone.
        #[test]
        fn cjk_words_join_as_a_word_by_word_reading_says(
            words in proptest::collection::vec("微|信|加我|王芳@x.org|a|é|ü|😀|ア|。", 0..12),
        ) {
            let text = words.join(" ");
            let folded = fold_confusables(fold_characters(&text), &text);
            let alone = |w: &str| w.chars().count() == 1 && w.chars().all(is_cjk);
            let before = folded.as_str().to_owned();
            let words: Vec<&str> = before.split(' ').collect();
            let mut expected = String::new();
            for (i, w) in words.iter().enumerate() {
                if i > 0 {
                    let left = words[i - 1];
                    let joins = alone(w) && left.chars().next_back().is_some_and(is_cjk)
                        || alone(left) && w.chars().next().is_some_and(is_cjk);
                    if !joins {
                        expected.push(' ');
                    }
                }
                expected.push_str(w);
            }
            let joined = join_spaced_cjk(folded);
            prop_assert_eq!(joined.as_str(), expected.as_str());
        }
    }

    proptest! {
        #[test]
        fn spans_always_point_into_the_original(s in "\\PC{0,64}", a in 0usize..200, b in 0usize..200) {
            let n = Normalised::new(&s);
            let len = n.as_str().len();
            let (a, b) = (a.min(len), b.min(len));
            let (a, b) = (a.min(b), a.max(b));
            let span = n.original_span(a..b);
            prop_assert!(span.start <= span.end);
            prop_assert!(span.end <= s.len());
            prop_assert!(s.is_char_boundary(span.start));
            prop_assert!(s.is_char_boundary(span.end));
        }

        #[test]
        fn spans_of_normalised_words_cover_their_source(s in "[a-zA-Z0-9 .\\u{200b}\\u{0430}\\u{0435}\\u{FF21}-\\u{FF3A}\\u{4E00}-\\u{4E10}]{0,64}") {
            let n = Normalised::new(&s);
            let text = n.as_str();
            for (i, c) in text.char_indices() {
                let span = n.original_span(i..i + c.len_utf8());
                prop_assert!(!span.is_empty());
                prop_assert!(s.is_char_boundary(span.start) && s.is_char_boundary(span.end));
            }
        }

        #[test]
        fn the_cursor_agrees_with_spans(s in "\\PC{0,64}", back in 0usize..64) {
            let n = Normalised::new(&s);
            let len = n.as_str().len();
            let mut cursor = n.cursor();
            // Forwards, as a reader goes, then from an earlier byte again.
            let back = back.min(len);
            for at in (0..len).chain(back..len) {
                prop_assert_eq!(cursor.original_start(at), n.original_span(at..at + 1).start);
            }
        }
    }
}
