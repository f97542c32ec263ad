//! Conditional policies: a policy that is either configured directly, or as a list
//! of `conditional` entries, each a CEL `condition` and the `policy` that applies
//! when it holds (the first entry whose condition holds wins; an entry without a
//! condition is the fallback and must come last).
//!
//! [`conditional_policy`] builds the schema of such a policy from the schema of the
//! plain policy type `P`, so the rules of every conditional policy follow from `P`
//! alone (in the API crate, `Conditional<P>` calls it):
//!
//! - the outer object has `P`'s properties plus `conditional`, and
//!   `conditional cannot be set with any other field` (the other fields are `P`'s,
//!   sorted, so adding a field to `P` updates the rule);
//! - `P`'s required fields are only required without `conditional`
//!   (`has(self.conditional) ? true : has(self.x)`, "x: Required value"), and inside
//!   an entry they are required by a rule ("x is required");
//! - `P`'s field-group rules are relaxed outside: an "at least one of" group gains
//!   `conditional`, "exactly/at most one of" holds unless `conditional` is set;
//! - `P`'s other rules apply unchanged, outside and inside entries.
//!
//! A `P` without properties, or one that already has a `conditional` field, is
//! refused (with [`super::refuse`]): the schema is `P`'s, unchanged but for the
//! recorded problem, and generation fails naming the field.

use super::{
    Cardinality, VALIDATIONS, field_group_rule, property_names, refuse, rule_with_message,
    string_list,
};
use schemars::Schema;
use serde_json::{Map, Value, json};

/// Most entries of a `conditional` list.
pub const CONDITIONAL_MAX_ITEMS: u64 = 16;
/// The ordering rule of a `conditional` list: at most one entry without a
/// condition, and it is the last one.
pub const CONDITIONAL_ORDER_RULE: &str = "self.filter(e, !has(e.condition)).size() <= 1 && (!self.exists(e, !has(e.condition)) || !has(self[size(self) - 1].condition))";
/// Message of [`CONDITIONAL_ORDER_RULE`].
pub const CONDITIONAL_ORDER_MESSAGE: &str = "conditional entries without condition must be last";
/// Message of the rule that keeps `conditional` apart from the direct fields.
pub const CONDITIONAL_EXCLUSIVE_MESSAGE: &str = "conditional cannot be set with any other field";

const CONDITIONAL_DOC: &str = "Choose the policy per request instead of configuring it directly: \
the first entry whose `condition` holds applies, an entry without a condition applies when no \
other does and must be last, and when none applies the policy is skipped (1 to 16 entries). \
Cannot be combined with the other fields.";
const CONDITION_DOC: &str = "A CEL expression over the request deciding whether this entry \
applies, e.g. `request.path.startsWith(\"/admin\")`. Leave unset on the last entry to make it \
the fallback.";

/// A rule recognised as a field group (see [`field_group_rule`]).
fn parse_field_group(rule: &str) -> Option<(Vec<String>, Cardinality)> {
    let rest = rule.strip_prefix('[')?;
    let (list, tail) = rest.split_once(']')?;
    let cardinality = match tail {
        ".filter(x,x==true).size() == 1" => Cardinality::ExactlyOne,
        ".filter(x,x==true).size() <= 1" => Cardinality::AtMostOne,
        ".filter(x,x==true).size() >= 1" => Cardinality::AtLeastOne,
        _ => return None,
    };
    let fields = list
        .split(',')
        .map(|h| {
            h.strip_prefix("has(self.")
                .and_then(|f| f.strip_suffix(')'))
                .map(str::to_owned)
        })
        .collect::<Option<Vec<_>>>()?;
    Some((fields, cardinality))
}

fn rules(s: &Schema) -> Vec<Value> {
    s.get(VALIDATIONS)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn set_rules(o: &mut Map<String, Value>, rules: Vec<Value>) {
    if rules.is_empty() {
        o.remove(VALIDATIONS);
    } else {
        o.insert(VALIDATIONS.into(), Value::Array(rules));
    }
}

fn required(s: &Schema) -> Vec<String> {
    string_list(s, "required")
}

/// The schema of `P` as it appears inside a `conditional` entry: its required
/// fields are checked by rules ("x is required") ahead of its own rules.
pub fn conditional_entry_policy(policy: &Schema) -> Schema {
    let mut s = policy.clone();
    let req = required(&s);
    let mut list: Vec<Value> = req
        .iter()
        .map(|f| rule_with_message(format!("has(self.{f})"), format!("{f} is required")))
        .collect();
    list.extend(rules(&s));
    let o = s.ensure_object();
    o.remove("required");
    set_rules(o, list);
    s
}

/// The schema of a conditional policy built from the schema of its plain policy
/// type (see the module docs).
///
/// Refuses (returning `policy` with the problem recorded) a `policy` that is not an
/// object schema with properties, or already has a `conditional` property.
pub fn conditional_policy(mut policy: Schema) -> Schema {
    let fields = property_names(&policy, &[]);
    if fields.is_empty() {
        refuse(
            &mut policy,
            "conditional_policy",
            "found no properties in the policy type: `Conditional<P>` needs `P` to be a \
             struct with named fields",
        );
        return policy;
    }
    if fields.iter().any(|f| f == "conditional") {
        refuse(
            &mut policy,
            "conditional_policy",
            "found a `conditional` field in the policy type, which would clash with the list \
             of conditional entries: rename the policy's field",
        );
        return policy;
    }
    let req = required(&policy);
    let entry_policy = conditional_entry_policy(&policy);

    let mut outer_rules = Vec::new();
    for r in rules(&policy) {
        let text = r.get("rule").and_then(Value::as_str).unwrap_or_default();
        match parse_field_group(text) {
            Some((mut group, Cardinality::AtLeastOne)) => {
                let sorted = group.windows(2).all(|w| w[0] <= w[1]);
                group.insert(0, "conditional".into());
                if sorted {
                    group.sort();
                }
                let group: Vec<&str> = group.iter().map(String::as_str).collect();
                let (rule_text, message) = field_group_rule(Cardinality::AtLeastOne, &group);
                outer_rules.push(rule_with_message(rule_text, message));
            }
            Some(_) => {
                let mut r = r.clone();
                r["rule"] = format!("has(self.conditional) || {text}").into();
                outer_rules.push(r);
            }
            None => outer_rules.push(r),
        }
    }
    let others: Vec<String> = fields.iter().map(|f| format!("has(self.{f})")).collect();
    outer_rules.push(rule_with_message(
        format!(
            "has(self.conditional) ? [{}].filter(x,x==true).size() == 0 : true",
            others.join(",")
        ),
        CONDITIONAL_EXCLUSIVE_MESSAGE,
    ));
    for f in &req {
        outer_rules.push(rule_with_message(
            format!("has(self.conditional) ? true : has(self.{f})"),
            format!("{f}: Required value"),
        ));
    }

    let conditional = json!({
        "description": CONDITIONAL_DOC,
        "type": "array",
        "minItems": 1,
        "maxItems": CONDITIONAL_MAX_ITEMS,
        "items": {
            "description": "One choice of a conditional policy: a condition and the policy that applies when it holds.",
            "type": "object",
            "properties": {
                "condition": {
                    "description": CONDITION_DOC,
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 16384,
                },
                "policy": entry_policy.to_value(),
            },
            "required": ["policy"],
        },
        VALIDATIONS: [rule_with_message(CONDITIONAL_ORDER_RULE, CONDITIONAL_ORDER_MESSAGE)],
    });

    let mut outer = policy;
    let o = outer.ensure_object();
    o.remove("required");
    if let Some(Value::Object(props)) = o.get_mut("properties") {
        props.insert("conditional".into(), conditional);
    }
    set_rules(o, outer_rules);
    outer
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markers::{MARKER_ERROR, marker_errors};

    fn schema(v: Value) -> Schema {
        Schema::try_from(v).expect("an object schema")
    }

    fn ext_auth_like() -> Schema {
        schema(json!({
            "type": "object",
            "description": "ext auth",
            "properties": {
                "backendRef": { "type": "object" },
                "grpc": { "type": "object" },
                "http": { "type": "object" },
                "forwardBody": { "type": "object" },
            },
            "required": ["backendRef"],
            VALIDATIONS: [
                { "rule": "[has(self.grpc),has(self.http)].filter(x,x==true).size() == 1",
                  "message": "exactly one of the fields in [grpc http] must be set" },
                { "rule": "!(has(self.forwardBody) && has(self.http) && has(self.http.body))",
                  "message": "forwardBody cannot be used with http.body" },
            ],
        }))
    }

    #[test]
    fn a_policy_with_required_fields_and_an_exactly_one_group() {
        let before = ext_auth_like();
        let after = conditional_policy(before.clone());
        assert_eq!(after.get("required"), None);
        assert_eq!(after.get("description"), before.get("description"));
        assert_eq!(
            after.get(VALIDATIONS),
            Some(&json!([
                { "rule": "has(self.conditional) || [has(self.grpc),has(self.http)].filter(x,x==true).size() == 1",
                  "message": "exactly one of the fields in [grpc http] must be set" },
                { "rule": "!(has(self.forwardBody) && has(self.http) && has(self.http.body))",
                  "message": "forwardBody cannot be used with http.body" },
                { "rule": "has(self.conditional) ? [has(self.backendRef),has(self.forwardBody),has(self.grpc),has(self.http)].filter(x,x==true).size() == 0 : true",
                  "message": "conditional cannot be set with any other field" },
                { "rule": "has(self.conditional) ? true : has(self.backendRef)",
                  "message": "backendRef: Required value" },
            ]))
        );
        let list = &after.get("properties").expect("properties")["conditional"];
        assert_eq!(list["minItems"], 1);
        assert_eq!(list["maxItems"], 16);
        assert_eq!(list[VALIDATIONS][0]["rule"], CONDITIONAL_ORDER_RULE);
        assert_eq!(list["items"]["required"], json!(["policy"]));
        let policy = &list["items"]["properties"]["policy"];
        assert_eq!(policy.get("required"), None);
        assert_eq!(
            policy["properties"],
            before.get("properties").cloned().expect("properties")
        );
        assert_eq!(
            policy[VALIDATIONS],
            json!([
                { "rule": "has(self.backendRef)", "message": "backendRef is required" },
                { "rule": "[has(self.grpc),has(self.http)].filter(x,x==true).size() == 1",
                  "message": "exactly one of the fields in [grpc http] must be set" },
                { "rule": "!(has(self.forwardBody) && has(self.http) && has(self.http.body))",
                  "message": "forwardBody cannot be used with http.body" },
            ])
        );
    }

    #[test]
    fn an_at_most_one_group_holds_when_conditional_is_set() {
        let before = schema(json!({
            "type": "object",
            "properties": { "a": {}, "b": {} },
            VALIDATIONS: [
                { "rule": "[has(self.a),has(self.b)].filter(x,x==true).size() <= 1",
                  "message": "at most one of the fields in [a b] may be set" },
                // Not a field group: a list that is no `has` of a field.
                { "rule": "[self.a,self.b].filter(x,x==true).size() <= 1",
                  "message": "custom" },
            ],
        }));
        let after = conditional_policy(before);
        let rules = after
            .get(VALIDATIONS)
            .and_then(Value::as_array)
            .expect("rules");
        assert_eq!(
            rules[..2],
            [
                json!({ "rule": "has(self.conditional) || [has(self.a),has(self.b)].filter(x,x==true).size() <= 1",
                  "message": "at most one of the fields in [a b] may be set" }),
                json!({ "rule": "[self.a,self.b].filter(x,x==true).size() <= 1",
                  "message": "custom" }),
            ]
        );
    }

    #[test]
    fn conditional_joins_an_at_least_one_group_in_its_order() {
        let group = |fields: &[&str]| -> String {
            let (rule, message) = field_group_rule(Cardinality::AtLeastOne, fields);
            let after = conditional_policy(schema(json!({
                "type": "object",
                "properties": { "a": {}, "b": {}, "local": {}, "global": {} },
                VALIDATIONS: [{ "rule": rule, "message": message }],
            })));
            after.get(VALIDATIONS).expect("rules")[0]["message"]
                .as_str()
                .expect("a message")
                .to_owned()
        };
        // A sorted group stays sorted; any other keeps its order, `conditional` first.
        assert_eq!(
            group(&["a", "b"]),
            "at least one of the fields in [a b conditional] must be set"
        );
        assert_eq!(
            group(&["local", "global"]),
            "at least one of the fields in [conditional local global] must be set"
        );
    }

    #[test]
    fn an_at_least_one_group_gains_conditional() {
        let before = schema(json!({
            "type": "object",
            "properties": { "local": {}, "global": {} },
            VALIDATIONS: [
                { "rule": "[has(self.global),has(self.local)].filter(x,x==true).size() >= 1",
                  "message": "at least one of the fields in [global local] must be set" },
            ],
        }));
        let after = conditional_policy(before);
        assert_eq!(
            after.get(VALIDATIONS),
            Some(&json!([
                { "rule": "[has(self.conditional),has(self.global),has(self.local)].filter(x,x==true).size() >= 1",
                  "message": "at least one of the fields in [conditional global local] must be set" },
                { "rule": "has(self.conditional) ? [has(self.global),has(self.local)].filter(x,x==true).size() == 0 : true",
                  "message": "conditional cannot be set with any other field" },
            ]))
        );
        let policy = &after.get("properties").expect("properties")["conditional"]["items"]["properties"]
            ["policy"];
        assert_eq!(
            policy[VALIDATIONS][0]["message"],
            "at least one of the fields in [global local] must be set"
        );
    }

    #[test]
    fn refuses_a_policy_that_has_a_conditional_field_and_leaves_it_unchanged() {
        let before = schema(json!({
            "type": "object",
            "properties": { "conditional": {}, "status": {} },
        }));
        let mut after = conditional_policy(before.clone());
        assert_eq!(
            marker_errors(&after),
            [
                "`markers::conditional_policy` found a `conditional` field in the policy type, \
                 which would clash with the list of conditional entries: rename the policy's field"
            ]
        );
        after.remove(MARKER_ERROR);
        assert_eq!(after, before);
    }

    #[test]
    fn refuses_a_policy_without_fields() {
        let after = conditional_policy(schema(json!({ "type": "string" })));
        assert_eq!(
            marker_errors(&after),
            [
                "`markers::conditional_policy` found no properties in the policy type: \
                 `Conditional<P>` needs `P` to be a struct with named fields"
            ]
        );
        assert_eq!(after.get("type"), Some(&json!("string")));
    }
}
