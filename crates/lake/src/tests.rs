//! The lake's carbon map on a lake small enough to check by hand.

use crate::write::replace_partition;
use crate::{Engine, lake_carbon_map, schema};
use arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use std::path::Path;
use std::sync::Arc;
use zp_app::readings::{CarbonMapQuery, MapGroup, MapScope};
use zp_domain::{Decimal, Region};
use zp_readings::Resolution;

/// 2023-07-10T00:00:00+08:00 as UTC epoch seconds.
const DAY: i64 = 1_688_918_400;
const HOUR: i64 = 3600;

fn s(v: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}

fn opt(v: &[Option<&str>]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}

fn i(v: &[i64]) -> ArrayRef {
    Arc::new(Int64Array::from(v.to_vec()))
}

fn f(v: &[Option<f64>]) -> ArrayRef {
    Arc::new(Float64Array::from(v.to_vec()))
}

/// One enterprise in Chongqing with a top consumption meter `L`, a sub-meter `SUB` under
/// it (never counted) and solar `PV`, on 2023-07-10 local:
///
/// | local hour | L (4 x 15 min) | PV        | import | factor                   |
/// |------------|----------------|-----------|--------|--------------------------|
/// | 10:00      | 4 x 250 Wh     | 4 x 100   | 600 Wh | hourly 0.5 tCO2/MWh      |
/// | 11:00      | 4 x 250 Wh     | 4 x 300   | 0      | hourly 0.5 (no import)   |
/// | 12:00      | 4 x 250 Wh     | none      | 1000 Wh| annual 0.6 (no hourly)   |
fn tiny_lake(dir: &Path) {
    let code = "91500112MA60ELE02H";
    put(
        dir,
        "orgs",
        schema::ORGS,
        vec![
            s(&[code]),
            s(&["示例电子"]),
            s(&["CQ"]),
            opt(&[Some("P")]),
            s(&["C39"]),
        ],
    );
    put(
        dir,
        "meters",
        schema::METERS,
        vec![
            s(&["L", "SUB", "PV"]),
            s(&[code, code, code]),
            s(&["consumption", "consumption", "generation"]),
            s(&["", "L", ""]),
            s(&["", "", "solar"]),
            s(&["", "", ""]),
            s(&["", "", ""]),
        ],
    );
    let (mut meter, mut ts, mut wh, mut kind) = (vec![], vec![], vec![], vec![]);
    for h in 10..13 {
        for q in 0..4 {
            let t = DAY + h * HOUR + q * 900;
            let pv = match h {
                10 => Some(100),
                11 => Some(300),
                _ => None,
            };
            for (m, v, k) in [
                ("L", Some(250), "consumption"),
                ("SUB", Some(50), "consumption"),
                ("PV", pv, "generation"),
            ] {
                if let Some(v) = v {
                    meter.push(m);
                    ts.push(t);
                    wh.push(v);
                    kind.push(k);
                }
            }
        }
    }
    let codes = vec![code; ts.len()];
    put(
        dir,
        "readings/region=CQ/year=2023/month=07",
        schema::READINGS,
        vec![s(&meter), s(&codes), i(&ts), i(&wh), s(&kind)],
    );
    // Hourly factors for 10:00 and 11:00 only: 0.5 tCO2/MWh = 500,000,000 ngCO2/Wh.
    put(
        dir,
        "grid_hourly/region=CQ/year=2023/month=07",
        schema::GRID_HOURLY,
        vec![
            i(&[DAY + 10 * HOUR, DAY + 11 * HOUR]),
            f(&[Some(0.5), Some(0.5)]),
            i(&[500_000_000, 500_000_000]),
            f(&[None, None]),
        ],
    );
    // The annual factor of local 2023: 0.6 tCO2/MWh.
    put(
        dir,
        "grid_annual/region=CQ/year=2023",
        schema::GRID_ANNUAL,
        vec![
            s(&["test-cq-2023"]),
            f(&[Some(0.6)]),
            i(&[600_000_000]),
            opt(&[None]),
            i(&[1_672_502_400]),
            i(&[1_704_038_400]),
        ],
    );
    // No certificates: the table is there, empty.
    std::fs::create_dir_all(dir.join("certificates")).unwrap();
    manifest(dir);
}

/// Writes one partition of a lake table.
fn put(dir: &Path, partition: &str, columns: &[schema::Column], cols: Vec<ArrayRef>) {
    let schema = schema::arrow_schema(columns);
    let batch = RecordBatch::try_new(schema.clone(), cols).unwrap();
    replace_partition(&dir.join(partition), schema, &batch).unwrap();
}

fn manifest(dir: &Path) {
    let text = format!("{{\"version\": {}}}\n", schema::LAKE_VERSION);
    std::fs::write(dir.join("manifest.json"), text).unwrap();
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn datafusion_carbon_map_of_a_hand_checked_day() {
    let dir = tempfile::tempdir().unwrap();
    tiny_lake(dir.path());
    let q = CarbonMapQuery {
        scope: MapScope::Region(Region::parse("CQ").unwrap()),
        from: "2023-07-10".into(),
        to: "2023-07-10".into(),
        by: Resolution::Day,
        group: MapGroup::Enterprise,
    };
    let map = lake_carbon_map(dir.path(), &Engine::DataFusion, &q).unwrap();
    assert_eq!(map.rows.len(), 1);
    let r = &map.rows[0];
    assert_eq!(
        (r.group.as_str(), r.period.as_str()),
        ("91500112MA60ELE02H", "2023-07-10")
    );
    // Load: L only (SUB is under L): 3 hours x 1,000 Wh = 0.003 MWh.
    assert_eq!(r.consumption_mwh, d("0.003"));
    // Own supply: 400 + 1,200 Wh = 0.0016 MWh.
    assert_eq!(r.generation_mwh, d("0.0016"));
    // Import per hour, never netted across hours: 600 + 0 + 1,000 Wh = 0.0016 MWh.
    assert_eq!(r.grid_import_mwh, d("0.0016"));
    // 0.0006 MWh x 0.5 tCO2/MWh + 0.001 MWh x 0.6 tCO2/MWh = 0.0003 + 0.0006 = 0.0009 tCO2.
    assert_eq!(r.emissions_tco2, d("0.0009"));
    // One hour with import priced hourly, one with the annual factor.
    assert_eq!((r.factor_source, r.fallback_hours), ("mixed", 1));
    assert_eq!((map.enterprises, map.meters), (1, 3));
    // 24 hours of the day, 2 with an hourly factor.
    assert_eq!(
        (map.factors[0].hourly_hours, map.factors[0].fallback_hours),
        (2, 22)
    );
    assert_eq!(map.factors[0].annual[0].tco2_per_mwh, d("0.6"));
}

#[test]
fn a_directory_that_is_not_a_lake_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let q = CarbonMapQuery {
        scope: MapScope::Region(Region::parse("CQ").unwrap()),
        from: "2023-07-10".into(),
        to: "2023-07-10".into(),
        by: Resolution::Day,
        group: MapGroup::Enterprise,
    };
    let e = lake_carbon_map(dir.path(), &Engine::DataFusion, &q).unwrap_err();
    let m = e.to_string();
    assert!(
        m.contains("manifest.json") && m.contains("not a lake"),
        "{m}"
    );
    std::fs::write(dir.path().join("manifest.json"), "{\"version\": 7}").unwrap();
    let m = lake_carbon_map(dir.path(), &Engine::DataFusion, &q)
        .unwrap_err()
        .to_string();
    assert!(m.contains("field version is 7"), "{m}");
    assert_eq!(
        Engine::parse("ballista://h:50050"),
        Ok(Engine::Ballista("h:50050".into()))
    );
    assert!(
        Engine::parse("spark")
            .unwrap_err()
            .contains("native, datafusion or ballista://HOST:PORT")
    );
}

/// The reference's worked example of hourly matching (load 10, 10, 10, 10 Wh; clean
/// 15, 10, 5, 0; grid CFE share 0.3 -> matched 25 Wh, score 0.7375) as a lake: the
/// enterprise's certificates cancelled for it and their own hour, and the others the plan
/// must leave out.
#[test]
fn datafusion_matching_of_the_worked_example() {
    let dir = tempfile::tempdir().unwrap();
    tiny_lake(dir.path());
    let (me, other) = ("91500112MA60ELE02H", "91500112MA60CEM01B");
    // Load: meter L has 4 x 250 Wh in 10:00..13:00 already; matching needs 10 Wh an hour,
    // so a lake of its own: L reads 2 x 5 Wh in each of 10:00..14:00.
    let hours: Vec<i64> = (10..14).map(|h| DAY + h * HOUR).collect();
    let ts: Vec<i64> = hours.iter().flat_map(|t| [*t, t + 1800]).collect();
    put(
        dir.path(),
        "readings/region=CQ/year=2023/month=07",
        schema::READINGS,
        vec![
            s(&["L"; 8]),
            s(&[me; 8]),
            i(&ts),
            i(&[5; 8]),
            s(&["consumption"; 8]),
        ],
    );
    put(
        dir.path(),
        "grid_hourly/region=CQ/year=2023/month=07",
        schema::GRID_HOURLY,
        vec![
            i(&hours),
            f(&[Some(0.5); 4]),
            i(&[500_000_000; 4]),
            f(&[Some(0.3); 4]),
        ],
    );
    let h = |k: usize| hours[k];
    // (owner, Wh, production hour, status, consumer, consumption hour)
    type Row<'a> = (&'a str, i64, i64, &'a str, Option<&'a str>, Option<i64>);
    let bundles: [Row; 7] = [
        (me, 15, h(0), "cancelled", Some(me), Some(h(0))),
        (me, 10, h(1), "cancelled", Some(me), Some(h(1))),
        (me, 3, h(2), "cancelled", Some(me), Some(h(2))),
        (me, 2, h(2), "claimed", Some(me), Some(h(2))),
        // Another consumer's retirement in a matched hour: not ours.
        (other, 9, h(0), "cancelled", Some(other), Some(h(0))),
        // Withdrawn: counts nowhere.
        (me, 4, h(3), "withdrawn", None, None),
        // Still active in our account: the annual ratio counts it, the hourly figures never.
        (me, 8, h(3), "active", None, None),
    ];
    put(
        dir.path(),
        "certificates/region=CQ/year=2023/month=07",
        schema::CERTIFICATES,
        vec![
            i(&(1..=7).collect::<Vec<i64>>()),
            s(&bundles.map(|b| b.0)),
            i(&bundles.map(|b| b.1)),
            i(&bundles.map(|b| b.2)),
            s(&["solar"; 7]),
            s(&bundles.map(|b| b.3)),
            opt(&bundles.map(|b| b.4)),
            Arc::new(Int64Array::from(bundles.map(|b| b.5).to_vec())),
        ],
    );
    let code = zp_domain::CreditCode::parse(me).unwrap();
    let r = crate::lake_matching(
        dir.path(),
        &Engine::DataFusion,
        &code,
        (DAY, DAY + 24 * HOUR),
    )
    .unwrap();
    assert_eq!(r.load_mwh, d("0.00004"));
    assert_eq!(r.matched_mwh, d("0.000025"));
    // (10 + 10 + 5 + 0.3 x (0 + 0 + 5 + 10)) / 40 = 29.5 / 40.
    assert_eq!(r.cfe_score, Some(d("0.7375")));
    // (15 + 10 + 5 + 8 active) / 40, capped at 1: 38 / 40.
    assert_eq!(r.annual_match_ratio, Some(d("0.95")));
    assert!(r.missing_grid_cfe_hours.is_empty());
    let matched: Vec<u64> = r.hours.iter().map(|x| x.matched_wh).collect();
    assert_eq!(matched, [10, 10, 5, 0]);
    // An enterprise the lake does not have is named.
    let absent = zp_domain::CreditCode::parse("91510100MA6CHEM068").unwrap();
    let e = crate::lake_matching(
        dir.path(),
        &Engine::DataFusion,
        &absent,
        (DAY, DAY + 86_400),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("91510100MA6CHEM068") && e.contains("not in the lake"),
        "{e}"
    );
}
