//! The `agentgateway-validate` binary (what `cargo xtask validate` runs): output and
//! exit status for valid, invalid and unreadable input.

use std::{fs, process::Command};

const VALID: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: agentgateway.dev/v1alpha1\nkind: AgentgatewayBackend\nmetadata: {name: b, namespace: ns}\nspec:\n  static: {host: h, port: 80}\n";
const INVALID: &str = "apiVersion: agentgateway.dev/v1alpha1\nkind: AgentgatewayBackend\nmetadata: {name: m, namespace: ns}\nspec:\n  static: {host: h, port: 80, weight: 1}\n";

fn run(args: &[&str], dir: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_agentgateway-validate"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run the binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn valid_invalid_and_unreadable_input_have_their_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("a.yaml"), VALID).expect("write");
    fs::write(dir.path().join("b.yaml"), INVALID).expect("write");

    let (code, out, err) = run(&["a.yaml"], dir.path());
    assert_eq!(
        (code, out.as_str()),
        (0, "ok AgentgatewayBackend/ns/b\n"),
        "{err}"
    );
    assert!(
        err.contains("1 objects: 1 valid, 0 invalid; 1 of other API groups skipped"),
        "{err}"
    );

    // Unknown fields: dropped by default, errors in strict mode.
    assert_eq!(run(&["b.yaml"], dir.path()).0, 0);
    let (code, out, _) = run(&["--strict", "."], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "ok AgentgatewayBackend/ns/b\ninvalid AgentgatewayBackend/ns/m (./b.yaml document 0): \
         strict decoding error: unknown field \"spec.static.weight\"\n"
    );

    let (code, out, _) = run(&["--strict", "--output", "json", "b.yaml"], dir.path());
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        json,
        serde_json::json!([{"kind": "AgentgatewayBackend", "namespace": "ns", "name": "m",
            "valid": false, "errors": ["strict decoding error: unknown field \"spec.static.weight\""],
            "file": "b.yaml", "document": 0}])
    );

    fs::write(
        dir.path().join("c.yaml"),
        "kind: A\napiVersion: v\n---\nspec: [\n",
    )
    .expect("write");
    let (code, out, err) = run(&["a.yaml", "c.yaml"], dir.path());
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.starts_with("error: c.yaml document 1: not valid YAML"),
        "{err}"
    );
    assert_eq!(run(&["missing.yaml"], dir.path()).0, 2);
}
