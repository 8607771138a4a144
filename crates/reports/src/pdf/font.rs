//! The one font of a PDF: an OpenType CJK font (e.g. Noto Sans CJK SC from Debian's
//! `fonts-noto-cjk`) given as bytes, measured with `ttf-parser`, and embedded as a CID font
//! holding only the glyphs the document uses (`subsetter`), with a ToUnicode map so the
//! text can be searched and extracted, Chinese included.
//!
//! No shaping: one glyph per character from the font's cmap, which is what Chinese,
//! digits and Latin text in tables need (no ligatures, no kerning).

use crate::ReportError;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Chunk, Filter, Finish, Name, Rect, Ref, Str};
use std::collections::BTreeMap;
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId, Tag};

/// A parsed font face and the glyphs a document used from it.
pub struct CjkFont<'a> {
    data: &'a [u8],
    index: u32,
    face: Face<'a>,
    postscript_name: String,
    remapper: GlyphRemapper,
    /// New glyph id -> the character it shows, its advance (1/1000 em) and its id in the
    /// whole font.
    used: BTreeMap<u16, (char, f32, u16)>,
}

/// Family names of a face (name ids 1 and 16), for choosing the Simplified Chinese face of
/// a collection.
fn family_names(face: &Face) -> Vec<String> {
    face.names()
        .into_iter()
        .filter(|n| n.name_id == 1 || n.name_id == 16)
        .filter_map(|n| n.to_string())
        .collect()
}

impl<'a> CjkFont<'a> {
    /// Parses `data`, an OpenType font or collection. In a collection the Simplified
    /// Chinese face (`... SC`) is taken, else the first face that has 中.
    pub fn parse(data: &'a [u8]) -> Result<CjkFont<'a>, ReportError> {
        let count = ttf_parser::fonts_in_collection(data).unwrap_or(1);
        let mut chosen = None;
        for index in 0..count {
            let Ok(face) = Face::parse(data, index) else {
                continue;
            };
            if face.glyph_index('中').is_none() {
                continue;
            }
            let sc = family_names(&face)
                .iter()
                .any(|n| n.ends_with(" SC") && !n.contains("Mono"));
            if sc {
                chosen = Some((index, face));
                break;
            }
            if chosen.is_none() {
                chosen = Some((index, face));
            }
        }
        let (index, face) = chosen.ok_or_else(|| {
            ReportError::Font(
                "no face of the font has Chinese characters (give an OpenType CJK font such as NotoSansCJK-Regular.ttc)".into(),
            )
        })?;
        if face.tables().cff.is_none() && face.tables().glyf.is_none() {
            return Err(ReportError::Font(
                "the font has neither CFF nor TrueType outlines".into(),
            ));
        }
        let postscript_name = face
            .names()
            .into_iter()
            .find(|n| n.name_id == 6)
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| "CJKFont".into())
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        Ok(CjkFont {
            data,
            index,
            face,
            postscript_name,
            remapper: GlyphRemapper::new(),
            used: BTreeMap::new(),
        })
    }

    /// The glyph shown for `c` (tabs and line breaks as a space, a character the font
    /// lacks as `?`).
    fn glyph(&self, c: char) -> (char, GlyphId) {
        let c = if c.is_control() { ' ' } else { c };
        match self.face.glyph_index(c) {
            Some(g) => (c, g),
            None => ('?', self.face.glyph_index('?').unwrap_or(GlyphId(0))),
        }
    }

    fn advance(&self, g: GlyphId) -> f32 {
        let upem = f32::from(self.face.units_per_em().max(1));
        f32::from(self.face.glyph_hor_advance(g).unwrap_or(0)) * 1000.0 / upem
    }

    /// Width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c).1))
            .sum::<f32>()
            * size
            / 1000.0
    }

    /// `text` as the 2-byte codes (the subset's glyph ids) of an Identity-H content
    /// string; records the glyphs for the subset.
    pub fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let (shown, g) = self.glyph(c);
            let new = self.remapper.remap(g.0);
            let adv = self.advance(g);
            self.used.entry(new).or_insert((shown, adv, g.0));
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }

    fn scaled(&self, v: i16) -> f32 {
        f32::from(v) * 1000.0 / f32::from(self.face.units_per_em().max(1))
    }

    /// A subset tag (six capitals) that depends only on the glyphs used.
    fn subset_tag(&self) -> String {
        let mut h: u32 = 2166136261;
        for (_, _, g) in self.used.values() {
            for b in g.to_be_bytes() {
                h = (h ^ u32::from(b)).wrapping_mul(16777619);
            }
        }
        (0..6)
            .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
            .collect()
    }

    /// Writes the Type0 font `type0` (with its CID font, descriptor, subset program and
    /// ToUnicode map, numbered from `next`) into `chunk`; returns the next free id.
    pub fn embed(&self, chunk: &mut Chunk, type0: Ref, mut next: Ref) -> Result<Ref, ReportError> {
        let mut alloc = || {
            let r = next;
            next = Ref::new(next.get() + 1);
            r
        };
        let (cid, descriptor, program, cmap) = (alloc(), alloc(), alloc(), alloc());
        let base = format!("{}+{}", self.subset_tag(), self.postscript_name);
        let subset = subsetter::subset(self.data, self.index, &self.remapper)
            .map_err(|e| ReportError::Font(format!("subsetting failed: {e}")))?;
        let cff = self.face.tables().cff.is_some();
        let program_bytes = if cff {
            let raw = ttf_parser::RawFace::parse(&subset, 0)
                .map_err(|e| ReportError::Font(format!("subset font: {e}")))?;
            raw.table(Tag::from_bytes(b"CFF "))
                .ok_or_else(|| ReportError::Font("subset font has no CFF table".into()))?
                .to_vec()
        } else {
            subset
        };

        chunk
            .type0_font(type0)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);

        let info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        let mut cid_font = chunk.cid_font(cid);
        cid_font
            .subtype(if cff {
                CidFontType::Type0
            } else {
                CidFontType::Type2
            })
            .base_font(Name(base.as_bytes()))
            .system_info(info)
            .font_descriptor(descriptor)
            .default_width(1000.0);
        if !cff {
            cid_font.cid_to_gid_map_predefined(Name(b"Identity"));
        }
        {
            let mut widths = cid_font.widths();
            for (g, (_, w, _)) in &self.used {
                widths.consecutive(*g, [w.round()]);
            }
        }
        cid_font.finish();

        let b = self.face.global_bounding_box();
        let mut d = chunk.font_descriptor(descriptor);
        d.name(Name(base.as_bytes()))
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                self.scaled(b.x_min),
                self.scaled(b.y_min),
                self.scaled(b.x_max),
                self.scaled(b.y_max),
            ))
            .italic_angle(0.0)
            .ascent(self.scaled(self.face.ascender()))
            .descent(self.scaled(self.face.descender()))
            .cap_height(self.scaled(self.face.capital_height().unwrap_or(self.face.ascender())))
            .stem_v(80.0);
        if cff {
            d.font_file3(program);
        } else {
            d.font_file2(program);
        }
        d.finish();

        let compressed = super::deflate(&program_bytes);
        let mut s = chunk.stream(program, &compressed);
        s.filter(Filter::FlateDecode);
        if cff {
            s.pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
        }
        s.finish();

        let mut map = UnicodeCmap::new(Name(b"Custom"), info);
        for (g, (c, _, _)) in &self.used {
            map.pair(*g, *c);
        }
        let map = super::deflate(&map.finish());
        chunk.stream(cmap, &map).filter(Filter::FlateDecode);
        Ok(next)
    }
}
