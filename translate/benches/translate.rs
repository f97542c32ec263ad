//! Translation throughput over a realistic mix of backends: every case of our golden
//! suite (static, dynamic forward proxy, MCP static and selector targets, single AI
//! providers and priority groups, every inline policy kind, and failing backends),
//! each with the Services, Secrets and ConfigMaps it refers to. Reported by criterion
//! as backends per second.

use agentgateway_translate::{documents, translate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::{hint::black_box, path::Path};

fn cases() -> Vec<documents::Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let files =
        documents::case_files(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    files
        .iter()
        .map(|p| {
            let text =
                std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            documents::load(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
}

fn translate_mix(c: &mut Criterion) {
    let cases = cases();
    let mut group = c.benchmark_group("translate");
    group.throughput(Throughput::Elements(cases.len() as u64));
    group.bench_function(format!("golden mix ({} backends)", cases.len()), |b| {
        b.iter(|| {
            for case in &cases {
                black_box(translate(
                    black_box(&case.backend),
                    &case.inputs,
                    "2026-01-01T00:00:00Z",
                ));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, translate_mix);
criterion_main!(benches);
