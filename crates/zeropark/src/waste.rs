//! `zeropark calendar ...`, `zeropark waste ...` and `zeropark report waste`: the working-day
//! calendar and hazardous waste transfers across provincial borders from the command line.
//! A refusal (a check that fails, a decision out of turn, a day the calendar does not
//! cover) exits 2 with the reason on stderr.

use crate::ctx::{Fail, credit_code, finish};
use crate::output;
use clap::{Args, Subcommand};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zp_app::waste::{
    self as uc, ApplicationView, ManifestView, NewApplication, NewManifest, Purpose, Side, Verdict,
};
use zp_app::{Caller, ImportError, Store};
use zp_domain::Region;
use zp_domain::time::Date;

#[derive(Subcommand)]
pub enum CalendarCmd {
    /// The N-th working day after --from (counting starts the day after; make-up working
    /// days count, holidays do not).
    AddWorkingDays {
        #[arg(long)]
        from: Date,
        #[arg(long)]
        days: u32,
    },
    /// Whether a day is a working day, and the holiday or make-up day it is.
    IsWorkingDay { date: Date },
}

#[derive(Args)]
pub struct WasteArgs {
    /// Approval periods and manifest tolerance (TOML of the shape of
    /// crates/waste/data/transfer-rules.toml; default: the shipped rules).
    #[arg(long, global = true)]
    pub rules: Option<PathBuf>,
    #[command(subcommand)]
    pub cmd: WasteCmd,
}

#[derive(Subcommand)]
pub enum WasteCmd {
    /// Submit a cross-province transfer application; prints id, whitelisted, due_date.
    Apply {
        /// Generator's credit code.
        #[arg(long)]
        generator: String,
        /// Receiver's credit code.
        #[arg(long)]
        receiver: String,
        /// Hazardous waste code, e.g. 900-249-08.
        #[arg(long)]
        code: String,
        #[arg(long)]
        tonnes: Decimal,
        #[arg(long)]
        from_province: String,
        #[arg(long)]
        to_province: String,
        /// Submission day.
        #[arg(long)]
        submitted: Date,
        /// Last day of the planned transfer period (default 31 December).
        #[arg(long)]
        planned_to: Option<Date>,
        #[arg(long, default_value = "road")]
        transport: String,
        /// utilise (利用) or dispose (处置).
        #[arg(long, default_value = "dispose")]
        purpose: String,
    },
    /// One province's decision: --approve or --reject REASON.
    Decide {
        #[arg(long)]
        id: i64,
        /// export (移出地) or import (接受地).
        #[arg(long)]
        side: String,
        #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
        approve: bool,
        #[arg(long)]
        reject: Option<String>,
        #[arg(long)]
        date: Date,
    },
    /// An application's status, due date, working days taken and overdue flag.
    Status {
        #[arg(long)]
        id: i64,
        /// Judge overdue as of this day (default today, Asia/Shanghai).
        #[arg(long)]
        today: Option<Date>,
    },
    /// Applications, optionally of one submission year.
    List {
        #[arg(long)]
        year: Option<i32>,
    },
    /// Electronic manifests (联单): ship, receive, list.
    #[command(subcommand)]
    Manifest(ManifestCmd),
    /// Import receivers' permits:
    /// permit_no,holder,province,codes,capacity_t,valid_from,valid_to,source.
    ImportPermits { file: PathBuf },
    /// Import whitelist entries: agreement,from_province,to_province,generator,receiver,
    /// codes,yearly_cap_t,valid_from,valid_to,source.
    ImportWhitelist { file: PathBuf },
    /// Import generators' declared wastes (产废单位申报): generator,code,annual_t,year,source
    /// (one 8-digit code per row; `waste apply` then checks the year's tonnes against it).
    ImportDeclarations { file: PathBuf },
    /// Codes of the National Hazardous Waste List (2021), optionally of one category.
    Codes {
        #[arg(long)]
        category: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ManifestCmd {
    /// The generator hands a shipment to the transporters; prints the manifest id.
    Ship {
        /// Application id.
        #[arg(long)]
        id: i64,
        #[arg(long)]
        tonnes: Decimal,
        #[arg(long)]
        date: Date,
        /// Transporter, in order (repeat for several).
        #[arg(long, required = true)]
        transporter: Vec<String>,
    },
    /// The receiver signs with the weighed tonnes; prints received_tonnes and the
    /// discrepancy flag.
    Receive {
        #[arg(long)]
        manifest: i64,
        #[arg(long)]
        tonnes: Decimal,
        #[arg(long)]
        date: Date,
    },
    /// Manifests of an application.
    List {
        #[arg(long)]
        id: i64,
    },
}

fn today() -> Date {
    jiff::Zoned::now()
        .with_time_zone(zp_domain::time::cst())
        .date()
}

fn region(s: &str, flag: &str) -> Result<Region, Fail> {
    Region::parse(s).map_err(|e| Fail::Refused(format!("{flag}: {e}")))
}

fn refused(e: impl std::fmt::Display) -> Fail {
    Fail::Refused(e.to_string())
}

/// `zeropark calendar ...` (needs no database).
pub fn calendar(cmd: CalendarCmd, json: bool) -> anyhow::Result<ExitCode> {
    finish((|| {
        match cmd {
            CalendarCmd::AddWorkingDays { from, days } => {
                let date = uc::add_working_days(from, days)?;
                output::either(json, &serde_json::json!({ "date": date }), |_| {
                    println!("{date}");
                })?;
            }
            CalendarCmd::IsWorkingDay { date } => {
                let d = uc::day(date)?;
                if json {
                    output::json(&d)?;
                } else {
                    let what = match (&d.name_zh, &d.name_en) {
                        (Some(zh), Some(en)) => format!(" ({zh} {en})"),
                        _ => String::new(),
                    };
                    let kind = if d.working_day {
                        "a working day"
                    } else {
                        "not a working day"
                    };
                    println!("{date}: {kind}{what}");
                }
            }
        }
        Ok(())
    })())
}

fn print_application(v: &ApplicationView, json: bool) -> anyhow::Result<()> {
    if json {
        return output::json(v);
    }
    println!(
        "application {}: {}, whitelisted {}, due {}, working days taken {}{}",
        v.id,
        v.status.as_str(),
        if v.whitelisted { "yes" } else { "no" },
        v.due_date,
        v.working_days_taken.map_or("-".into(), |d| d.to_string()),
        if v.overdue { ", OVERDUE" } else { "" }
    );
    let rows: Vec<Vec<String>> = v
        .checks
        .iter()
        .map(|c| {
            vec![
                c.check.clone(),
                if c.passed { "ok" } else { "no" }.into(),
                c.detail.clone(),
            ]
        })
        .collect();
    output::table(&["check", "passed", "detail"], &rows);
    Ok(())
}

fn print_manifest(m: &ManifestView, json: bool) -> anyhow::Result<()> {
    if json {
        return output::json(m);
    }
    match (m.received_tonnes, m.received_on) {
        (Some(r), Some(on)) => println!(
            "manifest {}: shipped {} t on {}, received {r} t on {on}{}",
            m.id,
            m.shipped_tonnes,
            m.shipped_on,
            if m.discrepancy {
                format!(", DISCREPANCY beyond {} %", m.tolerance_pct)
            } else {
                String::new()
            }
        ),
        _ => println!(
            "manifest {}: shipped {} t on {} by {}",
            m.id,
            m.shipped_tonnes,
            m.shipped_on,
            m.transporters.join(" -> ")
        ),
    }
    Ok(())
}

fn import(
    store: &mut dyn Store,
    caller: &Caller,
    kind: uc::ReferenceKind,
    file: &Path,
    json: bool,
) -> Result<(), Fail> {
    let o = match uc::import_reference(store, caller, kind, file) {
        Ok(o) => o,
        Err(ImportError::Read(e)) => return Err(Fail::Refused(e.to_string())),
        Err(ImportError::Invalid(m)) => return Err(Fail::Refused(m)),
        Err(e) => return Err(Fail::Other(e.into())),
    };
    if json {
        output::json(&o)?;
    } else {
        let c = o.counts;
        println!("{}", output::import_summary(file, &c));
        for r in &o.rejected {
            eprintln!("  row {}, field {}: {}", r.row, r.field, r.reason);
        }
    }
    Ok(())
}

/// `zeropark waste ...` as the local operator `actor`.
pub fn run(
    store: &mut dyn Store,
    actor: String,
    args: WasteArgs,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let caller = Caller::operator(actor);
    finish(waste(store, &caller, args, json))
}

fn waste(store: &mut dyn Store, caller: &Caller, args: WasteArgs, json: bool) -> Result<(), Fail> {
    let rules = uc::rules(args.rules.as_deref())?;
    match args.cmd {
        WasteCmd::Apply {
            generator,
            receiver,
            code,
            tonnes,
            from_province,
            to_province,
            submitted,
            planned_to,
            transport,
            purpose,
        } => {
            let req = NewApplication {
                generator: credit_code(&generator, "--generator")?,
                receiver: credit_code(&receiver, "--receiver")?,
                code,
                tonnes_t: tonnes,
                from_province: region(&from_province, "--from-province")?,
                to_province: region(&to_province, "--to-province")?,
                submitted_on: submitted,
                planned_to,
                transport,
                purpose: Purpose::parse(&purpose).map_err(refused)?,
            };
            let v = uc::apply(store, caller, &req, &rules)?;
            print_application(&v, json)?;
        }
        WasteCmd::Decide {
            id,
            side,
            approve,
            reject,
            date,
        } => {
            let side = Side::parse(&side).map_err(refused)?;
            let verdict = match (approve, reject) {
                (true, _) => Verdict::Approve,
                (false, Some(r)) => Verdict::Reject(r),
                (false, None) => {
                    return Err(Fail::Refused("give --approve or --reject REASON".into()));
                }
            };
            let v = uc::decide(store, caller, id, side, &verdict, date)?;
            print_application(&v, json)?;
        }
        WasteCmd::Status { id, today: day } => {
            let v = uc::status(store, caller, id, day.unwrap_or_else(today))?;
            print_application(&v, json)?;
        }
        WasteCmd::List { year } => {
            let list = uc::applications(store, caller, year, today())?;
            output::list(
                json,
                &list,
                &[
                    "id",
                    "submitted",
                    "route",
                    "code",
                    "t",
                    "status",
                    "whitelisted",
                    "due",
                    "",
                ],
                |v| {
                    vec![
                        v.id.to_string(),
                        v.submitted_on.to_string(),
                        format!("{} -> {}", v.from_province.code(), v.to_province.code()),
                        v.code.clone(),
                        v.tonnes_t.to_string(),
                        v.status.as_str().into(),
                        if v.whitelisted { "yes" } else { "no" }.into(),
                        v.due_date.to_string(),
                        if v.overdue { "overdue" } else { "" }.into(),
                    ]
                },
            )?;
        }
        WasteCmd::Manifest(ManifestCmd::Ship {
            id,
            tonnes,
            date,
            transporter,
        }) => {
            let new = NewManifest {
                shipped_t: tonnes,
                shipped_on: date,
                transporters: transporter,
            };
            print_manifest(&uc::ship(store, caller, id, &new, &rules)?, json)?;
        }
        WasteCmd::Manifest(ManifestCmd::Receive {
            manifest,
            tonnes,
            date,
        }) => {
            print_manifest(
                &uc::receive(store, caller, manifest, tonnes, date, &rules)?,
                json,
            )?;
        }
        WasteCmd::Manifest(ManifestCmd::List { id }) => {
            let list = uc::manifests(store, caller, id, &rules)?;
            if json {
                output::json(&list)?;
            } else {
                for m in &list {
                    print_manifest(m, false)?;
                }
            }
        }
        WasteCmd::ImportPermits { file } => {
            import(store, caller, uc::ReferenceKind::Permits, &file, json)?
        }
        WasteCmd::ImportWhitelist { file } => {
            import(store, caller, uc::ReferenceKind::Whitelist, &file, json)?
        }
        WasteCmd::ImportDeclarations { file } => {
            import(store, caller, uc::ReferenceKind::Declarations, &file, json)?
        }
        WasteCmd::Codes { category } => {
            let codes: Vec<_> = uc::WasteCatalog::builtin()
                .codes()
                .filter(|c| category.as_deref().is_none_or(|k| c.category == k))
                .collect();
            output::list(json, &codes, &["code", "category", "traits", "name"], |c| {
                vec![
                    c.code.clone(),
                    c.category.clone(),
                    c.hazard_traits.join(";"),
                    c.name_zh.clone(),
                ]
            })?;
        }
    }
    Ok(())
}

/// `zeropark report waste --region CODE --year Y`.
pub fn report(
    store: &mut dyn Store,
    actor: String,
    region_code: &str,
    year: i32,
    as_of: Option<Date>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let caller = Caller::operator(actor);
    finish((|| {
        let r = uc::report(
            store,
            &caller,
            region(region_code, "--region")?,
            year,
            as_of.unwrap_or_else(today),
        )?;
        if json {
            output::json(&r)?;
            return Ok(());
        }
        println!(
            "{} {}: {} applications, {} approved ({} whitelisted), {} rejected, {} pending, {} overdue",
            r.region,
            r.year,
            r.applications,
            r.approved,
            r.whitelisted_approved,
            r.rejected,
            r.pending,
            r.overdue
        );
        println!(
            "approved {} t (out {} t, in {} t); median approval {} working days; received {} t on {} manifests, {} discrepancies",
            r.approved_t,
            r.exported_t,
            r.imported_t,
            r.median_approval_working_days
                .map_or("-".into(), |d| d.to_string()),
            r.received_t,
            r.manifests,
            r.discrepancies
        );
        let rows: Vec<Vec<String>> = r
            .by_route
            .iter()
            .map(|l| {
                vec![
                    format!("{} -> {}", l.from_province, l.to_province),
                    l.tonnes.applications.to_string(),
                    l.tonnes.approved_t.to_string(),
                    l.tonnes.received_t.to_string(),
                ]
            })
            .collect();
        output::table(
            &["route", "applications", "approved t", "received t"],
            &rows,
        );
        Ok(())
    })())
}
