//! Validation markers.
//!
//! Each function here is one kind of Kubernetes validation, packaged as a schemars
//! transform that applies itself to the schema of the field or type it annotates:
//!
//! ```ignore
//! #[schemars(transform = exactly_one_of(&["selector", "static"]))]
//! pub struct McpBackend { /* ... */ }
//! ```
//!
//! Markers that are used in many places (bounded strings, durations, ports) are
//! defined once here so the API types never repeat a rule by hand.

mod auth_kinds;
pub use auth_kinds::*;
mod overrides;
pub use overrides::*;
mod set_iff;
pub use set_iff::*;
mod urls;
pub use urls::*;
mod conditional;
pub use conditional::*;
mod only_fields;
pub use only_fields::*;
mod byte_size;
pub use byte_size::*;
mod policy_targets;
pub use policy_targets::*;

use schemars::Schema;
use serde_json::{Map, Value, json};

/// Key under which Kubernetes expects CEL validation rules.
pub const VALIDATIONS: &str = "x-kubernetes-validations";

fn object(schema: &mut Schema) -> &mut Map<String, Value> {
    schema.ensure_object()
}

fn push_rule(schema: &mut Schema, rule: Value) {
    let list = object(schema)
        .entry(VALIDATIONS)
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = list {
        list.push(rule);
    }
}

/// A CEL rule with the message the apiserver reports when it does not hold.
pub fn cel(rule: &'static str, message: &'static str) -> impl FnMut(&mut Schema) {
    move |s| push_rule(s, json!({ "rule": rule, "message": message }))
}

/// A CEL rule whose failure is reported with the apiserver's generic message.
pub fn cel_rule(rule: &'static str) -> impl FnMut(&mut Schema) {
    move |s| push_rule(s, json!({ "rule": rule }))
}

/// A CEL rule reported against another field path with a machine-readable reason
/// (`FieldValueInvalid`, `FieldValueRequired`, ...).
pub fn cel_at(
    rule: &'static str,
    message: &'static str,
    field_path: Option<&'static str>,
    reason: Option<&'static str>,
) -> impl FnMut(&mut Schema) {
    move |s| {
        let mut r = json!({ "rule": rule, "message": message });
        if let Some(p) = field_path {
            r["fieldPath"] = p.into();
        }
        if let Some(reason) = reason {
            r["reason"] = reason.into();
        }
        push_rule(s, r)
    }
}

/// How many members of a field group may be set at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cardinality {
    /// Exactly one member must be set.
    ExactlyOne,
    /// Zero or one member may be set.
    AtMostOne,
    /// One or more members must be set.
    AtLeastOne,
}

impl Cardinality {
    fn comparison(self) -> &'static str {
        match self {
            Self::ExactlyOne => "== 1",
            Self::AtMostOne => "<= 1",
            Self::AtLeastOne => ">= 1",
        }
    }

    fn message(self, fields: &str) -> String {
        match self {
            Self::ExactlyOne => format!("exactly one of the fields in [{fields}] must be set"),
            Self::AtMostOne => format!("at most one of the fields in [{fields}] may be set"),
            Self::AtLeastOne => format!("at least one of the fields in [{fields}] must be set"),
        }
    }
}

/// The CEL rule and message enforcing `cardinality` over the named (JSON) fields.
pub fn field_group_rule(cardinality: Cardinality, fields: &[&str]) -> (String, String) {
    let has: Vec<String> = fields.iter().map(|f| format!("has(self.{f})")).collect();
    let rule = format!(
        "[{}].filter(x,x==true).size() {}",
        has.join(","),
        cardinality.comparison()
    );
    (rule, cardinality.message(&fields.join(" ")))
}

fn field_group(
    cardinality: Cardinality,
    fields: &'static [&'static str],
) -> impl FnMut(&mut Schema) {
    move |s| {
        let (rule, message) = field_group_rule(cardinality, fields);
        push_rule(s, json!({ "rule": rule, "message": message }))
    }
}

/// Exactly one of the named fields must be set.
pub fn exactly_one_of(fields: &'static [&'static str]) -> impl FnMut(&mut Schema) {
    field_group(Cardinality::ExactlyOne, fields)
}

/// At most one of the named fields may be set.
pub fn at_most_one_of(fields: &'static [&'static str]) -> impl FnMut(&mut Schema) {
    field_group(Cardinality::AtMostOne, fields)
}

/// At least one of the named fields must be set.
pub fn at_least_one_of(fields: &'static [&'static str]) -> impl FnMut(&mut Schema) {
    field_group(Cardinality::AtLeastOne, fields)
}

/// At least one field of the annotated struct must be set, the field list inferred
/// from the struct's properties (in sorted order, as upstream's generator writes it)
/// less `exclude`. Adding a field to the struct adds it to the rule.
pub fn at_least_one_field(exclude: &'static [&'static str]) -> impl FnMut(&mut Schema) {
    move |s| {
        let fields = property_names(s, exclude);
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let (rule, message) = field_group_rule(Cardinality::AtLeastOne, &fields);
        push_rule(s, json!({ "rule": rule, "message": message }))
    }
}

/// The property names of an object schema, sorted, without `exclude`.
pub fn property_names(s: &Schema, exclude: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = s
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| {
            p.keys()
                .filter(|k| !exclude.contains(&k.as_str()))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Sets `key` to `value` on the schema.
pub fn set(key: &'static str, value: impl Into<Value> + Clone) -> impl FnMut(&mut Schema) {
    move |s| {
        object(s).insert(key.to_owned(), value.clone().into());
    }
}

/// The value the apiserver fills in when the field is omitted.
pub fn default(value: impl Into<Value> + Clone) -> impl FnMut(&mut Schema) {
    set("default", value)
}

/// Items of a list are identified by the values of `keys`: server-side apply merges
/// them per key, and the apiserver rejects two items with the same keys.
pub fn list_map(keys: &'static [&'static str]) -> impl FnMut(&mut Schema) {
    move |s| {
        let o = object(s);
        o.insert("x-kubernetes-list-type".into(), "map".into());
        o.insert("x-kubernetes-list-map-keys".into(), json!(keys));
    }
}

/// The list is replaced as a whole by server-side apply.
pub fn list_atomic(s: &mut Schema) {
    object(s).insert("x-kubernetes-list-type".into(), "atomic".into());
}

/// The list holds each scalar at most once; server-side apply merges it as a set.
pub fn list_set(s: &mut Schema) {
    object(s).insert("x-kubernetes-list-type".into(), "set".into());
}

/// The object is replaced as a whole by server-side apply.
pub fn map_atomic(s: &mut Schema) {
    object(s).insert("x-kubernetes-map-type".into(), "atomic".into());
}

/// The object is merged field by field by server-side apply.
pub fn map_granular(s: &mut Schema) {
    object(s).insert("x-kubernetes-map-type".into(), "granular".into());
}

/// Replaces the generated schema with `new`, keeping its description.
fn replace_keeping_description(s: &mut Schema, new: Value) {
    let description = s.as_object().and_then(|o| o.get("description")).cloned();
    let mut new = json_object(new);
    if let Some(d) = description {
        new.insert("description".into(), d);
    }
    *s = Schema::from(new);
}

/// Any JSON value is accepted and kept as written (no pruning below this point).
pub fn preserve_unknown_fields(s: &mut Schema) {
    replace_keeping_description(s, json!({ "x-kubernetes-preserve-unknown-fields": true }));
}

/// An object whose properties are not described further and are kept as written.
pub fn free_form_object(s: &mut Schema) {
    replace_keeping_description(
        s,
        json!({ "type": "object", "x-kubernetes-preserve-unknown-fields": true }),
    );
}

/// Either an integer or a string (`intstr.IntOrString` in Kubernetes' Go types).
pub fn int_or_string(s: &mut Schema) {
    replace_keeping_description(
        s,
        json!({
            "anyOf": [{ "type": "integer" }, { "type": "string" }],
            "x-kubernetes-int-or-string": true,
        }),
    );
}

/// A Kubernetes resource quantity (`resource.Quantity` in Go): a number with an
/// optional binary (`Ki`..`Ei`), decimal (`n`..`E`) or exponent suffix, e.g. `500m`, `2Gi`.
pub const QUANTITY_PATTERN: &str = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

/// A resource quantity: an integer, or a string following [`QUANTITY_PATTERN`].
pub fn quantity(s: &mut Schema) {
    int_or_string(s);
    pattern(QUANTITY_PATTERN)(s);
}

/// Kubernetes object names and DNS subdomains (RFC 1123): lowercase alphanumerics,
/// `-` and `.`, at most 253 characters.
pub const DNS1123_SUBDOMAIN: &str =
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/// A string of `min..=max` characters.
pub fn length(min: u64, max: u64) -> impl FnMut(&mut Schema) {
    move |s| {
        let o = object(s);
        o.insert("minLength".into(), min.into());
        o.insert("maxLength".into(), max.into());
    }
}

/// A string of at most `max` characters.
pub fn max_length(max: u64) -> impl FnMut(&mut Schema) {
    set("maxLength", max)
}

/// A string matching `regex` (ECMA 262, as the apiserver evaluates it).
pub fn pattern(regex: &'static str) -> impl FnMut(&mut Schema) {
    set("pattern", regex)
}

/// An RFC 1123 DNS subdomain, the syntax of most Kubernetes object names.
pub fn dns_subdomain(s: &mut Schema) {
    length(1, 253)(s);
    pattern(DNS1123_SUBDOMAIN)(s);
}

/// A number in `min..=max`.
pub fn range(min: i64, max: i64) -> impl FnMut(&mut Schema) {
    move |s| {
        let o = object(s);
        o.insert("minimum".into(), min.into());
        o.insert("maximum".into(), max.into());
    }
}

/// A TCP/UDP port number, 1 to 65535.
pub fn port(s: &mut Schema) {
    range(1, 65535)(s)
}

/// A list of at most `max` items.
pub fn max_items(max: u64) -> impl FnMut(&mut Schema) {
    set("maxItems", max)
}

/// A list of `min..=max` items.
pub fn items(min: u64, max: u64) -> impl FnMut(&mut Schema) {
    move |s| {
        let o = object(s);
        o.insert("minItems".into(), min.into());
        o.insert("maxItems".into(), max.into());
    }
}

/// A string format understood by the apiserver (`date-time`, `uri`, ...).
pub fn format(format: &'static str) -> impl FnMut(&mut Schema) {
    set("format", format)
}

/// A lower and/or upper bound on the number of properties of a map.
pub fn properties(min: Option<u64>, max: Option<u64>) -> impl FnMut(&mut Schema) {
    move |s| {
        let o = object(s);
        if let Some(min) = min {
            o.insert("minProperties".into(), min.into());
        }
        if let Some(max) = max {
            o.insert("maxProperties".into(), max.into());
        }
    }
}

/// A string that is one of `values`. For string fields that are not Rust enums, e.g.
/// because unknown values must survive a round trip through the types.
pub fn one_of_strings(values: &'static [&'static str]) -> impl FnMut(&mut Schema) {
    move |s| {
        object(s).insert("enum".into(), json!(values));
    }
}

/// The duration syntax the gateway accepts: up to four `<number><unit>` groups,
/// unit `h`, `m`, `s` or `ms`.
pub const DURATION_RULE: &str = "matches(self, '^([0-9]{1,5}(h|m|s|ms)){1,4}$')";
/// Message for a string that does not follow [`DURATION_RULE`].
pub const DURATION_MESSAGE: &str = "invalid duration value";

/// The field is a duration (see [`DURATION_RULE`]) of at most 32 characters.
pub fn duration(s: &mut Schema) {
    object(s).insert("maxLength".into(), 32.into());
    push_rule(
        s,
        json!({ "rule": DURATION_RULE, "message": DURATION_MESSAGE }),
    );
}

/// The field is a duration no shorter than `min` (a CEL duration literal such as
/// `1s`); `message` is reported otherwise.
pub fn duration_at_least(min: &'static str, message: &'static str) -> impl FnMut(&mut Schema) {
    move |s| {
        duration(s);
        push_rule(
            s,
            json!({ "rule": format!("duration(self) >= duration('{min}')"), "message": message }),
        );
    }
}

/// The bare regular expression of [`DURATION_RULE`], for fields that validate the
/// duration syntax with `pattern` rather than CEL.
pub const DURATION_PATTERN: &str = "^([0-9]{1,5}(h|m|s|ms)){1,4}$";

/// Applies `marker` to every element: the `items` of a list, or the values
/// (`additionalProperties`) of a map. For validations schemars' `inner(...)` cannot
/// express, such as CEL rules on list items or limits on map values.
pub fn each(mut marker: impl FnMut(&mut Schema)) -> impl FnMut(&mut Schema) {
    move |s| {
        for key in ["items", "additionalProperties"] {
            if let Some(v) = s.get_mut(key)
                && let Ok(inner) = <&mut Schema>::try_from(v)
            {
                marker(inner);
            }
        }
    }
}

/// An integer without a declared width: `type: integer` and no `format`, as
/// upstream CRDs write Go's `int`. Apply it to an `i64` field, whose range it keeps.
pub fn plain_integer(s: &mut Schema) {
    replace_keeping_description(s, json!({ "type": "integer" }));
}

fn json_object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_groups_expand_to_cel_with_the_fields_in_order() {
        let (rule, message) = field_group_rule(Cardinality::ExactlyOne, &["selector", "static"]);
        assert_eq!(
            rule,
            "[has(self.selector),has(self.static)].filter(x,x==true).size() == 1"
        );
        assert_eq!(
            message,
            "exactly one of the fields in [selector static] must be set"
        );
        let (rule, message) = field_group_rule(Cardinality::AtMostOne, &["a", "b"]);
        assert!(rule.ends_with("size() <= 1"), "{rule}");
        assert_eq!(message, "at most one of the fields in [a b] may be set");
        let (rule, _) = field_group_rule(Cardinality::AtLeastOne, &["a"]);
        assert!(rule.ends_with("size() >= 1"), "{rule}");
    }

    #[test]
    fn at_least_one_field_infers_the_sorted_fields_of_the_struct() {
        let mut s = Schema::from(json_object(json!({
            "type": "object",
            "properties": { "tls": {}, "auth": {}, "http": {}, "kind": {} },
        })));
        at_least_one_field(&["kind"])(&mut s);
        assert_eq!(
            s.get(VALIDATIONS),
            Some(&json!([{
                "rule": "[has(self.auth),has(self.http),has(self.tls)].filter(x,x==true).size() >= 1",
                "message": "at least one of the fields in [auth http tls] must be set",
            }]))
        );
    }

    #[test]
    fn rules_accumulate_in_declaration_order() {
        let mut s = Schema::from(json_object(json!({ "type": "string" })));
        cel("self != ''", "must not be empty")(&mut s);
        duration_at_least("1s", "t must be at least 1 second")(&mut s);
        let rules: Vec<&str> = s
            .get(VALIDATIONS)
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(|r| r["rule"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            rules,
            [
                "self != ''",
                DURATION_RULE,
                "duration(self) >= duration('1s')"
            ]
        );
    }

    #[test]
    fn quantity_is_int_or_string_with_the_quantity_pattern() {
        let mut s = Schema::from(json_object(json!({ "type": "string", "description": "d" })));
        quantity(&mut s);
        assert_eq!(s.get("x-kubernetes-int-or-string"), Some(&json!(true)));
        assert_eq!(s.get("pattern"), Some(&json!(QUANTITY_PATTERN)));
        assert_eq!(s.get("description"), Some(&json!("d")));
        assert!(s.get("type").is_none());
    }

    #[test]
    fn each_reaches_list_items_and_map_values() {
        let mut list = Schema::from(json_object(
            json!({ "type": "array", "items": { "type": "string" } }),
        ));
        each(length(1, 64))(&mut list);
        assert_eq!(
            list.get("items"),
            Some(&json!({ "type": "string", "minLength": 1, "maxLength": 64 }))
        );
        let mut map = Schema::from(json_object(
            json!({ "type": "object", "additionalProperties": { "type": "string" } }),
        ));
        each(cel_rule("self != ''"))(&mut map);
        assert_eq!(
            map.get("additionalProperties")
                .and_then(|a| a.get(VALIDATIONS)),
            Some(&json!([{ "rule": "self != ''" }]))
        );
        assert!(DURATION_RULE.contains(DURATION_PATTERN));
    }

    #[test]
    fn plain_integer_drops_the_format_and_keeps_the_description() {
        let mut s = Schema::from(json_object(
            json!({ "type": ["integer", "null"], "format": "int64", "description": "d" }),
        ));
        plain_integer(&mut s);
        assert_eq!(
            s.to_value(),
            json!({ "type": "integer", "description": "d" })
        );
    }

    #[test]
    fn int_or_string_keeps_the_description() {
        let mut s = Schema::from(json_object(json!({ "type": "string", "description": "d" })));
        int_or_string(&mut s);
        assert_eq!(s.get("description"), Some(&json!("d")));
        assert_eq!(s.get("x-kubernetes-int-or-string"), Some(&json!(true)));
        assert!(s.get("type").is_none());
    }
}
