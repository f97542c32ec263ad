//! crdgen's CEL checker refuses the rules the apiserver refuses for their literals, and
//! no other: `tests/cel-literal-corpus/reference.json` is what `e2e/tools/celcost` (the
//! apiserver's own compilation of CRDs) printed for `literals.yaml`, and
//! `e2e/tests/cel_cost_differential.rs` fails when it no longer is. For every rule, the
//! errors must be the same in number and kind: `invalid duration argument`, `invalid
//! timestamp argument`, or the checker's own text (a mixed list literal).

use serde_json::Value;
use std::path::Path;

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cel-literal-corpus")
}

/// The kind of one error: its validator's words, or the whole message.
fn kind(message: &str) -> String {
    ["invalid duration argument", "invalid timestamp argument"]
        .into_iter()
        .find(|k| message.contains(k))
        .map_or_else(|| message.trim().to_owned(), str::to_owned)
}

/// The apiserver's errors of one rule (`ERROR: <input>:1:10: message` and the rule
/// quoted under it, once each), by kind, sorted.
fn theirs(error: &str) -> Vec<String> {
    let mut kinds: Vec<String> = error
        .split("ERROR: <input>:")
        .skip(1)
        .map(|e| {
            let line = e.lines().next().unwrap_or_default();
            // `1:10: message`
            kind(line.splitn(3, ':').nth(2).unwrap_or_default())
        })
        .collect();
    kinds.sort();
    kinds
}

#[test]
fn literals_are_refused_where_the_apiserver_refuses_them() {
    let text = std::fs::read_to_string(corpus().join("literals.yaml")).expect("literals.yaml");
    let crd: Value = serde_yaml::from_str(&text).expect("YAML");
    let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    let reference: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(corpus().join("reference.json")).expect("reference.json"),
    )
    .expect("reference JSON");
    let rules = reference[0]["versions"][0]["rules"]
        .as_array()
        .expect("rules");
    assert_eq!(
        rules.len(),
        schema["x-kubernetes-validations"]
            .as_array()
            .expect("rules")
            .len(),
        "reference.json is not of this literals.yaml"
    );
    let (mut refused, mut differences) = (0, Vec::new());
    for r in rules {
        let rule = r["rule"].as_str().expect("rule");
        let want = r.get("error").and_then(Value::as_str).map(theirs);
        refused += usize::from(want.is_some());
        let got = crdgen::cel_cost::check_rule(schema, true, rule, false)
            .err()
            .map(|e| {
                let mut kinds: Vec<String> = e.split("; ").map(kind).collect();
                kinds.sort();
                kinds
            });
        if got != want {
            differences.push(format!("{rule}: the apiserver {want:?}, crdgen {got:?}"));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // The corpus has both verdicts, and in numbers.
    assert!(
        refused >= 40 && rules.len() - refused >= 40,
        "{refused} of {}",
        rules.len()
    );
}
