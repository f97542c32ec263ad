//! What Helm and the apiserver say about the chart: lint, template, package, install,
//! and every CRD Established.

use crate::kube::{Helm, Kubectl};
use anyhow::{Context, bail};
use serde_json::Value;
use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
    thread,
    time::{Duration, Instant},
};

/// The Helm release the chart is installed as.
pub const RELEASE: &str = "agentgateway-crds";
/// The namespace of the release (CRDs themselves are cluster-scoped).
pub const NAMESPACE: &str = "agentgateway-system";
/// How long each CRD gets to become Established.
const ESTABLISHED_TIMEOUT: Duration = Duration::from_secs(60);

/// The YAML documents of a multi-document stream, skipping empty ones.
pub fn parse_documents(text: &str) -> anyhow::Result<Vec<Value>> {
    let mut docs = vec![];
    for de in serde_yaml::Deserializer::from_str(text) {
        let v: Value = serde::Deserialize::deserialize(de).context("parsing YAML")?;
        if !v.is_null() {
            docs.push(v);
        }
    }
    Ok(docs)
}

/// `kind/name` of a Kubernetes object.
pub fn object_key(doc: &Value) -> String {
    format!(
        "{}/{}",
        doc["kind"].as_str().unwrap_or("?"),
        doc["metadata"]["name"].as_str().unwrap_or("?")
    )
}

/// A CRD of the chart: its name and the template file it comes from.
#[derive(Clone, Debug)]
pub struct ChartCrd {
    pub name: String,
    pub file: PathBuf,
    pub crd: Value,
}

/// The CRDs in a chart's `templates/` (the files are plain YAML, no templating).
pub fn crds(chart: &Path) -> anyhow::Result<Vec<ChartCrd>> {
    let dir = chart.join("templates");
    let mut out = vec![];
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.sort();
    for file in files {
        if file.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = fs::read_to_string(&file)?;
        for doc in parse_documents(&text).with_context(|| format!("in {}", file.display()))? {
            if doc["kind"] == "CustomResourceDefinition" {
                out.push(ChartCrd {
                    name: doc["metadata"]["name"].as_str().unwrap_or_default().into(),
                    file: file.clone(),
                    crd: doc,
                });
            }
        }
    }
    Ok(out)
}

/// `helm lint --strict`: fails on any error or warning, quoting Helm's lines.
pub fn lint(helm: &Helm, chart: &Path) -> anyhow::Result<()> {
    let chart_arg = chart.display().to_string();
    let out = helm.try_run(&["lint", "--strict", &chart_arg])?;
    let complaints: Vec<&str> = out
        .stdout
        .lines()
        .chain(out.stderr.lines())
        .filter(|l| l.contains("[WARNING]") || l.contains("[ERROR]"))
        .collect();
    if !out.success || !complaints.is_empty() {
        bail!(
            "`helm lint --strict {chart_arg}` reported problems:\n{}{}",
            complaints.join("\n"),
            if complaints.is_empty() {
                format!("{}\n{}", out.stdout.trim(), out.stderr.trim())
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

/// `helm template` renders exactly the generated CRD files: the same objects, equal
/// after parsing (comments and formatting aside).
pub fn template_matches_files(helm: &Helm, chart: &Path) -> anyhow::Result<usize> {
    let chart_arg = chart.display().to_string();
    let rendered = helm.run(&["template", RELEASE, &chart_arg, "--namespace", NAMESPACE])?;
    let rendered: BTreeMap<String, Value> = parse_documents(&rendered)?
        .into_iter()
        .map(|d| (object_key(&d), d))
        .collect();
    let files: BTreeMap<String, Value> = crds(chart)?
        .into_iter()
        .map(|c| (object_key(&c.crd), c.crd))
        .collect();
    let mut problems = vec![];
    for (key, file) in &files {
        match rendered.get(key) {
            None => problems.push(format!("{key}: in templates/ but not rendered")),
            Some(r) if r != file => problems.push(format!(
                "{key}: rendered differently from its file:\n{}",
                crate::json_diff(file, r).join("\n")
            )),
            Some(_) => {}
        }
    }
    for key in rendered.keys().filter(|k| !files.contains_key(*k)) {
        problems.push(format!("{key}: rendered but not a generated CRD file"));
    }
    if !problems.is_empty() {
        bail!(
            "`helm template` output differs from the generated CRDs in {}/templates:\n{}",
            chart.display(),
            problems.join("\n")
        );
    }
    Ok(files.len())
}

/// `helm package` into `out_dir`; returns the archive.
pub fn package(helm: &Helm, chart: &Path, out_dir: &Path) -> anyhow::Result<PathBuf> {
    fs::create_dir_all(out_dir)?;
    let chart_arg = chart.display().to_string();
    let dest = out_dir.display().to_string();
    helm.run(&["package", &chart_arg, "--destination", &dest])?;
    let chart_yaml: Value = serde_yaml::from_str(&fs::read_to_string(chart.join("Chart.yaml"))?)?;
    let archive = out_dir.join(format!(
        "{}-{}.tgz",
        chart_yaml["name"].as_str().unwrap_or("?"),
        chart_yaml["version"].as_str().unwrap_or("?")
    ));
    let size = fs::metadata(&archive)
        .with_context(|| format!("`helm package` did not write {}", archive.display()))?
        .len();
    if size == 0 {
        bail!("`helm package` wrote an empty {}", archive.display());
    }
    Ok(archive)
}

/// Asks the apiserver (server-side dry run) whether it accepts each CRD of the chart,
/// so a rejection names the CRD and quotes the apiserver's reason.
pub fn check_crds_accepted(kubectl: &Kubectl, chart: &Path) -> anyhow::Result<()> {
    let mut rejected = vec![];
    for c in crds(chart)? {
        let json = serde_json::to_string(&c.crd)?;
        let out = kubectl.try_run(
            &[
                "apply",
                "--server-side",
                "--force-conflicts",
                "--field-manager=e2e-dry-run",
                "--dry-run=server",
                "-f",
                "-",
            ],
            Some(&json),
        )?;
        if !out.success {
            rejected.push(format!(
                "the apiserver rejects CRD {} ({}):\n  {}",
                c.name,
                c.file.display(),
                out.stderr.trim().replace('\n', "\n  ")
            ));
        }
    }
    if !rejected.is_empty() {
        bail!("{}", rejected.join("\n"));
    }
    Ok(())
}

/// `helm upgrade --install` of the chart, then waits for every CRD to be Established.
pub fn install(helm: &Helm, kubectl: &Kubectl, chart: &Path) -> anyhow::Result<()> {
    check_crds_accepted(kubectl, chart)?;
    let chart_arg = chart.display().to_string();
    helm.run(&[
        "upgrade",
        "--install",
        RELEASE,
        &chart_arg,
        "--namespace",
        NAMESPACE,
        "--create-namespace",
        "--wait",
        "--timeout",
        "2m",
    ])
    .with_context(|| format!("installing {chart_arg}"))?;
    for c in crds(chart)? {
        wait_established(kubectl, &c.name)?;
    }
    Ok(())
}

/// Waits until the CRD `name` is Established; fails early with the apiserver's message
/// when its names are not accepted.
pub fn wait_established(kubectl: &Kubectl, name: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + ESTABLISHED_TIMEOUT;
    loop {
        let crd = kubectl.get_json(&["crd", name])?;
        let conditions = crd["status"]["conditions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let find = |t: &str| conditions.iter().find(|c| c["type"] == t);
        if find("Established").is_some_and(|c| c["status"] == "True") {
            return Ok(());
        }
        if let Some(c) = find("NamesAccepted").filter(|c| c["status"] == "False") {
            bail!(
                "CRD {name}: names not accepted: {}",
                c["message"].as_str().unwrap_or_default()
            );
        }
        if Instant::now() > deadline {
            bail!(
                "CRD {name} not Established after {ESTABLISHED_TIMEOUT:?}; conditions: {}",
                serde_json::to_string(&conditions)?
            );
        }
        thread::sleep(Duration::from_millis(200));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_split_and_empty_ones_skipped() {
        let docs =
            parse_documents("# a comment\n---\nkind: A\nmetadata: {name: x}\n---\n---\nkind: B\n")
                .expect("parse");
        assert_eq!(docs.len(), 2);
        assert_eq!(object_key(&docs[0]), "A/x");
        assert_eq!(object_key(&docs[1]), "B/?");
    }

    #[test]
    fn the_chart_lists_its_crds() {
        let chart = crate::workspace_root().join("install/helm/agentgateway-crds");
        let crds = crds(&chart).expect("crds");
        assert!(
            crds.iter()
                .any(|c| c.name == "agentgatewaybackends.agentgateway.dev")
        );
    }
}
