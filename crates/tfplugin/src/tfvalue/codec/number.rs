//! Numbers as decimal text: the grammar, and the exact `Number` a text or a
//! wire number becomes.

use super::fail::Fail;
use crate::tfvalue::Number;

/// Whether `s` is decimal number text: `[+-]? (d+ (. d*)? | . d+) ([eE] [+-]? d+)?`.
pub(super) fn is_decimal_text(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

fn is_integer_text(s: &str) -> bool {
    !s.bytes().any(|c| matches!(c, b'.' | b'e' | b'E'))
}

/// A number sent as text (msgpack str, JSON string): exact integers that fit
/// become `Int`/`UInt`, everything else stays `Big` with the text unchanged.
pub(super) fn number_from_text(s: &str) -> Option<Number> {
    if !is_decimal_text(s) {
        return None;
    }
    if is_integer_text(s) {
        if let Ok(i) = s.parse::<i64>() {
            return Some(Number::Int(i));
        }
        if let Ok(u) = s.parse::<u64>() {
            return Some(Number::UInt(u));
        }
    }
    Some(Number::Big(s.to_owned()))
}

/// A JSON number literal (already checked against the JSON grammar).
pub(super) fn number_from_json_literal(s: &str) -> Number {
    if is_integer_text(s) {
        if let Ok(i) = s.parse::<i64>() {
            return Number::Int(i);
        }
        if let Ok(u) = s.parse::<u64>() {
            return Number::UInt(u);
        }
        return Number::Big(s.to_owned());
    }
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() && !(f == 0.0 && has_nonzero_mantissa(s)) => Number::Float(f),
        _ => Number::Big(s.to_owned()),
    }
}

/// Whether the mantissa of decimal text has a non-zero digit (so a parse to
/// 0.0 was an underflow).
fn has_nonzero_mantissa(s: &str) -> bool {
    s.bytes()
        .take_while(|c| *c != b'e' && *c != b'E')
        .any(|c| matches!(c, b'1'..=b'9'))
}

pub(super) fn uint_number(u: u64) -> Number {
    match i64::try_from(u) {
        Ok(i) => Number::Int(i),
        Err(_) => Number::UInt(u),
    }
}

pub(super) fn float_number(f: f64) -> Result<Number, Fail> {
    if f.is_nan() {
        Err(Fail::new("NaN is not a valid number"))
    } else {
        Ok(Number::Float(f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_text_grammar() {
        for ok in [
            "0",
            "-1",
            "+7",
            "1.",
            ".5",
            "1.5e3",
            "1E-9",
            "123456789012345678901234567890",
        ] {
            assert!(is_decimal_text(ok), "{ok}");
        }
        for bad in [
            "", "-", ".", "e5", "1e", "1e+", "0x10", " 1", "1 ", "Inf", "NaN", "1..2", "--1",
        ] {
            assert!(!is_decimal_text(bad), "{bad}");
        }
    }

    #[test]
    fn json_literal_numbers() {
        assert_eq!(number_from_json_literal("-12"), Number::Int(-12));
        assert!(matches!(
            number_from_json_literal("18446744073709551615"),
            Number::UInt(u64::MAX)
        ));
        assert!(
            matches!(number_from_json_literal("18446744073709551616"), Number::Big(ref s) if s == "18446744073709551616")
        );
        assert!(matches!(number_from_json_literal("2.5"), Number::Float(f) if f == 2.5));
        assert!(matches!(number_from_json_literal("1e400"), Number::Big(ref s) if s == "1e400"));
        assert!(matches!(number_from_json_literal("1e-400"), Number::Big(ref s) if s == "1e-400"));
        assert!(matches!(number_from_json_literal("0.0e5"), Number::Float(f) if f == 0.0));
    }
}
