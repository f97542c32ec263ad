//! Golden tests: each case file under `tests/golden/` holds input documents and the
//! expected output document (`# Output`, with `output` and `status`). The test
//! translates the inputs and compares the result with the expectation, as parsed YAML
//! values (so formatting and key order do not matter).
//!
//! `UPDATE_GOLDEN=1 cargo test -p agentgateway-translate --test golden` rewrites the
//! output document of every case from the current translation; review the diff.
//!
//! `reference_cases` runs the same comparison over the reference cases in
//! `../shared/reference/translation` (beside the repository) (or `$AGW_TRANSLATION_REFERENCE`) when that
//! directory exists, and is skipped otherwise. Those files are never rewritten.

use agentgateway_translate::documents;
use std::path::{Path, PathBuf};

fn case_files(dir: &Path) -> Vec<PathBuf> {
    documents::case_files(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
}

/// Compares one case file with its expectation; `Err` describes the difference.
fn check(path: &Path, update: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading: {e}"))?;
    let got = documents::run(&text)?;
    if update {
        std::fs::write(path, documents::with_output(&text, &got)?)
            .map_err(|e| format!("writing: {e}"))?;
        return Ok(());
    }
    let want = documents::expected(&text)?
        .ok_or("no `# Output` document (run with UPDATE_GOLDEN=1 to add it)")?;
    let got = documents::render(&got);
    if got == want {
        return Ok(());
    }
    let yaml = |v| crdgen::render::to_yaml(v).unwrap_or_default();
    let (want, got) = (yaml(&want), yaml(&got));
    let diff = similar::TextDiff::from_lines(&want, &got)
        .unified_diff()
        .header("expected", "translated")
        .to_string();
    Err(format!("output differs:\n{diff}"))
}

fn run_all(files: &[PathBuf], update: bool) -> Vec<String> {
    files
        .iter()
        .filter_map(|f| {
            check(f, update)
                .err()
                .map(|e| format!("{}: {e}", f.display()))
        })
        .collect()
}

#[test]
fn golden_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let files = case_files(&dir);
    assert!(
        files.len() >= 20,
        "expected our golden cases in {}",
        dir.display()
    );
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let failures = run_all(&files, update);
    assert!(
        failures.is_empty(),
        "{} of {} golden cases failed (UPDATE_GOLDEN=1 rewrites expectations):\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

#[test]
fn reference_cases() {
    let dir = std::env::var_os("AGW_TRANSLATION_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // `../shared/reference/translation` beside the repository.
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/translation")
        });
    if !dir.is_dir() {
        eprintln!("skipped: no reference cases at {}", dir.display());
        return;
    }
    let files = case_files(&dir);
    let failures = run_all(&files, false);
    eprintln!(
        "{} of {} reference cases match",
        files.len() - failures.len(),
        files.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} reference cases differ:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}
