//! Energy flows (能流分析): from sources (grid, own PV, fuels, purchased heat) through
//! electricity and the meter tree to end uses and conversions, with the balance of every
//! master meter against its sub-meters.
//!
//! The tree is data: each meter names its parent (`parent`) and what it measures
//! (`end_use`). A meter with sub-meters passes their energy on and the rest, master minus
//! the sum of its sub-meters, is named as the unmetered remainder (line losses and
//! unmetered loads, 损耗及未计量); sub-meters that read more than their master are a
//! metering fault, reported and never hidden. A meter without sub-meters delivers its
//! energy to its end use (`other` when it says none).
//!
//! One unit carries every link: tonnes of standard coal equivalent (tce), electricity
//! converted at the catalog's factor; electric links also carry kWh. Exact decimals.

use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use zp_domain::records::EndUse;

/// A consumption meter of the tree with its energy over the period.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeMeter {
    pub meter: String,
    /// Empty at the top of the tree.
    pub parent: String,
    pub end_use: Option<EndUse>,
    pub kwh: Decimal,
}

/// A non-electric source (fuel, purchased heat) with its energy.
#[derive(Debug, Clone, PartialEq)]
pub struct FuelSource {
    /// Carrier key (`natural_gas`, `steam`, ...).
    pub carrier: String,
    pub name_zh: String,
    pub quantity: Decimal,
    pub unit: String,
    pub tce: Decimal,
}

/// What one flow is built from.
#[derive(Debug, Clone)]
pub struct FlowInput {
    /// Electricity from the grid, kWh.
    pub grid_kwh: Decimal,
    /// Own generation and battery discharge used on site, kWh.
    pub own_generation_kwh: Decimal,
    /// Electricity into batteries (metered charge), kWh: a conversion stage.
    pub battery_charge_kwh: Decimal,
    pub fuels: Vec<FuelSource>,
    /// Consumption meters of the tree; empty when the electricity is not metered.
    pub meters: Vec<TreeMeter>,
    /// kgce per kWh of electricity (GB/T 2589 equivalent value from the catalog).
    pub kgce_per_kwh: Decimal,
    /// Show each meter as a node (an enterprise); false sums the tree into end uses (a park).
    pub meter_nodes: bool,
}

/// A node of the diagram.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Node {
    pub id: String,
    pub name: String,
    /// `source`, `carrier`, `meter`, `conversion`, `use` or `loss`.
    pub stage: &'static str,
    /// Energy through the node: what flows in (sources: what flows out).
    pub tce: Decimal,
}

/// A link of the diagram: `value_tce` from `source` to `target`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Link {
    pub source: String,
    pub target: String,
    pub value_tce: Decimal,
    /// Electric links: the energy in kWh.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kwh: Option<Decimal>,
}

/// The balance of a master meter against its sub-meters.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Balance {
    pub meter: String,
    pub master_kwh: Decimal,
    pub sub_meters: Vec<String>,
    pub sub_meters_kwh: Decimal,
    /// Master minus sub-meters: losses and unmetered loads (negative: a metering fault).
    pub unmetered_kwh: Decimal,
    /// Of the master's energy, 4 decimals; none for a master that read nothing.
    pub unmetered_share: Option<Decimal>,
}

/// The energy flow of an enterprise or a park.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Flow {
    pub nodes: Vec<Node>,
    pub links: Vec<Link>,
    /// Every master meter's balance (the `losses` of the contract).
    pub losses: Vec<Balance>,
    pub total_tce: Decimal,
    /// Electricity reaching the top meters minus what the sources supplied, kWh: meters
    /// that do not cover the whole site, or readings missing on one side.
    pub unmatched_electricity_kwh: Decimal,
    /// Faults of the tree (sub-meters above their master, unknown parents, loops).
    pub faults: Vec<String>,
}

const ELECTRICITY: &str = "electricity";
const LOSSES: &str = "losses";

fn tce(kwh: Decimal, kgce_per_kwh: Decimal) -> Decimal {
    kwh * kgce_per_kwh / Decimal::from(1000)
}

struct Builder {
    nodes: BTreeMap<String, Node>,
    order: Vec<String>,
    links: BTreeMap<(String, String), Link>,
}

impl Builder {
    fn node(&mut self, id: &str, name: &str, stage: &'static str) {
        if !self.nodes.contains_key(id) {
            self.order.push(id.to_string());
            self.nodes.insert(
                id.to_string(),
                Node {
                    id: id.to_string(),
                    name: name.to_string(),
                    stage,
                    tce: Decimal::ZERO,
                },
            );
        }
    }

    /// Adds `value` to the link (summing links between the same nodes).
    fn link(&mut self, source: &str, target: &str, value_tce: Decimal, kwh: Option<Decimal>) {
        if value_tce <= Decimal::ZERO {
            return;
        }
        let l = self
            .links
            .entry((source.to_string(), target.to_string()))
            .or_insert_with(|| Link {
                source: source.to_string(),
                target: target.to_string(),
                value_tce: Decimal::ZERO,
                kwh: kwh.map(|_| Decimal::ZERO),
            });
        l.value_tce += value_tce;
        if let (Some(total), Some(k)) = (l.kwh.as_mut(), kwh) {
            *total += k;
        }
    }
}

fn use_node(u: EndUse) -> (String, &'static str) {
    (
        format!("use:{}", u.key()),
        if u.is_conversion() {
            "conversion"
        } else {
            "use"
        },
    )
}

/// Builds the flow. Pure; the figures are exact.
pub fn build(input: &FlowInput) -> Flow {
    let k = input.kgce_per_kwh;
    let mut b = Builder {
        nodes: BTreeMap::new(),
        order: Vec::new(),
        links: BTreeMap::new(),
    };
    let mut faults = Vec::new();

    // Sources.
    let electricity_kwh = input.grid_kwh + input.own_generation_kwh;
    for (id, name, kwh) in [
        ("grid", "电网购电", input.grid_kwh),
        (
            "own_generation",
            "自发自用（光伏、储能放电）",
            input.own_generation_kwh,
        ),
    ] {
        if kwh > Decimal::ZERO {
            b.node(id, name, "source");
            b.node(ELECTRICITY, "电力", "carrier");
            b.link(id, ELECTRICITY, tce(kwh, k), Some(kwh));
        }
    }
    for f in &input.fuels {
        let id = format!("fuel:{}", f.carrier);
        b.node(&id, &f.name_zh, "source");
        // Fuels and heat are not sub-metered here: they reach their use whole.
        b.node("use:combustion", "燃料及热力用能", "use");
        b.link(&id, "use:combustion", f.tce, None);
    }

    // The meter tree.
    let by_id: BTreeMap<&str, &TreeMeter> =
        input.meters.iter().map(|m| (m.meter.as_str(), m)).collect();
    let mut children: BTreeMap<&str, Vec<&TreeMeter>> = BTreeMap::new();
    let mut tops = Vec::new();
    for m in &input.meters {
        if m.parent.is_empty() {
            tops.push(m);
        } else if by_id.contains_key(m.parent.as_str()) {
            children.entry(m.parent.as_str()).or_default().push(m);
        } else {
            faults.push(format!(
                "meter {}: its parent {} is not a consumption meter of this scope; counted at the top",
                m.meter, m.parent
            ));
            tops.push(m);
        }
    }
    if input.battery_charge_kwh > Decimal::ZERO {
        b.node(ELECTRICITY, "电力", "carrier");
        b.node("storage", "储能充电", "conversion");
        let kwh = input.battery_charge_kwh;
        b.link(ELECTRICITY, "storage", tce(kwh, k), Some(kwh));
    }
    let mut losses = Vec::new();
    let mut top_kwh = Decimal::ZERO;
    for top in &tops {
        top_kwh += top.kwh;
        if electricity_kwh > Decimal::ZERO || top.kwh > Decimal::ZERO {
            b.node(ELECTRICITY, "电力", "carrier");
        }
        let from = ELECTRICITY.to_string();
        walk(
            input,
            &mut b,
            &children,
            top,
            &from,
            0,
            &mut losses,
            &mut faults,
        );
    }
    let unmatched = if input.meters.is_empty() {
        // Unmetered electricity reaches its use whole.
        if electricity_kwh > Decimal::ZERO {
            let (id, stage) = use_node(EndUse::Other);
            b.node(&id, EndUse::Other.name_zh(), stage);
            b.link(
                ELECTRICITY,
                &id,
                tce(electricity_kwh, k),
                Some(electricity_kwh),
            );
        }
        Decimal::ZERO
    } else {
        top_kwh + input.battery_charge_kwh - electricity_kwh
    };
    if !input.meters.is_empty() && unmatched != Decimal::ZERO {
        faults.push(format!(
            "the top meters and battery charge read {} kWh, the sources supplied {electricity_kwh} kWh (difference {unmatched} kWh)",
            top_kwh + input.battery_charge_kwh
        ));
    }

    // Node totals: what flows in, or out for sources.
    let links: Vec<Link> = b.links.into_values().collect();
    for n in b.nodes.values_mut() {
        let incoming: Decimal = links
            .iter()
            .filter(|l| l.target == n.id)
            .map(|l| l.value_tce)
            .sum();
        let outgoing: Decimal = links
            .iter()
            .filter(|l| l.source == n.id)
            .map(|l| l.value_tce)
            .sum();
        n.tce = if n.stage == "source" {
            outgoing
        } else {
            incoming
        };
    }
    let total_tce = tce(electricity_kwh, k) + input.fuels.iter().map(|f| f.tce).sum::<Decimal>();
    let nodes = b
        .order
        .iter()
        .filter_map(|id| b.nodes.get(id).cloned())
        .collect();
    Flow {
        nodes,
        links,
        losses,
        total_tce,
        unmatched_electricity_kwh: unmatched,
        faults,
    }
}

#[allow(clippy::too_many_arguments)]
fn walk(
    input: &FlowInput,
    b: &mut Builder,
    children: &BTreeMap<&str, Vec<&TreeMeter>>,
    m: &TreeMeter,
    from: &str,
    depth: usize,
    losses: &mut Vec<Balance>,
    faults: &mut Vec<String>,
) {
    let k = input.kgce_per_kwh;
    if depth > input.meters.len() {
        faults.push(format!("meter {}: the tree loops here", m.meter));
        return;
    }
    // Where this meter's energy is shown: its own node, or (a park) straight on.
    let here = if input.meter_nodes {
        let id = format!("meter:{}", m.meter);
        b.node(&id, &m.meter, "meter");
        b.link(from, &id, tce(m.kwh, k), Some(m.kwh));
        Some(id)
    } else {
        None
    };
    let subs = children.get(m.meter.as_str()).cloned().unwrap_or_default();
    if subs.is_empty() {
        let u = m.end_use.unwrap_or(EndUse::Other);
        let (id, stage) = use_node(u);
        b.node(&id, u.name_zh(), stage);
        b.link(
            here.as_deref().unwrap_or(from),
            &id,
            tce(m.kwh, k),
            Some(m.kwh),
        );
        return;
    }
    let sub_kwh: Decimal = subs.iter().map(|s| s.kwh).sum();
    let unmetered = m.kwh - sub_kwh;
    if unmetered < Decimal::ZERO {
        faults.push(format!(
            "meter {}: its sub-meters read {sub_kwh} kWh, {} kWh more than it ({} kWh): check the meters",
            m.meter, -unmetered, m.kwh
        ));
    }
    losses.push(Balance {
        meter: m.meter.clone(),
        master_kwh: m.kwh,
        sub_meters: subs.iter().map(|s| s.meter.clone()).collect(),
        sub_meters_kwh: sub_kwh,
        unmetered_kwh: unmetered,
        unmetered_share: (m.kwh != Decimal::ZERO).then(|| (unmetered / m.kwh).round_dp(4)),
    });
    let next = here.unwrap_or_else(|| from.to_string());
    if unmetered > Decimal::ZERO {
        b.node(LOSSES, "损耗及未计量", "loss");
        b.link(&next, LOSSES, tce(unmetered, k), Some(unmetered));
    }
    for s in subs {
        walk(input, b, children, s, &next, depth + 1, losses, faults);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn meter(id: &str, parent: &str, end_use: Option<EndUse>, kwh: Decimal) -> TreeMeter {
        TreeMeter {
            meter: id.into(),
            parent: parent.into(),
            end_use,
            kwh,
        }
    }

    fn input(meters: Vec<TreeMeter>) -> FlowInput {
        FlowInput {
            grid_kwh: dec!(80000),
            own_generation_kwh: dec!(20000),
            battery_charge_kwh: dec!(0),
            fuels: vec![FuelSource {
                carrier: "natural_gas".into(),
                name_zh: "天然气".into(),
                quantity: dec!(10000),
                unit: "m3".into(),
                tce: dec!(13.3),
            }],
            meters,
            kgce_per_kwh: dec!(0.1229),
            meter_nodes: true,
        }
    }

    /// A master of 100,000 kWh with sub-meters HVAC 30,000 and process 62,000 (its own
    /// sub-meter lighting 2,000 of a 62,000 line, the rest unmetered): losses 8,000 kWh
    /// (8 %) at the master, 60,000 kWh unmetered under the process line. In tce at 0.1229
    /// kgce/kWh: 100,000 kWh = 12.29 tce; 8,000 kWh = 0.9832 tce.
    #[test]
    fn master_and_sub_meters_balance_with_the_remainder_named() {
        let f = build(&input(vec![
            meter("M", "", None, dec!(100000)),
            meter("M-hvac", "M", Some(EndUse::Hvac), dec!(30000)),
            meter("M-line", "M", Some(EndUse::Process), dec!(62000)),
            meter("M-line-light", "M-line", Some(EndUse::Lighting), dec!(2000)),
        ]));
        assert!(f.faults.is_empty(), "{:?}", f.faults);
        assert_eq!(f.unmatched_electricity_kwh, dec!(0));
        assert_eq!(f.total_tce, dec!(12.29) + dec!(13.3));
        let m = &f.losses[0];
        assert_eq!(
            (
                m.meter.as_str(),
                m.sub_meters_kwh,
                m.unmetered_kwh,
                m.unmetered_share
            ),
            ("M", dec!(92000), dec!(8000), Some(dec!(0.08)))
        );
        let line = &f.losses[1];
        assert_eq!(
            (line.meter.as_str(), line.unmetered_kwh),
            ("M-line", dec!(60000))
        );
        let to_losses: Decimal = f
            .links
            .iter()
            .filter(|l| l.target == LOSSES)
            .map(|l| l.value_tce)
            .sum();
        assert_eq!(to_losses, dec!(0.9832) + dec!(7.374));
        let light = f.links.iter().find(|l| l.target == "use:lighting").unwrap();
        assert_eq!(
            (light.source.as_str(), light.kwh),
            ("meter:M-line-light", Some(dec!(2000)))
        );
        // Every node's inflow equals its outflow except sources and sinks.
        for n in f
            .nodes
            .iter()
            .filter(|n| n.stage == "carrier" || n.stage == "meter")
        {
            let out: Decimal = f
                .links
                .iter()
                .filter(|l| l.source == n.id)
                .map(|l| l.value_tce)
                .sum();
            assert_eq!(out, n.tce, "node {}", n.id);
        }
        let gas = f.nodes.iter().find(|n| n.id == "fuel:natural_gas").unwrap();
        assert_eq!(gas.tce, dec!(13.3));
    }

    #[test]
    fn sub_meters_above_their_master_are_a_fault_and_a_park_sums_into_uses() {
        let mut i = input(vec![
            meter("A", "", None, dec!(60000)),
            meter("A1", "A", Some(EndUse::Process), dec!(61000)),
            meter("B", "", Some(EndUse::Process), dec!(40000)),
            meter("C", "gone", Some(EndUse::Hvac), dec!(0)),
        ]);
        i.meter_nodes = false;
        let f = build(&i);
        assert!(
            f.faults.iter().any(|x| x.contains("1000 kWh more than it")),
            "{:?}",
            f.faults
        );
        assert!(
            f.faults.iter().any(|x| x.contains("parent gone")),
            "{:?}",
            f.faults
        );
        assert_eq!(f.losses[0].unmetered_kwh, dec!(-1000));
        assert!(f.nodes.iter().all(|n| n.stage != "meter"));
        let process = f.nodes.iter().find(|n| n.id == "use:process").unwrap();
        assert_eq!(process.tce, tce(dec!(101000), dec!(0.1229)));
        assert!(f.links.iter().all(|l| l.target != LOSSES));
    }

    #[test]
    fn unmetered_electricity_reaches_other_uses_whole() {
        let f = build(&input(Vec::new()));
        let other = f.links.iter().find(|l| l.target == "use:other").unwrap();
        assert_eq!(other.kwh, Some(dec!(100000)));
        assert_eq!(other.value_tce, dec!(12.29));
        assert!(f.losses.is_empty());
    }
}
