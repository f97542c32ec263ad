//! Rules over a policy's two target lists, `targetRefs` and `targetSelectors`.
//!
//! A policy names its targets in one of two lists, so every rule about targets is
//! written once per list: upstream's CRDs carry each such rule twice, the second a
//! copy of the first with `targetSelectors` in place of `targetRefs`. These markers
//! build both copies from one call at run time:
//!
//! ```ignore
//! #[schemars(transform = markers::targets_only(
//!     "has(self.frontend)", &["Gateway"], "the 'frontend' field can only target a Gateway",
//! ))]
//! pub struct AgentgatewayPolicySpec { /* targetRefs, targetSelectors, frontend, ... */ }
//! ```
//!
//! emits
//!
//! ```text
//! has(self.frontend) && has(self.targetRefs) ? self.targetRefs.all(t, t.kind == 'Gateway') : true
//! has(self.frontend) && has(self.targetSelectors) ? self.targetSelectors.all(t, t.kind == 'Gateway') : true
//! ```
//!
//! Applied to a struct without both lists, a marker adds no rule and records the
//! misuse with [`super::refuse`], which fails generation naming the type.

use super::{missing_fields, push_cel, refuse};
use schemars::Schema;

/// The two lists a policy names its targets in, in the order rules are emitted.
pub const TARGET_LISTS: [&str; 2] = ["targetRefs", "targetSelectors"];

/// Whether `s` is an object schema with both target lists as properties; refuses
/// `marker` otherwise.
fn has_target_lists(s: &mut Schema, marker: &str) -> bool {
    let missing = missing_fields(s, &TARGET_LISTS);
    if missing.is_empty() {
        return true;
    }
    refuse(
        s,
        marker,
        format_args!(
            "needs a struct with the fields {} (missing: {}): apply it to the policy spec \
             that holds both target lists",
            TARGET_LISTS.join(" and "),
            missing.join(", ")
        ),
    );
    false
}

/// One rule per target list: `rule` gets the list's JSON name (`targetRefs`, then
/// `targetSelectors`) and returns the CEL rule for it; both share `message`.
pub fn each_target_list(
    message: impl Into<String>,
    rule: impl Fn(&str) -> String,
) -> impl FnMut(&mut Schema) {
    per_target_list("each_target_list", message, rule)
}

/// [`each_target_list`], refusing misuse in the name of the marker the API called.
fn per_target_list(
    marker: &'static str,
    message: impl Into<String>,
    rule: impl Fn(&str) -> String,
) -> impl FnMut(&mut Schema) {
    let message = message.into();
    move |s| {
        if has_target_lists(s, marker) {
            for list in TARGET_LISTS {
                push_cel(s, rule(list), message.clone());
            }
        }
    }
}

/// The CEL predicate "the target `t` is of one of `kinds`": `t.kind == 'Gateway'`
/// for one kind, `t.kind in ['Gateway', 'HTTPRoute']` for several.
pub fn kind_in(kinds: &[&str]) -> String {
    match kinds {
        [one] => format!("t.kind == '{one}'"),
        _ => {
            let quoted: Vec<String> = kinds.iter().map(|k| format!("'{k}'")).collect();
            format!("t.kind in [{}]", quoted.join(", "))
        }
    }
}

/// When `when` holds, every target (in either list) satisfies `predicate` (a CEL
/// expression over the target `t`).
pub fn targets_all(
    when: impl Into<String>,
    predicate: impl Into<String>,
    message: impl Into<String>,
) -> impl FnMut(&mut Schema) {
    targets_all_as("targets_all", when, predicate.into(), message)
}

fn targets_all_as(
    marker: &'static str,
    when: impl Into<String>,
    predicate: String,
    message: impl Into<String>,
) -> impl FnMut(&mut Schema) {
    let when = when.into();
    per_target_list(marker, message, move |l| {
        format!("{when} && has(self.{l}) ? self.{l}.all(t, {predicate}) : true")
    })
}

/// When `when` holds, every target is of one of `kinds`.
pub fn targets_only(
    when: impl Into<String>,
    kinds: &[&str],
    message: impl Into<String>,
) -> impl FnMut(&mut Schema) {
    targets_all_as("targets_only", when, kind_in(kinds), message)
}

/// When any target (in either list) satisfies `predicate`, `then` must hold.
pub fn if_any_target(
    predicate: impl Into<String>,
    then: impl Into<String>,
    message: impl Into<String>,
) -> impl FnMut(&mut Schema) {
    let (predicate, then) = (predicate.into(), then.into());
    per_target_list("if_any_target", message, move |l| {
        format!("has(self.{l}) && self.{l}.exists(t, {predicate}) ? ({then}) : true")
    })
}

/// The CEL condition "the field at `path` (dotted, below `self`) is set", guarding
/// every parent: `has(self.a) && has(self.a.b)`.
pub fn field_set(path: &str) -> String {
    prefixes(path)
        .map(|p| format!("has(self.{p})"))
        .collect::<Vec<_>>()
        .join(" && ")
}

/// The CEL condition "some of `fields` of the object at `parent` is set":
/// `has(self.p) && (has(self.p.a) || has(self.p.b))`.
pub fn any_field_set(parent: &str, fields: &[&str]) -> String {
    let any: Vec<String> = fields
        .iter()
        .map(|f| format!("has(self.{parent}.{f})"))
        .collect();
    format!("{} && ({})", field_set(parent), any.join(" || "))
}

fn prefixes(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('.')
        .map(|(i, _)| &path[..i])
        .chain(std::iter::once(path))
}

/// When the field at `path` is set, no target in either list satisfies `predicate`.
/// One rule covering both lists, as upstream writes the rules of `backend.mcp` and
/// `backend.ai`:
/// `!has(self.backend) || !has(self.backend.mcp) || ((!has(self.targetRefs) || !self.targetRefs.exists(t, P)) && (...))`.
pub fn no_target_when_set(
    path: &str,
    predicate: impl Into<String>,
    message: impl Into<String>,
) -> impl FnMut(&mut Schema) {
    let unset: Vec<String> = prefixes(path).map(|p| format!("!has(self.{p})")).collect();
    let predicate = predicate.into();
    let none: Vec<String> = TARGET_LISTS
        .iter()
        .map(|l| format!("(!has(self.{l}) || !self.{l}.exists(t, {predicate}))"))
        .collect();
    let rule = format!("{} || ({})", unset.join(" || "), none.join(" && "));
    let message = message.into();
    move |s| {
        if has_target_lists(s, "no_target_when_set") {
            push_cel(s, rule.clone(), message.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markers::{VALIDATIONS, marker_errors};
    use serde_json::{Value, json};

    fn spec() -> Schema {
        Schema::try_from(json!({
            "type": "object",
            "properties": { "targetRefs": {}, "targetSelectors": {}, "frontend": {} },
        }))
        .expect("an object schema")
    }

    fn rules(s: &Schema) -> Vec<(String, String)> {
        s.get(VALIDATIONS)
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .map(|r| {
                        (
                            r["rule"].as_str().unwrap_or_default().to_owned(),
                            r["message"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn targets_only_emits_one_rule_per_list_with_the_same_message() {
        let mut s = spec();
        targets_only("has(self.frontend)", &["Gateway"], "only Gateways")(&mut s);
        assert_eq!(
            rules(&s),
            [
                (
                    "has(self.frontend) && has(self.targetRefs) ? self.targetRefs.all(t, t.kind == 'Gateway') : true".to_owned(),
                    "only Gateways".to_owned()
                ),
                (
                    "has(self.frontend) && has(self.targetSelectors) ? self.targetSelectors.all(t, t.kind == 'Gateway') : true".to_owned(),
                    "only Gateways".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn kinds_are_one_comparison_or_a_list() {
        assert_eq!(kind_in(&["Gateway"]), "t.kind == 'Gateway'");
        assert_eq!(
            kind_in(&["Gateway", "ListenerSet"]),
            "t.kind in ['Gateway', 'ListenerSet']"
        );
    }

    #[test]
    fn field_conditions_guard_every_parent() {
        assert_eq!(
            field_set("traffic.phase"),
            "has(self.traffic) && has(self.traffic.phase)"
        );
        assert_eq!(
            any_field_set("frontend", &["tcp", "tls"]),
            "has(self.frontend) && (has(self.frontend.tcp) || has(self.frontend.tls))"
        );
    }

    #[test]
    fn if_any_target_and_no_target_when_set() {
        let mut s = spec();
        if_any_target("has(t.port)", "has(self.frontend)", "port")(&mut s);
        no_target_when_set("backend.mcp", "t.kind == 'Service'", "no mcp")(&mut s);
        let rules: Vec<String> = rules(&s).into_iter().map(|(r, _)| r).collect();
        assert_eq!(
            rules,
            [
                "has(self.targetRefs) && self.targetRefs.exists(t, has(t.port)) ? (has(self.frontend)) : true",
                "has(self.targetSelectors) && self.targetSelectors.exists(t, has(t.port)) ? (has(self.frontend)) : true",
                "!has(self.backend) || !has(self.backend.mcp) || ((!has(self.targetRefs) || !self.targetRefs.exists(t, t.kind == 'Service')) && (!has(self.targetSelectors) || !self.targetSelectors.exists(t, t.kind == 'Service')))",
            ]
        );
    }

    #[test]
    fn a_struct_without_both_lists_is_refused() {
        let mut s = Schema::try_from(json!({
            "type": "object",
            "properties": { "targetRefs": {} },
        }))
        .expect("an object schema");
        targets_only("true", &["Gateway"], "m")(&mut s);
        assert!(s.get(VALIDATIONS).is_none());
        assert_eq!(
            marker_errors(&s),
            [
                "`markers::targets_only` needs a struct with the fields targetRefs and \
              targetSelectors (missing: targetSelectors): apply it to the policy spec that \
              holds both target lists"
            ]
        );
    }
}
