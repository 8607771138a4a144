//! Property test of the ledger invariants: random operation sequences never create or
//! destroy units, never make a balance negative, never move pledged units, and what the
//! ledger says equals what replaying its own log says.

use proptest::prelude::*;
use std::collections::BTreeMap;
use zp_assets::*;

mod common;
use common::orgs;

#[derive(Debug, Clone)]
enum Step {
    Allocate(usize, u64),
    Issue(usize, u64),
    Transfer(usize, usize, bool, u64),
    Pledge(usize, bool, u64),
    Release(u64),
    Surrender(usize, bool, u64),
    Cancel(usize, bool, u64),
    Verify(usize, u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..3usize, 0..50u64).prop_map(|(o, u)| Step::Allocate(o, u)),
        (0..3usize, 0..50u64).prop_map(|(o, u)| Step::Issue(o, u)),
        (0..3usize, 0..3usize, any::<bool>(), 0..60u64)
            .prop_map(|(f, t, k, u)| Step::Transfer(f, t, k, u)),
        (0..3usize, any::<bool>(), 0..40u64).prop_map(|(o, k, u)| Step::Pledge(o, k, u)),
        (1..6u64).prop_map(Step::Release),
        (0..3usize, any::<bool>(), 0..40u64).prop_map(|(o, k, u)| Step::Surrender(o, k, u)),
        (0..3usize, any::<bool>(), 0..40u64).prop_map(|(o, k, u)| Step::Cancel(o, k, u)),
        (0..3usize, 0..400u64).prop_map(|(o, t)| Step::Verify(o, t)),
    ]
}

fn kind(offset: bool) -> String {
    if offset { "ccer" } else { "cea" }.to_string()
}

fn op(s: &Step) -> Op {
    let o = orgs();
    match s.clone() {
        Step::Allocate(i, units) => Op::Allocate {
            scheme: "cn-ets".into(),
            year: 2023,
            org: o[i].clone(),
            units,
        },
        Step::Issue(i, units) => Op::Issue {
            kind: "ccer".into(),
            vintage: 2023,
            org: o[i].clone(),
            units,
            project: None,
        },
        Step::Transfer(f, t, k, units) => Op::Transfer {
            kind: kind(k),
            vintage: 2023,
            from: o[f].clone(),
            to: o[t].clone(),
            units,
        },
        Step::Pledge(i, k, units) => Op::Pledge {
            kind: kind(k),
            vintage: 2023,
            org: o[i].clone(),
            units,
            pledgee: "bank".into(),
        },
        Step::Release(p) => Op::Release { pledge: p },
        Step::Surrender(i, k, units) => Op::Surrender {
            scheme: "cn-ets".into(),
            year: 2023,
            org: o[i].clone(),
            kind: kind(k),
            vintage: 2023,
            units,
        },
        Step::Cancel(i, k, units) => Op::Cancel {
            kind: kind(k),
            vintage: 2023,
            org: o[i].clone(),
            units,
            claim: "event".into(),
        },
        Step::Verify(i, tco2) => Op::SetVerified {
            scheme: "cn-ets".into(),
            org: o[i].clone(),
            year: 2023,
            tco2,
        },
    }
}

/// Units per (kind) summed over every balance column.
fn totals(l: &Ledger) -> BTreeMap<String, u64> {
    let mut t = BTreeMap::new();
    for b in l.balances(None) {
        *t.entry(b.kind).or_default() +=
            b.available + b.pledged + b.reserved + b.surrendered + b.cancelled;
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn random_operations_keep_the_invariants(steps in proptest::collection::vec(step(), 1..40)) {
        let mut l = Ledger::new();
        let mut log = Vec::new();
        // Units created per kind, counted from successful allocations and issuances only.
        let mut created: BTreeMap<String, u64> = BTreeMap::new();
        for s in &steps {
            let before_balances = l.balances(None);
            let pledged_before: Vec<Block> = l.blocks().filter(|b| matches!(b.status, Status::Pledged { .. })).cloned().collect();
            let before_events = l.events();
            match l.execute(&op(s), 1, "prop") {
                Ok(out) => {
                    match s {
                        Step::Allocate(_, u) => *created.entry("cea".into()).or_default() += u,
                        Step::Issue(_, u) => *created.entry("ccer".into()).or_default() += u,
                        _ => {}
                    }
                    log.extend(out.entries);
                    // Pledged blocks stay with their owner and pledge unless released.
                    for p in pledged_before {
                        let now = l.blocks().find(|b| b.id == p.id).unwrap();
                        prop_assert_eq!(&now.owner, &p.owner);
                        if !matches!(s, Step::Release(_)) {
                            prop_assert_eq!(&now.status, &p.status);
                        }
                    }
                }
                Err(_) => {
                    prop_assert_eq!(l.events(), before_events);
                    prop_assert_eq!(l.balances(None), before_balances);
                }
            }
            prop_assert_eq!(l.check_invariants(), Ok(()));
            let created_nonzero: BTreeMap<String, u64> = created.iter().filter(|(_, v)| **v > 0).map(|(k, v)| (k.clone(), *v)).collect();
            prop_assert_eq!(totals(&l), created_nonzero);
            // Offsets never above 5 % of verified emissions.
            for o in orgs() {
                let (_, off) = l.surrendered_t("cn-ets", &o, 2023);
                let cap = l.verified_tco2("cn-ets", &o, 2023).map_or(0, |v| v * 5 / 100);
                prop_assert!(off <= cap);
            }
        }
        let r = Ledger::replay(&log).unwrap();
        prop_assert_eq!(r.balances(None), l.balances(None));
        prop_assert_eq!(r.head_hash(), l.head_hash());
    }
}
