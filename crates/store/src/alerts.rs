//! Early warnings (预警) and the webhooks they are posted to. Migration `0019_energy_centre`
//! (which also gives meters their place in the meter tree: `parent`, `end_use`).
//!
//! An alert is keyed by what it is about (`budget/<org>/<year>/<month>`,
//! `meter/<meter>/<day>`): raising the same alert again changes nothing, so a check run
//! every hour records each warning once. A delivery row says an alert reached a webhook;
//! alerts without one are posted on the next run (at-least-once delivery).

use crate::base::{audit, org_condition};
use crate::conn::{Conn, Row};
use crate::{Access, Result, SqlStore, StoreError, now};
use serde::Serialize;

pub(crate) const ENERGY_CENTRE_MIGRATION: &str = r#"
ALTER TABLE meters ADD COLUMN parent TEXT NOT NULL DEFAULT '';
ALTER TABLE meters ADD COLUMN end_use TEXT NOT NULL DEFAULT '';
CREATE TABLE alerts (
    id {id},
    alert_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    credit_code TEXT NOT NULL REFERENCES orgs(credit_code),
    subject TEXT NOT NULL,
    day TEXT NOT NULL,
    message TEXT NOT NULL,
    detail TEXT NOT NULL,
    raised_by TEXT NOT NULL,
    raised_at TEXT NOT NULL
);
CREATE INDEX alerts_org ON alerts(credit_code);
CREATE TABLE webhooks (
    id {id},
    url TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE alert_deliveries (
    alert_id BIGINT NOT NULL REFERENCES alerts(id),
    webhook_id BIGINT NOT NULL REFERENCES webhooks(id),
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (alert_id, webhook_id)
);
"#;

/// A warning to record: `key` makes it unique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NewAlert {
    pub key: String,
    /// `budget` (the year-end forecast exceeds the budget) or `meter` (a meter departs
    /// from its own baseline).
    pub kind: String,
    pub credit_code: String,
    /// The meter, or the budget's year.
    pub subject: String,
    /// The day it concerns, `YYYY-MM-DD`.
    pub day: String,
    pub message: String,
    /// The figures behind it, as JSON.
    pub detail: String,
}

/// A recorded alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Alert {
    pub id: i64,
    #[serde(flatten)]
    pub alert: NewAlert,
    pub raised_at: String,
}

/// A webhook alerts are posted to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub created_by: String,
    pub created_at: String,
}

pub trait AlertStore {
    /// Records the alerts not recorded yet (audited); returns those newly recorded.
    fn record_alerts(&mut self, alerts: &[NewAlert], actor: &str) -> Result<Vec<Alert>>;
    /// The alerts of the enterprises `access` may see, newest first, at most `limit`.
    fn alerts(&mut self, access: &Access, limit: usize) -> Result<Vec<Alert>>;
    /// Adds a webhook (audited); an existing URL is a conflict.
    fn add_webhook(&mut self, url: &str, actor: &str) -> Result<Webhook>;
    fn webhooks(&mut self) -> Result<Vec<Webhook>>;
    /// Removes a webhook and its delivery rows (audited); false when there is none.
    fn remove_webhook(&mut self, id: i64, actor: &str) -> Result<bool>;
    /// Alerts not yet delivered to `webhook`, oldest first.
    fn undelivered(&mut self, webhook: i64) -> Result<Vec<Alert>>;
    fn mark_delivered(&mut self, alert: i64, webhook: i64) -> Result<()>;
}

const ALERT_COLS: &str = "a.id, a.alert_key, a.kind, a.credit_code, a.subject, a.day, a.message, \
     a.detail, a.raised_at";

fn alert_of(r: &Row) -> Alert {
    Alert {
        id: r.int(0),
        alert: NewAlert {
            key: r.text(1),
            kind: r.text(2),
            credit_code: r.text(3),
            subject: r.text(4),
            day: r.text(5),
            message: r.text(6),
            detail: r.text(7),
        },
        raised_at: r.text(8),
    }
}

fn webhook_of(r: &Row) -> Webhook {
    Webhook {
        id: r.int(0),
        url: r.text(1),
        created_by: r.text(2),
        created_at: r.text(3),
    }
}

fn alert_by_key(c: &mut dyn Conn, key: &str) -> Result<Option<Alert>> {
    Ok(c.query(
        &format!("SELECT {ALERT_COLS} FROM alerts a WHERE a.alert_key = $1"),
        &[key.into()],
    )?
    .first()
    .map(alert_of))
}

impl<C: Conn> AlertStore for SqlStore<C> {
    fn record_alerts(&mut self, alerts: &[NewAlert], actor: &str) -> Result<Vec<Alert>> {
        self.transaction(|c| {
            let mut new = Vec::new();
            for a in alerts {
                if alert_by_key(c, &a.key)?.is_some() {
                    continue;
                }
                c.execute(
                    "INSERT INTO alerts (alert_key, kind, credit_code, subject, day, message, detail, raised_by, raised_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &[a.key.as_str().into(), a.kind.as_str().into(), a.credit_code.as_str().into(), a.subject.as_str().into(), a.day.as_str().into(), a.message.as_str().into(), a.detail.as_str().into(), actor.into(), now().into()],
                )?;
                audit(c, actor, "raise", "alert", &a.key, None, Some(a.message.clone()))?;
                new.extend(alert_by_key(c, &a.key)?);
            }
            Ok(new)
        })
    }

    fn alerts(&mut self, access: &Access, limit: usize) -> Result<Vec<Alert>> {
        let (cond, params) = org_condition(access, 1);
        let sql = format!(
            "SELECT {ALERT_COLS} FROM alerts a JOIN orgs o ON o.credit_code = a.credit_code \
             WHERE {cond} ORDER BY a.id DESC LIMIT {limit}"
        );
        Ok(self
            .conn()
            .query(&sql, &params)?
            .iter()
            .map(alert_of)
            .collect())
    }

    fn add_webhook(&mut self, url: &str, actor: &str) -> Result<Webhook> {
        self.transaction(|c| {
            if !c
                .query("SELECT id FROM webhooks WHERE url = $1", &[url.into()])?
                .is_empty()
            {
                return Err(StoreError::Conflict(format!("webhook {url} already exists")));
            }
            let id = c.query(
                "INSERT INTO webhooks (url, created_by, created_at) VALUES ($1, $2, $3) RETURNING id",
                &[url.into(), actor.into(), now().into()],
            )?[0]
                .int(0);
            audit(c, actor, "create", "webhook", &id.to_string(), None, Some(url.to_string()))?;
            let row = c.query(
                "SELECT id, url, created_by, created_at FROM webhooks WHERE id = $1",
                &[id.into()],
            )?;
            Ok(webhook_of(&row[0]))
        })
    }

    fn webhooks(&mut self) -> Result<Vec<Webhook>> {
        Ok(self
            .conn()
            .query(
                "SELECT id, url, created_by, created_at FROM webhooks ORDER BY id",
                &[],
            )?
            .iter()
            .map(webhook_of)
            .collect())
    }

    fn remove_webhook(&mut self, id: i64, actor: &str) -> Result<bool> {
        self.transaction(|c| {
            let found = c.query("SELECT url FROM webhooks WHERE id = $1", &[id.into()])?;
            let Some(row) = found.first() else {
                return Ok(false);
            };
            let url = row.text(0);
            c.execute(
                "DELETE FROM alert_deliveries WHERE webhook_id = $1",
                &[id.into()],
            )?;
            c.execute("DELETE FROM webhooks WHERE id = $1", &[id.into()])?;
            audit(
                c,
                actor,
                "delete",
                "webhook",
                &id.to_string(),
                Some(url),
                None,
            )?;
            Ok(true)
        })
    }

    fn undelivered(&mut self, webhook: i64) -> Result<Vec<Alert>> {
        Ok(self
            .conn()
            .query(
                &format!(
                    "SELECT {ALERT_COLS} FROM alerts a WHERE NOT EXISTS \
                     (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id AND d.webhook_id = $1) \
                     ORDER BY a.id"
                ),
                &[webhook.into()],
            )?
            .iter()
            .map(alert_of)
            .collect())
    }

    fn mark_delivered(&mut self, alert: i64, webhook: i64) -> Result<()> {
        self.transaction(|c| {
            c.execute(
                "INSERT INTO alert_deliveries (alert_id, webhook_id, delivered_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (alert_id, webhook_id) DO NOTHING",
                &[alert.into(), webhook.into(), now().into()],
            )?;
            Ok(())
        })
    }
}
