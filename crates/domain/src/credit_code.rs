//! Unified social credit code (统一社会信用代码), GB 32100-2015.
//!
//! 18 characters: registration authority (1), organisation category (1), administrative
//! division code (6 digits), organisation code (9), check character (1). The alphabet has 31
//! characters (digits and capital letters without I, O, Z, S, V); the check character is
//! `31 - (Σ value_i × weight_i mod 31)`, mod 31.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A validated unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("credit code must be 18 characters, got {0}")]
    Length(usize),
    #[error(
        "character {ch:?} at position {pos} is not allowed in a credit code (allowed: 0-9 and A-Y without I, O, S, V, Z)"
    )]
    Character { pos: usize, ch: char },
    #[error("division code (positions 3-8) must be 6 digits")]
    Division,
    #[error("check character is {got:?}, expected {expected:?} (GB 32100-2015)")]
    CheckDigit { got: char, expected: char },
}

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// Computes the check character for the first 17 characters of a code.
pub fn check_character(first17: &str) -> Result<char, CreditCodeError> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 {
        return Err(CreditCodeError::Length(first17.chars().count() + 1));
    }
    let mut sum = 0u32;
    for (i, &b) in bytes.iter().enumerate() {
        let v = value_of(b).ok_or(CreditCodeError::Character {
            pos: i + 1,
            ch: b as char,
        })?;
        sum += v * WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    Ok(ALPHABET[check as usize] as char)
}

impl CreditCode {
    /// Parses and validates a code; surrounding whitespace is ignored and lower case
    /// letters are accepted (registries print upper case).
    pub fn parse(input: &str) -> Result<Self, CreditCodeError> {
        let code = input.trim().to_ascii_uppercase();
        let n = code.chars().count();
        if n != 18 || code.len() != 18 {
            return Err(CreditCodeError::Length(n));
        }
        for (i, c) in code.chars().enumerate() {
            if value_of(c as u8).is_none() {
                return Err(CreditCodeError::Character { pos: i + 1, ch: c });
            }
        }
        if !code.as_bytes()[2..8].iter().all(u8::is_ascii_digit) {
            return Err(CreditCodeError::Division);
        }
        let expected = check_character(&code[..17])?;
        let got = code.as_bytes()[17] as char;
        if got != expected {
            return Err(CreditCodeError::CheckDigit { got, expected });
        }
        Ok(CreditCode(code))
    }

    /// Completes 17 characters with their check character (used by generators and tests).
    pub fn complete(first17: &str) -> Result<Self, CreditCodeError> {
        let c = check_character(first17)?;
        Self::parse(&format!("{first17}{c}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Administrative division code (GB/T 2260), positions 3-8; its first two digits
    /// name the province.
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CreditCode {
    type Err = CreditCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for CreditCode {
    type Error = CreditCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_codes_validate() {
        // Codes with check characters computed independently (Python reference in shared/checks).
        for code in [
            "91350100M000100Y43",
            "91110000100010433L",
            "91500000202803359L",
        ] {
            assert!(CreditCode::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn wrong_check_character_names_the_expected_one() {
        let err = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(
            err,
            CreditCodeError::CheckDigit {
                got: '4',
                expected: '3'
            }
        );
    }

    #[test]
    fn rejects_bad_length_and_alphabet() {
        assert_eq!(CreditCode::parse("123"), Err(CreditCodeError::Length(3)));
        assert!(matches!(
            CreditCode::parse("91350100M000100I43"),
            Err(CreditCodeError::Character { pos: 16, ch: 'I' })
        ));
        assert_eq!(
            CreditCode::parse("91A50100M000100Y43"),
            Err(CreditCodeError::Division)
        );
    }

    #[test]
    fn lower_case_and_spaces_are_normalised() {
        let c = CreditCode::parse(" 91350100m000100y43 ").unwrap();
        assert_eq!(c.as_str(), "91350100M000100Y43");
        assert_eq!(c.division_code(), "350100");
    }

    proptest! {
        #[test]
        fn completed_codes_always_validate_and_one_changed_char_never_does(
            body in "[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}",
            pos in 0usize..18, replacement in 0usize..31,
        ) {
            let code = CreditCode::complete(&body).unwrap();
            let mut chars: Vec<u8> = code.as_str().bytes().collect();
            let new = ALPHABET[replacement];
            prop_assume!(chars[pos] != new);
            prop_assume!(!(2..8).contains(&pos) || new.is_ascii_digit());
            chars[pos] = new;
            // A single substituted character is always detected by a mod-31 check with
            // weights coprime to 31.
            prop_assert!(CreditCode::parse(std::str::from_utf8(&chars).unwrap()).is_err());
        }
    }
}
