//! Rules over the "kinds" of an authentication object: the mutually exclusive ways
//! a gateway can authenticate (`key`, `secretRef`, `aws`, ...), the `credentials`
//! list that may accompany any of them, and the `location` that only some kinds use.
//!
//! ```ignore
//! const KINDS: &[&str] = &["key", "secretRef", "passthrough", "aws"];
//! #[schemars(
//!     transform = credentials_or_auth_kind(KINDS),
//!     transform = location_only_with(&["key", "secretRef", "passthrough"]),
//!     transform = at_most_one_of(KINDS),
//! )]
//! pub struct BackendAuth { /* ... */ }
//! ```
//!
//! Both markers refuse (panic, naming the field) a field that the annotated struct
//! does not have, so a renamed field cannot leave a rule that is always false.

use super::push_rule;
use schemars::Schema;
use serde_json::{Value, json};

/// Panics unless every one of `fields` is a property of `s`.
fn require_properties(s: &Schema, marker: &str, fields: &[&str]) {
    assert!(!fields.is_empty(), "{marker}: needs at least one field");
    let props = s.get("properties").and_then(Value::as_object);
    for f in fields {
        assert!(
            props.is_some_and(|p| p.contains_key(*f)),
            "{marker}: the annotated type has no field `{f}`"
        );
    }
}

/// `a`, `a or b`, `a, b, or c`.
fn english_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [a, b] => format!("{a} or {b}"),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
    }
}

/// Something must be configured: the `credentials` list, or one of the auth `kinds`
/// (which of them at most one may be set is [`super::at_most_one_of`]'s job).
pub fn credentials_or_auth_kind(kinds: &'static [&'static str]) -> impl FnMut(&mut Schema) {
    move |s| {
        let mut fields = vec!["credentials"];
        fields.extend_from_slice(kinds);
        require_properties(s, "credentials_or_auth_kind", &fields);
        let rule = fields
            .iter()
            .map(|f| format!("has(self.{f})"))
            .collect::<Vec<_>>()
            .join(" || ");
        let message = format!(
            "must specify credentials, or at most one of {} (credentials may be combined with a primary auth kind)",
            kinds.join("/")
        );
        push_rule(s, json!({ "rule": rule, "message": message }))
    }
}

/// `location` (where the credential goes) may only be set with one of `kinds`, the
/// auth kinds that send a single value the gateway can place.
pub fn location_only_with(kinds: &'static [&'static str]) -> impl FnMut(&mut Schema) {
    move |s| {
        let mut fields = vec!["location"];
        fields.extend_from_slice(kinds);
        require_properties(s, "location_only_with", &fields);
        let any = kinds
            .iter()
            .map(|f| format!("has(self.{f})"))
            .collect::<Vec<_>>()
            .join(" || ");
        let rule = format!("has(self.location) ? {any} : true");
        let message = format!("location may only be set for {} auth", english_or(kinds));
        push_rule(s, json!({ "rule": rule, "message": message }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::VALIDATIONS;
    use super::*;

    fn auth_schema(fields: &[&str]) -> Schema {
        let props: serde_json::Map<String, Value> = fields
            .iter()
            .map(|f| ((*f).to_owned(), json!({})))
            .collect();
        match json!({ "type": "object", "properties": props }) {
            Value::Object(m) => Schema::from(m),
            _ => unreachable!(),
        }
    }

    #[test]
    fn credentials_or_auth_kind_lists_credentials_then_the_kinds() {
        let mut s = auth_schema(&["credentials", "key", "secretRef", "aws", "location"]);
        assert_eq!(s.get(VALIDATIONS), None);
        credentials_or_auth_kind(&["key", "secretRef", "aws"])(&mut s);
        assert_eq!(
            s.get(VALIDATIONS),
            Some(&json!([{
                "rule": "has(self.credentials) || has(self.key) || has(self.secretRef) || has(self.aws)",
                "message": "must specify credentials, or at most one of key/secretRef/aws (credentials may be combined with a primary auth kind)",
            }]))
        );
    }

    #[test]
    fn location_only_with_joins_the_kinds_in_english() {
        let mut s = auth_schema(&["key", "secretRef", "passthrough", "location"]);
        location_only_with(&["key", "secretRef", "passthrough"])(&mut s);
        location_only_with(&["key", "secretRef"])(&mut s);
        assert_eq!(
            s.get(VALIDATIONS),
            Some(&json!([
                {
                    "rule": "has(self.location) ? has(self.key) || has(self.secretRef) || has(self.passthrough) : true",
                    "message": "location may only be set for key, secretRef, or passthrough auth",
                },
                {
                    "rule": "has(self.location) ? has(self.key) || has(self.secretRef) : true",
                    "message": "location may only be set for key or secretRef auth",
                },
            ]))
        );
    }

    #[test]
    #[should_panic(expected = "location_only_with: the annotated type has no field `location`")]
    fn location_only_with_refuses_a_type_without_location() {
        location_only_with(&["key"])(&mut auth_schema(&["key"]));
    }

    #[test]
    #[should_panic(expected = "credentials_or_auth_kind: the annotated type has no field `gcp`")]
    fn credentials_or_auth_kind_refuses_an_unknown_kind() {
        credentials_or_auth_kind(&["key", "gcp"])(&mut auth_schema(&["credentials", "key"]));
    }
}
