//! Energy ledger rows: `credit_code,period,carrier,quantity,unit[,site,...]`.

use crate::columns::Columns;
use crate::table::{ReadError, Table};
use std::collections::HashMap;
use std::str::FromStr;
use zp_domain::records::{NewActivity, Rejected};
use zp_domain::{Carrier, CreditCode, Decimal, Period, Quantity, Unit};

pub struct ActivityRows {
    pub rows: Vec<NewActivity>,
    pub rejected: Vec<Rejected>,
}

const SPEC: &[(&str, &[&str], bool)] = &[
    ("credit_code", &["统一社会信用代码", "信用代码"], true),
    ("period", &["期间", "月份", "统计期"], true),
    ("carrier", &["能源品种", "品种", "能源种类"], true),
    ("quantity", &["数量", "消费量", "用量"], true),
    ("unit", &["单位", "计量单位"], true),
    ("site", &["厂区", "场地"], false),
];

/// Largest quantity accepted in any unit: beyond this a row is a typing error.
const ABSURD: i64 = 10_000_000_000_000;

/// Parses a ledger number: a plain decimal, or scientific notation (`1.5e3`). Thousands
/// separators are refused (`1,000` could be a thousand or a decimal comma; ledgers are
/// exact), as are numbers finer than the 28 decimal places a quantity can hold.
pub fn parse_quantity(s: &str) -> Result<Decimal, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("quantity is empty".into());
    }
    if t.contains(',') {
        return Err(format!(
            "{t:?} contains a thousands separator (,): write the plain number, e.g. 1000 or 1234.5"
        ));
    }
    let d = match Decimal::from_str(t).or_else(|_| Decimal::from_scientific(t)) {
        Ok(d) => d,
        Err(_) if t.parse::<f64>().is_ok_and(f64::is_finite) => {
            return Err(format!(
                "{t} is beyond the 28 decimal places and 28 digits a ledger quantity holds exactly"
            ));
        }
        Err(_) => return Err(format!("{t:?} is not a number")),
    };
    if d.is_sign_negative() && !d.is_zero() {
        return Err(format!("{t} is negative"));
    }
    if d > Decimal::from(ABSURD) {
        return Err(format!("{t} is implausibly large"));
    }
    Ok(d)
}

/// Optional columns with a meaning: `pressure_mpa` and `temperature_c` of steam (absolute
/// pressure; no temperature means saturated), `serials` of green certificates. Checked and
/// written back in canonical form, so a re-import compares equal.
fn check_extras(
    carrier: Carrier,
    quantity: &Quantity,
    base_quantity: Decimal,
    attrs: &mut std::collections::BTreeMap<String, String>,
) -> Result<(), (&'static str, String)> {
    let number = |field: &'static str, attrs: &std::collections::BTreeMap<String, String>| {
        attrs
            .get(field)
            .map(|v| {
                Decimal::from_str(v.trim())
                    .map(|d| d.normalize())
                    .map_err(|_| (field, format!("{v:?} is not a number")))
            })
            .transpose()
    };
    let pressure = number("pressure_mpa", attrs)?;
    let temperature = number("temperature_c", attrs)?;
    // Steam given as heat may state its state too (recorded; the heat is the figure).
    if carrier.category() == zp_domain::CarrierCategory::PurchasedSteam
        || carrier == Carrier::SteamHeat
    {
        if temperature.is_some() && pressure.is_none() {
            return Err((
                "temperature_c",
                "a steam temperature needs its pressure_mpa (absolute)".into(),
            ));
        }
        if let Some(p) = pressure {
            let to_f64 =
                |d: Decimal| rust_decimal::prelude::ToPrimitive::to_f64(&d).unwrap_or(f64::NAN);
            zp_domain::if97::steam_enthalpy_kj_per_kg(to_f64(p), temperature.map(to_f64)).map_err(
                |e| {
                    let field = match e {
                        zp_domain::if97::SteamError::PressureOutOfRange { .. } => "pressure_mpa",
                        _ => "temperature_c",
                    };
                    (field, e.to_string())
                },
            )?;
            attrs.insert("pressure_mpa".into(), p.to_string());
        }
        if let Some(t) = temperature {
            attrs.insert("temperature_c".into(), t.to_string());
        }
    } else if pressure.is_some() || temperature.is_some() {
        let field = if pressure.is_some() {
            "pressure_mpa"
        } else {
            "temperature_c"
        };
        return Err((
            field,
            format!("{field} applies to steam rows only, not {carrier}"),
        ));
    }
    if let Some(cell) = attrs.get("serials") {
        if carrier != Carrier::GreenCertificate {
            return Err((
                "serials",
                format!("serials apply to green_certificate rows only, not {carrier}"),
            ));
        }
        let set = zp_domain::SerialSet::parse(cell).map_err(|e| ("serials", e))?;
        // One certificate is 1 MWh: the count must equal the quantity in certificates.
        let certificates = if quantity.unit == Unit::Certificate {
            quantity.value
        } else {
            base_quantity
        };
        if Decimal::from(set.count()) != certificates {
            return Err((
                "serials",
                format!(
                    "names {} certificate(s) but the quantity is {} certificate(s)",
                    set.count(),
                    certificates.normalize()
                ),
            ));
        }
        attrs.insert("serials".into(), set.to_string());
    }
    Ok(())
}

/// One quarantined row with all its problems: the fields joined by `,`, the reasons by `; `.
fn reject_all(row: i64, problems: &[(&str, String)], cells: &[String]) -> Rejected {
    let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
    let reasons: Vec<&str> = problems.iter().map(|(_, r)| r.as_str()).collect();
    reject(row, &fields.join(","), reasons.join("; "), cells)
}

fn reject(row: i64, field: &str, reason: String, cells: &[String]) -> Rejected {
    Rejected {
        row,
        field: field.into(),
        reason,
        raw: Table::raw(cells),
    }
}

/// Validates ledger rows. `known_org` says whether an enterprise is registered.
pub fn validate_activity(
    table: &Table,
    known_org: &dyn Fn(&CreditCode) -> bool,
) -> Result<ActivityRows, ReadError> {
    let cols = Columns::resolve(table, SPEC)?;
    let mut out = ActivityRows {
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    // (org, site, period, carrier) -> (row number, index in out.rows)
    let mut seen: HashMap<(CreditCode, String, Period, Carrier), (i64, usize)> = HashMap::new();
    for (row, cells) in &table.rows {
        let row = *row;
        if let Some(r) = table.check_row(row, cells) {
            out.rejected.push(r);
            continue;
        }
        let text = |n| cols.get(n, cells);
        // Every independent check runs, so a row lists all its problems at once.
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let code = match CreditCode::parse(text(0)) {
            Ok(c) if known_org(&c) => Some(c),
            Ok(c) => {
                problems.push((
                    "credit_code",
                    format!(
                        "unknown organisation {c}: register it with `zeropark import orgs` first"
                    ),
                ));
                None
            }
            Err(e) => {
                problems.push((
                    "credit_code",
                    format!("invalid credit code {:?}: {e}", text(0)),
                ));
                None
            }
        };
        let period = Period::parse(text(1))
            .map_err(|e| problems.push(("period", e.to_string())))
            .ok();
        let carrier = Carrier::parse(text(2));
        if carrier.is_none() {
            problems.push(("carrier", format!("unknown carrier {:?} (use a key such as electricity, natural_gas, raw_coal or its Chinese name)", text(2))));
        }
        let unit = Unit::parse(text(4))
            .map_err(|e| problems.push(("unit", e.to_string())))
            .ok();
        // Steam in a heat unit is the heat delivered (`steam_heat`).
        let carrier = match (carrier, unit) {
            (Some(c), Some(u)) => Some(c.as_reported_in(u)),
            _ => carrier,
        };
        if let (Some(c), Some(u)) = (carrier, unit)
            && !c.accepts(u)
        {
            problems.push((
                "unit",
                format!(
                    "{u} is not a unit for {c} (expected {:?}, e.g. {})",
                    c.dimension(),
                    c.base_unit()
                ),
            ));
        }
        let value = parse_quantity(text(3))
            .map_err(|reason| problems.push(("quantity", reason)))
            .ok();
        let (Some(code), Some(period), Some(carrier), Some(unit), Some(value), true) =
            (code, period, carrier, unit, value, problems.is_empty())
        else {
            out.rejected.push(reject_all(row, &problems, cells));
            continue;
        };
        let quantity = Quantity::new(value, unit);
        let base_unit = if carrier == Carrier::GreenCertificate {
            Unit::Mwh
        } else {
            carrier.base_unit()
        };
        let base_quantity = if unit == Unit::Certificate {
            value // 1 certificate = 1 MWh (发改能源〔2023〕1044号)
        } else {
            match quantity.value_in(base_unit) {
                Ok(v) => v,
                Err(e) => {
                    out.rejected.push(reject(row, "unit", e.to_string(), cells));
                    continue;
                }
            }
        };
        let mut attrs = cols.attrs(cells);
        if let Err((field, reason)) = check_extras(carrier, &quantity, base_quantity, &mut attrs) {
            out.rejected.push(reject(row, field, reason, cells));
            continue;
        }
        let site = text(5).to_string();
        let key = (code.clone(), site.clone(), period, carrier);
        if let Some((first, i)) = seen.get(&key) {
            if out.rows[*i].base_quantity == base_quantity {
                continue; // the same line twice in one file: nothing new
            }
            out.rejected.push(reject(
                row,
                "quantity",
                format!("conflicts with row {first} of this file for {code} {period} {carrier}"),
                cells,
            ));
            continue;
        }
        seen.insert(key, (row, out.rows.len()));
        out.rows.push(NewActivity {
            credit_code: code,
            site,
            period,
            carrier,
            quantity,
            base_quantity,
            attrs,
            source_row: row,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        Table::from_rows("activity.csv", rows)
    }

    /// (row, field) of each rejection, in order.
    fn fields(rejected: &[Rejected]) -> Vec<(i64, &str)> {
        rejected.iter().map(|x| (x.row, x.field.as_str())).collect()
    }

    /// The ledger's columns, then `extra`.
    fn header<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        [
            &["credit_code", "period", "carrier", "quantity", "unit"][..],
            extra,
        ]
        .concat()
    }

    #[test]
    fn quantities() {
        assert!(
            parse_quantity("1,234.5")
                .unwrap_err()
                .contains("thousands separator (,)")
        );
        assert_eq!(parse_quantity("1e3").unwrap(), Decimal::from(1000));
        assert_eq!(
            parse_quantity("1,23").unwrap_err().to_string(),
            "\"1,23\" contains a thousands separator (,): write the plain number, e.g. 1000 or 1234.5"
        );
        assert!(parse_quantity("-5").unwrap_err().contains("negative"));
        assert!(parse_quantity("abc").unwrap_err().contains("not a number"));
        assert!(
            parse_quantity("99999999999999999")
                .unwrap_err()
                .contains("implausibly")
        );
    }

    #[test]
    fn each_kind_of_bad_row_is_named_and_good_rows_kept() {
        let ok = CreditCode::complete("91500105MA5YRE01B")
            .unwrap()
            .to_string();
        let stranger = CreditCode::complete("91500105MA5YRE02B")
            .unwrap()
            .to_string();
        let t = table(&[
            &header(&["meter_no"]),
            &[&ok, "2023-01", "electricity", "1000", "MWh", "M-1"],
            &[&ok, "2023-13", "electricity", "5", "kWh", ""],
            &[&stranger, "2023-01", "electricity", "5", "kWh", ""],
            &["12345", "2023-01", "electricity", "5", "kWh", ""],
            &[&ok, "2023-02", "uranium", "5", "t", ""],
            &[&ok, "2023-02", "天然气", "5", "barrel", ""],
            &[&ok, "2023-02", "天然气", "5", "t", ""],
            &[&ok, "2023-02", "原煤", "-5", "t", ""],
            &[&ok, "2023-02", "原煤", "lots", "t", ""],
            &[&ok, "2023-03", "柴油", "50000", "kg", ""],
            &[&ok, "2023-03", "diesel", "50", "t", ""],
            &[&ok, "2023-03", "diesel", "51", "t", ""],
        ]);
        let known = |c: &CreditCode| c.as_str() == ok;
        let r = validate_activity(&t, &known).unwrap();
        assert_eq!(r.rows.len(), 2);
        assert_eq!(
            r.rows[0].attrs.get("meter_no").map(String::as_str),
            Some("M-1")
        );
        assert_eq!(r.rows[1].base_quantity, Decimal::from(50000));
        assert_eq!(
            fields(&r.rejected),
            vec![
                (3, "period"),
                (4, "credit_code"),
                (5, "credit_code"),
                (6, "carrier"),
                (7, "unit"),
                (8, "unit"),
                (9, "quantity"),
                (10, "quantity"),
                (13, "quantity")
            ]
        );
        assert!(r.rejected[1].reason.contains("unknown organisation"));
        assert!(r.rejected[8].reason.contains("row 11"));
        crate::reasons::assert_recognised(&r.rejected);
    }

    #[test]
    fn a_row_lists_every_problem_it_has() {
        let t = table(&[
            &["credit_code", "period", "carrier", "quantity", "unit"],
            &["91500112MA60CEM01B", "2023-13", "plutonium", "-500", "kWh"],
        ]);
        let r = validate_activity(&t, &|_| false).unwrap();
        assert_eq!(r.rejected.len(), 1);
        let q = &r.rejected[0];
        assert_eq!(q.field, "credit_code,period,carrier,quantity");
        for part in ["unknown organisation", "13", "plutonium", "negative"] {
            assert!(q.reason.contains(part), "{part}: {}", q.reason);
        }
        crate::reasons::assert_recognised(&r.rejected);
    }

    #[test]
    fn steam_state_and_serials_are_checked() {
        let ok = "91500112MA60CEM01B";
        let t = table(&[
            &header(&["pressure_mpa", "temperature_c", "serials"]),
            &[ok, "2023-01", "steam", "10", "t", "1.50", "300", ""],
            &[ok, "2023-02", "steam", "10", "t", "1.0", "150", ""],
            &[ok, "2023-03", "steam", "10", "t", "", "300", ""],
            &[ok, "2023-04", "electricity", "10", "MWh", "1.0", "", ""],
            &[
                ok,
                "2023-05",
                "green_certificate",
                "3",
                "certificate",
                "",
                "",
                "X01..X03",
            ],
            &[
                ok,
                "2023-06",
                "green_certificate",
                "3",
                "MWh",
                "",
                "",
                "X04..X05",
            ],
            &[ok, "2023-07", "electricity", "3", "MWh", "", "", "X06"],
        ]);
        let r = validate_activity(&t, &|c| c.as_str() == ok).unwrap();
        assert_eq!(r.rows.len(), 2);
        assert_eq!(
            r.rows[0].attrs.get("pressure_mpa").map(String::as_str),
            Some("1.5")
        );
        assert_eq!(
            r.rows[1].attrs.get("serials").map(String::as_str),
            Some("X01..X03")
        );
        assert_eq!(
            fields(&r.rejected),
            vec![
                (3, "temperature_c"),
                (4, "temperature_c"),
                (5, "pressure_mpa"),
                (7, "serials"),
                (8, "serials")
            ]
        );
        assert!(
            r.rejected[0].reason.contains("liquid water"),
            "{}",
            r.rejected[0].reason
        );
    }
}
