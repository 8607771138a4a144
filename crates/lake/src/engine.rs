//! The engines a carbon map runs on.

/// Where a carbon map is computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    /// The readings store's own kernels (`zp_app::readings::carbon_map`).
    Native,
    /// DataFusion in this process, over the lake (the `datafusion` feature).
    DataFusion,
    /// A Ballista scheduler at `host:port` (the `ballista` feature), over the lake: the
    /// executors must see the lake at the same path.
    Ballista(String),
}

impl Engine {
    /// `native`, `datafusion` or `ballista://HOST:PORT`.
    pub fn parse(s: &str) -> Result<Engine, String> {
        match s {
            "native" => Ok(Engine::Native),
            "datafusion" => Ok(Engine::DataFusion),
            _ => match s.strip_prefix("ballista://") {
                Some(addr) if addr.contains(':') => Ok(Engine::Ballista(addr.to_string())),
                _ => Err(format!(
                    "engine {s:?}: native, datafusion or ballista://HOST:PORT"
                )),
            },
        }
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Engine::Native => f.write_str("native"),
            Engine::DataFusion => f.write_str("datafusion"),
            Engine::Ballista(addr) => write!(f, "ballista://{addr}"),
        }
    }
}
