//! Tests of eight bytes at a time in one `u64` ("SIMD within a register"),
//! for the searches that look through every text for bytes that are rare
//! in it: digits, letters standing alone, characters JSON must escape.
//!
//! Each test marks the high bit of every byte that passes. A byte that
//! passes is always marked; a byte above one that passes may be marked
//! too (a borrow carries into it). So a word with no mark holds no byte
//! that passes, and the first mark is the first byte that does: callers
//! look at the marked word byte by byte, or only ask whether there is one.

/// `0x01` in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;

/// `0x80` in every byte.
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The first eight bytes of `bytes` as one word, the first byte lowest;
/// zeros where there are fewer.
pub(crate) fn load(bytes: &[u8]) -> u64 {
    let mut word = [0; 8];
    let n = bytes.len().min(8);
    word[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(word)
}

/// Marks the bytes of `word` below `n`, which must be at most 128.
pub(crate) fn below(word: u64, n: u8) -> u64 {
    // A byte below `n` borrows into its high bit when `n` is subtracted,
    // a high bit it did not have.
    word.wrapping_sub(u64::from(n) * ONES) & !word & HIGHS
}

/// Marks the bytes of `word` equal to `byte`.
pub(crate) fn equal(word: u64, byte: u8) -> u64 {
    below(word ^ (u64::from(byte) * ONES), 1)
}

/// The index (0 to 7) of the first byte a mark says passes.
pub(crate) fn first(marks: u64) -> usize {
    (marks.trailing_zeros() / 8) as usize
}

/// The position of the first byte of `bytes` that is not ASCII.
pub(crate) fn find_non_ascii(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        // The high bit is the mark itself: exact for every byte.
        let marks = load(chunk) & HIGHS;
        if marks != 0 {
            return Some(at + first(marks));
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|b| !b.is_ascii())
        .map(|p| at + p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_first_mark_is_the_first_byte_that_passes(
            bytes in proptest::collection::vec(any::<u8>(), 8),
            n in 0u8..=128,
            byte in any::<u8>(),
        ) {
            let word = load(&bytes);
            let first_below = bytes.iter().position(|&b| b < n);
            let marks = below(word, n);
            prop_assert_eq!(marks != 0, first_below.is_some());
            if let Some(i) = first_below {
                prop_assert_eq!(first(marks), i);
            }
            let first_equal = bytes.iter().position(|&b| b == byte);
            let marks = equal(word, byte);
            prop_assert_eq!(marks != 0, first_equal.is_some());
            if let Some(i) = first_equal {
                prop_assert_eq!(first(marks), i);
            }
        }
    }

    proptest! {
        #[test]
        fn the_first_byte_that_is_not_ascii_is_found(
            bytes in proptest::collection::vec(prop_oneof![6 => 0u8..0x80, 1 => any::<u8>()], 0..40),
        ) {
            prop_assert_eq!(find_non_ascii(&bytes), bytes.iter().position(|b| !b.is_ascii()));
        }
    }

    #[test]
    fn short_input_is_padded_with_zeros() {
        assert_eq!(load(b"ab"), 0x6261);
    }
}
