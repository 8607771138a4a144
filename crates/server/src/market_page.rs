//! The regional trading venue (区域碳市场): the area with the API routes of every `zeropark
//! market` command (handlers in `market_api.rs`) and the page `/market`: the book of a
//! (kind, vintage) as a depth table, its recent trades, a daily candlestick and volume
//! chart, and for account holders a form to place an order and the open orders of their
//! enterprises with a button to cancel each. Linked from the holdings page (the
//! navigation bar is full; the venue belongs to the carbon assets entry).

#[path = "market_api.rs"]
mod api;

use crate::assets_pages::HOLDERS;
use crate::auth::CurrentUser;
use crate::extract::{Form, Query};
use crate::format::script_json;
use crate::i18n::{Entry, Lang};
use crate::layout::{Page, PageError, PageResult, render};
use crate::openapi::{Op, schema};
use crate::{AppState, Area};
use api::{BookQuery, CancelBody, OrderBody};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use zp_app::Access;
use zp_app::assets::{self as uc, Book, Daily, Order, Side, Trade};

pub const AREA: Area = Area {
    name: "market",
    routes,
    ops: OPS,
    nav: &[],
    strings: STRINGS,
};

/// How many trades the page lists (newest first).
const RECENT_TRADES: usize = 20;

const OPS: &[Op] = &[
    Op::post(
        "/api/v1/market/order",
        "Place a limit order {org, side: buy|sell, kind, vintage, units, price_yuan}: the \
         order id, its state, the units left in the book and the fills it made at once \
         (as `zeropark market order --json`); a sell order reserves its units",
    )
    .json_body(schema::<OrderBody>)
    .created()
    .returns(crate::openapi::response::<zp_app::assets::OrderReport>),
    Op::post(
        "/api/v1/market/cancel",
        "Withdraw an open order {order} of an enterprise in scope; returns the order as it \
         now stands",
    )
    .json_body(schema::<CancelBody>)
    .returns(crate::openapi::response::<Order>),
    Op::get(
        "/api/v1/market/book",
        "The book of a kind and vintage: {bids: [{price_yuan, units}], asks: [...]}, best \
         first",
    )
    .query(&[
        (
            "kind",
            "Kind of unit (cea, cq-allowance, ccer, cqcer, inclusion)",
            true,
        ),
        ("vintage", "Vintage year", true),
    ])
    .returns(crate::openapi::response::<Book>),
    Op::get(
        "/api/v1/market/trades",
        "Trades in execution order {buyer, seller, units, price_yuan, ...}; a scoped caller \
         sees those of its enterprises",
    )
    .query(&[
        ("kind", "Kind of unit (with vintage)", false),
        ("vintage", "Vintage year (with kind)", false),
    ])
    .returns(crate::openapi::response::<Vec<Trade>>),
    Op::get(
        "/api/v1/market/daily",
        "Open, high, low, close (yuan/t) and volume (t) per trading day, Asia/Shanghai",
    )
    .query(&[
        ("kind", "Kind of unit", true),
        ("vintage", "Vintage year", true),
    ])
    .returns(crate::openapi::response::<Vec<Daily>>),
    Op::get(
        "/api/v1/market/orders",
        "Orders of the enterprises in scope, newest first: open ones, or all with all=true",
    )
    .query(&[("all", "Closed orders too", false)])
    .returns(crate::openapi::response::<Vec<Order>>),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/market", get(market_page))
        .route("/market/order", post(order_form))
        .route("/market/cancel", post(cancel_form))
        .route("/api/v1/market/order", post(api::order))
        .route("/api/v1/market/cancel", post(api::cancel))
        .route("/api/v1/market/book", get(api::book))
        .route("/api/v1/market/trades", get(api::trades))
        .route("/api/v1/market/daily", get(api::daily))
        .route("/api/v1/market/orders", get(api::orders))
}

const STRINGS: &[Entry] = &[
    ("mk.title", "碳市场", "Trading venue"),
    (
        "mk.hint",
        "限价委托按价格优先、时间优先撮合，成交即在登记簿中交割；卖出委托挂单期间冻结相应数量。价格单位：元/吨。",
        "Limit orders match in price-time priority and settle in the registry at once; a resting sell order reserves its units. Prices in yuan per tonne.",
    ),
    ("mk.book", "委托簿", "Order book"),
    ("mk.bids", "买入", "Bids"),
    ("mk.asks", "卖出", "Asks"),
    ("mk.price", "价格（元/吨）", "Price (yuan/t)"),
    ("mk.units", "数量（吨）", "Units (t)"),
    ("mk.empty_side", "无委托", "No orders"),
    ("mk.trades", "最近成交", "Recent trades"),
    ("mk.no_trades", "暂无成交。", "No trades yet."),
    ("mk.trade", "成交编号", "Trade"),
    ("mk.time", "时间", "Time"),
    ("mk.buyer", "买方", "Buyer"),
    ("mk.seller", "卖方", "Seller"),
    ("mk.amount", "金额（元）", "Amount (yuan)"),
    ("mk.daily", "日K线与成交量", "Daily prices and volume"),
    ("mk.volume", "成交量（吨）", "Volume (t)"),
    ("mk.ohlc", "开盘/收盘/最低/最高", "Open/close/low/high"),
    ("mk.place", "委托下单", "Place an order"),
    ("mk.side", "方向", "Side"),
    ("mk.buy", "买入", "buy"),
    ("mk.sell", "卖出", "sell"),
    (
        "mk.orders",
        "我方未成交委托",
        "Open orders of my enterprises",
    ),
    ("mk.no_orders", "暂无未成交委托。", "No open orders."),
    ("mk.order", "委托编号", "Order"),
    ("mk.remaining", "未成交（吨）", "Remaining (t)"),
    ("mk.cancel", "撤单", "Cancel"),
    ("mk.show", "查看", "Show"),
    ("mk.to_market", "碳市场", "Trading venue"),
];

/// One row of the depth table: a bid level and an ask level side by side.
struct DepthRow {
    bid_units: String,
    bid_price: String,
    ask_price: String,
    ask_units: String,
}

fn depth(b: &Book) -> Vec<DepthRow> {
    let n = b.bids.len().max(b.asks.len());
    (0..n)
        .map(|i| {
            let bid = b.bids.get(i);
            let ask = b.asks.get(i);
            DepthRow {
                bid_units: bid.map(|l| l.units.to_string()).unwrap_or_default(),
                bid_price: bid.map(|l| l.price_yuan.to_string()).unwrap_or_default(),
                ask_price: ask.map(|l| l.price_yuan.to_string()).unwrap_or_default(),
                ask_units: ask.map(|l| l.units.to_string()).unwrap_or_default(),
            }
        })
        .collect()
}

/// A trade as listed: time in Asia/Shanghai and the amount in yuan.
struct TradeRow {
    id: u64,
    time: String,
    buyer: String,
    seller: String,
    units: u64,
    price: String,
    amount: String,
}

impl TradeRow {
    fn of(t: &Trade) -> TradeRow {
        TradeRow {
            id: t.id,
            time: zp_domain::time::local(t.at)
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string(),
            buyer: t.buyer.to_string(),
            seller: t.seller.to_string(),
            units: t.units,
            price: t.price_yuan.to_string(),
            amount: zp_app::assets::yuan(t.amount_fen).to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "market.html")]
struct MarketBody {
    lang: Lang,
    csrf: String,
    /// (code, name in the page's language)
    kinds: Vec<(String, String)>,
    kind: String,
    vintage: i32,
    books: Vec<(String, i32)>,
    depth: Vec<DepthRow>,
    trades: Vec<TradeRow>,
    /// Open orders with the side's label.
    orders: Vec<(Order, &'static str)>,
    holder: bool,
    own: Option<String>,
    data: String,
}

/// The chart's data: dates, [open, close, low, high] per day (ECharts' order), volumes.
fn chart_data(days: &[Daily], lang: Lang) -> String {
    let f = |d: rust_decimal::Decimal| crate::format::f64_of(d);
    script_json(&json!({
        "dates": days.iter().map(|d| d.date.clone()).collect::<Vec<_>>(),
        "ohlc": days
            .iter()
            .map(|d| [f(d.open_yuan), f(d.close_yuan), f(d.low_yuan), f(d.high_yuan)])
            .collect::<Vec<_>>(),
        "volume": days.iter().map(|d| d.volume_t).collect::<Vec<_>>(),
        "labels": {
            "ohlc": lang.t("mk.ohlc"),
            "volume": lang.t("mk.volume"),
            "price": lang.t("mk.price"),
        },
    }))
}

/// Everything the page reads, in one store call.
struct Venue {
    books: Vec<(String, i32)>,
    book: Book,
    trades: Vec<Trade>,
    daily: Vec<Daily>,
    orders: Vec<Order>,
}

async fn market_page(
    page: Page,
    State(st): State<AppState>,
    Query(q): Query<BookQuery>,
) -> PageResult {
    let lang = page.lang;
    let c = page.user.caller();
    let last_year = i32::from(crate::assets_pages::today().year()) - 1;
    let v = st
        .run(move |s| {
            let books = uc::market_books(s)?;
            let first = books.first().cloned();
            let kind = q
                .kind
                .filter(|k| !k.trim().is_empty())
                .or_else(|| first.as_ref().map(|b| b.0.clone()))
                .unwrap_or_else(|| "cea".into());
            let vintage = q
                .vintage
                .or_else(|| first.as_ref().map(|b| b.1))
                .unwrap_or(last_year);
            Ok(Venue {
                book: uc::market_book(s, &kind, vintage)?,
                trades: uc::market_trades(s, &c, Some((&kind, vintage)))?,
                daily: uc::market_daily(s, &kind, vintage)?,
                orders: uc::market_orders(s, &c, true)?,
                books,
            })
        })
        .await
        .map_err(|e| PageError(e, lang))?;
    let body = MarketBody {
        lang,
        csrf: page.csrf.clone(),
        kinds: uc::catalog()
            .kinds
            .iter()
            .map(|k| {
                let name = crate::assets_pages::local_name(lang, &k.name, &k.name_zh, &k.name_en);
                (k.code.clone(), name)
            })
            .collect(),
        kind: v.book.kind.clone(),
        vintage: v.book.vintage,
        books: v.books,
        depth: depth(&v.book),
        trades: v
            .trades
            .iter()
            .rev()
            .take(RECENT_TRADES)
            .map(TradeRow::of)
            .collect(),
        orders: v
            .orders
            .into_iter()
            .map(|o| {
                let side = match o.side {
                    Side::Buy => lang.t("mk.buy"),
                    Side::Sell => lang.t("mk.sell"),
                };
                (o, side)
            })
            .collect(),
        holder: page.user.role().can_write() && HOLDERS.contains(&page.user.role()),
        own: match &page.user.access {
            Access::Org(c) => Some(c.to_string()),
            _ => None,
        },
        data: chart_data(&v.daily, lang),
    };
    render(&page, lang.t("mk.title"), &body, &["/assets/market.js"])
}

fn back(kind: &Option<String>, vintage: Option<i32>) -> String {
    match (kind, vintage) {
        (Some(k), Some(v)) => format!("/market?kind={}&vintage={v}", urlencoding(k)),
        _ => "/market".into(),
    }
}

/// Kind codes are ASCII letters, digits and dashes; anything else is dropped.
fn urlencoding(k: &str) -> String {
    k.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

async fn order_form(
    page: Page,
    State(st): State<AppState>,
    Form(b): Form<OrderBody>,
) -> PageResult {
    let lang = page.lang;
    let to = back(&b.kind, b.vintage);
    api::place(&st, page.user, b)
        .await
        .map_err(|e| PageError(e, lang))?;
    Ok(Redirect::to(&to).into_response())
}

#[derive(Deserialize)]
struct CancelForm {
    kind: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::empty_as_none")]
    vintage: Option<i32>,
    #[serde(flatten)]
    body: CancelBody,
}

async fn cancel_form(
    page: Page,
    State(st): State<AppState>,
    Form(f): Form<CancelForm>,
) -> PageResult {
    let lang = page.lang;
    let to = back(&f.kind, f.vintage);
    let who: CurrentUser = page.user;
    api::withdraw(&st, who, f.body)
        .await
        .map_err(|e| PageError(e, lang))?;
    Ok(Redirect::to(&to).into_response())
}
