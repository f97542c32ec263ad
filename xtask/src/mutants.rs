//! `cargo xtask mutants`: mutation testing of crdgen, validate and translate with
//! cargo-mutants, each crate with its own tests only, and TESTING.md's mutation tables
//! written from cargo-mutants' own `outcomes.json`.
//!
//! Whole runs keep their results under `mutants.out/<crate>/<all|shard-K-of-N>/`
//! (cargo-mutants' output directory, plus `xtask-run.json`: the tree and the command).
//! The table of a crate sums the results found there, one row per shard, so sharded
//! runs done one after the other add up; a whole run replaces the shards.
//!
//! Each cargo-mutants job builds in its own copy of the tree, from scratch once (its
//! `--copy-target=true` does not help: the copied files get new modification times,
//! so cargo rebuilds every dependency anyway). Two runs of `-j 1` side by side
//! therefore cost two such builds, one run of `-j 2` two as well.
//!
//! `--recheck RUN` tests the survivors of the run `RUN` again, on today's tree, and the
//! tables show what is left of them (see [`recheck`]).
//!
//! `--in-diff BASE` is the pre-merge gate: only the mutants on lines changed since the
//! merge base with BASE, in all three crates; it fails on any missed mutant and writes
//! no table.

mod recheck;
mod records;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The cargo-mutants release the figures were made with; installed when missing.
pub const CARGO_MUTANTS_VERSION: &str = "27.1.0";

/// The cargo profile of mutation runs (see the workspace Cargo.toml).
const PROFILE: &str = "mutants";

#[derive(clap::Args)]
pub struct Args {
    /// Crate to mutate: crdgen, validate or translate (repeatable; default: all three).
    #[arg(long = "crate", value_name = "NAME")]
    crates: Vec<String>,
    /// Run shard K of N only (cargo-mutants' `--shard K/N`, contiguous slices).
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// The pre-merge gate: mutate only lines changed since the merge base with BASE
    /// (e.g. `origin/main`); fails when any mutant there is missed. Writes no table.
    #[arg(long, value_name = "BASE")]
    in_diff: Option<String>,
    /// Test the survivors (missed and timed out) of the earlier run RUN again, on
    /// today's tree: `all` or `shard-K-of-N`, a directory of `mutants.out/<crate>/`.
    /// One crate only. Its result is kept in `mutants.out/<crate>/RUN/recheck/`.
    #[arg(long, value_name = "RUN", conflicts_with_all = ["shard", "in_diff", "table_only"])]
    recheck: Option<String>,
    /// Parallel jobs (cargo-mutants `-j`).
    #[arg(short = 'j', long, default_value_t = 2)]
    jobs: u32,
    /// The cargo profile to build mutants with (to compare with `dev`). Runs with
    /// another profile than `mutants` keep their results apart, in
    /// `mutants.out/<crate>@<profile>/`, and appear in the profiles table only.
    #[arg(long, default_value = PROFILE)]
    profile: String,
    /// Mutate the source tree itself and build in its `target/` (cargo-mutants
    /// `--in-place`, one job): no copy and no cold build, for short comparisons and
    /// for `--in-diff` in a work tree with a warm `target/`. Do not edit the crate
    /// while it runs.
    #[arg(long)]
    in_place: bool,
    /// Rewrite TESTING.md's tables from the results of earlier runs; run nothing.
    #[arg(long)]
    table_only: bool,
}

/// A crate under mutation testing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// The name on the command line and in TESTING.md.
    pub name: &'static str,
    /// The cargo package.
    pub package: &'static str,
    /// cargo-mutants `--timeout` (seconds) for one mutant's tests.
    pub timeout: u32,
}

pub const TARGETS: [Target; 3] = [
    Target {
        name: "crdgen",
        package: "crdgen",
        // Its tests take 1 to 4 s; a mutant that loops forever (doc_edit's
        // scanners) costs the whole timeout, so it is kept short.
        timeout: 60,
    },
    Target {
        name: "validate",
        package: "agentgateway-validate",
        timeout: 180,
    },
    Target {
        name: "translate",
        package: "agentgateway-translate",
        // Its tests take about 3 s.
        timeout: 60,
    },
];

fn target(name: &str) -> anyhow::Result<Target> {
    TARGETS
        .into_iter()
        .find(|t| t.name == name)
        .with_context(|| {
            let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
            format!("unknown crate {name:?}: use one of {}", names.join(", "))
        })
}

/// `K/N` with `K < N`.
fn parse_shard(s: &str) -> anyhow::Result<(u32, u32)> {
    let parsed = s
        .split_once('/')
        .and_then(|(k, n)| Some((k.parse::<u32>().ok()?, n.parse::<u32>().ok()?)));
    match parsed {
        Some((k, n)) if k < n => Ok((k, n)),
        _ => bail!("--shard {s:?}: give K/N with 0 <= K < N, e.g. 0/4"),
    }
}

/// The directory of a crate's results with `profile`, below the workspace root.
fn crate_dir(crate_name: &str, profile: &str) -> PathBuf {
    Path::new("mutants.out").join(crate_dir_name(crate_name, profile))
}

/// The directory of one run's results, below the workspace root.
fn run_dir(crate_name: &str, profile: &str, shard: Option<(u32, u32)>) -> PathBuf {
    let leaf = match shard {
        Some((k, n)) => format!("shard-{k}-of-{n}"),
        None => "all".to_owned(),
    };
    crate_dir(crate_name, profile).join(leaf)
}

/// How one crate is run: what `cargo xtask mutants` passes on to cargo-mutants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub shard: Option<(u32, u32)>,
    pub jobs: u32,
    pub profile: String,
    pub in_place: bool,
}

/// What `cargo xtask mutants` records beside cargo-mutants' results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// `git rev-parse --short HEAD`, with ` + uncommitted changes` when the tree differs.
    pub tree: String,
    /// The `cargo xtask mutants` command that made these results.
    pub command: String,
    /// The cargo-mutants command it ran.
    pub cargo_mutants: String,
    /// `None` for a whole run.
    pub shard: Option<(u32, u32)>,
    /// The cargo profile the mutants were built with.
    #[serde(default = "default_profile")]
    pub profile: String,
}

fn default_profile() -> String {
    PROFILE.to_owned()
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let root = crate::workspace_root();
    let targets: Vec<Target> = if args.crates.is_empty() {
        TARGETS.to_vec()
    } else {
        args.crates
            .iter()
            .map(|c| target(c))
            .collect::<anyhow::Result<_>>()?
    };
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    if args.in_place && args.jobs != 1 {
        bail!("--in-place runs one job: give -j 1");
    }
    let spec = Spec {
        shard,
        jobs: args.jobs,
        profile: args.profile.clone(),
        in_place: args.in_place,
    };
    if args.table_only {
        write_tables(&root, &targets)?;
        return Ok(ExitCode::SUCCESS);
    }
    let version = ensure_cargo_mutants()?;
    if let Some(base) = &args.in_diff {
        return gate(&root, base, &targets, args, &version);
    }
    if let Some(name) = &args.recheck {
        let [t] = targets.as_slice() else {
            bail!("--recheck {name}: name one crate with --crate");
        };
        recheck_run(&root, t, name, &spec)?;
        write_tables(&root, &targets)?;
        return Ok(ExitCode::SUCCESS);
    }
    for t in &targets {
        let dir = run_dir(t.name, &spec.profile, shard);
        let cargo_mutants = mutants_command(t, &spec, &dir);
        let info = RunInfo {
            tree: tree(&root)?,
            command: xtask_command(t, &spec),
            cargo_mutants: cargo_mutants.join(" "),
            shard,
            profile: spec.profile.clone(),
        };
        if shard.is_none() {
            // A whole run replaces the shards of earlier runs.
            let all = root.join(crate_dir(t.name, &spec.profile));
            if all.exists() {
                std::fs::remove_dir_all(&all)
                    .with_context(|| format!("removing {}", all.display()))?;
            }
        }
        std::fs::create_dir_all(root.join(&dir))?;
        // The crate's whole list of mutants at this tree: shards of one list are
        // slices of it that add up; the table checks they were all cut from one.
        let list = mutant_list(&root, t)?;
        std::fs::write(root.join(&dir).join(LIST_FILE), list)?;
        // Written first, so that a run stopped before its end is still shown (as
        // interrupted, with the mutants tested so far).
        std::fs::write(
            root.join(&dir).join("xtask-run.json"),
            serde_json::to_string_pretty(&info)? + "\n",
        )?;
        eprintln!("running: {}", info.cargo_mutants);
        run_cargo_mutants(&root, t, &cargo_mutants, &info.cargo_mutants)?;
    }
    write_tables(&root, &targets)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `argv` (from `cargo`) in `root`; `shown` is how the command is named in errors.
fn run_cargo_mutants(root: &Path, t: &Target, argv: &[String], shown: &str) -> anyhow::Result<()> {
    let mut cmd = Command::new(crate::cargo());
    cmd.args(&argv[1..]).current_dir(root);
    if t.name == "translate" {
        // The golden cases beside the repository, found from the copied tree too.
        let reference = root.join("../shared/reference/translation");
        if let Ok(abs) = reference.canonicalize() {
            cmd.env("AGW_TRANSLATION_REFERENCE", abs);
        }
    }
    let status = cmd.status().context("running cargo mutants")?;
    // 0: all caught, 2: some missed, 3: some timed out. Anything else: no results.
    if !matches!(status.code(), Some(0 | 2 | 3)) {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// `--recheck RUN`: the survivors of `mutants.out/<crate>/RUN` tested again, into its
/// `recheck/` directory. A run no longer on disk (made in another clone or work tree)
/// is taken from its record in `xtask/mutants-runs`, which names its survivors.
fn recheck_run(root: &Path, t: &Target, name: &str, spec: &Spec) -> anyhow::Result<()> {
    let dir = crate_dir(t.name, &spec.profile).join(name);
    let run = &run_to_recheck(root, t, name, &spec.profile)?;
    let survivors: Vec<&String> = run
        .figures
        .missed_names
        .iter()
        .chain(&run.figures.timeout_names)
        .collect();
    if survivors.is_empty() {
        bail!("--recheck {name}: the run has no survivors to test again");
    }
    let out = dir.join("recheck");
    let spec = Spec {
        shard: None,
        ..spec.clone()
    };
    // The command as for a whole run, with the filters before its `--output`.
    let mut base = mutants_command(t, &spec, &out);
    let output = base.split_off(base.len() - 2);
    let mut patterns: Vec<String> = survivors.iter().map(|n| recheck::pattern(n)).collect();
    patterns.sort();
    patterns.dedup();
    let mut argv = base.clone();
    for p in &patterns {
        argv.extend(["-F".to_owned(), p.clone()]);
    }
    argv.extend(output.iter().cloned());
    let mut shown = base;
    shown.push(format!(
        "-F '<one regex per survivor of {name}: {}>'",
        patterns.len()
    ));
    shown.extend(output);
    let shown = shown.join(" ");
    let mut command = xtask_command(t, &spec);
    let _ = write!(command, " --recheck {name}");
    let info = RunInfo {
        tree: tree(root)?,
        command,
        cargo_mutants: shown,
        shard: run.info.shard,
        profile: spec.profile.clone(),
    };
    let abs = root.join(&out);
    if abs.exists() {
        std::fs::remove_dir_all(&abs).with_context(|| format!("removing {}", abs.display()))?;
    }
    std::fs::create_dir_all(&abs)?;
    std::fs::write(
        abs.join("xtask-run.json"),
        serde_json::to_string_pretty(&info)? + "\n",
    )?;
    eprintln!(
        "re-running {} survivors of {name} ({} patterns): {}",
        survivors.len(),
        patterns.len(),
        info.cargo_mutants
    );
    run_cargo_mutants(root, t, &argv, &info.cargo_mutants)
}

/// Where a run keeps the crate's whole list of mutants (`cargo mutants --list`).
const LIST_FILE: &str = "mutant-list.txt";

/// `cargo mutants --list --package P`: every mutant of the crate, one name a line.
fn mutant_list(root: &Path, t: &Target) -> anyhow::Result<String> {
    let out = Command::new(crate::cargo())
        .args(["mutants", "--list", "--package", t.package])
        .current_dir(root)
        .output()
        .context("running cargo mutants --list")?;
    if !out.status.success() {
        bail!(
            "`cargo mutants --list --package {}` failed: {}",
            t.package,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The cargo-mutants command line (argv, from `cargo`) for one crate.
pub fn mutants_command(t: &Target, spec: &Spec, output: &Path) -> Vec<String> {
    let mut argv: Vec<String> = [
        "cargo",
        "mutants",
        "--package",
        t.package,
        "--test-package",
        t.package,
        "--profile",
        &spec.profile,
    ]
    .map(str::to_owned)
    .to_vec();
    argv.extend(["--timeout".into(), t.timeout.to_string()]);
    if spec.in_place {
        // One job by definition (cargo-mutants refuses `-j` with it).
        argv.push("--in-place".into());
    } else {
        argv.extend(["-j".into(), spec.jobs.to_string()]);
    }
    if let Some((k, n)) = spec.shard {
        argv.extend(["--shard".into(), format!("{k}/{n}")]);
    }
    argv.extend(["--output".into(), output.display().to_string()]);
    argv
}

fn xtask_command(t: &Target, spec: &Spec) -> String {
    let mut c = format!("cargo xtask mutants --crate {}", t.name);
    if let Some((k, n)) = spec.shard {
        let _ = write!(c, " --shard {k}/{n}");
    }
    if spec.jobs != 2 {
        let _ = write!(c, " -j {}", spec.jobs);
    }
    if spec.profile != PROFILE {
        let _ = write!(c, " --profile {}", spec.profile);
    }
    if spec.in_place {
        c.push_str(" --in-place");
    }
    c
}

/// The installed cargo-mutants version; installs [`CARGO_MUTANTS_VERSION`] when none is.
fn ensure_cargo_mutants() -> anyhow::Result<String> {
    let version = || -> Option<String> {
        let out = Command::new(crate::cargo())
            .args(["mutants", "--version"])
            .output()
            .ok()?;
        out.status.success().then(|| {
            String::from_utf8_lossy(&out.stdout)
                .trim()
                .trim_start_matches("cargo-mutants")
                .trim()
                .to_owned()
        })
    };
    if let Some(v) = version() {
        if v != CARGO_MUTANTS_VERSION {
            eprintln!(
                "warning: cargo-mutants {v} is installed; the figures in TESTING.md were made with {CARGO_MUTANTS_VERSION}"
            );
        }
        return Ok(v);
    }
    eprintln!("installing cargo-mutants {CARGO_MUTANTS_VERSION} (cargo install --locked)");
    let status = Command::new(crate::cargo())
        .args([
            "install",
            "cargo-mutants",
            "--locked",
            "--version",
            CARGO_MUTANTS_VERSION,
        ])
        .status()
        .context("running cargo install cargo-mutants")?;
    if !status.success() {
        bail!("`cargo install cargo-mutants --locked --version {CARGO_MUTANTS_VERSION}` failed");
    }
    version().context("cargo-mutants was installed but `cargo mutants --version` fails")
}

fn git(root: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .with_context(|| format!("running git {}", args.join(" ")))?;
    if !out.status.success() {
        bail!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The commit, marked when the tree differs from it; TESTING.md, whose tables this
/// command writes after each run, does not count.
fn tree(root: &Path) -> anyhow::Result<String> {
    let rev = git(root, &["rev-parse", "--short", "HEAD"])?;
    let dirty = !git(
        root,
        &[
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ".",
            ":(exclude)TESTING.md",
        ],
    )?
    .is_empty();
    Ok(if dirty {
        format!("{rev} + uncommitted changes")
    } else {
        rev
    })
}

/// The gate's verdict on cargo-mutants' `missed.txt` and `timeout.txt`: the mutants
/// that fail it (each with what happened to it) and the ones listed as equivalent.
fn gate_verdict(
    missed: &str,
    timed_out: &str,
    equivalents: &[recheck::Equivalent],
) -> (Vec<String>, Vec<String>) {
    let mut failing = Vec::new();
    let mut equivalent = Vec::new();
    for (text, what) in [(missed, "missed"), (timed_out, "timed out")] {
        for name in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if equivalents.iter().any(|e| e.matches(name)) {
                equivalent.push(name.to_owned());
            } else {
                failing.push(format!("  {what}: {name}"));
            }
        }
    }
    (failing, equivalent)
}

/// `--in-diff BASE`: mutants on the lines changed since the merge base of HEAD and
/// BASE (committed or not), in every selected crate, each tested by its own tests.
fn gate(
    root: &Path,
    base: &str,
    targets: &[Target],
    args: &Args,
    version: &str,
) -> anyhow::Result<ExitCode> {
    let merge_base = git(root, &["merge-base", base, "HEAD"])
        .with_context(|| format!("finding the merge base of {base} and HEAD"))?;
    let diff = git(root, &["diff", &merge_base, "--", "*.rs"])?;
    let dir = Path::new("mutants.out").join("in-diff");
    std::fs::create_dir_all(root.join(&dir))?;
    let diff_file = dir.join("changes.diff");
    std::fs::write(root.join(&diff_file), diff + "\n")?;
    let mut argv: Vec<String> = ["mutants", "--in-diff"].map(str::to_owned).to_vec();
    argv.push(diff_file.display().to_string());
    for t in targets {
        argv.extend(["--package".into(), t.package.into()]);
    }
    // Without --test-workspace, cargo-mutants runs the tests of the mutated package only.
    argv.extend(["--profile", &args.profile, "--timeout", "180"].map(str::to_owned));
    if args.in_place {
        // One job, which cargo-mutants refuses to be told alongside `--in-place`.
        argv.push("--in-place".into());
    } else {
        argv.extend(["-j".into(), args.jobs.to_string()]);
    }
    argv.extend(["--output".into(), dir.display().to_string()]);
    eprintln!(
        "cargo-mutants {version}, changes since {base} (merge base {merge_base}): cargo {}",
        argv.join(" ")
    );
    let mut cmd = Command::new(crate::cargo());
    cmd.args(&argv).current_dir(root);
    if let Ok(abs) = root.join("../shared/reference/translation").canonicalize() {
        cmd.env("AGW_TRANSLATION_REFERENCE", abs);
    }
    let status = cmd.status().context("running cargo mutants --in-diff")?;
    if !matches!(status.code(), Some(0 | 2 | 3)) {
        bail!("cargo mutants --in-diff failed ({status})");
    }
    // cargo-mutants exits 2 for a missed mutant and 3 for a timeout; a mutant listed as
    // equivalent (with its reason) does not fail the gate.
    let equivalents = recheck::read_equivalents(root)?;
    let out = root.join(&dir).join("mutants.out");
    let read = |list: &str| std::fs::read_to_string(out.join(list)).unwrap_or_default();
    let (failing, equivalent) =
        gate_verdict(&read("missed.txt"), &read("timeout.txt"), &equivalents);
    for name in equivalent {
        eprintln!(
            "equivalent (listed in {}): {name}",
            recheck::EQUIVALENT_FILE
        );
    }
    if failing.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    bail!(
        "{} mutant(s) on changed lines not caught (in {}):\n{}\nadd tests that fail on them, \
         or list a mutant that changes nothing in {} with the reason",
        failing.len(),
        out.display(),
        failing.join("\n"),
        recheck::EQUIVALENT_FILE
    )
}

/// The figures of one run, from its `outcomes.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub version: String,
    /// From start to end; for a run stopped before its end (no end time), up to the
    /// last mutant's result is not known, and this is 0.
    pub seconds: f64,
    /// Whether cargo-mutants finished (wrote its end time).
    pub complete: bool,
    /// How many mutants the run was to test (`mutants.json`), when known.
    pub planned: Option<usize>,
    /// The build and test time of the mutants (every phase of every mutant, not the
    /// baseline), added up over the jobs.
    pub mutant_seconds: f64,
    pub mutants: usize,
    pub caught: usize,
    pub missed: usize,
    pub unviable: usize,
    pub timeouts: usize,
    /// `file:line:col: description`, sorted.
    pub missed_names: Vec<String>,
    pub timeout_names: Vec<String>,
    /// Every mutant tested, whatever its outcome.
    pub tested_names: Vec<String>,
}

impl Figures {
    /// Caught of the viable mutants (timeouts count as not caught), in percent.
    pub fn percent(&self) -> f64 {
        let viable = self.mutants - self.unviable;
        if viable == 0 {
            100.0
        } else {
            100.0 * self.caught as f64 / viable as f64
        }
    }

    pub fn per_minute(&self) -> f64 {
        if self.complete && self.seconds > 0.0 {
            self.mutants as f64 * 60.0 / self.seconds
        } else {
            0.0
        }
    }

    /// Mutants per minute of one job once the baseline is built: what a mutant costs.
    pub fn per_job_minute(&self) -> f64 {
        if self.mutant_seconds > 0.0 {
            self.mutants as f64 * 60.0 / self.mutant_seconds
        } else {
            0.0
        }
    }

    fn add(&mut self, other: &Figures) {
        self.complete &= other.complete;
        self.planned = self.planned.zip(other.planned).map(|(a, b)| a + b);
        self.seconds += other.seconds;
        self.mutant_seconds += other.mutant_seconds;
        self.mutants += other.mutants;
        self.caught += other.caught;
        self.missed += other.missed;
        self.unviable += other.unviable;
        self.timeouts += other.timeouts;
        self.missed_names.extend(other.missed_names.iter().cloned());
        self.timeout_names
            .extend(other.timeout_names.iter().cloned());
        self.tested_names.extend(other.tested_names.iter().cloned());
    }
}

/// Reads cargo-mutants' `outcomes.json`: the counts as it writes them, the run time
/// from its start and end times, and the names of the missed and timed-out mutants.
pub fn figures(outcomes: &Value) -> anyhow::Result<Figures> {
    let count = |key: &str| {
        outcomes[key]
            .as_u64()
            .map(|n| n as usize)
            .with_context(|| format!("outcomes.json has no count `{key}`"))
    };
    let time = |key: &str| {
        outcomes[key]
            .as_str()
            .and_then(parse_timestamp)
            .with_context(|| format!("outcomes.json has no RFC 3339 `{key}`"))
    };
    let names = |summary: &str| {
        let mut v: Vec<String> = outcomes["outcomes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|o| summary.is_empty() || o["summary"] == summary)
            .filter_map(|o| o["scenario"]["Mutant"]["name"].as_str())
            .map(str::to_owned)
            .collect();
        v.sort_by_key(|a| natural_key(a));
        v
    };
    Ok(Figures {
        version: outcomes["cargo_mutants_version"]
            .as_str()
            .unwrap_or("?")
            .to_owned(),
        seconds: if outcomes["end_time"].is_null() {
            0.0
        } else {
            time("end_time")? - time("start_time")?
        },
        complete: !outcomes["end_time"].is_null(),
        planned: None,
        mutant_seconds: outcomes["outcomes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|o| o["scenario"].get("Mutant").is_some())
            .flat_map(|o| o["phase_results"].as_array().into_iter().flatten())
            .filter_map(|p| p["duration"].as_f64())
            .sum(),
        mutants: count("total_mutants")?,
        caught: count("caught")?,
        missed: count("missed")?,
        unviable: count("unviable")?,
        timeouts: count("timeout")?,
        missed_names: names("MissedMutant"),
        timeout_names: names("Timeout"),
        tested_names: names(""),
    })
}

/// Sorts `file:line:col: ...` by file, then line and column as numbers.
fn natural_key(name: &str) -> (String, u64, u64, String) {
    let mut parts = name.splitn(4, ':');
    let file = parts.next().unwrap_or_default().to_owned();
    let line = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
    let col = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    (file, line, col, parts.next().unwrap_or_default().to_owned())
}

/// Seconds since the epoch of an RFC 3339 UTC time (`2026-12-06T17:41:22.5Z`), as
/// cargo-mutants writes them.
pub fn parse_timestamp(s: &str) -> Option<f64> {
    let s = s.strip_suffix('Z')?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.splitn(3, ':');
    let h: f64 = t.next()?.parse().ok()?;
    let min: f64 = t.next()?.parse().ok()?;
    let sec: f64 = t.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from the civil date (proleptic Gregorian), after Howard Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days as f64 * 86_400.0 + h * 3600.0 + min * 60.0 + sec)
}

/// Mutants per minute of the whole run; none for a run stopped before its end.
fn rate(f: &Figures) -> String {
    if f.complete {
        format!("{:.2}", f.per_minute())
    } else {
        "–".to_owned()
    }
}

fn duration_cell(f: &Figures) -> String {
    if f.complete {
        return duration_text(f.seconds);
    }
    match f.planned {
        Some(n) => format!("stopped after {} of {n} mutants", f.mutants),
        None => "stopped before the end".to_owned(),
    }
}

fn duration_text(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// One run found on disk, or read from its record: its figures and what `cargo xtask
/// mutants` recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    pub info: RunInfo,
    pub figures: Figures,
    /// Its survivors tested again (`--recheck`), when that run finished.
    pub recheck: Option<Box<Run>>,
    /// The digest ([`records::list_digest`]) of the crate's whole list of mutants when
    /// the run was made, if recorded.
    pub list_digest: Option<String>,
}

/// The generated section of TESTING.md for one crate, from its runs (whole, or the
/// shards that were run), in shard order.
pub fn section(t: &Target, runs: &[Run], equivalents: &[recheck::Equivalent]) -> String {
    let mut out = String::new();
    if runs.is_empty() {
        let _ = writeln!(
            out,
            "No results yet: run `cargo xtask mutants --crate {}`.",
            t.name
        );
        return out;
    }
    let total_shards = runs[0].info.shard.map(|(_, n)| n);
    let _ = writeln!(
        out,
        "| Run | Tree | cargo-mutants | Duration | Mutants | Caught | Missed | Unviable | Timeouts | Caught of viable | Mutants/min |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|");
    let row = |out: &mut String, label: &str, tree: &str, f: &Figures| {
        let _ = writeln!(
            out,
            "| {label} | {tree} | {} | {} | {} | {} | {} | {} | {} | {:.1} % | {} |",
            f.version,
            duration_cell(f),
            f.mutants,
            f.caught,
            f.missed,
            f.unviable,
            f.timeouts,
            f.percent(),
            rate(f),
        );
    };
    let mut total: Option<Figures> = None;
    for r in runs {
        let label = match r.info.shard {
            Some((k, n)) => format!("shard {k}/{n}"),
            None => "whole crate".to_owned(),
        };
        row(&mut out, &label, &r.info.tree, &r.figures);
        match &mut total {
            Some(t) => t.add(&r.figures),
            None => total = Some(r.figures.clone()),
        }
    }
    // Shards add up only when they are slices of one list of mutants: the same
    // mutants in the same order (lines may move, as code above them gains lines).
    let lists: Vec<_> = runs.iter().map(|r| r.list_digest.as_deref()).collect();
    let one_list = lists.iter().all(Option::is_some) && lists.windows(2).all(|w| w[0] == w[1]);
    if let (Some(n), Some(total)) = (total_shards, &total) {
        let label = if runs.len() as u32 == n {
            format!("all {n} shards")
        } else {
            format!("{} of {n} shards", runs.len())
        };
        if runs.len() > 1 {
            row(&mut out, &format!("**{label}**"), "", total);
        }
        let to_run: Vec<String> = (0..n)
            .filter(|k| !runs.iter().any(|r| r.info.shard == Some((*k, n))))
            .map(|k| k.to_string())
            .collect();
        if !to_run.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "Not the whole crate yet: {label} run; shard{} {} of {n} still to run.",
                if to_run.len() == 1 { "" } else { "s" },
                to_run.join(", ")
            );
        }
        if runs.len() > 1 && !one_list {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "The shards are not all slices of one list of mutants (the code changed between \
                 them, or a run did not record its list): they may overlap or leave gaps, so \
                 the total is only near the crate's."
            );
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Commands:");
    let _ = writeln!(out);
    for r in runs
        .iter()
        .chain(runs.iter().filter_map(|r| r.recheck.as_deref()))
    {
        let _ = writeln!(out, "    {}", r.info.command);
        let _ = writeln!(out, "      # runs: {}", r.info.cargo_mutants);
    }
    let _ = writeln!(out);
    survivors(&mut out, runs, equivalents);
    out
}

/// What is left of each run's survivors after its re-run, if any: the table of the
/// re-runs, the figure with the equivalent mutants left out, and the list.
fn survivors(out: &mut String, runs: &[Run], equivalents: &[recheck::Equivalent]) {
    let label = |r: &Run| match r.info.shard {
        Some((k, n)) => format!("shard {k}/{n}"),
        None => "whole crate".to_owned(),
    };
    let outcomes: Vec<recheck::Outcome> = runs
        .iter()
        .map(|r| {
            let f = &r.figures;
            match &r.recheck {
                Some(again) => recheck::outcome(
                    &f.missed_names,
                    &f.timeout_names,
                    &again.figures.missed_names,
                    &again.figures.timeout_names,
                    &again.figures.tested_names,
                ),
                None => recheck::Outcome {
                    survivors: f.missed + f.timeouts,
                    missed: f.missed_names.clone(),
                    timed_out: f.timeout_names.clone(),
                    gone: 0,
                },
            }
        })
        .collect();
    let why = |name: &str| {
        equivalents
            .iter()
            .find(|e| e.matches(name))
            .map(|e| e.why.as_str())
    };
    let equivalent = |o: &recheck::Outcome| {
        o.missed
            .iter()
            .chain(&o.timed_out)
            .filter(|n| why(n).is_some())
            .count()
    };
    if runs.iter().any(|r| r.recheck.is_some()) {
        let _ = writeln!(
            out,
            "Survivors tested again (`--recheck`): killed by the tests added since, left \
             (of them listed as equivalent), and gone with the code they mutated:"
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "| Run | Survivors | Tested again at | Mutants tested | Killed | Left | Equivalent | Gone |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
        for (r, o) in runs.iter().zip(&outcomes) {
            let Some(again) = &r.recheck else { continue };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                label(r),
                o.survivors,
                again.info.tree,
                again.figures.mutants,
                o.killed(),
                o.left(),
                equivalent(o),
                o.gone,
            );
        }
        let _ = writeln!(out);
    }
    let (mut caught, mut viable) = (0, 0);
    for (r, o) in runs.iter().zip(&outcomes) {
        caught += r.figures.caught + o.killed();
        viable += r.figures.mutants - r.figures.unviable - o.gone - equivalent(o);
    }
    let listed: usize = outcomes.iter().map(equivalent).sum();
    if runs.iter().any(|r| r.recheck.is_some()) || listed > 0 {
        let _ = writeln!(
            out,
            "Caught of viable, counting the survivors killed since and leaving out the {listed} \
             listed as equivalent: {caught} of {viable}, {:.1} %.",
            if viable == 0 {
                100.0
            } else {
                100.0 * caught as f64 / viable as f64
            }
        );
        let _ = writeln!(out);
    }
    let missed: Vec<&String> = outcomes.iter().flat_map(|o| &o.missed).collect();
    let timed_out: Vec<&String> = outcomes.iter().flat_map(|o| &o.timed_out).collect();
    if missed.is_empty() && timed_out.is_empty() {
        let _ = writeln!(out, "Survivors: none.");
        return;
    }
    for (what, names) in [("Missed", &missed), ("Timed out", &timed_out)] {
        if names.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{what} ({}):", names.len());
        let _ = writeln!(out);
        for n in names {
            let _ = write!(out, "- `{}`", n.replace('`', "'"));
            if let Some(why) = why(n) {
                let _ = write!(out, ": equivalent, {why}");
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(out);
    }
}

/// The run whose results are in `path` (cargo-mutants' `mutants.out/` and our
/// `xtask-run.json`); none when either is missing.
fn run_on_disk(path: &Path) -> anyhow::Result<Option<Run>> {
    let outcomes = path.join("mutants.out/outcomes.json");
    let info = path.join("xtask-run.json");
    if !outcomes.is_file() || !info.is_file() {
        return Ok(None);
    }
    let read = |p: &Path| -> anyhow::Result<Value> {
        let text = std::fs::read_to_string(p).with_context(|| format!("{}", p.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{}", p.display()))
    };
    let info: RunInfo =
        serde_json::from_value(read(&info)?).with_context(|| format!("{}", info.display()))?;
    let mut figures =
        figures(&read(&outcomes)?).with_context(|| format!("{}", outcomes.display()))?;
    let list = path.join("mutants.out/mutants.json");
    if list.is_file() {
        figures.planned = read(&list)?.as_array().map(Vec::len);
    }
    let list_digest = std::fs::read_to_string(path.join(LIST_FILE))
        .ok()
        .map(|l| records::list_digest(&l));
    Ok(Some(Run {
        info,
        figures,
        recheck: None,
        list_digest,
    }))
}

/// The runs of one crate and profile found in `dir` (`mutants.out/<crate>[@profile]`),
/// in shard order.
pub fn runs_on_disk(dir: &Path) -> anyhow::Result<Vec<Run>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut runs = Vec::new();
    for e in entries {
        let path = e?.path();
        let Some(mut run) = run_on_disk(&path)? else {
            continue; // an interrupted run
        };
        run.recheck = recheck_on_disk(&path)?;
        runs.push(run);
    }
    in_shard_order(runs, dir)
}

/// The finished re-check (`--recheck`) of the run whose results are (or would be) in
/// `run_path`, if one is on disk.
fn recheck_on_disk(run_path: &Path) -> anyhow::Result<Option<Box<Run>>> {
    Ok(run_on_disk(&run_path.join("recheck"))?
        .filter(|r| r.figures.complete)
        .map(Box::new))
}

/// The run `name` (`all` or `shard-K-of-N`) of `t`: its results on disk, or else its
/// record.
fn run_to_recheck(root: &Path, t: &Target, name: &str, profile: &str) -> anyhow::Result<Run> {
    let crate_dir = crate_dir(t.name, profile);
    let dir = crate_dir.join(name);
    let is_it = |r: &Run| run_dir(t.name, profile, r.info.shard) == dir;
    let on_disk = runs_on_disk(&root.join(&crate_dir))?;
    if let Some(run) = on_disk.into_iter().find(is_it) {
        return Ok(run);
    }
    match records::load(root, &crate_dir)?.into_iter().find(is_it) {
        Some(run) => Ok(run),
        None => bail!(
            "--recheck {name}: no finished run in {} and no record of one in {}: give \
             `all` or `shard-K-of-N` of a run there",
            dir.display(),
            records::RECORDS_DIR
        ),
    }
}

/// The recorded runs of `t` whose results are not on disk here (`on_disk`: those that
/// are) but whose survivors were tested again here, from the record (`--recheck`):
/// each record with that finished re-check, to be saved.
fn recorded_runs_rechecked_here(
    root: &Path,
    t: &Target,
    on_disk: &[Run],
) -> anyhow::Result<Vec<Run>> {
    let mut out = Vec::new();
    for mut run in records::load(root, &crate_dir(t.name, PROFILE))? {
        if on_disk.iter().any(|r| r.info.shard == run.info.shard) {
            continue;
        }
        run.recheck = recheck_on_disk(&root.join(run_dir(t.name, PROFILE, run.info.shard)))?;
        if run.recheck.is_some() {
            out.push(run);
        }
    }
    Ok(out)
}

/// `runs` (found in `dir`) in shard order; a sharded series must be one series: the
/// same N.
fn in_shard_order(mut runs: Vec<Run>, dir: &Path) -> anyhow::Result<Vec<Run>> {
    runs.sort_by_key(|r| r.info.shard);
    if let Some(n) = runs.first().and_then(|r| r.info.shard).map(|(_, n)| n)
        && runs.iter().any(|r| r.info.shard.map(|(_, m)| m) != Some(n))
    {
        bail!(
            "{} holds runs of different shard counts: remove the old ones",
            dir.display()
        );
    }
    Ok(runs)
}

/// Every recorded run of every crate and profile, with its speed: to compare profiles
/// on the same shard. The rows of `old` (the section as it stands) whose crate and
/// profile have no records yet (runs made before records were kept) stay as they are.
fn profiles_section(root: &Path, old: &str) -> anyhow::Result<Option<String>> {
    let mut rows = Vec::new();
    let mut recorded = Vec::new();
    for dir in records::crate_dirs(root)? {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let krate = name.split('@').next().unwrap_or_default().to_owned();
        for r in records::load(root, &dir)? {
            rows.push((name.clone(), profile_row(&krate, &r)));
        }
        recorded.push(name);
    }
    if rows.is_empty() {
        return Ok(None);
    }
    rows.extend(
        legacy_profile_rows(old)
            .filter(|(key, _)| !recorded.contains(key))
            .map(|(key, line)| (key, line.to_owned())),
    );
    // One block per crate and profile, in the order of their folders' names.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Some(profile_table(rows.into_iter().map(|(_, line)| line))))
}

/// The name of a crate's folder of runs with `profile` (`crate`, or `crate@profile`
/// for another profile than [`PROFILE`]).
fn crate_dir_name(krate: &str, profile: &str) -> String {
    if profile == PROFILE {
        krate.to_owned()
    } else {
        format!("{krate}@{profile}")
    }
}

/// The rows of a profiles table, each with its crate's folder name.
fn legacy_profile_rows(section: &str) -> impl Iterator<Item = (String, &str)> {
    section.lines().skip(2).filter_map(|line| {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (krate, profile) = (cells.get(1)?, cells.get(3)?);
        let profile = profile.split('`').nth(1)?;
        Some((crate_dir_name(krate, profile), line))
    })
}

fn profile_table(rows: impl Iterator<Item = String>) -> String {
    let mut out = String::from(
        "| Crate | Run | Profile | Tree | Jobs | Mutants | Duration | Mutants/min | Mutants/min of one job after the baseline |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for row in rows {
        out.push_str(&row);
        out.push('\n');
    }
    out
}

/// One run's row of the profiles table.
fn profile_row(krate: &str, r: &Run) -> String {
    let jobs = if r.info.cargo_mutants.contains(" --in-place") {
        "1"
    } else {
        r.info
            .cargo_mutants
            .split(" -j ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .unwrap_or("?")
    };
    let run = match r.info.shard {
        Some((k, n)) => format!("shard {k}/{n}"),
        None => "whole crate".to_owned(),
    };
    let in_place = if r.info.cargo_mutants.contains(" --in-place") {
        " (in place)"
    } else {
        ""
    };
    format!(
        "| {krate} | {run} | `{}`{in_place} | {} | {jobs} | {} | {} | {} | {:.2} |",
        r.info.profile,
        r.info.tree,
        r.figures.mutants,
        duration_cell(&r.figures),
        rate(&r.figures),
        r.figures.per_job_minute(),
    )
}

fn markers(name: &str) -> (String, String) {
    (
        format!("<!-- BEGIN generated by `cargo xtask mutants`: {name} -->"),
        format!("<!-- END generated by `cargo xtask mutants`: {name} -->"),
    )
}

/// Where the text between the markers of `name` starts and ends in `doc`.
fn section_bounds(doc: &str, name: &str) -> anyhow::Result<(usize, usize)> {
    let (begin, end) = markers(name);
    let (Some(b), Some(e)) = (doc.find(&begin), doc.find(&end)) else {
        bail!("TESTING.md has no lines `{begin}` and `{end}`: add them where the table goes");
    };
    if e < b {
        bail!("TESTING.md: `{end}` comes before `{begin}`");
    }
    Ok(((b + begin.len() + 1).min(e), e))
}

/// The text between the markers of `name` in `doc`.
fn current_section(doc: &str, name: &str) -> anyhow::Result<String> {
    let (b, e) = section_bounds(doc, name)?;
    Ok(doc.get(b..e).unwrap_or_default().to_owned())
}

/// `doc` with the text between the markers of `name` replaced by `body`.
pub fn replace_section(doc: &str, name: &str, body: &str) -> anyhow::Result<String> {
    let (b, e) = section_bounds(doc, name)?;
    Ok(format!("{}{body}{}", &doc[..b], &doc[e..]))
}

/// `doc` with the generated section `name` rewritten, when there are recorded runs to
/// write it from (`found`); else as it is: a table made before runs were recorded
/// still shows the runs it was made from, and a re-run of their commands makes it
/// again.
fn with_section(
    doc: &str,
    name: &str,
    found: bool,
    text: impl FnOnce() -> String,
) -> anyhow::Result<String> {
    if !found {
        eprintln!(
            "no recorded runs for the {name} section of TESTING.md (in {}): it is left as it is",
            records::RECORDS_DIR
        );
        return Ok(doc.to_owned());
    }
    replace_section(doc, name, &text())
}

fn write_tables(root: &Path, targets: &[Target]) -> anyhow::Result<()> {
    let path = root.join("TESTING.md");
    let mut doc =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let equivalents = recheck::read_equivalents(root)?;
    for t in targets {
        let dir = crate_dir(t.name, PROFILE);
        let mut runs = runs_on_disk(&root.join(&dir))?;
        runs.extend(recorded_runs_rechecked_here(root, t, &runs)?);
        records::save(root, &dir, &runs)?;
        let runs = records::load(root, &dir)?;
        doc = with_section(&doc, t.name, !runs.is_empty(), || {
            section(t, &runs, &equivalents)
        })?;
    }
    let profiles = profiles_section(root, &current_section(&doc, "profiles")?)?;
    doc = with_section(&doc, "profiles", profiles.is_some(), || {
        profiles.unwrap_or_default()
    })?;
    crdgen::output::write_atomic(&path, doc.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Without runs on disk (a new clone) a section is left as it is, not emptied.
    #[test]
    fn a_section_without_runs_on_disk_is_kept() {
        let doc = "a\n<!-- BEGIN generated by `cargo xtask mutants`: validate -->\nold\n<!-- END generated by `cargo xtask mutants`: validate -->\n";
        let kept = with_section(doc, "validate", false, || "new\n".into()).expect("kept");
        assert_eq!(kept, doc);
        let written = with_section(doc, "validate", true, || "new\n".into()).expect("written");
        assert!(
            written.contains("\nnew\n") && !written.contains("old"),
            "{written}"
        );
    }

    /// The gate fails on every missed or timed-out mutant except those listed as
    /// equivalent, whose line and column do not matter (the list has none).
    #[test]
    fn the_gate_fails_on_survivors_not_listed_as_equivalent() {
        let equivalents = recheck::parse_equivalents(
            "crdgen/src/a.rs: replace < with <= in f\n    why: equal at the threshold.\n",
        )
        .expect("parsed");
        let missed = "crdgen/src/a.rs:7:9: replace < with <= in f\n\
                      crdgen/src/a.rs:8:9: replace > with >= in f\n";
        let timed_out = "crdgen/src/b.rs:3:5: replace += with *= in g\n";
        let (failing, equivalent) = gate_verdict(missed, timed_out, &equivalents);
        assert_eq!(
            failing,
            [
                "  missed: crdgen/src/a.rs:8:9: replace > with >= in f",
                "  timed out: crdgen/src/b.rs:3:5: replace += with *= in g",
            ]
        );
        assert_eq!(equivalent, ["crdgen/src/a.rs:7:9: replace < with <= in f"]);
        let (failing, equivalent) = gate_verdict("", "", &equivalents);
        assert!(failing.is_empty() && equivalent.is_empty());
    }

    /// A small outcomes.json as cargo-mutants 27 writes it: a baseline, and one
    /// mutant of each outcome.
    fn outcomes() -> Value {
        let mutant = |name: &str, summary: &str| {
            json!({
                "scenario": { "Mutant": { "name": name, "package": "crdgen", "file": "crdgen/src/a.rs",
                              "function": null, "span": null, "replacement": "true", "genre": "FnValue" } },
                "summary": summary, "log_path": "log/x.log", "diff_path": "diff/x.diff",
                "phase_results": [ { "phase": "Build", "duration": 4.5, "process_status": "Success", "argv": [] },
                                   { "phase": "Test", "duration": 3.0, "process_status": "Success", "argv": [] } ],
            })
        };
        json!({
            "outcomes": [
                { "scenario": "Baseline", "summary": "Success", "log_path": "log/baseline.log",
                  "diff_path": null, "phase_results": [ { "phase": "Build", "duration": 60.0 } ] },
                mutant("crdgen/src/b.rs:10:5: replace f -> bool with true", "MissedMutant"),
                mutant("crdgen/src/a.rs:9:1: delete ! in g", "MissedMutant"),
                mutant("crdgen/src/a.rs:100:1: replace h with ()", "MissedMutant"),
                mutant("crdgen/src/a.rs:1:1: replace i -> usize with 0", "CaughtMutant"),
                mutant("crdgen/src/a.rs:2:1: replace j -> usize with 1", "CaughtMutant"),
                mutant("crdgen/src/a.rs:3:1: replace k -> usize with 1", "CaughtMutant"),
                mutant("crdgen/src/a.rs:4:1: replace l with `x`", "Timeout"),
                mutant("crdgen/src/a.rs:5:1: replace m -> u8 with 256", "Unviable"),
            ],
            "total_mutants": 8, "missed": 3, "caught": 3, "timeout": 1, "unviable": 1, "success": 0,
            "start_time": "2026-12-06T17:59:30.25Z", "end_time": "2026-12-06T18:01:30.25Z",
            "cargo_mutants_version": "27.1.0",
        })
    }

    #[test]
    fn figures_come_from_the_counts_and_times_of_outcomes_json() {
        let f = figures(&outcomes()).expect("figures");
        assert_eq!(
            (f.mutants, f.caught, f.missed, f.unviable, f.timeouts),
            (8, 3, 3, 1, 1)
        );
        assert_eq!(f.seconds, 120.0);
        // 8 mutants of 7.5 s each, the baseline not counted.
        assert_eq!(f.mutant_seconds, 60.0);
        assert_eq!(f.per_job_minute(), 8.0);
        assert_eq!(f.version, "27.1.0");
        // Sorted by file, then line as a number.
        assert_eq!(
            f.missed_names,
            [
                "crdgen/src/a.rs:9:1: delete ! in g",
                "crdgen/src/a.rs:100:1: replace h with ()",
                "crdgen/src/b.rs:10:5: replace f -> bool with true",
            ]
        );
        assert_eq!(f.timeout_names, ["crdgen/src/a.rs:4:1: replace l with `x`"]);
        // 3 caught of 7 viable; 8 mutants in 2 minutes.
        assert_eq!(format!("{:.1}", f.percent()), "42.9");
        assert_eq!(f.per_minute(), 4.0);
        // A run stopped before its end: no end time, no overall rate.
        let mut stopped = outcomes();
        stopped["end_time"] = Value::Null;
        let mut f = figures(&stopped).expect("figures");
        assert!(!f.complete);
        assert_eq!(f.per_minute(), 0.0);
        assert_eq!(f.per_job_minute(), 8.0);
        f.planned = Some(20);
        assert_eq!(duration_cell(&f), "stopped after 8 of 20 mutants");
        let mut broken = outcomes();
        broken["end_time"] = json!("yesterday");
        let e = figures(&broken).expect_err("bad time");
        assert!(e.to_string().contains("end_time"), "{e}");
    }

    #[test]
    fn timestamps_are_read_as_seconds_since_the_epoch() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(
            parse_timestamp("2000-03-01T00:00:01.5Z"),
            Some(951_868_801.5)
        );
        assert_eq!(
            parse_timestamp("2026-12-06T17:41:22Z"),
            Some(1_796_578_882.0)
        );
        assert_eq!(parse_timestamp("2026-13-06T17:41:22Z"), None);
        assert_eq!(parse_timestamp("2026-12-06 17:41:22"), None);
    }

    fn info(shard: Option<(u32, u32)>) -> RunInfo {
        RunInfo {
            tree: "80af639".into(),
            command: "cargo xtask mutants --crate crdgen".into(),
            cargo_mutants: "cargo mutants --package crdgen -j 2".into(),
            shard,
            profile: PROFILE.into(),
        }
    }

    #[test]
    fn the_table_lists_each_run_the_total_and_the_survivors() {
        let f = figures(&outcomes()).expect("figures");
        let t = TARGETS[0];
        let runs = [
            Run {
                info: info(Some((0, 2))),
                figures: f.clone(),
                recheck: None,
                list_digest: None,
            },
            Run {
                info: info(Some((1, 2))),
                figures: f,
                recheck: None,
                list_digest: None,
            },
        ];
        let s = section(&t, &runs, &[]);
        let expected = "\
| Run | Tree | cargo-mutants | Duration | Mutants | Caught | Missed | Unviable | Timeouts | Caught of viable | Mutants/min |
|---|---|---|---|---|---|---|---|---|---|---|
| shard 0/2 | 80af639 | 27.1.0 | 2 min 0 s | 8 | 3 | 3 | 1 | 1 | 42.9 % | 4.00 |
| shard 1/2 | 80af639 | 27.1.0 | 2 min 0 s | 8 | 3 | 3 | 1 | 1 | 42.9 % | 4.00 |
| **all 2 shards** |  | 27.1.0 | 4 min 0 s | 16 | 6 | 6 | 2 | 2 | 42.9 % | 4.00 |
";
        assert!(s.starts_with(expected), "{s}");
        assert!(
            s.contains("Missed (6):\n\n- `crdgen/src/a.rs:9:1: delete ! in g`\n"),
            "{s}"
        );
        assert!(
            s.contains("Timed out (2):\n\n- `crdgen/src/a.rs:4:1: replace l with 'x'`\n"),
            "{s}"
        );
        assert!(s.contains("    cargo xtask mutants --crate crdgen\n      # runs: cargo mutants --package crdgen -j 2\n"), "{s}");
        // The same runs give the same text.
        assert_eq!(section(&t, &runs, &[]), s);
        // Without their lists, shards are not known to add up; with one list they do.
        assert!(s.contains("not all slices of one list of mutants"), "{s}");
        let mut same = runs.clone();
        for r in &mut same {
            r.list_digest = Some(records::list_digest("a.rs:1:1: replace f with ()\n"));
        }
        assert!(!section(&t, &same, &[]).contains("not all slices"));
        // Lines may move; the mutants and their order may not.
        same[1].list_digest = Some(records::list_digest("a.rs:2:1: replace f with ()\n"));
        assert!(!section(&t, &same, &[]).contains("not all slices"));
        same[1].list_digest = Some(records::list_digest("a.rs:2:1: replace g with ()\n"));
        assert!(section(&t, &same, &[]).contains("not all slices"));
        // One shard of two is labelled as such, without a total row.
        let one = section(&t, &runs[..1], &[]);
        assert!(!one.contains("shards**"), "{one}");
        assert!(
            one.contains(
                "\nNot the whole crate yet: 1 of 2 shards run; shard 1 of 2 still to run.\n"
            ),
            "{one}"
        );
        assert!(!s.contains("Not the whole crate"), "{s}");
        assert!(section(&t, &[], &[]).starts_with("No results yet"));
    }

    #[test]
    fn re_runs_of_survivors_and_equivalents_are_counted_apart() {
        // The run: 3 missed, 1 timeout (see `outcomes`). Tested again later: `g` is
        // killed, `h` is missed again (listed as equivalent), `f` is missed again, `l`
        // times out again.
        let f = figures(&outcomes()).expect("figures");
        let mut again = outcomes();
        let arr = again["outcomes"].as_array_mut().expect("outcomes");
        arr[2]["summary"] = json!("CaughtMutant");
        arr[1]["scenario"]["Mutant"]["name"] =
            json!("crdgen/src/b.rs:12:5: replace f -> bool with true");
        again["caught"] = json!(4);
        again["missed"] = json!(2);
        let mut rerun_info = info(None);
        rerun_info.tree = "5d76812".into();
        rerun_info.command = "cargo xtask mutants --crate crdgen --recheck shard-0-of-1".into();
        let runs = [Run {
            info: info(Some((0, 1))),
            figures: f,
            recheck: Some(Box::new(Run {
                info: rerun_info,
                figures: figures(&again).expect("figures"),
                recheck: None,
                list_digest: None,
            })),
            list_digest: None,
        }];
        let equivalents = recheck::parse_equivalents(
            "crdgen/src/a.rs: replace h with ()\n  why: h is never called.\n",
        )
        .expect("parsed");
        let s = section(&TARGETS[0], &runs, &equivalents);
        assert!(
            s.contains("| shard 0/1 | 4 | 5d76812 | 8 | 1 | 3 | 1 | 0 |\n"),
            "{s}"
        );
        // 3 caught and 1 killed, of 8 mutants less 1 unviable and 1 equivalent.
        assert!(
            s.contains("leaving out the 1 listed as equivalent: 4 of 6, 66.7 %."),
            "{s}"
        );
        assert!(
            s.contains(
                "Missed (2):\n\n- `crdgen/src/a.rs:100:1: replace h with ()`: equivalent, h is never called.\n- `crdgen/src/b.rs:12:5: replace f -> bool with true`\n"
            ),
            "{s}"
        );
        assert!(s.contains("Timed out (1):"), "{s}");
        assert!(
            s.contains("    cargo xtask mutants --crate crdgen --recheck shard-0-of-1\n"),
            "{s}"
        );
    }

    #[test]
    fn the_profiles_table_gives_both_speeds_of_each_run() {
        let f = figures(&outcomes()).expect("figures");
        let mut dev = info(Some((3, 80)));
        dev.profile = "dev".into();
        dev.cargo_mutants = "cargo mutants --package crdgen --profile dev --in-place".into();
        let rows = [(
            "crdgen".to_owned(),
            Run {
                info: dev,
                figures: f,
                recheck: None,
                list_digest: None,
            },
        )];
        assert_eq!(
            profile_row(&rows[0].0, &rows[0].1),
            "| crdgen | shard 3/80 | `dev` (in place) | 80af639 | 1 | 8 | 2 min 0 s | 4.00 | 8.00 |"
        );
    }

    #[test]
    fn the_profiles_table_keeps_the_rows_of_runs_without_records() {
        let root = tempfile::tempdir().expect("tempdir");
        let old = "| Crate | Run | Profile | Tree | Jobs | Mutants | Duration | Mutants/min | Mutants/min of one job after the baseline |
|---|---|---|---|---|---|---|---|---|
| crdgen | shard 0/8 | `mutants` (in place) | e22f37f | 1 | 266 | 58 min 12 s | 4.57 | 4.59 |
| crdgen | shard 75/200 | `dev` (in place) | 13b4dc6 | 1 | 4 | 13 min 10 s | 0.30 | 0.65 |
| translate | whole crate | `mutants` | f6a657b | 1 | 313 | 22 min 27 s | 13.95 | 17.46 |
| validate | shard 0/4 | `mutants` (in place) | e22f37f | 1 | 216 | 1 h 15 min | 2.85 | 3.05 |
";
        assert_eq!(profiles_section(root.path(), old).expect("read"), None);
        // Recorded runs of translate replace its row; the other crates' rows stay.
        let run = Run {
            info: info(None),
            figures: figures(&outcomes()).expect("figures"),
            recheck: None,
            list_digest: None,
        };
        records::save(root.path(), &crate_dir("translate", PROFILE), &[run]).expect("saved");
        let new = profiles_section(root.path(), old)
            .expect("read")
            .expect("a table");
        let lines: Vec<&str> = new.lines().collect();
        assert_eq!(lines[..2], old.lines().take(2).collect::<Vec<_>>()[..]);
        assert_eq!(
            lines[2..4],
            old.lines().skip(2).take(2).collect::<Vec<_>>()[..]
        );
        assert!(
            lines[4].starts_with("| translate | whole crate | `mutants` | 80af639 |"),
            "{new}"
        );
        assert_eq!(lines[5..], old.lines().skip(5).collect::<Vec<_>>()[..]);
    }

    #[test]
    fn a_section_is_replaced_between_its_markers_only() {
        let doc = "intro\n<!-- BEGIN generated by `cargo xtask mutants`: validate -->\nold\n<!-- END generated by `cargo xtask mutants`: validate -->\nafter\n";
        let new = replace_section(doc, "validate", "new\n").expect("replaced");
        assert_eq!(
            new,
            "intro\n<!-- BEGIN generated by `cargo xtask mutants`: validate -->\nnew\n<!-- END generated by `cargo xtask mutants`: validate -->\nafter\n"
        );
        assert_eq!(
            replace_section(&new, "validate", "new\n").expect("again"),
            new
        );
        let e = replace_section(doc, "crdgen", "x").expect_err("no markers");
        assert!(e.to_string().contains("crdgen -->"), "{e}");
    }

    /// A finished run's results in `dir`, as `cargo xtask mutants` leaves them: the
    /// outcomes of [`outcomes`] and the run's `xtask-run.json`.
    fn write_run(dir: &Path, shard: Option<(u32, u32)>) {
        std::fs::create_dir_all(dir.join("mutants.out")).expect("mkdir");
        std::fs::write(
            dir.join("mutants.out/outcomes.json"),
            outcomes().to_string(),
        )
        .expect("write");
        std::fs::write(
            dir.join("xtask-run.json"),
            serde_json::to_string(&info(shard)).expect("json"),
        )
        .expect("write");
    }

    #[test]
    fn runs_are_read_from_disk_in_shard_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let t = TARGETS[1];
        for k in [1u32, 0] {
            let d = dir.path().join(run_dir(t.name, PROFILE, Some((k, 2))));
            write_run(&d, Some((k, 2)));
        }
        // The survivors of shard 1/2 tested again: read with it.
        let again = dir
            .path()
            .join(run_dir(t.name, PROFILE, Some((1, 2))))
            .join("recheck");
        write_run(&again, Some((1, 2)));
        // An interrupted run (no outcomes) is left out.
        std::fs::create_dir_all(dir.path().join(run_dir(t.name, PROFILE, Some((1, 3)))))
            .expect("mkdir");
        let runs = runs_on_disk(&dir.path().join(crate_dir(t.name, PROFILE))).expect("runs");
        let shards: Vec<_> = runs.iter().map(|r| r.info.shard).collect();
        assert_eq!(shards, [Some((0, 2)), Some((1, 2))]);
        assert!(runs[0].recheck.is_none() && runs[1].recheck.is_some());
        assert!(
            runs_on_disk(&dir.path().join(crate_dir("translate", PROFILE)))
                .expect("none")
                .is_empty()
        );
    }

    /// A run made elsewhere (only its record is here) is re-checked from its record,
    /// and the re-check made here is added to the record.
    #[test]
    fn a_recorded_run_is_rechecked_from_its_record() {
        let root = tempfile::tempdir().expect("tempdir");
        let t = TARGETS[1];
        let run = Run {
            info: info(Some((0, 2))),
            figures: figures(&outcomes()).expect("figures"),
            recheck: None,
            list_digest: None,
        };
        records::save(root.path(), &crate_dir(t.name, PROFILE), &[run]).expect("saved");
        let found = run_to_recheck(root.path(), &t, "shard-0-of-2", PROFILE).expect("found");
        assert_eq!(found.info.shard, Some((0, 2)));
        assert_eq!(found.figures.missed_names.len(), 3);
        let e = run_to_recheck(root.path(), &t, "shard-1-of-2", PROFILE).expect_err("none");
        assert!(e.to_string().contains("no record of one"), "{e}");
        // No re-check on disk yet: nothing to add.
        assert!(
            recorded_runs_rechecked_here(root.path(), &t, &[])
                .expect("read")
                .is_empty()
        );
        let again = root
            .path()
            .join(run_dir(t.name, PROFILE, Some((0, 2))))
            .join("recheck");
        write_run(&again, Some((0, 2)));
        let with = recorded_runs_rechecked_here(root.path(), &t, &[]).expect("read");
        assert_eq!(with.len(), 1);
        assert!(with[0].recheck.is_some());
        // A run whose results are on disk keeps its own re-check.
        assert!(
            recorded_runs_rechecked_here(root.path(), &t, &with)
                .expect("read")
                .is_empty()
        );
    }

    /// A run's record gives back the run: the same section of TESTING.md, the same
    /// list digest; a new series replaces the records of the one before.
    #[test]
    fn runs_are_recorded_and_the_tables_made_from_the_records() {
        let root = tempfile::tempdir().expect("tempdir");
        let t = TARGETS[1];
        let dir = crate_dir(t.name, PROFILE);
        let run = |shard, list: &str| Run {
            info: info(shard),
            figures: figures(&outcomes()).expect("figures"),
            recheck: Some(Box::new(Run {
                info: info(shard),
                figures: figures(&outcomes()).expect("figures"),
                recheck: None,
                list_digest: None,
            })),
            list_digest: Some(records::list_digest(list)),
        };
        let list = "a.rs:1:1: replace f with ()\nb.rs:2:3: delete !\n";
        let runs = [run(Some((0, 2)), list), run(Some((1, 2)), list)];
        records::save(root.path(), &dir, &runs).expect("saved");
        let loaded = records::load(root.path(), &dir).expect("loaded");
        assert_eq!(section(&t, &loaded, &[]), section(&t, &runs, &[]));
        assert!(loaded.iter().all(|r| r.recheck.is_some()));
        // The digest ignores where the mutants are, not which they are.
        let moved = "a.rs:7:1: replace f with ()\nb.rs:9:3: delete !\n";
        assert_eq!(
            loaded[0].list_digest.as_deref(),
            Some(records::list_digest(moved).as_str())
        );
        assert_ne!(
            records::list_digest(moved),
            records::list_digest("a.rs:7:1: replace f with ()\n")
        );
        // The same shard again replaces its record; another count replaces the series.
        records::save(root.path(), &dir, &runs[..1]).expect("again");
        assert_eq!(records::load(root.path(), &dir).expect("loaded").len(), 2);
        records::save(root.path(), &dir, &[run(Some((0, 4)), list)]).expect("other count");
        let shards: Vec<_> = records::load(root.path(), &dir)
            .expect("loaded")
            .iter()
            .map(|r| r.info.shard)
            .collect();
        assert_eq!(shards, [Some((0, 4))]);
        // A whole run replaces every shard.
        records::save(root.path(), &dir, &[run(None, list)]).expect("whole");
        let whole = records::load(root.path(), &dir).expect("loaded");
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0].info.shard, None);
        assert_eq!(
            records::crate_dirs(root.path()).expect("dirs"),
            [Path::new("mutants.out").join("validate")]
        );
    }

    #[test]
    fn command_lines_name_each_crate_with_its_own_tests() {
        let spec = Spec {
            shard: Some((2, 4)),
            jobs: 2,
            profile: PROFILE.into(),
            in_place: false,
        };
        let argv = mutants_command(&TARGETS[1], &spec, Path::new("o"));
        assert_eq!(
            argv.join(" "),
            "cargo mutants --package agentgateway-validate --test-package agentgateway-validate \
             --profile mutants --timeout 180 -j 2 --shard 2/4 --output o"
        );
        assert_eq!(parse_shard("3/8").expect("shard"), (3, 8));
        assert!(parse_shard("8/8").is_err());
        assert!(parse_shard("x").is_err());
        assert!(target("nope").is_err());
        assert_eq!(
            xtask_command(
                &TARGETS[0],
                &Spec {
                    shard: Some((1, 4)),
                    jobs: 1,
                    profile: "dev".into(),
                    in_place: true
                }
            ),
            "cargo xtask mutants --crate crdgen --shard 1/4 -j 1 --profile dev --in-place"
        );
        assert_eq!(
            run_dir("crdgen", "dev", None),
            Path::new("mutants.out/crdgen@dev/all")
        );
    }
}
