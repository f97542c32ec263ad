//! JSON Schemas for editors and CI: one file per CRD version, in the
//! `{group}/{kind}_{version}.json` layout (kind in lower case) that kubeconform and the
//! public CRD schema catalogs use.
//!
//! The schema is the version's `openAPIV3Schema`, made a plain JSON Schema (draft 7)
//! and as strict as the apiserver:
//!
//! - `additionalProperties: false` on every object with known properties, except
//!   where the CRD keeps unknown fields (`x-kubernetes-preserve-unknown-fields`):
//!   the apiserver prunes or rejects unknown fields, so an editor should flag them;
//! - `x-kubernetes-int-or-string` becomes `oneOf` integer and string;
//! - `nullable: true` adds `null` to the type;
//! - `apiVersion` and `kind` are pinned to this CRD's and required.
//!
//! CEL rules (`x-kubernetes-validations`) stay in the file for reference but no JSON
//! Schema validator runs them; the apiserver does.

use crate::walk::{self, Path};
use serde_json::{Value, json};

/// The JSON Schema dialect written in `$schema`.
pub const DIALECT: &str = "http://json-schema.org/draft-07/schema#";

/// The file name of the schema of `kind` at `version`: `agentgatewaybackend_v1alpha1.json`.
pub fn file_name(kind: &str, version: &str) -> String {
    format!("{}_{version}.json", kind.to_lowercase())
}

/// The JSON Schema of each version of `crd`, with its file name.
pub fn schemas(crd: &Value, command: &str) -> Vec<(String, Value)> {
    let group = crd["spec"]["group"].as_str().unwrap_or_default();
    let kind = crd["spec"]["names"]["kind"].as_str().unwrap_or_default();
    walk::version_schemas(crd)
        .into_iter()
        .map(|(version, schema)| {
            let mut s = schema.clone();
            strict(&mut s);
            pin(&mut s, &format!("{group}/{version}"), kind);
            if let Some(o) = s.as_object_mut() {
                o.insert("$schema".into(), DIALECT.into());
                o.insert(
                    "$comment".into(),
                    crate::render::header_text(command).into(),
                );
                o.entry("title").or_insert_with(|| kind.into());
            }
            (file_name(kind, version), s)
        })
        .collect()
}

/// Renders a schema as pretty-printed JSON with sorted keys (so `$comment`, the
/// generated-file header, comes first) and a final newline.
pub fn render(schema: &Value) -> String {
    let mut out = serde_json::to_string_pretty(&Sorted(schema)).unwrap_or_default();
    out.push('\n');
    out
}

/// Serializes a JSON value with every object's keys in sorted order, whatever
/// serde_json's map type (`preserve_order` may be enabled somewhere in the build),
/// streaming into the writer without copying the value.
struct Sorted<'a>(&'a Value);

impl serde::Serialize for Sorted<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Object(o) => {
                let mut entries: Vec<(&String, &Value)> = o.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, &Sorted(v))?;
                }
                map.end()
            }
            Value::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(&Sorted(v))?;
                }
                seq.end()
            }
            other => other.serialize(s),
        }
    }
}

/// Makes every node of an OpenAPI v3 (Kubernetes structural) schema a strict JSON Schema.
fn strict(schema: &mut Value) {
    walk::walk_mut(schema, |_: &Path, node| {
        let Some(o) = node.as_object_mut() else {
            return;
        };
        if o.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
            o.remove("anyOf");
            o.remove("type");
            o.insert(
                "oneOf".into(),
                json!([{ "type": "integer" }, { "type": "string" }]),
            );
        }
        if o.remove("nullable") == Some(Value::Bool(true))
            && let Some(t) = o.get("type").and_then(Value::as_str)
        {
            let t = t.to_owned();
            o.insert("type".into(), json!([t, "null"]));
        }
        let keeps_unknown =
            o.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
        if o.contains_key("properties") && !keeps_unknown && !o.contains_key("additionalProperties")
        {
            o.insert("additionalProperties".into(), false.into());
        }
    });
}

/// Pins `apiVersion` and `kind` at the root and requires both.
fn pin(schema: &mut Value, api_version: &str, kind: &str) {
    let Some(o) = schema.as_object_mut() else {
        return;
    };
    let props = o
        .entry("properties")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    if let Some(props) = props {
        for (name, value) in [("apiVersion", api_version), ("kind", kind)] {
            let field = props.entry(name).or_insert_with(|| json!({}));
            if let Some(f) = field.as_object_mut() {
                f.insert("type".into(), "string".into());
                f.insert("enum".into(), json!([value]));
            }
        }
    }
    let required = o.entry("required").or_insert_with(|| json!([]));
    if let Some(list) = required.as_array_mut() {
        for name in ["apiVersion", "kind"] {
            if !list.iter().any(|v| v == name) {
                list.push(name.into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crd(schema: Value) -> Value {
        json!({ "spec": { "group": "example.dev", "names": { "kind": "Widget" },
            "versions": [{ "name": "v1", "schema": { "openAPIV3Schema": schema } }] } })
    }

    #[test]
    fn objects_are_closed_unless_they_keep_unknown_fields() {
        let out = schemas(
            &crd(json!({ "type": "object", "properties": {
                "spec": { "type": "object", "properties": {
                    "open": { "type": "object", "x-kubernetes-preserve-unknown-fields": true,
                              "properties": { "a": { "type": "string" } } },
                    "labels": { "type": "object", "additionalProperties": { "type": "string" } },
                    "port": { "anyOf": [{ "type": "integer" }, { "type": "string" }],
                              "x-kubernetes-int-or-string": true }
                } } } })),
            "x",
        );
        assert_eq!(out.len(), 1);
        let (name, s) = &out[0];
        assert_eq!(name, "widget_v1.json");
        assert_eq!(s["additionalProperties"], false);
        let spec = &s["properties"]["spec"];
        assert_eq!(spec["additionalProperties"], false);
        assert!(
            spec["properties"]["open"]
                .get("additionalProperties")
                .is_none()
        );
        assert_eq!(
            spec["properties"]["labels"]["additionalProperties"],
            json!({ "type": "string" })
        );
        let port = &spec["properties"]["port"];
        assert_eq!(
            port["oneOf"],
            json!([{ "type": "integer" }, { "type": "string" }])
        );
        assert!(port.get("anyOf").is_none());
        assert_eq!(
            s["properties"]["apiVersion"]["enum"],
            json!(["example.dev/v1"])
        );
        assert_eq!(s["properties"]["kind"]["enum"], json!(["Widget"]));
        assert_eq!(s["required"], json!(["apiVersion", "kind"]));
        let text = render(s);
        assert!(
            text.starts_with("{\n  \"$comment\": \"Code generated by `x`"),
            "{text}"
        );
        assert!(crate::output::is_generated(text.as_bytes()));
    }
}
