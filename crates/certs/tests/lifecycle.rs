mod common;

use common::*;
use rust_decimal::Decimal;
use zp_certs::{
    Actor, BundleId, CertError, Change, Consumption, GecImport, Granularity, IdRange, Status,
    WH_PER_GEC, replay,
};
use zp_domain::{Period, Region};

#[test]
fn issuance_rounds_down_allocates_contiguous_ids_and_is_idempotent() {
    let mut reg = registry();
    let rows = vec![
        row("M1", hour(10), 0),
        GenerationRow {
            energy_wh: Decimal::new(12_345_678, 3), // 12,345.678 Wh
            ..row("M1", hour(11), 0)
        },
        row("M1", hour(12), 500),
    ];
    let gens = [generator("M1", &solar_co())];
    let plan = reg.issue(&rows, &gens, NOW).unwrap();
    assert_eq!(plan.below_one_wh, vec![("M1".to_string(), hour(10))]);
    assert_eq!(plan.drafts.len(), 2);
    let entries = reg.append(plan.drafts, &key()).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].seq, 1);

    let b1 = reg.bundle(BundleId(1)).unwrap();
    assert_eq!(b1.energy_wh, 12_345);
    assert_eq!(
        b1.ids,
        IdRange {
            start: 1,
            end: 12_345
        }
    );
    assert_eq!(b1.granularity(), Granularity::Hourly);
    let b2 = reg.bundle(BundleId(2)).unwrap();
    assert_eq!(
        b2.ids,
        IdRange {
            start: 12_346,
            end: 12_845
        }
    );
    assert_eq!(b2.owner, solar_co());

    // Re-running the same import issues nothing.
    let again = reg.issue(&rows, &gens, NOW).unwrap();
    assert!(again.drafts.is_empty());
    assert_eq!(again.already_issued.len(), 2);
    assert_eq!(reg.balances().issued_wh, 12_845);
}

use zp_certs::GenerationRow;

#[test]
fn issuance_rejects_bad_rows() {
    let reg = registry();
    let gens = [generator("M1", &solar_co())];
    let unaligned = reg.issue(&[row("M1", hour(1) + 60, 5)], &gens, NOW);
    assert!(matches!(unaligned, Err(CertError::IssuanceRow { .. })));
    let dup = reg.issue(&[row("M1", hour(1), 5), row("M1", hour(1), 6)], &gens, NOW);
    assert!(matches!(dup, Err(CertError::IssuanceRow { .. })));
    let unknown = reg.issue(&[row("M9", hour(1), 5)], &gens, NOW);
    assert_eq!(unknown, Err(CertError::UnknownMeter("M9".into())));
    let negative = GenerationRow {
        energy_wh: Decimal::from(-3),
        ..row("M1", hour(1), 0)
    };
    assert_eq!(
        reg.issue(&[negative], &gens, NOW).unwrap_err().to_string(),
        "meter M1 hour 1719766800: negative energy"
    );
}

#[test]
fn racing_issuance_of_one_hour_lands_once() {
    let mut reg = registry();
    let gens = [generator("M1", &solar_co())];
    let a = reg.issue(&[row("M1", hour(1), 5)], &gens, NOW).unwrap();
    let b = reg.issue(&[row("M1", hour(1), 5)], &gens, NOW).unwrap();
    reg.append(a.drafts, &key()).unwrap();
    let err = reg.append(b.drafts, &key()).unwrap_err();
    assert!(matches!(
        err,
        CertError::AlreadyIssued {
            bundle: BundleId(1),
            ..
        }
    ));
    assert_eq!(reg.balances().issued_wh, 5);
}

#[test]
fn split_transfer_keeps_ids_and_energy() {
    let mut reg = registry();
    issue(&mut reg, &solar_co(), &[(hour(10), 1_000)]);
    let owner = acct(&solar_co());
    let drafts = reg
        .transfer(BundleId(1), &factory(), Some(300), &owner, NOW)
        .unwrap();
    let entries = commit(&mut reg, drafts);
    assert_eq!(entries.len(), 2);
    let first = reg.bundle(BundleId(1)).unwrap();
    let rest = reg.bundle(BundleId(2)).unwrap();
    assert_eq!(first.ids, IdRange { start: 1, end: 300 });
    assert_eq!(first.owner, factory());
    assert_eq!(
        rest.ids,
        IdRange {
            start: 301,
            end: 1_000
        }
    );
    assert_eq!(rest.owner, solar_co());
    assert_eq!(first.energy_wh + rest.energy_wh, 1_000);
    assert_eq!(rest.production_hour_start(), Some(hour(10)));
    reg.check_invariants().unwrap();

    // Whole transfer, then the old owner can no longer move it.
    run(&mut reg, |r| {
        r.transfer(BundleId(2), &third(), None, &owner, NOW)
    });
    assert_eq!(reg.bundle(BundleId(2)).unwrap().owner, third());
    let stolen = reg.transfer(BundleId(2), &solar_co(), None, &owner, NOW);
    assert!(matches!(stolen, Err(CertError::NotOwner { .. })));
}

#[test]
fn split_amounts_must_leave_energy_on_both_sides() {
    let mut reg = registry();
    issue(&mut reg, &solar_co(), &[(hour(10), 1_000)]);
    let owner = acct(&solar_co());
    for bad in [0, 1_000, 1_001] {
        assert!(matches!(
            reg.split(BundleId(1), bad, &owner, NOW),
            Err(CertError::SplitAmount { .. })
        ));
    }
    run(&mut reg, |r| r.split(BundleId(1), 1, &owner, NOW));
    assert_eq!(
        reg.bundle(BundleId(1)).unwrap().ids,
        IdRange { start: 1, end: 1 }
    );
    assert_eq!(
        reg.bundle(BundleId(2)).unwrap().ids,
        IdRange {
            start: 2,
            end: 1_000
        }
    );
}

#[test]
fn retire_is_owner_only_same_hour_only_and_final() {
    let mut reg = registry();
    issue(&mut reg, &solar_co(), &[(hour(10), 1_000)]);
    let owner = acct(&solar_co());
    let at10 = Consumption::Hour {
        hour_start: hour(10),
    };
    let by_stranger = reg.retire(BundleId(1), None, &factory(), at10, &acct(&factory()), NOW);
    assert!(matches!(by_stranger, Err(CertError::NotOwner { .. })));
    let other_hour = Consumption::Hour {
        hour_start: hour(11),
    };
    assert!(matches!(
        reg.retire(BundleId(1), None, &factory(), other_hour, &owner, NOW),
        Err(CertError::HourMismatch { .. })
    ));
    let month = Consumption::Month {
        period: Period::new(2024, 7).unwrap(),
    };
    assert!(matches!(
        reg.retire(BundleId(1), None, &factory(), month, &owner, NOW),
        Err(CertError::HourMismatch { .. })
    ));

    // Retire 400 Wh for the factory: split, the first part is cancelled.
    run(&mut reg, |r| {
        r.retire(BundleId(1), Some(400), &factory(), at10, &owner, NOW)
    });
    let b = reg.bundle(BundleId(1)).unwrap();
    assert_eq!(b.energy_wh, 400);
    assert!(
        matches!(&b.status, Status::Cancelled { consumer, retired_seq: 3, .. } if *consumer == factory())
    );
    assert_eq!(reg.bundle(BundleId(2)).unwrap().status, Status::Active);

    // Cancelled certificates can be neither retired again nor moved.
    assert!(matches!(
        reg.retire(BundleId(1), None, &factory(), at10, &owner, NOW),
        Err(CertError::NotActive { .. })
    ));
    assert!(matches!(
        reg.transfer(BundleId(1), &third(), None, &owner, NOW),
        Err(CertError::NotActive { .. })
    ));

    // Claim by the consumer; a stranger cannot.
    assert!(matches!(
        reg.claim(BundleId(1), &acct(&third()), NOW),
        Err(CertError::NotBeneficiary { .. })
    ));
    assert!(matches!(
        reg.claim(BundleId(2), &owner, NOW),
        Err(CertError::NotCancelled { .. })
    ));
    run(&mut reg, |r| r.claim(BundleId(1), &acct(&factory()), NOW));
    assert_eq!(reg.bundle(BundleId(1)).unwrap().status.name(), "claimed");
    let bal = reg.balances();
    assert_eq!(
        (bal.claimed_wh, bal.active_wh, bal.issued_wh),
        (400, 600, 1_000)
    );
}

#[test]
fn withdraw_needs_the_registry_and_a_reason() {
    let mut reg = registry();
    issue(&mut reg, &solar_co(), &[(hour(10), 1_000)]);
    assert!(matches!(
        reg.withdraw(BundleId(1), "meter fault", &acct(&solar_co()), NOW),
        Err(CertError::NotRegistry(_))
    ));
    assert_eq!(
        reg.withdraw(BundleId(1), "  ", &Actor::Registry, NOW),
        Err(CertError::EmptyReason)
    );
    run(&mut reg, |r| {
        r.withdraw(BundleId(1), "meter M1 recalibrated", &Actor::Registry, NOW)
    });
    let b = reg.bundle(BundleId(1)).unwrap();
    assert!(
        matches!(&b.status, Status::Withdrawn { reason, .. } if reason == "meter M1 recalibrated")
    );
    assert_eq!(reg.balances().withdrawn_wh, 1_000);
    let at10 = Consumption::Hour {
        hour_start: hour(10),
    };
    assert!(matches!(
        reg.retire(
            BundleId(1),
            None,
            &solar_co(),
            at10,
            &acct(&solar_co()),
            NOW
        ),
        Err(CertError::NotActive { .. })
    ));
}

fn gec(start: u64, end: u64) -> GecImport {
    GecImport {
        serials: IdRange { start, end },
        energy_mwh: end - start + 1,
        plant: "Wulong wind farm".into(),
        production_month: Period::new(2024, 6).unwrap(),
        owner: factory(),
        technology: "wind".into(),
        region: Region::parse("CQ").unwrap(),
    }
}

#[test]
fn gecs_are_monthly_split_in_whole_mwh_and_imported_once() {
    let mut reg = registry();
    let d = reg.import_gec(&gec(5_000, 5_099), NOW).unwrap().unwrap();
    commit(&mut reg, vec![d]);
    let b = reg.bundle(BundleId(1)).unwrap();
    assert_eq!(b.granularity(), Granularity::Monthly);
    assert_eq!(b.energy_wh, 100 * WH_PER_GEC);
    // Same block again: nothing; overlapping block: error; wrong count: error.
    assert_eq!(reg.import_gec(&gec(5_000, 5_099), NOW), Ok(None));
    assert!(matches!(
        reg.import_gec(&gec(5_050, 5_149), NOW),
        Err(CertError::Gec { .. })
    ));
    let mut wrong = gec(6_000, 6_009);
    wrong.energy_mwh = 11;
    assert!(matches!(
        reg.import_gec(&wrong, NOW),
        Err(CertError::Gec { .. })
    ));

    let owner = acct(&factory());
    assert!(matches!(
        reg.split(BundleId(1), 1_500_000, &owner, NOW),
        Err(CertError::SplitAmount { .. })
    ));
    let month = Consumption::Month {
        period: Period::new(2024, 7).unwrap(),
    };
    run(&mut reg, |r| {
        r.retire(
            BundleId(1),
            Some(30 * WH_PER_GEC),
            &factory(),
            month,
            &owner,
            NOW,
        )
    });
    assert_eq!(
        reg.bundle(BundleId(1)).unwrap().ids,
        IdRange {
            start: 5_000,
            end: 5_029
        }
    );
    assert_eq!(
        reg.bundle(BundleId(2)).unwrap().ids,
        IdRange {
            start: 5_030,
            end: 5_099
        }
    );
    let hourly = Consumption::Hour {
        hour_start: hour(1),
    };
    assert!(matches!(
        reg.retire(BundleId(2), None, &factory(), hourly, &owner, NOW),
        Err(CertError::HourMismatch { .. })
    ));
}

#[test]
fn a_failing_batch_changes_nothing() {
    let mut reg = registry();
    issue(&mut reg, &solar_co(), &[(hour(10), 1_000)]);
    let owner = acct(&solar_co());
    let at10 = Consumption::Hour {
        hour_start: hour(10),
    };
    // Plan a split + retirement, then let the bundle be withdrawn before appending:
    // the split is valid, the retirement not, and the whole batch must be refused.
    let stale = reg
        .retire(BundleId(1), Some(100), &factory(), at10, &owner, NOW)
        .unwrap();
    let other = reg.clone();
    // Simulate a concurrent transfer of the first part away from the owner.
    let mut drafts = stale.clone();
    drafts.insert(
        1,
        other
            .transfer(BundleId(1), &third(), None, &owner, NOW)
            .unwrap()
            .remove(0),
    );
    let head = reg.head_hash_hex();
    let before = reg.balances();
    let err = reg.append(drafts, &key()).unwrap_err();
    assert!(matches!(err, CertError::NotOwner { .. }));
    assert_eq!(reg.head_hash_hex(), head);
    assert_eq!(reg.balances(), before);
    assert_eq!(reg.log().len(), 1);
    assert!(reg.bundle(BundleId(2)).is_none());
    assert_eq!(reg.bundle(BundleId(1)).unwrap().energy_wh, 1_000);
    // The registry is still usable and the original plan still lands.
    commit(&mut reg, stale);
    other.check_invariants().unwrap();
    assert_eq!(reg.bundle(BundleId(1)).unwrap().status.name(), "cancelled");
}

#[test]
fn append_refuses_a_foreign_key() {
    let mut reg = registry();
    let plan = reg
        .issue(
            &[row("M1", hour(1), 5)],
            &[generator("M1", &solar_co())],
            NOW,
        )
        .unwrap();
    assert_eq!(
        reg.append(plan.drafts, &other_key()),
        Err(CertError::WrongKey)
    );
}

#[test]
fn replay_rebuilds_the_same_state() {
    let mut reg = registry();
    issue(&mut reg, &solar_co(), &[(hour(10), 1_000), (hour(11), 700)]);
    let owner = acct(&solar_co());
    run(&mut reg, |r| {
        r.transfer(BundleId(1), &factory(), Some(250), &owner, NOW)
    });
    run(&mut reg, |r| {
        r.withdraw(BundleId(2), "audit", &Actor::Registry, NOW)
    });
    let rebuilt = replay(reg.log(), reg.public_key()).unwrap();
    assert_eq!(rebuilt.head_hash_hex(), reg.head_hash_hex());
    assert_eq!(rebuilt.balances(), reg.balances());
    assert_eq!(
        rebuilt.bundles().cloned().collect::<Vec<_>>(),
        reg.bundles().cloned().collect::<Vec<_>>()
    );
    // The payload is the documented JSON shape.
    let ev = reg.log()[2].event().unwrap();
    assert!(matches!(
        ev.change,
        Change::Split {
            first_energy_wh: 250,
            new_bundle_id: BundleId(3),
            ..
        }
    ));
    assert!(reg.log()[3].payload.starts_with(r#"{"v":1,"seq":4,"at":1720000000,"actor":{"account":"91350100M000100Y43"},"change":{"type":"transferred","bundle_id":1,"to":"91500000202803359L"}}"#));
}
