//! Fuzzing of the MQTT payload parser (issue 19): generated JSON objects and arrays (fields
//! of every JSON type, huge numbers, missing and extra keys, deep nesting), text lines
//! (`meter,ts,kwh` and `ts,kwh`, CR, NUL, quotes), both damaged byte by byte, and
//! arbitrary bytes. A payload never panics the parser; every element is either a reading
//! or refused with its field and a reason; the excerpt kept is bounded.
//! `PROPTEST_CASES=100000 cargo test -p zp-mqtt --test fuzz` runs more cases.

#[path = "../../../tests/support/fuzz.rs"]
mod fuzz_support;
use fuzz_support::config;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};
use zp_mqtt::payload::{Parsed, RAW_LIMIT, parse};

const TEXT: &[&str] = &[
    "M1",
    "",
    "电表1",
    "2023-06-01T10:00:00+08:00",
    "9999-12-31T23:59:59Z",
    "1.25",
    "1e400",
    "-1",
    "1,000",
    "\"",
    "\0",
    "\r\n",
    "\u{feff}",
    "\u{202e}",
];

/// A JSON value of any type, scalars biased to what a reading holds.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        prop::sample::select(TEXT).prop_map(|s| Value::String(s.to_string())),
        "\\PC{0,8}".prop_map(Value::String),
        // Numbers as sent, beyond f64 (arbitrary precision keeps their digits).
        prop::sample::select(vec![
            "1e400",
            "-0",
            "123456789012345678901234567890.123456789",
            "0.1000000000000000055511",
        ])
        .prop_map(|n| serde_json::from_str::<Value>(n).unwrap()),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A reading object: each of meter, ts, kwh present with a typical or any value, or absent.
fn reading_object() -> impl Strategy<Value = Value> {
    let field = || {
        prop_oneof![
            4 => prop::sample::select(TEXT).prop_map(|s| Some(Value::String(s.to_string()))),
            2 => json_value().prop_map(Some),
            1 => Just(None),
        ]
    };
    (field(), field(), field(), prop::option::of(json_value())).prop_map(|(m, t, k, extra)| {
        let mut o = serde_json::Map::new();
        for (key, v) in [("meter", m), ("ts", t), ("kwh", k), ("x", extra)] {
            if let Some(v) = v {
                o.insert(key.into(), v);
            }
        }
        Value::Object(o)
    })
}

/// Text lines of 1-4 comma-separated fields.
fn text_lines() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::collection::vec(prop::sample::select(TEXT), 1..5),
            prop::sample::select(vec!["\n", "\r\n", "\r", "\n\n"]),
        ),
        0..8,
    )
    .prop_map(|lines| {
        lines
            .into_iter()
            .map(|(fields, end)| fields.join(",") + end)
            .collect()
    })
}

/// A payload: a reading object, an array of them (and other values), text lines, or deep
/// nesting; then damaged.
fn payload() -> impl Strategy<Value = Vec<u8>> {
    let body = prop_oneof![
        reading_object().prop_map(|v| v.to_string()),
        prop::collection::vec(prop_oneof![4 => reading_object(), 1 => json_value()], 0..6)
            .prop_map(|v| Value::Array(v).to_string()),
        text_lines(),
        (1usize..300).prop_map(|n| "[".repeat(n) + &"]".repeat(n)),
        (1usize..300).prop_map(|n| "{\"a\":".repeat(n) + "1" + &"}".repeat(n)),
    ];
    (
        body,
        prop::collection::vec((any::<Index>(), 0u8..5, any::<u8>()), 0..3),
    )
        .prop_map(|(body, damage)| {
            let mut b = body.into_bytes();
            const INSERT: &[u8] = b"\"{}[],\0\r\n\xFF\xC3";
            for (at, what, byte) in damage {
                if b.is_empty() {
                    break;
                }
                let i = at.index(b.len());
                match what {
                    0 => b[i] ^= byte | 1,
                    1 => b.insert(i, INSERT[byte as usize % INSERT.len()]),
                    2 => b.insert(i, byte),
                    3 => {
                        b.remove(i);
                    }
                    _ => b.truncate(i),
                }
            }
            b
        })
}

/// How many elements a payload holds: one per JSON array element (one for anything else),
/// one per non-blank text line.
fn elements(payload: &[u8]) -> usize {
    let Ok(text) = std::str::from_utf8(payload) else {
        return 1;
    };
    match text.trim_start().as_bytes().first() {
        None => 1,
        Some(b'{' | b'[') => match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(items)) => items.len(),
            _ => 1,
        },
        Some(_) => text.lines().filter(|l| !l.trim().is_empty()).count(),
    }
}

fn check(topic: &str, payload: &[u8]) -> Result<(), TestCaseError> {
    let Parsed { readings, refused } = parse(topic, payload);
    prop_assert_eq!(
        readings.len() + refused.len(),
        elements(payload),
        "every element is a reading or refused"
    );
    for r in &refused {
        prop_assert!(!r.field.trim().is_empty(), "no field: {r:?}");
        prop_assert!(!r.reason.trim().is_empty(), "no reason: {r:?}");
        prop_assert!(r.raw.len() <= RAW_LIMIT, "excerpt of {} bytes", r.raw.len());
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(2000))]

    /// Generated JSON and text payloads, damaged byte by byte.
    #[test]
    fn payloads_are_read_or_refused_with_reasons(
        topic in prop::sample::select(vec!["zeropark/readings/M1", "", "/", "a/电表/", "t"]),
        payload in payload(),
    ) {
        check(topic, &payload)?;
    }

    /// Arbitrary bytes, and arbitrary bytes after `{` or `[`.
    #[test]
    fn arbitrary_payloads_are_read_or_refused(
        prefix in prop::sample::select(vec!["", "{", "[", "M1,"]),
        bytes in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        check("zeropark/readings/M1", &[prefix.as_bytes(), &bytes].concat())?;
    }
}
