//! No certificate counts twice: a ledger row's serials against every other claim (other
//! enterprises' ledger rows, the registry's retirements), and an enterprise's own
//! registry retirements and ledger rows counted once.
//!
//! Registry GECs carry bare serial numbers; a ledger serial matches one when it has no
//! prefix (only digits) and the same number.

use crate::ImportError;
use std::collections::{BTreeMap, BTreeSet};
use zp_certs::{Registry, Source};
use zp_domain::records::{NewActivity, Rejected};
use zp_domain::{Carrier, CreditCode, Decimal, SerialRange, SerialSet};
use zp_store::Store;

/// Somebody's claim on serials: who, and where it was made.
struct Claim {
    org: String,
    /// (site, period) of a ledger row; empty for the registry.
    key: Option<(String, String)>,
    serials: SerialSet,
    place: String,
}

fn row_serials(attrs: &BTreeMap<String, String>) -> Option<SerialSet> {
    attrs.get("serials").and_then(|s| SerialSet::parse(s).ok())
}

/// The registry's GEC serials retired for each consumer, as prefix-less ranges of the
/// width `width` (ledger serials of another width never match).
fn registry_claims(reg: &Registry, width: usize) -> Vec<Claim> {
    reg.bundles()
        .filter(|b| matches!(b.source, Source::Gec { .. }))
        .filter_map(|b| {
            let (consumer, _, _) = b.status.retirement()?;
            let range = SerialRange {
                prefix: String::new(),
                width,
                first: b.ids.start,
                last: b.ids.end,
            };
            let serials = SerialSet::parse(&range.to_string()).ok()?;
            Some(Claim {
                org: consumer.to_string(),
                key: None,
                serials,
                place: format!("the certificate registry (bundle {})", b.id),
            })
        })
        .collect()
}

/// Quarantines the rows of an activity import whose serials someone else has claimed
/// (another enterprise's current ledger row, an earlier row of the same file, or a
/// registry retirement for someone else), or that the same enterprise already claimed for
/// another period or site. Re-importing one's own row is left to the store (a duplicate).
pub(crate) fn refuse_double_claims(
    store: &mut dyn Store,
    file: &str,
    rows: Vec<NewActivity>,
    rejected: &mut Vec<Rejected>,
) -> Result<Vec<NewActivity>, ImportError> {
    if !rows
        .iter()
        .any(|r| r.carrier == Carrier::GreenCertificate && r.attrs.contains_key("serials"))
    {
        return Ok(rows);
    }
    let mut claims: Vec<Claim> = store
        .certificate_claims()?
        .into_iter()
        .filter_map(|r| {
            Some(Claim {
                serials: row_serials(&r.attrs)?,
                key: Some((r.site.clone(), r.period.to_string())),
                org: r.credit_code,
                place: format!(
                    "{}:{}",
                    crate::batch::file_name(&r.source_file),
                    r.source_row
                ),
            })
        })
        .collect();
    let registry = crate::certs::stored_registry(store).map_err(|e| {
        ImportError::Invalid(format!("the certificate registry could not be read: {e}"))
    })?;
    let mut kept = Vec::with_capacity(rows.len());
    let mut registry_by_width: BTreeMap<usize, Vec<Claim>> = BTreeMap::new();
    for row in rows {
        let Some(serials) = (row.carrier == Carrier::GreenCertificate)
            .then(|| row_serials(&row.attrs))
            .flatten()
        else {
            kept.push(row);
            continue;
        };
        let me = row.credit_code.to_string();
        let my_key = (row.site.clone(), row.period.to_string());
        let mut found = None;
        let mut widths: Vec<usize> = serials
            .ranges()
            .iter()
            .filter(|r| r.prefix.is_empty())
            .map(|r| r.width)
            .collect();
        widths.sort_unstable();
        widths.dedup();
        // The registry is read once per serial width for the whole file, not once per row.
        if let Some(reg) = registry.as_ref() {
            for w in &widths {
                registry_by_width
                    .entry(*w)
                    .or_insert_with(|| registry_claims(reg, *w));
            }
        }
        let from_registry = widths
            .iter()
            .filter_map(|w| registry_by_width.get(w))
            .flatten();
        for c in claims.iter().chain(from_registry) {
            let own_row = c.org == me && c.key.as_ref() == Some(&my_key);
            let own_retirement = c.org == me && c.key.is_none();
            if own_row || own_retirement {
                continue;
            }
            let both = serials.intersect(&c.serials);
            if !both.is_empty() {
                found = Some((both, c));
                break;
            }
        }
        if let Some((both, c)) = found {
            let who = if c.org == me {
                format!("this enterprise for another period or site ({})", c.place)
            } else {
                format!("{} ({})", c.org, c.place)
            };
            rejected.push(Rejected {
                row: row.source_row,
                field: "serials".into(),
                reason: format!(
                    "{} certificate(s) {both} are already claimed by {who}: a certificate counts once",
                    both.count()
                ),
                raw: format!(
                    "{},{},{},{},{},{serials}",
                    row.credit_code,
                    row.period,
                    row.carrier.key(),
                    row.quantity.value,
                    row.quantity.unit.symbol()
                ),
            });
            continue;
        }
        claims.push(Claim {
            org: me,
            key: Some(my_key),
            serials,
            place: format!("{}:{}", crate::batch::file_name(file), row.source_row),
        });
        kept.push(row);
    }
    rejected.sort_by_key(|r| r.row);
    Ok(kept)
}

/// Certificates a ledger row names that the registry also shows retired for the same
/// enterprise: counted once (from the registry).
pub(crate) fn also_in_registry(reg: &Registry, org: &CreditCode, serials: &SerialSet) -> u64 {
    let me = org.to_string();
    serials
        .ranges()
        .iter()
        .filter(|r| r.prefix.is_empty())
        .flat_map(|r| {
            registry_claims(reg, r.width)
                .into_iter()
                .filter(|c| c.org == me)
                .map(move |c| {
                    SerialSet::parse(&r.to_string()).map(|s| s.intersect(&c.serials).count())
                })
        })
        .map(|n| n.unwrap_or(0))
        .sum()
}

/// MWh of `org`'s own metered generation in `year` issued as granular certificates that
/// now belong to, or were retired for, someone else.
pub(crate) fn onsite_certificates_sold_mwh(
    reg: &Registry,
    org: &CreditCode,
    own_meters: &[String],
    year: i32,
) -> Decimal {
    if own_meters.is_empty() {
        return Decimal::ZERO;
    }
    let own: BTreeSet<&str> = own_meters.iter().map(String::as_str).collect();
    let (from, to) = zp_domain::time::local_year_bounds(year);
    let wh: u64 = reg
        .bundles_produced_between(from, to)
        .filter(|b| match &b.source {
            Source::Granular { meter_id, .. } => own.contains(meter_id.as_str()),
            Source::Gec { .. } => false,
        })
        .filter(|b| match b.status.retirement() {
            Some((consumer, _, _)) => consumer != org,
            None => &b.owner != org,
        })
        .map(|b| b.energy_wh)
        .sum();
    Decimal::from(wh) / Decimal::from(1_000_000)
}
