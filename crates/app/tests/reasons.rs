//! Every importer's quarantine reasons are written from templates (issue 14): files with
//! bad rows of each kind (production, energy-limit standards, materials, indicator data,
//! steam and certificate serials in ledgers, GEC blocks, carbon inclusion actions,
//! hazardous waste permits) are imported, and every reason is recognised by `zp_app::reasons::recognise`
//! with the codes each sample was made for. The English stays as it was (the API and the
//! CLI show it); the server writes the Chinese from the codes.

use std::collections::BTreeSet;
use std::path::Path;
use zp_app::inclusion::{self as inclusion, Participant};
use zp_app::{Caller, ImportKind, Limits, Rejected, Store};
use zp_domain::CreditCode;

mod common;
use common::{import, write};

const A: &str = "91500112MA60CEM01B";
const B: &str = "91500112MA60ELE02H";

/// A valid credit code of no registered enterprise.
fn stranger() -> String {
    CreditCode::complete("91500112MA60ABC01")
        .unwrap()
        .to_string()
}

fn setup(dir: &Path) -> Box<dyn Store> {
    let mut store = zp_app::open(dir.join("t.db").to_str().unwrap()).unwrap();
    let orgs = write(
        dir,
        "orgs.csv",
        &format!(
            "credit_code,name,region,park,industry\n{A},甲水泥,CQ,示例园区,3011\n{B},乙电力,CQ,示例园区,4411\n"
        ),
    );
    import(store.as_mut(), ImportKind::Orgs, &orgs);
    store
}

/// The codes of `rejected`'s reasons (a reason of several problems part by part), failing
/// on one no template wrote.
fn codes(rejected: &[Rejected]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for r in rejected {
        let notes = match zp_app::reasons::recognise(&r.reason) {
            Some(n) => vec![n],
            None => r
                .reason
                .split("; ")
                .map(|part| {
                    zp_app::reasons::recognise(part)
                        .unwrap_or_else(|| panic!("row {}: no template writes {part:?}", r.row))
                })
                .collect(),
        };
        out.extend(notes.into_iter().map(|n| n.code));
    }
    out
}

/// Fails unless a reason of `rejected` has each code of `expected`, or a code of the same
/// template (two importers writing the same English read as either).
fn assert_covers(rejected: &[Rejected], expected: &[&str]) {
    let seen = codes(rejected);
    let all = zp_app::reasons::templates();
    let template = |code: &str| all.iter().find(|(c, _)| *c == code).map(|(_, t)| *t);
    for code in expected {
        assert!(template(code).is_some(), "{code} has no template");
        assert!(
            seen.iter().any(|s| template(s) == template(code)),
            "no {code} among {seen:?}"
        );
    }
}

#[test]
fn production_limits_and_materials_reasons_are_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let s = stranger();
    let production = write(
        dir.path(),
        "production.csv",
        &format!(
            "credit_code,period,product,cn_code,quantity_t,route\n\
             {A},2023-13,,abc,-5,\n\
             {s},2023-01,P,25231,x,\n\
             {A},2023-01,P,72042100,5,\n\
             {A},2023-01,P,01012100,5,\n\
             {A},2023-01,P,25231000,5,\n\
             {A},2023-01,P,25231000,6,\n\
             915001,2023-01,P,25231000,5,\n"
        ),
    );
    let o = import(store.as_mut(), ImportKind::Production, &production);
    assert_covers(
        &o.rejected,
        &[
            "domain.month",
            "production.product_empty",
            "production.cn_not_code",
            "production.negative",
            "org.not_visible",
            "production.cn_digits",
            "production.not_tonnes",
            "production.cn_excluded",
            "production.cn_not_cbam",
            "production.conflict",
            "domain.credit_code_length",
        ],
    );
    let limits = write(
        dir.path(),
        "limits.csv",
        "standard,product,unit,level1,level2,level3,source\n\
         ,,kgce,0,1,2,\n\
         GB 1,P,kgce/t,3,2,1,s\n\
         GB 1,Q,kgce/t,x,2,3,s\n\
         GB 2,P,kgce/t,1,2,3,s\n\
         GB 2,P,kgce/t,1,2,4,s\n",
    );
    let o = import(store.as_mut(), ImportKind::EnergyLimits, &limits);
    assert_covers(
        &o.rejected,
        &[
            "limits.standard_empty",
            "limits.product_empty",
            "limits.unit",
            "limits.level1",
            "limits.source_empty",
            "limits.order",
            "quantity.not_a_number",
            "file.other_values",
        ],
    );
    let materials = write(
        dir.path(),
        "materials.csv",
        &format!(
            "credit_code,year,product,material,quantity,unit,kgco2e_per_unit,source\n\
             {A},23,,,-1,,x,\n\
             {A},2023,P,M,1,t,2,s\n\
             {A},2023,P,M,2,t,2,s\n"
        ),
    );
    let o = import(store.as_mut(), ImportKind::Materials, &materials);
    assert_covers(
        &o.rejected,
        &[
            "materials.year",
            "materials.product_empty",
            "materials.material_empty",
            "materials.unit_empty",
            "materials.source_empty",
            "quantity.negative",
            "quantity.not_a_number",
            "file.other_values",
        ],
    );
}

#[test]
fn indicator_reasons_are_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let indicators = write(
        dir.path(),
        "indicators.csv",
        "scope_id,indicator,period,value,unit,evidence
         示例园区,water_reuse,2024,abc,%,x
         无名园区,water_reuse,2024,85,%,x
         示例园区,water_reuse,2024,85,%,x
         示例园区,water_reuse,2024,86,%,x
         示例园区,water_reuse_typo,2024,80,%,x
         示例园区,water_reuse,2025,150,%,x
         示例园区,water_reuse,24,85,%,x
",
    );
    let o = import(store.as_mut(), ImportKind::Indicators, &indicators);
    assert_covers(
        &o.rejected,
        &[
            "indicators.not_a_number",
            "indicators.scope_unknown",
            "indicators.conflict",
            "indicators.unused",
            "indicators.fraction",
            "indicators.period",
        ],
    );
}

#[test]
fn steam_and_serial_reasons_of_ledgers_are_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let steam = write(
        dir.path(),
        "steam.csv",
        &format!(
            "credit_code,period,carrier,quantity,unit,pressure_mpa,temperature_c,serials\n\
             {A},2023-01,steam,100,t,25,,\n\
             {A},2023-02,steam,100,t,1.0,900,\n\
             {A},2023-03,steam,100,t,1.0,150,\n\
             {A},2023-01,green_certificate,2,certificate,,,X001..Y002\n\
             {A},2023-02,green_certificate,2,certificate,,,X002..X001\n\
             {A},2023-03,green_certificate,2,certificate,,,X001..X0002\n"
        ),
    );
    let o = import(store.as_mut(), ImportKind::Activity, &steam);
    assert_eq!(o.rejected.len(), 6, "{:?}", o.rejected);
    assert_covers(
        &o.rejected,
        &[
            "steam.pressure_range",
            "steam.temperature_range",
            "steam.liquid",
            "serials.prefixes",
            "serials.backwards",
            "serials.widths",
        ],
    );
}

#[test]
fn certificate_inclusion_and_waste_reasons_are_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let key = zp_app::certs::signing_key(store.as_mut(), &dir.path().join("registry.key")).unwrap();
    let s = stranger();
    let gec = write(
        dir.path(),
        "gec.csv",
        &format!(
            "serial_start,serial_end,mwh,plant,production_month,owner\n\
             x,2,1,P,2023-03,{A}\n\
             1,2,z,P,2023-03,{A}\n\
             1,5,3,P,2023-03,{A}\n\
             1,1,1,P,2023-03,{s}\n\
             1,1,1,,2023-03,{A}\n\
             10,19,10,P,2023-03,{A}\n\
             15,24,10,P,2023-03,{A}\n\
             30,30,1,P,2023-03,9150\n"
        ),
    );
    let o = zp_app::certs::import_gec(store.as_mut(), &key, &gec, 3, "test").unwrap();
    assert_covers(
        &o.rejected,
        &[
            "gec.serial",
            "gec.mwh",
            "gec.count",
            "gec.owner_unknown",
            "gec.plant_empty",
            "gec.overlap",
            "domain.credit_code_length",
        ],
    );

    let op = Caller::operator("test");
    let p = Participant {
        id: "p-1".into(),
        name: "张三".into(),
        kind: "person".into(),
        credit_code: Some(CreditCode::parse(B).unwrap()),
    };
    inclusion::join(store.as_mut(), &op, &p).unwrap();
    let actions = |store: &mut dyn Store, name: &str, csv: &str| {
        let path = write(dir.path(), name, csv);
        let table = zp_app::read_table(&path, Limits::default()).unwrap();
        inclusion::import_actions(store, &op, &table).unwrap()
    };
    let first = actions(
        store.as_mut(),
        "actions.csv",
        "participant,methodology,date,quantity,unit\n\
         p-9,pv-self-use,2022-05-01,10,kWh\n\
         p-1,bogus,2022-05-01,10,kWh\n\
         p-1,ev-charging,2022-13-01,10,kWh\n\
         p-1,ev-charging,2022-03-01,\"1,000\",kWh\n\
         p-1,ev-charging,2022-03-01,x,kWh\n\
         p-1,ev-charging,2022-03-01,-1,kWh\n\
         p-1,ev-charging,2022-03-01,10,MWh\n\
         p-1,ev-charging,2022-04-01,10,kWh\n\
         p-1,ev-charging,2022-04-01,11,kWh\n",
    );
    let again = actions(
        store.as_mut(),
        "again.csv",
        "participant,methodology,date,quantity,unit\np-1,ev-charging,2022-04-01,12,kWh\n",
    );
    let rejected: Vec<Rejected> = first.rejected.into_iter().chain(again.rejected).collect();
    assert_covers(
        &rejected,
        &[
            "inclusion.participant",
            "inclusion.methodology",
            "inclusion.date",
            "inclusion.thousands_separator",
            "quantity.not_a_number",
            "quantity.negative",
            "inclusion.unit",
            "inclusion.twice",
            "inclusion.recorded",
        ],
    );

    let permits = write(
        dir.path(),
        "permits.csv",
        &format!(
            "permit_no,holder,province,codes,capacity_t,valid_from,valid_to,source\n\
             P1,91500,CQ,HW08,5,2024-01-01,2026-12-31,s\n\
             P2,{A},XX,HW08,5,2024-01-01,2026-12-31,s\n\
             P3,{A},CQ,HW08,0,2024-01-01,2026-12-31,s\n"
        ),
    );
    let o = zp_app::waste::import_reference(
        store.as_mut(),
        &op,
        zp_app::waste::ReferenceKind::Permits,
        &permits,
    )
    .unwrap();
    assert_covers(
        &o.rejected,
        &[
            "domain.credit_code_length",
            "domain.region",
            "waste.not_positive",
        ],
    );
}
