//! `cargo xtask bench`: how long the maintainers' inner loop takes on this machine.
//!
//! Scenarios (each run several times; min/median/max and peak memory reported):
//! - `check`: `cargo xtask gen-crds --check` with nothing changed;
//! - `doc-edit`: a one-line doc-comment edit in `api/`, then `cargo xtask gen-crds`;
//! - `field-add`: a field added to an API type, then `cargo xtask gen-crds`;
//! - `cold`: `cargo xtask gen-crds --check` from an empty target directory;
//! - `criterion`: the in-process passes alone,
//!   `cargo bench -p agentgateway-api --bench generate`.
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
    /// Only these scenarios (check, doc-edit, field-add, cold, criterion); all when omitted.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

/// The file and the line the edit scenarios touch: a doc comment and a struct of the
/// backend API, which every CRD build depends on.
const EDITED_FILE: &str = "api/src/v1alpha1/backend/mod.rs";
const DOC_ANCHOR: &str = "    /// Sends traffic to a fixed host and port.\n";
const FIELD_ANCHOR: &str = "pub struct StaticBackend {\n";

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

/// Applies `edit` to the file (a fresh variant per run, so every run really rebuilds),
/// times `cargo xtask gen-crds`, and restores the file.
fn time_edit(
    root: &Path,
    run: usize,
    edit: impl Fn(&str, usize) -> anyhow::Result<String>,
) -> anyhow::Result<Run> {
    let path = root.join(EDITED_FILE);
    let guard = Restore::new(&path)?;
    let text = String::from_utf8(guard.original.clone()).context("edited file is not UTF-8")?;
    crdgen::output::write_atomic(&path, edit(&text, run)?.as_bytes())?;
    let t = time_gen_crds(root, &[], None)?;
    drop(guard);
    Ok(t)
}

fn insert_after(text: &str, anchor: &str, insert: &str) -> anyhow::Result<String> {
    let at = text.find(anchor).with_context(|| {
        format!(
            "{EDITED_FILE} no longer contains {anchor:?}; update the anchor in xtask/src/bench.rs"
        )
    })? + anchor.len();
    Ok(format!("{}{insert}{}", &text[..at], &text[at..]))
}

struct Stats {
    name: &'static str,
    runs: Vec<Run>,
    target: Duration,
}

impl Stats {
    fn row(&self) -> String {
        let mut v: Vec<Duration> = self.runs.iter().map(|r| r.wall).collect();
        v.sort();
        let peak = self
            .runs
            .iter()
            .filter_map(|r| r.peak_kib)
            .max()
            .map_or("n/a".to_owned(), |k| format!("{} MiB", k / 1024));
        let secs = |d: Duration| format!("{:.3} s", d.as_secs_f64());
        let median = v[v.len() / 2];
        let verdict = if median <= self.target {
            "met"
        } else {
            "MISSED"
        };
        format!(
            "| {} | {} | {} | {} | {} | {peak} | ≤ {} | {verdict} |",
            self.name,
            v.len(),
            secs(v[0]),
            secs(median),
            secs(v[v.len() - 1]),
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
    println!("| scenario | runs | min | median | max | peak memory | target | |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    // Each row as soon as its scenario is done.
    let table = |s: Stats| println!("{}", s.row());
    // Warm up: build xtask as it is, so the first timed run measures no stale work.
    time_gen_crds(&root, &[], None)?;

    let result = (|| -> anyhow::Result<()> {
        if want("check") {
            let runs = (0..args.runs)
                .map(|_| time_gen_crds(&root, &["--check"], None))
                .collect::<Result<_, _>>()?;
            table(Stats {
                name: "(a) check (nothing changed)",
                runs,
                target: Duration::from_millis(150),
            });
        }
        if want("doc-edit") {
            let runs = (0..args.runs)
                .map(|i| {
                    time_edit(&root, i, |text, i| {
                        insert_after(text, DOC_ANCHOR, &format!("    /// Benchmark edit {i}.\n"))
                    })
                })
                .collect::<Result<_, _>>()?;
            table(Stats {
                name: "(b) doc-comment edit + gen-crds",
                runs,
                target: Duration::from_millis(300),
            });
        }
        if want("field-add") {
            let runs = (0..args.runs)
                .map(|i| {
                    time_edit(&root, i, |text, i| {
                        insert_after(
                            text,
                            FIELD_ANCHOR,
                            &format!(
                                "    /// Benchmark field {i}.\n    #[serde(default, skip_serializing_if = \"Option::is_none\")]\n    pub bench_field_{i}: Option<String>,\n"
                            ),
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
            table(Stats {
                name: "(c) field added + gen-crds",
                runs,
                target: Duration::from_millis(1500),
            });
        }
        if want("cold") && args.cold_runs > 0 {
            // The edits above left the generated files of their last run behind.
            time_gen_crds(&root, &[], None)?;
            let mut runs = Vec::new();
            for _ in 0..args.cold_runs {
                let dir = tempfile::tempdir().context("temporary target directory")?;
                runs.push(time_gen_crds(&root, &["--check"], Some(dir.path()))?);
            }
            table(Stats {
                name: "(e) cold gen-crds --check (empty target dir)",
                runs,
                target: Duration::from_secs(60),
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
