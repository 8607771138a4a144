//! The application workflow (申请流程) as a state machine:
//!
//! ```text
//! submitted -> under_review -> approved -> disbursed -> repaying -> closed
//!                          \-> rejected
//! ```
//!
//! A grant (subsidy) has no repayment: it closes from `disbursed`. A loan closes only from
//! `repaying`, when the caller has checked that nothing is outstanding.

use crate::FinanceError;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Submitted,
    UnderReview,
    Approved,
    Rejected,
    Disbursed,
    Repaying,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Review,
    Approve,
    Reject,
    Disburse,
    Repay,
    Close,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Submitted,
        Status::UnderReview,
        Status::Approved,
        Status::Rejected,
        Status::Disbursed,
        Status::Repaying,
        Status::Closed,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::UnderReview => "under_review",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Disbursed => "disbursed",
            Status::Repaying => "repaying",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.key() == s)
    }

    /// The state after `action`; `repaid` says whether the product is repaid (a loan).
    pub fn next(self, action: Action, repaid: bool) -> Result<Status, FinanceError> {
        use Action::*;
        use Status::*;
        let to = match (self, action) {
            (Submitted, Review) => UnderReview,
            (UnderReview, Approve) => Approved,
            (UnderReview, Reject) => Rejected,
            (Approved, Disburse) => Disbursed,
            (Disbursed, Repay) | (Repaying, Repay) if repaid => Repaying,
            (Disbursed, Close) if !repaid => Closed,
            (Repaying, Close) if repaid => Closed,
            _ => return Err(FinanceError::Transition { from: self, action }),
        };
        Ok(to)
    }

    /// Money has left the lender (counts in loan reports and PCAF).
    pub fn is_disbursed(self) -> bool {
        matches!(self, Status::Disbursed | Status::Repaying | Status::Closed)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::Review,
        Action::Approve,
        Action::Reject,
        Action::Disburse,
        Action::Repay,
        Action::Close,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Action::Review => "review",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Disburse => "disburse",
            Action::Repay => "repay",
            Action::Close => "close",
        }
    }

    /// The action named `key`.
    pub fn parse(key: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.key() == key)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::Action::*;
    use super::Status::*;

    #[test]
    fn a_loan_walks_the_whole_path() {
        let mut s = Submitted;
        for (a, want) in [
            (Review, UnderReview),
            (Approve, Approved),
            (Disburse, Disbursed),
            (Repay, Repaying),
            (Repay, Repaying),
            (Close, Closed),
        ] {
            s = s.next(a, true).unwrap();
            assert_eq!(s, want);
        }
    }

    #[test]
    fn a_grant_closes_after_disbursement_and_is_never_repaid() {
        let s = Submitted
            .next(Review, false)
            .unwrap()
            .next(Approve, false)
            .unwrap();
        let s = s.next(Disburse, false).unwrap();
        assert!(s.next(Repay, false).is_err());
        assert_eq!(s.next(Close, false).unwrap(), Closed);
    }

    #[test]
    fn illegal_transitions_are_refused() {
        assert!(Submitted.next(Approve, true).is_err());
        assert!(Submitted.next(Disburse, true).is_err());
        assert_eq!(UnderReview.next(Reject, true).unwrap(), Rejected);
        for a in [Review, Approve, Reject, Disburse, Repay, Close] {
            assert!(Rejected.next(a, true).is_err(), "{a}");
            assert!(Closed.next(a, true).is_err(), "{a}");
        }
        assert!(Disbursed.next(Close, true).is_err());
        let e = Approved.next(Repay, true).unwrap_err().to_string();
        assert_eq!(e, "application is approved; cannot repay");
    }
}
