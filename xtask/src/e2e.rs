//! `cargo xtask cluster up|down` and `cargo xtask e2e`: forwarded to the
//! `agentgateway-e2e` binary (crate `e2e/`), so `gen-crds` does not compile it.

use anyhow::Context;
use std::process::{Command, ExitCode};

#[derive(clap::Subcommand)]
pub enum ClusterAction {
    /// Start etcd and kube-apiserver on loopback, install the chart, print `export KUBECONFIG=...`.
    Up,
    /// Stop the cluster started by `up` and remove its state.
    Down,
}

/// Runs `agentgateway-e2e args...` (building it first) and passes its exit status on.
pub fn run(args: &[&str]) -> anyhow::Result<ExitCode> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(["run", "--quiet", "--package", "agentgateway-e2e", "--"])
        .args(args)
        .current_dir(crate::workspace_root())
        .status()
        .with_context(|| format!("running `{cargo} run --package agentgateway-e2e`"))?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
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
