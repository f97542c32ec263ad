//! `cargo xtask cluster up|down` and `cargo xtask e2e`: forwarded to the
//! `agentgateway-e2e` binary (crate `e2e/`), so `gen-crds` does not compile it.

use std::process::ExitCode;

/// Runs `agentgateway-e2e args...` (building it first) and passes its exit status on.
pub fn run(args: &[&str]) -> anyhow::Result<ExitCode> {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    crate::forward("agentgateway-e2e", &args, Some(&crate::workspace_root()))
}

/// `cargo xtask cluster ARGS...`: `agentgateway-e2e cluster ARGS...`, whose
/// `ClusterAction` is the one list of actions (`up`, `down`) and their help.
pub fn cluster(args: &[String]) -> anyhow::Result<ExitCode> {
    let mut all = vec!["cluster"];
    all.extend(args.iter().map(String::as_str));
    run(&all)
}
