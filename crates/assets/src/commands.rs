//! Commands: an [`Op`] a caller asks for is planned against the current state (which
//! blocks to take, where to split), then each planned change is applied and validated in
//! turn, the invariants are checked and the events are chained: all or nothing.

use crate::chain::{ChainedEvent, chain_hash};
use crate::error::AssetError;
use crate::event::{BlockId, Change, EVENT_FORMAT_VERSION, Event, OrderId, PledgeId, Side};
use crate::ledger::{Block, Ledger, Status};
use crate::venue::Trade;
use rust_decimal::Decimal;
use serde::Serialize;
use zp_domain::CreditCode;

/// An operation requested by a caller. [`Ledger::execute`] turns it into events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Allocate {
        scheme: String,
        year: i32,
        org: CreditCode,
        units: u64,
    },
    Issue {
        kind: String,
        vintage: i32,
        org: CreditCode,
        units: u64,
        project: Option<String>,
    },
    Transfer {
        kind: String,
        vintage: i32,
        from: CreditCode,
        to: CreditCode,
        units: u64,
    },
    Pledge {
        kind: String,
        vintage: i32,
        org: CreditCode,
        units: u64,
        pledgee: String,
    },
    Release {
        pledge: PledgeId,
    },
    Surrender {
        scheme: String,
        year: i32,
        org: CreditCode,
        kind: String,
        vintage: i32,
        units: u64,
    },
    Cancel {
        kind: String,
        vintage: i32,
        org: CreditCode,
        units: u64,
        claim: String,
    },
    SetVerified {
        scheme: String,
        org: CreditCode,
        year: i32,
        tco2: u64,
    },
    SetDeadline {
        scheme: String,
        year: i32,
        date: String,
    },
    /// A limit order on the trading venue (module `market`): matched at once against
    /// the book of (kind, vintage), the rest rests; a sell order reserves its units.
    Order {
        org: CreditCode,
        side: Side,
        kind: String,
        vintage: i32,
        units: u64,
        /// Yuan per tonne, at most two decimals (whole fen).
        price_yuan: Decimal,
    },
    /// Withdraws an open order; a sell order's reserved units become available again.
    CancelOrder {
        order: OrderId,
    },
}

/// What the operation does, in a line (the audit log's text and the CLI's report).
impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Allocate {
                scheme,
                year,
                org,
                units,
            } => write!(f, "allocate {units} t {scheme} {year} to {org}"),
            Op::Issue {
                kind,
                vintage,
                org,
                units,
                ..
            } => write!(f, "issue {units} t {kind} {vintage} to {org}"),
            Op::Transfer {
                kind,
                vintage,
                from,
                to,
                units,
            } => {
                write!(f, "transfer {units} t {kind} {vintage} from {from} to {to}")
            }
            Op::Pledge {
                kind,
                vintage,
                org,
                units,
                pledgee,
            } => {
                write!(f, "pledge {units} t {kind} {vintage} of {org} to {pledgee}")
            }
            Op::Release { pledge } => write!(f, "release pledge {pledge}"),
            Op::Surrender {
                scheme,
                year,
                org,
                kind,
                vintage,
                units,
            } => {
                write!(
                    f,
                    "surrender {units} t {kind} {vintage} of {org} for {scheme} {year}"
                )
            }
            Op::Cancel {
                kind,
                vintage,
                org,
                units,
                claim,
            } => {
                write!(f, "cancel {units} t {kind} {vintage} of {org} for {claim}")
            }
            Op::SetVerified {
                scheme,
                org,
                year,
                tco2,
            } => {
                write!(
                    f,
                    "verified emissions of {org} in {scheme} {year}: {tco2} tCO2"
                )
            }
            Op::SetDeadline { scheme, year, date } => {
                write!(f, "deadline of {scheme} {year}: {date}")
            }
            Op::Order {
                org,
                side,
                kind,
                vintage,
                units,
                price_yuan,
            } => {
                let side = match side {
                    Side::Buy => "buy",
                    Side::Sell => "sell",
                };
                write!(
                    f,
                    "{side} order of {org}: {units} t {kind} {vintage} at {price_yuan} yuan/t"
                )
            }
            Op::CancelOrder { order } => write!(f, "cancel order {order}"),
        }
    }
}

/// What an operation appended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Outcome {
    /// Ids (sequence numbers) of the events appended, in order.
    pub event_ids: Vec<u64>,
    /// Blocks created, moved, pledged, surrendered or cancelled.
    pub blocks: Vec<BlockId>,
    /// The pledge created by a pledge operation.
    pub pledge: Option<PledgeId>,
    /// The order placed or cancelled by a market operation.
    pub order: Option<OrderId>,
    /// The trades (fills) a market order made, in execution order.
    pub trades: Vec<Trade>,
    /// The entries for the store to persist, in one transaction.
    #[serde(skip)]
    pub entries: Vec<ChainedEvent>,
}

/// The changes an operation makes, the blocks it concerns and the pledge it creates or
/// releases.
pub(crate) type Plan = (Vec<Change>, Vec<BlockId>, Option<PledgeId>);

impl Op {
    /// What the operation takes from an account: (account, kind, vintage, units); `None`
    /// for operations that create units or move none.
    fn debit(&self) -> Option<(&CreditCode, &str, i32, u64)> {
        match self {
            Op::Transfer {
                from: org,
                kind,
                vintage,
                units,
                ..
            }
            | Op::Pledge {
                org,
                kind,
                vintage,
                units,
                ..
            }
            | Op::Surrender {
                org,
                kind,
                vintage,
                units,
                ..
            }
            | Op::Cancel {
                org,
                kind,
                vintage,
                units,
                ..
            }
            | Op::Order {
                org,
                side: Side::Sell,
                kind,
                vintage,
                units,
                ..
            } => Some((org, kind.as_str(), *vintage, *units)),
            _ => None,
        }
    }
}

impl Ledger {
    pub(crate) fn next_block(&self) -> BlockId {
        self.blocks.keys().next_back().map_or(1, |k| k + 1)
    }

    /// Picks the units `op` takes (its [`Op::debit`]) from the owner's available (kind,
    /// vintage) in serial order, splitting the last block if needed; returns the changes
    /// (splits) and the chosen blocks.
    pub(crate) fn take(
        &self,
        op: &Op,
        next_block: &mut BlockId,
    ) -> Result<(Vec<Change>, Vec<BlockId>), AssetError> {
        let Some((org, kind, vintage, units)) = op.debit() else {
            return Err(AssetError::NotAllowed(format!("{op} takes no units")));
        };
        if units == 0 {
            return Err(AssetError::ZeroUnits);
        }
        self.kind_class(kind)?;
        let mut mine: Vec<&Block> = self
            .blocks
            .values()
            .filter(|b| b.owner == *org && b.kind == kind && b.vintage == vintage)
            .collect();
        mine.sort_by_key(|b| b.first_serial);
        let available: u64 = mine
            .iter()
            .filter(|b| b.status == Status::Available)
            .map(|b| b.units)
            .sum();
        if available < units {
            let held = |reserved: bool| {
                mine.iter()
                    .filter(|b| match b.status {
                        Status::Pledged { .. } => !reserved,
                        Status::Reserved { .. } => reserved,
                        _ => false,
                    })
                    .map(|b| b.units)
                    .sum()
            };
            let (pledged, reserved) = (held(false), held(true));
            return Err(AssetError::Insufficient {
                org: org.to_string(),
                kind: kind.into(),
                vintage,
                wanted: units,
                available,
                pledged,
                reserved,
            });
        }
        let mut changes = Vec::new();
        let mut chosen = Vec::new();
        let mut left = units;
        for b in mine.into_iter().filter(|b| b.status == Status::Available) {
            if left == 0 {
                break;
            }
            if b.units > left {
                changes.push(Change::Split {
                    block: b.id,
                    first_units: left,
                    new_block: *next_block,
                });
                *next_block += 1;
            }
            chosen.push(b.id);
            left -= left.min(b.units);
        }
        Ok((changes, chosen))
    }

    fn plan(&self, op: &Op, at: i64) -> Result<Plan, AssetError> {
        let mut next = self.next_block();
        let create_serial = |kind: &str, vintage: i32| {
            self.issued
                .get(&(kind.to_string(), vintage))
                .copied()
                .unwrap_or_default()
                + 1
        };
        Ok(match op {
            Op::Allocate {
                scheme,
                year,
                org,
                units,
            } => {
                let s = self.catalog.known_scheme(scheme)?;
                let c = Change::Allocated {
                    block: next,
                    scheme: scheme.clone(),
                    year: *year,
                    kind: s.allowance_kind.clone(),
                    vintage: *year,
                    owner: org.clone(),
                    first_serial: create_serial(&s.allowance_kind, *year),
                    units: *units,
                };
                (vec![c], vec![next], None)
            }
            Op::Issue {
                kind,
                vintage,
                org,
                units,
                project,
            } => {
                let c = Change::Issued {
                    block: next,
                    kind: kind.clone(),
                    vintage: *vintage,
                    owner: org.clone(),
                    first_serial: create_serial(kind, *vintage),
                    units: *units,
                    project: project.clone(),
                };
                (vec![c], vec![next], None)
            }
            Op::Transfer { from, to, .. } => {
                if from == to {
                    return Err(AssetError::NotAllowed(format!(
                        "a transfer needs two accounts: --from and --to are both {from}"
                    )));
                }
                let (mut changes, chosen) = self.take(op, &mut next)?;
                changes.extend(chosen.iter().map(|b| Change::Transferred {
                    block: *b,
                    to: to.clone(),
                }));
                (changes, chosen, None)
            }
            Op::Pledge { pledgee, .. } => {
                let (mut changes, chosen) = self.take(op, &mut next)?;
                let pledge = self.pledges.keys().next_back().map_or(1, |k| k + 1);
                changes.push(Change::Pledged {
                    pledge,
                    blocks: chosen.clone(),
                    pledgee: pledgee.clone(),
                });
                (changes, chosen, Some(pledge))
            }
            Op::Release { pledge } => {
                let p = self
                    .pledges
                    .get(pledge)
                    .ok_or(AssetError::UnknownPledge(*pledge))?;
                (
                    vec![Change::Released { pledge: *pledge }],
                    p.blocks.clone(),
                    Some(*pledge),
                )
            }
            Op::Surrender {
                scheme,
                year,
                org,
                kind,
                units,
                ..
            } => {
                // Refuse up front with the whole amount (the cap), before any split.
                self.surrender_check(scheme, *year, org, kind, *units)?;
                let (mut changes, chosen) = self.take(op, &mut next)?;
                changes.extend(chosen.iter().map(|b| Change::Surrendered {
                    block: *b,
                    scheme: scheme.clone(),
                    year: *year,
                }));
                (changes, chosen, None)
            }
            Op::Cancel { claim, .. } => {
                let (mut changes, chosen) = self.take(op, &mut next)?;
                changes.extend(chosen.iter().map(|b| Change::Cancelled {
                    block: *b,
                    claim: claim.clone(),
                }));
                (changes, chosen, None)
            }
            Op::SetVerified {
                scheme,
                org,
                year,
                tco2,
            } => (
                vec![Change::VerifiedSet {
                    scheme: scheme.clone(),
                    org: org.clone(),
                    year: *year,
                    tco2: *tco2,
                }],
                vec![],
                None,
            ),
            Op::SetDeadline { scheme, year, date } => (
                vec![Change::DeadlineSet {
                    scheme: scheme.clone(),
                    year: *year,
                    date: date.clone(),
                }],
                vec![],
                None,
            ),
            Op::Order { .. } | Op::CancelOrder { .. } => self.plan_market(op, at)?,
        })
    }

    /// Plans `op` against the current state, applies its events one by one (each validated
    /// against the state at that moment), checks the invariants and chains the events.
    /// All or nothing: on a refusal the ledger is as before.
    pub fn execute(&mut self, op: &Op, at: i64, actor: &str) -> Result<Outcome, AssetError> {
        let (changes, blocks, pledge) = self.plan(op, at)?;
        let order = changes.iter().find_map(|c| match c {
            Change::OrderPlaced { order, .. } | Change::OrderCancelled { order } => Some(*order),
            _ => None,
        });
        let trades_before = self.trades.len();
        let before = self.clone();
        let mut entries = Vec::with_capacity(changes.len());
        for change in changes {
            if let Err(e) = self.apply(&change, at) {
                *self = before;
                return Err(e);
            }
            let event = Event {
                v: EVENT_FORMAT_VERSION,
                seq: self.seq + 1,
                at,
                actor: actor.to_string(),
                change,
            };
            let payload = event.canonical_json();
            let hash = chain_hash(&self.head_hash, &payload);
            entries.push(ChainedEvent {
                seq: event.seq,
                prev_hash: hex::encode(self.head_hash),
                payload,
                hash: hex::encode(hash),
            });
            self.seq = event.seq;
            self.head_hash = hash;
        }
        if let Err(e) = self.check_invariants() {
            // A bug, not a refusal: never persist a ledger that breaks its invariants.
            *self = before;
            panic!("asset ledger invariant broken by {op:?}: {e}");
        }
        Ok(Outcome {
            event_ids: entries.iter().map(|e| e.seq).collect(),
            blocks,
            pledge,
            order,
            trades: self.trades[trades_before..].to_vec(),
            entries,
        })
    }
}
