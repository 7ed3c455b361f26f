//! Kubernetes resource quantities (`200m`, `2Gi`, `1e3`), as
//! `k8s.io/apimachinery/pkg/api/resource` reads them.

/// How the suffix scales the number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suffix {
    /// `Ki`, `Mi`, `Gi`, `Ti`, `Pi`, `Ei`: powers of 1024.
    Binary,
    /// `n`, `u`, `m`, none, `k`, `M`, `G`, `T`, `P`, `E`: powers of 1000.
    Decimal,
    /// `e3`, `E-2`.
    Exponent,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantity {
    /// The amount in base units (bytes, cores).
    pub value: f64,
    pub suffix: Suffix,
}

/// Parses a quantity; `None` when the API server would reject it.
pub fn parse(text: &str) -> Option<Quantity> {
    let bytes = text.as_bytes();
    let mut i = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let digits_start = i;
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let mut int_digits = i - digits_start;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        int_digits += i - frac_start;
    }
    if int_digits == 0 {
        return None;
    }
    let number = crate::yaml::scalar::decimal_f64(&text[..i])?;
    let suffix = &text[i..];
    let (scale, kind) = match suffix {
        "" => (1.0, Suffix::Decimal),
        "n" => (1e-9, Suffix::Decimal),
        "u" => (1e-6, Suffix::Decimal),
        "m" => (1e-3, Suffix::Decimal),
        "k" => (1e3, Suffix::Decimal),
        "M" => (1e6, Suffix::Decimal),
        "G" => (1e9, Suffix::Decimal),
        "T" => (1e12, Suffix::Decimal),
        "P" => (1e15, Suffix::Decimal),
        "E" => (1e18, Suffix::Decimal),
        "Ki" => (1024f64, Suffix::Binary),
        "Mi" => (1024f64.powi(2), Suffix::Binary),
        "Gi" => (1024f64.powi(3), Suffix::Binary),
        "Ti" => (1024f64.powi(4), Suffix::Binary),
        "Pi" => (1024f64.powi(5), Suffix::Binary),
        "Ei" => (1024f64.powi(6), Suffix::Binary),
        exp if matches!(exp.as_bytes().first(), Some(b'e' | b'E')) => {
            let power: i32 = exp[1..].parse().ok()?;
            if !exp[1..].trim_start_matches(['+', '-']).bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (10f64.powi(power), Suffix::Exponent)
        }
        _ => return None,
    };
    Some(Quantity { value: number * scale, suffix: kind })
}

/// The amount in billionths of the base unit (nano-cores, nano-bytes),
/// computed exactly as the API server does, rounding up below a billionth;
/// `None` when it does not parse or does not fit.
pub fn nano_units(text: &str) -> Option<i128> {
    parse(text)?;
    let suffix = suffix_of(text);
    let number = &text[..text.len() - suffix.len()];
    let (negative, number) = match number.as_bytes().first() {
        Some(b'-') => (true, &number[1..]),
        Some(b'+') => (false, &number[1..]),
        _ => (false, number),
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let mut mantissa: i128 = 0;
    for digit in int.bytes().chain(frac.bytes()) {
        mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(digit - b'0'))?;
    }
    let (pow10, pow2): (i32, u32) = match suffix {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        exp => (exp[1..].parse().ok()?, 0),
    };
    let scale = pow10.checked_add(9)?.checked_sub(i32::try_from(frac.len()).ok()?)?;
    let mut value = mantissa.checked_mul(1i128.checked_shl(pow2)?)?;
    if scale >= 0 {
        value = value.checked_mul(10i128.checked_pow(u32::try_from(scale).ok()?)?)?;
    } else {
        let divisor = 10i128.checked_pow(u32::try_from(-scale).ok()?)?;
        value = value.checked_add(divisor - 1)? / divisor;
    }
    Some(if negative { -value } else { value })
}

/// The suffix letters of a quantity's text (`G` of `2G`).
pub fn suffix_of(text: &str) -> &str {
    text.trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.'))
}

/// `number / 1000` written exactly, by moving the decimal point: `512` ->
/// `0.512`, `1500` -> `1.5`, `-.5` -> `-0.0005`. The decimal text of a
/// quantity's number without float formatting, which costs the wasm builds
/// ~20 KB of code.
pub fn thousandths(number: &str) -> String {
    let (sign, digits) = match number.as_bytes().first() {
        Some(b'-') => ("-", &number[1..]),
        Some(b'+') => ("", &number[1..]),
        _ => ("", number),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = format!("{int:0>3}");
    let (whole, moved) = int.split_at(int.len() - 3);
    let whole = whole.trim_start_matches('0');
    let frac = format!("{moved}{frac}");
    let frac = frac.trim_end_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    if frac.is_empty() {
        let sign = if whole == "0" { "" } else { sign };
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kubernetes_quantities() {
        assert_eq!(parse("200m").unwrap().value, 0.2);
        assert_eq!(parse("2").unwrap().value, 2.0);
        assert_eq!(parse("256Mi").unwrap().value, 256.0 * 1024.0 * 1024.0);
        assert_eq!(parse("2G").unwrap().value, 2e9);
        assert_eq!(parse("1e3").unwrap().value, 1000.0);
        assert_eq!(parse(".5").unwrap().value, 0.5);
        assert_eq!(parse("2G").unwrap().suffix, Suffix::Decimal);
        assert_eq!(nano_units("100m"), nano_units("0.1"));
        assert_eq!(nano_units("1Gi"), nano_units("1073741824"));
        assert_eq!(nano_units("1e3"), Some(1_000_000_000_000));
    }

    #[test]
    fn thousandths_move_the_decimal_point() {
        for (number, expected) in [
            ("512", "0.512"),
            ("1500", "1.5"),
            ("1000", "1"),
            ("0", "0"),
            ("-0", "0"),
            ("+7", "0.007"),
            ("-1", "-0.001"),
            ("1.5", "0.0015"),
            (".5", "0.0005"),
            ("12345678", "12345.678"),
            ("0100", "0.1"),
        ] {
            assert_eq!(thousandths(number), expected, "{number}");
        }
        assert_eq!(nano_units("1.5n"), Some(2), "rounded up below a billionth");
        assert!(nano_units("2G") < nano_units("2Gi"));
        assert_eq!(nano_units("1E"), Some(10i128.pow(27)));
        assert_eq!(nano_units("1e40"), None);
        assert_eq!(nano_units("1e2147483647"), None);
        assert_eq!(nano_units("1e-2147483648"), None);
        for bad in ["", "Gi", "2GB", "2 Gi", "abc", "1.2.3", "2g"] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
