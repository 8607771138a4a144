//! Use cases of the carbon asset registry (allowances, CCER, local and carbon-inclusion
//! credits) and of compliance (履约): the hash-chained event log in the store, the ledger
//! rebuilt from it, the accounts' figure when no verifier's figure is entered.
//!
//! Every write replays the log, plans the operation against that state and appends its
//! events in one transaction that first checks the head is unchanged. A writer that lost
//! the race (the head moved) replays and plans again, so of two surrenders of the same
//! units one lands and the other is refused for what it is: units no longer available.

/// The registry types the adapters show and pass.
pub use zp_assets::{
    AssetError, Balance, Block, BlockId, Catalog as AssetCatalog, ComplianceState,
    ComplianceStatus, EmissionsSource, Inclusion, KindClass, KindInfo, Op, Outcome, Pledge,
    PledgeId, SchemeInfo, Status,
};

use crate::{AppError, Caller, GridFactorMode, InventoryScope};
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use zp_assets::{ChainedEvent, Ledger};
use zp_domain::CreditCode;
use zp_domain::time::Date;
use zp_store::{AssetEventRow, Store, StoreError};

/// How many times a write re-plans after losing a race for the head of the log.
const MAX_ATTEMPTS: usize = 8;

fn to_chained(rows: Vec<AssetEventRow>) -> Vec<ChainedEvent> {
    rows.into_iter()
        .map(|r| ChainedEvent {
            seq: r.seq as u64,
            prev_hash: r.prev_hash,
            payload: r.payload,
            hash: r.hash,
        })
        .collect()
}

/// Rebuilds the ledger from the stored log, verifying the chain and the invariants.
pub fn load(store: &mut dyn Store) -> Result<Ledger, AppError> {
    let events = to_chained(store.asset_events()?);
    Ledger::replay(&events).map_err(|e| AppError::Invalid(e.to_string()))
}

/// A refused operation: the reason for the operator (exit 2 at the CLI).
fn refused(e: AssetError) -> AppError {
    AppError::Invalid(e.to_string())
}

fn visible(store: &mut dyn Store, caller: &Caller, org: &CreditCode) -> Result<(), AppError> {
    match store.org(&caller.access, org)? {
        Some(_) => Ok(()),
        None => Err(AppError::NotFound(format!(
            "no enterprise {org} in the registry (import it with `import orgs`)"
        ))),
    }
}

/// Runs one registry operation (`now` in UTC epoch seconds): checks the enterprises it
/// names are in the caller's scope, then plans and appends it, re-planning if another
/// writer appended first. A refusal appends nothing.
pub fn execute(
    store: &mut dyn Store,
    caller: &Caller,
    op: &Op,
    now: i64,
) -> Result<Outcome, AppError> {
    let orgs: Vec<&CreditCode> = match op {
        Op::Allocate { org, .. }
        | Op::Issue { org, .. }
        | Op::Pledge { org, .. }
        | Op::Surrender { org, .. }
        | Op::Cancel { org, .. }
        | Op::SetVerified { org, .. }
        | Op::Order { org, .. } => vec![org],
        Op::Transfer { from, to, .. } => vec![from, to],
        Op::Release { .. } | Op::SetDeadline { .. } | Op::CancelOrder { .. } => vec![],
    };
    for org in orgs {
        visible(store, caller, org)?;
    }
    if !caller.is_unscoped() && matches!(op, Op::SetDeadline { .. }) {
        return Err(AppError::Invalid(
            "only the registry operator sets a scheme's deadline".into(),
        ));
    }
    let text = op.to_string();
    let mut last = None;
    for _ in 0..MAX_ATTEMPTS {
        let mut ledger = load(store)?;
        if let Op::Release { pledge } = op {
            let owner = ledger
                .pledge(*pledge)
                .ok_or(AssetError::UnknownPledge(*pledge))
                .map_err(refused)?
                .owner
                .clone();
            visible(store, caller, &owner)?;
        }
        if let Op::CancelOrder { order } = op {
            let owner = ledger
                .order(*order)
                .ok_or(AssetError::UnknownOrder(*order))
                .map_err(refused)?
                .org
                .clone();
            visible(store, caller, &owner)?;
        }
        let head = ledger.events() as i64;
        let out = ledger.execute(op, now, &caller.actor).map_err(refused)?;
        let rows: Vec<AssetEventRow> = out
            .entries
            .iter()
            .map(|e| AssetEventRow {
                seq: e.seq as i64,
                prev_hash: e.prev_hash.clone(),
                payload: e.payload.clone(),
                hash: e.hash.clone(),
            })
            .collect();
        match store.append_asset_events(head, &rows, &text, &caller.actor) {
            Ok(()) => return Ok(out),
            Err(StoreError::Conflict(m)) => last = Some(m),
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Store(StoreError::Conflict(format!(
        "{text}: the asset log kept moving ({})",
        last.unwrap_or_default()
    ))))
}

/// Holdings per kind and vintage: of one enterprise, or of every enterprise in scope.
pub fn balances(
    store: &mut dyn Store,
    caller: &Caller,
    org: Option<&CreditCode>,
) -> Result<Vec<Balance>, AppError> {
    if let Some(o) = org {
        visible(store, caller, o)?;
    }
    let ledger = load(store)?;
    let mut rows = ledger.balances(org);
    if org.is_none() && !caller.is_unscoped() {
        let mut keep = Vec::new();
        for r in rows {
            let code = CreditCode::parse(&r.org).map_err(|e| AppError::Invalid(e.to_string()))?;
            if store.org(&caller.access, &code)?.is_some() {
                keep.push(r);
            }
        }
        rows = keep;
    }
    Ok(rows)
}

/// Pledges of the enterprises in scope (open and released).
pub fn pledges(store: &mut dyn Store, caller: &Caller) -> Result<Vec<Pledge>, AppError> {
    let ledger = load(store)?;
    let mut out = Vec::new();
    for p in ledger.pledges() {
        if caller.is_unscoped() || store.org(&caller.access, &p.owner)?.is_some() {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Units created per kind and vintage.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Created {
    pub kind: String,
    pub vintage: i32,
    pub units: u64,
}

/// What `assets verify` found.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LogSummary {
    pub events: u64,
    pub head_hash: String,
    pub blocks: usize,
    pub open_pledges: usize,
    /// Orders resting in the trading venue's books, and trades made.
    pub open_orders: usize,
    pub trades: usize,
    pub created: Vec<Created>,
}

/// Re-walks the chain, replays every event and checks the invariants; fails naming the
/// first bad event.
pub fn verify(store: &mut dyn Store) -> Result<LogSummary, AppError> {
    let ledger = load(store)?;
    Ok(LogSummary {
        events: ledger.events(),
        head_hash: ledger.head_hash(),
        blocks: ledger.blocks().count(),
        open_pledges: ledger.pledges().filter(|p| !p.released).count(),
        open_orders: ledger
            .orders()
            .filter(|o| o.state == OrderState::Open)
            .count(),
        trades: ledger.trades().len(),
        created: ledger
            .issued()
            .iter()
            .map(|((kind, vintage), units)| Created {
                kind: kind.clone(),
                vintage: *vintage,
                units: *units,
            })
            .collect(),
    })
}

/// The compliance position of an enterprise in a scheme and year. Without a verifier's
/// figure the accounts' figure stands in (the scheme's `accounts_scope`, rounded up to
/// whole tonnes), if the enterprise has activity data for the year.
pub fn compliance_status(
    store: &mut dyn Store,
    caller: &Caller,
    scheme: &str,
    org: &CreditCode,
    year: i32,
    today: Date,
) -> Result<ComplianceStatus, AppError> {
    visible(store, caller, org)?;
    let ledger = load(store)?;
    let info = ledger
        .catalog()
        .scheme(scheme)
        .ok_or_else(|| refused(AssetError::UnknownScheme(scheme.into())))?;
    let accounts = match (
        &info.accounts_scope,
        ledger.verified_tco2(scheme, org, year),
    ) {
        (Some(scope), None) if !store.activity(&caller.access, org, year)?.is_empty() => {
            let inv = crate::inventory(
                store,
                &caller.access,
                &InventoryScope::Org(org.clone()),
                year,
                GridFactorMode::default(),
                &caller.actor,
            )?;
            let t = match scope.as_str() {
                "scope1" => inv.scope1_tco2,
                _ => inv.scope1_tco2 + inv.scope2_location_tco2,
            };
            Some(t.ceil().to_u64().unwrap_or_default())
        }
        _ => None,
    };
    ledger
        .compliance(scheme, org, year, accounts, today)
        .map_err(refused)
}

/// The kinds and schemes the registry knows.
pub fn catalog() -> &'static AssetCatalog {
    AssetCatalog::builtin()
}

/// One enterprise's accounts against a scheme's inclusion threshold (纳入标准).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CoverageRow {
    pub org: String,
    pub name: String,
    pub industry: String,
    /// The accounts' emissions in the scheme's `accounts_scope`.
    pub tco2: rust_decimal::Decimal,
    pub energy_tce: rust_decimal::Decimal,
    pub crosses: bool,
    pub reasons: Vec<String>,
}

/// Which enterprises in scope (with activity data for `year`) cross the scheme's inclusion
/// thresholds, from their accounts. Sorted by emissions, largest first.
pub fn coverage(
    store: &mut dyn Store,
    caller: &Caller,
    scheme: &str,
    year: i32,
) -> Result<Vec<CoverageRow>, AppError> {
    let info = catalog()
        .scheme(scheme)
        .ok_or_else(|| refused(AssetError::UnknownScheme(scheme.into())))?;
    let orgs = store.orgs(&caller.access, &crate::OrgFilter::default())?;
    let mut rows = Vec::new();
    for o in orgs {
        if store
            .activity(&caller.access, &o.credit_code, year)?
            .is_empty()
        {
            continue;
        }
        let inv = crate::inventory(
            store,
            &caller.access,
            &InventoryScope::Org(o.credit_code.clone()),
            year,
            GridFactorMode::default(),
            &caller.actor,
        )?;
        let tco2 = match info.accounts_scope.as_deref() {
            Some("scope1+scope2_location") => inv.scope1_tco2 + inv.scope2_location_tco2,
            _ => inv.scope1_tco2,
        };
        let floor = |d: rust_decimal::Decimal| d.floor().to_u64().unwrap_or_default();
        let Inclusion { crosses, reasons } =
            info.inclusion(floor(tco2), floor(inv.energy_tce), &o.industry);
        rows.push(CoverageRow {
            org: o.credit_code.to_string(),
            name: o.name,
            industry: o.industry,
            tco2,
            energy_tce: inv.energy_tce,
            crosses,
            reasons,
        });
    }
    rows.sort_by(|a, b| b.tco2.cmp(&a.tco2).then(a.org.cmp(&b.org)));
    Ok(rows)
}

/// The compliance dashboard of a scheme's year: the position of every enterprise in the
/// caller's scope that takes part in it (allowances of the year held, a verifier's figure
/// entered, or units surrendered for it), by credit code.
pub fn compliance_overview(
    store: &mut dyn Store,
    caller: &Caller,
    scheme: &str,
    year: i32,
    today: Date,
) -> Result<Vec<ComplianceStatus>, AppError> {
    let info = catalog()
        .scheme(scheme)
        .ok_or_else(|| refused(AssetError::UnknownScheme(scheme.into())))?;
    let ledger = load(store)?;
    let mut out = Vec::new();
    for o in store.orgs(&caller.access, &crate::OrgFilter::default())? {
        let org = &o.credit_code;
        let takes_part = ledger.verified_tco2(scheme, org, year).is_some()
            || ledger.surrendered_t(scheme, org, year) != (0, 0)
            || ledger
                .balances(Some(org))
                .iter()
                .any(|b| b.kind == info.allowance_kind && b.vintage == year);
        if takes_part {
            out.push(compliance_status(store, caller, scheme, org, year, today)?);
        }
    }
    out.sort_by(|a, b| a.org.cmp(&b.org));
    Ok(out)
}

/// What the holdings page shows: the balances and the pledges of the enterprises in scope.
#[derive(Debug, Clone, Serialize)]
pub struct Holdings {
    pub balances: Vec<Balance>,
    pub pledges: Vec<Pledge>,
}

/// Holdings and pledges of every enterprise in the caller's scope.
pub fn holdings(store: &mut dyn Store, caller: &Caller) -> Result<Holdings, AppError> {
    Ok(Holdings {
        balances: balances(store, caller, None)?,
        pledges: pledges(store, caller)?,
    })
}

// The regional trading venue (区域碳市场): orders, cancels and trades are events of the
// same asset log, so every write above (replay, plan, append with a head check, re-plan on
// a lost race) applies to them: of two orders crossing the same last units one trades, the
// other rests or is refused on the newer book.

/// The market types the adapters show and pass.
pub use zp_assets::{Book, Daily, Level, Order, OrderId, OrderState, Side, Trade, yuan};

/// What placing an order did: its id, the trades it made at once (fills), what rests.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OrderReport {
    pub order: OrderId,
    pub state: OrderState,
    pub units: u64,
    /// Units still in the book (0 when filled at once).
    pub remaining: u64,
    pub fills: Vec<Trade>,
    pub event_ids: Vec<u64>,
}

/// Places a limit order for `org` (in the caller's scope), matched at once against the
/// book of (kind, vintage); a sell order reserves its units while it rests.
#[allow(clippy::too_many_arguments)]
pub fn market_order(
    store: &mut dyn Store,
    caller: &Caller,
    org: &CreditCode,
    side: Side,
    kind: &str,
    vintage: i32,
    units: u64,
    price_yuan: rust_decimal::Decimal,
    now: i64,
) -> Result<OrderReport, AppError> {
    let op = Op::Order {
        org: org.clone(),
        side,
        kind: kind.to_string(),
        vintage,
        units,
        price_yuan,
    };
    let out = execute(store, caller, &op, now)?;
    let id = out
        .order
        .ok_or_else(|| AppError::Invalid("the order placed no order".into()))?;
    let filled: u64 = out.trades.iter().map(|t| t.units).sum();
    Ok(OrderReport {
        order: id,
        state: if filled == units {
            OrderState::Filled
        } else {
            OrderState::Open
        },
        units,
        remaining: units - filled,
        fills: out.trades,
        event_ids: out.event_ids,
    })
}

/// Cancels an open order of an enterprise in the caller's scope; a sell order's reserved
/// units become available again. Returns the order as it now stands.
pub fn market_cancel(
    store: &mut dyn Store,
    caller: &Caller,
    order: OrderId,
    now: i64,
) -> Result<Order, AppError> {
    execute(store, caller, &Op::CancelOrder { order }, now)?;
    load(store)?
        .order(order)
        .cloned()
        .ok_or_else(|| refused(AssetError::UnknownOrder(order)))
}

fn known_kind(kind: &str) -> Result<(), AppError> {
    match catalog().kind(kind) {
        Some(_) => Ok(()),
        None => Err(refused(AssetError::UnknownKind(kind.into()))),
    }
}

/// The book of (kind, vintage): price levels, best first. Public market data: open to
/// every caller (it names no enterprise).
pub fn market_book(store: &mut dyn Store, kind: &str, vintage: i32) -> Result<Book, AppError> {
    known_kind(kind)?;
    Ok(load(store)?.book(kind, vintage))
}

/// Trades in execution order, optionally of one (kind, vintage); a scoped caller sees the
/// trades of enterprises in its scope.
pub fn market_trades(
    store: &mut dyn Store,
    caller: &Caller,
    book: Option<(&str, i32)>,
) -> Result<Vec<Trade>, AppError> {
    if let Some((kind, _)) = book {
        known_kind(kind)?;
    }
    let ledger = load(store)?;
    let mut out = Vec::new();
    for t in ledger.trades() {
        if book.is_some_and(|(k, v)| t.kind != k || t.vintage != v) {
            continue;
        }
        if caller.is_unscoped()
            || store.org(&caller.access, &t.buyer)?.is_some()
            || store.org(&caller.access, &t.seller)?.is_some()
        {
            out.push(t.clone());
        }
    }
    Ok(out)
}

/// Open, high, low, close and volume of (kind, vintage) per trading day (Asia/Shanghai).
/// Public market data.
pub fn market_daily(
    store: &mut dyn Store,
    kind: &str,
    vintage: i32,
) -> Result<Vec<Daily>, AppError> {
    known_kind(kind)?;
    Ok(load(store)?.daily(kind, vintage))
}

/// The orders of the enterprises in the caller's scope, newest first; with `open_only`,
/// only those still in the book (what the venue page offers to cancel).
pub fn market_orders(
    store: &mut dyn Store,
    caller: &Caller,
    open_only: bool,
) -> Result<Vec<Order>, AppError> {
    let ledger = load(store)?;
    let mut out = Vec::new();
    for o in ledger.orders() {
        if open_only && o.state != OrderState::Open {
            continue;
        }
        if caller.is_unscoped() || store.org(&caller.access, &o.org)?.is_some() {
            out.push(o.clone());
        }
    }
    out.sort_by_key(|o| std::cmp::Reverse(o.id));
    Ok(out)
}

/// The books that have seen an order, as (kind, vintage), in order of kind and vintage
/// (the venue page's choices). Public market data.
pub fn market_books(store: &mut dyn Store) -> Result<Vec<(String, i32)>, AppError> {
    let ledger = load(store)?;
    let books: std::collections::BTreeSet<(String, i32)> = ledger
        .orders()
        .map(|o| (o.kind.clone(), o.vintage))
        .collect();
    Ok(books.into_iter().collect())
}
