//! Breaking-change detection: what a schema change does to objects already stored.
//!
//! Compares the CRD as checked in with the CRD the types produce now and lists every
//! change that can make an existing object invalid, or lose data, once the new CRD is
//! applied: a removed version or field (its stored values are pruned), a changed type, a
//! newly required field, a removed enum value, a tightened bound or pattern, a new CEL
//! rule. Loosening changes (a new optional field, a wider bound) are not listed.

use crate::walk::{self, Flow, Step};
use serde_json::Value;
use std::fmt;

/// One change that may break stored objects or their clients.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breaking {
    /// Version and JSON path, e.g. `v1alpha1 .spec.mcp.targets[*].name`.
    pub path: String,
    /// What changed.
    pub what: String,
}

impl fmt::Display for Breaking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.what)
    }
}

#[cfg(feature = "generate")]
/// A CRD template's text as a CRD, when it is YAML.
pub fn parse_template(text: &str) -> Option<Value> {
    serde_yaml::from_str(text).ok()
}

/// The breaking changes from `old` to `new` (two CRDs as JSON values).
pub fn breaking_changes(old: &Value, new: &Value) -> Vec<Breaking> {
    let mut out = Vec::new();
    for key in ["group", "scope"] {
        if old["spec"][key] != new["spec"][key] {
            out.push(Breaking {
                path: format!("spec.{key}"),
                what: format!("changed from {} to {}", old["spec"][key], new["spec"][key]),
            });
        }
    }
    if old["spec"]["names"]["kind"] != new["spec"]["names"]["kind"] {
        out.push(Breaking {
            path: "spec.names.kind".into(),
            what: "kind renamed".into(),
        });
    }
    let new_versions = walk::version_schemas(new);
    for (name, old_schema) in walk::version_schemas(old) {
        match new_versions.iter().find(|(n, _)| *n == name) {
            None => out.push(Breaking {
                path: name.to_owned(),
                what: "version removed: objects stored in it can no longer be read".into(),
            }),
            Some((_, new_schema)) => schema(&mut out, name, old_schema, new_schema),
        }
    }
    out
}

/// One breaking-change rule: what it finds comparing a node of the old schema with
/// the node at the same path in the new one.
pub type Rule = fn(old: &Value, new: &Value) -> Vec<String>;

/// Every rule, in the order its findings are listed for a node.
pub const RULES: &[Rule] = &[
    no_longer_preserved,
    bounds_tightened,
    pattern_changed,
    enum_narrowed,
    new_rules,
    newly_required,
    default_changed,
];

/// Walks the old schema; each node is compared with the new schema's node at the same
/// path. A node missing in the new schema is a removed field (unless its new parent
/// keeps unknown fields); a changed type is reported once, not for every child.
fn schema(out: &mut Vec<Breaking>, version: &str, old_root: &Value, new_root: &Value) {
    walk::walk(old_root, |node| {
        let push = |out: &mut Vec<Breaking>, what: String| {
            out.push(Breaking {
                path: format!("{version} {}", node.path),
                what,
            })
        };
        if matches!(
            node.path.last(),
            Some(Step::AnyOf(_) | Step::OneOf(_) | Step::AllOf(_))
        ) {
            return Flow::Skip;
        }
        let Some(new) = walk::resolve(new_root, node.path.steps()) else {
            let parent = walk::resolve(new_root, node.path.parent().steps());
            if node.path.last().and_then(Step::property).is_some()
                && parent.is_some_and(|p| !preserves_unknown(p))
            {
                push(
                    out,
                    "field removed: stored values are dropped (pruned when objects are read and written)".into(),
                );
            }
            return Flow::Skip;
        };
        let old = node.schema;
        let widened = widened_to_int_or_string(old, new);
        let new = widened.as_ref().unwrap_or(new);
        if widened.is_none() && old.get("type") != new.get("type") && old.get("type").is_some() {
            push(
                out,
                format!("type changed from {} to {}", type_name(old), type_name(new)),
            );
            return Flow::Skip;
        }
        for what in RULES.iter().flat_map(|rule| rule(old, new)) {
            push(out, what);
        }
        Flow::Continue
    });
}

/// The type a schema accepts, as an operator reads it.
fn type_name(s: &Value) -> String {
    if s.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        return "int-or-string".into();
    }
    s.get("type")
        .and_then(Value::as_str)
        .unwrap_or("any type")
        .to_owned()
}

/// An integer or string field that became int-or-string still accepts every value
/// it held: not a type change. Returns the new schema with only the keywords that
/// constrain the old type's values (a string's bounds do not apply to integers,
/// nor a number's to strings), so the other rules compare like with like.
fn widened_to_int_or_string(old: &Value, new: &Value) -> Option<Value> {
    if type_name(new) != "int-or-string" {
        return None;
    }
    let irrelevant: &[&str] = match old.get("type").and_then(Value::as_str) {
        Some("integer") => &["minLength", "maxLength", "pattern", "format"],
        Some("string") => &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "format",
        ],
        _ => return None,
    };
    let mut view = new.clone();
    if let Some(o) = view.as_object_mut() {
        for key in irrelevant {
            o.remove(*key);
        }
        o.remove("anyOf");
    }
    Some(view)
}

/// The apiserver fills a default in when an object is written without the field (and
/// stores it): objects written after the upgrade without the field get the new value,
/// stored ones keep the old, so the same manifest means different things over time.
fn default_changed(old: &Value, new: &Value) -> Vec<String> {
    match (old.get("default"), new.get("default")) {
        (Some(o), Some(n)) if o != n => vec![format!(
            "default changed from {o} to {n}: objects written without the field from now on get {n}, stored ones keep their value"
        )],
        _ => vec![],
    }
}

/// Whether the schema keeps fields it does not list.
fn preserves_unknown(s: &Value) -> bool {
    s.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true))
}

fn no_longer_preserved(old: &Value, new: &Value) -> Vec<String> {
    if preserves_unknown(old) && !preserves_unknown(new) {
        vec!["unknown fields are no longer preserved: stored ones are dropped (pruned when objects are read and written)".into()]
    } else {
        vec![]
    }
}

/// Bounds whose increase (`true`) or decrease (`false`) rejects values accepted before.
const BOUNDS: &[(&str, bool)] = &[
    ("minLength", true),
    ("minItems", true),
    ("minProperties", true),
    ("minimum", true),
    ("maxLength", false),
    ("maxItems", false),
    ("maxProperties", false),
    ("maximum", false),
];

fn bounds_tightened(old: &Value, new: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (key, tighter_when_larger) in BOUNDS {
        let (o, n) = (
            old.get(*key).and_then(Value::as_f64),
            new.get(*key).and_then(Value::as_f64),
        );
        let tightened = match (o, n) {
            (None, Some(_)) => true,
            (Some(o), Some(n)) if *tighter_when_larger => n > o,
            (Some(o), Some(n)) => n < o,
            _ => false,
        };
        if tightened {
            let shown = |v: Option<f64>| v.map_or("none".to_owned(), |v| v.to_string());
            out.push(format!("{key} tightened from {} to {}", shown(o), shown(n)));
        }
    }
    out
}

fn pattern_changed(old: &Value, new: &Value) -> Vec<String> {
    if new.get("pattern").is_some() && old.get("pattern") != new.get("pattern") {
        vec![format!("pattern changed to {}", new["pattern"])]
    } else {
        vec![]
    }
}

fn enum_narrowed(old: &Value, new: &Value) -> Vec<String> {
    let Some(Value::Array(new_enum)) = new.get("enum") else {
        return vec![];
    };
    match old.get("enum") {
        Some(Value::Array(old_enum)) => old_enum
            .iter()
            .filter(|v| !new_enum.contains(v))
            .map(|v| format!("enum value {v} removed"))
            .collect(),
        _ => vec!["values restricted to an enum".into()],
    }
}

/// Rules are compared with whitespace removed, and shown as written.
fn new_rules(old: &Value, new: &Value) -> Vec<String> {
    let rules = |s: &Value| -> Vec<(String, String)> {
        s.get("x-kubernetes-validations")
            .and_then(Value::as_array)
            .map(|rs| {
                rs.iter()
                    .filter_map(|r| r["rule"].as_str())
                    .map(|r| (r.split_whitespace().collect(), r.to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let old_rules: Vec<String> = rules(old).into_iter().map(|(key, _)| key).collect();
    rules(new)
        .into_iter()
        .filter(|(key, _)| !old_rules.contains(key))
        .map(|(_, rule)| {
            format!("new validation rule `{rule}` (checked when existing objects are updated)")
        })
        .collect()
}

fn newly_required(old: &Value, new: &Value) -> Vec<String> {
    let required = |s: &Value| -> Vec<String> {
        s.get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let old_required = required(old);
    required(new)
        .into_iter()
        .filter(|r| !old_required.contains(r))
        .map(|r| format!("`{r}` is now required"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn crd(spec: Value) -> Value {
        json!({ "spec": { "group": "g", "scope": "Namespaced", "names": { "kind": "K" },
            "versions": [ { "name": "v1", "schema": { "openAPIV3Schema": {
                "type": "object", "properties": { "spec": spec } } } } ] } })
    }

    #[cfg(feature = "generate")]
    #[test]
    fn a_template_is_read_as_the_crd_it_holds() {
        let text = "# generated, do not edit\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: g\n  scope: Namespaced\n";
        let crd = parse_template(text).expect("a YAML template");
        assert_eq!(crd["kind"], "CustomResourceDefinition");
        assert_eq!(crd["spec"]["group"], "g");
        // Text that is not YAML (a conflict left in a template, say) compares with
        // nothing rather than failing the generator.
        assert_eq!(parse_template("spec: [\n<<<<<<< HEAD"), None);
    }

    fn changes(old: Value, new: Value) -> Vec<String> {
        breaking_changes(&crd(old), &crd(new))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn loosening_and_additions_are_not_breaking() {
        let old = json!({ "type": "object", "properties": {
            "a": { "type": "string", "maxLength": 5, "enum": ["x"] },
            "d": { "type": "string", "default": "" } } });
        let new = json!({ "type": "object", "properties": {
            "a": { "type": "string", "maxLength": 10, "enum": ["x", "y"], "default": "x" },
            "b": { "type": "integer" },
            "d": { "type": "string" } } });
        assert!(changes(old, new).is_empty());
    }

    #[test]
    fn an_unchanged_schema_has_no_breaking_changes() {
        let spec = json!({ "type": "object", "x-kubernetes-preserve-unknown-fields": true,
            "properties": { "p": { "type": "string", "default": "HTTP", "minLength": 1 } } });
        assert_eq!(changes(spec.clone(), spec), Vec::<String>::new());
    }

    #[test]
    fn dropping_preserve_unknown_fields_is_reported() {
        let old = json!({ "type": "object", "x-kubernetes-preserve-unknown-fields": true });
        let new = json!({ "type": "object" });
        assert_eq!(
            changes(old, new),
            [
                "v1 .spec: unknown fields are no longer preserved: stored ones are dropped (pruned when objects are read and written)"
            ]
        );
    }

    #[test]
    fn a_pattern_added_or_changed_is_reported_and_a_dropped_one_is_not() {
        let with = |p: &str| {
            json!({ "type": "object", "properties": {
            "p": { "type": "string", "pattern": p } } })
        };
        let without = json!({ "type": "object", "properties": { "p": { "type": "string" } } });
        assert_eq!(
            changes(with("^a$"), with("^b$")),
            ["v1 .spec.p: pattern changed to \"^b$\""]
        );
        assert_eq!(
            changes(without.clone(), with("^b$")),
            ["v1 .spec.p: pattern changed to \"^b$\""]
        );
        assert!(
            changes(with("^a$"), without).is_empty(),
            "dropping a pattern loosens"
        );
    }

    #[test]
    fn a_changed_default_is_reported() {
        let old = json!({ "type": "object", "properties": {
            "p": { "type": "string", "default": "HTTP" } } });
        let new = json!({ "type": "object", "properties": {
            "p": { "type": "string", "default": "GRPC" } } });
        assert_eq!(
            changes(old, new),
            [
                "v1 .spec.p: default changed from \"HTTP\" to \"GRPC\": objects written without the field from now on get \"GRPC\", stored ones keep their value"
            ]
        );
    }

    #[test]
    fn integers_and_strings_widened_to_int_or_string_are_not_type_changes() {
        let int_or_string = json!({ "x-kubernetes-int-or-string": true,
            "anyOf": [{ "type": "integer" }, { "type": "string" }],
            "minLength": 1, "maxLength": 32, "pattern": "^[0-9]+[KMG]i?$", "minimum": 2 });
        let old = json!({ "type": "object", "properties": {
            "size": { "type": "integer", "format": "int32", "minimum": 1 },
            "text": { "type": "string", "maxLength": 64 },
            "flag": { "type": "boolean" } } });
        let new = json!({ "type": "object", "properties": {
            "size": int_or_string, "text": int_or_string, "flag": int_or_string } });
        assert_eq!(
            changes(old, new),
            [
                "v1 .spec.flag: type changed from boolean to int-or-string",
                "v1 .spec.size: minimum tightened from 1 to 2",
                "v1 .spec.text: minLength tightened from none to 1",
                "v1 .spec.text: maxLength tightened from 64 to 32",
                "v1 .spec.text: pattern changed to \"^[0-9]+[KMG]i?$\"",
            ]
        );
    }

    #[test]
    fn removals_tightening_and_new_requirements_are_reported() {
        let old = json!({ "type": "object", "properties": {
            "gone": { "type": "string" },
            "bounded": { "type": "string", "maxLength": 10 },
            "choice": { "type": "string", "enum": ["A", "B"] },
            "list": { "type": "array", "items": { "type": "string" } },
            "n": { "type": "integer" },
            "kept": { "type": "string", "minLength": 2, "maxLength": 8 } } });
        let new = json!({ "type": "object", "required": ["n"],
            "x-kubernetes-validations": [ { "rule": "self.n > 0" } ],
            "properties": {
                // Bounds that stay as they were are not tightened.
                "kept": { "type": "string", "minLength": 2, "maxLength": 8, "pattern": "^b" },
                "bounded": { "type": "string", "maxLength": 5, "pattern": "^a" },
                "choice": { "type": "string", "enum": ["A"] },
                "list": { "type": "array", "items": { "type": "integer" } },
                "n": { "type": "integer", "minimum": 1 } } });
        assert_eq!(
            changes(old, new),
            [
                "v1 .spec: new validation rule `self.n > 0` (checked when existing objects are updated)",
                "v1 .spec: `n` is now required",
                "v1 .spec.bounded: maxLength tightened from 10 to 5",
                "v1 .spec.bounded: pattern changed to \"^a\"",
                "v1 .spec.choice: enum value \"B\" removed",
                "v1 .spec.gone: field removed: stored values are dropped (pruned when objects are read and written)",
                "v1 .spec.kept: pattern changed to \"^b\"",
                "v1 .spec.list[*]: type changed from string to integer",
                "v1 .spec.n: minimum tightened from none to 1",
            ]
        );
    }

    #[test]
    fn a_removed_version_is_breaking() {
        let old = crd(json!({ "type": "object" }));
        let mut new = old.clone();
        new["spec"]["versions"][0]["name"] = "v2".into();
        let c = breaking_changes(&old, &new);
        assert_eq!(c.len(), 1);
        assert!(c[0].what.starts_with("version removed"));
    }

    #[test]
    fn a_type_change_is_reported_once_and_preserved_parents_keep_removed_fields() {
        let old = json!({ "type": "object", "properties": {
            "o": { "type": "object", "properties": { "a": { "type": "string" } } },
            "p": { "type": "object", "x-kubernetes-preserve-unknown-fields": true,
                   "properties": { "b": { "type": "string" } } } } });
        let new = json!({ "type": "object", "properties": {
            "o": { "type": "string" },
            "p": { "type": "object", "x-kubernetes-preserve-unknown-fields": true } } });
        assert_eq!(
            changes(old, new),
            ["v1 .spec.o: type changed from object to string"]
        );
    }
}
