//! Exact money: integer fen (分) in ledgers and schedules, `Decimal` yuan with at most two
//! decimal places at the edges. Never `f64`.

use crate::FinanceError;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Yuan (at most 2 decimal places) to fen. More places are an error, not a rounding.
pub fn yuan_to_fen(yuan: Decimal) -> Result<i64, FinanceError> {
    if yuan.normalize().scale() > 2 {
        return Err(FinanceError::Money(format!(
            "{yuan} yuan has more than two decimal places (fen)"
        )));
    }
    (yuan * Decimal::ONE_HUNDRED)
        .to_i64()
        .ok_or_else(|| FinanceError::Money(format!("{yuan} yuan is out of range")))
}

/// Fen to yuan, exactly (scale 2).
pub fn fen_to_yuan(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

/// Rounds yuan to fen, half away from zero (四舍五入), as banks do for interest.
pub fn round_fen(yuan: Decimal) -> Decimal {
    yuan.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// Truncates yuan to whole fen (used for caps and offers: never offer more than allowed).
pub fn floor_fen(yuan: Decimal) -> Decimal {
    yuan.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn yuan_and_fen_round_trip() {
        assert_eq!(yuan_to_fen(dec!(1234000000)).unwrap(), 123_400_000_000);
        assert_eq!(yuan_to_fen(dec!(0.01)).unwrap(), 1);
        assert_eq!(yuan_to_fen(dec!(12.50)).unwrap(), 1250);
        assert!(yuan_to_fen(dec!(0.001)).is_err());
        assert_eq!(fen_to_yuan(123_456), dec!(1234.56));
        assert_eq!(round_fen(dec!(0.005)), dec!(0.01));
        assert_eq!(floor_fen(dec!(0.019)), dec!(0.01));
    }
}
