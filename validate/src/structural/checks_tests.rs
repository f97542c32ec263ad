//! Each structural check on a small schema, at its boundary: the value that just
//! passes and the one that just fails, with the apiserver's wording.

use super::*;
use serde_json::json;

use super::tests::errors;

fn ok(schema: &Value, value: &Value) {
    assert_eq!(errors(schema, value), Vec::<String>::new(), "{value}");
}

#[test]
fn patterns_are_compiled_once_each_and_bad_ones_refused() {
    let schema = json!({"type": "object", "pattern": "^a$", "properties": {
        "x": {"type": "string", "pattern": "^a$"},
        "y": {"type": "array", "items": {"type": "string", "pattern": "^b+$"}}}});
    let mut pats = Patterns::new();
    patterns(&schema, &mut pats).expect("compiles");
    assert_eq!(pats.keys().collect::<Vec<_>>(), ["^a$", "^b+$"]);
    assert!(patterns(&json!({"pattern": "("}), &mut pats).is_err());
}

#[test]
fn prune_keeps_declared_nullable_and_preserved_fields() {
    let schema = json!({"type": "object", "properties": {
        "metadata": {"type": "object"},
        "n": {"type": "string", "nullable": true},
        "map": {"type": "object", "additionalProperties": {"type": "object",
            "properties": {"a": {"type": "integer"}}}},
        "list": {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "integer"}}}},
        "keep": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                 "properties": {"known": {"type": "object", "properties": {}}}},
        "any": {"x-kubernetes-preserve-unknown-fields": true},
    }});
    let mut v = json!({
        "metadata": {"name": "x", "labels": {"a": "b"}},
        "n": null,
        "map": {"k": {"a": 1, "b": 2}},
        "list": [{"a": 1}, {"a": 2, "z": 3}],
        "keep": {"extra": 1, "known": {"dropped": 1}},
        "any": {"deep": {"er": 1}},
    });
    let mut unknown = vec![];
    prune(&schema, &mut v, "", &mut unknown);
    unknown.sort();
    assert_eq!(unknown, ["keep.known.dropped", "list[1].z", "map.k.b"]);
    assert_eq!(
        v,
        json!({
            "metadata": {"name": "x", "labels": {"a": "b"}},
            "n": null,
            "map": {"k": {"a": 1}},
            "list": [{"a": 1}, {"a": 2}],
            "keep": {"extra": 1, "known": {}},
            "any": {"deep": {"er": 1}},
        })
    );
    // `metadata` is only the apiserver's at the root.
    let mut v = json!({"metadata": {"x": 1}});
    let mut unknown = vec![];
    prune(
        &json!({"properties": {"metadata": {"type": "object", "properties": {}}}}),
        &mut v,
        "spec",
        &mut unknown,
    );
    assert_eq!(unknown, ["spec.metadata.x"]);
}

#[test]
fn type_errors_name_the_json_type_of_the_value() {
    for (want, value, got) in [
        ("string", json!(1), "integer"),
        ("string", json!(i64::MAX), "integer"),
        // Beyond int64 the apiserver decodes a float, and above 2^53 no float is an
        // integer to it.
        ("string", json!(u64::MAX), "number"),
        ("integer", json!(i64::MAX as u64 + 1), "number"),
        ("integer", json!(1.5), "number"),
        ("number", json!(true), "boolean"),
        ("boolean", json!("true"), "string"),
        ("object", json!([]), "array"),
        ("array", json!({}), "object"),
        ("string", Value::Null, "null"),
    ] {
        assert_eq!(
            errors(&json!({"type": want}), &value),
            [format!(
                "spec: Invalid value: \"{got}\": spec in body must be of type {want}: \"{got}\""
            )]
        );
    }
    for (want, value) in [
        ("integer", json!(-1)),
        ("integer", json!(i64::MAX)),
        ("integer", json!(i64::MIN)),
        ("number", json!(1)),
        ("number", json!(u64::MAX)),
        ("number", json!(0.5)),
        ("boolean", json!(false)),
        ("object", json!({})),
        ("array", json!([])),
        ("string", json!("")),
        ("unknown-type", json!(1)),
    ] {
        ok(&json!({"type": want}), &value);
    }
    ok(&json!({"type": "string", "nullable": true}), &Value::Null);
}

#[test]
fn int_or_string_takes_integers_and_strings_only() {
    let s = json!({"x-kubernetes-int-or-string": true, "type": "string"});
    ok(&s, &json!(1));
    ok(&s, &json!(i64::MAX));
    ok(&s, &json!("1"));
    for (v, t) in [
        (json!(1.5), "number"),
        (json!(i64::MAX as u64 + 1), "number"),
        (json!({}), "object"),
    ] {
        assert_eq!(
            errors(&s, &v),
            [format!(
                "spec: Invalid value: \"{t}\": spec in body must be of type integer,string: \"{t}\""
            )]
        );
    }
    // No further checks after a type error.
    assert_eq!(
        errors(
            &json!({"x-kubernetes-int-or-string": true, "enum": [1]}),
            &json!([])
        )
        .len(),
        1
    );
}

#[test]
fn object_bounds_and_required_fields() {
    let s = json!({"type": "object", "minProperties": 1, "maxProperties": 2,
        "required": ["a"], "additionalProperties": {"type": "integer"}});
    ok(&s, &json!({"a": 1}));
    ok(&s, &json!({"a": 1, "b": 2}));
    assert_eq!(
        errors(&s, &json!({"a": 1, "b": 2, "c": 3})),
        ["spec: Too many: 3: must have at most 2 items"]
    );
    assert_eq!(
        errors(&s, &json!({})),
        [
            "spec: Invalid value: 0: spec in body should have at least 1 properties",
            "spec.a: Required value"
        ]
    );
    // Values of a map are checked against additionalProperties, in key order.
    assert_eq!(
        errors(&s, &json!({"a": "x", "0": "y"})),
        [
            "spec.0: Invalid value: \"string\": spec.0 in body must be of type integer: \"string\"",
            "spec.a: Invalid value: \"string\": spec.a in body must be of type integer: \"string\""
        ]
    );
    // At the root, `metadata` is not checked against the schema.
    let root = json!({"type": "object", "properties": {"metadata": {"type": "string"}}});
    let pats = Patterns::new();
    let mut out = vec![];
    check(&root, &json!({"metadata": {}}), "", &pats, &mut out);
    assert!(out.is_empty(), "{out:?}");
    check(&root, &json!({"metadata": {}}), "x", &pats, &mut out);
    assert_eq!(out.len(), 1);
}

#[test]
fn list_bounds_use_item_for_one() {
    let s = json!({"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "string"}});
    ok(&s, &json!(["a", "b"]));
    ok(&s, &json!(["a", "b", "c"]));
    assert_eq!(
        errors(&s, &json!(["a", "b", "c", "d"])),
        ["spec: Too many: 4: must have at most 3 items"]
    );
    assert_eq!(
        errors(&s, &json!(["a"])),
        ["spec: Invalid value: 1: spec in body should have at least 2 items"]
    );
    assert_eq!(
        errors(&s, &json!(["a", 1])),
        [
            "spec[1]: Invalid value: \"integer\": spec[1] in body must be of type string: \"integer\""
        ]
    );
}

#[test]
fn string_bounds_count_characters_not_bytes() {
    let s = json!({"type": "string", "minLength": 2, "maxLength": 3});
    ok(&s, &json!("éé"));
    ok(&s, &json!("ééé"));
    assert_eq!(
        errors(&s, &json!("éééé")),
        ["spec: Too long: may not be more than 3 bytes"]
    );
    assert_eq!(
        errors(&s, &json!("é")),
        ["spec: Invalid value: \"é\": spec in body should be at least 2 chars long"]
    );
    // A pattern that is not compiled (not collected) is not checked.
    let mut out = vec![];
    check(
        &json!({"type": "string", "pattern": "^a$"}),
        &json!("b"),
        "spec",
        &Patterns::new(),
        &mut out,
    );
    assert!(out.is_empty());
    ok(&json!({"type": "string", "pattern": "^a$"}), &json!("a"));
}

#[test]
fn formats_date_time_and_uri_are_checked_others_not() {
    assert_eq!(
        errors(
            &json!({"type": "string", "format": "date-time"}),
            &json!("yesterday")
        ),
        [
            "spec: Invalid value: \"yesterday\": spec in body must be of type date-time: \"yesterday\""
        ]
    );
    ok(
        &json!({"type": "string", "format": "date-time"}),
        &json!("2026-12-06T17:41:22Z"),
    );
    assert_eq!(
        errors(&json!({"type": "string", "format": "uri"}), &json!("no")),
        ["spec: Invalid value: \"no\": spec in body must be of type uri: \"no\""]
    );
    ok(&json!({"type": "string", "format": "email"}), &json!("no"));
    for good in [
        "2026-01-02T03:04:05Z",
        "2026-01-02t03:04:05z",
        "2026-01-02 23:59:60.123-23:59",
        "2026-12-31T00:00:00+01:00",
        "2026-10-30T19:00:00Z",
    ] {
        assert!(is_date_time(good), "{good}");
    }
    for bad in [
        "2026-00-02T03:04:05Z",
        "2026-01-32T03:04:05Z",
        "2026-01-02T24:04:05Z",
        "2026-01-02T03:60:05Z",
        "2026-01-02T03:04:61Z",
        "2026-01-02T03:04:05",
        "2026-01-02T03:04:05+24:00",
        "x2026-01-02T03:04:05Z",
    ] {
        assert!(!is_date_time(bad), "{bad}");
    }
    for good in ["a:b", "h+t-t.p:x", "z9:", "/"] {
        assert!(is_uri(good), "{good}");
    }
    for bad in [":x", "9a:b", "a b:c", "a_b:c", "", "relative/path"] {
        assert!(!is_uri(bad), "{bad}");
    }
}

#[test]
fn number_bounds_inclusive_and_exclusive() {
    let s = json!({"type": "integer", "minimum": 1, "maximum": 10});
    ok(&s, &json!(1));
    ok(&s, &json!(10));
    assert_eq!(
        errors(&s, &json!(11)),
        ["spec: Invalid value: 11: spec in body should be less than or equal to 10"]
    );
    assert_eq!(
        errors(&s, &json!(0)),
        ["spec: Invalid value: 0: spec in body should be greater than or equal to 1"]
    );
    let x = json!({"type": "number", "minimum": 1, "maximum": 2.5,
        "exclusiveMinimum": true, "exclusiveMaximum": true});
    ok(&x, &json!(1.5));
    assert_eq!(
        errors(&x, &json!(1)),
        ["spec: Invalid value: 1: spec in body should be greater than 1"]
    );
    assert_eq!(
        errors(&x, &json!(2.5)),
        ["spec: Invalid value: 2.5: spec in body should be less than 2.5"]
    );
    // A bound that is not a number is ignored.
    ok(
        &json!({"type": "integer", "minimum": "5", "maximum": "0"}),
        &json!(3),
    );
}

#[test]
fn enums_list_the_supported_values() {
    let s = json!({"enum": [1, "a", null]});
    ok(&s, &json!(1));
    ok(&s, &json!("a"));
    assert_eq!(
        errors(&s, &json!(2)),
        ["spec: Unsupported value: 2: supported values: 1, \"a\", null"]
    );
}

#[test]
fn set_and_map_lists_are_checked_at_any_depth() {
    let s = json!({"type": "object", "properties": {
        "set": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "integer"}},
        "atomic": {"type": "array", "x-kubernetes-list-type": "atomic", "items": {"type": "integer"}},
        "maps": {"type": "object", "additionalProperties": {"type": "array",
            "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["k", "p"],
            "items": {"type": "object", "properties": {
                "k": {"type": "string"}, "p": {"type": "integer"},
                "inner": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}}}}},
    }});
    ok(
        &s,
        &json!({"set": [1, 2], "atomic": [1, 1],
                "maps": {"m": [{"k": "a", "p": 1}, {"k": "a", "p": 2}, {"k": "b"}]}}),
    );
    assert_eq!(
        errors(
            &s,
            &json!({"set": [1, 2, 1],
                    "maps": {"m": [{"k": "a", "p": 1, "inner": ["x", "x"]}, {"p": 1, "k": "a"}]}})
        ),
        [
            "spec.maps.m[1]: Duplicate value: {\"k\":\"a\",\"p\":1}",
            "spec.maps.m[0].inner[1]: Duplicate value: \"x\"",
            "spec.set[2]: Duplicate value: 1",
        ]
    );
}
