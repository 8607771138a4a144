//! Storage of carbon inclusion (碳普惠): participants, their measured actions (imported
//! records, one per participant, methodology and day), the issuances per participant,
//! methodology and year with their lineage, and redemptions. Migration `0020_inclusion`.
//!
//! Tenancy: a participant is seen through the enterprise whose registry account receives
//! its credits (`credit_code`); a participant without one is seen by unscoped callers only.
//! Actions of an issued year are final: a record for such a day is quarantined, so an
//! issuance never changes after the fact and is never issued twice.

use crate::base::{
    audit, audit_import, audit_upsert, dec, insert_batch, insert_quarantine, org_condition,
    parse_dec, write_row,
};
use crate::conn::{Conn, Row};
use crate::{Access, Result, SqlStore, StoreError, Upsert, now};
use rust_decimal::Decimal;
use serde::Serialize;
use zp_domain::CreditCode;
use zp_domain::records::{BatchMeta, ImportCounts, Rejected};
use zp_domain::template::write;

/// The reasons the store quarantines an action record with, as `(code, template)` pairs
/// (issue 14: a page recognises the code and writes the reason in its language).
pub const INCLUSION_REASONS_EN: &[(&str, &str)] = &[
    (
        "inclusion.recorded",
        "{participant} {methodology} on {day} is already recorded as {quantity}; a correction is not accepted once recorded",
    ),
    (
        "inclusion.issued",
        "{participant} {methodology}: the year {year} is already issued; its records are final",
    ),
    (
        "inclusion.twice",
        "{participant} {methodology} on {day} appears twice in the file ({first} and {second})",
    ),
];

pub(crate) const INCLUSION_MIGRATION: &str = r#"
CREATE TABLE inclusion_participants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    credit_code TEXT REFERENCES orgs(credit_code),
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE inclusion_actions (
    participant TEXT NOT NULL REFERENCES inclusion_participants(id),
    methodology TEXT NOT NULL,
    day TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit TEXT NOT NULL,
    batch_id BIGINT NOT NULL,
    PRIMARY KEY (participant, methodology, day)
);
CREATE TABLE inclusion_issuances (
    participant TEXT NOT NULL REFERENCES inclusion_participants(id),
    methodology TEXT NOT NULL,
    year BIGINT NOT NULL,
    activity TEXT NOT NULL,
    reduction_kgco2e TEXT NOT NULL,
    carried_in_kgco2e TEXT NOT NULL,
    credits_t BIGINT NOT NULL,
    carried_kgco2e TEXT NOT NULL,
    credit_code TEXT,
    detail TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    PRIMARY KEY (participant, methodology, year)
);
CREATE TABLE inclusion_redemptions (
    id {id},
    participant TEXT NOT NULL REFERENCES inclusion_participants(id),
    vintage BIGINT NOT NULL,
    units BIGINT NOT NULL,
    claim TEXT NOT NULL,
    redeemed_by TEXT NOT NULL,
    redeemed_at TEXT NOT NULL
);
"#;

/// A participant of the programme: a person or an SME.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Participant {
    pub id: String,
    pub name: String,
    /// `person` or `sme`.
    pub kind: String,
    /// The enterprise whose registry account receives the credits.
    pub credit_code: Option<CreditCode>,
}

/// One measured action: a quantity of a methodology's activity on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InclusionAction {
    pub participant: String,
    pub methodology: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    pub quantity: Decimal,
    pub unit: String,
}

/// One issuance: a participant's year under one methodology.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InclusionIssuance {
    pub participant: String,
    pub methodology: String,
    pub year: i32,
    pub activity: Decimal,
    pub reduction_kgco2e: Decimal,
    pub carried_in_kgco2e: Decimal,
    pub credits_t: u64,
    pub carried_kgco2e: Decimal,
    pub credit_code: Option<CreditCode>,
    /// The lineage as JSON: parameters, their sources and factor ids, methodology version.
    pub detail: String,
}

/// A redemption (兑换): credits of a vintage cancelled for a reward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InclusionRedemption {
    pub participant: String,
    pub vintage: i32,
    pub units: u64,
    pub claim: String,
}

pub trait InclusionStore {
    /// Registers or renames a participant (audited).
    fn upsert_participant(&mut self, p: &Participant, actor: &str) -> Result<Upsert>;
    /// The participants `access` may see, by id.
    fn participants(&mut self, access: &Access) -> Result<Vec<Participant>>;
    /// Stores validated actions (file row, action) with the rows validation rejected, in
    /// one transaction: an equal record is a duplicate, a different quantity for a stored
    /// day or a day of an issued year is quarantined. Returns the counts and every
    /// quarantined row.
    fn import_inclusion_actions(
        &mut self,
        meta: &BatchMeta,
        read: usize,
        rows: &[(i64, String, InclusionAction)],
        rejected: Vec<Rejected>,
    ) -> Result<(ImportCounts, Vec<Rejected>)>;
    /// Actions of the participants `access` may see, optionally of one year.
    fn inclusion_actions(
        &mut self,
        access: &Access,
        year: Option<i32>,
    ) -> Result<Vec<InclusionAction>>;
    /// Records issuances (audited, one transaction); a row already stored is a conflict.
    fn record_inclusion_issuances(&mut self, rows: &[InclusionIssuance], actor: &str)
    -> Result<()>;
    /// Issuances of the participants `access` may see, by participant, methodology, year.
    fn inclusion_issuances(&mut self, access: &Access) -> Result<Vec<InclusionIssuance>>;
    /// Records a redemption (audited).
    fn record_inclusion_redemption(&mut self, r: &InclusionRedemption, actor: &str) -> Result<()>;
    /// Redemptions of the participants `access` may see.
    fn inclusion_redemptions(&mut self, access: &Access) -> Result<Vec<InclusionRedemption>>;
}

fn code_of(s: Option<String>) -> Result<Option<CreditCode>> {
    s.map(|c| {
        CreditCode::parse(&c)
            .map_err(|e| StoreError::Corrupt(format!("participant credit code: {e}")))
    })
    .transpose()
}

fn participant_of(r: &Row) -> Result<Participant> {
    Ok(Participant {
        id: r.text(0),
        name: r.text(1),
        kind: r.text(2),
        credit_code: code_of(r.opt_text(3))?,
    })
}

fn participant_text(p: &Participant) -> String {
    format!(
        "name={} kind={} org={}",
        p.name,
        p.kind,
        p.credit_code.as_ref().map(|c| c.as_str()).unwrap_or("")
    )
}

/// The join and condition that scope a table with a `participant` column.
fn scoped(access: &Access, n: usize) -> (String, Vec<crate::conn::Value>) {
    let (cond, params) = org_condition(access, n);
    (
        format!(
            "JOIN inclusion_participants ip ON ip.id = x.participant \
             LEFT JOIN orgs o ON o.credit_code = ip.credit_code WHERE {cond}"
        ),
        params,
    )
}

fn issued_year(c: &mut dyn Conn, participant: &str, methodology: &str, year: i32) -> Result<bool> {
    Ok(!c
        .query(
            "SELECT 1 FROM inclusion_issuances WHERE participant = $1 AND methodology = $2 AND year = $3",
            &[participant.into(), methodology.into(), i64::from(year).into()],
        )?
        .is_empty())
}

fn year_of(day: &str) -> i32 {
    day.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)
}

/// One action row against what is stored: `Ok(true)` new, `Ok(false)` duplicate,
/// `Err(reason)` quarantined.
fn check_action(
    c: &mut dyn Conn,
    a: &InclusionAction,
) -> Result<std::result::Result<bool, String>> {
    let stored = c.query(
        "SELECT quantity FROM inclusion_actions WHERE participant = $1 AND methodology = $2 AND day = $3",
        &[a.participant.as_str().into(), a.methodology.as_str().into(), a.day.as_str().into()],
    )?;
    if let Some(r) = stored.first() {
        let q = parse_dec(&r.text(0))?;
        return Ok(if q == a.quantity {
            Ok(false)
        } else {
            Err(write(
                INCLUSION_REASONS_EN,
                "inclusion.recorded",
                &[
                    ("participant", &a.participant),
                    ("methodology", &a.methodology),
                    ("day", &a.day),
                    ("quantity", &q.to_string()),
                ],
            ))
        });
    }
    if issued_year(c, &a.participant, &a.methodology, year_of(&a.day))? {
        return Ok(Err(write(
            INCLUSION_REASONS_EN,
            "inclusion.issued",
            &[
                ("participant", &a.participant),
                ("methodology", &a.methodology),
                ("year", &year_of(&a.day).to_string()),
            ],
        )));
    }
    Ok(Ok(true))
}

fn issuance_of(r: &Row) -> Result<InclusionIssuance> {
    Ok(InclusionIssuance {
        participant: r.text(0),
        methodology: r.text(1),
        year: r.int(2) as i32,
        activity: parse_dec(&r.text(3))?,
        reduction_kgco2e: parse_dec(&r.text(4))?,
        carried_in_kgco2e: parse_dec(&r.text(5))?,
        credits_t: r.int(6) as u64,
        carried_kgco2e: parse_dec(&r.text(7))?,
        credit_code: code_of(r.opt_text(8))?,
        detail: r.text(9),
    })
}

impl<C: Conn> InclusionStore for SqlStore<C> {
    fn upsert_participant(&mut self, p: &Participant, actor: &str) -> Result<Upsert> {
        self.transaction(|c| {
            if let Some(code) = &p.credit_code
                && c.query("SELECT 1 FROM orgs WHERE credit_code = $1", &[code.as_str().into()])?.is_empty()
            {
                return Err(StoreError::Conflict(format!(
                    "participant {}: no enterprise {code} (import it first)",
                    p.id
                )));
            }
            let before = c
                .query(
                    "SELECT id, name, kind, credit_code FROM inclusion_participants WHERE id = $1",
                    &[p.id.as_str().into()],
                )?
                .first()
                .map(participant_of)
                .transpose()?;
            let params = [
                p.id.as_str().into(),
                p.name.as_str().into(),
                p.kind.as_str().into(),
                p.credit_code.as_ref().map(|c| c.as_str().to_string()).into(),
                actor.into(),
                now().into(),
            ];
            let upsert = match &before {
                Some(b) if participant_text(b) == participant_text(p) => return Ok(Upsert::Unchanged),
                _ => write_row(
                    c,
                    before.is_some(),
                    "UPDATE inclusion_participants SET name = $2, kind = $3, credit_code = $4, \
                         updated_by = $5, updated_at = $6 WHERE id = $1",
                    "INSERT INTO inclusion_participants (id, name, kind, credit_code, updated_by, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    &params,
                )?,
            };
            audit_upsert(
                c,
                actor,
                upsert,
                "inclusion_participant",
                &p.id,
                before.as_ref().map(participant_text),
                Some(participant_text(p)),
            )?;
            Ok(upsert)
        })
    }

    fn participants(&mut self, access: &Access) -> Result<Vec<Participant>> {
        let (cond, params) = org_condition(access, 1);
        self.conn()
            .query(
                &format!(
                    "SELECT ip.id, ip.name, ip.kind, ip.credit_code FROM inclusion_participants ip \
                     LEFT JOIN orgs o ON o.credit_code = ip.credit_code WHERE {cond} ORDER BY ip.id"
                ),
                &params,
            )?
            .iter()
            .map(participant_of)
            .collect()
    }

    fn import_inclusion_actions(
        &mut self,
        meta: &BatchMeta,
        read: usize,
        rows: &[(i64, String, InclusionAction)],
        mut rejected: Vec<Rejected>,
    ) -> Result<(ImportCounts, Vec<Rejected>)> {
        self.transaction(|c| {
            let mut fresh: Vec<&InclusionAction> = Vec::new();
            let mut duplicates = 0;
            for (row, raw, a) in rows {
                // A day repeated in the file counts against its first line.
                let earlier = fresh.iter().find(|f| {
                    (&f.participant, &f.methodology, &f.day) == (&a.participant, &a.methodology, &a.day)
                });
                let verdict = match earlier {
                    Some(f) if f.quantity == a.quantity => Ok(false),
                    Some(f) => Err(write(
                        INCLUSION_REASONS_EN,
                        "inclusion.twice",
                        &[
                            ("participant", &a.participant),
                            ("methodology", &a.methodology),
                            ("day", &a.day),
                            ("first", &f.quantity.to_string()),
                            ("second", &a.quantity.to_string()),
                        ],
                    )),
                    None => check_action(c, a)?,
                };
                match verdict {
                    Ok(true) => fresh.push(a),
                    Ok(false) => duplicates += 1,
                    Err(reason) => rejected.push(Rejected {
                        row: *row,
                        field: "quantity".into(),
                        reason,
                        raw: raw.clone(),
                    }),
                }
            }
            rejected.sort_by_key(|r| r.row);
            let mut counts = ImportCounts::of(read, rejected.len());
            counts.duplicates = duplicates;
            let batch = insert_batch(c, meta, &counts)?;
            for a in fresh {
                c.execute(
                    "INSERT INTO inclusion_actions (participant, methodology, day, quantity, unit, batch_id) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        a.participant.as_str().into(),
                        a.methodology.as_str().into(),
                        a.day.as_str().into(),
                        dec(a.quantity).into(),
                        a.unit.as_str().into(),
                        batch.into(),
                    ],
                )?;
            }
            insert_quarantine(c, batch, meta, &rejected)?;
            audit_import(c, meta, &counts)?;
            Ok((counts, rejected))
        })
    }

    fn inclusion_actions(
        &mut self,
        access: &Access,
        year: Option<i32>,
    ) -> Result<Vec<InclusionAction>> {
        let (join, mut params) = scoped(access, 1);
        let year_cond = match year {
            Some(y) => {
                params.push(format!("{y}-%").into());
                format!(" AND x.day LIKE ${}", params.len())
            }
            None => String::new(),
        };
        self.conn()
            .query(
                &format!(
                    "SELECT x.participant, x.methodology, x.day, x.quantity, x.unit FROM inclusion_actions x \
                     {join}{year_cond} ORDER BY x.participant, x.methodology, x.day"
                ),
                &params,
            )?
            .iter()
            .map(|r| {
                Ok(InclusionAction {
                    participant: r.text(0),
                    methodology: r.text(1),
                    day: r.text(2),
                    quantity: parse_dec(&r.text(3))?,
                    unit: r.text(4),
                })
            })
            .collect()
    }

    fn record_inclusion_issuances(
        &mut self,
        rows: &[InclusionIssuance],
        actor: &str,
    ) -> Result<()> {
        self.transaction(|c| {
            for i in rows {
                if issued_year(c, &i.participant, &i.methodology, i.year)? {
                    return Err(StoreError::Conflict(format!(
                        "{} {} {} is already issued",
                        i.participant, i.methodology, i.year
                    )));
                }
                c.execute(
                    "INSERT INTO inclusion_issuances (participant, methodology, year, activity, reduction_kgco2e, \
                     carried_in_kgco2e, credits_t, carried_kgco2e, credit_code, detail, issued_by, issued_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                    &[
                        i.participant.as_str().into(),
                        i.methodology.as_str().into(),
                        i64::from(i.year).into(),
                        dec(i.activity).into(),
                        dec(i.reduction_kgco2e).into(),
                        dec(i.carried_in_kgco2e).into(),
                        (i.credits_t as i64).into(),
                        dec(i.carried_kgco2e).into(),
                        i.credit_code.as_ref().map(|c| c.as_str().to_string()).into(),
                        i.detail.as_str().into(),
                        actor.into(),
                        now().into(),
                    ],
                )?;
                audit(
                    c,
                    actor,
                    "issue",
                    "inclusion_issuance",
                    &format!("{}/{}/{}", i.participant, i.methodology, i.year),
                    None,
                    Some(format!(
                        "reduction_kgco2e={} carried_in={} credits_t={} carried={}",
                        dec(i.reduction_kgco2e),
                        dec(i.carried_in_kgco2e),
                        i.credits_t,
                        dec(i.carried_kgco2e)
                    )),
                )?;
            }
            Ok(())
        })
    }

    fn inclusion_issuances(&mut self, access: &Access) -> Result<Vec<InclusionIssuance>> {
        let (join, params) = scoped(access, 1);
        self.conn()
            .query(
                &format!(
                    "SELECT x.participant, x.methodology, x.year, x.activity, x.reduction_kgco2e, \
                     x.carried_in_kgco2e, x.credits_t, x.carried_kgco2e, x.credit_code, x.detail \
                     FROM inclusion_issuances x {join} ORDER BY x.participant, x.methodology, x.year"
                ),
                &params,
            )?
            .iter()
            .map(issuance_of)
            .collect()
    }

    fn record_inclusion_redemption(&mut self, r: &InclusionRedemption, actor: &str) -> Result<()> {
        self.transaction(|c| {
            c.execute(
                "INSERT INTO inclusion_redemptions (participant, vintage, units, claim, redeemed_by, redeemed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    r.participant.as_str().into(),
                    i64::from(r.vintage).into(),
                    (r.units as i64).into(),
                    r.claim.as_str().into(),
                    actor.into(),
                    now().into(),
                ],
            )?;
            audit(
                c,
                actor,
                "redeem",
                "inclusion_redemption",
                &r.participant,
                None,
                Some(format!("vintage={} units={} claim={}", r.vintage, r.units, r.claim)),
            )
        })
    }

    fn inclusion_redemptions(&mut self, access: &Access) -> Result<Vec<InclusionRedemption>> {
        let (join, params) = scoped(access, 1);
        self.conn()
            .query(
                &format!(
                    "SELECT x.participant, x.vintage, x.units, x.claim FROM inclusion_redemptions x {join} \
                     ORDER BY x.id"
                ),
                &params,
            )?
            .iter()
            .map(|r| {
                Ok(InclusionRedemption {
                    participant: r.text(0),
                    vintage: r.int(1) as i32,
                    units: r.int(2) as u64,
                    claim: r.text(3),
                })
            })
            .collect()
    }
}
