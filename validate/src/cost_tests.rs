//! The meter's figures. The expected costs are the apiserver's: each was printed by
//! `e2e/tools/celcost runtime` (k8s.io/apiextensions-apiserver's CEL validator) for
//! the same rule and value, as `validate/tests/runtime-cost/constructs.yaml` holds
//! them; `e2e/tests/cel_runtime_cost_differential.rs` compares the whole corpus.

use super::*;
use serde_json::{Value as J, json};

/// `rule` on a field of schema `node`, metered for the field's `value`.
fn spent(node: J, rule: &str, value: J) -> Spent {
    let mut node = node;
    node["x-kubernetes-validations"] = json!([{ "rule": rule }]);
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
        "properties": {"f": node}}}});
    let meter = SchemaMeter::new(&schema).expect("the rule checks");
    meter.meter(&json!({"spec": {"f": value}}))
}

fn cost(node: J, rule: &str, value: J) -> u64 {
    let s = spent(node, rule, value.clone());
    assert!(s.overrun.is_none(), "{:?}", s.overrun);
    s.cost
}

fn strings(max_items: u64) -> J {
    json!({"type": "array", "maxItems": max_items, "items": {"type": "string", "maxLength": 20}})
}

#[test]
fn attributes_presence_tests_and_optionals_cost_what_the_apiserver_counts() {
    let ab = json!({"type": "object", "properties": {"a": {"type": "string", "maxLength": 10}}});
    // has(): one per field tested, the test itself free.
    assert_eq!(cost(ab.clone(), "has(self.a)", json!({"a": "x"})), 1);
    assert_eq!(cost(ab, "has(self.a)", json!({})), 1);
    // Optional fields are counted only when present; orValue is free.
    let nested = json!({"type": "object", "properties": {"a": {"type": "object",
        "properties": {"b": {"type": "string", "maxLength": 10}}}}});
    let rule = "self.?a.?b.orValue('') != 'no'";
    assert_eq!(cost(nested.clone(), rule, json!({"a": {"b": "x"}})), 4);
    assert_eq!(cost(nested.clone(), rule, json!({"a": {}})), 2);
    assert_eq!(cost(nested, rule, json!({})), 1);
}

#[test]
fn string_functions_cost_by_the_strings_length() {
    let s = json!({"type": "string", "maxLength": 64});
    let rule = "self.startsWith('abc')";
    assert_eq!(
        cost(s.clone(), rule, json!("abcdefghijklmnopqrstuvwxyz")),
        4
    );
    assert_eq!(cost(s.clone(), rule, json!("x")), 2);
    let rule =
        "self.lowerAscii() == self && self.split('.').size() < 4 && self.replace('.', '-') != ''";
    assert_eq!(cost(s.clone(), rule, json!("a.b.c")), 10);
    // `&&` stops at the first false: the rest is not counted.
    assert_eq!(cost(s, rule, json!("A")), 4);
}

#[test]
fn comprehensions_cost_per_element_run_and_stop_where_cel_go_stops() {
    let rule = "self.all(x, x.size() < 10)";
    assert_eq!(cost(strings(20), rule, json!(["a", "bb", "ccc"])), 20);
    assert_eq!(
        cost(strings(20), rule, json!(["aaaaaaaaaaaa", "b", "c"])),
        10
    );
    assert_eq!(cost(strings(20), rule, json!([])), 2);
    let rule = "self.filter(x, x.startsWith('a')).size() <= 1";
    assert_eq!(cost(strings(20), rule, json!(["ab", "b", "ac"])), 36);
    assert_eq!(cost(strings(20), rule, json!(["b"])), 6);
}

#[test]
fn in_a_constant_list_is_a_free_set_lookup_and_in_a_list_costs_its_size() {
    let s = json!({"type": "string", "maxLength": 20});
    assert_eq!(cost(s.clone(), "self in ['a', 'b', 'c']", json!("b")), 1);
    assert_eq!(cost(s, "self in ['a', 'b', 'c']", json!("z")), 1);
    assert_eq!(cost(strings(20), "'b' in self", json!(["a", "b", "c"])), 4);
    assert_eq!(cost(strings(20), "'b' in self", json!([])), 1);
}

/// A string of `n` `a`s.
fn long(n: usize) -> J {
    J::from("a".repeat(n))
}

/// `contains` costs the product of both lengths / 10: one call of a 10,010-character
/// string on itself is 1,002,001, just over the per-call limit (the figures of
/// `validate/tests/runtime-cost/long-strings.yaml`).
const SELF_CONTAINS: &str = "self.contains(self)";

#[test]
fn past_the_per_call_limit_evaluation_stops_with_the_apiservers_words() {
    let s = json!({"type": "string", "maxLength": 20_000});
    assert_eq!(cost(s.clone(), SELF_CONTAINS, long(9_990)), 998_003);
    let over = spent(s, SELF_CONTAINS, long(10_010));
    assert_eq!(
        over.cost, RUNTIME_BUDGET,
        "an overrun spends the whole budget"
    );
    assert_eq!(
        over.overrun.expect("an overrun").to_string(),
        "spec.f: Invalid value: \"string\": 'operation cancelled: actual cost limit exceeded': \
         no further validation rules will be run due to call cost exceeds limit for rule: \
         self.contains(self)"
    );
    assert!(
        over.evaluated.is_empty(),
        "the rule that overran did not run"
    );
}

#[test]
fn past_the_objects_budget_the_rules_left_do_not_run() {
    // Items of 9,500 characters: each rule costs 902,502, under the per-call limit;
    // twelve of them are over the object's budget.
    let item = json!({"type": "string", "maxLength": 20_000,
        "x-kubernetes-validations": [{"rule": SELF_CONTAINS}]});
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
        "properties": {"texts": {"type": "array", "maxItems": 20, "items": item}}}}});
    let meter = SchemaMeter::new(&schema).expect("the rule checks");
    let items = |n: usize| json!({"spec": {"texts": vec![long(9_500); n]}});
    let fits = meter.meter(&items(3));
    assert!(fits.overrun.is_none());
    assert_eq!(fits.cost, 2_707_506);
    assert_eq!(fits.evaluated.len(), 3);
    let over = meter.meter(&items(12));
    assert_eq!(
        over.overrun.expect("an overrun").to_string(),
        "spec.texts[11]: Invalid value: \"string\": validation failed due to running out of \
         cost budget, no further validation rules will be run"
    );
    assert_eq!(over.evaluated.len(), 11, "the items before it ran");
}

#[test]
fn a_message_expression_is_metered_only_when_its_rule_fails() {
    // `validate/tests/runtime-cost/limits.yaml`'s labels.
    let me = "self.exists(x, self.exists(y, y == x + 'z')) ? 'at most 4 labels (some differ by a final z)' : 'at most 4 labels'";
    let node = json!({"type": "array", "maxItems": 600, "items": {"type": "string", "maxLength": 8},
        "x-kubernetes-validations": [{"rule": "self.size() < 5", "messageExpression": me}]});
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
        "properties": {"labels": node}}}});
    let meter = SchemaMeter::new(&schema).expect("the rule checks");
    let labels = |l: Vec<String>| json!({"spec": {"labels": l}});
    let names = |n: usize| (0..n).map(|i| format!("n{i}")).collect::<Vec<_>>();
    assert_eq!(meter.meter(&labels(names(4))).cost, 3);
    let six = ["a", "b", "a", "c", "d", "e"].map(String::from).to_vec();
    assert_eq!(meter.meter(&labels(six)).cost, 329);
    let over = meter.meter(&labels(names(600)));
    assert_eq!(
        over.overrun.expect("an overrun").to_string(),
        format!(
            "spec.labels: Invalid value: \"array\": no further validation rules will be run due \
             to call cost exceeds limit for messageExpression: {me:?}"
        )
    );
}

#[test]
fn transition_rules_do_not_run_on_create_and_nulls_are_not_validated() {
    let s = json!({"type": "string", "maxLength": 20});
    assert_eq!(cost(s.clone(), "self == oldSelf", json!("a")), 0);
    assert_eq!(cost(s, "self.startsWith('a')", J::Null), 0);
}

#[test]
fn a_rule_that_does_not_check_is_refused_with_its_node() {
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
        "x-kubernetes-validations": [{"rule": "self.nope == 1"}]}}});
    let err = SchemaMeter::new(&schema).expect_err("an undefined field");
    assert!(
        err.starts_with("/properties/spec: rule `self.nope == 1`"),
        "{err}"
    );
}

/// Every object of `tests/runtime-cost`, metered, against what the apiserver's code
/// printed for it (`reference.json`, written and checked by
/// `e2e/tests/cel_runtime_cost_differential.rs`): the same cost, or the same overrun.
#[test]
fn the_corpus_costs_what_the_apiservers_code_printed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runtime-cost");
    let reference: J = serde_json::from_str(
        &std::fs::read_to_string(dir.join("reference.json")).expect("reference.json"),
    )
    .expect("reference JSON");
    let files = reference.as_object().expect("one entry per corpus file");
    assert!(files.len() >= 3, "the corpus files");
    // Every object with its file's meter and the apiserver's figures.
    let mut meters = vec![];
    let mut jobs = vec![];
    for (file, expected) in files {
        let text = std::fs::read_to_string(dir.join(file)).expect("corpus file");
        let docs: Vec<J> = serde_yaml::Deserializer::from_str(&text)
            .map(|d| <J as serde::Deserialize>::deserialize(d).expect("YAML"))
            .collect();
        let schema = &docs[0]["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        meters.push(SchemaMeter::new(schema).expect("the corpus rules check"));
        let expected = expected.as_array().expect("one entry per object");
        assert_eq!(
            expected.len(),
            docs.len() - 1,
            "{file}: one entry per object"
        );
        for (object, want) in docs[1..].iter().zip(expected) {
            jobs.push((file, meters.len() - 1, object.clone(), want));
        }
    }
    // The objects that meter up to the whole budget take seconds each: every core
    // takes the next object until none is left.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let outcomes: Vec<(bool, Option<String>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..std::thread::available_parallelism().map_or(1, |n| n.get()))
            .map(|_| {
                scope.spawn(|| {
                    let mut out = vec![];
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((file, m, object, want)) = jobs.get(i) else {
                            return out;
                        };
                        out.push(compare(file, &meters[*m], object, want));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a corpus worker"))
            .collect()
    });
    let compared = outcomes.len();
    let overruns = outcomes.iter().filter(|(overrun, _)| *overrun).count();
    let differences: Vec<&str> = outcomes.iter().filter_map(|(_, d)| d.as_deref()).collect();
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    assert!(
        compared >= 100 && overruns >= 5,
        "{compared} objects, {overruns} overruns"
    );
}

/// One corpus object metered against the apiserver's figures: whether it overran as
/// the apiserver's code did, and the difference, if there is one.
fn compare(file: &str, meter: &SchemaMeter, object: &J, want: &J) -> (bool, Option<String>) {
    let got = meter.meter(object);
    let name = &object["metadata"]["name"];
    // The reference is only reproducible where the cost is.
    assert!(!got.order_dependent, "{file} {name}: order-dependent");
    let errors: Vec<&str> = want["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(J::as_str)
        .collect();
    match (&got.overrun, want["remaining"].as_i64() == Some(-1)) {
        (None, false) if want["spent"] == got.cost => (false, None),
        (Some(o), true) if errors.contains(&o.to_string().as_str()) => (true, None),
        _ => (
            false,
            Some(format!(
                "{file} {name}: cost {} overrun {:?}; the apiserver's code: {want}",
                got.cost, got.overrun
            )),
        ),
    }
}

#[test]
fn a_macro_stopping_early_over_a_map_is_order_dependent() {
    let map = json!({"type": "object", "maxProperties": 10,
        "additionalProperties": {"type": "string", "maxLength": 10}});
    let rule = "self.exists(k, self[k] == 'v')";
    // Stops at the key holding `v`: which keys came before it is Go's map order.
    assert!(spent(map.clone(), rule, json!({"a": "v", "b": "w"})).order_dependent);
    // Every key visited, or only one: the same cost in any order.
    assert!(!spent(map.clone(), rule, json!({"a": "x", "b": "w"})).order_dependent);
    assert!(!spent(map.clone(), rule, json!({"a": "v"})).order_dependent);
    // Lists are visited in order.
    assert!(!spent(strings(10), "self.exists(x, x == 'a')", json!(["a", "b"])).order_dependent);
}

#[test]
fn the_per_call_limit_is_reached_only_when_the_cost_passes_it() {
    // cel-go's cost tracker cancels once the cost is over the limit
    // (`tracker.cost > *tracker.Limit`): a call costing exactly the limit completes.
    let rule = "self.startsWith('abc')";
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
        "properties": {"f": {"type": "string", "maxLength": 64,
            "x-kubernetes-validations": [{"rule": rule}]}}}}});
    let m = SchemaMeter::new(&schema).expect("the rule checks");
    let checked = &m.rules.by_node["/properties/spec/properties/f"][0].checked;
    let run = |limit| {
        let vars = vec![("self", Value::from("abcdefghijklmnopqrstuvwxyz"))];
        meter(checked, &m.functions, vars, limit)
    };
    // The figure of `string_functions_cost_by_the_strings_length`.
    let at = run(4);
    assert_eq!(at.cost, 4);
    assert!(
        matches!(at.value, Ok(Ok(Value::Bool(true)))),
        "{:?}",
        at.value
    );
    let over = run(3);
    assert_eq!(over.cost, 4, "up to and including the step past the limit");
    assert!(over.value.is_err(), "{:?}", over.value);
}

/// Equality of two Kubernetes values (IP, CIDR, quantity, ...) costs 1 whatever their
/// size, unlike strings'; joining two strings costs by their sizes (celcost runtime:
/// 14 for this rule on an IPv6 address).
#[test]
fn kubernetes_values_compare_at_unit_cost() {
    let s = json!({"type": "string", "maxLength": 60});
    let rule = "ip(self) == ip('2001:db8::1') && cidr(self + '/128') == cidr('2001:db8::1/128')";
    assert_eq!(cost(s, rule, json!("2001:db8::1")), 14);
}

#[test]
fn a_type_name_is_a_free_constant() {
    // cel-go plans a type identifier as a constant (planCheckedIdent), and constants
    // cost nothing: `int != string` costs its comparison only, `self` its attribute.
    // The figures are `e2e/tools/celcost runtime`'s.
    let s = json!({"type": "string", "maxLength": 20});
    assert_eq!(cost(s.clone(), "int != string", json!("x")), 1);
    assert_eq!(cost(s, "self != 'y' && int != uint", json!("x")), 3);
    // The optional library's type is one too.
    let a = json!({"type": "object", "properties": {"a": {"type": "string", "maxLength": 10}}});
    assert_eq!(
        cost(a, "type(self.?a) == optional_type", json!({"a": "x"})),
        4
    );
}

/// Attributes on a call's result, optional chains, calls whose argument fails,
/// attributes in a ternary's branches and in an index, constant maps:
/// each rule's cost and verdict as `e2e/tools/celcost runtime` printed them
/// (k8s.io/apiextensions-apiserver 0.35's validator; no error means the rule held).
#[test]
fn attributes_of_call_results_and_failed_arguments_cost_what_the_apiserver_counts() {
    let ab = json!({"type": "object", "properties": {
        "a": {"type": "string", "maxLength": 10}, "b": {"type": "string", "maxLength": 10}}});
    let s20 = json!({"type": "string", "maxLength": 20});
    let index = json!({"type": "object", "properties": {"i": {"type": "integer", "maximum": 2}}});
    let list = json!({"type": "object", "properties": {"l": {"type": "array", "maxItems": 3,
        "items": {"type": "integer", "maximum": 2}}}});
    // (schema, rule, value, the apiserver's cost, whether the rule held)
    let cases = [
        (
            s20.clone(),
            "self.split('.')[0] == 'a'",
            json!("a.b"),
            5,
            true,
        ),
        (
            ab.clone(),
            "optional.of(self).a.hasValue()",
            json!({"a": "x"}),
            5,
            true,
        ),
        (
            ab.clone(),
            "optional.of(self).a.orValue('') == 'x'",
            json!({"a": "x"}),
            5,
            true,
        ),
        (
            ab.clone(),
            "optional.of(self).?b.orValue('') == ''",
            json!({"a": "x"}),
            3,
            true,
        ),
        (ab.clone(), "self.?a.hasValue()", json!({"a": "x"}), 3, true),
        // `no such key: b evaluating rule: ...` on the apiserver.
        (
            ab.clone(),
            "self.a.replace(self.b, 'x') == 'y'",
            json!({"a": "abc"}),
            5,
            false,
        ),
        (
            ab.clone(),
            "size(self.b) == 0",
            json!({"a": "abc"}),
            4,
            false,
        ),
        (
            ab.clone(),
            "self.b.startsWith('x')",
            json!({"a": "abc"}),
            3,
            false,
        ),
        // A ternary's branches and an index are resolved, not evaluated: an attribute
        // there costs its qualifiers only.
        (
            ab.clone(),
            "(self.a == 'x' ? self.a : self.b) == 'x'",
            json!({"a": "x"}),
            5,
            true,
        ),
        (
            ab.clone(),
            "(self.a == 'x' ? self : self).a == 'x'",
            json!({"a": "x"}),
            5,
            true,
        ),
        (index, "[1, 2, 3][self.i] == 2", json!({"i": 1}), 4, true),
        // ... and so is an index or a ternary there.
        (
            list.clone(),
            "(self.l.size() > 0 ? self.l[0] : 0) == 1",
            json!({"l": [1]}),
            7,
            true,
        ),
        (
            list.clone(),
            "[1, 2, 3][self.l[0]] == 2",
            json!({"l": [1]}),
            5,
            true,
        ),
        (
            list.clone(),
            "(self.l.size() > 0 ? (self.l.size() > 1 ? self.l[1] : self.l[0]) : 0) == 1",
            json!({"l": [1]}),
            11,
            true,
        ),
        // An optional index of a list or a map of int, uint or bool keys: present or not.
        (
            list.clone(),
            "self.l[?0].hasValue()",
            json!({"l": [1]}),
            4,
            true,
        ),
        (
            list.clone(),
            "!self.l[?1].hasValue()",
            json!({"l": [1]}),
            4,
            true,
        ),
        (
            list.clone(),
            "!self.l[?-1].hasValue()",
            json!({"l": [1]}),
            4,
            true,
        ),
        (
            list.clone(),
            "{1: 'a'}[?1].hasValue() && !{1: 'a'}[?2].hasValue()",
            json!({"l": [1]}),
            6,
            true,
        ),
        (
            list.clone(),
            "{1u: 'a'}[?1u].hasValue() && !{1u: 'a'}[?2u].hasValue()",
            json!({"l": [1]}),
            6,
            true,
        ),
        (
            list.clone(),
            "{true: 'a'}[?true].hasValue() && !{true: 'a'}[?false].hasValue()",
            json!({"l": [1]}),
            6,
            true,
        ),
        // Qualifiers of an empty optional are not applied, nor counted.
        (
            ab.clone(),
            "(self.a == 'z' ? optional.of(self) : optional.none()).a.hasValue() == false",
            json!({"a": "x"}),
            6,
            true,
        ),
        (
            ab.clone(),
            "optional.none().a.hasValue() == false",
            json!({"a": "x"}),
            4,
            true,
        ),
        (
            ab.clone(),
            "(self.a == 'x' ? optional.of(self) : optional.none()).a.hasValue()",
            json!({"a": "x"}),
            7,
            true,
        ),
        // List and map literals of attributes: each element in its place.
        (
            ab.clone(),
            "[self.a, self.b][1] == 'y'",
            json!({"a": "x", "b": "y"}),
            17,
            true,
        ),
        (
            ab,
            "{'a': self.a, 'b': self.b}['b'] == 'y'",
            json!({"a": "x", "b": "y"}),
            37,
            true,
        ),
        // Constant maps are constants (OptOptimize), free.
        (
            s20.clone(),
            "{'a': 1, 'b': 2}[self] == 1",
            json!("a"),
            3,
            true,
        ),
        (s20.clone(), "self in {'a': 1}", json!("a"), 2, true),
    ];
    let mut differences = vec![];
    for (node, rule, value, cost, held) in cases {
        let mut with_rule = node.clone();
        with_rule["x-kubernetes-validations"] = json!([{ "rule": rule }]);
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
            "properties": {"f": with_rule}}}});
        let m = SchemaMeter::new(&schema).expect("the rule checks");
        let checked = &m.rules.by_node["/properties/spec/properties/f"][0].checked;
        let this = to_cel(&value, &node, &m.functions);
        let got = meter(checked, &m.functions, vec![("self", this)], PER_CALL_LIMIT);
        let got_held = match &got.value {
            Ok(Ok(Value::Bool(b))) => *b,
            Ok(Err(_)) => false,
            other => panic!("{rule}: {other:?}"),
        };
        if got.cost != cost || got_held != held || (!held && !matches!(got.value, Ok(Err(_)))) {
            differences.push(format!("{rule}: cost {} value {:?}", got.cost, got.value));
        }
    }
    assert!(differences.is_empty(), "{differences:#?}");
}

/// Comparisons, arithmetic, `!` and `size` (which the meter computes itself for plain
/// values) on three objects: the rules that failed and the cost of all of them, as
/// `e2e/tools/celcost runtime` printed them (`size` counts a string's code points).
#[test]
fn natively_computed_calls_decide_as_the_apiserver_decides() {
    let rules = [
        "self.x == self.q",
        "self.x != self.q",
        "self.s == self.t",
        "self.s != self.t",
        "uint(self.x) == uint(self.q)",
        "uint(self.x) != uint(self.q)",
        "(self.x == 1) == (self.q == 1)",
        "(self.x == 1) != (self.q == 1)",
        "!(self.x == self.q)",
        "self.x + self.q == 3",
        "self.x < self.q",
        "self.x <= self.q",
        "self.x > self.q",
        "self.x >= self.q",
        "self.s.size() == 1",
        "size(self.s) == 1",
        "[self.x, self.q].size() == 2",
        "{'a': self.x}.size() == 1",
        "bytes(self.s).size() == 2",
    ];
    let int = json!({"type": "integer", "minimum": 0, "maximum": 10});
    let string = json!({"type": "string", "maxLength": 4});
    let mut node = json!({"type": "object",
        "properties": {"x": int, "q": int, "s": string, "t": string}});
    node["x-kubernetes-validations"] = rules.iter().map(|r| json!({ "rule": r })).collect();
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
        "properties": {"f": node.clone()}}}});
    let m = SchemaMeter::new(&schema).expect("the rules check");
    let checked = &m.rules.by_node["/properties/spec/properties/f"];
    // (object, the rules that failed on the apiserver; every object cost 143)
    let cases = [
        (
            json!({"x": 1, "q": 2, "s": "é", "t": "é"}),
            vec![0, 3, 4, 6, 12, 13],
        ),
        (
            json!({"x": 2, "q": 2, "s": "é", "t": "e"}),
            vec![1, 2, 5, 7, 8, 9, 10, 12],
        ),
        (
            json!({"x": 2, "q": 1, "s": "ab", "t": "a"}),
            vec![0, 2, 4, 6, 10, 11, 14, 15],
        ),
    ];
    for (value, failed) in cases {
        assert_eq!(m.meter(&json!({"spec": {"f": value}})).cost, 143, "{value}");
        let this = to_cel(&value, &node, &m.functions);
        let got: Vec<usize> = checked
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                let vars = vec![("self", this.clone())];
                let v = meter(&r.checked, &m.functions, vars, PER_CALL_LIMIT).value;
                !matches!(v, Ok(Ok(Value::Bool(true))))
            })
            .map(|(i, _)| i)
            .collect();
        assert_eq!(got, failed, "{value}");
    }
}

/// `native` and `lookup` are fast paths: the calls and lookups they answer do not go to
/// the interpreter, which would convert every argument. Each answer here is the
/// interpreter's (the corpus tests hold the costs); this test holds the promise that
/// the common cases are answered, and that the rest is left to the slow path (`None`).
#[test]
fn the_fast_paths_answer_the_common_calls_themselves() {
    use operators::*;
    let s = |x: &str| Value::from(x);
    let (i, u, b) = (Value::Int, Value::UInt, Value::Bool);
    let list = Value::from(vec![i(10), i(20)]);
    let map = Value::from(std::collections::HashMap::from([("a", i(1))]));
    let answered: [(&str, bool, Vec<Value>, Value); 22] = [
        (EQUALS, false, vec![s("a"), s("a")], b(true)),
        (EQUALS, false, vec![s("a"), s("b")], b(false)),
        (EQUALS, false, vec![i(1), i(1)], b(true)),
        (EQUALS, false, vec![u(1), u(2)], b(false)),
        (EQUALS, false, vec![b(true), b(true)], b(true)),
        (NOT_EQUALS, false, vec![s("a"), s("a")], b(false)),
        (NOT_EQUALS, false, vec![i(1), i(2)], b(true)),
        (LOGICAL_NOT, false, vec![b(true)], b(false)),
        (ADD, false, vec![i(2), i(3)], i(5)),
        (LESS, false, vec![i(2), i(2)], b(false)),
        (LESS, false, vec![i(1), i(2)], b(true)),
        (LESS_EQUALS, false, vec![i(2), i(2)], b(true)),
        (LESS_EQUALS, false, vec![i(3), i(2)], b(false)),
        (GREATER, false, vec![i(2), i(2)], b(false)),
        (GREATER, false, vec![i(3), i(2)], b(true)),
        (GREATER_EQUALS, false, vec![i(2), i(2)], b(true)),
        (GREATER_EQUALS, false, vec![i(1), i(2)], b(false)),
        ("size", true, vec![s("héllo")], i(5)),
        ("size", false, vec![list.clone()], i(2)),
        ("size", true, vec![map.clone()], i(1)),
        ("size", true, vec![Value::from(b"abc".to_vec())], i(3)),
        ("size", false, vec![s("")], i(0)),
    ];
    for (func, receiver, vals, want) in answered {
        assert_eq!(native(func, receiver, &vals), Some(want), "{func} {vals:?}");
    }
    // Left to the interpreter: mixed kinds, an overflowing sum, other functions.
    assert_eq!(native(EQUALS, false, &[s("1"), i(1)]), None);
    assert_eq!(native(ADD, false, &[i(i64::MAX), i(1)]), None);
    assert_eq!(native(ADD, false, &[s("a"), s("b")]), None);
    assert_eq!(native("size", true, &[i(1)]), None);
    assert_eq!(native("startsWith", true, &[s("ab"), s("a")]), None);

    let found = |obj: &Value, key: Value| lookup(obj, &key).map(|v| v.ok());
    assert_eq!(found(&map, s("a")), Some(Some(i(1))));
    assert_eq!(found(&map, s("b")), Some(None), "a missing key is an error");
    assert_eq!(found(&list, i(1)), Some(Some(i(20))));
    assert_eq!(found(&list, i(2)), Some(None), "out of bounds");
    assert_eq!(found(&list, i(-1)), Some(None), "a negative index");
    assert_eq!(found(&map, i(1)), None, "other keys: the interpreter's");
}

/// `matches` costs (1 + the string's size) / 10 times the regex's size / 4, each
/// rounded up (celcost runtime: 5 on a 10-character string, where leaving out the 1
/// would give 3).
#[test]
fn matches_costs_by_the_string_and_the_regex() {
    let s = json!({"type": "string", "maxLength": 60});
    assert_eq!(cost(s, "self.matches('^[a-z]+$')", json!("abcdefghij")), 5);
}

/// An empty `messageExpression` is no message expression, as to the apiserver; the
/// meter's Debug output says how many nodes have rules.
#[test]
fn an_empty_message_expression_is_none() {
    let schema = json!({"type": "object", "properties": {"spec": {"type": "string",
        "x-kubernetes-validations": [{"rule": "self != ''", "messageExpression": ""}]}}});
    let meter = SchemaMeter::new(&schema).expect("an empty messageExpression is no error");
    assert_eq!(format!("{meter:?}"), "SchemaMeter { nodes with rules: 1 }");
}

/// An `allOf` (here `required`, as structural schemas allow) does not stop the walk:
/// the rules of the properties beside it are metered (celcost runtime: 2).
#[test]
fn rules_beside_an_all_of_are_metered() {
    let node = json!({"type": "object", "allOf": [{"required": ["a"]}],
        "properties": {"a": {"type": "string", "maxLength": 10,
            "x-kubernetes-validations": [{"rule": "self == 'x'"}]}}});
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
        "properties": {"f": node}}}});
    let meter = SchemaMeter::new(&schema).expect("the rule checks");
    let spent = meter.meter(&json!({"spec": {"f": {"a": "x"}}}));
    assert_eq!((spent.cost, spent.evaluated.len()), (2, 1));
}

/// Sizes enter the cost of `==`: a map's by its entries, bytes by their length, an
/// optional by its value's (celcost runtime: 4, 5 and 5).
#[test]
fn equality_costs_by_the_sizes_of_maps_bytes_and_optionals() {
    let map = json!({"type": "object", "maxProperties": 20,
        "additionalProperties": {"type": "string", "maxLength": 5}});
    let twelve: serde_json::Map<String, J> =
        ('a'..='l').map(|c| (c.to_string(), json!("1"))).collect();
    assert_eq!(cost(map, "self == self", J::Object(twelve)), 4);
    let s = json!({"type": "string", "maxLength": 40});
    assert_eq!(
        cost(s, "bytes(self) == b'abcdefghijkl'", json!("abcdefghijkl")),
        5
    );
    let a = json!({"type": "object", "properties": {"a": {"type": "string", "maxLength": 40}}});
    let rule = "self.?a == optional.of('abcdefghijkl')";
    assert_eq!(cost(a, rule, json!({"a": "abcdefghijkl"})), 5);
}

/// A messageExpression's macro can stop early over a map too: the object's cost is
/// then order dependent, whether or not its rule's is.
#[test]
fn a_message_expression_stopping_early_over_a_map_is_order_dependent() {
    let with_message = |rule: &str| {
        let me = "self.exists(k, self[k] == 'v') ? 'holds v' : 'no v'";
        let node = json!({"type": "object", "maxProperties": 10,
            "additionalProperties": {"type": "string", "maxLength": 10},
            "x-kubernetes-validations": [{"rule": rule, "messageExpression": me}]});
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
            "properties": {"f": node}}}});
        let meter = SchemaMeter::new(&schema).expect("the rule checks");
        meter.meter(&json!({"spec": {"f": {"a": "v", "b": "w"}}}))
    };
    // The rule visits every key; its message stops at `a`.
    assert!(with_message("self.all(k, self[k] != 'x') && self.size() < 2").order_dependent);
    // Both stop early.
    assert!(with_message("!self.exists(k, self[k] == 'v')").order_dependent);
    // A rule that holds has no message to evaluate.
    assert!(!with_message("self.all(k, self[k] != 'x')").order_dependent);
}
