//! Registry state rebuilt by replaying events, and the one place where events are
//! validated and applied ([`Registry::apply_event`]).

use crate::error::CertError;
use crate::event::{Actor, Change, Consumption, EVENT_FORMAT_VERSION, Event};
use crate::ids::{BundleId, IdRange};
use crate::signed::{GENESIS_HASH, SignedEvent};
use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use zp_domain::{CreditCode, Period, Region};

/// Energy of one GEC (绿证): 1 MWh.
pub const WH_PER_GEC: u64 = 1_000_000;

/// Where a bundle's energy came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// A granular certificate: one metered production hour, one id per Wh.
    Granular {
        meter_id: String,
        production_hour_start: i64,
    },
    /// An imported GEC: monthly granularity, one serial per MWh.
    Gec {
        plant: String,
        production_month: Period,
    },
}

/// Time granularity of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Hourly,
    Monthly,
}

/// Lifecycle status: Active -> Cancelled -> Claimed, or Withdrawn by the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    Active,
    Cancelled {
        consumer: CreditCode,
        consumption: Consumption,
        retired_seq: u64,
    },
    Claimed {
        consumer: CreditCode,
        consumption: Consumption,
        retired_seq: u64,
        claimed_seq: u64,
    },
    Withdrawn {
        reason: String,
        withdrawn_seq: u64,
    },
}

impl Status {
    pub fn name(&self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Cancelled { .. } => "cancelled",
            Status::Claimed { .. } => "claimed",
            Status::Withdrawn { .. } => "withdrawn",
        }
    }

    /// Consumer and consumption interval of a cancelled or claimed certificate.
    pub fn retirement(&self) -> Option<(&CreditCode, Consumption, u64)> {
        match self {
            Status::Cancelled {
                consumer,
                consumption,
                retired_seq,
            }
            | Status::Claimed {
                consumer,
                consumption,
                retired_seq,
                ..
            } => Some((consumer, *consumption, *retired_seq)),
            _ => None,
        }
    }
}

/// A bundle of certificates with one owner, one status and one contiguous id range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Bundle {
    pub id: BundleId,
    /// Certificate ids (granular: one per Wh) or GEC serials (one per MWh).
    pub ids: IdRange,
    pub energy_wh: u64,
    pub owner: CreditCode,
    pub source: Source,
    pub technology: String,
    pub region: Region,
    /// Free-text site description (park, address, coordinates); empty for GECs.
    pub location: String,
    pub status: Status,
    /// Sequence numbers of every event that shaped this bundle, from its issuance
    /// (a split child inherits its parent's history): its lineage.
    pub history: Vec<u64>,
}

impl Bundle {
    pub fn granularity(&self) -> Granularity {
        match self.source {
            Source::Granular { .. } => Granularity::Hourly,
            Source::Gec { .. } => Granularity::Monthly,
        }
    }

    /// Wh represented by one id of the range.
    pub fn wh_per_id(&self) -> u64 {
        match self.source {
            Source::Granular { .. } => 1,
            Source::Gec { .. } => WH_PER_GEC,
        }
    }

    /// Production hour of a granular bundle.
    pub fn production_hour_start(&self) -> Option<i64> {
        match self.source {
            Source::Granular {
                production_hour_start,
                ..
            } => Some(production_hour_start),
            Source::Gec { .. } => None,
        }
    }

    pub fn meter_or_plant(&self) -> &str {
        match &self.source {
            Source::Granular { meter_id, .. } => meter_id,
            Source::Gec { plant, .. } => plant,
        }
    }
}

/// Totals by status, in Wh.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Balances {
    pub issued_wh: u64,
    pub active_wh: u64,
    pub cancelled_wh: u64,
    pub claimed_wh: u64,
    pub withdrawn_wh: u64,
}

impl Balances {
    /// Adds `bundle`'s energy to the total of its status (not to `issued_wh`).
    pub fn add_by_status(&mut self, bundle: &Bundle) {
        *match bundle.status {
            Status::Active => &mut self.active_wh,
            Status::Cancelled { .. } => &mut self.cancelled_wh,
            Status::Claimed { .. } => &mut self.claimed_wh,
            Status::Withdrawn { .. } => &mut self.withdrawn_wh,
        } += bundle.energy_wh;
    }
}

/// The registry: bundles, their owners and statuses, and the signed log they came from.
///
/// Not internally synchronised: share it as `Mutex<Registry>` and run each command and
/// its [`append`](Registry::append) while holding the lock. A draft prepared under an
/// earlier lock is re-validated by `append`, so a stale draft (e.g. a second retirement of
/// the same bundle) is rejected, never applied twice.
#[derive(Debug, Clone)]
pub struct Registry {
    pub(crate) public_key: VerifyingKey,
    pub(crate) log: Vec<SignedEvent>,
    pub(crate) head_hash: [u8; 32],
    pub(crate) bundles: BTreeMap<BundleId, Bundle>,
    /// (meter, production hour) -> first bundle issued for it: makes issuance idempotent.
    pub(crate) issued: BTreeMap<(String, i64), BundleId>,
    /// Imported GEC serial blocks, start -> end.
    pub(crate) gec_serials: BTreeMap<u64, u64>,
    /// Granular bundles by production hour.
    pub(crate) by_hour: BTreeMap<i64, BTreeSet<BundleId>>,
    /// Retired bundles (cancelled or claimed) by the consumer they were retired for. A
    /// retirement is final and names its consumer once, so a bundle enters here once.
    pub(crate) retired_for: BTreeMap<CreditCode, BTreeSet<BundleId>>,
    pub(crate) next_bundle_id: u64,
    pub(crate) next_cert_id: u64,
    pub(crate) issued_wh: u64,
}

fn check_owner(b: &Bundle, actor: &Actor) -> Result<(), CertError> {
    match actor {
        Actor::Account(a) if *a == b.owner => Ok(()),
        _ => Err(CertError::NotOwner {
            bundle: b.id,
            owner: b.owner.clone(),
            actor: actor.clone(),
        }),
    }
}

fn check_active(b: &Bundle) -> Result<(), CertError> {
    if b.status == Status::Active {
        Ok(())
    } else {
        Err(CertError::NotActive {
            bundle: b.id,
            status: b.status.name(),
        })
    }
}

fn check_registry(actor: &Actor, what: &'static str) -> Result<(), CertError> {
    if *actor == Actor::Registry {
        Ok(())
    } else {
        Err(CertError::NotRegistry(what))
    }
}

fn describe(c: Consumption) -> String {
    match c {
        Consumption::Hour { hour_start } => format!("the hour starting {hour_start}"),
        Consumption::Month { period } => format!("the month {period}"),
    }
}

impl Registry {
    /// An empty registry whose log is signed by the key behind `public_key`.
    pub fn new(public_key: VerifyingKey) -> Registry {
        Registry {
            public_key,
            log: Vec::new(),
            head_hash: GENESIS_HASH,
            bundles: BTreeMap::new(),
            issued: BTreeMap::new(),
            gec_serials: BTreeMap::new(),
            by_hour: BTreeMap::new(),
            retired_for: BTreeMap::new(),
            next_bundle_id: 1,
            next_cert_id: 1,
            issued_wh: 0,
        }
    }

    pub fn public_key(&self) -> &VerifyingKey {
        &self.public_key
    }

    /// The signed log, oldest first: what the store persists.
    pub fn log(&self) -> &[SignedEvent] {
        &self.log
    }

    /// Hash of the last event (hex), or 64 zeros for an empty log.
    pub fn head_hash_hex(&self) -> String {
        hex::encode(self.head_hash)
    }

    /// Sequence number the next event will get.
    pub fn next_seq(&self) -> u64 {
        self.log.len() as u64 + 1
    }

    pub fn bundle(&self, id: BundleId) -> Option<&Bundle> {
        self.bundles.get(&id)
    }

    pub fn bundles(&self) -> impl Iterator<Item = &Bundle> {
        self.bundles.values()
    }

    /// Granular bundles produced in the hour starting `hour_start`.
    pub fn bundles_of_hour(&self, hour_start: i64) -> impl Iterator<Item = &Bundle> {
        self.by_hour
            .get(&hour_start)
            .into_iter()
            .flat_map(|ids| ids.iter().map(|id| &self.bundles[id]))
    }

    /// Granular bundles produced in hours starting within `[from, to)` (UTC epoch
    /// seconds), by hour then id, read from the hour index (not a scan of every bundle).
    pub fn bundles_produced_between(&self, from: i64, to: i64) -> impl Iterator<Item = &Bundle> {
        self.by_hour
            .range(from..to.max(from))
            .flat_map(|(_, ids)| ids.iter().map(|id| &self.bundles[id]))
    }

    /// Bundles retired (cancelled or claimed) for `consumer`, by id, read from the index
    /// (not a scan of every bundle).
    pub fn retired_for<'a>(&'a self, consumer: &CreditCode) -> impl Iterator<Item = &'a Bundle> {
        self.retired_for
            .get(consumer)
            .into_iter()
            .flat_map(|ids| ids.iter().map(|id| &self.bundles[id]))
    }

    /// The bundle issued for a meter and production hour, if any.
    pub fn issued_bundle(&self, meter_id: &str, hour_start: i64) -> Option<BundleId> {
        self.issued
            .get(&(meter_id.to_string(), hour_start))
            .copied()
    }

    pub(crate) fn get(&self, id: BundleId) -> Result<&Bundle, CertError> {
        self.bundles.get(&id).ok_or(CertError::UnknownBundle(id))
    }

    /// Totals by status.
    pub fn balances(&self) -> Balances {
        let mut b = Balances {
            issued_wh: self.issued_wh,
            ..Balances::default()
        };
        for x in self.bundles.values() {
            b.add_by_status(x);
        }
        b
    }

    /// Checks the ledger invariants: the Wh of all bundles add up to the Wh issued, every
    /// bundle's energy equals its id count times the Wh per id, and id ranges are
    /// disjoint (granular ids and GEC serials each in their own space).
    pub fn check_invariants(&self) -> Result<(), CertError> {
        let bad = |s: String| Err(CertError::Invariant(s));
        let bal = self.balances();
        let sum = bal.active_wh + bal.cancelled_wh + bal.claimed_wh + bal.withdrawn_wh;
        if sum != self.issued_wh {
            return bad(format!(
                "bundles hold {sum} Wh, {} Wh were issued",
                self.issued_wh
            ));
        }
        let mut granular = Vec::new();
        let mut gec = Vec::new();
        let mut retired: BTreeMap<&CreditCode, BTreeSet<BundleId>> = BTreeMap::new();
        for b in self.bundles.values() {
            if let Some((consumer, _, _)) = b.status.retirement() {
                retired.entry(consumer).or_default().insert(b.id);
            }
            if !b.ids.is_well_formed()
                || b.ids.count().checked_mul(b.wh_per_id()) != Some(b.energy_wh)
            {
                return bad(format!(
                    "bundle {} holds {} Wh for ids {}",
                    b.id, b.energy_wh, b.ids
                ));
            }
            match b.granularity() {
                Granularity::Hourly => granular.push((b.ids, b.id)),
                Granularity::Monthly => gec.push((b.ids, b.id)),
            }
        }
        for list in [&mut granular, &mut gec] {
            list.sort();
            for w in list.windows(2) {
                if w[0].0.overlaps(w[1].0) {
                    return bad(format!(
                        "bundles {} {} and {} {} overlap",
                        w[0].1, w[0].0, w[1].1, w[1].0
                    ));
                }
            }
        }
        let same = retired.len() == self.retired_for.len()
            && retired
                .iter()
                .zip(&self.retired_for)
                .all(|((a, x), (b, y))| *a == b && x == y);
        if !same {
            return bad("the index of retirements by consumer disagrees with the bundles".into());
        }
        Ok(())
    }

    /// Validates `ev` against the current state and applies it. On error nothing changed.
    /// This is the single authority: commands, `append` and replay all go through here.
    pub(crate) fn apply_event(&mut self, ev: &Event) -> Result<(), CertError> {
        if ev.v != EVENT_FORMAT_VERSION {
            return Err(CertError::Version(ev.v));
        }
        let seq = ev.seq;
        match &ev.change {
            Change::Issued {
                bundle_id,
                ids,
                energy_wh,
                meter_id,
                production_hour_start,
                owner,
                technology,
                region,
                location,
            } => {
                check_registry(&ev.actor, "issue certificates")?;
                self.expect_allocation("bundle_id", bundle_id.0, self.next_bundle_id)?;
                self.expect_allocation("ids.start", ids.start, self.next_cert_id)?;
                let row_err = |why: &str| CertError::IssuanceRow {
                    meter_id: meter_id.clone(),
                    hour_start: *production_hour_start,
                    why: why.to_string(),
                };
                if *energy_wh == 0 || IdRange::with_count(ids.start, *energy_wh) != Some(*ids) {
                    return Err(row_err("id range must hold exactly energy_wh ids"));
                }
                if production_hour_start.rem_euclid(3600) != 0 {
                    return Err(row_err("production hour is not aligned to the hour"));
                }
                let key = (meter_id.clone(), *production_hour_start);
                if let Some(&bundle) = self.issued.get(&key) {
                    return Err(CertError::AlreadyIssued {
                        meter_id: meter_id.clone(),
                        hour_start: *production_hour_start,
                        bundle,
                    });
                }
                let issued_wh = self
                    .issued_wh
                    .checked_add(*energy_wh)
                    .ok_or_else(|| row_err("registry total overflows"))?;
                self.issued.insert(key, *bundle_id);
                self.by_hour
                    .entry(*production_hour_start)
                    .or_default()
                    .insert(*bundle_id);
                self.next_bundle_id += 1;
                self.next_cert_id = ids.end + 1;
                self.issued_wh = issued_wh;
                self.bundles.insert(
                    *bundle_id,
                    Bundle {
                        id: *bundle_id,
                        ids: *ids,
                        energy_wh: *energy_wh,
                        owner: owner.clone(),
                        source: Source::Granular {
                            meter_id: meter_id.clone(),
                            production_hour_start: *production_hour_start,
                        },
                        technology: technology.clone(),
                        region: *region,
                        location: location.clone(),
                        status: Status::Active,
                        history: vec![seq],
                    },
                );
            }
            Change::GecImported {
                bundle_id,
                serials,
                energy_wh,
                plant,
                production_month,
                owner,
                technology,
                region,
            } => {
                check_registry(&ev.actor, "import GECs")?;
                self.expect_allocation("bundle_id", bundle_id.0, self.next_bundle_id)?;
                let gec_err = |why: String| CertError::Gec {
                    serials: serials.to_string(),
                    why,
                };
                if !serials.is_well_formed() {
                    return Err(gec_err("serial range is empty".into()));
                }
                if serials.count().checked_mul(WH_PER_GEC) != Some(*energy_wh) {
                    return Err(gec_err(format!(
                        "{} serials are {} MWh, the import says {energy_wh} Wh",
                        serials.count(),
                        serials.count()
                    )));
                }
                if let Some((&s, &e)) = self.gec_serials.range(..=serials.end).next_back()
                    && e >= serials.start
                {
                    return Err(gec_err(format!("overlaps the imported block [{s}, {e}]")));
                }
                let issued_wh = self
                    .issued_wh
                    .checked_add(*energy_wh)
                    .ok_or_else(|| gec_err("registry total overflows".into()))?;
                self.gec_serials.insert(serials.start, serials.end);
                self.next_bundle_id += 1;
                self.issued_wh = issued_wh;
                self.bundles.insert(
                    *bundle_id,
                    Bundle {
                        id: *bundle_id,
                        ids: *serials,
                        energy_wh: *energy_wh,
                        owner: owner.clone(),
                        source: Source::Gec {
                            plant: plant.clone(),
                            production_month: *production_month,
                        },
                        technology: technology.clone(),
                        region: *region,
                        location: String::new(),
                        status: Status::Active,
                        history: vec![seq],
                    },
                );
            }
            Change::Transferred { bundle_id, to } => {
                let b = self.get(*bundle_id)?;
                check_owner(b, &ev.actor)?;
                check_active(b)?;
                if b.owner == *to {
                    return Err(CertError::SameOwner {
                        bundle: b.id,
                        owner: to.clone(),
                    });
                }
                let b = self.bundles.get_mut(bundle_id).expect("checked");
                b.owner = to.clone();
                b.history.push(seq);
            }
            Change::Split {
                bundle_id,
                first_energy_wh,
                new_bundle_id,
            } => {
                let b = self.get(*bundle_id)?;
                check_owner(b, &ev.actor)?;
                check_active(b)?;
                self.expect_allocation("new_bundle_id", new_bundle_id.0, self.next_bundle_id)?;
                let split_err = |why| CertError::SplitAmount {
                    bundle: b.id,
                    energy_wh: b.energy_wh,
                    first_energy_wh: *first_energy_wh,
                    why,
                };
                if first_energy_wh % b.wh_per_id() != 0 {
                    return Err(split_err("GECs split in whole MWh only"));
                }
                let (first, rest) = b
                    .ids
                    .split_at(first_energy_wh / b.wh_per_id())
                    .ok_or_else(|| split_err("both parts must hold energy"))?;
                let mut child = b.clone();
                child.id = *new_bundle_id;
                child.ids = rest;
                child.energy_wh = rest.count() * b.wh_per_id();
                child.history.push(seq);
                let parent = self.bundles.get_mut(bundle_id).expect("checked");
                parent.ids = first;
                parent.energy_wh = *first_energy_wh;
                parent.history.push(seq);
                debug_assert_eq!(
                    parent.energy_wh + child.energy_wh,
                    (first.count() + rest.count()) * child.wh_per_id()
                );
                if let Some(h) = child.production_hour_start() {
                    self.by_hour.entry(h).or_default().insert(child.id);
                }
                self.bundles.insert(child.id, child);
                self.next_bundle_id += 1;
            }
            Change::Retired {
                bundle_id,
                consumer,
                consumption,
            } => {
                let b = self.get(*bundle_id)?;
                check_owner(b, &ev.actor)?;
                check_active(b)?;
                let ok = match (b.production_hour_start(), consumption) {
                    (Some(p), Consumption::Hour { hour_start }) => p == *hour_start,
                    (None, Consumption::Month { .. }) => true,
                    _ => false,
                };
                if !ok {
                    return Err(CertError::HourMismatch {
                        bundle: b.id,
                        production_hour_start: b.production_hour_start().unwrap_or(0),
                        consumption: describe(*consumption),
                    });
                }
                let b = self.bundles.get_mut(bundle_id).expect("checked");
                b.status = Status::Cancelled {
                    consumer: consumer.clone(),
                    consumption: *consumption,
                    retired_seq: seq,
                };
                b.history.push(seq);
                self.retired_for
                    .entry(consumer.clone())
                    .or_default()
                    .insert(*bundle_id);
            }
            Change::Claimed { bundle_id } => {
                let b = self.get(*bundle_id)?;
                let Status::Cancelled {
                    consumer,
                    consumption,
                    retired_seq,
                } = &b.status
                else {
                    return Err(CertError::NotCancelled {
                        bundle: b.id,
                        status: b.status.name(),
                    });
                };
                let allowed = match &ev.actor {
                    Actor::Account(a) => a == consumer || *a == b.owner,
                    Actor::Registry => false,
                };
                if !allowed {
                    return Err(CertError::NotBeneficiary {
                        bundle: b.id,
                        actor: ev.actor.clone(),
                    });
                }
                let status = Status::Claimed {
                    consumer: consumer.clone(),
                    consumption: *consumption,
                    retired_seq: *retired_seq,
                    claimed_seq: seq,
                };
                let b = self.bundles.get_mut(bundle_id).expect("checked");
                b.status = status;
                b.history.push(seq);
            }
            Change::Withdrawn { bundle_id, reason } => {
                check_registry(&ev.actor, "withdraw certificates")?;
                let b = self.get(*bundle_id)?;
                check_active(b)?;
                if reason.trim().is_empty() {
                    return Err(CertError::EmptyReason);
                }
                let b = self.bundles.get_mut(bundle_id).expect("checked");
                b.status = Status::Withdrawn {
                    reason: reason.clone(),
                    withdrawn_seq: seq,
                };
                b.history.push(seq);
            }
        }
        Ok(())
    }

    fn expect_allocation(
        &self,
        field: &'static str,
        got: u64,
        expected: u64,
    ) -> Result<(), CertError> {
        if got == expected {
            Ok(())
        } else {
            Err(CertError::Allocation {
                field,
                got,
                expected,
            })
        }
    }

    /// Fills the allocated fields of a draft's change from the current counters.
    pub(crate) fn allocate(&self, change: &mut Change) {
        match change {
            Change::Issued {
                bundle_id,
                ids,
                energy_wh,
                ..
            } => {
                *bundle_id = BundleId(self.next_bundle_id);
                *ids = IdRange {
                    start: self.next_cert_id,
                    end: self
                        .next_cert_id
                        .saturating_add(energy_wh.saturating_sub(1)),
                };
            }
            Change::GecImported { bundle_id, .. } => *bundle_id = BundleId(self.next_bundle_id),
            Change::Split { new_bundle_id, .. } => *new_bundle_id = BundleId(self.next_bundle_id),
            _ => {}
        }
    }
}
