//! Every CEL rule of the generated CRDs compiles, checked by a CEL implementation with
//! Kubernetes' extension functions (kube-cel), so a typo in a rule fails `cargo test`
//! instead of `helm install`. The e2e tests then check the rules on a real apiserver
//! (cost budget included).

use kube_cel::{CompiledSchema, compile_schema};
use serde_json::{Value, json};

/// The rules of `schema` that do not compile, with their paths.
fn errors(schema: &CompiledSchema, path: &str, out: &mut Vec<String>) {
    for e in schema.compilation_errors() {
        out.push(format!("{path}: {e}"));
    }
    let mut names: Vec<&String> = schema.properties.keys().collect();
    names.sort();
    for name in names {
        errors(&schema.properties[name], &format!("{path}.{name}"), out);
    }
    if let Some(items) = &schema.items {
        errors(items, &format!("{path}[*]"), out);
    }
    if let Some(values) = &schema.additional_properties {
        errors(values, &format!("{path}.*"), out);
    }
}

fn rule_count(v: &Value) -> usize {
    match v {
        Value::Object(o) => {
            o.get("x-kubernetes-validations")
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
                + o.values().map(rule_count).sum::<usize>()
        }
        Value::Array(a) => a.iter().map(rule_count).sum(),
        _ => 0,
    }
}

#[test]
fn every_cel_rule_of_every_crd_compiles() {
    let mut problems = Vec::new();
    let mut rules = 0;
    for src in agentgateway_api::crds() {
        let crd = src.normalized().expect("valid schema");
        let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        rules += rule_count(schema);
        errors(&compile_schema(schema), src.kind(), &mut problems);
    }
    assert!(
        rules > 100,
        "only {rules} rules found: is the walk still reaching them?"
    );
    assert!(
        problems.is_empty(),
        "CEL rules that do not compile:\n{}",
        problems.join("\n")
    );
}

#[test]
fn a_rule_that_does_not_compile_is_reported_with_its_path() {
    let schema = json!({
        "type": "object",
        "properties": { "a": { "type": "object", "x-kubernetes-validations": [ { "rule": "self.x ==" } ],
                               "properties": { "x": { "type": "string" } } } },
    });
    let mut problems = Vec::new();
    errors(&compile_schema(&schema), "T", &mut problems);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("T.a: "), "{problems:?}");
}
