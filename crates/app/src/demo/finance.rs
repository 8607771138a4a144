//! The demo park's climate finance: products, a bank, projects from the demo ledger,
//! applications through the workflow, and a retrofit monitored from its meter. Calls the
//! public finance use cases only.

use super::*;
use crate::finance::*;
use serde::Serialize;
use std::collections::BTreeSet;
use zp_domain::{Carrier, Period, Unit};
use zp_finance::annual_from_ledger;
use zp_finance::schedule::next_month;
use zp_readings::ReadingStore;
use zp_store::{ApplicationFilter, BalanceSheet, FinanceView, ProjectFilter};

/// What [`demo_seed`] did.
#[derive(Debug, Clone, Serialize)]
pub struct FinanceDemoSummary {
    pub products: usize,
    pub projects: usize,
    pub applications: usize,
    pub files: Vec<std::path::PathBuf>,
}

/// The bank of the demo's loans (the demo's `bank` login works for it).
pub const DEMO_BANK: &str = "重庆示范银行";

// The demo's products (illustrative: no real programme or bank offers them), as the files
// `zeropark finance product add` reads.
const DEMO_SUBSIDY: &str = include_str!("../../data/demo-finance/subsidy.toml");
const DEMO_CRL: &str = include_str!("../../data/demo-finance/carbon-reduction-loan.toml");
const DEMO_LOW: &str = include_str!("../../data/demo-finance/low-interest-loan.toml");
const DEMO_BOND: &str = include_str!("../../data/demo-finance/green-bond.toml");
const DEMO_PLEDGE: &str = include_str!("../../data/demo-finance/quota-pledge.toml");

/// The demo park's climate finance: products of a district programme, a bank and a
/// securities firm; a Fuhuang-like cement grinding retrofit (-32.6 GWh and -44,500 t of
/// clinker a year, baseline from the 2023 ledger) financed by a subsidy and a
/// carbon-reduction loan and monitored on track from its 2024 ledgers; a rooftop PV project
/// monitored behind expectation; and balance sheets for PCAF. Idempotent.
pub fn demo_seed(
    store: &mut dyn Store,
    dir: &Path,
    actor: &str,
) -> Result<FinanceDemoSummary, AppError> {
    use crate::demo::{DEMO_YEAR, demo_orgs};
    let dir = dir.join("finance");
    std::fs::create_dir_all(&dir)
        .map_err(|e| AppError::Invalid(format!("{}: {e}", dir.display())))?;
    let mut files = Vec::new();
    let mut write = |name: &str, text: &str| -> Result<std::path::PathBuf, AppError> {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(|e| AppError::Invalid(format!("{}: {e}", p.display())))?;
        files.push(p.clone());
        Ok(p)
    };
    let admin = Party::Admin;
    let demo_products = [DEMO_SUBSIDY, DEMO_CRL, DEMO_LOW, DEMO_BOND, DEMO_PLEDGE];
    for (i, text) in demo_products.iter().enumerate() {
        write(&format!("product-{}.toml", i + 1), text)?;
        add_product(store, &admin, text, actor)?;
    }
    let orgs = demo_orgs();
    let (fh, jl) = (&orgs[0], &orgs[1]);
    let annual =
        |store: &mut dyn Store, code: &CreditCode, carrier: Carrier| -> Result<Decimal, AppError> {
            let lines = org_ledger(
                store,
                &Access::All,
                code,
                DEMO_YEAR,
                &BTreeSet::from([carrier]),
            )?;
            Ok(annual_from_ledger("demo", &lines, DEMO_YEAR)?
                .first()
                .map(|a| a.quantity)
                .unwrap_or_default())
        };
    // Fuhuang-like retrofit: base units are kWh and t.
    let fh_kwh = annual(store, &fh.code, Carrier::Electricity)?;
    let fh_clinker = annual(store, &fh.code, Carrier::CementClinker)?;
    let fh_project = format!(
        r#"id = "FH-2023-01"
name = "水泥粉磨系统节能降碳技术改造"
org = "{code}"
kind = "energy_efficiency"
region = "CQ"
location = "重庆市北碚区"
capex_yuan = 60000000
start = "2023-03"
operation_start = "2024-01"
categories = ["1.1.1"]
baseline_year = {DEMO_YEAR}
baseline_from_ledger = true
pledgeable_quota_tco2 = 300000
# Seed: -32.6 GWh and about -42,000 tCO2 a year; the clinker saving is this demo's assumption.
[[project]]
carrier = "electricity"
quantity = {elec}
unit = "kWh"
[[project]]
carrier = "cement_clinker"
quantity = {clinker}
unit = "t"
"#,
        code = fh.code,
        elec = fh_kwh - Decimal::from(32_600_000),
        clinker = fh_clinker - Decimal::from(44_500),
    );
    let jl_kwh = annual(store, &jl.code, Carrier::Electricity)?;
    let jl_pv = annual(store, &jl.code, Carrier::ElectricityOnsiteRenewable)?;
    let jl_project = format!(
        r#"id = "JL-PV-2024"
name = "厂房屋顶分布式光伏二期 (2.6 GWh/yr)"
org = "{code}"
kind = "distributed_pv"
region = "CQ"
location = "重庆市两江新区"
capex_yuan = 9000000
start = "2023-09"
operation_start = "2024-02"
categories = ["4.1.1"]
baseline_year = {DEMO_YEAR}
baseline_from_ledger = true
[[project]]
carrier = "electricity"
quantity = {elec}
unit = "kWh"
[[project]]
carrier = "electricity_onsite_renewable"
quantity = {pv}
unit = "kWh"
"#,
        code = jl.code,
        elec = jl_kwh - Decimal::from(2_600_000),
        pv = jl_pv + Decimal::from(2_600_000),
    );
    for (name, text) in [
        ("project-fh.toml", &fh_project),
        ("project-jl-pv.toml", &jl_project),
    ] {
        write(name, text)?;
        add_project(store, &admin, text, None, actor)?;
    }
    // 2024 ledgers: the retrofit saves slightly more than expected; the PV delivers 40 %.
    let mut csv = String::from("credit_code,period,carrier,quantity,unit\n");
    let twelve = Decimal::from(12);
    for m in 1..=6 {
        let elec = (fh_kwh - Decimal::from(32_900_000)) / twelve / Decimal::from(1000);
        let clinker = (fh_clinker - Decimal::from(44_500)) / twelve;
        csv += &format!(
            "{},2024-{m:02},electricity,{},MWh\n",
            fh.code,
            elec.round_dp(1)
        );
        csv += &format!(
            "{},2024-{m:02},cement_clinker,{},t\n",
            fh.code,
            clinker.round_dp(0)
        );
        if m >= 2 {
            let elec = (jl_kwh - Decimal::from(1_040_000)) / twelve / Decimal::from(1000);
            let pv = (jl_pv + Decimal::from(1_040_000)) / twelve;
            csv += &format!(
                "{},2024-{m:02},electricity,{},MWh\n",
                jl.code,
                elec.round_dp(1)
            );
            csv += &format!(
                "{},2024-{m:02},electricity_onsite_renewable,{},kWh\n",
                jl.code,
                pv.round_dp(0)
            );
        }
    }
    let ledger = write("activity_2024_h1.csv", &csv)?;
    if store.activity(&Access::All, &fh.code, 2024)?.is_empty() {
        crate::import_file(
            store,
            &crate::Caller::operator(actor),
            crate::ImportKind::Activity,
            &ledger,
            zp_ingest::Limits::default(),
            None,
        )
        .map(|o| o.counts)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    }
    // Balance sheets (yuan) for PCAF.
    for (code, equity, debt) in [
        (&fh.code, 420_000_000i64, 260_000_000i64),
        (&jl.code, 310_000_000, 190_000_000),
    ] {
        store.set_balance_sheet(
            &BalanceSheet {
                credit_code: code.clone(),
                year: DEMO_YEAR,
                equity_yuan: Decimal::from(equity),
                debt_yuan: Decimal::from(debt),
                source: "demo balance sheet".into(),
            },
            actor,
        )?;
    }
    // The workflow runs once.
    let existing = store.applications(
        &FinanceView::Access(Access::All),
        &ApplicationFilter::default(),
    )?;
    if existing.is_empty() {
        let month = |s: &str| Period::parse(s).map_err(|e| AppError::Invalid(e.to_string()));
        let go = |store: &mut dyn Store,
                  id: i64,
                  steps: &[(Action, Option<&str>)]|
         -> Result<(), AppError> {
            for (action, period) in steps {
                let p = period.map(month).transpose()?;
                advance(store, &admin, id, *action, p, "demo", actor)?;
            }
            Ok(())
        };
        let grant = apply(
            store,
            &admin,
            "FH-2023-01",
            "BB-SUBSIDY-2024",
            Decimal::from(2_000_000),
            Method::Annuity,
            actor,
        )?;
        go(
            store,
            grant.id,
            &[
                (Action::Review, None),
                (Action::Approve, None),
                (Action::Disburse, Some("2023-12")),
                (Action::Close, None),
            ],
        )?;
        let loan = apply(
            store,
            &admin,
            "FH-2023-01",
            "CQB-CRL-01",
            Decimal::from(24_000_000),
            Method::Annuity,
            actor,
        )?;
        let mut steps = vec![
            (Action::Review, None),
            (Action::Approve, None),
            (Action::Disburse, Some("2023-12")),
        ];
        steps.extend(std::iter::repeat_n((Action::Repay, None), 6));
        go(store, loan.id, &steps)?;
        let pv = apply(
            store,
            &admin,
            "JL-PV-2024",
            "CQB-LOW-02",
            Decimal::from(5_000_000),
            Method::EqualPrincipal,
            actor,
        )?;
        go(
            store,
            pv.id,
            &[
                (Action::Review, None),
                (Action::Approve, None),
                (Action::Disburse, Some("2024-02")),
            ],
        )?;
        apply(
            store,
            &admin,
            "JL-PV-2024",
            "CQB-CRL-01",
            Decimal::from(2_000_000),
            Method::Annuity,
            actor,
        )?;
    }
    Ok(FinanceDemoSummary {
        products: store.finance_products(None)?.len(),
        projects: store
            .finance_projects(&Access::All, &ProjectFilter::default())?
            .len(),
        applications: store
            .applications(
                &FinanceView::Access(Access::All),
                &ApplicationFilter::default(),
            )?
            .len(),
        files,
    })
}

/// The demo retrofit monitored from a meter: 15-minute readings of the cement works'
/// consumption meter (`<code>-L1`, registered by [`crate::demo::readings`]) for the months
/// of its 2024 electricity ledger, spread evenly so that each month sums to the ledger's
/// figure to the Wh, and the meter linked to FH-2023-01. Its MRV then reads electricity
/// from the readings store (clinker stays on the ledger). Idempotent; returns the number of
/// readings written (0 when already there).
pub fn demo_meter_mrv(
    store: &mut dyn Store,
    readings: &mut ReadingStore,
    dir: &Path,
    actor: &str,
) -> Result<usize, AppError> {
    use std::fmt::Write as _;
    let fh = crate::demo::demo_orgs().swap_remove(0);
    let meter = format!("{}-L1", fh.code);
    let years = readings
        .years(&meter)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let mut rows = 0;
    if !years.contains(&2024) {
        let ledger = org_ledger(
            store,
            &Access::All,
            &fh.code,
            2024,
            &BTreeSet::from([Carrier::Electricity]),
        )?;
        let mut csv = String::from("meter,ts,kwh\n");
        for line in &ledger {
            let wh = line
                .quantity
                .value_in(Unit::Kwh)
                .map_err(|e| AppError::Invalid(e.to_string()))?
                * Decimal::from(1000);
            let wh = u64::try_from(wh.round().mantissa())
                .map_err(|_| AppError::Invalid(format!("{}: {wh} Wh", line.period)))?;
            let p = line.period;
            let next = next_month(p);
            let from = zp_readings::calendar::local_midnight(p.year(), p.month(), 1);
            let to = zp_readings::calendar::local_midnight(next.year(), next.month(), 1);
            let n = ((to - from) / 900) as u64;
            for i in 0..n {
                // Even shares; the remainder goes one Wh at a time to the first intervals.
                let v = wh / n + u64::from(i < wh % n);
                let _ = writeln!(
                    csv,
                    "{meter},{},{}",
                    zp_domain::time::format_local(from + i as i64 * 900),
                    zp_readings::value::format_kwh(v)
                );
                rows += 1;
            }
        }
        let file = dir.join("finance").join("readings_fh_2024_h1.csv");
        std::fs::write(&file, csv)
            .map_err(|e| AppError::Invalid(format!("{}: {e}", file.display())))?;
        let what = "demo meter readings";
        crate::demo::readings::import_demo_readings(store, readings, actor, &file, what)?;
    }
    link_meter(store, &Party::Admin, "FH-2023-01", &meter, actor)?;
    Ok(rows)
}
