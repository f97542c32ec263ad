//! In-process generation of the whole chart: build every CRD schema from the types,
//! normalize it and render it to YAML. This is what `cargo xtask gen-crds` spends once
//! it is compiled. Each pass is also measured alone, to show where the time goes, and
//! the CEL cost estimate of every rule (`crdgen::cel_cost`), which generation includes.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const COMMAND: &str = "cargo xtask gen-crds";

fn generate_chart(c: &mut Criterion) {
    let sources = agentgateway_api::crds();
    c.bench_function("whole chart: build + normalize + render", |b| {
        b.iter(|| {
            black_box(crdgen::generate(black_box(&sources), COMMAND).expect("valid API types"))
        })
    });

    c.bench_function("pass 1 build (all CRDs)", |b| {
        b.iter(|| {
            for s in &sources {
                black_box(s.build().expect("built"));
            }
        })
    });

    let built: Vec<_> = sources.iter().map(|s| s.build().expect("built")).collect();
    c.bench_function("pass 2 normalize (all CRDs)", |b| {
        b.iter(|| {
            for crd in &built {
                let mut crd = crd.clone();
                crdgen::normalize::normalize(&mut crd).expect("valid");
                black_box(crd);
            }
        })
    });

    let normalized: Vec<_> = built
        .iter()
        .map(|crd| {
            let mut crd = crd.clone();
            crdgen::normalize::normalize(&mut crd).expect("valid");
            crd
        })
        .collect();
    c.bench_function("pass 3 render (all CRDs)", |b| {
        b.iter(|| {
            for crd in &normalized {
                black_box(crdgen::render::render(crd, COMMAND).expect("rendered"));
            }
        })
    });

    c.bench_function("CEL cost estimate (all CRDs)", |b| {
        b.iter(|| {
            for crd in &normalized {
                black_box(crdgen::cel_cost::estimate_crd(crd).expect("estimated"));
            }
        })
    });
}

criterion_group!(benches, generate_chart);
criterion_main!(benches);
