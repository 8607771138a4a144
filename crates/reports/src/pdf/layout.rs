//! Page layout: a document becomes A4 pages of drawing operations. Text wraps by measured
//! glyph widths (Chinese may break between any two characters, Latin between words);
//! tables that do not fit continue on the next page under their repeated header row.

use super::font::CjkFont;
use crate::doc::{Block, Cell, Document, Fact, Table};
use crate::fmt;

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const LEFT: f32 = 50.0;
pub const RIGHT: f32 = PAGE_W - 50.0;
/// The first baseline may sit this low; the running header is above it.
pub const TOP: f32 = PAGE_H - 62.0;
/// Nothing but the footer goes below this.
pub const BOTTOM: f32 = 62.0;
pub const WIDTH: f32 = RIGHT - LEFT;

/// A drawing operation in page coordinates (points, origin bottom left).
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Text with its baseline starting at (x, y).
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        bold: bool,
        gray: f32,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        rgb: (f32, f32, f32),
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        rgb: (f32, f32, f32),
    },
    Polyline {
        points: Vec<(f32, f32)>,
        width: f32,
        rgb: (f32, f32, f32),
    },
}

#[derive(Debug, Default)]
pub struct Page {
    pub ops: Vec<Op>,
}

/// Lays `doc` out with `font`'s metrics.
pub struct Layout<'f, 'a> {
    pub font: &'f CjkFont<'a>,
    pub pages: Vec<Page>,
    /// Top of the free space on the current page.
    pub y: f32,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF)
}

impl<'f, 'a> Layout<'f, 'a> {
    pub fn new(font: &'f CjkFont<'a>) -> Self {
        Layout {
            font,
            pages: vec![Page::default()],
            y: TOP,
        }
    }

    pub fn op(&mut self, op: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.ops.push(op);
        }
    }

    pub fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
    }

    /// Starts a new page unless `h` points are left.
    pub fn need(&mut self, h: f32) {
        if self.y - h < BOTTOM {
            self.new_page();
        }
    }

    pub fn text(&mut self, x: f32, y: f32, size: f32, text: &str, bold: bool, gray: f32) {
        if !text.is_empty() {
            self.op(Op::Text {
                x,
                y,
                size,
                text: text.to_string(),
                bold,
                gray,
            });
        }
    }

    /// `text` broken into lines no wider than `width` at `size`.
    pub fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            // Units that may not be broken: a Chinese character, or a Latin word with the
            // spaces after it.
            let mut units: Vec<String> = Vec::new();
            for c in para.chars() {
                let glue = !is_cjk(c)
                    && units
                        .last()
                        .is_some_and(|u| !u.chars().any(is_cjk) && !u.ends_with(' '));
                let after_space = c == ' ' && units.last().is_some_and(|u| !u.is_empty());
                if glue || after_space {
                    if let Some(u) = units.last_mut() {
                        u.push(c);
                    }
                } else {
                    units.push(c.to_string());
                }
            }
            let mut line = String::new();
            for u in units {
                let candidate = format!("{line}{u}");
                if self.font.width(candidate.trim_end(), size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(line.trim_end().to_string());
                }
                line = u.trim_start().to_string();
                if self.font.width(line.trim_end(), size) > width {
                    // A word wider than the column: break it between characters.
                    let word = std::mem::take(&mut line);
                    for c in word.chars() {
                        let next = format!("{line}{c}");
                        if self.font.width(next.trim_end(), size) > width && !line.is_empty() {
                            lines.push(line.trim_end().to_string());
                            line = c.to_string();
                        } else {
                            line = next;
                        }
                    }
                }
            }
            lines.push(line.trim_end().to_string());
        }
        lines
    }

    /// A wrapped paragraph across the content width.
    pub fn paragraph(&mut self, text: &str, size: f32, bold: bool) {
        let lead = size * 1.45;
        for line in self.wrap(text, size, WIDTH) {
            self.need(lead);
            self.y -= lead;
            self.text(LEFT, self.y + size * 0.3, size, &line, bold, 0.0);
        }
        self.y -= size * 0.4;
    }

    pub fn heading(&mut self, text: &str) {
        self.need(80.0);
        self.y -= 10.0;
        self.paragraph(text, 13.0, true);
        self.op(Op::Line {
            from: (LEFT, self.y + 2.0),
            to: (RIGHT, self.y + 2.0),
            width: 0.8,
            rgb: (0.15, 0.35, 0.25),
        });
        self.y -= 6.0;
    }

    pub fn block(&mut self, b: &Block, lang: crate::Lang) {
        match b {
            Block::Paragraph(t) => self.paragraph(t, 9.0, false),
            Block::Facts(f) => self.facts(f),
            Block::Table(t) => self.table(t, lang),
            Block::Chart(c) => self.chart(c),
        }
    }

    fn facts(&mut self, facts: &[Fact]) {
        let table = Table {
            caption: String::new(),
            columns: vec![
                crate::doc::Column::new("", "", 5.0),
                crate::doc::Column::new("", "", 3.0),
                crate::doc::Column::new("", "", 2.0),
            ],
            rows: facts
                .iter()
                .map(|f| {
                    vec![
                        Cell::Text(f.label.clone()),
                        f.value.clone(),
                        Cell::Text(f.unit.clone()),
                    ]
                })
                .collect(),
        };
        self.rows(&table, None);
        self.y -= 6.0;
    }

    fn table(&mut self, t: &Table, lang: crate::Lang) {
        if !t.caption.is_empty() {
            self.need(60.0);
            self.paragraph(&t.caption, 9.5, true);
        }
        let continued = match lang {
            crate::Lang::Zh => format!("{}（续）", t.caption),
            crate::Lang::En => format!("{} (continued)", t.caption),
        };
        self.rows(t, Some(continued.trim()));
        self.y -= 8.0;
    }

    /// Column x positions and widths of a table.
    fn columns(t: &Table) -> Vec<(f32, f32)> {
        let total: f32 = t.columns.iter().map(|c| c.width.max(0.1)).sum();
        let mut x = LEFT;
        t.columns
            .iter()
            .map(|c| {
                let w = WIDTH * c.width.max(0.1) / total;
                let r = (x, w);
                x += w;
                r
            })
            .collect()
    }

    /// Draws the rows of `t`; with `Some(caption)` a header row first and again (after the
    /// caption) on every page the table continues on.
    fn rows(&mut self, t: &Table, continued: Option<&str>) {
        const SIZE: f32 = 7.8;
        const PAD: f32 = 3.0;
        let lead = SIZE * 1.32;
        let cols = Self::columns(t);
        let numeric: Vec<bool> = (0..t.columns.len())
            .map(|i| {
                t.rows
                    .iter()
                    .any(|r| matches!(r.get(i), Some(Cell::Number(..))))
            })
            .collect();
        let header: Option<Vec<Vec<String>>> = continued.map(|_| {
            t.columns
                .iter()
                .zip(&cols)
                .map(|(c, (_, w))| self.wrap(&c.title(), SIZE, w - 2.0 * PAD))
                .collect()
        });
        let header_h = header
            .as_ref()
            .map(|h| h.iter().map(Vec::len).max().unwrap_or(1) as f32 * lead + 2.0 * PAD);
        let draw_header = |me: &mut Self| {
            if let (Some(h), Some(hh)) = (&header, header_h) {
                me.op(Op::Rect {
                    x: LEFT,
                    y: me.y - hh,
                    w: WIDTH,
                    h: hh,
                    rgb: (0.88, 0.93, 0.90),
                });
                for ((lines, (x, w)), right) in h.iter().zip(&cols).zip(&numeric) {
                    for (i, l) in lines.iter().enumerate() {
                        let y = me.y - PAD - (i as f32 + 1.0) * lead + SIZE * 0.3;
                        let tx = if *right {
                            x + w - PAD - me.font.width(l, SIZE)
                        } else {
                            x + PAD
                        };
                        me.text(tx, y, SIZE, l, true, 0.0);
                    }
                }
                me.y -= hh;
            }
        };
        if let Some(hh) = header_h {
            self.need(hh + lead * 2.0 + 2.0 * PAD);
        }
        draw_header(self);
        for row in &t.rows {
            let cells: Vec<(Vec<String>, bool)> = row
                .iter()
                .zip(&cols)
                .map(|(cell, (_, w))| match cell {
                    Cell::Text(s) => (self.wrap(s, SIZE, w - 2.0 * PAD), false),
                    Cell::Number(d, dp) => (vec![fmt::number(*d, *dp)], true),
                    Cell::Empty => (vec![String::new()], false),
                })
                .collect();
            let h = cells.iter().map(|(l, _)| l.len()).max().unwrap_or(1) as f32 * lead + 2.0 * PAD;
            if self.y - h < BOTTOM {
                self.new_page();
                if let Some(c) = continued.filter(|c| !c.is_empty()) {
                    self.paragraph(c, 8.5, true);
                }
                draw_header(self);
            }
            for ((lines, right), (x, w)) in cells.iter().zip(&cols) {
                for (i, l) in lines.iter().enumerate() {
                    let y = self.y - PAD - (i as f32 + 1.0) * lead + SIZE * 0.3;
                    let tx = if *right {
                        x + w - PAD - self.font.width(l, SIZE)
                    } else {
                        x + PAD
                    };
                    self.text(tx, y, SIZE, l, false, 0.0);
                }
            }
            self.y -= h;
            self.op(Op::Line {
                from: (LEFT, self.y),
                to: (RIGHT, self.y),
                width: 0.3,
                rgb: (0.7, 0.7, 0.7),
            });
        }
    }

    /// Title, subtitle and the facts under them.
    pub fn title(&mut self, doc: &Document) {
        self.y -= 4.0;
        self.paragraph(&doc.title, 18.0, true);
        if !doc.subtitle.is_empty() {
            self.paragraph(&doc.subtitle, 10.5, false);
        }
        self.y -= 4.0;
        self.facts(&doc.facts);
    }

    /// Running header and `page i of n` footers, once the page count is known.
    pub fn decorate(&mut self, doc: &Document) {
        let n = self.pages.len();
        for (i, page) in self.pages.iter_mut().enumerate() {
            let number = match doc.lang {
                crate::Lang::Zh => format!("第 {} 页 / 共 {n} 页", i + 1),
                crate::Lang::En => format!("Page {} of {n}", i + 1),
            };
            let w = self.font.width(&number, 8.0);
            page.ops.push(Op::Line {
                from: (LEFT, PAGE_H - 44.0),
                to: (RIGHT, PAGE_H - 44.0),
                width: 0.4,
                rgb: (0.6, 0.6, 0.6),
            });
            page.ops.push(Op::Text {
                x: LEFT,
                y: PAGE_H - 40.0,
                size: 8.0,
                text: doc.title.clone(),
                bold: false,
                gray: 0.4,
            });
            page.ops.push(Op::Line {
                from: (LEFT, 48.0),
                to: (RIGHT, 48.0),
                width: 0.4,
                rgb: (0.6, 0.6, 0.6),
            });
            page.ops.push(Op::Text {
                x: LEFT,
                y: 36.0,
                size: 7.5,
                text: doc.footer.clone(),
                bold: false,
                gray: 0.4,
            });
            page.ops.push(Op::Text {
                x: RIGHT - w,
                y: 36.0,
                size: 8.0,
                text: number,
                bold: false,
                gray: 0.2,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font_bytes() -> Vec<u8> {
        let path = std::env::var("ZEROPARK_CJK_FONT")
            .unwrap_or_else(|_| "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc".into());
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (fonts-noto-cjk)"))
    }

    #[test]
    fn wrapped_lines_fit_their_column_and_keep_every_character() {
        let bytes = font_bytes();
        let font = CjkFont::parse(&bytes).unwrap();
        let l = Layout::new(&font);
        let text = "builtin-2025.1/carbon_content/natural_gas builtin-2025.1/carbon_content/raw_coal \
                    运营控制法：报告主体为以下统一社会信用代码的法人企业及其全部厂区 and some English words";
        for width in [40.0, 90.0, 200.0] {
            let lines = l.wrap(text, 7.8, width);
            assert!(lines.len() > 1);
            for line in &lines {
                assert!(
                    font.width(line, 7.8) <= width + 0.01 || line.chars().count() == 1,
                    "{line:?} is wider than {width}"
                );
            }
            let joined: String = lines
                .concat()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let want: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(joined, want);
        }
    }
}
