//! Properties of repayment schedules: whatever the principal, rate, tenor and method, the
//! installments repay exactly the principal (in whole fen), the balance falls to zero,
//! and each payment is its principal plus its interest.

use proptest::prelude::*;
use zp_domain::{Decimal, Period};
use zp_finance::Method;
use zp_finance::schedule::schedule;

proptest! {
    #[test]
    fn repayment_schedules_sum_to_the_principal(
        principal_fen in 1i64..100_000_000_000,
        rate_bp in 0i64..2_000,
        months in 1u32..=360,
        annuity in any::<bool>(),
    ) {
        let method = if annuity { Method::Annuity } else { Method::EqualPrincipal };
        let rate = Decimal::new(rate_bp, 2); // 0.00 .. 19.99 % a year
        let first = Period::new(2024, 1).unwrap();
        let s = schedule(principal_fen, rate, months, method, first).unwrap();
        prop_assert_eq!(s.len(), months as usize);
        prop_assert_eq!(s.iter().map(|i| i.principal_fen).sum::<i64>(), principal_fen);
        prop_assert_eq!(s.last().unwrap().balance_fen, 0);
        let mut balance = principal_fen;
        for i in &s {
            prop_assert!(i.principal_fen >= 0 && i.interest_fen >= 0);
            prop_assert_eq!(i.payment_fen, i.principal_fen + i.interest_fen);
            balance -= i.principal_fen;
            prop_assert_eq!(i.balance_fen, balance);
        }
    }
}
