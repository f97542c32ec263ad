//! In-process generation of the whole chart: build every CRD schema from the types,
//! normalize it and render it to YAML. This is what `cargo xtask gen-crds` spends once
//! it is compiled.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn generate_chart(c: &mut Criterion) {
    let sources = agentgateway_api::crds();
    c.bench_function("generate all CRDs (build + normalize + render)", |b| {
        b.iter(|| {
            let crds = crdgen::generate(black_box(&sources), "cargo xtask gen-crds")
                .expect("valid API types");
            black_box(crds)
        })
    });
    let crd = sources[0];
    c.bench_function("build one CRD schema (AgentgatewayBackend)", |b| {
        b.iter(|| black_box(crd.build()))
    });
}

criterion_group!(benches, generate_chart);
criterion_main!(benches);
