//! Carbon inclusion storage against SQLite and PostgreSQL (same backend setup as
//! `suite.rs`): participants are upserted with audit and scoped through their enterprise;
//! action imports count duplicates and quarantine conflicting or issued days in one
//! transaction; issuances are final; redemptions are recorded and scoped.

use rust_decimal_macros::dec;
use zp_domain::records::BatchMeta;
use zp_store::*;

mod common;
use common::fixtures::{code, org};
use common::suite;

suite!("zp_inclusion"; participants_actions_issuances_round_trip_scoped);

fn action(p: &str, day: &str, q: rust_decimal::Decimal) -> InclusionAction {
    InclusionAction {
        participant: p.into(),
        methodology: "pv-self-use".into(),
        day: day.into(),
        quantity: q,
        unit: "kWh".into(),
    }
}

fn meta() -> BatchMeta {
    BatchMeta {
        kind: "inclusion-actions".into(),
        file: "a.csv".into(),
        sha256: "x".into(),
        actor: "t".into(),
        readings_txn: None,
    }
}

fn participants_actions_issuances_round_trip_scoped(s: &mut dyn Store) {
    s.upsert_org(&org(1, "甲园区", "7040"), "t").unwrap();
    s.upsert_org(&org(2, "乙园区", "7040"), "t").unwrap();
    let p = |id: &str, n: Option<u32>| Participant {
        id: id.into(),
        name: format!("参与者{id}"),
        kind: "person".into(),
        credit_code: n.map(code),
    };
    assert_eq!(
        s.upsert_participant(&p("a", Some(1)), "t").unwrap(),
        Upsert::Inserted
    );
    assert_eq!(
        s.upsert_participant(&p("a", Some(1)), "t").unwrap(),
        Upsert::Unchanged
    );
    s.upsert_participant(&p("b", Some(2)), "t").unwrap();
    s.upsert_participant(&p("c", None), "t").unwrap();
    assert!(
        s.upsert_participant(&p("d", Some(9)), "t").is_err(),
        "unknown enterprise"
    );
    let ids = |v: Vec<Participant>| v.into_iter().map(|p| p.id).collect::<Vec<_>>();
    assert_eq!(ids(s.participants(&Access::All).unwrap()), ["a", "b", "c"]);
    assert_eq!(ids(s.participants(&Access::Org(code(1))).unwrap()), ["a"]);
    assert_eq!(
        ids(s.participants(&Access::Park("乙园区".into())).unwrap()),
        ["b"]
    );

    let rows = vec![
        (2, "a,1".to_string(), action("a", "2023-01-31", dec!(100.5))),
        (3, "a,2".to_string(), action("a", "2023-01-31", dec!(100.5))),
        (4, "b,1".to_string(), action("b", "2023-02-28", dec!(7))),
    ];
    let (c, q) = s
        .import_inclusion_actions(&meta(), 3, &rows, vec![])
        .unwrap();
    assert_eq!(
        (c.read, c.accepted, c.duplicates, c.quarantined),
        (3, 3, 1, 0),
        "{q:?}"
    );
    // Again: duplicates; another quantity for a stored day is quarantined.
    let changed = vec![(2, "a,9".to_string(), action("a", "2023-01-31", dec!(9)))];
    let (c, q) = s
        .import_inclusion_actions(&meta(), 1, &changed, vec![])
        .unwrap();
    assert_eq!((c.accepted, c.quarantined, q[0].row), (0, 1, 2));
    let got = s.inclusion_actions(&Access::All, Some(2023)).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].quantity, dec!(100.5));
    assert_eq!(
        s.inclusion_actions(&Access::Org(code(2)), None)
            .unwrap()
            .len(),
        1
    );
    assert!(
        s.inclusion_actions(&Access::All, Some(2022))
            .unwrap()
            .is_empty()
    );

    let issuance = InclusionIssuance {
        participant: "a".into(),
        methodology: "pv-self-use".into(),
        year: 2023,
        activity: dec!(100.5),
        reduction_kgco2e: dec!(56.089),
        carried_in_kgco2e: dec!(0),
        credits_t: 0,
        carried_kgco2e: dec!(56.089),
        credit_code: Some(code(1)),
        detail: "{}".into(),
    };
    s.record_inclusion_issuances(std::slice::from_ref(&issuance), "op")
        .unwrap();
    assert!(
        s.record_inclusion_issuances(std::slice::from_ref(&issuance), "op")
            .is_err(),
        "final"
    );
    assert_eq!(s.inclusion_issuances(&Access::All).unwrap(), [issuance]);
    assert!(
        s.inclusion_issuances(&Access::Org(code(2)))
            .unwrap()
            .is_empty()
    );
    // A day of an issued year is quarantined.
    let late = vec![(2, "a,late".to_string(), action("a", "2023-12-31", dec!(1)))];
    let (c, q) = s
        .import_inclusion_actions(&meta(), 1, &late, vec![])
        .unwrap();
    assert_eq!(c.quarantined, 1);
    assert!(q[0].reason.contains("already issued"), "{}", q[0].reason);

    let r = InclusionRedemption {
        participant: "a".into(),
        vintage: 2023,
        units: 1,
        claim: "碳普惠兑换 a".into(),
    };
    s.record_inclusion_redemption(&r, "op").unwrap();
    assert_eq!(s.inclusion_redemptions(&Access::Org(code(1))).unwrap(), [r]);
    assert!(
        s.inclusion_redemptions(&Access::Org(code(2)))
            .unwrap()
            .is_empty()
    );
    let audit = s.audit(50).unwrap();
    assert!(audit.iter().any(|e| e.entity == "inclusion_issuance"));
    assert!(audit.iter().any(|e| e.entity == "inclusion_participant"));
}
