//! The pinned binaries the suite runs: `kube-apiserver`, `etcd`, `kubectl`, `helm` and
//! distribution's OCI `registry` (the release path pushes the chart to it).
//!
//! They are built from Go modules pinned in `e2e/tools/go.mod` (with `go.sum`) and
//! cached in `.cache/e2e/bin`. A stamp file beside them records the recipe and the
//! `go.mod` they were built from; they are rebuilt only when either changes.

use anyhow::{Context, bail};
use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

/// Bump when the way the binaries are built changes (flags, list of tools).
const RECIPE: &str =
    "recipe 2: CGO_ENABLED=0 -trimpath -ldflags='-s -w' + version stamps; + distribution registry";

/// Go module (and package) of each tool. The versions come from `e2e/tools/go.mod`.
const KUBERNETES_MODULE: &str = "k8s.io/kubernetes";
const HELM_MODULE: &str = "helm.sh/helm/v3";
const ETCD_MODULE: &str = "go.etcd.io/etcd/server/v3";
const DISTRIBUTION_MODULE: &str = "github.com/distribution/distribution/v3";

/// Paths of the cached binaries.
#[derive(Clone, Debug)]
pub struct Bins {
    pub kube_apiserver: PathBuf,
    pub etcd: PathBuf,
    pub kubectl: PathBuf,
    pub helm: PathBuf,
    /// distribution's OCI registry (`registry serve CONFIG`).
    pub registry: PathBuf,
}

impl Bins {
    fn in_dir(dir: &Path) -> Self {
        Self {
            kube_apiserver: dir.join("kube-apiserver"),
            etcd: dir.join("etcd"),
            kubectl: dir.join("kubectl"),
            helm: dir.join("helm"),
            registry: dir.join("registry"),
        }
    }

    fn all(&self) -> [&PathBuf; 5] {
        [
            &self.kube_apiserver,
            &self.etcd,
            &self.kubectl,
            &self.helm,
            &self.registry,
        ]
    }
}

/// The versions pinned in `go.mod`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pins {
    pub kubernetes: String,
    pub helm: String,
    pub etcd: String,
    pub distribution: String,
}

impl Pins {
    /// Reads the pins from the text of `e2e/tools/go.mod`: the `require`d version of
    /// each tool's module (etcd may be an indirect requirement).
    pub fn from_go_mod(text: &str) -> anyhow::Result<Self> {
        let version_of = |module: &str| -> anyhow::Result<String> {
            text.lines()
                .map(|l| l.trim().trim_start_matches("require").trim())
                .filter_map(|l| {
                    let mut words = l.split_whitespace();
                    (words.next() == Some(module)).then(|| words.next())?
                })
                .find(|v| v.starts_with('v'))
                .map(str::to_owned)
                .with_context(|| format!("e2e/tools/go.mod does not require {module}"))
        };
        Ok(Self {
            kubernetes: version_of(KUBERNETES_MODULE)?,
            helm: version_of(HELM_MODULE)?,
            etcd: version_of(ETCD_MODULE)?,
            distribution: version_of(DISTRIBUTION_MODULE)?,
        })
    }

    /// `(major, minor)` of the Kubernetes pin, e.g. `("1", "35")`.
    fn kubernetes_major_minor(&self) -> anyhow::Result<(String, String)> {
        let mut parts = self.kubernetes.trim_start_matches('v').split('.');
        match (parts.next(), parts.next()) {
            (Some(major), Some(minor)) => Ok((major.to_owned(), minor.to_owned())),
            _ => bail!("unexpected k8s.io/kubernetes version {}", self.kubernetes),
        }
    }
}

/// The content of the stamp file for binaries built from `go_mod` with [`RECIPE`]:
/// the recipe and every line of `go.mod` but comments and blank lines, so editing a
/// comment does not rebuild.
pub fn stamp(go_mod: &str) -> String {
    let pins: Vec<&str> = go_mod
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .collect();
    format!("{RECIPE}\n{}\n", pins.join("\n"))
}

/// One `go build` of a tool: output name, package, `-X` version stamps.
struct Build {
    name: &'static str,
    package: &'static str,
    version_flags: Vec<String>,
}

/// The `-X` flags that stamp the pinned Kubernetes version into a binary: what `kubectl
/// version` and Helm's `.Capabilities` report, and what the apiserver's CEL environment
/// is chosen by; without them a binary calls itself v0.0.0-master.
fn kubernetes_version_flags(pins: &Pins) -> anyhow::Result<Vec<String>> {
    let (major, minor) = pins.kubernetes_major_minor()?;
    Ok([
        (
            "k8s.io/component-base/version",
            "gitVersion",
            &pins.kubernetes,
        ),
        ("k8s.io/component-base/version", "gitMajor", &major),
        ("k8s.io/component-base/version", "gitMinor", &minor),
        (
            "k8s.io/component-base/version",
            "gitTreeState",
            &"clean".to_owned(),
        ),
        (
            "k8s.io/client-go/pkg/version",
            "gitVersion",
            &pins.kubernetes,
        ),
        ("k8s.io/client-go/pkg/version", "gitMajor", &major),
        ("k8s.io/client-go/pkg/version", "gitMinor", &minor),
    ]
    .iter()
    .map(|(pkg, var, value)| format!("-X {pkg}.{var}={value}"))
    .collect())
}

fn builds(pins: &Pins) -> anyhow::Result<Vec<Build>> {
    let kube_version = kubernetes_version_flags(pins)?;
    let (major, minor) = pins.kubernetes_major_minor()?;
    // Helm defaults `.Capabilities.KubeVersion` and its deprecation lint to v1.20
    // unless told the Kubernetes version it was built against.
    let helm_version = vec![
        format!("-X helm.sh/helm/v3/internal/version.version={}", pins.helm),
        format!("-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor={major}"),
        format!("-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor={minor}"),
        format!("-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor={major}"),
        format!("-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor={minor}"),
    ];
    Ok(vec![
        Build {
            name: "kube-apiserver",
            package: "k8s.io/kubernetes/cmd/kube-apiserver",
            version_flags: kube_version.clone(),
        },
        Build {
            name: "etcd",
            package: ETCD_MODULE,
            version_flags: vec![],
        },
        Build {
            name: "helm",
            package: "helm.sh/helm/v3/cmd/helm",
            version_flags: helm_version,
        },
        Build {
            name: "kubectl",
            package: "k8s.io/kubernetes/cmd/kubectl",
            version_flags: kube_version,
        },
        Build {
            name: "registry",
            package: "github.com/distribution/distribution/v3/cmd/registry",
            // Otherwise `registry --version` says `v3.0.0+unknown`.
            version_flags: vec![format!(
                "-X {DISTRIBUTION_MODULE}/version.version={}",
                pins.distribution
            )],
        },
    ])
}

/// The cached binaries, built first if missing or built from other pins.
pub fn ensure(root: &Path) -> anyhow::Result<Bins> {
    let tools = root.join("e2e/tools");
    let bin_dir = root.join(".cache/e2e/bin");
    let bins = Bins::in_dir(&bin_dir);
    let go_mod_path = tools.join("go.mod");
    let go_mod = fs::read_to_string(&go_mod_path)
        .with_context(|| format!("reading {}", go_mod_path.display()))?;
    let pins = Pins::from_go_mod(&go_mod)?;
    let stamp_path = bin_dir.join("stamp");
    let wanted = stamp(&go_mod);
    let cached = fs::read_to_string(&stamp_path).ok();
    if cached.as_deref() == Some(wanted.as_str()) && bins.all().iter().all(|b| b.is_file()) {
        return Ok(bins);
    }
    check_go("go")?;
    fs::create_dir_all(&bin_dir).with_context(|| format!("creating {}", bin_dir.display()))?;
    // A half-finished build must not pass for a finished one.
    let _ = fs::remove_file(&stamp_path);
    eprintln!(
        "e2e: building pinned tools into {} (kubernetes {}, etcd {}, helm {}, registry {}); \
         a cold build takes about 7 minutes on 2 cores",
        bin_dir.display(),
        pins.kubernetes,
        pins.etcd,
        pins.helm,
        pins.distribution
    );
    let started = Instant::now();
    for b in builds(&pins)? {
        let t = Instant::now();
        let tmp = bin_dir.join(format!(".{}.partial", b.name));
        let ldflags = format!("-s -w {}", b.version_flags.join(" "));
        let status = Command::new("go")
            .args(["build", "-ldflags", &ldflags, "-o"])
            .arg(&tmp)
            .arg(b.package)
            .current_dir(&tools)
            .env("CGO_ENABLED", "0")
            .env("GOFLAGS", "-trimpath -buildvcs=false -mod=readonly")
            // Never try to download another Go toolchain: say the local one is too old.
            .env("GOTOOLCHAIN", "local")
            .status()
            .context("running `go build`")?;
        if !status.success() {
            bail!(
                "`go build {}` in {} failed ({status}); see Go's message above. The modules \
                 come from the Go module proxy (GOPROXY); pins are in e2e/tools/go.mod",
                b.package,
                tools.display()
            );
        }
        let dest = bin_dir.join(b.name);
        fs::rename(&tmp, &dest).with_context(|| format!("moving {} into place", b.name))?;
        eprintln!("e2e: built {} in {:.0?}", b.name, t.elapsed());
    }
    fs::write(&stamp_path, wanted).with_context(|| format!("writing {}", stamp_path.display()))?;
    eprintln!("e2e: tools built in {:.0?}", started.elapsed());
    Ok(bins)
}

/// Fails with what to install when `go` (the program `go`) is missing.
fn check_go(go: &str) -> anyhow::Result<()> {
    match Command::new(go).arg("version").output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => bail!(
            "`go version` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => bail!(
            "the e2e tests build kube-apiserver, etcd, kubectl and helm from source and need \
             Go >= 1.25 on PATH (`go` not runnable: {e}). Install Go (e.g. the official \
             tarball into /usr/local/go, then add /usr/local/go/bin to PATH) and re-run; the \
             binaries are cached in .cache/e2e/bin afterwards"
        ),
    }
}

/// Fails with what to install when `openssl` (used to make the cluster's
/// certificates) is missing.
pub fn check_openssl() -> anyhow::Result<()> {
    match Command::new("openssl").arg("version").output() {
        Ok(out) if out.status.success() => Ok(()),
        _ => bail!(
            "the e2e cluster needs the `openssl` command to create its certificates; \
             install it (`apt-get install -y openssl`) and re-run"
        ),
    }
}

/// `go` for a test that builds a program of `e2e/tools` (`program`), or `None` outside
/// CI when Go is not installed; in CI (which requires Go: `.ci/run` checks) a missing
/// Go fails the test.
pub fn go_for_test(program: &str) -> Option<PathBuf> {
    for candidate in ["go", "/usr/local/go/bin/go"] {
        if Command::new(candidate)
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Some(candidate.into());
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI needs Go on PATH to build e2e/tools/{program}"
    );
    eprintln!("skipped: Go is not installed (the test builds e2e/tools/{program})");
    None
}

/// Builds the program `e2e/tools/<program>` for a test into `out`, from the pinned
/// modules (no download when they are cached), optionally with the Kubernetes version
/// stamps of the pinned binaries. Panics when the build fails.
pub fn build_test_program(go: &Path, program: &str, kubernetes_stamps: bool, out: &Path) {
    let tools = crate::workspace_root().join("e2e/tools");
    let mut flags = vec![];
    if kubernetes_stamps {
        let go_mod = fs::read_to_string(tools.join("go.mod")).expect("e2e/tools/go.mod");
        let pins = Pins::from_go_mod(&go_mod).expect("pins of e2e/tools/go.mod");
        flags = kubernetes_version_flags(&pins).expect("the Kubernetes pin's version");
    }
    let status = Command::new(go)
        .args(["build", "-ldflags", &flags.join(" "), "-o"])
        .arg(out)
        .arg(format!("./{program}"))
        .current_dir(&tools)
        .env("CGO_ENABLED", "0")
        .env("GOFLAGS", "-mod=readonly")
        .env("GOTOOLCHAIN", "local")
        .status()
        .expect("runs go build");
    assert!(
        status.success(),
        "go build ./{program} in {}",
        tools.display()
    );
}

/// `e2e/tools/celcost` (the apiserver's CEL compilation, estimator and runtime
/// metering), built into `dir`, or the binary `CELCOST` names; `None` where the test is
/// skipped for want of Go (never on CI).
pub fn celcost_for_test(dir: &Path) -> Option<PathBuf> {
    let go = go_for_test("celcost")?;
    Some(match std::env::var_os("CELCOST") {
        Some(b) => PathBuf::from(b),
        None => {
            let b = dir.join("celcost");
            build_test_program(&go, "celcost", true, &b);
            b
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GO_MOD: &str = "module x\n\ngo 1.25.0\n\nrequire (\n\tgithub.com/distribution/distribution/v3 v3.0.0\n\thelm.sh/helm/v3 v3.20.2\n\tk8s.io/kubernetes v1.35.4\n)\n\nrequire (\n\tgo.etcd.io/etcd/server/v3 v3.6.5 // indirect\n)\n\nreplace (\n\tk8s.io/api => k8s.io/api v0.35.4\n)\n";

    #[test]
    fn pins_are_read_from_go_mod() {
        let pins = Pins::from_go_mod(GO_MOD).expect("pins");
        assert_eq!(
            pins,
            Pins {
                kubernetes: "v1.35.4".into(),
                helm: "v3.20.2".into(),
                etcd: "v3.6.5".into(),
                distribution: "v3.0.0".into(),
            }
        );
        assert_eq!(
            pins.kubernetes_major_minor().expect("version"),
            ("1".into(), "35".into())
        );
    }

    #[test]
    fn a_missing_pin_is_named() {
        let err = Pins::from_go_mod("module x\nrequire k8s.io/kubernetes v1.35.4\n")
            .expect_err("helm is missing");
        assert!(err.to_string().contains("helm.sh/helm/v3"), "{err}");
    }

    #[test]
    fn a_missing_go_says_what_to_install() {
        let err = check_go("/nonexistent/bin/go").expect_err("no go");
        let msg = err.to_string();
        assert!(
            msg.contains("need") && msg.contains("Go >= 1.25 on PATH"),
            "{msg}"
        );
    }

    #[test]
    fn the_stamp_changes_with_any_pin() {
        let other = GO_MOD.replace("v1.35.4", "v1.35.5");
        assert_ne!(stamp(GO_MOD), stamp(&other));
        assert_eq!(stamp(GO_MOD), stamp(GO_MOD));
        let commented = format!("// A comment.\n{GO_MOD}\n\n");
        assert_eq!(stamp(GO_MOD), stamp(&commented));
    }

    #[test]
    fn the_committed_go_mod_pins_every_tool() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let go_mod = fs::read_to_string(root.join("tools/go.mod")).expect("go.mod");
        let pins = Pins::from_go_mod(&go_mod).expect("pins");
        let builds = builds(&pins).expect("builds");
        let names: Vec<_> = builds.iter().map(|b| b.name).collect();
        assert_eq!(
            names,
            ["kube-apiserver", "etcd", "helm", "kubectl", "registry"]
        );
        // The staging modules must be pinned to the matching v0.X.Y release.
        let staging = pins.kubernetes.replacen("v1.", "v0.", 1);
        assert!(
            go_mod.contains(&format!(
                "k8s.io/apimachinery => k8s.io/apimachinery {staging}"
            )),
            "k8s.io/apimachinery must be replaced by {staging}"
        );
    }
}
