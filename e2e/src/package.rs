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
//!
//! Beside the chart it writes the release's JSON Schemas and API reference as
//! `NAME-VERSION-schemas.tar.gz` and `NAME-VERSION-reference.tar.gz` (the same bytes
//! on every run). `--push` refuses a version the registry already has unless
//! `--force`, and refuses main's working version (`X.Y.Z-dev`).

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
    /// The schemas and reference archives written beside the chart.
    pub docs: Vec<DocsArchive>,
}

/// A `.tar.gz` of generated files that goes with a release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocsArchive {
    pub archive: PathBuf,
    pub sha256: String,
    /// Number of files in it.
    pub files: usize,
}

/// The archives of generated files beside the chart: suffix of the archive name, the
/// directory (relative to the workspace root) and the directory name inside.
pub const DOCS: &[(&str, &str, &str)] = &[
    ("schemas", crdgen::repo::SCHEMAS, "schemas/agentgateway.dev"),
    ("reference", crdgen::repo::REFERENCE, "reference"),
];

/// The pre-release `main` carries between releases (`1.5.0-dev`): it names a moving
/// API, not one build, so it is never pushed.
pub const DEV_PRERELEASE: &str = "dev";

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

/// Refuses to push main's working version (`X.Y.Z-dev`): every push of main would
/// replace the last under the same name.
pub fn check_pushable_version(v: &str) -> anyhow::Result<()> {
    if v.split_once('+')
        .map_or(v, |(v, _)| v)
        .split_once('-')
        .map(|(_, pre)| pre)
        == Some(DEV_PRERELEASE)
    {
        let core = v.split(['-', '+']).next().unwrap_or(v);
        bail!(
            "refusing to push {v}: `-{DEV_PRERELEASE}` marks the API on main between releases, \
             not one build; stamp a version with --version ({core} for the release, \
             {core}-rc.1 for a candidate, {core}-{DEV_PRERELEASE}.1 for a snapshot)"
        );
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

/// Lints (`helm lint --strict`) and packages the chart of the workspace at `root`
/// into `out_dir`, at `version` when given (else Chart.yaml's), then checks the
/// archive: its `Chart.yaml` carries the versions and its templates are byte for
/// byte the chart's. Writes the schemas and reference archives beside it.
pub fn package(
    helm: &Helm,
    root: &Path,
    out_dir: &Path,
    version: Option<&str>,
) -> anyhow::Result<Packaged> {
    let chart = &root.join(crate::CHART);
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
    let mut docs = vec![];
    for (suffix, dir, inside) in DOCS {
        let file = format!("{name}-{version}-{suffix}.tar.gz");
        let bytes = tar_gz(&root.join(dir), inside)?;
        fs::write(staging.path().join(&file), &bytes.0)
            .with_context(|| format!("writing {file}"))?;
        docs.push((file, bytes));
    }
    // Every file is complete before any is moved into place.
    fs::rename(&staged, &archive).with_context(|| format!("moving into {}", archive.display()))?;
    let bytes = fs::read(&archive).with_context(|| format!("reading {}", archive.display()))?;
    let docs = docs
        .into_iter()
        .map(|(file, (bytes, files))| {
            let dest = out_dir.join(&file);
            fs::rename(staging.path().join(&file), &dest)
                .with_context(|| format!("moving into {}", dest.display()))?;
            Ok(DocsArchive {
                archive: dest,
                sha256: hex(&Sha256::digest(&bytes)),
                files,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(Packaged {
        archive,
        sha256: hex(&Sha256::digest(&bytes)),
        version,
        app_version,
        docs,
    })
}

/// The files directly in `dir`, sorted, as a `.tar.gz` under `inside/`: the same
/// bytes for the same files (mode 0644, owner 0, time 0, no gzip name or time).
/// Returns the bytes and the number of files.
pub fn tar_gz(dir: &Path, inside: &str) -> anyhow::Result<(Vec<u8>, usize)> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("reading {}", dir.display()))?;
    files.retain(|p| p.is_file());
    files.sort();
    if files.is_empty() {
        bail!("{} holds no files to release", dir.display());
    }
    let gz = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::best());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    for path in &files {
        let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        let name = format!(
            "{inside}/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        tar.append_data(&mut header, &name, bytes.as_slice())
            .with_context(|| format!("archiving {}", path.display()))?;
    }
    let bytes = tar.into_inner()?.finish()?;
    Ok((bytes, files.len()))
}

/// How to push.
#[derive(Clone, Copy, Debug, Default)]
pub struct PushOptions {
    /// The registry speaks plain HTTP (`helm ... --plain-http`): a local test registry.
    pub plain_http: bool,
    /// Replace the version when the registry has it already.
    pub force: bool,
}

/// The chart reference a push of chart `name` to `target` creates: `oci://REGISTRY/PATH/NAME`.
pub fn pushed_ref(target: &str, name: &str) -> String {
    format!("{}/{name}", target.trim_end_matches('/'))
}

/// `helm show chart REF --version V`: the chart's metadata if the registry has that
/// version, `None` if it has not; other failures (no login, no registry) are errors.
pub fn published(
    helm: &Helm,
    chart_ref: &str,
    version: &str,
    opts: PushOptions,
) -> anyhow::Result<Option<Value>> {
    let mut args = vec!["show", "chart", chart_ref, "--version", version];
    if opts.plain_http {
        args.push("--plain-http");
    }
    let out = helm.try_run(&args)?;
    if out.success {
        let doc = serde_yaml::from_str(&out.stdout)
            .with_context(|| format!("parsing `helm {}`", args.join(" ")))?;
        return Ok(Some(doc));
    }
    // What the registry says for a tag or repository it does not have.
    if out.stderr.contains(": not found") {
        return Ok(None);
    }
    bail!(
        "cannot tell whether {chart_ref}:{version} exists (`helm {}`): {}",
        args.join(" "),
        out.stderr.trim()
    )
}

/// Pushes the packaged chart to `target` (`oci://REGISTRY/PATH`) with `helm push`;
/// returns Helm's output (the reference and digest). Refuses main's working version,
/// and a version the registry has already unless `opts.force`: OCI tags can be moved,
/// so a second push of a version would silently replace what users may have installed.
pub fn push(
    helm: &Helm,
    packaged: &Packaged,
    target: &str,
    opts: PushOptions,
) -> anyhow::Result<String> {
    check_push_target(target)?;
    check_pushable_version(&packaged.version)?;
    let name = packaged
        .archive
        .file_name()
        .and_then(|f| f.to_str())
        .and_then(|f| f.strip_suffix(&format!("-{}.tgz", packaged.version)))
        .with_context(|| format!("{} is not NAME-VERSION.tgz", packaged.archive.display()))?;
    let chart_ref = pushed_ref(target, name);
    let mut note = String::new();
    if let Some(old) = published(helm, &chart_ref, &packaged.version, opts)? {
        if !opts.force {
            bail!(
                "{chart_ref} version {} is in the registry already (appVersion {}); a released \
                 version is never replaced: bump the version, or pass --force to overwrite it",
                packaged.version,
                old["appVersion"].as_str().unwrap_or("?")
            );
        }
        note = format!(
            "replaced {chart_ref} version {} (--force)\n",
            packaged.version
        );
    }
    let archive = packaged.archive.display().to_string();
    let mut args = vec!["push", archive.as_str(), target];
    if opts.plain_http {
        args.push("--plain-http");
    }
    let out = helm.try_run(&args)?;
    if !out.success {
        bail!("`helm {}` failed:\n{}", args.join(" "), out.stderr.trim());
    }
    // Helm prints `Pushed:` and `Digest:` on stderr.
    Ok(format!("{note}{}{}", out.stdout, out.stderr)
        .trim()
        .to_owned())
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
    fn the_working_version_is_never_pushed() {
        for no in ["1.5.0-dev", "1.5.0-dev+build.3"] {
            let e = check_pushable_version(no).expect_err(no);
            assert!(
                e.to_string().contains("--version (1.5.0 for the release"),
                "{e}"
            );
        }
        for ok in [
            "1.5.0",
            "1.5.0-rc.1",
            "1.5.0-dev.1",
            "1.5.0-devel",
            "1.5.0+dev",
        ] {
            check_pushable_version(ok).expect(ok);
        }
        assert_eq!(
            pushed_ref("oci://r:5000/charts/", "agentgateway-crds"),
            "oci://r:5000/charts/agentgateway-crds"
        );
    }

    #[test]
    fn docs_archives_are_the_same_bytes_every_time() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("b.json"), "{}").expect("write");
        fs::write(dir.path().join("a.json"), "[]").expect("write");
        fs::create_dir(dir.path().join("sub")).expect("mkdir");
        let (one, n) = tar_gz(dir.path(), "schemas/x").expect("archive");
        assert_eq!(n, 2);
        // Other file times, the same archive.
        fs::write(dir.path().join("a.json"), "[]").expect("write");
        let (two, _) = tar_gz(dir.path(), "schemas/x").expect("archive");
        assert_eq!(one, two);
        let out = dir.path().join("out.tgz");
        fs::write(&out, &one).expect("write");
        let files = archive_files(&out).expect("read back");
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(names, ["schemas/x/a.json", "schemas/x/b.json"]);
        assert_eq!(files["schemas/x/b.json"], b"{}");
        let e = tar_gz(&dir.path().join("sub"), "x").expect_err("empty");
        assert!(e.to_string().contains("no files to release"), "{e}");
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
