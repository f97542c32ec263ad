//! Offline validation throughput: 1,000 objects of the e2e case table (valid and
//! invalid, all four CRDs, cycled in file order) through one [`Validator`], strict mode,
//! on one thread. Building the validator (compiling every CEL rule) is measured apart.

use agentgateway_validate::Validator;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::Value;
use std::{hint::black_box, path::Path};

/// Every case object under `e2e/cases`, named after its file as the e2e runner names it.
fn case_objects() -> Vec<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../e2e/cases");
    let mut files = vec![];
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("case directory").flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("case file");
            let mut obj: Value = serde_yaml::from_str(&text).expect("case YAML");
            let stem = f.file_stem().and_then(|s| s.to_str()).expect("file name");
            obj["metadata"]["name"] = stem.into();
            obj["metadata"]["namespace"] = "bench".into();
            obj
        })
        .collect()
}

fn validate_objects(c: &mut Criterion) {
    let cases = case_objects();
    let objects: Vec<Value> = cases.iter().cycle().take(1000).cloned().collect();
    let validator = Validator::new().expect("the API's schemas compile");
    let invalid = objects
        .iter()
        .filter(|o| validator.validate(o, true).is_err())
        .count();
    assert!(invalid > 0 && invalid < objects.len(), "a mix of verdicts");
    c.bench_function("validate 1,000 case objects (strict, one thread)", |b| {
        b.iter(|| {
            for o in &objects {
                let _ = black_box(validator.validate(black_box(o), true));
            }
        })
    });
    c.bench_function(
        "build the validator (compile every schema and CEL rule)",
        |b| b.iter(|| black_box(Validator::new().expect("compiles"))),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = validate_objects
}
criterion_main!(benches);
