//! The validator's own helpers (paths, metadata, messages) and the CEL error forms,
//! each checked on its own.

use super::*;
use serde_json::json;

fn backend(spec: Value) -> Value {
    json!({"apiVersion": "agentgateway.dev/v1alpha1", "kind": "AgentgatewayBackend",
           "metadata": {"name": "b", "namespace": "ns"}, "spec": spec})
}

fn messages(object: &Value) -> Vec<String> {
    match validate(object, true) {
        Ok(_) => vec![],
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn value_at_follows_kube_cel_paths() {
    let obj = json!({"spec": {"a": [{"b": 1}, {"b": [5, [6, 7]]}], "c": {"d.e": 2}}});
    assert_eq!(value_at(&obj, ""), Some(&obj));
    assert_eq!(value_at(&obj, "spec.a[0].b"), Some(&json!(1)));
    assert_eq!(value_at(&obj, "spec.a[1].b[1][0]"), Some(&json!(6)));
    assert_eq!(value_at(&obj, "spec.a[2]"), None);
    assert_eq!(value_at(&obj, "spec.a[x]"), None);
    assert_eq!(value_at(&obj, "spec.z"), None);
}

#[test]
fn schema_at_follows_properties_items_and_map_values() {
    let schema = json!({"properties": {"spec": {"properties": {
        "list": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "integer"}}}},
        "map": {"type": "object", "additionalProperties": {"type": "string"}},
    }}}});
    assert_eq!(schema_at(&schema, ""), Some(&schema));
    assert_eq!(
        schema_at(&schema, "spec.list[3].n"),
        Some(&json!({"type": "integer"}))
    );
    assert_eq!(
        schema_at(&schema, "spec.map.anything"),
        Some(&json!({"type": "string"}))
    );
    assert_eq!(schema_at(&schema, "spec.nothing"), None);
    assert_eq!(schema_at(&schema, "spec.map[0]"), None);
}

#[test]
fn metadata_names_and_namespaces_are_checked_as_the_apiserver_does() {
    let text =
        |errs: Vec<FieldError>| -> Vec<String> { errs.iter().map(ToString::to_string).collect() };
    assert!(metadata_errors(&json!({"name": "a.b-c"}), true).is_empty());
    assert!(metadata_errors(&json!({"generateName": "a-"}), true).is_empty());
    for meta in [json!({}), json!({"name": ""}), json!({"generateName": 1})] {
        assert_eq!(
            text(metadata_errors(&meta, true)),
            ["metadata.name: Required value: name or generateName is required"]
        );
    }
    assert_eq!(
        text(metadata_errors(
            &json!({"name": "a", "namespace": "ns"}),
            false
        )),
        ["metadata.namespace: Invalid value: not allowed on this type"]
    );
    assert!(metadata_errors(&json!({"name": "a", "namespace": ""}), false).is_empty());
    assert!(metadata_errors(&json!({"name": "a", "namespace": "n-1"}), true).is_empty());
    let e = text(metadata_errors(
        &json!({"name": "a", "namespace": "n.s"}),
        true,
    ));
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("metadata.namespace: Invalid value: \"n.s\": a lowercase RFC 1123 label"),
        "{e:?}"
    );
}

#[test]
fn dns_names_have_length_limits() {
    assert_eq!(dns1123_subdomain(&"a".repeat(253)), None);
    assert_eq!(
        dns1123_subdomain(&"a".repeat(254)).as_deref(),
        Some("must be no more than 253 characters")
    );
    assert!(dns1123_subdomain("-a").is_some());
    assert!(dns1123_subdomain("a.").is_some());
    assert_eq!(dns1123_label(&"a".repeat(63)), None);
    assert_eq!(
        dns1123_label(&"a".repeat(64)).as_deref(),
        Some("must be no more than 63 characters")
    );
    assert!(dns1123_label("a.b").is_some());
    assert!(dns1123_label("A").is_some());
}

#[test]
fn only_our_group_is_ours() {
    assert!(Validator::is_ours(
        &json!({"apiVersion": "agentgateway.dev/v1"})
    ));
    assert!(!Validator::is_ours(
        &json!({"apiVersion": "agentgateway.dev"})
    ));
    assert!(!Validator::is_ours(
        &json!({"apiVersion": "x.agentgateway.dev/v1"})
    ));
    assert!(!Validator::is_ours(&json!({"apiVersion": 1})));
    assert!(!Validator::is_ours(&json!({})));
    let debug = format!("{:?}", shared());
    assert!(debug.starts_with("Validator { kinds: ["), "{debug}");
    assert!(debug.contains("\"AgentgatewayBackend\""), "{debug}");
}

#[test]
fn only_all_unknown_fields_read_as_a_strict_decoding_error() {
    let unknown = |p: &str| FieldError::new(p, ErrorType::UnknownField, None, String::new());
    assert_eq!(
        apiserver_message(&[unknown("a"), unknown("b")]),
        "strict decoding error: unknown field \"a\", unknown field \"b\""
    );
    assert_eq!(
        apiserver_message(&[unknown("a"), FieldError::required("b", "")]),
        "\n* unknown field \"a\"\n* b: Required value"
    );
}

#[test]
fn a_missing_name_and_a_kind_of_another_version_are_reported() {
    let mut obj = backend(json!({"static": {"host": "h", "port": 1}}));
    obj["metadata"] = json!({"namespace": "ns"});
    let errs = messages(&obj);
    assert_eq!(
        errs[0],
        "metadata.name: Required value: name or generateName is required"
    );
    // A required value keeps the CEL rules from running, as in the apiserver.
    assert!(
        errs[1].contains("some validation rules were not checked"),
        "{errs:?}"
    );
    assert_eq!(errs.len(), 2);
    let mut obj = backend(json!({"static": {"host": "h", "port": 1}}));
    obj["kind"] = json!("AgentgatewayBackends");
    assert_eq!(
        messages(&obj),
        [
            "<nil>: Invalid value: no matches for kind \"AgentgatewayBackends\" in version \"agentgateway.dev/v1alpha1\""
        ]
    );
    // Unknown fields are dropped when not strict, and the object is then checked.
    let obj = backend(json!({"static": {"host": "h", "port": 0, "weight": 2}}));
    let errs = validate(&obj, false).expect_err("port 0");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0]
            .to_string()
            .starts_with("spec.static.port: Invalid value: 0"),
        "{errs:?}"
    );
}

#[test]
fn a_rule_that_fails_to_evaluate_names_the_type_and_the_rules_message() {
    let obj = backend(json!({"static": {"host": "h", "port": 80},
        "policies": {"health": {"eviction": {"duration": "soon"}}}}));
    let errs = messages(&obj);
    // Go's time.ParseDuration refuses "soon": the rule fails to evaluate, named by its
    // own message (other fields share the rule's text with other messages); the
    // schema's pattern refuses it too.
    assert_eq!(
        errs,
        [
            "spec.policies.health.eviction.duration: Invalid value: \"soon\": spec.policies.health.eviction.duration in body should match '^([0-9]{1,5}(h|m|s|ms)){1,4}$'",
            "spec.policies.health.eviction.duration: Invalid value: \"string\": type conversion error \
             from 'string' to 'google.protobuf.Duration' evaluating rule: duration must be at least 1 second",
        ]
    );
    // Errors come sorted by path.
    let mut sorted = errs.clone();
    sorted.sort();
    assert_eq!(errs, sorted);
    // A valid duration passes both rules.
    let obj = backend(json!({"static": {"host": "h", "port": 80},
        "policies": {"health": {"eviction": {"duration": "2s"}}}}));
    assert_eq!(messages(&obj), Vec::<String>::new());
    let obj = backend(json!({"static": {"host": "h", "port": 80},
        "policies": {"health": {"eviction": {"duration": "500ms"}}}}));
    assert_eq!(
        messages(&obj),
        [
            "spec.policies.health.eviction.duration: Invalid value: \"500ms\": duration must be at least 1 second"
        ]
    );
}

#[test]
fn defaults_are_filled_in_and_status_kept_without_a_subresource_only() {
    let out = validate(
        &backend(json!({"static": {"host": "h", "port": 80},
            "policies": {"health": {"eviction": {}}}})),
        true,
    )
    .expect("valid");
    assert_eq!(
        out["spec"]["policies"]["health"]["eviction"]["duration"],
        "3s"
    );
}

/// A CRD of one version with `schema`, built as [`Validator::new`] builds them.
fn crd_of(schema: Value) -> Crd {
    let rule_messages = rule_messages(&schema);
    Crd {
        kind: "Thing".into(),
        api_version: "example.dev/v1".into(),
        namespaced: true,
        status_subresource: false,
        compiled: kube_cel::compile_schema(&schema),
        meter: cost::SchemaMeter::new(&schema).expect("the rules check"),
        root: RootContext::default(),
        rule_messages,
        schema,
    }
}

/// The CEL errors of `obj` under `schema`, as [`cel_error`] words them.
fn cel_errors(schema: Value, obj: Value) -> Vec<String> {
    let crd = crd_of(schema);
    let mut out: Vec<String> = match CelValidator::new().validate_compiled_with_context(
        &crd.compiled,
        &obj,
        None,
        Some(&crd.root),
    ) {
        Ok(()) => vec![],
        Err(errs) => errs
            .iter()
            .map(|e| cel_error(&crd, &obj, e).to_string())
            .collect(),
    };
    out.sort();
    out
}

#[test]
fn rule_reasons_choose_the_error_type_and_whether_the_value_is_quoted() {
    let rule = |name: &str, reason: Option<&str>| {
        let mut r = json!({"rule": "self != 'bad'", "message": format!("{name} is bad")});
        if let Some(reason) = reason {
            r["reason"] = json!(reason);
        }
        json!({"type": "string", "x-kubernetes-validations": [r]})
    };
    let schema = json!({"type": "object", "properties": {
        "a": rule("a", Some("FieldValueRequired")),
        "b": rule("b", Some("FieldValueDuplicate")),
        "c": rule("c", Some("FieldValueInvalid")),
        "d": rule("d", None),
        "l": {"type": "array", "items": {"type": "integer"},
              "x-kubernetes-validations": [{"rule": "size(self) < 2", "message": "too long"}]},
    }});
    let obj = json!({"a": "bad", "b": "bad", "c": "bad", "d": "bad", "l": [1, 2]});
    assert_eq!(
        cel_errors(schema, obj),
        [
            "a: Required value: a is bad",
            "b: Duplicate value: b is bad",
            "c: Invalid value: \"bad\": c is bad",
            "d: Invalid value: \"bad\": d is bad",
            "l: Invalid value: too long",
        ]
    );
}

#[test]
fn rules_that_fail_to_evaluate_are_worded_by_their_cause() {
    let schema = json!({"type": "object", "properties": {
        "t": {"type": "string", "x-kubernetes-validations": [
            {"rule": "timestamp(self) > timestamp('2000-01-01T00:00:00Z')", "message": "t is old"}]},
        "d": {"type": "string", "x-kubernetes-validations": [
            {"rule": "duration(self) > duration('1s')"}]},
        "n": {"type": "array", "items": {"type": "string"}, "x-kubernetes-validations": [
            {"rule": "self[5] == 'x'", "message": "sixth"}]},
        "i": {"type": "string", "x-kubernetes-validations": [
            {"rule": "int(self) > 0", "message": "i is a number"}]},
    }});
    let obj = json!({"t": "then", "d": "long", "n": ["a"], "i": "one"});
    let errs = cel_errors(schema, obj);
    assert!(
        errs.contains(
            &"t: Invalid value: \"string\": type conversion error from 'string' to \
              'google.protobuf.Timestamp' evaluating rule: t is old"
                .to_owned()
        ),
        "{errs:#?}"
    );
    // A rule without a message is named by its text.
    assert!(
        errs.contains(
            &"d: Invalid value: \"string\": type conversion error from 'string' to \
              'google.protobuf.Duration' evaluating rule: duration(self) > duration('1s')"
                .to_owned()
        ),
        "{errs:#?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("n: Invalid value: \"array\": ")
                && e.ends_with(" evaluating rule: sixth")),
        "{errs:#?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("i: Invalid value: \"string\": ")
                && e.ends_with(" rule: i is a number")
                && !e.contains("google.protobuf")),
        "{errs:#?}"
    );
    assert_eq!(errs.len(), 4, "{errs:#?}");
}

#[test]
fn int_of_a_string_that_is_no_number_is_a_type_conversion_error() {
    for section in ["http", "99999999999999999999"] {
        let obj = json!({
            "apiVersion": "agentgateway.dev/v1alpha1",
            "kind": "AgentgatewayPolicy",
            "metadata": {"name": "p", "namespace": "ns"},
            "spec": {
                "targetRefs": [{"group": "", "kind": "Service", "name": "orders", "sectionName": section}],
                "backend": {"tcp": {"connectTimeout": "5s"}}
            }
        });
        assert_eq!(
            messages(&obj),
            [
                "spec: Invalid value: \"object\": type conversion error from 'string' to 'int' \
                 evaluating rule: Service sectionName must be a numeric port from 1 to 65535"
            ],
            "{section}"
        );
    }
}

/// A validator of one CRD (`example.dev/v1` `Thing`) whose `spec` has schema `spec`.
fn validator_of(spec: Value) -> Validator {
    let schema = json!({"type": "object", "properties": {
        "apiVersion": {"type": "string"}, "kind": {"type": "string"},
        "metadata": {"type": "object"}, "spec": spec}});
    let mut patterns = Patterns::new();
    structural::patterns(&schema, &mut patterns).expect("the patterns compile");
    Validator {
        crds: vec![crd_of(schema)],
        patterns,
        cel: CelValidator::new(),
    }
}

/// A `Thing` with `spec`, for [`validator_of`].
/// The errors `v` gives `object`, which it must reject.
fn rejected(v: &Validator, object: &Value) -> Vec<String> {
    v.validate(object, true)
        .expect_err("rejected")
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn thing(spec: Value) -> Value {
    json!({"apiVersion": "example.dev/v1", "kind": "Thing",
           "metadata": {"name": "t", "namespace": "ns"}, "spec": spec})
}

#[test]
fn rules_after_an_overrun_never_ran_and_their_verdicts_do_not_count() {
    // The apiserver validates list items in order and stops at the first overrun
    // (`self.contains(self)` of 10,010 characters is over the per-call limit, as
    // `tests/runtime-cost/long-strings.yaml`'s `text-10010`): the item before it
    // failed its rule and is reported, the item after it fails the same rule but was
    // never evaluated.
    let rule = "self.contains(self) && self.size() < 5";
    let v = validator_of(json!({"type": "object", "properties": {"items": {
        "type": "array", "maxItems": 3,
        "items": {"type": "string", "maxLength": 20000,
                  "x-kubernetes-validations": [{"rule": rule, "message": "short"}]}}}}));
    let obj = thing(json!({"items": ["abcdef", "a".repeat(10010), "ghijkl"]}));
    let errs = rejected(&v, &obj);
    assert_eq!(
        errs,
        [
            "spec.items[0]: Invalid value: \"abcdef\": short",
            "spec.items[1]: Invalid value: \"string\": 'operation cancelled: actual cost limit \
             exceeded': no further validation rules will be run due to call cost exceeds limit \
             for rule: short",
        ]
    );
}

#[test]
fn only_the_failed_duration_conversion_replaces_a_rules_error() {
    // Two fields with the same rule: Go's time.ParseDuration refuses `soon` (a type
    // conversion error there), and `500ms` converts and fails the rule.
    let d = |m: &str| {
        json!({"type": "string", "x-kubernetes-validations": [
            {"rule": "duration(self) >= duration('1s')", "message": format!("{m} must be at least 1s")}]})
    };
    let v = validator_of(json!({"type": "object", "properties": {"a": d("a"), "b": d("b")}}));
    let errs = rejected(&v, &thing(json!({"a": "soon", "b": "500ms"})));
    assert_eq!(
        errs,
        [
            "spec.a: Invalid value: \"string\": type conversion error from 'string' to \
             'google.protobuf.Duration' evaluating rule: a must be at least 1s",
            "spec.b: Invalid value: \"500ms\": b must be at least 1s",
        ]
    );
}

#[test]
fn the_runtime_cost_is_that_of_the_objects_own_crd_and_stored_form() {
    let v = shared();
    let obj = backend(json!({"static": {"host": "h", "port": 80},
        "policies": {"health": {"eviction": {}}}}));
    let (cost, stored) = v.cel_runtime_cost(&obj).expect("one of our kinds");
    // The backend's rule on `spec` (exactly one kind of backend) runs and costs.
    assert!(cost.rules_run && cost.spent > 0, "{cost:?}");
    assert!(cost.overrun.is_none() && !cost.order_dependent, "{cost:?}");
    // Stored as `validate` stores it: pruned and defaulted by the backend's schema.
    assert_eq!(stored, v.validate(&obj, true).expect("valid"));
    // No CRD of that kind in that version, or no such kind.
    let mut other = obj.clone();
    other["apiVersion"] = json!("agentgateway.dev/v1");
    assert!(v.cel_runtime_cost(&other).is_none());
    let mut other = obj.clone();
    other["kind"] = json!("AgentgatewayBackends");
    assert!(v.cel_runtime_cost(&other).is_none());
    assert!(
        v.cel_runtime_cost(&json!({"kind": "AgentgatewayBackend"}))
            .is_none()
    );
    // An enum error keeps every rule from running: nothing is spent.
    let bad = backend(json!({"mcp": {"sessionRouting": "Sticky",
        "targets": [{"name": "t", "static": {"host": "h", "port": 1}}]}}));
    let (cost, _) = v.cel_runtime_cost(&bad).expect("one of our kinds");
    assert!(
        !cost.rules_run && cost.spent == 0 && cost.overrun.is_none(),
        "{cost:?}"
    );
}

#[test]
fn a_rule_that_fails_to_evaluate_under_a_dotted_map_key_keeps_its_message() {
    // kube-cel joins map keys with dots (`m.a.b` for key `a.b`), so the node is not
    // found from the path; the rule is still named by its message, as the
    // apiserver names it.
    let v = validator_of(json!({"type": "object", "properties": {"m": {
        "type": "object", "additionalProperties": {"type": "string",
            "x-kubernetes-validations": [{"rule": "int(self) > 0", "message": "a positive number"}]}}}}));
    let errs = rejected(&v, &thing(json!({"m": {"a.b": "x"}})));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].ends_with(
            "type conversion error from 'string' to 'int' evaluating rule: a positive number"
        ),
        "{errs:?}"
    );
}

#[test]
fn conversions_and_quantities_that_fail_are_worded_as_cel_go_and_the_apiserver_word_them() {
    let rule = |r: &str, m: &str| json!({"type": "string", "x-kubernetes-validations": [{"rule": r, "message": m}]});
    let schema = json!({"type": "object", "properties": {
        "u": rule("uint(self) > 0u", "u is a number"),
        "q": rule("quantity(self).isGreaterThan(quantity('0'))", "q is a quantity"),
        // Typed dyn: a function of the wrong type fails only at runtime, as cel-go's
        // `no such overload: size`.
        "s": {"x-kubernetes-int-or-string": true, "x-kubernetes-validations": [
            {"rule": "self.size() < 5", "message": "s is short"}]},
    }});
    let obj = json!({"u": "-3", "q": "lots", "s": 3});
    assert_eq!(
        cel_errors(schema, obj),
        [
            // resource.ParseQuantity's error, wrapped by the apiserver.
            "q: Invalid value: \"string\": quantities must match the regular expression \
             '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' evaluating rule: q is a quantity",
            "s: Invalid value: \"\": 'no such overload: size': call arguments did not match a \
             supported operator, function or macro signature for rule: s is short",
            // cel-go: strconv.ParseUint refuses it, a type conversion error.
            "u: Invalid value: \"string\": type conversion error from 'string' to 'uint' \
             evaluating rule: u is a number",
        ]
    );
}

#[test]
fn an_overflowing_conversion_is_worded_as_cel_go_words_it() {
    // cel-go's Int/Double ConvertToType wrap errIntOverflow/errUintOverflow, which the
    // apiserver reports as `<error> evaluating rule: <message>` (not an overload
    // error, and not a conversion from a string).
    let rule = |ty: &str, r: &str, m: &str| json!({"type": ty, "x-kubernetes-validations": [{"rule": r, "message": m}]});
    let schema = json!({"type": "object", "properties": {
        "n": rule("integer", "uint(self) > 0u", "n is positive"),
        "f": rule("number", "int(self) > 0", "f is positive"),
    }});
    let obj = json!({"n": -1, "f": 1e300});
    assert_eq!(
        cel_errors(schema, obj),
        [
            "f: Invalid value: \"number\": integer overflow evaluating rule: f is positive",
            "n: Invalid value: \"integer\": unsigned integer overflow evaluating rule: n is positive",
        ]
    );
}
