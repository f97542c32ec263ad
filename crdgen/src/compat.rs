//! Breaking-change detection: what a schema change does to objects already stored.
//!
//! Compares the CRD as checked in with the CRD the types produce now and lists every
//! change that can make an existing object invalid, or lose data, once the new CRD is
//! applied: a removed version or field (pruned on the next write), a changed type, a
//! newly required field, a removed enum value, a tightened bound or pattern, a new CEL
//! rule. Loosening changes (a new optional field, a wider bound) are not listed.

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
    let versions = |crd: &Value| -> Vec<(String, Value)> {
        crd["spec"]["versions"]
            .as_array()
            .map(|vs| {
                vs.iter()
                    .map(|v| {
                        (
                            v["name"].as_str().unwrap_or_default().to_owned(),
                            v["schema"]["openAPIV3Schema"].clone(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let new_versions = versions(new);
    for (name, old_schema) in versions(old) {
        match new_versions.iter().find(|(n, _)| *n == name) {
            None => out.push(Breaking {
                path: name.clone(),
                what: "version removed: objects stored in it can no longer be read".into(),
            }),
            Some((_, new_schema)) => schema(&mut out, &name, "", &old_schema, new_schema),
        }
    }
    out
}

fn push(out: &mut Vec<Breaking>, version: &str, path: &str, what: String) {
    let path = if path.is_empty() { "." } else { path };
    out.push(Breaking {
        path: format!("{version} {path}"),
        what,
    });
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

fn schema(out: &mut Vec<Breaking>, version: &str, path: &str, old: &Value, new: &Value) {
    let preserve =
        |s: &Value| s.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    if old.get("type") != new.get("type") && old.get("type").is_some() {
        push(
            out,
            version,
            path,
            format!("type changed from {} to {}", old["type"], new["type"]),
        );
        return;
    }
    if preserve(old) && !preserve(new) {
        push(
            out,
            version,
            path,
            "unknown fields are no longer preserved: they are pruned on the next write".into(),
        );
    }
    for (key, tighter_when_larger) in BOUNDS {
        let (o, n) = (
            old.get(*key).and_then(Value::as_f64),
            new.get(*key).and_then(Value::as_f64),
        );
        let tightened = match (o, n) {
            (None, Some(_)) => true,
            (Some(o), Some(n)) => (n > o) == *tighter_when_larger && n != o,
            _ => false,
        };
        if tightened {
            let shown = |v: Option<f64>| v.map_or("none".to_owned(), |v| v.to_string());
            push(
                out,
                version,
                path,
                format!("{key} tightened from {} to {}", shown(o), shown(n)),
            );
        }
    }
    if new.get("pattern").is_some() && old.get("pattern") != new.get("pattern") {
        push(
            out,
            version,
            path,
            format!("pattern changed to {}", new["pattern"]),
        );
    }
    if let Some(Value::Array(new_enum)) = new.get("enum") {
        match old.get("enum") {
            Some(Value::Array(old_enum)) => {
                for v in old_enum.iter().filter(|v| !new_enum.contains(v)) {
                    push(out, version, path, format!("enum value {v} removed"));
                }
            }
            _ => push(out, version, path, "values restricted to an enum".into()),
        }
    }
    // Rules are compared with whitespace removed, and shown as written.
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
    for (_, rule) in rules(new)
        .into_iter()
        .filter(|(key, _)| !old_rules.contains(key))
    {
        push(
            out,
            version,
            path,
            format!("new validation rule `{rule}` (checked when existing objects are updated)"),
        );
    }
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
    for r in required(new)
        .into_iter()
        .filter(|r| !old_required.contains(r))
    {
        push(out, version, path, format!("`{r}` is now required"));
    }
    if let Some(Value::Object(old_props)) = old.get("properties") {
        let new_props = new.get("properties").and_then(Value::as_object);
        for (name, old_child) in old_props {
            let child_path = format!("{path}.{name}");
            match new_props.and_then(|p| p.get(name)) {
                Some(new_child) => schema(out, version, &child_path, old_child, new_child),
                None if preserve(new) => {}
                None => push(
                    out,
                    version,
                    &child_path,
                    "field removed: stored values are pruned on the next write".into(),
                ),
            }
        }
    }
    for (key, suffix) in [("items", "[*]"), ("additionalProperties", ".*")] {
        if let (Some(o), Some(n)) = (old.get(key), new.get(key)) {
            schema(out, version, &format!("{path}{suffix}"), o, n);
        }
    }
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

    fn changes(old: Value, new: Value) -> Vec<String> {
        breaking_changes(&crd(old), &crd(new))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn loosening_and_additions_are_not_breaking() {
        let old = json!({ "type": "object", "properties": {
            "a": { "type": "string", "maxLength": 5, "enum": ["x"] } } });
        let new = json!({ "type": "object", "properties": {
            "a": { "type": "string", "maxLength": 10, "enum": ["x", "y"] },
            "b": { "type": "integer" } } });
        assert!(changes(old, new).is_empty());
    }

    #[test]
    fn removals_tightening_and_new_requirements_are_reported() {
        let old = json!({ "type": "object", "properties": {
            "gone": { "type": "string" },
            "bounded": { "type": "string", "maxLength": 10 },
            "choice": { "type": "string", "enum": ["A", "B"] },
            "list": { "type": "array", "items": { "type": "string" } },
            "n": { "type": "integer" } } });
        let new = json!({ "type": "object", "required": ["n"],
            "x-kubernetes-validations": [ { "rule": "self.n > 0" } ],
            "properties": {
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
                "v1 .spec.gone: field removed: stored values are pruned on the next write",
                "v1 .spec.list[*]: type changed from \"string\" to \"integer\"",
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
}
