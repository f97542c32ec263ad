//! `cargo xtask package [--version V] [--out DIR] [--push oci://REGISTRY/PATH
//! [--plain-http] [--force]]`: refuses when the generated files drift from the types
//! (the `gen-crds --check` comparison), then has `agentgateway-e2e package` lint
//! (`helm lint --strict`) and package the chart with the pinned Helm, write the
//! schemas and reference archives beside it, print the archives and their SHA-256,
//! and push the chart when asked. Versions and pushing: see `e2e/src/package.rs`.

use crate::gen_crds;
use anyhow::Context;
use std::{
    ffi::OsString,
    path::{Path, PathBuf},
    process::ExitCode,
};

#[derive(clap::Args)]
pub struct Args {
    /// Chart version to package (SemVer, no `v`); appVersion becomes `v<VERSION>`.
    /// Default: `version` in Chart.yaml.
    #[arg(long, value_name = "VERSION")]
    version: Option<String>,
    /// Directory to write `agentgateway-crds-<version>.tgz` and its `-schemas.tar.gz`
    /// and `-reference.tar.gz` into.
    #[arg(long, value_name = "DIR", default_value = "target/charts")]
    out: PathBuf,
    /// Push the chart with `helm push` (uses your `helm registry login`). Refuses a
    /// version the registry has already (see --force) and main's `X.Y.Z-dev`.
    #[arg(long, value_name = "oci://REGISTRY/PATH")]
    push: Option<String>,
    /// The registry speaks plain HTTP, not HTTPS (a local registry): `helm --plain-http`.
    #[arg(long, requires = "push")]
    plain_http: bool,
    /// Overwrite the version when the registry has it already.
    #[arg(long, requires = "push")]
    force: bool,
}

/// Fails, listing the drift, when any generated file under `root` is out of date.
pub fn refuse_drift(root: &Path) -> anyhow::Result<()> {
    // The release is checked against the compiled types, never a reused build.
    let drift = gen_crds::drift_report(
        root,
        &gen_crds::targets(gen_crds::generate(&crate::workspace_root(), true, || {})?.0),
    )?;
    if !drift.is_empty() {
        anyhow::bail!(
            "refusing to package: {} generated file(s) differ from the Rust types \
             (`{} --check`):\n{}\nRun `{}` and commit the result first.",
            drift.len(),
            gen_crds::COMMAND,
            drift.join("\n"),
            gen_crds::COMMAND
        );
    }
    Ok(())
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let root = crate::workspace_root();
    refuse_drift(&root)?;
    // The e2e binary runs in the workspace root; resolve DIR from here first.
    let out = std::env::current_dir()
        .context("reading the current directory")?
        .join(&args.out);
    let mut forwarded: Vec<OsString> = vec!["package".into(), "--out".into(), out.into()];
    if let Some(v) = &args.version {
        forwarded.extend(["--version".into(), v.into()]);
    }
    if let Some(p) = &args.push {
        forwarded.extend(["--push".into(), p.into()]);
    }
    if args.plain_http {
        forwarded.push("--plain-http".into());
    }
    if args.force {
        forwarded.push("--force".into());
    }
    let forwarded: Vec<&std::ffi::OsStr> = forwarded.iter().map(OsString::as_os_str).collect();
    crate::forward("agentgateway-e2e", &forwarded, Some(&root))
}

#[cfg(test)]
mod tests {
    #[test]
    fn packaging_is_refused_when_generated_files_drift() {
        // The checked-in tree is clean...
        super::refuse_drift(&crate::workspace_root()).expect("no drift in the repository");
        // ...and an empty tree has every generated file missing.
        let dir = tempfile::tempdir().expect("tempdir");
        let e = super::refuse_drift(dir.path()).expect_err("drift");
        let text = e.to_string();
        assert!(text.starts_with("refusing to package"), "{text}");
        assert!(
            text.contains("missing: install/helm/agentgateway-crds/templates/"),
            "{text}"
        );
        assert!(text.contains("missing: docs/reference/"), "{text}");
        assert!(
            text.contains("missing: schemas/agentgateway.dev/"),
            "{text}"
        );
    }
}
