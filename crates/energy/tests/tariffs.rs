//! Tariff files: the tiling rule (gap, overlap, a summer-only band, a month without bands),
//! row-named refusals, band lookup, the version in force on a day, and a bill worked by hand
//! with a summer 尖峰 hour.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use zp_domain::time::{Date, parse_timestamp};
use zp_energy::*;

fn table(csv: &str) -> (Vec<String>, Vec<(i64, Vec<String>)>) {
    let mut lines = csv.lines().map(str::trim).filter(|l| !l.is_empty());
    let headers = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .enumerate()
        .map(|(i, l)| (i as i64 + 2, l.split(',').map(str::to_string).collect()))
        .collect();
    (headers, rows)
}

const HEADER: &str = "region,category,valid_from,months,start,end,period,yuan_per_kwh";

fn parse(body: &str) -> Result<Vec<TariffVersion>, TariffFileError> {
    let (h, r) = table(&format!("{HEADER}\n{body}"));
    parse_tariffs("t.csv", &h, &r)
}

/// A summer tariff: in July and August 11:00-12:00 is 尖峰 (cut out of the 峰 band), the
/// other months keep 峰 08:00-22:00.
const SUMMER: &str = "
CQ,large_industrial,2023-01-01,1-12,00:00,08:00,valley,0.3
CQ,large_industrial,2023-01-01,1-6,08:00,22:00,high,0.9
CQ,large_industrial,2023-01-01,9-12,08:00,22:00,high,0.9
CQ,large_industrial,2023-01-01,7-8,08:00,11:00,high,0.9
CQ,large_industrial,2023-01-01,7-8,11:00,12:00,尖峰,1.2
CQ,large_industrial,2023-01-01,7-8,12:00,22:00,high,0.9
CQ,large_industrial,2023-01-01,1-12,22:00,24:00,flat,0.6
";

#[test]
fn a_summer_peak_tiles_every_month_and_is_found_by_month_and_minute() {
    let v = parse(SUMMER).unwrap();
    assert_eq!(v.len(), 1);
    let t = &v[0];
    assert_eq!(t.bands.len(), 7);
    assert!(t.tiling_errors().is_empty());
    let at = |m: u8, hh: u16, mm: u16| t.band_at(m, hh * 60 + mm).unwrap().period;
    assert_eq!(at(7, 11, 0), Period::Peak);
    assert_eq!(at(7, 11, 59), Period::Peak);
    assert_eq!(at(7, 12, 0), Period::High);
    assert_eq!(at(6, 11, 30), Period::High);
    assert_eq!(at(12, 23, 45), Period::Flat);
    assert_eq!(at(1, 0, 0), Period::Valley);
    assert_eq!(t.bands[4].period, Period::Peak, "尖峰 parses as peak");
}

#[test]
fn a_gap_refuses_the_file_naming_the_row_after_it_and_its_months() {
    let e = parse(
        "CQ,large_industrial,2023-01-01,1-12,00:00,12:00,valley,0.4
         CQ,large_industrial,2023-01-01,1-12,13:00,24:00,high,0.8",
    )
    .unwrap_err();
    assert_eq!(e.file, "t.csv");
    assert_eq!(e.faults.len(), 1, "{e}");
    assert_eq!(e.faults[0].row, 3);
    let msg = e.to_string();
    assert!(msg.contains("t.csv: row 3:"), "{msg}");
    assert!(
        msg.contains("months 1-12: no band covers 12:00-13:00"),
        "{msg}"
    );
}

#[test]
fn a_gap_at_the_end_of_the_day_names_the_last_band() {
    let e = parse("CQ,x,2023-01-01,1-12,00:00,23:00,flat,0.5").unwrap_err();
    assert_eq!(e.faults[0].row, 2);
    assert!(e.faults[0].reason.contains("23:00-24:00"), "{e}");
}

#[test]
fn an_overlap_names_both_rows() {
    let e = parse(
        "CQ,x,2023-01-01,1-12,00:00,12:00,valley,0.4
         CQ,x,2023-01-01,1-12,11:00,24:00,high,0.8",
    )
    .unwrap_err();
    assert_eq!(e.faults.len(), 1, "{e}");
    assert_eq!(e.faults[0].row, 3);
    assert!(
        e.faults[0].reason.contains("11:00-12:00 is covered twice")
            && e.faults[0].reason.contains("with row 2"),
        "{e}"
    );
}

#[test]
fn summer_months_missing_their_bands_are_a_fault_of_those_months_only() {
    // The 峰 band is given for 1-6 and 9-12 only: July and August have a gap 08:00-22:00.
    let e = parse(
        "CQ,x,2023-01-01,1-12,00:00,08:00,valley,0.3
         CQ,x,2023-01-01,1-6,08:00,22:00,high,0.9
         CQ,x,2023-01-01,9-12,08:00,22:00,high,0.9
         CQ,x,2023-01-01,1-12,22:00,24:00,flat,0.6",
    )
    .unwrap_err();
    assert_eq!(e.faults.len(), 1, "{e}");
    assert_eq!(e.faults[0].row, 5);
    assert!(
        e.faults[0]
            .reason
            .contains("months 7-8: no band covers 08:00-22:00"),
        "{e}"
    );
    // A summer 尖峰 laid over the 峰 band without cutting it overlaps in 7-8 only.
    let e = parse(
        "CQ,x,2023-01-01,1-12,00:00,08:00,valley,0.3
         CQ,x,2023-01-01,1-12,08:00,22:00,high,0.9
         CQ,x,2023-01-01,7-8,11:00,12:00,peak,1.2
         CQ,x,2023-01-01,1-12,22:00,24:00,flat,0.6",
    )
    .unwrap_err();
    assert_eq!(e.faults.len(), 1, "{e}");
    assert_eq!(e.faults[0].row, 4);
    assert!(
        e.faults[0].reason.contains("months 7-8: 11:00-12:00"),
        "{e}"
    );
}

#[test]
fn a_month_without_any_band_and_bad_cells_are_reported_by_row() {
    let e = parse(
        "CQ,x,2023-01-01,1-11,00:00,24:00,flat,0.5
         CQ,y,2023-01-01,1-12,00:00,24:00,noon,0.5
         CQ,y,2023-01-01,1-12,22:00,06:00,flat,0.5
         ZZ,y,2023-01-01,1-12,00:00,24:00,flat,0.5
         CQ,z,2023-01-01,12-1,00:00,24:00,flat,0.5
         CQ,z,2023-02-30,1-12,00:00,24:00,flat,0.5
         CQ,z,2023-01-01,1-12,00:00,24:00,flat,400",
    )
    .unwrap_err();
    let rows: Vec<i64> = e.faults.iter().map(|f| f.row).collect();
    assert_eq!(rows, vec![2, 3, 4, 5, 6, 7, 8], "{e}");
    let r = |i: usize| e.faults[i].reason.as_str();
    assert!(r(0).contains("months 12: no band at all"), "{e}");
    assert!(r(1).starts_with("period \"noon\""), "{e}");
    assert!(r(2).contains("a band over midnight is two rows"), "{e}");
    assert!(r(3).starts_with("region:"), "{e}");
    assert!(r(4).contains("runs backwards"), "{e}");
    assert!(r(5).starts_with("valid_from"), "{e}");
    assert!(r(6).contains("a price per MWh?"), "{e}");
}

#[test]
fn months_and_times_parse_and_print_in_their_short_forms() {
    assert_eq!(MonthSet::parse("1,12").unwrap().to_string(), "1,12");
    assert_eq!(MonthSet::parse("7-8").unwrap().to_string(), "7-8");
    assert_eq!(MonthSet::parse("1-2,3,12").unwrap().to_string(), "1-3,12");
    assert_eq!(MonthSet::parse("1-12").unwrap(), MonthSet::ALL);
    assert!(MonthSet::parse("0-3").is_err());
    assert!(MonthSet::parse("1,,2").is_err());
    assert_eq!(parse_hhmm("24:00"), Ok(1440));
    assert_eq!(parse_hhmm("07:30"), Ok(450));
    assert_eq!(parse_hhmm("07:30:00"), Ok(450));
    for bad in ["24:15", "7:5", "12", "12:60", "-1:00", "ab:cd"] {
        assert!(parse_hhmm(bad).is_err(), "{bad}");
    }
    assert_eq!(hhmm(1440), "24:00");
}

#[test]
fn the_version_in_force_is_the_latest_valid_from_on_or_before_the_day() {
    let v = parse(
        "CQ,x,2023-01-01,1-12,00:00,24:00,flat,0.5
         CQ,x,2023-07-15,1-12,00:00,24:00,flat,0.7",
    )
    .unwrap();
    let day = |s: &str| s.parse::<Date>().unwrap();
    assert_eq!(
        version_on(&v, day("2023-07-14")).unwrap().valid_from,
        day("2023-01-01")
    );
    assert_eq!(
        version_on(&v, day("2023-07-15")).unwrap().valid_from,
        day("2023-07-15")
    );
    assert!(version_on(&v, day("2022-12-31")).is_none());
}

fn at(s: &str, wh: u64) -> IntervalImport {
    IntervalImport {
        start: parse_timestamp(s).unwrap(),
        wh,
    }
}

#[test]
fn a_summer_bill_by_hand() {
    let v = parse(SUMMER).unwrap();
    // 2023-07-10, four intervals:
    //   07:45 1000 Wh valley 0.3 -> 0.3 yuan
    //   11:00 2000 Wh 尖峰  1.2  -> 2.4
    //   11:45  500 Wh 尖峰  1.2  -> 0.6
    //   12:00 1500 Wh 峰    0.9  -> 1.35
    //   23:45  250 Wh 平    0.6  -> 0.15
    // 2023-06-10 11:00 2000 Wh is 峰 (no 尖峰 in June) -> 1.8
    let b = bill(
        &v,
        &[
            at("2023-07-10T07:45:00+08:00", 1000),
            at("2023-07-10T11:00:00+08:00", 2000),
            at("2023-07-10T11:45:00+08:00", 500),
            at("2023-07-10T12:00:00+08:00", 1500),
            at("2023-07-10T23:45:00+08:00", 250),
            at("2023-06-10T11:00:00+08:00", 2000),
        ],
    )
    .unwrap();
    assert_eq!(b.energy_kwh, dec!(7.25));
    assert_eq!(b.cost_yuan, dec!(6.6));
    let lines: Vec<(Period, Decimal, Decimal, usize)> = b
        .periods
        .iter()
        .map(|p| (p.period, p.kwh, p.cost_yuan, p.intervals))
        .collect();
    assert_eq!(
        lines,
        vec![
            (Period::Peak, dec!(2.5), dec!(3), 2),
            (Period::High, dec!(3.5), dec!(3.15), 2),
            (Period::Flat, dec!(0.25), dec!(0.15), 1),
            (Period::Valley, dec!(1), dec!(0.3), 1),
        ]
    );
    assert_eq!(b.intervals, 6);
    assert_eq!(b.versions.len(), 1);
}

#[test]
fn a_bill_uses_each_days_version_and_refuses_days_before_the_first() {
    let v = parse(
        "CQ,x,2023-01-01,1-12,00:00,24:00,flat,0.5
         CQ,x,2023-07-15,1-12,00:00,24:00,flat,0.7",
    )
    .unwrap();
    // 23:45 local on the 14th is still the old version although it is 15:45 UTC.
    let b = bill(
        &v,
        &[
            at("2023-07-14T23:45:00+08:00", 1000),
            at("2023-07-15T00:00:00+08:00", 1000),
        ],
    )
    .unwrap();
    assert_eq!(b.cost_yuan, dec!(1.2));
    assert_eq!(b.versions.len(), 2);
    let e = bill(&v, &[at("2022-12-31T23:45:00+08:00", 1)]).unwrap_err();
    assert!(e.to_string().contains("2022-12-31"), "{e}");
}
