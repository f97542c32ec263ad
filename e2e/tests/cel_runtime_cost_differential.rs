//! The offline validator's CEL runtime metering (`agentgateway_validate::cost`)
//! against the apiserver's own code: `e2e/tools/celcost runtime` runs
//! k8s.io/apiextensions-apiserver's CEL validator (cel-go's cost tracker, the
//! Kubernetes library's costs, `PerCallLimit` and `RuntimeCELCostBudget`) over stored
//! objects and prints what each one spent of its budget, or the overrun that stopped
//! it. The figures must be equal, object by object:
//!
//! - for the chart's four CRDs, over every case of `e2e/cases` and the objects of the
//!   generative test (seed 1: variants and mutants of the valid cases, then whole
//!   objects drawn from the schemas);
//! - for the CRDs of `validate/tests/runtime-cost`, each followed by its objects:
//!   the constructs and functions rules use, and objects that pass the per-call limit
//!   and the object's budget (the apiserver's words must match too).
//!
//! Any difference fails; there is no list of tolerated ones. The corpus's figures are
//! kept in `validate/tests/runtime-cost/reference.json`, which validate's own unit
//! tests compare the meter with; this test fails when the file is not what `celcost`
//! prints (`UPDATE_CEL_REFERENCE=1` rewrites it).

use agentgateway_validate::cost::SchemaMeter;
use serde_json::Value;
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Command,
};

fn documents(file: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(file).expect("reads YAML file");
    serde_yaml::Deserializer::from_str(&text)
        .map(|d| <Value as serde::Deserialize>::deserialize(d).expect("YAML"))
        .filter(|v| !v.is_null())
        .collect()
}

/// What the apiserver's validator spent on each object (`celcost runtime`).
#[derive(Debug)]
struct Theirs {
    spent: i64,
    remaining: i64,
    errors: Vec<String>,
}

fn reference(bin: &Path, crd_file: &Path, objects: &[Value], dir: &Path) -> Vec<Theirs> {
    let file = dir.join("objects.json");
    std::fs::write(&file, serde_json::to_string(objects).expect("JSON")).expect("writes objects");
    let out = Command::new(bin)
        .arg("runtime")
        .arg(crd_file)
        .arg(&file)
        .output()
        .expect("runs celcost");
    assert!(
        out.status.success(),
        "celcost runtime failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).expect("celcost JSON");
    assert_eq!(list.len(), objects.len(), "one result per object");
    list.iter()
        .map(|r| Theirs {
            spent: r["spent"].as_i64().expect("spent"),
            remaining: r["remaining"].as_i64().expect("remaining"),
            errors: r["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .map(|e| e.as_str().expect("error text").to_owned())
                .collect(),
        })
        .collect()
}

/// A difference between our metering of `object` and the apiserver's, if any.
fn compare(
    object: &Value,
    spent: u64,
    overrun: Option<&agentgateway_validate::FieldError>,
    theirs: &Theirs,
) -> Option<String> {
    let name = &object["metadata"]["name"];
    match (overrun, theirs.remaining < 0) {
        (None, false) if spent as i64 == theirs.spent => None,
        (None, false) => Some(format!(
            "{name}: spent {spent}, the apiserver {}",
            theirs.spent
        )),
        (Some(o), true) => {
            let ours = o.to_string();
            if theirs.errors.contains(&ours) {
                None
            } else {
                Some(format!(
                    "{name}: overrun `{ours}`, the apiserver's errors {:?}",
                    theirs.errors
                ))
            }
        }
        (Some(o), false) => Some(format!(
            "{name}: overrun `{o}`, the apiserver spent {} and went on",
            theirs.spent
        )),
        (None, true) => Some(format!(
            "{name}: spent {spent}, the apiserver overran: {:?}",
            theirs.errors
        )),
    }
}

#[test]
fn runtime_costs_of_the_charts_crds_equal_the_apiservers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(bin) = e2e::tools::celcost_for_test(dir.path()) else {
        return;
    };
    let root = e2e::workspace_root();
    let all = e2e::cases::load_all(&root.join("e2e/cases")).expect("cases");
    let cases: Vec<&e2e::cases::Case> = all.iter().flat_map(|c| &c.cases).collect();
    let valid: Vec<Value> = cases
        .iter()
        .filter(|c| c.file.parent().is_some_and(|p| p.ends_with("valid")))
        .map(|c| c.object.clone())
        .collect();
    let mut objects: Vec<Value> = cases.iter().map(|c| c.object.clone()).collect();
    objects.extend(
        e2e::generative::objects(
            &valid,
            e2e::generative::Options {
                seed: 1,
                objects: 600,
            },
        )
        .expect("generated objects"),
    );

    // An object on which kube-cel and cel-go evaluate a function differently (the
    // validator's known differences, docs/validate.md) runs other branches, so its
    // cost cannot be equal; those are left out and counted.
    let known = |o: &Value| {
        let text = o.to_string();
        e2e::generative::KNOWN
            .iter()
            .find(|(_, marker, _)| !marker.is_empty() && text.contains(marker))
            .map(|(_, _, why)| *why)
    };
    let mut left_out = BTreeMap::new();
    let validator = agentgateway_validate::shared();
    let crds = e2e::chart::generated_crds().expect("the API's CRDs");
    let mut by_kind: BTreeMap<String, Vec<(Value, agentgateway_validate::RuntimeCost)>> =
        BTreeMap::new();
    for o in &objects {
        // Objects the apiserver evaluates rules for (no type, enum, required, length
        // or count error): the Go program runs the CEL validator on any data.
        if let Some(why) = known(o) {
            *left_out.entry(why).or_insert(0) += 1;
            continue;
        }
        if let Some((cost, stored)) = validator.cel_runtime_cost(o)
            && cost.rules_run
        {
            if cost.order_dependent {
                *left_out
                    .entry("a macro over a map stopped early: the apiserver's cost depends on Go's map order")
                    .or_insert(0) += 1;
                continue;
            }
            let kind = o["kind"].as_str().unwrap_or_default().to_owned();
            by_kind.entry(kind).or_default().push((stored, cost));
        }
    }
    let mut differences = vec![];
    let mut compared = 0;
    let mut spent_total = 0u64;
    for (kind, list) in &by_kind {
        let crd = crds
            .values()
            .find(|c| c["spec"]["names"]["kind"].as_str() == Some(kind))
            .unwrap_or_else(|| panic!("no CRD of kind {kind}"));
        let file = dir.path().join(format!("{kind}.json"));
        std::fs::write(&file, crd.to_string()).expect("writes the CRD");
        let stored: Vec<Value> = list.iter().map(|(s, _)| s.clone()).collect();
        let theirs = reference(&bin, &file, &stored, dir.path());
        for ((object, ours), theirs) in list.iter().zip(&theirs) {
            compared += 1;
            spent_total += ours.spent;
            if let Some(d) = compare(object, ours.spent, ours.overrun.as_ref(), theirs) {
                // The first few with their stored object, to reproduce.
                differences.push(if differences.len() < 3 {
                    format!("{d}\n  stored object: {object}")
                } else {
                    d
                });
            }
        }
    }
    assert!(
        compared > 500,
        "too few objects compared ({compared}): the corpus did not load"
    );
    assert!(
        spent_total > 0,
        "no object cost anything: nothing was metered"
    );
    assert!(
        differences.is_empty(),
        "{} of {compared} objects differ from the apiserver's metering:\n{}",
        differences.len(),
        differences.join("\n")
    );
    println!("{compared} objects: equal runtime cost ({spent_total} in all)");
    for (why, n) in &left_out {
        println!("left out, {n} object(s): {why}");
    }
}

#[test]
fn runtime_costs_of_the_corpus_equal_the_apiservers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(bin) = e2e::tools::celcost_for_test(dir.path()) else {
        return;
    };
    let corpus = e2e::workspace_root().join("validate/tests/runtime-cost");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .expect("the runtime corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut differences = vec![];
    let mut compared = 0;
    let mut overruns = 0;
    let mut printed = serde_json::Map::new();
    for file in &files {
        let docs = documents(file);
        let crd = &docs[0];
        assert_eq!(
            crd["kind"],
            "CustomResourceDefinition",
            "{}",
            file.display()
        );
        let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        let meter = SchemaMeter::new(schema).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let objects = &docs[1..];
        let theirs = reference(&bin, file, objects, dir.path());
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        printed.insert(
            name.to_owned(),
            theirs
                .iter()
                .zip(objects)
                .map(|(t, o)| {
                    serde_json::json!({"name": o["metadata"]["name"], "spent": t.spent,
                        "remaining": t.remaining, "errors": t.errors})
                })
                .collect(),
        );
        for (object, theirs) in objects.iter().zip(&theirs) {
            compared += 1;
            let spent = meter.meter(object);
            overruns += usize::from(spent.overrun.is_some());
            differences.extend(
                compare(object, spent.cost, spent.overrun.as_ref(), theirs)
                    .map(|d| format!("{}: {d}", file.display())),
            );
        }
    }
    assert!(compared > 0, "no object in the corpus");
    // The figures validate's own tests hold the meter to (`cost_tests.rs`) are these.
    let saved = corpus.join("reference.json");
    let printed = serde_json::to_string_pretty(&Value::Object(printed)).expect("JSON") + "\n";
    if std::env::var_os("UPDATE_CEL_REFERENCE").is_some() {
        std::fs::write(&saved, &printed).expect("writes reference.json");
    }
    let on_disk = std::fs::read_to_string(&saved).unwrap_or_default();
    assert!(
        on_disk == printed,
        "{} is not what celcost prints for the corpus now; rewrite it with \
         UPDATE_CEL_REFERENCE=1 cargo test -p agentgateway-e2e --test cel_runtime_cost_differential",
        saved.display()
    );
    assert!(
        differences.is_empty(),
        "{} of {compared} objects differ from the apiserver's metering:\n{}",
        differences.len(),
        differences.join("\n")
    );
    assert!(
        overruns >= 3,
        "the corpus must overrun the limits ({overruns} overruns)"
    );
    println!("{compared} corpus objects: equal runtime cost, {overruns} overruns");
}
