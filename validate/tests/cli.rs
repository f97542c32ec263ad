//! The `agentgateway-validate` binary (what `cargo xtask validate` runs): output in
//! every format, positions of errors, and exit status for valid, invalid and
//! unreadable input.

use std::{fs, process::Command};

const VALID: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: agentgateway.dev/v1alpha1\nkind: AgentgatewayBackend\nmetadata: {name: b, namespace: ns}\nspec:\n  static: {host: h, port: 80}\n";
const INVALID: &str = "apiVersion: agentgateway.dev/v1alpha1\nkind: AgentgatewayBackend\nmetadata: {name: m, namespace: ns}\nspec:\n  static: {host: h, port: 80, weight: 1}\n";
/// Three objects: a bad enum (and the rules left unchecked), a rule on `spec` broken,
/// a valid one.
const MIXED: &str = "\
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata:
  name: mcp
  namespace: ns
spec:
  mcp:
    sessionRouting: Sticky
    targets:
      - name: t
        static: {host: h, port: 1}
---
# two backends in one
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: two, namespace: ns}
spec:
  static: {host: h, port: 1}
  aws: {agentCore: {agentRuntimeArn: x}}
---
apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata: {name: ok, namespace: ns}
spec: {static: {host: h, port: 1}}
";

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
        "ok AgentgatewayBackend/ns/b\ninvalid AgentgatewayBackend/ns/m (./b.yaml:1, document 0)\n  \
         ./b.yaml:5:31: strict decoding error: unknown field \"spec.static.weight\"\n"
    );

    let (code, out, _) = run(&["--strict", "--output", "json", "b.yaml"], dir.path());
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        json,
        serde_json::json!([{"kind": "AgentgatewayBackend", "namespace": "ns", "name": "m",
            "valid": false, "errors": [{
                "message": "strict decoding error: unknown field \"spec.static.weight\"",
                "field": "spec.static.weight", "line": 5, "column": 31}],
            "file": "b.yaml", "document": 0, "line": 1}])
    );

    fs::write(
        dir.path().join("c.yaml"),
        "kind: A\napiVersion: v\n---\nspec: [\n",
    )
    .expect("write");
    for output in ["text", "json", "github", "junit"] {
        let (code, out, err) = run(&["--output", output, "a.yaml", "c.yaml"], dir.path());
        assert_eq!(code, 2);
        assert!(out.is_empty(), "{out}");
        assert!(
            err.starts_with("error: c.yaml:5:1: document 1: not valid YAML"),
            "{err}"
        );
    }
    fs::write(dir.path().join("d.yaml"), "a: 1\n---\n\n  b: 2\n").expect("write");
    let (code, _, err) = run(&["d.yaml"], dir.path());
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: d.yaml:1:1: document 0: not a Kubernetes object (needs apiVersion and kind)\n"
    );
    // Both are needed: an object of our group without a kind is not judged.
    fs::write(
        dir.path().join("e.yaml"),
        "apiVersion: agentgateway.dev/v1alpha1\nmetadata: {name: e}\n",
    )
    .expect("write");
    let (code, _, err) = run(&["e.yaml"], dir.path());
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: e.yaml:1:1: document 0: not a Kubernetes object (needs apiVersion and kind)\n"
    );
    assert_eq!(run(&["missing.yaml"], dir.path()).0, 2);
}

#[test]
fn errors_point_at_the_field_or_the_object() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("m.yaml"), MIXED).expect("write");
    let (code, out, _) = run(&["--strict", "m.yaml"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "invalid AgentgatewayBackend/ns/mcp (m.yaml:1, document 0)\n  \
         m.yaml:8:5: spec.mcp.sessionRouting: Unsupported value: \"Sticky\": supported values: \"Stateful\", \"Stateless\"\n  \
         m.yaml:1:1: <nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation\n\
         invalid AgentgatewayBackend/ns/two (m.yaml:14, document 1)\n  \
         m.yaml:17:1: spec: Invalid value: exactly one of the fields in [ai static dynamicForwardProxy mcp aws a2a] must be set\n\
         ok AgentgatewayBackend/ns/ok\n"
    );
}

#[test]
fn github_and_junit_outputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("m.yaml"), MIXED).expect("write");
    fs::write(dir.path().join("a.yaml"), VALID).expect("write");

    let (code, out, _) = run(&["--output", "github", "m.yaml"], dir.path());
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(
        lines[0],
        "::error file=m.yaml,line=8,col=5,title=invalid AgentgatewayBackend/ns/mcp::\
         spec.mcp.sessionRouting: Unsupported value: \"Sticky\": supported values: \"Stateful\", \"Stateless\""
    );
    assert!(
        lines[2].starts_with("::error file=m.yaml,line=17,col=1,title=invalid AgentgatewayBackend/ns/two::spec: Invalid value: exactly one"),
        "{out}"
    );
    let (code, out, _) = run(&["--output", "github", "a.yaml"], dir.path());
    assert_eq!((code, out.as_str()), (0, ""));

    let (code, out, _) = run(&["--output", "junit", "a.yaml", "m.yaml"], dir.path());
    assert_eq!(code, 1);
    assert!(
        out.starts_with(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <testsuites name=\"agentgateway-validate\" tests=\"4\" failures=\"2\" errors=\"0\">\n  \
             <testsuite name=\"a.yaml\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n    \
             <testcase name=\"AgentgatewayBackend/ns/b\" classname=\"a.yaml\" file=\"a.yaml\" line=\"5\"/>\n  \
             </testsuite>\n  \
             <testsuite name=\"m.yaml\" tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"0\">\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("m.yaml:8:5: spec.mcp.sessionRouting: Unsupported value: &quot;Sticky&quot;"),
        "{out}"
    );
    let (code, out, _) = run(&["--output", "junit", "a.yaml"], dir.path());
    assert_eq!(code, 0);
    assert!(out.ends_with("</testsuite>\n</testsuites>\n"), "{out}");
}
