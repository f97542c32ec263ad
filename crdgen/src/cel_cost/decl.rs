//! The CEL declaration of a schema node, as the apiserver builds it
//! (k8s.io/apiserver/pkg/cel/common/schemas.go `SchemaDeclType`, through
//! apiextensions-apiserver's structural-schema adaptor): the type of each value, how
//! many elements (characters, items, properties) it may hold at most, and the smallest
//! size it takes in JSON. Where a bound is missing the apiserver assumes what fits in
//! one request (3 MiB).

use super::types::Ty;
use serde_json::Value;
use std::{collections::BTreeMap, rc::Rc};

/// `celconfig.MaxRequestSizeBytes`.
pub const MAX_REQUEST_SIZE_BYTES: i64 = 3 * 1024 * 1024;
const MIN_STRING_SIZE: i64 = 2;
const MIN_BOOL_SIZE: i64 = 4;
const MIN_NUMBER_SIZE: i64 = 1;
const MIN_DURATION_SIZE_JSON: i64 = 3;
const MAX_DURATION_SIZE_JSON: i64 = 32;
const JSON_DATE_SIZE: i64 = 12;
const MIN_DATETIME_SIZE_JSON: i64 = 21;
const MAX_DATETIME_SIZE_JSON: i64 = 32;

#[derive(Debug)]
pub struct Decl {
    pub kind: DeclKind,
    /// `MaxElements`: characters of a string (times 4: bytes), items of a list,
    /// properties of a map; 0 for everything else.
    pub max_elements: i64,
    /// `MinSerializedSize`.
    pub min_size: i64,
    /// The schema keyword bounding `max_elements` (`maxLength`, `maxItems`,
    /// `maxProperties`) for strings, lists and maps, and its value when set.
    pub bound_kw: Option<&'static str>,
    pub bound: Option<u64>,
}

impl Decl {
    pub fn bound_keyword(&self) -> Option<&'static str> {
        self.bound_kw
    }
}

#[derive(Debug)]
pub enum DeclKind {
    /// Fields by their CEL (escaped) name.
    Object(BTreeMap<String, Rc<Decl>>),
    List(Rc<Decl>),
    /// String keys (the shared `string` declaration, `MaxElements` 0).
    Map(Rc<Decl>),
    Scalar(Ty),
}

impl Decl {
    fn scalar(t: Ty, min_size: i64) -> Decl {
        Decl {
            kind: DeclKind::Scalar(t),
            max_elements: 0,
            min_size,
            bound_kw: None,
            bound: None,
        }
    }

    pub fn elem(&self) -> Option<&Rc<Decl>> {
        match &self.kind {
            DeclKind::List(e) | DeclKind::Map(e) => Some(e),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, DeclKind::Map(_))
    }
}

thread_local! {
    static MAP_KEY: Rc<Decl> = Rc::new(Decl::scalar(Ty::String, MIN_STRING_SIZE));
}

/// The key declaration of every map (`apiservercel.StringType`).
pub fn map_key() -> Rc<Decl> {
    MAP_KEY.with(Rc::clone)
}

fn int(s: &Value, key: &str) -> Option<i64> {
    s.get(key).and_then(Value::as_i64)
}

fn uint(s: &Value, key: &str) -> Option<u64> {
    int(s, key).map(|v| v.max(0) as u64)
}

fn flag(s: &Value, key: &str) -> bool {
    s.get(key).and_then(Value::as_bool) == Some(true)
}

fn zero_if_negative(v: i64) -> i64 {
    v.max(0)
}

fn format(s: &Value) -> &str {
    s.get("format").and_then(Value::as_str).unwrap_or("")
}

/// `SchemaDeclType(s, isResourceRoot)`; `None` where the node is not visible to CEL.
pub fn schema_decl(s: &Value, is_resource_root: bool) -> Option<Rc<Decl>> {
    if flag(s, "x-kubernetes-int-or-string") {
        let max = match int(s, "maxLength") {
            Some(l) => zero_if_negative(l) * 4,
            None => MAX_REQUEST_SIZE_BYTES - 2,
        };
        return Some(Rc::new(Decl {
            kind: DeclKind::Scalar(Ty::Dyn),
            max_elements: max,
            min_size: 1,
            bound_kw: Some("maxLength"),
            bound: uint(s, "maxLength"),
        }));
    }
    let with_meta;
    let s = if is_resource_root {
        with_meta = with_type_and_object_meta(s);
        &with_meta
    } else {
        s
    };
    let ty = s.get("type").and_then(Value::as_str).unwrap_or("");
    let decl = match ty {
        "array" => {
            let items = s.get("items")?;
            let items_decl = schema_decl(items, flag(items, "x-kubernetes-embedded-resource"))?;
            let max = match int(s, "maxItems") {
                Some(m) => zero_if_negative(m),
                None => (MAX_REQUEST_SIZE_BYTES - 2) / (items_decl.min_size + 1),
            };
            Decl {
                kind: DeclKind::List(items_decl),
                max_elements: max,
                min_size: 2,
                bound_kw: Some("maxItems"),
                bound: uint(s, "maxItems"),
            }
        }
        "object" => {
            if let Some(ap) = s.get("additionalProperties").filter(|a| a.is_object()) {
                let props = schema_decl(ap, flag(ap, "x-kubernetes-embedded-resource"))?;
                let max = match int(s, "maxProperties") {
                    Some(m) => zero_if_negative(m),
                    None => (MAX_REQUEST_SIZE_BYTES - 2) / (props.min_size + 6),
                };
                Decl {
                    kind: DeclKind::Map(props),
                    max_elements: max,
                    min_size: 2,
                    bound_kw: Some("maxProperties"),
                    bound: uint(s, "maxProperties"),
                }
            } else {
                let required: Vec<&str> = s
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let mut fields = BTreeMap::new();
                let mut min_size = 2;
                if let Some(props) = s.get("properties").and_then(Value::as_object) {
                    for (name, prop) in props {
                        let Some(field) =
                            schema_decl(prop, flag(prop, "x-kubernetes-embedded-resource"))
                        else {
                            continue;
                        };
                        if required.contains(&name.as_str()) && prop.get("default").is_none() {
                            min_size += name.len() as i64 + field.min_size + 4;
                        }
                        if let Some(escaped) = escape(name) {
                            fields.insert(escaped, field);
                        }
                    }
                }
                Decl {
                    kind: DeclKind::Object(fields),
                    max_elements: 0,
                    min_size,
                    bound_kw: None,
                    bound: None,
                }
            }
        }
        "string" => match format(s) {
            "byte" => Decl {
                kind: DeclKind::Scalar(Ty::Bytes),
                max_elements: match int(s, "maxLength") {
                    Some(l) => zero_if_negative(l),
                    None => MAX_REQUEST_SIZE_BYTES - 2,
                },
                min_size: MIN_STRING_SIZE,
                bound_kw: Some("maxLength"),
                bound: uint(s, "maxLength"),
            },
            "duration" => Decl {
                kind: DeclKind::Scalar(Ty::Duration),
                max_elements: MAX_DURATION_SIZE_JSON,
                min_size: MIN_DURATION_SIZE_JSON,

                bound_kw: None,
                bound: None,
            },
            "date" => Decl {
                kind: DeclKind::Scalar(Ty::Timestamp),
                max_elements: JSON_DATE_SIZE,
                min_size: JSON_DATE_SIZE,

                bound_kw: None,
                bound: None,
            },
            "date-time" => Decl {
                kind: DeclKind::Scalar(Ty::Timestamp),
                max_elements: MAX_DATETIME_SIZE_JSON,
                min_size: MIN_DATETIME_SIZE_JSON,

                bound_kw: None,
                bound: None,
            },
            _ => {
                let max = match int(s, "maxLength") {
                    Some(l) => zero_if_negative(l) * 4,
                    None => match s.get("enum").and_then(Value::as_array) {
                        Some(values) if !values.is_empty() => values
                            .iter()
                            .filter_map(Value::as_str)
                            .map(|v| v.len() as i64)
                            .max()
                            .unwrap_or(0),
                        _ => MAX_REQUEST_SIZE_BYTES - 2,
                    },
                };
                Decl {
                    kind: DeclKind::Scalar(Ty::String),
                    max_elements: max,
                    min_size: MIN_STRING_SIZE,
                    bound_kw: Some("maxLength"),
                    bound: uint(s, "maxLength"),
                }
            }
        },
        "boolean" => Decl::scalar(Ty::Bool, MIN_BOOL_SIZE),
        "number" => Decl::scalar(Ty::Double, MIN_NUMBER_SIZE),
        "integer" => Decl::scalar(Ty::Int, MIN_NUMBER_SIZE),
        _ => return None,
    };
    Some(Rc::new(decl))
}

/// `WithTypeAndObjectMeta`: `apiVersion`, `kind`, `metadata.name` and
/// `metadata.generateName` are always visible at the root of a resource.
fn with_type_and_object_meta(s: &Value) -> Value {
    let props = s.get("properties").and_then(Value::as_object);
    let typed = |v: Option<&Value>, t: &str| {
        v.and_then(|v| v.get("type")).and_then(Value::as_str) == Some(t)
    };
    if let Some(p) = props {
        let meta_props = p
            .get("metadata")
            .and_then(|m| m.get("properties"))
            .and_then(Value::as_object);
        if typed(p.get("kind"), "string")
            && typed(p.get("apiVersion"), "string")
            && typed(p.get("metadata"), "object")
            && meta_props.is_some_and(|m| {
                typed(m.get("name"), "string") && typed(m.get("generateName"), "string")
            })
        {
            return s.clone();
        }
    }
    let mut out = s.clone();
    let string = serde_json::json!({"type": "string"});
    let mut new_props = props.cloned().unwrap_or_default();
    new_props.insert("kind".into(), string.clone());
    new_props.insert("apiVersion".into(), string.clone());
    new_props.insert(
        "metadata".into(),
        serde_json::json!({"type": "object", "properties": {"name": string, "generateName": string}}),
    );
    out.as_object_mut()
        .expect("schema is an object")
        .insert("properties".into(), Value::Object(new_props));
    out
}

const RESERVED: &[&str] = &[
    "true",
    "false",
    "null",
    "in",
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

/// `apiservercel.Escape`: the CEL name of a property, `None` when it has none.
pub fn escape(ident: &str) -> Option<String> {
    if ident.is_empty() || ident.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    if RESERVED.contains(&ident) {
        return Some(format!("__{ident}__"));
    }
    let mut out = String::new();
    let chars: Vec<char> = ident.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '_' && chars.get(i + 1) == Some(&'_') {
            out.push_str("__underscores__");
            i += 2;
            continue;
        }
        match c {
            '.' => out.push_str("__dot__"),
            '-' => out.push_str("__dash__"),
            '/' => out.push_str("__slash__"),
            c if c.is_ascii_alphanumeric() || c == '_' => out.push(c),
            _ => return None,
        }
        i += 1;
    }
    Some(out)
}

/// The property name of an escaped CEL field name (`Escape` reversed).
pub fn unescape(name: &str) -> String {
    if let Some(inner) = name.strip_prefix("__").and_then(|n| n.strip_suffix("__"))
        && RESERVED.contains(&inner)
    {
        return inner.to_owned();
    }
    name.replace("__underscores__", "\u{0}")
        .replace("__dot__", ".")
        .replace("__dash__", "-")
        .replace("__slash__", "/")
        .replace('\u{0}', "__")
}
