//! The table of custom resources the apiserver must accept or reject.
//!
//! Layout: `e2e/cases/<plural>/valid/*.yaml` and `e2e/cases/<plural>/invalid/*.yaml`,
//! one object per file. A header of `#` comments at the top of a file says what the
//! case checks:
//!
//! ```yaml
//! # Free text describing the case.
//! # covers: enum, default
//! # expect: spec.mcp.targets[0].static.policies.mcp.authorization.action = Allow
//! # expect-absent: spec.static
//! # expect-error: Unsupported value: "Sticky"
//! ```
//!
//! - `covers:` the validation kinds ([`Check`]) the case exercises;
//! - `expect: <path> = <YAML value>` (valid cases): the field of the object read back
//!   from the apiserver, e.g. a default filled in;
//! - `expect-absent: <path>` (valid cases): the field is not in the object read back,
//!   e.g. pruned;
//! - `expect-error: <text>` (invalid cases, at least one): a substring of the
//!   rejection message. Several lines must all appear.
//!
//! `metadata.name` defaults to the file name; the namespace is set by the runner.

use anyhow::{Context, bail};
use serde_json::Value;
use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

/// The validation kinds and how a schema's are found: crdgen's, beside the markers
/// that write them.
pub use crdgen::coverage::{Check, checks_used};

/// What the apiserver must do with a case.
#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    /// Store it; the object read back has these fields (and lacks the absent ones).
    Accepted {
        fields: Vec<(String, Value)>,
        absent: Vec<String>,
    },
    /// Reject it with a message containing every one of these.
    Rejected { messages: Vec<String> },
}

/// One case file.
#[derive(Clone, Debug)]
pub struct Case {
    pub file: PathBuf,
    pub covers: BTreeSet<Check>,
    pub expect: Expect,
    pub object: Value,
}

impl Case {
    /// The object's name (set from the file name when the file has none).
    pub fn name(&self) -> &str {
        self.object["metadata"]["name"].as_str().unwrap_or_default()
    }

    pub fn kind(&self) -> &str {
        self.object["kind"].as_str().unwrap_or_default()
    }

    /// Parses a case; `valid` says which directory it is in.
    pub fn parse(file: &Path, text: &str, valid: bool) -> anyhow::Result<Self> {
        let mut covers = BTreeSet::new();
        let (mut fields, mut absent, mut messages) = (vec![], vec![], vec![]);
        for line in text.lines().take_while(|l| l.starts_with('#')) {
            let body = line.trim_start_matches('#').trim();
            let Some((key, value)) = body.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "covers" => {
                    for c in value.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                        covers.insert(c.parse().map_err(anyhow::Error::msg)?);
                    }
                }
                "expect" => {
                    let (path, v) = value
                        .split_once(" = ")
                        .with_context(|| format!("`expect: {value}` needs `<path> = <value>`"))?;
                    let v: Value = serde_yaml::from_str(v.trim())
                        .with_context(|| format!("the value of `expect: {value}`"))?;
                    parse_path(path.trim())?;
                    fields.push((path.trim().to_owned(), v));
                }
                "expect-absent" => {
                    parse_path(value)?;
                    absent.push(value.to_owned());
                }
                "expect-error" => messages.push(value.to_owned()),
                k if k.starts_with("expect") || k == "cover" => {
                    bail!(
                        "unknown header `{k}:` (known: covers, expect, expect-absent, expect-error)"
                    )
                }
                _ => {}
            }
        }
        let expect = if valid {
            if !messages.is_empty() {
                bail!("a valid case cannot have `expect-error:` (move it to invalid/)");
            }
            Expect::Accepted { fields, absent }
        } else {
            if !fields.is_empty() || !absent.is_empty() {
                bail!(
                    "an invalid case cannot have `expect:`/`expect-absent:` (it is never stored)"
                );
            }
            if messages.is_empty() {
                bail!("an invalid case needs at least one `# expect-error: <message substring>`");
            }
            Expect::Rejected { messages }
        };
        let mut object: Value = serde_yaml::from_str(text).context("parsing the object")?;
        if !object.is_object() || !object["kind"].is_string() || !object["apiVersion"].is_string() {
            bail!("the file must hold one object with apiVersion and kind");
        }
        if !object["metadata"]["name"].is_string() {
            let stem = file
                .file_stem()
                .and_then(|s| s.to_str())
                .context("file name")?;
            object["metadata"]["name"] = stem.into();
        }
        Ok(Self {
            file: file.to_owned(),
            covers,
            expect,
            object,
        })
    }
}

/// The cases for one CRD: the files under `e2e/cases/<plural>/`.
#[derive(Clone, Debug)]
pub struct CrdCases {
    pub plural: String,
    pub cases: Vec<Case>,
}

/// Loads `<dir>/valid/*.yaml` and `<dir>/invalid/*.yaml` (in file name order).
pub fn load_dir(dir: &Path) -> anyhow::Result<Vec<Case>> {
    let mut cases = vec![];
    for (sub, valid) in [("valid", true), ("invalid", false)] {
        cases.extend(load_files(&dir.join(sub), valid)?);
    }
    Ok(cases)
}

/// Loads every `*.yaml` case in `dir`, all valid or all invalid.
pub fn load_files(dir: &Path, valid: bool) -> anyhow::Result<Vec<Case>> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(vec![]);
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let text = fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
            Case::parse(f, &text, valid).with_context(|| format!("in case {}", f.display()))
        })
        .collect()
}

/// Every CRD's cases: one directory per plural under `root`.
pub fn load_all(root: &Path) -> anyhow::Result<Vec<CrdCases>> {
    let mut out = vec![];
    let mut dirs: Vec<PathBuf> = fs::read_dir(root)
        .with_context(|| format!("reading {}", root.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let plural = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        out.push(CrdCases {
            cases: load_dir(&dir)?,
            plural,
        });
    }
    Ok(out)
}

/// Problems with the table as a whole: a CRD of the chart without valid and invalid
/// cases, a directory or object that matches no CRD, two cases with one name, or a
/// validation kind the CRDs use that no case covers.
pub fn table_problems(
    table: &[CrdCases],
    crds: &[crdgen::CrdSource],
    chart_crds: &[Value],
) -> Vec<String> {
    let mut problems = vec![];
    for src in crds {
        let cases = table.iter().find(|t| t.plural == src.plural());
        let count = |valid: bool| {
            cases.map_or(0, |t| {
                t.cases
                    .iter()
                    .filter(|c| matches!(c.expect, Expect::Accepted { .. }) == valid)
                    .count()
            })
        };
        if count(true) == 0 || count(false) == 0 {
            problems.push(format!(
                "CRD {} needs cases: add e2e/cases/{}/valid/*.yaml and e2e/cases/{}/invalid/*.yaml",
                src.crd_name(),
                src.plural(),
                src.plural()
            ));
        }
    }
    for t in table {
        let Some(src) = crds.iter().find(|s| s.plural() == t.plural) else {
            problems.push(format!(
                "e2e/cases/{} matches no CRD of the API (directories are named by plural)",
                t.plural
            ));
            continue;
        };
        let mut names = BTreeMap::new();
        for c in &t.cases {
            if c.kind() != src.kind() {
                problems.push(format!(
                    "{}: kind {} in the directory of {}",
                    c.file.display(),
                    c.kind(),
                    src.kind()
                ));
            }
            if let Some(other) = names.insert(c.name().to_owned(), &c.file) {
                problems.push(format!(
                    "{} and {}: both are named {}",
                    other.display(),
                    c.file.display(),
                    c.name()
                ));
            }
        }
    }
    let used: BTreeSet<Check> = chart_crds.iter().flat_map(checks_used).collect();
    let covered: BTreeSet<Check> = table
        .iter()
        .flat_map(|t| &t.cases)
        .flat_map(|c| c.covers.iter().copied())
        .collect();
    for missing in used.difference(&covered) {
        problems.push(format!(
            "the CRDs use `{missing}` validations but no case says `# covers: {missing}`"
        ));
    }
    problems
}

/// A step of a field path: `spec.targets[0].name`.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Parses `a.b[0].c` into steps.
pub fn parse_path(path: &str) -> anyhow::Result<Vec<Step>> {
    let mut steps = vec![];
    for part in path.split('.') {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if key.is_empty() {
            bail!("empty field name in path {path:?}");
        }
        steps.push(Step::Key(key.to_owned()));
        while !rest.is_empty() {
            let (index, after) = rest
                .split_once(']')
                .with_context(|| format!("unclosed `[` in path {path:?}"))?;
            steps.push(Step::Index(index.parse().with_context(|| {
                format!("bad index {index:?} in path {path:?}")
            })?));
            rest = after.strip_prefix('[').unwrap_or(after);
            if !after.is_empty() && !after.starts_with('[') {
                bail!("unexpected {after:?} after `]` in path {path:?}");
            }
        }
    }
    Ok(steps)
}

/// The value at `path` in `v`, if any.
pub fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let steps = parse_path(path).ok()?;
    steps.iter().try_fold(v, |v, s| match s {
        Step::Key(k) => v.get(k),
        Step::Index(i) => v.get(i),
    })
}

/// Checks the `expect:`/`expect-absent:` lines against an object read back.
pub fn check_fields(expect: &Expect, object: &Value) -> Vec<String> {
    let Expect::Accepted { fields, absent } = expect else {
        return vec![];
    };
    let mut problems = vec![];
    for (path, want) in fields {
        match lookup(object, path) {
            Some(got) if got == want => {}
            Some(got) => problems.push(format!("{path}: expected {want}, got {got}")),
            None => problems.push(format!("{path}: expected {want}, but it is absent")),
        }
    }
    for path in absent {
        if let Some(got) = lookup(object, path) {
            problems.push(format!("{path}: expected absent, got {got}"));
        }
    }
    problems
}

/// Checks a rejection message against the `expect-error:` lines.
pub fn check_rejection(expect: &Expect, message: &str) -> Vec<String> {
    let Expect::Rejected { messages } = expect else {
        return vec![];
    };
    messages
        .iter()
        .filter(|m| !message.contains(m.as_str()))
        .map(|m| format!("the rejection does not mention {m:?}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const VALID: &str = "# Defaults fill in.\n# covers: default, enum\n# expect: spec.a[0].b = 5m\n# expect: spec.n = 3\n# expect-absent: spec.gone\napiVersion: x/v1\nkind: K\nspec:\n  a: [{}]\n";

    #[test]
    fn a_valid_case_is_parsed_with_its_expectations() {
        let c =
            Case::parse(Path::new("e2e/cases/ks/valid/defaults.yaml"), VALID, true).expect("parse");
        assert_eq!(c.name(), "defaults");
        assert_eq!(c.kind(), "K");
        assert_eq!(c.covers, BTreeSet::from([Check::Default, Check::Enum]));
        assert_eq!(
            c.expect,
            Expect::Accepted {
                fields: vec![
                    ("spec.a[0].b".into(), json!("5m")),
                    ("spec.n".into(), json!(3))
                ],
                absent: vec!["spec.gone".into()],
            }
        );
        let read_back = json!({"spec": {"a": [{"b": "5m"}], "n": 3}});
        assert!(check_fields(&c.expect, &read_back).is_empty());
        let wrong = json!({"spec": {"a": [{"b": "1m"}], "gone": 1}});
        let problems = check_fields(&c.expect, &wrong);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("expected \"5m\", got \"1m\""));
    }

    #[test]
    fn an_invalid_case_needs_an_expected_message() {
        let text = "# covers: enum\napiVersion: x/v1\nkind: K\nmetadata: {name: n}\n";
        let err = Case::parse(Path::new("x.yaml"), text, false).expect_err("no message");
        assert!(err.to_string().contains("expect-error"), "{err}");
        let text = format!("# expect-error: Unsupported value\n# expect-error: \"Sticky\"\n{text}");
        let c = Case::parse(Path::new("x.yaml"), &text, false).expect("parse");
        assert_eq!(c.name(), "n");
        assert!(check_rejection(&c.expect, "spec.x: Unsupported value: \"Sticky\"").is_empty());
        assert_eq!(
            check_rejection(&c.expect, "spec.x: Unsupported value").len(),
            1
        );
    }

    #[test]
    fn typos_in_headers_are_errors() {
        for header in [
            "# expect-eror: x",
            "# covers: enums",
            "# expect: spec.a[x] = 1",
        ] {
            let text = format!("{header}\napiVersion: x/v1\nkind: K\n");
            assert!(
                Case::parse(Path::new("x.yaml"), &text, true).is_err(),
                "{header} was accepted"
            );
        }
        let text = "# expect-error: no\napiVersion: x/v1\nkind: K\n";
        assert!(Case::parse(Path::new("x.yaml"), text, true).is_err());
    }

    #[test]
    fn paths_are_parsed() {
        assert_eq!(
            parse_path("a.b[2][0].c").expect("path"),
            vec![
                Step::Key("a".into()),
                Step::Key("b".into()),
                Step::Index(2),
                Step::Index(0),
                Step::Key("c".into())
            ]
        );
        assert!(parse_path("a..b").is_err());
        assert!(parse_path("a[1").is_err());
        assert!(parse_path("a[1]b").is_err());
    }

    #[test]
    fn the_validation_kinds_of_a_schema_are_found() {
        let crd = json!({"spec": {"versions": [{"schema": {"openAPIV3Schema": {
            "type": "object",
            "required": ["spec"],
            "properties": {"spec": {
                "type": "object",
                "x-kubernetes-validations": [
                    {"rule": "r", "message": "exactly one of the fields in [a b] must be set"},
                    {"rule": "r", "message": "custom"},
                ],
                "properties": {
                    "l": {"type": "array", "maxItems": 3, "x-kubernetes-list-type": "map",
                          "items": {"type": "string", "pattern": "^a$"}},
                    "m": {"type": "object", "additionalProperties": {"x-kubernetes-int-or-string": true}},
                },
            }},
        }}}]}});
        assert_eq!(
            checks_used(&crd),
            BTreeSet::from([
                Check::Required,
                Check::ExactlyOneOf,
                Check::Cel,
                Check::Items,
                Check::ListMap,
                Check::Pattern,
                Check::IntOrString,
            ])
        );
    }

    #[test]
    fn check_names_round_trip() {
        for c in Check::ALL {
            assert_eq!(c.name().parse::<Check>(), Ok(*c));
        }
    }
}
