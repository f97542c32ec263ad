//! Run records: what TESTING.md's tables are made from, kept in the repository.
//!
//! cargo-mutants writes its results into `mutants.out`, an ignored folder that goes
//! with the clone that ran the mutants, and a crate's whole run can take longer than
//! one sitting (crdgen's 2127 mutants: about six hours on 2 cores). So each run's
//! figures are also written to `xtask/mutants-runs/<crate>/<run>.json` (the same
//! names as under `mutants.out`), and the tables are made from these records: shards
//! run on different days and machines add up, and `--table-only` gives the same
//! tables in any clone.
//!
//! A record is the [`Run`]: its `RunInfo` (tree, commands), its `Figures` (counts,
//! times, the names of the mutants tested, missed and timed out), its re-check, and
//! a digest of the crate's list of mutants at its tree (names without line and
//! column), by which the table tells whether shards are slices of one list.

use super::Run;
use anyhow::Context;
use std::path::{Path, PathBuf};

/// Where the records are, below the workspace root.
pub const RECORDS_DIR: &str = "xtask/mutants-runs";

/// FNV-1a (64 bits) of the list's mutant names without line and column, one per
/// line: two lists with the same mutants in the same order have the same digest,
/// however lines moved.
pub fn list_digest(list: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for line in list.lines() {
        let (file, what) = super::recheck::key(line);
        for b in file
            .bytes()
            .chain([b':'])
            .chain(what.bytes())
            .chain([b'\n'])
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The record file of a run of the crate whose results are in `crate_dir`
/// (`mutants.out/<crate>[@profile]`).
fn record_path(root: &Path, crate_dir: &Path, shard: Option<(u32, u32)>) -> PathBuf {
    let crate_name = crate_dir.file_name().unwrap_or_default();
    let leaf = match shard {
        Some((k, n)) => format!("shard-{k}-of-{n}.json"),
        None => "all.json".to_owned(),
    };
    root.join(RECORDS_DIR).join(crate_name).join(leaf)
}

/// Writes a record of each run (replacing the record of the same run), after
/// removing the records a new series replaces: a whole run replaces every shard, and
/// shards of another count or a whole run are removed when a shard is written.
pub fn save(root: &Path, crate_dir: &Path, runs: &[Run]) -> anyhow::Result<()> {
    for run in runs {
        let path = record_path(root, crate_dir, run.info.shard);
        let dir = path.parent().expect("a record has a folder");
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for old in std::fs::read_dir(dir).with_context(|| format!("{}", dir.display()))? {
            let old = old?.path();
            let name = old.file_name().unwrap_or_default().to_string_lossy();
            let replaced = match run.info.shard {
                None => name != "all.json",
                Some((_, n)) => !name.ends_with(&format!("-of-{n}.json")),
            };
            if replaced && name.ends_with(".json") {
                std::fs::remove_file(&old)
                    .with_context(|| format!("removing {}", old.display()))?;
            }
        }
        let text = serde_json::to_string_pretty(run)? + "\n";
        crdgen::output::write_atomic(&path, text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// The recorded runs of the crate whose results are in `crate_dir`, in shard order.
pub fn load(root: &Path, crate_dir: &Path) -> anyhow::Result<Vec<Run>> {
    let dir = root
        .join(RECORDS_DIR)
        .join(crate_dir.file_name().unwrap_or_default());
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut runs = Vec::new();
    for e in entries {
        let path = e?.path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
        let run: Run = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a run record", path.display()))?;
        runs.push(run);
    }
    super::in_shard_order(runs, &dir)
}

/// The crate folders that have records (`crdgen`, `validate@dev`, ...), sorted.
pub fn crate_dirs(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let Ok(entries) = std::fs::read_dir(root.join(RECORDS_DIR)) else {
        return Ok(Vec::new());
    };
    let mut dirs = Vec::new();
    for e in entries {
        let path = e?.path();
        if path.is_dir() {
            dirs.push(Path::new("mutants.out").join(path.file_name().unwrap_or_default()));
        }
    }
    dirs.sort();
    Ok(dirs)
}
