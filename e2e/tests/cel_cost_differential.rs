//! crdgen's CEL cost estimator against the apiserver's own code: `e2e/tools/celcost`
//! (k8s.io/apiextensions-apiserver and cel-go at the pins of e2e/tools/go.mod) prints
//! the cost, cardinality and total of every rule and messageExpression of every CRD
//! it is given; `crdgen::cel_cost` must give the same figures for every one, for the
//! chart's four CRDs and for the synthetic corpus in `crdgen/tests/cel-cost-corpus`. Any
//! difference fails; there is no list of tolerated ones. The corpus's figures are kept
//! in `crdgen/tests/cel-cost-corpus/reference.json` for crdgen's own tests; this test
//! fails when that file is not what `celcost` prints (`UPDATE_CEL_REFERENCE=1` rewrites
//! it). One CRD of the corpus is built rather than read, and given to `celcost` as a
//! JSON file: `crdgen/tests/cel-cost-corpus/deep_paths.rs`.

#[path = "../../crdgen/tests/cel-cost-corpus/deep_paths.rs"]
mod deep_paths;

use serde_json::Value;
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Command,
};

/// The CRD files the comparison runs on: the chart's templates and the corpus.
fn crd_files() -> Vec<PathBuf> {
    let root = e2e::workspace_root();
    let mut files = Vec::new();
    for dir in [
        root.join(e2e::CHART).join("templates"),
        root.join("crdgen/tests/cel-cost-corpus"),
    ] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

fn crds_in(file: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(file).expect("reads CRD file");
    serde_yaml::Deserializer::from_str(&text)
        .map(|d| <Value as serde::Deserialize>::deserialize(d).expect("YAML"))
        .filter(|v| v.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition"))
        .collect()
}

type Key = (String, String, String, u64, String);
type Figures = (u64, u64, u64);

/// What `celcost` prints for `files` (run in `cwd`), compared with the copy kept in
/// `saved` for crdgen's own tests (rewritten instead with `UPDATE_CEL_REFERENCE=1`).
fn printed_equals_saved(bin: &Path, files: &[&PathBuf], cwd: &Path, saved: &Path) {
    let printed = Command::new(bin)
        .args(files)
        .current_dir(cwd)
        .output()
        .expect("runs celcost");
    assert!(
        printed.status.success(),
        "celcost failed: {}",
        String::from_utf8_lossy(&printed.stderr)
    );
    if std::env::var_os("UPDATE_CEL_REFERENCE").is_some() {
        std::fs::write(saved, &printed.stdout).expect("writes the reference");
    }
    assert!(
        std::fs::read(saved).unwrap_or_default() == printed.stdout,
        "{} is not what celcost prints now; rewrite it with \
         UPDATE_CEL_REFERENCE=1 cargo test -p agentgateway-e2e --test cel_cost_differential",
        saved.display()
    );
}

/// The rules whose literals the apiserver refuses (`crdgen/tests/cel-literal-corpus`):
/// its verdicts are kept in `reference.json` there, and crdgen's test
/// `crdgen/tests/cel_literal_reference.rs` refuses exactly those rules.
#[test]
fn literal_refusals_are_the_apiservers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(bin) = e2e::tools::celcost_for_test(dir.path()) else {
        return;
    };
    let corpus = e2e::workspace_root().join("crdgen/tests/cel-literal-corpus");
    let file = corpus.join("literals.yaml");
    printed_equals_saved(&bin, &[&file], &corpus, &corpus.join("reference.json"));
}

#[test]
fn estimates_equal_the_apiservers_for_every_rule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(bin) = e2e::tools::celcost_for_test(dir.path()) else {
        return;
    };
    // The corpus's figures, as celcost prints them, are kept beside it: crdgen's own
    // tests compare the estimator with them (`crdgen/tests/cel_cost_reference.rs`).
    let corpus = e2e::workspace_root().join("crdgen/tests/cel-cost-corpus");
    let built = dir.path().join("deep-paths.json");
    std::fs::write(
        &built,
        serde_json::to_vec(&deep_paths::crd()).expect("JSON of the built CRD"),
    )
    .expect("writes the built CRD");
    let read_files = crd_files();
    let corpus_files: Vec<&PathBuf> = read_files
        .iter()
        .filter(|f| f.starts_with(&corpus))
        .chain([&built])
        .collect();
    printed_equals_saved(&bin, &corpus_files, &corpus, &corpus.join("reference.json"));

    let out = Command::new(&bin)
        .args(read_files.iter().chain([&built]))
        .output()
        .expect("runs celcost");
    assert!(
        out.status.success(),
        "celcost failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference: Vec<Value> = serde_json::from_slice(&out.stdout).expect("celcost JSON");

    let mut theirs: BTreeMap<Key, Figures> = BTreeMap::new();
    let mut their_totals = BTreeMap::new();
    for crd in &reference {
        let name = crd["name"].as_str().expect("celcost JSON field").to_owned();
        for v in crd["versions"].as_array().into_iter().flatten() {
            let version = v["name"].as_str().expect("celcost JSON field").to_owned();
            their_totals.insert(
                (name.clone(), version.clone()),
                v["total"].as_u64().expect("celcost JSON field"),
            );
            for r in v["rules"].as_array().expect("celcost JSON field") {
                assert!(
                    r.get("error").is_none(),
                    "{name} {}: the apiserver refuses rule {}: {}",
                    r["path"],
                    r["rule"],
                    r["error"]
                );
                let key = (
                    name.clone(),
                    version.clone(),
                    r["path"].as_str().expect("celcost JSON field").to_owned(),
                    r["index"].as_u64().expect("celcost JSON field"),
                    r.get("messageExpression")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                );
                let figures = (
                    r["cost"].as_u64().expect("celcost JSON field"),
                    r["cardinality"].as_u64().expect("celcost JSON field"),
                    r["total"].as_u64().expect("celcost JSON field"),
                );
                theirs.insert(key, figures);
            }
        }
    }

    let mut ours: BTreeMap<Key, Figures> = BTreeMap::new();
    let mut our_totals = BTreeMap::new();
    let mut rules_text = BTreeMap::new();
    // The built CRD is nested deeper than serde's YAML and JSON readers go: it is
    // estimated as built.
    let read = read_files
        .iter()
        .flat_map(|f| crds_in(f).into_iter().map(move |crd| (f, crd)));
    for (file, crd) in read.chain([(&built, deep_paths::crd())]) {
        let est = crdgen::cel_cost::estimate_crd(&crd)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for v in est.versions {
            our_totals.insert((est.name.clone(), v.name.clone()), v.total);
            for r in v.rules {
                let key = (
                    est.name.clone(),
                    v.name.clone(),
                    r.path.clone(),
                    r.index as u64,
                    r.message_expression.clone().unwrap_or_default(),
                );
                rules_text.insert(key.clone(), r.rule.clone());
                ours.insert(key, (r.cost, r.cardinality, r.total));
            }
        }
    }

    let mut differences = Vec::new();
    for (key, want) in &theirs {
        match ours.get(key) {
            Some(got) if got == want => {}
            Some(got) => differences.push(format!(
                "{} {} {}[{}] {}: apiserver (cost, cardinality, total) {want:?}, crdgen {got:?}",
                key.0,
                key.1,
                key.2,
                key.3,
                rules_text.get(key).map(String::as_str).unwrap_or_default()
            )),
            None => differences.push(format!("{key:?}: missing from crdgen's figures")),
        }
    }
    for key in ours.keys().filter(|k| !theirs.contains_key(*k)) {
        differences.push(format!(
            "{key:?}: crdgen has a figure the apiserver does not"
        ));
    }
    for (key, want) in &their_totals {
        if our_totals.get(key) != Some(want) {
            differences.push(format!(
                "{key:?}: total apiserver {want}, crdgen {:?}",
                our_totals.get(key)
            ));
        }
    }
    eprintln!(
        "cel cost: {} expressions in {} CRD versions compared, {} equal",
        theirs.len(),
        their_totals.len(),
        theirs.len() - differences.len().min(theirs.len())
    );
    assert!(
        differences.is_empty(),
        "{} difference(s):\n{}",
        differences.len(),
        differences.join("\n")
    );
}
