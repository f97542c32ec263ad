//! `cargo xtask e2e`: the whole end-to-end run.
//!
//! 1. Helm alone: `helm lint --strict`, `helm template` equals the CRDs generated
//!    from the types, generated text that looks like a Go template comes out
//!    literally, `helm package`.
//! 2. On a fresh etcd + kube-apiserver, for each released chart of [`UPGRADES`]
//!    (0.1.0, then 1.4.1): install it, create its objects, upgrade to the current
//!    chart with `helm upgrade --install`, and read them back; then uninstall before
//!    the next one (the CRDs are cluster-wide: one chart at a time).
//! 3. The case table of `e2e/cases` against the current chart, each case also judged
//!    by the offline validator ([`crate::offline`]), which must agree.
//! 4. The table itself: every CRD has cases, every validation kind used is covered.
//! 5. The release path ([`crate::release`]): a real OCI registry, `cargo xtask package
//!    --push`, `helm install` from the `oci://` reference.

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

/// A released chart the current one must upgrade: objects created under it survive
/// `helm upgrade` and read back through the Rust types.
pub struct Upgrade {
    /// The released chart version.
    pub from: &'static str,
    /// The released chart, copied unchanged (relative to the workspace root).
    pub chart: &'static str,
    /// The git revision it was copied from.
    pub revision: &'static str,
    /// Objects created under it (the case format: `expect:` lines hold after the upgrade).
    pub objects: &'static str,
    /// Each object, created again under the current chart, is accepted too (the API
    /// still takes what users wrote for this release).
    pub still_valid: bool,
}

/// The upgrades tested, oldest first.
pub const UPGRADES: &[Upgrade] = &[
    Upgrade {
        from: "0.1.0",
        chart: "e2e/upgrade/base-chart",
        revision: "1fe5422",
        objects: "e2e/upgrade/objects",
        // Some of its objects hold fields v1.4.1 removed.
        still_valid: false,
    },
    Upgrade {
        from: "1.4.1",
        chart: "e2e/upgrade/base-chart-1.4.1",
        revision: "80af639",
        objects: "e2e/upgrade/objects-1.4.1",
        still_valid: true,
    },
];

impl Upgrade {
    /// Namespace of its objects, e.g. `e2e-upgrade-1-4-1`.
    fn namespace(&self) -> String {
        format!("e2e-upgrade-{}", self.from.replace('.', "-"))
    }
}

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
        "cargo xtask package: archive, versions, templates, sha256, helm show chart, schemas and reference",
        || package_is_releasable(&helm, root, &run_dir.0.join("package")),
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

    report.check(
        "CEL cost ceilings predicted by crdgen hold on the apiserver",
        || cel_cost_ceilings_hold(&kubectl, &chart_crds),
    );

    report.check(
        "CEL runtime cost overruns metered offline are the apiserver's",
        || runtime_overruns_match(&kubectl, root),
    );

    for (i, upgrade) in UPGRADES.iter().enumerate() {
        if i > 0 {
            let removed = report.check(
                "helm uninstall: the CRDs and their objects are gone",
                || chart::uninstall(&helm, &kubectl, &chart_dir),
            );
            if !removed {
                return Ok(report);
            }
        }
        if !upgrade_from(
            &mut report,
            root,
            upgrade,
            &helm,
            &kubectl,
            &crds,
            &chart_crds,
        )? {
            return Ok(report);
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

    // 5. The release path: a real registry, `cargo xtask package --push`, `helm install`
    //    from it (last: it replaces the installed release).
    release_path(
        &mut report,
        root,
        &bins,
        &run_dir.0,
        &helm,
        &kubectl,
        &crds,
        &table,
    )?;
    drop(cluster);
    println!("e2e: finished in {:.0?}", started.elapsed());
    Ok(report)
}

/// Installs the released chart of `upgrade`, creates its objects, upgrades to the
/// current chart and reads them back. Returns whether the current chart is installed
/// (the rest of the suite needs it).
fn upgrade_from(
    report: &mut Report,
    root: &Path,
    upgrade: &Upgrade,
    helm: &Helm,
    kubectl: &Kubectl,
    crds: &[crdgen::CrdSource],
    chart_crds: &[Value],
) -> anyhow::Result<bool> {
    let base_chart = root.join(upgrade.chart);
    let chart_dir = root.join(crate::CHART);
    let objects = cases::load_files(&root.join(upgrade.objects), true)?;
    let ns = upgrade.namespace();
    let from = upgrade.from;
    let base_ok = report.check(
        &format!("install the {from} chart ({})", upgrade.chart),
        || {
            let detail = base_differs(&base_chart, &chart_dir, chart_crds)?;
            chart::install(helm, kubectl, &base_chart)?;
            let (_, version, _) = installed_release(helm)?;
            if version != from {
                anyhow::bail!("helm lists chart version {version}, not {from}");
            }
            create_namespace(kubectl, &ns)?;
            for obj in &objects {
                create(kubectl, obj, &ns)
                    .with_context(|| format!("creating {}", obj.file.display()))?;
            }
            Ok(format!("{detail}; {} objects created", objects.len()))
        },
    );
    let installed = report.check(
        &format!("helm upgrade --install the current chart (from {from})"),
        || {
            chart::install(helm, kubectl, &chart_dir)?;
            let (_, version, _) = installed_release(helm)?;
            let (_, current, _) = crate::package::chart_versions(&chart_dir)?;
            if version != current {
                anyhow::bail!("helm lists chart version {version}, not {current}");
            }
            Ok(format!(
                "{} CRDs Established, chart {version}",
                chart_crds.len()
            ))
        },
    );
    if !installed {
        return Ok(false);
    }
    if base_ok {
        for obj in &objects {
            let name = format!("after upgrade from {from}: {}", rel(root, &obj.file));
            report.check(&name, || {
                let back = read_back(kubectl, crds, obj, &ns)?;
                check_read_back(crds, obj, &back)?;
                if !upgrade.still_valid {
                    return Ok(String::new());
                }
                // Created anew, the current chart checks every field (an update would
                // only check the changed ones).
                let mut again = obj.clone();
                again.object["metadata"]["name"] = format!("{}-again", obj.name()).into();
                create(kubectl, &again, &ns)
                    .context("the current chart rejects the object created anew")?;
                Ok("read back, round trip, still accepted when created anew".into())
            });
        }
    }
    Ok(true)
}

/// How the released chart at `base` differs from the current one: `k of n CRDs
/// change`. Fails when it is the current chart (the same version): the upgrade would
/// test nothing.
fn base_differs(base: &Path, current: &Path, chart_crds: &[Value]) -> anyhow::Result<String> {
    let (_, base_version, _) =
        crate::package::chart_versions(base).or_else(|_| -> anyhow::Result<_> {
            // 0.1.0 predates the `appVersion: v<version>` rule.
            let doc: Value = serde_yaml::from_str(&fs::read_to_string(base.join("Chart.yaml"))?)?;
            Ok((
                String::new(),
                doc["version"].as_str().unwrap_or("?").to_owned(),
                String::new(),
            ))
        })?;
    let (_, current_version, _) = crate::package::chart_versions(current)?;
    if base_version == current_version {
        anyhow::bail!(
            "{} is chart version {base_version}, the current chart's: the upgrade would test nothing",
            base.display()
        );
    }
    let base_crds: BTreeMap<String, Value> = chart::crds(base)?
        .into_iter()
        .map(|c| (c.name, c.crd))
        .collect();
    let changed = chart_crds
        .iter()
        .filter(|c| base_crds.get(c["metadata"]["name"].as_str().unwrap_or_default()) != Some(*c))
        .count();
    Ok(format!(
        "{changed} of {} CRDs change by the upgrade",
        chart_crds.len()
    ))
}

/// `helm list` of the chart's release: chart name, version and app version.
fn installed_release(helm: &Helm) -> anyhow::Result<(String, String, String)> {
    chart::release_versions(helm, chart::RELEASE, chart::NAMESPACE)
}

/// The release path on a real OCI registry (see [`crate::release`]): push with
/// `cargo xtask package`, read back with `helm show chart`, a second push refused and
/// forced, `-dev` refused, then `helm install` from the registry in place of the
/// installed release, its CRDs served.
#[allow(clippy::too_many_arguments)]
fn release_path(
    report: &mut Report,
    root: &Path,
    bins: &tools::Bins,
    run_dir: &Path,
    helm: &Helm,
    kubectl: &Kubectl,
    crds: &[crdgen::CrdSource],
    table: &[cases::CrdCases],
) -> anyhow::Result<()> {
    use crate::release::{self, Release};
    let t = Instant::now();
    let registry = match crate::registry::Registry::start(bins, &run_dir.join("registry")) {
        Ok(r) => {
            report.record("OCI registry (distribution) ready", t, Ok(r.host()));
            r
        }
        Err(e) => {
            report.record("OCI registry (distribution) ready", t, Err(e));
            return Ok(());
        }
    };
    let chart_dir = root.join(crate::CHART);
    let (_, current, _) = crate::package::chart_versions(&chart_dir)?;
    let core = current.split(['-', '+']).next().unwrap_or(&current);
    let rel = Release {
        root,
        registry: &registry,
        version: format!("{core}-e2e.1"),
        helm_home: run_dir.join("release-helm"),
        out: run_dir.join("release"),
    };
    let v = rel.version.clone();
    let pushed = report.check(
        &format!(
            "cargo xtask package --version {v} --push oci://127.0.0.1:PORT/charts --plain-http"
        ),
        || {
            let run = rel.push(&[])?;
            if !run.success {
                anyhow::bail!("it failed:\n{}", run.output);
            }
            let digest = release::pushed_digest(&run.output)
                .with_context(|| format!("no `Digest:` line in its output:\n{}", run.output))?;
            let held = rel
                .digest_in_registry()?
                .context("the registry has no manifest for the version")?;
            if held != digest {
                anyhow::bail!("helm pushed {digest}, the registry holds {held}");
            }
            check_docs_archives_in(root, &rel.out, &v)?;
            Ok(format!(
                "{} {digest}; schemas and reference archives beside it",
                rel.chart_ref()
            ))
        },
    );
    if !pushed {
        return Ok(());
    }
    report.check(
        "helm show chart oci://...: the stamped version and appVersion",
        || {
            let doc = release::show_chart(helm, &rel.chart_ref(), &v)?;
            let app = crate::package::app_version_of(&v);
            if doc["version"] != v.as_str() || doc["appVersion"] != app.as_str() {
                anyhow::bail!(
                    "version {} appVersion {}, wanted {v} and {app}",
                    doc["version"],
                    doc["appVersion"]
                );
            }
            Ok(format!("{v}/{app}"))
        },
    );
    report.check(
        "helm push alone: the same archive again changes nothing, a rebuilt one replaces the version",
        || {
            let plain = Helm::new(bins, None, &rel.helm_home);
            let push = |archive: &Path| -> anyhow::Result<()> {
                plain
                    .run(&["push", &archive.display().to_string(), &rel.target(), "--plain-http"])
                    .map(drop)
            };
            let first = rel.digest_in_registry()?;
            // Helm's manifest holds the archive's bytes and file time: the same file
            // gives the same manifest.
            push(&rel.out.join(format!("agentgateway-crds-{v}.tgz")))?;
            if rel.digest_in_registry()? != first {
                anyhow::bail!("pushing the same archive again changed the registry");
            }
            // `helm package` stamps the time: a rebuild is other bytes, same version.
            std::thread::sleep(std::time::Duration::from_millis(1100));
            let rebuilt = crate::package::package(helm, root, &rel.out.join("rebuilt"), Some(&v))?;
            push(&rebuilt.archive)?;
            let after = rel.digest_in_registry()?;
            if after == first {
                anyhow::bail!("the registry still holds {first:?}: helm push did not replace it");
            }
            Ok(format!(
                "{} -> {}, no error",
                first.unwrap_or_default(),
                after.unwrap_or_default()
            ))
        },
    );
    report.check(
        "a second cargo xtask package --push of the version is refused; --force replaces it",
        || {
            let before = rel.digest_in_registry()?;
            let again = rel.push(&[])?;
            release::expect_refusal(&again, &["is in the registry already", "--force"])?;
            if rel.digest_in_registry()? != before {
                anyhow::bail!("the refused push changed what the registry holds");
            }
            std::thread::sleep(std::time::Duration::from_millis(1100));
            let forced = rel.push(&["--force"])?;
            if !forced.success || !forced.output.contains("(--force)") {
                anyhow::bail!("--force did not replace the version:\n{}", forced.output);
            }
            let digest = release::pushed_digest(&forced.output).context("no `Digest:` line")?;
            let held = rel.digest_in_registry()?;
            if held.as_deref() != Some(digest.as_str()) || held == before {
                anyhow::bail!(
                    "after --force the registry holds {held:?} (before {before:?}, pushed {digest})"
                );
            }
            Ok("refused, registry unchanged; forced, registry holds the new digest".into())
        },
    );
    report.check(
        "an unreachable registry is an error, not a version it lacks",
        || {
            let [port] = crate::cluster::free_ports()?;
            let plain = Helm::new(bins, None, &rel.helm_home);
            let chart_ref = format!("oci://127.0.0.1:{port}/charts/agentgateway-crds");
            let opts = crate::package::PushOptions {
                plain_http: true,
                force: false,
            };
            match crate::package::published(&plain, &chart_ref, &v, opts) {
                Err(e) if format!("{e:#}").contains("cannot tell whether") => Ok(String::new()),
                other => anyhow::bail!("wanted an error, got {other:?}"),
            }
        },
    );
    report.check(
        "cargo xtask package --push refuses main's -dev version",
        || {
            if !current.ends_with("-dev") {
                return Ok(format!(
                    "Chart.yaml has {current}, a release version: nothing to refuse"
                ));
            }
            let run = rel.xtask_package(&["--push", &rel.target(), "--plain-http"])?;
            release::expect_refusal(&run, &[&format!("refusing to push {current}"), "--version"])?;
            Ok(format!("{current} refused"))
        },
    );
    report.check(
        &format!("helm install oci://.../agentgateway-crds --version {v}: CRDs served"),
        || {
            chart::uninstall(helm, kubectl, &chart_dir)?;
            release::install_from_registry(helm, kubectl, root, &rel.chart_ref(), &v)?;
            let listed = chart::release_versions(helm, chart::RELEASE, chart::NAMESPACE)?;
            let want = (
                "agentgateway-crds".to_owned(),
                v.clone(),
                crate::package::app_version_of(&v),
            );
            if listed != want {
                anyhow::bail!("helm list shows {listed:?}, wanted {want:?}");
            }
            // Served: the first valid case of every CRD is stored and reads back.
            let mut kinds = vec![];
            for t in table {
                let case = t
                    .cases
                    .iter()
                    .find(|c| matches!(c.expect, Expect::Accepted { .. }))
                    .with_context(|| format!("{} has no valid case", t.plural))?;
                create(kubectl, case, CASES_NAMESPACE)
                    .with_context(|| format!("creating {}", case.file.display()))?;
                let back = read_back(kubectl, crds, case, CASES_NAMESPACE)?;
                check_read_back(crds, case, &back)?;
                kinds.push(case.kind().to_owned());
            }
            Ok(format!(
                "helm list: {} {} {}; {} created and read back",
                listed.0,
                listed.1,
                listed.2,
                kinds.join(", ")
            ))
        },
    );
    Ok(())
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
fn package_is_releasable(helm: &Helm, root: &Path, out: &Path) -> anyhow::Result<String> {
    use crate::package;
    let chart = &root.join(crate::CHART);
    let (_, version, app_version) = package::chart_versions(chart)?;
    let mut shown = Vec::new();
    let mut docs_sums = Vec::new();
    for (wanted, (v, app)) in [
        (None, (version.clone(), app_version)),
        (
            Some("9.8.7-rc.1"),
            ("9.8.7-rc.1".to_owned(), "v9.8.7-rc.1".to_owned()),
        ),
    ] {
        let p = package::package(helm, root, out, wanted)?;
        let names: Vec<_> = p.docs.iter().map(|d| d.archive.clone()).collect();
        let want: Vec<_> = package::DOCS
            .iter()
            .map(|(suffix, _, _)| out.join(format!("agentgateway-crds-{v}-{suffix}.tar.gz")))
            .collect();
        if names != want {
            anyhow::bail!("docs archives {names:?}, wanted {want:?}");
        }
        check_docs_archives_in(root, out, &v)?;
        docs_sums.push(p.docs.iter().map(|d| d.sha256.clone()).collect::<Vec<_>>());
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
    // The same files give the same archives, whatever the version.
    if docs_sums.windows(2).any(|w| w[0] != w[1]) {
        anyhow::bail!("the schemas and reference archives differ between runs: {docs_sums:?}");
    }
    Ok(format!(
        "{}; schemas and reference archives the same bytes on both runs",
        shown.join(", ")
    ))
}

/// The schemas and reference archives of `version` in `out`: named by version, and
/// holding every generated file of `schemas/agentgateway.dev` and `docs/reference`
/// byte for byte.
fn check_docs_archives_in(root: &Path, out: &Path, version: &str) -> anyhow::Result<()> {
    use crate::package;
    for (suffix, dir, inside) in package::DOCS {
        let archive = out.join(format!("agentgateway-crds-{version}-{suffix}.tar.gz"));
        let files = package::archive_files(&archive)?;
        let mut want = BTreeMap::new();
        for entry in fs::read_dir(root.join(dir))? {
            let path = entry?.path();
            if path.is_file() {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                want.insert(format!("{inside}/{name}"), fs::read(&path)?);
            }
        }
        if files != want {
            let got: Vec<_> = files.keys().collect();
            let wanted: Vec<_> = want.keys().collect();
            anyhow::bail!(
                "{} does not hold {dir} byte for byte: it has {got:?}, the repository {wanted:?}",
                archive.display()
            );
        }
    }
    Ok(())
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

/// The bounds whose ceilings (`crdgen::cel_cost::ceiling`, `cargo xtask cel-cost`) are
/// checked on the apiserver: `(kind, path, keyword)`.
const CHECKED_CEILINGS: &[(&str, &str, &str)] = &[
    ("AgentgatewayBackend", ".spec.mcp.targets", "maxItems"),
    (
        "AgentgatewayBackend",
        ".spec.ai.groups[*].providers",
        "maxItems",
    ),
    ("AgentgatewayBackend", ".spec.ai.groups", "maxItems"),
];

/// For each bound of [`CHECKED_CEILINGS`]: the CRD with the bound at its predicted
/// ceiling is accepted (server-side dry run), and at ceiling + 1 refused with the
/// message and factor the estimator predicts.
fn cel_cost_ceilings_hold(kubectl: &Kubectl, chart_crds: &[Value]) -> anyhow::Result<String> {
    use crdgen::cel_cost::{self, ceiling};
    let mut shown = Vec::new();
    for (kind, path, keyword) in CHECKED_CEILINGS {
        let crd = chart_crds
            .iter()
            .find(|c| c["spec"]["names"]["kind"] == *kind)
            .with_context(|| format!("the chart has no {kind}"))?;
        let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        let c = ceiling::ceiling_of_bound(schema, path, keyword)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .with_context(|| format!("{kind} {path} {keyword} enters no cost"))?;
        let top = c
            .ceiling
            .with_context(|| format!("{kind} {path} {keyword} has no ceiling"))?;
        let ptr = ceiling::pointer(path).context("path")?;
        for (value, accepted) in [(top, true), (top + 1, false)] {
            let mut variant = crd.clone();
            // Another group, so the dry run does not meet the installed CRD.
            let plural = variant["spec"]["names"]["plural"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            variant["spec"]["group"] = "ceiling.e2e.example".into();
            variant["metadata"]["name"] = format!("{plural}.ceiling.e2e.example").into();
            let node = variant["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
                .pointer_mut(&ptr)
                .and_then(Value::as_object_mut)
                .with_context(|| format!("{path} not in {kind}"))?;
            node.insert((*keyword).to_owned(), value.into());
            let est = cel_cost::estimate_crd(&variant).map_err(|e| anyhow::anyhow!("{e}"))?;
            let outcome = kubectl.try_run(
                &["create", "--dry-run=server", "-f", "-"],
                Some(&serde_json::to_string(&variant)?),
            )?;
            let what = format!("{kind} with {path} {keyword}: {value}");
            if accepted {
                if !outcome.success {
                    anyhow::bail!(
                        "{what} (the predicted ceiling) was refused: {}",
                        outcome.stderr.trim()
                    );
                }
                continue;
            }
            let v = &est.versions[0];
            let worst = v
                .rules
                .iter()
                .filter(|r| r.over_limit())
                .max_by_key(|r| r.total);
            let expected = match worst {
                Some(r) => cel_cost::cost_error_message(
                    if r.message_expression.is_some() {
                        "estimated messageExpression cost"
                    } else {
                        "estimated rule cost"
                    },
                    r.total,
                    cel_cost::PER_RULE_LIMIT,
                ),
                None => cel_cost::cost_error_message(
                    "x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema",
                    v.total,
                    cel_cost::PER_CRD_LIMIT,
                ),
            };
            if outcome.success {
                anyhow::bail!("{what} (ceiling + 1) was accepted; predicted: {expected}");
            }
            if !outcome.stderr.contains(&expected) {
                anyhow::bail!(
                    "{what} (ceiling + 1) was refused, but not with the predicted message `{expected}`: {}",
                    outcome.stderr.trim()
                );
            }
            let factor = expected
                .split("factor of ")
                .nth(1)
                .and_then(|f| f.split(' ').next())
                .unwrap_or_default();
            shown.push(format!("{path} {keyword} ceiling {top} (+1: {factor})"));
        }
    }
    Ok(shown.join("; "))
}

/// The CRD of `validate/tests/runtime-cost/limits.yaml` is installed, and each of
/// its objects created (server-side dry run): where `agentgateway_validate::cost`
/// meters an overrun of the per-call limit or the object's budget, the apiserver
/// refuses the object with that very error; where it meters none, the apiserver
/// reports none.
fn runtime_overruns_match(kubectl: &Kubectl, root: &Path) -> anyhow::Result<String> {
    let file = root.join("validate/tests/runtime-cost/limits.yaml");
    let docs = chart::parse_documents(&fs::read_to_string(&file)?)?;
    let (crd, objects) = docs.split_first().context("an empty corpus file")?;
    let name = crd["metadata"]["name"].as_str().unwrap_or_default();
    let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    let meter = agentgateway_validate::cost::SchemaMeter::new(schema)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    kubectl.run(&["create", "-f", "-"], Some(&serde_json::to_string(crd)?))?;
    let result = (|| {
        chart::wait_established(kubectl, name)?;
        let mut overruns = 0;
        for object in objects {
            let what = object["metadata"]["name"].as_str().unwrap_or_default();
            let spent = meter.meter(object);
            let outcome = kubectl.try_run(
                &["create", "--dry-run=server", "-f", "-"],
                Some(&serde_json::to_string(object)?),
            )?;
            match spent.overrun {
                Some(o) => {
                    overruns += 1;
                    let want = o.to_string();
                    if outcome.success || !outcome.stderr.contains(&want) {
                        anyhow::bail!(
                            "{what}: metered offline: `{want}`; the apiserver: {}",
                            if outcome.success {
                                "accepted it"
                            } else {
                                outcome.stderr.trim()
                            }
                        );
                    }
                }
                None => {
                    if outcome
                        .stderr
                        .contains("no further validation rules will be run")
                    {
                        anyhow::bail!(
                            "{what}: no overrun metered offline (cost {}); the apiserver: {}",
                            spent.cost,
                            outcome.stderr.trim()
                        );
                    }
                }
            }
        }
        Ok(format!("{} objects, {overruns} overruns", objects.len()))
    })();
    kubectl.run(&["delete", "crd", name, "--wait=true"], None)?;
    result
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
        for u in UPGRADES {
            let objects = cases::load_files(&root.join(u.objects), true).expect("objects");
            assert!(!objects.is_empty(), "{}", u.objects);
            let base = chart::crds(&root.join(u.chart)).expect("base chart");
            assert!(!base.is_empty(), "{}", u.chart);
            // Every kind of the released chart has objects.
            for crd in &base {
                let kind = crd.crd["spec"]["names"]["kind"].as_str().expect("kind");
                assert!(
                    objects.iter().any(|o| o.kind() == kind),
                    "{} has no {kind} object",
                    u.objects
                );
            }
        }
    }

    /// The released charts are the files of their revision, unchanged (when git has
    /// the revision: a shallow clone may not).
    #[test]
    fn the_released_charts_are_unchanged_copies() {
        let root = crate::workspace_root();
        for u in UPGRADES {
            let exists = std::process::Command::new("git")
                .args(["cat-file", "-e", &format!("{}^{{commit}}", u.revision)])
                .current_dir(&root)
                .output()
                .is_ok_and(|o| o.status.success());
            if !exists {
                eprintln!("skipped: git does not have {} (shallow clone?)", u.revision);
                continue;
            }
            let mut compared = 0;
            for file in ["Chart.yaml", "values.yaml"]
                .into_iter()
                .map(String::from)
                .chain(
                    chart::crds(&root.join(u.chart))
                        .expect("crds")
                        .into_iter()
                        .map(|c| {
                            format!(
                                "templates/{}",
                                c.file.file_name().unwrap_or_default().to_string_lossy()
                            )
                        }),
                )
            {
                let old = std::process::Command::new("git")
                    .args(["show", &format!("{}:{}/{file}", u.revision, crate::CHART)])
                    .current_dir(&root)
                    .output()
                    .expect("git show");
                assert!(old.status.success(), "{}:{file}", u.revision);
                let copy = fs::read(root.join(u.chart).join(&file)).expect("copy");
                assert!(
                    old.stdout == copy,
                    "{}/{file} differs from {}",
                    u.chart,
                    u.revision
                );
                compared += 1;
            }
            assert!(compared > 2, "{}", u.chart);
        }
    }
}
