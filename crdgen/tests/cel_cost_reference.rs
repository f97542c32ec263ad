//! The CEL cost estimator against the apiserver's figures for the synthetic corpus of
//! `tests/cel-cost-corpus`: `reference.json` is what `e2e/tools/celcost` (the
//! apiserver's own compilation and estimator) printed for those CRDs, and
//! `e2e/tests/cel_cost_differential.rs` fails when it no longer is. Every rule's and
//! `messageExpression`'s cost, cardinality and total, and every version's total, must
//! be equal, and so must the apiserver's verdict on the CRD's cost. One CRD of the
//! corpus is built rather than read (`cel-cost-corpus/deep_paths.rs`).

use crdgen::cel_cost;
use serde_json::Value;
use std::{collections::BTreeMap, path::Path};

#[path = "cel-cost-corpus/deep_paths.rs"]
mod deep_paths;

type Key = (String, String, String, u64, String);

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cel-cost-corpus")
}

fn crds() -> Vec<Value> {
    let mut files: Vec<_> = std::fs::read_dir(corpus())
        .expect("the corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).expect("corpus file");
            serde_yaml::Deserializer::from_str(&text)
                .map(|d| <Value as serde::Deserialize>::deserialize(d).expect("YAML"))
                .filter(|v| v["kind"] == "CustomResourceDefinition")
                .collect::<Vec<_>>()
        })
        .chain([deep_paths::crd()])
        .collect()
}

#[test]
fn estimates_equal_the_apiservers_printed_figures() {
    let reference: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(corpus().join("reference.json")).expect("reference.json"),
    )
    .expect("reference JSON");
    let mut theirs: BTreeMap<Key, (u64, u64, u64)> = BTreeMap::new();
    let mut their_totals = BTreeMap::new();
    let mut their_verdicts = BTreeMap::new();
    for crd in &reference {
        let name = crd["name"].as_str().expect("name").to_owned();
        let over_budget = crd["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e.as_str().is_some_and(|e| e.contains("exceeds budget")));
        their_verdicts.insert(name.clone(), over_budget);
        for v in crd["versions"].as_array().expect("versions") {
            let version = v["name"].as_str().expect("version").to_owned();
            their_totals.insert((name.clone(), version.clone()), v["total"].as_u64());
            for r in v["rules"].as_array().expect("rules") {
                let key = (
                    name.clone(),
                    version.clone(),
                    r["path"].as_str().expect("path").to_owned(),
                    r["index"].as_u64().expect("index"),
                    r["messageExpression"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                );
                let n = |k: &str| r[k].as_u64().expect("figure");
                theirs.insert(key, (n("cost"), n("cardinality"), n("total")));
            }
        }
    }
    let mut ours = BTreeMap::new();
    let mut our_totals = BTreeMap::new();
    let mut our_verdicts = BTreeMap::new();
    for crd in crds() {
        let est = cel_cost::estimate_crd(&crd).unwrap_or_else(|e| panic!("{e}"));
        let refused = est
            .versions
            .iter()
            .any(|v| v.total > cel_cost::PER_CRD_LIMIT || v.rules.iter().any(|r| r.over_limit()));
        our_verdicts.insert(est.name.clone(), refused);
        for v in est.versions {
            our_totals.insert((est.name.clone(), v.name.clone()), Some(v.total));
            for r in v.rules {
                let key = (
                    est.name.clone(),
                    v.name.clone(),
                    r.path,
                    r.index as u64,
                    r.message_expression.unwrap_or_default(),
                );
                ours.insert(key, (r.cost, r.cardinality, r.total));
            }
        }
    }
    assert!(theirs.len() > 100, "the corpus's rules ({})", theirs.len());
    let differences: Vec<String> = theirs
        .iter()
        .filter(|(k, v)| ours.get(*k) != Some(*v))
        .map(|(k, v)| format!("{k:?}: the apiserver {v:?}, crdgen {:?}", ours.get(k)))
        .chain(
            ours.keys()
                .filter(|k| !theirs.contains_key(*k))
                .map(|k| format!("{k:?}: not in the apiserver's figures")),
        )
        .collect();
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    assert_eq!(our_totals, their_totals, "version totals");
    assert_eq!(our_verdicts, their_verdicts, "refused for cost");
}
