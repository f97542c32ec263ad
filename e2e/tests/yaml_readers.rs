//! The YAML we write, read by the YAML 1.1 reader of kubectl and Helm
//! (sigs.k8s.io/yaml, built from the pins in e2e/tools): every string that a YAML 1.1 or
//! 1.2 reader would take for a boolean, number, null or merge key comes back as the same
//! string, in an enum, a default, a description and a map key.

use crdgen::render::{NON_STRINGS, render, to_yaml};
use serde_json::{Value, json};
use std::{
    io::Write,
    path::Path,
    process::{Command, Stdio},
};

fn read_with_go(reader: &Path, yaml: &str) -> Value {
    let mut child = Command::new(reader)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs yamljson");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(yaml.as_bytes())
        .expect("writes");
    let out = child.wait_with_output().expect("yamljson finishes");
    assert!(
        out.status.success(),
        "sigs.k8s.io/yaml rejects:\n{yaml}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("yamljson prints JSON")
}

#[test]
fn kubernetes_reads_our_yaml_as_we_meant_it() {
    let Some(go) = e2e::tools::go_for_test("yamljson") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let reader = dir.path().join("yamljson");
    e2e::tools::build_test_program(&go, "yamljson", false, &reader);
    let mut properties = serde_json::Map::new();
    for s in NON_STRINGS.iter().chain(&["on/no", "plain", "1.2.3"]) {
        properties.insert(
            s.to_string(),
            json!({ "type": "string", "enum": [s], "default": s, "description": s }),
        );
    }
    let crd = json!({ "spec": { "properties": properties } });
    // The CRD template (its header is a comment) and the writer of `cargo xtask translate`.
    let template = render(&crd, "test").expect("renders");
    assert_eq!(read_with_go(&reader, &template), crd, "{template}");
    let plain = to_yaml(&crd).expect("renders");
    assert_eq!(read_with_go(&reader, &plain), crd, "{plain}");
    // The reader does tell: serde_yaml's own output, unquoted, reads differently.
    let naive = serde_yaml::to_string(&crd).expect("renders");
    assert_ne!(read_with_go(&reader, &naive), crd);
}
