//! Carbon inclusion (碳普惠) end to end on a store: participants join, actions are
//! imported (bad rows quarantined, the same file twice changes nothing), a year is issued
//! in whole tonnes with the remainder carried into the next year, issuing again issues
//! nothing, a redemption cancels credits in the registry and the log still verifies; an
//! enterprise sees only its own participants.
//!
//! Factors: Chongqing's location grid factor 0.5227 tCO2/MWh (2022) and 0.5581 (2023);
//! petrol 43.070 GJ/t x 18.90 tC/TJ / 1000 x 0.98 x 44/12 = 2.92505598 kgCO2/kg.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::path::Path;
use zp_app::inclusion::{self as uc, IssueLine, Participant};
use zp_app::{Access, Caller, ImportKind, Limits, Store};
use zp_domain::CreditCode;

mod common;
use common::import as import_file;

const SME_ORG: &str = "91500112MA60CEM01B";
const AGGREGATOR: &str = "91500112MA60ELE02H";

fn code(s: &str) -> CreditCode {
    CreditCode::parse(s).unwrap()
}

fn op() -> Caller {
    Caller::operator("test")
}

fn setup(dir: &Path) -> Box<dyn Store> {
    let mut store = zp_app::open(dir.join("t.db").to_str().unwrap()).unwrap();
    let orgs = dir.join("orgs.csv");
    let csv = format!(
        "credit_code,name,region,park,industry\n{SME_ORG},示例小微企业,CQ,示例园区,3011\n{AGGREGATOR},示例园区运营公司,CQ,示例园区,7212\n"
    );
    std::fs::write(&orgs, csv).unwrap();
    import_file(store.as_mut(), ImportKind::Orgs, &orgs);
    for (id, name, kind, org) in [
        ("sme-1", "示例五金店", "sme", Some(SME_ORG)),
        ("p-1", "张三", "person", Some(AGGREGATOR)),
        ("p-2", "李四", "person", None),
    ] {
        let p = Participant {
            id: id.into(),
            name: name.into(),
            kind: kind.into(),
            credit_code: org.map(code),
        };
        uc::join(store.as_mut(), &op(), &p).unwrap();
    }
    store
}

fn import(store: &mut dyn Store, dir: &Path, name: &str, csv: &str) -> uc::ActionImport {
    let path = dir.join(name);
    std::fs::write(&path, csv).unwrap();
    let table = zp_app::read_table(&path, Limits::default()).unwrap();
    uc::import_actions(store, &op(), &table).unwrap()
}

const ACTIONS_2022: &str = "participant,methodology,date,quantity,unit
p-1,ev-charging,2022-03-01,1000,kWh
p-1,ev-charging,2022-04-01,500,kWh
sme-1,sme-saving,2022-06-30,20000,kWh
sme-1,pv-self-use,2022-07-01,12345,kWh
p-2,pv-self-use,2022-05-01,3000,kWh
p-9,pv-self-use,2022-05-01,10,kWh
sme-1,sme-saving,2022-13-01,10,kWh
sme-1,pv-self-use,2022-08-01,10,MWh
sme-1,pv-self-use,2022-09-01,\"1,000\",kWh
";

fn line<'a>(lines: &'a [IssueLine], p: &str, m: &str) -> &'a IssueLine {
    lines
        .iter()
        .find(|l| l.participant == p && l.methodology == m)
        .unwrap()
}

#[test]
fn import_issue_carry_reissue_redeem_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let s = store.as_mut();

    // 9 rows: 5 good, 4 quarantined with row, field and reason.
    let first = import(s, dir.path(), "actions.csv", ACTIONS_2022);
    assert_eq!(
        (
            first.counts.read,
            first.counts.accepted,
            first.counts.quarantined
        ),
        (9, 5, 4)
    );
    let fields: Vec<(i64, &str)> = first
        .rejected
        .iter()
        .map(|r| (r.row, r.field.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            (7, "participant"),
            (8, "date"),
            (9, "unit"),
            (10, "quantity")
        ]
    );
    // The same file again: every good row a duplicate, nothing stored twice.
    let again = import(s, dir.path(), "actions.csv", ACTIONS_2022);
    assert_eq!((again.counts.accepted, again.counts.duplicates), (5, 5));
    assert_eq!(
        s.inclusion_actions(&Access::All, Some(2022)).unwrap().len(),
        5
    );

    // 2022, worked by hand:
    // p-1 EV: 1,500 kWh / 15 x 100 = 10,000 km; x 7 L/100km = 700 L x 0.73 = 511 kg petrol;
    //   x 2.92505598 = 1,494.70360578 kg; minus 1,500 x 0.5227 = 784.05 -> 710.653 kg: 0 t,
    //   710.653 kg carried.
    // sme-1 saving: 20,000 x 0.5227 = 10,454 kg -> 10 t, 454 kg carried.
    // sme-1 PV: 12,345 x 0.5227 = 6,452.7315 -> 6,452.731 kg -> 6 t, 452.731 kg carried.
    // p-2 PV: 3,000 x 0.5227 = 1,568.1 kg, no registry account: 0 t, all carried.
    let r = uc::issue(s, &op(), 2022, 1_700_000_000).unwrap();
    assert!(
        r.grid_factor_id.contains("CQ") && r.grid_factor_id.ends_with("2022"),
        "{}",
        r.grid_factor_id
    );
    let ev = line(&r.lines, "p-1", "ev-charging");
    assert_eq!(
        (ev.reduction_kgco2e, ev.credits_t, ev.carried_kgco2e),
        (dec!(710.653), 0, dec!(710.653))
    );
    assert!(ev.illustrative);
    let saving = line(&r.lines, "sme-1", "sme-saving");
    assert_eq!((saving.credits_t, saving.carried_kgco2e), (10, dec!(454)));
    let pv = line(&r.lines, "sme-1", "pv-self-use");
    assert_eq!(
        (pv.reduction_kgco2e, pv.credits_t, pv.carried_kgco2e),
        (dec!(6452.731), 6, dec!(452.731))
    );
    let none = line(&r.lines, "p-2", "pv-self-use");
    assert_eq!(
        (none.credits_t, none.carried_kgco2e, none.org.as_deref()),
        (0, dec!(1568.1), None)
    );
    assert_eq!(r.credits_t, 16);

    // Issuing 2022 again issues nothing; a late record for 2022 is quarantined.
    let twice = uc::issue(s, &op(), 2022, 1_700_000_100).unwrap();
    assert_eq!(
        (twice.lines.len(), twice.already_issued, twice.credits_t),
        (0, 4, 0)
    );
    let late = import(
        s,
        dir.path(),
        "late.csv",
        "participant,methodology,date,quantity,unit\nsme-1,sme-saving,2022-12-31,5,kWh\n",
    );
    assert_eq!(late.counts.quarantined, 1);
    assert!(
        late.rejected[0].reason.contains("already issued"),
        "{}",
        late.rejected[0].reason
    );
    let held = |s: &mut dyn Store, org: &str, vintage: i32| {
        zp_app::assets::balances(s, &op(), Some(&code(org)))
            .unwrap()
            .into_iter()
            .find(|b| b.kind == "inclusion" && b.vintage == vintage)
            .map(|b| (b.available, b.cancelled))
    };
    assert_eq!(held(s, SME_ORG, 2022), Some((16, 0)));

    // 2023: p-1 charges 1,500 kWh; grid 0.5581: 1,494.70360578 - 837.15 = 657.55360578 ->
    // 657.553 kg; plus the 710.653 carried = 1,368.206 kg -> 1 t, 368.206 kg carried.
    import(
        s,
        dir.path(),
        "2023.csv",
        "participant,methodology,date,quantity,unit\np-1,ev-charging,2023-02-01,1500,kWh\n",
    );
    let r = uc::issue(s, &op(), 2023, 1_700_000_200).unwrap();
    let ev = line(&r.lines, "p-1", "ev-charging");
    assert_eq!(
        (
            ev.reduction_kgco2e,
            ev.carried_in_kgco2e,
            ev.credits_t,
            ev.carried_kgco2e
        ),
        (dec!(657.553), dec!(710.653), 1, dec!(368.206))
    );
    // Nothing lost over the two issuances: 1 t x 1000 + 368.206 = 710.653 + 657.553.
    assert_eq!(
        Decimal::from(1000) + ev.carried_kgco2e,
        dec!(710.653) + dec!(657.553)
    );
    assert_eq!(held(s, AGGREGATOR, 2023), Some((1, 0)));

    // Redemption: 12 of sme-1's 16 t are cancelled in the registry; 5 more are refused.
    let red = uc::redeem(s, &op(), "sme-1", 12, 1_700_000_300).unwrap();
    assert_eq!(red.vintages, [(2022, 12)]);
    assert_eq!(held(s, SME_ORG, 2022), Some((4, 12)));
    let acc = uc::accounts(s, &op(), Some("sme-1")).unwrap();
    assert_eq!(
        (acc[0].issued_t, acc[0].redeemed_t, acc[0].available_t),
        (16, 12, 4)
    );
    assert_eq!(acc[0].carried_kgco2e, dec!(454) + dec!(452.731));
    // Each issued line names the factor version it used.
    let grid = acc[0].lines[0]
        .grid_factor_id
        .as_deref()
        .unwrap_or_default();
    assert!(grid.contains("CQ/2022"), "{grid}");
    assert!(acc[0].lines[0].lineage["methodology_version"].is_string());
    let refused = uc::redeem(s, &op(), "sme-1", 5, 1_700_000_400).unwrap_err();
    assert!(refused.to_string().contains("4 t"), "{refused}");
    assert!(zp_app::assets::verify(s).is_ok(), "the asset log verifies");

    // The SME's enterprise sees its own participant only.
    let ent = Caller::new(Access::Org(code(SME_ORG)), "user:ent");
    let mine: Vec<String> = uc::accounts(s, &ent, None)
        .unwrap()
        .into_iter()
        .map(|a| a.participant)
        .collect();
    assert_eq!(mine, ["sme-1"]);
    assert!(uc::redeem(s, &ent, "p-1", 1, 1_700_000_500).is_err());
}

#[test]
fn joining_checks_kind_scope_and_account() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let s = store.as_mut();
    let ent = Caller::new(Access::Org(code(SME_ORG)), "user:ent");
    let p = |org: Option<&str>, kind: &str| Participant {
        id: "x-1".into(),
        name: "王五".into(),
        kind: kind.into(),
        credit_code: org.map(code),
    };
    assert!(
        uc::join(s, &ent, &p(Some(AGGREGATOR), "person")).is_err(),
        "another enterprise's account"
    );
    assert!(
        uc::join(s, &ent, &p(None, "person")).is_err(),
        "a scoped caller names the account"
    );
    assert!(uc::join(s, &ent, &p(Some(SME_ORG), "robot")).is_err());
    assert!(uc::join(s, &ent, &p(Some(SME_ORG), "person")).is_ok());
    // The taken id of another scope's participant cannot be reused.
    let q = Participant {
        id: "p-1".into(),
        ..p(Some(SME_ORG), "person")
    };
    assert!(uc::join(s, &ent, &q).is_err());
}
