//! The ledger state: blocks of serials, pledges, verified emissions; rebuilt by replaying
//! the log, changed only by applying events (operations live in `commands`), checked after
//! every operation.

use crate::catalog::{Catalog, KindClass};
use crate::chain::{ChainedEvent, GENESIS_HASH, chain_hash, decode32};
use crate::error::{AssetError, OffsetCapExceeded, VerifyError};
use crate::event::{BlockId, Change, Event, OrderId, PledgeId};
use crate::venue::{Order, Trade};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use zp_domain::CreditCode;

/// Where a block stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    Available,
    Pledged {
        pledge: PledgeId,
    },
    /// Held by a resting sell order on the trading venue: cannot move, be pledged,
    /// surrendered or cancelled except by a trade of that order.
    Reserved {
        order: OrderId,
    },
    Surrendered {
        scheme: String,
        year: i32,
    },
    Cancelled {
        claim: String,
    },
}

/// Consecutive serials of one kind and vintage held by one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Block {
    pub id: BlockId,
    pub kind: String,
    pub vintage: i32,
    pub owner: CreditCode,
    pub first_serial: u64,
    pub units: u64,
    pub status: Status,
    pub project: Option<String>,
}

impl Block {
    /// A new block of `units` serials from `first_serial`, available to its owner.
    fn available(
        id: BlockId,
        kind: &str,
        vintage: i32,
        owner: &CreditCode,
        (first_serial, units): (u64, u64),
        project: Option<String>,
    ) -> Block {
        Block {
            id,
            kind: kind.to_string(),
            vintage,
            owner: owner.clone(),
            first_serial,
            units,
            status: Status::Available,
            project,
        }
    }

    /// `CCER-2023-000001..003000`.
    pub fn serials(&self) -> String {
        format!(
            "{}-{}-{:06}..{:06}",
            self.kind.to_uppercase(),
            self.vintage,
            self.first_serial,
            self.first_serial + self.units - 1
        )
    }
}

/// A pledge of blocks to a pledgee (e.g. a bank securing a green loan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Pledge {
    pub id: PledgeId,
    pub owner: CreditCode,
    pub pledgee: String,
    pub kind: String,
    pub vintage: i32,
    pub units: u64,
    pub blocks: Vec<BlockId>,
    pub released: bool,
}

/// One account's holding of one kind and vintage, in tonnes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Balance {
    pub org: String,
    pub kind: String,
    pub vintage: i32,
    pub available: u64,
    pub pledged: u64,
    /// Held by resting sell orders on the trading venue.
    pub reserved: u64,
    pub surrendered: u64,
    pub cancelled: u64,
}

type Key = (String, CreditCode, i32);

/// The registry state. Build it with [`Ledger::replay`]; change it with [`Ledger::execute`].
#[derive(Debug, Clone)]
pub struct Ledger {
    pub(crate) catalog: &'static Catalog,
    pub(crate) blocks: BTreeMap<BlockId, Block>,
    pub(crate) pledges: BTreeMap<PledgeId, Pledge>,
    /// Units created per (kind, vintage); the next serial is this plus one.
    pub(crate) issued: BTreeMap<(String, i32), u64>,
    pub(crate) verified: BTreeMap<Key, u64>,
    pub(crate) deadlines: BTreeMap<(String, i32), String>,
    /// (allowances, offsets) surrendered per (scheme, org, year).
    pub(crate) surrendered: BTreeMap<Key, (u64, u64)>,
    /// Orders of the trading venue, open and closed.
    pub(crate) orders: BTreeMap<OrderId, Order>,
    /// The ids of the open orders (the books), so matching scans only what rests.
    pub(crate) open_orders: BTreeSet<OrderId>,
    /// Trades in execution order.
    pub(crate) trades: Vec<Trade>,
    pub(crate) seq: u64,
    pub(crate) head_hash: [u8; 32],
}

impl Default for Ledger {
    fn default() -> Self {
        Ledger::new()
    }
}

impl Ledger {
    /// An empty ledger over the built-in catalog.
    pub fn new() -> Ledger {
        Ledger {
            catalog: Catalog::builtin(),
            blocks: BTreeMap::new(),
            pledges: BTreeMap::new(),
            issued: BTreeMap::new(),
            verified: BTreeMap::new(),
            deadlines: BTreeMap::new(),
            surrendered: BTreeMap::new(),
            orders: BTreeMap::new(),
            open_orders: BTreeSet::new(),
            trades: Vec::new(),
            seq: 0,
            head_hash: GENESIS_HASH,
        }
    }

    /// Rebuilds the ledger from its stored log, verifying sequence, chain and canonical
    /// payload of every entry, replaying it, and checking the invariants at the end.
    pub fn replay(entries: &[ChainedEvent]) -> Result<Ledger, VerifyError> {
        let mut l = Ledger::new();
        for e in entries {
            l.apply_chained(e)?;
        }
        l.check_invariants()
            .map_err(|reason| VerifyError { seq: l.seq, reason })?;
        Ok(l)
    }

    fn apply_chained(&mut self, e: &ChainedEvent) -> Result<(), VerifyError> {
        let fail = |reason: String| VerifyError { seq: e.seq, reason };
        if e.seq != self.seq + 1 {
            return Err(fail(format!("expected event {}", self.seq + 1)));
        }
        if decode32(&e.prev_hash) != Some(self.head_hash) {
            return Err(fail("prev_hash does not match the previous event".into()));
        }
        let hash = chain_hash(&self.head_hash, &e.payload);
        if decode32(&e.hash) != Some(hash) {
            return Err(fail("hash does not match the payload".into()));
        }
        let event: Event =
            serde_json::from_str(&e.payload).map_err(|x| fail(format!("payload: {x}")))?;
        if event.canonical_json() != e.payload {
            return Err(fail("payload is not canonical".into()));
        }
        if event.seq != e.seq {
            return Err(fail(format!("payload says event {}", event.seq)));
        }
        self.apply(&event.change, event.at)
            .map_err(|x| fail(x.to_string()))?;
        self.seq = e.seq;
        self.head_hash = hash;
        Ok(())
    }

    /// Number of events in the log.
    pub fn events(&self) -> u64 {
        self.seq
    }

    /// Hex of the last event's hash.
    pub fn head_hash(&self) -> String {
        hex::encode(self.head_hash)
    }

    pub fn catalog(&self) -> &'static Catalog {
        self.catalog
    }

    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.blocks.values()
    }

    pub fn pledges(&self) -> impl Iterator<Item = &Pledge> {
        self.pledges.values()
    }

    pub fn pledge(&self, id: PledgeId) -> Option<&Pledge> {
        self.pledges.get(&id)
    }

    /// Units created per (kind, vintage).
    pub fn issued(&self) -> &BTreeMap<(String, i32), u64> {
        &self.issued
    }

    pub fn verified_tco2(&self, scheme: &str, org: &CreditCode, year: i32) -> Option<u64> {
        self.verified
            .get(&(scheme.to_string(), org.clone(), year))
            .copied()
    }

    pub fn deadline(&self, scheme: &str, year: i32) -> Option<&str> {
        self.deadlines
            .get(&(scheme.to_string(), year))
            .map(String::as_str)
    }

    /// (allowances, offsets) surrendered in tonnes.
    pub fn surrendered_t(&self, scheme: &str, org: &CreditCode, year: i32) -> (u64, u64) {
        self.surrendered
            .get(&(scheme.to_string(), org.clone(), year))
            .copied()
            .unwrap_or_default()
    }

    /// Balances per (org, kind, vintage), optionally of one org, sorted.
    pub fn balances(&self, org: Option<&CreditCode>) -> Vec<Balance> {
        let mut m: BTreeMap<(String, String, i32), Balance> = BTreeMap::new();
        for b in self.blocks.values() {
            if org.is_some_and(|o| *o != b.owner) {
                continue;
            }
            let e = m
                .entry((b.owner.to_string(), b.kind.clone(), b.vintage))
                .or_insert_with(|| Balance {
                    org: b.owner.to_string(),
                    kind: b.kind.clone(),
                    vintage: b.vintage,
                    ..Balance::default()
                });
            match b.status {
                Status::Available => e.available += b.units,
                Status::Pledged { .. } => e.pledged += b.units,
                Status::Reserved { .. } => e.reserved += b.units,
                Status::Surrendered { .. } => e.surrendered += b.units,
                Status::Cancelled { .. } => e.cancelled += b.units,
            }
        }
        m.into_values().collect()
    }

    pub(crate) fn kind_class(&self, kind: &str) -> Result<KindClass, AssetError> {
        self.catalog
            .kind(kind)
            .map(|k| k.class)
            .ok_or_else(|| AssetError::UnknownKind(kind.into()))
    }

    pub(crate) fn block_mut(&mut self, id: BlockId) -> Result<&mut Block, AssetError> {
        self.blocks
            .get_mut(&id)
            .ok_or_else(|| AssetError::NotAllowed(format!("no block {id}")))
    }

    pub(crate) fn available_block(&mut self, id: BlockId) -> Result<&mut Block, AssetError> {
        let b = self.block_mut(id)?;
        if b.status != Status::Available {
            return Err(AssetError::NotAllowed(format!(
                "block {id} ({}) is not available: {:?}",
                b.serials(),
                b.status
            )));
        }
        Ok(b)
    }

    fn create(&mut self, new: Block) -> Result<(), AssetError> {
        let Block {
            id: block,
            ref kind,
            vintage,
            first_serial,
            units,
            ..
        } = new;
        self.kind_class(kind)?;
        if units == 0 {
            return Err(AssetError::ZeroUnits);
        }
        if self.blocks.contains_key(&block) {
            return Err(AssetError::NotAllowed(format!("block {block} exists")));
        }
        let issued = self.issued.entry((kind.to_string(), vintage)).or_default();
        if first_serial != *issued + 1 {
            return Err(AssetError::NotAllowed(format!(
                "{kind} {vintage}: first serial {first_serial}, expected {}",
                *issued + 1
            )));
        }
        *issued = issued
            .checked_add(units)
            .ok_or_else(|| AssetError::NotAllowed("too many units".into()))?;
        self.blocks.insert(block, new);
        Ok(())
    }

    /// Validates one change (recorded at `at`, UTC epoch seconds) against the current state
    /// and applies it. All or nothing.
    pub(crate) fn apply(&mut self, change: &Change, at: i64) -> Result<(), AssetError> {
        match change {
            Change::Allocated {
                block,
                scheme,
                year,
                kind,
                vintage,
                owner,
                first_serial,
                units,
            } => {
                let s = self.catalog.known_scheme(scheme)?;
                if s.allowance_kind != *kind || vintage != year {
                    return Err(AssetError::NotAllowed(format!(
                        "{scheme} allocates {} of vintage {year}, not {kind} {vintage}",
                        s.allowance_kind
                    )));
                }
                let serials = (*first_serial, *units);
                self.create(Block::available(
                    *block, kind, *vintage, owner, serials, None,
                ))
            }
            Change::Issued {
                block,
                kind,
                vintage,
                owner,
                first_serial,
                units,
                project,
            } => {
                if self.kind_class(kind)? == KindClass::Allowance {
                    return Err(AssetError::NotAllowed(format!(
                        "{kind} is an allowance: allocate it under its scheme, do not issue it"
                    )));
                }
                let serials = (*first_serial, *units);
                self.create(Block::available(
                    *block,
                    kind,
                    *vintage,
                    owner,
                    serials,
                    project.clone(),
                ))
            }
            Change::Split {
                block,
                first_units,
                new_block,
            } => {
                if self.blocks.contains_key(new_block) {
                    return Err(AssetError::NotAllowed(format!("block {new_block} exists")));
                }
                // A resting sell order's reserved block splits too, when a trade takes
                // part of it; both halves stay reserved by the order.
                let b = self.block_mut(*block)?;
                if !matches!(b.status, Status::Available | Status::Reserved { .. }) {
                    return Err(AssetError::NotAllowed(format!(
                        "block {block} ({}) cannot be split: {:?}",
                        b.serials(),
                        b.status
                    )));
                }
                if *first_units == 0 || *first_units >= b.units {
                    return Err(AssetError::NotAllowed(format!(
                        "cannot split {} units of block {block} at {first_units}",
                        b.units
                    )));
                }
                let mut rest = b.clone();
                b.units = *first_units;
                rest.id = *new_block;
                rest.first_serial += first_units;
                rest.units -= first_units;
                self.blocks.insert(*new_block, rest);
                Ok(())
            }
            Change::Transferred { block, to } => {
                let b = self.available_block(*block)?;
                if b.owner == *to {
                    return Err(AssetError::NotAllowed(format!(
                        "block {block} already belongs to {to}"
                    )));
                }
                b.owner = to.clone();
                Ok(())
            }
            Change::Pledged {
                pledge,
                blocks,
                pledgee,
            } => {
                if self.pledges.contains_key(pledge) {
                    return Err(AssetError::NotAllowed(format!("pledge {pledge} exists")));
                }
                if blocks.is_empty() || pledgee.trim().is_empty() {
                    return Err(AssetError::NotAllowed(
                        "a pledge needs blocks and a pledgee".into(),
                    ));
                }
                let first = self.available_block(blocks[0])?.clone();
                let mut units = 0u64;
                for id in blocks {
                    let b = self.available_block(*id)?;
                    if b.owner != first.owner || b.kind != first.kind || b.vintage != first.vintage
                    {
                        return Err(AssetError::NotAllowed(
                            "a pledge covers one owner's units of one kind and vintage".into(),
                        ));
                    }
                    units += b.units;
                    b.status = Status::Pledged { pledge: *pledge };
                }
                self.pledges.insert(
                    *pledge,
                    Pledge {
                        id: *pledge,
                        owner: first.owner,
                        pledgee: pledgee.clone(),
                        kind: first.kind,
                        vintage: first.vintage,
                        units,
                        blocks: blocks.clone(),
                        released: false,
                    },
                );
                Ok(())
            }
            Change::Released { pledge } => {
                let p = self
                    .pledges
                    .get_mut(pledge)
                    .ok_or(AssetError::UnknownPledge(*pledge))?;
                if p.released {
                    return Err(AssetError::Released(*pledge));
                }
                p.released = true;
                for id in p.blocks.clone() {
                    let b = self.block_mut(id)?;
                    if b.status != (Status::Pledged { pledge: *pledge }) {
                        return Err(AssetError::NotAllowed(format!(
                            "block {id} is not held by pledge {pledge}"
                        )));
                    }
                    b.status = Status::Available;
                }
                Ok(())
            }
            Change::Surrendered {
                block,
                scheme,
                year,
            } => {
                let b = self
                    .blocks
                    .get(block)
                    .ok_or_else(|| AssetError::NotAllowed(format!("no block {block}")))?
                    .clone();
                let offset = self.surrender_check(scheme, *year, &b.owner, &b.kind, b.units)?;
                self.available_block(*block)?.status = Status::Surrendered {
                    scheme: scheme.clone(),
                    year: *year,
                };
                let t = self
                    .surrendered
                    .entry((scheme.clone(), b.owner, *year))
                    .or_default();
                if offset {
                    t.1 += b.units;
                } else {
                    t.0 += b.units;
                }
                Ok(())
            }
            Change::Cancelled { block, claim } => {
                if claim.trim().is_empty() {
                    return Err(AssetError::NotAllowed(
                        "a cancellation names its claim (who is neutral for what)".into(),
                    ));
                }
                self.available_block(*block)?.status = Status::Cancelled {
                    claim: claim.clone(),
                };
                Ok(())
            }
            Change::VerifiedSet {
                scheme,
                org,
                year,
                tco2,
            } => {
                self.catalog.known_scheme(scheme)?;
                let (a, o) = self.surrendered_t(scheme, org, *year);
                if let Some(cap) = self
                    .catalog
                    .scheme(scheme)
                    .and_then(|s| s.offset_cap_t(*tco2))
                    && o > cap
                {
                    return Err(AssetError::NotAllowed(format!(
                        "{org} has already surrendered {o} t of offsets for {scheme} {year}; a verified figure of {tco2} tCO2 would put them over the offset cap of {cap} t (allowances surrendered: {a} t)"
                    )));
                }
                self.verified
                    .insert((scheme.clone(), org.clone(), *year), *tco2);
                Ok(())
            }
            Change::DeadlineSet { scheme, year, date } => {
                self.catalog.known_scheme(scheme)?;
                date.parse::<zp_domain::time::Date>().map_err(|e| {
                    AssetError::NotAllowed(format!("deadline {date:?} is not YYYY-MM-DD: {e}"))
                })?;
                self.deadlines.insert((scheme.clone(), *year), date.clone());
                Ok(())
            }
            Change::OrderPlaced { .. } => self.apply_order_placed(change, at),
            Change::Traded { .. } => self.apply_traded(change, at),
            Change::OrderCancelled { order } => self.apply_order_cancelled(*order),
        }
    }

    /// Whether `units` of `kind` held by `org` may be surrendered in `scheme` for `year`;
    /// `Ok(true)` for an offset, `Ok(false)` for an allowance.
    pub(crate) fn surrender_check(
        &self,
        scheme: &str,
        year: i32,
        org: &CreditCode,
        kind: &str,
        units: u64,
    ) -> Result<bool, AssetError> {
        let s = self.catalog.known_scheme(scheme)?;
        self.kind_class(kind)?;
        if s.allowance_kind == kind {
            return Ok(false);
        }
        if !s.offset_kinds.iter().any(|k| k == kind) {
            return Err(AssetError::NotAllowed(format!(
                "{kind} cannot be surrendered in {scheme} (it accepts {} and the offsets {})",
                s.allowance_kind,
                s.offset_kinds.join(", ")
            )));
        }
        let Some(percent) = s.offset_cap_percent else {
            return Err(AssetError::NotAllowed(format!(
                "{scheme} has no sourced offset cap in the scheme data, so offsets are not accepted ({})",
                s.offset_cap_source
            )));
        };
        let Some(verified_tco2) = self.verified_tco2(scheme, org, year) else {
            return Err(AssetError::NotAllowed(format!(
                "no verified emissions for {org} in {scheme} {year}: the offset cap is {percent} % of them; enter them with `compliance set-verified` first"
            )));
        };
        let cap = s.offset_cap_t(verified_tco2).unwrap_or_default();
        let (_, done) = self.surrendered_t(scheme, org, year);
        let would_be = done + units;
        if would_be > cap {
            return Err(AssetError::OffsetCap(Box::new(OffsetCapExceeded {
                org: org.to_string(),
                scheme: scheme.into(),
                year,
                kind: kind.into(),
                units,
                would_be,
                cap,
                room: cap.saturating_sub(done),
                percent,
                verified_tco2,
                cap_source: s.offset_cap_source.clone(),
            })));
        }
        Ok(true)
    }

    /// Checks the whole ledger: units conserved per (kind, vintage) (the blocks' serials
    /// exactly tile `1..=issued`), no empty block, pledges and pledged blocks agree,
    /// surrendered totals agree with the blocks.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut by_kv: BTreeMap<(&str, i32), Vec<&Block>> = BTreeMap::new();
        for b in self.blocks.values() {
            if b.units == 0 {
                return Err(format!("block {} is empty", b.id));
            }
            by_kv.entry((&b.kind, b.vintage)).or_default().push(b);
        }
        for ((kind, vintage), issued) in &self.issued {
            let mut blocks = by_kv.remove(&(kind.as_str(), *vintage)).unwrap_or_default();
            blocks.sort_by_key(|b| b.first_serial);
            let mut next = 1;
            for b in &blocks {
                if b.first_serial != next {
                    return Err(format!(
                        "{kind} {vintage}: block {} starts at serial {}, expected {next}",
                        b.id, b.first_serial
                    ));
                }
                next += b.units;
            }
            if next - 1 != *issued {
                return Err(format!(
                    "{kind} {vintage}: blocks hold {} units, {issued} were created",
                    next - 1
                ));
            }
        }
        if let Some(((kind, vintage), _)) = by_kv.into_iter().next() {
            return Err(format!("{kind} {vintage}: blocks without an issuance"));
        }
        for b in self.blocks.values() {
            if let Status::Pledged { pledge } = b.status {
                let ok = self
                    .pledges
                    .get(&pledge)
                    .is_some_and(|p| !p.released && p.owner == b.owner && p.blocks.contains(&b.id));
                if !ok {
                    return Err(format!(
                        "block {} is pledged to {pledge} inconsistently",
                        b.id
                    ));
                }
            }
        }
        for p in self.pledges.values() {
            let held: u64 = p
                .blocks
                .iter()
                .filter_map(|id| self.blocks.get(id))
                .filter(|b| !p.released && b.status == (Status::Pledged { pledge: p.id }))
                .map(|b| b.units)
                .sum();
            if !p.released && held != p.units {
                return Err(format!(
                    "pledge {} holds {held} of its {} units",
                    p.id, p.units
                ));
            }
        }
        let mut surrendered: BTreeMap<Key, (u64, u64)> = BTreeMap::new();
        for b in self.blocks.values() {
            if let Status::Surrendered { scheme, year } = &b.status {
                let allowance = self
                    .catalog
                    .scheme(scheme)
                    .is_some_and(|s| s.allowance_kind == b.kind);
                let t = surrendered
                    .entry((scheme.clone(), b.owner.clone(), *year))
                    .or_default();
                if allowance {
                    t.0 += b.units;
                } else {
                    t.1 += b.units;
                }
            }
        }
        if surrendered != self.surrendered {
            return Err("surrendered totals disagree with the blocks".into());
        }
        self.check_market()
    }
}
