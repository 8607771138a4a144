//! Commands: validate a request against the current state and return the drafts to
//! [`Registry::append`]. They do not change the registry.

use crate::error::CertError;
use crate::event::{Actor, Change, Consumption, Draft};
use crate::ids::{BundleId, IdRange};
use crate::state::{Registry, Status, WH_PER_GEC};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::collections::{BTreeMap, BTreeSet};
use zp_domain::{CreditCode, Period, Region};

/// Metadata of a generation meter (发电计量点).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generator {
    pub meter_id: String,
    /// The account that receives the certificates.
    pub owner: CreditCode,
    /// Technology as the registry names it: `solar`, `wind`, `hydro`, `biomass`, ...
    pub technology: String,
    pub region: Region,
    /// Site description (park, address or coordinates).
    pub location: String,
}

/// Metered net generation of one meter in one hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerationRow {
    pub meter_id: String,
    /// Start of the production hour, UTC epoch seconds, aligned to the hour.
    pub hour_start: i64,
    /// Energy in Wh; certificates are issued for the whole Wh (rounded down).
    pub energy_wh: Decimal,
}

/// A block of Chinese green electricity certificates (绿证) from the national registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GecImport {
    /// First and last serial number (one serial per MWh).
    pub serials: IdRange,
    pub energy_mwh: u64,
    pub plant: String,
    pub production_month: Period,
    pub owner: CreditCode,
    pub technology: String,
    pub region: Region,
}

/// Result of planning an issuance: what will be issued and what was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IssuancePlan {
    pub drafts: Vec<Draft>,
    /// (meter, hour) rows already issued earlier: skipped, never issued twice.
    pub already_issued: Vec<(String, i64)>,
    /// Rows below 1 Wh: nothing to issue.
    pub below_one_wh: Vec<(String, i64)>,
}

impl Registry {
    /// Plans issuance: one bundle per (meter, hour) with the energy rounded down to whole
    /// Wh. Rows already issued are skipped (idempotent re-runs); two rows for the same
    /// meter and hour in one batch, unaligned hours, negative energy and meters without
    /// metadata are errors.
    pub fn issue(
        &self,
        rows: &[GenerationRow],
        generators: &[Generator],
        at: i64,
    ) -> Result<IssuancePlan, CertError> {
        let meta: BTreeMap<&str, &Generator> = generators
            .iter()
            .map(|g| (g.meter_id.as_str(), g))
            .collect();
        let mut seen = BTreeSet::new();
        let mut plan = IssuancePlan::default();
        for r in rows {
            let row_err = |why: &str| CertError::IssuanceRow {
                meter_id: r.meter_id.clone(),
                hour_start: r.hour_start,
                why: why.to_string(),
            };
            if r.hour_start.rem_euclid(3600) != 0 {
                return Err(row_err("hour_start is not aligned to the hour"));
            }
            if r.energy_wh.is_sign_negative() && !r.energy_wh.is_zero() {
                return Err(row_err("negative energy"));
            }
            let g = meta
                .get(r.meter_id.as_str())
                .ok_or_else(|| CertError::UnknownMeter(r.meter_id.clone()))?;
            if !seen.insert((r.meter_id.as_str(), r.hour_start)) {
                return Err(row_err("two rows for the same meter and hour"));
            }
            let key = (r.meter_id.clone(), r.hour_start);
            if self.issued.contains_key(&key) {
                plan.already_issued.push(key);
                continue;
            }
            let energy_wh = r
                .energy_wh
                .floor()
                .to_u64()
                .ok_or_else(|| row_err("energy does not fit in u64 Wh"))?;
            if energy_wh == 0 {
                plan.below_one_wh.push(key);
                continue;
            }
            plan.drafts.push(Draft {
                at,
                actor: Actor::Registry,
                change: Change::Issued {
                    bundle_id: BundleId(0),
                    ids: IdRange { start: 0, end: 0 },
                    energy_wh,
                    meter_id: r.meter_id.clone(),
                    production_hour_start: r.hour_start,
                    owner: g.owner.clone(),
                    technology: g.technology.clone(),
                    region: g.region,
                    location: g.location.clone(),
                },
            });
        }
        Ok(plan)
    }

    /// Plans a GEC import. A block already imported with exactly these serials is skipped
    /// (returns no draft); an overlapping one is an error.
    pub fn import_gec(&self, gec: &GecImport, at: i64) -> Result<Option<Draft>, CertError> {
        let err = |why: String| CertError::Gec {
            serials: gec.serials.to_string(),
            why,
        };
        if self.gec_serials.get(&gec.serials.start) == Some(&gec.serials.end) {
            return Ok(None);
        }
        if !gec.serials.is_well_formed() || gec.serials.count() != gec.energy_mwh {
            return Err(err(format!(
                "a GEC is 1 MWh: the serial range must hold {} serials",
                gec.energy_mwh
            )));
        }
        let energy_wh = gec
            .energy_mwh
            .checked_mul(WH_PER_GEC)
            .ok_or_else(|| err("energy overflows".into()))?;
        let draft = Draft {
            at,
            actor: Actor::Registry,
            change: Change::GecImported {
                bundle_id: BundleId(0),
                serials: gec.serials,
                energy_wh,
                plant: gec.plant.clone(),
                production_month: gec.production_month,
                owner: gec.owner.clone(),
                technology: gec.technology.clone(),
                region: gec.region,
            },
        };
        self.dry_run(std::slice::from_ref(&draft))?;
        Ok(Some(draft))
    }

    /// Plans a transfer of the whole bundle (`energy_wh = None`) or of its first
    /// `energy_wh` (split first: the transferred part keeps the bundle id and the lower ids).
    pub fn transfer(
        &self,
        bundle: BundleId,
        to: &CreditCode,
        energy_wh: Option<u64>,
        actor: &Actor,
        at: i64,
    ) -> Result<Vec<Draft>, CertError> {
        let change = Change::Transferred {
            bundle_id: bundle,
            to: to.clone(),
        };
        self.on_part(bundle, energy_wh, actor, at, change)
    }

    /// The drafts of `change` on `bundle`, whole (`energy_wh = None`) or its first
    /// `energy_wh` split off first, checked by a dry run.
    fn on_part(
        &self,
        bundle: BundleId,
        energy_wh: Option<u64>,
        actor: &Actor,
        at: i64,
        change: Change,
    ) -> Result<Vec<Draft>, CertError> {
        let b = self.get(bundle)?;
        let mut drafts = Vec::new();
        if let Some(a) = energy_wh
            && a != b.energy_wh
        {
            drafts.push(split_draft(bundle, a, actor, at));
        }
        drafts.push(Draft {
            at,
            actor: actor.clone(),
            change,
        });
        self.dry_run(&drafts)?;
        Ok(drafts)
    }

    /// Plans a split: `bundle` keeps ids `[s, s+first-1]` (`first_energy_wh`), a new bundle
    /// gets `[s+first, e]`.
    pub fn split(
        &self,
        bundle: BundleId,
        first_energy_wh: u64,
        actor: &Actor,
        at: i64,
    ) -> Result<Vec<Draft>, CertError> {
        let drafts = vec![split_draft(bundle, first_energy_wh, actor, at)];
        self.dry_run(&drafts)?;
        Ok(drafts)
    }

    /// Plans the cancellation (retirement, 注销) of a bundle, whole or its first
    /// `energy_wh`, for a named consumer and consumption interval. Only the owner may
    /// retire; granular certificates only for their own production hour, GECs for a month.
    pub fn retire(
        &self,
        bundle: BundleId,
        energy_wh: Option<u64>,
        consumer: &CreditCode,
        consumption: Consumption,
        actor: &Actor,
        at: i64,
    ) -> Result<Vec<Draft>, CertError> {
        let change = Change::Retired {
            bundle_id: bundle,
            consumer: consumer.clone(),
            consumption,
        };
        self.on_part(bundle, energy_wh, actor, at, change)
    }

    /// Plans a claim of a cancelled bundle by its consumer (or the owner who cancelled it).
    pub fn claim(&self, bundle: BundleId, actor: &Actor, at: i64) -> Result<Vec<Draft>, CertError> {
        let drafts = vec![Draft {
            at,
            actor: actor.clone(),
            change: Change::Claimed { bundle_id: bundle },
        }];
        self.dry_run(&drafts)?;
        Ok(drafts)
    }

    /// Plans a withdrawal of an active bundle by the registry administrator.
    pub fn withdraw(
        &self,
        bundle: BundleId,
        reason: &str,
        actor: &Actor,
        at: i64,
    ) -> Result<Vec<Draft>, CertError> {
        let drafts = vec![Draft {
            at,
            actor: actor.clone(),
            change: Change::Withdrawn {
                bundle_id: bundle,
                reason: reason.to_string(),
            },
        }];
        self.dry_run(&drafts)?;
        Ok(drafts)
    }

    /// Validates drafts that touch at most a split pair, on a copy of the bundles they
    /// touch (cheap: no copy of the whole registry).
    pub(crate) fn dry_run(&self, drafts: &[Draft]) -> Result<(), CertError> {
        let mut scratch = self.scratch(drafts);
        for (i, d) in drafts.iter().enumerate() {
            let mut change = d.change.clone();
            scratch.allocate(&mut change);
            let ev = crate::event::Event {
                v: crate::event::EVENT_FORMAT_VERSION,
                seq: self.next_seq() + i as u64,
                at: d.at,
                actor: d.actor.clone(),
                change,
            };
            scratch.apply_event(&ev)?;
        }
        Ok(())
    }

    /// A registry holding only the bundles named by `drafts`, the counters and the
    /// issuance keys: enough to validate them.
    fn scratch(&self, drafts: &[Draft]) -> Registry {
        let mut s = Registry::new(self.public_key);
        s.next_bundle_id = self.next_bundle_id;
        s.next_cert_id = self.next_cert_id;
        s.issued_wh = self.issued_wh;
        for d in drafts {
            let id = d.change.bundle_id();
            if let Some(b) = self.bundles.get(&id) {
                s.bundles.insert(id, b.clone());
            }
            if let Change::Issued {
                meter_id,
                production_hour_start,
                ..
            } = &d.change
            {
                let key = (meter_id.clone(), *production_hour_start);
                if let Some(b) = self.issued.get(&key) {
                    s.issued.insert(key, *b);
                }
            }
            if matches!(d.change, Change::GecImported { .. }) {
                s.gec_serials = self.gec_serials.clone();
            }
        }
        s
    }

    /// Active bundles owned by `owner`.
    pub fn active_of<'a>(
        &'a self,
        owner: &'a CreditCode,
    ) -> impl Iterator<Item = &'a crate::Bundle> {
        self.bundles
            .values()
            .filter(move |b| b.owner == *owner && b.status == Status::Active)
    }
}

fn split_draft(bundle: BundleId, first_energy_wh: u64, actor: &Actor, at: i64) -> Draft {
    Draft {
        at,
        actor: actor.clone(),
        change: Change::Split {
            bundle_id: bundle,
            first_energy_wh,
            new_bundle_id: BundleId(0),
        },
    }
}
