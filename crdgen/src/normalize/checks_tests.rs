//! normalize's clean-up steps and every check, one at a time, on small schemas: the
//! schema after, or the problem reported with its path.

use super::*;
use serde_json::json;

fn crd(schema: Value) -> Value {
    json!({
        "metadata": { "name": "things.example.dev" },
        "spec": { "versions": [ { "schema": { "openAPIV3Schema": schema } } ] },
    })
}

/// A documented root object with one property `f` holding `field`.
fn with_field(field: Value) -> Value {
    json!({ "type": "object", "description": "root", "properties": { "f": field } })
}

/// The problems of a root object with one field, as `path message`.
fn problems_of(field: Value) -> Vec<String> {
    let mut c = crd(with_field(field));
    match normalize(&mut c) {
        Ok(()) => vec![],
        Err(p) => p
            .iter()
            .map(|p| format!("{} {}", p.path, p.message))
            .collect(),
    }
}

/// The field after normalization (which must succeed).
fn normalized(field: Value) -> Value {
    let mut c = crd(with_field(field));
    if let Err(p) = normalize(&mut c) {
        panic!("{p:#?}");
    }
    c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["f"].take()
}

#[test]
fn a_problem_displays_as_crd_path_message() {
    let p = Problem {
        crd: "things.example.dev".into(),
        path: ".spec.a".into(),
        message: "is wrong".into(),
    };
    assert_eq!(p.to_string(), "things.example.dev: .spec.a: is wrong");
}

#[test]
fn any_of_is_refused_unless_int_or_string() {
    let p = problems_of(json!({ "description": "d", "type": "string",
        "anyOf": [ { "type": "string" }, { "type": "integer" } ] }));
    assert_eq!(
        p,
        [".f `anyOf` is only allowed for int-or-string; use `markers::int_or_string`"]
    );
    let ios = json!({ "description": "d", "x-kubernetes-int-or-string": true,
        "anyOf": [ { "type": "integer" }, { "type": "string" } ] });
    assert_eq!(problems_of(ios.clone()), Vec::<String>::new());
    assert_eq!(normalized(ios.clone()), ios);
}

#[test]
fn strip_null_drops_null_from_types_and_enums() {
    assert_eq!(
        normalized(json!({ "description": "d", "type": ["integer", "null"], "format": "int64" })),
        json!({ "description": "d", "type": "integer", "format": "int64" })
    );
    assert_eq!(
        normalized(json!({ "description": "d", "type": ["string", "null"], "enum": ["a", null] })),
        json!({ "description": "d", "type": "string", "enum": ["a"] })
    );
    let mut o = json_map(json!({ "type": ["null", "string", "integer"] }));
    strip_null(&mut o);
    assert_eq!(Value::Object(o), json!({ "type": ["string", "integer"] }));
}

fn json_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[test]
fn strip_null_merges_an_option_of_one_schema_into_the_field() {
    let mut o = json_map(json!({
        "description": "field", "x-kubernetes-validations": [ { "rule": "outer" } ],
        MARKER_ERROR: ["outer error"],
        "anyOf": [ { "type": ["object", "null"], "description": "type",
                     "x-kubernetes-validations": [ { "rule": "inner" } ], MARKER_ERROR: ["inner error"] },
                   { "type": "null" } ],
    }));
    strip_null(&mut o);
    assert_eq!(
        Value::Object(o),
        json!({ "type": "object", "description": "field",
                "x-kubernetes-validations": [ { "rule": "inner" }, { "rule": "outer" } ],
                MARKER_ERROR: ["inner error", "outer error"] })
    );
    // The field's rules are kept when the type has none.
    let mut o = json_map(json!({ "x-kubernetes-validations": [ { "rule": "outer" } ],
        "anyOf": [ { "type": "string" }, { "type": "null" } ] }));
    strip_null(&mut o);
    assert_eq!(
        Value::Object(o),
        json!({ "type": "string", "x-kubernetes-validations": [ { "rule": "outer" } ] })
    );
}

#[test]
fn strip_null_leaves_other_unions_alone() {
    // No null member: not an Option.
    let union = json!({ "anyOf": [ { "type": "integer" }, { "type": "string" } ] });
    let mut o = json_map(union.clone());
    strip_null(&mut o);
    assert_eq!(Value::Object(o), union);
    // Two members besides null: only the null goes.
    let mut o = json_map(
        json!({ "anyOf": [ { "type": "integer" }, { "type": "string" }, { "type": "null" } ] }),
    );
    strip_null(&mut o);
    assert_eq!(Value::Object(o), union);
    // A member that is not an object is not merged, and not lost.
    let mut o = json_map(json!({ "anyOf": [ true, { "type": "null" } ] }));
    strip_null(&mut o);
    assert_eq!(Value::Object(o), json!({ "anyOf": [ true ] }));
    let mut o = json_map(json!({ "anyOf": [ { "type": "null" } ] }));
    strip_null(&mut o);
    assert_eq!(Value::Object(o), json!({ "anyOf": [] }));
}

#[test]
fn unit_enums_need_string_constants_and_nothing_else() {
    // Not a unit enum: left as oneOf, which the structural check then refuses.
    for variants in [
        json!([ { "const": "A" }, { "type": "object", "properties": {} } ]),
        json!([ { "const": 1 } ]),
        json!(["A"]),
        json!([ { "enum": ["A", 2] } ]),
        json!([ { "const": "A", "enum": ["A"] } ]),
    ] {
        let mut o = json_map(json!({ "description": "d", "oneOf": variants.clone() }));
        unit_enum(&mut o);
        assert_eq!(o.get("oneOf"), Some(&variants));
        assert_eq!(o.get("enum"), None);
    }
    // Variants without docs add nothing to the description.
    let mut o = json_map(json!({ "oneOf": [ { "type": "string", "enum": ["A", "B"] } ] }));
    unit_enum(&mut o);
    assert_eq!(
        Value::Object(o),
        json!({ "type": "string", "enum": ["A", "B"] })
    );
    // Without a description of its own, the field gets the list alone.
    let mut o = json_map(json!({ "oneOf": [ { "const": "A", "description": "a" } ] }));
    unit_enum(&mut o);
    assert_eq!(o.get("description"), Some(&json!("- `A`: a")));
}

#[test]
fn dropped_keywords_and_formats_kubernetes_does_not_know() {
    let mut field = json!({ "description": "d", "type": "string" });
    for k in DROPPED {
        field[*k] = json!("x");
    }
    assert_eq!(
        normalized(field),
        json!({ "description": "d", "type": "string" })
    );
    for (format, kept) in [
        ("int32", true),
        ("int64", true),
        ("uint8", false),
        ("", false),
    ] {
        let after = normalized(json!({ "description": "d", "type": "integer", "format": format }));
        assert_eq!(after.get("format").is_some(), kept, "{format}");
    }
    assert_eq!(
        normalized(json!({ "description": "d", "type": "number", "format": "double" })),
        json!({ "description": "d", "type": "number" })
    );
    // A string's format stays.
    assert_eq!(
        normalized(json!({ "description": "d", "type": "string", "format": "date-time" }))["format"],
        "date-time"
    );
}

#[test]
fn every_field_needs_a_type_unless_preserved_or_int_or_string() {
    assert_eq!(
        problems_of(json!({ "description": "d" })),
        [
            ".f no `type`: the apiserver requires one on every field of a structural schema; \
          use a concrete type, or mark the field with `markers::preserve_unknown_fields`"
        ]
    );
    assert!(
        problems_of(json!({ "description": "d", "x-kubernetes-preserve-unknown-fields": true }))
            .is_empty()
    );
}

#[test]
fn descriptions_are_required_on_fields_only() {
    assert_eq!(
        problems_of(json!({ "type": "string", "description": "  " })),
        [".f no description: document the field or type with a `///` doc comment"]
    );
    // List items and map values are described by their field.
    assert!(
        problems_of(json!({ "description": "d", "type": "array", "items": { "type": "string" } }))
            .is_empty()
    );
    // An embedded object's `metadata` is described by Kubernetes; the root's is not
    // looked into at all.
    assert!(
        problems_of(json!({ "description": "d", "type": "object",
        "properties": { "metadata": { "type": "object" } } }))
        .is_empty()
    );
    let mut c = crd(json!({ "type": "object", "description": "root",
        "properties": { "metadata": { "type": "object", "properties": { "x": { "type": "string" } } } } }));
    assert_eq!(normalize(&mut c), Ok(()));
}

#[test]
fn required_fields_must_be_properties() {
    assert_eq!(
        problems_of(
            json!({ "description": "d", "type": "object", "required": ["a", "b"],
            "properties": { "a": { "type": "string", "description": "a" } } })
        ),
        [".f `b` is required but is not a property"]
    );
    assert_eq!(
        problems_of(json!({ "description": "d", "type": "object", "required": ["a"] })),
        [".f `a` is required but is not a property"]
    );
}

#[test]
fn enum_values_are_unique_and_rules_have_an_expression() {
    assert_eq!(
        problems_of(json!({ "description": "d", "type": "string", "enum": ["a", "b", "a"] })),
        [".f enum value \"a\" appears twice"]
    );
    assert_eq!(
        problems_of(json!({ "description": "d", "type": "string",
            "x-kubernetes-validations": [ { "rule": "self != ''" }, { "rule": "" }, { "message": "m" } ] })),
        [
            ".f a CEL validation without a rule",
            ".f a CEL validation without a rule"
        ]
    );
}

#[test]
fn bounds_must_fit_the_type() {
    let misplaced = [
        ("integer", "minLength", "string"),
        ("integer", "pattern", "string"),
        ("string", "maxItems", "array"),
        ("string", "x-kubernetes-list-type", "array"),
        ("string", "minimum", "integer|number"),
        ("array", "maxProperties", "object"),
        ("array", "x-kubernetes-map-type", "object"),
    ];
    for (ty, key, wants) in misplaced {
        let p = problems_of(json!({ "description": "d", "type": ty, key: 1 }));
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(
            p[0].starts_with(&format!(
                ".f `{key}` applies to {wants} values, but this field is {ty}: move the bound"
            )),
            "{p:#?}"
        );
    }
    for (ty, key) in [
        ("string", "maxLength"),
        ("array", "minItems"),
        ("integer", "maximum"),
        ("number", "minimum"),
        ("object", "minProperties"),
    ] {
        assert!(
            problems_of(json!({ "description": "d", "type": ty, key: 1 })).is_empty(),
            "{ty} {key}"
        );
    }
    // A marker's own refusal is reported instead.
    let p = problems_of(
        json!({ "description": "d", "type": "integer", "maxLength": 1,
        MARKER_ERROR: ["`markers::length` no"] }),
    );
    assert_eq!(p, [".f `markers::length` no"]);
}

#[test]
fn defaults_must_be_of_the_type_and_in_the_enum() {
    let fits = [
        ("string", json!("a")),
        ("integer", json!(-1)),
        ("integer", json!(u64::MAX)),
        ("number", json!(0.5)),
        ("boolean", json!(true)),
        ("array", json!([])),
        ("object", json!({})),
    ];
    for (ty, default) in fits {
        assert!(
            problems_of(json!({ "description": "d", "type": ty, "default": default })).is_empty(),
            "{ty}"
        );
    }
    let wrong = [
        ("string", json!(1)),
        ("integer", json!(0.5)),
        ("number", json!("1")),
        ("boolean", json!(0)),
        ("array", json!({})),
        ("object", json!([])),
    ];
    for (ty, default) in wrong {
        assert_eq!(
            problems_of(json!({ "description": "d", "type": ty, "default": default.clone() })),
            [format!(
                ".f default {default} is not a valid {ty}: fix the value given to markers::default"
            )]
        );
    }
    assert_eq!(
        problems_of(json!({ "description": "d", "type": "string", "enum": ["a"], "default": "b" })),
        [
            ".f default \"b\" is not a valid string of the enum: fix the value given to markers::default"
        ]
    );
    assert!(
        problems_of(json!({ "description": "d", "type": "string", "enum": ["a"], "default": "a" }))
            .is_empty()
    );
}

#[test]
fn additional_properties_false_is_refused() {
    assert_eq!(
        problems_of(json!({ "description": "d", "type": "object", "additionalProperties": false })),
        [
            ".f `additionalProperties: false` is not allowed; remove `deny_unknown_fields` (the apiserver prunes unknown fields)",
            // The map values, `false`, are an untyped schema too.
            ".f.* schema is `true`/`false` (an untyped value such as serde_json::Value); \
             add `#[schemars(transform = markers::preserve_unknown_fields)]` or give the field a concrete type",
        ]
    );
    assert!(
        problems_of(json!({ "description": "d", "type": "object",
        "additionalProperties": { "type": "string" } }))
        .is_empty()
    );
}

#[test]
fn every_version_is_normalized_and_problems_name_the_crd() {
    let bad =
        with_field(json!({ "description": "d", "type": "object", "additionalProperties": false }));
    let mut c = json!({
        "spec": { "versions": [
            { "schema": { "openAPIV3Schema": bad.clone() } },
            { "schema": { "openAPIV3Schema": bad } },
        ] },
    });
    let p = normalize(&mut c).expect_err("two versions, two problems each");
    let paths: Vec<&str> = p.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, [".f", ".f.*", ".f", ".f.*"]);
    assert_eq!(p[3].crd, "<unnamed>");
    // Marker errors never reach the output, also when normalization succeeds.
    let mut c = crd(with_field(json!({ "description": "d", "type": "string",
        "properties": {}, "x-crdgen-error": [] })));
    assert_eq!(normalize(&mut c), Ok(()));
    assert_eq!(
        c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["f"].get(MARKER_ERROR),
        None
    );
}
