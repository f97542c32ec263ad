//! `cargo xtask test`: the project's whole test suite, as CI runs it: the unit and
//! integration tests, then the end-to-end tests (building the pinned kube-apiserver,
//! etcd, kubectl and helm first when they are not cached).

use anyhow::{Context, bail};
use std::process::{Command, ExitCode};

pub fn run() -> anyhow::Result<ExitCode> {
    let root = crate::workspace_root();
    let cargo = crate::cargo();
    let status = Command::new(&cargo)
        .args(["test", "--workspace", "--all-targets"])
        .current_dir(&root)
        .status()
        .with_context(|| format!("running `{cargo} test`"))?;
    if !status.success() {
        bail!("`cargo test --workspace` failed");
    }
    crate::e2e::run(&["run"])
}
