//! Inputs the report tests share: inventories computed by the accounting engine from the
//! worked examples' ledgers (Chongqing 2023: 1,000 MWh, 10 x 10^4 m3 natural gas, 100 t
//! raw coal, 50 t diesel), and the CJK font.
#![allow(dead_code, reason = "each test binary uses its own part")]

use rust_decimal::Decimal;
use std::str::FromStr;
use zp_accounting::{ActivityLine, GridFactorMode, Inventory, Options, OrgInput, compute};
use zp_domain::{Carrier, CreditCode, Period, Quantity, Region, Unit};
use zp_factors::{Catalog, Pins};

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub fn org() -> CreditCode {
    CreditCode::complete("91500105MA5YRE01B").unwrap()
}

/// A ledger line `carrier quantity unit` of `period`, read from `file:row`.
pub fn line(
    id: i64,
    period: &str,
    carrier: Carrier,
    q: &str,
    unit: Unit,
    file: &str,
) -> ActivityLine {
    ActivityLine {
        id,
        period: Period::parse(period).unwrap(),
        carrier,
        quantity: Quantity::new(d(q), unit),
        source: format!("{file}:{}", id + 1),
        steam: None,
        serials: None,
    }
}

/// The worked example's ledger, the kiln's rows (`kiln.csv`: coal, gas, 400 MWh) and the
/// grinding mill's (`grinding.csv`: diesel, 600 MWh).
pub fn kiln() -> Vec<ActivityLine> {
    vec![
        line(
            1,
            "2023-01",
            Carrier::NaturalGas,
            "10",
            Unit::WanM3,
            "kiln.csv",
        ),
        line(
            2,
            "2023-02",
            Carrier::RawCoal,
            "100",
            Unit::Tonne,
            "kiln.csv",
        ),
        line(
            3,
            "2023-01",
            Carrier::Electricity,
            "400",
            Unit::Mwh,
            "kiln.csv",
        ),
    ]
}

pub fn grinding() -> Vec<ActivityLine> {
    vec![
        line(
            11,
            "2023-03",
            Carrier::Diesel,
            "50000",
            Unit::Kg,
            "grinding.csv",
        ),
        line(
            12,
            "2023-01",
            Carrier::Electricity,
            "600",
            Unit::Mwh,
            "grinding.csv",
        ),
    ]
}

/// The inventory of `lines` for the example enterprise in CQ, 2023, provincial factor.
pub fn inventory(lines: Vec<ActivityLine>) -> Inventory {
    inventory_in(lines, 2023)
}

/// The inventory of `lines` for the example enterprise in CQ in `year`.
pub fn inventory_in(lines: Vec<ActivityLine>, year: i32) -> Inventory {
    let input = OrgInput {
        org: org(),
        name: "示例制造有限公司".into(),
        region: Region::parse("CQ").unwrap(),
        year,
        lines,
        output_value_10k_yuan: None,
        onsite_certificates_sold_mwh: Decimal::ZERO,
    };
    compute(
        &input,
        &Catalog::builtin(),
        &mut Pins::default(),
        Options {
            grid: GridFactorMode::Provincial,
        },
    )
    .unwrap()
}

pub fn whole() -> Inventory {
    inventory([kiln(), grinding()].concat())
}

/// The CJK font: `ZEROPARK_CJK_FONT`, else Debian's fonts-noto-cjk.
pub fn font() -> Vec<u8> {
    let path = std::env::var("ZEROPARK_CJK_FONT")
        .unwrap_or_else(|_| "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc".into());
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("{path}: {e} (install Debian's fonts-noto-cjk or set ZEROPARK_CJK_FONT)")
    })
}

/// The text of a PDF, as a reader extracts it.
pub fn pdf_text(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf).expect("the PDF parses and its text extracts")
}

/// The worked example's enterprise (示例制造有限公司, cement, in CQ) as the organisation of
/// a GHG inventory, in `park` with `sites`.
pub fn organisation(park: Option<&str>, sites: &[&str]) -> zp_reports::ghg::Organisation {
    zp_reports::ghg::Organisation {
        credit_code: org().to_string(),
        name: "示例制造有限公司".into(),
        region: "CQ".into(),
        region_name: "重庆市".into(),
        industry: "3011".into(),
        park: park.map(String::from),
        sites: sites.iter().map(|s| s.to_string()).collect(),
    }
}

/// The same enterprise as a CBAM installation in China.
pub fn installation(park: Option<&str>, sites: &[&str]) -> zp_reports::cbam::Installation {
    let o = organisation(park, sites);
    zp_reports::cbam::Installation {
        country: "CN".into(),
        credit_code: o.credit_code,
        name: o.name,
        region: o.region,
        region_name: o.region_name,
        industry: o.industry,
        park: o.park,
        sites: o.sites,
    }
}
