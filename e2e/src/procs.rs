//! Long-running child processes (etcd, kube-apiserver) that must not outlive the run.
//!
//! Every child gets its own process group, so a Ctrl-C in the terminal reaches only
//! us; we then stop the children ourselves. Three layers make sure nothing is left
//! behind: [`Process`]'s `Drop` (normal returns, errors and panics), a SIGINT/SIGTERM/
//! SIGHUP handler that stops every registered child (see [`install_signal_handler`]),
//! and, for test runs, `setpriv --pdeathsig KILL` so the kernel kills a child whose
//! parent died without cleaning up (e.g. SIGKILL).

use anyhow::Context;
use std::{
    fs,
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    sync::Mutex,
    thread,
    time::{Duration, Instant},
};

/// Process groups (= pids of the group leaders) and directories to clean up when a
/// signal arrives.
static LIVE: Mutex<Vec<u32>> = Mutex::new(Vec::new());
static DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Stops every registered child and removes every registered directory when the
/// process receives SIGINT, SIGTERM or SIGHUP, then exits with status 130.
pub fn install_signal_handler() -> anyhow::Result<()> {
    ctrlc::set_handler(|| {
        eprintln!("\ne2e: interrupted; stopping the test cluster");
        let pids: Vec<u32> = lock(&LIVE).drain(..).collect();
        for pid in &pids {
            signal_group(*pid, "TERM");
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while pids.iter().any(|p| alive(*p)) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(50));
        }
        for pid in &pids {
            signal_group(*pid, "KILL");
        }
        for dir in lock(&DIRS).drain(..) {
            let _ = fs::remove_dir_all(dir);
        }
        std::process::exit(130);
    })
    .context("installing the Ctrl-C handler")
}

/// Removes `dir` if a signal ends the run (see [`install_signal_handler`]).
pub fn remove_on_signal(dir: &Path) {
    lock(&DIRS).push(dir.to_owned());
}

/// No longer removes `dir` on a signal.
pub fn keep_on_signal(dir: &Path) {
    lock(&DIRS).retain(|d| d != dir);
}

/// Sends `SIG<signal>` to the process group `pgid` (best effort).
pub fn signal_group(pgid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args(["-s", signal, "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Whether a process with this pid exists (and is not a zombie).
pub fn alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state is the first field after the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

/// The executable of a running process, to check a recorded pid is still ours.
pub fn exe_of(pid: u32) -> Option<PathBuf> {
    fs::read_link(format!("/proc/{pid}/exe")).ok()
}

/// A child process with its log file. Dropping it stops it, unless detached.
pub struct Process {
    name: String,
    child: Child,
    log: PathBuf,
    stopped: bool,
}

impl Process {
    /// Starts `program args...` in its own process group, with stdout and stderr
    /// going to `log`. With `die_with_parent`, the kernel kills it when we die.
    pub fn spawn(
        name: &str,
        program: &Path,
        args: &[String],
        log: &Path,
        die_with_parent: bool,
    ) -> anyhow::Result<Self> {
        Self::spawn_with_env(name, program, args, &[], log, die_with_parent)
    }

    /// [`Process::spawn`] with extra environment variables.
    pub fn spawn_with_env(
        name: &str,
        program: &Path,
        args: &[String],
        env: &[(&str, &str)],
        log: &Path,
        die_with_parent: bool,
    ) -> anyhow::Result<Self> {
        use std::os::unix::process::CommandExt;
        let out = fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone()?;
        let mut cmd = if die_with_parent && setpriv_available() {
            let mut c = Command::new("setpriv");
            c.args(["--pdeathsig", "KILL", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        cmd.args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {name} ({})", program.display()))?;
        lock(&LIVE).push(child.id());
        Ok(Self {
            name: name.to_owned(),
            child,
            log: log.to_owned(),
            stopped: false,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The exit status, if it has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The last `lines` lines of its log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Stops it: SIGTERM to its group, SIGKILL after 10 s.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let pid = self.child.id();
        lock(&LIVE).retain(|p| *p != pid);
        if self.exited().is_none() {
            signal_group(pid, "TERM");
            let deadline = Instant::now() + Duration::from_secs(10);
            while self.exited().is_none() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(50));
            }
        }
        signal_group(pid, "KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Leaves it running after we exit (for `cluster up`); returns its pid.
    pub fn detach(mut self) -> u32 {
        let pid = self.child.id();
        lock(&LIVE).retain(|p| *p != pid);
        self.stopped = true;
        pid
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stop();
    }
}

fn setpriv_available() -> bool {
    Command::new("setpriv")
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Stops a detached process recorded by pid, if it is still the program we started.
pub fn stop_recorded(pid: u32, program: &Path) -> bool {
    if !alive(pid) {
        return false;
    }
    let ours = exe_of(pid)
        .is_some_and(|exe| exe == program || fs::canonicalize(program).is_ok_and(|p| p == exe));
    if !ours {
        return false;
    }
    signal_group(pid, "TERM");
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(50));
    }
    signal_group(pid, "KILL");
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_a_process_stops_its_whole_group() {
        let dir = std::env::temp_dir().join(format!("e2e-procs-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("dir");
        let log = dir.join("log");
        // A shell whose own child would survive a plain kill of the shell.
        let p = Process::spawn(
            "sleeper",
            Path::new("/bin/sh"),
            &["-c".into(), "sleep 300 & echo $!; wait".into()],
            &log,
            true,
        )
        .expect("spawn");
        let shell = p.pid();
        let deadline = Instant::now() + Duration::from_secs(5);
        let grandchild = loop {
            let text = fs::read_to_string(&log).unwrap_or_default();
            if let Ok(pid) = text.trim().parse::<u32>() {
                break pid;
            }
            assert!(
                Instant::now() < deadline,
                "the shell never printed its child"
            );
            thread::sleep(Duration::from_millis(20));
        };
        assert!(alive(shell) && alive(grandchild));
        drop(p);
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive(grandchild) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        assert!(!alive(shell), "the shell survived");
        assert!(!alive(grandchild), "the shell's child survived");
        assert!(!lock(&LIVE).contains(&shell));
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_recorded_pid_of_another_program_is_left_alone() {
        let me = std::process::id();
        assert!(!stop_recorded(me, Path::new("/nonexistent/etcd")));
        assert!(alive(me));
    }
}
