//! Cryptocurrency wallet addresses, accepted only when their checksum (or,
//! for all-lower/all-upper Ethereum addresses, their shape) is valid.

use sha3::{Digest, Keccak256};

use super::{Chain, Observable, ObservableKind};
use crate::swar;

/// Base58check version byte of Bitcoin P2PKH addresses (`1...`).
const BTC_P2PKH: u8 = 0x00;
/// Base58check version byte of Bitcoin P2SH addresses (`3...`).
const BTC_P2SH: u8 = 0x05;
/// Base58check version byte of TRON addresses (`T...`).
const TRON: u8 = 0x41;
/// The shortest address of any chain (a bech32 segwit address).
const MIN_ADDRESS_LEN: usize = 14;
/// The longest address of any chain (a bech32 segwit address).
const MAX_ADDRESS_LEN: usize = 90;
/// Length of a decoded base58check payload: version byte + 20-byte hash.
const BASE58_PAYLOAD: usize = 21;

/// The chain `s` is a valid address of, if any.
///
/// `s` must be the address alone (no surrounding text). Base58 addresses
/// must pass their checksum with the right version byte, bech32 addresses
/// must decode as a mainnet segwit address (`bc1...`, bech32 for version 0,
/// bech32m for later versions), and Ethereum addresses must be `0x` + 40
/// hex digits, all lower-case, all upper-case, or EIP-55 checksummed.
pub fn validate_wallet(s: &str) -> Option<Chain> {
    let b = s.as_bytes();
    let len = b.len();
    if len == 42 && b.starts_with(b"0x") {
        return ethereum(&s[2..]).then_some(Chain::Ethereum);
    }
    if (MIN_ADDRESS_LEN..=MAX_ADDRESS_LEN).contains(&len)
        && b.get(..3).is_some_and(|p| p.eq_ignore_ascii_case(b"bc1"))
    {
        return bitcoin_segwit(s).then_some(Chain::Bitcoin);
    }
    match b.first() {
        Some(b'1') if (26..=34).contains(&len) => {
            base58check(s, BTC_P2PKH).then_some(Chain::Bitcoin)
        }
        Some(b'3') if len == 34 => base58check(s, BTC_P2SH).then_some(Chain::Bitcoin),
        Some(b'T') if len == 34 => base58check(s, TRON).then_some(Chain::Tron),
        _ => None,
    }
}

/// The chain and canonical form of the address `s`, if valid: base58
/// addresses as written (they are case-sensitive), bech32 and Ethereum
/// addresses lower-cased (their case carries no identity).
pub fn canonical_wallet(s: &str) -> Option<(Chain, String)> {
    let s = s.trim();
    let chain = validate_wallet(s)?;
    let value = match chain {
        Chain::Ethereum => s.to_ascii_lowercase(),
        Chain::Bitcoin if !s.starts_with(['1', '3']) => s.to_ascii_lowercase(),
        Chain::Bitcoin | Chain::Tron => s.to_owned(),
    };
    Some((chain, value))
}

/// Whether `s` base58check-decodes to a 21-byte payload with `version`.
fn base58check(s: &str, version: u8) -> bool {
    bs58::decode(s)
        .with_check(Some(version))
        .into_vec()
        .is_ok_and(|v| v.len() == BASE58_PAYLOAD && v.first() == Some(&version))
}

/// Whether `s` is a valid Bitcoin mainnet segwit address.
fn bitcoin_segwit(s: &str) -> bool {
    bech32::segwit::decode(s).is_ok_and(|(hrp, _, _)| hrp.is_valid_on_mainnet())
}

/// Whether `hex` (the 40 digits after `0x`) is a plausible Ethereum
/// address: all lower-case or all upper-case hex, or mixed-case with a
/// valid EIP-55 checksum.
fn ethereum(hex: &str) -> bool {
    if hex.len() != 40 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return false;
    }
    let has_lower = hex.bytes().any(|c| c.is_ascii_lowercase());
    let has_upper = hex.bytes().any(|c| c.is_ascii_uppercase());
    if !(has_lower && has_upper) {
        return true;
    }
    let lower = hex.to_ascii_lowercase();
    let hash = Keccak256::digest(lower.as_bytes());
    hex.bytes().enumerate().all(|(i, c)| {
        if c.is_ascii_digit() {
            return true;
        }
        let byte = hash.get(i / 2).copied().unwrap_or(0);
        let nibble = if i % 2 == 0 { byte >> 4 } else { byte & 0x0f };
        c.is_ascii_uppercase() == (nibble >= 8)
    })
}

/// Whether `c` can be part of an address token.
fn is_token_byte(c: u8) -> bool {
    TOKEN_BYTES[usize::from(c)]
}

/// [`is_token_byte`] of every byte, looked up rather than tested.
static TOKEN_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    table
};

/// Pushes every valid wallet address in `text` onto `out`.
///
/// Addresses are whole tokens: maximal runs of ASCII letters, digits and
/// `_`, so that an address may touch non-ASCII text ("地址1A1z...") but is
/// never cut out of a longer alphanumeric string.
pub(super) fn find(text: &str, out: &mut Vec<Observable>) {
    long_tokens(text.as_bytes(), |start, end| {
        check_token(text, start, end, out)
    });
}

/// Calls `found(start, end)` for every token of `bytes` (maximal run of
/// token bytes) at least as long as the shortest address, in order.
fn long_tokens(bytes: &[u8], mut found: impl FnMut(usize, usize)) {
    // A token as long as the shortest address holds a whole window of 8
    // bytes starting at a multiple of `STEP`: windows starting at any of
    // `STEP` bytes in a row fit in it. A window holding a space is in no
    // token: most are skipped at the cost of one test of eight bytes, and
    // the others are read byte by byte, together with the tokens at either
    // end of them.
    const STEP: usize = MIN_ADDRESS_LEN - 7;
    const _: () = assert!(STEP > 0);
    // Bytes before `done` have been read; it is never inside a token.
    let mut done = 0;
    let mut at = 0;
    while let Some(window) = bytes.get(at..at + 8) {
        if at >= done && swar::equal(swar::load(window), b' ') == 0 {
            let mut start = at;
            while start > done && is_token_byte(bytes[start - 1]) {
                start -= 1;
            }
            let mut end = at + 8;
            while end < bytes.len() && is_token_byte(bytes[end]) {
                end += 1;
            }
            long_tokens_between(bytes, start, end, &mut found);
            done = end;
        }
        at += STEP;
    }
}

/// [`long_tokens`] of `bytes[from..to]`, read byte by byte; `from` and
/// `to` must not be inside a token.
fn long_tokens_between(bytes: &[u8], from: usize, to: usize, found: &mut impl FnMut(usize, usize)) {
    // The length of the token run so far, counted without a branch per
    // byte: words end every few bytes, and only a run as long as the
    // shortest address is looked at.
    let mut run = 0;
    let mut i = from;
    while i < to {
        run = (run + 1) * usize::from(is_token_byte(bytes[i]));
        i += 1;
        if run < MIN_ADDRESS_LEN {
            continue;
        }
        let start = i - run;
        while i < to && is_token_byte(bytes[i]) {
            i += 1;
        }
        run = 0;
        found(start, i);
    }
}

/// Pushes the token `text[start..end]` onto `out` if it is a valid wallet
/// address.
fn check_token(text: &str, start: usize, end: usize, out: &mut Vec<Observable>) {
    let bytes = text.as_bytes();
    // Cheap shape check before any decoding: every address is 14 to 90
    // characters long and starts with 0, 1, 3, T, b or B.
    if end - start > MAX_ADDRESS_LEN
        || !matches!(
            bytes.get(start),
            Some(b'0' | b'1' | b'3' | b'T' | b'b' | b'B')
        )
    {
        return;
    }
    // Token boundaries are ASCII bytes (or the ends), so char boundaries.
    let Some(token) = text.get(start..end) else {
        return;
    };
    if let Some((chain, value)) = canonical_wallet(token) {
        out.push(Observable {
            kind: ObservableKind::Wallet { chain },
            value,
            start,
            end,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn long_tokens_are_every_maximal_run_long_enough(
            bytes in proptest::collection::vec(
                prop_oneof![8 => b'a'..=b'z', 1 => Just(b' '), 1 => Just(b','), 1 => any::<u8>()],
                0..120,
            ),
        ) {
            let mut expected = Vec::new();
            let mut start = None;
            for (i, &b) in bytes.iter().chain(std::iter::once(&b' ')).enumerate() {
                match (is_token_byte(b), start) {
                    (true, None) => start = Some(i),
                    (false, Some(s)) => {
                        if i - s >= MIN_ADDRESS_LEN {
                            expected.push((s, i));
                        }
                        start = None;
                    }
                    _ => {}
                }
            }
            let mut found = Vec::new();
            long_tokens(&bytes, |s, e| found.push((s, e)));
            prop_assert_eq!(found, expected);
        }
    }
}
