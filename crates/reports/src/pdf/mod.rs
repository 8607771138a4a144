//! A document as PDF 1.7 (`pdf-writer`): A4 pages laid out by [`layout`], the CJK font
//! embedded as a subset ([`font`]), charts as vector paths ([`chart`]), a running header
//! and `page i of n` footers. Streams are Flate-compressed. Same document, same font
//! bytes: same PDF bytes (no creation date; the file id is a hash of the pages).

mod chart;
mod font;
mod layout;

pub use font::CjkFont;

use crate::ReportError;
use crate::doc::Document;
use layout::{Layout, Op, PAGE_H, PAGE_W};
use pdf_writer::types::TextRenderingMode;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use sha2::{Digest, Sha256};

/// Zlib-compresses `data` (a PDF FlateDecode stream).
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    // Writing into a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

const FONT: Name<'static> = Name(b"F1");

fn content(ops: &[Op], font: &mut CjkFont) -> Vec<u8> {
    let mut c = Content::new();
    for op in ops {
        match op {
            Op::Text {
                x,
                y,
                size,
                text,
                bold,
                gray,
            } => {
                c.begin_text();
                c.set_font(FONT, *size);
                c.set_fill_gray(*gray);
                if *bold {
                    c.set_text_rendering_mode(TextRenderingMode::FillStroke);
                    c.set_stroke_gray(*gray);
                    c.set_line_width(size * 0.035);
                } else {
                    c.set_text_rendering_mode(TextRenderingMode::Fill);
                }
                c.next_line(*x, *y);
                c.show(Str(&font.encode(text)));
                c.end_text();
            }
            Op::Line {
                from,
                to,
                width,
                rgb,
            } => {
                c.set_line_width(*width);
                c.set_stroke_rgb(rgb.0, rgb.1, rgb.2);
                c.move_to(from.0, from.1);
                c.line_to(to.0, to.1);
                c.stroke();
            }
            Op::Rect { x, y, w, h, rgb } => {
                c.set_fill_rgb(rgb.0, rgb.1, rgb.2);
                c.rect(*x, *y, *w, *h);
                c.fill_nonzero();
            }
            Op::Polyline { points, width, rgb } => {
                let Some((first, rest)) = points.split_first() else {
                    continue;
                };
                c.set_line_width(*width);
                c.set_stroke_rgb(rgb.0, rgb.1, rgb.2);
                c.move_to(first.0, first.1);
                for p in rest {
                    c.line_to(p.0, p.1);
                }
                c.stroke();
            }
        }
    }
    c.finish().into_vec()
}

/// Renders `doc` with the OpenType CJK font `font_bytes` (a `.ttc` collection or a single
/// face).
pub fn render(doc: &Document, font_bytes: &[u8]) -> Result<Vec<u8>, ReportError> {
    let mut font = CjkFont::parse(font_bytes)?;
    let pages = {
        let mut l = Layout::new(&font);
        l.title(doc);
        for s in &doc.sections {
            l.heading(&s.heading);
            for b in &s.blocks {
                l.block(b, doc.lang);
            }
        }
        l.decorate(doc);
        l.pages
    };
    let streams: Vec<Vec<u8>> = pages.iter().map(|p| content(&p.ops, &mut font)).collect();

    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let info = Ref::new(3);
    let type0 = Ref::new(4);
    let mut next = 5;
    let ids: Vec<(Ref, Ref)> = streams
        .iter()
        .map(|_| {
            let r = (Ref::new(next), Ref::new(next + 1));
            next += 2;
            r
        })
        .collect();

    let mut pdf = Pdf::new();
    let mut hash = Sha256::new();
    hash.update(doc.title.as_bytes());
    for s in &streams {
        hash.update(s);
    }
    let digest = hash.finalize();
    pdf.set_file_id((digest[..16].to_vec(), digest[16..].to_vec()));
    pdf.catalog(catalog)
        .pages(tree)
        .lang(TextStr(doc.lang.pick("zh-CN", "en")));
    pdf.pages(tree)
        .kids(ids.iter().map(|(p, _)| *p))
        .count(ids.len() as i32);
    pdf.document_info(info)
        .title(TextStr(&doc.title))
        .subject(TextStr(&doc.subtitle))
        .creator(TextStr("zeropark"))
        .producer(TextStr("zeropark zp-reports"));
    for ((page, contents), stream) in ids.iter().zip(&streams) {
        let mut p = pdf.page(*page);
        p.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(*contents);
        p.resources().fonts().pair(FONT, type0);
        p.finish();
        pdf.stream(*contents, &deflate(stream))
            .filter(Filter::FlateDecode);
    }
    font.embed(&mut pdf, type0, Ref::new(next))?;
    Ok(pdf.finish())
}
