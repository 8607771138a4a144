//! A month's steam counts once. A site's steam of a month is reported either by mass
//! (`steam`, in t or kg, priced by its enthalpy) or as the heat delivered (`steam_heat`, in GJ,
//! MJ or 万kJ). They are different carriers, so the store would keep both as two lines and the
//! month's steam would be counted twice. A row whose site and month already have steam
//! reported the other way (stored, or earlier in the same file) is quarantined; to restate
//! such a month, revert the import that reported it, or report it the same way.

use crate::ImportError;
use std::collections::BTreeMap;
use zp_domain::Carrier;
use zp_domain::records::{NewActivity, Rejected};
use zp_store::{Access, Store};

/// The reasons written here.
pub const REASONS_EN: &[(&str, &str)] = &[
    (
        "steam.by_mass_already",
        "steam of {period} at this site is already reported by mass ({place}): a month's steam is reported by mass or as heat delivered, not both",
    ),
    (
        "steam.as_heat_already",
        "steam of {period} at this site is already reported as heat delivered ({place}): a month's steam is reported by mass or as heat delivered, not both",
    ),
];

/// The other way of reporting steam, for a steam carrier.
fn other_way(c: Carrier) -> Option<Carrier> {
    match c {
        Carrier::Steam => Some(Carrier::SteamHeat),
        Carrier::SteamHeat => Some(Carrier::Steam),
        _ => None,
    }
}

/// Quarantines the steam rows of an activity import whose site and month already have steam
/// reported the other way, as `access` sees the store, or earlier in `file`.
pub(crate) fn refuse_steam_both_ways(
    store: &mut dyn Store,
    access: &Access,
    file: &str,
    rows: Vec<NewActivity>,
    rejected: &mut Vec<Rejected>,
) -> Result<Vec<NewActivity>, ImportError> {
    if !rows.iter().any(|r| other_way(r.carrier).is_some()) {
        return Ok(rows);
    }
    // (enterprise, site, month, carrier) -> where it is reported.
    let mut reported: BTreeMap<(String, String, String, Carrier), String> = BTreeMap::new();
    let mut years_read = std::collections::BTreeSet::new();
    let mut kept = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(other) = other_way(row.carrier) else {
            kept.push(row);
            continue;
        };
        let code = row.credit_code.to_string();
        let year = row.period.year();
        if years_read.insert((code.clone(), year)) {
            for r in store.activity(access, &row.credit_code, year)? {
                if other_way(r.carrier).is_some() && r.superseded_by.is_none() {
                    let key = (
                        code.clone(),
                        r.site.clone(),
                        r.period.to_string(),
                        r.carrier,
                    );
                    let place = format!(
                        "{}:{}",
                        crate::batch::file_name(&r.source_file),
                        r.source_row
                    );
                    reported.entry(key).or_insert(place);
                }
            }
        }
        let key = |c: Carrier| (code.clone(), row.site.clone(), row.period.to_string(), c);
        if let Some(place) = reported.get(&key(other)) {
            let code = match other {
                Carrier::Steam => "steam.by_mass_already",
                _ => "steam.as_heat_already",
            };
            let period = row.period.to_string();
            let reason = zp_domain::template::write(
                REASONS_EN,
                code,
                &[("period", &period), ("place", place)],
            );
            rejected.push(Rejected {
                row: row.source_row,
                field: "unit".into(),
                reason,
                raw: format!(
                    "{},{},{},{},{},{}",
                    row.credit_code,
                    row.period,
                    row.carrier.key(),
                    row.quantity.value,
                    row.quantity.unit.symbol(),
                    row.site
                ),
            });
            continue;
        }
        reported
            .entry(key(row.carrier))
            .or_insert_with(|| format!("{}:{}", crate::batch::file_name(file), row.source_row));
        kept.push(row);
    }
    rejected.sort_by_key(|r| r.row);
    Ok(kept)
}
