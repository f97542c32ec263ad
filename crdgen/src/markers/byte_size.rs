//! Byte sizes written as an integer or a resource quantity (`65536`, `64Ki`, `1Mi`).
//!
//! The field is int-or-string; the string follows the quantity syntax (at most 32
//! characters) and the value must fit an unsigned 32-bit byte count:
//!
//! ```ignore
//! /// Largest body the gateway buffers, e.g. `2Mi`.
//! #[schemars(transform = markers::byte_size)]
//! pub max_buffer_size: Option<IntOrString>,
//! ```
//!
//! Bounds beyond that (`byte_size_between`) are CEL rules comparing quantities.

use super::{VALIDATIONS, int_or_string, push_cel};
use schemars::Schema;
use serde_json::Value;

/// The quantity syntax accepted for byte sizes: a decimal number with an optional
/// binary (`Ki`..`Ei`) or decimal (`n`..`E`) suffix, or a small exponent.
pub const BYTE_SIZE_PATTERN: &str = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE](\+?0*([0-9]|1[0-8])|-0*[0-9]))?$";

/// The rule every byte size carries: integers in `1..=4294967295`; strings are
/// checked by [`BYTE_SIZE_PATTERN`].
pub const BYTE_SIZE_RULE: &str = "(self >= 1 && self <= 4294967295) || self.size() > 0";
/// Message of [`BYTE_SIZE_RULE`].
pub const BYTE_SIZE_MESSAGE: &str = "value must be at least 1 byte and fit within uint32";

/// A byte count (at least 1, at most `u32::MAX`) given as an integer or a quantity.
pub fn byte_size(s: &mut Schema) {
    int_or_string(s);
    let o = s.ensure_object();
    o.insert("maxLength".into(), 32.into());
    o.insert("minLength".into(), 1.into());
    o.insert("pattern".into(), BYTE_SIZE_PATTERN.into());
    push_cel(s, BYTE_SIZE_RULE, BYTE_SIZE_MESSAGE);
}

/// A [`byte_size`] of at least `min` and at most `max` bytes; `field` names the field
/// in the messages (`<field> must be at least <min> bytes`).
pub fn byte_size_between(field: &'static str, min: u64, max: u64) -> impl FnMut(&mut Schema) {
    move |s| {
        byte_size(s);
        push_cel(
            s,
            format!("!quantity(string(self)).isLessThan(quantity('{min}'))"),
            format!("{field} must be at least {min} bytes"),
        );
        push_cel(
            s,
            format!("!quantity(string(self)).isGreaterThan(quantity('{max}'))"),
            format!("{field} must be at most {max} bytes"),
        );
        // The bounds read first, as upstream orders them.
        if let Some(Value::Array(list)) = s.ensure_object().get_mut(VALIDATIONS) {
            list.rotate_right(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_byte_size_is_int_or_string_with_pattern_length_and_the_uint32_rule() {
        let mut s =
            Schema::try_from(json!({ "type": "string", "description": "d" })).expect("a schema");
        byte_size(&mut s);
        assert_eq!(
            s.to_value(),
            json!({
                "description": "d",
                "anyOf": [{ "type": "integer" }, { "type": "string" }],
                "x-kubernetes-int-or-string": true,
                "maxLength": 32,
                "minLength": 1,
                "pattern": BYTE_SIZE_PATTERN,
                VALIDATIONS: [{ "rule": BYTE_SIZE_RULE, "message": BYTE_SIZE_MESSAGE }],
            })
        );
    }

    #[test]
    fn bounds_come_before_the_uint32_rule() {
        let mut s = Schema::try_from(json!({ "type": "string" })).expect("a schema");
        byte_size_between("frameSize", 16384, 1677215)(&mut s);
        let messages: Vec<&str> = s
            .get(VALIDATIONS)
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(|r| r["message"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            messages,
            [
                "frameSize must be at least 16384 bytes",
                "frameSize must be at most 1677215 bytes",
                BYTE_SIZE_MESSAGE
            ]
        );
    }
}
