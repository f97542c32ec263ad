//! "Set if and only if": an optional settings block that belongs to one value of an
//! enum discriminator, e.g. the `azure` block of a model whose `provider` is `Azure`.
//! The block must be set when the discriminator has that value, and must not be set
//! otherwise.
//!
//! ```ignore
//! #[schemars(transform = markers::set_iff_equals("azure", "provider", "Azure"))]
//! pub struct ModelSpec { provider: Option<Provider>, azure: Option<Azure>, /* ... */ }
//! ```

use super::push_rule;
use schemars::Schema;
use serde_json::{Value, json};

/// `field` is set exactly when `discriminator` is set to `value`. Refuses (panics,
/// naming it) a field or discriminator the annotated type does not have, and a
/// `value` that is not one of the discriminator's enum values (when it has an enum).
pub fn set_iff_equals(
    field: &'static str,
    discriminator: &'static str,
    value: &'static str,
) -> impl FnMut(&mut Schema) {
    move |s| {
        let props = s.get("properties").and_then(Value::as_object);
        for f in [field, discriminator] {
            assert!(
                props.is_some_and(|p| p.contains_key(f)),
                "set_iff_equals: the annotated type has no field `{f}`"
            );
        }
        let values = props
            .and_then(|p| p.get(discriminator))
            .and_then(enum_values);
        if let Some(values) = values {
            assert!(
                values.iter().any(|v| v == value),
                "set_iff_equals: `{value}` is not a value of `{discriminator}` ({values:?})"
            );
        }
        let rule = format!(
            "has(self.{field}) == (has(self.{discriminator}) && self.{discriminator} == '{value}')"
        );
        let message = format!("{field} must be set if and only if {discriminator} is {value}");
        push_rule(s, json!({ "rule": rule, "message": message }));
    }
}

/// The `enum` values of a string schema, also when wrapped as `Option` (`anyOf` with
/// `null`).
fn enum_values(s: &Value) -> Option<Vec<String>> {
    if let Some(list) = s.get("enum").and_then(Value::as_array) {
        return Some(
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        );
    }
    let any = s.get("anyOf").or_else(|| s.get("oneOf"))?.as_array()?;
    let mut out: Vec<String> = Vec::new();
    for member in any {
        if let Some(v) = enum_values(member) {
            out.extend(v);
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markers::VALIDATIONS;

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
    #[should_panic(expected = "`Azur` is not a value of `provider`")]
    fn a_value_outside_the_enum_is_refused() {
        set_iff_equals("azure", "provider", "Azur")(&mut spec());
    }

    #[test]
    #[should_panic(expected = "no field `vertexai`")]
    fn a_missing_block_is_refused() {
        set_iff_equals("vertexai", "provider", "Azure")(&mut spec());
    }
}
