//! A bounded loopback load test of the server (issue 22 #14, issue 19 #3): p99 latency and
//! throughput at 1 and 50 concurrent clients, for a page read and two API reads (a list
//! and the park overview, the heaviest read), then all of them mixed with uploads, on
//! SQLite or PostgreSQL, checking afterwards that every uploaded row is stored.
//!
//! ```sh
//! cargo run --release -p zp-server --example loadtest -- --seconds 5 --out target/loadtest.json
//! cargo run --release -p zp-server --example loadtest -- --pg "$(scripts/pg-test.sh)"
//! ```
//!
//! It seeds the demo park into a temporary SQLite database (or, with `--pg ADMIN_URL`, a
//! database `zp_load_<pid>` it creates on that PostgreSQL server and drops at the end),
//! serves it on `127.0.0.1:0` with a pool of connections as `zeropark serve` does, logs a
//! park administrator in, and runs each (endpoint, clients) pair for `--seconds` after a
//! one-second warm-up. Each client keeps one HTTP/1.1 connection and sends its next request
//! when the previous answer is read. The mixed run cycles each client through the page,
//! the two API reads and an upload of an activity ledger (`POST /api/v1/imports/activity`,
//! 12 monthly rows of one enterprise, year and carrier no other upload uses). Every answer
//! must be 200; the report (JSON on `--out`, a table on stdout) gives requests, errors,
//! req/s, p50, p99 and the slowest request, per read and per kind in the mixed run, and the
//! uploads' rows against the rows found in the database afterwards (`lost` must be 0).
//! `--max-p99-ms N` makes the run fail (exit 1) when a p99 is above N.
//!
//! Not a `cargo test`: timings depend on the machine; `.ci/run` runs it and prints the
//! figures, `docs/reliability.md` records them.

use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use zp_app::demo::{DEMO_PARK, DEMO_YEAR};
use zp_app::{NewUser, Role};
use zp_domain::records::{Access, OrgFilter};
use zp_store::{Conn as _, PgConn};

const PASSWORD: &str = "load-test-password";
const TOKEN: &str = "load-test-token-0123456789abcdef";

struct Args {
    seconds: u64,
    clients: Vec<usize>,
    pool: usize,
    out: Option<String>,
    max_p99_ms: Option<f64>,
    /// Admin URL of a PostgreSQL server to run on (else SQLite).
    pg: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        seconds: 5,
        clients: vec![1, 50],
        pool: 8,
        out: None,
        max_p99_ms: None,
        pg: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let bad = |e: &dyn std::fmt::Display| format!("{flag}: {e}");
        match flag.as_str() {
            "--seconds" => a.seconds = value()?.parse().map_err(|e| bad(&e))?,
            "--clients" => {
                a.clients = value()?
                    .split(',')
                    .map(|c| c.trim().parse::<usize>().map_err(|e| bad(&e)))
                    .collect::<Result<_, _>>()?
            }
            "--pool" => a.pool = value()?.parse().map_err(|e| bad(&e))?,
            "--out" => a.out = Some(value()?),
            "--max-p99-ms" => a.max_p99_ms = Some(value()?.parse().map_err(|e| bad(&e))?),
            "--pg" => a.pg = Some(value()?),
            other => {
                return Err(format!(
                    "unknown argument {other}; use --seconds N --clients 1,50 --pool N --out FILE --max-p99-ms N --pg ADMIN_URL"
                ));
            }
        }
    }
    if a.seconds == 0 || a.seconds > 60 || a.clients.iter().any(|c| *c == 0 || *c > 500) {
        return Err("--seconds 1..=60, --clients 1..=500 each".into());
    }
    Ok(a)
}

/// The demo park and a park administrator (`park`) with an API token, in `dir`.
/// The database to seed: a SQLite file in `dir`, or a fresh database on the PostgreSQL
/// server of `pg` (dropped by [`drop_pg`]).
fn database(dir: &std::path::Path, pg: Option<&str>) -> String {
    let Some(admin) = pg else {
        return dir.join("load.db").display().to_string();
    };
    let name = format!("zp_load_{}", std::process::id());
    let mut conn = PgConn::connect(admin).expect("PostgreSQL admin connection");
    // One statement each: neither runs inside a transaction block.
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        conn.batch(&sql).expect("create the load test's database");
    }
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    format!("{base}/{name}")
}

fn drop_pg(admin: &str, db: &str) {
    let name = db.rsplit_once('/').map_or(db, |(_, n)| n);
    if let Ok(mut conn) = PgConn::connect(admin) {
        let _ = conn.batch(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}

fn seed(dir: &std::path::Path, db: &str) {
    let mut store = zp_app::open(db).expect("database");
    zp_app::demo::seed(store.as_mut(), &dir.join("files"), "loadtest").expect("demo seed");
    let user = NewUser {
        username: "park".into(),
        password_hash: zp_server::auth::hash_password(PASSWORD).expect("hash"),
        role: Role::ParkAdmin,
        scope: DEMO_PARK.into(),
    };
    let u = store.create_user(&user, "loadtest").expect("user");
    store
        .create_api_token(
            &zp_server::auth::token_digest(TOKEN),
            u.id,
            "loadtest",
            "loadtest",
        )
        .expect("token");
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    io: BufReader<TcpStream>,
}

impl Conn {
    async fn open(addr: std::net::SocketAddr) -> std::io::Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Conn {
            io: BufReader::new(s),
        })
    }

    /// Sends `req` and reads the whole answer: (status, body bytes).
    async fn call(&mut self, req: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        self.io.get_mut().write_all(req).await?;
        let mut line = String::new();
        self.io.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let (mut length, mut chunked) = (None, false);
        loop {
            line.clear();
            self.io.read_line(&mut line).await?;
            let h = line.trim_end();
            if h.is_empty() {
                break;
            }
            let (k, v) = h.split_once(':').unwrap_or((h, ""));
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse::<usize>().ok();
            } else if k.eq_ignore_ascii_case("transfer-encoding") {
                chunked = v.to_ascii_lowercase().contains("chunked");
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.io.read_line(&mut line).await?;
                let size =
                    usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                        .map_err(|e| std::io::Error::other(format!("chunk size {line:?}: {e}")))?;
                let mut chunk = vec![0; size + 2];
                self.io.read_exact(&mut chunk).await?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else if let Some(n) = length {
            body.resize(n, 0);
            self.io.read_exact(&mut body).await?;
        }
        Ok((status, body))
    }
}

fn get(path: &str, auth: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n\r\n").into_bytes()
}

/// Logs `park` in through the API and returns the `Cookie:` header of its session.
async fn session_cookie(addr: std::net::SocketAddr) -> String {
    let body = json!({"username": "park", "password": PASSWORD}).to_string();
    let req = format!(
        "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let s = TcpStream::connect(addr).await.expect("connect");
    let mut io = BufReader::new(s);
    io.get_mut().write_all(req.as_bytes()).await.expect("send");
    let mut cookie = None;
    let mut line = String::new();
    loop {
        line.clear();
        io.read_line(&mut line).await.expect("read");
        let h = line.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("set-cookie")
            && v.trim().starts_with("zp_session=")
        {
            cookie = v.trim().split(';').next().map(str::to_string);
        }
    }
    format!("Cookie: {}", cookie.expect("login gave a session cookie"))
}

/// The mixed run: the reads in turn and an upload, per client.
struct Mixed {
    reads: Vec<(&'static str, Vec<u8>)>,
    bearer: String,
    /// The demo park's enterprises (upload `k` is of enterprise `k % n`, year 2001 + k / n).
    codes: Vec<String>,
    next_upload: std::sync::atomic::AtomicUsize,
}

/// Upload years: 2001..=2020 (no demo ledger is in them).
const UPLOAD_YEARS: usize = 20;

/// An upload the server accepted: enterprise, year and the kWh of each month.
struct Upload {
    code: String,
    year: i32,
    kwh: [u64; 12],
}

impl Mixed {
    /// The next upload (None once every enterprise and year was used).
    fn upload(&self) -> Option<(Upload, Vec<u8>)> {
        let k = self
            .next_upload
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let n = self.codes.len();
        if n == 0 || k >= n * UPLOAD_YEARS {
            return None;
        }
        let u = Upload {
            code: self.codes[k % n].clone(),
            year: 2001 + (k / n) as i32,
            kwh: std::array::from_fn(|m| (k * 100 + m + 1) as u64),
        };
        let mut csv = String::from("credit_code,period,carrier,quantity,unit\n");
        for (m, q) in u.kwh.iter().enumerate() {
            csv += &format!("{},{}-{:02},electricity,{q},kWh\n", u.code, u.year, m + 1);
        }
        let boundary = "zp-load-test-boundary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"load-{k}.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
        );
        let req = format!(
            "POST /api/v1/imports/activity HTTP/1.1\r\nHost: 127.0.0.1\r\n{}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n{body}",
            self.bearer,
            body.len()
        );
        Some((u, req.into_bytes()))
    }
}

/// Runs every client through the reads and an upload in turn for `seconds` after a
/// one-second warm-up; returns the figures per kind and the uploads the server accepted
/// with all 12 rows.
async fn run_mixed(
    addr: std::net::SocketAddr,
    plan: Arc<Mixed>,
    clients: usize,
    seconds: u64,
) -> (Value, Vec<Upload>) {
    let warm_until = Instant::now() + Duration::from_secs(1);
    let until = warm_until + Duration::from_secs(seconds);
    let kinds: Vec<&'static str> = plan.reads.iter().map(|r| r.0).chain(["upload"]).collect();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (plan, kinds) = (plan.clone(), kinds.clone());
        tasks.push(tokio::spawn(async move {
            let mut tallies: Vec<Tally> = kinds.iter().map(|_| Tally::default()).collect();
            let mut accepted = Vec::new();
            let mut conn = Conn::open(addr).await.ok();
            let mut turn = c; // clients start at different kinds
            while Instant::now() < until {
                let i = turn % kinds.len();
                turn += 1;
                let (upload, req) = if i < plan.reads.len() {
                    (None, plan.reads[i].1.clone())
                } else {
                    match plan.upload() {
                        Some((u, req)) => (Some(u), req),
                        None => continue,
                    }
                };
                let Some(c) = conn.as_mut() else { break };
                let start = Instant::now();
                let answer = c.call(&req).await;
                let took = start.elapsed();
                let t = &mut tallies[i];
                match answer {
                    Ok((200, body)) => {
                        if start >= warm_until {
                            t.latencies.push(took);
                        }
                        if let Some(u) = upload {
                            let v: Value = serde_json::from_slice(&body).unwrap_or_default();
                            if v["accepted"] == 12 {
                                accepted.push(u);
                            } else {
                                t.error(|| format!("upload answered {v}"));
                            }
                        }
                    }
                    Ok((status, body)) => {
                        t.error(|| format!("{status}: {}", String::from_utf8_lossy(&body)));
                    }
                    Err(e) => {
                        t.error(|| e.to_string());
                        conn = Conn::open(addr).await.ok();
                    }
                }
            }
            (tallies, accepted)
        }));
    }
    let mut all: Vec<Tally> = kinds.iter().map(|_| Tally::default()).collect();
    let mut accepted = Vec::new();
    for task in tasks {
        let (tallies, done) = task.await.expect("client task");
        for (into, t) in all.iter_mut().zip(tallies) {
            into.absorb(t);
        }
        accepted.extend(done);
    }
    let figures = kinds
        .iter()
        .zip(all)
        .map(|(k, t)| (k.to_string(), summary(t, clients, seconds)))
        .collect::<serde_json::Map<_, _>>();
    (Value::Object(figures), accepted)
}

/// How many of the uploads' rows the database holds with the uploaded value.
fn stored_rows(db: &str, uploads: &[Upload]) -> usize {
    let mut store = zp_app::open(db).expect("database");
    let mut found = 0;
    for u in uploads {
        let code = u.code.parse().expect("credit code");
        let rows = store
            .activity(&Access::All, &code, u.year)
            .expect("activity rows");
        for (m, kwh) in u.kwh.iter().enumerate() {
            let period = format!("{}-{:02}", u.year, m + 1);
            found += rows
                .iter()
                .filter(|r| {
                    r.period.to_string() == period
                        && r.carrier.key() == "electricity"
                        && r.quantity.value == rust_decimal::Decimal::from(*kwh)
                        && r.quantity.unit.to_string() == "kWh"
                })
                .count()
                .min(1);
        }
    }
    found
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
}

/// `clients` connections sending `req` for `seconds` (after a one-second warm-up).
async fn run(addr: std::net::SocketAddr, req: Arc<Vec<u8>>, clients: usize, seconds: u64) -> Value {
    let warm_until = Instant::now() + Duration::from_secs(1);
    let until = warm_until + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let req = req.clone();
        tasks.push(tokio::spawn(async move {
            let mut t = Tally::default();
            let mut conn = match Conn::open(addr).await {
                Ok(c) => c,
                Err(e) => {
                    t.error(|| e.to_string());
                    return t;
                }
            };
            loop {
                let start = Instant::now();
                if start >= until {
                    break;
                }
                let answer = conn.call(&req).await;
                let took = start.elapsed();
                match answer {
                    Ok((200, _)) => {
                        if start >= warm_until {
                            t.latencies.push(took);
                        }
                    }
                    Ok((status, body)) => {
                        t.error(|| format!("{status}: {}", String::from_utf8_lossy(&body)));
                    }
                    Err(e) => {
                        t.error(|| e.to_string());
                        match Conn::open(addr).await {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                    }
                }
            }
            t
        }));
    }
    let mut all = Tally::default();
    for task in tasks {
        all.absorb(task.await.expect("client task"));
    }
    summary(all, clients, seconds)
}

impl Tally {
    /// Counts a failed request; the first one's description is kept.
    fn error(&mut self, what: impl FnOnce() -> String) {
        self.errors += 1;
        self.first_error.get_or_insert_with(what);
    }

    fn absorb(&mut self, t: Tally) {
        self.latencies.extend(t.latencies);
        self.errors += t.errors;
        if self.first_error.is_none() {
            self.first_error = t.first_error;
        }
    }
}

/// Requests, errors, throughput and latency percentiles of a run.
fn summary(all: Tally, clients: usize, seconds: u64) -> Value {
    let mut l = all.latencies;
    l.sort();
    let ms = |d: Duration| (d.as_secs_f64() * 1e5).round() / 100.0;
    // The value below which p percent of the requests finished (nearest rank).
    let pct = |p: usize| {
        if l.is_empty() {
            return 0.0;
        }
        ms(l[(l.len() * p).div_ceil(100).max(1) - 1])
    };
    json!({
        "clients": clients,
        "seconds": seconds,
        "requests": l.len(),
        "errors": all.errors,
        "first_error": all.first_error,
        "req_per_s": ((l.len() as f64 / seconds as f64) * 10.0).round() / 10.0,
        "p50_ms": pct(50),
        "p99_ms": pct(99),
        "max_ms": l.last().map(|d| ms(*d)).unwrap_or(0.0),
    })
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let dir = tempfile::tempdir().expect("temporary folder");
    let seeded = Instant::now();
    let db = database(dir.path(), a.pg.as_deref());
    seed(dir.path(), &db);
    let seed_s = seeded.elapsed().as_secs_f64();
    let codes: Vec<String> = zp_app::open(&db)
        .expect("database")
        .orgs(
            &Access::Park(DEMO_PARK.into()),
            &OrgFilter {
                park: Some(DEMO_PARK.into()),
                region: None,
            },
        )
        .expect("the demo park's enterprises")
        .into_iter()
        .map(|o| o.credit_code.to_string())
        .collect();
    let pool = zp_app::StorePool::open(&db, a.pool).expect("pool");
    let config = zp_server::Config {
        upload_dir: dir.path().join("uploads"),
        ..zp_server::Config::default()
    };
    let state = zp_server::AppState::with_pool(pool, config);
    // Dropped on this thread at the end: a PostgreSQL connection must not be dropped on a
    // runtime's worker (its client blocks on a runtime of its own).
    let keep = state.clone();

    // The server on a runtime of its own (as `zeropark serve`: one worker per core).
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("server runtime");
    let listener = server_rt
        .block_on(zp_server::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    server_rt.spawn(async move {
        let service =
            zp_server::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, service).await.expect("serve");
    });

    // The clients on one thread: they only write requests and read answers.
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let cookie = client_rt.block_on(session_cookie(addr));
    let bearer = format!("Authorization: Bearer {TOKEN}");
    let park = DEMO_PARK
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect::<String>();
    let endpoints = [
        (
            "page",
            "GET /orgs (the enterprises page, 30 rows)".to_string(),
            get("/orgs", &cookie),
        ),
        (
            "api",
            "GET /api/v1/orgs (the park's 30 enterprises)".to_string(),
            get("/api/v1/orgs", &bearer),
        ),
        (
            "api-park",
            format!(
                "GET /api/v1/parks/{{park}}/overview?year={DEMO_YEAR} (30 inventories and their months)"
            ),
            get(
                &format!("/api/v1/parks/{park}/overview?year={DEMO_YEAR}"),
                &bearer,
            ),
        ),
    ];
    let mut runs = Vec::new();
    let mut failed = Vec::new();
    println!(
        "{:<14} {:>7} {:>9} {:>7} {:>8} {:>8} {:>8} {:>8}",
        "read", "clients", "requests", "errors", "req/s", "p50 ms", "p99 ms", "max ms"
    );
    for (kind, what, req) in &endpoints {
        let req = Arc::new(req.clone());
        for &clients in &a.clients {
            let r = client_rt.block_on(run(addr, req.clone(), clients, a.seconds));
            let col = |k: &str| r[k].to_string();
            println!(
                "{kind:<14} {clients:>7} {:>9} {:>7} {:>8} {:>8} {:>8} {:>8}",
                col("requests"),
                col("errors"),
                col("req_per_s"),
                col("p50_ms"),
                col("p99_ms"),
                col("max_ms")
            );
            if let Some(e) = r["first_error"].as_str() {
                eprintln!("  first error: {e}");
            }
            if r["errors"] != 0 || r["requests"] == 0 {
                failed.push(format!(
                    "{kind} at {clients} clients: {} errors",
                    r["errors"]
                ));
            }
            if let Some(max) = a.max_p99_ms
                && r["p99_ms"].as_f64().unwrap_or(f64::INFINITY) > max
            {
                failed.push(format!(
                    "{kind} at {clients} clients: p99 {} ms > {max} ms",
                    r["p99_ms"]
                ));
            }
            let mut r = r;
            r["read"] = json!(kind);
            r["endpoint"] = json!(what);
            runs.push(r);
        }
    }
    // Everything mixed with uploads; then every uploaded row is looked for in the database.
    let reads: Vec<(&str, Vec<u8>)> = endpoints.iter().map(|(k, _, r)| (*k, r.clone())).collect();
    let plan = Arc::new(Mixed {
        reads,
        bearer: bearer.clone(),
        codes,
        next_upload: std::sync::atomic::AtomicUsize::new(0),
    });
    let mut mixed = Vec::new();
    let mut uploads = Vec::new();
    for &clients in &a.clients {
        let (r, done) = client_rt.block_on(run_mixed(addr, plan.clone(), clients, a.seconds));
        for (kind, k) in r.as_object().into_iter().flatten() {
            println!(
                "{:<14} {clients:>7} {:>9} {:>7} {:>8} {:>8} {:>8} {:>8}",
                format!("mixed:{kind}"),
                k["requests"].to_string(),
                k["errors"].to_string(),
                k["req_per_s"].to_string(),
                k["p50_ms"].to_string(),
                k["p99_ms"].to_string(),
                k["max_ms"].to_string()
            );
            if let Some(e) = k["first_error"].as_str() {
                eprintln!("  first error: {e}");
            }
            if k["errors"] != 0 || k["requests"] == 0 {
                failed.push(format!(
                    "mixed {kind} at {clients} clients: {} errors",
                    k["errors"]
                ));
            }
        }
        uploads.extend(done);
        mixed.push(json!({"clients": clients, "kinds": r}));
    }
    server_rt.shutdown_timeout(Duration::from_secs(1));
    drop(keep);
    let stored = stored_rows(&db, &uploads);
    let sent = uploads.len() * 12;
    println!(
        "uploads: {} accepted ({sent} rows); rows found in the database: {stored}; lost: {}",
        uploads.len(),
        sent - stored
    );
    if stored != sent || uploads.is_empty() {
        failed.push(format!(
            "{} of {sent} uploaded rows are not in the database",
            sent - stored
        ));
    }
    let report = json!({
        "build": if cfg!(debug_assertions) { "debug" } else { "release" },
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "pool_connections": a.pool,
        "database": if a.pg.is_some() {
            "PostgreSQL, the demo park: 30 + 10 enterprises, a year of monthly ledgers"
        } else {
            "SQLite (WAL), the demo park: 30 + 10 enterprises, a year of monthly ledgers"
        },
        "seed_seconds": (seed_s * 10.0).round() / 10.0,
        "runs": runs,
        "mixed": mixed,
        "uploads": {"accepted": uploads.len(), "rows": sent, "rows_stored": stored, "lost": sent - stored},
    });
    if let Some(admin) = &a.pg {
        drop_pg(admin, &db);
    }
    if let Some(out) = &a.out {
        if let Some(parent) = std::path::Path::new(out).parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        std::fs::write(out, serde_json::to_string_pretty(&report).unwrap() + "\n")
            .unwrap_or_else(|e| panic!("{out}: {e}"));
        println!("report: {out}");
    }
    if !failed.is_empty() {
        eprintln!("load test failed:\n  {}", failed.join("\n  "));
        std::process::exit(1);
    }
}
