//! The fast paths of `gen-crds` give byte-identical output to the compiled path.
//!
//! On a copy of the workspace, rounds of generated edits: doc comments reworded,
//! lengthened, given odd characters, lines added; a function's doc edited; fields
//! added (of every type and attribute the field-edit path models), removed, renamed,
//! given new bounds. Each round runs `gen-crds` as a maintainer does (taking a fast
//! path when it can), then `gen-crds --full --check`, which compiles the types and
//! fails unless every generated file (templates, reference pages, JSON Schemas) is
//! byte for byte what the compiler's output gives.
//!
//! The copy builds in `target/fast-path-test` (its own target directory: a cold build
//! the first time, about two minutes on two cores). `FAST_PATH_SEED=<n>` picks other
//! random edits; `FAST_PATH_ROUNDS=<n>` runs more of them (of each kind).

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Output},
};

/// What the copy needs: the workspace manifest and lock file, every member, and the
/// generated files.
const COPIED: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    ".cargo",
    "api",
    "crdgen",
    "e2e",
    "translate",
    "validate",
    "xtask",
    "install",
    "docs",
    "schemas",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

fn copy_tree(from: &Path, to: &Path) {
    let meta = fs::metadata(from).expect("source exists");
    if meta.is_file() {
        fs::create_dir_all(to.parent().expect("parent")).expect("create dir");
        fs::copy(from, to).expect("copy file");
        return;
    }
    fs::create_dir_all(to).expect("create dir");
    for entry in fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name == "target" || name == ".cache" {
            continue;
        }
        copy_tree(&entry.path(), &to.join(name));
    }
}

struct Workspace {
    _dir: tempfile::TempDir,
    root: PathBuf,
    target: PathBuf,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("ws");
        for item in COPIED {
            let from = self::root().join(item);
            if from.exists() {
                copy_tree(&from, &root.join(item));
            }
        }
        let target = self::root().join("target").join("fast-path-test");
        let ws = Self {
            _dir: dir,
            root,
            target,
        };
        let built = ws
            .cargo()
            .args(["build", "--quiet", "--package", "xtask"])
            .output()
            .expect("cargo build");
        assert!(built.status.success(), "{}", text(&built));
        ws
    }

    fn cargo(&self) -> Command {
        let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        // As a maintainer runs it: CI turns incremental builds off for its own build.
        c.current_dir(&self.root)
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("CI")
            .env_remove("CARGO_INCREMENTAL")
            .env_remove("XTASK_TIMINGS");
        c
    }

    fn gen_crds(&self, args: &[&str]) -> Output {
        let mut c = Command::new(self.target.join("debug").join("xtask"));
        c.arg("gen-crds")
            .args(args)
            .current_dir(&self.root)
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("CI")
            .env_remove("CARGO_INCREMENTAL")
            .env_remove("XTASK_TIMINGS")
            .env_remove("CRDGEN_CACHE_DIR");
        c.output().expect("run xtask")
    }

    /// `gen-crds` as a maintainer runs it; what it said about pass 1.
    fn regenerate(&self) -> String {
        let out = self.gen_crds(&[]);
        assert!(out.status.success(), "gen-crds failed:\n{}", text(&out));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    /// The compiled path agrees with every generated file on disk.
    fn assert_compiled_agrees(&self, round: &str) {
        let out = self.gen_crds(&["--full", "--check"]);
        assert!(
            out.status.success(),
            "{round}: the fast path's files differ from the compiled types':\n{}",
            text(&out)
        );
    }

    fn api_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut dirs = vec![self.root.join("api/src")];
        while let Some(d) = dirs.pop() {
            for e in fs::read_dir(&d).expect("read dir") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        out.sort();
        out
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const FAST: &str = "without compiling";
const FIELDS: &str = "schemas edited without compiling";
const COMPILED: &str = "compiled the API types";
const UNCHANGED: &str = "API types unchanged since their last build";

/// Texts for edited doc comments: punctuation, quotes, backslashes, Helm braces,
/// YAML 1.1 words, Markdown, non-ASCII.
const PHRASES: &[&str] = &[
    "Reworded for the reader.",
    "Uses \"quotes\", 'apostrophes' and a back\\slash.",
    "Mentions {{ .Values.x }} and `code`.",
    "on",
    "key: value, - item, # not a heading",
    "Défaut: 30s ✓",
    "Ends with spaces.   ",
    "See <https://example.com/a_b> and *emphasis*.",
];

/// Applies `n` random doc-comment edits to the copy's API sources.
fn random_doc_edits(ws: &Workspace, rng: &mut fastrand::Rng, n: usize) {
    let files = ws.api_files();
    for _ in 0..n {
        let path = &files[rng.usize(..files.len())];
        let source = fs::read_to_string(path).expect("read");
        let lines: Vec<&str> = source.lines().collect();
        let docs: Vec<usize> = (0..lines.len())
            .filter(|&i| {
                let t = lines[i].trim_start();
                t.starts_with("/// ") && !t.starts_with("////")
            })
            .collect();
        if docs.is_empty() {
            continue;
        }
        let at = docs[rng.usize(..docs.len())];
        let indent = &lines[at][..lines[at].len() - lines[at].trim_start().len()];
        let phrase = PHRASES[rng.usize(..PHRASES.len())];
        let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        match rng.u8(..4) {
            // Reword the line.
            0 => out[at] = format!("{indent}/// {phrase}"),
            // Lengthen it.
            1 => out[at] = format!("{} {phrase}", lines[at].trim_end()),
            // A line after it.
            2 => out.insert(at + 1, format!("{indent}/// {phrase}")),
            // A paragraph after it.
            _ => {
                out.insert(at + 1, format!("{indent}///"));
                out.insert(at + 2, format!("{indent}/// {phrase}"));
            }
        }
        fs::write(path, out.join("\n") + "\n").expect("write");
    }
}

/// The number in environment variable `name`, or `default`.
fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn edit(ws: &Workspace, file: &str, from: &str, to: &str) {
    let path = ws.root.join(file);
    let source = fs::read_to_string(&path).expect("read");
    assert!(source.contains(from), "{file} no longer holds {from:?}");
    fs::write(&path, source.replacen(from, to, 1)).expect("write");
}

#[test]
fn fast_paths_give_the_compiled_output() {
    let ws = Workspace::new();
    // The cache starts from a compiled build of the copy as it is.
    let first = ws.regenerate();
    assert!(
        first.contains(COMPILED) || first.contains("unchanged"),
        "{first}"
    );
    assert_eq!(ws.regenerate(), UNCHANGED);

    // A doc comment only one field has: taken without compiling.
    edit(
        &ws,
        "api/src/v1alpha1/backend/mod.rs",
        "/// Sends traffic to a fixed host and port.",
        "/// Sends traffic to one fixed host and port, \"as configured\".",
    );
    let how = ws.regenerate();
    assert!(how.contains(FAST), "a unique doc edit compiled: {how}");
    ws.assert_compiled_agrees("unique doc edit");

    // A new documented field: its schema built without compiling.
    edit(
        &ws,
        "api/src/v1alpha1/backend/mod.rs",
        "pub struct StaticBackend {\n",
        "pub struct StaticBackend {\n    /// A field added by the fast-path test.\n    #[serde(default, skip_serializing_if = \"Option::is_none\")]\n    pub fast_path_test: Option<String>,\n",
    );
    let how = ws.regenerate();
    assert!(how.contains(FIELDS), "a new string field compiled: {how}");
    ws.assert_compiled_agrees("field added");

    // Renamed, a bound changed, a field of a type the API has, a new unit enum and a
    // field of it: each without compiling.
    let fixed: &[(&str, &str, &str, &str)] = &[
        (
            "renamed",
            "    pub fast_path_test: Option<String>,\n",
            "    pub fast_path_renamed: Option<String>,\n",
            "",
        ),
        (
            "bound",
            "    #[schemars(length(min = 1, max = 256))]\n    pub host: Option<String>,",
            "    #[schemars(length(min = 1, max = 255))]\n    pub host: Option<String>,",
            "",
        ),
        (
            "field of an existing type",
            "    pub fast_path_renamed: Option<String>,\n",
            "    pub fast_path_renamed: Option<String>,\n    /// A reference.\n    pub fast_path_ref: Option<shared::LocalObjectReference>,\n",
            "",
        ),
        (
            "new unit enum",
            "    pub fast_path_ref: Option<shared::LocalObjectReference>,\n",
            "    pub fast_path_ref: Option<shared::LocalObjectReference>,\n    /// A mode.\n    pub fast_path_mode: Option<FastPathMode>,\n",
            "\n/// Modes of the fast-path test.\n#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]\n#[schemars(transform = markers::enum_sorted)]\npub enum FastPathMode {\n    /// Slowly.\n    Slow,\n    /// Quickly.\n    Fast,\n}\n",
        ),
        (
            "a field with a marker function of the API",
            "    pub fast_path_mode: Option<FastPathMode>,\n",
            "    pub fast_path_mode: Option<FastPathMode>,\n    /// Conditions.\n    #[schemars(transform = shared::conditions)]\n    pub fast_path_conditions: Option<Vec<shared::Condition>>,\n",
            "",
        ),
        (
            "a struct's marker",
            "\"unixPath and host/port are mutually exclusive\"",
            "\"unixPath excludes host and port\"",
            "",
        ),
    ];
    for (what, from, to, append) in fixed {
        edit(&ws, "api/src/v1alpha1/backend/mod.rs", from, to);
        if !append.is_empty() {
            let path = ws.root.join("api/src/v1alpha1/backend/mod.rs");
            let text = fs::read_to_string(&path).expect("read");
            fs::write(&path, text + append).expect("write");
        }
        let how = ws.regenerate();
        assert!(how.contains(FIELDS), "{what}: compiled: {how}");
        ws.assert_compiled_agrees(what);
    }

    // A new field of a type from another crate: compiled, saying why.
    edit(
        &ws,
        "api/src/v1alpha1/backend/mod.rs",
        "    pub fast_path_renamed: Option<String>,\n",
        "    pub fast_path_renamed: Option<String>,\n    /// A count.\n    pub fast_path_count: Option<std::num::NonZeroU32>,\n",
    );
    let how = ws.regenerate();
    assert!(how.contains(COMPILED), "{how}");
    assert!(how.contains("another crate's"), "{how}");
    ws.assert_compiled_agrees("a field of another crate's type");

    // A marker function that is more than markers: compiled, saying why.
    edit(
        &ws,
        "api/src/v1alpha1/backend/mod.rs",
        "    pub fast_path_renamed: Option<String>,\n",
        "    pub fast_path_renamed: Option<String>,\n    /// Values.\n    #[schemars(transform = shared::preserved_values)]\n    pub fast_path_values: Option<Vec<String>>,\n",
    );
    let how = ws.regenerate();
    assert!(how.contains(COMPILED), "{how}");
    assert!(
        how.contains("transform `shared :: preserved_values` runs only when compiled"),
        "{how}"
    );
    ws.assert_compiled_agrees("a marker function with code");

    // The doc comment of a function is in no schema: compiled, not guessed.
    edit(
        &ws,
        "api/src/lib.rs",
        "/// Every CRD of the chart,",
        "/// All the CRDs of the chart,",
    );
    let how = ws.regenerate();
    assert!(how.contains(COMPILED), "{how}");
    assert!(how.contains("not a description"), "{how}");
    ws.assert_compiled_agrees("function doc");

    // Random doc edits: each round either takes the fast path or says why not.
    let seed = env_number("FAST_PATH_SEED", 20261128);
    let rounds = env_number("FAST_PATH_ROUNDS", 8);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut fast = 0;
    for round in 0..rounds {
        random_doc_edits(&ws, &mut rng, 1 + round % 3);
        let how = ws.regenerate();
        eprintln!("seed {seed}, round {round}: {how}");
        // An edit can restore a line an earlier round wrote: then nothing changed.
        assert!(
            how.contains(FAST) || how.contains(COMPILED) || how.contains(UNCHANGED),
            "{how}"
        );
        fast += usize::from(how.contains(FAST));
        ws.assert_compiled_agrees(&format!("seed {seed}, round {round}: {how}"));
    }
    assert!(
        fast > 0,
        "seed {seed}: no random round took the fast path; the test proves nothing"
    );

    // Random field edits: each round either takes the field-edit path or says why
    // not, and agrees with the compiler.
    let mut fields_fast = 0;
    for round in 0..rounds {
        let what = random_field_edit(&ws, &mut rng, round);
        let how = ws.regenerate();
        eprintln!("seed {seed}, field round {round}: {what}: {how}");
        assert!(
            how.contains(FIELDS) || how.contains(COMPILED) || how.contains(UNCHANGED),
            "{how}"
        );
        fields_fast += usize::from(how.contains(FIELDS));
        ws.assert_compiled_agrees(&format!("seed {seed}, field round {round}: {what}: {how}"));
    }
    assert!(
        fields_fast > 0,
        "seed {seed}: no random field round took the field-edit path; the test proves nothing"
    );
}

/// A field line of a struct: `    pub name: Type,`; its name.
fn field_name(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("    pub ")?;
    let (name, ty) = rest.split_once(": ")?;
    (ty.ends_with(',') && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

/// Whether `word` occurs exactly once, as a word, in all of the API's sources.
fn unique_word(ws: &Workspace, word: &str) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut n = 0;
    for path in ws.api_files() {
        let text = fs::read_to_string(path).expect("read");
        n += text
            .match_indices(word)
            .filter(|(i, _)| {
                !text[..*i].chars().next_back().is_some_and(is_word)
                    && !text[i + word.len()..].chars().next().is_some_and(is_word)
            })
            .count();
    }
    n == 1
}

/// New fields of the types and attributes the field-edit path models.
const NEW_FIELDS: &[(&str, &str)] = &[
    ("", "Option<String>"),
    ("#[schemars(length(min = 1, max = 63))]", "Option<String>"),
    ("#[schemars(range(min = 1, max = 10))]", "Option<i32>"),
    ("#[serde(default)]", "bool"),
    ("#[schemars(length(max = 4))]", "Option<Vec<String>>"),
    ("", "Option<std::collections::BTreeMap<String, String>>"),
    ("#[schemars(regex(pattern = \"^[a-z]+$\"))]", "String"),
    (
        "#[serde(default, skip_serializing_if = \"Option::is_none\")]",
        "Option<u32>",
    ),
    // Marker functions of the API, one with a constant of the API as an argument.
    (
        "#[schemars(transform = crate::v1alpha1::shared::cel_expression)]",
        "Option<String>",
    ),
    (
        "#[schemars(transform = crate::v1alpha1::shared::header_name)]",
        "String",
    ),
    (
        "#[schemars(length(min = 1), transform = crate::v1alpha1::shared::conditions)]",
        "Option<Vec<crate::v1alpha1::shared::Condition>>",
    ),
];

/// One random edit of a struct's fields in the copy's API sources: a field added,
/// removed or renamed, a bound changed, or a new struct or unit enum and a field of
/// it. Fields whose name appears elsewhere in
/// the sources (in code that uses them) are not removed or renamed.
fn random_field_edit(ws: &Workspace, rng: &mut fastrand::Rng, round: usize) -> String {
    let files = ws.api_files();
    loop {
        let path = &files[rng.usize(..files.len())];
        let source = fs::read_to_string(path).expect("read");
        let mut lines: Vec<String> = source.lines().map(str::to_owned).collect();
        let fields: Vec<usize> = (0..lines.len())
            .filter(|&i| field_name(&lines[i]).is_some())
            .collect();
        if fields.is_empty() {
            continue;
        }
        let at = fields[rng.usize(..fields.len())];
        let name = field_name(&lines[at]).expect("a field").to_owned();
        // The field's doc comments and attributes: the lines since the previous
        // field or the struct's opening line.
        let mut start = at;
        while start > 0 && {
            let t = lines[start - 1].trim_start();
            t.starts_with("///")
                || t.starts_with("#[")
                || t.starts_with(')')
                || t.starts_with("transform")
        } {
            start -= 1;
        }
        let file = path
            .strip_prefix(&ws.root)
            .unwrap_or(path)
            .display()
            .to_string();
        let derives = source.contains("use schemars::JsonSchema;")
            && source.contains("use serde::{Deserialize, Serialize};");
        let what = match rng.u8(..6) {
            0 => {
                let (attr, ty) = NEW_FIELDS[rng.usize(..NEW_FIELDS.len())];
                let new = format!("fast_path_field_{round}");
                let mut insert = vec![format!("    /// Added by round {round}: {ty}.")];
                if !attr.is_empty() {
                    insert.push(format!("    {attr}"));
                }
                insert.push(format!("    pub {new}: {ty},"));
                lines.splice(at + 1..at + 1, insert);
                format!("{file}: {new}: {ty} {attr} added after {name}")
            }
            1 if unique_word(ws, &name)
                && (start == 0
                    || field_name(&lines[start - 1]).is_some()
                    || lines[start - 1].ends_with('{')) =>
            {
                lines.drain(start..=at);
                format!("{file}: {name} removed")
            }
            2 if unique_word(ws, &name) => {
                lines[at] = lines[at].replacen(
                    &format!("pub {name}:"),
                    &format!("pub {name}_r{round}:"),
                    1,
                );
                format!("{file}: {name} renamed")
            }
            3 => {
                let Some(i) = (start..at).find(|&i| lines[i].contains("max = ")) else {
                    continue;
                };
                let line = &lines[i];
                let from = line.find("max = ").expect("found") + "max = ".len();
                let digits: String = line[from..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                let Ok(max) = digits.parse::<u64>() else {
                    continue;
                };
                lines[i] = format!(
                    "{}{}{}",
                    &line[..from],
                    max + 1,
                    &line[from + digits.len()..]
                );
                format!("{file}: {name}'s max bound {max} -> {}", max + 1)
            }
            // A new struct, or a new unit enum, and a field of it.
            4 | 5 if derives => {
                let new = format!("FastPathType{round}");
                let (item, field_ty) = if rng.bool() {
                    // The new struct derives `Eq`, `Hash` and `Ord`, which
                    // `Condition` does not.
                    let kinds: Vec<_> = NEW_FIELDS
                        .iter()
                        .filter(|(_, ty)| !ty.contains("Condition"))
                        .collect();
                    let (attr, ty) = kinds[rng.usize(..kinds.len())];
                    (
                        format!(
                            "/// Added by round {round}.\n#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]\n#[serde(rename_all = \"camelCase\")]\npub struct {new} {{\n    /// Its value.\n    {attr}\n    pub some_value: {ty},\n    /// Its flag.\n    pub a_flag: Option<bool>,\n}}"
                        ),
                        format!("Option<{new}>"),
                    )
                } else {
                    (
                        format!(
                            "/// Added by round {round}.\n#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]\npub enum {new} {{\n    /// The first.\n    #[default]\n    First,\n    Second,\n}}"
                        ),
                        if rng.bool() {
                            new.clone()
                        } else {
                            format!("Vec<{new}>")
                        },
                    )
                };
                lines.splice(
                    at + 1..at + 1,
                    [
                        format!("    /// Of a new type, round {round}."),
                        format!("    pub fast_path_typed_{round}: {field_ty},"),
                    ],
                );
                lines.push(String::new());
                lines.extend(item.lines().map(str::to_owned));
                format!("{file}: {new} added, and a field of it after {name}")
            }
            _ => continue,
        };
        fs::write(path, lines.join("\n") + "\n").expect("write");
        return what;
    }
}
