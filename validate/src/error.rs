//! Field errors, printed the way the apiserver prints them.

use serde_json::Value;
use std::fmt;

/// What is wrong with a field: the apiserver's error types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorType {
    /// `Required value`
    Required,
    /// `Invalid value`
    Invalid,
    /// `Invalid value` for a value of the wrong JSON type.
    TypeInvalid,
    /// `Unsupported value` (not in the enum).
    NotSupported,
    /// `Too long` (string longer than maxLength).
    TooLong,
    /// `Too many` (more items than maxItems).
    TooMany,
    /// `Duplicate value` (a set or map list with two equal entries).
    Duplicate,
    /// `unknown field` (strict field validation).
    UnknownField,
}

impl ErrorType {
    /// Errors after which the apiserver does not evaluate CEL rules.
    pub fn blocks_cel(self) -> bool {
        matches!(
            self,
            Self::NotSupported | Self::Required | Self::TooLong | Self::TooMany | Self::TypeInvalid
        )
    }
}

/// One problem with an object, at a field path like `spec.mcp.targets[0].name`
/// (empty for the whole object).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    pub path: String,
    pub kind: ErrorType,
    /// The value as the apiserver quotes it (`"Sticky"`, `0`), when it quotes one.
    pub value: Option<String>,
    /// The text after the value.
    pub detail: String,
}

impl FieldError {
    pub fn new(path: &str, kind: ErrorType, value: Option<String>, detail: String) -> Self {
        Self {
            path: path.to_owned(),
            kind,
            value,
            detail,
        }
    }

    pub fn required(path: &str, detail: &str) -> Self {
        Self::new(path, ErrorType::Required, None, detail.to_owned())
    }

    pub fn invalid(path: &str, value: &Value, detail: String) -> Self {
        Self::new(path, ErrorType::Invalid, quote(value), detail)
    }

    /// The note the apiserver adds when schema errors kept it from running CEL rules.
    pub fn rules_not_checked() -> Self {
        Self::new(
            "",
            ErrorType::Invalid,
            Some("null".into()),
            "some validation rules were not checked because the object was invalid; \
             correct the existing errors to complete validation"
                .into(),
        )
    }
}

/// A value as the apiserver prints it in a message: strings quoted, numbers and
/// booleans plain; objects and lists are not printed.
pub fn quote(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) if n.is_f64() => Some(go_float(n.as_f64().unwrap_or_default())),
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => Some(v.to_string()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// A float as Go's `%v` prints it (strconv's shortest `'g'`): `1.5`, `123456`,
/// `1e+06`, `1.8446744073709552e+19`, `1e-05`.
pub fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f.is_sign_positive() { "+Inf" } else { "-Inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // Rust's `{:e}` gives the shortest digits that read back as `f`, as Go's does.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or_default();
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let nd = digits.len() as i32;
    let body = if !(-4..6).contains(&exp) {
        let m = if nd > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    } else if exp < 0 {
        format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
    } else if nd > exp + 1 {
        let point = (exp + 1) as usize;
        format!("{}.{}", &digits[..point], &digits[point..])
    } else {
        format!("{digits}{}", "0".repeat((exp + 1 - nd) as usize))
    };
    if f.is_sign_negative() {
        format!("-{body}")
    } else {
        body
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == ErrorType::UnknownField {
            return write!(f, "unknown field \"{}\"", self.path);
        }
        let path = if self.path.is_empty() {
            "<nil>"
        } else {
            &self.path
        };
        let label = match self.kind {
            ErrorType::Required => "Required value",
            ErrorType::Invalid | ErrorType::TypeInvalid => "Invalid value",
            ErrorType::NotSupported => "Unsupported value",
            ErrorType::TooLong => "Too long",
            ErrorType::TooMany => "Too many",
            ErrorType::Duplicate => "Duplicate value",
            ErrorType::UnknownField => unreachable!("handled above"),
        };
        write!(f, "{path}: {label}")?;
        if let Some(v) = &self.value {
            write!(f, ": {v}")?;
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_print_like_the_apiservers() {
        let e = FieldError::new(
            "spec.mcp.sessionRouting",
            ErrorType::NotSupported,
            quote(&json!("Sticky")),
            "supported values: \"Stateful\", \"Stateless\"".into(),
        );
        assert_eq!(
            e.to_string(),
            "spec.mcp.sessionRouting: Unsupported value: \"Sticky\": supported values: \"Stateful\", \"Stateless\""
        );
        assert_eq!(
            FieldError::required("spec.a2a.port", "").to_string(),
            "spec.a2a.port: Required value"
        );
        assert_eq!(
            FieldError::invalid("spec.static", &json!({"a": 1}), "m".into()).to_string(),
            "spec.static: Invalid value: m"
        );
        assert!(
            FieldError::rules_not_checked()
                .to_string()
                .starts_with("<nil>: Invalid value: null: some validation rules")
        );
        let unknown = FieldError::new("spec.x", ErrorType::UnknownField, None, String::new());
        assert_eq!(unknown.to_string(), "unknown field \"spec.x\"");
    }
}

#[cfg(test)]
mod go_float_tests {
    use super::{go_float, quote};
    use serde_json::json;

    /// A value in a message: a float as Go prints it (serde_json would print
    /// `1000000.5`), anything else as JSON.
    #[test]
    fn values_in_messages_are_quoted_as_the_apiserver_quotes_them() {
        assert_eq!(quote(&json!(1000000.5)).as_deref(), Some("1.0000005e+06"));
        assert_eq!(quote(&json!(70000)).as_deref(), Some("70000"));
        assert_eq!(quote(&json!("a")).as_deref(), Some("\"a\""));
        assert_eq!(quote(&json!([1])), None);
    }

    /// Each as Go 1.26's `fmt.Sprintf("%v", float64(x))` prints it.
    #[test]
    fn floats_print_as_go_prints_them() {
        for (f, go) in [
            (1.5, "1.5"),
            (0.5, "0.5"),
            (-2.25, "-2.25"),
            (123456.0, "123456"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (18446744073709551615.0, "1.8446744073709552e+19"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.000012345, "1.2345e-05"),
            (65535.5, "65535.5"),
            (0.0, "0"),
            (1e300, "1e+300"),
            (1000.0, "1000"),
            (100000.0, "100000"),
            (-0.00001, "-1e-05"),
            (1e21, "1e+21"),
            (0.1, "0.1"),
            (-0.0, "-0"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
        ] {
            assert_eq!(go_float(f), go, "{f}");
        }
    }
}
