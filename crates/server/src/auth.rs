//! Authentication: argon2 passwords, session cookies and bearer API tokens, and the
//! per-username login rate limit. Tokens are 32 random bytes; the store keeps only their
//! SHA-256.

use crate::{AppError, AppState};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use zp_app::{Access, Role, User};

pub const SESSION_COOKIE: &str = "zp_session";

/// An argon2id PHC string of `password` with a random salt.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("argon2: {e}")))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A fresh random token (64 hex characters).
pub fn new_token() -> Result<String, AppError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    Ok(hex::encode(b))
}

/// What the store keeps of a token.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn now_epoch() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The authenticated caller and what they may see.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub access: Access,
}

impl CurrentUser {
    pub fn actor(&self) -> String {
        self.user.actor()
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    /// Refuses read-only roles.
    pub fn require_write(&self) -> Result<(), AppError> {
        if self.user.role.can_write() {
            Ok(())
        } else {
            Err(AppError::read_only())
        }
    }

    pub fn require_role(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "the {} role may not do this",
                self.user.role.key()
            )))
        }
    }

    /// Whether this caller sees every tenant (platform admin, unscoped verifier or bank).
    pub fn sees_all(&self) -> bool {
        self.access == Access::All
    }
}

/// The value of cookie `name` in the request.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Resolves the caller from a bearer token or the session cookie; `None` when neither is
/// presented or valid.
pub async fn authenticate(
    state: &AppState,
    parts: &Parts,
) -> Result<Option<CurrentUser>, AppError> {
    let bearer = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| token_digest(t.trim()));
    let session = cookie(parts, SESSION_COOKIE).map(token_digest);
    if bearer.is_none() && session.is_none() {
        return Ok(None);
    }
    let user = state
        .run(move |s| {
            Ok(match (bearer, session) {
                (Some(b), _) => s.api_token_user(&b)?,
                (None, Some(c)) => s.session_user(&c, now_epoch())?,
                (None, None) => None,
            })
        })
        .await?;
    match user {
        Some(user) => {
            // A user whose scope no longer parses sees nothing rather than everything.
            let access = user.access().map_err(|_| {
                AppError::Forbidden("this account's scope is invalid; ask an administrator".into())
            })?;
            Ok(Some(CurrentUser { user, access }))
        }
        None => Ok(None),
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        authenticate(state, parts)
            .await?
            .ok_or(AppError::Unauthenticated)
    }
}

/// Counts failed logins per username in a sliding window.
#[derive(Debug)]
pub struct LoginLimiter {
    max: usize,
    window: Duration,
    failures: HashMap<String, Vec<Instant>>,
}

impl LoginLimiter {
    pub fn new(max: usize, window: Duration) -> LoginLimiter {
        LoginLimiter {
            max,
            window,
            failures: HashMap::new(),
        }
    }

    /// `Err(seconds to wait)` when `username` has used up its attempts.
    pub fn check(&mut self, username: &str, now: Instant) -> Result<(), u64> {
        let window = self.window;
        let Some(list) = self.failures.get_mut(username) else {
            return Ok(());
        };
        list.retain(|t| now.duration_since(*t) < window);
        if list.len() < self.max {
            return Ok(());
        }
        let oldest = list.iter().min().copied().unwrap_or(now);
        Err((window.saturating_sub(now.duration_since(oldest))).as_secs() + 1)
    }

    pub fn fail(&mut self, username: &str, now: Instant) {
        // Bound memory: forget stale usernames when the table grows.
        if self.failures.len() > 10_000 {
            let window = self.window;
            self.failures
                .retain(|_, l| l.iter().any(|t| now.duration_since(*t) < window));
        }
        self.failures
            .entry(username.to_string())
            .or_default()
            .push(now);
    }

    pub fn succeed(&mut self, username: &str) {
        self.failures.remove(username);
    }
}

/// A hash to verify against when the username does not exist, so both failures take the
/// same time.
fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password("zeropark-dummy-password").unwrap_or_default())
}

/// Checks the password and opens a session; returns the user and the session token.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
) -> Result<(User, String), AppError> {
    let username = username.trim().to_string();
    {
        let mut lim = state
            .limiter
            .lock()
            .map_err(|_| AppError::Internal("limiter lock".into()))?;
        lim.check(&username, Instant::now())
            .map_err(AppError::RateLimited)?;
    }
    let token = new_token()?;
    let digest = token_digest(&token);
    let ttl = state.config.session_ttl_secs;
    let (name, pw) = (username.clone(), password.to_string());
    let user = state
        .run(move |s| {
            let user = s.user_by_name(&name)?;
            let ok = match &user {
                Some(u) => verify_password(&pw, &u.password_hash) && !u.disabled,
                None => {
                    verify_password(&pw, dummy_hash());
                    false
                }
            };
            match user {
                Some(u) if ok => {
                    s.purge_sessions(now_epoch())?;
                    s.create_session(&digest, u.id, now_epoch() + ttl)?;
                    Ok(Some(u))
                }
                _ => Ok(None),
            }
        })
        .await?;
    let mut lim = state
        .limiter
        .lock()
        .map_err(|_| AppError::Internal("limiter lock".into()))?;
    match user {
        Some(u) => {
            lim.succeed(&username);
            Ok((u, token))
        }
        None => {
            lim.fail(&username, Instant::now());
            Err(AppError::BadCredentials)
        }
    }
}

/// `Set-Cookie` value opening a session.
pub fn session_cookie(token: &str, state: &AppState) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        state.config.session_ttl_secs
    )
}

/// `Set-Cookie` value ending the session.
pub fn clear_cookie(state: &AppState) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// Ends the session named by the request's cookie, if any.
pub async fn logout(state: &AppState, parts: &Parts) -> Result<(), AppError> {
    if let Some(c) = cookie(parts, SESSION_COOKIE) {
        let d = token_digest(c);
        state.run(move |s| Ok(s.delete_session(&d)?)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("s3cret-pw").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("s3cret-pw", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("s3cret-pw", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_digested() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_digest(&a).len(), 64);
        assert_ne!(token_digest(&a), a);
    }

    #[test]
    fn limiter_blocks_after_the_window_fills_and_recovers() {
        let mut l = LoginLimiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check("ann", t0).is_ok());
            l.fail("ann", t0);
        }
        let wait = l.check("ann", t0).unwrap_err();
        assert!((1..=61).contains(&wait));
        assert!(l.check("bob", t0).is_ok(), "per username");
        assert!(l.check("ann", t0 + Duration::from_secs(61)).is_ok());
        l.succeed("ann");
        assert!(l.check("ann", t0).is_ok());
    }
}
