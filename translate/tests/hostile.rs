//! Hostile and odd input to `agentgateway-translate` (what `cargo xtask translate` runs):
//! a clear error, a non-zero exit and nothing on stdout, fast and in little memory; or,
//! for a byte-order mark and CRLF line ends, the same translation as the plain file.
//! The table of inputs and messages is in TESTING.md.

use agentgateway_translate::documents;
use proptest::prelude::*;
use std::{path::Path, process::Command};

const CASE: &str = "apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata:
  namespace: default
  name: b
spec:
  static:
    host: example.com
    port: 80
";

/// Runs the binary on `bytes`; returns (success, stdout, stderr).
fn translate(bytes: &[u8]) -> (bool, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("case.yaml");
    std::fs::write(&path, bytes).expect("write");
    run(&path)
}

fn run(path: &Path) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_agentgateway-translate"))
        .arg(path)
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn refused(bytes: &[u8], message: &str) {
    let (ok, stdout, stderr) = translate(bytes);
    assert!(!ok, "{stderr}");
    assert!(stdout.is_empty(), "printed as if it succeeded: {stdout}");
    assert!(stderr.contains("case.yaml: "), "names the file: {stderr}");
    assert!(stderr.contains(message), "{message:?} in {stderr}");
}

#[test]
fn an_alias_bomb_is_refused() {
    let mut doc = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nx:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..9u8 {
        let (name, prev) = ((b'a' + i) as char, (b'a' + i - 1) as char);
        let refs = vec![format!("*{prev}"); 10].join(", ");
        doc.push_str(&format!("  {name}: &{name} [{refs}]\n"));
    }
    refused(
        doc.as_bytes(),
        "document 1: not valid YAML: repetition limit exceeded",
    );
}

#[test]
fn a_100_mb_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("case.yaml");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(100 << 20).expect("sparse 100 MB");
    let (ok, stdout, stderr) = run(&path);
    assert!(!ok && stdout.is_empty(), "{stderr}");
    assert!(
        stderr.contains("104857600 bytes is over the limit"),
        "{stderr}"
    );
}

#[test]
fn deep_nesting_is_refused() {
    let n = 100_000;
    let flow = format!("a: {}{}\n", "[".repeat(n), "]".repeat(n));
    refused(
        flow.as_bytes(),
        "line 1: lists/maps nested more than 128 deep",
    );
    let block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    refused(block.as_bytes(), "recursion limit exceeded");
    // Quoted brackets do not count.
    let quoted = CASE.replace("example.com", &format!("'{}'", "[".repeat(200)));
    let (ok, _, stderr) = translate(quoted.as_bytes());
    assert!(ok, "{stderr}");
}

#[test]
fn invalid_utf8_is_refused_with_its_offset() {
    let mut bytes = CASE.as_bytes().to_vec();
    bytes.insert(10, 0xff);
    refused(&bytes, "not UTF-8 text (invalid byte at offset 10)");
}

#[test]
fn a_byte_order_mark_and_crlf_translate_like_the_plain_file() {
    // The output without its `# file:` line (the temporary path differs each run).
    let output = |bytes: &[u8]| {
        let (ok, stdout, stderr) = translate(bytes);
        assert!(ok, "{stderr}");
        let lines: Vec<&str> = stdout
            .lines()
            .filter(|l| !l.starts_with("# file:"))
            .collect();
        lines.join("\n")
    };
    let want = output(CASE.as_bytes());
    assert!(want.contains("host: example.com"), "{want}");
    let mut bom = "\u{FEFF}".as_bytes().to_vec();
    bom.extend_from_slice(CASE.as_bytes());
    assert_eq!(output(&bom), want);
    assert_eq!(output(CASE.replace('\n', "\r\n").as_bytes()), want);
}

#[test]
fn a_bad_document_is_named_by_index_and_field() {
    let text = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: n}}\n---\n{}",
        CASE.replace("port: 80", "port: [1]")
    );
    refused(
        text.as_bytes(),
        "document 2 (AgentgatewayBackend b): field spec.static.port",
    );
}

/// Every golden case's input documents.
fn golden_inputs() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    documents::case_files(&dir)
        .expect("golden cases")
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("read");
            documents::split(&text).0.to_owned()
        })
        .collect()
}

/// A random leaf of any JSON type, or a small object or list.
fn any_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        "\\PC{0,12}".prop_map(Value::String),
        Just(json!("")),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replaces the `n`th node (pre-order) of `v` with `with`.
fn replace_nth(v: &mut serde_json::Value, n: &mut usize, with: &serde_json::Value) -> bool {
    if *n == 0 {
        *v = with.clone();
        return true;
    }
    *n -= 1;
    let children: Vec<&mut serde_json::Value> = match v {
        serde_json::Value::Array(a) => a.iter_mut().collect(),
        serde_json::Value::Object(o) => o.values_mut().collect(),
        _ => vec![],
    };
    children.into_iter().any(|c| replace_nth(c, n, with))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Random YAML-ish text, and golden cases with random bytes cut, inserted or replaced:
    /// translated or refused, never a panic.
    #[test]
    fn no_text_makes_it_panic(
        text in "[-a-z:{}\\[\\],&*!|>'\"#\n .0-9]{0,200}",
        case in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        insert in "\\PC{0,4}",
        cut in 0usize..8,
    ) {
        let _ = documents::run(&text);
        let cases = golden_inputs();
        let case = case.get(&cases);
        let mut at = at.index(case.len() + 1);
        while !case.is_char_boundary(at) { at -= 1; }
        let mut end = (at + cut).min(case.len());
        while !case.is_char_boundary(end) { end -= 1; }
        let mutated = format!("{}{insert}{}", &case[..at], &case[end..]);
        if let Ok(t) = documents::run(&mutated) {
            prop_assert!(documents::render_yaml(&t).is_ok());
        }
    }

    /// Golden cases with one value anywhere (metadata, spec, the referenced objects)
    /// replaced by a random value: each backend is translated or refused with the
    /// document and the field, never a panic.
    #[test]
    fn no_backend_value_makes_it_panic(
        case in any::<prop::sample::Index>(),
        node in any::<prop::sample::Index>(),
        with in any_value(),
    ) {
        let cases = golden_inputs();
        let text = case.get(&cases);
        let mut docs: Vec<serde_json::Value> = serde_yaml::Deserializer::from_str(text)
            .map(|d| serde::Deserialize::deserialize(d).expect("golden input parses"))
            .collect();
        let total: usize = docs.iter().map(count).sum();
        let mut n = node.index(total.max(1));
        for d in &mut docs {
            if replace_nth(d, &mut n, &with) { break; }
        }
        let yaml: Vec<String> = docs.iter().map(|d| crdgen::render::to_yaml(d).expect("emits")).collect();
        match documents::run(&yaml.join("---\n")) {
            Ok(t) => prop_assert!(documents::render_yaml(&t).is_ok()),
            Err(e) => prop_assert!(e.starts_with("document ") || e.contains("AgentgatewayBackend"), "{e}"),
        }
    }
}

fn count(v: &serde_json::Value) -> usize {
    1 + match v {
        serde_json::Value::Array(a) => a.iter().map(count).sum(),
        serde_json::Value::Object(o) => o.values().map(count).sum(),
        _ => 0,
    }
}
