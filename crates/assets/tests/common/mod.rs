//! What the registry's property tests share: three account holders.

use zp_domain::CreditCode;

/// Three enterprises holding accounts (valid credit codes).
pub fn orgs() -> [CreditCode; 3] {
    [
        "91500105MA5YRE01BU",
        "91500000MA5UA0000A",
        "91500000MA5UB00002",
    ]
    .map(|c| CreditCode::parse(c).unwrap())
}
