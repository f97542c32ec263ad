//! Every marker of `markers/mod.rs` on a small schema: the schema before and after,
//! and the refusal text when the marker does not fit. These are crdgen's own tests of
//! its public API; the API crate's golden files test the agentgateway types.

use super::*;

fn schema(v: Value) -> Schema {
    Schema::from(json_object(v))
}

/// Applies `marker` to `before` and returns the schema after it.
fn apply(before: Value, mut marker: impl FnMut(&mut Schema)) -> Value {
    let mut s = schema(before);
    marker(&mut s);
    s.to_value()
}

/// Applies `marker` to `before`, checks that it refused with exactly `refusal` and left
/// the schema otherwise as it was.
fn assert_refused(before: Value, marker: impl FnMut(&mut Schema), refusal: &str) {
    let after = apply(before.clone(), marker);
    let mut expected = before;
    expected[MARKER_ERROR] = json!([refusal]);
    assert_eq!(after, expected);
}

fn string() -> Value {
    json!({ "type": "string", "description": "d" })
}

fn integer() -> Value {
    json!({ "type": "integer", "format": "int32" })
}

fn array_of(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

fn object_with(props: &[&str]) -> Value {
    let props: Map<String, Value> = props
        .iter()
        .map(|p| ((*p).to_owned(), json!({ "type": "string" })))
        .collect();
    json!({ "type": "object", "properties": props })
}

#[test]
fn refuse_names_the_marker_and_accumulates() {
    let mut s = schema(string());
    refuse(&mut s, "a", "does not fit");
    refuse(&mut s, "b", format_args!("needs {}", 2));
    assert_eq!(
        marker_errors(&s),
        ["`markers::a` does not fit", "`markers::b` needs 2"]
    );
    assert_eq!(string_list(&s, "description"), Vec::<String>::new());
}

#[test]
fn dns_subdomain_bounds_the_length_and_sets_the_pattern() {
    assert_eq!(
        apply(string(), dns_subdomain),
        json!({ "type": "string", "description": "d", "minLength": 1, "maxLength": 253,
                "pattern": DNS1123_SUBDOMAIN })
    );
    let after = apply(integer(), dns_subdomain);
    let errors = after[MARKER_ERROR].as_array().map(Vec::len);
    assert_eq!(errors, Some(2), "length and pattern both refuse: {after}");
    assert_eq!(after.get("pattern"), None);
}

#[test]
fn port_is_a_range_of_1_to_65535_on_numbers_only() {
    assert_eq!(
        apply(integer(), port),
        json!({ "type": "integer", "format": "int32", "minimum": 1, "maximum": 65535 })
    );
    assert_eq!(
        apply(json!({ "type": "number" }), range(-5, 5)),
        json!({ "type": "number", "minimum": -5, "maximum": 5 })
    );
    assert_refused(
        string(),
        port,
        "`markers::range` applies to integer/number values, but this field is string: \
         use markers::length for strings, markers::items for lists",
    );
}

#[test]
fn length_and_max_length_apply_to_strings_only() {
    assert_eq!(
        apply(string(), length(2, 9)),
        json!({ "type": "string", "description": "d", "minLength": 2, "maxLength": 9 })
    );
    assert_eq!(
        apply(json!({ "type": ["string", "null"] }), max_length(7)),
        json!({ "type": ["string", "null"], "maxLength": 7 })
    );
    assert_refused(
        array_of(string()),
        max_length(7),
        &format!(
            "`markers::max_length` applies to string values, but this field is array: {LENGTH_FIX}"
        ),
    );
    // A field that admits only `null` has no type to fit.
    assert_refused(
        json!({ "type": ["null"] }),
        length(1, 2),
        &format!(
            "`markers::length` applies to string values, but this field is untyped: {LENGTH_FIX}"
        ),
    );
}

#[test]
fn pattern_applies_to_strings_only() {
    assert_eq!(
        apply(string(), pattern("^a$")),
        json!({ "type": "string", "description": "d", "pattern": "^a$" })
    );
    assert_refused(
        array_of(string()),
        pattern("^a$"),
        "`markers::pattern` applies to string values, but this field is array: \
         use markers::each(markers::pattern(..)) for the elements of a list, or a CEL rule",
    );
}

#[test]
fn items_and_max_items_apply_to_lists_only() {
    let list = array_of(string());
    let mut expected = list.clone();
    expected["minItems"] = json!(1);
    expected["maxItems"] = json!(8);
    assert_eq!(apply(list.clone(), items(1, 8)), expected);
    let mut expected = list;
    expected["maxItems"] = json!(3);
    assert_eq!(apply(expected.clone(), max_items(3)), expected);
    assert_refused(
        string(),
        items(1, 8),
        &format!("`markers::items` applies to array values, but this field is string: {ITEMS_FIX}"),
    );
    assert_refused(
        string(),
        max_items(1),
        &format!(
            "`markers::max_items` applies to array values, but this field is string: {ITEMS_FIX}"
        ),
    );
}

#[test]
fn properties_sets_the_given_bounds_on_objects_only() {
    let obj = json!({ "type": "object" });
    assert_eq!(
        apply(obj.clone(), properties(Some(1), None)),
        json!({ "type": "object", "minProperties": 1 })
    );
    assert_eq!(
        apply(obj.clone(), properties(None, Some(4))),
        json!({ "type": "object", "maxProperties": 4 })
    );
    assert_eq!(
        apply(obj, properties(Some(0), Some(2))),
        json!({ "type": "object", "minProperties": 0, "maxProperties": 2 })
    );
    assert_refused(
        array_of(string()),
        properties(Some(1), None),
        "`markers::properties` applies to object values, but this field is array: \
         use markers::items for lists, markers::length for strings",
    );
}

#[test]
fn set_format_and_one_of_strings_write_their_keyword() {
    assert_eq!(
        apply(string(), format("uri")),
        json!({ "type": "string", "description": "d", "format": "uri" })
    );
    assert_eq!(
        apply(string(), set("x-custom", 3)),
        json!({ "type": "string", "description": "d", "x-custom": 3 })
    );
    assert_eq!(
        apply(string(), one_of_strings(&["A", "B"])),
        json!({ "type": "string", "description": "d", "enum": ["A", "B"] })
    );
}

#[test]
fn list_merge_strategies_apply_to_lists_only() {
    let list = array_of(string());
    let with = |key: &str, value: Value| {
        let mut v = list.clone();
        v[key] = value;
        v
    };
    assert_eq!(
        apply(list.clone(), list_set),
        with("x-kubernetes-list-type", json!("set"))
    );
    assert_eq!(
        apply(list.clone(), list_atomic),
        with("x-kubernetes-list-type", json!("atomic"))
    );
    let obj = json!({ "type": "object" });
    assert_refused(
        obj.clone(),
        list_set,
        "`markers::list_set` applies to array values, but this field is object: use it on a `Vec` of scalars",
    );
    assert_refused(
        obj,
        list_atomic,
        "`markers::list_atomic` applies to array values, but this field is object: use map_atomic for maps and structs",
    );
}

#[test]
fn map_merge_strategies_apply_to_objects_only() {
    let obj = json!({ "type": "object", "additionalProperties": { "type": "string" } });
    let with = |value: &str| {
        let mut v = obj.clone();
        v["x-kubernetes-map-type"] = json!(value);
        v
    };
    assert_eq!(apply(obj.clone(), map_atomic), with("atomic"));
    assert_eq!(apply(obj.clone(), map_granular), with("granular"));
    assert_refused(
        array_of(string()),
        map_atomic,
        "`markers::map_atomic` applies to object values, but this field is array: use list_atomic for lists",
    );
    assert_refused(
        array_of(string()),
        map_granular,
        "`markers::map_granular` applies to object values, but this field is array: use it on a map or struct",
    );
}

#[test]
fn merge_writes_kube_cores_keys() {
    let mut s = schema(array_of(string()));
    merge(&mut s, ListMerge::Map(vec!["name".into(), "port".into()]));
    assert_eq!(s.get("x-kubernetes-list-type"), Some(&json!("map")));
    assert_eq!(
        s.get("x-kubernetes-list-map-keys"),
        Some(&json!(["name", "port"]))
    );
    let mut s = schema(json!({ "type": "object" }));
    merge(&mut s, MapMerge::Atomic);
    assert_eq!(
        s.to_value(),
        json!({ "type": "object", "x-kubernetes-map-type": "atomic" })
    );
}

fn items_with(key_schema: Value, required: bool) -> Value {
    let mut items = json!({ "type": "object",
        "properties": { "name": key_schema, "other": { "type": "string" } } });
    if required {
        items["required"] = json!(["name"]);
    }
    array_of(items)
}

#[test]
fn list_map_sets_the_keys_when_every_key_is_a_required_scalar() {
    for scalar in ["string", "integer", "number", "boolean"] {
        let list = items_with(json!({ "type": scalar }), true);
        let after = apply(list, list_map(["name"]));
        assert_eq!(after["x-kubernetes-list-type"], "map", "{scalar}");
        assert_eq!(after["x-kubernetes-list-map-keys"], json!(["name"]));
        assert_eq!(after.get(MARKER_ERROR), None);
    }
    // A defaulted key need not be required; an `Option` list is seen through.
    let defaulted = items_with(json!({ "type": "string", "default": "a" }), false);
    let optional_list = json!({ "anyOf": [defaulted, { "type": "null" }] });
    let after = apply(optional_list, list_map(vec!["name".to_owned()]));
    assert_eq!(after["x-kubernetes-list-map-keys"], json!(["name"]));
    assert_eq!(after.get(MARKER_ERROR), None);
}

#[test]
fn list_map_refuses_keys_that_cannot_identify_an_item() {
    assert_refused(
        items_with(json!({ "type": "string" }), true),
        list_map(["nome"]),
        "`markers::list_map` key `nome` is not a property of the items: \
         name a field of the item struct (JSON name)",
    );
    assert_refused(
        items_with(json!({ "type": "object" }), true),
        list_map(["name"]),
        "`markers::list_map` key `name` is not a scalar: list-map keys must be strings, numbers or booleans",
    );
    assert_refused(
        items_with(
            json!({ "type": "array", "items": { "type": "string" } }),
            true,
        ),
        list_map(["name"]),
        "`markers::list_map` key `name` is not a scalar: list-map keys must be strings, numbers or booleans",
    );
    assert_refused(
        items_with(json!({ "type": "string" }), false),
        list_map(["name"]),
        "`markers::list_map` key `name` is optional: \
         make the item's field required (not `Option`) or give it a default",
    );
    // The first bad key is reported, once.
    assert_refused(
        items_with(json!({ "type": "string" }), true),
        list_map(["name", "other", "third"]),
        "`markers::list_map` key `other` is optional: \
         make the item's field required (not `Option`) or give it a default",
    );
    assert_refused(
        json!({ "type": "object" }),
        list_map(["name"]),
        "`markers::list_map` applies to array values, but this field is object: use it on a `Vec` of structs",
    );
}

#[test]
fn default_is_written_when_it_fits_the_type() {
    let cases = [
        (json!({ "type": "string" }), json!("a")),
        (json!({ "type": "integer" }), json!(-1)),
        (json!({ "type": "integer" }), json!(u64::MAX)),
        (json!({ "type": "number" }), json!(1.5)),
        (json!({ "type": "boolean" }), json!(false)),
        (json!({ "type": "array" }), json!(["a"])),
        (json!({ "type": "object" }), json!({ "a": 1 })),
        (json!({ "type": ["integer", "null"] }), json!(3)),
        // Int-or-string and untyped schemas take any value.
        (json!({ "x-kubernetes-int-or-string": true }), json!("1")),
        (json!({}), json!(5)),
        (
            json!({ "x-kubernetes-preserve-unknown-fields": true }),
            json!({ "a": [1] }),
        ),
        (json!({ "enum": ["A", "B"] }), json!("B")),
        (
            json!({ "oneOf": [ { "const": "A" }, { "enum": ["B", "C"] } ] }),
            json!("C"),
        ),
    ];
    for (before, value) in cases {
        let mut expected = before.clone();
        expected["default"] = value.clone();
        assert_eq!(apply(before, default(value)), expected);
    }
}

#[test]
fn default_refuses_values_of_another_type_or_outside_the_enum() {
    let refused = [
        (json!({ "type": "string" }), json!(1), "string"),
        (json!({ "type": "integer" }), json!(1.5), "integer"),
        (json!({ "type": "integer" }), json!("1"), "integer"),
        (json!({ "type": "number" }), json!("1"), "number"),
        (json!({ "type": "boolean" }), json!("true"), "boolean"),
        (json!({ "type": "array" }), json!({}), "array"),
        (json!({ "type": "object" }), json!([]), "object"),
        (
            json!({ "type": ["integer", "null"] }),
            json!(null),
            "integer",
        ),
    ];
    for (before, value, ty) in refused {
        assert_refused(
            before,
            default(value.clone()),
            &format!(
                "`markers::default` value {value} is not of the field's type {ty}: give a value of that type"
            ),
        );
    }
    assert_refused(
        json!({ "type": "string", "enum": ["A", null, "B"] }),
        default("C"),
        "`markers::default` value \"C\" is not one of the field's values [\"A\",\"B\"]: use one of them",
    );
    assert_refused(
        json!({ "oneOf": [ { "const": "A" }, { "enum": ["B"] } ] }),
        default("C"),
        "`markers::default` value \"C\" is not one of the field's values [\"A\",\"B\"]: use one of them",
    );
}

#[test]
fn enum_values_reads_enum_lists_and_one_of_consts_only() {
    assert_eq!(
        enum_values(&json!({ "enum": ["A", null] })),
        Some(vec![json!("A")])
    );
    assert_eq!(
        enum_values(&json!({ "oneOf": [ { "const": "A" }, { "enum": ["B", "C"] } ] })),
        Some(vec![json!("A"), json!("B"), json!("C")])
    );
    // A union of structs is not an enum.
    assert_eq!(
        enum_values(&json!({ "oneOf": [ { "const": "A" }, { "type": "object" } ] })),
        None
    );
    assert_eq!(
        enum_values(&json!({ "oneOf": [ { "const": "A", "enum": ["A"] } ] })),
        None
    );
    assert_eq!(enum_values(&json!({ "type": "string" })), None);
    assert_eq!(
        types_of(&json!({ "anyOf": [ { "enum": ["A"] }, { "type": "null" } ] })),
        Some(vec!["string".to_owned()])
    );
}

#[test]
fn effective_unwraps_only_an_option_of_one_schema() {
    let inner = json!({ "type": "string" });
    let option = json!({ "anyOf": [inner, { "type": "null" }] });
    assert_eq!(effective(&option), &inner);
    // Two members besides `null`, or no `null` at all: not an `Option`.
    let union =
        json!({ "anyOf": [ { "type": "string" }, { "type": "integer" }, { "type": "null" } ] });
    assert_eq!(effective(&union), &union);
    let single = json!({ "anyOf": [ { "type": "string" } ] });
    assert_eq!(effective(&single), &single);
    let nested = json!({ "anyOf": [option, { "type": "null" }] });
    assert_eq!(effective(&nested), &inner);
}

#[test]
fn preserve_unknown_fields_and_free_form_object_replace_the_schema_keeping_its_description() {
    let before = json!({ "type": "object", "description": "d",
        "properties": { "a": { "type": "string" } }, "required": ["a"],
        MARKER_ERROR: ["`markers::x` earlier"] });
    assert_eq!(
        apply(before.clone(), preserve_unknown_fields),
        json!({ "x-kubernetes-preserve-unknown-fields": true, "description": "d",
                MARKER_ERROR: ["`markers::x` earlier"] })
    );
    assert_eq!(
        apply(before, free_form_object),
        json!({ "type": "object", "x-kubernetes-preserve-unknown-fields": true, "description": "d",
                MARKER_ERROR: ["`markers::x` earlier"] })
    );
    assert_eq!(
        apply(json!({ "type": "string" }), int_or_string),
        json!({ "anyOf": [{ "type": "integer" }, { "type": "string" }],
                "x-kubernetes-int-or-string": true })
    );
}

#[test]
fn quantity_is_exactly_int_or_string_with_the_pattern() {
    assert_eq!(
        apply(json!({ "type": "string", "description": "d" }), quantity),
        json!({ "anyOf": [{ "type": "integer" }, { "type": "string" }],
                "x-kubernetes-int-or-string": true, "description": "d",
                "pattern": QUANTITY_PATTERN })
    );
}

#[test]
fn cel_markers_write_rule_message_path_and_reason() {
    assert_eq!(
        apply(string(), cel_rule("self != ''"))[VALIDATIONS],
        json!([{ "rule": "self != ''" }])
    );
    assert_eq!(
        apply(string(), cel("self != ''", "m"))[VALIDATIONS],
        json!([{ "rule": "self != ''", "message": "m" }])
    );
    assert_eq!(
        apply(string(), cel_at("r", "m", None, None))[VALIDATIONS],
        json!([{ "rule": "r", "message": "m" }])
    );
    assert_eq!(
        apply(
            string(),
            cel_at("r", "m", Some(".a"), Some("FieldValueForbidden"))
        )[VALIDATIONS],
        json!([{ "rule": "r", "message": "m", "fieldPath": ".a", "reason": "FieldValueForbidden" }])
    );
    assert_refused(
        string(),
        cel_at("r", "m", Some(".a"), Some("Nope")),
        "`markers::cel_at` names the unknown reason \"Nope\": use FieldValueInvalid, \
         FieldValueForbidden, FieldValueRequired or FieldValueDuplicate",
    );
    let fields = ["a", "b"];
    assert_eq!(
        apply(
            string(),
            cel_per_field(fields, |f| format!("has(self.{f})"), "m")
        )[VALIDATIONS],
        json!([{ "rule": "has(self.a)", "message": "m" }, { "rule": "has(self.b)", "message": "m" }])
    );
}

#[test]
fn cardinality_is_read_back_from_its_message() {
    for c in Cardinality::ALL {
        let (_, message) = field_group_rule(c, &["a", "b"]);
        assert_eq!(Cardinality::of_message(&message), Some(c), "{message}");
    }
    assert_eq!(Cardinality::of_message("one of the fields in [a]"), None);
}

#[test]
fn field_groups_check_their_fields_and_name_the_marker() {
    let obj = object_with(&["a", "b", "c"]);
    for (marker, cardinality, mut apply_it) in [
        (
            "exactly_one_of",
            Cardinality::ExactlyOne,
            Box::new(exactly_one_of(["a", "b"])) as Box<dyn FnMut(&mut Schema)>,
        ),
        (
            "at_most_one_of",
            Cardinality::AtMostOne,
            Box::new(at_most_one_of(["a", "b"])),
        ),
        (
            "at_least_one_of",
            Cardinality::AtLeastOne,
            Box::new(at_least_one_of(["a", "b"])),
        ),
    ] {
        let after = apply(obj.clone(), &mut apply_it);
        let (rule, message) = field_group_rule(cardinality, &["a", "b"]);
        assert_eq!(
            after[VALIDATIONS],
            json!([{ "rule": rule, "message": message }]),
            "{marker}"
        );
        let _ = marker;
    }
    assert_refused(
        obj.clone(),
        at_most_one_of(["a", "zz", "yy"]),
        "`markers::at_most_one_of` names [\"zz\", \"yy\"], which the object does not have \
         (its fields: [\"a\", \"b\", \"c\"]); use the JSON (camelCase) names of fields of the annotated struct",
    );
    assert_refused(
        json!({ "type": "string" }),
        exactly_one_of(["a"]),
        "`markers::exactly_one_of` names [\"a\"], which the object does not have \
         (its fields: []); use the JSON (camelCase) names of fields of the annotated struct",
    );
    assert_refused(
        obj,
        at_least_one_of(["q"]),
        "`markers::at_least_one_of` names [\"q\"], which the object does not have \
         (its fields: [\"a\", \"b\", \"c\"]); use the JSON (camelCase) names of fields of the annotated struct",
    );
}

#[test]
fn at_least_one_field_refuses_unknown_exclusions_and_empty_structs() {
    let obj = object_with(&["b", "a"]);
    assert_refused(
        obj.clone(),
        at_least_one_field(&["c"]),
        "`markers::at_least_one_field` names [\"c\"], which the object does not have \
         (its fields: [\"a\", \"b\"]); use the JSON (camelCase) names of fields of the annotated struct",
    );
    assert_refused(
        obj.clone(),
        at_least_one_field(&["a", "b"]),
        "`markers::at_least_one_field` found no fields: apply it to a struct with named fields (as a type attribute)",
    );
    // Through an `Option`'s anyOf.
    let optional = json!({ "anyOf": [obj, { "type": "null" }] });
    let after = apply(optional, at_least_one_field(&[]));
    let (rule, message) = field_group_rule(Cardinality::AtLeastOne, &["a", "b"]);
    assert_eq!(
        after[VALIDATIONS],
        json!([{ "rule": rule, "message": message }])
    );
    assert_eq!(
        property_names(&schema(json!({})), &[]),
        Vec::<String>::new()
    );
}

#[test]
fn each_applies_to_every_element_kind_and_refuses_scalars() {
    assert_refused(
        string(),
        each(length(1, 2)),
        "`markers::each` found no list items or map values here: apply the inner marker to the field itself",
    );
    // A refusal of the inner marker lands on the element.
    let after = apply(array_of(integer()), each(length(1, 2)));
    assert_eq!(after.get(MARKER_ERROR), None);
    assert_eq!(
        after["items"][MARKER_ERROR][0]
            .as_str()
            .map(|e| e.starts_with("`markers::length` applies to string values")),
        Some(true),
        "{after}"
    );
}
