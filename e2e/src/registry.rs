//! A throwaway OCI registry on loopback: distribution's `registry`, plain HTTP, no
//! authentication, storage in a directory. Dropping it stops it.

use crate::{
    cluster::{free_ports, http_get},
    procs::Process,
    tools::Bins,
};
use anyhow::{Context, bail};
use std::{
    fs,
    io::{Read, Write},
    net::TcpStream,
    path::Path,
    thread,
    time::{Duration, Instant},
};

/// How long the registry gets to answer `GET /v2/`.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Registry {
    port: u16,
    // Stopped when dropped.
    _process: Process,
}

impl Registry {
    /// Starts `registry serve` with its configuration, storage and log in `dir`, on a
    /// free port of 127.0.0.1; returns once `GET /v2/` answers 200.
    pub fn start(bins: &Bins, dir: &Path) -> anyhow::Result<Self> {
        let mut attempt = 1;
        loop {
            match Self::start_once(bins, dir) {
                Err(e) if attempt < 3 && format!("{e:#}").contains("address already in use") => {
                    eprintln!("e2e: the registry's port was taken meanwhile; starting again");
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    fn start_once(bins: &Bins, dir: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(dir.join("storage"))
            .with_context(|| format!("creating {}", dir.display()))?;
        let [port] = free_ports()?;
        let config = dir.join("config.yml");
        fs::write(&config, config_yaml(&dir.join("storage"), port)?)
            .with_context(|| format!("writing {}", config.display()))?;
        let mut process = Process::spawn_with_env(
            "registry",
            &bins.registry,
            &["serve".into(), config.display().to_string()],
            // No OpenTelemetry collector here: do not try to reach one.
            &[("OTEL_TRACES_EXPORTER", "none")],
            &dir.join("registry.log"),
            true,
        )?;
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = process.exited() {
                bail!(
                    "the registry exited ({status}) before answering; its log ends with:\n{}",
                    process.log_tail(30)
                );
            }
            match http_get(port, "/v2/") {
                Ok(r) if r.starts_with("HTTP/1.0 200") || r.starts_with("HTTP/1.1 200") => {
                    return Ok(Self {
                        port,
                        _process: process,
                    });
                }
                _ if Instant::now() > deadline => bail!(
                    "the registry on 127.0.0.1:{port} did not answer GET /v2/ within \
                     {READY_TIMEOUT:?}; its log ends with:\n{}",
                    process.log_tail(30)
                ),
                _ => thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The digest of the manifest the registry holds for `repository:tag`, `None` if
    /// it has none: `HEAD /v2/<repository>/manifests/<tag>` of the OCI distribution API
    /// (the `Docker-Content-Digest` header).
    pub fn manifest_digest(&self, repository: &str, tag: &str) -> anyhow::Result<Option<String>> {
        let path = format!("/v2/{repository}/manifests/{tag}");
        let mut s = TcpStream::connect(("127.0.0.1", self.port))
            .with_context(|| format!("connecting to {}", self.host()))?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        write!(
            s,
            "HEAD {path} HTTP/1.0\r\nHost: {}\r\nAccept: application/vnd.oci.image.manifest.v1+json\r\n\r\n",
            self.host()
        )?;
        let mut response = String::new();
        s.read_to_string(&mut response)
            .with_context(|| format!("HEAD {path}"))?;
        let status = response.split_whitespace().nth(1).unwrap_or_default();
        match status {
            "200" => response
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("docker-content-digest")
                        .then(|| v.trim().to_owned())
                })
                .map(Some)
                .with_context(|| format!("HEAD {path}: no Docker-Content-Digest in {response:?}")),
            "404" => Ok(None),
            _ => bail!(
                "HEAD {path}: unexpected response {:?}",
                response.lines().next()
            ),
        }
    }
}

/// The registry's configuration: filesystem storage under `storage`, plain HTTP on
/// 127.0.0.1:`port`, warnings only.
fn config_yaml(storage: &Path, port: u16) -> anyhow::Result<String> {
    let config = serde_json::json!({
        "version": "0.1",
        "log": { "level": "warn", "accesslog": { "disabled": true } },
        "storage": {
            "filesystem": { "rootdirectory": storage },
            "delete": { "enabled": true },
        },
        "http": { "addr": format!("127.0.0.1:{port}") },
    });
    Ok(crdgen::render::to_yaml(&config)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_listens_on_loopback_only() {
        let yaml = config_yaml(Path::new("/tmp/x"), 5000).expect("yaml");
        let doc: serde_json::Value = serde_yaml::from_str(&yaml).expect("parse");
        assert_eq!(doc["http"]["addr"], "127.0.0.1:5000");
        assert_eq!(doc["storage"]["filesystem"]["rootdirectory"], "/tmp/x");
        assert_eq!(doc["version"], "0.1");
    }
}
