//! Enum values listed in sorted order instead of declaration order.
//!
//! A Rust enum's values appear in the CRD in the order its variants are declared,
//! which is usually the order that reads best in the docs (the default first). Some
//! enums of the API list their values sorted instead; `enum_sorted` on the enum
//! type keeps the declaration readable and the CRD in that order:
//!
//! ```ignore
//! /// Whether requests without credentials are let through.
//! #[derive(JsonSchema, ...)]
//! #[schemars(transform = markers::enum_sorted)]
//! pub enum CredentialMode { Strict, Optional }   // enum: [Optional, Strict]
//! ```
//!
//! Values are sorted by their bytes (as Go's `sort.Strings`). The variants' docs
//! follow their values. A schema without string enum values is refused.

use super::refuse;
use schemars::Schema;
use serde_json::Value;

/// Sorts the values of a string enum: an `enum` list, or schemars' `oneOf` of one
/// `const` per documented variant.
pub fn enum_sorted(s: &mut Schema) {
    let sorted = match s.as_object_mut() {
        Some(o) => match o.get_mut(if o.contains_key("enum") {
            "enum"
        } else {
            "oneOf"
        }) {
            Some(Value::Array(values)) if values.iter().all(|v| value_of(v).is_some()) => {
                values.sort_by(|a, b| value_of(a).cmp(&value_of(b)));
                true
            }
            _ => false,
        },
        None => false,
    };
    if !sorted {
        refuse(
            s,
            "enum_sorted",
            "applies to an enum of strings (a Rust enum of unit variants), but this schema \
             has no string enum values: put the marker on the enum type, or remove it",
        );
    }
}

/// The string value of an `enum` entry or of a `oneOf` variant (`{"const": ..}`).
fn value_of(v: &Value) -> Option<&str> {
    v.as_str().or_else(|| v.get("const")?.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markers::MARKER_ERROR;
    use serde_json::json;

    fn schema(v: Value) -> Schema {
        Schema::try_from(v).expect("an object schema")
    }

    #[test]
    fn sorts_an_enum_list_by_bytes() {
        let mut s =
            schema(json!({ "type": "string", "enum": ["Strict", "Optional", "CaSin", "Ca"] }));
        enum_sorted(&mut s);
        assert_eq!(
            s.as_value(),
            &json!({ "type": "string", "enum": ["Ca", "CaSin", "Optional", "Strict"] })
        );
    }

    #[test]
    fn sorts_documented_variants_with_their_docs() {
        let mut s = schema(json!({ "oneOf": [
            { "type": "string", "const": "Seconds", "description": "Per second." },
            { "type": "string", "const": "Hours", "description": "Per hour." },
            { "type": "string", "const": "Minutes", "description": "Per minute." },
        ] }));
        enum_sorted(&mut s);
        assert_eq!(
            s.as_value(),
            &json!({ "oneOf": [
                { "type": "string", "const": "Hours", "description": "Per hour." },
                { "type": "string", "const": "Minutes", "description": "Per minute." },
                { "type": "string", "const": "Seconds", "description": "Per second." },
            ] })
        );
    }

    #[test]
    fn refuses_a_schema_without_string_values() {
        for v in [
            json!({ "type": "integer" }),
            json!({ "type": "integer", "enum": [1, 2] }),
            json!({ "oneOf": [{ "type": "object" }, { "type": "string" }] }),
        ] {
            let mut s = schema(v.clone());
            enum_sorted(&mut s);
            let errors = s.get(MARKER_ERROR).and_then(Value::as_array).cloned();
            assert_eq!(
                errors,
                Some(vec![Value::from(
                    "`markers::enum_sorted` applies to an enum of strings (a Rust enum of unit \
                     variants), but this schema has no string enum values: put the marker on \
                     the enum type, or remove it"
                )]),
                "{v}"
            );
            assert_eq!(s.get("enum"), v.get("enum"), "values left as they were");
        }
    }
}
