//! The binary's text output for an object with several errors: one line, the errors
//! joined by `; ` (the strict decoding form is only for unknown fields).

use std::{fs, process::Command};

#[test]
fn several_errors_are_listed_on_one_line() {
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
    assert!(
        stdout.starts_with("invalid AgentgatewayBackend/ns/t (two.yaml document 0): spec.static."),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("; spec.static."), "{stdout}");
    assert!(!stdout.contains("strict decoding error"), "{stdout}");
}
