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
    let (rules, total) = estimate_schema(&schema).unwrap();
    let cost = CrdCost {
        name: "c".into(),
        versions: vec![VersionCost {
            name: "v1".into(),
            rules,
            total,
        }],
    };
    let json = serde_json::to_value(&cost).unwrap();
    let back: CrdCost = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), json);
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
    let e = check_rule(&node, false, "self.n ==", false).err().unwrap();
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
