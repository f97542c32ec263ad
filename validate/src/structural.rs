//! What the apiserver checks with a CRD's structural schema before CEL rules: unknown
//! fields (pruned, or errors under strict field validation), nulls of non-nullable
//! fields (dropped), then types, enums, bounds, patterns, formats, required fields
//! and the uniqueness of `set` and `map` lists.
//!
//! Kubernetes' schema extensions (`x-kubernetes-*`) and its message texts are not JSON
//! Schema's, so this walk is ours; CEL rules and defaulting are kube-cel's.

use crate::error::{ErrorType, FieldError};
use regex::Regex;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};

/// The compiled `pattern`s of a schema, by pattern text.
pub type Patterns = BTreeMap<String, Regex>;

/// Compiles every `pattern` under `schema` (RE2 syntax, which `regex` implements).
pub fn patterns(schema: &Value, out: &mut Patterns) -> Result<(), regex::Error> {
    if let Some(p) = schema.get("pattern").and_then(Value::as_str)
        && !out.contains_key(p)
    {
        out.insert(p.to_owned(), Regex::new(p)?);
    }
    for (_, child) in crdgen::walk::children(schema) {
        patterns(child, out)?;
    }
    Ok(())
}

fn flag(schema: &Value, key: &str) -> bool {
    schema.get(key).and_then(Value::as_bool) == Some(true)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Removes fields the schema does not declare (recording their paths in `unknown`)
/// and nulls of fields that are not nullable, as the apiserver does before defaulting.
/// `metadata` at the root is the apiserver's own type and left alone.
pub fn prune(schema: &Value, value: &mut Value, path: &str, unknown: &mut Vec<String>) {
    if flag(schema, "x-kubernetes-preserve-unknown-fields") && schema.get("properties").is_none() {
        return;
    }
    match value {
        Value::Object(map) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            let preserve = flag(schema, "x-kubernetes-preserve-unknown-fields");
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                let child_path = join(path, &key);
                let child_schema = props.and_then(|p| p.get(&key)).or(additional);
                match child_schema {
                    Some(s) => {
                        if map[&key].is_null() && !flag(s, "nullable") {
                            map.remove(&key);
                        } else if !(path.is_empty() && key == "metadata")
                            && let Some(child) = map.get_mut(&key)
                        {
                            prune(s, child, &child_path, unknown);
                        }
                    }
                    None if preserve => {}
                    None => {
                        map.remove(&key);
                        unknown.push(child_path);
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter_mut().enumerate() {
                    prune(item_schema, item, &format!("{path}[{i}]"), unknown);
                }
            }
        }
        _ => {}
    }
}

/// The JSON type name the apiserver uses in type errors.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(want: &str, v: &Value) -> bool {
    match want {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        _ => true,
    }
}

/// Checks `value` against `schema`, appending errors in the apiserver's form.
pub fn check(
    schema: &Value,
    value: &Value,
    path: &str,
    pats: &Patterns,
    out: &mut Vec<FieldError>,
) {
    if value.is_null() && flag(schema, "nullable") {
        return;
    }
    let int_or_string = flag(schema, "x-kubernetes-int-or-string");
    if int_or_string {
        if !(value.is_string() || value.is_i64() || value.is_u64()) {
            let t = type_name(value);
            out.push(FieldError::new(
                path,
                ErrorType::TypeInvalid,
                Some(format!("\"{t}\"")),
                format!("{path} in body must be of type integer,string: \"{t}\""),
            ));
            return;
        }
    } else if let Some(want) = schema.get("type").and_then(Value::as_str)
        && !type_matches(want, value)
    {
        let t = type_name(value);
        out.push(FieldError::new(
            path,
            ErrorType::TypeInvalid,
            Some(format!("\"{t}\"")),
            format!("{path} in body must be of type {want}: \"{t}\""),
        ));
        return;
    }
    match value {
        Value::Object(map) => check_object(schema, map, path, pats, out),
        Value::Array(items) => check_array(schema, items, path, pats, out),
        Value::String(s) => check_string(schema, s, value, path, pats, out),
        Value::Number(n) => check_number(schema, n.as_f64().unwrap_or_default(), value, path, out),
        _ => {}
    }
    check_enum(schema, value, path, out);
}

fn check_object(
    schema: &Value,
    map: &Map<String, Value>,
    path: &str,
    pats: &Patterns,
    out: &mut Vec<FieldError>,
) {
    let props = schema.get("properties").and_then(Value::as_object);
    let n = map.len() as u64;
    if let Some(max) = schema.get("maxProperties").and_then(Value::as_u64)
        && n > max
    {
        out.push(FieldError::new(
            path,
            ErrorType::TooMany,
            Some(n.to_string()),
            format!("must have at most {max} items"),
        ));
    }
    if let Some(min) = schema.get("minProperties").and_then(Value::as_u64)
        && n < min
    {
        out.push(FieldError::new(
            path,
            ErrorType::Invalid,
            Some(n.to_string()),
            format!("{path} in body should have at least {min} properties"),
        ));
    }
    for req in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !map.contains_key(req) {
            out.push(FieldError::required(&join(path, req), ""));
        }
    }
    // The root's metadata is the apiserver's ObjectMeta, checked elsewhere.
    let additional = schema.get("additionalProperties").filter(|a| a.is_object());
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for key in keys {
        if path.is_empty() && key == "metadata" {
            continue;
        }
        if let Some(s) = props.and_then(|p| p.get(key)).or(additional) {
            check(s, &map[key], &join(path, key), pats, out);
        }
    }
}

fn check_array(
    schema: &Value,
    items: &[Value],
    path: &str,
    pats: &Patterns,
    out: &mut Vec<FieldError>,
) {
    let n = items.len() as u64;
    if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
        && n > max
    {
        let noun = if max == 1 { "item" } else { "items" };
        out.push(FieldError::new(
            path,
            ErrorType::TooMany,
            Some(n.to_string()),
            format!("must have at most {max} {noun}"),
        ));
    }
    if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
        && n < min
    {
        out.push(FieldError::new(
            path,
            ErrorType::Invalid,
            Some(n.to_string()),
            format!("{path} in body should have at least {min} items"),
        ));
    }
    if let Some(item_schema) = schema.get("items") {
        for (i, item) in items.iter().enumerate() {
            check(item_schema, item, &format!("{path}[{i}]"), pats, out);
        }
    }
}

/// Entries of `set` and `map` lists must be unique (by value, or by their map keys).
pub fn check_list_types(schema: &Value, value: &Value, path: &str, out: &mut Vec<FieldError>) {
    match value {
        Value::Object(map) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for key in keys {
                if let Some(s) = props.and_then(|p| p.get(key)).or(additional) {
                    check_list_types(s, &map[key], &join(path, key), out);
                }
            }
        }
        Value::Array(items) => {
            let list_type = schema.get("x-kubernetes-list-type").and_then(Value::as_str);
            let map_keys: Vec<&str> = schema
                .get("x-kubernetes-list-map-keys")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let mut seen = HashSet::new();
            for (i, item) in items.iter().enumerate() {
                let identity = match list_type {
                    Some("set") => Some(item.to_string()),
                    Some("map") => {
                        let mut key = Map::new();
                        for k in &map_keys {
                            if let Some(v) = item.get(*k) {
                                key.insert((*k).to_owned(), v.clone());
                            }
                        }
                        Some(Value::Object(key).to_string())
                    }
                    _ => None,
                };
                if let Some(id) = identity
                    && !seen.insert(id.clone())
                {
                    out.push(FieldError::new(
                        &format!("{path}[{i}]"),
                        ErrorType::Duplicate,
                        Some(id),
                        String::new(),
                    ));
                }
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check_list_types(item_schema, item, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

fn check_string(
    schema: &Value,
    s: &str,
    value: &Value,
    path: &str,
    pats: &Patterns,
    out: &mut Vec<FieldError>,
) {
    let chars = s.chars().count() as u64;
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
        && chars > max
    {
        out.push(FieldError::new(
            path,
            ErrorType::TooLong,
            None,
            format!("may not be more than {max} bytes"),
        ));
    }
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
        && chars < min
    {
        out.push(FieldError::invalid(
            path,
            value,
            format!("{path} in body should be at least {min} chars long"),
        ));
    }
    if let Some(p) = schema.get("pattern").and_then(Value::as_str)
        && pats.get(p).is_some_and(|re| !re.is_match(s))
    {
        out.push(FieldError::invalid(
            path,
            value,
            format!("{path} in body should match '{p}'"),
        ));
    }
    if let Some(format) = schema.get("format").and_then(Value::as_str)
        && !format_ok(format, s)
    {
        out.push(FieldError::invalid(
            path,
            value,
            format!("{path} in body must be of type {format}: {value}"),
        ));
    }
}

/// The string formats our schemas use that the apiserver checks.
fn format_ok(format: &str, s: &str) -> bool {
    match format {
        "date-time" => is_date_time(s),
        "uri" => is_uri(s),
        _ => true,
    }
}

/// RFC 3339: `2026-01-02T03:04:05Z`, fractions and offsets allowed.
fn is_date_time(s: &str) -> bool {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$",
        )
        .expect("static regex")
    })
    .is_match(s)
}

/// A URI as Go's `url.ParseRequestURI` accepts it: absolute, or an absolute path.
fn is_uri(s: &str) -> bool {
    if s.starts_with('/') {
        return true;
    }
    match s.split_once(':') {
        Some((scheme, _)) => {
            let mut c = scheme.chars();
            c.next().is_some_and(|f| f.is_ascii_alphabetic())
                && c.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

fn number_text(v: &Value) -> String {
    v.to_string()
}

fn check_number(schema: &Value, n: f64, value: &Value, path: &str, out: &mut Vec<FieldError>) {
    if let Some(min) = schema.get("minimum").filter(|m| m.is_number()) {
        let m = min.as_f64().unwrap_or_default();
        let exclusive = flag(schema, "exclusiveMinimum");
        if (exclusive && n <= m) || (!exclusive && n < m) {
            let rel = if exclusive {
                "greater than"
            } else {
                "greater than or equal to"
            };
            out.push(FieldError::invalid(
                path,
                value,
                format!("{path} in body should be {rel} {}", number_text(min)),
            ));
        }
    }
    if let Some(max) = schema.get("maximum").filter(|m| m.is_number()) {
        let m = max.as_f64().unwrap_or_default();
        let exclusive = flag(schema, "exclusiveMaximum");
        if (exclusive && n >= m) || (!exclusive && n > m) {
            let rel = if exclusive {
                "less than"
            } else {
                "less than or equal to"
            };
            out.push(FieldError::invalid(
                path,
                value,
                format!("{path} in body should be {rel} {}", number_text(max)),
            ));
        }
    }
}

fn check_enum(schema: &Value, value: &Value, path: &str, out: &mut Vec<FieldError>) {
    let Some(allowed) = schema.get("enum").and_then(Value::as_array) else {
        return;
    };
    if allowed.contains(value) {
        return;
    }
    let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
    out.push(FieldError::new(
        path,
        ErrorType::NotSupported,
        Some(value.to_string()),
        format!("supported values: {}", list.join(", ")),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(schema: &Value, value: &Value) -> Vec<String> {
        let mut pats = Patterns::new();
        patterns(schema, &mut pats).expect("patterns");
        let mut out = vec![];
        check(schema, value, "spec", &pats, &mut out);
        check_list_types(schema, value, "spec", &mut out);
        out.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn each_kind_of_schema_check_reports_in_the_apiservers_words() {
        let schema = json!({"type": "object", "required": ["port"], "properties": {
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "host": {"type": "string", "minLength": 1, "maxLength": 3, "pattern": "^[a-z]+$"},
            "mode": {"type": "string", "enum": ["A", "B"]},
            "list": {"type": "array", "maxItems": 1, "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
            "q": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
        }});
        assert_eq!(
            errors(
                &schema,
                &json!({"port": 0, "host": "ABCD", "mode": "C", "list": ["a", "a"], "q": true})
            ),
            vec![
                "spec.host: Too long: may not be more than 3 bytes",
                "spec.host: Invalid value: \"ABCD\": spec.host in body should match '^[a-z]+$'",
                "spec.list: Too many: 2: must have at most 1 item",
                "spec.mode: Unsupported value: \"C\": supported values: \"A\", \"B\"",
                "spec.port: Invalid value: 0: spec.port in body should be greater than or equal to 1",
                "spec.q: Invalid value: \"boolean\": spec.q in body must be of type integer,string: \"boolean\"",
                "spec.list[1]: Duplicate value: \"a\"",
            ]
        );
        assert_eq!(
            errors(&schema, &json!({"port": "x"})),
            vec![
                "spec.port: Invalid value: \"string\": spec.port in body must be of type integer: \"string\""
            ]
        );
        assert_eq!(
            errors(&schema, &json!({})),
            vec!["spec.port: Required value"]
        );
        assert!(errors(&schema, &json!({"port": 80, "host": "ab", "q": "5"})).is_empty());
    }

    #[test]
    fn unknown_fields_and_nulls_are_pruned() {
        let schema = json!({"type": "object", "properties": {
            "a": {"type": "object", "properties": {"b": {"type": "string"}}},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
            "n": {"type": "string"},
        }});
        let mut v = json!({"a": {"b": "x", "c": 1}, "free": {"z": 1}, "n": null, "d": [1]});
        let mut unknown = vec![];
        prune(&schema, &mut v, "spec", &mut unknown);
        assert_eq!(unknown, vec!["spec.a.c", "spec.d"]);
        assert_eq!(v, json!({"a": {"b": "x"}, "free": {"z": 1}}));
    }

    #[test]
    fn map_lists_are_unique_by_their_keys() {
        let schema = json!({"type": "array", "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"],
            "items": {"type": "object", "properties": {"name": {"type": "string"}, "v": {"type": "integer"}}}});
        assert_eq!(
            errors(
                &schema,
                &json!([{"name": "a", "v": 1}, {"name": "b"}, {"name": "a", "v": 2}])
            ),
            vec!["spec[2]: Duplicate value: {\"name\":\"a\"}"]
        );
    }

    #[test]
    fn formats_are_checked() {
        assert!(is_date_time("2026-01-02T03:04:05.5+01:00"));
        assert!(!is_date_time("2026-13-02T03:04:05Z"));
        assert!(is_uri("https://x/y") && is_uri("/p"));
        assert!(!is_uri("not a uri"));
    }
}

#[cfg(test)]
mod checks_tests;
