//! `cargo xtask gen-crds [--check]`: the CRD templates of the chart, the API reference
//! (`docs/reference`) and the JSON Schemas (`schemas/agentgateway.dev`), all from the
//! Rust types, written or checked together.

use anyhow::Context;
use crdgen::output::{self, Drift};
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::ExitCode,
};

/// The command that regenerates the templates; named in headers and error messages.
pub const COMMAND: &str = "cargo xtask gen-crds";

pub use crdgen::repo::{REFERENCE, SCHEMAS, TEMPLATES};

#[derive(clap::Args)]
pub struct Args {
    /// Write nothing; exit non-zero if any generated file is missing, differs or is stale.
    #[arg(long)]
    pub check: bool,
    /// Always compile the API types, even when they are unchanged or only their doc
    /// comments changed since the last build (implied when `CI=true`).
    #[arg(long)]
    pub full: bool,
    /// Write or check only the CRD templates, in DIR instead of the chart's templates
    /// directory (the reference and the schemas are left alone).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// One output directory and the files the types produce for it.
pub struct Target {
    /// What the files are, for messages ("CRD templates").
    pub what: &'static str,
    /// The directory, relative to the workspace root unless `--out` named another.
    pub dir: PathBuf,
    pub files: Vec<crdgen::RenderedCrd>,
}

/// Whether to skip the fast paths of pass 1: on `--full`, and always in CI, whose
/// drift check must compare the templates with what the compiler produces.
pub fn full(flag: bool) -> bool {
    flag || std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Every generated file for the workspace at `root`: the last run's when nothing
/// changed since (and not `full`), else from pass 1 on, calling `on_work` first. Says
/// how on standard output. What was generated is remembered for the next run on
/// another thread, which `Saving` waits for.
pub fn generate(
    root: &Path,
    full: bool,
    on_work: impl FnOnce(),
) -> anyhow::Result<(crdgen::Generated, Saving)> {
    use crate::timings::phase;
    use crdgen::pass1::{How, Session, cache_dir};
    let session = phase("read inputs", || Session::open(root, &cache_dir()?))?;
    if !full && let Some(generated) = phase("reuse generated", || session.generated()) {
        println!("{}", How::Unchanged);
        return Ok((generated, Saving(None)));
    }
    on_work();
    let pass1 = phase("pass 1", || {
        session.pass1(full, || {
            phase("compile and run the build program", || compile(root))
        })
    })?;
    println!("{}", pass1.how);
    let generated = phase("passes 2-3", || generate_all(&pass1.built))?;
    let copy = generated.clone();
    let saving =
        std::thread::spawn(move || phase("save generated", || session.save_generated(&copy)));
    Ok((generated, Saving(Some(saving))))
}

/// The build program: `api/src/lib.rs` compiled as a binary of xtask (see
/// xtask/Cargo.toml).
pub const PROGRAM: &str = "agentgateway-crds-build";

/// Compiles (when needed) and runs the build program in the workspace at `root`; its
/// output. The compiler's messages go to standard error as they come.
fn compile(root: &Path) -> anyhow::Result<Vec<crdgen::Built>> {
    use std::process::{Command, Stdio};
    let cargo = crate::cargo();
    let out = Command::new(&cargo)
        .args(["run", "--quiet", "--package", "xtask", "--bin", PROGRAM])
        .current_dir(root)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running `{cargo} run --bin {PROGRAM}`"))?;
    if !out.status.success() {
        anyhow::bail!(
            "the API types did not compile or their build program failed (see above); nothing \
             was written"
        );
    }
    crdgen::build::read_printed(&out.stdout)
        .with_context(|| format!("reading the output of {PROGRAM}"))
}

/// The generated files being saved for the next run; dropping it waits for the save.
/// A failed save only costs the next run its shortcut, so it is a warning.
pub struct Saving(Option<std::thread::JoinHandle<anyhow::Result<()>>>);

impl Drop for Saving {
    fn drop(&mut self) {
        if let Some(Ok(Err(e))) = self.0.take().map(|h| h.join()) {
            eprintln!("warning: could not remember the generated files for the next run: {e:#}");
        }
    }
}

/// Every generated file of the repository, by directory (relative to the workspace root).
pub fn targets(g: crdgen::Generated) -> Vec<Target> {
    vec![
        Target {
            what: "CRD templates",
            dir: TEMPLATES.into(),
            files: g.templates,
        },
        Target {
            what: "API reference pages",
            dir: REFERENCE.into(),
            files: g.reference,
        },
        Target {
            what: "JSON Schemas",
            dir: SCHEMAS.into(),
            files: g.schemas,
        },
    ]
}

/// The drift of every target below `root`, as the lines `--check` prints; empty when
/// everything is up to date.
pub fn drift_report(root: &Path, targets: &[Target]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for t in targets {
        let dir = root.join(&t.dir);
        let drift =
            output::check(&dir, &t.files).with_context(|| format!("checking {}", dir.display()))?;
        for d in &drift {
            let shown = d.path().strip_prefix(root).unwrap_or(d.path()).display();
            out.push(match d {
                Drift::Missing { .. } => format!("missing: {shown}"),
                Drift::Leftover { .. } => format!(
                    "leftover: {shown} (a temporary file of an interrupted gen-crds; the next \
                     gen-crds removes it)"
                ),
                Drift::Stale { .. } => {
                    format!("stale: {shown} (no CRD type generates it any more)")
                }
                Drift::Differs { diff, .. } => format!("differs: {shown}\n{diff}"),
            });
        }
    }
    Ok(out)
}

/// Renders every CRD, reference page and JSON Schema from the output of pass 1, or
/// fails listing every schema problem.
pub fn generate_all(built: &[crdgen::Built]) -> anyhow::Result<crdgen::Generated> {
    crdgen::generate_all_built(built, COMMAND).map_err(problems)
}

/// Every schema problem of the API types, as one error.
fn problems(problems: Vec<crdgen::normalize::Problem>) -> anyhow::Error {
    let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
    anyhow::anyhow!(
        "{} schema problem(s) in the API types; nothing was written:\n{}",
        problems.len(),
        list.join("\n")
    )
}

/// Changes in `crds` that may break objects stored under earlier CRDs; `earlier`
/// gives the earlier text of a template file, by file name, when there is one.
fn breaking_since(
    crds: &[crdgen::RenderedCrd],
    earlier: impl Fn(&str) -> Option<String>,
    shown_dir: &Path,
) -> Vec<String> {
    let mut out = Vec::new();
    for crd in crds {
        let Some(old_text) = earlier(&crd.file_name) else {
            continue;
        };
        if old_text == crd.text {
            continue;
        }
        if let Some(old) = crdgen::compat::parse_template(&old_text) {
            out.extend(breaking_lines(shown_dir, crd, &old));
        }
    }
    out
}

/// The changes from the `old` CRD to the template `crd` that may break stored objects,
/// each a line naming the template as a file of `dir`.
fn breaking_lines(dir: &Path, crd: &crdgen::RenderedCrd, old: &serde_json::Value) -> Vec<String> {
    let Some(new) = crdgen::compat::parse_template(&crd.text) else {
        return Vec::new();
    };
    crdgen::compat::breaking_changes(old, &new)
        .into_iter()
        .map(|change| format!("{}: {change}", dir.join(&crd.file_name).display()))
        .collect()
}

/// The templates in `dir` as they are before this run writes any (file name → text),
/// parsed into CRDs on another thread once generation has work to do (see [`run`]):
/// only a run that changes a template waits for the parse, and a run that reuses the
/// last generated files does not parse at all.
struct Earlier {
    texts: BTreeMap<String, String>,
    parsing: Option<std::thread::JoinHandle<BTreeMap<String, serde_json::Value>>>,
}

impl Earlier {
    fn read(dir: &Path) -> Self {
        let texts = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(|e| {
                let path = e.ok()?.path();
                let name = path.file_name()?.to_str()?.to_owned();
                name.ends_with(".yaml")
                    .then(|| Some((name, std::fs::read_to_string(&path).ok()?)))?
            })
            .collect();
        Self {
            texts,
            parsing: None,
        }
    }

    fn parse(texts: BTreeMap<String, String>) -> BTreeMap<String, serde_json::Value> {
        crate::timings::phase("parse earlier templates", || {
            texts
                .into_iter()
                .filter_map(|(name, text)| Some((name, crdgen::compat::parse_template(&text)?)))
                .collect()
        })
    }

    /// Starts parsing on another thread.
    fn parse_in_background(&mut self) {
        let texts = self.texts.clone();
        self.parsing = Some(std::thread::spawn(move || Self::parse(texts)));
    }

    /// The parsed templates: from the background parse, or parsed now.
    fn parsed(self) -> BTreeMap<String, serde_json::Value> {
        match self.parsing {
            Some(parsing) => parsing.join().unwrap_or_default(),
            None => Self::parse(self.texts),
        }
    }
}

/// Changes in `crds` that may break objects stored under the `earlier` templates,
/// shown as files of `dir`.
fn breaking(dir: &Path, crds: &[crdgen::RenderedCrd], earlier: Earlier) -> Vec<String> {
    let changed: Vec<&crdgen::RenderedCrd> = crds
        .iter()
        .filter(|c| {
            earlier
                .texts
                .get(&c.file_name)
                .is_some_and(|t| *t != c.text)
        })
        .collect();
    if changed.is_empty() {
        // The parse is not needed: left to finish (or be stopped at exit) on its own.
        return Vec::new();
    }
    let parsed = earlier.parsed();
    changed
        .into_iter()
        .filter_map(|crd| Some(breaking_lines(dir, crd, parsed.get(&crd.file_name)?)))
        .flatten()
        .collect()
}

#[derive(clap::Args)]
pub struct BreakingArgs {
    /// Git revision holding the chart to compare with, e.g. `origin/main` or a release tag.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    against: String,
}

/// `cargo xtask breaking --against REV`: fails when the CRDs the types produce now
/// could break objects stored under the chart of `REV` (for review before merging).
pub fn run_breaking(args: &BreakingArgs) -> anyhow::Result<ExitCode> {
    let root = crate::workspace_root();
    let crds = generate(&root, full(false), || {})?.0.templates;
    let rev = &args.against;
    let resolved = std::process::Command::new("git")
        .args([
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
        .current_dir(&root)
        .output()
        .context("running git")?;
    if !resolved.status.success() {
        anyhow::bail!(
            "`{rev}` is not a git revision of this repository (try `HEAD`, `origin/main` or a tag)"
        );
    }
    let earlier = |file: &str| {
        let out = std::process::Command::new("git")
            .args(["show", &format!("{rev}:{TEMPLATES}/{file}")])
            .current_dir(&root)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let changes = breaking_since(&crds, earlier, Path::new(TEMPLATES));
    if changes.is_empty() {
        println!("no breaking changes since {rev} in {} CRDs", crds.len());
        return Ok(ExitCode::SUCCESS);
    }
    print_breaking(&changes);
    eprintln!("\n{} breaking change(s) since {rev}.", changes.len());
    Ok(ExitCode::FAILURE)
}

fn print_breaking(changes: &[String]) {
    if changes.is_empty() {
        return;
    }
    eprintln!(
        "warning: {} change(s) may break objects already stored in clusters:",
        changes.len()
    );
    for c in changes {
        eprintln!("  {c}");
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    // The templates as they are now, for the breaking-change report: read before any
    // is written, and parsed on another thread while the new ones are generated.
    let templates = match &args.out {
        Some(out) => out.clone(),
        None => crate::workspace_root().join(TEMPLATES),
    };
    let mut earlier = Earlier::read(&templates);
    let (generated, _saving) = generate(&crate::workspace_root(), full(args.full), || {
        earlier.parse_in_background()
    })?;
    let mut targets = targets(generated);
    match &args.out {
        // Only the templates, into the directory given (relative to where we are).
        Some(out) => {
            targets.truncate(1);
            targets[0].dir = out.clone();
        }
        // Files are written and shown relative to the workspace root.
        None => {
            let root = crate::workspace_root();
            std::env::set_current_dir(&root)
                .with_context(|| format!("entering {}", root.display()))?;
        }
    }
    let root = PathBuf::new();
    std::thread::scope(|scope| {
        // Parsing the old and new templates takes a while; do it beside the rest.
        let breaking = scope.spawn(|| {
            crate::timings::phase("breaking changes", || {
                breaking(&root.join(&targets[0].dir), &targets[0].files, earlier)
            })
        });
        let breaking = || breaking.join().unwrap_or_default();
        check_or_write(args, &root, &targets, breaking)
    })
}

fn check_or_write(
    args: &Args,
    root: &Path,
    targets: &[Target],
    breaking: impl FnOnce() -> Vec<String>,
) -> anyhow::Result<ExitCode> {
    if args.check {
        let drift = crate::timings::phase("check", || drift_report(root, targets))?;
        if drift.is_empty() {
            for t in targets {
                println!(
                    "{} {} in {} are up to date",
                    t.files.len(),
                    t.what,
                    t.dir.display()
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        for d in &drift {
            eprintln!("{d}");
        }
        print_breaking(&breaking());
        eprintln!(
            "\n{} generated file(s) out of date with the Rust types. Run `{COMMAND}` and commit the result.",
            drift.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    for t in targets {
        let dir = root.join(&t.dir);
        let written = crate::timings::phase("write", || output::write(&dir, &t.files))
            .with_context(|| format!("writing {}", dir.display()))?;
        for p in &written.updated {
            println!("wrote {}", p.display());
        }
        for p in &written.removed {
            println!("removed stale {}", p.display());
        }
        if written.updated.is_empty() && written.removed.is_empty() {
            println!(
                "{} {} in {} already up to date",
                t.files.len(),
                t.what,
                dir.display()
            );
        }
    }
    print_breaking(&breaking());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    /// `cargo test` fails when the checked-in templates, reference pages or JSON
    /// Schemas drift from the types, exactly like `cargo xtask gen-crds --check`.
    fn built() -> Vec<crdgen::Built> {
        agentgateway_api::crds()
            .iter()
            .map(crdgen::CrdSource::built)
            .collect()
    }

    #[test]
    fn checked_in_generated_files_match_the_types() {
        let targets = super::targets(
            super::generate_all(&built()).expect("the API types produce valid CRDs"),
        );
        assert_eq!(targets.len(), 3);
        let n = agentgateway_api::crds().len();
        assert_eq!(targets[0].files.len(), n);
        assert_eq!(
            targets[1].files.len(),
            n + 1,
            "a page per CRD and the index"
        );
        assert!(targets[2].files.len() >= n, "a schema per CRD version");
        let drift = super::drift_report(&crate::workspace_root(), &targets).expect("readable");
        assert!(
            drift.is_empty(),
            "run `{}`:\n{}",
            super::COMMAND,
            drift.join("\n")
        );
    }

    /// Every anchor of a reference page is unique and every link to an anchor lands
    /// on one, on the pages of the real API.
    #[test]
    fn reference_links_resolve_and_anchors_are_unique() {
        let g = super::generate_all(&built()).expect("valid API types");
        for page in &g.reference {
            let mut anchors = std::collections::BTreeSet::new();
            for part in page.text.split("<a id=\"").skip(1) {
                let id = part.split('"').next().unwrap_or_default();
                assert!(anchors.insert(id), "{}: anchor {id} twice", page.file_name);
            }
            let mut links = 0;
            for part in page.text.split("](#").skip(1) {
                let target = part.split(')').next().unwrap_or_default();
                assert!(
                    anchors.contains(target),
                    "{}: link to missing anchor #{target}",
                    page.file_name
                );
                links += 1;
            }
            if page.file_name != crdgen::reference::INDEX {
                assert!(links > 10, "{}: only {links} links", page.file_name);
            }
        }
    }
}
