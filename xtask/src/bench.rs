//! `cargo xtask bench`: how long the maintainers' inner loop takes on this machine.
//!
//! Scenarios (each run several times; min/median/max and peak memory reported):
//! - `check`: `cargo xtask gen-crds --check` with nothing changed;
//! - `doc-edit`: a one-line doc-comment edit in `api/`, then `cargo xtask gen-crds`;
//! - `field-add`: a field added to an API type, then `cargo xtask gen-crds`;
//! - `field-remove`, `field-rename`: a field removed from / renamed in an API type
//!   (the field is added first, untimed), then `cargo xtask gen-crds`;
//! - `bound`: a length bound of a field changed, then `cargo xtask gen-crds`;
//! - `struct-add`: a new struct and a field of its type, then `cargo xtask gen-crds`;
//! - `marker`: a field's `transform` marker changed (the port range), then
//!   `cargo xtask gen-crds`;
//! - `api-marker`: a new field with a marker function of the API crate (one that
//!   only applies `crdgen` markers, which the fast path expands), then
//!   `cargo xtask gen-crds`;
//! - `api-code`: a new field with a marker function that is code (which only the
//!   compiler can run), then `cargo xtask gen-crds`;
//! - `cold`: `cargo xtask gen-crds --check` from an empty target directory (with
//!   `--peer`: upstream's generator built from an empty Go build cache, then run);
//! - `criterion`: the in-process passes alone,
//!   `cargo bench -p agentgateway-api --bench generate`.
//!
//! With `--peer`, the same edits are made to upstream's Go types and timed with
//! upstream's own generator (`controller/hack/crdgen` of agentgateway v1.4.1, built
//! from the Go module proxy under `.cache/peer`), one run of ours and one of theirs in
//! turn, and a side-by-side table follows. The peer is for timing only: nothing of it
//! enters the repository.
//!
//! Every file a scenario edits is restored afterwards: by a guard on every exit path,
//! and by a Ctrl-C handler when interrupted. A final `gen-crds` puts the templates back
//! in step with the restored types.

use anyhow::{Context, bail};
use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, ExitCode, Stdio},
    sync::Mutex,
    time::{Duration, Instant},
};

/// Files edited right now, with their original bytes, for the Ctrl-C handler.
static PENDING: Mutex<Vec<(PathBuf, Vec<u8>)>> = Mutex::new(Vec::new());

fn restore_pending() {
    let pending = PENDING
        .lock()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default();
    for (path, bytes) in pending {
        if let Err(e) = crdgen::output::write_atomic(&path, &bytes) {
            eprintln!("error: could not restore {}: {e}", path.display());
        }
    }
}

#[derive(clap::Args)]
pub struct Args {
    /// Runs per scenario (the cold build runs once unless `--cold-runs` says otherwise).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Runs of the cold build (each compiles every dependency; 0 skips it).
    #[arg(long, default_value_t = 1)]
    cold_runs: usize,
    /// Only these scenarios (check, doc-edit, field-add, field-remove, field-rename,
    /// bound, struct-add, marker, api-marker, api-code, cold, criterion); all when omitted.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Also time upstream's generator (agentgateway v1.4.1's `controller/hack/crdgen`)
    /// on the same edits of its own API, side by side (needs Go and the module proxy).
    #[arg(long)]
    peer: bool,
}

/// The file and the line the edit scenarios touch: a doc comment and a struct of the
/// backend API, which every CRD build depends on.
const EDITED_FILE: &str = "api/src/v1alpha1/backend/mod.rs";
const DOC_ANCHOR: &str = "    /// Sends traffic to a fixed host and port.\n";
const FIELD_ANCHOR: &str = "pub struct StaticBackend {\n";
const BOUND_ANCHOR: &str = "#[schemars(length(min = 1, max = 256))]";
const MARKER_ANCHOR: &str =
    "    #[schemars(transform = markers::port)]\n    pub port: Option<i32>,";

/// Upstream's types of the same CRD, and the same places in them.
const PEER_FILE: &str = "controller/api/v1alpha1/agentgateway/agentgateway_backend_types.go";
const PEER_FIELD_ANCHOR: &str = "type StaticBackend struct {\n";
const PEER_BOUND_ANCHOR: &str = "+kubebuilder:validation:MaxLength=253";
const PEER_MARKER_ANCHOR: &str =
    "+kubebuilder:validation:Maximum=65535\n\t// +optional\n\tPort int32 `json:\"port,omitempty\"`";

/// Restores a file's original bytes when dropped.
struct Restore {
    path: PathBuf,
    original: Vec<u8>,
}

impl Restore {
    fn new(path: &Path) -> anyhow::Result<Self> {
        let original = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        if let Ok(mut p) = PENDING.lock() {
            p.push((path.to_owned(), original.clone()));
        }
        Ok(Self {
            path: path.to_owned(),
            original,
        })
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        if let Ok(mut p) = PENDING.lock() {
            p.retain(|(path, _)| path != &self.path);
        }
        if let Err(e) = crdgen::output::write_atomic(&self.path, &self.original) {
            eprintln!("error: could not restore {}: {e}", self.path.display());
        }
    }
}

/// GNU time, which reports the peak resident memory of the largest process of a
/// command's tree (cargo, xtask, rustc, the build program).
const GNU_TIME: &str = "/usr/bin/time";

/// One timed run: wall time, and peak memory of the largest process (KiB) when GNU
/// time is installed.
#[derive(Clone, Copy)]
struct Run {
    wall: Duration,
    peak_kib: Option<u64>,
}

/// Runs `cargo xtask gen-crds [extra]` as a maintainer does (cargo builds xtask first
/// if it changed; CI unset, so the fast paths apply) and measures it.
fn time_gen_crds(root: &Path, extra: &[&str], target_dir: Option<&Path>) -> anyhow::Result<Run> {
    let rss = tempfile::NamedTempFile::new().context("temporary file")?;
    let gnu_time = Path::new(GNU_TIME).is_file();
    let mut cmd = if gnu_time {
        let mut c = Command::new(GNU_TIME);
        c.args(["-f", "%M", "-o"])
            .arg(rss.path())
            .arg(crate::cargo());
        c
    } else {
        Command::new(crate::cargo())
    };
    cmd.args(["run", "--quiet", "--package", "xtask", "--", "gen-crds"])
        .args(extra)
        .current_dir(root)
        .env_remove("CI")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(t) = target_dir {
        cmd.env("CARGO_TARGET_DIR", t);
    }
    let start = Instant::now();
    let out = cmd.output().context("running cargo xtask gen-crds")?;
    let wall = start.elapsed();
    if !out.status.success() {
        bail!(
            "cargo xtask gen-crds {extra:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let peak_kib = fs::read_to_string(rss.path())
        .ok()
        .and_then(|t| t.lines().last()?.trim().parse().ok());
    Ok(Run { wall, peak_kib })
}

/// The text of an edited file for one run: what it holds first (untimed, with a
/// `gen-crds` run to settle), if anything, and what it holds when timed.
struct Edited {
    setup: Option<String>,
    timed: String,
}

/// Writes `edited` to `path` (the setup first, settled by an untimed `measure`), times
/// `measure` on the timed text, and restores the file.
fn time_edit(
    path: &Path,
    edited: Edited,
    measure: &dyn Fn() -> anyhow::Result<Run>,
) -> anyhow::Result<Run> {
    let guard = Restore::new(path)?;
    if let Some(setup) = edited.setup {
        crdgen::output::write_atomic(path, setup.as_bytes())?;
        measure()?;
    }
    crdgen::output::write_atomic(path, edited.timed.as_bytes())?;
    let t = measure()?;
    drop(guard);
    Ok(t)
}

/// One kind of edit, made to our API and to upstream's.
struct EditScenario {
    key: &'static str,
    name: &'static str,
    target: Duration,
    /// The edit of [`EDITED_FILE`] for run `i` (a fresh variant per run, so every run
    /// really rebuilds).
    ours: fn(&str, usize) -> anyhow::Result<Edited>,
    /// The same edit of upstream's [`PEER_FILE`].
    theirs: fn(&str, usize) -> anyhow::Result<Edited>,
}

fn timed(text: String) -> Edited {
    Edited {
        setup: None,
        timed: text,
    }
}

fn our_field(text: &str, name: &str) -> anyhow::Result<String> {
    insert_after(
        text,
        FIELD_ANCHOR,
        &format!(
            "    /// Benchmark field.\n    #[serde(default, skip_serializing_if = \"Option::is_none\")]\n    pub {name}: Option<String>,\n"
        ),
    )
}

fn their_field(text: &str, name: &str, json: &str) -> anyhow::Result<String> {
    insert_after(
        text,
        PEER_FIELD_ANCHOR,
        &format!(
            "\t// Benchmark field.\n\t// +optional\n\t{name} *string `json:\"{json},omitempty\"`\n"
        ),
    )
}

/// Upstream's `BenchField{i}`, the field the add, remove and rename edits start from.
fn their_bench_field(text: &str, i: usize) -> anyhow::Result<String> {
    their_field(text, &format!("BenchField{i}"), &format!("benchField{i}"))
}

/// Upstream's new list field `BenchList{i}` with a validation marker: upstream's
/// markers are comments, so a marker with code and one without are the same edit.
fn their_list(text: &str, i: usize) -> anyhow::Result<String> {
    insert_after(
        text,
        PEER_FIELD_ANCHOR,
        &format!(
            "\t// Benchmark list.\n\t// +kubebuilder:validation:MaxItems=8\n\t// +optional\n\tBenchList{i} []string `json:\"benchList{i},omitempty\"`\n"
        ),
    )
}

/// Our new struct `BenchStruct{i}`, and a field of its type in `StaticBackend`.
fn our_struct(text: &str, i: usize) -> anyhow::Result<String> {
    let with_field = insert_after(
        text,
        FIELD_ANCHOR,
        &format!(
            "    /// Benchmark struct field.\n    pub bench_struct_{i}: Option<BenchStruct{i}>,\n"
        ),
    )?;
    Ok(format!(
        "{with_field}\n/// Benchmark struct.\n#[skip_serializing_none]\n\
         #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]\n\
         pub struct BenchStruct{i} {{\n    /// Benchmark field.\n    pub value: Option<String>,\n}}\n"
    ))
}

/// The same for upstream.
fn their_struct(text: &str, i: usize) -> anyhow::Result<String> {
    let with_field = insert_after(
        text,
        PEER_FIELD_ANCHOR,
        &format!(
            "\t// Benchmark struct field.\n\t// +optional\n\tBenchStruct{i} *BenchStruct{i} `json:\"benchStruct{i},omitempty\"`\n"
        ),
    )?;
    Ok(format!(
        "{with_field}\n// Benchmark struct.\ntype BenchStruct{i} struct {{\n\t// Benchmark field.\n\t// +optional\n\tValue *string `json:\"value,omitempty\"`\n}}\n"
    ))
}

fn replace_once(text: &str, from: &str, to: &str) -> anyhow::Result<String> {
    anyhow::ensure!(
        text.contains(from),
        "the edited file no longer contains {from:?}; update xtask/src/bench.rs"
    );
    Ok(text.replacen(from, to, 1))
}

const EDITS: &[EditScenario] = &[
    EditScenario {
        key: "doc-edit",
        name: "doc-comment edit",
        target: Duration::from_millis(300),
        ours: |t, i| {
            Ok(timed(insert_after(
                t,
                DOC_ANCHOR,
                &format!("    /// Benchmark edit {i}.\n"),
            )?))
        },
        theirs: |t, i| {
            Ok(timed(insert_after(
                t,
                PEER_FIELD_ANCHOR,
                &format!("\t// Benchmark edit {i}.\n"),
            )?))
        },
    },
    EditScenario {
        key: "field-add",
        name: "new optional field",
        target: Duration::from_millis(500),
        ours: |t, i| Ok(timed(our_field(t, &format!("bench_field_{i}"))?)),
        theirs: |t, i| Ok(timed(their_bench_field(t, i)?)),
    },
    EditScenario {
        key: "field-remove",
        name: "field removed",
        target: Duration::from_millis(500),
        ours: |t, i| {
            Ok(Edited {
                setup: Some(our_field(t, &format!("bench_field_{i}"))?),
                timed: t.to_owned(),
            })
        },
        theirs: |t, i| {
            Ok(Edited {
                setup: Some(their_bench_field(t, i)?),
                timed: t.to_owned(),
            })
        },
    },
    EditScenario {
        key: "field-rename",
        name: "field renamed",
        target: Duration::from_millis(500),
        ours: |t, i| {
            Ok(Edited {
                setup: Some(our_field(t, &format!("bench_field_{i}"))?),
                timed: our_field(t, &format!("bench_renamed_{i}"))?,
            })
        },
        theirs: |t, i| {
            Ok(Edited {
                setup: Some(their_bench_field(t, i)?),
                timed: their_field(t, &format!("BenchRenamed{i}"), &format!("benchRenamed{i}"))?,
            })
        },
    },
    EditScenario {
        key: "bound",
        name: "length bound changed",
        target: Duration::from_millis(500),
        ours: |t, i| {
            Ok(timed(replace_once(
                t,
                BOUND_ANCHOR,
                &BOUND_ANCHOR.replace("256", &(255 - i).to_string()),
            )?))
        },
        theirs: |t, i| {
            Ok(timed(replace_once(
                t,
                PEER_BOUND_ANCHOR,
                &PEER_BOUND_ANCHOR.replace("253", &(252 - i).to_string()),
            )?))
        },
    },
    EditScenario {
        key: "struct-add",
        name: "new struct and a field of its type",
        target: Duration::from_millis(1500),
        ours: |t, i| Ok(timed(our_struct(t, i)?)),
        theirs: |t, i| Ok(timed(their_struct(t, i)?)),
    },
    EditScenario {
        key: "marker",
        name: "transform marker changed",
        target: Duration::from_millis(1500),
        ours: |t, i| {
            Ok(timed(replace_once(
                t,
                MARKER_ANCHOR,
                &MARKER_ANCHOR.replace(
                    "markers::port",
                    &format!("markers::range(1, {})", 65534 - i),
                ),
            )?))
        },
        theirs: |t, i| {
            Ok(timed(replace_once(
                t,
                PEER_MARKER_ANCHOR,
                &PEER_MARKER_ANCHOR.replace("65535", &(65534 - i).to_string()),
            )?))
        },
    },
    EditScenario {
        // A doc of its own per run: otherwise the field of the run before (the last
        // compiled) and this one differ only in name, a rename the fast path takes.
        key: "api-marker",
        name: "new field with a marker function of the API crate",
        target: Duration::from_millis(1500),
        ours: |t, i| {
            Ok(timed(insert_after(
                t,
                FIELD_ANCHOR,
                &format!(
                    "    /// Benchmark conditions {i}.\n    #[schemars(transform = shared::conditions)]\n    pub bench_conditions_{i}: Option<Vec<shared::Condition>>,\n"
                ),
            )?))
        },
        theirs: |t, i| Ok(timed(their_list(t, i)?)),
    },
    EditScenario {
        // A doc of its own per run: otherwise the field of the run before (the last
        // compiled) and this one differ only in name, a rename the fast path takes.
        key: "api-code",
        name: "new field with a marker whose code only the compiler runs",
        target: Duration::from_millis(1500),
        ours: |t, i| {
            Ok(timed(insert_after(
                t,
                FIELD_ANCHOR,
                &format!(
                    "    /// Benchmark values {i}.\n    #[schemars(transform = shared::preserved_values)]\n    pub bench_values_{i}: Option<Vec<String>>,\n"
                ),
            )?))
        },
        theirs: |t, i| Ok(timed(their_list(t, i)?)),
    },
];

fn insert_after(text: &str, anchor: &str, insert: &str) -> anyhow::Result<String> {
    let at = text.find(anchor).with_context(|| {
        format!(
            "the edited file no longer contains {anchor:?}; update the anchor in xtask/src/bench.rs"
        )
    })? + anchor.len();
    Ok(format!("{}{insert}{}", &text[..at], &text[at..]))
}

/// Upstream's generator and a writable copy of its module, under `.cache/peer`.
struct Peer {
    src: PathBuf,
    bin: PathBuf,
}

const PEER_MODULE: &str = "github.com/agentgateway/agentgateway@v1.4.1";
/// The Go release upstream's `go.mod` builds with.
const PEER_TOOLCHAIN: &str = "go1.27.3";
const PEER_PACKAGE: &str =
    "github.com/agentgateway/agentgateway/controller/api/v1alpha1/agentgateway";

fn go_command(dir: &Path) -> Command {
    let mut c = Command::new("go");
    c.current_dir(dir)
        .env("GOTOOLCHAIN", PEER_TOOLCHAIN)
        .env("GOFLAGS", "-mod=mod");
    c
}

fn checked(cmd: &mut Command, what: &str) -> anyhow::Result<Vec<u8>> {
    let out = cmd.output().with_context(|| format!("running {what}"))?;
    if !out.status.success() {
        bail!("{what} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(out.stdout)
}

/// Builds upstream's `controller/hack/crdgen` once: the module from the Go proxy
/// (`go mod download`), copied writable, with a stub `api/go.mod` for the nested
/// module its zip leaves out.
fn peer(root: &Path) -> anyhow::Result<Peer> {
    let dir = root.join(".cache/peer/agentgateway-v1.4.1");
    let (src, bin) = (dir.join("src"), dir.join("crdgen"));
    if bin.is_file() && src.join(PEER_FILE).is_file() {
        return Ok(Peer { src, bin });
    }
    fs::create_dir_all(&dir)?;
    let json = checked(
        go_command(&dir).args(["mod", "download", "-json", PEER_MODULE]),
        "go mod download",
    )?;
    let info: serde_json::Value = serde_json::from_slice(&json).context("go mod download -json")?;
    let module = info["Dir"]
        .as_str()
        .context("go mod download printed no Dir")?;
    if src.exists() {
        fs::remove_dir_all(&src)?;
    }
    checked(Command::new("cp").arg("-r").arg(module).arg(&src), "cp -r")?;
    checked(Command::new("chmod").args(["-R", "u+w"]).arg(&src), "chmod")?;
    fs::create_dir_all(src.join("api"))?;
    fs::write(
        src.join("api/go.mod"),
        "module github.com/agentgateway/agentgateway/api\n\ngo 1.26.0\n",
    )?;
    checked(
        go_command(&src)
            .args(["build", "-o"])
            .arg(&bin)
            .arg("./controller/hack/crdgen"),
        "go build ./controller/hack/crdgen",
    )?;
    Ok(Peer { src, bin })
}

/// Runs upstream's generator over its API, as `controller/hack/generate.sh` does, and
/// measures it.
fn time_peer(peer: &Peer) -> anyhow::Result<Run> {
    let out_dir = tempfile::tempdir().context("temporary output directory")?;
    let rss = tempfile::NamedTempFile::new().context("temporary file")?;
    let mut cmd = Command::new(GNU_TIME);
    cmd.args(["-f", "%M", "-o"])
        .arg(rss.path())
        .arg(&peer.bin)
        .arg("--output-dir")
        .arg(out_dir.path())
        .args(["--path", PEER_PACKAGE])
        .current_dir(&peer.src)
        .env("GOTOOLCHAIN", PEER_TOOLCHAIN)
        .env("GOFLAGS", "-mod=mod")
        .stdout(Stdio::null());
    let start = Instant::now();
    checked(&mut cmd, "upstream's crdgen")?;
    let wall = start.elapsed();
    let peak_kib = fs::read_to_string(rss.path())
        .ok()
        .and_then(|t| t.lines().last()?.trim().parse().ok());
    Ok(Run { wall, peak_kib })
}

/// Upstream's generator from an empty Go build cache (the module cache kept, as
/// ours keeps cargo's registry): `go build`, then one run, timed together.
fn time_peer_cold(peer: &Peer) -> anyhow::Result<Run> {
    let cache = tempfile::tempdir().context("temporary Go build cache")?;
    let out_dir = tempfile::tempdir().context("temporary output directory")?;
    let bin = cache.path().join("crdgen");
    let rss = tempfile::NamedTempFile::new().context("temporary file")?;
    let script = format!(
        "go build -o '{bin}' ./controller/hack/crdgen && '{bin}' --output-dir '{out}' --path {PEER_PACKAGE}",
        bin = bin.display(),
        out = out_dir.path().display(),
    );
    let mut cmd = Command::new(GNU_TIME);
    cmd.args(["-f", "%M", "-o"])
        .arg(rss.path())
        .args(["sh", "-c", &script])
        .current_dir(&peer.src)
        .env("GOTOOLCHAIN", PEER_TOOLCHAIN)
        .env("GOFLAGS", "-mod=mod")
        .env("GOCACHE", cache.path())
        .stdout(Stdio::null());
    let start = Instant::now();
    checked(
        &mut cmd,
        "upstream's crdgen, built from an empty build cache",
    )?;
    let wall = start.elapsed();
    let peak_kib = fs::read_to_string(rss.path())
        .ok()
        .and_then(|t| t.lines().last()?.trim().parse().ok());
    Ok(Run { wall, peak_kib })
}

/// median, min and max of some runs, and their largest peak memory.
fn summary(runs: &[Run]) -> (Duration, Duration, Duration, String) {
    let mut v: Vec<Duration> = runs.iter().map(|r| r.wall).collect();
    v.sort();
    let peak = runs
        .iter()
        .filter_map(|r| r.peak_kib)
        .max()
        .map_or("n/a".to_owned(), |k| format!("{} MiB", k / 1024));
    (v[v.len() / 2], v[0], v[v.len() - 1], peak)
}

struct Stats {
    name: &'static str,
    runs: Vec<Run>,
    target: Duration,
}

impl Stats {
    fn row(&self) -> String {
        let (median, min, max, peak) = summary(&self.runs);
        let secs = |d: Duration| format!("{:.3} s", d.as_secs_f64());
        let verdict = if median <= self.target {
            "met"
        } else {
            "MISSED"
        };
        format!(
            "| {} | {} | {} | {} | {} | {peak} | ≤ {} | {verdict} |",
            self.name,
            self.runs.len(),
            secs(min),
            secs(median),
            secs(max),
            secs(self.target),
        )
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let root = crate::workspace_root();
    ctrlc::set_handler(|| {
        restore_pending();
        eprintln!(
            "interrupted: edited files restored; run `cargo xtask gen-crds` to resync the templates"
        );
        std::process::exit(130);
    })
    .context("installing the Ctrl-C handler")?;
    let want = |s: &str| args.only.is_empty() || args.only.iter().any(|o| o == s);
    let peer = if args.peer {
        eprintln!("building upstream's crdgen (agentgateway v1.4.1) under .cache/peer ...");
        let p = peer(&root)?;
        time_peer(&p)?; // warm Go's build cache for its API package
        Some(p)
    } else {
        None
    };
    let mut side_by_side: Vec<(&str, Vec<Run>, Vec<Run>)> = vec![];
    println!("| scenario | runs | min | median | max | peak memory | target | |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    // Each row as soon as its scenario is done.
    let table = |s: Stats| println!("{}", s.row());
    // Warm up: build xtask as it is, so the first timed run measures no stale work,
    // and compile the API types as they are: the fast paths start from the last
    // compiled output, and every edit scenario starts from that of the unedited
    // sources (not from whatever an earlier fast run left).
    time_gen_crds(&root, &["--full"], None)?;
    time_gen_crds(&root, &[], None)?;

    let result = (|| -> anyhow::Result<()> {
        if want("check") {
            let mut runs = vec![];
            let mut peer_runs = vec![];
            for _ in 0..args.runs {
                runs.push(time_gen_crds(&root, &["--check"], None)?);
                if let Some(p) = &peer {
                    peer_runs.push(time_peer(p)?);
                }
            }
            if !peer_runs.is_empty() {
                side_by_side.push(("nothing changed (check)", runs.clone(), peer_runs));
            }
            table(Stats {
                name: "(a) check (nothing changed)",
                runs,
                target: Duration::from_millis(150),
            });
        }
        for e in EDITS.iter().filter(|e| want(e.key)) {
            // Each scenario starts from the compiled output of the sources as they are
            // (a compile in an earlier scenario, or its restore, may have left the
            // cache at another state, and the fast paths diff against it).
            time_gen_crds(&root, &["--full"], None)?;
            let ours_path = root.join(EDITED_FILE);
            let ours_text = fs::read_to_string(&ours_path)?;
            let mut runs = vec![];
            let mut peer_runs = vec![];
            for i in 0..args.runs {
                runs.push(time_edit(&ours_path, (e.ours)(&ours_text, i)?, &|| {
                    time_gen_crds(&root, &[], None)
                })?);
                if let Some(p) = &peer {
                    let path = p.src.join(PEER_FILE);
                    let text = fs::read_to_string(&path)?;
                    peer_runs.push(time_edit(&path, (e.theirs)(&text, i)?, &|| time_peer(p))?);
                }
            }
            if !peer_runs.is_empty() {
                side_by_side.push((e.name, runs.clone(), peer_runs));
            }
            table(Stats {
                name: e.name,
                runs,
                target: e.target,
            });
        }
        if want("cold") && args.cold_runs > 0 {
            // The edits above left the generated files of their last run behind.
            time_gen_crds(&root, &[], None)?;
            let mut runs = Vec::new();
            let mut peer_runs = vec![];
            for _ in 0..args.cold_runs {
                let dir = tempfile::tempdir().context("temporary target directory")?;
                runs.push(time_gen_crds(&root, &["--check"], Some(dir.path()))?);
                if let Some(p) = &peer {
                    peer_runs.push(time_peer_cold(p)?);
                }
            }
            if !peer_runs.is_empty() {
                side_by_side.push((
                    "cold: empty target directory / Go build cache",
                    runs.clone(),
                    peer_runs,
                ));
            }
            table(Stats {
                name: "cold gen-crds --check (empty target dir)",
                runs,
                target: Duration::from_secs(45),
            });
        }
        if want("criterion") {
            // The in-process passes alone (build, normalize, render), as criterion
            // measures them; it prints its own summary.
            let status = Command::new(crate::cargo())
                .args([
                    "bench",
                    "--package",
                    "agentgateway-api",
                    "--bench",
                    "generate",
                ])
                .current_dir(&root)
                .status()
                .context("running cargo bench")?;
            if !status.success() {
                bail!("cargo bench -p agentgateway-api --bench generate failed");
            }
        }
        Ok(())
    })();
    // Put the templates back in step with the restored types.
    time_gen_crds(&root, &[], None)?;
    result?;

    if !side_by_side.is_empty() {
        println!(
            "\n| edit | ours: median (min–max) | ours: peak | upstream crdgen v1.4.1: median (min–max) | upstream: peak | ours ÷ upstream |"
        );
        println!("| --- | --- | --- | --- | --- | --- |");
        for (name, ours, theirs) in &side_by_side {
            let (om, omin, omax, opeak) = summary(ours);
            let (tm, tmin, tmax, tpeak) = summary(theirs);
            println!(
                "| {name} | {:.3} s ({:.3}–{:.3}) | {opeak} | {:.3} s ({:.3}–{:.3}) | {tpeak} | {:.2}× |",
                om.as_secs_f64(),
                omin.as_secs_f64(),
                omax.as_secs_f64(),
                tm.as_secs_f64(),
                tmin.as_secs_f64(),
                tmax.as_secs_f64(),
                om.as_secs_f64() / tm.as_secs_f64(),
            );
        }
    }
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    println!(
        "\nmachine: {} logical CPUs, {cpu}; peak memory: the largest process of each scenario's runs (GNU time's maximum resident set size)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    Ok(ExitCode::SUCCESS)
}
