//! Whose enterprises a verifier (核查机构) or a bank (银行) account reads.
//!
//! A bank or verifier account without a scope of its own sees no enterprise by default: a
//! verifier sees the enterprises it is assigned ([`VerifierStore::assign_verifier`],
//! `zeropark users assign-verifier USER --org CODE`), a bank the applicants and borrowers
//! of its products (the enterprises with an application to its issuer, linked by
//! `finance_bank_users`). Both lists come from SQL; the server reads one enterprise at a
//! time with `Access::Org` (see `crates/server/src/auth.rs`).

use crate::base::audit;
use crate::conn::Conn;
use crate::{Result, SqlStore, StoreError, now};
use zp_domain::CreditCode;

pub(crate) const VERIFIERS_MIGRATION: &str = r#"
CREATE TABLE verifier_orgs (
    username TEXT NOT NULL,
    credit_code TEXT NOT NULL REFERENCES orgs(credit_code),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (username, credit_code)
);
"#;

pub trait VerifierStore {
    /// Assigns enterprise `code` to verifier account `username`; `false` when it already
    /// was. Refuses ([`StoreError::NotFound`] / [`StoreError::Forbidden`]) an unknown user
    /// or enterprise and accounts that are not verifiers.
    fn assign_verifier(&mut self, username: &str, code: &CreditCode, actor: &str) -> Result<bool>;
    /// The enterprises assigned to verifier `username`, by credit code.
    fn verifier_orgs(&mut self, username: &str) -> Result<Vec<CreditCode>>;
    /// The applicants and borrowers of bank account `username`: enterprises with an
    /// application to a product of its issuer, by credit code (none when not linked).
    fn bank_orgs(&mut self, username: &str) -> Result<Vec<CreditCode>>;
}

fn codes(rows: &[crate::conn::Row]) -> Result<Vec<CreditCode>> {
    rows.iter()
        .map(|r| {
            CreditCode::parse(&r.text(0))
                .map_err(|e| StoreError::Corrupt(format!("credit code {}: {e}", r.text(0))))
        })
        .collect()
}

impl<C: Conn> VerifierStore for SqlStore<C> {
    fn assign_verifier(&mut self, username: &str, code: &CreditCode, actor: &str) -> Result<bool> {
        self.transaction(|c| {
            let user = c.query(
                "SELECT role FROM users WHERE username = $1",
                &[username.into()],
            )?;
            let role = user
                .first()
                .map(|r| r.text(0))
                .ok_or_else(|| StoreError::NotFound(format!("user {username}")))?;
            if role != "verifier" {
                return Err(StoreError::Forbidden(format!(
                    "{username} is a {role} account, not a verifier"
                )));
            }
            let org = c.query(
                "SELECT credit_code FROM orgs WHERE credit_code = $1",
                &[code.as_str().into()],
            )?;
            if org.is_empty() {
                return Err(StoreError::NotFound(format!("enterprise {code}")));
            }
            let found = c.query(
                "SELECT 1 FROM verifier_orgs WHERE username = $1 AND credit_code = $2",
                &[username.into(), code.as_str().into()],
            )?;
            if !found.is_empty() {
                return Ok(false);
            }
            c.execute(
                "INSERT INTO verifier_orgs (username, credit_code, created_at, created_by) \
                 VALUES ($1, $2, $3, $4)",
                &[
                    username.into(),
                    code.as_str().into(),
                    now().into(),
                    actor.into(),
                ],
            )?;
            audit(
                c,
                actor,
                "assign",
                "verifier_org",
                username,
                None,
                Some(code.to_string()),
            )?;
            Ok(true)
        })
    }

    fn verifier_orgs(&mut self, username: &str) -> Result<Vec<CreditCode>> {
        let rows = self.conn().query(
            "SELECT credit_code FROM verifier_orgs WHERE username = $1 ORDER BY credit_code",
            &[username.into()],
        )?;
        codes(&rows)
    }

    fn bank_orgs(&mut self, username: &str) -> Result<Vec<CreditCode>> {
        let rows = self.conn().query(
            "SELECT DISTINCT a.credit_code FROM finance_applications a \
             JOIN finance_bank_users b ON b.issuer = a.issuer \
             WHERE b.username = $1 ORDER BY a.credit_code",
            &[username.into()],
        )?;
        codes(&rows)
    }
}
