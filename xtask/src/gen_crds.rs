//! `cargo xtask gen-crds [--check]`.

use anyhow::Context;
use crdgen::output::{self, Drift};
use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

/// The command that regenerates the templates; named in headers and error messages.
pub const COMMAND: &str = "cargo xtask gen-crds";

pub use crdgen::repo::TEMPLATES;

#[derive(clap::Args)]
pub struct Args {
    /// Write nothing; exit non-zero if any template is missing, differs or is stale.
    #[arg(long)]
    check: bool,
    /// Directory to write to or check, instead of the chart's templates directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Renders every CRD of the API, or fails listing every schema problem.
pub fn render_all() -> anyhow::Result<Vec<crdgen::RenderedCrd>> {
    crdgen::generate(&agentgateway_api::crds(), COMMAND).map_err(|problems| {
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        anyhow::anyhow!(
            "{} schema problem(s) in the API types; nothing was written:\n{}",
            problems.len(),
            list.join("\n")
        )
    })
}

/// Changes in `crds` that may break objects stored under earlier CRDs; `earlier`
/// gives the earlier text of a template file, by file name, when there is one.
fn breaking_since(
    crds: &[crdgen::RenderedCrd],
    earlier: impl Fn(&str) -> Option<String>,
    shown_dir: &Path,
) -> Vec<String> {
    let parse = |text: &str| serde_yaml::from_str::<serde_json::Value>(text).ok();
    let mut out = Vec::new();
    for crd in crds {
        let Some(old_text) = earlier(&crd.file_name) else {
            continue;
        };
        if old_text == crd.text {
            continue;
        }
        let (Some(old), Some(new)) = (parse(&old_text), parse(&crd.text)) else {
            continue;
        };
        for change in crdgen::compat::breaking_changes(&old, &new) {
            out.push(format!(
                "{}: {change}",
                shown_dir.join(&crd.file_name).display()
            ));
        }
    }
    out
}

/// Changes in `crds` that may break objects stored under the CRDs now in `dir`.
fn breaking(dir: &Path, crds: &[crdgen::RenderedCrd]) -> Vec<String> {
    breaking_since(
        crds,
        |file| std::fs::read_to_string(dir.join(file)).ok(),
        dir,
    )
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
    let crds = render_all()?;
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
    let dir = match &args.out {
        Some(out) => out.clone(),
        None => {
            // The chart's own directory is shown relative to the workspace root.
            let root = crate::workspace_root();
            std::env::set_current_dir(&root)
                .with_context(|| format!("entering {}", root.display()))?;
            PathBuf::from(TEMPLATES)
        }
    };
    let crds = render_all()?;
    let breaking = breaking(&dir, &crds);
    if args.check {
        let drift =
            output::check(&dir, &crds).with_context(|| format!("checking {}", dir.display()))?;
        if drift.is_empty() {
            println!(
                "{} CRD templates in {} are up to date",
                crds.len(),
                dir.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        for d in &drift {
            match d {
                Drift::Missing { path } => eprintln!("missing: {}", path.display()),
                Drift::Stale { path }
                    if path
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(output::TEMP_PREFIX)) =>
                {
                    eprintln!(
                        "leftover: {} (a temporary file of an interrupted gen-crds; the next \
                         gen-crds removes it)",
                        path.display()
                    )
                }
                Drift::Stale { path } => {
                    eprintln!(
                        "stale: {} (no CRD type generates it any more)",
                        path.display()
                    )
                }
                Drift::Differs { path, diff } => eprintln!("differs: {}\n{diff}", path.display()),
            }
        }
        print_breaking(&breaking);
        eprintln!(
            "\n{} template(s) out of date with the Rust types. Run `{COMMAND}` and commit the result.",
            drift.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    print_breaking(&breaking);
    let written =
        output::write(&dir, &crds).with_context(|| format!("writing {}", dir.display()))?;
    for p in &written.updated {
        println!("wrote {}", p.display());
    }
    for p in &written.removed {
        println!("removed stale {}", p.display());
    }
    if written.updated.is_empty() && written.removed.is_empty() {
        println!(
            "{} CRD templates in {} already up to date",
            crds.len(),
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    /// `cargo test` fails when the checked-in templates drift from the types, exactly
    /// like `cargo xtask gen-crds --check`.
    #[test]
    fn checked_in_templates_match_the_types() {
        let crds = super::render_all().expect("the API types produce valid CRDs");
        let dir = crate::workspace_root().join(super::TEMPLATES);
        let drift = crdgen::output::check(&dir, &crds).expect("templates directory readable");
        let report: Vec<String> = drift
            .iter()
            .map(|d| match d {
                crdgen::output::Drift::Differs { path, diff } => {
                    format!("{}\n{diff}", path.display())
                }
                other => format!("{other:?}"),
            })
            .collect();
        assert!(
            drift.is_empty(),
            "run `{}`:\n{}",
            super::COMMAND,
            report.join("\n")
        );
    }
}
