//! `zeropark assets ...` and `zeropark compliance ...`: the carbon asset registry
//! (allowances, CCER, local and carbon-inclusion credits) and compliance (履约) from the
//! command line. A refusal (units not available, offsets over the cap, an unknown
//! enterprise, kind or scheme) exits 2 with the reason on stderr.

use crate::ctx::{Fail, credit_code, finish, now};
use crate::output;
use clap::{Args, Subcommand};
use std::process::ExitCode;
use zp_app::assets::{AssetCatalog, Balance, ComplianceStatus, Op, Outcome, Pledge};
use zp_app::{Caller, Store};
use zp_domain::time::Date;

/// The units an operation takes: a kind, its vintage and a number of whole tonnes.
#[derive(Args)]
pub struct Lot {
    #[arg(long)]
    pub kind: String,
    #[arg(long)]
    pub vintage: i32,
    /// Whole tonnes.
    #[arg(long)]
    pub units: u64,
}

/// A compliance scheme and year: `--scheme S --year YYYY`.
#[derive(Args)]
pub struct SchemeYear {
    #[arg(long)]
    scheme: String,
    #[arg(long, value_parser = crate::args::year)]
    year: i32,
}

#[derive(Subcommand)]
pub enum AssetsCmd {
    /// Allocate a scheme's allowances for a year (cn-ets: cea, cq-pilot: cq-allowance; the
    /// vintage is the year).
    Allocate {
        #[command(flatten)]
        at: SchemeYear,
        #[arg(long)]
        org: String,
        /// Whole tonnes.
        #[arg(long)]
        units: u64,
    },
    /// Issue certified reductions or credits (ccer, cqcer, inclusion) to an account.
    Issue {
        #[command(flatten)]
        lot: Lot,
        #[arg(long)]
        org: String,
        /// The project the reductions come from.
        #[arg(long)]
        project: Option<String>,
    },
    /// Move available units to another account (blocks split as needed).
    Transfer {
        #[command(flatten)]
        lot: Lot,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// Pledge (质押) available units to a pledgee; prints the pledge id.
    Pledge {
        #[command(flatten)]
        lot: Lot,
        #[arg(long)]
        org: String,
        /// The pledgee, e.g. the lending bank.
        #[arg(long)]
        to: String,
    },
    /// Release a pledge: its units become available again.
    Release {
        #[arg(long)]
        pledge: u64,
    },
    /// Surrender (清缴) units for compliance in a scheme and year. Offsets beyond the
    /// scheme's cap are refused.
    Surrender {
        #[command(flatten)]
        at: SchemeYear,
        #[arg(long)]
        org: String,
        #[command(flatten)]
        lot: Lot,
    },
    /// Cancel (注销) units for a voluntary neutrality claim.
    Cancel {
        #[command(flatten)]
        lot: Lot,
        #[arg(long)]
        org: String,
        /// What the cancellation is for, e.g. "2024 年会碳中和".
        #[arg(long)]
        claim: String,
    },
    /// Holdings per kind and vintage: available, pledged, reserved, surrendered, cancelled.
    Balances {
        #[arg(long)]
        org: Option<String>,
    },
    /// Pledges, open and released.
    Pledges,
    /// Re-walk the hash chain, replay every event and check the invariants; exit 1 naming
    /// the first bad event.
    Verify,
    /// The kinds of units and the schemes, with each scheme's offset cap and its source.
    Kinds,
}

#[derive(Subcommand)]
pub enum ComplianceCmd {
    /// Enter a verifier's figure of an enterprise's emissions (核查结果), whole tCO2.
    SetVerified {
        #[command(flatten)]
        at: SchemeYear,
        #[arg(long)]
        org: String,
        #[arg(long)]
        tco2: u64,
    },
    /// Enter a scheme year's surrender deadline (清缴期限) from the authority's notice.
    SetDeadline {
        #[command(flatten)]
        at: SchemeYear,
        /// YYYY-MM-DD, inclusive.
        #[arg(long)]
        date: String,
    },
    /// Enterprises whose accounts for a year cross a scheme's inclusion threshold
    /// (national 26,000 tCO2e; Chongqing 13,000 tCO2e or about 5,000 tce, industry only).
    Coverage {
        #[command(flatten)]
        at: SchemeYear,
    },
    /// Verified emissions, surrendered allowances and offsets, offset cap, shortfall and
    /// status (compliant, short, late, unknown).
    Status {
        #[command(flatten)]
        at: SchemeYear,
        #[arg(long)]
        org: String,
        /// Judge lateness as of this day (default today, Asia/Shanghai).
        #[arg(long)]
        today: Option<Date>,
    },
}

/// `zeropark assets ...` on an open store, as `actor` (the CLI's audit name).
pub fn run(
    store: &mut dyn Store,
    actor: String,
    cmd: AssetsCmd,
    json: bool,
) -> anyhow::Result<ExitCode> {
    finish(assets(store, &Caller::operator(actor), cmd, json))
}

/// `zeropark compliance ...` on an open store, as `actor`.
pub fn run_compliance(
    store: &mut dyn Store,
    actor: String,
    cmd: ComplianceCmd,
    json: bool,
) -> anyhow::Result<ExitCode> {
    finish(compliance(store, &Caller::operator(actor), cmd, json))
}

/// Runs one registry operation and reports what it appended.
fn apply(store: &mut dyn Store, caller: &Caller, op: Op, json: bool) -> Result<(), Fail> {
    let out: Outcome = zp_app::assets::execute(store, caller, &op, now())?;
    let what = op.to_string();
    if json {
        output::json(&serde_json::json!({
            "operation": what,
            "event_ids": out.event_ids,
            "blocks": out.blocks,
            "pledge": out.pledge,
        }))?;
    } else {
        let events = match (out.event_ids.first(), out.event_ids.last()) {
            (Some(a), Some(b)) if a != b => format!("events {a}..{b}"),
            (Some(a), _) => format!("event {a}"),
            _ => "no event".into(),
        };
        match out.pledge {
            Some(p) if matches!(op, Op::Pledge { .. }) => println!("pledge {p}: {what} ({events})"),
            _ => println!("{what} ({events})"),
        }
    }
    Ok(())
}

fn assets(store: &mut dyn Store, caller: &Caller, cmd: AssetsCmd, json: bool) -> Result<(), Fail> {
    let op = match cmd {
        AssetsCmd::Allocate { at, org, units } => Op::Allocate {
            org: credit_code(&org, "--org")?,
            scheme: at.scheme,
            year: at.year,
            units,
        },
        AssetsCmd::Issue { lot, org, project } => Op::Issue {
            org: credit_code(&org, "--org")?,
            kind: lot.kind,
            vintage: lot.vintage,
            units: lot.units,
            project,
        },
        AssetsCmd::Transfer { lot, from, to } => Op::Transfer {
            from: credit_code(&from, "--from")?,
            to: credit_code(&to, "--to")?,
            kind: lot.kind,
            vintage: lot.vintage,
            units: lot.units,
        },
        AssetsCmd::Pledge { lot, org, to } => Op::Pledge {
            org: credit_code(&org, "--org")?,
            pledgee: to,
            kind: lot.kind,
            vintage: lot.vintage,
            units: lot.units,
        },
        AssetsCmd::Release { pledge } => Op::Release { pledge },
        AssetsCmd::Surrender { at, org, lot } => Op::Surrender {
            org: credit_code(&org, "--org")?,
            scheme: at.scheme,
            year: at.year,
            kind: lot.kind,
            vintage: lot.vintage,
            units: lot.units,
        },
        AssetsCmd::Cancel { lot, org, claim } => Op::Cancel {
            org: credit_code(&org, "--org")?,
            kind: lot.kind,
            vintage: lot.vintage,
            units: lot.units,
            claim,
        },
        AssetsCmd::Balances { org } => {
            let org = org.map(|o| credit_code(&o, "--org")).transpose()?;
            let rows = zp_app::assets::balances(store, caller, org.as_ref())?;
            return print_balances(&rows, json);
        }
        AssetsCmd::Pledges => {
            let rows = zp_app::assets::pledges(store, caller)?;
            return print_pledges(&rows, json);
        }
        AssetsCmd::Verify => {
            let s =
                zp_app::assets::verify(store).map_err(|e| Fail::Other(anyhow::anyhow!("{e}")))?;
            return Ok(output::either(json, &s, |s| {
                println!(
                    "asset log ok: {} events, {} blocks, {} open pledges, head {}",
                    s.events, s.blocks, s.open_pledges, s.head_hash
                )
            })?);
        }
        AssetsCmd::Kinds => return Ok(print_catalog(zp_app::assets::catalog(), json)?),
    };
    apply(store, caller, op, json)
}

fn print_catalog(c: &AssetCatalog, json: bool) -> anyhow::Result<()> {
    output::either(json, c, |c| {
        output::table_of(
            &["scheme", "allowance", "offsets", "offset cap", "source"],
            &c.schemes,
            |s| {
                vec![
                    s.code.clone(),
                    s.allowance_kind.clone(),
                    s.offset_kinds.join(", "),
                    s.offset_cap_percent
                        .map_or("-".into(), |p| format!("{p} %")),
                    s.offset_cap_source.clone(),
                ]
            },
        );
        println!();
        output::table_of(&["kind", "class", "name"], &c.kinds, |k| {
            vec![
                k.code.clone(),
                format!("{:?}", k.class).to_lowercase(),
                k.name.clone(),
            ]
        });
    })
}

fn print_balances(rows: &[Balance], json: bool) -> Result<(), Fail> {
    let headers = [
        "org",
        "kind",
        "vintage",
        "available_t",
        "pledged_t",
        "reserved_t",
        "surrendered_t",
        "cancelled_t",
    ];
    Ok(output::list(json, rows, &headers, |r| {
        vec![
            r.org.clone(),
            r.kind.clone(),
            r.vintage.to_string(),
            r.available.to_string(),
            r.pledged.to_string(),
            r.reserved.to_string(),
            r.surrendered.to_string(),
            r.cancelled.to_string(),
        ]
    })?)
}

fn print_pledges(rows: &[Pledge], json: bool) -> Result<(), Fail> {
    let headers = ["pledge", "org", "pledgee", "units of", "units_t", "state"];
    Ok(output::list(json, rows, &headers, |p| {
        vec![
            p.id.to_string(),
            p.owner.to_string(),
            p.pledgee.clone(),
            format!("{} {}", p.kind, p.vintage),
            p.units.to_string(),
            if p.released { "released" } else { "open" }.into(),
        ]
    })?)
}

fn compliance(
    store: &mut dyn Store,
    caller: &Caller,
    cmd: ComplianceCmd,
    json: bool,
) -> Result<(), Fail> {
    match cmd {
        ComplianceCmd::SetVerified { at, org, tco2 } => {
            let org = credit_code(&org, "--org")?;
            let op = Op::SetVerified {
                org,
                scheme: at.scheme,
                year: at.year,
                tco2,
            };
            apply(store, caller, op, json)
        }
        ComplianceCmd::SetDeadline { at, date } => {
            let SchemeYear { scheme, year } = at;
            apply(store, caller, Op::SetDeadline { scheme, year, date }, json)
        }
        ComplianceCmd::Coverage { at } => {
            let SchemeYear { scheme, year } = at;
            let rows = zp_app::assets::coverage(store, caller, &scheme, year)?;
            let headers = [
                "org",
                "name",
                "industry",
                "tco2",
                "energy_tce",
                "crosses",
                "why",
            ];
            output::list(json, &rows, &headers, |r| {
                vec![
                    r.org.clone(),
                    r.name.clone(),
                    r.industry.clone(),
                    output::num(r.tco2, 1),
                    output::num(r.energy_tce, 1),
                    if r.crosses { "yes" } else { "no" }.into(),
                    r.reasons.join("; "),
                ]
            })?;
            if !json && let Some(i) = zp_app::assets::catalog().scheme(&scheme) {
                println!("threshold: {}", i.inclusion_source);
            }
            Ok(())
        }
        ComplianceCmd::Status { at, org, today } => {
            let SchemeYear { scheme, year } = at;
            let org = credit_code(&org, "--org")?;
            let today = today.unwrap_or_else(|| zp_domain::time::local(now()).date());
            let s = zp_app::assets::compliance_status(store, caller, &scheme, &org, year, today)?;
            print_status(&s, json)
        }
    }
}

fn print_status(s: &ComplianceStatus, json: bool) -> Result<(), Fail> {
    Ok(output::either(json, s, print_status_text)?)
}

fn print_status_text(s: &ComplianceStatus) {
    let opt = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
    let rows = vec![
        vec!["verified_tco2".into(), opt(s.verified_tco2)],
        vec![
            "emissions source".into(),
            format!("{:?}", s.emissions_source).to_lowercase(),
        ],
        vec![
            "surrendered_allowances_t".into(),
            s.surrendered_allowances_t.to_string(),
        ],
        vec![
            "surrendered_offsets_t".into(),
            s.surrendered_offsets_t.to_string(),
        ],
        vec!["offset_cap_t".into(), opt(s.offset_cap_t)],
        vec!["offsets_counted_t".into(), s.offsets_counted_t.to_string()],
        vec!["shortfall_t".into(), opt(s.shortfall_t)],
        vec![
            "deadline".into(),
            s.deadline.clone().unwrap_or_else(|| "-".into()),
        ],
        vec!["status".into(), format!("{:?}", s.status).to_lowercase()],
    ];
    println!("{} {} {}", s.scheme, s.org, s.year);
    output::table(&["figure", "value"], &rows);
    println!("offset cap: {}", s.offset_cap_source);
}
