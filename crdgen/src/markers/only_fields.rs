//! "When a field has a value, only these fields may be set": the fields that are not
//! allowed are derived from the annotated struct (its properties, sorted, less the
//! allowed ones and the field itself), so adding a field to the struct adds it to
//! the rule.
//!
//! ```ignore
//! #[schemars(transform = only_fields_when("phase", "PreRouting", &["extAuth", "cors"]))]
//! pub struct TrafficPolicies { /* ... */ }
//! ```
//!
//! emits `has(self.phase) && self.phase == 'PreRouting' ? [has(self.x),...]
//! .filter(x,x==true).size() == 0 : true` with the message
//! `phase PreRouting only supports extAuth and cors` (the allowed fields in the
//! order given). A field that the struct does not have, or an `allowed` list that
//! leaves no field to forbid, is refused (with [`super::refuse`]) and adds no rule.

use super::{check_fields, property_names, push_cel, refuse};
use schemars::Schema;

/// `a`, `a and b`, `a, b and c`.
fn english_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// When the string field `field` equals `value`, only `allowed` (and `field`
/// itself) may be set.
pub fn only_fields_when(
    field: &'static str,
    value: &'static str,
    allowed: &'static [&'static str],
) -> impl FnMut(&mut Schema) {
    move |s| {
        let mut named = vec![field];
        named.extend_from_slice(allowed);
        if !check_fields(s, "only_fields_when", &named) {
            return;
        }
        let others: Vec<String> = property_names(s, &named)
            .iter()
            .map(|f| format!("has(self.{f})"))
            .collect();
        if others.is_empty() {
            return refuse(
                s,
                "only_fields_when",
                format_args!(
                    "allows every field of the type besides `{field}`, so the rule would \
                     forbid nothing: remove the marker, or list in `allowed` only the fields \
                     supported when `{field}` is `{value}`"
                ),
            );
        }
        let rule = format!(
            "has(self.{field}) && self.{field} == '{value}' ? [{}].filter(x,x==true).size() == 0 : true",
            others.join(",")
        );
        let message = format!("{field} {value} only supports {}", english_and(allowed));
        push_cel(s, rule, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markers::{VALIDATIONS, marker_errors};
    use serde_json::json;

    fn traffic_like() -> Schema {
        Schema::try_from(json!({
            "type": "object",
            "properties": {
                "phase": {}, "timeouts": {}, "extAuth": {}, "cors": {}, "buffer": {},
            },
        }))
        .expect("an object schema")
    }

    #[test]
    fn the_disallowed_fields_are_the_others_sorted() {
        let mut s = traffic_like();
        assert_eq!(s.get(VALIDATIONS), None);
        only_fields_when("phase", "PreRouting", &["extAuth", "cors"])(&mut s);
        assert_eq!(
            s.get(VALIDATIONS),
            Some(&json!([{
                "rule": "has(self.phase) && self.phase == 'PreRouting' ? [has(self.buffer),has(self.timeouts)].filter(x,x==true).size() == 0 : true",
                "message": "phase PreRouting only supports extAuth and cors",
            }]))
        );
    }

    #[test]
    fn unknown_fields_are_refused_without_a_rule() {
        let mut s = traffic_like();
        only_fields_when("phase", "PreRouting", &["extAuth", "retry"])(&mut s);
        only_fields_when("stage", "PreRouting", &["extAuth"])(&mut s);
        assert_eq!(s.get(VALIDATIONS), None);
        let fix = "which the object does not have (its fields: [\"buffer\", \"cors\", \
                   \"extAuth\", \"phase\", \"timeouts\"]); use the JSON (camelCase) names of \
                   fields of the annotated struct";
        assert_eq!(
            marker_errors(&s),
            [
                format!("`markers::only_fields_when` names [\"retry\"], {fix}"),
                format!("`markers::only_fields_when` names [\"stage\"], {fix}"),
            ]
        );
    }

    #[test]
    fn allowing_every_field_is_refused() {
        let mut s = traffic_like();
        only_fields_when(
            "phase",
            "PreRouting",
            &["timeouts", "extAuth", "cors", "buffer"],
        )(&mut s);
        assert_eq!(s.get(VALIDATIONS), None);
        assert_eq!(
            marker_errors(&s),
            [
                "`markers::only_fields_when` allows every field of the type besides `phase`, so \
                 the rule would forbid nothing: remove the marker, or list in `allowed` only \
                 the fields supported when `phase` is `PreRouting`"
            ]
        );
    }

    #[test]
    fn lists_read_as_english() {
        assert_eq!(english_and(&["a", "b", "c"]), "a, b and c");
        assert_eq!(english_and(&["a"]), "a");
    }
}
