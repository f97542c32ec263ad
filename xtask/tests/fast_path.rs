//! The fast paths of `gen-crds` give byte-identical output to the compiled path.
//!
//! On a copy of the workspace, rounds of generated edits: doc comments reworded,
//! lengthened, given odd characters, lines added; a field added; a function's doc
//! edited. Each round runs `gen-crds` as a maintainer does (taking a fast path when it
//! can), then `gen-crds --full --check`, which compiles the types and fails unless
//! every generated file (templates, reference pages, JSON Schemas) is byte for byte
//! what the compiler's output gives.
//!
//! The copy builds in `target/fast-path-test` (its own target directory: a cold build
//! the first time, about two minutes on two cores). `FAST_PATH_SEED=<n>` picks other
//! random edits; `FAST_PATH_ROUNDS=<n>` runs more of them.

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
        c.current_dir(&self.root)
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("CI")
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

    // A new documented field: compiled.
    edit(
        &ws,
        "api/src/v1alpha1/backend/mod.rs",
        "pub struct StaticBackend {\n",
        "pub struct StaticBackend {\n    /// A field added by the fast-path test.\n    #[serde(default, skip_serializing_if = \"Option::is_none\")]\n    pub fast_path_test: Option<String>,\n",
    );
    let how = ws.regenerate();
    assert!(
        how.contains(COMPILED),
        "a structural edit was not compiled: {how}"
    );
    ws.assert_compiled_agrees("field added");

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
}
