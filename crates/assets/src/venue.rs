//! The trading venue's records and views: orders, trades, price levels of a book, daily
//! open/high/low/close/volume, and prices as exact yuan over integer fen. The matching
//! engine that makes them is `market`.

use crate::error::AssetError;
use crate::event::{BlockId, OrderId, Side, TradeId};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use zp_domain::CreditCode;

/// Highest accepted price: 100,000 yuan per tonne (a typo guard; pilot prices are tens of
/// yuan).
pub const MAX_PRICE_FEN: u64 = 10_000_000;

impl Side {
    pub fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// In the book with `remaining` units.
    Open,
    Filled,
    Cancelled,
}

impl OrderState {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Open => "open",
            OrderState::Filled => "filled",
            OrderState::Cancelled => "cancelled",
        }
    }
}

/// A limit order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Order {
    pub id: OrderId,
    pub org: CreditCode,
    pub side: Side,
    pub kind: String,
    pub vintage: i32,
    pub units: u64,
    pub price_yuan: Decimal,
    pub price_fen: u64,
    /// Units not yet traded.
    pub remaining: u64,
    pub state: OrderState,
    /// When it was placed, UTC epoch seconds.
    pub placed_at: i64,
}

/// A trade (成交), settled in the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Trade {
    pub id: TradeId,
    pub at: i64,
    pub kind: String,
    pub vintage: i32,
    pub buyer: CreditCode,
    pub seller: CreditCode,
    pub units: u64,
    pub price_yuan: Decimal,
    /// Payment against delivery: price x units, in fen.
    pub amount_fen: u64,
    pub buy_order: OrderId,
    pub sell_order: OrderId,
    /// The blocks delivered to the buyer.
    pub blocks: Vec<BlockId>,
}

/// One price level of a book: the units of all open orders at that price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Level {
    pub price_yuan: Decimal,
    pub units: u64,
}

/// The book of (kind, vintage): bids highest first, asks lowest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Book {
    pub kind: String,
    pub vintage: i32,
    pub bids: Vec<Level>,
    pub asks: Vec<Level>,
}

/// One trading day (Asia/Shanghai) of a (kind, vintage): open, high, low, close, volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Daily {
    pub date: String,
    pub open_yuan: Decimal,
    pub high_yuan: Decimal,
    pub low_yuan: Decimal,
    pub close_yuan: Decimal,
    pub volume_t: u64,
    pub turnover_fen: u64,
    pub trades: usize,
}

/// Fen as yuan, exactly (two decimals).
pub fn yuan(fen: u64) -> Decimal {
    let mut d = Decimal::from(fen);
    d.set_scale(2).expect("two decimals fit");
    d
}

/// A price in yuan per tonne as whole fen: positive, at most two decimals, at most
/// [`MAX_PRICE_FEN`].
pub fn price_fen(price_yuan: Decimal) -> Result<u64, AssetError> {
    let fen = price_yuan * Decimal::from(100);
    let bad = |why: &str| AssetError::NotAllowed(format!("price {price_yuan} yuan/t {why}"));
    if fen <= Decimal::ZERO {
        return Err(bad("must be positive"));
    }
    if fen.fract() != Decimal::ZERO {
        return Err(bad("has more than two decimals (the tick is 0.01 yuan)"));
    }
    match fen.to_u64() {
        Some(f) if f <= MAX_PRICE_FEN => Ok(f),
        _ => Err(bad(&format!(
            "is over the venue's limit of {} yuan/t",
            yuan(MAX_PRICE_FEN)
        ))),
    }
}
