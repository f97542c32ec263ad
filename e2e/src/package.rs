//! Packaging the chart for release: `cargo xtask package [--version V] [--out DIR]
//! [--push oci://...]`, with the pinned Helm of [`crate::tools`].
//!
//! The one source of truth for the chart's version is `version` in `Chart.yaml`;
//! `appVersion` is that version with a `v` in front (the agentgateway release tag the
//! API comes from), and the packager refuses a `Chart.yaml` where they disagree.
//! `--version V` overrides both the same way (`version: V`, `appVersion: vV`) in the
//! archive only; `Chart.yaml` is left as it is.
//!
//! `cargo xtask package` refuses first when the generated files drift from the types
//! (it runs the `gen-crds --check` comparison), so a drifted chart is never shipped.

use crate::kube::Helm;
use anyhow::{Context, bail};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::{
    collections::BTreeMap,
    fs,
    io::Read,
    path::{Path, PathBuf},
};

/// What was packaged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packaged {
    pub archive: PathBuf,
    /// Lower-case hex SHA-256 of the archive.
    pub sha256: String,
    pub version: String,
    pub app_version: String,
}

/// The `name`, `version` and `appVersion` of a chart, checked for agreement.
pub fn chart_versions(chart: &Path) -> anyhow::Result<(String, String, String)> {
    let path = chart.join("Chart.yaml");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let doc: Value =
        serde_yaml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let field = |k: &str| -> anyhow::Result<String> {
        doc[k]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("{}: `{k}` must be a string", path.display()))
    };
    let (name, version, app_version) = (field("name")?, field("version")?, field("appVersion")?);
    check_version(&version).with_context(|| format!("{}: `version`", path.display()))?;
    if app_version != app_version_of(&version) {
        bail!(
            "{}: appVersion {app_version:?} does not match version {version:?}; the version is \
             the one source of truth: set `appVersion: \"{}\"`",
            path.display(),
            app_version_of(&version)
        );
    }
    Ok((name, version, app_version))
}

/// The `appVersion` that goes with chart version `version`.
pub fn app_version_of(version: &str) -> String {
    format!("v{version}")
}

/// A chart version: SemVer 2 (`1.4.1`, `1.5.0-rc.1`), without a leading `v`.
pub fn check_version(v: &str) -> anyhow::Result<()> {
    if let Some(rest) = v.strip_prefix('v') {
        bail!("{v:?} starts with `v`; give the bare SemVer version ({rest:?})");
    }
    let (core, _) = v.split_once(['-', '+']).unwrap_or((v, ""));
    let parts: Vec<&str> = core.split('.').collect();
    let numeric = |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    let extra_ok = v[core.len()..]
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.'));
    if parts.len() != 3 || !parts.iter().all(numeric) || !extra_ok || v.ends_with(['-', '+', '.']) {
        bail!("{v:?} is not a SemVer version such as 1.4.1 or 1.5.0-rc.1");
    }
    Ok(())
}

/// The OCI reference `helm push` needs: `oci://REGISTRY/PATH`.
pub fn check_push_target(target: &str) -> anyhow::Result<()> {
    match target.strip_prefix("oci://") {
        Some(rest) if !rest.is_empty() && !rest.contains("://") => Ok(()),
        _ => {
            bail!("--push {target:?}: give an OCI registry path such as oci://ghcr.io/OWNER/charts")
        }
    }
}

/// Lints (`helm lint --strict`) and packages `chart` into `out_dir`, at `version`
/// when given (else Chart.yaml's), then checks the archive: its `Chart.yaml` carries
/// the versions and its templates are byte for byte the chart's.
pub fn package(
    helm: &Helm,
    chart: &Path,
    out_dir: &Path,
    version: Option<&str>,
) -> anyhow::Result<Packaged> {
    let (name, chart_version, _) = chart_versions(chart)?;
    let version = match version {
        Some(v) => {
            check_version(v).context("--version")?;
            v.to_owned()
        }
        None => chart_version,
    };
    let app_version = app_version_of(&version);
    crate::chart::lint(helm, chart)?;
    fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let archive = out_dir.join(format!("{name}-{version}.tgz"));
    // Write next to the destination, then rename: a failed run leaves no half archive.
    let staging = tempfile::tempdir_in(out_dir)
        .with_context(|| format!("creating a temporary directory in {}", out_dir.display()))?;
    helm.run(&[
        "package",
        &chart.display().to_string(),
        "--destination",
        &staging.path().display().to_string(),
        "--version",
        &version,
        "--app-version",
        &app_version,
    ])?;
    let staged = staging.path().join(format!("{name}-{version}.tgz"));
    let contents = archive_files(&staged)?;
    check_contents(&contents, chart, &name, &version, &app_version)
        .with_context(|| format!("checking what `helm package` wrote ({})", staged.display()))?;
    fs::rename(&staged, &archive).with_context(|| format!("moving into {}", archive.display()))?;
    let bytes = fs::read(&archive).with_context(|| format!("reading {}", archive.display()))?;
    Ok(Packaged {
        archive,
        sha256: hex(&Sha256::digest(&bytes)),
        version,
        app_version,
    })
}

/// `helm push ARCHIVE TARGET`; returns Helm's output (the pushed digest).
pub fn push(helm: &Helm, archive: &Path, target: &str) -> anyhow::Result<String> {
    check_push_target(target)?;
    let out = helm.run(&["push", &archive.display().to_string(), target])?;
    Ok(out.trim().to_owned())
}

/// The files of a `.tgz`, by path inside it.
pub fn archive_files(archive: &Path) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let file = fs::File::open(archive).with_context(|| format!("opening {}", archive.display()))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut out = BTreeMap::new();
    for entry in tar
        .entries()
        .with_context(|| format!("reading {}", archive.display()))?
    {
        let mut entry = entry.with_context(|| format!("reading {}", archive.display()))?;
        let path = entry.path()?.to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        out.insert(path, bytes);
    }
    Ok(out)
}

/// The archive holds `NAME/Chart.yaml` with the versions, and every file of the
/// chart's `templates/` unchanged.
fn check_contents(
    files: &BTreeMap<String, Vec<u8>>,
    chart: &Path,
    name: &str,
    version: &str,
    app_version: &str,
) -> anyhow::Result<()> {
    let chart_yaml = files
        .get(&format!("{name}/Chart.yaml"))
        .with_context(|| format!("no {name}/Chart.yaml in the archive"))?;
    let doc: Value = serde_yaml::from_slice(chart_yaml)?;
    if doc["version"] != version || doc["appVersion"] != app_version {
        bail!(
            "the archive's Chart.yaml has version {} and appVersion {}, not {version} and {app_version}",
            doc["version"],
            doc["appVersion"]
        );
    }
    let templates = chart.join("templates");
    let mut count = 0;
    for entry in
        fs::read_dir(&templates).with_context(|| format!("reading {}", templates.display()))?
    {
        let path = entry?.path();
        let file = path.file_name().unwrap_or_default().to_string_lossy();
        let inside = format!("{name}/templates/{file}");
        let want = fs::read(&path)?;
        match files.get(&inside) {
            Some(got) if *got == want => count += 1,
            Some(_) => bail!("{inside} differs from {}", path.display()),
            None => bail!("{inside} is missing from the archive"),
        }
    }
    if count == 0 {
        bail!("the archive has no templates");
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_semver_without_v() {
        for ok in ["1.4.1", "0.1.0", "1.5.0-rc.1", "2.0.0+build.7"] {
            check_version(ok).expect(ok);
        }
        for bad in ["v1.4.1", "1.4", "1.4.x", "", "1.4.1-", "1.4.1 "] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
        let e = check_version("v1.4.1").expect_err("v");
        assert!(e.to_string().contains("\"1.4.1\""), "{e}");
        assert_eq!(app_version_of("1.4.1"), "v1.4.1");
    }

    #[test]
    fn push_targets_are_oci_references() {
        check_push_target("oci://ghcr.io/acme/charts").expect("oci");
        for bad in ["ghcr.io/acme", "https://x/y", "oci://"] {
            assert!(check_push_target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_chart_has_one_source_of_truth_for_its_version() {
        let chart = crate::workspace_root().join(crate::CHART);
        let (name, version, app) = chart_versions(&chart).expect("Chart.yaml");
        assert_eq!(name, "agentgateway-crds");
        assert_eq!(app, app_version_of(&version));

        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(
            dir.path().join("Chart.yaml"),
            "apiVersion: v2\nname: x\nversion: 1.2.3\nappVersion: \"v1.2.0\"\n",
        )
        .expect("write");
        let e = chart_versions(dir.path()).expect_err("mismatch");
        assert!(e.to_string().contains(r#"appVersion: "v1.2.3""#), "{e}");
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0, 171, 255]), "00abff");
    }
}
