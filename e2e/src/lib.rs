//! End-to-end tests of the `agentgateway-crds` chart on a real kube-apiserver and a
//! real Helm, built from pinned Go modules (see [`tools`]).
//!
//! Entry points: `cargo xtask cluster up|down` ([`cluster`]) and `cargo xtask e2e`
//! ([`suite`]). The case table lives in `e2e/cases` ([`cases`]); the release path
//! (`cargo xtask package --push` to a real OCI registry) is [`release`].

pub mod cases;
pub mod chart;
pub mod cluster;
pub mod generative;
pub mod kube;
pub mod offline;
pub mod package;
pub mod procs;
pub mod registry;
pub mod release;
pub mod suite;
pub mod tools;

use serde_json::Value;
use std::path::PathBuf;

pub use crdgen::repo::{CHART, workspace_root};

/// Where `cargo xtask cluster up` keeps its cluster's state.
pub fn cluster_dir() -> PathBuf {
    workspace_root().join(".cache/e2e/cluster")
}

/// The differences between two JSON values, one line per differing path
/// (`- left`, `+ right`); at most 40 lines.
pub fn json_diff(left: &Value, right: &Value) -> Vec<String> {
    let mut out = vec![];
    diff_at("", left, right, &mut out);
    if out.len() > 40 {
        let more = out.len() - 40;
        out.truncate(40);
        out.push(format!("... and {more} more"));
    }
    out
}

fn diff_at(path: &str, l: &Value, r: &Value, out: &mut Vec<String>) {
    match (l, r) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let p = format!("{path}.{k}");
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => diff_at(&p, x, y, out),
                    (Some(x), None) => out.push(format!("- {p}: {x}")),
                    (None, Some(y)) => out.push(format!("+ {p}: {y}")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff_at(&format!("{path}[{i}]"), x, y, out);
            }
        }
        _ if l != r => {
            let p = if path.is_empty() { "." } else { path };
            out.push(format!("- {p}: {l}"));
            out.push(format!("+ {p}: {r}"));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diffs_name_the_paths() {
        let a = json!({"spec": {"a": 1, "b": [1, 2], "gone": true}});
        let b = json!({"spec": {"a": 2, "b": [1, 3], "new": null}});
        assert_eq!(
            json_diff(&a, &b),
            vec![
                "- .spec.a: 1",
                "+ .spec.a: 2",
                "- .spec.b[1]: 2",
                "+ .spec.b[1]: 3",
                "- .spec.gone: true",
                "+ .spec.new: null",
            ]
        );
        assert!(json_diff(&a, &a).is_empty());
    }
}
