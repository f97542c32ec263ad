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
//! Each marker refuses (with [`super::refuse`], naming what is missing) a property
//! or message the schema does not have, and leaves the schema unchanged, so an
//! override cannot silently stop applying when the shared type changes.

use super::{VALIDATIONS, refuse, rule_with_message};
use schemars::Schema;
use serde_json::{Map, Value};

/// How to fix an override that no longer finds what it overrides.
const FIX: &str = "the shared type changed; update or remove the override";

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

/// The names of `key`'s entries in the target object: property names for
/// `properties`, rule messages for the validations. `None` without a target.
fn names(s: &mut Schema, key: &str) -> Option<Vec<String>> {
    let o = target(s)?;
    Some(match o.get(key) {
        Some(Value::Object(props)) => props.keys().cloned().collect(),
        Some(Value::Array(rules)) => rules
            .iter()
            .map(|r| {
                r.get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// Refuses `marker` on a schema that has no object to override.
fn not_an_object(s: &mut Schema, marker: &str) {
    refuse(
        s,
        marker,
        "found no object schema here: apply it to a field whose type is the shared struct \
         (or an `Option` of it)",
    );
}

/// Removes the property `name` (and its `required` entry) from the shared type's
/// schema at this field.
pub fn without_property(name: &'static str) -> impl FnMut(&mut Schema) {
    move |s| {
        let Some(props) = names(s, "properties") else {
            return not_an_object(s, "without_property");
        };
        if !props.iter().any(|p| p == name) {
            return refuse(
                s,
                "without_property",
                format_args!(
                    "found no property `{name}` on this type (its properties: {props:?}): {FIX}"
                ),
            );
        }
        let Some(o) = target(s) else { return };
        if let Some(Value::Object(props)) = o.get_mut("properties") {
            props.remove(name);
        }
        if let Some(Value::Array(req)) = o.get_mut("required") {
            req.retain(|r| r != name);
            if req.is_empty() {
                o.remove("required");
            }
        }
    }
}

/// The position of the rule whose message is `message`; refuses `marker` when the
/// type has no such rule.
fn rule_at(s: &mut Schema, marker: &str, message: &str) -> Option<usize> {
    let Some(messages) = names(s, VALIDATIONS) else {
        not_an_object(s, marker);
        return None;
    };
    let at = messages.iter().position(|m| m == message);
    if at.is_none() {
        refuse(
            s,
            marker,
            format_args!(
                "found no rule with message {message:?} on this type (its rules' messages: \
                 {messages:?}): {FIX}"
            ),
        );
    }
    at
}

/// The target's rules, when it has a list of them.
fn rules(s: &mut Schema) -> Option<&mut Vec<Value>> {
    target(s)?.get_mut(VALIDATIONS)?.as_array_mut()
}

/// Drops the rule whose message is `message`.
pub fn without_rule(message: &'static str) -> impl FnMut(&mut Schema) {
    move |s| {
        let Some(at) = rule_at(s, "without_rule", message) else {
            return;
        };
        if let Some(list) = rules(s) {
            list.remove(at);
            if list.is_empty()
                && let Some(o) = target(s)
            {
                o.remove(VALIDATIONS);
            }
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
        let Some(at) = rule_at(s, "replace_rule", message) else {
            return;
        };
        if let Some(list) = rules(s) {
            list[at] = rule_with_message(rule, new_message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markers::{MARKER_ERROR, marker_errors};
    use serde_json::json;

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
    fn a_schema_with_its_own_properties_or_rules_beside_any_of_is_the_target() {
        // An object whose `anyOf` only requires one of its fields or another.
        let alternatives = json!([{ "required": ["model"] }, { "required": ["name"] }]);
        let mut s = shared();
        s.insert("anyOf".into(), alternatives.clone());
        without_property("model")(&mut s);
        assert_eq!(marker_errors(&s), Vec::<String>::new());
        assert!(s.get("properties").and_then(|p| p.get("model")).is_none());
        assert_eq!(s.get("anyOf"), Some(&alternatives));
        let mut rules_only = Schema::try_from(json!({
            VALIDATIONS: [{ "rule": "true", "message": "always" }],
            "anyOf": alternatives,
        }))
        .expect("schema");
        without_rule("always")(&mut rules_only);
        assert_eq!(marker_errors(&rules_only), Vec::<String>::new());
        assert_eq!(rules_only.get(VALIDATIONS), None);
    }

    #[test]
    fn a_message_the_type_lacks_is_refused_and_nothing_changes() {
        let mut s = shared();
        without_rule("model must be set")(&mut s);
        replace_rule("name is empty", "true", "m")(&mut s);
        assert_eq!(
            marker_errors(&s),
            [
                "`markers::without_rule` found no rule with message \"model must be set\" on \
                 this type (its rules' messages: [\"model is required\", \"name must not be \
                 empty\"]): the shared type changed; update or remove the override",
                "`markers::replace_rule` found no rule with message \"name is empty\" on this \
                 type (its rules' messages: [\"model is required\", \"name must not be \
                 empty\"]): the shared type changed; update or remove the override",
            ]
        );
        s.remove(MARKER_ERROR);
        assert_eq!(s, shared());
    }

    #[test]
    fn a_property_the_type_lacks_is_refused_and_nothing_changes() {
        let mut s = shared();
        without_property("models")(&mut s);
        assert_eq!(
            marker_errors(&s),
            [
                "`markers::without_property` found no property `models` on this type (its \
                 properties: [\"model\", \"name\"]): the shared type changed; update or remove \
                 the override"
            ]
        );
        s.remove(MARKER_ERROR);
        assert_eq!(s, shared());
    }

    #[test]
    fn a_schema_without_an_object_is_refused() {
        let mut s = Schema::from(true);
        without_rule("model is required")(&mut s);
        assert_eq!(
            marker_errors(&s),
            [
                "`markers::without_rule` found no object schema here: apply it to a field whose \
                 type is the shared struct (or an `Option` of it)"
            ]
        );
    }
}
