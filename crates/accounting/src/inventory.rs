//! One enterprise, one year.

use crate::model::{ActivityLine, CarrierLine, FactorUse, InputRef, Inventory, OrgInput};
pub use crate::steam::DEFAULT_STEAM_PRESSURE_MPA;
use std::collections::BTreeMap;
use zp_domain::{Carrier, CarrierCategory, Decimal, Unit, UnitError};
use zp_factors::{Catalog, CatalogError, Pins, Selection, Slot};

/// Which grid factor the location-based Scope 2 uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum GridFactorMode {
    /// Provincial average of the enterprise's region (national when none).
    #[default]
    Provincial,
    /// National average (`--grid-factor national`).
    National,
}

impl GridFactorMode {
    pub fn key(self) -> &'static str {
        match self {
            GridFactorMode::Provincial => "provincial",
            GridFactorMode::National => "national",
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub grid: GridFactorMode,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountingError {
    #[error(transparent)]
    Factor(#[from] CatalogError),
    #[error("activity row {id} ({source_ref}): {err}")]
    Unit {
        id: i64,
        source_ref: String,
        err: UnitError,
    },
    #[error("activity row {id} ({source_ref}): steam state: {reason}")]
    Steam {
        id: i64,
        source_ref: String,
        reason: String,
    },
    #[error("activity row {id} ({source_ref}) is for {period}, not the report year {year}")]
    WrongYear {
        id: i64,
        source_ref: String,
        period: String,
        year: i32,
    },
}

/// Collects the factors used, once each.
struct Factors<'a> {
    catalog: &'a Catalog,
    pins: &'a mut Pins,
    used: BTreeMap<String, FactorUse>,
}

impl Factors<'_> {
    fn get(&mut self, slot: Slot) -> Result<Selection, CatalogError> {
        let sel = self.catalog.select_pinned(slot, self.pins)?;
        let f = &sel.factor;
        self.used.entry(slot.key()).or_insert_with(|| FactorUse {
            id: f.id.clone(),
            slot: slot.key(),
            value: f.value,
            unit: f.unit.clone(),
            kind: f.kind.key().to_string(),
            region: f.region.map(|r| r.code().to_string()),
            year: f.year,
            source: f.source(),
            note: sel.note.clone(),
        });
        Ok(sel)
    }

    fn value(&mut self, slot: Slot) -> Result<(Decimal, String), CatalogError> {
        let s = self.get(slot)?;
        Ok((s.factor.value, s.factor.id))
    }

    /// A result issued before steam was priced by enthalpy pinned a steam heat content
    /// (`steam_heat/...`): it keeps that method until `recompute`.
    fn legacy_steam_heat(&mut self) -> Option<(Decimal, String)> {
        let (key, pin) = self
            .pins
            .0
            .iter()
            .find(|(k, _)| k.starts_with("steam_heat/"))?;
        let f = self.catalog.get(&pin.id)?;
        self.used.entry(key.clone()).or_insert_with(|| FactorUse {
            id: f.id.clone(),
            slot: key.clone(),
            value: f.value,
            unit: f.unit.clone(),
            kind: f.kind.key().to_string(),
            region: None,
            year: f.year,
            source: f.source(),
            note: Some(
                "issued with GB/T 2589's steam heat content; `zeropark recompute` re-prices steam by enthalpy"
                    .into(),
            ),
        });
        Some((f.value, f.id.clone()))
    }
}

/// How steam given as heat delivered entered the line: each row's quantity in `unit`
/// (MJ), converted exactly (1 GJ = 1000 MJ, 1 万kJ = 10 MJ).
fn steam_heat_conversion(lines: &[&ActivityLine], unit: Unit) -> String {
    let rows: Vec<String> = lines
        .iter()
        .map(|l| match l.quantity.value_in(unit) {
            Ok(v) if l.quantity.unit != unit => format!(
                "{} {} = {} {unit}",
                l.quantity.value.normalize(),
                l.quantity.unit,
                v.normalize()
            ),
            _ => l.quantity.to_string(),
        })
        .collect();
    format!(
        "steam given as the heat delivered, accounted as purchased heat: {}",
        rows.join(", ")
    )
}

fn mwh(q: Decimal) -> String {
    format!("{} MWh", q.normalize())
}

/// The notes an inventory carries, as `(code, template)` pairs: a note is written in
/// English from its template ([`note`]) and a page in another language recognises its code
/// and parameters (`zp_domain::template::recognise`) and writes its own.
pub const NOTES_EN: &[(&str, &str)] = &[
    (
        "inventory.factor_missing",
        "{carrier}: {what} is missing from the catalog, so its combustion CO2 is not included; import a factor set that provides it",
    ),
    (
        "inventory.certificates_unverified",
        "{mwh} MWh of retired certificates name no serials: counted, but not checked against other enterprises' claims",
    ),
    (
        "inventory.certificates_exceed",
        "{mwh} MWh of retired certificates exceed the grid electricity of {year} and were not applied",
    ),
    (
        "inventory.onsite_sold",
        "{mwh} MWh of on-site renewable generation was issued as certificates now held or retired by others: priced at the residual factor (market-based) and left out of the clean share (GHG Protocol Scope 2 Guidance)",
    ),
    (
        "inventory.coal_equivalent",
        "electricity converted at its coal-equivalent (等价值) {k} kgce/kWh ({factor}), not the calorific 0.1229; emissions unchanged",
    ),
    (
        "inventory.coal_equivalent_note",
        "electricity converted at its coal-equivalent (等价值) {k} kgce/kWh ({factor}), not the calorific 0.1229; emissions unchanged; {note}",
    ),
    ("inventory.factor_note", "{slot}: {note}"),
];

/// The note `code` of [`NOTES_EN`] written with `args`.
fn note(code: &str, args: &[(&str, &str)]) -> String {
    let template = NOTES_EN
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, t)| *t)
        .expect("a note of NOTES_EN");
    zp_domain::template::fill(template, args)
}

/// Computes the inventory of one enterprise for `input.year`.
///
/// `pins` holds the factor ids of an issued result: pinned slots reuse their factor, new
/// slots are selected from the catalog and pinned.
pub fn compute(
    input: &OrgInput,
    catalog: &Catalog,
    pins: &mut Pins,
    opts: Options,
) -> Result<Inventory, AccountingError> {
    let year = input.year;
    let mut by_carrier: BTreeMap<Carrier, Vec<&ActivityLine>> = BTreeMap::new();
    for line in &input.lines {
        if line.period.year() != year {
            return Err(AccountingError::WrongYear {
                id: line.id,
                source_ref: line.source.clone(),
                period: line.period.to_string(),
                year,
            });
        }
        by_carrier.entry(line.carrier).or_default().push(line);
    }
    let mut f = Factors {
        catalog,
        pins,
        used: BTreeMap::new(),
    };
    let mut inv = Inventory::empty(
        "enterprise",
        input.org.as_str(),
        &input.name,
        year,
        opts.grid.key(),
    );
    inv.output_value_10k_yuan = input.output_value_10k_yuan;

    // Certificates first: the electricity line needs the MWh they cover.
    let gec_unit = if by_carrier
        .get(&Carrier::GreenCertificate)
        .is_some_and(|ls| ls.iter().any(|l| l.quantity.unit == Unit::Certificate))
    {
        Some(f.value(Slot::GecUnit)?)
    } else {
        None
    };

    for (&carrier, lines) in &by_carrier {
        let unit = if carrier == Carrier::GreenCertificate {
            Unit::Mwh
        } else {
            carrier.base_unit()
        };
        let mut quantity = Decimal::ZERO;
        let mut inputs = Vec::with_capacity(lines.len());
        for l in lines {
            let q = if l.quantity.unit == Unit::Certificate {
                l.quantity.value * gec_unit.as_ref().map(|g| g.0).unwrap_or(Decimal::ONE)
            } else {
                l.quantity
                    .value_in(unit)
                    .map_err(|err| AccountingError::Unit {
                        id: l.id,
                        source_ref: l.source.clone(),
                        err,
                    })?
            };
            quantity += q;
            inputs.push(InputRef {
                id: l.id,
                period: l.period,
                quantity: l.quantity.value,
                unit: l.quantity.unit.symbol().into(),
                source: l.source.clone(),
            });
        }
        let mut line = CarrierLine {
            carrier,
            name_zh: carrier.name_zh().into(),
            quantity,
            unit: unit.symbol().into(),
            energy_tce: Decimal::ZERO,
            scope1_tco2: Decimal::ZERO,
            scope2_location_tco2: Decimal::ZERO,
            scope2_market_tco2: Decimal::ZERO,
            formula: String::new(),
            factor_ids: Vec::new(),
            inputs,
        };
        let mut formula = Vec::new();
        if carrier.is_energy() {
            // On-site renewable electricity converts at electricity's equivalent value, heat
            // however delivered (steam given in GJ) at heat's.
            let tce_carrier = match carrier.category() {
                CarrierCategory::OnsiteRenewable => Carrier::Electricity,
                CarrierCategory::PurchasedHeat => Carrier::Heat,
                _ => carrier,
            };
            if carrier == Carrier::SteamHeat {
                formula.push(steam_heat_conversion(lines, unit));
            }
            let (k, id) = f.value(Slot::Tce(tce_carrier))?;
            line.energy_tce = quantity * k / Decimal::ONE_THOUSAND;
            formula.push(format!(
                "tce = {} {unit} x {k} kgce/{unit} / 1000",
                quantity.normalize()
            ));
            line.factor_ids.push(id);
        }
        match carrier.category() {
            CarrierCategory::Fuel => {
                let ids = combustion(&mut f, carrier, quantity, &mut line, &mut formula);
                match ids {
                    Ok(()) => {}
                    Err(CatalogError::Missing(what)) => {
                        inv.complete = false;
                        inv.notes.push(note(
                            "inventory.factor_missing",
                            &[
                                ("carrier", &carrier.to_string()),
                                ("what", &what.to_string()),
                            ],
                        ));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            CarrierCategory::GridElectricity => {
                let q_mwh = quantity / Decimal::ONE_THOUSAND;
                inv.grid_electricity_mwh += q_mwh;
                let slot = match opts.grid {
                    GridFactorMode::Provincial => Slot::LocationGrid {
                        region: input.region,
                        year,
                    },
                    GridFactorMode::National => Slot::NationalGrid { year },
                };
                let (k, id) = f.value(slot)?;
                line.scope2_location_tco2 = q_mwh * k;
                formula.push(format!("location tCO2 = {} x {k} tCO2/MWh", mwh(q_mwh)));
                line.factor_ids.push(id);
            }
            CarrierCategory::OnsiteRenewable => {
                inv.onsite_renewable_mwh += quantity / Decimal::ONE_THOUSAND;
                formula.push("tCO2 = 0 (renewable, generated and consumed on site)".into());
            }
            CarrierCategory::PurchasedHeat => {
                let gj = quantity / Decimal::ONE_THOUSAND; // MJ -> GJ
                let (k, id) = f.value(Slot::HeatEmission)?;
                line.scope2_location_tco2 = gj * k;
                line.scope2_market_tco2 = gj * k;
                formula.push(format!("tCO2 = {} GJ x {k} tCO2/GJ", gj.normalize()));
                line.factor_ids.push(id);
            }
            CarrierCategory::PurchasedSteam => {
                let (k, kid) = f.value(Slot::HeatEmission)?;
                let gj = if let Some((h, hid)) = f.legacy_steam_heat() {
                    let t = quantity / Decimal::ONE_THOUSAND; // kg -> t
                    formula.push(format!(
                        "tCO2 = {} t x {h} GJ/t x {k} tCO2/GJ (as issued; recompute prices steam by enthalpy)",
                        t.normalize()
                    ));
                    line.factor_ids.push(hid);
                    t * h
                } else {
                    let (feed, fid) = f.value(Slot::SteamFeedWater)?;
                    let tonnes = |l: &ActivityLine| {
                        l.quantity.value_in(Unit::Tonne).unwrap_or(Decimal::ZERO)
                    };
                    let heat = crate::steam::heat_above_feed_water(lines, tonnes, feed).map_err(
                        |(id, source_ref, reason)| AccountingError::Steam {
                            id,
                            source_ref,
                            reason,
                        },
                    )?;
                    formula.push(format!(
                        "tCO2 = sum of t x (h - {feed} kJ/kg) / 1000 x {k} tCO2/GJ = {} GJ x {k}: {}",
                        heat.heat_gj.normalize(),
                        heat.terms.join("; ")
                    ));
                    line.factor_ids.push(fid);
                    heat.heat_gj
                };
                line.scope2_location_tco2 = gj * k;
                line.scope2_market_tco2 = line.scope2_location_tco2;
                line.factor_ids.push(kid);
            }
            CarrierCategory::GreenCertificate => {
                inv.certificates_retired_mwh += quantity;
                let unverified: Decimal = lines
                    .iter()
                    .zip(&line.inputs)
                    .filter(|(l, _)| l.serials.is_none())
                    .map(|(l, i)| cert_mwh(l, i, gec_unit.as_ref().map(|g| g.0)))
                    .sum();
                inv.unverified_certificates_mwh += unverified;
                if !unverified.is_zero() {
                    inv.notes.push(note(
                        "inventory.certificates_unverified",
                        &[("mwh", &unverified.normalize().to_string())],
                    ));
                }
                if let Some((_, id)) = &gec_unit {
                    line.factor_ids.push(id.clone());
                }
                formula.push(
                    "retired certificates: zero-emission MWh for market-based Scope 2".into(),
                );
            }
            CarrierCategory::ClinkerProduction => {
                let (k, id) = f.value(Slot::ClinkerProcess)?;
                line.scope1_tco2 = quantity * k;
                inv.scope1_process_tco2 += line.scope1_tco2;
                formula.push(format!(
                    "process tCO2 = {} t clinker x {k} tCO2/t",
                    quantity.normalize()
                ));
                line.factor_ids.push(id);
            }
        }
        line.formula = formula.join("; ");
        if carrier.category() == CarrierCategory::Fuel {
            inv.scope1_combustion_tco2 += line.scope1_tco2;
        }
        inv.lines.push(line);
    }

    // Market-based Scope 2 of grid electricity: certificates cover grid MWh first (never
    // more than the grid electricity of the period), the rest at the residual factor.
    inv.certificates_applied_mwh = inv.certificates_retired_mwh.min(inv.grid_electricity_mwh);
    if inv.certificates_retired_mwh > inv.certificates_applied_mwh {
        let excess = inv.certificates_retired_mwh - inv.certificates_applied_mwh;
        inv.notes.push(note(
            "inventory.certificates_exceed",
            &[
                ("mwh", &excess.normalize().to_string()),
                ("year", &year.to_string()),
            ],
        ));
    }
    inv.onsite_certificates_sold_mwh = input
        .onsite_certificates_sold_mwh
        .min(inv.onsite_renewable_mwh);
    if !inv.onsite_certificates_sold_mwh.is_zero() {
        let sold = inv.onsite_certificates_sold_mwh;
        let (k, id) = f.value(Slot::MarketResidual { year })?;
        if let Some(line) = inv
            .lines
            .iter_mut()
            .find(|l| l.carrier == Carrier::ElectricityOnsiteRenewable)
        {
            line.scope2_market_tco2 = sold * k;
            line.formula.push_str(&format!(
                "; market tCO2 = {} whose certificates went to others x {k} tCO2/MWh",
                mwh(sold)
            ));
            line.factor_ids.push(id);
        }
        inv.notes.push(note(
            "inventory.onsite_sold",
            &[("mwh", &sold.normalize().to_string())],
        ));
    }
    if let Some(line) = inv
        .lines
        .iter_mut()
        .find(|l| l.carrier == Carrier::Electricity)
    {
        let residual_mwh = inv.grid_electricity_mwh - inv.certificates_applied_mwh;
        let (k, id) = f.value(Slot::MarketResidual { year })?;
        line.scope2_market_tco2 = residual_mwh * k;
        line.formula.push_str(&format!(
            "; market tCO2 = ({} - {} certificates) x {k} tCO2/MWh",
            mwh(inv.grid_electricity_mwh),
            mwh(inv.certificates_applied_mwh)
        ));
        line.factor_ids.push(id);
    }

    for line in &inv.lines {
        inv.energy_tce += line.energy_tce;
        inv.scope1_tco2 += line.scope1_tco2;
        inv.scope2_location_tco2 += line.scope2_location_tco2;
        inv.scope2_market_tco2 += line.scope2_market_tco2;
    }
    inv.electricity_mwh = inv.grid_electricity_mwh + inv.onsite_renewable_mwh;
    for fu in f.used.values() {
        if let Some(n) = &fu.note {
            inv.notes.push(note(
                "inventory.factor_note",
                &[("slot", &fu.slot), ("note", n)],
            ));
        }
    }
    inv.factors = f.used.into_values().collect();
    inv.derive_ratios();
    Ok(inv)
}

/// MWh of one certificate line (a count times the MWh per certificate, or MWh as given).
fn cert_mwh(l: &ActivityLine, input: &InputRef, per_cert: Option<Decimal>) -> Decimal {
    if l.quantity.unit == Unit::Certificate {
        input.quantity * per_cert.unwrap_or(Decimal::ONE)
    } else {
        l.quantity.value_in(Unit::Mwh).unwrap_or(Decimal::ZERO)
    }
}

/// CO2 = quantity x NCV x carbon content x oxidation x 44/12 (quantity in t or 10^4 m3).
fn combustion(
    f: &mut Factors<'_>,
    carrier: Carrier,
    quantity_base: Decimal,
    line: &mut CarrierLine,
    formula: &mut Vec<String>,
) -> Result<(), CatalogError> {
    let (q, unit) = match carrier.base_unit() {
        Unit::M3 => (quantity_base / Decimal::from(10_000), "10^4 Nm3"),
        _ => (quantity_base / Decimal::ONE_THOUSAND, "t"),
    };
    let (ncv, a) = f.value(Slot::Ncv(carrier))?;
    let (cc, b) = f.value(Slot::CarbonContent(carrier))?;
    let (of, c) = f.value(Slot::Oxidation(carrier))?;
    // tC/TJ -> tC/GJ is /1000; 44/12 last to keep the product exact as long as possible.
    line.scope1_tco2 = q * ncv * cc * of * Decimal::from(44) / Decimal::from(12_000);
    formula.push(format!(
        "tCO2 = {} {unit} x {ncv} GJ/{unit} x {cc} tC/TJ / 1000 x {of} x 44/12",
        q.normalize()
    ));
    line.factor_ids.extend([a, b, c]);
    Ok(())
}

/// Which coefficient converts electricity to tce.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ElectricityTce {
    /// GB/T 2589 calorific value 0.1229 kgce/kWh (当量值; the 综合能耗 convention).
    #[default]
    Calorific,
    /// The year's average coal consumption of power supply (等价值), from the catalog.
    CoalEquivalent,
}

impl ElectricityTce {
    pub fn key(self) -> &'static str {
        match self {
            ElectricityTce::Calorific => "calorific",
            ElectricityTce::CoalEquivalent => "coal-equivalent",
        }
    }
}

/// The same inventory with electricity (grid and on-site renewable) converted at the
/// coal-equivalent (等价值) of its year instead of the calorific value: energy, the lines'
/// tce and the ratios change; emissions do not. Works on enterprise and aggregate
/// inventories alike (their lines carry the quantities).
pub fn with_coal_equivalent_electricity(
    inv: &Inventory,
    catalog: &Catalog,
) -> Result<Inventory, AccountingError> {
    let sel = catalog.select(Slot::ElectricityCoalEquivalent { year: inv.year })?;
    let k = sel.factor.value;
    let mut out = inv.clone();
    for line in out.lines.iter_mut().filter(|l| l.carrier.is_electricity()) {
        let kwh = line.quantity; // electricity lines are in kWh, their base unit
        let tce = kwh * k / Decimal::ONE_THOUSAND;
        out.energy_tce += tce - line.energy_tce;
        line.energy_tce = tce;
        line.formula.push_str(&format!(
            "; coal-equivalent tce = {} kWh x {k} kgce/kWh / 1000 (等价值 {})",
            kwh.normalize(),
            sel.factor.id
        ));
        line.factor_ids.push(sel.factor.id.clone());
    }
    let slot = Slot::ElectricityCoalEquivalent { year: inv.year };
    out.factors.push(FactorUse {
        id: sel.factor.id.clone(),
        slot: slot.key(),
        value: k,
        unit: sel.factor.unit.clone(),
        kind: sel.factor.kind.key().to_string(),
        region: None,
        year: sel.factor.year,
        source: sel.factor.source(),
        note: sel.note.clone(),
    });
    let (k, factor) = (k.to_string(), sel.factor.id.clone());
    let args = [("k", k.as_str()), ("factor", factor.as_str())];
    out.notes.push(match &sel.note {
        None => note("inventory.coal_equivalent", &args),
        Some(n) => note(
            "inventory.coal_equivalent_note",
            &[args[0], args[1], ("note", n)],
        ),
    });
    out.derive_ratios();
    Ok(out)
}
