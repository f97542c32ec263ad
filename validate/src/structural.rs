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
        out.insert(p.to_owned(), Regex::new(&re2_perl_classes(p))?);
    }
    for (_, child) in crdgen::walk::children(schema) {
        patterns(child, out)?;
    }
    Ok(())
}

/// `pattern` as the apiserver reads it (Go's RE2): `\w`, `\d` and `\s` (and their
/// negations) are ASCII classes there, Unicode ones in the regex crate; they are
/// spelled out as ASCII classes.
pub fn re2_perl_classes(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut chars = p.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(n) = chars.next() else {
                    out.push(c);
                    break;
                };
                let (outside, inside) = match n {
                    'w' => ("[0-9A-Za-z_]", "0-9A-Za-z_"),
                    'W' => ("[^0-9A-Za-z_]", "[:^word:]"),
                    'd' => ("[0-9]", "0-9"),
                    'D' => ("[^0-9]", "[:^digit:]"),
                    's' => ("[\\t\\n\\f\\r ]", "\\t\\n\\f\\r "),
                    'S' => ("[^\\t\\n\\f\\r ]", "[:^space:]"),
                    _ => {
                        out.push(c);
                        out.push(n);
                        continue;
                    }
                };
                out.push_str(if in_class { inside } else { outside });
            }
            '[' if in_class && chars.peek() == Some(&':') => {
                // A POSIX class inside a bracket expression: copied to its `:]`.
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == ']' {
                        break;
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // `[]...]` and `[^]...]`: a leading `]` is a literal.
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push(']');
                    chars.next();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
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

/// The JSON type name the apiserver uses in type errors. An integer beyond int64 is a
/// number: the apiserver decodes it as a float, and a float above 2^53 is no integer
/// to its type check.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() => "integer",
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
        "integer" => v.is_i64(),
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
        if !(value.is_string() || value.is_i64()) {
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
        // kube-openapi names a value that is neither a string nor a list by its
        // format (Go's `int64`, `float64`) when the schema has a format.
        // An integer beyond int64 reaches the apiserver as a float: it is a "number"
        // to the type check, whatever the format, and its bounds are still checked.
        let beyond = value.is_u64() && !value.is_i64();
        if let Some(format) = schema.get("format").and_then(Value::as_str)
            && !value.is_string()
            && !value.is_array()
            && !beyond
        {
            let t = match value {
                Value::Number(n) if n.is_f64() => "float64",
                Value::Number(_) => "int64",
                _ => "",
            };
            out.push(FieldError::new(
                path,
                ErrorType::TypeInvalid,
                Some(format!("\"{t}\"")),
                format!("{path} in body must be of type {format}: \"{t}\""),
            ));
            return;
        }
        let t = type_name(value);
        out.push(FieldError::new(
            path,
            ErrorType::TypeInvalid,
            Some(format!("\"{t}\"")),
            format!("{path} in body must be of type {want}: \"{t}\""),
        ));
        if let (true, Some(f)) = (beyond, value.as_f64()) {
            check_number(schema, f, &Value::from(f), path, out);
        }
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
            // A list-type map holds objects (or nulls); the apiserver reports the
            // first other item and checks no keys then.
            if list_type == Some("map")
                && let Some((i, item)) = items
                    .iter()
                    .enumerate()
                    .find(|(_, x)| !x.is_object() && !x.is_null())
            {
                out.push(FieldError::invalid(
                    &format!("{path}[{i}]"),
                    item,
                    "must be an object for an array of list-type map".into(),
                ));
            }
            let objects_only =
                list_type != Some("map") || items.iter().all(|x| x.is_object() || x.is_null());
            let mut seen = HashSet::new();
            for (i, item) in items.iter().enumerate().filter(|_| objects_only) {
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
                    // field.Duplicate prints a string item of a set as Go's %q does (as
                    // every other quoted value here), anything else (the key fields of
                    // a map list) as Go's encoding/json does: `&`, `<`, `>` escaped.
                    let shown = if list_type == Some("set") && !item.is_object() && !item.is_array()
                    {
                        id
                    } else {
                        id.replace('&', "\\u0026")
                            .replace('<', "\\u003c")
                            .replace('>', "\\u003e")
                    };
                    out.push(FieldError::new(
                        &format!("{path}[{i}]"),
                        ErrorType::Duplicate,
                        Some(shown),
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
    // Like the apiserver's string validator, the first of maxLength, minLength and
    // pattern that fails is the only one reported.
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
    } else if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
        && chars < min
    {
        out.push(FieldError::invalid(
            path,
            value,
            format!("{path} in body should be at least {min} chars long"),
        ));
    } else if let Some(p) = schema.get("pattern").and_then(Value::as_str)
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
        // A type error to the apiserver (kube-openapi's InvalidType): CEL rules are
        // not checked after it.
        out.push(FieldError::new(
            path,
            ErrorType::TypeInvalid,
            crate::error::quote(value),
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

    /// The errors of `value` under `schema` (at `spec`), as they print.
    pub(super) fn errors(schema: &Value, value: &Value) -> Vec<String> {
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
        // Beyond int64 the apiserver reads a float, and no float above 2^53 is an integer.
        let beyond =
            json!({"port": 18_446_744_073_709_551_615u64, "q": 9_223_372_036_854_775_808u64});
        assert_eq!(
            errors(&schema, &beyond),
            vec![
                "spec.port: Invalid value: \"number\": spec.port in body must be of type integer: \"number\"",
                "spec.port: Invalid value: 1.8446744073709552e+19: spec.port in body should be less than or equal to 65535",
                "spec.q: Invalid value: \"number\": spec.q in body must be of type integer,string: \"number\"",
            ]
        );
        // The apiserver's words for `port: 18446744073709551615` (format int32, at
        // most 65535): the type error names no format, and the bound is checked.
        let port = json!({"type": "integer", "format": "int32", "maximum": 65535});
        assert_eq!(
            errors(&port, &json!(18_446_744_073_709_551_615u64)),
            vec![
                "spec: Invalid value: \"number\": spec in body must be of type integer: \"number\"",
                "spec: Invalid value: 1.8446744073709552e+19: spec in body should be less than or equal to 65535",
            ]
        );
        assert_eq!(
            errors(&schema, &json!({"port": 9_223_372_036_854_775_807u64})),
            vec![
                "spec.port: Invalid value: 9223372036854775807: spec.port in body should be less than or equal to 65535"
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

    /// Found by the generative e2e test: the apiserver reports a list-map item that
    /// is not an object (and then no duplicates), only the first failing string
    /// bound, and reads `\w` in a pattern as ASCII.
    #[test]
    fn what_the_generative_test_found() {
        let schema = json!({"type": "array", "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"],
            "items": {"type": "object", "properties": {"name": {"type": "string"}}}});
        assert_eq!(
            errors(&schema, &json!([{"name": "a"}, "x", 7, {"name": "a"}])),
            vec![
                "spec[1]: Invalid value: \"string\": spec[1] in body must be of type object: \"string\"",
                "spec[2]: Invalid value: \"integer\": spec[2] in body must be of type object: \"integer\"",
                "spec[1]: Invalid value: \"x\": must be an object for an array of list-type map",
            ]
        );
        let schema =
            json!({"type": "string", "minLength": 1, "maxLength": 3, "pattern": "^[a-z]+$"});
        assert_eq!(
            errors(&schema, &json!("")),
            vec!["spec: Invalid value: \"\": spec in body should be at least 1 chars long"]
        );
        assert_eq!(
            errors(&schema, &json!("ABCD")),
            vec!["spec: Too long: may not be more than 3 bytes"]
        );
        assert_eq!(errors(&schema, &json!("AB")).len(), 1);
        let schema = json!({"type": "string", "pattern": "^[\\w+=,.@-]{2,64}$"});
        assert_eq!(errors(&schema, &json!("ab_1")), Vec::<String>::new());
        assert_eq!(errors(&schema, &json!("2Ѩᜫ")).len(), 1);
        let schema = json!({"type": "string", "format": "uri"});
        assert_eq!(
            errors(&schema, &json!(7)),
            vec!["spec: Invalid value: \"int64\": spec in body must be of type uri: \"int64\""]
        );
        let mut out = vec![];
        check(&schema, &json!("x y"), "spec", &Patterns::new(), &mut out);
        assert!(
            out[0].kind.blocks_cel(),
            "a format error stops the CEL rules"
        );
        let schema =
            json!({"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}});
        assert_eq!(
            errors(&schema, &json!(["<a&b>", "<a&b>"])),
            vec!["spec[1]: Duplicate value: \"<a&b>\""]
        );
        let schema = json!({"type": "array", "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"],
            "items": {"type": "object", "properties": {"name": {"type": "string"}}}});
        assert_eq!(
            errors(&schema, &json!([{"name": "<a&b>"}, {"name": "<a&b>"}])),
            vec!["spec[1]: Duplicate value: {\"name\":\"\\u003ca\\u0026b\\u003e\"}"]
        );
        for (re2, ours) in [
            ("\\w+", "[0-9A-Za-z_]+"),
            ("[\\d\\s.]", "[0-9\\t\\n\\f\\r .]"),
            ("[^\\W]", "[^[:^word:]]"),
            ("\\.[]a]\\S", "\\.[]a][^\\t\\n\\f\\r ]"),
            ("[[:alpha:]\\d]", "[[:alpha:]0-9]"),
            ("\\D[\\D]", "[^0-9][[:^digit:]]"),
            // `[:` opens a bracket expression, not a POSIX class, outside one.
            ("[:\\d]", "[:0-9]"),
        ] {
            assert_eq!(re2_perl_classes(re2), ours);
        }
    }

    #[test]
    fn formats_are_checked() {
        assert!(is_date_time("2026-01-02T03:04:05.5+01:00"));
        assert!(!is_date_time("2026-13-02T03:04:05Z"));
        assert!(is_uri("https://x/y") && is_uri("/p"));
        assert!(!is_uri("not a uri"));
    }
}

/// A `duration(self)` rule on a string that Go's `time.ParseDuration` refuses: the
/// apiserver's cel-go fails the conversion (kube-cel's parser is laxer and may accept
/// it), so the rule is reported as a type conversion error, not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DurationConversion {
    pub path: String,
    /// The rule's text and its message.
    pub rule: String,
    pub message: String,
}

/// Every [`DurationConversion`] below `value`, walking `schema` beside it.
pub fn duration_conversions(
    schema: &Value,
    value: &Value,
    path: &str,
    out: &mut Vec<DurationConversion>,
) {
    match value {
        Value::Object(map) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            for (key, v) in map {
                if path.is_empty() && key == "metadata" {
                    continue;
                }
                if let Some(s) = props.and_then(|p| p.get(key)).or(additional) {
                    duration_conversions(s, v, &join(path, key), out);
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    duration_conversions(s, item, &format!("{path}[{i}]"), out);
                }
            }
        }
        Value::String(s) if !go_duration_ok(s) => {
            for rule in schema
                .get("x-kubernetes-validations")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let text = rule["rule"].as_str().unwrap_or_default();
                if text.contains("duration(self)") {
                    out.push(DurationConversion {
                        path: path.to_owned(),
                        rule: text.to_owned(),
                        message: rule["message"].as_str().unwrap_or(text).to_owned(),
                    });
                }
            }
        }
        _ => {}
    }
}

/// Whether Go's `time.ParseDuration` accepts `s`: an optional sign, then one or more
/// decimal numbers, each with an optional fraction and a unit (`ns`, `us`, `µs`, `μs`,
/// `ms`, `s`, `m`, `h`), or `0`; at most 2^63-1 nanoseconds (2^63 when negative).
pub fn go_duration_ok(s: &str) -> bool {
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return true;
    }
    if rest.is_empty() {
        return false;
    }
    // The total in nanoseconds: Go refuses one past the range of an int64.
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int, after) = rest.split_at(int_len);
        let (frac, after) = match after.strip_prefix('.') {
            Some(a) => {
                let n = a.bytes().take_while(u8::is_ascii_digit).count();
                a.split_at(n)
            }
            None => ("", after),
        };
        if int.is_empty() && frac.is_empty() {
            return false;
        }
        let unit_len = after
            .char_indices()
            .find(|&(_, c)| c == '.' || c.is_ascii_digit())
            .map_or(after.len(), |(i, _)| i);
        let (unit, after) = after.split_at(unit_len);
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return false,
        };
        let whole: u128 = if int.is_empty() {
            0
        } else {
            match int.parse::<u128>() {
                Ok(v) => v,
                Err(_) => return false,
            }
        };
        // Fraction digits past the 25th cannot move the total by a nanosecond.
        let frac = &frac[..frac.len().min(25)];
        let frac_ns = frac.parse::<u128>().unwrap_or(0) * scale / 10u128.pow(frac.len() as u32);
        total = match whole
            .checked_mul(scale)
            .and_then(|v| total.checked_add(v))
            .and_then(|v| v.checked_add(frac_ns))
        {
            Some(v) => v,
            None => return false,
        };
        rest = after;
    }
    total <= if neg { 1 << 63 } else { (1 << 63) - 1 }
}

#[cfg(test)]
mod go_duration_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_what_go_parses() {
        for s in [
            "0",
            "1s",
            "-1s",
            "+5m",
            "1h30m",
            "1.5h",
            ".5s",
            "5.s",
            "100ms",
            "10us",
            "10µs",
            "10μs",
            "1ns",
            "2h45m30s500ms",
            "2562047h47m16.854775807s",
        ] {
            assert!(go_duration_ok(s), "{s:?}");
        }
    }

    #[test]
    fn refuses_what_go_refuses() {
        for s in [
            "",
            "-",
            "+",
            "s",
            "1",
            "1x",
            "2m !",
            "2mmmm",
            "30s-é中✓",
            "1s ",
            " 1s",
            ".s",
            "1.s.",
            "1d",
            "-0x",
            "9999999999999999999h",
            "2562047h47m16.854775808s",
        ] {
            assert!(!go_duration_ok(s), "{s:?}");
        }
    }

    #[test]
    fn finds_duration_rules_on_bad_strings_only() {
        let schema = json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "timeouts": {"type": "array", "items": {
                    "type": "string",
                    "x-kubernetes-validations": [
                        {"rule": "duration(self) >= duration('1s')", "message": "at least 1s"},
                        {"rule": "self.size() < 9", "message": "short"}
                    ]
                }}
            }}
        }});
        let obj = json!({"spec": {"timeouts": ["5s", "2m !"]}});
        let mut out = vec![];
        duration_conversions(&schema, &obj, "", &mut out);
        assert_eq!(
            out,
            vec![DurationConversion {
                path: "spec.timeouts[1]".into(),
                rule: "duration(self) >= duration('1s')".into(),
                message: "at least 1s".into(),
            }]
        );
    }
}
#[cfg(test)]
mod checks_tests;
