//! Pass 2: normalize the generated schema and reject what the apiserver would refuse.
//!
//! schemars writes JSON Schema; Kubernetes accepts a structural subset of OpenAPI v3.
//! [`normalize`] removes the difference (titles, `$schema`, unsigned formats) and then
//! checks the result, so a schema problem is reported here, with the path of the field
//! and the fix, instead of by an apiserver at install time.

use crate::markers::{MARKER_ERROR, VALIDATIONS};
use crate::walk::{self, Flow, Node, Step};
use serde_json::{Map, Value};
use std::fmt;

/// A schema the apiserver would reject or that breaks the project's rules.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// The CRD, e.g. `agentgatewaybackends.agentgateway.dev`.
    pub crd: String,
    /// JSON path of the offending schema, e.g. `.spec.mcp.targets[*].name`.
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.crd, self.path, self.message)
    }
}

/// Runs every normalization step over each version's schema of `crd`, then validates
/// it: every [`CHECKS`] function over every node, and every problem a marker recorded
/// ([`MARKER_ERROR`]) reported with the field's path.
pub fn normalize(crd: &mut Value) -> Result<(), Vec<Problem>> {
    let name = crd["metadata"]["name"]
        .as_str()
        .unwrap_or("<unnamed>")
        .to_owned();
    let mut problems = Vec::new();
    if let Some(versions) = crd["spec"]["versions"].as_array_mut() {
        for version in versions {
            let schema = &mut version["schema"]["openAPIV3Schema"];
            walk::walk_mut(schema, |_, node| strip(node));
            walk::walk(schema, |node| {
                for message in CHECKS.iter().flat_map(|check| check(node)) {
                    problems.push(Problem {
                        crd: name.clone(),
                        path: node.path.to_string(),
                        message,
                    });
                }
                // The root's metadata is the apiserver's, not ours.
                if node.path.parent().is_root()
                    && node.path.last() == Some(&Step::Property("metadata".into()))
                {
                    Flow::Skip
                } else {
                    Flow::Continue
                }
            });
            walk::walk_mut(schema, |_, node| {
                if let Some(o) = node.as_object_mut() {
                    o.remove(MARKER_ERROR);
                }
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Keywords schemars may write that have no place in a CRD schema.
const DROPPED: &[&str] = &[
    "$schema",
    "$id",
    "title",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// Integer formats Kubernetes knows; schemars' unsigned and small formats are not among them.
const KNOWN_INT_FORMATS: &[&str] = &["int32", "int64"];

fn strip(node: &mut Value) {
    let Some(o) = node.as_object_mut() else {
        return;
    };
    strip_null(o);
    unit_enum(o);
    for k in DROPPED {
        o.remove(*k);
    }
    if o.get("type").and_then(Value::as_str) == Some("integer") {
        let format = o.get("format").and_then(Value::as_str).unwrap_or("");
        if !KNOWN_INT_FORMATS.contains(&format) {
            o.remove("format");
        }
    }
    if o.get("type").and_then(Value::as_str) == Some("number") {
        // `double`/`float` from f64/f32 is noise for the apiserver; controller-gen emits none.
        o.remove("format");
    }
}

/// `Option<T>` comes out of schemars as "T or null": `type: [T, "null"]`, or
/// `anyOf: [T, {type: null}]` for schemas without a single type. Kubernetes expresses
/// optional fields by leaving them out of `required`, so the `null` goes, and an
/// `anyOf` left with one member is merged into its parent: the member contributes the
/// type's schema, the parent the field's description and field-level validations.
fn strip_null(o: &mut Map<String, Value>) {
    let is_null = |v: &Value| v.get("type").and_then(Value::as_str) == Some("null");
    if let Some(Value::Array(types)) = o.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let t = types.remove(0);
            o.insert("type".into(), t);
        }
    }
    if let Some(Value::Array(values)) = o.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    let Some(Value::Array(any)) = o.get_mut("anyOf") else {
        return;
    };
    if !any.iter().any(is_null) {
        return;
    }
    any.retain(|v| !is_null(v));
    // One member left, a schema object: merged below. Anything else stays as it is.
    if any.len() != 1 || !any[0].is_object() {
        return;
    }
    let Some(Value::Object(mut merged)) = any.pop() else {
        return;
    };
    o.remove("anyOf");
    for (k, v) in std::mem::take(o) {
        match (k.as_str(), merged.get_mut(&k)) {
            ("x-kubernetes-validations" | MARKER_ERROR, Some(Value::Array(inner))) => {
                if let Value::Array(outer) = v {
                    inner.extend(outer);
                }
            }
            _ => {
                merged.insert(k, v);
            }
        }
    }
    *o = merged;
    strip_null(o);
}

/// A Rust enum of unit variants with doc comments comes out as `oneOf` one `const` per
/// variant (so each can carry its description). Kubernetes wants `type: string` with
/// an `enum` list. The variants' docs are not lost: unless the field's description
/// already names every documented value (as `` `Value` ``), they are appended to it as
/// a list, so `kubectl explain` tells what each value does.
fn unit_enum(o: &mut Map<String, Value>) {
    let Some(Value::Array(variants)) = o.get("oneOf") else {
        return;
    };
    let mut values = Vec::new();
    let mut docs = Vec::new();
    for v in variants {
        let Some(v) = v.as_object() else { return };
        if v.keys()
            .any(|k| !matches!(k.as_str(), "const" | "enum" | "type" | "description"))
        {
            return;
        }
        match (v.get("const"), v.get("enum")) {
            (Some(Value::String(c)), None) => {
                values.push(Value::String(c.clone()));
                if let Some(Value::String(d)) = v.get("description") {
                    docs.push((c.clone(), d.clone()));
                }
            }
            (None, Some(Value::Array(e))) if e.iter().all(Value::is_string) => {
                values.extend(e.iter().cloned())
            }
            _ => return,
        }
    }
    o.remove("oneOf");
    o.insert("type".into(), "string".into());
    o.insert("enum".into(), Value::Array(values));
    let description = o
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if docs
        .iter()
        .all(|(value, _)| description.contains(&format!("`{value}`")))
    {
        return;
    }
    let list: Vec<String> = docs
        .iter()
        .map(|(value, doc)| format!("- `{value}`: {}", doc.replace('\n', "\n  ")))
        .collect();
    let described = if description.is_empty() {
        list.join("\n")
    } else {
        format!("{description}\n\nValues:\n{}", list.join("\n"))
    };
    o.insert("description".into(), described.into());
}

/// One check of a schema node: the problems found there (what and how to fix).
pub type Check = fn(Node<'_>) -> Vec<String>;

/// Every check [`normalize`] runs on every node, in the order problems are listed.
pub const CHECKS: &[Check] = &[
    marker_errors,
    untyped,
    non_structural_keywords,
    any_of_only_for_int_or_string,
    single_type,
    has_type,
    documented,
    required_are_properties,
    enum_values_unique,
    rules_have_an_expression,
    keywords_fit_the_type,
    no_additional_properties_false,
];

fn one(problem: Option<String>) -> Vec<String> {
    problem.into_iter().collect()
}

/// What markers recorded as not fitting the field they were applied to.
fn marker_errors(node: Node<'_>) -> Vec<String> {
    node.get(MARKER_ERROR)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.as_str().map(str::to_owned))
        .collect()
}

fn untyped(node: Node<'_>) -> Vec<String> {
    one(node.object().is_none().then(|| {
        "schema is `true`/`false` (an untyped value such as serde_json::Value); \
         add `#[schemars(transform = markers::preserve_unknown_fields)]` or give the field a concrete type"
            .into()
    }))
}

fn non_structural_keywords(node: Node<'_>) -> Vec<String> {
    [
        "$ref",
        "$defs",
        "definitions",
        "oneOf",
        "allOf",
        "not",
        "const",
        "if",
        "then",
        "else",
    ]
    .into_iter()
    .filter(|k| node.get(k).is_some())
    .map(|key| {
        format!(
            "`{key}` is not allowed in a structural schema; \
                 model unions as structs of optional fields with an exactly-one-of marker, \
                 and unit-only enums for string choices"
        )
    })
    .collect()
}

fn any_of_only_for_int_or_string(node: Node<'_>) -> Vec<String> {
    one(
        (node.get("anyOf").is_some() && !node.flag("x-kubernetes-int-or-string")).then(|| {
            "`anyOf` is only allowed for int-or-string; use `markers::int_or_string`".into()
        }),
    )
}

fn single_type(node: Node<'_>) -> Vec<String> {
    one(matches!(node.get("type"), Some(Value::Array(_))).then(|| {
        "`type` must be a single string; a field has one type (use `markers::int_or_string` for int-or-string)".into()
    }))
}

fn has_type(node: Node<'_>) -> Vec<String> {
    let exempt = node.object().is_none()
        || node.get("type").is_some()
        || node.flag("x-kubernetes-preserve-unknown-fields")
        || node.flag("x-kubernetes-int-or-string");
    one((!exempt).then(|| {
        "no `type`: the apiserver requires one on every field of a structural schema; \
         use a concrete type, or mark the field with `markers::preserve_unknown_fields`"
            .into()
    }))
}

/// Fields carry descriptions; list items, map values and union members are described
/// by their field, and embedded `metadata` by Kubernetes.
fn documented(node: Node<'_>) -> Vec<String> {
    let Some(o) = node.object() else {
        return vec![];
    };
    let exempt = !node.is_field()
        || node.path.last() == Some(&Step::Property("metadata".into()))
        || has_description(o);
    one((!exempt)
        .then(|| "no description: document the field or type with a `///` doc comment".into()))
}

fn required_are_properties(node: Node<'_>) -> Vec<String> {
    let props = node.get("properties").and_then(Value::as_object);
    node.get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| r.as_str().unwrap_or_default())
        .filter(|r| props.is_none_or(|p| !p.contains_key(*r)))
        .map(|r| format!("`{r}` is required but is not a property"))
        .collect()
}

fn enum_values_unique(node: Node<'_>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    node.get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| !seen.insert(v.to_string()))
        .map(|v| format!("enum value {v} appears twice"))
        .collect()
}

fn rules_have_an_expression(node: Node<'_>) -> Vec<String> {
    node.get(VALIDATIONS)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| {
            r.get("rule")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        })
        .map(|_| "a CEL validation without a rule".to_owned())
        .collect()
}

/// Bounds the apiserver ignores on other types, so a misplaced one is a silent no-op
/// (schemars' own `length`/`range`/`regex` attributes are dropped on types they do
/// not fit; this catches what reaches the schema by other means). Nodes where a
/// marker already reported a problem are left to that report.
fn keywords_fit_the_type(node: Node<'_>) -> Vec<String> {
    const FITS: &[(&[&str], &str, &str)] = &[
        (
            &["minLength", "maxLength", "pattern"],
            "string",
            "markers::length / markers::pattern",
        ),
        (
            &["minItems", "maxItems", "x-kubernetes-list-type"],
            "array",
            "markers::items / markers::list_*",
        ),
        (&["minimum", "maximum"], "integer|number", "markers::range"),
        (
            &["minProperties", "maxProperties", "x-kubernetes-map-type"],
            "object",
            "markers::properties / markers::map_*",
        ),
    ];
    let Some(Value::String(ty)) = node.get("type") else {
        return vec![];
    };
    if node.get(MARKER_ERROR).is_some() {
        return vec![];
    }
    let mut out = Vec::new();
    for (keys, types, markers) in FITS {
        if types.split('|').any(|t| t == ty) {
            continue;
        }
        for key in keys.iter().filter(|k| node.get(k).is_some()) {
            out.push(format!(
                "`{key}` applies to {types} values, but this field is {ty}: \
                 move the bound ({markers}) to a field of that type, or use markers::each for list elements"
            ));
        }
    }
    if let Some(default) = node.get("default") {
        let ok = match ty.as_str() {
            "string" => default.is_string(),
            "integer" => default.is_i64() || default.is_u64(),
            "number" => default.is_number(),
            "boolean" => default.is_boolean(),
            "array" => default.is_array(),
            "object" => default.is_object(),
            _ => true,
        };
        let in_enum = node
            .get("enum")
            .and_then(Value::as_array)
            .is_none_or(|e| e.contains(default));
        if !ok || !in_enum {
            out.push(format!(
                "default {default} is not a valid {ty}{}: fix the value given to markers::default",
                if in_enum { "" } else { " of the enum" }
            ));
        }
    }
    out
}

fn no_additional_properties_false(node: Node<'_>) -> Vec<String> {
    // schemars' deny_unknown_fields; Kubernetes prunes unknown fields anyway.
    one((node.get("additionalProperties") == Some(&Value::Bool(false))).then(|| {
        "`additionalProperties: false` is not allowed; remove `deny_unknown_fields` (the apiserver prunes unknown fields)".into()
    }))
}

fn has_description(o: &Map<String, Value>) -> bool {
    o.get("description")
        .and_then(Value::as_str)
        .is_some_and(|d| !d.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn crd(schema: Value) -> Value {
        json!({
            "metadata": { "name": "things.example.dev" },
            "spec": { "versions": [ { "schema": { "openAPIV3Schema": schema } } ] },
        })
    }

    fn problems(schema: Value) -> Vec<String> {
        let mut c = crd(schema);
        match normalize(&mut c) {
            Ok(()) => vec![],
            Err(p) => p
                .iter()
                .map(|p| format!("{} {}", p.path, p.message))
                .collect(),
        }
    }

    #[test]
    fn strips_titles_and_unsigned_formats() {
        let mut c = crd(json!({
            "type": "object", "description": "root", "title": "T",
            "properties": { "n": { "type": "integer", "format": "uint32", "minimum": 0, "description": "n" },
                            "m": { "type": "integer", "format": "int32", "description": "m" } },
        }));
        normalize(&mut c).expect("valid");
        let s = &c["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        assert!(s.get("title").is_none());
        assert!(s["properties"]["n"].get("format").is_none());
        assert_eq!(s["properties"]["n"]["minimum"], 0);
        assert_eq!(s["properties"]["m"]["format"], "int32");
    }

    #[test]
    fn rejects_untyped_and_undocumented_fields_with_their_path() {
        let p = problems(json!({
            "type": "object", "description": "root",
            "properties": { "spec": { "type": "object", "description": "s", "properties": {
                "any": true,
                "bare": { "type": "string" },
                "list": { "type": "array", "description": "l", "items": { "type": "string" } },
            } } },
        }));
        assert_eq!(p.len(), 2, "{p:#?}");
        assert!(p[0].starts_with(".spec.any schema is `true`"), "{p:#?}");
        assert!(p[1].starts_with(".spec.bare no description"), "{p:#?}");
    }

    #[test]
    fn rejects_non_structural_keywords() {
        let p = problems(json!({
            "type": "object", "description": "root",
            "properties": { "u": { "description": "u", "oneOf": [ { "type": "string" } ] },
                            "n": { "description": "n", "type": ["string", "integer"] } },
        }));
        assert!(p.iter().any(|p| p.starts_with(".u `oneOf`")), "{p:#?}");
        assert!(p.iter().any(|p| p.starts_with(".u no `type`")), "{p:#?}");
        assert!(
            p.iter()
                .any(|p| p.starts_with(".n `type` must be a single string")),
            "{p:#?}"
        );
    }

    #[test]
    fn optional_fields_lose_null_and_unit_enums_become_string_enums() {
        let mut c = crd(json!({
            "type": "object", "description": "root",
            "properties": {
                "s": { "description": "s", "type": ["string", "null"], "maxLength": 3 },
                "o": { "description": "field doc", "x-kubernetes-validations": [ { "rule": "outer" } ],
                       "anyOf": [ { "type": "object", "description": "type doc",
                                    "x-kubernetes-validations": [ { "rule": "inner" } ] },
                                  { "type": "null" } ] },
                "e": { "description": "e", "oneOf": [ { "const": "A", "description": "a" },
                                                      { "type": "string", "enum": ["B"] } ] },
            },
        }));
        normalize(&mut c).expect("valid");
        let p = &c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"];
        assert_eq!(
            p["s"],
            json!({ "description": "s", "type": "string", "maxLength": 3 })
        );
        assert_eq!(
            p["o"],
            json!({ "description": "field doc", "type": "object",
                    "x-kubernetes-validations": [ { "rule": "inner" }, { "rule": "outer" } ] })
        );
        assert_eq!(
            p["e"],
            json!({ "description": "e\n\nValues:\n- `A`: a", "type": "string", "enum": ["A", "B"] })
        );
    }

    #[test]
    fn enum_values_already_explained_by_the_field_are_not_listed_again() {
        let mut c = crd(json!({
            "type": "object", "description": "root",
            "properties": {
                "e": { "description": "`A` does this, `B` that.",
                       "oneOf": [ { "const": "A", "description": "a" }, { "const": "B", "description": "b" } ] },
                "f": { "description": "Only `A` is named.",
                       "oneOf": [ { "const": "A", "description": "a\nmore" }, { "const": "B", "description": "b" } ] },
            },
        }));
        normalize(&mut c).expect("valid");
        let p = &c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"];
        assert_eq!(p["e"]["description"], "`A` does this, `B` that.");
        assert_eq!(
            p["f"]["description"],
            "Only `A` is named.\n\nValues:\n- `A`: a\n  more\n- `B`: b"
        );
    }

    #[test]
    fn int_or_string_and_preserved_fields_need_no_type() {
        let p = problems(json!({
            "type": "object", "description": "root",
            "properties": {
                "ios": { "description": "i", "x-kubernetes-int-or-string": true,
                         "anyOf": [ { "type": "integer" }, { "type": "string" } ] },
                "raw": { "description": "r", "x-kubernetes-preserve-unknown-fields": true },
            },
        }));
        assert!(p.is_empty(), "{p:#?}");
    }

    #[test]
    fn marker_errors_are_reported_with_the_path_and_removed() {
        let schema = json!({
            "type": "object", "description": "root",
            "properties": { "n": { "description": "n", "type": ["integer", "null"],
                                   "x-crdgen-error": ["`markers::length` does not fit"] } },
        });
        assert_eq!(
            problems(schema.clone()),
            [".n `markers::length` does not fit"]
        );
        let mut ok = crd(json!({ "type": "object", "description": "root",
            "properties": { "s": { "description": "s", "type": "integer", "maxLength": 3, "default": "x" } } }));
        let p = normalize(&mut ok).expect_err("misplaced keywords");
        assert!(
            p[0].message
                .starts_with("`maxLength` applies to string values, but this field is integer"),
            "{p:#?}"
        );
        assert!(
            p[1].message
                .starts_with("default \"x\" is not a valid integer"),
            "{p:#?}"
        );
    }
}

#[cfg(test)]
mod checks_tests;
