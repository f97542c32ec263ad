//! `agentgateway-e2e`: run by `cargo xtask cluster up|down` and `cargo xtask e2e`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use e2e::{cluster, procs, suite, tools};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "agentgateway-e2e",
    about = "End-to-end tests on a real kube-apiserver and Helm"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start or stop a long-running test cluster with the chart installed.
    Cluster {
        #[command(subcommand)]
        action: ClusterAction,
    },
    /// Run the end-to-end suite on a throwaway cluster.
    Run(RunArgs),
    /// Build (or reuse) the pinned kube-apiserver, etcd, kubectl and helm.
    Tools,
    /// Lint and package the chart with the pinned helm, write the schemas and reference
    /// archives beside it, print the archives and their SHA-256, optionally push the
    /// chart (run by `cargo xtask package` after its drift check).
    Package(PackageArgs),
}

#[derive(clap::Args)]
struct RunArgs {
    /// Seed of the generative test (default: a random one, printed; with `CI` set, 1,
    /// so a CI run judges the same objects every time and fails only for a change).
    #[arg(long)]
    seed: Option<u64>,
    /// Objects of the generative test.
    #[arg(long, default_value_t = 10_000)]
    objects: usize,
    /// Soak: the generative test with ten times as many objects (100,000 by default).
    #[arg(long)]
    soak: bool,
}

#[derive(clap::Args)]
struct PackageArgs {
    /// Chart version (SemVer, no `v`); appVersion becomes `v<VERSION>`. Default: Chart.yaml's.
    #[arg(long, value_name = "VERSION")]
    version: Option<String>,
    /// Directory to write `agentgateway-crds-<version>.tgz` and its `-schemas.tar.gz`
    /// and `-reference.tar.gz` into.
    #[arg(long, value_name = "DIR")]
    out: std::path::PathBuf,
    /// Push the archive with `helm push` to this OCI registry path (oci://REGISTRY/PATH).
    #[arg(long, value_name = "oci://REGISTRY/PATH")]
    push: Option<String>,
    /// The registry speaks plain HTTP (a local registry); passed to helm as `--plain-http`.
    #[arg(long, requires = "push")]
    plain_http: bool,
    /// Replace the version when the registry has it already.
    #[arg(long, requires = "push")]
    force: bool,
}

#[derive(Subcommand)]
enum ClusterAction {
    /// Start etcd and kube-apiserver, install the chart, print the KUBECONFIG to use.
    Up,
    /// Stop the cluster started by `up` and remove its state.
    Down,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = procs::install_signal_handler() {
        eprintln!("error: {e:#}");
        return ExitCode::FAILURE;
    }
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<ExitCode> {
    let root = e2e::workspace_root();
    match command {
        Command::Tools => {
            let bins = tools::ensure(&root)?;
            println!(
                "{}",
                bins.kube_apiserver.parent().unwrap_or(&root).display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Cluster {
            action: ClusterAction::Down,
        } => {
            println!("{}", cluster::down(&e2e::cluster_dir())?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Cluster {
            action: ClusterAction::Up,
        } => {
            let dir = e2e::cluster_dir();
            if dir.join("state.json").exists() {
                anyhow::bail!(
                    "a cluster is already up (state in {}); run `cargo xtask cluster down` first",
                    dir.display()
                );
            }
            let bins = tools::ensure(&root)?;
            let c = cluster::Cluster::start(&bins, &dir, false)?;
            let kubectl = e2e::kube::Kubectl::new(&bins, c.kubeconfig(), c.dir());
            let helm = e2e::kube::Helm::new(&bins, Some(c.kubeconfig()), c.dir());
            e2e::chart::install(&helm, &kubectl, &root.join(e2e::CHART))?;
            let state = c.detach(&bins)?;
            eprintln!(
                "cluster up: kube-apiserver {} (pid {}), etcd (pid {}); chart installed as release {}; \
                 logs in {}; stop with `cargo xtask cluster down`",
                state.server,
                state.apiserver_pid,
                state.etcd_pid,
                e2e::chart::RELEASE,
                state.dir.display()
            );
            eprintln!(
                "kubectl and helm of the pinned versions are in {}",
                bins.kubectl.parent().unwrap_or(&root).display()
            );
            println!("export KUBECONFIG={}", state.kubeconfig.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Package(args) => {
            if let Some(target) = &args.push {
                e2e::package::check_push_target(target)?;
                let (_, chart_version, _) = e2e::package::chart_versions(&root.join(e2e::CHART))?;
                e2e::package::check_pushable_version(
                    args.version.as_deref().unwrap_or(&chart_version),
                )?;
            }
            let bins = tools::ensure(&root)?;
            let state = tempfile::tempdir().context("creating a temporary Helm home")?;
            let helm = e2e::kube::Helm::new(&bins, None, state.path());
            let out = e2e::package::package(&helm, &root, &args.out, args.version.as_deref())?;
            println!(
                "packaged {} (version {}, appVersion {})",
                out.archive.display(),
                out.version,
                out.app_version
            );
            // `sha256sum -c` reads these lines.
            println!("sha256 {}  {}", out.sha256, out.archive.display());
            for d in &out.docs {
                println!("sha256 {}  {}", d.sha256, d.archive.display());
            }
            if let Some(target) = &args.push {
                let helm = e2e::kube::Helm::with_user_config(&bins);
                let opts = e2e::package::PushOptions {
                    plain_http: args.plain_http,
                    force: args.force,
                };
                println!("{}", e2e::package::push(&helm, &out, target, opts)?);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Run(args) => {
            let seed = match args.seed {
                Some(s) => s,
                None if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) => 1,
                None => random_seed()?,
            };
            let objects = if args.soak {
                args.objects * 10
            } else {
                args.objects
            };
            let report = suite::run(&root, e2e::generative::Options { seed, objects })?;
            for f in report.failed() {
                println!("failed: {f}");
            }
            println!(
                "e2e: {} passed, {} failed",
                report.passed(),
                report.failed().len()
            );
            Ok(if report.failed().is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

/// A seed from the system's random source.
fn random_seed() -> anyhow::Result<u64> {
    use std::io::Read;
    let mut bytes = [0u8; 8];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("reading /dev/urandom")?;
    Ok(u64::from_le_bytes(bytes))
}
