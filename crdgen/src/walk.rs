//! The one schema walker: every subschema of a JSON schema with its path.
//!
//! Normalization ([`crate::normalize`]), breaking-change detection ([`crate::compat`]),
//! the markers ([`crate::markers::each`]), the CEL compile test and the e2e coverage
//! check all visit schemas through this module, so a path is spelled one way
//! everywhere: `.spec.mcp.targets[*].name`, `.*` for the values of a map,
//! `<anyOf 0>` for a member of a union, `.` for the root.
//!
//! In the spirit of kube-core's `Transform` and schemars' `transform_subschemas`,
//! but with the path of each node, and read-only or mutable:
//!
//! ```
//! use crdgen::walk::{self, Flow};
//! let schema = serde_json::json!({ "type": "object", "properties": {
//!     "targets": { "type": "array", "items": { "type": "object",
//!         "properties": { "name": { "type": "string" } } } } } });
//! let mut paths = Vec::new();
//! walk::walk(&schema, |node| {
//!     paths.push(node.path.to_string());
//!     Flow::Continue
//! });
//! assert_eq!(paths, [".", ".targets", ".targets[*]", ".targets[*].name"]);
//! ```

use serde_json::{Map, Value};
use std::fmt;

/// One step from a schema to a subschema.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// `properties.<name>`, shown `.name`.
    Property(String),
    /// `items` of a list, shown `[*]`.
    Items,
    /// `additionalProperties` (the values of a map), shown `.*`.
    Values,
    /// A member of `anyOf`, shown `<anyOf i>`.
    AnyOf(usize),
    /// A member of `oneOf`, shown `<oneOf i>`.
    OneOf(usize),
    /// A member of `allOf`, shown `<allOf i>`.
    AllOf(usize),
}

impl Step {
    /// The property name, for a [`Step::Property`].
    pub fn property(&self) -> Option<&str> {
        match self {
            Step::Property(name) => Some(name),
            _ => None,
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Property(name) => write!(f, ".{name}"),
            Step::Items => f.write_str("[*]"),
            Step::Values => f.write_str(".*"),
            Step::AnyOf(i) => write!(f, "<anyOf {i}>"),
            Step::OneOf(i) => write!(f, "<oneOf {i}>"),
            Step::AllOf(i) => write!(f, "<allOf {i}>"),
        }
    }
}

/// The path of a subschema from the root the walk started at.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Path(pub Vec<Step>);

impl Path {
    /// The steps from the root.
    pub fn steps(&self) -> &[Step] {
        &self.0
    }

    /// The last step, `None` at the root.
    pub fn last(&self) -> Option<&Step> {
        self.0.last()
    }

    /// True at the root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The path of the parent schema.
    pub fn parent(&self) -> Path {
        Path(self.0[..self.0.len().saturating_sub(1)].to_vec())
    }

    /// This path followed by `step`.
    pub fn join(&self, step: Step) -> Path {
        let mut steps = self.0.clone();
        steps.push(step);
        Path(steps)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str(".");
        }
        self.0.iter().try_for_each(|s| s.to_string().fmt(f))
    }
}

/// A subschema met by [`walk`].
#[derive(Clone, Copy, Debug)]
pub struct Node<'a> {
    /// Where it is.
    pub path: &'a Path,
    /// The schema itself (an object, or `true`/`false`).
    pub schema: &'a Value,
}

impl<'a> Node<'a> {
    /// The schema's keywords, when it is an object.
    pub fn object(&self) -> Option<&'a Map<String, Value>> {
        self.schema.as_object()
    }

    /// The value of keyword `key`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.schema.get(key)
    }

    /// True if keyword `key` is the boolean `true`.
    pub fn flag(&self, key: &str) -> bool {
        self.get(key) == Some(&Value::Bool(true))
    }

    /// True for a property of an object (which carries a field's description), false
    /// for the root, list items, map values and union members (described by their field).
    pub fn is_field(&self) -> bool {
        matches!(self.path.last(), Some(Step::Property(_)))
    }
}

/// What [`walk`] does after visiting a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Visit the node's subschemas.
    Continue,
    /// Do not descend into this node.
    Skip,
}

/// The direct subschemas of `schema`, in a fixed order: properties (by name), items,
/// map values, then union members.
pub fn children(schema: &Value) -> Vec<(Step, &Value)> {
    let Some(o) = schema.as_object() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(Value::Object(props)) = o.get("properties") {
        let mut names: Vec<&String> = props.keys().collect();
        names.sort();
        out.extend(
            names
                .into_iter()
                .map(|n| (Step::Property(n.clone()), &props[n])),
        );
    }
    if let Some(items) = o.get("items") {
        out.push((Step::Items, items));
    }
    if let Some(values) = o.get("additionalProperties") {
        out.push((Step::Values, values));
    }
    for (key, step) in UNIONS {
        if let Some(Value::Array(members)) = o.get(*key) {
            out.extend(members.iter().enumerate().map(|(i, m)| (step(i), m)));
        }
    }
    out
}

/// A union keyword and the step to one of its members.
type Union = (&'static str, fn(usize) -> Step);

const UNIONS: &[Union] = &[
    ("anyOf", Step::AnyOf),
    ("oneOf", Step::OneOf),
    ("allOf", Step::AllOf),
];

/// The direct subschemas of the schema object `o`, mutable, in no particular order.
pub fn children_mut(o: &mut Map<String, Value>) -> Vec<(Step, &mut Value)> {
    let mut out = Vec::new();
    for (k, v) in o.iter_mut() {
        match (k.as_str(), v) {
            ("properties", Value::Object(props)) => out.extend(
                props
                    .iter_mut()
                    .map(|(n, s)| (Step::Property(n.clone()), s)),
            ),
            ("items", v) => out.push((Step::Items, v)),
            ("additionalProperties", v) => out.push((Step::Values, v)),
            (key, Value::Array(members)) => {
                if let Some((_, step)) = UNIONS.iter().find(|(k, _)| *k == key) {
                    out.extend(members.iter_mut().enumerate().map(|(i, m)| (step(i), m)));
                }
            }
            _ => {}
        }
    }
    out
}

/// Visits `root` and every subschema below it, parents before children.
pub fn walk(root: &Value, mut visit: impl FnMut(Node<'_>) -> Flow) {
    fn go(path: &mut Path, schema: &Value, visit: &mut dyn FnMut(Node<'_>) -> Flow) {
        if visit(Node { path, schema }) == Flow::Skip {
            return;
        }
        for (step, child) in children(schema) {
            path.0.push(step);
            go(path, child, visit);
            path.0.pop();
        }
    }
    go(&mut Path::default(), root, &mut visit);
}

/// Visits `root` and every subschema below it mutably, parents before children (so
/// a change to a node is seen when its children are visited).
pub fn walk_mut(root: &mut Value, mut visit: impl FnMut(&Path, &mut Value)) {
    fn go(path: &mut Path, schema: &mut Value, visit: &mut dyn FnMut(&Path, &mut Value)) {
        visit(path, schema);
        let Some(o) = schema.as_object_mut() else {
            return;
        };
        for (step, child) in children_mut(o) {
            path.0.push(step);
            go(path, child, visit);
            path.0.pop();
        }
    }
    go(&mut Path::default(), root, &mut visit);
}

/// The subschema at `steps` below `root`, if there is one.
pub fn resolve<'a>(root: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    steps.iter().try_fold(root, |s, step| match step {
        Step::Property(n) => s.get("properties")?.get(n),
        Step::Items => s.get("items"),
        Step::Values => s.get("additionalProperties"),
        Step::AnyOf(i) => s.get("anyOf")?.get(i),
        Step::OneOf(i) => s.get("oneOf")?.get(i),
        Step::AllOf(i) => s.get("allOf")?.get(i),
    })
}

/// The schema of every version of `crd` (a CustomResourceDefinition as JSON), with
/// the version's name.
pub fn version_schemas(crd: &Value) -> Vec<(&str, &Value)> {
    crd["spec"]["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            (
                v["name"].as_str().unwrap_or_default(),
                &v["schema"]["openAPIV3Schema"],
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({ "type": "object", "properties": {
            "spec": { "type": "object", "properties": {
                "mcp": { "type": "object", "properties": {
                    "targets": { "type": "array", "items": { "type": "object",
                        "properties": { "name": { "type": "string" } } } } } },
                "labels": { "type": "object", "additionalProperties": { "type": "string" } },
                "port": { "anyOf": [ { "type": "integer" }, { "type": "string" } ] } } } } })
    }

    #[test]
    fn every_subschema_is_visited_with_its_path() {
        let s = schema();
        let mut seen = Vec::new();
        walk(&s, |n| {
            seen.push((n.path.to_string(), n.is_field()));
            Flow::Continue
        });
        let paths: Vec<&str> = seen.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                ".",
                ".spec",
                ".spec.labels",
                ".spec.labels.*",
                ".spec.mcp",
                ".spec.mcp.targets",
                ".spec.mcp.targets[*]",
                ".spec.mcp.targets[*].name",
                ".spec.port",
                ".spec.port<anyOf 0>",
                ".spec.port<anyOf 1>",
            ]
        );
        assert!(seen[1].1 && !seen[3].1 && !seen[6].1);
    }

    #[test]
    fn skip_prunes_and_resolve_follows_a_path() {
        let s = schema();
        let mut n = 0;
        walk(&s, |node| {
            n += 1;
            if node.path.to_string() == ".spec.mcp" {
                Flow::Skip
            } else {
                Flow::Continue
            }
        });
        assert_eq!(n, 8);
        let path = Path(vec![
            Step::Property("spec".into()),
            Step::Property("mcp".into()),
            Step::Property("targets".into()),
            Step::Items,
            Step::Property("name".into()),
        ]);
        assert_eq!(
            resolve(&s, path.steps()),
            Some(&json!({ "type": "string" }))
        );
        assert_eq!(path.parent().to_string(), ".spec.mcp.targets[*]");
        assert_eq!(resolve(&s, &[Step::Items]), None);
    }

    #[test]
    fn only_a_property_step_has_a_property_name() {
        assert_eq!(Step::Property("port".into()).property(), Some("port"));
        for step in [
            Step::Items,
            Step::Values,
            Step::AnyOf(0),
            Step::OneOf(1),
            Step::AllOf(2),
        ] {
            assert_eq!(step.property(), None, "{step}");
        }
    }

    #[test]
    fn walk_mut_reaches_every_node() {
        let mut s = schema();
        walk_mut(&mut s, |path, node| {
            if let Some(o) = node.as_object_mut() {
                o.insert("x-path".into(), path.to_string().into());
            }
        });
        assert_eq!(
            s["properties"]["spec"]["properties"]["labels"]["additionalProperties"]["x-path"],
            ".spec.labels.*"
        );
        assert_eq!(
            s["properties"]["spec"]["properties"]["port"]["anyOf"][1]["x-path"],
            ".spec.port<anyOf 1>"
        );
    }
}
