//! Enterprise page (企业): inventory with lineage, meters, designations.

use crate::i18n::Lang;
use zp_store::Designation;

/// A designation as shown: name, level, date.
pub fn designation_label(d: &Designation, lang: Lang) -> String {
    let level = lang.t(&format!("level.{}", d.level.key()));
    let kind = lang.t(&format!("designation.{}", d.kind.key()));
    format!("{kind} · {level} · {}", d.granted_on)
}
