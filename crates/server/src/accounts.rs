//! Account administration shared by the CLI (`zeropark users add`) and the API.

use crate::AppError;
use crate::auth::hash_password;
use zp_app::{NewUser, Role, Store, StoreError, User};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Creates a user with an argon2-hashed password; audited as `actor`.
pub fn add_user(
    store: &mut dyn Store,
    username: &str,
    role: &str,
    scope: &str,
    password: &str,
    actor: &str,
) -> Result<User, AppError> {
    let role = Role::parse(role).ok_or_else(|| {
        let keys: Vec<_> = Role::ALL.iter().map(|r| r.key()).collect();
        AppError::BadRequest(format!("unknown role {role:?}; one of {}", keys.join(", ")))
    })?;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::BadRequest(format!(
            "password too short: at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    role.access(scope)
        .map_err(|e| AppError::BadRequest(e.to_string().replace("not allowed: ", "")))?;
    let user = NewUser {
        username: username.trim().to_string(),
        password_hash: hash_password(password)?,
        role,
        scope: scope.trim().to_string(),
    };
    store.create_user(&user, actor).map_err(|e| match e {
        StoreError::Forbidden(m) => AppError::BadRequest(m),
        other => other.into(),
    })
}

/// A demo login printed by `zeropark demo`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoLogin {
    pub username: String,
    pub role: Role,
    pub scope: String,
    /// Fresh on every `zeropark demo` run; for the demo database only.
    pub password: String,
}

/// A random password of 14 characters from an alphabet without look-alikes.
pub fn random_password() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 14];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

/// Creates (or re-keys) one account per role for the demo park, each with a new random
/// password, and returns the logins to print. Demo only: `zeropark serve` never does this.
pub fn ensure_demo_accounts(
    store: &mut dyn Store,
    park: &str,
    region: &str,
    enterprise: &str,
    actor: &str,
) -> Result<Vec<DemoLogin>, AppError> {
    let wanted = [
        ("admin", Role::PlatformAdmin, ""),
        ("officer", Role::RegionOfficer, region),
        ("park", Role::ParkAdmin, park),
        ("enterprise", Role::EnterpriseUser, enterprise),
        ("bank", Role::Bank, ""),
        ("verifier", Role::Verifier, ""),
    ];
    let mut out = Vec::with_capacity(wanted.len());
    for (name, role, scope) in wanted {
        let password = random_password()?;
        match store.user_by_name(name)? {
            Some(u) if u.role == role && u.scope == scope => {
                store.set_password(name, &hash_password(&password)?, actor)?;
            }
            Some(u) => {
                return Err(AppError::Conflict(format!(
                    "user {name:?} exists with role {} and scope {:?}; not a demo database?",
                    u.role.key(),
                    u.scope
                )));
            }
            None => {
                add_user(store, name, role.key(), scope, &password, actor)?;
            }
        }
        out.push(DemoLogin {
            username: name.into(),
            role,
            scope: scope.into(),
            password,
        });
    }
    Ok(out)
}
