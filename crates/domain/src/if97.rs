//! Specific enthalpy of water and steam by IAPWS-IF97 (the Industrial Formulation 1997,
//! revised release of 2007): region 1 (liquid), region 2 (vapour), region 4 (saturation)
//! and the B23 boundary. Enough to price delivered steam by its enthalpy; regions 3 and 5
//! (near-critical, above 800 degC) are refused rather than approximated.
//!
//! The coefficients are the release's Tables 2, 10, 11, 34 and the B23 equation; the tests
//! are its verification tables (5, 15, 35, 36) to their nine significant digits.

use std::fmt;

/// Specific gas constant of water, kJ/(kg K) (IF97 Eq. 1).
const R: f64 = 0.461526;
/// Critical pressure, MPa.
const P_CRIT_MPA: f64 = 22.064;
/// Lowest pressure of the saturation line, MPa (triple point).
const P_TRIPLE_MPA: f64 = 611.213e-6;
const T_TRIPLE_K: f64 = 273.16;
const T_CRIT_K: f64 = 647.096;
/// Upper temperature of region 2, K (800 degC).
const T_MAX_K: f64 = 1073.15;
/// Region 1 and the low-temperature side of region 2 end at 350 degC.
const T_B23_MIN_K: f64 = 623.15;
const P_MAX_MPA: f64 = 100.0;
/// How far below saturation a stated superheat may be and still count as saturated vapour
/// (a temperature read off the saturation table, rounded).
const SATURATION_TOLERANCE_K: f64 = 0.05;

/// Why a steam state is refused, as `(code, template)` pairs (issue 14: a page recognises
/// the code of a quarantined row's reason and writes it in its language).
pub const REASONS_EN: &[(&str, &str)] = &[
    (
        "steam.pressure_range",
        "pressure {pressure_mpa} MPa is outside the range this formulation covers for steam (above {triple_mpa} MPa, below the critical {critical_mpa} MPa for saturated steam; superheated steam up to {max_mpa} MPa below the B23 boundary); pressures are absolute",
    ),
    (
        "steam.temperature_range",
        "temperature {temperature_c} degC is outside 0.01 to 800 degC",
    ),
    (
        "steam.liquid",
        "{temperature_c} degC at {pressure_mpa} MPa is liquid water, not steam (saturation is {saturation_c} degC); pressures are absolute",
    ),
];

/// Why a state cannot be evaluated.
#[derive(Debug, Clone, PartialEq)]
pub enum SteamError {
    PressureOutOfRange {
        pressure_mpa: f64,
    },
    TemperatureOutOfRange {
        temperature_c: f64,
    },
    /// Below the saturation temperature at that pressure: liquid water, not steam.
    NotSteam {
        pressure_mpa: f64,
        temperature_c: f64,
        saturation_c: f64,
    },
}

impl fmt::Display for SteamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut write = |code: &str, args: &[(&str, String)]| {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            f.write_str(&crate::template::write(REASONS_EN, code, &args))
        };
        match self {
            SteamError::PressureOutOfRange { pressure_mpa } => write(
                "steam.pressure_range",
                &[
                    ("pressure_mpa", pressure_mpa.to_string()),
                    ("triple_mpa", P_TRIPLE_MPA.to_string()),
                    ("critical_mpa", P_CRIT_MPA.to_string()),
                    ("max_mpa", P_MAX_MPA.to_string()),
                ],
            ),
            SteamError::TemperatureOutOfRange { temperature_c } => write(
                "steam.temperature_range",
                &[("temperature_c", temperature_c.to_string())],
            ),
            SteamError::NotSteam {
                pressure_mpa,
                temperature_c,
                saturation_c,
            } => write(
                "steam.liquid",
                &[
                    ("temperature_c", temperature_c.to_string()),
                    ("pressure_mpa", pressure_mpa.to_string()),
                    ("saturation_c", format!("{saturation_c:.2}")),
                ],
            ),
        }
    }
}

impl std::error::Error for SteamError {}

/// Region 1 (Table 2): (I, J, n).
const REGION1: [(i32, i32, f64); 34] = [
    (0, -2, 0.14632971213167),
    (0, -1, -0.84548187169114),
    (0, 0, -0.37563603672040e1),
    (0, 1, 0.33855169168385e1),
    (0, 2, -0.95791963387872),
    (0, 3, 0.15772038513228),
    (0, 4, -0.16616417199501e-1),
    (0, 5, 0.81214629983568e-3),
    (1, -9, 0.28319080123804e-3),
    (1, -7, -0.60706301565874e-3),
    (1, -1, -0.18990068218419e-1),
    (1, 0, -0.32529748770505e-1),
    (1, 1, -0.21841717175414e-1),
    (1, 3, -0.52838357969930e-4),
    (2, -3, -0.47184321073267e-3),
    (2, 0, -0.30001780793026e-3),
    (2, 1, 0.47661393906987e-4),
    (2, 3, -0.44141845330846e-5),
    (2, 17, -0.72694996297594e-15),
    (3, -4, -0.31679644845054e-4),
    (3, 0, -0.28270797985312e-5),
    (3, 6, -0.85205128120103e-9),
    (4, -5, -0.22425281908000e-5),
    (4, -2, -0.65171222895601e-6),
    (4, 10, -0.14341729937924e-12),
    (5, -8, -0.40516996860117e-6),
    (8, -11, -0.12734301741641e-8),
    (8, -6, -0.17424871230634e-9),
    (21, -29, -0.68762131295531e-18),
    (23, -31, 0.14478307828521e-19),
    (29, -38, 0.26335781662795e-22),
    (30, -39, -0.11947622640071e-22),
    (31, -40, 0.18228094581404e-23),
    (32, -41, -0.93537087292458e-25),
];

/// Region 2 ideal-gas part (Table 10): (J, n).
const REGION2_IDEAL: [(i32, f64); 9] = [
    (0, -0.96927686500217e1),
    (1, 0.10086655968018e2),
    (-5, -0.56087911283020e-2),
    (-4, 0.71452738081455e-1),
    (-3, -0.40710498223928),
    (-2, 0.14240819171444e1),
    (-1, -0.43839511319450e1),
    (2, -0.28408632460772),
    (3, 0.21268463753307e-1),
];

/// Region 2 residual part (Table 11): (I, J, n).
const REGION2_RESIDUAL: [(i32, i32, f64); 43] = [
    (1, 0, -0.17731742473213e-2),
    (1, 1, -0.17834862292358e-1),
    (1, 2, -0.45996013696365e-1),
    (1, 3, -0.57581259083432e-1),
    (1, 6, -0.50325278727930e-1),
    (2, 1, -0.33032641670203e-4),
    (2, 2, -0.18948987516315e-3),
    (2, 4, -0.39392777243355e-2),
    (2, 7, -0.43797295650573e-1),
    (2, 36, -0.26674547914087e-4),
    (3, 0, 0.20481737692309e-7),
    (3, 1, 0.43870667284435e-6),
    (3, 3, -0.32277677238570e-4),
    (3, 6, -0.15033924542148e-2),
    (3, 35, -0.40668253562649e-1),
    (4, 1, -0.78847309559367e-9),
    (4, 2, 0.12790717852285e-7),
    (4, 3, 0.48225372718507e-6),
    (5, 7, 0.22922076337661e-5),
    (6, 3, -0.16714766451061e-10),
    (6, 16, -0.21171472321355e-2),
    (6, 35, -0.23895741934104e2),
    (7, 0, -0.59059564324270e-17),
    (7, 11, -0.12621808899101e-5),
    (7, 25, -0.38946842435739e-1),
    (8, 8, 0.11256211360459e-10),
    (8, 36, -0.82311340897998e1),
    (9, 13, 0.19809712802088e-7),
    (10, 4, 0.10406965210174e-18),
    (10, 10, -0.10234747095929e-12),
    (10, 14, -0.10018179379511e-8),
    (16, 29, -0.80882908646985e-10),
    (16, 50, 0.10693031879409),
    (18, 57, -0.33662250574171),
    (20, 20, 0.89185845355421e-24),
    (20, 35, 0.30629316876232e-12),
    (20, 48, -0.42002467698208e-5),
    (21, 21, -0.59056029685639e-25),
    (22, 53, 0.37826947613457e-5),
    (23, 39, -0.12768608934681e-14),
    (24, 26, 0.73087610595061e-28),
    (24, 40, 0.55414715350778e-16),
    (24, 58, -0.94369707241210e-6),
];

/// Region 4 saturation equation (Table 34).
const REGION4: [f64; 10] = [
    0.11670521452767e4,
    -0.72421316703206e6,
    -0.17073846940092e2,
    0.12020824702470e5,
    -0.32325550322333e7,
    0.14915108613530e2,
    -0.48232657361591e4,
    0.40511340542057e6,
    -0.23855557567849,
    0.65017534844798e3,
];

/// B23 boundary (Eq. 5 and 6).
const B23: [f64; 5] = [
    0.34805185628969e3,
    -0.11671859879975e1,
    0.10192970039326e-2,
    0.57254459862746e3,
    0.13918839778870e2,
];

fn kelvin(c: f64) -> f64 {
    c + 273.15
}

/// Saturation pressure (MPa) at temperature T (K), region 4 Eq. 30.
fn saturation_pressure_k(t: f64) -> f64 {
    let n = &REGION4;
    let theta = t + n[8] / (t - n[9]);
    let a = theta * theta + n[0] * theta + n[1];
    let b = n[2] * theta * theta + n[3] * theta + n[4];
    let c = n[5] * theta * theta + n[6] * theta + n[7];
    (2.0 * c / (-b + (b * b - 4.0 * a * c).sqrt())).powi(4)
}

/// Saturation temperature (K) at pressure p (MPa), region 4 Eq. 31.
fn saturation_temperature_k(p: f64) -> f64 {
    let n = &REGION4;
    let beta = p.powf(0.25);
    let e = beta * beta + n[2] * beta + n[5];
    let f = n[0] * beta * beta + n[3] * beta + n[6];
    let g = n[1] * beta * beta + n[4] * beta + n[7];
    let d = 2.0 * g / (-f - (f * f - 4.0 * e * g).sqrt());
    (n[9] + d - ((n[9] + d).powi(2) - 4.0 * (n[8] + n[9] * d)).sqrt()) / 2.0
}

/// Pressure (MPa) on the B23 boundary at temperature T (K).
fn b23_pressure(t: f64) -> f64 {
    B23[0] + B23[1] * t + B23[2] * t * t
}

/// Region 1 specific enthalpy, kJ/kg (Eq. 7, Table 3: h/RT = tau gamma_tau).
fn region1_h(p: f64, t: f64) -> f64 {
    let pi = p / 16.53;
    let tau = 1386.0 / t;
    let gamma_tau: f64 = REGION1
        .iter()
        .map(|&(i, j, n)| n * (7.1 - pi).powi(i) * f64::from(j) * (tau - 1.222).powi(j - 1))
        .sum();
    R * t * tau * gamma_tau
}

/// Region 2 specific enthalpy, kJ/kg (Eq. 15, Table 12: h/RT = tau (gamma0_tau + gammar_tau)).
fn region2_h(p: f64, t: f64) -> f64 {
    let pi = p;
    let tau = 540.0 / t;
    let ideal: f64 = REGION2_IDEAL
        .iter()
        .map(|&(j, n)| n * f64::from(j) * tau.powi(j - 1))
        .sum();
    let residual: f64 = REGION2_RESIDUAL
        .iter()
        .map(|&(i, j, n)| n * pi.powi(i) * f64::from(j) * (tau - 0.5).powi(j - 1))
        .sum();
    R * t * tau * (ideal + residual)
}

fn check_saturation_pressure(p: f64) -> Result<(), SteamError> {
    if p.is_finite() && (P_TRIPLE_MPA..=P_CRIT_MPA).contains(&p) {
        Ok(())
    } else {
        Err(SteamError::PressureOutOfRange { pressure_mpa: p })
    }
}

/// Saturation temperature (degC) at pressure p (MPa absolute), IF97 region 4. Valid from
/// the triple point (611.213 Pa) to the critical point (22.064 MPa).
pub fn saturation_temperature_c(pressure_mpa: f64) -> Result<f64, SteamError> {
    check_saturation_pressure(pressure_mpa)?;
    Ok(saturation_temperature_k(pressure_mpa) - 273.15)
}

/// Saturation pressure (MPa) at temperature (degC), IF97 region 4.
pub fn saturation_pressure_mpa(temperature_c: f64) -> Result<f64, SteamError> {
    let t = kelvin(temperature_c);
    if !t.is_finite() || !(T_TRIPLE_K..=T_CRIT_K).contains(&t) {
        return Err(SteamError::TemperatureOutOfRange { temperature_c });
    }
    Ok(saturation_pressure_k(t))
}

/// Specific enthalpy, kJ/kg, of steam at absolute pressure `pressure_mpa`: saturated vapour
/// when `temperature_c` is `None`, otherwise superheated steam (region 2) at that
/// temperature. Refuses liquid water, the near-critical region 3 and temperatures above
/// 800 degC.
pub fn steam_enthalpy_kj_per_kg(
    pressure_mpa: f64,
    temperature_c: Option<f64>,
) -> Result<f64, SteamError> {
    let p = pressure_mpa;
    let Some(tc) = temperature_c else {
        check_saturation_pressure(p)?;
        // Region 2 reaches the saturation line only up to 350 degC (16.529 MPa); above it
        // saturated vapour is region 3, which this module does not evaluate.
        let ts = saturation_temperature_k(p);
        if ts > T_B23_MIN_K {
            return Err(SteamError::PressureOutOfRange { pressure_mpa: p });
        }
        return Ok(region2_h(p, ts));
    };
    let t = kelvin(tc);
    if !t.is_finite() || !(T_TRIPLE_K..=T_MAX_K).contains(&t) {
        return Err(SteamError::TemperatureOutOfRange { temperature_c: tc });
    }
    if !p.is_finite() || p <= 0.0 || p > P_MAX_MPA {
        return Err(SteamError::PressureOutOfRange { pressure_mpa: p });
    }
    if t <= T_B23_MIN_K {
        let ts = saturation_temperature_k(p.min(P_CRIT_MPA));
        if p <= P_CRIT_MPA && t + SATURATION_TOLERANCE_K < ts || p > P_CRIT_MPA {
            return Err(SteamError::NotSteam {
                pressure_mpa: p,
                temperature_c: tc,
                saturation_c: ts - 273.15,
            });
        }
        // Within the tolerance below saturation: saturated vapour.
        return Ok(region2_h(p, t.max(ts)));
    }
    if p > b23_pressure(t) {
        return Err(SteamError::PressureOutOfRange { pressure_mpa: p });
    }
    Ok(region2_h(p, t))
}

/// Specific enthalpy of liquid water, kJ/kg, IF97 region 1 (below 350 degC, above the
/// saturation pressure of its temperature).
pub fn water_enthalpy_kj_per_kg(pressure_mpa: f64, temperature_c: f64) -> Result<f64, SteamError> {
    let t = kelvin(temperature_c);
    if !t.is_finite() || !(273.15..=T_B23_MIN_K).contains(&t) {
        return Err(SteamError::TemperatureOutOfRange { temperature_c });
    }
    let p = pressure_mpa;
    if !p.is_finite() || p > P_MAX_MPA || p < saturation_pressure_k(t.max(T_TRIPLE_K)) {
        return Err(SteamError::PressureOutOfRange { pressure_mpa: p });
    }
    Ok(region1_h(p, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, rel: f64) {
        assert!(
            ((got - want) / want).abs() < rel,
            "got {got}, want {want} (relative tolerance {rel})"
        );
    }

    #[test]
    fn region1_verification_table_5() {
        close(region1_h(3.0, 300.0), 0.115331273e3, 1e-8);
        close(region1_h(80.0, 300.0), 0.184142828e3, 1e-8);
        close(region1_h(3.0, 500.0), 0.975542239e3, 1e-8);
    }

    #[test]
    fn region2_verification_table_15() {
        close(region2_h(0.0035, 300.0), 0.254991145e4, 1e-8);
        close(region2_h(0.0035, 700.0), 0.333568375e4, 1e-8);
        close(region2_h(30.0, 700.0), 0.263149474e4, 1e-8);
    }

    #[test]
    fn region4_verification_tables_35_and_36() {
        close(saturation_pressure_k(300.0), 0.353658941e-2, 1e-8);
        close(saturation_pressure_k(500.0), 0.263889776e1, 1e-8);
        close(saturation_pressure_k(600.0), 0.123443146e2, 1e-8);
        close(saturation_temperature_k(0.1), 0.372755919e3, 1e-8);
        close(saturation_temperature_k(1.0), 0.453035632e3, 1e-8);
        close(saturation_temperature_k(10.0), 0.584149488e3, 1e-8);
    }

    #[test]
    fn b23_boundary() {
        close(b23_pressure(623.15), 0.165291643e2, 1e-8);
    }

    #[test]
    fn steam_states_the_accounts_use() {
        // Saturated at 1.0 MPa: the default state (worked-examples.md: 2777.1).
        let h = steam_enthalpy_kj_per_kg(1.0, None).unwrap();
        assert!((h - 2777.1195).abs() < 0.001, "{h}");
        // Saturated at 0.6 MPa: 2756.1 (steam tables 2756.2).
        let h = steam_enthalpy_kj_per_kg(0.6, None).unwrap();
        assert!((h - 2756.1).abs() < 0.1, "{h}");
        // 1.5 MPa / 300 degC: 3038.2660 (the contract's reference value).
        let h = steam_enthalpy_kj_per_kg(1.5, Some(300.0)).unwrap();
        assert!((h - 3038.2660).abs() < 0.001, "{h}");
        // 1.0 MPa / 250 degC: 2943.2 (worked-examples.md).
        let h = steam_enthalpy_kj_per_kg(1.0, Some(250.0)).unwrap();
        assert!((h - 2943.2222).abs() < 0.001, "{h}");
        // Saturation at 1.0 MPa is 179.88 degC.
        let ts = saturation_temperature_c(1.0).unwrap();
        assert!((ts - 179.885).abs() < 0.01, "{ts}");
        // Feed water at 20 degC (the guidelines use 83.74 kJ/kg at 0.1 MPa... close to IF97).
        let hw = water_enthalpy_kj_per_kg(0.101325, 20.0).unwrap();
        assert!((hw - 84.0).abs() < 0.5, "{hw}");
    }

    #[test]
    fn refuses_what_is_not_steam_in_range() {
        assert!(matches!(
            steam_enthalpy_kj_per_kg(25.0, None),
            Err(SteamError::PressureOutOfRange { .. })
        ));
        assert!(matches!(
            steam_enthalpy_kj_per_kg(1.0, Some(150.0)),
            Err(SteamError::NotSteam { .. })
        ));
        assert_eq!(
            steam_enthalpy_kj_per_kg(-1.0, None)
                .unwrap_err()
                .to_string(),
            "pressure -1 MPa is outside the range this formulation covers for steam (above 0.000611213 MPa, below the critical 22.064 MPa for saturated steam; superheated steam up to 100 MPa below the B23 boundary); pressures are absolute"
        );
        assert_eq!(
            steam_enthalpy_kj_per_kg(0.0, Some(200.0))
                .unwrap_err()
                .to_string(),
            "pressure 0 MPa is outside the range this formulation covers for steam (above 0.000611213 MPa, below the critical 22.064 MPa for saturated steam; superheated steam up to 100 MPa below the B23 boundary); pressures are absolute"
        );
        assert_eq!(
            steam_enthalpy_kj_per_kg(1.0, Some(900.0))
                .unwrap_err()
                .to_string(),
            "temperature 900 degC is outside 0.01 to 800 degC"
        );
        assert_eq!(
            steam_enthalpy_kj_per_kg(f64::NAN, None)
                .unwrap_err()
                .to_string(),
            "pressure NaN MPa is outside the range this formulation covers for steam (above 0.000611213 MPa, below the critical 22.064 MPa for saturated steam; superheated steam up to 100 MPa below the B23 boundary); pressures are absolute"
        );
        // Region 3 (near-critical) is refused, not approximated.
        assert_eq!(
            steam_enthalpy_kj_per_kg(25.0, Some(400.0))
                .unwrap_err()
                .to_string(),
            "pressure 25 MPa is outside the range this formulation covers for steam (above 0.000611213 MPa, below the critical 22.064 MPa for saturated steam; superheated steam up to 100 MPa below the B23 boundary); pressures are absolute"
        );
        assert!(steam_enthalpy_kj_per_kg(20.0, Some(400.0)).is_ok());
        let e = steam_enthalpy_kj_per_kg(1.0, Some(150.0)).unwrap_err();
        assert!(e.to_string().contains("liquid water"), "{e}");
    }

    #[test]
    fn every_refusal_is_written_from_its_template() {
        for (state, code) in [
            ((25.0, None), "steam.pressure_range"),
            ((1.0, Some(900.0)), "steam.temperature_range"),
            ((1.0, Some(150.0)), "steam.liquid"),
        ] {
            let e = steam_enthalpy_kj_per_kg(state.0, state.1)
                .unwrap_err()
                .to_string();
            let back = crate::template::recognise(&e, REASONS_EN);
            assert_eq!(back.map(|(c, _)| c), Some(code), "{e}");
        }
    }
}
