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
//! Markers that are used in many places (bounded strings, ports, field groups) are
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
mod sorted_enum;
pub use sorted_enum::*;

use crate::walk::{self, Step};
pub use kube_core::{ListMerge, MapMerge, Message, Reason, Rule};
use schemars::Schema;
use serde_json::{Map, Value, json};

/// Key under which Kubernetes expects CEL validation rules.
pub const VALIDATIONS: &str = "x-kubernetes-validations";

/// Key under which a marker records that it does not fit the schema it was applied
/// to (schemars transforms cannot return errors). [`crate::normalize`] reports every
/// entry with the field's path, so `gen-crds` fails and writes nothing; the key never
/// reaches a CRD.
pub const MARKER_ERROR: &str = "x-crdgen-error";

fn object(schema: &mut Schema) -> &mut Map<String, Value> {
    schema.ensure_object()
}

/// Appends `value` to the list under `key`, creating the list.
fn push_to(schema: &mut Schema, key: &str, value: Value) {
    let list = object(schema)
        .entry(key)
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = list {
        list.push(value);
    }
}

/// Records that `marker` does not fit this schema: `problem` says why and how to fix it.
pub fn refuse(schema: &mut Schema, marker: &str, problem: impl std::fmt::Display) {
    push_to(
        schema,
        MARKER_ERROR,
        format!("`markers::{marker}` {problem}").into(),
    );
}

/// Appends a CEL rule (an object with at least `rule`) to the schema's validations.
pub(crate) fn push_rule(schema: &mut Schema, rule: Value) {
    push_to(schema, VALIDATIONS, rule);
}

/// A CEL rule with the message the apiserver reports when it does not hold, as
/// Kubernetes writes it: `{rule, message}`.
pub(crate) fn rule_with_message(rule: impl Into<String>, message: impl Into<String>) -> Value {
    json!({ "rule": rule.into(), "message": message.into() })
}

/// Appends the CEL rule `rule` with `message` to the schema's validations.
pub(crate) fn push_cel(schema: &mut Schema, rule: impl Into<String>, message: impl Into<String>) {
    push_rule(schema, rule_with_message(rule, message));
}

/// Adds a CEL rule built with kube-core's [`Rule`] (`Rule::new(..).message(..)
/// .reason(Reason::FieldValueRequired).field_path(..)`).
pub fn rule(rule: impl Into<Rule> + Clone) -> impl FnMut(&mut Schema) {
    move |s| match serde_json::to_value(rule.clone().into()) {
        Ok(r) => push_rule(s, r),
        Err(e) => refuse(s, "rule", format_args!("could not serialize the rule: {e}")),
    }
}

/// A CEL rule with the message the apiserver reports when it does not hold. Both may
/// be built at run time (`String`s).
pub fn cel(
    rule: impl Into<String> + Clone,
    message: impl Into<String> + Clone,
) -> impl FnMut(&mut Schema) {
    move |s| push_cel(s, rule.clone(), message.clone())
}

/// A CEL rule whose failure is reported with the apiserver's generic message.
pub fn cel_rule(rule: impl Into<String> + Clone) -> impl FnMut(&mut Schema) {
    move |s| push_rule(s, json!({ "rule": rule.clone().into() }))
}

/// A CEL rule reported against another field path with a machine-readable reason
/// (`FieldValueInvalid`, `FieldValueRequired`, ...; see kube-core's [`Reason`]).
/// An unknown reason makes generation fail.
pub fn cel_at(
    rule: &'static str,
    message: &'static str,
    field_path: Option<&'static str>,
    reason: Option<&'static str>,
) -> impl FnMut(&mut Schema) {
    move |s| {
        let mut r = Rule::new(rule).message(message);
        if let Some(p) = field_path {
            r = r.field_path(p);
        }
        if let Some(name) = reason {
            match serde_json::from_value::<Reason>(Value::from(name)) {
                Ok(reason) => r = r.reason(reason),
                Err(_) => {
                    return refuse(
                        s,
                        "cel_at",
                        format_args!(
                            "names the unknown reason {name:?}: use FieldValueInvalid, \
                             FieldValueForbidden, FieldValueRequired or FieldValueDuplicate"
                        ),
                    );
                }
            }
        }
        self::rule(r)(s)
    }
}

/// One CEL rule per field of `fields`, each built by `rule` from the field's name,
/// all with `message`: for rules that repeat over sibling lists, e.g. the same kind
/// restriction on `targetRefs` and on `targetSelectors`.
pub fn cel_per_field<S: AsRef<str>>(
    fields: impl AsRef<[S]>,
    rule: impl Fn(&str) -> String,
    message: impl Into<String> + Clone,
) -> impl FnMut(&mut Schema) {
    move |s| {
        for f in fields.as_ref() {
            cel(rule(f.as_ref()), message.clone())(s);
        }
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
    /// Every cardinality.
    pub const ALL: [Cardinality; 3] = [Self::ExactlyOne, Self::AtMostOne, Self::AtLeastOne];

    fn comparison(self) -> &'static str {
        match self {
            Self::ExactlyOne => "== 1",
            Self::AtMostOne => "<= 1",
            Self::AtLeastOne => ">= 1",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Self::ExactlyOne => "exactly one of the fields in [",
            Self::AtMostOne => "at most one of the fields in [",
            Self::AtLeastOne => "at least one of the fields in [",
        }
    }

    fn message(self, fields: &str) -> String {
        let prefix = self.prefix();
        match self {
            Self::ExactlyOne | Self::AtLeastOne => format!("{prefix}{fields}] must be set"),
            Self::AtMostOne => format!("{prefix}{fields}] may be set"),
        }
    }

    /// The cardinality whose field-group rule reports `message`, if any.
    pub fn of_message(message: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| message.starts_with(c.prefix()))
    }
}

/// The CEL rule and message enforcing `cardinality` over the named (JSON) fields.
pub fn field_group_rule<S: AsRef<str>>(cardinality: Cardinality, fields: &[S]) -> (String, String) {
    let has: Vec<String> = fields
        .iter()
        .map(|f| format!("has(self.{})", f.as_ref()))
        .collect();
    let names: Vec<&str> = fields.iter().map(AsRef::as_ref).collect();
    let rule = format!(
        "[{}].filter(x,x==true).size() {}",
        has.join(","),
        cardinality.comparison()
    );
    (rule, cardinality.message(&names.join(" ")))
}

/// The members of `fields` that are not properties of the object schema `s` (all of
/// them when `s` has no properties).
pub(crate) fn missing_fields<'a, S: AsRef<str>>(s: &Schema, fields: &'a [S]) -> Vec<&'a str> {
    let props = effective(s.as_value())
        .get("properties")
        .and_then(Value::as_object);
    fields
        .iter()
        .map(AsRef::as_ref)
        .filter(|f| !props.is_some_and(|p| p.contains_key(*f)))
        .collect()
}

/// Whether the object has every one of `fields`; refuses `marker` otherwise, naming
/// the missing fields and the object's fields.
pub(crate) fn check_fields<S: AsRef<str>>(s: &mut Schema, marker: &str, fields: &[S]) -> bool {
    let missing = missing_fields(s, fields);
    if missing.is_empty() {
        return true;
    }
    let known = property_names(s, &[]);
    refuse(
        s,
        marker,
        format_args!(
            "names {missing:?}, which the object does not have (its fields: {known:?}); \
             use the JSON (camelCase) names of fields of the annotated struct"
        ),
    );
    false
}

fn field_group<S: AsRef<str>>(
    marker: &'static str,
    cardinality: Cardinality,
    fields: impl AsRef<[S]>,
) -> impl FnMut(&mut Schema) {
    move |s| {
        let fields = fields.as_ref();
        if check_fields(s, marker, fields) {
            let (rule, message) = field_group_rule(cardinality, fields);
            push_cel(s, rule, message)
        }
    }
}

/// Exactly one of the named fields must be set. The list may be built at run time.
pub fn exactly_one_of<S: AsRef<str>>(fields: impl AsRef<[S]>) -> impl FnMut(&mut Schema) {
    field_group("exactly_one_of", Cardinality::ExactlyOne, fields)
}

/// At most one of the named fields may be set.
pub fn at_most_one_of<S: AsRef<str>>(fields: impl AsRef<[S]>) -> impl FnMut(&mut Schema) {
    field_group("at_most_one_of", Cardinality::AtMostOne, fields)
}

/// At least one of the named fields must be set.
pub fn at_least_one_of<S: AsRef<str>>(fields: impl AsRef<[S]>) -> impl FnMut(&mut Schema) {
    field_group("at_least_one_of", Cardinality::AtLeastOne, fields)
}

/// At least one field of the annotated struct must be set, the field list inferred
/// from the struct's properties (in sorted order, as upstream's generator writes it)
/// less `exclude`. Adding a field to the struct adds it to the rule.
pub fn at_least_one_field(exclude: &'static [&'static str]) -> impl FnMut(&mut Schema) {
    move |s| {
        if !check_fields(s, "at_least_one_field", exclude) {
            return;
        }
        let fields = property_names(s, exclude);
        if fields.is_empty() {
            return refuse(
                s,
                "at_least_one_field",
                "found no fields: apply it to a struct with named fields (as a type attribute)",
            );
        }
        let (rule, message) = field_group_rule(Cardinality::AtLeastOne, &fields);
        push_cel(s, rule, message)
    }
}

/// The property names of an object schema, sorted, without `exclude`.
pub fn property_names(s: &Schema, exclude: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = effective(s.as_value())
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

/// The schema an optional value wraps: schemars writes `Option<T>` as
/// `anyOf: [T, {type: null}]` when `T` has no single type.
fn effective(v: &Value) -> &Value {
    if let Some(Value::Array(any)) = v.get("anyOf") {
        let non_null: Vec<&Value> = any
            .iter()
            .filter(|m| m.get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        if non_null.len() == 1 && non_null.len() < any.len() {
            return effective(non_null[0]);
        }
    }
    v
}

/// The JSON types a schema admits (without `null`), when they can be told: `None`
/// for int-or-string, preserved or untyped schemas.
fn types_of(v: &Value) -> Option<Vec<String>> {
    let v = effective(v);
    match v.get("type") {
        Some(Value::String(t)) => Some(vec![t.clone()]),
        Some(Value::Array(ts)) => Some(
            ts.iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .map(str::to_owned)
                .collect(),
        ),
        _ if enum_values(v).is_some() => Some(vec!["string".into()]),
        _ => None,
    }
}

/// The values of an enum schema: `enum`, or schemars' `oneOf` of one `const` per variant.
fn enum_values(v: &Value) -> Option<Vec<Value>> {
    let v = effective(v);
    if let Some(Value::Array(e)) = v.get("enum") {
        return Some(e.iter().filter(|x| !x.is_null()).cloned().collect());
    }
    let Some(Value::Array(variants)) = v.get("oneOf") else {
        return None;
    };
    let mut out = Vec::new();
    for variant in variants {
        match (variant.get("const"), variant.get("enum")) {
            (Some(c), None) => out.push(c.clone()),
            (None, Some(Value::Array(e))) => out.extend(e.iter().cloned()),
            _ => return None,
        }
    }
    Some(out)
}

/// Checks that `marker` (adding keywords for `wanted` JSON types) fits the schema;
/// records the problem and returns false otherwise. `fix` names what to use instead.
fn fits(s: &mut Schema, marker: &str, wanted: &[&str], fix: &str) -> bool {
    let Some(types) = types_of(s.as_value()) else {
        return true;
    };
    if types.iter().any(|t| wanted.contains(&t.as_str())) {
        return true;
    }
    refuse(
        s,
        marker,
        format_args!(
            "applies to {} values, but this field is {}: {fix}",
            wanted.join("/"),
            if types.is_empty() {
                "untyped".to_owned()
            } else {
                types.join("/")
            }
        ),
    );
    false
}

/// Sets `key` to `value` on the schema.
pub fn set(key: &'static str, value: impl Into<Value> + Clone) -> impl FnMut(&mut Schema) {
    move |s| {
        object(s).insert(key.to_owned(), value.clone().into());
    }
}

/// The value the apiserver fills in when the field is omitted. Refused when the
/// value is not of the field's type or not one of its enum values.
pub fn default(value: impl Into<Value> + Clone) -> impl FnMut(&mut Schema) {
    move |s| {
        let value: Value = value.clone().into();
        if let Some(problem) = default_problem(s.as_value(), &value) {
            return refuse(s, "default", problem);
        }
        object(s).insert("default".into(), value);
    }
}

/// Why `value` cannot be the default of schema `v`, if it cannot.
fn default_problem(v: &Value, value: &Value) -> Option<String> {
    if let Some(values) = enum_values(v)
        && !values.contains(value)
    {
        return Some(format!(
            "value {value} is not one of the field's values {}: use one of them",
            Value::Array(values)
        ));
    }
    let types = types_of(v)?;
    let fits = types.iter().any(|t| match t.as_str() {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    });
    (!fits).then(|| {
        format!(
            "value {value} is not of the field's type {}: give a value of that type",
            types.join("/")
        )
    })
}

/// Items of a list are identified by the values of `keys`: server-side apply merges
/// them per key, and the apiserver rejects two items with the same keys. Refused
/// unless every key is a required (or defaulted) scalar property of the items.
pub fn list_map<S: AsRef<str>>(keys: impl AsRef<[S]>) -> impl FnMut(&mut Schema) {
    move |s| {
        let keys: Vec<String> = keys
            .as_ref()
            .iter()
            .map(|k| k.as_ref().to_owned())
            .collect();
        if !fits(s, "list_map", &["array"], "use it on a `Vec` of structs") {
            return;
        }
        let items = effective(s.as_value()).get("items").cloned();
        if let Some(items) = items {
            let items = effective(&items);
            let required = items.get("required").and_then(Value::as_array);
            for key in &keys {
                let prop = items.get("properties").and_then(|p| p.get(key));
                let problem = match prop {
                    None => Some(
                        "is not a property of the items: name a field of the item struct (JSON name)",
                    ),
                    Some(p) if !matches!(types_of(p).as_deref(), Some([t]) if ["string", "integer", "number", "boolean"].contains(&t.as_str())) => {
                        Some("is not a scalar: list-map keys must be strings, numbers or booleans")
                    }
                    Some(p)
                        if p.get("default").is_none()
                            && !required
                                .is_some_and(|r| r.contains(&Value::from(key.as_str()))) =>
                    {
                        Some(
                            "is optional: make the item's field required (not `Option`) or give it a default",
                        )
                    }
                    _ => None,
                };
                if let Some(problem) = problem {
                    return refuse(s, "list_map", format_args!("key `{key}` {problem}"));
                }
            }
        }
        merge(s, ListMerge::Map(keys.clone()));
    }
}

/// Sets a server-side apply merge strategy (kube-core's [`ListMerge`] / [`MapMerge`]).
pub fn merge(s: &mut Schema, strategy: impl Into<kube_core::cel::MergeStrategy>) {
    let mut keys = Value::Object(Map::new());
    match kube_core::merge_strategy(&mut keys, strategy.into()) {
        Ok(()) => object(s).extend(json_object(keys)),
        Err(e) => refuse(s, "merge", format_args!("could not be applied: {e}")),
    }
}

/// The list is replaced as a whole by server-side apply.
pub fn list_atomic(s: &mut Schema) {
    if fits(
        s,
        "list_atomic",
        &["array"],
        "use map_atomic for maps and structs",
    ) {
        merge(s, ListMerge::Atomic);
    }
}

/// The list holds each scalar at most once; server-side apply merges it as a set.
pub fn list_set(s: &mut Schema) {
    if fits(s, "list_set", &["array"], "use it on a `Vec` of scalars") {
        merge(s, ListMerge::Set);
    }
}

/// The object is replaced as a whole by server-side apply.
pub fn map_atomic(s: &mut Schema) {
    if fits(s, "map_atomic", &["object"], "use list_atomic for lists") {
        merge(s, MapMerge::Atomic);
    }
}

/// The object is merged field by field by server-side apply.
pub fn map_granular(s: &mut Schema) {
    if fits(s, "map_granular", &["object"], "use it on a map or struct") {
        merge(s, MapMerge::Granular);
    }
}

/// Replaces the generated schema with `new`, keeping its description.
fn replace_keeping_description(s: &mut Schema, new: Value) {
    let mut new = json_object(new);
    for key in ["description", MARKER_ERROR] {
        if let Some(v) = s.as_object().and_then(|o| o.get(key)) {
            new.insert(key.into(), v.clone());
        }
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

const LENGTH_FIX: &str = "use markers::items for lists, markers::range for numbers, markers::properties for maps, or markers::each(markers::length(..)) for the elements of a list";

/// A string of `min..=max` characters. Refused on anything but a string (or
/// int-or-string).
pub fn length(min: u64, max: u64) -> impl FnMut(&mut Schema) {
    move |s| {
        if fits(s, "length", &["string"], LENGTH_FIX) {
            let o = object(s);
            o.insert("minLength".into(), min.into());
            o.insert("maxLength".into(), max.into());
        }
    }
}

/// A string of at most `max` characters.
pub fn max_length(max: u64) -> impl FnMut(&mut Schema) {
    move |s| {
        if fits(s, "max_length", &["string"], LENGTH_FIX) {
            object(s).insert("maxLength".into(), max.into());
        }
    }
}

/// A string matching `regex` (ECMA 262, as the apiserver evaluates it).
pub fn pattern(regex: impl Into<String> + Clone) -> impl FnMut(&mut Schema) {
    move |s| {
        if fits(
            s,
            "pattern",
            &["string"],
            "use markers::each(markers::pattern(..)) for the elements of a list, or a CEL rule",
        ) {
            object(s).insert("pattern".into(), regex.clone().into().into());
        }
    }
}

/// An RFC 1123 DNS subdomain, the syntax of most Kubernetes object names.
pub fn dns_subdomain(s: &mut Schema) {
    length(1, 253)(s);
    pattern(DNS1123_SUBDOMAIN)(s);
}

/// A number in `min..=max`. Refused on anything but a number.
pub fn range(min: i64, max: i64) -> impl FnMut(&mut Schema) {
    move |s| {
        if fits(
            s,
            "range",
            &["integer", "number"],
            "use markers::length for strings, markers::items for lists",
        ) {
            let o = object(s);
            o.insert("minimum".into(), min.into());
            o.insert("maximum".into(), max.into());
        }
    }
}

/// A TCP/UDP port number, 1 to 65535.
pub fn port(s: &mut Schema) {
    range(1, 65535)(s)
}

const ITEMS_FIX: &str =
    "use markers::length for strings, markers::properties for maps, markers::range for numbers";

/// A list of at most `max` items. Refused on anything but a list.
pub fn max_items(max: u64) -> impl FnMut(&mut Schema) {
    move |s| {
        if fits(s, "max_items", &["array"], ITEMS_FIX) {
            object(s).insert("maxItems".into(), max.into());
        }
    }
}

/// A list of `min..=max` items. Refused on anything but a list.
pub fn items(min: u64, max: u64) -> impl FnMut(&mut Schema) {
    move |s| {
        if fits(s, "items", &["array"], ITEMS_FIX) {
            let o = object(s);
            o.insert("minItems".into(), min.into());
            o.insert("maxItems".into(), max.into());
        }
    }
}

/// A string format understood by the apiserver (`date-time`, `uri`, ...).
pub fn format(format: &'static str) -> impl FnMut(&mut Schema) {
    set("format", format)
}

/// A lower and/or upper bound on the number of properties of a map. Refused on
/// anything but an object.
pub fn properties(min: Option<u64>, max: Option<u64>) -> impl FnMut(&mut Schema) {
    move |s| {
        if !fits(
            s,
            "properties",
            &["object"],
            "use markers::items for lists, markers::length for strings",
        ) {
            return;
        }
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

/// Applies `marker` to every element: the `items` of a list, or the values
/// (`additionalProperties`) of a map. For validations schemars' `inner(...)` cannot
/// express, such as CEL rules on list items or limits on map values. Refused on a
/// schema without elements.
pub fn each(mut marker: impl FnMut(&mut Schema)) -> impl FnMut(&mut Schema) {
    move |s| {
        let mut applied = false;
        if let Some(o) = s.as_object_mut() {
            for (step, v) in walk::children_mut(o) {
                if matches!(step, Step::Items | Step::Values)
                    && let Ok(inner) = <&mut Schema>::try_from(v)
                {
                    marker(inner);
                    applied = true;
                }
            }
        }
        if !applied {
            refuse(
                s,
                "each",
                "found no list items or map values here: apply the inner marker to the field itself",
            );
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

/// The strings listed under `key` (`required`, [`MARKER_ERROR`], ...), in order.
fn string_list(s: &Schema, key: &str) -> Vec<String> {
    s.get(key)
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// What markers recorded with [`refuse`] on this schema, in order.
#[cfg(test)]
fn marker_errors(s: &Schema) -> Vec<String> {
    string_list(s, MARKER_ERROR)
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
        cel_rule("size(self) <= 8")(&mut s);
        cel("self.startsWith('a')", "must start with a")(&mut s);
        let rules: Vec<&str> = s
            .get(VALIDATIONS)
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(|r| r["rule"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            rules,
            ["self != ''", "size(self) <= 8", "self.startsWith('a')"]
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

    #[test]
    fn markers_refuse_schemas_they_do_not_fit_and_leave_them_unchanged() {
        let mut n = Schema::from(json_object(
            json!({ "type": ["integer", "null"], "format": "int32" }),
        ));
        length(1, 5)(&mut n);
        max_items(3)(&mut n);
        each(cel_rule("true"))(&mut n);
        assert!(n.get("minLength").is_none() && n.get("maxItems").is_none());
        let e = marker_errors(&n);
        assert_eq!(e.len(), 3, "{e:#?}");
        assert!(e[0].starts_with("`markers::length` applies to string values, but this field is integer: use markers::items"), "{e:#?}");
        assert!(
            e[2].starts_with("`markers::each` found no list items"),
            "{e:#?}"
        );
        // Fitting uses are not refused, also through `Option`'s `anyOf`.
        let mut list = Schema::from(json_object(json!({ "anyOf": [
            { "type": "array", "items": { "type": "object", "required": ["name"],
              "properties": { "name": { "type": "string" } } } },
            { "type": "null" } ] })));
        list_map(&["name"])(&mut list);
        assert!(marker_errors(&list).is_empty());
        // Unknown shapes (int-or-string) are left alone.
        let mut ios = Schema::from(json_object(json!({})));
        int_or_string(&mut ios);
        length(1, 32)(&mut ios);
        assert!(marker_errors(&ios).is_empty());
        assert_eq!(ios.get("maxLength"), Some(&json!(32)));
    }

    #[test]
    fn rules_from_kube_core_and_run_time_lists() {
        let mut s = Schema::from(json_object(json!({ "type": "object",
            "properties": { "a": {}, "b": {}, "targetRefs": {}, "targetSelectors": {} } })));
        let fields: Vec<String> = vec!["a".into(), "b".into()];
        exactly_one_of(fields)(&mut s);
        rule(
            Rule::new("self.a == 1")
                .message("a must be 1")
                .reason(Reason::FieldValueRequired),
        )(&mut s);
        cel_per_field(
            &["targetRefs", "targetSelectors"],
            |f| format!("self.{f}.all(t, t.kind == 'Gateway')"),
            "only Gateways",
        )(&mut s);
        cel_at("true", "m", None, Some("NoSuchReason"))(&mut s);
        let rules = s.get(VALIDATIONS).cloned().unwrap_or_default();
        assert_eq!(
            rules[1],
            json!({ "rule": "self.a == 1", "message": "a must be 1", "reason": "FieldValueRequired" })
        );
        assert_eq!(
            rules[3]["rule"],
            "self.targetSelectors.all(t, t.kind == 'Gateway')"
        );
        assert_eq!(rules.as_array().map(Vec::len), Some(4));
        assert!(
            marker_errors(&s)[0].contains("unknown reason \"NoSuchReason\""),
            "{:?}",
            marker_errors(&s)
        );
    }
}

#[cfg(test)]
mod unit_tests;
