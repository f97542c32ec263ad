//! The binary's text output for an object with several errors: the object's line, then
//! one line per error with its file, line and column (the strict decoding form is
//! only for unknown fields).

use std::{fs, process::Command};

#[test]
fn several_errors_are_listed_one_per_line_with_their_positions() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("two.yaml"),
        "apiVersion: agentgateway.dev/v1alpha1\nkind: AgentgatewayBackend\n\
         metadata: {name: t, namespace: ns}\nspec:\n  static: {host: '', port: 0}\n",
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_agentgateway-validate"))
        .args(["--strict", "two.yaml"])
        .current_dir(dir.path())
        .output()
        .expect("run the binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "invalid AgentgatewayBackend/ns/t (two.yaml:1, document 0)",
            "  two.yaml:5:12: spec.static.host: Invalid value: \"\": spec.static.host in body should be at least 1 chars long",
            "  two.yaml:5:22: spec.static.port: Invalid value: 0: spec.static.port in body should be greater than or equal to 1",
        ],
        "{stdout}"
    );
    assert!(!stdout.contains("strict decoding error"), "{stdout}");
}
