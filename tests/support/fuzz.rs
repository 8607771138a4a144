//! What the parser fuzz tests share (issue 19): the number of cases and byte damage.
#![allow(dead_code, reason = "each test binary uses its own part")]

use proptest::prelude::*;
use proptest::sample::Index;

/// `default` cases, or `PROPTEST_CASES` when set (proptest reads it only for its default).
pub fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Byte damage: (where, what, byte), applied in turn by [`damage`].
pub type Damage = Vec<(Index, u8, u8)>;

/// Flips, inserts (quote, NUL, CR, LF, comma, invalid UTF-8, a run of digits), deletes or
/// truncates.
pub fn damage(bytes: &mut Vec<u8>, damage: &[(Index, u8, u8)]) {
    const INSERT: &[u8] = b"\"\0\r\n,\xFF\x80\xC3";
    for (at, what, byte) in damage {
        if bytes.is_empty() {
            return;
        }
        let i = at.index(bytes.len());
        match what {
            0 => bytes[i] ^= byte | 1,
            1 => bytes.insert(i, INSERT[*byte as usize % INSERT.len()]),
            2 => bytes.insert(i, *byte),
            3 => {
                bytes.remove(i);
            }
            4 => bytes.truncate(i),
            _ => bytes
                .splice(i..i, b"99999999999999999999999".iter().copied())
                .for_each(drop),
        }
    }
}
