//! The configuration file: `zeropark.toml` in the working directory, or the file
//! `ZEROPARK_CONFIG` names. Each key stands for one environment variable; a variable set in
//! the environment overrides the file, and a command-line flag overrides both. Secrets
//! (passwords) are not read from the file: they stay in the environment.
//!
//! ```toml
//! db = "/var/lib/zeropark/park.db"        # or postgres://...
//! readings_dir = "/var/lib/zeropark/readings"
//!
//! [server]
//! max_upload_mb = 32
//! trusted_proxies = "127.0.0.1"
//!
//! [log]
//! filter = "warn,zp_server=info"
//! format = "json"
//! ```

use std::path::{Path, PathBuf};

/// How a key's value is checked before it is handed on.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    /// A whole number of at least 1.
    Count,
    Flag,
}

/// (section, key, environment variable, kind, meaning): the whole vocabulary of the file.
const KEYS: &[(&str, &str, &str, Kind, &str)] = &[
    (
        "",
        "db",
        "ZEROPARK_DB",
        Kind::Text,
        "SQLite path or postgres:// URL",
    ),
    (
        "",
        "readings_dir",
        "ZEROPARK_READINGS_DIR",
        Kind::Text,
        "the interval readings store",
    ),
    (
        "",
        "registry_key",
        "ZEROPARK_REGISTRY_KEY",
        Kind::Text,
        "the certificate registry's signing key file",
    ),
    (
        "server",
        "upload_dir",
        "ZEROPARK_UPLOAD_DIR",
        Kind::Text,
        "where uploads are kept",
    ),
    (
        "server",
        "max_upload_mb",
        "ZEROPARK_MAX_UPLOAD_MB",
        Kind::Count,
        "largest upload, MB",
    ),
    (
        "server",
        "max_upload_rows",
        "ZEROPARK_MAX_UPLOAD_ROWS",
        Kind::Count,
        "most rows an upload may hold",
    ),
    (
        "server",
        "max_upload_dir_mb",
        "ZEROPARK_MAX_UPLOAD_DIR_MB",
        Kind::Count,
        "cap of the upload directory, MB",
    ),
    (
        "server",
        "session_hours",
        "ZEROPARK_SESSION_HOURS",
        Kind::Count,
        "session length, hours",
    ),
    (
        "server",
        "trusted_proxies",
        "ZEROPARK_TRUSTED_PROXIES",
        Kind::Text,
        "proxies whose X-Forwarded-For is believed",
    ),
    (
        "server",
        "secure_cookies",
        "ZEROPARK_SECURE_COOKIES",
        Kind::Flag,
        "Secure cookies (behind TLS)",
    ),
    (
        "server",
        "read_deadline_secs",
        "ZEROPARK_READ_DEADLINE_SECS",
        Kind::Count,
        "deadline of a read, seconds",
    ),
    (
        "server",
        "alert_delivery_secs",
        "ZEROPARK_ALERT_DELIVERY_SECS",
        Kind::Count,
        "how often alerts are posted to webhooks, seconds",
    ),
    (
        "log",
        "filter",
        "ZEROPARK_LOG",
        Kind::Text,
        "log filter (tracing env-filter syntax)",
    ),
    (
        "log",
        "format",
        "ZEROPARK_LOG_FORMAT",
        Kind::Text,
        "`json` for one JSON object per line",
    ),
    (
        "import",
        "threads",
        "ZEROPARK_IMPORT_THREADS",
        Kind::Count,
        "CSV parsing threads",
    ),
    (
        "reports",
        "cjk_font",
        "ZEROPARK_CJK_FONT",
        Kind::Text,
        "the CJK font file PDFs embed",
    ),
];

/// The file to read: `ZEROPARK_CONFIG` (which must exist) or `./zeropark.toml` when present.
fn config_path() -> Result<Option<PathBuf>, String> {
    match std::env::var_os("ZEROPARK_CONFIG") {
        Some(p) if !p.is_empty() => {
            let p = PathBuf::from(p);
            if p.is_file() {
                Ok(Some(p))
            } else {
                Err(format!("{}: ZEROPARK_CONFIG names no file", p.display()))
            }
        }
        _ => Ok(Some(PathBuf::from("zeropark.toml")).filter(|p| p.is_file())),
    }
}

/// The environment variables a configuration file sets, checked: an unknown key, a value of
/// the wrong type or an unreadable file is an error naming the file, the key and the reason.
pub fn settings(path: &Path) -> Result<Vec<(&'static str, String)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: not TOML: {e}", path.display()))?;
    let mut out = Vec::new();
    let mut visit = |section: &str, table: &toml::Table| -> Result<(), String> {
        for (key, value) in table {
            if section.is_empty() && value.is_table() {
                continue;
            }
            let name = if section.is_empty() {
                key.clone()
            } else {
                format!("{section}.{key}")
            };
            let Some((_, _, env, kind, _)) = KEYS.iter().find(|k| k.0 == section && k.1 == key)
            else {
                let known: Vec<String> = KEYS
                    .iter()
                    .map(|k| {
                        if k.0.is_empty() {
                            k.1.to_string()
                        } else {
                            format!("{}.{}", k.0, k.1)
                        }
                    })
                    .collect();
                return Err(format!(
                    "{}: unknown key {name:?} (known: {})",
                    path.display(),
                    known.join(", ")
                ));
            };
            let bad = |want: &str| format!("{}: {name}: {want}, not {value}", path.display());
            let v = match (kind, value) {
                (Kind::Text, toml::Value::String(s)) => s.clone(),
                (Kind::Text, _) => return Err(bad("a string")),
                (Kind::Count, toml::Value::Integer(n)) if *n >= 1 => n.to_string(),
                (Kind::Count, _) => return Err(bad("a whole number of at least 1")),
                (Kind::Flag, toml::Value::Boolean(b)) => b.to_string(),
                (Kind::Flag, _) => return Err(bad("true or false")),
            };
            out.push((*env, v));
        }
        Ok(())
    };
    visit("", &doc)?;
    for (section, value) in &doc {
        if let toml::Value::Table(t) = value {
            if !KEYS.iter().any(|k| k.0 == section) {
                return Err(format!("{}: unknown section [{section}]", path.display()));
            }
            visit(section, t)?;
        }
    }
    Ok(out)
}

/// Reads the configuration file, if any, and sets the variables it gives that the
/// environment does not already set. Runs first in `main`, before any thread starts.
pub fn load() -> Result<Option<PathBuf>, String> {
    let Some(path) = config_path()? else {
        return Ok(None);
    };
    for (env, value) in settings(&path)? {
        if std::env::var_os(env).is_none() {
            // SAFETY: called at the start of `main`, before any other thread exists, so no
            // other thread reads or writes the environment concurrently.
            unsafe { std::env::set_var(env, value) };
        }
    }
    Ok(Some(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("zeropark.toml");
        std::fs::write(&p, text).unwrap();
        (d, p)
    }

    #[test]
    fn keys_map_onto_their_environment_variables() {
        let (_d, p) = write(
            "db = \"park.db\"\n[server]\nmax_upload_mb = 8\nsecure_cookies = true\n[log]\nformat = \"json\"\n",
        );
        let s = settings(&p).unwrap();
        assert_eq!(
            s,
            // Top-level keys first, then the sections in name order.
            vec![
                ("ZEROPARK_DB", "park.db".to_string()),
                ("ZEROPARK_LOG_FORMAT", "json".to_string()),
                ("ZEROPARK_MAX_UPLOAD_MB", "8".to_string()),
                ("ZEROPARK_SECURE_COOKIES", "true".to_string()),
            ]
        );
    }

    #[test]
    fn unknown_keys_and_wrong_types_name_the_file_and_key() {
        let (_d, p) = write("[server]\nmax_upload_mb = \"lots\"\n");
        let e = settings(&p).unwrap_err();
        assert!(
            e.ends_with("server.max_upload_mb: a whole number of at least 1, not \"lots\""),
            "{e}"
        );
        assert!(e.contains("zeropark.toml"), "{e}");
        let (_d, p) = write("[server]\nmax_upload_gb = 1\n");
        let e = settings(&p).unwrap_err();
        assert!(e.contains("unknown key \"server.max_upload_gb\""), "{e}");
        let (_d, p) = write("[servr]\nmax_upload_mb = 1\n");
        assert!(
            settings(&p)
                .unwrap_err()
                .contains("unknown section [servr]")
        );
        let (_d, p) = write("db = 3\n");
        assert!(settings(&p).unwrap_err().ends_with("db: a string, not 3"));
        let (_d, p) = write("[server]\nmax_upload_mb = 0\n");
        assert!(settings(&p).unwrap_err().contains("at least 1"));
    }
}
