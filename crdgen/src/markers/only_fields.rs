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
//! order given). A field that the struct does not have is refused (panic).

use super::{property_names, push_rule};
use schemars::Schema;
use serde_json::json;

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
        let props = property_names(s, &[]);
        for f in std::iter::once(&field).chain(allowed) {
            assert!(
                props.iter().any(|p| p == f),
                "only_fields_when: the annotated type has no field `{f}`"
            );
        }
        let mut exclude = vec![field];
        exclude.extend_from_slice(allowed);
        let others: Vec<String> = property_names(s, &exclude)
            .iter()
            .map(|f| format!("has(self.{f})"))
            .collect();
        assert!(
            !others.is_empty(),
            "only_fields_when: every field is allowed, the rule would be empty"
        );
        let rule = format!(
            "has(self.{field}) && self.{field} == '{value}' ? [{}].filter(x,x==true).size() == 0 : true",
            others.join(",")
        );
        let message = format!("{field} {value} only supports {}", english_and(allowed));
        push_rule(s, json!({ "rule": rule, "message": message }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markers::VALIDATIONS;

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
    #[should_panic(expected = "has no field `retry`")]
    fn refuses_an_unknown_allowed_field() {
        only_fields_when("phase", "PreRouting", &["extAuth", "retry"])(&mut traffic_like());
    }

    #[test]
    #[should_panic(expected = "has no field `stage`")]
    fn refuses_an_unknown_condition_field() {
        only_fields_when("stage", "PreRouting", &["extAuth"])(&mut traffic_like());
    }

    #[test]
    fn lists_read_as_english() {
        assert_eq!(english_and(&["a", "b", "c"]), "a, b and c");
        assert_eq!(english_and(&["a"]), "a");
    }
}
