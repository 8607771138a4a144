//! `zeropark inclusion ...`: carbon inclusion (碳普惠) from the command line: the
//! methodologies with their parameters and sources, participants, action imports,
//! issuance of whole-tonne credits into the asset registry, accounts and redemption. A
//! refusal (an unknown participant or methodology, more than available) exits 2 with the
//! reason on stderr.

use crate::ctx::{Fail, credit_code, finish, now};
use crate::output;
use clap::{Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use zp_app::inclusion::{self as uc, Account, IssueReport, Participant};
use zp_app::{Caller, Store};

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    Person,
    Sme,
}

#[derive(Subcommand)]
pub enum InclusionCmd {
    /// The methodologies: formula, activity unit, every parameter with value, unit and
    /// source; illustrative values marked.
    Methodologies,
    /// Register (or rename) a participant: a person or an SME, with the enterprise whose
    /// registry account receives its credits.
    Join {
        #[arg(long)]
        participant: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        kind: KindArg,
        /// Credit code of the enterprise whose account receives the credits.
        #[arg(long)]
        org: Option<String>,
    },
    /// Import action records: CSV or XLSX `participant,methodology,date,quantity,unit`.
    Import { file: PathBuf },
    /// Compute the year's reductions and issue the credits (whole tonnes, remainder
    /// carried); a year already issued issues nothing new.
    Issue {
        #[arg(long)]
        year: i32,
    },
    /// Participants' accounts: reductions, credits issued, redeemed, carried.
    Accounts {
        #[arg(long)]
        participant: Option<String>,
    },
    /// Redeem credits for a reward: cancelled in the registry, oldest vintage first.
    Redeem {
        #[arg(long)]
        participant: String,
        #[arg(long)]
        units: u64,
    },
}

/// `zeropark inclusion ...` on an open store, as `actor` (the CLI's audit name).
pub fn run(
    store: &mut dyn Store,
    actor: String,
    cmd: InclusionCmd,
    json: bool,
) -> anyhow::Result<ExitCode> {
    finish(inclusion(store, &Caller::operator(actor), cmd, json))
}

fn inclusion(
    store: &mut dyn Store,
    caller: &Caller,
    cmd: InclusionCmd,
    json: bool,
) -> Result<(), Fail> {
    match cmd {
        InclusionCmd::Methodologies => Ok(output::either(json, uc::methodologies(), |m| {
            println!(
                "{} ({}, grid factor of {})",
                m.programme, m.version, m.region
            );
            for x in &m.methodologies {
                println!(
                    "\n{} {} / {} [{}]",
                    x.code, x.name, x.name_en, x.activity_unit
                );
                println!("  {}", x.formula);
                output::table_of(
                    &["parameter", "value", "unit", "source"],
                    &x.parameters,
                    |p| {
                        let value = match (&p.value, &p.from) {
                            (Some(v), _) => v.to_string(),
                            (None, Some(f)) => format!("({f} factor of the year)"),
                            _ => String::new(),
                        };
                        let mark = if p.illustrative {
                            " 示意 (illustrative)"
                        } else {
                            ""
                        };
                        vec![
                            p.name.clone(),
                            format!("{value}{mark}"),
                            p.unit.clone(),
                            p.source.clone(),
                        ]
                    },
                );
            }
        })?),
        InclusionCmd::Join {
            participant,
            name,
            kind,
            org,
        } => {
            let p = Participant {
                id: participant,
                name,
                kind: match kind {
                    KindArg::Person => "person".into(),
                    KindArg::Sme => "sme".into(),
                },
                credit_code: org.map(|o| credit_code(&o, "--org")).transpose()?,
            };
            let u = uc::join(store, caller, &p)?;
            Ok(output::either(
                json,
                &serde_json::json!({"participant": p, "change": format!("{u:?}").to_lowercase()}),
                |_| println!("participant {} ({}): {u:?}", p.id, p.name),
            )?)
        }
        InclusionCmd::Import { file } => {
            let table = zp_app::read_table(&file, zp_app::Limits::default())
                .map_err(|e| Fail::Refused(e.to_string()))?;
            let r = uc::import_actions(store, caller, &table)?;
            Ok(output::either(json, &r, |r| {
                println!("{}", output::import_summary(&file, &r.counts));
                output::table_of(&["row", "field", "reason"], &r.rejected, |q| {
                    vec![q.row.to_string(), q.field.clone(), q.reason.clone()]
                });
            })?)
        }
        InclusionCmd::Issue { year } => {
            let r = uc::issue(store, caller, year, now())?;
            Ok(output::either(json, &r, print_issue)?)
        }
        InclusionCmd::Accounts { participant } => {
            let rows = uc::accounts(store, caller, participant.as_deref())?;
            Ok(output::either(json, &rows, |rows| print_accounts(rows))?)
        }
        InclusionCmd::Redeem { participant, units } => {
            let r = uc::redeem(store, caller, &participant, units, now())?;
            Ok(output::either(json, &r, |r| {
                let v: Vec<String> = r
                    .vintages
                    .iter()
                    .map(|(y, n)| format!("{n} t of {y}"))
                    .collect();
                println!(
                    "{} redeemed {} t from {}'s account: {}",
                    r.participant,
                    r.units,
                    r.org,
                    v.join(", ")
                );
            })?)
        }
    }
}

fn print_issue(r: &IssueReport) {
    println!(
        "{}: {} t issued (grid factor {}, methodologies {}); {} line(s) issued before, nothing new for them",
        r.year, r.credits_t, r.grid_factor_id, r.methodology_version, r.already_issued
    );
    output::table_of(
        &[
            "participant",
            "methodology",
            "activity",
            "reduction_kgco2e",
            "carried_in_kg",
            "credits_t",
            "carried_kg",
            "account",
        ],
        &r.lines,
        |l| {
            vec![
                l.participant.clone(),
                format!(
                    "{}{}",
                    l.methodology,
                    if l.illustrative { " (示意)" } else { "" }
                ),
                format!("{} {}", l.activity, l.activity_unit),
                l.reduction_kgco2e.to_string(),
                l.carried_in_kgco2e.to_string(),
                l.credits_t.to_string(),
                l.carried_kgco2e.to_string(),
                l.org.clone().unwrap_or_else(|| "none: carried".into()),
            ]
        },
    );
}

fn print_accounts(rows: &[Account]) {
    output::table_of(
        &[
            "participant",
            "name",
            "kind",
            "account",
            "reduction_kgco2e",
            "issued_t",
            "redeemed_t",
            "available_t",
            "carried_kg",
        ],
        rows,
        |a| {
            vec![
                a.participant.clone(),
                a.name.clone(),
                a.kind.clone(),
                a.org.clone().unwrap_or_default(),
                a.reduction_kgco2e.to_string(),
                a.issued_t.to_string(),
                a.redeemed_t.to_string(),
                a.available_t.to_string(),
                a.carried_kgco2e.to_string(),
            ]
        },
    );
}
