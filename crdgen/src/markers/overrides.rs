//! Overriding what a shared type brings where one use of it differs: drop a property
//! ([`without_property`]), or drop or rewrite one of its CEL rules, found by its
//! message ([`without_rule`], [`replace_rule`]). Applied to the field that uses the
//! shared type, so the type itself (and its other uses) keep their schema.
//!
//! ```ignore
//! /// Azure settings of a model: the provider's settings without `model`.
//! #[schemars(transform = markers::without_property("model"))]
//! pub azure: Option<ai::Azure>,
//! ```
//!
//! Each marker refuses (panics, naming what is missing) a property or message the
//! schema does not have, so an override cannot silently stop applying when the
//! shared type changes.

use super::VALIDATIONS;
use schemars::Schema;
use serde_json::{Map, Value, json};

/// The object schema that carries the properties and rules: the schema itself, or
/// the non-null member of an `Option`'s `anyOf`.
fn target(s: &mut Schema) -> Option<&mut Map<String, Value>> {
    let o = s.as_object_mut()?;
    if o.contains_key("properties") || o.contains_key(VALIDATIONS) || !o.contains_key("anyOf") {
        return Some(o);
    }
    o.get_mut("anyOf")?
        .as_array_mut()?
        .iter_mut()
        .filter_map(Value::as_object_mut)
        .find(|m| m.get("type").and_then(Value::as_str) != Some("null"))
}

/// Removes the property `name` (and its `required` entry) from the shared type's
/// schema at this field.
pub fn without_property(name: &'static str) -> impl FnMut(&mut Schema) {
    move |s| {
        let o = target(s).expect("without_property: not an object schema");
        let removed = o
            .get_mut("properties")
            .and_then(Value::as_object_mut)
            .and_then(|p| p.remove(name));
        assert!(
            removed.is_some(),
            "without_property: the type has no property `{name}`"
        );
        if let Some(Value::Array(req)) = o.get_mut("required") {
            req.retain(|r| r != name);
            if req.is_empty() {
                o.remove("required");
            }
        }
    }
}

fn rules_with_message<'a>(
    o: &'a mut Map<String, Value>,
    marker: &str,
    message: &str,
) -> (&'a mut Vec<Value>, usize) {
    let list = o
        .get_mut(VALIDATIONS)
        .and_then(Value::as_array_mut)
        .unwrap_or_else(|| panic!("{marker}: the type has no CEL rules"));
    let at = list
        .iter()
        .position(|r| r.get("message").and_then(Value::as_str) == Some(message))
        .unwrap_or_else(|| panic!("{marker}: the type has no rule with message {message:?}"));
    (list, at)
}

/// Drops the rule whose message is `message`.
pub fn without_rule(message: &'static str) -> impl FnMut(&mut Schema) {
    move |s| {
        let o = target(s).expect("without_rule: not an object schema");
        let (list, at) = rules_with_message(o, "without_rule", message);
        list.remove(at);
        if list.is_empty() {
            o.remove(VALIDATIONS);
        }
    }
}

/// Replaces the rule whose message is `message` with `rule` / `new_message`, in place.
pub fn replace_rule(
    message: &'static str,
    rule: &'static str,
    new_message: &'static str,
) -> impl FnMut(&mut Schema) {
    move |s| {
        let o = target(s).expect("replace_rule: not an object schema");
        let (list, at) = rules_with_message(o, "replace_rule", message);
        list[at] = json!({ "rule": rule, "message": new_message });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared() -> Schema {
        Schema::try_from(json!({
            "type": "object",
            "required": ["model", "name"],
            "properties": { "model": { "type": "string" }, "name": { "type": "string" } },
            VALIDATIONS: [
                { "rule": "has(self.model)", "message": "model is required" },
                { "rule": "self.name != ''", "message": "name must not be empty" },
            ],
        }))
        .expect("object schema")
    }

    #[test]
    fn without_property_removes_the_property_and_its_required_entry() {
        let mut s = shared();
        without_property("model")(&mut s);
        assert_eq!(
            s.get("properties"),
            Some(&json!({ "name": { "type": "string" } }))
        );
        assert_eq!(s.get("required"), Some(&json!(["name"])));
    }

    #[test]
    fn rules_are_dropped_or_replaced_by_message() {
        let mut s = shared();
        without_rule("model is required")(&mut s);
        replace_rule(
            "name must not be empty",
            "size(self.name) > 2",
            "name is too short",
        )(&mut s);
        assert_eq!(
            s.get(VALIDATIONS),
            Some(&json!([{ "rule": "size(self.name) > 2", "message": "name is too short" }]))
        );
    }

    #[test]
    fn option_wrapped_schemas_are_reached() {
        let mut s = Schema::try_from(json!({ "anyOf": [shared().to_value(), { "type": "null" }] }))
            .expect("schema");
        without_property("model")(&mut s);
        assert!(
            s.get("anyOf")
                .and_then(|a| a[0]["properties"].get("model"))
                .is_none()
        );
    }

    #[test]
    #[should_panic(expected = "no rule with message \"model must be set\"")]
    fn a_message_the_type_lacks_is_refused() {
        without_rule("model must be set")(&mut shared());
    }

    #[test]
    #[should_panic(expected = "no property `models`")]
    fn a_property_the_type_lacks_is_refused() {
        without_property("models")(&mut shared());
    }
}
