//! Accounts (账户): users with a role and a scope, login sessions and API tokens.
//!
//! The store keeps only hashes: argon2 PHC strings for passwords (hashed by the caller) and
//! SHA-256 hex digests for session and API tokens, so a copy of the database lets nobody
//! log in. Every change is written to the audit log in the same transaction.
//!
//! A user's [`Role`] and scope give the [`Access`] every tenant query filters by.

use crate::base::{
    AUDIT_COLS, BATCH_COLS, QUARANTINE_COLS, audit, audit_entry_of, batch_of, org_condition,
    quarantine_of, query_map,
};
use crate::conn::{Conn, Row};
use crate::model::{Access, AuditEntry, BatchInfo, QuarantineEntry};
use crate::{Result, SqlStore, StoreError, now};
use serde::Serialize;
use zp_domain::{CreditCode, Region};

pub(crate) const ACCOUNTS_MIGRATION: &str = r#"
CREATE TABLE users (
    id {id},
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE api_tokens (
    id {id},
    token_sha256 TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
"#;

/// What a user may do (角色).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 平台管理员: everything, everywhere.
    PlatformAdmin,
    /// 地区主管部门: reads a region; registers enterprises and designations in it.
    RegionOfficer,
    /// 园区管委会: reads and writes one park.
    ParkAdmin,
    /// 企业用户: reads and writes one enterprise.
    EnterpriseUser,
    /// 银行 (green finance): read-only, over its scope (or everything).
    Bank,
    /// 核查机构: read-only, over its scope (or everything), including the audit trail.
    Verifier,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::PlatformAdmin,
        Role::RegionOfficer,
        Role::ParkAdmin,
        Role::EnterpriseUser,
        Role::Bank,
        Role::Verifier,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform_admin",
            Role::RegionOfficer => "region_officer",
            Role::ParkAdmin => "park_admin",
            Role::EnterpriseUser => "enterprise_user",
            Role::Bank => "bank",
            Role::Verifier => "verifier",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == s.trim())
    }

    /// Bank and verifier accounts never change anything.
    pub fn can_write(self) -> bool {
        !matches!(self, Role::Bank | Role::Verifier)
    }

    /// The [`Access`] of this role with `scope` (a region code, park name or credit code).
    /// Region officers, park admins and enterprise users need a scope; banks and
    /// verifiers without one see everything; a platform admin's scope is ignored.
    pub fn access(self, scope: &str) -> Result<Access> {
        let scope = scope.trim();
        let bad = |what: &str| {
            StoreError::Forbidden(format!(
                "role {} needs a scope that is {what}, got {scope:?}",
                self.key()
            ))
        };
        let region = || {
            Region::parse(scope)
                .map(Access::Region)
                .map_err(|_| bad("a region code"))
        };
        let org = || {
            CreditCode::parse(scope)
                .map(Access::Org)
                .map_err(|_| bad("a credit code"))
        };
        match self {
            Role::PlatformAdmin => Ok(Access::All),
            Role::RegionOfficer => region(),
            Role::ParkAdmin if scope.is_empty() => Err(bad("a park name")),
            Role::ParkAdmin => Ok(Access::Park(scope.to_string())),
            Role::EnterpriseUser => org(),
            Role::Bank | Role::Verifier => {
                if scope.is_empty() {
                    Ok(Access::All)
                } else if let Ok(a) = org() {
                    Ok(a)
                } else if let Ok(a) = region() {
                    Ok(a)
                } else {
                    Ok(Access::Park(scope.to_string()))
                }
            }
        }
    }
}

/// A user account. The password hash never leaves the store through serialisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    /// Region code, park name or credit code (see [`Role::access`]).
    pub scope: String,
    pub disabled: bool,
    pub created_at: String,
}

impl User {
    pub fn access(&self) -> Result<Access> {
        self.role.access(&self.scope)
    }

    /// How this user appears as the actor of audit entries and imports.
    pub fn actor(&self) -> String {
        format!("user:{}", self.username)
    }
}

/// A new account; `password_hash` is an argon2 PHC string made by the caller.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub scope: String,
}

/// An API token's public part (the secret is shown once, at creation, by the caller).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ApiTokenInfo {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// Which audit entries to list: every given condition holds. Times are UTC RFC 3339
/// prefixes as stored (`2026-12-03T16:00:00` is Beijing midnight of 12-04); `before_id`
/// pages back from an entry (keyset paging: the next page starts below the last id shown).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// The entity kind (exact) or a part of the entity's id.
    pub object: Option<String>,
    pub from_utc: Option<String>,
    pub to_utc: Option<String>,
    pub before_id: Option<i64>,
    pub limit: usize,
}

/// Accounts, sessions and API tokens, plus the per-actor views of imports, quarantine and
/// audit that scoped users get (those tables carry no tenant column of their own).
pub trait AccountStore {
    /// Creates a user; a taken username is a [`StoreError::Conflict`].
    fn create_user(&mut self, user: &NewUser, actor: &str) -> Result<User>;
    fn set_password(&mut self, username: &str, password_hash: &str, actor: &str) -> Result<()>;
    fn user_by_name(&mut self, username: &str) -> Result<Option<User>>;
    fn users(&mut self) -> Result<Vec<User>>;

    /// Stores a session for `user_id`, valid until `expires_at` (epoch seconds).
    fn create_session(&mut self, token_sha256: &str, user_id: i64, expires_at: i64) -> Result<()>;
    /// The enabled user of an unexpired session.
    fn session_user(&mut self, token_sha256: &str, now_epoch: i64) -> Result<Option<User>>;
    fn delete_session(&mut self, token_sha256: &str) -> Result<()>;
    /// Deletes expired sessions; returns how many.
    fn purge_sessions(&mut self, now_epoch: i64) -> Result<u64>;

    fn create_api_token(
        &mut self,
        token_sha256: &str,
        user_id: i64,
        name: &str,
        actor: &str,
    ) -> Result<ApiTokenInfo>;
    /// The enabled user of an unrevoked token.
    fn api_token_user(&mut self, token_sha256: &str) -> Result<Option<User>>;
    fn revoke_api_token(&mut self, id: i64, actor: &str) -> Result<()>;

    /// Imports made by `actor`, newest first.
    fn batches_by_actor(&mut self, actor: &str, limit: usize) -> Result<Vec<BatchInfo>>;
    /// Quarantined rows of imports made by `actor`.
    fn quarantine_by_actor(&mut self, actor: &str, limit: usize) -> Result<Vec<QuarantineEntry>>;
    /// Audit entries written by `actor`, newest first.
    fn audit_by_actor(&mut self, actor: &str, limit: usize) -> Result<Vec<AuditEntry>>;
    /// Audit entries matching `filter`, newest first (filtered and paged in SQL).
    fn audit_filtered(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEntry>>;
    /// Years with current activity rows of enterprises visible to `access`, newest first
    /// (the web UI opens on the latest).
    fn activity_years(&mut self, access: &Access) -> Result<Vec<i32>>;
}

const USER_COLUMNS: &str =
    "u.id, u.username, u.password_hash, u.role, u.scope, u.disabled, u.created_at";

fn row_to_user(r: &Row) -> Result<User> {
    Ok(User {
        id: r.int(0),
        username: r.text(1),
        password_hash: r.text(2),
        role: Role::parse(&r.text(3))
            .ok_or_else(|| StoreError::Corrupt(format!("role {:?}", r.text(3))))?,
        scope: r.text(4),
        disabled: r.int(5) != 0,
        created_at: r.text(6),
    })
}

fn user_summary(u: &NewUser) -> String {
    format!("role={} scope={}", u.role.key(), u.scope)
}

impl<C: Conn> AccountStore for SqlStore<C> {
    fn create_user(&mut self, user: &NewUser, actor: &str) -> Result<User> {
        let name = user.username.trim();
        if name.is_empty() || name.len() > 64 || name.chars().any(|c| c.is_whitespace()) {
            return Err(StoreError::Forbidden(format!(
                "username {name:?}: 1 to 64 characters without spaces"
            )));
        }
        user.role.access(&user.scope)?;
        self.transaction(|c| {
            let taken = c.query("SELECT id FROM users WHERE username = $1", &[name.into()])?;
            if !taken.is_empty() {
                return Err(StoreError::Conflict(format!("user {name:?} already exists")));
            }
            let ts = now();
            let id = c.query(
                "INSERT INTO users (username, password_hash, role, scope, disabled, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING id",
                &[name.into(), user.password_hash.as_str().into(), user.role.key().into(), user.scope.trim().into(), ts.as_str().into()],
            )?[0]
                .int(0);
            audit(c, actor, "create", "user", name, None, Some(user_summary(user)))?;
            Ok(User {
                id,
                username: name.to_string(),
                password_hash: user.password_hash.clone(),
                role: user.role,
                scope: user.scope.trim().to_string(),
                disabled: false,
                created_at: ts,
            })
        })
    }

    fn set_password(&mut self, username: &str, password_hash: &str, actor: &str) -> Result<()> {
        self.transaction(|c| {
            let n = c.execute(
                "UPDATE users SET password_hash = $1, updated_at = $2 WHERE username = $3",
                &[password_hash.into(), now().into(), username.into()],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("user {username:?}")));
            }
            // Existing sessions end with the old password.
            c.execute(
                "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)",
                &[username.into()],
            )?;
            audit(c, actor, "set_password", "user", username, None, None)
        })
    }

    fn user_by_name(&mut self, username: &str) -> Result<Option<User>> {
        let rows = self.conn().query(
            &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1"),
            &[username.into()],
        )?;
        rows.first().map(row_to_user).transpose()
    }

    fn users(&mut self) -> Result<Vec<User>> {
        let rows = self.conn().query(
            &format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.username"),
            &[],
        )?;
        rows.iter().map(row_to_user).collect()
    }

    fn create_session(&mut self, token_sha256: &str, user_id: i64, expires_at: i64) -> Result<()> {
        self.transaction(|c| {
            c.execute(
                "INSERT INTO sessions (token_sha256, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                &[token_sha256.into(), user_id.into(), now().into(), expires_at.into()],
            )?;
            let who = c.query("SELECT username FROM users WHERE id = $1", &[user_id.into()])?;
            let name = who.first().map(|r| r.text(0)).unwrap_or_default();
            audit(c, &format!("user:{name}"), "login", "session", &name, None, None)
        })
    }

    fn session_user(&mut self, token_sha256: &str, now_epoch: i64) -> Result<Option<User>> {
        let rows = self.conn().query(
            &format!(
                "SELECT {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND u.disabled = 0"
            ),
            &[token_sha256.into(), now_epoch.into()],
        )?;
        rows.first().map(row_to_user).transpose()
    }

    fn delete_session(&mut self, token_sha256: &str) -> Result<()> {
        self.transaction(|c| {
            let who = c.query(
                "SELECT u.username FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_sha256 = $1",
                &[token_sha256.into()],
            )?;
            c.execute("DELETE FROM sessions WHERE token_sha256 = $1", &[token_sha256.into()])?;
            if let Some(r) = who.first() {
                let name = r.text(0);
                audit(c, &format!("user:{name}"), "logout", "session", &name, None, None)?;
            }
            Ok(())
        })
    }

    fn purge_sessions(&mut self, now_epoch: i64) -> Result<u64> {
        self.conn().execute(
            "DELETE FROM sessions WHERE expires_at <= $1",
            &[now_epoch.into()],
        )
    }

    fn create_api_token(
        &mut self,
        token_sha256: &str,
        user_id: i64,
        name: &str,
        actor: &str,
    ) -> Result<ApiTokenInfo> {
        self.transaction(|c| {
            let who = c.query("SELECT username FROM users WHERE id = $1", &[user_id.into()])?;
            let Some(user) = who.first().map(|r| r.text(0)) else {
                return Err(StoreError::NotFound(format!("user id {user_id}")));
            };
            let ts = now();
            let id = c.query(
                "INSERT INTO api_tokens (token_sha256, user_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                &[token_sha256.into(), user_id.into(), name.into(), ts.as_str().into()],
            )?[0]
                .int(0);
            audit(c, actor, "create", "api_token", &format!("{user}/{id}"), None, Some(name.to_string()))?;
            Ok(ApiTokenInfo { id, user_id, name: name.to_string(), created_at: ts, revoked_at: None })
        })
    }

    fn api_token_user(&mut self, token_sha256: &str) -> Result<Option<User>> {
        let rows = self.conn().query(
            &format!(
                "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND u.disabled = 0"
            ),
            &[token_sha256.into()],
        )?;
        rows.first().map(row_to_user).transpose()
    }

    fn revoke_api_token(&mut self, id: i64, actor: &str) -> Result<()> {
        self.transaction(|c| {
            let n = c.execute(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                &[now().into(), id.into()],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("active api token {id}")));
            }
            audit(c, actor, "revoke", "api_token", &id.to_string(), None, None)
        })
    }

    fn batches_by_actor(&mut self, actor: &str, limit: usize) -> Result<Vec<BatchInfo>> {
        let sql = format!(
            "SELECT {BATCH_COLS} FROM import_batches WHERE actor = $1 ORDER BY id DESC LIMIT {limit}"
        );
        query_map(self.conn(), &sql, &[actor.into()], batch_of)
    }

    fn quarantine_by_actor(&mut self, actor: &str, limit: usize) -> Result<Vec<QuarantineEntry>> {
        let sql = format!(
            "SELECT {QUARANTINE_COLS} FROM quarantine q JOIN import_batches b ON b.id = q.batch_id \
             WHERE b.actor = $1 ORDER BY q.id DESC LIMIT {limit}"
        );
        query_map(self.conn(), &sql, &[actor.into()], quarantine_of)
    }

    fn audit_by_actor(&mut self, actor: &str, limit: usize) -> Result<Vec<AuditEntry>> {
        self.audit_filtered(&AuditFilter {
            actor: Some(actor.to_string()),
            limit,
            ..AuditFilter::default()
        })
    }

    fn audit_filtered(&mut self, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut params: Vec<crate::conn::Value> = Vec::new();
        let mut sql = format!("SELECT {AUDIT_COLS} FROM audit_log WHERE 1=1");
        for (column, value) in [("actor", &f.actor), ("action", &f.action)] {
            if let Some(v) = value {
                params.push(v.into());
                sql += &format!(" AND {column} = ${}", params.len());
            }
        }
        if let Some(o) = &f.object {
            // The object: its kind exactly, or a part of its id (LIKE wildcards escaped).
            let escaped = o
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            params.push(o.into());
            params.push(format!("%{escaped}%").into());
            let n = params.len();
            sql += &format!(
                " AND (entity = ${} OR entity_id LIKE ${n} ESCAPE '\\')",
                n - 1
            );
        }
        for (bound, value) in [(">=", &f.from_utc), ("<", &f.to_utc)] {
            if let Some(t) = value {
                params.push(t.into());
                sql += &format!(" AND at {bound} ${}", params.len());
            }
        }
        if let Some(id) = f.before_id {
            params.push(id.into());
            sql += &format!(" AND id < ${}", params.len());
        }
        sql += &format!(" ORDER BY id DESC LIMIT {}", f.limit);
        query_map(self.conn(), &sql, &params, audit_entry_of)
    }

    fn activity_years(&mut self, access: &Access) -> Result<Vec<i32>> {
        let (cond, params) = org_condition(access, 1);
        let rows = self.conn().query(
            &format!(
                "SELECT DISTINCT substr(a.period, 1, 4) FROM activity a JOIN orgs o ON o.credit_code = a.credit_code \
                 WHERE a.superseded_by IS NULL AND {cond} ORDER BY 1 DESC"
            ),
            &params,
        )?;
        Ok(rows.iter().filter_map(|r| r.text(0).parse().ok()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SqliteConn, Store};

    fn store() -> SqlStore<SqliteConn> {
        let mut s = SqlStore::new(SqliteConn::memory().unwrap());
        s.migrate().unwrap();
        s
    }

    fn new_user(name: &str, role: Role, scope: &str) -> NewUser {
        NewUser {
            username: name.into(),
            password_hash: "$argon2id$test".into(),
            role,
            scope: scope.into(),
        }
    }

    #[test]
    fn roles_map_to_access() {
        assert_eq!(Role::PlatformAdmin.access("").unwrap(), Access::All);
        assert_eq!(
            Role::RegionOfficer.access("CQ").unwrap(),
            Access::Region(Region::parse("CQ").unwrap())
        );
        assert_eq!(
            Role::ParkAdmin.access("两江示例园区").unwrap(),
            Access::Park("两江示例园区".into())
        );
        assert_eq!(
            Role::EnterpriseUser.access("91500112MA60CEM01B").unwrap(),
            Access::Org(CreditCode::parse("91500112MA60CEM01B").unwrap())
        );
        assert_eq!(Role::Verifier.access("").unwrap(), Access::All);
        assert_eq!(
            Role::EnterpriseUser
                .access("not a code")
                .unwrap_err()
                .to_string(),
            "not allowed: role enterprise_user needs a scope that is a credit code, got \"not a code\""
        );
        assert_eq!(
            Role::ParkAdmin.access(" ").unwrap_err().to_string(),
            "not allowed: role park_admin needs a scope that is a park name, got \"\""
        );
        assert!(!Role::Bank.can_write() && !Role::Verifier.can_write());
        for r in Role::ALL {
            assert_eq!(Role::parse(r.key()), Some(r));
        }
    }

    #[test]
    fn users_sessions_tokens_are_audited() {
        let mut s = store();
        let u = s
            .create_user(&new_user("ann", Role::ParkAdmin, "P1"), "cli:test")
            .unwrap();
        assert!(matches!(
            s.create_user(&new_user("ann", Role::Bank, ""), "cli:test"),
            Err(StoreError::Conflict(_))
        ));
        s.create_session("abc", u.id, 100).unwrap();
        assert_eq!(s.session_user("abc", 99).unwrap().unwrap().username, "ann");
        assert!(s.session_user("abc", 100).unwrap().is_none(), "expired");
        assert!(s.session_user("other", 1).unwrap().is_none());
        let t = s
            .create_api_token("tok", u.id, "meter gateway", "cli:test")
            .unwrap();
        assert_eq!(s.api_token_user("tok").unwrap().unwrap().id, u.id);
        s.revoke_api_token(t.id, "cli:test").unwrap();
        assert!(s.api_token_user("tok").unwrap().is_none());
        s.set_password("ann", "$argon2id$new", "cli:test").unwrap();
        assert!(s.session_user("abc", 1).unwrap().is_none(), "sessions end");
        let actions: Vec<String> = s
            .audit(20)
            .unwrap()
            .into_iter()
            .rev()
            .map(|a| format!("{} {} {}", a.actor, a.action, a.entity))
            .collect();
        assert_eq!(
            actions,
            [
                "cli:test create user",
                "user:ann login session",
                "cli:test create api_token",
                "cli:test revoke api_token",
                "cli:test set_password user",
            ]
        );
        assert_eq!(s.audit_by_actor("user:ann", 10).unwrap().len(), 1);
    }
}
