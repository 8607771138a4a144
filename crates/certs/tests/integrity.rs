//! Tamper tests for `verify` and third-party checks of evidence documents.
mod common;

use common::*;
use ed25519_dalek::Signer;
use zp_certs::{
    BundleId, Consumption, HourlyLoad, SignedEvent, VerifyReason, chain_hash, verify,
    verify_evidence,
};

const MWH: u64 = 1_000_000;

/// A log of 7 events: 3 issuances, a split + transfer, a split + retirement.
fn log() -> (zp_certs::Registry, Vec<SignedEvent>) {
    let mut reg = registry();
    issue(
        &mut reg,
        &factory(),
        &[(hour(0), 15 * MWH), (hour(1), 10 * MWH), (hour(2), 5 * MWH)],
    );
    run(&mut reg, |r| {
        r.transfer(BundleId(2), &third(), Some(4 * MWH), &acct(&factory()), NOW)
    });
    let loads = [HourlyLoad {
        hour_start: hour(0),
        load_wh: 10 * MWH,
    }];
    let d = reg.match_hourly(&factory(), &loads, NOW).unwrap();
    reg.append(d, &key()).unwrap();
    let entries = reg.log().to_vec();
    assert_eq!(entries.len(), 7);
    (reg, entries)
}

fn hex32(s: &str) -> [u8; 32] {
    hex::decode(s).unwrap().try_into().unwrap()
}

/// Re-hashes and re-signs entries from `from` on (what an insider holding the key could
/// do), so that only the replay can catch a semantic change.
fn reseal(entries: &mut [SignedEvent], from: usize, key: &zp_certs::SigningKey) {
    for i in from..entries.len() {
        let prev = if i == 0 {
            [0u8; 32]
        } else {
            hex32(&entries[i - 1].hash)
        };
        let h = chain_hash(&prev, &entries[i].payload);
        entries[i].prev_hash = hex::encode(prev);
        entries[i].hash = hex::encode(h);
        entries[i].signature = hex::encode(key.sign(&h).to_bytes());
    }
}

#[test]
fn untouched_log_verifies_with_balances() {
    let (reg, entries) = log();
    let s = verify(&entries, reg.public_key()).unwrap();
    assert_eq!(s.events, 7);
    assert_eq!(s.head_hash, reg.head_hash_hex());
    assert_eq!(s.balances.issued_wh, 30 * MWH);
    assert_eq!(s.balances.cancelled_wh, 10 * MWH);
    assert_eq!(s.balances.active_wh, 20 * MWH);
    assert_eq!(entries[0].prev_hash, "0".repeat(64));
}

#[test]
fn altered_amount_is_caught_at_that_event() {
    let (reg, mut entries) = log();
    // Inflate the second issuance from 10 MWh to 11 MWh.
    entries[1].payload = entries[1]
        .payload
        .replace("\"energy_wh\":10000000", "\"energy_wh\":11000000");
    let err = verify(&entries, reg.public_key()).unwrap_err();
    assert_eq!(err.seq, 2);
    assert_eq!(err.reason, VerifyReason::Hash);
}

#[test]
fn rehashed_but_unsigned_change_fails_the_signature() {
    let (reg, mut entries) = log();
    entries[4].payload = entries[4]
        .payload
        .replace(&third().to_string(), &solar_co().to_string());
    reseal(&mut entries, 4, &other_key());
    let err = verify(&entries, reg.public_key()).unwrap_err();
    assert_eq!((err.seq, err.reason), (5, VerifyReason::Signature));
}

#[test]
fn validly_signed_but_impossible_events_fail_the_replay() {
    let (reg, entries) = log();
    // An insider with the key duplicates the retirement of bundle 1 as a new event.
    let mut forged = entries.clone();
    let mut dup = entries[6].clone();
    dup.seq = 8;
    dup.payload = dup.payload.replace("\"seq\":7", "\"seq\":8");
    forged.push(dup);
    reseal(&mut forged, 7, &key());
    let err = verify(&forged, reg.public_key()).unwrap_err();
    assert_eq!(err.seq, 8);
    assert!(matches!(
        err.reason,
        VerifyReason::Replay(zp_certs::CertError::NotActive { .. })
    ));

    // ... or makes a split that creates energy: both parts keep the whole range.
    let mut forged = entries.clone();
    forged[3].payload = forged[3]
        .payload
        .replace("\"first_energy_wh\":4000000", "\"first_energy_wh\":0");
    reseal(&mut forged, 3, &key());
    let err = verify(&forged, reg.public_key()).unwrap_err();
    assert_eq!(err.seq, 4);
    assert!(matches!(
        err.reason,
        VerifyReason::Replay(zp_certs::CertError::SplitAmount { .. })
    ));
}

#[test]
fn removed_reordered_and_relinked_events_are_named() {
    let (reg, entries) = log();
    let mut gap = entries.clone();
    gap.remove(2);
    let err = verify(&gap, reg.public_key()).unwrap_err();
    assert_eq!(err.seq, 4);
    assert_eq!(err.reason, VerifyReason::Sequence { expected: 3 });

    let mut relinked = entries.clone();
    relinked[5].prev_hash = relinked[3].hash.clone();
    let err = verify(&relinked, reg.public_key()).unwrap_err();
    assert_eq!((err.seq, err.reason), (6, VerifyReason::PrevHash));

    let mut spaced = entries.clone();
    spaced[2].payload = spaced[2].payload.replace(",", ", ");
    reseal(&mut spaced, 2, &key());
    let err = verify(&spaced, reg.public_key()).unwrap_err();
    assert_eq!((err.seq, err.reason), (3, VerifyReason::NotCanonical));

    // Another registry's key verifies nothing.
    let err = verify(&entries, &other_key().verifying_key()).unwrap_err();
    assert_eq!((err.seq, err.reason), (1, VerifyReason::Signature));
}

#[test]
fn evidence_document_is_verifiable_by_a_third_party() {
    let (reg, _) = log();
    let loads: Vec<HourlyLoad> = (0..3)
        .map(|h| HourlyLoad {
            hour_start: hour(h),
            load_wh: 10 * MWH,
        })
        .collect();
    let doc = reg.evidence(&factory(), hour(0), hour(3), &loads).unwrap();
    assert_eq!(doc.head_seq, 7);
    assert_eq!(doc.head_hash, reg.head_hash_hex());
    assert_eq!(
        doc.registry_public_key,
        hex::encode(reg.public_key().to_bytes())
    );
    assert_eq!(doc.consumption_wh, 30 * MWH);
    assert_eq!(doc.matched_wh, 10 * MWH);
    let h0 = &doc.hours[0];
    assert_eq!(h0.hour_local, "2024-07-01T00:00:00+08:00");
    assert_eq!(h0.certificates.len(), 1);
    let c = &h0.certificates[0];
    assert_eq!(
        c.ids,
        zp_certs::IdRange {
            start: 1,
            end: 10 * MWH
        }
    );
    assert_eq!(
        (c.generator_meter.as_str(), c.technology.as_str()),
        ("M1", "solar")
    );
    assert_eq!(c.region, "CQ");
    assert_eq!(c.location, "Liangjiang park, roof B3");
    assert_eq!(c.lineage, vec![1, 6, 7]);
    assert_eq!(c.retired_seq, 7);

    // A verifier with only the document and the public key accepts it.
    let pk = zp_certs::public_key_from_hex(&doc.registry_public_key).unwrap();
    verify_evidence(&doc, &pk).unwrap();
    // It serialises (the CLI writes it as JSON).
    let json = serde_json::to_string(&doc).unwrap();
    assert!(json.contains("\"how_to_verify\""));

    // Tampering with the ids, the consumer or an event is detected.
    let mut bad = doc.clone();
    bad.hours[0].certificates[0].ids.end += 1;
    assert_eq!(
        verify_evidence(&bad, &pk).unwrap_err().to_string(),
        "bundle B1 in hour 1719763200: ids or generator do not follow from the lineage"
    );
    let mut bad = doc.clone();
    bad.hours[0].matched_wh = 10 * MWH + 1;
    assert_eq!(
        verify_evidence(&bad, &pk).unwrap_err().to_string(),
        "bundle B0 in hour 1719763200: matched_wh is not min(consumption, certificates)"
    );
    let mut bad = doc.clone();
    bad.events[0].payload = bad.events[0].payload.replace("solar", "wind");
    assert_eq!(
        verify_evidence(&bad, &pk).unwrap_err().to_string(),
        "event 1: hash does not equal sha256(prev_hash || payload)"
    );
    let mut bad = doc.clone();
    bad.consumer = third();
    assert_eq!(
        verify_evidence(&bad, &pk).unwrap_err().to_string(),
        "bundle B1 in hour 1719763200: retirement event does not match the row"
    );
    assert_eq!(
        verify_evidence(&doc, &other_key().verifying_key())
            .unwrap_err()
            .to_string(),
        "the document's public key is not the registry key given"
    );
}

#[test]
fn evidence_follows_a_child_bundle_through_splits() {
    let mut reg = registry();
    issue(&mut reg, &solar_co(), &[(hour(5), 1_000)]);
    let owner = acct(&solar_co());
    // Split three times: keep [1,100] in B1, [101,300] in B2, [301,1000] in B3; sell B3's
    // first 50 Wh via B3 -> B4 split, and retire [301, 350] for the factory.
    run(&mut reg, |r| r.split(BundleId(1), 100, &owner, NOW));
    run(&mut reg, |r| r.split(BundleId(2), 200, &owner, NOW));
    run(&mut reg, |r| {
        r.transfer(BundleId(3), &factory(), Some(50), &owner, NOW)
    });
    let at5 = Consumption::Hour {
        hour_start: hour(5),
    };
    run(&mut reg, |r| {
        r.retire(BundleId(3), None, &factory(), at5, &acct(&factory()), NOW)
    });
    let loads = [HourlyLoad {
        hour_start: hour(5),
        load_wh: 80,
    }];
    let doc = reg.evidence(&factory(), hour(5), hour(6), &loads).unwrap();
    let c = &doc.hours[0].certificates[0];
    assert_eq!(
        c.ids,
        zp_certs::IdRange {
            start: 301,
            end: 350
        }
    );
    assert_eq!(doc.hours[0].matched_wh, 50);
    verify_evidence(&doc, reg.public_key()).unwrap();
}

#[test]
fn evidence_rows_and_event_payloads_snapshot() {
    let mut reg = registry();
    issue(&mut reg, &factory(), &[(hour(9), 2_500)]);
    let loads = [HourlyLoad {
        hour_start: hour(9),
        load_wh: 2_000,
    }];
    let d = reg.match_hourly(&factory(), &loads, NOW + 60).unwrap();
    reg.append(d, &key()).unwrap();
    let doc = reg.evidence(&factory(), hour(0), hour(24), &loads).unwrap();
    let rows = serde_json::to_string_pretty(&doc.hours).unwrap();
    expect_test::expect![[r#"
        [
          {
            "hour_start": 1719795600,
            "hour_local": "2024-07-01T09:00:00+08:00",
            "consumption_wh": 2000,
            "matched_wh": 2000,
            "certificates": [
              {
                "bundle_id": 1,
                "ids": {
                  "start": 1,
                  "end": 2000
                },
                "energy_wh": 2000,
                "generator_meter": "M1",
                "technology": "solar",
                "region": "CQ",
                "location": "Liangjiang park, roof B3",
                "retired_seq": 3,
                "lineage": [
                  1,
                  2,
                  3
                ]
              }
            ]
          }
        ]"#]]
    .assert_eq(&rows);
    let payloads: Vec<&str> = doc.events.iter().map(|e| e.payload.as_str()).collect();
    expect_test::expect![[r#"
        {"v":1,"seq":1,"at":1720000000,"actor":"registry","change":{"type":"issued","bundle_id":1,"ids":{"start":1,"end":2500},"energy_wh":2500,"meter_id":"M1","production_hour_start":1719795600,"owner":"91500000202803359L","technology":"solar","region":"CQ","location":"Liangjiang park, roof B3"}}
        {"v":1,"seq":2,"at":1720000060,"actor":{"account":"91500000202803359L"},"change":{"type":"split","bundle_id":1,"first_energy_wh":2000,"new_bundle_id":2}}
        {"v":1,"seq":3,"at":1720000060,"actor":{"account":"91500000202803359L"},"change":{"type":"retired","bundle_id":1,"consumer":"91500000202803359L","consumption":{"hour":{"hour_start":1719795600}}}}"#]]
    .assert_eq(&payloads.join("\n"));
}

/// The summary `certs verify` answers for a registry with no events without reading a key
/// is the one a verification of the empty log gives.
#[test]
fn the_empty_summary_is_the_empty_logs() {
    let key = zp_certs::signing_key(&[7; 32]);
    assert_eq!(
        zp_certs::verify(&[], &key.verifying_key()).unwrap(),
        zp_certs::Summary::empty()
    );
}
