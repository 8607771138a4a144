//! Repayment schedules (还款计划) in integer fen.
//!
//! Rounding rules:
//! - the monthly rate is the annual rate / 12 (exact decimal);
//! - each month's interest = outstanding balance x monthly rate, rounded to the fen half
//!   away from zero (四舍五入);
//! - **equal principal** (等额本金): principal = floor(P / n) fen each month, and the
//!   remainder fen are repaid with the last installment;
//! - **annuity** (等额本息): payment = P r / (1 - (1 + r)^-n) rounded to the fen half away
//!   from zero; principal = payment - interest; the last installment repays the whole
//!   remaining balance (so it may differ from the others by a few fen);
//! - at a zero rate both methods are equal principal.
//!
//! Invariants (asserted): principals sum to P exactly, balances never go negative and
//! end at 0.

use crate::FinanceError;
use crate::money::round_fen;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use zp_domain::{Decimal, Period};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 等额本金.
    EqualPrincipal,
    /// 等额本息.
    Annuity,
}

impl Method {
    pub fn key(self) -> &'static str {
        match self {
            Method::EqualPrincipal => "equal_principal",
            Method::Annuity => "annuity",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        match s {
            "equal_principal" | "等额本金" => Some(Method::EqualPrincipal),
            "annuity" | "等额本息" => Some(Method::Annuity),
            _ => None,
        }
    }
}

/// One installment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Installment {
    pub n: u32,
    pub due: Period,
    pub principal_fen: i64,
    pub interest_fen: i64,
    pub payment_fen: i64,
    /// Outstanding principal after this installment.
    pub balance_fen: i64,
}

/// The month after `p`.
pub fn next_month(p: Period) -> Period {
    let (y, m) = if p.month() == 12 {
        (p.year() + 1, 1)
    } else {
        (p.year(), p.month() + 1)
    };
    Period::new(y, m).unwrap_or(p)
}

fn to_fen(yuan: Decimal) -> Result<i64, FinanceError> {
    (round_fen(yuan) * Decimal::ONE_HUNDRED)
        .to_i64()
        .ok_or_else(|| FinanceError::Schedule(format!("{yuan} yuan out of range")))
}

/// The schedule of `principal_fen` at `annual_rate_pct` over `months`, first due `first_due`.
pub fn schedule(
    principal_fen: i64,
    annual_rate_pct: Decimal,
    months: u32,
    method: Method,
    first_due: Period,
) -> Result<Vec<Installment>, FinanceError> {
    if principal_fen <= 0 {
        return Err(FinanceError::Schedule("principal must be positive".into()));
    }
    if months == 0 || months > 600 {
        return Err(FinanceError::Schedule(
            "tenor must be 1..=600 months".into(),
        ));
    }
    if annual_rate_pct < Decimal::ZERO || annual_rate_pct > Decimal::ONE_HUNDRED {
        return Err(FinanceError::Schedule("rate must be 0..=100 %".into()));
    }
    let r = annual_rate_pct / Decimal::ONE_HUNDRED / Decimal::from(12);
    let n = i64::from(months);
    let method = if r.is_zero() {
        Method::EqualPrincipal
    } else {
        method
    };
    let annuity_fen = match method {
        Method::EqualPrincipal => 0,
        Method::Annuity => {
            let p = Decimal::new(principal_fen, 2);
            let mut growth = Decimal::ONE;
            for _ in 0..months {
                growth *= Decimal::ONE + r;
            }
            // P r / (1 - (1+r)^-n) = P r g / (g - 1)
            to_fen(p * r * growth / (growth - Decimal::ONE))?
        }
    };
    let mut out = Vec::with_capacity(months as usize);
    let mut balance = principal_fen;
    let mut due = first_due;
    for k in 1..=n {
        let interest = to_fen(Decimal::new(balance, 2) * r)?;
        let principal = if k == n {
            balance
        } else {
            match method {
                Method::EqualPrincipal => principal_fen / n,
                Method::Annuity => (annuity_fen - interest).clamp(0, balance),
            }
        };
        balance -= principal;
        out.push(Installment {
            n: k as u32,
            due,
            principal_fen: principal,
            interest_fen: interest,
            payment_fen: principal + interest,
            balance_fen: balance,
        });
        due = next_month(due);
    }
    assert_eq!(
        out.iter().map(|i| i.principal_fen).sum::<i64>(),
        principal_fen
    );
    assert_eq!(balance, 0);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn jan() -> Period {
        Period::new(2024, 1).unwrap()
    }

    #[test]
    fn equal_principal_hand_computed() {
        // 1,000.00 yuan at 12 % over 3 months: r = 1 %.
        let s = schedule(100_000, dec!(12), 3, Method::EqualPrincipal, jan()).unwrap();
        let rows: Vec<_> = s
            .iter()
            .map(|i| (i.principal_fen, i.interest_fen, i.balance_fen))
            .collect();
        // Principal 333.33, 333.33, 333.34; interest 10.00, 6.67 (6.6667), 3.33 (3.3334).
        assert_eq!(
            rows,
            [
                (33_333, 1_000, 66_667),
                (33_333, 667, 33_334),
                (33_334, 333, 0)
            ]
        );
        assert_eq!(s[2].due.to_string(), "2024-03");
    }

    #[test]
    fn annuity_hand_computed() {
        // 1,000.00 yuan at 12 % over 3 months: payment = 1000 x 0.01 x 1.030301 / 0.030301
        // = 340.0221... -> 340.02.
        let s = schedule(100_000, dec!(12), 3, Method::Annuity, jan()).unwrap();
        let rows: Vec<_> = s
            .iter()
            .map(|i| {
                (
                    i.payment_fen,
                    i.interest_fen,
                    i.principal_fen,
                    i.balance_fen,
                )
            })
            .collect();
        // m1: interest 10.00, principal 330.02, balance 669.98
        // m2: interest 6.6998 -> 6.70, principal 333.32, balance 336.66
        // m3: interest 3.3666 -> 3.37, principal 336.66 (the rest), payment 340.03
        assert_eq!(
            rows,
            [
                (34_002, 1_000, 33_002, 66_998),
                (34_002, 670, 33_332, 33_666),
                (34_003, 337, 33_666, 0)
            ]
        );
    }

    #[test]
    fn long_schedules_close_exactly_and_zero_rate_is_equal_principal() {
        for method in [Method::EqualPrincipal, Method::Annuity] {
            let s = schedule(123_400_000_000, dec!(3.45), 120, method, jan()).unwrap();
            assert_eq!(s.len(), 120);
            assert_eq!(s.last().unwrap().balance_fen, 0);
            assert_eq!(s.last().unwrap().due.to_string(), "2033-12");
            assert!(
                s.iter().all(
                    |i| i.balance_fen >= 0 && i.payment_fen == i.principal_fen + i.interest_fen
                )
            );
        }
        let z = schedule(1_000, Decimal::ZERO, 3, Method::Annuity, jan()).unwrap();
        assert_eq!(
            z.iter().map(|i| i.principal_fen).collect::<Vec<_>>(),
            [333, 333, 334]
        );
        assert!(z.iter().all(|i| i.interest_fen == 0));
        assert!(schedule(0, dec!(3), 12, Method::Annuity, jan()).is_err());
        assert!(schedule(100, dec!(3), 0, Method::Annuity, jan()).is_err());
    }
}
