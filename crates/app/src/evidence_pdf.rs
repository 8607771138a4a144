//! Evidence of hourly matching as a PDF for people (auditors, EU customers); the JSON
//! document is the machine-verifiable original, and the PDF prints its chain head and
//! public key so the two can be tied together.
//!
//! A small PDF 1.4 writer of our own: A4 pages of text lines, Helvetica for ASCII and the
//! predefined CJK font STSong-Light (UniGB-UCS2-H; every conforming reader provides it,
//! nothing is embedded) for Chinese names.

use std::fmt::Write as _;
use zp_certs::EvidenceDoc;
use zp_domain::time::format_local;

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 42.0;
const LINE: f32 = 11.0;
const SIZE: f32 = 8.0;

/// One line of text at a position; `bold` lines are set larger.
struct Line {
    cells: Vec<(f32, String)>,
    size: f32,
}

/// Renders `doc` as a PDF.
pub fn render(doc: &EvidenceDoc) -> Vec<u8> {
    let mut lines = vec![
        Line {
            cells: vec![(0.0, "Hourly matching evidence / 逐时绿电匹配证明".into())],
            size: 13.0,
        },
        text(format!("Consumer (credit code): {}", doc.consumer)),
        text(format!(
            "Window: {} to {} (Asia/Shanghai, end exclusive)",
            format_local(doc.from),
            format_local(doc.to)
        )),
        text(format!(
            "Consumption: {} Wh    Matched: {} Wh    Hours: {}",
            doc.consumption_wh,
            doc.matched_wh,
            doc.hours.len()
        )),
        text(format!(
            "Registry public key (ed25519): {}",
            doc.registry_public_key
        )),
        text(format!(
            "Log head: event {} hash {}",
            doc.head_seq, doc.head_hash
        )),
        text(format!(
            "Format version {}. The JSON evidence holds the signed events; verify it with the public key.",
            doc.format_version
        )),
        text(String::new()),
        Line {
            cells: columns(&[
                "Hour (local)",
                "Load Wh",
                "Matched Wh",
                "Bundle",
                "Certificate ids",
                "Generator / tech / location",
            ]),
            size: SIZE,
        },
    ];
    for h in &doc.hours {
        let hour = h
            .hour_local
            .get(..16)
            .unwrap_or(&h.hour_local)
            .replace('T', " ");
        if h.certificates.is_empty() {
            lines.push(Line {
                cells: columns(&[
                    &hour,
                    &h.consumption_wh.to_string(),
                    &h.matched_wh.to_string(),
                    "-",
                    "-",
                    "-",
                ]),
                size: SIZE,
            });
        }
        for (i, c) in h.certificates.iter().enumerate() {
            let first = i == 0;
            lines.push(Line {
                cells: columns(&[
                    if first { &hour } else { "" },
                    &if first {
                        h.consumption_wh.to_string()
                    } else {
                        String::new()
                    },
                    &if first {
                        h.matched_wh.to_string()
                    } else {
                        String::new()
                    },
                    &c.bundle_id.0.to_string(),
                    &format!("{}-{}", c.ids.start, c.ids.end),
                    &format!("{} / {} / {}", c.generator_meter, c.technology, c.location),
                ]),
                size: SIZE,
            });
        }
    }
    write_pdf(&paginate(lines))
}

fn text(s: String) -> Line {
    Line {
        cells: vec![(0.0, s)],
        size: 9.0,
    }
}

fn columns(cells: &[&str]) -> Vec<(f32, String)> {
    const X: [f32; 6] = [0.0, 72.0, 122.0, 178.0, 212.0, 330.0];
    X.iter()
        .zip(cells)
        .map(|(x, c)| (*x, (*c).to_string()))
        .collect()
}

fn paginate(lines: Vec<Line>) -> Vec<Vec<Line>> {
    let per_page = ((PAGE_H - 2.0 * MARGIN) / LINE) as usize;
    let mut pages: Vec<Vec<Line>> = Vec::new();
    for l in lines {
        match pages.last_mut() {
            Some(p) if p.len() < per_page => p.push(l),
            _ => pages.push(vec![l]),
        }
    }
    pages
}

/// PDF literal string for ASCII text, hex UCS-2 for the CJK font.
fn show(s: &str) -> (bool, String) {
    if s.is_ascii() {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('(');
        for ch in s.chars() {
            if matches!(ch, '(' | ')' | '\\') {
                out.push('\\');
            }
            out.push(ch);
        }
        out.push(')');
        (false, out)
    } else {
        let mut out = String::from("<");
        for u in s.encode_utf16() {
            let _ = write!(out, "{u:04X}");
        }
        out.push('>');
        (true, out)
    }
}

fn page_content(lines: &[Line], page: usize, pages: usize) -> String {
    let mut c = String::new();
    let mut y = PAGE_H - MARGIN;
    for l in lines {
        for (x, s) in &l.cells {
            if s.is_empty() {
                continue;
            }
            let (cjk, shown) = show(s);
            let font = if cjk { "F2" } else { "F1" };
            let _ = writeln!(
                c,
                "BT /{font} {} Tf {:.1} {:.1} Td {shown} Tj ET",
                l.size,
                MARGIN + x,
                y
            );
        }
        y -= LINE.max(l.size + 3.0);
    }
    let _ = writeln!(
        c,
        "BT /F1 7 Tf {:.1} {:.1} Td (zeropark certificate registry - page {} of {}) Tj ET",
        MARGIN,
        MARGIN / 2.0,
        page + 1,
        pages
    );
    c
}

fn write_pdf(pages: &[Vec<Line>]) -> Vec<u8> {
    // Objects: 1 catalog, 2 pages, 3 Helvetica, 4 STSong (Type0), 5 its CIDFont,
    // then per page: page object, content stream.
    let n_pages = pages.len();
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n_pages} >>",
            (0..n_pages)
                .map(|i| format!("{} 0 R", 6 + 2 * i))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [5 0 R] >>".into(),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >> /DW 1000 >>".into(),
    ];
    for (i, lines) in pages.iter().enumerate() {
        let content = page_content(lines, i, n_pages);
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
            7 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ));
    }
    // The comment marks the file binary (bytes >= 128; here the UTF-8 of "âãÏÓ").
    let mut out: Vec<u8> = "%PDF-1.4\n%âãÏÓ\n".as_bytes().to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in &offsets {
        let _ = writeln!(tail, "{o:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(tail.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use zp_certs::{BundleId, EvidenceCertificate, EvidenceHour, IdRange};
    use zp_domain::CreditCode;

    fn doc(hours: usize) -> EvidenceDoc {
        EvidenceDoc {
            format_version: 1,
            consumer: CreditCode::parse("91500112MA60CEM01B").expect("a valid code"),
            from: 1_688_918_400,
            to: 1_689_004_800,
            registry_public_key: "ab".repeat(32),
            head_seq: 42,
            head_hash: "cd".repeat(32),
            consumption_wh: 40_000_000,
            matched_wh: 25_000_000,
            hours: (0..hours)
                .map(|i| EvidenceHour {
                    hour_start: 1_688_954_400 + 3600 * i as i64,
                    hour_local: format_local(1_688_954_400 + 3600 * i as i64),
                    consumption_wh: 10_000_000,
                    matched_wh: 10_000_000,
                    certificates: vec![EvidenceCertificate {
                        bundle_id: BundleId(i as u64 + 1),
                        ids: IdRange {
                            start: 1 + 10_000_000 * i as u64,
                            end: 10_000_000 * (i as u64 + 1),
                        },
                        energy_wh: 10_000_000,
                        generator_meter: "PV1".into(),
                        technology: "solar".into(),
                        region: "CQ".into(),
                        location: "示例园区 (a)".into(),
                        retired_seq: 7,
                        lineage: vec![1, 7],
                    }],
                })
                .collect(),
            events: Vec::new(),
            how_to_verify: "",
        }
    }

    /// Every xref offset points at its object, the trailer points at the xref, and the
    /// chain head and figures are printed.
    #[test]
    fn pdf_is_well_formed_and_carries_the_chain_head() {
        let pdf = render(&doc(200));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-1.4"));
        assert!(text.trim_end().ends_with("%%EOF"));
        let startxref: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("startxref");
        assert!(text[startxref..].starts_with("xref\n"));
        let entries: Vec<usize> = text[startxref..]
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
            .map(|l| l[..10].parse().unwrap())
            .collect();
        assert!(entries.len() > 7, "several pages for 200 hours");
        for (i, off) in entries.iter().enumerate() {
            assert!(
                text[*off..].starts_with(&format!("{} 0 obj", i + 1)),
                "object {} at {off}",
                i + 1
            );
        }
        assert!(text.contains(&"cd".repeat(32)), "chain head printed");
        assert!(text.contains("Matched: 25000000 Wh"), "matched Wh printed");
        // "示例" as UCS-2 in the CJK font.
        assert!(text.contains("793A4F8B"), "Chinese location set in STSong");
        // Stream lengths are exact.
        for part in text.split("<< /Length ").skip(1) {
            let (n, rest) = part.split_once(" >>\nstream\n").unwrap();
            let n: usize = n.parse().unwrap();
            assert!(rest[n..].starts_with("endstream"));
        }
    }

    #[test]
    fn parentheses_and_backslashes_are_escaped() {
        assert_eq!(show("a(b)\\c").1, "(a\\(b\\)\\\\c)");
        assert_eq!(show("园").1, "<56ED>");
    }
}
