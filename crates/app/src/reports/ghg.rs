//! `zeropark report ghg-inventory`: the enterprise's issued inventory (provincial factor)
//! with its sites, base year and the certificates it claims, handed to
//! `zp_reports::ghg::build`.

use crate::{AppError, Caller};
use zp_accounting::GridFactorMode;
use zp_domain::{Carrier, CreditCode, Unit};
use zp_reports::Lang;
use zp_reports::ghg::{
    BaseYearFigures, CertificateClaim, GhgInput, GhgInventoryReport, Organisation, build,
};
use zp_store::{Access, Store};

/// `zeropark report ghg-inventory --org CODE --year Y --lang zh|en`.
pub fn ghg_report(
    store: &mut dyn Store,
    caller: &Caller,
    code: &CreditCode,
    year: i32,
    lang: Lang,
) -> Result<GhgInventoryReport, AppError> {
    let access = &caller.access;
    let org = crate::energy::visible_org(store, caller, code)?;
    let catalog = crate::catalog(store)?;
    let grid = GridFactorMode::Provincial;
    let inventory = crate::org_inventory(store, &catalog, access, code, year, grid, &caller.actor)?;

    // Claims: the ledger's certificate rows (with serials where named) and the registry's
    // retirements, as the inventory counted them.
    let certs = crate::certs::stored_registry(store)?;
    let (input, _) = crate::inventory::org_input(store, access, code, year, certs.as_deref())?;
    let certificate_claims = input
        .lines
        .iter()
        .filter(|l| l.carrier == Carrier::GreenCertificate)
        .map(|l| CertificateClaim {
            period: l.period.to_string(),
            mwh: l.quantity.value_in(Unit::Mwh).unwrap_or(l.quantity.value),
            serials: l.serials.clone(),
            source: l.source.clone(),
        })
        .collect();

    // The base year: the first year of the enterprise's ledgers.
    let years = store.activity_years(&Access::Org(code.clone()))?;
    let base_year = years
        .iter()
        .copied()
        .filter(|y| *y <= year)
        .min()
        .unwrap_or(year);
    let base = if base_year < year {
        let b = crate::org_inventory(
            store,
            &catalog,
            access,
            code,
            base_year,
            grid,
            &caller.actor,
        )?;
        Some(BaseYearFigures {
            year: base_year,
            scope1_tco2: b.scope1_tco2,
            scope2_location_tco2: b.scope2_location_tco2,
            scope2_market_tco2: b.scope2_market_tco2,
            factor_ids: b.factors.iter().map(|f| f.id.clone()).collect(),
        })
    } else {
        None
    };
    let records = store.activity(access, code, year)?;
    let sites = super::sites_of(store, access, code, &records)?;
    Ok(build(GhgInput {
        lang,
        organisation: Organisation {
            credit_code: org.credit_code.to_string(),
            name: org.name.clone(),
            region: org.region.code().into(),
            region_name: lang.pick(org.region.name_zh(), org.region.name_en()).into(),
            industry: org.industry.clone(),
            park: org.park.clone(),
            sites,
        },
        inventory,
        base_year,
        base,
        certificate_claims,
    }))
}
