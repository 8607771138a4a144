//! Record types shared by ingestion, storage and the use cases: the registry (parks,
//! enterprises, sites, designations), imports (batches, validated rows, rejected rows and
//! their counts), meters and indicator values. Plain data: no I/O.

use crate::{Carrier, CreditCode, Decimal, Period, Quantity, Region};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who may see what: every tenant read filters by it in SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Platform administrators, verifiers with global scope, and the local CLI.
    All,
    Region(Region),
    Park(String),
    Org(CreditCode),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Park {
    pub id: i64,
    pub name: String,
    pub region: Region,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Org {
    pub credit_code: CreditCode,
    pub name: String,
    pub region: Region,
    pub park: Option<String>,
    /// GB/T 4754 industry code, e.g. `3011` (cement).
    pub industry: String,
    /// Extra columns of the import file.
    pub attrs: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    pub park: Option<String>,
    pub region: Option<Region>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Site {
    pub credit_code: CreditCode,
    pub name: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// Designations (称号) held by an enterprise or a park.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DesignationKind {
    /// 绿色工厂
    GreenFactory,
    /// 绿色园区
    GreenPark,
    /// 绿色供应链管理企业
    GreenSupplyChain,
    /// 近零碳排放试点
    NearZeroCarbonPilot,
    /// 零碳园区
    ZeroCarbonPark,
}

impl DesignationKind {
    pub const ALL: [DesignationKind; 5] = [
        DesignationKind::GreenFactory,
        DesignationKind::GreenPark,
        DesignationKind::GreenSupplyChain,
        DesignationKind::NearZeroCarbonPilot,
        DesignationKind::ZeroCarbonPark,
    ];

    pub fn key(self) -> &'static str {
        match self {
            DesignationKind::GreenFactory => "green_factory",
            DesignationKind::GreenPark => "green_park",
            DesignationKind::GreenSupplyChain => "green_supply_chain",
            DesignationKind::NearZeroCarbonPilot => "near_zero_carbon_pilot",
            DesignationKind::ZeroCarbonPark => "zero_carbon_park",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            DesignationKind::GreenFactory => "绿色工厂",
            DesignationKind::GreenPark => "绿色园区",
            DesignationKind::GreenSupplyChain => "绿色供应链管理企业",
            DesignationKind::NearZeroCarbonPilot => "近零碳排放试点",
            DesignationKind::ZeroCarbonPark => "零碳园区",
        }
    }

    pub fn parse(s: &str) -> Option<DesignationKind> {
        let t = s.trim();
        DesignationKind::ALL
            .into_iter()
            .find(|k| k.key() == t || k.name_zh() == t)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DesignationLevel {
    National,
    Provincial,
    Municipal,
}

impl DesignationLevel {
    pub fn key(self) -> &'static str {
        match self {
            DesignationLevel::National => "national",
            DesignationLevel::Provincial => "provincial",
            DesignationLevel::Municipal => "municipal",
        }
    }

    pub fn parse(s: &str) -> Option<DesignationLevel> {
        match s.trim() {
            "national" | "国家级" => Some(DesignationLevel::National),
            "provincial" | "省级" => Some(DesignationLevel::Provincial),
            "municipal" | "市级" => Some(DesignationLevel::Municipal),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Designation {
    /// `org` or `park`.
    pub scope_kind: String,
    /// Credit code or park name.
    pub scope_id: String,
    pub kind: DesignationKind,
    pub level: DesignationLevel,
    /// `YYYY-MM-DD`.
    pub granted_on: String,
    pub expires_on: Option<String>,
    pub notice: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Upsert {
    Inserted,
    Updated,
    Unchanged,
}

/// Identifies an import.
#[derive(Debug, Clone)]
pub struct BatchMeta {
    /// `orgs`, `activity`, `meters`, ...
    pub kind: String,
    pub file: String,
    pub sha256: String,
    pub actor: String,
    /// The readings store's transaction of a readings import (`zp_readings::Prepared`),
    /// stored with the batch: an import whose process died between recording the batch and
    /// committing the readings is committed when its token was recorded, discarded when not.
    pub readings_txn: Option<String>,
}

/// A validated activity row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity {
    pub credit_code: CreditCode,
    pub site: String,
    pub period: Period,
    pub carrier: Carrier,
    pub quantity: Quantity,
    /// Quantity in the carrier's base unit, used to recognise duplicates written in
    /// another unit.
    pub base_quantity: Decimal,
    pub attrs: BTreeMap<String, String>,
    /// 1-based line number in the file (header is line 1) or sheet row.
    pub source_row: i64,
}

/// A row that failed validation, kept for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Rejected {
    pub row: i64,
    pub field: String,
    pub reason: String,
    /// The raw cells, joined as CSV.
    pub raw: String,
}

/// Counts of an import: `read = accepted + quarantined`; `duplicates` and `restated` are
/// the accepted rows that were already present unchanged, or that replaced a value.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct ImportCounts {
    pub read: usize,
    pub accepted: usize,
    pub quarantined: usize,
    pub duplicates: usize,
    pub restated: usize,
}

impl ImportCounts {
    /// Counts of `read` rows of which `quarantined` failed validation: the rest accepted.
    pub fn of(read: usize, quarantined: usize) -> ImportCounts {
        ImportCounts {
            read,
            accepted: read.saturating_sub(quarantined),
            quarantined,
            ..ImportCounts::default()
        }
        .checked()
    }

    /// Counts an upsert of an accepted row: unchanged rows are duplicates, changed ones
    /// restated.
    pub fn tally(&mut self, r: Upsert) {
        match r {
            Upsert::Unchanged => self.duplicates += 1,
            Upsert::Updated => self.restated += 1,
            Upsert::Inserted => {}
        }
    }

    /// Whether the counts add up: `read = accepted + quarantined`, and duplicates and
    /// restatements are parts of the accepted rows.
    pub fn invariant_error(&self) -> Option<String> {
        if self.read != self.accepted + self.quarantined {
            return Some(format!(
                "read {} != accepted {} + quarantined {}",
                self.read, self.accepted, self.quarantined
            ));
        }
        if self.duplicates + self.restated > self.accepted {
            return Some(format!(
                "duplicates {} + restated {} > accepted {}",
                self.duplicates, self.restated, self.accepted
            ));
        }
        None
    }

    /// The counts, asserted to add up in debug builds and tests (every import returns
    /// through here).
    pub fn checked(self) -> ImportCounts {
        debug_assert!(
            self.invariant_error().is_none(),
            "import counts do not add up: {}",
            self.invariant_error().unwrap_or_default()
        );
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ActivityRecord {
    pub id: i64,
    pub credit_code: String,
    pub site: String,
    pub period: Period,
    pub carrier: Carrier,
    pub quantity: Quantity,
    pub attrs: BTreeMap<String, String>,
    pub batch_id: i64,
    pub source_file: String,
    pub source_row: i64,
    pub superseded_by: Option<i64>,
    pub created_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct QuarantineFilter {
    pub kind: Option<String>,
    pub file: Option<String>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct QuarantineEntry {
    pub id: i64,
    pub batch_id: i64,
    pub kind: String,
    pub file: String,
    pub row: i64,
    pub field: String,
    pub reason: String,
    pub raw: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BatchInfo {
    pub id: i64,
    pub kind: String,
    pub file: String,
    pub sha256: String,
    pub counts: ImportCounts,
    pub actor: String,
    pub imported_at: String,
}

/// What reverting an import changed.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct RevertCounts {
    pub batch: i64,
    /// Rows the import had added (no earlier value): withdrawn.
    pub withdrawn: usize,
    /// Rows the import had restated: the previous value is current again.
    pub restored: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FactorSetInfo {
    pub name: String,
    pub file: String,
    pub sha256: String,
    pub imported_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeterKind {
    /// The site's load, battery excluded.
    Consumption,
    /// Own (behind-the-meter) generation, e.g. rooftop PV.
    Generation,
    /// Energy into a battery (储能充电), from the grid or own generation.
    BatteryCharge,
    /// Energy out of a battery (储能放电) to the site's load.
    BatteryDischarge,
}

impl MeterKind {
    pub fn key(self) -> &'static str {
        match self {
            MeterKind::Consumption => "consumption",
            MeterKind::Generation => "generation",
            MeterKind::BatteryCharge => "battery_charge",
            MeterKind::BatteryDischarge => "battery_discharge",
        }
    }

    pub fn parse(s: &str) -> Option<MeterKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "consumption" | "load" | "用电" | "消费" => Some(MeterKind::Consumption),
            "generation" | "发电" => Some(MeterKind::Generation),
            "battery_charge" | "储能充电" => Some(MeterKind::BatteryCharge),
            "battery_discharge" | "储能放电" => Some(MeterKind::BatteryDischarge),
            _ => None,
        }
    }
}

/// A meter of an enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Meter {
    pub meter: String,
    pub credit_code: CreditCode,
    pub kind: MeterKind,
    /// Generation technology (`solar`, `wind`, `hydro`, ...); empty for consumption.
    pub source: String,
    pub site: String,
    /// The meter upstream of this one (a sub-meter's master), empty at the top of the tree.
    #[serde(default)]
    pub parent: String,
    /// What the metered energy is used for ([`EndUse`] key), empty when not said.
    #[serde(default)]
    pub end_use: String,
}

impl Meter {
    /// Whether the meter is at the top of its tree. A sub-meter's energy is inside its
    /// master's reading: totals (bills, the carbon map, matching) count top meters only.
    pub fn is_top(&self) -> bool {
        self.parent.is_empty()
    }
}

/// What a sub-meter's energy is used for, or the conversion it feeds (energy-flow analysis,
/// MIIT 工信厅节〔2025〕13号 能流分析).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EndUse {
    Process,
    Hvac,
    Lighting,
    DataCentre,
    CompressedAir,
    Office,
    /// Conversions: the electricity becomes heat or cold used elsewhere.
    Boiler,
    HeatPump,
    Chp,
    Other,
}

impl EndUse {
    pub const ALL: [EndUse; 10] = [
        EndUse::Process,
        EndUse::Hvac,
        EndUse::Lighting,
        EndUse::DataCentre,
        EndUse::CompressedAir,
        EndUse::Office,
        EndUse::Boiler,
        EndUse::HeatPump,
        EndUse::Chp,
        EndUse::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            EndUse::Process => "process",
            EndUse::Hvac => "hvac",
            EndUse::Lighting => "lighting",
            EndUse::DataCentre => "data_centre",
            EndUse::CompressedAir => "compressed_air",
            EndUse::Office => "office",
            EndUse::Boiler => "boiler",
            EndUse::HeatPump => "heat_pump",
            EndUse::Chp => "chp",
            EndUse::Other => "other",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            EndUse::Process => "生产工艺",
            EndUse::Hvac => "暖通空调",
            EndUse::Lighting => "照明",
            EndUse::DataCentre => "数据中心",
            EndUse::CompressedAir => "空压系统",
            EndUse::Office => "办公生活",
            EndUse::Boiler => "电锅炉",
            EndUse::HeatPump => "热泵",
            EndUse::Chp => "热电联产",
            EndUse::Other => "其他未分项",
        }
    }

    /// Whether the use converts electricity into heat or cold (a conversion stage).
    pub fn is_conversion(self) -> bool {
        matches!(self, EndUse::Boiler | EndUse::HeatPump | EndUse::Chp)
    }

    pub fn parse(s: &str) -> Option<EndUse> {
        let t = s.trim().to_ascii_lowercase();
        EndUse::ALL
            .into_iter()
            .find(|u| u.key() == t || u.name_zh() == t)
            .or(match t.as_str() {
                "production" | "工艺" | "生产" => Some(EndUse::Process),
                "air_conditioning" | "空调" | "暖通" => Some(EndUse::Hvac),
                "data_center" | "it" => Some(EndUse::DataCentre),
                "compressor" | "空压" => Some(EndUse::CompressedAir),
                "锅炉" => Some(EndUse::Boiler),
                _ => None,
            })
    }
}

#[derive(Debug, Clone, Default)]
pub struct MeterFilter {
    pub org: Option<CreditCode>,
    pub park: Option<String>,
    pub region: Option<Region>,
}

impl MeterFilter {
    /// The meters of one enterprise.
    pub fn of_org(code: &CreditCode) -> MeterFilter {
        MeterFilter {
            org: Some(code.clone()),
            ..MeterFilter::default()
        }
    }
}

/// The grid's emission factor (and carbon-free share) of one hour in one region.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HourlyFactor {
    pub region: Region,
    /// Start of the hour, UTC epoch seconds.
    pub ts: i64,
    pub tco2_per_mwh: f64,
    pub cfe_share: Option<f64>,
}

/// Whose value it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// An enterprise, by credit code.
    Org,
    /// A park, by name.
    Park,
}

impl ScopeKind {
    pub fn key(self) -> &'static str {
        match self {
            ScopeKind::Org => "org",
            ScopeKind::Park => "park",
        }
    }

    pub fn parse(s: &str) -> Option<ScopeKind> {
        match s {
            "org" => Some(ScopeKind::Org),
            "park" => Some(ScopeKind::Park),
            _ => None,
        }
    }
}

/// A validated indicator value to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIndicatorValue {
    pub scope_kind: ScopeKind,
    pub scope_id: String,
    pub indicator: String,
    /// `YYYY` or `YYYY-MM`.
    pub period: String,
    pub value: Decimal,
    pub unit: String,
    pub evidence: String,
    /// Line in the file (header = 1).
    pub source_row: i64,
}

/// A stored indicator value with its lineage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorRecord {
    pub id: i64,
    pub scope_kind: ScopeKind,
    pub scope_id: String,
    pub indicator: String,
    pub period: String,
    pub value: Decimal,
    pub unit: String,
    pub evidence: String,
    pub batch_id: i64,
    pub source_file: String,
    pub source_row: i64,
    pub superseded_by: Option<i64>,
    pub created_at: String,
}
