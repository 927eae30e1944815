//! Vietnam's administrative units after the 1 July 2025 reorganisation: 34 provinces and
//! their commune-level units (phường, xã, đặc khu), from the official list in `fixtures/units`
//! (provenance in `fixtures/SOURCES.md`). Used for address pickers and to check addresses.

use std::collections::HashMap;
use std::sync::OnceLock;

const PROVINCES_CSV: &str = include_str!("../../../fixtures/units/vn-provinces-2025.csv");
const WARDS_CSV: &str = include_str!("../../../fixtures/units/vn-wards-2025.csv");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub code: String,
    /// Full Vietnamese name, e.g. "Phường Hà Tu".
    pub name: String,
    pub name_en: String,
    /// For a commune-level unit, its province's code.
    pub province: Option<String>,
}

#[derive(Debug)]
pub struct AdminUnits {
    provinces: Vec<Unit>,
    wards: Vec<Unit>,
    ward_index: HashMap<String, usize>,
}

/// Columns `code,name,full_name,name_en,full_name_en,…` with the province code at `province_col`.
fn parse(csv: &str, province_col: Option<usize>) -> Vec<Unit> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            Some(Unit {
                code: cols.first()?.to_string(),
                name: cols.get(2)?.to_string(),
                name_en: cols.get(4)?.to_string(),
                province: province_col
                    .and_then(|i| cols.get(i))
                    .map(|s| s.to_string()),
            })
        })
        .collect()
}

impl AdminUnits {
    /// The embedded official list (parsed once).
    pub fn official() -> &'static AdminUnits {
        static UNITS: OnceLock<AdminUnits> = OnceLock::new();
        UNITS.get_or_init(|| {
            let provinces = parse(PROVINCES_CSV, None);
            let wards = parse(WARDS_CSV, Some(7));
            let ward_index = wards
                .iter()
                .enumerate()
                .map(|(i, w)| (w.code.clone(), i))
                .collect();
            AdminUnits {
                provinces,
                wards,
                ward_index,
            }
        })
    }

    pub fn provinces(&self) -> &[Unit] {
        &self.provinces
    }

    pub fn province(&self, code: &str) -> Option<&Unit> {
        self.provinces.iter().find(|p| p.code == code)
    }

    pub fn ward(&self, code: &str) -> Option<&Unit> {
        self.ward_index.get(code).map(|&i| &self.wards[i])
    }

    pub fn wards_of<'a>(&'a self, province: &'a str) -> impl Iterator<Item = &'a Unit> + 'a {
        self.wards
            .iter()
            .filter(move |w| w.province.as_deref() == Some(province))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_list_is_complete() {
        let u = AdminUnits::official();
        assert_eq!(u.provinces().len(), 34);
        assert_eq!(u.wards.len(), 3321);
        assert_eq!(u.province("22").unwrap().name, "Tỉnh Quảng Ninh");
        assert_eq!(u.wards_of("22").count(), 54);
        let ba_che = u.ward("06970").unwrap();
        assert_eq!(ba_che.name, "Xã Ba Chẽ");
        assert_eq!(ba_che.province.as_deref(), Some("22"));
        assert!(u.ward("06978").is_none());
        // Every commune belongs to a listed province.
        assert!(
            u.wards
                .iter()
                .all(|w| u.province(w.province.as_deref().unwrap()).is_some())
        );
    }
}
