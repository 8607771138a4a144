//! Reading interval readings out of one MQTT message.
//!
//! Three payload shapes are accepted (the first non-blank byte decides):
//! - a JSON object `{"meter": "M1", "ts": "2023-06-01T10:00:00+08:00", "kwh": 1.25}`;
//! - a JSON array of such objects;
//! - text lines `meter,ts,kwh` (no header; blank lines skipped).
//!
//! `kwh` may be a JSON number or a string; its digits are passed on exactly as sent (no
//! float rounding), and the readings rules (plausible, non-negative, aligned `ts`) are
//! applied by the importer. When an object has no `meter`, the last level of the topic
//! names it (`zeropark/readings/M1` publishes for meter `M1`); a text line with two fields
//! (`ts,kwh`) does the same. An element that cannot be read is refused alone: the other
//! readings of the message are kept.

use serde_json::Value;

/// One reading, its fields as the message wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub meter: String,
    pub ts: String,
    pub kwh: String,
}

/// Why a message or one of its elements was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub field: String,
    pub reason: String,
    /// The offending element (or the start of the payload), at most [`RAW_LIMIT`] bytes.
    pub raw: String,
}

/// Longest excerpt of a refused payload kept for the quarantine.
pub const RAW_LIMIT: usize = 500;

/// The readings in a message and the elements refused.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub readings: Vec<Reading>,
    pub refused: Vec<Refused>,
}

/// Reads a message published on `topic`.
pub fn parse(topic: &str, payload: &[u8]) -> Parsed {
    let mut out = Parsed::default();
    let Ok(text) = std::str::from_utf8(payload) else {
        out.refused.push(refused(
            "payload",
            "not UTF-8 text",
            payload_excerpt(payload),
        ));
        return out;
    };
    let topic_meter = topic.rsplit('/').next().unwrap_or(topic);
    match text.trim_start().as_bytes().first() {
        None => out
            .refused
            .push(refused("payload", "empty message", String::new())),
        Some(b'{' | b'[') => parse_json(text, topic_meter, &mut out),
        Some(_) => parse_lines(text, topic_meter, &mut out),
    }
    out
}

fn parse_json(text: &str, topic_meter: &str, out: &mut Parsed) {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            out.refused.push(refused(
                "payload",
                &format!("invalid JSON: {e}"),
                excerpt(text),
            ));
            return;
        }
    };
    let elements = match value {
        Value::Array(items) => items,
        other => vec![other],
    };
    for element in &elements {
        match json_reading(element, topic_meter) {
            Ok(r) => out.readings.push(r),
            Err((field, reason)) => {
                out.refused
                    .push(refused(field, &reason, excerpt(&element.to_string())));
            }
        }
    }
}

fn json_reading(element: &Value, topic_meter: &str) -> Result<Reading, (&'static str, String)> {
    let Value::Object(obj) = element else {
        return Err((
            "payload",
            "expected an object with meter, ts and kwh".into(),
        ));
    };
    let meter = match obj.get("meter") {
        None | Some(Value::Null) => topic_meter.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(("meter", "must be a string".into())),
    };
    let ts = match obj.get("ts") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => return Err(("ts", "missing".into())),
        Some(_) => return Err(("ts", "must be an RFC 3339 string".into())),
    };
    let kwh = match obj.get("kwh") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => return Err(("kwh", "missing".into())),
        Some(_) => return Err(("kwh", "must be a number".into())),
    };
    Ok(Reading { meter, ts, kwh })
}

fn parse_lines(text: &str, topic_meter: &str, out: &mut Parsed) {
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        match fields.as_slice() {
            [meter, ts, kwh] => out.readings.push(reading(meter, ts, kwh)),
            [ts, kwh] => out.readings.push(reading(topic_meter, ts, kwh)),
            _ => out.refused.push(refused(
                "payload",
                &format!(
                    "expected meter,ts,kwh (or ts,kwh), found {} fields",
                    fields.len()
                ),
                excerpt(line),
            )),
        }
    }
}

fn reading(meter: &str, ts: &str, kwh: &str) -> Reading {
    Reading {
        meter: meter.to_string(),
        ts: ts.to_string(),
        kwh: kwh.to_string(),
    }
}

fn refused(field: &str, reason: &str, raw: String) -> Refused {
    Refused {
        field: field.to_string(),
        reason: reason.to_string(),
        raw,
    }
}

fn excerpt(text: &str) -> String {
    let mut end = text.len().min(RAW_LIMIT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

fn payload_excerpt(payload: &[u8]) -> String {
    excerpt(&String::from_utf8_lossy(
        &payload[..payload.len().min(RAW_LIMIT)],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(meter: &str, ts: &str, kwh: &str) -> Reading {
        reading(meter, ts, kwh)
    }

    #[test]
    fn one_json_object() {
        let p = parse(
            "zeropark/readings",
            br#"{"meter":"M1","ts":"2023-06-01T10:00:00+08:00","kwh":1.25}"#,
        );
        assert_eq!(p.readings, [r("M1", "2023-06-01T10:00:00+08:00", "1.25")]);
        assert!(p.refused.is_empty());
    }

    #[test]
    fn number_digits_pass_unrounded() {
        let p = parse(
            "t/M2",
            br#"{"ts":"2023-06-01 10:15:00","kwh":0.1000000000000000055511}"#,
        );
        assert_eq!(p.readings[0].kwh, "0.1000000000000000055511");
        assert_eq!(
            p.readings[0].meter, "M2",
            "meter from the topic's last level"
        );
    }

    #[test]
    fn array_keeps_good_elements_and_refuses_bad_ones() {
        let p = parse(
            "t/M3",
            br#"[{"ts":"2023-06-01T10:00:00+08:00","kwh":"2"},{"kwh":3},{"ts":5,"kwh":1},7]"#,
        );
        assert_eq!(p.readings, [r("M3", "2023-06-01T10:00:00+08:00", "2")]);
        let fields: Vec<(&str, &str)> = p
            .refused
            .iter()
            .map(|x| (x.field.as_str(), x.reason.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("ts", "missing"),
                ("ts", "must be an RFC 3339 string"),
                ("payload", "expected an object with meter, ts and kwh"),
            ]
        );
        assert_eq!(p.refused[0].raw, r#"{"kwh":3}"#);
    }

    #[test]
    fn csv_lines_with_and_without_meter() {
        let p = parse(
            "site/A/M9",
            b"M1,2023-06-01T10:00:00+08:00,1.5\r\n\n2023-06-01T10:15:00+08:00,2\nbad\n",
        );
        assert_eq!(
            p.readings,
            [
                r("M1", "2023-06-01T10:00:00+08:00", "1.5"),
                r("M9", "2023-06-01T10:15:00+08:00", "2"),
            ]
        );
        assert_eq!(p.refused.len(), 1);
        assert_eq!(
            p.refused[0].reason,
            "expected meter,ts,kwh (or ts,kwh), found 1 fields"
        );
        assert_eq!(p.refused[0].raw, "bad");
    }

    #[test]
    fn unreadable_payloads_are_refused_with_a_reason() {
        let p = parse("t", b"{\"meter\":");
        assert!(p.readings.is_empty());
        assert!(
            p.refused[0].reason.starts_with("invalid JSON"),
            "{:?}",
            p.refused
        );
        assert_eq!(parse("t", b"  ").refused[0].reason, "empty message");
        assert_eq!(
            parse("t", &[0xff, 0xfe]).refused[0].reason,
            "not UTF-8 text"
        );
    }

    #[test]
    fn raw_excerpt_is_bounded_on_a_char_boundary() {
        let long = format!("[{}", "电".repeat(400));
        let p = parse("t", long.as_bytes());
        assert!(p.refused[0].raw.len() <= RAW_LIMIT);
        assert!(p.refused[0].raw.starts_with("[电"));
    }
}
