//! A throwaway control plane on loopback: etcd and kube-apiserver only (no nodes, no
//! controllers beyond the apiserver's own), reached with a static bearer token.

use crate::{
    kube::Kubectl,
    procs::{self, Process},
    tools::Bins,
};
use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use std::{
    fs,
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::Command,
    thread,
    time::{Duration, Instant},
};

/// How long etcd and the apiserver get to become ready.
const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// A running etcd + kube-apiserver. Dropping it stops both and removes its directory,
/// unless [`Cluster::detach`]ed.
pub struct Cluster {
    dir: PathBuf,
    kubeconfig: PathBuf,
    server: String,
    // Stopped in this order by `Drop`: the apiserver before its storage.
    apiserver: Option<Process>,
    etcd: Option<Process>,
}

/// What `cluster up` leaves behind for `cluster down` (in `<dir>/state.json`).
#[derive(Debug, Serialize, Deserialize)]
pub struct State {
    pub dir: PathBuf,
    pub kubeconfig: PathBuf,
    pub server: String,
    pub etcd_pid: u32,
    pub etcd_bin: PathBuf,
    pub apiserver_pid: u32,
    pub apiserver_bin: PathBuf,
}

impl Cluster {
    /// Starts etcd and kube-apiserver with their state in `dir` (created; must not
    /// hold a running cluster). With `die_with_parent`, the kernel kills both if this
    /// process dies without stopping them.
    pub fn start(bins: &Bins, dir: &Path, die_with_parent: bool) -> anyhow::Result<Self> {
        // A free port can be taken by another process between choosing and binding it.
        let mut attempt = 1;
        loop {
            match Self::start_once(bins, dir, die_with_parent) {
                Err(e) if attempt < 3 && format!("{e:#}").contains("address already in use") => {
                    eprintln!("e2e: a chosen port was taken meanwhile; starting again");
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    fn start_once(bins: &Bins, dir: &Path, die_with_parent: bool) -> anyhow::Result<Self> {
        crate::tools::check_openssl()?;
        if dir.exists() {
            fs::remove_dir_all(dir).with_context(|| format!("removing old {}", dir.display()))?;
        }
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let dir = fs::canonicalize(dir)?;
        procs::remove_on_signal(&dir);
        let mut cluster = Self {
            kubeconfig: dir.join("kubeconfig"),
            dir: dir.clone(),
            server: String::new(),
            apiserver: None,
            etcd: None,
        };
        let pki = dir.join("pki");
        make_certs(&pki)?;
        let token = random_token()?;
        fs::write(
            pki.join("tokens.csv"),
            format!("{token},e2e-admin,e2e-admin,\"system:masters\"\n"),
        )?;

        let [etcd_port, peer_port, api_port] = free_ports()?;
        let etcd_url = format!("http://127.0.0.1:{etcd_port}");
        let peer_url = format!("http://127.0.0.1:{peer_port}");
        let etcd_args: Vec<String> = vec![
            "--name=e2e".into(),
            format!("--data-dir={}", dir.join("etcd").display()),
            format!("--listen-client-urls={etcd_url}"),
            format!("--advertise-client-urls={etcd_url}"),
            format!("--listen-peer-urls={peer_url}"),
            format!("--initial-advertise-peer-urls={peer_url}"),
            format!("--initial-cluster=e2e={peer_url}"),
            // A test cluster's data is thrown away: skip fsync for speed.
            "--unsafe-no-fsync".into(),
            "--log-level=warn".into(),
        ];
        cluster.etcd = Some(Process::spawn(
            "etcd",
            &bins.etcd,
            &etcd_args,
            &dir.join("etcd.log"),
            die_with_parent,
        )?);
        wait_for_etcd(cluster.etcd.as_mut().context("etcd")?, etcd_port)?;

        cluster.server = format!("https://127.0.0.1:{api_port}");
        let p = |name: &str| pki.join(name).display().to_string();
        let api_args: Vec<String> = vec![
            format!("--etcd-servers={etcd_url}"),
            "--bind-address=127.0.0.1".into(),
            "--advertise-address=127.0.0.1".into(),
            format!("--secure-port={api_port}"),
            format!("--cert-dir={}", p("apiserver")),
            format!("--tls-cert-file={}", p("server.crt")),
            format!("--tls-private-key-file={}", p("server.key")),
            format!("--token-auth-file={}", p("tokens.csv")),
            "--authorization-mode=RBAC".into(),
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local".into(),
            format!("--service-account-key-file={}", p("sa.pub")),
            format!("--service-account-signing-key-file={}", p("sa.key")),
            "--service-cluster-ip-range=10.0.0.0/24".into(),
            // No controller-manager creates service account tokens here.
            "--disable-admission-plugins=ServiceAccount".into(),
            "--enable-priority-and-fairness=false".into(),
            "--profiling=false".into(),
        ];
        cluster.apiserver = Some(Process::spawn(
            "kube-apiserver",
            &bins.kube_apiserver,
            &api_args,
            &dir.join("kube-apiserver.log"),
            die_with_parent,
        )?);
        write_kubeconfig(
            &cluster.kubeconfig,
            &cluster.server,
            &pki.join("ca.crt"),
            &token,
        )?;
        cluster.wait_for_apiserver(&Kubectl::new(bins, &cluster.kubeconfig, &dir))?;
        Ok(cluster)
    }

    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn wait_for_apiserver(&mut self, kubectl: &Kubectl) -> anyhow::Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            let api = self.apiserver.as_mut().context("apiserver")?;
            if let Some(status) = api.exited() {
                bail!(
                    "kube-apiserver exited ({status}) before becoming ready; its log ends with:\n{}",
                    api.log_tail(30)
                );
            }
            let last = match kubectl.run(&["get", "--raw", "/readyz"], None) {
                Ok(out) if out.trim() == "ok" => return Ok(()),
                Ok(out) => out,
                Err(e) => format!("{e:#}"),
            };
            if Instant::now() > deadline {
                bail!(
                    "kube-apiserver at {} not ready after {READY_TIMEOUT:?}: {last}\nits log ends with:\n{}",
                    self.server,
                    api.log_tail(30)
                );
            }
            thread::sleep(Duration::from_millis(250));
        }
    }

    /// Leaves both processes running and records them in `<dir>/state.json` for
    /// [`down`].
    pub fn detach(mut self, bins: &Bins) -> anyhow::Result<State> {
        let etcd = self.etcd.take().context("etcd")?;
        let apiserver = self.apiserver.take().context("apiserver")?;
        let state = State {
            dir: self.dir.clone(),
            kubeconfig: self.kubeconfig.clone(),
            server: self.server.clone(),
            etcd_pid: etcd.detach(),
            etcd_bin: bins.etcd.clone(),
            apiserver_pid: apiserver.detach(),
            apiserver_bin: bins.kube_apiserver.clone(),
        };
        fs::write(
            self.dir.join("state.json"),
            serde_json::to_string_pretty(&state)?,
        )?;
        procs::keep_on_signal(&self.dir);
        // Keep the directory: `Drop` must not remove it.
        self.dir = PathBuf::new();
        Ok(state)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(mut api) = self.apiserver.take() {
            api.stop();
        }
        if let Some(mut etcd) = self.etcd.take() {
            etcd.stop();
        }
        if !self.dir.as_os_str().is_empty() {
            let _ = fs::remove_dir_all(&self.dir);
            procs::keep_on_signal(&self.dir);
        }
    }
}

/// Stops a cluster started by `cluster up` in `dir` and removes its state. Returns
/// what was stopped, for the user.
pub fn down(dir: &Path) -> anyhow::Result<String> {
    let state_path = dir.join("state.json");
    let Ok(text) = fs::read_to_string(&state_path) else {
        if dir.exists() {
            fs::remove_dir_all(dir)?;
            return Ok(format!(
                "no running cluster recorded; removed {}",
                dir.display()
            ));
        }
        return Ok("no cluster is up".into());
    };
    let state: State =
        serde_json::from_str(&text).with_context(|| format!("reading {}", state_path.display()))?;
    let mut stopped = vec![];
    if procs::stop_recorded(state.apiserver_pid, &state.apiserver_bin) {
        stopped.push(format!("kube-apiserver (pid {})", state.apiserver_pid));
    }
    if procs::stop_recorded(state.etcd_pid, &state.etcd_bin) {
        stopped.push(format!("etcd (pid {})", state.etcd_pid));
    }
    fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    Ok(if stopped.is_empty() {
        format!(
            "the recorded processes had already exited; removed {}",
            dir.display()
        )
    } else {
        format!("stopped {}; removed {}", stopped.join(", "), dir.display())
    })
}

/// `count` distinct free TCP ports on 127.0.0.1.
pub(crate) fn free_ports<const N: usize>() -> anyhow::Result<[u16; N]> {
    // Hold all listeners until every port is chosen, so they differ.
    let listeners: Vec<TcpListener> = (0..N)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<Result<_, _>>()
        .context("finding a free port on 127.0.0.1")?;
    let mut ports = [0u16; N];
    for (port, l) in ports.iter_mut().zip(&listeners) {
        *port = l.local_addr()?.port();
    }
    Ok(ports)
}

fn wait_for_etcd(etcd: &mut Process, port: u16) -> anyhow::Result<()> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if let Some(status) = etcd.exited() {
            bail!(
                "etcd exited ({status}) before becoming ready; its log ends with:\n{}",
                etcd.log_tail(30)
            );
        }
        if http_get(port, "/health").is_ok_and(|body| body.contains("\"health\":\"true\"")) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "etcd on 127.0.0.1:{port} not healthy after {READY_TIMEOUT:?}; its log ends with:\n{}",
                etcd.log_tail(30)
            );
        }
        thread::sleep(Duration::from_millis(100));
    }
}

/// A plain HTTP/1.0 GET on loopback, returning the whole response.
pub(crate) fn http_get(port: u16, path: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(2)))?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

fn random_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 24];
    fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn openssl(dir: &Path, args: &[&str]) -> anyhow::Result<()> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .context("running openssl")?;
    if !out.status.success() {
        bail!(
            "`openssl {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// A CA, a serving certificate for 127.0.0.1/localhost signed by it, and the
/// service-account signing key pair.
fn make_certs(pki: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(pki.join("apiserver"))?;
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "7",
        "-subj",
        "/CN=e2e-ca",
    ]);
    openssl(pki, &ca)?;
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=kube-apiserver",
    ]);
    openssl(pki, &csr)?;
    fs::write(
        pki.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
    )?;
    openssl(
        pki,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "7",
            "-extfile",
            "server.ext",
        ],
    )?;
    openssl(
        pki,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-out",
            "sa.key",
        ],
    )?;
    openssl(pki, &["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"])?;
    Ok(())
}

fn write_kubeconfig(path: &Path, server: &str, ca: &Path, token: &str) -> anyhow::Result<()> {
    let config = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{ "name": "e2e", "cluster": {
            "server": server,
            "certificate-authority": ca,
        }}],
        "users": [{ "name": "e2e-admin", "user": { "token": token } }],
        "contexts": [{ "name": "e2e", "context": { "cluster": "e2e", "user": "e2e-admin" } }],
        "current-context": "e2e",
    });
    fs::write(path, crdgen::render::to_yaml(&config)?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_ports_are_distinct() {
        let [a, b, c] = free_ports().expect("ports");
        assert!(a != b && b != c && a != c);
    }

    #[test]
    fn certificates_are_made_for_loopback() {
        let dir = std::env::temp_dir().join(format!("e2e-pki-{}", std::process::id()));
        make_certs(&dir).expect("certs");
        let out = Command::new("openssl")
            .args(["x509", "-noout", "-text", "-in"])
            .arg(dir.join("server.crt"))
            .output()
            .expect("openssl");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("IP Address:127.0.0.1"), "{text}");
        let verify = Command::new("openssl")
            .args(["verify", "-CAfile"])
            .arg(dir.join("ca.crt"))
            .arg(dir.join("server.crt"))
            .output()
            .expect("openssl");
        assert!(verify.status.success());
        assert!(dir.join("sa.pub").is_file());
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn down_without_a_cluster_says_so() {
        let dir = std::env::temp_dir().join(format!("e2e-none-{}", std::process::id()));
        assert_eq!(down(&dir).expect("down"), "no cluster is up");
    }
}
