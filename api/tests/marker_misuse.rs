//! Markers refuse a schema they do not fit: `gen-crds` fails naming the field's path
//! and the fix, and writes nothing. One CRD here misuses every marker that checks a
//! field's own schema; a second misuses the rule markers that check the struct they
//! annotate or the shared type they override.

use agentgateway_api::v1alpha1::policy::traffic::Conditional;
use crdgen::markers;
use kube_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Status of a [`Misused`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MisusedStatus {
    /// Observed generation.
    pub observed: Option<i64>,
}

/// A mode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum Mode {
    /// One way.
    Fast,
    /// The other.
    Safe,
}

/// An entry of a list map.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Entry {
    /// Optional, so not fit as a list-map key.
    pub name: Option<String>,
    /// A nested object, not a scalar.
    pub inner: Inner,
}

/// Nested.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Inner {
    /// A value.
    pub value: Option<String>,
}

/// The spec, each field with a marker that does not fit it.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "example.dev",
    version = "v1",
    kind = "Misused",
    namespaced,
    status = "MisusedStatus",
    schema = "disabled",
    crates(kube_core = "::kube_core")
)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::exactly_one_of(&["count", "colour"]))]
pub struct MisusedSpec {
    /// A length bound on a number.
    #[schemars(transform = markers::length(1, 10))]
    pub count: Option<i32>,
    /// Item bounds on a string.
    #[schemars(transform = markers::items(1, 3))]
    pub label: Option<String>,
    /// A range on a string.
    #[schemars(transform = markers::range(1, 3))]
    pub size: Option<String>,
    /// A list map keyed by an optional field.
    #[schemars(transform = markers::list_map(&["name"]))]
    pub entries: Option<Vec<Entry>>,
    /// A list map keyed by an object.
    #[schemars(transform = markers::list_map(&["inner"]))]
    pub others: Option<Vec<Entry>>,
    /// A default that is not one of the enum's values.
    #[schemars(transform = markers::default("Slow"))]
    pub mode: Option<Mode>,
    /// A default of the wrong type.
    #[schemars(transform = markers::default(5))]
    pub name: Option<String>,
}

/// A type shared by several fields, with a rule a field may override.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::cel("has(self.value)", "value is required"))]
pub struct Shared {
    /// A value.
    pub value: Option<String>,
}

/// A policy that already has a `conditional` field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Clashing {
    /// Clashes with the list of conditional entries.
    pub conditional: Option<String>,
}

/// The spec of [`MisusedRule`]: each rule marker names something the type lacks.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "example.dev",
    version = "v1",
    kind = "MisusedRule",
    namespaced,
    status = "MisusedStatus",
    schema = "disabled",
    crates(kube_core = "::kube_core")
)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = markers::only_fields_when("mode", "Fast", &["colour"]),
    transform = markers::set_iff_equals("shared", "mode", "Slow"),
    transform = markers::url_not_local("baseUrl"),
    transform = markers::targets_only("true", &["Gateway"], "only Gateways"),
)]
pub struct MisusedRuleSpec {
    /// A mode.
    pub mode: Option<Mode>,
    /// A URL.
    #[serde(rename = "baseURL")]
    pub base_url: Option<String>,
    /// An override of a rule the shared type does not have.
    #[schemars(transform = markers::without_rule("value must be set"))]
    pub shared: Option<Shared>,
    /// An override of a property the shared type does not have.
    #[schemars(transform = markers::without_property("values"))]
    pub other: Option<Shared>,
    /// A conditional policy whose policy type has a `conditional` field.
    pub policy: Option<Conditional<Clashing>>,
}

fn problems(source: crdgen::CrdSource) -> Vec<String> {
    match crdgen::generate(&[source], "test") {
        Ok(_) => vec![],
        Err(p) => p.iter().map(ToString::to_string).collect(),
    }
}

/// Whether generating `source` as `cargo xtask gen-crds` does (generate everything,
/// then write) writes anything.
fn written(source: crdgen::CrdSource, name: &str) -> bool {
    let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    if let Ok(crds) = crdgen::generate(&[source], "test") {
        crdgen::output::write(&dir, &crds).expect("write");
    }
    dir.exists()
}

#[test]
fn misused_markers_fail_generation_with_the_path_and_the_fix() {
    let p = problems(crdgen::source::<Misused>("A CRD that misuses markers."));
    let expected = [
        "misuseds.example.dev: .spec: `markers::exactly_one_of` names [\"colour\"], which the object does not have (its fields: [\"count\", \"entries\", \"label\", \"mode\", \"name\", \"others\", \"size\"]); use the JSON (camelCase) names of fields of the annotated struct",
        "misuseds.example.dev: .spec.count: `markers::length` applies to string values, but this field is integer: use markers::items for lists, markers::range for numbers, markers::properties for maps, or markers::each(markers::length(..)) for the elements of a list",
        "misuseds.example.dev: .spec.entries: `markers::list_map` key `name` is optional: make the item's field required (not `Option`) or give it a default",
        "misuseds.example.dev: .spec.label: `markers::items` applies to array values, but this field is string: use markers::length for strings, markers::properties for maps, markers::range for numbers",
        "misuseds.example.dev: .spec.mode: `markers::default` value \"Slow\" is not one of the field's values [\"Fast\",\"Safe\"]: use one of them",
        "misuseds.example.dev: .spec.name: `markers::default` value 5 is not of the field's type string: give a value of that type",
        "misuseds.example.dev: .spec.others: `markers::list_map` key `inner` is not a scalar: list-map keys must be strings, numbers or booleans",
        "misuseds.example.dev: .spec.size: `markers::range` applies to integer/number values, but this field is string: use markers::length for strings, markers::items for lists",
    ];
    assert_eq!(p, expected, "{p:#?}");
}

#[test]
fn nothing_is_written_when_a_marker_is_misused() {
    let source = crdgen::source::<Misused>("A CRD that misuses markers.");
    assert!(!written(source, "marker-misuse"));
}

#[test]
fn misused_rule_markers_fail_generation_with_the_path_and_the_fix() {
    let p = problems(crdgen::source::<MisusedRule>(
        "A CRD that misuses rule markers.",
    ));
    let expected = [
        "misusedrules.example.dev: .spec: `markers::only_fields_when` names [\"colour\"], which the object does not have (its fields: [\"baseURL\", \"mode\", \"other\", \"policy\", \"shared\"]); use the JSON (camelCase) names of fields of the annotated struct",
        "misusedrules.example.dev: .spec: `markers::set_iff_equals` compares `mode` with \"Slow\", which is not one of its values [\"Fast\",\"Safe\"]: use one of them",
        "misusedrules.example.dev: .spec: `markers::url_not_local` names [\"baseUrl\"], which the object does not have (its fields: [\"baseURL\", \"mode\", \"other\", \"policy\", \"shared\"]); use the JSON (camelCase) names of fields of the annotated struct",
        "misusedrules.example.dev: .spec: `markers::targets_only` needs a struct with the fields targetRefs and targetSelectors (missing: targetRefs, targetSelectors): apply it to the policy spec that holds both target lists",
        "misusedrules.example.dev: .spec.other: `markers::without_property` found no property `values` on this type (its properties: [\"value\"]): the shared type changed; update or remove the override",
        "misusedrules.example.dev: .spec.policy: `markers::conditional_policy` found a `conditional` field in the policy type, which would clash with the list of conditional entries: rename the policy's field",
        "misusedrules.example.dev: .spec.shared: `markers::without_rule` found no rule with message \"value must be set\" on this type (its rules' messages: [\"value is required\"]): the shared type changed; update or remove the override",
    ];
    assert_eq!(p, expected, "{p:#?}");
}

#[test]
fn nothing_is_written_when_a_rule_marker_is_misused() {
    let source = crdgen::source::<MisusedRule>("A CRD that misuses rule markers.");
    assert!(!written(source, "rule-marker-misuse"));
}
