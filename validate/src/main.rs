//! `agentgateway-validate [--strict] [--output text|json] FILE|DIR...`: checks
//! agentgateway.dev objects in YAML files as the apiserver would on create, without a
//! cluster. Run as `cargo xtask validate` in this repository.
//!
//! Exit status: 0 all valid, 1 some object invalid, 2 unreadable input.

use agentgateway_validate::{Validator, apiserver_message};
use anyhow::Context;
use clap::{Parser, ValueEnum};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::{
    fs,
    path::{Path, PathBuf},
    process::ExitCode,
};

#[derive(Parser)]
#[command(
    name = "agentgateway-validate",
    about = "Validate agentgateway.dev objects in YAML files as the apiserver would, offline"
)]
struct Args {
    /// Report fields the schema does not know as errors (as `kubectl create
    /// --validate=strict`) instead of dropping them.
    #[arg(long)]
    strict: bool,
    /// `text`: one line per object; `json`: one array of results in document order.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    output: Output,
    /// YAML files (several documents each allowed) or directories (searched for
    /// `*.yaml`, `*.yml` and `*.json`, recursively).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Output {
    Text,
    Json,
}

/// One object's verdict, as `--output json` prints it.
#[derive(Serialize)]
struct Verdict {
    kind: String,
    namespace: String,
    name: String,
    valid: bool,
    errors: Vec<String>,
    file: String,
    document: usize,
}

/// An object read from a file, with where it came from (document index from 0).
#[derive(Debug)]
struct Document {
    file: PathBuf,
    index: usize,
    object: Value,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let docs = match read_all(&args.paths) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let validator = match Validator::new() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut verdicts = vec![];
    let mut skipped = 0;
    for doc in &docs {
        if !Validator::is_ours(&doc.object) {
            skipped += 1;
            continue;
        }
        let errors = match validator.validate(&doc.object, args.strict) {
            Ok(_) => vec![],
            Err(errs)
                if errs
                    .iter()
                    .all(|e| e.kind == agentgateway_validate::ErrorType::UnknownField) =>
            {
                vec![apiserver_message(&errs)]
            }
            Err(errs) => errs.iter().map(ToString::to_string).collect(),
        };
        let meta = &doc.object["metadata"];
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        verdicts.push(Verdict {
            kind: text(&doc.object["kind"]),
            namespace: text(&meta["namespace"]),
            name: text(&meta["name"]),
            valid: errors.is_empty(),
            errors,
            file: doc.file.display().to_string(),
            document: doc.index,
        });
    }
    match args.output {
        Output::Json => match serde_json::to_string_pretty(&verdicts) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
        Output::Text => {
            for v in &verdicts {
                let id = if v.namespace.is_empty() {
                    format!("{}/{}", v.kind, v.name)
                } else {
                    format!("{}/{}/{}", v.kind, v.namespace, v.name)
                };
                if v.valid {
                    println!("ok {id}");
                } else {
                    println!(
                        "invalid {id} ({} document {}): {}",
                        v.file,
                        v.document,
                        v.errors.join("; ")
                    );
                }
            }
        }
    }
    let invalid = verdicts.iter().filter(|v| !v.valid).count();
    eprintln!(
        "{} objects: {} valid, {invalid} invalid; {skipped} of other API groups skipped",
        verdicts.len(),
        verdicts.len() - invalid
    );
    if invalid > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Every document of every file under `paths`, in order (directories sorted by path).
fn read_all(paths: &[PathBuf]) -> anyhow::Result<Vec<Document>> {
    let mut files = vec![];
    for p in paths {
        if p.is_dir() {
            let before = files.len();
            collect(p, &mut files)?;
            if files.len() == before {
                anyhow::bail!("{}: no *.yaml, *.yml or *.json files in it", p.display());
            }
        } else {
            files.push(p.clone());
        }
    }
    let mut docs = vec![];
    for file in files {
        let text = fs::read_to_string(&file)
            .with_context(|| format!("{}: cannot read", file.display()))?;
        docs.extend(parse(&file, &text)?);
    }
    Ok(docs)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("{}: cannot read the directory", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out)?;
        } else if p
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(p);
        }
    }
    Ok(())
}

/// The documents of one file; empty documents are skipped, anything that is not an
/// object with `apiVersion` and `kind` is an error naming the file and document.
fn parse(file: &Path, text: &str) -> anyhow::Result<Vec<Document>> {
    let mut out = vec![];
    for (index, de) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let object = Value::deserialize(de).map_err(|e| {
            anyhow::anyhow!("{} document {index}: not valid YAML: {e}", file.display())
        })?;
        if object.is_null() {
            continue;
        }
        if !object["apiVersion"].is_string() || !object["kind"].is_string() {
            anyhow::bail!(
                "{} document {index}: not a Kubernetes object (needs apiVersion and kind)",
                file.display()
            );
        }
        out.push(Document {
            file: file.to_owned(),
            index,
            object,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_read_in_order_and_bad_ones_are_named() {
        let text = "apiVersion: v1\nkind: ConfigMap\n---\n---\napiVersion: agentgateway.dev/v1alpha1\nkind: AgentgatewayModel\n";
        let docs = parse(Path::new("f.yaml"), text).expect("parse");
        assert_eq!(docs.iter().map(|d| d.index).collect::<Vec<_>>(), vec![0, 2]);
        let err = parse(Path::new("f.yaml"), "a: 1\n---\nb: [\n").expect_err("bad yaml");
        assert!(
            err.to_string()
                .starts_with("f.yaml document 0: not a Kubernetes object"),
            "{err}"
        );
        let err = parse(Path::new("f.yaml"), "kind: A\napiVersion: v\n---\nb: [\n")
            .expect_err("bad yaml");
        assert!(
            err.to_string()
                .starts_with("f.yaml document 1: not valid YAML"),
            "{err}"
        );
    }
}
