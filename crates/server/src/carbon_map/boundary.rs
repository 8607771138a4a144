//! A park's outline (园区边界) on the map's park level: the boundary on file in
//! `data/park-boundaries.geojson` (the demo's are illustrative, drawn by hand, and say so),
//! else the convex hull of the park's enterprise sites, each site widened by
//! [`SITE_PAD_DEG`] so one or two sites still make an area. Longitude first, as in GeoJSON.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The boundaries on file, GeoJSON (`Polygon` features with `park`, `status`, `note`).
const FILE: &str = include_str!("../../data/park-boundaries.geojson");

/// Half the side of the square a site stands for in the fallback hull: 0.003° (about
/// 330 m north-south).
pub const SITE_PAD_DEG: f64 = 0.003;

/// Where a park's outline comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BoundaryKind {
    /// Drawn for illustration (the fictional demo parks): not an official boundary.
    Illustrative,
    /// An official boundary from the source named in `note`.
    Official,
    /// No boundary on file: the convex hull of the enterprises' sites.
    SitesHull,
    /// No boundary on file and no enterprise with site coordinates.
    None,
}

/// A park's outline as the map draws it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ParkBoundary {
    pub kind: BoundaryKind,
    /// The outer ring, `[lon, lat]` pairs, closed (the last equals the first); empty for
    /// `none`.
    pub ring: Vec<[f64; 2]>,
    /// The file's note on the boundary (its source for an official one).
    pub note: Option<String>,
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    geometry: Geometry,
}

#[derive(Deserialize)]
struct Properties {
    park: String,
    status: BoundaryKind,
    note: String,
}

#[derive(Deserialize)]
struct Geometry {
    #[serde(rename = "type")]
    kind: String,
    coordinates: Vec<Vec<[f64; 2]>>,
}

/// Reads a boundary file: every feature a closed `Polygon` ring of at least three corners,
/// `illustrative` or `official`, one per park.
fn parse(text: &str) -> Result<BTreeMap<String, ParkBoundary>, String> {
    let c: Collection = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for f in c.features {
        let park = f.properties.park;
        if !matches!(
            f.properties.status,
            BoundaryKind::Illustrative | BoundaryKind::Official
        ) {
            return Err(format!("{park}: status must be illustrative or official"));
        }
        let ring = match (f.geometry.kind.as_str(), f.geometry.coordinates.first()) {
            ("Polygon", Some(ring)) if ring.len() >= 4 && ring.first() == ring.last() => {
                ring.clone()
            }
            _ => return Err(format!("{park}: not a closed Polygon of three corners")),
        };
        let b = ParkBoundary {
            kind: f.properties.status,
            ring,
            note: Some(f.properties.note),
        };
        if out.insert(park.clone(), b).is_some() {
            return Err(format!("{park}: two boundaries"));
        }
    }
    Ok(out)
}

static ON_FILE: LazyLock<BTreeMap<String, ParkBoundary>> =
    LazyLock::new(|| parse(FILE).expect("data/park-boundaries.geojson (tested)"));

/// The park's boundary on file, else the hull of its sites (`[lon, lat]`).
pub fn of_park(park: &str, sites: &[[f64; 2]]) -> ParkBoundary {
    if let Some(b) = ON_FILE.get(park) {
        return b.clone();
    }
    let ring = padded_hull(sites);
    ParkBoundary {
        kind: if ring.is_empty() {
            BoundaryKind::None
        } else {
            BoundaryKind::SitesHull
        },
        ring,
        note: None,
    }
}

/// The convex hull (counter-clockwise, closed) of the squares of side 2 x
/// [`SITE_PAD_DEG`] around the points; empty without points. Andrew's monotone chain.
pub fn padded_hull(points: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let d = SITE_PAD_DEG;
    let mut p: Vec<[f64; 2]> = points
        .iter()
        .filter(|[x, y]| x.is_finite() && y.is_finite())
        .flat_map(|[x, y]| {
            [
                [x - d, y - d],
                [x + d, y - d],
                [x + d, y + d],
                [x - d, y + d],
            ]
        })
        .collect();
    if p.is_empty() {
        return Vec::new();
    }
    p.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    p.dedup();
    let cross = |o: [f64; 2], a: [f64; 2], b: [f64; 2]| {
        (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    };
    let mut hull: Vec<[f64; 2]> = Vec::with_capacity(2 * p.len());
    for pass in [p.clone(), p.into_iter().rev().collect()] {
        let start = hull.len();
        for q in pass {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0
            {
                hull.pop();
            }
            hull.push(q);
        }
        hull.pop();
    }
    hull.push(hull[0]);
    hull
}

/// Whether `p` lies inside the closed ring (even-odd rule).
#[cfg(test)]
fn contains(ring: &[[f64; 2]], p: [f64; 2]) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let ([x1, y1], [x2, y2]) = (w[0], w[1]);
        if (y1 > p[1]) != (y2 > p[1]) && p[0] < x1 + (p[1] - y1) * (x2 - x1) / (y2 - y1) {
            inside = !inside;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boundary_file_reads_and_marks_every_demo_boundary_illustrative() {
        let b = parse(FILE).unwrap();
        let demo = &b[zp_app::demo::DEMO_PARK];
        assert_eq!(demo.kind, BoundaryKind::Illustrative);
        assert!(
            demo.note
                .as_deref()
                .unwrap()
                .contains("not an official boundary")
        );
        assert!(FILE.contains("ILLUSTRATIVE"));
        // The smaller demo park has none: it shows the fallback.
        assert!(!b.contains_key(zp_app::demo::DEMO_PARK_SC));
    }

    #[test]
    fn a_bad_boundary_file_is_refused() {
        let f = |status: &str, ring: &str| {
            format!(
                r#"{{"features":[{{"properties":{{"park":"P","status":"{status}","note":""}},
                "geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}]}}"#
            )
        };
        let square = "[[0,0],[1,0],[1,1],[0,0]]";
        assert!(parse(&f("illustrative", square)).is_ok());
        assert!(parse(&f("sites_hull", square)).is_err());
        assert!(
            parse(&f("official", "[[0,0],[1,0],[1,1]]")).is_err(),
            "not closed"
        );
        assert!(
            parse(&f("official", "[[0,0],[1,0],[0,0]]")).is_err(),
            "two corners"
        );
    }

    #[test]
    fn the_fallback_hull_wraps_every_site_and_is_an_area_even_for_one_site() {
        let d = SITE_PAD_DEG;
        let one = padded_hull(&[[106.5, 29.6]]);
        assert_eq!(
            one,
            vec![
                [106.5 - d, 29.6 - d],
                [106.5 + d, 29.6 - d],
                [106.5 + d, 29.6 + d],
                [106.5 - d, 29.6 + d],
                [106.5 - d, 29.6 - d],
            ]
        );
        let sites = [[0.0, 0.0], [1.0, 0.0], [0.5, 0.2], [1.0, 1.0], [0.0, 1.0]];
        let hull = padded_hull(&sites);
        // The inner site adds no corner: four squares' outer corners.
        assert_eq!(hull.len(), 4 + 1);
        assert!(sites.iter().all(|s| contains(&hull, *s)));
        assert!(!contains(&hull, [1.1, 0.5]));
        assert!(padded_hull(&[]).is_empty());
        assert_eq!(of_park("no such park", &[]).kind, BoundaryKind::None);
        assert_eq!(
            of_park("no such park", &sites).kind,
            BoundaryKind::SitesHull
        );
    }
}
