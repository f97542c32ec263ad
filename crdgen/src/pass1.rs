//! Pass 1 for `gen-crds`: the CRDs built from the Rust types, by compiling and running
//! a build program (the caller's `compile`: for this repository, xtask's
//! `agentgateway-crds-build`, `api/src/lib.rs` as a program), or without a compiler
//! when that is exact:
//!
//! - **unchanged**: no input of the build program changed since its last run: its
//!   last output is reused;
//! - **doc edits**: the API sources differ from the ones last compiled only in the
//!   text of doc comments: its last output is reused with those descriptions
//!   rewritten ([`crate::doc_edit`]), which is what the compiler would produce;
//! - **struct edits**: structs' fields changed (added, removed, renamed, retyped, new
//!   bounds, markers or doc comments), structs and enums were added for them, or a
//!   struct's own attributes changed, in ways [`crate::struct_edit`] can follow: its
//!   last output is reused with those schemas rebuilt or moved;
//! - **compiled**: anything else, every `--full` run, and every run in CI.
//!
//! The cache lives in `<target>/crdgen/`. Pass 1's part only ever holds the output of
//! a compiled run, with the inputs it was compiled from: reused outputs are never
//! cached as pass 1, so a fast path always starts from what the compiler produced.
//! Beside it, the files the last run generated, with the exact inputs and xtask build
//! they came from, so a run with nothing changed only compares bytes.

use crate::{
    Built,
    doc_edit::{self, Scan, Substitutions},
};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

/// The sources of the API types, scanned for doc edits.
const API_SOURCES: &str = "api/src";

/// Every other input of the build program: any change compiles. Directories are
/// read whole; missing files count as absent.
const OTHER_INPUTS: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    ".cargo/config.toml",
    ".cargo/config",
    "rust-toolchain",
    "rust-toolchain.toml",
    "api/Cargo.toml",
    "xtask/Cargo.toml",
    "xtask/build.rs",
    "crdgen/Cargo.toml",
    "crdgen/src",
];

/// Environment that can change what the build program prints: compiler flags can set
/// `--cfg`s the code reads. (The compiler's version does not change what serde,
/// schemars and kube-derive generate for given sources and Cargo.lock.)
const ENV_INPUTS: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
];

/// Bumped when the cache's format or meaning changes.
const CACHE_FORMAT: u32 = 4;

/// How pass 1 was done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum How {
    /// The build program was compiled (if needed) and run; why.
    Compiled(String),
    /// Nothing the build program reads changed since its last run.
    Unchanged,
    /// Only doc comments changed; this many were rewritten in the last output.
    DocEdits(usize),
    /// This many structs changed (fields or own attributes); their schemas were
    /// edited in the last output.
    FieldEdits(usize),
}

impl std::fmt::Display for How {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            How::Compiled(why) => write!(f, "compiled the API types ({why})"),
            How::Unchanged => write!(f, "API types unchanged since their last build"),
            How::DocEdits(n) => write!(
                f,
                "{n} doc comment(s) changed since the last build: descriptions updated \
                 without compiling (`--full` compiles)"
            ),
            How::FieldEdits(n) => write!(
                f,
                "{n} struct(s) changed since the last build: schemas edited \
                 without compiling (`--full` compiles)"
            ),
        }
    }
}

/// The output of pass 1 and how it was obtained.
pub struct Pass1 {
    pub built: Vec<Built>,
    pub how: How,
}

/// Hashes of everything the build program's output depends on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Inputs {
    format: u32,
    env: BTreeMap<String, String>,
    /// Other inputs, by path relative to the workspace root: a hash of the bytes.
    other: BTreeMap<String, [u64; 2]>,
    /// `api/src` files, by path relative to the workspace root: a hash of the bytes.
    api: BTreeMap<String, [u64; 2]>,
}

/// Every file below `dir` (or `dir` itself when it is a file), sorted.
fn files_below(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let meta = match fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if meta.is_file() {
        out.push(dir.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for e in entries {
        files_below(&e, out)?;
    }
    Ok(())
}

/// Relative path with `/` separators, as stored in the cache.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

impl Inputs {
    /// Reads and hashes every input below `root`; returns the `api/src` texts too.
    fn read(root: &Path) -> anyhow::Result<(Self, BTreeMap<String, Vec<u8>>)> {
        let mut inputs = Inputs {
            format: CACHE_FORMAT,
            ..Default::default()
        };
        for name in ENV_INPUTS {
            if let Some(v) = std::env::var_os(name) {
                inputs
                    .env
                    .insert((*name).into(), v.to_string_lossy().into_owned());
            }
        }
        let mut other = Vec::new();
        for input in OTHER_INPUTS {
            files_below(&root.join(input), &mut other)
                .with_context(|| format!("listing {input}"))?;
        }
        for path in other {
            let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            inputs
                .other
                .insert(relative(root, &path), doc_edit::hash128(&bytes));
        }
        let mut api = Vec::new();
        files_below(&root.join(API_SOURCES), &mut api).context("listing api/src")?;
        let mut texts = BTreeMap::new();
        for path in api {
            let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let rel = relative(root, &path);
            inputs.api.insert(rel.clone(), doc_edit::hash128(&bytes));
            texts.insert(rel, bytes);
        }
        Ok((inputs, texts))
    }
}

/// Where the cache lives: `<target>/crdgen`, found from the running program's path
/// (`<target>/debug/xtask`, or `<target>/debug/deps/xtask-<hash>` in tests);
/// `$CRDGEN_CACHE_DIR` overrides it.
pub fn cache_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CRDGEN_CACHE_DIR") {
        return Ok(dir.into());
    }
    let exe = std::env::current_exe().context("locating the xtask program")?;
    let mut dir = exe.parent().context("the xtask program's directory")?;
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir = dir.parent().context("the target directory")?;
    }
    let target = dir.parent().context("the target directory")?;
    Ok(target.join("crdgen"))
}

/// One cache file: what it holds, tagged with the inputs it was compiled from.
#[derive(Serialize, Deserialize)]
struct Tagged<T> {
    inputs: Inputs,
    value: T,
}

const INPUTS_FILE: &str = "inputs.json";
const BUILT_FILE: &str = "built.json";
const SCANS_FILE: &str = "scans.json";
const SOURCES_FILE: &str = "sources.bin";

fn load<T: serde::de::DeserializeOwned>(dir: &Path, file: &str) -> Option<T> {
    let bytes = fs::read(dir.join(file)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Writes a cache file whole (renamed into place) but unsynced: a cache file lost to
/// a crash costs a compile, not correctness.
fn save<T: Serialize>(dir: &Path, file: &str, value: &T) -> anyhow::Result<()> {
    write_unsynced(&dir.join(file), &serde_json::to_vec(value)?)
}

fn write_unsynced(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let write = || -> std::io::Result<()> {
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(bytes)?;
        tmp.persist(path)?;
        Ok(())
    };
    write().with_context(|| format!("writing {}", path.display()))
}

/// One run of `gen-crds` against the cache: the inputs as they are now.
pub struct Session {
    root: PathBuf,
    cache: PathBuf,
    now: Inputs,
    texts: BTreeMap<String, Vec<u8>>,
}

/// A cache file of texts: a JSON line (`header`, and the texts' lengths), then the
/// texts' bytes back to back, unescaped: writing and reading 5 MB of text as JSON
/// strings would cost more than generating it.
#[derive(Serialize, Deserialize)]
struct Bundle<H> {
    header: H,
    lens: Vec<usize>,
}

fn write_texts<H: Serialize>(path: &Path, header: H, texts: &[&str]) -> anyhow::Result<()> {
    let bundle = Bundle {
        header,
        lens: texts.iter().map(|t| t.len()).collect(),
    };
    let mut bytes = serde_json::to_vec(&bundle)?;
    bytes.push(b'\n');
    for t in texts {
        bytes.extend_from_slice(t.as_bytes());
    }
    write_unsynced(path, &bytes)
}

/// Reads a file of [`write_texts`] when `wanted` accepts its header (read first, so
/// a file that is not wanted is not read whole).
fn read_texts<H: serde::de::DeserializeOwned>(
    path: &Path,
    wanted: impl FnOnce(&H) -> bool,
) -> Option<(H, Vec<String>)> {
    use std::io::{BufRead, Read};
    let mut file = std::io::BufReader::new(fs::File::open(path).ok()?);
    let mut line = Vec::new();
    file.read_until(b'\n', &mut line).ok()?;
    let bundle: Bundle<H> = serde_json::from_slice(&line).ok()?;
    if !wanted(&bundle.header) {
        return None;
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    let mut at: usize = 0;
    let mut texts = Vec::with_capacity(bundle.lens.len());
    for len in bundle.lens {
        let end = at.checked_add(len)?;
        texts.push(String::from_utf8(bytes.get(at..end)?.to_vec()).ok()?);
        at = end;
    }
    (at == bytes.len()).then_some((bundle.header, texts))
}

/// What the last run generated, from what: the inputs and the xtask program; each
/// file's directory (0 templates, 1 reference, 2 schemas) and name.
#[derive(Serialize, Deserialize)]
struct GeneratedHeader {
    inputs: Inputs,
    program: String,
    files: Vec<(u8, String)>,
}

const GENERATED_FILE: &str = "generated.bin";

/// This xtask program, as built: its size and modification time. A rebuilt xtask
/// (e.g. a changed generator) renders again.
fn program_id() -> Option<String> {
    let meta = fs::metadata(std::env::current_exe().ok()?).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!("{}:{}", meta.len(), modified.as_nanos()))
}

impl Session {
    /// Reads and hashes the inputs of the workspace at `root`; the cache is in `cache`.
    pub fn open(root: &Path, cache: &Path) -> anyhow::Result<Self> {
        let (now, texts) = Inputs::read(root)?;
        Ok(Self {
            root: root.to_owned(),
            cache: cache.to_owned(),
            now,
            texts,
        })
    }

    /// The files the last run generated, when neither the inputs nor this program
    /// changed since.
    pub fn generated(&self) -> Option<crate::Generated> {
        let program = program_id()?;
        let (header, texts) =
            read_texts::<GeneratedHeader>(&self.cache.join(GENERATED_FILE), |h| {
                h.inputs == self.now && h.program == program
            })?;
        let mut out = crate::Generated::default();
        for ((dir, file_name), text) in header.files.into_iter().zip(texts) {
            let list = match dir {
                0 => &mut out.templates,
                1 => &mut out.reference,
                2 => &mut out.schemas,
                _ => return None,
            };
            list.push(crate::RenderedCrd { file_name, text });
        }
        Some(out)
    }

    /// Remembers what this run generated, for the next run with the same inputs.
    pub fn save_generated(&self, generated: &crate::Generated) -> anyhow::Result<()> {
        let Some(program) = program_id() else {
            return Ok(());
        };
        fs::create_dir_all(&self.cache)
            .with_context(|| format!("creating {}", self.cache.display()))?;
        let dirs = [
            &generated.templates,
            &generated.reference,
            &generated.schemas,
        ];
        let all: Vec<&crate::RenderedCrd> = dirs.iter().flat_map(|d| d.iter()).collect();
        write_texts(
            &self.cache.join(GENERATED_FILE),
            GeneratedHeader {
                inputs: self.now.clone(),
                program,
                files: (0u8..)
                    .zip(dirs)
                    .flat_map(|(i, files)| files.iter().map(move |f| (i, f.file_name.clone())))
                    .collect(),
            },
            &all.iter().map(|f| f.text.as_str()).collect::<Vec<_>>(),
        )
    }

    /// Pass 1 of `gen-crds`; `full` always compiles. `compile` compiles (when needed)
    /// and runs the build program, and returns its output.
    pub fn pass1(
        &self,
        full: bool,
        compile: impl FnOnce() -> anyhow::Result<Vec<Built>>,
    ) -> anyhow::Result<Pass1> {
        let why = if full {
            "--full".to_owned()
        } else {
            match reuse(&self.cache, &self.now, &self.texts) {
                Ok(pass1) => return Ok(pass1),
                Err(why) => why,
            }
        };
        let root = &self.root;
        let built = compile()?;
        // Cache only what was compiled from the inputs hashed above: re-read them, and
        // skip saving when a file changed while the compiler ran.
        let (after, texts) = Inputs::read(root)?;
        if after == self.now {
            self.save_compiled(&built, &texts)?;
        }
        Ok(Pass1 {
            built,
            how: How::Compiled(why),
        })
    }

    fn save_compiled(
        &self,
        built: &[Built],
        texts: &BTreeMap<String, Vec<u8>>,
    ) -> anyhow::Result<()> {
        let root = &self.root;
        // The API's files, and the generator's: its string literals (markers may set
        // descriptions) count when a doc edit's old text is checked for uniqueness.
        let mut scans = BTreeMap::new();
        let mut generator = Vec::new();
        files_below(&root.join("crdgen/src"), &mut generator).context("listing crdgen/src")?;
        for path in generator {
            let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let rel = relative(root, &path);
            if let Some(scan) = scan_file(&rel, &bytes) {
                scans.insert(rel, scan);
            }
        }
        for (path, bytes) in texts {
            if let Some(scan) = scan_file(path, bytes) {
                scans.insert(path.clone(), scan);
            }
        }
        let cache = &self.cache;
        fs::create_dir_all(cache).with_context(|| format!("creating {}", cache.display()))?;
        // Inputs last: a cache whose files disagree is not used.
        save(cache, BUILT_FILE, &self.tagged(built))?;
        save(cache, SCANS_FILE, &self.tagged(scans))?;
        let sources: Vec<(&String, &str)> = texts
            .iter()
            .filter_map(|(p, b)| Some((p, std::str::from_utf8(b).ok()?)))
            .collect();
        write_texts(
            &cache.join(SOURCES_FILE),
            self.tagged(
                sources
                    .iter()
                    .map(|(p, _)| (*p).clone())
                    .collect::<Vec<_>>(),
            ),
            &sources.iter().map(|(_, t)| *t).collect::<Vec<_>>(),
        )?;
        save(cache, INPUTS_FILE, &self.now)
    }

    /// `value`, tagged with the inputs of this run.
    fn tagged<T>(&self, value: T) -> Tagged<T> {
        Tagged {
            inputs: self.now.clone(),
            value,
        }
    }
}

/// A scan of an `api/src` Rust file, or `None` for other files and for text the
/// scanner refuses (such files are compared byte for byte).
fn scan_file(path: &str, bytes: &[u8]) -> Option<Scan> {
    if !path.ends_with(".rs") {
        return None;
    }
    doc_edit::scan(std::str::from_utf8(bytes).ok()?).ok()
}

/// The last compiled output, reused as is or with doc edits; or why it cannot be.
fn reuse(cache: &Path, now: &Inputs, texts: &BTreeMap<String, Vec<u8>>) -> Result<Pass1, String> {
    let cached: Inputs = load(cache, INPUTS_FILE).ok_or("no earlier build")?;
    if cached.format != now.format {
        return Err("the cache is from another version of xtask".into());
    }
    if cached.env != now.env {
        return Err("the compiler flags changed".into());
    }
    if cached.other != now.other {
        let changed = now
            .other
            .iter()
            .find(|(p, h)| cached.other.get(*p) != Some(*h))
            .map(|(p, _)| p.as_str())
            .or_else(|| {
                cached
                    .other
                    .keys()
                    .find(|p| !now.other.contains_key(*p))
                    .map(|p| p.as_str())
            })
            .unwrap_or("an input");
        return Err(format!("{changed} changed"));
    }
    let built: Tagged<Vec<Built>> = load(cache, BUILT_FILE).ok_or("no earlier build")?;
    if built.inputs != cached {
        return Err("the cache is incomplete".into());
    }
    if cached.api == now.api {
        return Ok(Pass1 {
            built: built.value,
            how: How::Unchanged,
        });
    }
    if cached.api.keys().ne(now.api.keys()) {
        return Err("files were added to or removed from api/src".into());
    }
    let scans: Tagged<BTreeMap<String, Scan>> =
        load(cache, SCANS_FILE).ok_or("no earlier build")?;
    if scans.inputs != cached {
        return Err("the cache is incomplete".into());
    }
    let mut edits = Vec::new();
    let mut changed = Vec::new();
    let mut structural = None;
    for (path, bytes) in texts {
        if cached.api.get(path) == now.api.get(path) {
            continue;
        }
        changed.push(path.as_str());
        let (Some(old), Some(new)) = (scans.value.get(path), scan_file(path, bytes)) else {
            return Err(format!("{path} changed"));
        };
        match doc_edit::doc_edits(old, &new) {
            Some(mut e) => edits.append(&mut e),
            None => structural = Some(path.as_str()),
        }
    }
    if let Some(path) = structural {
        return field_edits(cache, &cached, texts, &changed, built.value)
            .map_err(|why| format!("{path} changed in more than doc comments: {why}"));
    }
    let crds: Vec<&serde_json::Value> = built
        .value
        .iter()
        .filter_map(|b| b.crd.as_ref().ok())
        .collect();
    let plan = Substitutions::plan(&edits, scans.value.values(), &crds)?;
    let mut out = built.value;
    for b in &mut out {
        if let Ok(crd) = &mut b.crd {
            plan.apply(crd);
        }
    }
    Ok(Pass1 {
        built: out,
        how: How::DocEdits(plan.len()),
    })
}

/// The last compiled output with the field edits of `changed` files made
/// ([`crate::struct_edit`]), or why not.
fn field_edits(
    cache: &Path,
    cached: &Inputs,
    texts: &BTreeMap<String, Vec<u8>>,
    changed: &[&str],
    mut built: Vec<Built>,
) -> Result<Pass1, String> {
    let (header, old) =
        read_texts::<Tagged<Vec<String>>>(&cache.join(SOURCES_FILE), |h| &h.inputs == cached)
            .ok_or("the cache has no sources")?;
    let old: BTreeMap<String, String> = header.value.into_iter().zip(old).collect();
    let new: BTreeMap<String, String> = texts
        .iter()
        .map(|(p, b)| {
            std::str::from_utf8(b)
                .map(|t| (p.clone(), t.to_owned()))
                .map_err(|_| format!("{p} is not UTF-8"))
        })
        .collect::<Result<_, _>>()?;
    if built.iter().any(|b| b.crd.is_err()) {
        return Err("the last build failed".into());
    }
    let plan = {
        let crds: Vec<(&str, &serde_json::Value)> = built
            .iter()
            .filter_map(|b| Some((b.kind.as_str(), b.crd.as_ref().ok()?)))
            .collect();
        crate::struct_edit::Plan::new(&old, &new, changed, &crds)?
    };
    let mut crds: Vec<&mut serde_json::Value> = built
        .iter_mut()
        .filter_map(|b| b.crd.as_mut().ok())
        .collect();
    plan.apply(&mut crds);
    Ok(Pass1 {
        built,
        how: How::FieldEdits(plan.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::cell::Cell;

    #[test]
    fn each_way_says_what_it_did() {
        assert_eq!(
            How::Compiled("--full".into()).to_string(),
            "compiled the API types (--full)"
        );
        assert_eq!(
            How::Unchanged.to_string(),
            "API types unchanged since their last build"
        );
        assert_eq!(
            How::DocEdits(2).to_string(),
            "2 doc comment(s) changed since the last build: descriptions updated without \
             compiling (`--full` compiles)"
        );
        assert_eq!(
            How::FieldEdits(1).to_string(),
            "1 struct(s) changed since the last build: schemas edited without compiling \
             (`--full` compiles)"
        );
    }

    #[test]
    fn the_cache_is_beside_the_running_programs_profile_directory() {
        let exe = std::env::current_exe().expect("the test program");
        // `<target>/debug/deps/crdgen-<hash>`: the cache is `<target>/crdgen`.
        let target = exe
            .parent()
            .and_then(Path::parent)
            .and_then(Path::parent)
            .expect("the target directory");
        if std::env::var_os("CRDGEN_CACHE_DIR").is_none() {
            assert_eq!(cache_dir().expect("cache dir"), target.join("crdgen"));
        }
        // The program's identity is its size and modification time.
        let len = fs::metadata(&exe).expect("metadata").len();
        let id = program_id().expect("an identity");
        assert!(id.starts_with(&format!("{len}:")), "{id}");
        assert!(id.len() > format!("{len}:").len(), "{id}");
    }

    #[test]
    fn inputs_below_a_file_are_an_error_not_missing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("f");
        fs::write(&file, "x").expect("write");
        let mut out = Vec::new();
        files_below(&dir.path().join("absent"), &mut out).expect("missing is no input");
        files_below(&file.join("child"), &mut out).expect_err("a file is not a directory");
        files_below(dir.path(), &mut out).expect("a directory");
        assert_eq!(out, [file]);
    }

    /// A workspace with one API file and one generator file, and its cache.
    struct Fixture {
        dir: tempfile::TempDir,
    }

    const API: &str = "/// A widget.\npub struct Widget {\n    /// How many.\n    pub count: u8,\n}\n\n/// Helper.\nfn helper() {}\n";

    impl Fixture {
        fn new() -> Self {
            let dir = tempfile::tempdir().expect("tempdir");
            for (path, text) in [
                ("api/src/lib.rs", API),
                (
                    "crdgen/src/lib.rs",
                    "const D: &str = \"Set by a marker.\";\n",
                ),
                ("Cargo.lock", "# lock\n"),
            ] {
                let p = dir.path().join(path);
                fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
                fs::write(p, text).expect("write");
            }
            Self { dir }
        }

        fn edit(&self, path: &str, from: &str, to: &str) {
            let p = self.dir.path().join(path);
            let text = fs::read_to_string(&p).expect("read");
            assert!(text.contains(from), "{from}");
            fs::write(p, text.replacen(from, to, 1)).expect("write");
        }

        /// Pass 1 with a build program that returns what the fixture's types would
        /// give, counting its runs.
        fn pass1(&self, full: bool, runs: &Cell<u32>) -> Pass1 {
            let session =
                Session::open(self.dir.path(), &self.dir.path().join("cache")).expect("open");
            let text = fs::read_to_string(self.dir.path().join("api/src/lib.rs")).expect("read");
            session
                .pass1(full, || {
                    runs.set(runs.get() + 1);
                    Ok(vec![built(&text)])
                })
                .expect("pass 1")
        }
    }

    /// What a compiler would make of the fixture's one type (its doc comments read
    /// the simple way the fixture writes them).
    fn built(source: &str) -> Built {
        let doc = |after: &str| {
            source
                .split(after)
                .next()
                .and_then(|s| s.lines().rev().find(|l| l.trim_start().starts_with("///")))
                .map(|l| l.trim_start().trim_start_matches("///").trim().to_owned())
                .unwrap_or_default()
        };
        Built {
            kind: "Widget".into(),
            plural: "widgets".into(),
            group: "example.dev".into(),
            crd: Ok(
                json!({ "spec": { "versions": [{ "schema": { "openAPIV3Schema": {
                "description": doc("pub struct Widget"),
                "properties": { "count": { "description": doc("    pub count"), "type": "integer" } },
            } } }] } }),
            ),
        }
    }

    fn description(p: &Pass1, field: bool) -> String {
        let schema = &p.built[0].crd.as_ref().expect("built")["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        let d = if field {
            &schema["properties"]["count"]["description"]
        } else {
            &schema["description"]
        };
        d.as_str().unwrap_or_default().to_owned()
    }

    #[test]
    fn compiles_once_then_reuses_then_applies_doc_edits_exactly() {
        let f = Fixture::new();
        let runs = Cell::new(0);
        let first = f.pass1(false, &runs);
        assert_eq!(first.how, How::Compiled("no earlier build".into()));
        assert_eq!(f.pass1(false, &runs).how, How::Unchanged);
        assert_eq!(runs.get(), 1);

        f.edit(
            "api/src/lib.rs",
            "/// How many.",
            "/// How many \"widgets\".\n    ///\n    /// At most 255.",
        );
        let p = f.pass1(false, &runs);
        assert_eq!(p.how, How::DocEdits(1));
        assert_eq!(runs.get(), 1, "no compile for a doc edit");
        assert_eq!(
            description(&p, true),
            "How many \"widgets\".\n\nAt most 255."
        );
        assert_eq!(description(&p, false), "A widget.");
        // Another edit is planned against the compiled output, not the edited one.
        f.edit("api/src/lib.rs", "/// A widget.", "/// A small widget.");
        let p = f.pass1(false, &runs);
        assert_eq!(p.how, How::DocEdits(2));
        assert_eq!(description(&p, false), "A small widget.");
        // Comments and layout are no change at all.
        f.edit(
            "api/src/lib.rs",
            "fn helper() {}",
            "fn helper() {} // nothing",
        );
        assert_eq!(f.pass1(false, &runs).how, How::DocEdits(2));
        assert_eq!(runs.get(), 1);
    }

    #[test]
    fn anything_else_compiles_and_says_why() {
        let f = Fixture::new();
        let runs = Cell::new(0);
        f.pass1(false, &runs);
        let why = |f: &Fixture| match f.pass1(false, &Cell::new(0)).how {
            How::Compiled(why) => why,
            other => panic!("not compiled: {other:?}"),
        };
        assert_eq!(f.pass1(true, &runs).how, How::Compiled("--full".into()));

        f.edit("api/src/lib.rs", "/// Helper.", "/// A helper.");
        assert!(
            why(&f).contains("is not a description in any CRD"),
            "{}",
            why(&f)
        );
        f.edit("api/src/lib.rs", "/// A helper.", "/// Helper.");

        f.edit("api/src/lib.rs", "u8", "u16");
        // The last compile (by `why` above) saw `/// A helper.`: the function
        // changed too, which the field-edit path refuses, saying so.
        assert_eq!(
            why(&f),
            "api/src/lib.rs changed in more than doc comments: \
             api/src/lib.rs: an item other than a struct changed"
        );
        f.pass1(false, &runs);
        f.edit("api/src/lib.rs", "u16", "u32");
        // Not a CRD's type: the field edit is not followed either, and says why.
        assert_eq!(
            why(&f),
            "api/src/lib.rs changed in more than doc comments: \
             no #[kube(kind = \"Widget\")] struct in the sources"
        );
        f.pass1(false, &runs); // compiled: the cache follows
        f.edit("api/src/lib.rs", "/// A widget.", "/// Set by a marker.");
        assert_eq!(
            f.pass1(false, &runs).how,
            How::DocEdits(1),
            "new text may be anything"
        );
        f.edit("api/src/lib.rs", "/// Set by a marker.", "/// A widget.");

        fs::write(f.dir.path().join("api/src/extra.rs"), "").expect("write");
        assert_eq!(why(&f), "files were added to or removed from api/src");
        fs::remove_file(f.dir.path().join("api/src/extra.rs")).expect("rm");

        f.edit("crdgen/src/lib.rs", "marker", "Marker");
        assert_eq!(why(&f), "crdgen/src/lib.rs changed");
        f.pass1(false, &runs);

        // An input gone is named too.
        fs::remove_file(f.dir.path().join("Cargo.lock")).expect("rm");
        assert_eq!(why(&f), "Cargo.lock changed");
    }

    #[test]
    fn a_cache_of_another_format_is_not_read() {
        let f = Fixture::new();
        let runs = Cell::new(0);
        f.pass1(false, &runs);
        let file = f.dir.path().join("cache").join(INPUTS_FILE);
        let mut inputs: serde_json::Value =
            serde_json::from_slice(&fs::read(&file).expect("read")).expect("JSON");
        assert_eq!(inputs["format"], CACHE_FORMAT, "the cache says its format");
        inputs["format"] = (CACHE_FORMAT - 1).into();
        fs::write(&file, inputs.to_string()).expect("write");
        assert_eq!(
            f.pass1(false, &runs).how,
            How::Compiled("the cache is from another version of xtask".into())
        );
        assert_eq!(runs.get(), 2);
    }

    #[test]
    fn doc_text_shared_with_a_generator_literal_is_refused() {
        let f = Fixture::new();
        f.edit("api/src/lib.rs", "/// How many.", "/// Set by a marker.");
        let runs = Cell::new(0);
        f.pass1(false, &runs);
        f.edit("api/src/lib.rs", "/// Set by a marker.", "/// How many.");
        match f.pass1(false, &runs).how {
            How::Compiled(why) => assert!(why.contains("also reads"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn generated_files_are_reused_only_for_the_same_inputs() {
        let f = Fixture::new();
        let cache = f.dir.path().join("cache");
        let session = Session::open(f.dir.path(), &cache).expect("open");
        assert_eq!(session.generated(), None);
        let generated = crate::Generated {
            templates: vec![crate::RenderedCrd {
                file_name: "a.yaml".into(),
                text: "a: 1\né\n".into(),
            }],
            reference: vec![crate::RenderedCrd {
                file_name: "a.md".into(),
                text: "# A\n".into(),
            }],
            schemas: vec![crate::RenderedCrd {
                file_name: "b.json".into(),
                text: "{}".into(),
            }],
        };
        session.save_generated(&generated).expect("save");
        let again = Session::open(f.dir.path(), &cache).expect("open");
        assert_eq!(again.generated(), Some(generated));
        f.edit("api/src/lib.rs", "/// A widget.", "/// A widget!");
        let changed = Session::open(f.dir.path(), &cache).expect("open");
        assert_eq!(changed.generated(), None);
    }
}
