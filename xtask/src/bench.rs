//! `cargo xtask bench`: how long the maintainers' inner loop takes on this machine.
//!
//! Scenarios (each run several times; min/median/max reported):
//! - `check`: `cargo xtask gen-crds --check` with nothing changed;
//! - `doc-edit`: a one-line doc-comment edit in `api/`, then `cargo xtask gen-crds`;
//! - `field-add`: a field added to an API type, then `cargo xtask gen-crds`;
//! - `cold`: `cargo xtask gen-crds` from an empty target directory.
//!
//! The in-process generation alone is a criterion benchmark:
//! `cargo bench -p agentgateway-api --bench generate`.
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
    /// Only these scenarios (check, doc-edit, field-add, cold); all when omitted.
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

/// Runs `cargo xtask gen-crds [extra]` (a fresh build of xtask if anything changed) and
/// returns its wall time.
fn time_gen_crds(
    root: &Path,
    extra: &[&str],
    target_dir: Option<&Path>,
) -> anyhow::Result<Duration> {
    let mut cmd = Command::new(crate::cargo());
    cmd.args(["run", "--quiet", "--package", "xtask", "--", "gen-crds"])
        .args(extra)
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(t) = target_dir {
        cmd.env("CARGO_TARGET_DIR", t);
    }
    let start = Instant::now();
    let out = cmd.output().context("running cargo xtask gen-crds")?;
    let elapsed = start.elapsed();
    if !out.status.success() {
        bail!(
            "cargo xtask gen-crds {extra:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(elapsed)
}

/// Applies `edit` to the file (a fresh variant per run, so every run really rebuilds),
/// times `cargo xtask gen-crds`, and restores the file.
fn time_edit(
    root: &Path,
    run: usize,
    edit: impl Fn(&str, usize) -> anyhow::Result<String>,
) -> anyhow::Result<Duration> {
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
    runs: Vec<Duration>,
    target: Duration,
}

impl Stats {
    fn row(&self) -> String {
        let mut v = self.runs.clone();
        v.sort();
        let secs = |d: Duration| format!("{:.2} s", d.as_secs_f64());
        let median = v[v.len() / 2];
        let verdict = if median <= self.target {
            "met"
        } else {
            "MISSED"
        };
        format!(
            "| {} | {} | {} | {} | {} | ≤ {} | {verdict} |",
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
    let mut table = Vec::new();
    // Warm up: build xtask as it is, so the first timed run measures no stale work.
    time_gen_crds(&root, &[], None)?;

    let result = (|| -> anyhow::Result<()> {
        if want("check") {
            let runs = (0..args.runs)
                .map(|_| time_gen_crds(&root, &["--check"], None))
                .collect::<Result<_, _>>()?;
            table.push(Stats {
                name: "check (nothing changed)",
                runs,
                target: Duration::from_secs(1),
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
            table.push(Stats {
                name: "doc-comment edit + gen-crds",
                runs,
                target: Duration::from_secs(5),
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
            table.push(Stats {
                name: "field added + gen-crds",
                runs,
                target: Duration::from_secs(5),
            });
        }
        if want("cold") && args.cold_runs > 0 {
            let mut runs = Vec::new();
            for _ in 0..args.cold_runs {
                let dir = tempfile::tempdir().context("temporary target directory")?;
                runs.push(time_gen_crds(&root, &[], Some(dir.path()))?);
            }
            table.push(Stats {
                name: "cold gen-crds (empty target dir)",
                runs,
                target: Duration::from_secs(120),
            });
        }
        Ok(())
    })();
    // Put the templates back in step with the restored types.
    time_gen_crds(&root, &[], None)?;
    result?;

    println!("| scenario | runs | min | median | max | target | |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for s in &table {
        println!("{}", s.row());
    }
    println!(
        "\nmachine: {} logical CPUs; in-process generation: `cargo bench -p agentgateway-api --bench generate`",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    Ok(ExitCode::SUCCESS)
}
