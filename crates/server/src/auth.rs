//! Authentication: argon2 passwords, session cookies and bearer API tokens, and the
//! per-username login rate limit. Tokens are 32 random bytes; the store keeps only their
//! SHA-256.

use crate::{AppError, AppState};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use zp_app::{Access, Role, User};
use zp_domain::CreditCode;

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
    /// What this request may read, applied in every store query.
    pub access: Access,
    /// For a bank or verifier account without a scope of its own: the enterprises it may
    /// read (a verifier's assignments, a bank's applicants and borrowers). Such a caller
    /// reads one of them per request (`access` is `Access::Org` of the enterprise the
    /// request names, or of the first one); `None` for every other account.
    pub parties: Option<Vec<CreditCode>>,
}

impl CurrentUser {
    pub fn actor(&self) -> String {
        self.user.actor()
    }

    /// The caller every use case takes: this user's access, audited under its name.
    pub fn caller(&self) -> zp_app::Caller {
        zp_app::Caller::new(self.access.clone(), self.actor())
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

    /// Whether this caller sees every tenant (the platform admin only).
    pub fn sees_all(&self) -> bool {
        self.access == Access::All && self.user.role == Role::PlatformAdmin
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

/// The token of an `Authorization: Bearer <token>` header (the scheme in any case, as
/// RFC 9110 allows). Other schemes (`Basic ...`) are no API credential: such a request is
/// authenticated by its session cookie, if any, and then needs the CSRF token.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Whether `headers` carry a bearer token of an enabled user's unrevoked API token: such a
/// request carries no ambient credential and is exempt from the CSRF check.
pub async fn has_valid_api_token(state: &AppState, headers: &HeaderMap) -> Result<bool, AppError> {
    let Some(digest) = bearer_token(headers).map(token_digest) else {
        return Ok(false);
    };
    state
        .run(move |s| Ok(s.api_token_user(&digest)?.is_some()))
        .await
}

/// Resolves the caller from a bearer token or the session cookie; `None` when neither is
/// presented or valid.
pub async fn authenticate(
    state: &AppState,
    parts: &Parts,
) -> Result<Option<CurrentUser>, AppError> {
    let bearer = bearer_token(&parts.headers).map(token_digest);
    let session = cookie(parts, SESSION_COOKIE).map(token_digest);
    if bearer.is_none() && session.is_none() {
        return Ok(None);
    }
    let mut named = named_org(parts);
    let project = named_project(parts);
    let found = state
        .run(move |s| {
            let user = match (bearer, session) {
                (Some(b), _) => s.api_token_user(&b)?,
                (None, Some(c)) => s.session_user(&c, now_epoch())?,
                (None, None) => None,
            };
            let parties = match &user {
                Some(u) if is_party(u) => Some(match u.role {
                    Role::Verifier => s.verifier_orgs(&u.username)?,
                    _ => s.bank_orgs(&u.username)?,
                }),
                _ => None,
            };
            // A finance project names its enterprise (only used to pick among the parties).
            if let (Some(_), Some(id)) = (&parties, project) {
                named = s
                    .finance_project(&Access::All, &id)?
                    .map(|p| p.credit_code.to_string());
            }
            Ok(user.map(|u| (u, parties, named)))
        })
        .await?;
    match found {
        Some((user, parties, named)) => {
            // A user whose scope no longer parses sees nothing rather than everything.
            let access = match &parties {
                Some(orgs) => party_access(orgs, named.as_deref()),
                None => user.access().map_err(|_| {
                    AppError::Forbidden(
                        "this account's scope is invalid; ask an administrator".into(),
                    )
                })?,
            };
            Ok(Some(CurrentUser {
                user,
                access,
                parties,
            }))
        }
        None => Ok(None),
    }
}

/// A bank or verifier account without a scope of its own: it reads only its parties'
/// enterprises (see [`CurrentUser::parties`]), never every tenant.
fn is_party(u: &User) -> bool {
    matches!(u.role, Role::Bank | Role::Verifier) && u.scope.trim().is_empty()
}

/// The park name that stands for "no enterprise": a party with no enterprise yet reads
/// with `Access::Park(NO_PARTY)`, which matches nothing (no park is named so: it starts
/// with U+2060 WORD JOINER, which the registry refuses in park names).
pub const NO_PARTY: &str = "\u{2060}no enterprise assigned";

/// The access of a party for one request: the enterprise the request names when it is one
/// of `orgs`, else the first of them; nothing without any.
fn party_access(orgs: &[CreditCode], named: Option<&str>) -> Access {
    let pick = named
        .and_then(|n| orgs.iter().find(|c| c.as_str() == n))
        .or_else(|| orgs.first());
    match pick {
        Some(c) => Access::Org(c.clone()),
        None => Access::Park(NO_PARTY.into()),
    }
}

/// The finance project a request names (`.../finance/projects/{id}...`).
fn named_project(parts: &Parts) -> Option<String> {
    let (_, rest) = parts.uri.path().split_once("/finance/projects/")?;
    let id = rest.split('/').next().unwrap_or("");
    let id = percent_decode(id);
    (!id.is_empty()).then_some(id)
}

/// `%XX` escapes of a path segment decoded (invalid UTF-8 is replaced).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The enterprise a request names: the segment after `orgs/` in its path, or its `org`,
/// `code`, `credit_code` or `consumer` query parameter.
fn named_org(parts: &Parts) -> Option<String> {
    let path = parts.uri.path();
    if let Some((_, rest)) = path.split_once("/orgs/") {
        let seg = rest.split('/').next().unwrap_or("");
        if !seg.is_empty() {
            return Some(seg.to_string());
        }
    }
    let query = parts.uri.query()?;
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, v)| {
            matches!(k.as_str(), "org" | "code" | "credit_code" | "consumer") && !v.is_empty()
        })
        .map(|(_, v)| v.trim().to_string())
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        authenticate(state, parts)
            .await?
            .ok_or(AppError::Unauthenticated)
    }
}

/// Failed-login tally of one key: attempts counted and when the last one was made.
#[derive(Debug, Clone, Copy)]
struct Tally {
    count: u32,
    last: Instant,
}

/// Longest wait the backoff grows to.
const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);
/// A source may fail this many times `max` (over all accounts) before it waits.
const SOURCE_FACTOR: u32 = 4;

impl Tally {
    /// Backoff after `count` attempts with `free` allowed: none below `free`, then
    /// `first` (1 s in a server), 2 x `first`, 4 x, ... doubling per further attempt, at
    /// most [`MAX_BACKOFF`].
    fn backoff(&self, free: u32, first: Duration) -> Duration {
        if self.count < free {
            return Duration::ZERO;
        }
        let doublings = (self.count - free).min(20);
        first.saturating_mul(1 << doublings).min(MAX_BACKOFF)
    }

    /// How long to wait before the next attempt, if at all.
    fn wait(&self, free: u32, first: Duration, now: Instant) -> Option<Duration> {
        let until = self.last + self.backoff(free, first);
        (now < until).then(|| until - now)
    }

    /// Forgotten once quiet for `window` after its backoff ended.
    fn stale(&self, free: u32, first: Duration, window: Duration, now: Instant) -> bool {
        now >= self.last + self.backoff(free, first) + window
    }
}

/// Login throttle per (account, source) and per source, with exponential backoff.
///
/// An attempt is reserved (counted as a failure) *before* the password is verified, under
/// the limiter's lock, so concurrent guesses cannot all pass the check; a success refunds
/// it and clears the (account, source) tally. Guesses from one source never lock the
/// account for another source: the real user elsewhere logs in normally.
#[derive(Debug)]
pub struct LoginLimiter {
    max: u32,
    window: Duration,
    /// The first backoff, doubled per further attempt.
    first: Duration,
    pairs: HashMap<(String, String), Tally>,
    sources: HashMap<String, Tally>,
}

impl LoginLimiter {
    /// `max` attempts per (account, source) before the backoff starts (`max` x 4 per
    /// source over all accounts); a tally is forgotten after `window` without attempts
    /// once its backoff ended. The first backoff is 1 s ([`LoginLimiter::first_backoff`]).
    pub fn new(max: usize, window: Duration) -> LoginLimiter {
        LoginLimiter {
            max: u32::try_from(max.max(1)).unwrap_or(u32::MAX),
            window,
            first: Duration::from_secs(1),
            pairs: HashMap::new(),
            sources: HashMap::new(),
        }
    }

    /// The same limiter with another first backoff (doubled per further attempt).
    pub fn first_backoff(self, first: Duration) -> LoginLimiter {
        LoginLimiter { first, ..self }
    }

    /// Checks and reserves one attempt of `account` from `source`: `Err(seconds to wait)`
    /// when either tally is in its backoff (nothing is counted then).
    pub fn reserve(&mut self, account: &str, source: &str, now: Instant) -> Result<(), u64> {
        self.prune(now);
        let (free, window, first) = (self.max, self.window, self.first);
        let source_free = free.saturating_mul(SOURCE_FACTOR);
        let key = (account.to_string(), source.to_string());
        let fresh = Tally {
            count: 0,
            last: now,
        };
        let mut pair = self.pairs.get(&key).copied().unwrap_or(fresh);
        if pair.stale(free, first, window, now) {
            pair = fresh;
        }
        let mut src = self.sources.get(source).copied().unwrap_or(fresh);
        if src.stale(source_free, first, window, now) {
            src = fresh;
        }
        let wait = [
            pair.wait(free, first, now),
            src.wait(source_free, first, now),
        ]
        .into_iter()
        .flatten()
        .max();
        if let Some(w) = wait {
            return Err((w.as_secs() + u64::from(w.subsec_nanos() > 0)).max(1));
        }
        pair = Tally {
            count: pair.count + 1,
            last: now,
        };
        src = Tally {
            count: src.count + 1,
            last: now,
        };
        self.pairs.insert(key, pair);
        self.sources.insert(source.to_string(), src);
        Ok(())
    }

    /// The reserved attempt succeeded: the (account, source) tally is cleared and the
    /// source's attempt refunded.
    pub fn succeed(&mut self, account: &str, source: &str) {
        self.pairs
            .remove(&(account.to_string(), source.to_string()));
        if let Some(t) = self.sources.get_mut(source) {
            t.count = t.count.saturating_sub(1);
        }
    }

    /// Bounds memory: drops stale tallies when the tables grow.
    fn prune(&mut self, now: Instant) {
        let (free, window, first) = (self.max, self.window, self.first);
        if self.pairs.len() > 10_000 {
            self.pairs.retain(|_, t| !t.stale(free, first, window, now));
        }
        if self.sources.len() > 10_000 {
            let sf = free.saturating_mul(SOURCE_FACTOR);
            self.sources.retain(|_, t| !t.stale(sf, first, window, now));
        }
    }
}

/// Where a request comes from, for the login throttle: the peer address
/// (`ConnectInfo`), or, when the peer is one of `Config::trusted_proxies`, the nearest
/// address of `X-Forwarded-For` that is not itself a trusted proxy. Without a peer address
/// (a router driven in-process) the source is `"local"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSource(pub String);

impl ClientSource {
    pub fn of(parts: &Parts, config: &crate::Config) -> ClientSource {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let Some(peer) = peer else {
            return ClientSource("local".into());
        };
        if !config.trusted_proxies.contains(&peer) {
            return ClientSource(peer.to_string());
        }
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|a| a.trim())
            .collect::<Vec<_>>();
        let client = forwarded
            .iter()
            .rev()
            .filter_map(|a| a.parse::<std::net::IpAddr>().ok())
            .find(|ip| !config.trusted_proxies.contains(ip));
        ClientSource(client.unwrap_or(peer).to_string())
    }

    /// Whether a trusted proxy in front says the client used HTTPS.
    pub fn forwarded_https(parts: &Parts, config: &crate::Config) -> bool {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        peer.is_some_and(|p| config.trusted_proxies.contains(&p))
            && parts
                .headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
    }
}

impl FromRequestParts<AppState> for ClientSource {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        Ok(ClientSource::of(parts, &state.config))
    }
}

/// A hash to verify against when the username does not exist, so both failures take the
/// same time.
fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password("zeropark-dummy-password").unwrap_or_default())
}

fn limiter(state: &AppState) -> Result<std::sync::MutexGuard<'_, LoginLimiter>, AppError> {
    state
        .limiter
        .lock()
        .map_err(|_| AppError::Internal("limiter lock".into()))
}

/// Checks the password of `username` logging in from `source` and opens a session;
/// returns the user and the session token. The attempt is reserved with the throttle
/// first; the user row is read in one short store call and argon2 runs afterwards on a
/// blocking thread, holding no store connection or lock.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    source: &ClientSource,
) -> Result<(User, String), AppError> {
    let username = username.trim().to_string();
    limiter(state)?
        .reserve(&username, &source.0, Instant::now())
        .map_err(AppError::RateLimited)?;
    let name = username.clone();
    let user = state.run(move |s| Ok(s.user_by_name(&name)?)).await?;
    let phc = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_string());
    let pw = password.to_string();
    let verified = tokio::task::spawn_blocking(move || verify_password(&pw, &phc))
        .await
        .map_err(|e| AppError::Internal(format!("blocking task: {e}")))?;
    let user = match user {
        Some(u) if verified && !u.disabled => u,
        _ => return Err(AppError::BadCredentials),
    };
    let token = new_token()?;
    let digest = token_digest(&token);
    let (ttl, uid) = (state.config.session_ttl_secs, user.id);
    state
        .run(move |s| {
            s.purge_sessions(now_epoch())?;
            s.create_session(&digest, uid, now_epoch() + ttl)?;
            Ok(())
        })
        .await?;
    limiter(state)?.succeed(&username, &source.0);
    Ok((user, token))
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
    fn limiter_backs_off_per_account_and_source() {
        let mut l = LoginLimiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.reserve("ann", "10.0.0.1", t0).is_ok());
        }
        // Three attempts used: the fourth waits 2^0 = 1 s after the last.
        assert_eq!(l.reserve("ann", "10.0.0.1", t0), Err(1));
        assert!(l.reserve("ann", "10.0.0.2", t0).is_ok(), "other source");
        assert!(l.reserve("bob", "10.0.0.1", t0).is_ok(), "other account");
        let t1 = t0 + Duration::from_secs(1);
        assert!(l.reserve("ann", "10.0.0.1", t1).is_ok());
        // Four attempts: the next waits 2^1 = 2 s from t1.
        assert_eq!(l.reserve("ann", "10.0.0.1", t1), Err(2));
        l.succeed("ann", "10.0.0.1");
        assert!(l.reserve("ann", "10.0.0.1", t1).is_ok(), "success clears");
    }

    #[test]
    fn limiter_throttles_a_source_over_all_accounts() {
        // max 2 per pair, 2 x 4 = 8 per source.
        let mut l = LoginLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..8 {
            assert!(l.reserve(&format!("user{i}"), "10.0.0.9", t0).is_ok());
        }
        assert_eq!(l.reserve("user99", "10.0.0.9", t0), Err(1));
        assert!(l.reserve("user99", "10.0.0.8", t0).is_ok());
    }
}
