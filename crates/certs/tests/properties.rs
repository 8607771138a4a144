//! Random sequences of issue / transfer / split / retire / claim / withdraw / match keep
//! the Wh constant, the id ranges disjoint, and never retire one id twice.
mod common;

use common::*;
use proptest::prelude::*;
use zp_certs::{
    Actor, BundleId, Change, Consumption, Draft, HourlyLoad, IdRange, Registry, Status, replay,
    verify,
};
use zp_domain::CreditCode;

#[derive(Debug, Clone)]
enum Op {
    Issue {
        meter: u8,
        hour: u8,
        energy_wh: u64,
    },
    Transfer {
        pick: u16,
        to: u8,
        by_owner: bool,
        part_wh: Option<u64>,
    },
    Split {
        pick: u16,
        first_wh: u64,
    },
    Retire {
        pick: u16,
        consumer: u8,
        part_wh: Option<u64>,
        same_hour: bool,
    },
    Claim {
        pick: u16,
    },
    Withdraw {
        pick: u16,
    },
    Match {
        consumer: u8,
        hour: u8,
        load_wh: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..3, 0u8..4, 0u64..5_000).prop_map(|(meter, hour, energy_wh)| Op::Issue { meter, hour, energy_wh }),
        2 => (any::<u16>(), 0u8..3, prop::bool::weighted(0.9), prop::option::of(0u64..3_000))
            .prop_map(|(pick, to, by_owner, part_wh)| Op::Transfer { pick, to, by_owner, part_wh }),
        2 => (any::<u16>(), 0u64..3_000).prop_map(|(pick, first_wh)| Op::Split { pick, first_wh }),
        3 => (any::<u16>(), 0u8..3, prop::option::of(0u64..3_000), prop::bool::weighted(0.9))
            .prop_map(|(pick, consumer, part_wh, same_hour)| Op::Retire { pick, consumer, part_wh, same_hour }),
        1 => any::<u16>().prop_map(|pick| Op::Claim { pick }),
        1 => any::<u16>().prop_map(|pick| Op::Withdraw { pick }),
        2 => (0u8..3, 0u8..4, 0u64..8_000).prop_map(|(consumer, hour, load_wh)| Op::Match { consumer, hour, load_wh }),
    ]
}

fn account(i: u8) -> CreditCode {
    [solar_co(), factory(), third()][i as usize % 3].clone()
}

fn pick(reg: &Registry, p: u16) -> Option<BundleId> {
    let n = reg.bundles().count();
    (n > 0).then(|| BundleId(1 + p as u64 % n as u64))
}

fn plan(reg: &Registry, op: &Op) -> Option<Vec<Draft>> {
    match *op {
        Op::Issue {
            meter,
            hour: h,
            energy_wh,
        } => {
            let m = format!("M{meter}");
            let g = generator(&m, &account(meter));
            reg.issue(&[row(&m, hour(h as i64), energy_wh)], &[g], NOW)
                .ok()
                .map(|p| p.drafts)
        }
        Op::Transfer {
            pick: p,
            to,
            by_owner,
            part_wh,
        } => {
            let id = pick(reg, p)?;
            let b = reg.bundle(id)?;
            let actor = if by_owner {
                Actor::Account(b.owner.clone())
            } else {
                acct(&account(to + 1))
            };
            reg.transfer(id, &account(to), part_wh, &actor, NOW).ok()
        }
        Op::Split { pick: p, first_wh } => {
            let id = pick(reg, p)?;
            let owner = Actor::Account(reg.bundle(id)?.owner.clone());
            reg.split(id, first_wh, &owner, NOW).ok()
        }
        Op::Retire {
            pick: p,
            consumer,
            part_wh,
            same_hour,
        } => {
            let id = pick(reg, p)?;
            let b = reg.bundle(id)?;
            let h = b.production_hour_start()?;
            let hour_start = if same_hour { h } else { h + 3600 };
            let owner = Actor::Account(b.owner.clone());
            reg.retire(
                id,
                part_wh,
                &account(consumer),
                Consumption::Hour { hour_start },
                &owner,
                NOW,
            )
            .ok()
        }
        Op::Claim { pick: p } => {
            let id = pick(reg, p)?;
            let (consumer, _, _) = reg.bundle(id)?.status.retirement()?;
            reg.claim(id, &Actor::Account(consumer.clone()), NOW).ok()
        }
        Op::Withdraw { pick: p } => {
            let id = pick(reg, p)?;
            reg.withdraw(id, "property test", &Actor::Registry, NOW)
                .ok()
        }
        Op::Match {
            consumer,
            hour: h,
            load_wh,
        } => {
            let loads = [HourlyLoad {
                hour_start: hour(h as i64),
                load_wh,
            }];
            reg.match_hourly(&account(consumer), &loads, NOW).ok()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn random_histories_conserve_energy_and_never_retire_an_id_twice(ops in prop::collection::vec(op(), 1..60)) {
        let mut reg = registry();
        let mut issued_wh = 0u64;
        // Every id ever cancelled, with the bundle that was cancelled.
        let mut retired: Vec<(IdRange, BundleId)> = Vec::new();
        for op in &ops {
            let Some(drafts) = plan(&reg, op) else { continue };
            let new_entries = reg.append(drafts, &key());
            // A plan that validated against the state appends.
            prop_assert!(new_entries.is_ok(), "{:?} -> {:?}", op, new_entries);
            if let Op::Issue { .. } = op {
                issued_wh = reg.balances().issued_wh;
            }
            reg.check_invariants().unwrap();
            let b = reg.balances();
            prop_assert_eq!(b.issued_wh, issued_wh);
            prop_assert_eq!(b.active_wh + b.cancelled_wh + b.claimed_wh + b.withdrawn_wh, issued_wh);
            // Every retirement event's ids are disjoint from all ids retired before.
            for e in new_entries.unwrap() {
                if let Change::Retired { bundle_id, .. } = e.event().unwrap().change {
                    let r = reg.bundle(bundle_id).unwrap().ids;
                    for (old, old_id) in &retired {
                        prop_assert!(!r.overlaps(*old), "ids {} of {} retired again (first in {})", r, bundle_id, old_id);
                    }
                    retired.push((r, bundle_id));
                }
            }
            // And a cancelled bundle stays cancelled (or claimed) with the same ids.
            for (r, id) in &retired {
                let x = reg.bundle(*id).unwrap();
                prop_assert_eq!(x.ids, *r);
                let still_retired = matches!(x.status, Status::Cancelled { .. } | Status::Claimed { .. });
                prop_assert!(still_retired, "bundle {} left retirement", id);
            }
        }
        let retired_wh: u64 = retired.iter().map(|(r, _)| r.count()).sum();
        let b = reg.balances();
        prop_assert_eq!(retired_wh, b.cancelled_wh + b.claimed_wh);
        // The index of retirements by consumer lists each retired bundle under its
        // consumer, and nothing else.
        let mut consumers = std::collections::BTreeSet::new();
        for (_, id) in &retired {
            let (c, _, _) = reg.bundle(*id).unwrap().status.retirement().unwrap();
            prop_assert!(reg.retired_for(c).any(|b| b.id == *id), "bundle {} not indexed", id);
            consumers.insert(c.clone());
        }
        let indexed: usize = consumers.iter().map(|c| reg.retired_for(c).count()).sum();
        prop_assert_eq!(indexed, retired.len());
        // The log verifies and replays to the same state.
        let summary = verify(reg.log(), reg.public_key()).unwrap();
        prop_assert_eq!(summary.balances, b);
        let rebuilt = replay(reg.log(), reg.public_key()).unwrap();
        prop_assert_eq!(rebuilt.bundles().cloned().collect::<Vec<_>>(), reg.bundles().cloned().collect::<Vec<_>>());
    }

    #[test]
    fn hourly_matching_never_exceeds_load_nor_certificates(
        gen_wh in prop::collection::vec(0u64..20_000, 4),
        load_wh in prop::collection::vec(0u64..20_000, 4),
        reruns in 1usize..3,
    ) {
        let mut reg = registry();
        let rows: Vec<(i64, u64)> = gen_wh.iter().enumerate().map(|(h, &wh)| (hour(h as i64), wh)).collect();
        issue(&mut reg, &factory(), &rows);
        let loads: Vec<HourlyLoad> = load_wh.iter().enumerate()
            .map(|(h, &wh)| HourlyLoad { hour_start: hour(h as i64), load_wh: wh }).collect();
        for _ in 0..reruns {
            let d = reg.match_hourly(&factory(), &loads, NOW).unwrap();
            reg.append(d, &key()).unwrap();
        }
        prop_assert!(reg.match_hourly(&factory(), &loads, NOW).unwrap().is_empty());
        for h in 0..4 {
            prop_assert_eq!(reg.retired_for_hour(&factory(), hour(h as i64)), gen_wh[h].min(load_wh[h]));
        }
    }
}

proptest! {
    /// Issue 22 #18: the 24/7 CFE score is a share, within [0, 1], whatever the hours hold
    /// (more certificates than load, unknown or out-of-range grid shares), and the matched
    /// energy never exceeds the load.
    #[test]
    fn cfe_score_is_within_zero_and_one(
        hours in prop::collection::vec(
            (0u64..50_000, 0u64..80_000, 0u64..80_000, prop::option::of(-2_000i64..3_000)),
            1..48,
        ),
    ) {
        let inputs: Vec<zp_certs::HourInput> = hours
            .iter()
            .enumerate()
            .map(|(h, &(load_wh, retired_wh, unretired_wh, share))| zp_certs::HourInput {
                hour_start: hour(h as i64),
                load_wh,
                retired_wh,
                unretired_wh,
                // Shares from -2 to 3 in thousandths: valid ones and nonsense alike.
                grid_cfe_share: share.map(|s| rust_decimal::Decimal::new(s, 3)),
            })
            .collect();
        let r = zp_certs::cfe_figures(&inputs);
        let load: u64 = hours.iter().map(|h| h.0).sum();
        match r.cfe_score {
            Some(s) => prop_assert!(
                (rust_decimal::Decimal::ZERO..=rust_decimal::Decimal::ONE).contains(&s),
                "score {s}"
            ),
            None => prop_assert_eq!(load, 0, "a score whenever there is load"),
        }
        prop_assert!(r.matched_mwh <= r.load_mwh);
        if let Some(a) = r.annual_match_ratio {
            prop_assert!(a >= rust_decimal::Decimal::ZERO && a <= rust_decimal::Decimal::ONE);
        }
    }
}
