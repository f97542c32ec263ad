//! Every CEL rule of the generated CRDs compiles, checked by a CEL implementation with
//! Kubernetes' extension functions (kube-cel), so a typo in a rule fails `cargo test`
//! instead of `helm install`. The e2e tests then check the rules on a real apiserver
//! (cost budget included).

use crdgen::walk::{self, Flow, Step};
use kube_cel::{CompiledSchema, compile_schema};
use serde_json::{Value, json};

/// The compiled node at `steps` (the same path crdgen's walker gives the JSON node).
fn compiled_at<'a>(root: &'a CompiledSchema, steps: &[Step]) -> Option<&'a CompiledSchema> {
    steps.iter().try_fold(root, |s, step| match step {
        Step::Property(name) => s.properties.get(name),
        Step::Items => s.items.as_deref(),
        Step::Values => s.additional_properties.as_deref(),
        Step::AnyOf(i) => s.any_of.get(*i),
        Step::OneOf(i) => s.one_of.get(*i),
        Step::AllOf(i) => s.all_of.get(*i),
    })
}

/// The rules of `schema` that do not compile, with their paths (prefixed by `name`),
/// and how many rules there are.
fn errors(schema: &Value, name: &str, out: &mut Vec<String>) -> usize {
    let compiled = compile_schema(schema);
    let mut rules = 0;
    walk::walk(schema, |node| {
        let Some(list) = node
            .get(crdgen::markers::VALIDATIONS)
            .and_then(Value::as_array)
        else {
            return Flow::Continue;
        };
        rules += list.len();
        match compiled_at(&compiled, node.path.steps()) {
            Some(c) => out.extend(
                c.compilation_errors()
                    .into_iter()
                    .map(|e| format!("{name}{}: {e}", node.path)),
            ),
            None => out.push(format!("{name}{}: rules not compiled", node.path)),
        }
        Flow::Continue
    });
    rules
}

#[test]
fn every_cel_rule_of_every_crd_compiles() {
    let mut problems = Vec::new();
    let mut rules = 0;
    for src in agentgateway_api::crds() {
        let crd = src.normalized().expect("valid schema");
        for (_, schema) in walk::version_schemas(&crd) {
            rules += errors(schema, src.kind(), &mut problems);
        }
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
    assert_eq!(errors(&schema, "T", &mut problems), 1);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("T.a: "), "{problems:?}");
}
