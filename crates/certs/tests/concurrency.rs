//! Threads racing to retire the same bundle: exactly one wins.
mod common;

use common::*;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use zp_certs::{BundleId, CertError, Consumption, verify};

#[test]
fn concurrent_double_retirement_lands_once() {
    let mut reg = registry();
    issue(&mut reg, &factory(), &[(hour(3), 5_000)]);
    let reg = Arc::new(Mutex::new(reg));
    let threads = 16;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let reg = Arc::clone(&reg);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                let at3 = Consumption::Hour {
                    hour_start: hour(3),
                };
                // Plan under one lock (every thread sees the bundle active) ...
                let drafts = reg
                    .lock()
                    .unwrap()
                    .retire(
                        BundleId(1),
                        None,
                        &factory(),
                        at3,
                        &acct(&factory()),
                        NOW + i as i64,
                    )
                    .unwrap();
                barrier.wait();
                // ... and append under another: append re-validates against the state.
                reg.lock().unwrap().append(drafts, &key())
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1);
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(
                r,
                CertError::NotActive {
                    bundle: BundleId(1),
                    ..
                }
            ),
            "{r}"
        );
    }
    let reg = reg.lock().unwrap();
    assert_eq!(reg.log().len(), 2);
    assert_eq!(reg.balances().cancelled_wh, 5_000);
    verify(reg.log(), reg.public_key()).unwrap();
}

#[test]
fn concurrent_partial_retirements_never_exceed_the_bundle() {
    // Each thread retires 1,000 Wh of the same 5,000 Wh bundle by planning and appending
    // in one critical section; ten threads, so exactly five succeed.
    let mut reg = registry();
    issue(&mut reg, &factory(), &[(hour(3), 5_000)]);
    let reg = Arc::new(Mutex::new(reg));
    let handles: Vec<_> = (0..10)
        .map(|_| {
            let reg = Arc::clone(&reg);
            thread::spawn(move || {
                let mut reg = reg.lock().unwrap();
                let at3 = Consumption::Hour {
                    hour_start: hour(3),
                };
                let id = reg
                    .active_of(&factory())
                    .find(|b| b.energy_wh >= 1_000)
                    .map(|b| b.id);
                let id = id.ok_or(CertError::UnknownBundle(BundleId(0)))?;
                let drafts =
                    reg.retire(id, Some(1_000), &factory(), at3, &acct(&factory()), NOW)?;
                reg.append(drafts, &key())
            })
        })
        .collect();
    let wins = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|r| r.is_ok())
        .count();
    assert_eq!(wins, 5);
    let reg = reg.lock().unwrap();
    assert_eq!(reg.retired_for_hour(&factory(), hour(3)), 5_000);
    assert_eq!(reg.balances().active_wh, 0);
    verify(reg.log(), reg.public_key()).unwrap();
}
