//! A CRD the apiserver would refuse for CEL cost is refused by `gen-crds` before any
//! cluster: non-zero exit (an error), nothing written, and a message with the
//! apiserver's words and figure, the rule's path and text, what multiplies its cost
//! and what to change. `cargo xtask e2e` holds the figures to a real apiserver.

use crdgen::markers;
use kube_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Status of the test resources.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TestStatus {
    /// Observed generation.
    pub observed: Option<i64>,
}

/// A list too long for the quadratic uniqueness rule on it.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "example.dev",
    version = "v1",
    kind = "Costly",
    namespaced,
    status = "TestStatus",
    schema = "disabled",
    crates(kube_core = "::kube_core")
)]
#[serde(rename_all = "camelCase")]
pub struct CostlySpec {
    /// Names, unique; up to 1000 of up to 253 characters.
    #[schemars(transform = markers::max_items(1000))]
    #[schemars(transform = markers::each(markers::length(1, 253)))]
    #[schemars(transform = markers::cel("self.all(a, self.exists_one(b, a == b))", "names must be unique"))]
    pub names: Vec<String>,
}

/// The same rule within bounds.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "example.dev",
    version = "v1",
    kind = "Cheap",
    namespaced,
    status = "TestStatus",
    schema = "disabled",
    crates(kube_core = "::kube_core")
)]
#[serde(rename_all = "camelCase")]
pub struct CheapSpec {
    /// Names, unique; up to 16 of up to 253 characters.
    #[schemars(transform = markers::max_items(16))]
    #[schemars(transform = markers::each(markers::length(1, 253)))]
    #[schemars(transform = markers::cel("self.all(a, self.exists_one(b, a == b))", "names must be unique"))]
    pub names: Vec<String>,
}

#[test]
fn a_rule_over_the_cost_budget_fails_generation_in_the_apiservers_words() {
    let problems = match crdgen::generate(&[crdgen::source::<Costly>("Costly.")], "test") {
        Ok(_) => panic!("generation accepted a CRD the apiserver refuses for cost"),
        Err(p) => p.iter().map(ToString::to_string).collect::<Vec<_>>(),
    };
    // The rule, and the schema's total (the rule alone is over 100,000,000 too).
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(
        problems[1].starts_with("costlies.example.dev: .: version v1: the apiserver refuses this CRD: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of 1.060060x"),
        "{problems:#?}"
    );
    let p = &problems[0];
    // One evaluation: 1 + 1000 × (the inner loop over 1000 names comparing up to
    // 1012 bytes...); the figure and factor are the apiserver's (see the e2e check).
    for part in [
        "costlies.example.dev: .spec.names: x-kubernetes-validations[0].rule `self.all(a, self.exists_one(b, a == b))`: the apiserver refuses this CRD: estimated rule cost exceeds budget by factor of ",
        "(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)",
        "estimated rule cost exceeds budget by factor of 10.6x",
        "(cost 106006002 > limit 10000000)",
        "it runs once per object",
        ".spec.names (maxItems 1000)",
        ".spec.names[*] (maxLength 253)",
        "markers::max_items",
        "cargo xtask cel-cost",
    ] {
        assert!(p.contains(part), "missing {part:?} in:\n{p}");
    }
    let factor: f64 = p
        .split("factor of ")
        .nth(1)
        .and_then(|f| f.split('x').next())
        .and_then(|f| f.parse().ok())
        .unwrap_or_else(|| panic!("no factor in {p}"));
    assert!(factor > 1.0, "{p}");
}

#[test]
fn nothing_is_written_when_a_rule_is_over_budget() {
    let out = std::env::temp_dir().join(format!("cel-cost-refusal-{}", std::process::id()));
    if let Ok(crds) = crdgen::generate(&[crdgen::source::<Costly>("Costly.")], "test") {
        crdgen::output::write(&out, &crds).expect("write");
    }
    assert!(!out.exists(), "files were written for a CRD over budget");
}

#[test]
fn the_same_rule_within_bounds_generates() {
    let crds = crdgen::generate(&[crdgen::source::<Cheap>("Cheap.")], "test")
        .unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(crds.len(), 1);
}
