//! Who is calling a use case: the scope their reads and writes are limited to, and the name
//! the audit log records. The HTTP server builds one per request from the signed-in user;
//! the CLI uses [`Caller::operator`], the local operator with access to everything.

use zp_store::Access;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// What the caller may see and change; every query of a use case filters by it.
    pub access: Access,
    /// Recorded in the audit log and on every batch (`user:NAME`, `cli:NAME`, `system:demo`).
    pub actor: String,
}

impl Caller {
    pub fn new(access: Access, actor: impl Into<String>) -> Caller {
        Caller {
            access,
            actor: actor.into(),
        }
    }

    /// The local operator (CLI): everything is in scope.
    pub fn operator(actor: impl Into<String>) -> Caller {
        Caller::new(Access::All, actor)
    }

    /// Whether the caller sees everything (no scope to enforce or to hide).
    pub fn is_unscoped(&self) -> bool {
        self.access == Access::All
    }
}
