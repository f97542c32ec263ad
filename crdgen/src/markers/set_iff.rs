//! "Set if and only if": an optional settings block that belongs to one value of an
//! enum discriminator, e.g. the `azure` block of a model whose `provider` is `Azure`.
//! The block must be set when the discriminator has that value, and must not be set
//! otherwise.
//!
//! ```ignore
//! #[schemars(transform = markers::set_iff_equals("azure", "provider", "Azure"))]
//! pub struct ModelSpec { provider: Option<Provider>, azure: Option<Azure>, /* ... */ }
//! ```

use super::{check_fields, effective, enum_values, push_cel, refuse};
use schemars::Schema;
use serde_json::Value;

/// `field` is set exactly when `discriminator` is set to `value`. Refuses (with
/// [`super::refuse`], adding no rule) a field or discriminator the annotated type does
/// not have, and a `value` that is not one of the discriminator's enum values (when
/// it has an enum).
pub fn set_iff_equals(
    field: &'static str,
    discriminator: &'static str,
    value: &'static str,
) -> impl FnMut(&mut Schema) {
    move |s| {
        if !check_fields(s, "set_iff_equals", &[field, discriminator]) {
            return;
        }
        let values = effective(s.as_value())
            .get("properties")
            .and_then(|p| p.get(discriminator))
            .and_then(enum_values);
        if let Some(values) = values
            && !values.contains(&Value::from(value))
        {
            return refuse(
                s,
                "set_iff_equals",
                format_args!(
                    "compares `{discriminator}` with {value:?}, which is not one of its values \
                     {}: use one of them",
                    Value::Array(values)
                ),
            );
        }
        let rule = format!(
            "has(self.{field}) == (has(self.{discriminator}) && self.{discriminator} == '{value}')"
        );
        let message = format!("{field} must be set if and only if {discriminator} is {value}");
        push_cel(s, rule, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markers::{VALIDATIONS, marker_errors};
    use serde_json::json;

    fn spec() -> Schema {
        Schema::try_from(json!({
            "type": "object",
            "properties": {
                "provider": { "type": "string", "enum": ["Azure", "OpenAI"] },
                "azure": { "type": "object" },
            },
        }))
        .expect("object schema")
    }

    #[test]
    fn the_block_is_tied_to_the_discriminator_value() {
        let mut s = spec();
        set_iff_equals("azure", "provider", "Azure")(&mut s);
        assert_eq!(
            s.get(VALIDATIONS),
            Some(&json!([{
                "rule": "has(self.azure) == (has(self.provider) && self.provider == 'Azure')",
                "message": "azure must be set if and only if provider is Azure",
            }]))
        );
    }

    #[test]
    fn a_value_outside_the_enum_or_a_missing_field_is_refused_without_a_rule() {
        let mut s = spec();
        set_iff_equals("azure", "provider", "Azur")(&mut s);
        set_iff_equals("vertexai", "provider", "Azure")(&mut s);
        assert_eq!(s.get(VALIDATIONS), None);
        assert_eq!(
            marker_errors(&s),
            [
                "`markers::set_iff_equals` compares `provider` with \"Azur\", which is not one \
                 of its values [\"Azure\",\"OpenAI\"]: use one of them",
                "`markers::set_iff_equals` names [\"vertexai\"], which the object does not have \
                 (its fields: [\"azure\", \"provider\"]); use the JSON (camelCase) names of \
                 fields of the annotated struct",
            ]
        );
    }

    #[test]
    fn the_enum_is_found_through_an_option() {
        let mut s = Schema::try_from(json!({
            "type": "object",
            "properties": {
                "provider": { "anyOf": [
                    { "oneOf": [{ "const": "Azure" }, { "const": "OpenAI" }] },
                    { "type": "null" },
                ] },
                "azure": { "type": "object" },
            },
        }))
        .expect("object schema");
        set_iff_equals("azure", "provider", "Azur")(&mut s);
        assert_eq!(marker_errors(&s).len(), 1, "{:?}", marker_errors(&s));
    }
}
