//! Translation cases as multi-document YAML files, used by the golden tests and by
//! `cargo xtask translate`.
//!
//! A case file holds input documents: exactly one `AgentgatewayBackend` and any
//! Services, Namespaces, Secrets and ConfigMaps it refers to. It may end with an output
//! document, whose first line is `# Output`, holding `output` (the resources) and
//! `status`; everything from that document on is not input.
//!
//! ```yaml
//! apiVersion: agentgateway.dev/v1alpha1
//! kind: AgentgatewayBackend
//! metadata: {namespace: default, name: example}
//! spec: {static: {host: example.com, port: 443}}
//! ---
//! # Output
//! output:
//! - backend: {key: default/example, ...}
//! status: {conditions: [...]}
//! ```
//!
//! The fetched JSON Web Key Sets the control plane keeps (see [`Inputs::jwks_store`])
//! are given as ConfigMaps labelled `agentgateway.dev/jwks-store: "true"`, each with
//! the `url` it was fetched from and the key set as `jwks`. Without any such ConfigMap
//! the store is uninitialized.

use crate::{Inputs, Translation, inputs::JwksStore};
use agentgateway_api::v1alpha1::backend::AgentgatewayBackend;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The `lastTransitionTime` written in case files, so their output does not depend on
/// when it was produced.
pub const FAKE_TIME: &str = "fake";
/// First line of the output document.
pub const OUTPUT_MARKER: &str = "# Output";
/// Label marking a ConfigMap as an entry of the JWKS store.
pub const JWKS_STORE_LABEL: &str = "agentgateway.dev/jwks-store";

/// The case files (`*.yaml`) of a directory, sorted by name.
pub fn case_files(dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "yaml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The inputs of one case.
#[derive(Clone, Debug)]
pub struct Case {
    /// The backend to translate.
    pub backend: AgentgatewayBackend,
    /// What it may refer to.
    pub inputs: Inputs,
}

/// Splits a case file into its input text and, when present, its output document
/// (from the `---` line before `# Output` on; the input text ends before that line).
pub fn split(text: &str) -> (&str, Option<&str>) {
    let mut offset = 0;
    let mut doc_start: Option<usize> = Some(0);
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" {
            doc_start = Some(offset);
        } else if !trimmed.is_empty() {
            if let Some(start) = doc_start
                && trimmed.starts_with(OUTPUT_MARKER)
            {
                return (&text[..start], Some(&text[start..]));
            }
            doc_start = None;
        }
        offset += line.len();
    }
    (text, None)
}

fn field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn typed<T: DeserializeOwned>(de: serde_yaml::Deserializer<'_>, what: &str) -> Result<T, String> {
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if path == "." {
            format!("{what}: {inner}")
        } else if inner.starts_with(&format!("{path}: ")) {
            // serde_yaml names the field itself.
            format!("{what}: field {inner}")
        } else {
            format!("{what}: field {path}: {inner}")
        }
    })
}

/// The largest case file read, in bytes. A case is a handful of Kubernetes objects;
/// the limit keeps a huge or runaway file from taking the memory of the machine (the
/// YAML parser holds a whole document's events at once).
pub const MAX_INPUT_BYTES: usize = 4 << 20;

/// Checks the raw bytes of a case file: size, then UTF-8 (a byte-order mark is fine).
pub fn decode(bytes: &[u8]) -> Result<&str, String> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {}); save the file as UTF-8",
            e.valid_up_to()
        )
    })
}

/// The error for a file of `len` bytes, over [`MAX_INPUT_BYTES`].
pub fn too_big(len: u64) -> String {
    format!(
        "{len} bytes is over the limit of {MAX_INPUT_BYTES} bytes for a case file; split it \
         into one file per backend"
    )
}

/// Deepest `[`/`{` nesting accepted; serde_yaml refuses deeper values anyway (its
/// recursion limit is 128), but only after libyaml has parsed them, which takes time
/// quadratic in the depth (seconds for 20 000 levels).
pub const MAX_FLOW_DEPTH: usize = 128;

/// Refuses flow collections nested deeper than [`MAX_FLOW_DEPTH`] before parsing.
/// Brackets in quoted strings and comments do not count; brackets in plain text and
/// block scalars do, which can only over-count.
fn check_flow_depth(text: &str) -> Result<(), String> {
    let (mut depth, mut line) = (0usize, 1usize);
    let mut quote: Option<char> = None;
    let mut prev = '\n';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        }
        match quote {
            Some('"') if c == '\\' => {
                chars.next();
            }
            Some(q) if c == q => {
                if q == '\'' && chars.peek() == Some(&'\'') {
                    chars.next();
                } else {
                    quote = None;
                }
            }
            Some(_) => {}
            None => match c {
                '#' if prev.is_whitespace() => {
                    for c in chars.by_ref() {
                        if c == '\n' {
                            line += 1;
                            break;
                        }
                    }
                }
                '"' | '\'' if prev.is_whitespace() || "[{,:-".contains(prev) => quote = Some(c),
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Err(format!(
                            "line {line}: lists/maps nested more than {MAX_FLOW_DEPTH} deep; \
                             a Kubernetes object is never this deep"
                        ));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        prev = c;
    }
    Ok(())
}

/// Reads the input documents of a case file (an output document is ignored). Errors
/// name the document, its line, and for a field of the wrong type the field's path.
/// Hostile input is an error, not a crash: over [`MAX_INPUT_BYTES`]; nesting deeper
/// than serde_yaml's recursion limit (128); aliases expanding to far more than the
/// document (serde_yaml's repetition limit).
pub fn load(text: &str) -> Result<Case, String> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(too_big(text.len() as u64));
    }
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    check_flow_depth(text)?;
    let (input, _) = split(text);
    // First pass: the kind of every document (and whether it is YAML at all).
    let mut heads = Vec::new();
    for (i, doc) in serde_yaml::Deserializer::from_str(input).enumerate() {
        let v: Value = serde_path_to_error::deserialize(doc)
            .map_err(|e| format!("document {}: not valid YAML: {}", i + 1, e.into_inner()))?;
        heads.push(v);
    }
    let mut backends = Vec::new();
    let mut inputs = Inputs::default();
    let mut store: Option<JwksStore> = None;
    // Second pass: each document as its type, with locations relative to the file.
    for (i, (doc, head)) in serde_yaml::Deserializer::from_str(input)
        .zip(&heads)
        .enumerate()
    {
        let n = i + 1;
        if head.is_null() {
            continue; // an empty document, e.g. only comments
        }
        if !head.is_object() {
            return Err(format!(
                "document {n}: expected a Kubernetes object (a mapping with apiVersion and kind)"
            ));
        }
        let api_version = field(head, "apiVersion").unwrap_or_default();
        let kind = field(head, "kind").ok_or_else(|| format!("document {n}: no kind"))?;
        let name = head
            .get("metadata")
            .and_then(|m| field(m, "name"))
            .unwrap_or("<unnamed>");
        let what = format!("document {n} ({kind} {name})");
        match (api_version, kind) {
            ("agentgateway.dev/v1alpha1", "AgentgatewayBackend") => {
                backends.push(typed::<AgentgatewayBackend>(doc, &what)?);
            }
            ("v1", "Service") => inputs.services.push(typed(doc, &what)?),
            ("v1", "Namespace") => inputs.namespaces.push(typed(doc, &what)?),
            ("v1", "Secret") => inputs.secrets.push(typed(doc, &what)?),
            ("v1", "ConfigMap") => {
                let cm: k8s_openapi::api::core::v1::ConfigMap = typed(doc, &what)?;
                let labels = cm.metadata.labels.as_ref();
                if labels
                    .and_then(|l| l.get(JWKS_STORE_LABEL))
                    .map(String::as_str)
                    == Some("true")
                {
                    let data = cm.data.as_ref();
                    let get = |k: &str| {
                        data.and_then(|d| d.get(k))
                            .cloned()
                            .ok_or_else(|| format!("{what}: a JWKS store entry needs data.{k}"))
                    };
                    store
                        .get_or_insert_default()
                        .insert(get("url")?, get("jwks")?);
                }
                inputs.config_maps.push(cm);
            }
            (api_version, kind) => {
                return Err(format!(
                    "{what}: unsupported kind {kind} (apiVersion {api_version:?}); expected \
                     AgentgatewayBackend (agentgateway.dev/v1alpha1), or Service, Namespace, \
                     Secret or ConfigMap (v1)"
                ));
            }
        }
    }
    inputs.jwks_store = store;
    let backend = match backends.len() {
        1 => backends.remove(0),
        0 => return Err("no AgentgatewayBackend among the documents".into()),
        n => {
            return Err(format!(
                "{n} AgentgatewayBackends; a case holds exactly one"
            ));
        }
    };
    Ok(Case { backend, inputs })
}

/// The output document of a translation: `output` (the resources) and `status`.
pub fn render(t: &Translation) -> Value {
    json!({ "output": t.resources, "status": t.status })
}

/// The output document as YAML, starting with the `# Output` line. Written by the
/// project's YAML writer ([`crdgen::render::to_yaml`]): a string such as `on`, `no` or
/// `1_000` is quoted, so kubectl and Helm (YAML 1.1) read it as a string too.
pub fn render_yaml(t: &Translation) -> Result<String, String> {
    let yaml =
        crdgen::render::to_yaml(&render(t)).map_err(|e| format!("rendering the output: {e}"))?;
    Ok(format!("{OUTPUT_MARKER}\n{yaml}"))
}

/// Loads a case file and translates it with [`FAKE_TIME`].
pub fn run(text: &str) -> Result<Translation, String> {
    let case = load(text)?;
    Ok(crate::translate(&case.backend, &case.inputs, FAKE_TIME))
}

/// A case file's inputs followed by the output document of `t`.
pub fn with_output(text: &str, t: &Translation) -> Result<String, String> {
    let (input, _) = split(text);
    let sep = if input.is_empty() || input.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    Ok(format!("{input}{sep}---\n{}", render_yaml(t)?))
}

/// The expected output document of a case file, parsed; `None` when it has none.
pub fn expected(text: &str) -> Result<Option<Value>, String> {
    let (_, output) = split(text);
    let Some(output) = output else {
        return Ok(None);
    };
    let mut docs = serde_yaml::Deserializer::from_str(output);
    let doc = docs
        .next()
        .ok_or_else(|| "the output document is empty".to_string())?;
    let v: Value = serde_path_to_error::deserialize(doc)
        .map_err(|e| format!("output document: {}", e.into_inner()))?;
    Ok(Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn flow_depth_counts_brackets_outside_strings_and_comments_only() {
        let limit = MAX_FLOW_DEPTH;
        assert_eq!(check_flow_depth(&format!("a: {}", nested(limit))), Ok(()));
        // The line is counted through plain lines and comments.
        let deep = format!("a: 1\n# a comment\nb: {}", nested(limit + 1));
        assert_eq!(
            check_flow_depth(&deep),
            Err(format!(
                "line 3: lists/maps nested more than {limit} deep; a Kubernetes object is never this deep"
            ))
        );
        let open = "[".repeat(limit + 1);
        for inside in [
            format!("a: \"{open}\""),
            format!("a: \"say \\\" {open}\""),
            format!("a: 'it''s {open}'"),
            format!("a: 1 # {open}"),
        ] {
            assert_eq!(check_flow_depth(&inside), Ok(()), "{inside}");
        }
        // After a string closes, brackets count again.
        for after in [
            format!("a: \"x\"\nb: {}", nested(limit + 1)),
            format!("a: 'x'\nb: {}", nested(limit + 1)),
            format!("a: 'it''s'\nb: {}", nested(limit + 1)),
            format!("a: \"x\"'b {}", nested(limit + 1)),
            // Not a comment, not a string: `#` and `'` inside plain text.
            format!("a: x#{}", nested(limit + 1)),
            format!("a: it's {}", nested(limit + 1)),
        ] {
            assert!(check_flow_depth(&after).is_err(), "{after}");
        }
        // Closed brackets do not add up.
        assert_eq!(
            check_flow_depth(&format!("a: [{}]", "[], ".repeat(3 * limit))),
            Ok(())
        );
    }

    #[test]
    fn decode_and_load_take_exactly_the_limit_and_refuse_one_byte_more() {
        let at_limit = vec![b' '; MAX_INPUT_BYTES];
        assert!(decode(&at_limit).is_ok());
        let over = vec![b' '; MAX_INPUT_BYTES + 1];
        assert_eq!(decode(&over), Err(too_big(MAX_INPUT_BYTES as u64 + 1)));
        let text = " ".repeat(MAX_INPUT_BYTES);
        let err = load(&text).map(|_| ()).expect_err("no backend in it");
        assert_ne!(err, too_big(MAX_INPUT_BYTES as u64));
        assert_eq!(
            load(&format!("{text} ")).map(|_| ()),
            Err(too_big(MAX_INPUT_BYTES as u64 + 1))
        );
    }

    const CASE: &str = "apiVersion: agentgateway.dev/v1alpha1
kind: AgentgatewayBackend
metadata:
  namespace: default
  name: b
spec:
  # a comment
  static:
    host: example.com
    port: 80
---
# Output
output: []
";

    #[test]
    fn split_stops_at_the_output_document() {
        let (input, output) = split(CASE);
        assert!(input.ends_with("port: 80\n"));
        assert_eq!(output, Some("---\n# Output\noutput: []\n"));
        assert_eq!(split("kind: X\n"), ("kind: X\n", None));
    }

    #[test]
    fn wrong_types_name_the_field() {
        let bad = CASE.replace("port: 80", "port: eighty");
        let err = load(&bad).expect_err("a string port is rejected");
        assert!(err.contains("document 1 (AgentgatewayBackend b)"), "{err}");
        assert!(err.contains("spec.static.port"), "{err}");
        assert!(err.contains("line 10"), "{err}");
    }

    #[test]
    fn bad_files_get_clear_errors() {
        assert!(
            load("a: [")
                .expect_err("not YAML")
                .contains("not valid YAML")
        );
        assert!(
            load("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n")
                .expect_err("no backend")
                .contains("no AgentgatewayBackend")
        );
        assert!(
            load("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
                .expect_err("unsupported kind")
                .contains("unsupported kind Pod")
        );
        assert!(
            load("- 1\n")
                .expect_err("not an object")
                .contains("expected a Kubernetes object")
        );
    }

    #[test]
    fn output_is_replaced_not_appended() {
        let t = run(CASE).expect("loads");
        let updated = with_output(CASE, &t).expect("renders");
        assert_eq!(updated.matches(OUTPUT_MARKER).count(), 1);
        // One separator line between the inputs and the output, whatever the inputs end with.
        assert!(updated.contains("port: 80\n---\n"), "{updated}");
        let (input, _) = split(CASE);
        let unterminated = with_output(input.trim_end(), &t).expect("renders");
        assert!(unterminated.contains("port: 80\n---\n"), "{unterminated}");
        assert!(with_output("", &t).expect("renders").starts_with("---\n"));
        assert_eq!(expected(&updated).expect("parses"), Some(render(&t)));
    }

    #[test]
    fn output_strings_that_yaml_1_1_reads_otherwise_are_quoted() {
        let case = CASE
            .replace("namespace: default", "namespace: 'on'")
            .replace("name: b", "name: 'no'")
            .replace("host: example.com", "host: 'y'");
        let t = run(&case).expect("loads");
        let yaml = render_yaml(&t).expect("renders");
        for plain in [": on\n", ": no\n", ": y\n"] {
            assert!(!yaml.contains(plain), "{plain:?} in\n{yaml}");
        }
        assert!(yaml.contains("'on'") && yaml.contains("'y'"), "{yaml}");
        let back: Value =
            serde_yaml::from_str(yaml.trim_start_matches(OUTPUT_MARKER)).expect("parses");
        assert_eq!(back, render(&t));
    }
}
