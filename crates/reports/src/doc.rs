//! The document every report becomes before rendering: a title, facts about the subject,
//! and sections of paragraphs, facts, tables and charts. Renderers know documents, not
//! reports, so a new report needs no new renderer.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The language a report is written in.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The Chinese or the English text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// A whole document.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Document {
    pub lang: Lang,
    pub title: String,
    pub subtitle: String,
    /// Shown under the title (subject, period, standard).
    pub facts: Vec<Fact>,
    pub sections: Vec<Section>,
    /// Printed at the foot of every PDF page, left of the page number.
    pub footer: String,
}

/// A section: a heading in the PDF, a sheet in the workbook.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Section {
    pub heading: String,
    /// Sheet name in the workbook (at most 31 characters, unique in the document).
    pub sheet: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub enum Block {
    Paragraph(String),
    /// Label, value, unit lines.
    Facts(Vec<Fact>),
    Table(Table),
    Chart(Chart),
}

/// One labelled figure or text.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Fact {
    pub label: String,
    pub value: Cell,
    pub unit: String,
}

impl Fact {
    pub fn text(label: &str, value: impl Into<String>) -> Fact {
        Fact {
            label: label.to_string(),
            value: Cell::Text(value.into()),
            unit: String::new(),
        }
    }

    pub fn num(label: &str, value: Decimal, dp: u32, unit: &str) -> Fact {
        Fact {
            label: label.to_string(),
            value: Cell::Number(value, dp),
            unit: unit.to_string(),
        }
    }

    pub fn opt(label: &str, value: Option<Decimal>, dp: u32, unit: &str) -> Fact {
        Fact {
            label: label.to_string(),
            value: value.map_or(Cell::Empty, |v| Cell::Number(v, dp)),
            unit: unit.to_string(),
        }
    }
}

/// A table cell: text, an exact number shown with `dp` decimals (stored whole in the
/// workbook), or nothing.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub enum Cell {
    Text(String),
    Number(Decimal, u32),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn num(d: Decimal, dp: u32) -> Cell {
        Cell::Number(d, dp)
    }

    pub fn opt(d: Option<Decimal>, dp: u32) -> Cell {
        d.map_or(Cell::Empty, |v| Cell::Number(v, dp))
    }

    pub fn int(n: i64) -> Cell {
        Cell::Number(Decimal::from(n), 0)
    }
}

/// A column: its header and unit (the workbook writes `header (unit)`), and its share of
/// the page width in the PDF.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Column {
    pub header: String,
    pub unit: String,
    pub width: f32,
}

impl Column {
    pub fn new(header: &str, unit: &str, width: f32) -> Column {
        Column {
            header: header.to_string(),
            unit: unit.to_string(),
            width,
        }
    }

    /// `header (unit)`, or the header alone.
    pub fn title(&self) -> String {
        if self.unit.is_empty() {
            self.header.clone()
        } else {
            format!("{} ({})", self.header, self.unit)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Table {
    pub caption: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum ChartKind {
    /// Grouped bars, one group per label.
    Bar,
    /// One polyline per series.
    Line,
}

/// A simple chart: values per label and series, in one unit.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Chart {
    pub title: String,
    pub kind: ChartKind,
    pub unit: String,
    pub labels: Vec<String>,
    pub series: Vec<Series>,
    /// A horizontal reference line (e.g. a threshold) with its label.
    pub reference: Option<(String, Decimal)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Series {
    pub name: String,
    /// One value per label; `None` where there is no figure.
    pub values: Vec<Option<Decimal>>,
}
