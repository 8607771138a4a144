//! Worked examples of the asset ledger: the national compliance example at and over the
//! offset cap, transfers that split blocks, pledges, a late case, and chain verification.

use zp_assets::*;
use zp_domain::CreditCode;
use zp_domain::time::Date;

const AT: i64 = 1_700_000_000;

fn org(code: &str) -> CreditCode {
    CreditCode::parse(code).unwrap()
}
fn a() -> CreditCode {
    org("91500105MA5YRE01BU")
}
fn b() -> CreditCode {
    org("91500000MA5UA0000A")
}
fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn run(l: &mut Ledger, op: Op) -> Outcome {
    l.execute(&op, AT, "test")
        .unwrap_or_else(|e| panic!("{op:?}: {e}"))
}

/// `org`'s 2023 allowance of the national ETS.
fn allocate(org: CreditCode, units: u64) -> Op {
    Op::Allocate {
        scheme: "cn-ets".into(),
        year: 2023,
        org,
        units,
    }
}

/// A transfer of 2023 CEA.
fn transfer_cea(from: CreditCode, to: CreditCode, units: u64) -> Op {
    Op::Transfer {
        kind: "cea".into(),
        vintage: 2023,
        from,
        to,
        units,
    }
}

fn surrender(kind: &str, units: u64) -> Op {
    Op::Surrender {
        scheme: "cn-ets".into(),
        year: 2023,
        org: a(),
        kind: kind.into(),
        vintage: 2023,
        units,
    }
}

/// The contract's example: 46,000 t CEA and 3,000 t CCER against 50,000 t verified.
fn national_example() -> Ledger {
    let mut l = Ledger::new();
    run(&mut l, allocate(a(), 46_000));
    let issue = Op::Issue {
        kind: "ccer".into(),
        vintage: 2023,
        org: a(),
        units: 3_000,
        project: None,
    };
    run(&mut l, issue);
    let verified = Op::SetVerified {
        scheme: "cn-ets".into(),
        org: a(),
        year: 2023,
        tco2: 50_000,
    };
    run(&mut l, verified);
    run(&mut l, surrender("cea", 46_000));
    l
}

#[test]
fn offsets_over_the_cap_are_refused_and_at_the_cap_accepted() {
    let mut l = national_example();
    let before = l.events();
    // Cap = 5 % x 50,000 = 2,500 t; 3,000 t is over it by 500.
    let err = l
        .execute(&surrender("ccer", 3_000), AT, "test")
        .unwrap_err();
    let AssetError::OffsetCap(c) = &err else {
        panic!("{err}")
    };
    assert_eq!((c.cap, c.would_be, c.room), (2_500, 3_000, 2_500));
    assert!(err.to_string().contains("offset cap"), "{err}");
    assert_eq!(l.events(), before, "a refusal appends nothing");
    run(&mut l, surrender("ccer", 2_500));
    // One more tonne is over the cap now: room 0.
    let err = l.execute(&surrender("ccer", 1), AT, "test").unwrap_err();
    let AssetError::OffsetCap(c) = &err else {
        panic!("{err}")
    };
    assert_eq!((c.room, c.would_be), (0, 2_501));

    let s = l
        .compliance("cn-ets", &a(), 2023, None, day("2024-06-01"))
        .unwrap();
    assert_eq!(s.verified_tco2, Some(50_000));
    assert_eq!(s.surrendered_allowances_t, 46_000);
    assert_eq!(s.surrendered_offsets_t, 2_500);
    assert_eq!(s.offset_cap_t, Some(2_500));
    // 50,000 - 46,000 - 2,500 = 1,500 t short; no deadline entered, so `short`.
    assert_eq!(s.shortfall_t, Some(1_500));
    assert_eq!(s.status, ComplianceState::Short);

    // The remaining 500 t CCER stay available: 3,000 issued - 2,500 surrendered.
    let bal = l.balances(Some(&a()));
    let ccer = bal.iter().find(|r| r.kind == "ccer").unwrap();
    assert_eq!((ccer.available, ccer.surrendered), (500, 2_500));
}

#[test]
fn late_after_the_deadline_and_compliant_when_covered() {
    let mut l = national_example();
    run(&mut l, surrender("ccer", 2_500));
    let deadline = Op::SetDeadline {
        scheme: "cn-ets".into(),
        year: 2023,
        date: "2024-12-31".into(),
    };
    run(&mut l, deadline);
    let on = l
        .compliance("cn-ets", &a(), 2023, None, day("2024-12-31"))
        .unwrap();
    assert_eq!(
        on.status,
        ComplianceState::Short,
        "the deadline day itself is in time"
    );
    let after = l
        .compliance("cn-ets", &a(), 2023, None, day("2025-01-01"))
        .unwrap();
    assert_eq!(
        (after.status, after.shortfall_t),
        (ComplianceState::Late, Some(1_500))
    );
    // 1,500 t more CEA bought from B covers it: 46,000 + 1,500 + 2,500 = 50,000.
    run(&mut l, allocate(b(), 2_000));
    let buy = transfer_cea(b(), a(), 1_500);
    run(&mut l, buy);
    run(&mut l, surrender("cea", 1_500));
    let s = l
        .compliance("cn-ets", &a(), 2023, None, day("2025-01-02"))
        .unwrap();
    assert_eq!(
        (s.status, s.shortfall_t),
        (ComplianceState::Compliant, Some(0))
    );
}

#[test]
fn accounts_figure_when_no_verifier_figure() {
    let l = Ledger::new();
    let s = l
        .compliance("cn-ets", &a(), 2023, Some(1_234), day("2024-01-01"))
        .unwrap();
    // 5 % of 1,234 = 61.7 -> 61 whole tonnes; nothing surrendered, all 1,234 t short.
    assert_eq!(s.emissions_source, EmissionsSource::Accounts);
    assert_eq!((s.offset_cap_t, s.shortfall_t), (Some(61), Some(1_234)));
    let none = l
        .compliance("cn-ets", &a(), 2023, None, day("2024-01-01"))
        .unwrap();
    assert_eq!(
        (none.status, none.shortfall_t),
        (ComplianceState::Unknown, None)
    );
}

#[test]
fn offsets_need_a_verified_figure_and_a_sourced_cap() {
    let mut l = Ledger::new();
    run(
        &mut l,
        Op::Issue {
            kind: "ccer".into(),
            vintage: 2023,
            org: a(),
            units: 10,
            project: None,
        },
    );
    let e = l.execute(&surrender("ccer", 1), AT, "t").unwrap_err();
    assert!(e.to_string().contains("no verified emissions"), "{e}");
    let cq = Op::Surrender {
        scheme: "cq-pilot".into(),
        year: 2023,
        org: a(),
        kind: "ccer".into(),
        vintage: 2023,
        units: 1,
    };
    let e = l.execute(&cq, AT, "t").unwrap_err();
    assert!(e.to_string().contains("no sourced offset cap"), "{e}");
    // Inclusion credits are for voluntary cancellation only.
    run(
        &mut l,
        Op::Issue {
            kind: "inclusion".into(),
            vintage: 2023,
            org: a(),
            units: 5,
            project: None,
        },
    );
    let inc = Op::Surrender {
        scheme: "cn-ets".into(),
        year: 2023,
        org: a(),
        kind: "inclusion".into(),
        vintage: 2023,
        units: 1,
    };
    assert_eq!(
        l.execute(&inc, AT, "t").unwrap_err().to_string(),
        "inclusion cannot be surrendered in cn-ets (it accepts cea and the offsets ccer)"
    );
    // Allowances are allocated, never issued.
    let cea = Op::Issue {
        kind: "cea".into(),
        vintage: 2023,
        org: a(),
        units: 1,
        project: None,
    };
    assert_eq!(
        l.execute(&cea, AT, "t").unwrap_err().to_string(),
        "cea is an allowance: allocate it under its scheme, do not issue it"
    );
}

#[test]
fn transfer_splits_a_block_and_keeps_serials() {
    let mut l = Ledger::new();
    run(&mut l, allocate(a(), 100));
    let out = run(&mut l, transfer_cea(a(), b(), 30));
    // One split (block 1 keeps serials 1..30, block 2 gets 31..100) and one transfer.
    assert_eq!(out.event_ids, vec![2, 3]);
    let blocks: Vec<_> = l
        .blocks()
        .map(|b| (b.id, b.owner.clone(), b.serials()))
        .collect();
    assert_eq!(
        blocks,
        vec![
            (1, b(), "CEA-2023-000001..000030".to_string()),
            (2, a(), "CEA-2023-000031..000100".to_string()),
        ]
    );
    let e = l.execute(&transfer_cea(b(), a(), 31), AT, "t");
    assert!(matches!(
        e,
        Err(AssetError::Insufficient {
            available: 30,
            wanted: 31,
            ..
        })
    ));
}

#[test]
fn pledged_units_cannot_move_until_released() {
    let mut l = Ledger::new();
    run(&mut l, allocate(a(), 100));
    let p = run(
        &mut l,
        Op::Pledge {
            kind: "cea".into(),
            vintage: 2023,
            org: a(),
            units: 80,
            pledgee: "某银行".into(),
        },
    );
    assert_eq!(p.pledge, Some(1));
    let bal = &l.balances(Some(&a()))[0];
    assert_eq!((bal.available, bal.pledged), (20, 80));
    let move_all = transfer_cea(a(), b(), 21);
    let e = l.execute(&move_all, AT, "t").unwrap_err();
    assert!(e.to_string().contains("80 t more are pledged"), "{e}");
    let give_up = Op::Surrender {
        scheme: "cn-ets".into(),
        year: 2023,
        org: a(),
        kind: "cea".into(),
        vintage: 2023,
        units: 21,
    };
    assert!(matches!(
        l.execute(&give_up, AT, "t"),
        Err(AssetError::Insufficient { .. })
    ));
    run(&mut l, Op::Release { pledge: 1 });
    assert_eq!(
        l.execute(&Op::Release { pledge: 1 }, AT, "t"),
        Err(AssetError::Released(1))
    );
    run(&mut l, move_all);
    let cancel = Op::Cancel {
        kind: "cea".into(),
        vintage: 2023,
        org: b(),
        units: 21,
        claim: "2024 年会碳中和".into(),
    };
    run(&mut l, cancel);
    let bal = &l.balances(Some(&b()))[0];
    assert_eq!((bal.available, bal.cancelled), (0, 21));
}

/// Replays what `execute` appended; a changed byte anywhere is found.
#[test]
fn replay_verifies_the_chain() {
    let mut l = Ledger::new();
    let mut log = Vec::new();
    log.extend(run(&mut l, allocate(a(), 100)).entries);
    log.extend(run(&mut l, transfer_cea(a(), b(), 40)).entries);
    let r = Ledger::replay(&log).unwrap();
    assert_eq!((r.events(), r.head_hash()), (l.events(), l.head_hash()));
    assert_eq!(r.balances(None), l.balances(None));

    let mut forged = log.clone();
    forged[0].payload = forged[0].payload.replace("\"units\":100", "\"units\":1000");
    assert_eq!(Ledger::replay(&forged).unwrap_err().seq, 1);
    let mut dropped = log.clone();
    dropped.remove(1);
    assert_eq!(Ledger::replay(&dropped).unwrap_err().seq, 3);
}
