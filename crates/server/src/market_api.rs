//! The API of the regional trading venue (区域碳市场): a route for every `zeropark market`
//! command, with the same JSON as its `--json` (the area, its operations and its page are
//! in `market_page.rs`).
//!
//! Scope is the use case's (`zp_app::assets`): an order names an enterprise that must be
//! in the caller's scope (404 otherwise), a cancel an order of such an enterprise; trades
//! and orders list only those of enterprises in scope. The book and the daily prices are
//! public market data. Account holders (enterprise users, park administrators, the
//! platform admin) place and cancel; every write appends to the hash-chained log and the
//! audit log with the signed-in user.

use crate::auth::CurrentUser;
use crate::extract::{Json, Query, empty_as_none, need, need_code as code, need_text as text};
use crate::{AppError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use rust_decimal::Decimal;
use serde::Deserialize;
use zp_app::assets::{self as uc, Book, Daily, Order, OrderReport, Side, Trade};

use super::HOLDERS;

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A limit order; the names are the CLI's flags. Numbers may come as JSON numbers or as
/// text (forms).
#[derive(Deserialize, Default, Debug, schemars::JsonSchema)]
pub(crate) struct OrderBody {
    /// Credit code of the enterprise whose account trades.
    pub org: Option<String>,
    /// `buy` or `sell`.
    pub side: Option<String>,
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub vintage: Option<i32>,
    /// Whole tonnes.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub units: Option<u64>,
    /// Limit price, yuan per tonne, at most two decimals.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub price_yuan: Option<Decimal>,
}

/// The order to withdraw.
#[derive(Deserialize, Default, Debug, schemars::JsonSchema)]
pub(crate) struct CancelBody {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub order: Option<u64>,
}

fn side(s: &Option<String>) -> Result<Side, AppError> {
    match text("side", s)?.as_str() {
        "buy" => Ok(Side::Buy),
        "sell" => Ok(Side::Sell),
        other => Err(AppError::BadRequest(format!(
            "side {other:?}: expected buy or sell"
        ))),
    }
}

/// Places an order as `who` (role checked; scope and the venue's rules are the use case's).
pub(super) async fn place(
    st: &AppState,
    who: CurrentUser,
    b: OrderBody,
) -> Result<OrderReport, AppError> {
    who.require_write()?;
    who.require_role(HOLDERS)?;
    let org = code("org", &b.org)?;
    let side = side(&b.side)?;
    let kind = text("kind", &b.kind)?;
    let vintage = need("vintage", b.vintage)?;
    let units = need("units", b.units)?;
    let price = need("price_yuan", b.price_yuan)?;
    let c = who.caller();
    st.run(move |s| {
        Ok(uc::market_order(
            s,
            &c,
            &org,
            side,
            &kind,
            vintage,
            units,
            price,
            now(),
        )?)
    })
    .await
}

/// Cancels an order as `who`.
pub(super) async fn withdraw(
    st: &AppState,
    who: CurrentUser,
    b: CancelBody,
) -> Result<Order, AppError> {
    who.require_write()?;
    who.require_role(HOLDERS)?;
    let order = need("order", b.order)?;
    let c = who.caller();
    st.run(move |s| Ok(uc::market_cancel(s, &c, order, now())?))
        .await
}

pub(super) async fn order(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<OrderBody>,
) -> Result<(StatusCode, Json<OrderReport>), AppError> {
    Ok((StatusCode::CREATED, Json(place(&st, who, b).await?)))
}

pub(super) async fn cancel(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<CancelBody>,
) -> Result<Json<Order>, AppError> {
    Ok(Json(withdraw(&st, who, b).await?))
}

#[derive(Deserialize)]
pub(super) struct BookQuery {
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub vintage: Option<i32>,
}

pub(super) async fn book(
    State(st): State<AppState>,
    _who: CurrentUser,
    Query(q): Query<BookQuery>,
) -> Result<Json<Book>, AppError> {
    let kind = text("kind", &q.kind)?;
    let vintage = need("vintage", q.vintage)?;
    Ok(Json(
        st.run(move |s| Ok(uc::market_book(s, &kind, vintage)?))
            .await?,
    ))
}

pub(super) async fn trades(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<BookQuery>,
) -> Result<Json<Vec<Trade>>, AppError> {
    let book = match (&q.kind, q.vintage) {
        (None, None) => None,
        (Some(_), Some(v)) => Some((text("kind", &q.kind)?, v)),
        _ => {
            return Err(AppError::BadRequest("kind and vintage go together".into()));
        }
    };
    let c = who.caller();
    Ok(Json(
        st.run(move |s| {
            let book = book.as_ref().map(|(k, v)| (k.as_str(), *v));
            Ok(uc::market_trades(s, &c, book)?)
        })
        .await?,
    ))
}

pub(super) async fn daily(
    State(st): State<AppState>,
    _who: CurrentUser,
    Query(q): Query<BookQuery>,
) -> Result<Json<Vec<Daily>>, AppError> {
    let kind = text("kind", &q.kind)?;
    let vintage = need("vintage", q.vintage)?;
    Ok(Json(
        st.run(move |s| Ok(uc::market_daily(s, &kind, vintage)?))
            .await?,
    ))
}

#[derive(Deserialize)]
pub(super) struct OrdersQuery {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub all: Option<bool>,
}

pub(super) async fn orders(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<OrdersQuery>,
) -> Result<Json<Vec<Order>>, AppError> {
    let open_only = !q.all.unwrap_or(false);
    let c = who.caller();
    Ok(Json(
        st.run(move |s| Ok(uc::market_orders(s, &c, open_only)?))
            .await?,
    ))
}
