//! The estimator's public API on small schemas: what a rule costs and reads, the
//! apiserver's refusal texts, the cache's round trip, and what [`check_rule`] gives a
//! runtime cost tracker (the overloads, namespaced calls, whether a rule reads
//! `oldSelf`). The figures against the apiserver's own, over a corpus, are in
//! `tests/cel_cost_reference.rs`.

use super::*;
use serde_json::json;

/// A resource root with `props`, each rule in `rules` on it.
fn root(props: Value, rules: &[&str]) -> Value {
    let rules: Vec<Value> = rules.iter().map(|r| json!({ "rule": r })).collect();
    json!({
        "type": "object",
        "properties": props,
        "x-kubernetes-validations": rules,
    })
}

fn estimate(schema: &Value) -> Vec<RuleCost> {
    estimate_schema(schema).unwrap_or_else(|e| panic!("{e}")).0
}

fn rule_cost(total: u64, message_expression: Option<&str>) -> RuleCost {
    RuleCost {
        path: ".spec".into(),
        index: 2,
        rule: "self.a == self.b".into(),
        message_expression: message_expression.map(str::to_owned),
        cost: total,
        cardinality: 1,
        total,
        multipliers: vec![],
        reads: vec![],
    }
}

fn version(rules: Vec<RuleCost>) -> CrdCost {
    let total = rules.iter().map(|r| r.total).sum();
    CrdCost {
        name: "widgets.example.com".into(),
        versions: vec![VersionCost {
            name: "v1".into(),
            rules,
            total,
        }],
    }
}

#[test]
fn the_field_of_a_rule_and_of_its_message_expression() {
    assert_eq!(rule_cost(1, None).field(), "rule");
    assert_eq!(
        rule_cost(1, Some("'bad: ' + self.a")).field(),
        "messageExpression"
    );
}

#[test]
fn over_the_per_rule_limit_is_strictly_more_than_it() {
    assert!(!rule_cost(0, None).over_limit());
    assert!(!rule_cost(PER_RULE_LIMIT - 1, None).over_limit());
    assert!(!rule_cost(PER_RULE_LIMIT, None).over_limit());
    assert!(rule_cost(PER_RULE_LIMIT + 1, None).over_limit());
    assert!(rule_cost(u64::MAX, Some("'x'")).over_limit());
}

#[test]
fn cost_error_message_is_the_apiservers() {
    let tail = "(try simplifying the rule, or adding maxItems, maxProperties, and maxLength \
                where arrays, maps, and strings are declared)";
    assert_eq!(
        cost_error_message("estimated rule cost", 12_000_000, PER_RULE_LIMIT),
        format!("estimated rule cost exceeds budget by factor of 1.200000x {tail}")
    );
    assert_eq!(
        cost_error_message("estimated rule cost", 25_000_000, PER_RULE_LIMIT),
        format!("estimated rule cost exceeds budget by factor of 2.5x {tail}")
    );
    assert_eq!(
        cost_error_message("estimated rule cost", 15_000_000, PER_RULE_LIMIT),
        format!("estimated rule cost exceeds budget by factor of 1.5x {tail}")
    );
    assert_eq!(
        cost_error_message("estimated rule cost", 1_000_000_000, PER_RULE_LIMIT),
        format!("estimated rule cost exceeds budget by factor of 100.0x {tail}")
    );
    assert_eq!(
        cost_error_message("total", 1_000_000_001, PER_RULE_LIMIT),
        format!("total exceeds budget by factor of more than 100x {tail}")
    );
}

#[test]
fn refusals_name_the_rule_field_and_figures() {
    let cost = version(vec![
        rule_cost(PER_RULE_LIMIT, None),
        rule_cost(12_000_000, None),
        rule_cost(25_000_000, Some("'too long: ' + self.a")),
    ]);
    let refused = refusals(&cost);
    let texts: Vec<&str> = refused.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(refused.len(), 2, "{texts:#?}");
    assert_eq!(refused[0].0, ".spec");
    assert!(
        texts[0].starts_with(
            "x-kubernetes-validations[2].rule `self.a == self.b`: the apiserver refuses this \
             CRD: estimated rule cost exceeds budget by factor of 1.200000x"
        ),
        "{}",
        texts[0]
    );
    assert!(
        texts[0].contains("(cost 12000000 > limit 10000000); it runs once per object;"),
        "{}",
        texts[0]
    );
    assert!(
        texts[1].starts_with(
            "x-kubernetes-validations[2].messageExpression `'too long: ' + self.a`: the \
             apiserver refuses this CRD: estimated messageExpression cost exceeds budget by \
             factor of 2.5x"
        ),
        "{}",
        texts[1]
    );
}

#[test]
fn estimate_error_names_the_node_and_the_rule() {
    let schema = root(
        json!({ "n": { "type": "integer" } }),
        &["self.n == 1", "self.missing == 1"],
    );
    let e = estimate_schema(&schema).expect_err("an undefined field");
    assert_eq!(
        e.to_string(),
        ".: cannot estimate the cost of rule `self.missing == 1`: undefined field 'missing'"
    );
}

/// A rule's cost with what it reads: the bound of the string it measures.
#[test]
fn a_rule_reads_the_bounds_it_measures() {
    let schema = json!({
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "names": {
                        "type": "array",
                        "maxItems": 8,
                        "items": { "type": "string", "maxLength": 20 },
                    },
                    "free": { "type": "string" },
                },
                "x-kubernetes-validations": [
                    { "rule": "self.names.all(n, n.startsWith('a'))" },
                    { "rule": "self.free.size() < 10" },
                ],
            },
        },
    });
    let rules = estimate(&schema);
    assert_eq!(rules.len(), 2);
    assert_eq!(
        rules[0].reads,
        vec![
            Read {
                path: ".spec.names".into(),
                keyword: "maxItems",
                value: Some(8),
            },
            Read {
                path: ".spec.names[*]".into(),
                keyword: "maxLength",
                value: Some(20),
            },
        ]
    );
    assert_eq!(
        rules[1].reads,
        vec![Read {
            path: ".spec.free".into(),
            keyword: "maxLength",
            value: None,
        }]
    );
    assert_eq!(
        explain(&rules[1]),
        format!(
            "it runs once per object; one evaluation ({}) reads .spec.free (no maxLength)",
            rules[1].cost
        )
    );
}

/// An index reads the bound of what it selects: a list's element (`[*]`), a map's
/// value (`.*`).
#[test]
fn an_index_reads_the_bound_of_its_element() {
    let schema = root(
        json!({
            "words": {
                "type": "array",
                "items": { "type": "string", "maxLength": 10 },
            },
            "labels": {
                "type": "object",
                "additionalProperties": { "type": "string", "maxLength": 32 },
            },
        }),
        &[
            "self.words[0].matches('^y')",
            "self.labels['a'].matches('^x')",
        ],
    );
    let rules = estimate(&schema);
    let reads: Vec<Vec<(&str, &str, Option<u64>)>> = rules
        .iter()
        .map(|r| {
            r.reads
                .iter()
                .map(|x| (x.path.as_str(), x.keyword, x.value))
                .collect()
        })
        .collect();
    assert_eq!(
        reads,
        [
            vec![
                (".words", "maxItems", None),
                (".words[*]", "maxLength", Some(10)),
            ],
            vec![
                (".labels", "maxProperties", None),
                (".labels.*", "maxLength", Some(32)),
            ],
        ]
    );
}

/// Embedded resources get `apiVersion`, `kind` and `metadata` as the root does; other
/// nodes do not.
#[test]
fn an_embedded_resource_sees_type_and_object_meta() {
    let rule = "self.kind == 'Pod'";
    let embedded = json!({
        "type": "object",
        "properties": {
            "template": {
                "type": "object",
                "x-kubernetes-embedded-resource": true,
                "x-kubernetes-validations": [{ "rule": rule }],
            },
        },
    });
    let rules = estimate(&embedded);
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].path, ".template");
    assert!(check_rule(&embedded["properties"]["template"], false, rule, false).is_ok());

    let plain = json!({
        "type": "object",
        "properties": {
            "template": {
                "type": "object",
                "properties": { "n": { "type": "integer" } },
                "x-kubernetes-validations": [{ "rule": rule }],
            },
        },
    });
    let e = estimate_schema(&plain).expect_err("no kind outside a resource");
    assert_eq!(e.path, ".template");
    assert_eq!(e.message, "undefined field 'kind'");
    let node = &plain["properties"]["template"];
    assert_eq!(
        check_rule(node, false, rule, false).err().as_deref(),
        Some("undefined field 'kind'")
    );
    assert!(check_rule(node, true, rule, false).is_ok());
    assert!(check_rule(node, true, "self.metadata.name != ''", false).is_ok());
}

/// The cache writes a [`CrdCost`] as JSON and reads it back; a keyword it does not know
/// is refused.
#[test]
fn costs_read_back_as_written() {
    let schema = json!({
        "type": "object",
        "properties": {
            "tags": {
                "type": "object",
                "maxProperties": 4,
                "additionalProperties": {
                    "type": "object",
                    "properties": { "v": { "type": "string", "maxLength": 9 } },
                    "x-kubernetes-validations": [{ "rule": "self.v.size() > 1" }],
                },
            },
            "list": {
                "type": "array",
                "items": { "type": "string" },
                "maxItems": 3,
                "x-kubernetes-validations": [{ "rule": "self.size() > 1" }],
            },
        },
    });
    let (rules, total) = estimate_schema(&schema).unwrap_or_else(|e| panic!("{e}"));
    let cost = CrdCost {
        name: "c".into(),
        versions: vec![VersionCost {
            name: "v1".into(),
            rules,
            total,
        }],
    };
    let json = serde_json::to_value(&cost).expect("costs as JSON");
    let back: CrdCost = serde_json::from_value(json.clone()).expect("costs from JSON");
    assert_eq!(serde_json::to_value(&back).expect("costs as JSON"), json);
    let keywords: Vec<&str> = back.versions[0]
        .rules
        .iter()
        .flat_map(|r| {
            r.multipliers
                .iter()
                .map(|m| m.keyword)
                .chain(r.reads.iter().map(|r| r.keyword))
        })
        .collect();
    assert_eq!(keywords, ["maxItems", "maxProperties", "maxLength"]);

    let mut bad = json;
    bad["versions"][0]["rules"][0]["reads"][0]["keyword"] = json!("minItems");
    let e = serde_json::from_value::<CrdCost>(bad).expect_err("an unknown keyword");
    assert!(
        e.to_string().starts_with("unknown bound keyword minItems"),
        "{e}"
    );
}

#[test]
fn escape_field_spells_names_as_rules_do() {
    assert_eq!(escape_field("x-y").as_deref(), Some("x__dash__y"));
    assert_eq!(
        escape_field("a.b/c").as_deref(),
        Some("a__dot__b__slash__c")
    );
    assert_eq!(escape_field("namespace").as_deref(), Some("__namespace__"));
    assert_eq!(escape_field("plain").as_deref(), Some("plain"));
    assert_eq!(escape_field("snake_case").as_deref(), Some("snake_case"));
    assert_eq!(escape_field("a__b_").as_deref(), Some("a__underscores__b_"));
    assert_eq!(escape_field("1st"), None);
    assert_eq!(escape_field("a b"), None);
}

fn object(props: Value) -> Value {
    json!({ "type": "object", "properties": props })
}

fn checked(src: &str) -> CheckedRule {
    let node = object(json!({
        "n": { "type": "integer" },
        "s": { "type": "string" },
        "l": { "type": "array", "items": { "type": "integer" } },
        "any": { "x-kubernetes-int-or-string": true },
    }));
    check_rule(&node, false, src, false).unwrap_or_else(|e| panic!("{src}: {e}"))
}

#[test]
fn check_rule_gives_the_overload_of_each_resolved_call() {
    let r = checked("self.n + 1 < 5");
    let cel::common::ast::Expr::Call(less) = &r.ast.expr else {
        panic!("a call");
    };
    assert_eq!(r.overload(r.ast.id), Some("less_int64"));
    assert_eq!(r.overload(less.args[0].id), Some("add_int64"));
    // A literal is not a call.
    assert_eq!(r.overload(less.args[1].id), None);
    assert_eq!(r.namespaced(r.ast.id), None);

    // `dyn + dyn` leaves several overloads: dispatched at run time.
    let r = checked("self.any + self.any == 2");
    let cel::common::ast::Expr::Call(eq) = &r.ast.expr else {
        panic!("a call");
    };
    assert_eq!(r.overload(r.ast.id), Some("equals"));
    assert_eq!(r.overload(eq.args[0].id), None);
}

#[test]
fn check_rule_names_namespaced_calls() {
    let r = checked("sets.contains(self.l, [1])");
    assert_eq!(r.namespaced(r.ast.id), Some("sets.contains"));
    assert_eq!(r.overload(r.ast.id), Some("list_sets_contains_list"));
    let r = checked("self.l.size() > 0");
    assert_eq!(r.namespaced(r.ast.id), None);
}

#[test]
fn check_rule_refuses_what_does_not_parse_or_check() {
    let node = object(json!({ "n": { "type": "integer" } }));
    let e = check_rule(&node, false, "self.n ==", false)
        .err()
        .expect("a syntax error");
    assert!(e.starts_with("syntax: "), "{e}");
    assert_eq!(
        check_rule(&json!({}), false, "true", false)
            .err()
            .as_deref(),
        Some("the node is not visible to CEL (no type)")
    );
    // `oldSelf` is optional only with optionalOldSelf.
    assert!(check_rule(&node, false, "oldSelf.n == self.n", false).is_ok());
    assert!(check_rule(&node, false, "oldSelf.n == self.n", true).is_err());
    assert!(check_rule(&node, false, "oldSelf.value().n == self.n", true).is_ok());
}

#[test]
fn transition_rules_read_old_self_anywhere_in_the_expression() {
    for src in [
        "oldSelf == self",
        "oldSelf.n < self.n",
        "oldSelf.s.startsWith('a')",
        "self.s.startsWith(oldSelf.s)",
        "[oldSelf.n].size() == 1",
        "{'k': oldSelf.n}.size() == 1",
        "{oldSelf.s: 1}.size() == 1",
        "self.l.all(x, x < oldSelf.n)",
        "oldSelf.l.exists(x, x == 1)",
        "self.l.map(x, x + oldSelf.n).size() > 0",
        "oldSelf.n == 1 ? true : false",
    ] {
        assert!(checked(src).uses_old_self(), "{src}");
    }
    for src in [
        "self.n == 1",
        "self.s == 'oldSelf'",
        "self.s.startsWith('a')",
        "[self.n].size() == 1",
        "{'k': self.n}.size() == 1",
        "{self.s: 1}.size() == 1",
        "self.l.all(x, x < self.n)",
    ] {
        assert!(!checked(src).uses_old_self(), "{src}");
    }
}

/// A CRD of two versions: in `v1` a list of 6 int-or-strings and a map of at most 5
/// objects, each with a rule, and a rule with a message expression at the root; in
/// `v2` one rule at the root. The figures of `v1`'s list and map rules are the
/// apiserver's for the same nodes in `tests/cel-cost-corpus`.
fn two_versions() -> Value {
    let v1 = json!({
        "type": "object",
        "properties": {
            "ports": {
                "type": "array",
                "maxItems": 6,
                "items": {
                    "x-kubernetes-int-or-string": true,
                    "x-kubernetes-validations": [
                        { "rule": "type(self) == string ? self.size() < 6 : self < 65536" },
                    ],
                },
            },
            "byName": {
                "type": "object",
                "maxProperties": 5,
                "additionalProperties": {
                    "type": "object",
                    "properties": { "port": { "type": "integer" } },
                    "x-kubernetes-validations": [
                        { "rule": "self.port > 0" },
                        { "rule": "self.port > 0 && self.port < 65536" },
                    ],
                },
            },
        },
        "x-kubernetes-validations": [{
            "rule": "self.ports.size() < 6",
            "messageExpression": "'too many ports in ' + self.metadata.name",
        }],
    });
    let v2 = json!({
        "type": "object",
        "properties": { "n": { "type": "integer" } },
        "x-kubernetes-validations": [{ "rule": "self.n > 0" }],
    });
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": { "name": "widgets.example.com" },
        "spec": {
            "versions": [
                { "name": "v1", "schema": { "openAPIV3Schema": v1 } },
                { "name": "v2", "schema": { "openAPIV3Schema": v2 } },
            ],
        },
    })
}

/// The costs of `two_versions`, rule by rule: `(path, index, message expression,
/// cost, cardinality, total)`.
fn figures(cost: &CrdCost) -> Vec<(&str, &str, usize, bool, u64, u64, u64)> {
    cost.versions
        .iter()
        .flat_map(|v| {
            v.rules.iter().map(|r| {
                (
                    v.name.as_str(),
                    r.path.as_str(),
                    r.index,
                    r.message_expression.is_some(),
                    r.cost,
                    r.cardinality,
                    r.total,
                )
            })
        })
        .collect()
}

#[test]
fn every_version_and_rule_of_a_crd_is_estimated() {
    let cost = estimate_crd(&two_versions()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cost.name, "widgets.example.com");
    assert_eq!(
        figures(&cost),
        [
            ("v1", ".", 0, false, 4, 1, 4),
            ("v1", ".", 0, true, 314578, 1, 314578),
            ("v1", ".byName.*", 0, false, 3, 5, 15),
            ("v1", ".byName.*", 1, false, 6, 5, 30),
            ("v1", ".ports[*]", 0, false, 314579, 6, 1887474),
            ("v2", ".", 0, false, 3, 1, 3),
        ]
    );
    let totals: Vec<u64> = cost.versions.iter().map(|v| v.total).collect();
    assert_eq!(totals, [4 + 314578 + 15 + 30 + 1887474, 3]);
}

#[test]
fn annotate_puts_each_rules_cost_beside_it() {
    let crd = two_versions();
    let cost = estimate_crd(&crd).unwrap_or_else(|e| panic!("{e}"));
    let out = annotate(&crd, &cost);
    let at = |version: usize, pointer: &str, index: usize| {
        out["spec"]["versions"][version]["schema"]["openAPIV3Schema"]
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{pointer}"))["x-kubernetes-validations"][index][COST_KEY]
            .clone()
    };
    assert_eq!(
        at(0, "", 0),
        "4 (0.00% of the per-rule limit); message expression: 314578 (3.15% of the per-rule \
         limit)"
    );
    assert_eq!(
        at(0, "/properties/byName/additionalProperties", 0),
        "3 × 5 = 15 (0.00% of the per-rule limit)"
    );
    assert_eq!(
        at(0, "/properties/byName/additionalProperties", 1),
        "6 × 5 = 30 (0.00% of the per-rule limit)"
    );
    assert_eq!(
        at(0, "/properties/ports/items", 0),
        "314579 × 6 = 1887474 (18.87% of the per-rule limit)"
    );
    assert_eq!(at(1, "", 0), "3 (0.00% of the per-rule limit)");

    // Nothing else changes.
    let mut stripped = out.clone();
    for v in stripped["spec"]["versions"]
        .as_array_mut()
        .expect("versions")
    {
        crate::walk::walk_mut(&mut v["schema"]["openAPIV3Schema"], |_, node| {
            for r in node
                .get_mut("x-kubernetes-validations")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                r.as_object_mut().expect("a rule").remove(COST_KEY);
            }
        });
    }
    assert_eq!(stripped, crd);
}

/// A rule the costs do not cover (a version they do not have, a rule added since) is
/// left without a figure.
#[test]
fn annotate_leaves_rules_without_a_figure_alone() {
    let crd = two_versions();
    let mut cost = estimate_crd(&crd).unwrap_or_else(|e| panic!("{e}"));
    cost.versions[0]
        .rules
        .retain(|r| !(r.path == ".byName.*" && r.index == 1));
    cost.versions.pop();
    let out = annotate(&crd, &cost);
    let v1 = &out["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    let rules = &v1["properties"]["byName"]["additionalProperties"]["x-kubernetes-validations"];
    assert_eq!(
        rules[0][COST_KEY],
        "3 × 5 = 15 (0.00% of the per-rule limit)"
    );
    assert_eq!(
        rules[1],
        json!({ "rule": "self.port > 0 && self.port < 65536" })
    );
    assert_eq!(out["spec"]["versions"][1], crd["spec"]["versions"][1]);
}

#[test]
fn explain_names_what_multiplies_and_what_is_read() {
    let cost = estimate_crd(&two_versions()).unwrap_or_else(|e| panic!("{e}"));
    let v1 = &cost.versions[0].rules;
    let texts: Vec<String> = v1.iter().map(explain).collect();
    assert_eq!(
        texts,
        [
            "it runs once per object; one evaluation (4) reads .ports (maxItems 6)",
            "one evaluation (314578) reads .metadata.name (no maxLength)",
            "it runs up to 5 times: once per element of .byName (maxProperties 5); \
             one evaluation costs 3",
            "it runs up to 5 times: once per element of .byName (maxProperties 5); \
             one evaluation costs 6",
            "it runs up to 6 times: once per element of .ports (maxItems 6); \
             one evaluation (314579) reads .ports[*] (no maxLength)",
        ]
    );
    let nested = RuleCost {
        multipliers: vec![
            Multiplier {
                path: ".spec.rules".into(),
                keyword: "maxItems",
                value: None,
            },
            Multiplier {
                path: ".spec.rules[*].hosts".into(),
                keyword: "maxItems",
                value: Some(16),
            },
        ],
        cardinality: 1000,
        ..rule_cost(7000, None)
    };
    assert_eq!(
        explain(&nested),
        "it runs up to 1000 times: once per element of .spec.rules (no maxItems), \
         .spec.rules[*].hosts (maxItems 16); one evaluation costs 7000"
    );
}

/// The whole schema's limit: refused only over it, with the most expensive rules.
#[test]
fn refusals_of_a_schema_over_the_per_crd_limit() {
    // Eleven rules, none over the per-rule limit, of 100,000,000 - 45 + `last`.
    let rules = |last: u64| {
        let totals = [9_999_996, 9_999_992, 10_000_000, 9_999_991, 9_999_998];
        let totals = totals
            .into_iter()
            .chain([9_999_994, 9_999_999, 9_999_993, 9_999_995, 9_999_997, last]);
        version(
            totals
                .enumerate()
                .map(|(i, t)| RuleCost {
                    path: format!(".spec.r{i}"),
                    ..rule_cost(t, None)
                })
                .collect(),
        )
    };
    assert_eq!(rules(45).versions[0].total, PER_CRD_LIMIT);
    assert_eq!(refusals(&rules(45)), vec![]);
    let over = refusals(&rules(46));
    assert_eq!(over.len(), 1, "{over:#?}");
    assert_eq!(over[0].0, ".");
    assert!(
        over[0].1.starts_with(
            "version v1: the apiserver refuses this CRD: x-kubernetes-validations estimated \
             rule cost total for entire OpenAPIv3 schema exceeds budget by factor of \
             1.000000x (try simplifying the rule, or adding maxItems, maxProperties, and \
             maxLength where arrays, maps, and strings are declared) (total 100000001 > limit \
             100000000); the most expensive rules: .spec.r2 `self.a == self.b` (10000000), \
             .spec.r6 `self.a == self.b` (9999999), .spec.r4 `self.a == self.b` (9999998), \
             .spec.r9 `self.a == self.b` (9999997); lower the bounds"
        ),
        "{}",
        over[0].1
    );
}

/// Under a list without `maxItems` a rule runs as many times as the smallest items fit
/// in a 3 MiB request: an object without required fields is 2 bytes (`{}`) and a comma.
#[test]
fn an_unbounded_list_multiplies_by_what_fits_in_a_request() {
    let schema = json!({
        "type": "object",
        "properties": {
            "l": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": { "n": { "type": "integer" } },
                    "x-kubernetes-validations": [{ "rule": "self.n > 0" }],
                },
            },
            "r": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": { "name": { "type": "string" } },
                    "required": ["name"],
                    "x-kubernetes-validations": [{ "rule": "self.name != ''" }],
                },
            },
        },
    });
    let rules = estimate(&schema);
    let figures: Vec<(&str, u64, u64, u64)> = rules
        .iter()
        .map(|r| (r.path.as_str(), r.cost, r.cardinality, r.total))
        .collect();
    // `{"name":""}` is 12 bytes: 3,145,728 / 13.
    assert_eq!(
        figures,
        [
            (".l[*]", 3, 1_048_576, 3 * 1_048_576),
            (".r[*]", 2, 241_979, 2 * 241_979),
        ]
    );
    assert_eq!(
        rules[0].multipliers,
        [Multiplier {
            path: ".l".into(),
            keyword: "maxItems",
            value: None,
        }]
    );
}

/// With `optionalOldSelf`, `oldSelf` is an optional (the corpus's figure: 8).
#[test]
fn optional_old_self_makes_old_self_an_optional() {
    let rule = "!oldSelf.hasValue() || self.name == oldSelf.value().name";
    let schema = |optional: bool| {
        json!({
            "type": "object",
            "properties": {
                "status": {
                    "type": "object",
                    "properties": { "name": { "type": "string", "maxLength": 10 } },
                    "x-kubernetes-validations": [
                        { "rule": rule, "optionalOldSelf": optional },
                    ],
                },
            },
        })
    };
    let rules = estimate(&schema(true));
    assert_eq!((rules[0].cost, rules[0].total), (8, 8));
    let e = estimate_schema(&schema(false)).expect_err("oldSelf is not optional");
    assert_eq!(e.rule, rule);
    assert!(
        e.message
            .starts_with("found no matching overload for 'hasValue'"),
        "{}",
        e.message
    );
}

/// Properties whose names CEL escapes are read under their own names.
#[test]
fn reads_name_escaped_properties_as_the_schema_does() {
    let schema = root(
        json!({
            "x-y": { "type": "string", "maxLength": 3 },
            "namespace": { "type": "string", "maxLength": 4 },
            "a__b.c/d": { "type": "string", "maxLength": 5 },
            "1st": { "type": "string" },
        }),
        &[
            "self.x__dash__y.matches('^a') && self.__namespace__.matches('^b') \
             && self.a__underscores__b__dot__c__slash__d.matches('^c')",
        ],
    );
    let rules = estimate(&schema);
    let reads: Vec<(&str, Option<u64>)> = rules[0]
        .reads
        .iter()
        .map(|r| (r.path.as_str(), r.value))
        .collect();
    assert_eq!(
        reads,
        [
            (".a__b.c/d", Some(5)),
            (".namespace", Some(4)),
            (".x-y", Some(3))
        ]
    );
}

/// The checker's errors name the types as cel-go prints them.
#[test]
fn checker_errors_name_types_as_cel_go_does() {
    let node = object(json!({
        "l": { "type": "array", "items": { "type": "integer" } },
        "m": { "type": "object", "additionalProperties": { "type": "integer" } },
        "s": { "type": "string" },
    }));
    for (src, types) in [
        ("self.l + 'a'", "list(int), string"),
        ("self.m + 1u", "map(string, int), uint"),
        ("optional.of(1.5) + b'x'", "optional_type(double), bytes"),
        ("duration('1s') + 1.0", "duration, double"),
        ("null + 1", "null, int"),
        ("type(1) + timestamp(0)", "type(int), timestamp"),
        ("ip('1.2.3.4') + true", "net.IP, bool"),
        ("[] + 1", "list(dyn), int"),
    ] {
        assert_eq!(
            check_rule(&node, false, src, false).err(),
            Some(format!(
                "found no matching overload for '_+_' applied to '({types})'"
            )),
            "{src}"
        );
    }
    assert_eq!(
        check_rule(&node, false, "self.s.x == 1", false)
            .err()
            .as_deref(),
        Some("type 'string' does not support field selection")
    );
    assert!(check_rule(&node, false, "dyn(self.s).x == 1", false).is_ok());
}

/// As cel-go's `FormatCELType`: an opaque type's parameters in parentheses, separated
/// by ", " (the checker's errors only show one-parameter ones, `optional_type(...)`).
#[test]
fn opaque_types_name_their_parameters() {
    use super::types::Ty;
    let pair = Ty::Opaque("pair".into(), vec![Ty::Int, Ty::opt(Ty::String), Ty::Dyn]);
    assert_eq!(pair.to_string(), "pair(int, optional_type(string), dyn)");
    assert_eq!(Ty::Opaque("net.IP".into(), vec![]).to_string(), "net.IP");
}

/// What the checker refuses, in its words; several errors are joined.
#[test]
fn checker_refusals() {
    let node = object(json!({
        "n": { "type": "integer" },
        "l": { "type": "array", "items": { "type": "integer" } },
    }));
    let refused = |src: &str| {
        check_rule(&node, false, src, false)
            .err()
            .unwrap_or_else(|| panic!("{src} is accepted"))
    };
    assert_eq!(
        refused("nope == 1"),
        "undeclared reference to 'nope' (in container '')"
    );
    assert_eq!(
        refused("self.l.frobnicate()"),
        "undeclared reference to 'frobnicate' (in container '')"
    );
    assert_eq!(
        refused("nope && nada"),
        "undeclared reference to 'nope' (in container ''); undeclared reference to 'nada' (in container '')"
    );
    assert_eq!(
        refused("self.n && true"),
        "expected type 'bool' but found 'int'"
    );
    assert_eq!(
        refused("self.n.all(x, x > 0)"),
        "expression of type 'int' cannot be range of a comprehension (must be list, map, or \
         dynamic)"
    );
    assert_eq!(
        refused("Foo{a: 1} == self"),
        "message construction is not supported in CRD rules"
    );
    // `all`'s step is `accu && predicate`.
    assert_eq!(
        refused("self.l.all(x, x)"),
        "expected type 'bool' but found 'int'"
    );
}

/// The type names a rule may compare `type(x)` with, the qualified ones too (the
/// apiserver's type registry has them): each is one identifier to cel-go's checker and
/// estimator. The figures are the apiserver's.
#[test]
fn type_names_are_declared() {
    let names = [
        "google.protobuf.Duration",
        "int",
        "google.protobuf.Timestamp",
        "bool",
        "bytes",
        "double",
        "uint",
        "string",
        "null_type",
        "optional_type",
        "type",
        "list",
        "map",
    ];
    let rules: Vec<String> = names[..3]
        .iter()
        .map(|t| format!("type(self.d) == {t}"))
        .chain(
            names[3..]
                .iter()
                .map(|t| format!("type(dyn(self.num)) == {t}")),
        )
        .collect();
    let rules: Vec<&str> = rules.iter().map(String::as_str).collect();
    let schema = root(
        json!({
            "d": { "type": "string", "format": "duration" },
            "num": { "type": "integer" },
        }),
        &rules,
    );
    let costs: Vec<(u64, usize)> = estimate(&schema)
        .iter()
        .map(|r| (r.cost, r.reads.len()))
        .collect();
    assert_eq!(&costs[..3], [(4, 0); 3]);
    assert_eq!(&costs[3..], [(5, 0); 10]);
    for src in rules {
        let r = check_rule(&schema, true, src, false).unwrap_or_else(|e| panic!("{src}: {e}"));
        assert_eq!(r.overload(r.ast.id), Some("equals"), "{src}");
    }
    assert_eq!(
        check_rule(&object(json!({})), false, "type(self) == float", false)
            .err()
            .as_deref(),
        Some("undeclared reference to 'float' (in container '')")
    );
    // `dyn` is a function only: the apiserver refuses it as a type name, in these words.
    assert_eq!(
        check_rule(&object(json!({})), false, "type(self) == dyn", false)
            .err()
            .as_deref(),
        Some("undeclared reference to 'dyn' (in container '')")
    );
}

/// Literals have the types of their elements: a map's values, a list's items.
#[test]
fn literals_are_typed_by_their_elements() {
    let node = object(json!({}));
    let err = |src: &str| check_rule(&node, false, src, false).err();
    assert_eq!(
        err("{'a': 1}['a'] == 'x'").as_deref(),
        Some("found no matching overload for '_==_' applied to '(int, string)'")
    );
    assert_eq!(
        err("{1: 'a'}.exists(k, k == 'x')").as_deref(),
        Some("found no matching overload for '_==_' applied to '(int, string)'")
    );
    assert_eq!(
        err("[1, 2][0] == 'x'").as_deref(),
        Some("found no matching overload for '_==_' applied to '(int, string)'")
    );
    assert_eq!(err("{}.size() == 0 && [].size() == 0"), None);
}

/// `has(a.b)` is a presence test, never part of a qualified name.
#[test]
fn a_presence_test_is_not_a_qualified_name() {
    let node = object(json!({}));
    assert_eq!(
        check_rule(
            &node,
            false,
            "has(google.protobuf).Duration == google.protobuf.Duration",
            false
        )
        .err()
        .as_deref(),
        Some(
            "undeclared reference to 'google' (in container ''); type 'bool' does not support field selection"
        )
    );
}

/// Calls resolving to several overloads of one result type have that type; of several
/// result types, `dyn`. A comprehension's result has the type its steps build.
#[test]
fn result_types_of_calls_and_comprehensions() {
    let err = |src: &str| checked_err(src);
    assert_eq!(
        err("(self.any < self.any) + 1 == 2").as_deref(),
        Some("found no matching overload for '_+_' applied to '(bool, int)'")
    );
    assert_eq!(err("(self.any + self.any) + 1 == 2"), None);
    assert_eq!(
        err("self.l.map(x, x)[0] == 'a'").as_deref(),
        Some("found no matching overload for '_==_' applied to '(int, string)'")
    );
    assert_eq!(
        err("[1].map(x, x + 1)[0] == 'a'").as_deref(),
        Some("found no matching overload for '_==_' applied to '(int, string)'")
    );
    assert_eq!(
        err("self.l.filter(x, x > 0)[0] == 'a'").as_deref(),
        Some("found no matching overload for '_==_' applied to '(int, string)'")
    );
    assert_eq!(
        err("self.l.exists_one(x, x > 0) == 'a'").as_deref(),
        Some("found no matching overload for '_==_' applied to '(bool, string)'")
    );
}

fn checked_err(src: &str) -> Option<String> {
    let node = object(json!({
        "n": { "type": "integer" },
        "s": { "type": "string" },
        "l": { "type": "array", "items": { "type": "integer" } },
        "any": { "x-kubernetes-int-or-string": true },
    }));
    check_rule(&node, false, src, false).err()
}

/// A rule may iterate over an int-or-string (a `dyn`): its elements are of unknown
/// size. Its `maxLength` bounds it as a string's does (4 bytes a character). The
/// figures are the apiserver's.
#[test]
fn iterating_over_a_dyn() {
    let rules = estimate(&root(
        json!({
            "any": { "x-kubernetes-int-or-string": true, "maxLength": 6 },
            "other": { "x-kubernetes-int-or-string": true, "maxLength": 9 },
        }),
        &[
            "self.any.all(x, x == 'abc')",
            "self.any.exists(x, x.size() > 1)",
            "dyn(self.any).all(x, x == 'abc')",
            "self.any == self.other",
            "string(self.any).matches('^[a-z]+$')",
        ],
    ));
    let costs: Vec<u64> = rules.iter().map(|r| r.cost).collect();
    assert_eq!(costs, [123, 171, 100, 7, 11]);
}

/// Rules the apiserver accepts (with its estimated cost) or refuses (with its first
/// error) over one node: comparisons with null, mixed literals, type parameters of lists, maps
/// and optionals (bound to the more general of two types, never to a type containing
/// themselves), type values, opaque and library types, cross-type numeric comparisons.
/// Figures from
/// `e2e/tools/celcost` (the apiserver's compilation and estimator); its schema type
/// names carry a random number (`selfType666689127`), 0 here.
#[test]
fn typing_as_the_apiserver_types() {
    let props = json!({
        "obj": { "type": "object", "properties": { "a": { "type": "integer" } } },
        "d": { "type": "string", "format": "duration" },
        "ts": { "type": "string", "format": "date-time" },
        "num": { "type": "integer" },
        "s": { "type": "string", "maxLength": 10 },
        "l": { "type": "array", "maxItems": 5, "items": { "type": "integer" } },
        "m": {
            "type": "object",
            "maxProperties": 5,
            "additionalProperties": { "type": "integer" },
        },
        "opt": { "type": "object", "properties": { "a": { "type": "integer" } } },
        "nested": {
            "type": "array",
            "maxItems": 3,
            "items": { "type": "array", "maxItems": 3, "items": { "type": "integer" } },
        },
        "mm": {
            "type": "object",
            "maxProperties": 3,
            "additionalProperties": {
                "type": "object",
                "maxProperties": 3,
                "additionalProperties": { "type": "string", "maxLength": 4 },
            },
        },
    });
    let table: &[(&str, Result<u64, &str>)] = &[
        ("self.obj == null", Ok(2)),
        ("null == self.obj", Ok(2)),
        ("self.d == null", Ok(3)),
        (
            "self.num == null",
            Err("found no matching overload for '_==_' applied to '(int, null)'"),
        ),
        (
            "self.s == null",
            Err("found no matching overload for '_==_' applied to '(string, null)'"),
        ),
        (
            "self.l == null",
            Err("found no matching overload for '_==_' applied to '(list(int), null)'"),
        ),
        (
            "self.m == null",
            Err("found no matching overload for '_==_' applied to '(map(string, int), null)'"),
        ),
        ("self.opt == null", Ok(2)),
        (
            "[1, 2.0].size() == 2",
            Err("expected type 'int' but found 'double'"),
        ),
        (
            "[1, 'a'].size() == 2",
            Err("expected type 'int' but found 'string'"),
        ),
        (
            "{'a': 1, 'b': 'x'}.size() == 2",
            Err("expected type 'int' but found 'string'"),
        ),
        ("[[1], [2]].exists(l, l[0] == 1)", Ok(45)),
        (
            "[[1], ['a']].size() == 2",
            Err("expected type 'list(int)' but found 'list(string)'"),
        ),
        ("{'a': [1]}['a'][0] + 1 == 2", Ok(44)),
        ("dyn([1]) + [1] == [1, 1]", Ok(33)),
        (
            "[1] + ['a'] == []",
            Err("found no matching overload for '_+_' applied to '(list(int), list(string))'"),
        ),
        ("self.l + [] == self.l", Ok(16)),
        ("[] + self.l == self.l", Ok(16)),
        ("[] + [] == []", Ok(31)),
        ("optional.of(1).orValue(2) + 1 == 2", Ok(4)),
        (
            "optional.none().orValue('a') + 'b' == 'ab'",
            Ok(1844674407370955267),
        ),
        ("optional.of(self.l).orValue([]).size() > 0", Ok(16)),
        ("optional.of([]).orValue(self.l).size() > 0", Ok(16)),
        ("self.m.all(k, self.m[k] > 0)", Ok(43)),
        (
            "{'a': 1} == {'b': 'c'}",
            Err(
                "found no matching overload for '_==_' applied to '(map(string, int), map(string, string))'",
            ),
        ),
        ("{'a': 1} == {'b': 2}", Ok(61)),
        (
            "[1] == [1.0]",
            Err("found no matching overload for '_==_' applied to '(list(int), list(double))'"),
        ),
        (
            "[self.num] == [1u]",
            Err("found no matching overload for '_==_' applied to '(list(int), list(uint))'"),
        ),
        ("type(self.num) == type(1)", Ok(1844674407370955268)),
        ("type(self.num) == type('a')", Ok(1844674407370955268)),
        ("type(self.l) == type([1])", Ok(1844674407370955278)),
        ("type(self.l) == list", Ok(4)),
        ("type(self.m) == map", Ok(4)),
        ("type(self.obj) == type(self.obj)", Ok(1844674407370955270)),
        (
            "self.opt.orValue(self.obj) == self.obj",
            Err(
                "found no matching overload for 'orValue' applied to 'selfType0.opt.(selfType0.obj)'",
            ),
        ),
        ("self.l.map(x, [x]).exists(y, y[0] == 1)", Ok(164)),
        ("self.l.map(x, {'k': x}).exists(y, y['k'] == 1)", Ok(264)),
        (
            "self.l.map(x, optional.of(x)).exists(y, y.hasValue())",
            Ok(114),
        ),
        (
            "[optional.of(1), optional.none()].exists(y, y.orValue(0) > 0)",
            Ok(27),
        ),
        (
            "[optional.of(1), optional.of('a')].size() == 2",
            Err("expected type 'optional_type(int)' but found 'optional_type(string)'"),
        ),
        ("dyn(self.num) == self.s", Ok(5)),
        (
            "self.num == self.s",
            Err("found no matching overload for '_==_' applied to '(int, string)'"),
        ),
        (
            "self.num == 1.0",
            Err("found no matching overload for '_==_' applied to '(int, double)'"),
        ),
        ("self.num < 1.0", Ok(3)),
        ("self.num < 1u", Ok(3)),
        (
            "self.s < 1",
            Err("found no matching overload for '_<_' applied to '(string, int)'"),
        ),
        (
            "[self.obj, null].size() == 2",
            Err("expected type 'selfType0.obj' but found 'null'"),
        ),
        (
            "[null, self.obj].size() == 2",
            Err("expected type 'null' but found 'selfType0.obj'"),
        ),
        (
            "[null, 1].size() == 2",
            Err("expected type 'null' but found 'int'"),
        ),
        (
            "[self.d, null].size() == 2",
            Err("expected type 'duration' but found 'null'"),
        ),
        (
            "{'a': null, 'b': self.obj}.size() == 2",
            Err("expected type 'null' but found 'selfType0.obj'"),
        ),
        ("[[], [1]].exists(l, l.size() == 0)", Ok(45)),
        ("[[1], []].exists(l, l.size() == 0)", Ok(45)),
        ("[{}, {'a': 1}].size() == 2", Ok(72)),
        (
            "self.l.all(x, [x, 1.0].size() == 2)",
            Err("expected type 'int' but found 'double'"),
        ),
        ("optional.of(self.obj).value() == self.obj", Ok(6)),
        ("optional.of(null).hasValue()", Ok(2)),
        ("[[[1]]][0][0][0] + 1 == 2", Ok(35)),
        ("self.nested.all(r, r.all(c, c > 0))", Ok(63)),
        ("self.nested[0] + [1] == []", Ok(24)),
        ("self.nested + [[1]] == []", Ok(33)),
        (
            "self.nested + [['a']] == []",
            Err(
                "found no matching overload for '_+_' applied to '(list(list(int)), list(list(string)))'",
            ),
        ),
        (
            "self.mm.all(k, self.mm[k].all(j, self.mm[k][j] == 'a'))",
            Ok(117),
        ),
        ("self.mm['a'] == {'b': 'c'}", Ok(34)),
        (
            "self.mm['a'] == {'b': 1}",
            Err(
                "found no matching overload for '_==_' applied to '(map(string, string), map(string, int))'",
            ),
        ),
        (
            "b'abc' == self.s",
            Err("found no matching overload for '_==_' applied to '(bytes, string)'"),
        ),
        ("duration('1s') == self.d", Ok(4)),
        ("self.d < duration('1s')", Ok(4)),
        ("self.ts == timestamp('2020-01-01T00:00:00Z')", Ok(4)),
        ("self.ts == null", Ok(3)),
        ("[].exists(x, x.a == 1)", Ok(11)),
        ("dyn([]).exists(x, x.a == 1)", Ok(12)),
        ("[].map(x, x.a).size() == 0", Ok(23)),
        ("[[]].exists(x, x.size() == 0)", Ok(28)),
        ("type({}) == type([])", Ok(1844674407370955306)),
        (
            "type([]) + 1 == 2",
            Err("found no matching overload for '_+_' applied to '(type(list(dyn)), int)'"),
        ),
        ("optional.of(1).orValue(dyn('a')) == 'a'", Ok(4)),
        ("optional.of(dyn(1)).orValue(1) == 'a'", Ok(4)),
        ("optional.of([1]).orValue([dyn('a')])[0] == 'x'", Ok(24)),
        ("optional.of([dyn(1)]).orValue([1])[0] == 'x'", Ok(24)),
        (
            "optional.of({'a': 1}).orValue({'b': dyn('x')})['a'] == 'x'",
            Ok(64),
        ),
        (
            "optional.of({'a': dyn(1)}).orValue({'b': 1})['a'] == 'x'",
            Ok(64),
        ),
        (
            "optional.of({1: 'a'}).orValue({dyn('b'): 'c'}).exists(k, k == 'x')",
            Ok(18446744073709551615),
        ),
        (
            "optional.of(optional.of(1)).orValue(optional.of(dyn('x'))).value() == 'x'",
            Ok(7),
        ),
        (
            "optional.of(optional.of(dyn(1))).orValue(optional.of(1)).value() == 'x'",
            Ok(7),
        ),
        (
            "optional.of(ip('1.2.3.4')).orValue(dyn(1)) == ip('1.2.3.4')",
            Ok(1844674407370955269),
        ),
        (
            "optional.of(type(1)).orValue(type(dyn('a'))) == string",
            Ok(6),
        ),
        ("optional.of(int).orValue(type(dyn('a'))) == string", Ok(6)),
        (
            "optional.of(1).orValue(2) == 'a'",
            Err("found no matching overload for '_==_' applied to '(int, string)'"),
        ),
        (
            "optional.of(1).orValue(1u) == 1",
            Err("found no matching overload for 'orValue' applied to 'optional_type(int).(uint)'"),
        ),
        ("optional.of(dyn(1)).orValue(1) == dyn('a')", Ok(5)),
        (
            "ip(self.s) == cidr(self.s)",
            Err("found no matching overload for '_==_' applied to '(net.IP, net.CIDR)'"),
        ),
        (
            "ip(self.s).x == 1",
            Err("type 'net.IP' does not support field selection"),
        ),
        ("ip(self.s) == ip(self.s)", Ok(13)),
        ("cidr(self.s).ip() == ip(self.s)", Ok(14)),
        (
            "url(self.s) == quantity(self.s)",
            Err(
                "found no matching overload for '_==_' applied to '(kubernetes.URL, kubernetes.Quantity)'",
            ),
        ),
        ("optional.of(ip(self.s)).hasValue()", Ok(8)),
        (
            "type(self.num) == self.num",
            Err("found no matching overload for '_==_' applied to '(type(int), int)'"),
        ),
        ("[type(self.num), type(1)].size() == 2", Ok(16)),
        ("null == null", Ok(1)),
        ("[null].size() == 1", Ok(12)),
        ("{'a': null}.size() == 1", Ok(32)),
        ("dyn(null) == null", Ok(2)),
        (
            "[].all(x, x == [x])",
            Err("found no matching overload for '_==_' applied to '(dyn, list(dyn))'"),
        ),
        (
            "[[]].all(x, x == [x])",
            Err("found no matching overload for '_==_' applied to '(list(dyn), list(list(dyn)))'"),
        ),
        (
            "[].all(x, [x] == x)",
            Err("found no matching overload for '_==_' applied to '(list(dyn), dyn)'"),
        ),
        ("[].map(x, [x]).size() == 0", Ok(23)),
        (
            "[].all(x, x == type(x))",
            Err("found no matching overload for '_==_' applied to '(dyn, type(dyn))'"),
        ),
        (
            "[].all(x, type(x) == x)",
            Err("found no matching overload for '_==_' applied to '(type(dyn), dyn)'"),
        ),
        (
            "optional.of(type(1)).orValue(type('a')) + 1 == 2",
            Err("found no matching overload for '_+_' applied to '(type(string), int)'"),
        ),
        (
            "[].all(x, [].all(y, y == [x] && x == y))",
            Err("found no matching overload for '_==_' applied to '(dyn, list(dyn))'"),
        ),
    ];
    let differences: Vec<String> = table
        .iter()
        .filter_map(|&(rule, theirs)| {
            let ours = estimate_schema(&root(props.clone(), &[rule]))
                .map(|(r, _)| r[0].cost)
                .map_err(|e| e.message);
            let first = ours
                .as_ref()
                .map(|c| *c)
                .map_err(|m| m.split("; ").next().unwrap_or_default());
            (first != theirs).then(|| format!("{rule}: the apiserver {theirs:?}, crdgen {ours:?}"))
        })
        .collect();
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// Mixed list and map literals are refused, as the apiserver's validator refuses them,
/// except inside a `format` call.
#[test]
fn literals_of_mixed_types_only_as_format_arguments() {
    assert_eq!(
        checked_err("[1, 'a'].size() == 2").as_deref(),
        Some("expected type 'int' but found 'string'")
    );
    assert_eq!(
        checked_err("{'a': 1, 2: 'x'}.size() == 2").as_deref(),
        Some("expected type 'string' but found 'int'; expected type 'int' but found 'string'")
    );
    assert_eq!(
        checked_err("[[1, 'a']].size() == 1 && {'k': [1.0, 2]}.size() == 1").as_deref(),
        Some("expected type 'int' but found 'string'; expected type 'double' but found 'int'")
    );
    assert_eq!(checked_err("'%s: %d'.format([self.s, self.n]) != ''"), None);
    assert_eq!(checked_err("'%s'.format([[1, 'a']]) != ''"), None);
    assert_eq!(checked_err("[?optional.of(1), 2].size() == 2"), None);
    assert_eq!(
        checked_err("{?'a': optional.of(1), 'b': 2}.size() == 2"),
        None
    );
}

/// The sizes of strings by format and enum: a `date` is a timestamp, unbounded bytes
/// fill a request, an enum's longest value bounds a string without `maxLength` (an
/// empty enum does not). The figures are the apiserver's.
#[test]
fn string_sizes_by_format_and_enum() {
    let rules = estimate(&root(
        json!({
            "day": { "type": "string", "format": "date" },
            "blob": { "type": "string", "format": "byte" },
            "color": { "type": "string", "enum": ["red", "green"] },
            "other": { "type": "string", "enum": ["red", "green", "blue-ish"] },
            "noenum": { "type": "string", "enum": [] },
            "free": { "type": "string" },
        }),
        &[
            "self.day > timestamp('2020-01-01T00:00:00Z')",
            "self.blob + self.blob + self.blob + self.blob != b''",
            "self.color.matches('^r') && self.other.matches('^g')",
            "self.noenum.matches('^r')",
            "self.free.matches('^r')",
        ],
    ));
    let costs: Vec<u64> = rules.iter().map(|r| r.cost).collect();
    assert_eq!(costs, [4, 2_831_163, 6, 314_575, 314_575]);
}

/// A resource root keeps its own `kind`, `apiVersion` and `metadata` (their bounds too)
/// only when it declares all of them as the apiserver needs them; otherwise they are
/// replaced by unbounded strings. The figures are the apiserver's.
#[test]
fn a_root_declaring_type_and_object_meta_keeps_its_bounds() {
    let s = json!({ "type": "string", "maxLength": 10 });
    let full = json!({
        "kind": s,
        "apiVersion": s,
        "metadata": { "type": "object", "properties": { "name": s, "generateName": s } },
    });
    let mut no_kind = full.clone();
    no_kind.as_object_mut().expect("properties").remove("kind");
    let mut no_generate_name = full.clone();
    no_generate_name["metadata"]["properties"]
        .as_object_mut()
        .expect("metadata's properties")
        .remove("generateName");
    let costs = |props: &Value| -> Vec<u64> {
        estimate(&root(
            props.clone(),
            &[
                "self.metadata.name.matches('^a')",
                "self.kind.matches('^a')",
            ],
        ))
        .iter()
        .map(|r| r.cost)
        .collect()
    };
    assert_eq!(costs(&full), [8, 7]);
    assert_eq!(costs(&no_kind), [314_576, 314_575]);
    assert_eq!(costs(&no_generate_name), [314_576, 314_575]);
}

#[test]
fn the_cost_tables_are_sorted_for_their_binary_search() {
    // An unsorted table would make `binary_search` miss names that are in it.
    assert!(MIN_SIZE_OVERLOADS.is_sorted());
    assert!(NOMINAL_COST_FUNCTIONS.is_sorted());
}
