//! Number formatting for printed reports: fixed decimals, thousands separators.

use rust_decimal::{Decimal, RoundingStrategy};

/// `d` rounded half away from zero to `dp` decimals, with `,` between thousands.
pub fn number(d: Decimal, dp: u32) -> String {
    let r = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    let s = format!("{:.*}", dp as usize, r);
    let (sign, s) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s.as_str()),
    };
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if r.is_zero() { "" } else { sign };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn groups_thousands_and_rounds_half_away_from_zero() {
        assert_eq!(number(dec!(1234567.125), 2), "1,234,567.13");
        assert_eq!(number(dec!(-1234.5), 0), "-1,235");
        assert_eq!(number(dec!(999), 0), "999");
        assert_eq!(number(dec!(0.0004), 3), "0.000");
        assert_eq!(number(dec!(-0.0004), 3), "0.000");
        assert_eq!(number(dec!(558.1), 3), "558.100");
    }
}
