//! Thin wrappers over the pinned `kubectl` and `helm` binaries. Errors carry the
//! command line and the tool's own message (which quotes the apiserver's).

use crate::tools::Bins;
use anyhow::{Context, bail};
use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

/// The result of a command that may fail for reasons the caller wants to inspect.
#[derive(Debug)]
pub struct Outcome {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

fn run(mut cmd: Command, stdin: Option<&str>) -> anyhow::Result<Outcome> {
    let shown = format!("{cmd:?}");
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().with_context(|| format!("starting {shown}"))?;
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().context("stdin")?;
        pipe.write_all(input.as_bytes())
            .with_context(|| format!("writing to {shown}"))?;
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child
        .wait_with_output()
        .with_context(|| format!("waiting for {shown}"))?;
    Ok(Outcome {
        success: status.success(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

/// `kubectl` against one cluster, with its own discovery cache.
#[derive(Clone, Debug)]
pub struct Kubectl {
    bin: PathBuf,
    kubeconfig: PathBuf,
    cache: PathBuf,
}

impl Kubectl {
    pub fn new(bins: &Bins, kubeconfig: &Path, state_dir: &Path) -> Self {
        Self {
            bin: bins.kubectl.clone(),
            kubeconfig: kubeconfig.to_owned(),
            cache: state_dir.join("kube-cache"),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(&self.cache)
            .args(args);
        cmd
    }

    /// The program and arguments of `kubectl args...` against this cluster, for a
    /// long-running child (`kubectl proxy`).
    pub fn command_line(&self, args: &[&str]) -> (PathBuf, Vec<String>) {
        let mut all = vec![
            "--kubeconfig".to_owned(),
            self.kubeconfig.display().to_string(),
            "--cache-dir".to_owned(),
            self.cache.display().to_string(),
        ];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        (self.bin.clone(), all)
    }

    /// Runs `kubectl args...`; the outcome whether it succeeded or not.
    pub fn try_run(&self, args: &[&str], stdin: Option<&str>) -> anyhow::Result<Outcome> {
        run(self.command(args), stdin)
    }

    /// Runs `kubectl args...` and returns its stdout, or fails with its stderr.
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> anyhow::Result<String> {
        let out = self.try_run(args, stdin)?;
        if !out.success {
            bail!("`kubectl {}` failed: {}", args.join(" "), out.stderr.trim());
        }
        Ok(out.stdout)
    }

    /// `kubectl get ... -o json`, parsed.
    pub fn get_json(&self, args: &[&str]) -> anyhow::Result<serde_json::Value> {
        let mut all = vec!["get"];
        all.extend(args);
        all.extend(["-o", "json"]);
        let out = self.run(&all, None)?;
        serde_json::from_str(&out).with_context(|| format!("parsing `kubectl {}`", all.join(" ")))
    }
}

/// `helm` with its own config/cache/data directories (nothing from the user's).
#[derive(Clone, Debug)]
pub struct Helm {
    bin: PathBuf,
    kubeconfig: Option<PathBuf>,
    /// Helm's config/cache/data directories; `None` for the user's own (registry
    /// logins for `helm push`).
    home: Option<PathBuf>,
}

impl Helm {
    pub fn new(bins: &Bins, kubeconfig: Option<&Path>, state_dir: &Path) -> Self {
        Self {
            bin: bins.helm.clone(),
            kubeconfig: kubeconfig.map(Path::to_owned),
            home: Some(state_dir.join("helm")),
        }
    }

    /// The pinned helm with the user's own configuration (registry logins), for
    /// `helm push`; no cluster.
    pub fn with_user_config(bins: &Bins) -> Self {
        Self {
            bin: bins.helm.clone(),
            kubeconfig: None,
            home: None,
        }
    }

    pub fn try_run(&self, args: &[&str]) -> anyhow::Result<Outcome> {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args);
        if let Some(home) = &self.home {
            cmd.env("HELM_CONFIG_HOME", home.join("config"))
                .env("HELM_CACHE_HOME", home.join("cache"))
                .env("HELM_DATA_HOME", home.join("data"));
        }
        match &self.kubeconfig {
            Some(k) => cmd.env("KUBECONFIG", k),
            // Commands that need no cluster must not pick up the user's.
            None => cmd.env("KUBECONFIG", "/dev/null"),
        };
        run(cmd, None)
    }

    /// Runs `helm args...` and returns its stdout, or fails with its stderr.
    pub fn run(&self, args: &[&str]) -> anyhow::Result<String> {
        let out = self.try_run(args)?;
        if !out.success {
            bail!("`helm {}` failed:\n{}", args.join(" "), out.stderr.trim());
        }
        Ok(out.stdout)
    }
}
