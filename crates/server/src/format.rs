//! Number formatting for pages: exact decimals rounded for display, thousands grouped.
//! (The API carries the exact values; pages only show them.)

use rust_decimal::{Decimal, RoundingStrategy};

/// `value` rounded half away from zero to `dp` places, with `,` between thousands.
pub fn num(value: Decimal, dp: u32) -> String {
    let r = value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    let s = format!("{:.*}", dp as usize, r);
    let (sign, digits) = match s.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", s.as_str()),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Like [`num`], `—` for a missing value.
pub fn opt(value: Option<Decimal>, dp: u32) -> String {
    value.map(|v| num(v, dp)).unwrap_or_else(|| "—".into())
}

/// A fraction as a percentage with `dp` places (`0.4567` -> `45.7%`).
pub fn pct(value: Option<Decimal>, dp: u32) -> String {
    value
        .map(|v| format!("{}%", num(v * Decimal::ONE_HUNDRED, dp)))
        .unwrap_or_else(|| "—".into())
}

/// A quantity in the unit people read it in (rounded for display; exports and the API
/// keep the exact value in its base unit): on a Chinese page electricity from 10,000 kWh
/// in 万kWh and gas from 10,000 m3 in 万m3 (万Nm3); in both languages masses from 1,000 kg
/// in tonnes and heat from 1,000 MJ in GJ, and on an English page electricity from
/// 1,000 kWh in MWh. Returns the number and its unit.
pub fn display_quantity(lang: crate::i18n::Lang, value: Decimal, unit: &str) -> (String, String) {
    use crate::i18n::Lang;
    let big = |limit: i64| value.abs() >= Decimal::from(limit);
    let scaled = |by: i64, dp: u32, to: &str| (num(value / Decimal::from(by), dp), to.to_string());
    match (lang, unit) {
        (Lang::Zh, "kWh") if big(10_000) => scaled(10_000, 2, "万kWh"),
        (Lang::En, "kWh") if big(1_000) => scaled(1_000, 1, "MWh"),
        (Lang::Zh, "m3") if big(10_000) => scaled(10_000, 2, "万m3"),
        (Lang::Zh, "Nm3") if big(10_000) => scaled(10_000, 2, "万Nm3"),
        (_, "kg") if big(1_000) => scaled(1_000, 2, "t"),
        (_, "MJ") if big(1_000) => scaled(1_000, 1, "GJ"),
        _ => (num(value, 1), unit.to_string()),
    }
}

/// A decimal as an `f64` for charts (display only).
pub fn f64_of(value: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    value.to_f64().unwrap_or(0.0)
}

/// JSON for embedding in a `<script type="application/json">` element: `<`, `>` and `&`
/// are escaped so the text can never close the element.
/// A text as pieces of prose and references: the parts in backticks are references
/// (identifiers, file paths, web addresses, formulas) that a page shows as code, `true`.
pub fn code_pieces(text: &str) -> Vec<(bool, String)> {
    text.split('`')
        .enumerate()
        .filter(|(_, piece)| !piece.is_empty())
        .map(|(i, piece)| (i % 2 == 1, piece.to_string()))
        .collect()
}

/// A text an English template of `en` wrote, in the page's language: its code and
/// parameters recognised and its Chinese template of `zh` written (values in backticks
/// become code pieces); a text no template wrote keeps its English, as a code piece after
/// the label "原文". Pieces are `(is code, text)`.
pub fn template_pieces(
    lang: crate::i18n::Lang,
    text: &str,
    en: &[(&str, &str)],
    zh: &[(&str, &str)],
) -> Vec<(bool, String)> {
    if lang == crate::i18n::Lang::En {
        return vec![(false, text.to_string())];
    }
    match zp_domain::template::recognise(text, en) {
        Some((code, args)) => {
            let n = zp_app::note::Note {
                code: code.to_string(),
                args,
            };
            code_pieces(&n.text(zh))
        }
        None => vec![
            (false, format!("{}：", lang.t("quarantine.original"))),
            (true, text.to_string()),
        ],
    }
}

/// Pieces as one text, code pieces in angle brackets (tests read rendered pieces so).
#[cfg(test)]
pub(crate) fn pieces_text(pieces: Vec<(bool, String)>) -> String {
    pieces
        .into_iter()
        .map(|(code, t)| if code { format!("<{t}>") } else { t })
        .collect()
}

pub fn script_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// A designation as shown: name, level, date.
pub fn designation_label(d: &zp_app::Designation, lang: crate::i18n::Lang) -> String {
    let level = lang.t(&format!("level.{}", d.level.key()));
    let kind = lang.t(&format!("designation.{}", d.kind.key()));
    format!("{kind} · {level} · {}", d.granted_on)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn numbers_are_grouped_and_rounded() {
        assert_eq!(num(d("1234567.891"), 1), "1,234,567.9");
        assert_eq!(num(d("-1234.5"), 0), "-1,235");
        assert_eq!(num(d("999"), 0), "999");
        assert_eq!(num(d("0.125"), 2), "0.13");
        assert_eq!(num(d("1000"), 2), "1,000.00");
        assert_eq!(pct(Some(d("0.4567")), 1), "45.7%");
        assert_eq!(opt(None, 1), "—");
    }

    #[test]
    fn quantities_are_shown_in_the_units_people_read() {
        use crate::i18n::Lang;
        let q = |lang, v: &str, unit| display_quantity(lang, d(v), unit);
        let pair = |n: &str, u: &str| (n.to_string(), u.to_string());
        // 1,178,819,000 kWh: 117,881.90 万kWh, 1,178,819.0 MWh.
        assert_eq!(
            q(Lang::Zh, "1178819000", "kWh"),
            pair("117,881.90", "万kWh")
        );
        assert_eq!(q(Lang::En, "1178819000", "kWh"), pair("1,178,819.0", "MWh"));
        assert_eq!(q(Lang::Zh, "45776855", "m3"), pair("4,577.69", "万m3"));
        assert_eq!(q(Lang::En, "45776855", "m3"), pair("45,776,855.0", "m3"));
        assert_eq!(q(Lang::Zh, "217776500", "kg"), pair("217,776.50", "t"));
        assert_eq!(q(Lang::Zh, "25926000", "MJ"), pair("25,926.0", "GJ"));
        // Small amounts stay in their own unit; other units are left alone.
        assert_eq!(q(Lang::Zh, "9999", "kWh"), pair("9,999.0", "kWh"));
        assert_eq!(q(Lang::Zh, "116104", "MWh"), pair("116,104.0", "MWh"));
    }

    #[test]
    fn embedded_json_cannot_close_the_script() {
        let s = script_json(&serde_json::json!({"a": "</script><b>&"}));
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["a"], "</script><b>&");
    }
}

/// An RFC 3339 time as stored (UTC, e.g. `2026-12-04T10:27:16.535Z`) in Beijing time,
/// `2026-12-04 18:27:16`; text that is not such a time is returned as it is.
pub fn beijing(stamp: &str) -> String {
    match stamp.parse::<jiff::Timestamp>() {
        Ok(t) => zp_domain::time::format_local(t.as_second())
            .get(..19)
            .unwrap_or_default()
            .replace('T', " "),
        Err(_) => stamp.to_string(),
    }
}

/// The name of a recorded file without the folders it was imported from (a CLI import
/// records its path; pages show no server paths).
pub fn file_name(recorded: &str) -> &str {
    recorded.rsplit(['/', '\\']).next().unwrap_or(recorded)
}

#[cfg(test)]
mod beijing_tests {
    #[test]
    fn stored_utc_times_are_shown_in_beijing_time() {
        assert_eq!(
            super::beijing("2026-12-04T10:27:16.535Z"),
            "2026-12-04 18:27:16"
        );
        // 16:30 UTC is half past midnight the next day in Beijing.
        assert_eq!(
            super::beijing("2023-12-31T16:30:00Z"),
            "2024-01-01 00:30:00"
        );
        assert_eq!(super::beijing("not a time"), "not a time");
    }

    #[test]
    fn pages_show_file_names_without_server_folders() {
        assert_eq!(super::file_name("/tmp/x/source-files/orgs.csv"), "orgs.csv");
        assert_eq!(super::file_name("C:\\data\\台账.xlsx"), "台账.xlsx");
        assert_eq!(super::file_name("ledger.csv"), "ledger.csv");
    }
}
