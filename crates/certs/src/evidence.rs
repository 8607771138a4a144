//! Evidence export: per consumption hour, the certificates cancelled for it, with the
//! signed events that prove them.
//!
//! # Verifying an evidence document without trusting zeropark
//!
//! A third party needs the document and the registry's ed25519 public key, obtained out
//! of band (e.g. published by the park operator); the `registry_public_key` field is only
//! a convenience and must be compared with it.
//!
//! 1. For every entry of `events`: decode `prev_hash` (hex, 32 bytes), compute
//!    `sha256(prev_hash_bytes || payload_utf8_bytes)` and compare with `hash`; then check
//!    `signature` (hex, 64 bytes) as an ed25519 signature of the 32 hash bytes under the
//!    public key (RFC 8032, strict verification). Any ed25519 library will do, e.g.
//!    Python `cryptography`'s `Ed25519PublicKey.verify(sig, hash)`.
//! 2. For every certificate row: the event with `seq == retired_seq` must be a
//!    `retired` change of the row's `bundle_id` for the document's `consumer` and
//!    consumption `{"hour":{"hour_start": <the row's hour>}}`. The ids follow from the
//!    `issued` event in the bundle's `lineage` and the `split` events after it (a split of
//!    `[s, e]` at `a` Wh leaves `[s, s+a-1]` under the old bundle id, `[s+a, e]` under
//!    `new_bundle_id`). [`verify_evidence`] does steps 1 and 2.
//! 3. To prove that nothing was cancelled twice, obtain the full log up to `head_seq` and
//!    run [`verify`](crate::verify) on it (or re-walk the chain as in step 1, checking that
//!    each `prev_hash` is the previous `hash` and that the last hash equals `head_hash`).

use crate::error::CertError;
use crate::event::{Change, Consumption, Event};
use crate::ids::{BundleId, IdRange};
use crate::matching::HourlyLoad;
use crate::signed::SignedEvent;
use crate::state::Registry;
use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use zp_domain::CreditCode;
use zp_domain::time::format_local;

/// Version of the evidence document format.
pub const EVIDENCE_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EvidenceDoc {
    pub format_version: u32,
    pub consumer: CreditCode,
    /// Window `[from, to)`, UTC epoch seconds.
    pub from: i64,
    pub to: i64,
    /// Hex of the registry's ed25519 public key (32 bytes).
    pub registry_public_key: String,
    /// Last event of the log when the document was made, and its hash.
    pub head_seq: u64,
    pub head_hash: String,
    pub consumption_wh: u64,
    pub matched_wh: u64,
    pub hours: Vec<EvidenceHour>,
    /// Every signed event named by a row's lineage, by seq.
    pub events: Vec<SignedEvent>,
    pub how_to_verify: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EvidenceHour {
    pub hour_start: i64,
    /// The same hour in Asia/Shanghai, RFC 3339.
    pub hour_local: String,
    pub consumption_wh: u64,
    /// min(consumption, certificates cancelled for the hour).
    pub matched_wh: u64,
    pub certificates: Vec<EvidenceCertificate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EvidenceCertificate {
    pub bundle_id: BundleId,
    pub ids: IdRange,
    pub energy_wh: u64,
    pub generator_meter: String,
    pub technology: String,
    pub region: String,
    pub location: String,
    pub retired_seq: u64,
    /// Seqs of the events that issued, split, moved and cancelled this bundle.
    pub lineage: Vec<u64>,
}

const HOW_TO_VERIFY: &str = "For each event: sha256(hex_decode(prev_hash) || payload) must equal hash, and signature must be a valid ed25519 signature of those 32 bytes under the registry public key. Each certificate's retired_seq event must cancel its bundle for this consumer and hour; its ids follow from the issued and split events of its lineage. Verify the full log up to head_seq to rule out double cancellation.";

impl Registry {
    /// Evidence of `consumer`'s hourly matching for the load hours in `[from, to)`.
    pub fn evidence(
        &self,
        consumer: &CreditCode,
        from: i64,
        to: i64,
        loads: &[HourlyLoad],
    ) -> Result<EvidenceDoc, CertError> {
        let mut loads: Vec<HourlyLoad> = loads
            .iter()
            .copied()
            .filter(|l| (from..to).contains(&l.hour_start))
            .collect();
        loads.sort_by_key(|l| l.hour_start);
        let mut seqs = BTreeSet::new();
        let mut hours = Vec::new();
        for l in &loads {
            let mut certificates = Vec::new();
            for b in self.bundles_of_hour(l.hour_start) {
                let Some((c, cons, retired_seq)) = b.status.retirement() else {
                    continue;
                };
                if c != consumer
                    || cons
                        != (Consumption::Hour {
                            hour_start: l.hour_start,
                        })
                {
                    continue;
                }
                seqs.extend(b.history.iter().copied());
                certificates.push(EvidenceCertificate {
                    bundle_id: b.id,
                    ids: b.ids,
                    energy_wh: b.energy_wh,
                    generator_meter: b.meter_or_plant().to_string(),
                    technology: b.technology.clone(),
                    region: b.region.code().to_string(),
                    location: b.location.clone(),
                    retired_seq,
                    lineage: b.history.clone(),
                });
            }
            let retired_wh: u64 = certificates.iter().map(|c| c.energy_wh).sum();
            hours.push(EvidenceHour {
                hour_start: l.hour_start,
                hour_local: format_local(l.hour_start),
                consumption_wh: l.load_wh,
                matched_wh: l.load_wh.min(retired_wh),
                certificates,
            });
        }
        let events = seqs
            .iter()
            .map(|s| self.log[(*s - 1) as usize].clone())
            .collect();
        Ok(EvidenceDoc {
            format_version: EVIDENCE_FORMAT_VERSION,
            consumer: consumer.clone(),
            from,
            to,
            registry_public_key: hex::encode(self.public_key.to_bytes()),
            head_seq: self.log.len() as u64,
            head_hash: self.head_hash_hex(),
            consumption_wh: hours.iter().map(|h| h.consumption_wh).sum(),
            matched_wh: hours.iter().map(|h| h.matched_wh).sum(),
            hours,
            events,
            how_to_verify: HOW_TO_VERIFY,
        })
    }
}

/// Why an evidence document does not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    #[error("event {seq}: {why}")]
    Event { seq: u64, why: String },
    #[error("bundle {bundle} in hour {hour_start}: {why}")]
    Certificate {
        bundle: BundleId,
        hour_start: i64,
        why: String,
    },
    #[error("the document's public key is not the registry key given")]
    PublicKey,
}

/// Checks an evidence document as a third party would (steps 1 and 2 of the module
/// documentation), using only the document and the registry's public key.
pub fn verify_evidence(doc: &EvidenceDoc, public_key: &VerifyingKey) -> Result<(), EvidenceError> {
    if doc.registry_public_key != hex::encode(public_key.to_bytes()) {
        return Err(EvidenceError::PublicKey);
    }
    let mut events: BTreeMap<u64, Event> = BTreeMap::new();
    for e in &doc.events {
        let bad = |why: String| EvidenceError::Event { seq: e.seq, why };
        let prev: [u8; 32] = hex::decode(&e.prev_hash)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad("prev_hash is not 32 hex bytes".into()))?;
        e.check(&prev, public_key).map_err(|r| bad(r.to_string()))?;
        let ev = e.event().map_err(|x| bad(x.to_string()))?;
        if ev.seq != e.seq {
            return Err(bad("payload seq differs".into()));
        }
        events.insert(e.seq, ev);
    }
    for h in &doc.hours {
        let mut retired_wh = 0u64;
        for c in &h.certificates {
            let bad = |why: &str| EvidenceError::Certificate {
                bundle: c.bundle_id,
                hour_start: h.hour_start,
                why: why.to_string(),
            };
            let retired = events
                .get(&c.retired_seq)
                .ok_or_else(|| bad("retirement event missing"))?;
            let ok = matches!(&retired.change, Change::Retired { bundle_id, consumer, consumption }
                if *bundle_id == c.bundle_id && *consumer == doc.consumer
                    && *consumption == (Consumption::Hour { hour_start: h.hour_start }));
            if !ok {
                return Err(bad("retirement event does not match the row"));
            }
            let lineage: Vec<&Event> = c
                .lineage
                .iter()
                .map(|s| events.get(s).ok_or_else(|| bad("lineage event missing")))
                .collect::<Result<_, _>>()?;
            if lineage_ids(&lineage, c.bundle_id) != Some((c.ids, c.generator_meter.as_str())) {
                return Err(bad("ids or generator do not follow from the lineage"));
            }
            retired_wh += c.energy_wh;
            if c.ids.count() != c.energy_wh {
                return Err(bad("energy differs from the id count"));
            }
        }
        if h.matched_wh != h.consumption_wh.min(retired_wh) {
            return Err(EvidenceError::Certificate {
                bundle: BundleId(0),
                hour_start: h.hour_start,
                why: "matched_wh is not min(consumption, certificates)".into(),
            });
        }
    }
    Ok(())
}

/// Recomputes a granular bundle's ids and meter from its issuance and split events.
fn lineage_ids<'a>(lineage: &[&'a Event], target: BundleId) -> Option<(IdRange, &'a str)> {
    let (first, rest) = lineage.split_first()?;
    let Change::Issued {
        bundle_id,
        ids,
        meter_id,
        ..
    } = &first.change
    else {
        return None;
    };
    let (mut current, mut range) = (*bundle_id, *ids);
    for (i, ev) in rest.iter().enumerate() {
        if let Change::Split {
            bundle_id,
            first_energy_wh,
            new_bundle_id,
        } = &ev.change
            && *bundle_id == current
        {
            let (a, b) = range.split_at(*first_energy_wh)?;
            let follows_child = *new_bundle_id == target
                || rest[i + 1..]
                    .iter()
                    .any(|e| e.change.bundle_id() == *new_bundle_id);
            if follows_child {
                current = *new_bundle_id;
                range = b;
            } else {
                range = a;
            }
        }
    }
    (current == target).then_some((range, meter_id.as_str()))
}
