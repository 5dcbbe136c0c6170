//! The few pieces of Python's semantics that the SDK's resolution depends on:
//! truth values, `int()`, `str()`, `str.isdigit()`, `str.strip()` and
//! `str.lower()`. Each is modelled on CPython 3.11, the interpreter the
//! oracle goldens come from.

use num_bigint::BigInt;
use num_traits::{FromPrimitive, Zero};

use crate::pyunicode_tables::{DECIMAL_ZEROS, DIGIT_NOT_DECIMAL, SPACES};

/// CPython 3.11's `sys.get_int_max_str_digits()` default: `int()` of a
/// longer decimal string raises ValueError.
pub const INT_MAX_STR_DIGITS: usize = 4300;

/// A Python value as the SDK holds it after JSON parsing and `${}` expansion.
#[derive(Debug, Clone, PartialEq)]
pub enum PyValue {
    None,
    Bool(bool),
    Int(BigInt),
    Float(f64),
    Str(String),
    List(Vec<PyValue>),
    Dict(Vec<(String, PyValue)>),
}

impl PyValue {
    /// Python's truth value (`bool(x)`).
    pub fn truthy(&self) -> bool {
        match self {
            PyValue::None => false,
            PyValue::Bool(b) => *b,
            PyValue::Int(i) => !i.is_zero(),
            PyValue::Float(f) => *f != 0.0,
            PyValue::Str(s) => !s.is_empty(),
            PyValue::List(l) => !l.is_empty(),
            PyValue::Dict(d) => !d.is_empty(),
        }
    }

    /// The Python type name, as `type(x).__name__` prints it.
    pub fn type_name(&self) -> &'static str {
        match self {
            PyValue::None => "NoneType",
            PyValue::Bool(_) => "bool",
            PyValue::Int(_) => "int",
            PyValue::Float(_) => "float",
            PyValue::Str(_) => "str",
            PyValue::List(_) => "list",
            PyValue::Dict(_) => "dict",
        }
    }

    /// `int(x)` as the SDK calls it on a config value.
    pub fn to_int(&self) -> Result<BigInt, String> {
        match self {
            PyValue::Bool(b) => Ok(BigInt::from(u8::from(*b))),
            PyValue::Int(i) => Ok(i.clone()),
            PyValue::Float(f) => float_to_int(*f),
            PyValue::Str(s) => int_from_str(s),
            PyValue::None => Err(
                "TypeError: int() argument must be a string, a bytes-like object or a real number, not 'NoneType'".into(),
            ),
            other => Err(format!(
                "TypeError: int() argument must be a string, a bytes-like object or a real number, not '{}'",
                other.type_name()
            )),
        }
    }

    /// `str(x)`, except that booleans print as `true`/`false` the way the
    /// oracle normalises them (the SDK itself would print `True`).
    pub fn to_display_string(&self) -> String {
        match self {
            PyValue::Bool(b) => if *b { "true" } else { "false" }.to_string(),
            PyValue::Str(s) => s.clone(),
            other => other.repr(),
        }
    }

    /// Python's `repr(x)`, used for `str()` of containers and numbers.
    pub fn repr(&self) -> String {
        match self {
            PyValue::None => "None".into(),
            PyValue::Bool(true) => "True".into(),
            PyValue::Bool(false) => "False".into(),
            PyValue::Int(i) => i.to_string(),
            PyValue::Float(f) => float_repr(*f),
            PyValue::Str(s) => str_repr(s),
            PyValue::List(items) => {
                let inner: Vec<String> = items.iter().map(PyValue::repr).collect();
                format!("[{}]", inner.join(", "))
            }
            PyValue::Dict(entries) => {
                let inner: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", str_repr(k), v.repr()))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
        }
    }
}

/// `int(f)` for a float: truncation toward zero, errors for inf and NaN.
pub fn float_to_int(f: f64) -> Result<BigInt, String> {
    if f.is_nan() {
        return Err("ValueError: cannot convert float NaN to integer".into());
    }
    if f.is_infinite() {
        return Err("OverflowError: cannot convert float infinity to integer".into());
    }
    // Invariant: f is finite here, and from_f64 is exact for every finite float.
    BigInt::from_f64(f.trunc()).ok_or_else(|| "ValueError: float out of range".to_string())
}

/// Python's `str.isspace()` for one character, which is also what `\s` matches
/// in a `re` pattern on `str`.
pub fn is_py_space(c: char) -> bool {
    let cp = c as u32;
    if cp < 0x80 {
        return matches!(cp, 0x09..=0x0D | 0x1C..=0x20);
    }
    SPACES.binary_search(&cp).is_ok()
}

/// Python's `str.strip()` without arguments.
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// The value of a Unicode decimal digit (category Nd), as `int()` reads it.
pub fn decimal_value(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(c as u32 - '0' as u32);
    }
    let cp = c as u32;
    if cp < 0x80 {
        return None;
    }
    let idx = match DECIMAL_ZEROS.binary_search(&cp) {
        Ok(i) => i,
        Err(0) => return None,
        Err(i) => i - 1,
    };
    let zero = DECIMAL_ZEROS[idx];
    (cp - zero < 10).then_some(cp - zero)
}

/// Python's `str.isdigit()`: non-empty and every character a digit in the
/// Unicode sense (decimal digits plus superscripts, circled digits, ...).
pub fn py_isdigit(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            decimal_value(c).is_some() || DIGIT_NOT_DECIMAL.binary_search(&(c as u32)).is_ok()
        })
}

/// Python's `str.lower()`; it and Rust's agree on every character that can
/// lower to the ASCII words the SDK compares with.
pub fn py_lower(s: &str) -> String {
    s.to_lowercase()
}

/// `int(s)` for a string in base 10, as CPython 3.11 does it: surrounding
/// whitespace, one sign, Unicode decimal digits, single underscores between
/// digits, and at most 4300 digits.
pub fn int_from_str(s: &str) -> Result<BigInt, String> {
    let invalid = || {
        format!(
            "ValueError: invalid literal for int() with base 10: {}",
            str_repr(s)
        )
    };
    let body = py_strip(s);
    let (negative, digits_part) = match body.chars().next() {
        Some('+') => (false, &body[1..]),
        Some('-') => (true, &body[1..]),
        _ => (false, body),
    };
    let mut ascii = String::with_capacity(digits_part.len());
    let mut previous_was_digit = false;
    for c in digits_part.chars() {
        if c == '_' {
            if !previous_was_digit {
                return Err(invalid());
            }
            previous_was_digit = false;
            continue;
        }
        let d = decimal_value(c).ok_or_else(invalid)?;
        // Invariant: d < 10, so it is a valid base-10 digit.
        ascii.push(char::from_digit(d, 10).ok_or_else(invalid)?);
        previous_was_digit = true;
    }
    if ascii.is_empty() || !previous_was_digit {
        return Err(invalid());
    }
    if ascii.len() > INT_MAX_STR_DIGITS {
        return Err(format!(
            "ValueError: Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string conversion: value has {} digits",
            ascii.len()
        ));
    }
    let magnitude: BigInt = ascii.parse().map_err(|_| invalid())?;
    Ok(if negative { -magnitude } else { magnitude })
}

/// `float(s)` for the strings the SDK passes it: Unicode decimal digits with
/// at most one dot (already checked by `str.replace('.', '', 1).isdigit()`).
pub fn float_from_digit_str(s: &str) -> Result<f64, String> {
    let mut ascii = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '.' {
            ascii.push('.');
        } else if let Some(d) = decimal_value(c) {
            ascii.push(char::from_digit(d, 10).unwrap_or('0'));
        } else {
            return Err(format!(
                "ValueError: could not convert string to float: {}",
                str_repr(s)
            ));
        }
    }
    ascii.parse::<f64>().map_err(|_| {
        format!(
            "ValueError: could not convert string to float: {}",
            str_repr(s)
        )
    })
}

/// Python's `repr(float)`: the shortest round-tripping digits, in positional
/// notation for exponents from -4 to 15 and scientific notation otherwise.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // Rust's `{:e}` gives the same shortest digits as Python's repr.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        let body = if exp < 0 {
            format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
        } else if exp + 1 >= n {
            format!("{}{}.0", digits, "0".repeat((exp + 1 - n) as usize))
        } else {
            let (a, b) = digits.split_at((exp + 1) as usize);
            format!("{a}.{b}")
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { "-" } else { "+" };
        format!("{sign}{first}{frac}e{esign}{:02}", exp.abs())
    }
}

/// Python's `repr(str)` for the characters a config plausibly holds.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7F => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if (0x80..0xA0).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_from_str_follows_python() {
        assert_eq!(int_from_str(" 45 ").unwrap(), BigInt::from(45));
        assert_eq!(int_from_str("+30").unwrap(), BigInt::from(30));
        assert_eq!(int_from_str("1_000").unwrap(), BigInt::from(1000));
        assert_eq!(int_from_str("-007").unwrap(), BigInt::from(-7));
        assert_eq!(int_from_str("\u{0661}\u{0662}").unwrap(), BigInt::from(12));
        for bad in [
            "", " ", "1e3", "7.5", "10MB", "_1", "1_", "1__0", "+", "--1", "\u{00B2}", "0x10",
        ] {
            assert!(int_from_str(bad).is_err(), "{bad:?} should fail");
        }
        assert!(int_from_str(&"9".repeat(4300)).is_ok());
        assert!(int_from_str(&"9".repeat(4301)).is_err());
    }

    #[test]
    fn isdigit_includes_superscripts_but_int_does_not() {
        assert!(py_isdigit("\u{00B2}"));
        assert!(int_from_str("\u{00B2}").is_err());
        assert!(!py_isdigit(""));
        assert!(!py_isdigit("1.5"));
    }

    #[test]
    fn float_repr_matches_python() {
        for (f, want) in [
            (1.5, "1.5"),
            (2.0, "2.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123.456, "123.456"),
            (-2.5e-7, "-2.5e-07"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(float_repr(f), want);
        }
    }

    #[test]
    fn strip_uses_python_whitespace() {
        assert_eq!(py_strip("\u{1c} a \u{a0}"), "a");
        assert_eq!(py_strip("\u{200b}a"), "\u{200b}a");
    }

    #[test]
    fn float_to_int_truncates_and_refuses_non_finite() {
        assert_eq!(float_to_int(7.9).unwrap(), BigInt::from(7));
        assert_eq!(float_to_int(-7.9).unwrap(), BigInt::from(-7));
        assert_eq!(
            float_to_int(1e20).unwrap().to_string(),
            "100000000000000000000"
        );
        assert!(float_to_int(f64::NAN).is_err());
        assert!(float_to_int(f64::INFINITY).is_err());
    }
}
