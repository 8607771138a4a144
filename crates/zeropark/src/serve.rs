//! `zeropark serve` (the web UI and API) and `zeropark users` (accounts).

use crate::ctx::Ctx;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Where to serve.
#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
}

/// Connections the server opens to the database at most (one per concurrent request).
const POOL_SIZE: usize = 8;

/// Runs the server on the database `db` (a pool of connections) until Ctrl-C or SIGTERM.
/// `ready` is printed once the socket is bound, with the URL.
pub fn serve(
    db: &str,
    readings_dir: PathBuf,
    addr: &str,
    ready: impl FnOnce(&str),
) -> anyhow::Result<()> {
    init_logging();
    let pool =
        zp_app::StorePool::open(db, POOL_SIZE).with_context(|| format!("opening database {db}"))?;
    let mut config = zp_server::Config::from_env();
    config.readings_dir = Some(readings_dir);
    if config.registry_key.is_none() {
        config.registry_key = Some(crate::certs::default_key_file(db));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = zp_server::bind(addr)
            .await
            .with_context(|| format!("listening on {addr}"))?;
        let url = format!("http://{}/", listener.local_addr()?);
        ready(&url);
        zp_server::serve(listener, zp_server::AppState::with_pool(pool, config))
            .await
            .context("serving")
    })
}

/// Logs to stderr, filtered by `ZEROPARK_LOG` (default: warnings, the server's notices, no
/// access log; `ZEROPARK_LOG=info,zp_server::access=info` adds a line per request), one JSON
/// object per line with `ZEROPARK_LOG_FORMAT=json`.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ZEROPARK_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("warn,zp_server=info,zp_server::access=warn")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if std::env::var("ZEROPARK_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

pub fn run(ctx: &Ctx, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let db = ctx.db.as_str();
    serve(db, ctx.readings_dir(), &args.addr, |url| {
        println!("zeropark serving {db} on {url}  (Ctrl-C to stop)");
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Accounts of the web UI and API.
#[derive(Subcommand)]
pub enum UsersCmd {
    /// Create an account. The password is read from ZEROPARK_PASSWORD, or generated and
    /// printed once.
    Add {
        username: String,
        /// platform_admin, region_officer, park_admin, enterprise_user, bank or verifier.
        #[arg(long)]
        role: String,
        /// Region code, park name or credit code (see the role).
        #[arg(long, default_value = "")]
        scope: String,
    },
    /// List accounts.
    List,
    /// Let verifier account USER read enterprise CODE (a verifier without a scope reads
    /// only the enterprises assigned to it).
    AssignVerifier {
        username: String,
        /// The enterprise's credit code.
        #[arg(long)]
        org: String,
    },
}

pub fn users(db: &str, cmd: UsersCmd, json: bool) -> anyhow::Result<ExitCode> {
    let mut store = zp_app::open(db).with_context(|| format!("opening database {db}"))?;
    match cmd {
        UsersCmd::Add {
            username,
            role,
            scope,
        } => {
            let given = std::env::var("ZEROPARK_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty());
            let password = match &given {
                Some(p) => p.clone(),
                None => zp_server::accounts::random_password()?,
            };
            let user = zp_server::accounts::add_user(
                store.as_mut(),
                &username,
                &role,
                &scope,
                &password,
                &crate::ctx::actor(),
            )?;
            let shown = given.is_none().then_some(password);
            if json {
                crate::output::json(&serde_json::json!({"user": user, "password": shown}))?;
            } else {
                println!(
                    "created {} ({}, scope {:?})",
                    user.username,
                    user.role.key(),
                    user.scope
                );
                if let Some(p) = shown {
                    println!("password: {p}  (shown once)");
                }
            }
        }
        UsersCmd::AssignVerifier { username, org } => {
            let code = match zp_domain::CreditCode::parse(&org) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("zeropark: --org {org:?}: {e}");
                    return Ok(ExitCode::from(crate::ctx::REFUSED));
                }
            };
            let added = match store.assign_verifier(&username, &code, &crate::ctx::actor()) {
                Ok(added) => added,
                Err(e @ (zp_app::StoreError::NotFound(_) | zp_app::StoreError::Forbidden(_))) => {
                    eprintln!("zeropark: {e}");
                    return Ok(ExitCode::from(crate::ctx::REFUSED));
                }
                Err(e) => return Err(e.into()),
            };
            if json {
                crate::output::json(&serde_json::json!({
                    "username": username, "org": code, "assigned": added
                }))?;
            } else if added {
                println!("{username} now reads {code}");
            } else {
                println!("{username} already reads {code}");
            }
        }
        UsersCmd::List => {
            let users = store.users()?;
            if json {
                crate::output::json(&users)?;
            } else {
                let rows: Vec<Vec<String>> = users
                    .iter()
                    .map(|u| {
                        vec![
                            u.username.clone(),
                            u.role.key().into(),
                            u.scope.clone(),
                            if u.disabled { "disabled" } else { "" }.into(),
                        ]
                    })
                    .collect();
                crate::output::table(&["username", "role", "scope", ""], &rows);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
