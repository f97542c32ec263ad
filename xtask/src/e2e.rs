//! `cargo xtask cluster up|down` and `cargo xtask e2e`: forwarded to the
//! `agentgateway-e2e` binary (crate `e2e/`), so `gen-crds` does not compile it.

use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum ClusterAction {
    /// Start etcd and kube-apiserver on loopback, install the chart, print `export KUBECONFIG=...`.
    Up,
    /// Stop the cluster started by `up` and remove its state.
    Down,
}

/// Runs `agentgateway-e2e args...` (building it first) and passes its exit status on.
pub fn run(args: &[&str]) -> anyhow::Result<ExitCode> {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    crate::forward("agentgateway-e2e", &args, Some(&crate::workspace_root()))
}

pub fn cluster(action: &ClusterAction) -> anyhow::Result<ExitCode> {
    run(&[
        "cluster",
        match action {
            ClusterAction::Up => "up",
            ClusterAction::Down => "down",
        },
    ])
}
