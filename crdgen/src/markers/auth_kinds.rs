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
//! Both markers refuse (with [`super::refuse`], naming the field) a field that the
//! annotated struct does not have, or an empty list of kinds, and add no rule, so a
//! renamed field cannot leave a rule that is always false.

use super::{check_fields, push_cel, refuse};
use schemars::Schema;

/// `first` followed by `kinds`, when `kinds` is not empty and all of them are
/// properties of `s`; refuses `marker` otherwise.
fn kind_fields<'a>(
    s: &mut Schema,
    marker: &str,
    first: &'a str,
    kinds: &[&'a str],
) -> Option<Vec<&'a str>> {
    if kinds.is_empty() {
        refuse(
            s,
            marker,
            "names no auth kinds: list the fields of the annotated struct that are auth kinds",
        );
        return None;
    }
    let mut fields = vec![first];
    fields.extend_from_slice(kinds);
    check_fields(s, marker, &fields).then_some(fields)
}

/// The CEL condition "one of `fields` is set": `has(self.a) || has(self.b)`.
fn any_set(fields: &[&str]) -> String {
    fields
        .iter()
        .map(|f| format!("has(self.{f})"))
        .collect::<Vec<_>>()
        .join(" || ")
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
        let Some(fields) = kind_fields(s, "credentials_or_auth_kind", "credentials", kinds) else {
            return;
        };
        let rule = any_set(&fields);
        let message = format!(
            "must specify credentials, or at most one of {} (credentials may be combined with a primary auth kind)",
            kinds.join("/")
        );
        push_cel(s, rule, message)
    }
}

/// `location` (where the credential goes) may only be set with one of `kinds`, the
/// auth kinds that send a single value the gateway can place.
pub fn location_only_with(kinds: &'static [&'static str]) -> impl FnMut(&mut Schema) {
    move |s| {
        if kind_fields(s, "location_only_with", "location", kinds).is_none() {
            return;
        }
        let rule = format!("has(self.location) ? {} : true", any_set(kinds));
        let message = format!("location may only be set for {} auth", english_or(kinds));
        push_cel(s, rule, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markers::{VALIDATIONS, marker_errors};
    use serde_json::{Value, json};

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
    fn unknown_fields_and_empty_kinds_are_refused_without_a_rule() {
        let mut s = auth_schema(&["credentials", "key"]);
        location_only_with(&["key"])(&mut s);
        credentials_or_auth_kind(&["key", "gcp"])(&mut s);
        credentials_or_auth_kind(&[])(&mut s);
        assert_eq!(s.get(VALIDATIONS), None);
        let fix = "which the object does not have (its fields: [\"credentials\", \"key\"]); use \
                   the JSON (camelCase) names of fields of the annotated struct";
        assert_eq!(
            marker_errors(&s),
            [
                format!("`markers::location_only_with` names [\"location\"], {fix}"),
                format!("`markers::credentials_or_auth_kind` names [\"gcp\"], {fix}"),
                "`markers::credentials_or_auth_kind` names no auth kinds: list the fields of the \
                 annotated struct that are auth kinds"
                    .to_owned(),
            ]
        );
    }
}
