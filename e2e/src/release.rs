//! The release path with real parts: distribution's OCI registry on loopback,
//! `cargo xtask package --version V --push oci://127.0.0.1:PORT/charts --plain-http`
//! (the command a maintainer runs, drift check included), then `helm show chart` and
//! `helm install` from the `oci://` reference on the test apiserver.
//!
//! What a second push of a version does, with Helm 3.20 and distribution: `helm push`
//! of the same archive file again changes nothing (the manifest holds the archive's
//! bytes and file time, so it is the same manifest), but a rebuilt archive of the same
//! version (`helm package` stamps the time) moves the tag to the new upload without a
//! word. So `cargo xtask package --push`, which always builds anew, looks first
//! (`helm show chart REF --version V`) and refuses unless `--force`.

use crate::{
    chart,
    kube::{Helm, Kubectl},
    package,
    registry::Registry,
};
use anyhow::{Context, bail};
use serde_json::Value;
use std::{
    path::{Path, PathBuf},
    process::Command,
};

/// Where the suite pushes: `oci://HOST/charts`.
pub const REPOSITORY_PATH: &str = "charts";

/// A release run: the registry, the version stamped, and Helm's state for the pushes
/// (so nothing of the user's Helm configuration is read or written).
pub struct Release<'a> {
    pub root: &'a Path,
    pub registry: &'a Registry,
    /// The version stamped with `--version`.
    pub version: String,
    /// Helm's config/cache/data directories of the `cargo xtask package` runs.
    pub helm_home: PathBuf,
    /// `--out` of the `cargo xtask package` runs.
    pub out: PathBuf,
}

/// What `cargo xtask package` printed and whether it succeeded.
pub struct Run {
    pub success: bool,
    pub output: String,
}

impl Release<'_> {
    /// `oci://HOST/charts`, the `--push` target.
    pub fn target(&self) -> String {
        format!("oci://{}/{REPOSITORY_PATH}", self.registry.host())
    }

    /// `oci://HOST/charts/agentgateway-crds`, what users install.
    pub fn chart_ref(&self) -> String {
        package::pushed_ref(&self.target(), "agentgateway-crds")
    }

    /// Runs `cargo xtask package ARGS... --out OUT` in the workspace, with Helm's
    /// directories in `helm_home`.
    pub fn xtask_package(&self, args: &[&str]) -> anyhow::Result<Run> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(&cargo)
            .args(["run", "--quiet", "--package", "xtask", "--", "package"])
            .args(args)
            .arg("--out")
            .arg(&self.out)
            .current_dir(self.root)
            .env("HELM_CONFIG_HOME", self.helm_home.join("config"))
            .env("HELM_CACHE_HOME", self.helm_home.join("cache"))
            .env("HELM_DATA_HOME", self.helm_home.join("data"))
            .output()
            .with_context(|| format!("running `{cargo} run --package xtask -- package`"))?;
        Ok(Run {
            success: out.status.success(),
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        })
    }

    /// `cargo xtask package --version V --push TARGET --plain-http [extra...]`.
    pub fn push(&self, extra: &[&str]) -> anyhow::Result<Run> {
        let target = self.target();
        let mut args = vec![
            "--version",
            self.version.as_str(),
            "--push",
            target.as_str(),
            "--plain-http",
        ];
        args.extend(extra);
        self.xtask_package(&args)
    }

    /// The manifest digest the registry holds for the version (its API, not Helm).
    pub fn digest_in_registry(&self) -> anyhow::Result<Option<String>> {
        self.registry.manifest_digest(
            &format!("{REPOSITORY_PATH}/agentgateway-crds"),
            &self.version,
        )
    }
}

/// The `Digest: sha256:...` line `helm push` prints.
pub fn pushed_digest(output: &str) -> Option<String> {
    output
        .lines()
        .find_map(|l| l.trim().strip_prefix("Digest: "))
        .map(str::to_owned)
}

/// `helm show chart REF --version V --plain-http`: the chart's metadata.
pub fn show_chart(helm: &Helm, chart_ref: &str, version: &str) -> anyhow::Result<Value> {
    let out = helm.run(&[
        "show",
        "chart",
        chart_ref,
        "--version",
        version,
        "--plain-http",
    ])?;
    serde_yaml::from_str(&out).context("parsing `helm show chart`")
}

/// `helm install` of the release from `chart_ref` at `version`, then every CRD of the
/// chart Established.
pub fn install_from_registry(
    helm: &Helm,
    kubectl: &Kubectl,
    root: &Path,
    chart_ref: &str,
    version: &str,
) -> anyhow::Result<()> {
    helm.run(&[
        "install",
        chart::RELEASE,
        chart_ref,
        "--version",
        version,
        "--plain-http",
        "--namespace",
        chart::NAMESPACE,
        "--create-namespace",
        "--wait",
        "--timeout",
        "2m",
    ])
    .with_context(|| format!("installing {chart_ref} {version}"))?;
    for c in chart::crds(&root.join(crate::CHART))? {
        chart::wait_established(kubectl, &c.name)?;
    }
    Ok(())
}

/// Fails unless `run` failed with every one of `texts` in its output.
pub fn expect_refusal(run: &Run, texts: &[&str]) -> anyhow::Result<()> {
    if run.success {
        bail!(
            "it succeeded, but should have been refused:\n{}",
            run.output
        );
    }
    let missing: Vec<&&str> = texts.iter().filter(|t| !run.output.contains(**t)).collect();
    if !missing.is_empty() {
        bail!("the refusal lacks {missing:?}:\n{}", run.output);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_read_from_helms_output() {
        let out = "Pushed: 127.0.0.1:5000/charts/agentgateway-crds:1.5.0\nDigest: sha256:ab12\n";
        assert_eq!(pushed_digest(out).as_deref(), Some("sha256:ab12"));
        assert_eq!(pushed_digest("nothing"), None);
    }

    #[test]
    fn a_refusal_must_fail_and_say_why() {
        let ok = Run {
            success: true,
            output: "fine".into(),
        };
        assert!(expect_refusal(&ok, &[]).is_err());
        let no = Run {
            success: false,
            output: "is in the registry already".into(),
        };
        expect_refusal(&no, &["registry already"]).expect("refused");
        assert!(expect_refusal(&no, &["--force"]).is_err());
    }
}
