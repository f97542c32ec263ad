//! `cargo xtask e2e`: the whole end-to-end run.
//!
//! 1. Helm alone: `helm lint --strict`, `helm template` equals the CRDs generated
//!    from the types, generated text that looks like a Go template comes out
//!    literally, `helm package`.
//! 2. On a fresh etcd + kube-apiserver: install an older copy of the chart
//!    (`e2e/upgrade/base-chart`), create the objects of `e2e/upgrade/objects`, upgrade
//!    to the current chart with `helm upgrade --install`, and read them back.
//! 3. The case table of `e2e/cases` against the current chart, each case also judged
//!    by the offline validator ([`crate::offline`]), which must agree.
//! 4. The table itself: every CRD has cases, every validation kind used is covered.

use crate::{
    cases::{self, Case, Expect},
    chart,
    cluster::Cluster,
    generative,
    kube::{Helm, Kubectl},
    offline, procs, tools,
};
use anyhow::Context;
use serde_json::Value;
use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
    time::Instant,
};

/// Namespace of the case objects.
const CASES_NAMESPACE: &str = "e2e-cases";
/// Namespace of the upgrade objects.
const UPGRADE_NAMESPACE: &str = "e2e-upgrade";

/// Passed and failed checks, printed as they happen.
#[derive(Default)]
pub struct Report {
    passed: usize,
    failed: Vec<String>,
}

impl Report {
    fn record(&mut self, name: &str, started: Instant, result: anyhow::Result<String>) -> bool {
        let took = started.elapsed();
        match result {
            Ok(detail) => {
                self.passed += 1;
                let detail = if detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({detail})")
                };
                println!("ok    {name}{detail} [{took:.1?}]");
                true
            }
            Err(e) => {
                let msg = format!("{e:#}");
                println!(
                    "FAIL  {name} [{took:.1?}]\n      {}",
                    msg.replace('\n', "\n      ")
                );
                self.failed.push(name.to_owned());
                false
            }
        }
    }

    /// Runs one check and records it; returns whether it passed.
    fn check(&mut self, name: &str, f: impl FnOnce() -> anyhow::Result<String>) -> bool {
        let started = Instant::now();
        let result = f();
        self.record(name, started, result)
    }

    pub fn passed(&self) -> usize {
        self.passed
    }

    pub fn failed(&self) -> &[String] {
        &self.failed
    }
}

/// Removes a directory when dropped (and on Ctrl-C).
struct TempDir(PathBuf);

impl TempDir {
    fn new(path: PathBuf) -> anyhow::Result<Self> {
        if path.exists() {
            fs::remove_dir_all(&path)?;
        }
        fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        procs::remove_on_signal(&path);
        Ok(Self(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
        procs::keep_on_signal(&self.0);
    }
}

/// Runs everything; the report says what passed and failed.
pub fn run(root: &Path, generated: generative::Options) -> anyhow::Result<Report> {
    let started = Instant::now();
    let bins = tools::ensure(root)?;
    let chart_dir = root.join(crate::CHART);
    let runs = root.join(".cache/e2e/runs");
    remove_stale_runs(&runs);
    let run_dir = TempDir::new(runs.join(std::process::id().to_string()))?;
    let mut report = Report::default();

    // 1. Helm alone.
    let helm = Helm::new(&bins, None, &run_dir.0);
    report.check("helm lint --strict", || {
        chart::lint(&helm, &chart_dir).map(|()| String::new())
    });
    report.check("helm template equals the generated CRDs", || {
        chart::template_matches_files(&helm, &chart_dir).map(|n| format!("{n} CRDs"))
    });
    report.check(
        "helm prints template look-alikes in generated text literally",
        || {
            chart::helm_prints_template_lookalikes_literally(&helm, &run_dir.0)
                .map(|n| format!("{n} strings"))
        },
    );
    report.check(
        "cargo xtask package: archive, versions, templates, sha256, helm show chart",
        || package_is_releasable(&helm, &chart_dir, &run_dir.0.join("package")),
    );

    // The table must be well-formed before a cluster is worth starting.
    let crds = agentgateway_api::crds();
    let chart_crds: Vec<Value> = chart::crds(&chart_dir)?
        .into_iter()
        .map(|c| c.crd)
        .collect();
    let table = cases::load_all(&root.join("e2e/cases"))?;
    report.check(
        "case table: every CRD has cases, every validation kind is covered",
        || {
            let problems = cases::table_problems(&table, &crds, &chart_crds);
            if problems.is_empty() {
                let n: usize = table.iter().map(|t| t.cases.len()).sum();
                Ok(format!("{n} cases"))
            } else {
                anyhow::bail!("{}", problems.join("\n"))
            }
        },
    );

    // 2. A cluster.
    let t = Instant::now();
    let cluster = match Cluster::start(&bins, &run_dir.0.join("cluster"), true) {
        Ok(c) => {
            report.record(
                "etcd and kube-apiserver ready",
                t,
                Ok(String::from("loopback")),
            );
            c
        }
        Err(e) => {
            report.record("etcd and kube-apiserver ready", t, Err(e));
            return Ok(report);
        }
    };
    let kubectl = Kubectl::new(&bins, cluster.kubeconfig(), cluster.dir());
    let helm = Helm::new(&bins, Some(cluster.kubeconfig()), cluster.dir());

    report.check(
        "a CRD the apiserver rejects is reported by name with its reason",
        || broken_crd_is_reported(&kubectl, &run_dir.0, &chart_crds),
    );

    let upgrade = root.join("e2e/upgrade");
    let base_chart = upgrade.join("base-chart");
    let upgrade_objects = cases::load_files(&upgrade.join("objects"), true)?;
    let base_ok = report.check("install the older chart (e2e/upgrade/base-chart)", || {
        let crds_of = |dir: &Path| -> anyhow::Result<Vec<Value>> {
            Ok(chart::crds(dir)?.into_iter().map(|c| c.crd).collect())
        };
        if crds_of(&base_chart)? == chart_crds {
            anyhow::bail!(
                "the older chart's CRDs equal the current ones: the upgrade would test nothing"
            );
        }
        chart::install(&helm, &kubectl, &base_chart)?;
        create_namespace(&kubectl, UPGRADE_NAMESPACE)?;
        for obj in &upgrade_objects {
            create(&kubectl, obj, UPGRADE_NAMESPACE)
                .with_context(|| format!("creating {}", obj.file.display()))?;
        }
        Ok(format!("{} objects created", upgrade_objects.len()))
    });
    let installed = report.check("helm upgrade --install the current chart", || {
        chart::install(&helm, &kubectl, &chart_dir)?;
        Ok(format!("{} CRDs Established", chart_crds.len()))
    });
    if !installed {
        return Ok(report);
    }
    if base_ok {
        for obj in &upgrade_objects {
            let name = format!("after upgrade: {}", rel(root, &obj.file));
            report.check(&name, || {
                let back = read_back(&kubectl, &crds, obj, UPGRADE_NAMESPACE)?;
                check_read_back(&crds, obj, &back)?;
                Ok(String::new())
            });
        }
    }

    report.check(
        "kubectl explain agentgatewaybackend.spec.mcp.sessionRouting",
        || explain_session_routing(&kubectl),
    );

    // 3. The case table, each case judged by the apiserver and the offline validator.
    create_namespace(&kubectl, CASES_NAMESPACE)?;
    let mut agreement = BTreeMap::new();
    for t in &table {
        for case in &t.cases {
            let file = rel(root, &case.file);
            report.check(&file, || {
                let (detail, agrees) = run_case(&kubectl, &crds, case, &file)?;
                let (same, all) = agreement.entry(t.plural.clone()).or_insert((0, 0));
                *same += usize::from(agrees);
                *all += 1;
                Ok(detail)
            });
        }
    }
    let summary: Vec<String> = agreement
        .iter()
        .map(|(plural, (same, all))| format!("{plural} {same}/{all}"))
        .collect();
    println!(
        "e2e: the offline validator agrees with the apiserver on {} of {} cases ({})",
        agreement.values().map(|(s, _)| s).sum::<usize>(),
        agreement.values().map(|(_, a)| a).sum::<usize>(),
        summary.join(", ")
    );

    // 4. Generated objects, judged by both.
    let valid: Vec<Value> = table
        .iter()
        .flat_map(|t| &t.cases)
        .filter(|c| matches!(c.expect, Expect::Accepted { .. }))
        .map(|c| c.object.clone())
        .collect();
    report.check(
        &format!(
            "generative: {} objects from the schemas, apiserver and validator agree (seed {})",
            generated.objects, generated.seed
        ),
        || generative_test(&kubectl, &run_dir.0, root, &valid, generated),
    );
    drop(cluster);
    println!("e2e: finished in {:.0?}", started.elapsed());
    Ok(report)
}

/// The generative differential test ([`generative`]) through a `kubectl proxy`: prints
/// the seed first, then the coverage per constraint kind; fails with every
/// disagreement (and the smallest failing object). The CEL rules no object broke are
/// written to `.cache/e2e/generative-unbroken-rules.txt`.
fn generative_test(
    kubectl: &Kubectl,
    dir: &Path,
    root: &Path,
    valid: &[Value],
    opts: generative::Options,
) -> anyhow::Result<String> {
    println!(
        "e2e: generative test: seed {} (rerun with `cargo xtask e2e --seed {}`), {} objects",
        opts.seed, opts.seed, opts.objects
    );
    create_namespace(kubectl, generative::NAMESPACE)?;
    let (bin, args) = kubectl.command_line(&["proxy", "--port=0", "--address=127.0.0.1"]);
    let log = dir.join("kubectl-proxy.log");
    let mut proxy = procs::Process::spawn("kubectl proxy", &bin, &args, &log, true)?;
    let deadline = Instant::now() + std::time::Duration::from_secs(30);
    let port = loop {
        let text = fs::read_to_string(&log).unwrap_or_default();
        if let Some(port) = text
            .lines()
            .find_map(|l| l.strip_prefix("Starting to serve on 127.0.0.1:"))
            .and_then(|p| p.trim().parse::<u16>().ok())
        {
            break port;
        }
        if proxy.exited().is_some() || Instant::now() > deadline {
            anyhow::bail!("kubectl proxy did not start: {}", proxy.log_tail(10));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let server = generative::Server::new(port);
    let out = generative::run(&server, valid, opts, 4)?;
    proxy.stop();
    println!(
        "e2e: generative: {} objects ({} accepted by both) generated and judged offline in {:.1} s, \
         by the apiserver in {:.1} s (dry run, 4 at a time)",
        out.objects, out.accepted, out.seconds_generate, out.seconds_judge
    );
    for (label, (made, accepted)) in &out.coverage {
        println!("e2e: generative:   {label}: {made} objects, {accepted} accepted");
    }
    for (why, n) in &out.known {
        println!("e2e: generative: {n} known disagreements (docs/validate.md): {why}");
    }
    let list = root.join(".cache/e2e/generative-unbroken-rules.txt");
    let text: String = out
        .unbroken_rules
        .iter()
        .map(|(kind, msg)| format!("{kind}: {msg}\n"))
        .collect();
    fs::write(&list, text).with_context(|| format!("writing {}", list.display()))?;
    println!(
        "e2e: generative: {} of {} CEL rules broken by some object; the {} no object broke are in {}",
        out.rules - out.unbroken_rules.len(),
        out.rules,
        out.unbroken_rules.len(),
        list.display()
    );
    let file = root.join(".cache/e2e/generative-disagreements.txt");
    fs::write(&file, out.disagreements.join("\n\n"))
        .with_context(|| format!("writing {}", file.display()))?;
    if !out.disagreements.is_empty() {
        anyhow::bail!(
            "{} of {} objects disagree (seed {}; all of them in {}):\n{}",
            out.disagreements.len(),
            out.objects,
            opts.seed,
            file.display(),
            out.disagreements
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n\n")
        );
    }
    Ok(format!("{} objects agree", out.objects))
}

/// What `cargo xtask package` ships: the archive of Chart.yaml's version (and of an
/// overriding `--version`), holding the chart's templates unchanged, its SHA-256 as
/// `sha256sum` computes it, and versions `helm show chart` reads back.
fn package_is_releasable(helm: &Helm, chart: &Path, out: &Path) -> anyhow::Result<String> {
    use crate::package;
    let (_, version, app_version) = package::chart_versions(chart)?;
    let mut shown = Vec::new();
    for (wanted, (v, app)) in [
        (None, (version.clone(), app_version)),
        (
            Some("9.8.7-rc.1"),
            ("9.8.7-rc.1".to_owned(), "v9.8.7-rc.1".to_owned()),
        ),
    ] {
        let p = package::package(helm, chart, out, wanted)?;
        if p.archive != out.join(format!("agentgateway-crds-{v}.tgz")) {
            anyhow::bail!("unexpected archive name {}", p.archive.display());
        }
        let files = package::archive_files(&p.archive)?;
        for crd in chart::crds(chart)? {
            let inside = format!(
                "agentgateway-crds/templates/{}",
                crd.file.file_name().unwrap_or_default().to_string_lossy()
            );
            if !files.contains_key(&inside) {
                anyhow::bail!("{inside} missing from {}", p.archive.display());
            }
        }
        let sum = std::process::Command::new("sha256sum")
            .arg(&p.archive)
            .output()
            .context("running sha256sum")?;
        let sum = String::from_utf8_lossy(&sum.stdout);
        if sum.split_whitespace().next() != Some(p.sha256.as_str()) {
            anyhow::bail!("sha256 {} but sha256sum says {sum}", p.sha256);
        }
        let show = helm.run(&["show", "chart", &p.archive.display().to_string()])?;
        let doc: Value = serde_yaml::from_str(&show)?;
        if doc["version"] != v.as_str() || doc["appVersion"] != app.as_str() {
            anyhow::bail!(
                "`helm show chart` reads back:\n{show}\nwanted version {v}, appVersion {app}"
            );
        }
        shown.push(format!("{v}/{app}"));
    }
    Ok(shown.join(", "))
}

/// `kubectl explain` on the test cluster shows our description of
/// `spec.mcp.sessionRouting` and both of its values (the apiserver publishes the
/// CRD's schema as OpenAPI).
fn explain_session_routing(kubectl: &Kubectl) -> anyhow::Result<String> {
    let out = kubectl.run(
        &["explain", "agentgatewaybackend.spec.mcp.sessionRouting"],
        None,
    )?;
    let description = crdgen::walk::version_schemas(
        chart::generated_crds()?
            .values()
            .find(|c| c["spec"]["names"]["kind"] == "AgentgatewayBackend")
            .context("no AgentgatewayBackend CRD")?,
    )
    .first()
    .and_then(|(_, s)| {
        crdgen::walk::resolve(
            s,
            &["spec", "mcp", "sessionRouting"].map(|p| crdgen::walk::Step::Property(p.into())),
        )
    })
    .and_then(|f| f["description"].as_str())
    .context("no description of .spec.mcp.sessionRouting in the CRD")?
    .to_owned();
    // kubectl re-wraps text; compare words. The whole description, and both values
    // in the ENUM block.
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let shown = words(&out);
    let mut missing = Vec::new();
    for want in [
        words(&description),
        "FIELD: sessionRouting <string> ENUM: Stateful Stateless".to_owned(),
    ] {
        if !shown.contains(&want) {
            missing.push(want);
        }
    }
    if !missing.is_empty() {
        anyhow::bail!("`kubectl explain` output lacks {missing:?}:\n{out}");
    }
    Ok(format!("{} lines", out.lines().count()))
}

/// Removes the directories of earlier runs whose process is gone (killed with SIGKILL,
/// so no cleanup ran; `setpriv --pdeathsig` stopped their cluster already).
fn remove_stale_runs(runs: &Path) {
    for entry in fs::read_dir(runs).into_iter().flatten().flatten() {
        let pid = entry.file_name().to_string_lossy().parse::<u32>();
        if pid.is_ok_and(|pid| !procs::alive(pid)) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Self-test of the error path: a CRD with a CEL rule that does not compile must be
/// refused by the apiserver, and our message must name the CRD and quote the reason.
fn broken_crd_is_reported(
    kubectl: &Kubectl,
    run_dir: &Path,
    chart_crds: &[Value],
) -> anyhow::Result<String> {
    let mut crd = chart_crds.first().context("the chart has no CRD")?.clone();
    let name = crd["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["x-kubernetes-validations"] =
        serde_json::json!([{ "rule": "self.spec.(", "message": "never compiles" }]);
    let templates = run_dir.join("broken-chart/templates");
    fs::create_dir_all(&templates)?;
    fs::write(
        templates.join("broken.yaml"),
        crdgen::render::to_yaml(&crd)?,
    )?;
    match chart::check_crds_accepted(kubectl, &run_dir.join("broken-chart")) {
        Ok(()) => anyhow::bail!("the apiserver accepted a CRD whose CEL rule cannot compile"),
        Err(e) => {
            let msg = format!("{e:#}");
            if !msg.contains(&name) || !msg.contains("compil") {
                anyhow::bail!("the message names neither the CRD {name} nor the reason:\n{msg}");
            }
            Ok(String::new())
        }
    }
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

fn create_namespace(kubectl: &Kubectl, ns: &str) -> anyhow::Result<()> {
    let out = kubectl.try_run(&["create", "namespace", ns], None)?;
    if !out.success && !out.stderr.contains("AlreadyExists") {
        anyhow::bail!("creating namespace {ns}: {}", out.stderr.trim());
    }
    Ok(())
}

fn source<'a>(crds: &'a [crdgen::CrdSource], kind: &str) -> anyhow::Result<&'a crdgen::CrdSource> {
    crds.iter()
        .find(|c| c.kind() == kind)
        .with_context(|| format!("{kind} is not a kind of agentgateway_api::crds()"))
}

fn with_namespace(case: &Case, ns: &str) -> String {
    let mut obj = case.object.clone();
    obj["metadata"]["namespace"] = ns.into();
    obj.to_string()
}

/// `kubectl create`; the outcome, for the caller to judge.
fn try_create(kubectl: &Kubectl, case: &Case, ns: &str) -> anyhow::Result<crate::kube::Outcome> {
    kubectl.try_run(
        &["create", "--validate=strict", "-o", "name", "-f", "-"],
        Some(&with_namespace(case, ns)),
    )
}

fn create(kubectl: &Kubectl, case: &Case, ns: &str) -> anyhow::Result<()> {
    let out = try_create(kubectl, case, ns)?;
    if !out.success {
        anyhow::bail!("the apiserver rejected it: {}", out.stderr.trim());
    }
    Ok(())
}

fn read_back(
    kubectl: &Kubectl,
    crds: &[crdgen::CrdSource],
    case: &Case,
    ns: &str,
) -> anyhow::Result<Value> {
    let src = source(crds, case.kind())?;
    kubectl.get_json(&[&src.crd_name(), case.name(), "-n", ns])
}

/// The object read back has the expected fields and survives the Rust types.
fn check_read_back(crds: &[crdgen::CrdSource], case: &Case, back: &Value) -> anyhow::Result<()> {
    let problems = cases::check_fields(&case.expect, back);
    if !problems.is_empty() {
        anyhow::bail!(
            "the object read back does not match the expectations:\n{}",
            problems.join("\n")
        );
    }
    let src = source(crds, case.kind())?;
    let again = src.roundtrip(back).map_err(|e| {
        anyhow::anyhow!(
            "the object read back does not deserialize into the Rust type of {}: {e}",
            src.kind()
        )
    })?;
    if &again != back {
        anyhow::bail!(
            "the object read back changes when deserialized into the Rust type and serialized again \
             (- server, + Rust):\n{}",
            crate::json_diff(back, &again).join("\n")
        );
    }
    Ok(())
}

/// Runs one case on the apiserver and checks its expectations, then compares the
/// offline validator's verdict: the same verdict, every `expect-error` text in its
/// message too, and for accepted objects the same stored `spec` (defaults included).
/// Returns the detail to print and whether the two agreed (a disagreement listed in
/// [`offline::KNOWN_DISAGREEMENTS`] passes; an unlisted one fails).
fn run_case(
    kubectl: &Kubectl,
    crds: &[crdgen::CrdSource],
    case: &Case,
    file: &str,
) -> anyhow::Result<(String, bool)> {
    let offline = offline::verdict(case);
    let mut disagreements = vec![];
    let detail = match &case.expect {
        Expect::Accepted { fields, .. } => {
            create(kubectl, case, CASES_NAMESPACE)?;
            let back = read_back(kubectl, crds, case, CASES_NAMESPACE)?;
            check_read_back(crds, case, &back)?;
            match &offline {
                Ok(stored) if stored["spec"] != back["spec"] => disagreements.push(format!(
                    "the offline validator stores another spec (- server, + offline):\n{}",
                    crate::json_diff(&back["spec"], &stored["spec"]).join("\n")
                )),
                Ok(_) => {}
                Err(msg) => disagreements.push(format!("the offline validator rejects it: {msg}")),
            }
            format!("accepted, {} fields checked, round trip", fields.len())
        }
        Expect::Rejected { .. } => {
            let out = try_create(kubectl, case, CASES_NAMESPACE)?;
            if out.success {
                let src = source(crds, case.kind())?;
                let _ = kubectl.try_run(
                    &[
                        "delete",
                        &src.crd_name(),
                        case.name(),
                        "-n",
                        CASES_NAMESPACE,
                    ],
                    None,
                );
                anyhow::bail!("accepted, but it should have been rejected");
            }
            let problems = cases::check_rejection(&case.expect, &out.stderr);
            if !problems.is_empty() {
                anyhow::bail!(
                    "{}\nthe apiserver said: {}",
                    problems.join("\n"),
                    out.stderr.trim()
                );
            }
            match &offline {
                Ok(_) => disagreements.push("the offline validator accepts it".into()),
                Err(msg) => disagreements.extend(
                    cases::check_rejection(&case.expect, msg)
                        .into_iter()
                        .map(|p| format!("offline: {p}; it said: {msg}")),
                ),
            }
            "rejected".into()
        }
    };
    match (disagreements.is_empty(), offline::known_disagreement(file)) {
        (true, None) => Ok((format!("{detail}, offline agrees"), true)),
        (false, Some(why)) => Ok((
            format!("{detail}, offline disagrees as listed: {why}"),
            false,
        )),
        (true, Some(_)) => anyhow::bail!(
            "{detail}, and the offline validator now agrees: remove {file} from offline::KNOWN_DISAGREEMENTS"
        ),
        (false, None) => anyhow::bail!(
            "{detail} by the apiserver, but the offline validator disagrees \
             (fix it, or list the case in offline::KNOWN_DISAGREEMENTS and docs/validate.md):\n{}",
            disagreements.join("\n")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_case_table_is_complete() {
        let root = crate::workspace_root();
        let chart_crds: Vec<Value> = chart::crds(&root.join(crate::CHART))
            .expect("chart")
            .into_iter()
            .map(|c| c.crd)
            .collect();
        let table = cases::load_all(&root.join("e2e/cases")).expect("cases");
        let problems = cases::table_problems(&table, &agentgateway_api::crds(), &chart_crds);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    fn backend(spec: Value) -> Value {
        serde_json::json!({
            "apiVersion": "agentgateway.dev/v1alpha1",
            "kind": "AgentgatewayBackend",
            "metadata": {
                "name": "x", "namespace": "y", "uid": "0c1d", "resourceVersion": "7",
                "generation": 1, "creationTimestamp": "2026-01-01T00:00:00Z",
                "managedFields": [{"manager": "kubectl", "operation": "Update",
                    "apiVersion": "agentgateway.dev/v1alpha1", "time": "2026-01-01T00:00:00Z",
                    "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {".": {}}}}],
            },
            "spec": spec,
        })
    }

    #[test]
    fn a_read_back_object_must_survive_the_rust_types() {
        let crds = agentgateway_api::crds();
        let case = Case {
            file: "x.yaml".into(),
            covers: Default::default(),
            expect: Expect::Accepted {
                fields: vec![],
                absent: vec![],
            },
            object: backend(serde_json::json!({})),
        };
        let good = backend(serde_json::json!({"static": {"host": "h", "port": 1}}));
        check_read_back(&crds, &case, &good).expect("round trip");

        // A field the Rust type does not have is lost on the way: named in the error.
        let lost = backend(serde_json::json!({"static": {"host": "h", "port": 1, "weight": 2}}));
        let err = check_read_back(&crds, &case, &lost).expect_err("lost field");
        assert!(
            err.to_string().contains("- .spec.static.weight: 2"),
            "{err}"
        );

        let wrong = backend(serde_json::json!({"static": {"host": "h", "port": "eighty"}}));
        let err = check_read_back(&crds, &case, &wrong).expect_err("wrong type");
        assert!(err.to_string().contains("does not deserialize"), "{err}");
    }

    #[test]
    fn the_upgrade_objects_parse() {
        let root = crate::workspace_root();
        let objects = cases::load_files(&root.join("e2e/upgrade/objects"), true).expect("objects");
        assert!(!objects.is_empty());
        let base = chart::crds(&root.join("e2e/upgrade/base-chart")).expect("base chart");
        assert!(!base.is_empty());
    }
}
