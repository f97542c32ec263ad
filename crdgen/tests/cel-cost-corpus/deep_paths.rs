//! A synthetic CRD of the CEL cost corpus that is built, not written: field paths of
//! 60 names and more, which take a schema nested deeper than a YAML reader's recursion
//! limit lets it read (serde_yaml stops at 128 levels). `crdgen/tests/cel_cost_reference.rs`
//! and `e2e/tests/cel_cost_differential.rs` both include this file, so the estimator and
//! the apiserver's code see the same CRD; its figures are in `reference.json` with the
//! rest of the corpus.
//!
//! Why these depths: cel-go keeps a field path as a Go slice, and two paths appended to
//! one share its storage while it has room. The room follows Go's growth of a
//! `[]string` (1, 2, 4, ... 32, then 71, 143, 303, from the allocator's size classes),
//! so the estimate of `x.p.all(y, x.q.size() > 0)` depends on the length of `x`'s path
//! around those capacities.

use serde_json::{Value, json};

/// The levels of the chain `spec.c.c...` that hold a list `rows`, one rule each.
pub const DEPTHS: [std::ops::RangeInclusive<usize>; 2] = [56..=76, 122..=148];

/// The CRD `deeppaths.cost.example.dev`.
pub fn crd() -> Value {
    let depths = || DEPTHS.iter().cloned().flatten();
    let deepest = depths().max().unwrap_or(0);
    let rows = json!({
        "type": "array",
        "maxItems": 3,
        "items": {"type": "object", "properties": {
            "p": {"type": "array", "maxItems": 2, "items": {"type": "string", "maxLength": 5}},
            "q": {"type": "array", "maxItems": 40, "items": {"type": "string", "maxLength": 30}},
        }},
    });
    // spec is level 0; `self` followed by `.c` d times is level d.
    let mut level = json!({"type": "object", "properties": {}});
    for d in (0..=deepest).rev() {
        let mut properties = serde_json::Map::new();
        if d < deepest {
            properties.insert("c".into(), level);
        }
        if depths().any(|x| x == d) {
            properties.insert("rows".into(), rows.clone());
        }
        level = json!({"type": "object", "properties": properties});
    }
    let rules: Vec<Value> = depths()
        .map(|d| {
            json!({"rule": format!("self{}.rows.all(x, x.p.all(y, x.q.size() > 0))", ".c".repeat(d))})
        })
        .collect();
    level["x-kubernetes-validations"] = Value::Array(rules);
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "deeppaths.cost.example.dev"},
        "spec": {
            "group": "cost.example.dev",
            "names": {"kind": "DeepPath", "plural": "deeppaths", "singular": "deeppath", "listKind": "DeepPathList"},
            "scope": "Namespaced",
            "versions": [{
                "name": "v1",
                "served": true,
                "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": level}}},
            }],
        },
    })
}
