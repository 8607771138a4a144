//! Energy values: readings arrive as decimal kWh and are kept as exact whole watt-hours.

/// The largest energy one meter may record in one interval: 100 MWh. A reading above it is
/// rejected as absurd (a 100 MWh interval would mean a 400 MW load on a 15-minute meter,
/// far beyond any single industrial connection in a park).
pub const MAX_WH_PER_INTERVAL: u32 = 100_000_000;

/// Why a `kwh` cell was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueError {
    Empty,
    NotNumber,
    /// Scientific notation (`1e-30`): readings are plain decimals.
    Exponent,
    /// A `,` inside the number (`1,000`): a thousands separator or a decimal comma.
    ThousandsSeparator,
    Negative,
    /// Finer than 1 Wh (more than three significant decimal places of kWh).
    TooPrecise,
    /// Above [`MAX_WH_PER_INTERVAL`].
    TooLarge,
}

impl ValueError {
    pub fn reason(self) -> &'static str {
        match self {
            ValueError::Empty => "kwh is empty",
            ValueError::NotNumber => "kwh is not a decimal number (e.g. 12.345)",
            ValueError::Exponent => {
                "kwh is written with an exponent (e.g. 1e-30): write a plain decimal number of kWh with at most 3 decimal places"
            }
            ValueError::ThousandsSeparator => {
                "kwh contains a thousands separator (,): write 1000, not 1,000 (readings are exact)"
            }
            ValueError::Negative => "kwh is negative: interval readings are energy, never below 0",
            ValueError::TooPrecise => {
                "kwh has more than 3 decimal places: readings are stored in whole Wh (0.001 kWh)"
            }
            ValueError::TooLarge => {
                "kwh is above 100,000 kWh (100 MWh) for one meter and interval: absurd reading"
            }
        }
    }
}

/// Parses a plain decimal kWh text (`12`, `12.5`, `+0.125`, `3.2500`) into whole Wh.
/// Exponents, thousands separators and units are rejected, as are values finer than 1 Wh.
pub fn parse_kwh(text: &[u8]) -> Result<u32, ValueError> {
    let t = trim(text);
    if t.is_empty() {
        return Err(ValueError::Empty);
    }
    let (neg, digits) = match t[0] {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let mut int: u64 = 0;
    let mut frac: u64 = 0;
    let mut frac_digits = 0u32;
    let mut seen_dot = false;
    let mut seen_digit = false;
    let mut too_precise = false;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                seen_digit = true;
                let d = (b - b'0') as u64;
                if seen_dot {
                    if frac_digits < 3 {
                        frac = frac * 10 + d;
                        frac_digits += 1;
                    } else if d != 0 {
                        too_precise = true;
                    }
                } else {
                    int = int * 10 + d;
                    if int > 1_000_000_000 {
                        // Far above the bound already; keep parsing only to validate syntax.
                        int = 1_000_000_000;
                    }
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            b'e' | b'E' if seen_digit && valid_exponent(digits) => {
                return Err(ValueError::Exponent);
            }
            b',' if seen_digit => return Err(ValueError::ThousandsSeparator),
            _ => return Err(ValueError::NotNumber),
        }
    }
    if !seen_digit {
        return Err(ValueError::NotNumber);
    }
    while frac_digits < 3 {
        frac *= 10;
        frac_digits += 1;
    }
    let wh = int * 1000 + frac;
    if neg && wh != 0 {
        return Err(ValueError::Negative);
    }
    if too_precise {
        return Err(ValueError::TooPrecise);
    }
    if wh > MAX_WH_PER_INTERVAL as u64 {
        return Err(ValueError::TooLarge);
    }
    Ok(wh as u32)
}

/// Whether a number is `<decimal>e<integer>` (so a cell is a number in exponent form, not
/// words that happen to hold an `e`).
fn valid_exponent(t: &[u8]) -> bool {
    let Some(e) = t.iter().position(|&b| b == b'e' || b == b'E') else {
        return false;
    };
    let (m, x) = (&t[..e], &t[e + 1..]);
    let x = x
        .strip_prefix(b"-")
        .or_else(|| x.strip_prefix(b"+"))
        .unwrap_or(x);
    !m.is_empty()
        && m.iter().all(|b| b.is_ascii_digit() || *b == b'.')
        && !x.is_empty()
        && x.iter().all(u8::is_ascii_digit)
}

/// Converts a floating-point kWh (e.g. from a Parquet `DOUBLE` column) into whole Wh. The
/// value must be within 1e-6 Wh of a whole Wh (a float that was written from a 3-decimal kWh).
pub fn kwh_f64_to_wh(kwh: f64) -> Result<u32, ValueError> {
    if !kwh.is_finite() {
        return Err(ValueError::NotNumber);
    }
    if kwh < 0.0 {
        return Err(ValueError::Negative);
    }
    let wh = kwh * 1000.0;
    if wh > MAX_WH_PER_INTERVAL as f64 + 0.5 {
        return Err(ValueError::TooLarge);
    }
    let rounded = wh.round();
    if (wh - rounded).abs() > 1e-6 * rounded.max(1.0) {
        return Err(ValueError::TooPrecise);
    }
    let w = rounded as u32;
    if w > MAX_WH_PER_INTERVAL {
        return Err(ValueError::TooLarge);
    }
    Ok(w)
}

/// Formats whole Wh as kWh text with up to three decimals (`12345` -> `12.345`, `2000` -> `2`).
pub fn format_kwh(wh: u64) -> String {
    let int = wh / 1000;
    let frac = wh % 1000;
    if frac == 0 {
        int.to_string()
    } else {
        let f = format!("{frac:03}");
        format!("{int}.{}", f.trim_end_matches('0'))
    }
}

/// A kWh cell of 1-6 digits with an optional `.` and 1-3 decimals, at most
/// [`MAX_WH_PER_INTERVAL`]: (Wh, length of the cell, length with the line end).
#[inline(always)]
pub(crate) fn fast_kwh(k: &[u8]) -> Option<(u32, usize, usize)> {
    let mut j = 0;
    let mut int = 0u64;
    while j < k.len() && k[j].is_ascii_digit() {
        if j == 6 {
            return None;
        }
        int = int * 10 + (k[j] - b'0') as u64;
        j += 1;
    }
    if j == 0 {
        return None;
    }
    let mut frac = 0u64;
    if k.get(j) == Some(&b'.') {
        j += 1;
        let mut scale = 1000;
        while j < k.len() && k[j].is_ascii_digit() && scale > 1 {
            scale /= 10;
            frac += (k[j] - b'0') as u64 * scale;
            j += 1;
        }
        if scale == 1000 {
            return None;
        }
    }
    let next = match (k.get(j), k.get(j + 1)) {
        (Some(b'\n'), _) => j + 1,
        (Some(b'\r'), Some(b'\n')) => j + 2,
        (None, _) => j,
        _ => return None,
    };
    let wh = int * 1000 + frac;
    (wh <= MAX_WH_PER_INTERVAL as u64).then_some((wh as u32, j, next))
}

pub(crate) fn trim(mut t: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = t {
        t = rest;
    }
    while let [rest @ .., b' ' | b'\t' | b'\r'] = t {
        t = rest;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_kwh_agrees_with_parse_kwh() {
        let fast = [
            "0", "12", "12.5", "12.25", "12.125", "0.001", "100000", "007.50",
        ];
        for text in fast {
            let line = format!("{text}\n");
            let (wh, len, next) = fast_kwh(line.as_bytes()).expect(text);
            assert_eq!(Ok(wh), parse_kwh(text.as_bytes()), "{text}");
            assert_eq!((len, next), (text.len(), text.len() + 1), "{text}");
        }
        // Out of bounds, unusual or invalid: left to the general parser.
        let general = [
            "100000.001",
            "999999",
            "1234567",
            "12.",
            ".5",
            "1.2345",
            "1.2340",
            "+1",
            "-1",
            "1e3",
            "",
            "1,2",
        ];
        for text in general {
            assert_eq!(fast_kwh(format!("{text}\n").as_bytes()), None, "{text}");
        }
        assert_eq!(fast_kwh(b"1.5\r\nx"), Some((1500, 3, 5)));
        assert_eq!(fast_kwh(b"1.5"), Some((1500, 3, 3)));
        assert_eq!(fast_kwh(b"1.5\r"), None);
    }

    #[test]
    fn parses_exact_wh() {
        assert_eq!(parse_kwh(b"2500"), Ok(2_500_000));
        assert_eq!(parse_kwh(b" 0.125 "), Ok(125));
        assert_eq!(parse_kwh(b"+3.2500"), Ok(3250));
        assert_eq!(parse_kwh(b"0"), Ok(0));
        assert_eq!(parse_kwh(b"-0"), Ok(0));
        assert_eq!(parse_kwh(b".5"), Ok(500));
        assert_eq!(parse_kwh(b"100000"), Ok(MAX_WH_PER_INTERVAL));
    }

    #[test]
    fn rejects_bad_values() {
        assert_eq!(parse_kwh(b""), Err(ValueError::Empty));
        assert_eq!(parse_kwh(b"abc"), Err(ValueError::NotNumber));
        assert_eq!(parse_kwh(b"1e3"), Err(ValueError::Exponent));
        assert_eq!(parse_kwh(b"12e"), Err(ValueError::NotNumber));
        assert_eq!(parse_kwh(b"1.2.3"), Err(ValueError::NotNumber));
        assert_eq!(parse_kwh(b"."), Err(ValueError::NotNumber));
        assert_eq!(parse_kwh(b"-1.5"), Err(ValueError::Negative));
        assert_eq!(parse_kwh(b"0.0005"), Err(ValueError::TooPrecise));
        assert_eq!(parse_kwh(b"100000.001"), Err(ValueError::TooLarge));
        assert_eq!(
            parse_kwh(b"99999999999999999999"),
            Err(ValueError::TooLarge)
        );
    }

    #[test]
    fn kwh_1e_minus_30_and_1_000_have_precise_reasons() {
        assert_eq!(parse_kwh(b"1e-30"), Err(ValueError::Exponent));
        assert_eq!(parse_kwh(b"1.5E+3"), Err(ValueError::Exponent));
        assert_eq!(parse_kwh(b"1,000"), Err(ValueError::ThousandsSeparator));
        assert_eq!(parse_kwh(b"1,000.5"), Err(ValueError::ThousandsSeparator));
        assert_eq!(
            ValueError::Exponent.reason(),
            "kwh is written with an exponent (e.g. 1e-30): write a plain decimal number of kWh with at most 3 decimal places"
        );
    }

    #[test]
    fn floats_round_trip_through_text() {
        for wh in [0u32, 1, 16, 999, 1000, 2_500_000, MAX_WH_PER_INTERVAL] {
            let kwh: f64 = format_kwh(wh as u64).parse().unwrap();
            assert_eq!(kwh_f64_to_wh(kwh), Ok(wh));
        }
        assert_eq!(kwh_f64_to_wh(0.0004), Err(ValueError::TooPrecise));
        assert_eq!(kwh_f64_to_wh(-1.0), Err(ValueError::Negative));
        assert_eq!(kwh_f64_to_wh(f64::NAN), Err(ValueError::NotNumber));
    }
}
