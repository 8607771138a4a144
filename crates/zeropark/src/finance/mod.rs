//! `zeropark finance ...`: climate investment and financing (气候投融资). The local CLI acts
//! as the platform administrator ([`Party::Admin`]); the server maps signed-in users to
//! their party.

use crate::ctx::{Ctx, actor};
use crate::output::{self, num};
use anyhow::{Context, bail};

use rust_decimal::Decimal;
use std::path::PathBuf;
use std::process::ExitCode;
use zp_app::finance::{self as fin, Party};
use zp_app::finance::{Method, fen_to_yuan};
use zp_app::{ApplicationFilter, BalanceSheet, ProjectFilter, Store};
use zp_domain::{CreditCode, Period, Region};

mod args;
pub use args::*;

fn period(s: &str, what: &str) -> anyhow::Result<Period> {
    Period::parse(s).with_context(|| format!("{what} {s:?}"))
}

fn this_month() -> anyhow::Result<Period> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let d = zp_domain::time::local(secs);
    Ok(Period::new(i32::from(d.year()), d.month() as u32)?)
}

fn read(file: &PathBuf) -> Result<String, ExitCode> {
    std::fs::read_to_string(file).map_err(|e| {
        eprintln!("error: {}: {e}", file.display());
        ExitCode::from(crate::ctx::REFUSED)
    })
}

fn yuan(fen: i64) -> String {
    fen_to_yuan(fen).to_string()
}

/// The readings store of `db` when it exists (MRV of projects with linked meters).
fn readings_of(ctx: &Ctx) -> anyhow::Result<Option<zp_app::readings::ReadingStore>> {
    if ctx.readings_dir().exists() {
        Ok(Some(ctx.readings()?))
    } else {
        Ok(None)
    }
}

pub fn run(ctx: &Ctx, store: &mut dyn Store, cmd: FinanceCmd) -> anyhow::Result<ExitCode> {
    let json = ctx.json;
    let party = Party::Admin;
    let actor = actor();
    match cmd {
        FinanceCmd::Report(cmd) => return report(ctx, store, cmd, json),
        FinanceCmd::Application(cmd) => return application(store, cmd, json),
        FinanceCmd::Product(cmd) => return product(store, cmd, json),
        FinanceCmd::Project(cmd) => return project(store, cmd, json),
        FinanceCmd::Catalogue => {
            let c = fin::catalogue();
            if json {
                output::json(&c)?;
            } else {
                println!("{} ({} edition)", c.source, c.edition);
                let rows: Vec<Vec<String>> = c
                    .categories
                    .iter()
                    .map(|k| {
                        vec![
                            k.code.clone(),
                            c.path_zh(&k.code).unwrap_or_default(),
                            k.project_kinds
                                .iter()
                                .map(|p| p.key())
                                .collect::<Vec<_>>()
                                .join(" "),
                            if k.climate {
                                "yes".into()
                            } else {
                                String::new()
                            },
                        ]
                    })
                    .collect();
                output::table(&["code", "category", "project kinds", "climate"], &rows);
            }
        }
        FinanceCmd::Match(args) => {
            let list = match (&args.project, &args.product) {
                (Some(p), _) => fin::match_project(store, &party, p)?,
                (_, Some(p)) => fin::match_product(store, &party, p)?,
                _ => bail!("give --project or --product"),
            };
            if json {
                output::json(&list)?;
            } else {
                for m in &list {
                    println!(
                        "{} {} x {} ({}, {}): offer {} yuan{}",
                        if m.eligible {
                            "ELIGIBLE  "
                        } else {
                            "ineligible"
                        },
                        m.project_id,
                        m.product_id,
                        m.issuer,
                        m.kind.key(),
                        num(m.offer_yuan, 2),
                        m.annual_rate_pct
                            .map(|r| format!(" at {}%", num(r, 3)))
                            .unwrap_or_default()
                    );
                    for c in &m.checks {
                        println!(
                            "    [{}] {}: {}",
                            if c.passed { "ok" } else { "no" },
                            c.rule,
                            c.reason
                        );
                    }
                }
            }
        }
        FinanceCmd::Apply {
            project,
            product,
            amount,
            method,
        } => {
            let method = match method {
                MethodArg::Annuity => Method::Annuity,
                MethodArg::EqualPrincipal => Method::EqualPrincipal,
            };
            let a = fin::apply(store, &party, &project, &product, amount, method, &actor)?;
            output::either(json, &a, |_| {
                println!(
                    "application {}: {} for {} with {}, {} yuan, {}",
                    a.id,
                    a.credit_code,
                    a.project_id,
                    a.product_id,
                    yuan(a.amount_fen),
                    a.status
                );
            })?;
        }
        FinanceCmd::Schedule { id } => {
            let v = fin::application(store, &party, id)?;
            print_application(&v, json)?;
        }
        FinanceCmd::Mrv { project, from, to } => {
            let to = match to {
                Some(t) => period(&t, "--to")?,
                None => this_month()?,
            };
            let from = from.map(|f| period(&f, "--from")).transpose()?;
            let readings = readings_of(ctx)?;
            let v = fin::mrv(store, readings.as_ref(), &party, &project, from, to)?;
            if json {
                output::json(&v)?;
            } else {
                let r = &v.report;
                let rows: Vec<Vec<String>> = r
                    .months
                    .iter()
                    .map(|m| {
                        vec![
                            m.period.to_string(),
                            num(m.baseline_tco2, 2),
                            num(m.actual_tco2, 2),
                            num(m.monitored_tco2, 2),
                            num(m.expected_tco2, 2),
                            num(m.cumulative_monitored_tco2, 2),
                            num(m.cumulative_expected_tco2, 2),
                            if m.missing {
                                "missing".into()
                            } else if m.behind {
                                "behind".into()
                            } else {
                                String::new()
                            },
                        ]
                    })
                    .collect();
                output::table(
                    &[
                        "period",
                        "baseline_tco2",
                        "actual_tco2",
                        "monitored_tco2",
                        "expected_tco2",
                        "cum_monitored",
                        "cum_expected",
                        "flag",
                    ],
                    &rows,
                );
                println!(
                    "{}: monitored {} of {} tCO2 expected ({}), source {}",
                    r.project_id,
                    num(r.monitored_tco2, 2),
                    num(r.expected_tco2, 2),
                    r.performance
                        .map(|p| format!("{}%", num(p * Decimal::ONE_HUNDRED, 1)))
                        .unwrap_or_else(|| "-".into()),
                    if v.meters.is_empty() {
                        v.source.clone()
                    } else {
                        format!("{} {}", v.source, v.meters.join(", "))
                    }
                );
                if let Some(a) = &r.alert {
                    println!("ALERT: {a}");
                }
                for n in &r.notes {
                    println!("  note: {n}");
                }
            }
        }
        FinanceCmd::Output(OutputCmd::Set {
            project,
            period: p,
            value,
        }) => {
            let p = period(&p, "--period")?;
            let u = fin::set_output(store, &party, &project, p, value, &actor)?;
            output::either(json, &serde_json::json!({ "result": u }), |_| {
                println!("{project} {p}: output {value} {u:?}");
            })?;
        }
        FinanceCmd::BalanceSheet(BalanceSheetCmd::Set {
            org,
            year,
            equity,
            debt,
            source,
        }) => {
            let b = BalanceSheet {
                credit_code: CreditCode::parse(&org)?,
                year,
                equity_yuan: equity,
                debt_yuan: debt,
                source,
            };
            let u = fin::set_balance_sheet(store, &party, &b, &actor)?;
            output::either(
                json,
                &serde_json::json!({ "result": u, "balance_sheet": b }),
                |_| {
                    println!("{org} {year}: equity {equity} + debt {debt} yuan {u:?}");
                },
            )?;
        }
        FinanceCmd::Bank(BankCmd::Link { user, issuer }) => {
            let u = store.set_bank_issuer(&user, &issuer, &actor)?;
            output::either(
                json,
                &serde_json::json!({ "result": u, "user": user, "issuer": issuer }),
                |_| {
                    println!("bank user {user} works for {issuer} ({u:?})");
                },
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `zeropark finance project ...`
fn project(store: &mut dyn Store, cmd: ProjectCmd, json: bool) -> anyhow::Result<ExitCode> {
    let party = Party::Admin;
    let actor = actor();
    match cmd {
        ProjectCmd::Add { file, ledger } => {
            let text = match read(&file) {
                Ok(t) => t,
                Err(code) => return Ok(code),
            };
            if let Some(l) = &ledger
                && !l.exists()
            {
                eprintln!("error: {}: no such file", l.display());
                return Ok(ExitCode::from(crate::ctx::REFUSED));
            }
            let (upsert, v) = fin::add_project(store, &party, &text, ledger.as_deref(), &actor)
                .with_context(|| file.display().to_string())?;
            if json {
                output::json(&serde_json::json!({ "result": upsert, "project": v }))?;
            } else {
                let e = &v.expected;
                println!(
                    "project {} {:?}: saves {} tce and {} tCO2 a year (Scope 1 {} + Scope 2 {}), {} tCO2/yr per 10,000 yuan",
                    v.project.id,
                    upsert,
                    num(e.energy_saved_tce, 2),
                    num(e.total_tco2, 2),
                    num(e.scope1_tco2, 2),
                    num(e.scope2_location_tco2, 2),
                    num(e.tco2_per_10k_yuan, 4)
                );
                for t in &v.tags {
                    println!(
                        "  {} {}{}",
                        t.code,
                        t.path_zh,
                        if t.climate { " (climate)" } else { "" }
                    );
                }
                for n in &e.notes {
                    println!("  note: {n}");
                }
            }
        }
        ProjectCmd::List {
            org,
            park,
            region,
            kind,
            category,
            min_reduction,
        } => {
            let filter = ProjectFilter {
                org: org.map(|c| CreditCode::parse(&c)).transpose()?,
                park,
                region: region.map(|r| Region::parse(&r)).transpose()?,
                kind,
                category,
                min_reduction_tco2: min_reduction,
            };
            let list = fin::projects(store, &party, &filter)?;
            output::list(
                json,
                &list,
                &[
                    "id",
                    "name",
                    "enterprise",
                    "kind",
                    "categories",
                    "capex_yuan",
                    "saved_tce",
                    "reduction_tco2",
                ],
                |v| {
                    vec![
                        v.project.id.clone(),
                        v.project.name.clone(),
                        v.project.org.to_string(),
                        v.project.kind.key().into(),
                        v.project.categories.join(" "),
                        num(v.project.capex_yuan, 2),
                        num(v.expected.energy_saved_tce, 2),
                        num(v.expected.total_tco2, 2),
                    ]
                },
            )?;
        }
        ProjectCmd::Show { id } => {
            let v = fin::project(store, &party, &id)?;
            if json {
                output::json(&v)?;
            } else {
                let p = &v.project;
                println!(
                    "{} {} ({}), {} {}",
                    p.id,
                    p.name,
                    p.kind.name_zh(),
                    p.org,
                    p.region
                );
                println!(
                    "capex {} yuan; construction {}, operation {}; baseline year {}",
                    num(p.capex_yuan, 2),
                    p.start,
                    p.operation_start,
                    p.baseline_year
                );
                for t in &v.tags {
                    println!("  {} {}", t.code, t.path_zh);
                }
                let rows: Vec<Vec<String>> = v
                    .expected
                    .carriers
                    .iter()
                    .map(|c| {
                        vec![
                            c.carrier.to_string(),
                            format!("{} {}", num(c.saved_quantity, 3), c.unit),
                            num(c.energy_saved_tce, 3),
                            num(c.scope1_tco2, 3),
                            num(c.scope2_location_tco2, 3),
                        ]
                    })
                    .collect();
                output::table(
                    &["carrier", "saved", "tce", "scope1_tco2", "scope2_tco2"],
                    &rows,
                );
                println!(
                    "total: {} tce, {} tCO2 a year",
                    num(v.expected.energy_saved_tce, 2),
                    num(v.expected.total_tco2, 2)
                );
            }
        }
        ProjectCmd::LinkMeter { id, meter } => {
            let u = fin::link_meter(store, &party, &id, &meter, &actor)?;
            output::either(
                json,
                &serde_json::json!({ "result": u, "project": id, "meter": meter }),
                |_| {
                    println!("project {id} is monitored from meter {meter} ({u:?})");
                },
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `zeropark finance product ...`
fn product(store: &mut dyn Store, cmd: ProductCmd, json: bool) -> anyhow::Result<ExitCode> {
    let party = Party::Admin;
    let actor = actor();
    match cmd {
        ProductCmd::Add { file } => {
            let text = match read(&file) {
                Ok(t) => t,
                Err(code) => return Ok(code),
            };
            let (upsert, p) = fin::add_product(store, &party, &text, &actor)
                .with_context(|| file.display().to_string())?;
            output::either(
                json,
                &serde_json::json!({ "result": upsert, "product": p }),
                |_| {
                    println!(
                        "product {} of {} {:?}: {} rule(s)",
                        p.id,
                        p.issuer,
                        upsert,
                        p.rules.len()
                    );
                },
            )?;
        }
        ProductCmd::List { issuer } => {
            let list = fin::products(store, issuer.as_deref())?;
            output::list(
                json,
                &list,
                &["id", "issuer", "name", "kind", "rate_pct", "tenor", "rules"],
                |p| {
                    vec![
                        p.id.clone(),
                        p.issuer.clone(),
                        p.name.clone(),
                        p.kind.key().into(),
                        output::opt_num(p.annual_rate_pct, 3),
                        p.tenor_months
                            .map(|t| t.to_string())
                            .unwrap_or_else(|| "-".into()),
                        p.rules
                            .iter()
                            .map(|r| r.key())
                            .collect::<Vec<_>>()
                            .join(" "),
                    ]
                },
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `zeropark finance application ...`
fn application(store: &mut dyn Store, cmd: ApplicationCmd, json: bool) -> anyhow::Result<ExitCode> {
    let party = Party::Admin;
    let actor = actor();
    match cmd {
        ApplicationCmd::Show { id } => {
            let v = fin::application(store, &party, id)?;
            print_application(&v, json)?;
        }
        ApplicationCmd::List {
            project,
            product,
            status,
        } => {
            let list = fin::applications(
                store,
                &party,
                &ApplicationFilter {
                    project,
                    product,
                    status,
                },
            )?;
            output::list(
                json,
                &list,
                &[
                    "id",
                    "project",
                    "product",
                    "issuer",
                    "amount_yuan",
                    "status",
                ],
                |a| {
                    vec![
                        a.id.to_string(),
                        a.project_id.clone(),
                        a.product_id.clone(),
                        a.issuer.clone(),
                        yuan(a.amount_fen),
                        a.status.clone(),
                    ]
                },
            )?;
        }
        ApplicationCmd::Advance {
            id,
            action,
            period: p,
            note,
        } => {
            let p = p.map(|s| period(&s, "--period")).transpose()?;
            let v = fin::advance(store, &party, id, action, p, &note, &actor)?;
            if json {
                output::json(&v)?;
            } else {
                let last = v.events.last();
                println!(
                    "application {} is {}{}",
                    id,
                    v.application.status,
                    last.filter(|e| e.principal_fen != 0 || e.interest_fen != 0)
                        .map(|e| format!(
                            " ({} {}: principal {} yuan, interest {} yuan)",
                            e.action,
                            e.period,
                            yuan(e.principal_fen),
                            yuan(e.interest_fen)
                        ))
                        .unwrap_or_default()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a report's Excel workbook to `--xlsx PATH`, when given.
fn write_xlsx<E>(
    path: Option<PathBuf>,
    bytes: impl FnOnce() -> Result<Vec<u8>, E>,
) -> anyhow::Result<()>
where
    E: std::error::Error + Send + Sync + 'static,
{
    if let Some(path) = path {
        std::fs::write(&path, bytes()?).with_context(|| path.display().to_string())?;
    }
    Ok(())
}

/// `zeropark finance report ...`
fn report(
    ctx: &Ctx,
    store: &mut dyn Store,
    cmd: FinanceReportCmd,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let party = Party::Admin;
    match cmd {
        FinanceReportCmd::Loans(BankReport { bank, year, xlsx }) => {
            let readings = readings_of(ctx)?;
            let r = fin::loan_report(store, readings.as_ref(), &party, &bank, year)?;
            write_xlsx(xlsx, || zp_app::finance::loan_report_xlsx(&r))?;
            output::either(json, &r, |r| {
                let headers = [
                    "id",
                    "borrower",
                    "project",
                    "amount_yuan",
                    "outstanding_yuan",
                    "project_tco2_yr",
                    "attributed_tco2_yr",
                    "monitored_tco2",
                ];
                output::table_of(&headers, &r.lines, |l| {
                    vec![
                        l.application_id.to_string(),
                        l.borrower_name.clone(),
                        l.project_id.clone(),
                        yuan(l.amount_fen),
                        yuan(l.outstanding_fen),
                        num(l.project_annual_reduction_tco2, 2),
                        num(l.attributed_annual_reduction_tco2, 2),
                        output::opt_num(l.monitored_tco2, 2),
                    ]
                });
                println!(
                    "{bank} {year}: {} loans, {} yuan, {} tCO2 a year attributed",
                    r.loans,
                    yuan(r.total_amount_fen),
                    num(r.total_attributed_annual_reduction_tco2, 2)
                );
            })?;
        }
        FinanceReportCmd::Pcaf(BankReport { bank, year, xlsx }) => {
            let r = fin::pcaf_report(store, &party, &bank, year)?;
            write_xlsx(xlsx, || zp_app::finance::pcaf_xlsx(&r))?;
            output::either(json, &r, |r| {
                let headers = [
                    "loan",
                    "borrower",
                    "outstanding_yuan",
                    "attribution",
                    "emissions_tco2",
                    "financed_tco2",
                    "dq",
                ];
                output::table_of(&headers, &r.lines, |l| {
                    vec![
                        l.loan.clone(),
                        l.borrower.clone(),
                        num(l.outstanding_yuan, 2),
                        num(l.attribution, 6),
                        num(l.emissions_tco2, 2),
                        num(l.financed_tco2, 2),
                        l.data_quality_score.to_string(),
                    ]
                });
                println!(
                    "{bank} {year}: {} tCO2 financed on {} yuan; data quality {}",
                    num(r.financed_tco2, 2),
                    num(r.outstanding_yuan, 2),
                    output::opt_num(r.weighted_data_quality, 2)
                );
                for n in &r.notes {
                    println!("  note: {n}");
                }
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_application(v: &fin::ApplicationView, json: bool) -> anyhow::Result<()> {
    if json {
        return output::json(v);
    }
    let a = &v.application;
    println!(
        "application {}: {} x {} ({}), {} yuan, {}{}",
        a.id,
        a.project_id,
        a.product_id,
        a.issuer,
        yuan(a.amount_fen),
        a.status,
        a.disbursed_period
            .map(|p| format!(", disbursed {p}"))
            .unwrap_or_default()
    );
    let rows: Vec<Vec<String>> = v
        .installments
        .iter()
        .map(|i| {
            let x = &i.installment;
            vec![
                x.n.to_string(),
                x.due.to_string(),
                yuan(x.principal_fen),
                yuan(x.interest_fen),
                yuan(x.payment_fen),
                yuan(x.balance_fen),
                if i.paid { "paid".into() } else { String::new() },
            ]
        })
        .collect();
    if !rows.is_empty() {
        output::table(
            &[
                "n",
                "due",
                "principal",
                "interest",
                "payment",
                "balance",
                "",
            ],
            &rows,
        );
    }
    println!(
        "disbursed {} yuan, principal repaid {}, interest paid {}, outstanding {}",
        yuan(v.disbursed_fen),
        yuan(v.principal_repaid_fen),
        yuan(v.interest_paid_fen),
        yuan(v.outstanding_fen)
    );
    Ok(())
}
