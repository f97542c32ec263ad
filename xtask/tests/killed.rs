//! `gen-crds` killed at random moments: every template is whole, either the old file or
//! the new one, never truncated; a leftover temporary file is reported by `--check` and
//! removed by the next run.

use std::{
    collections::BTreeMap,
    fs,
    hash::BuildHasher,
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

const TEMP_PREFIX: &str = ".crdgen-";
/// Runs killed; each costs at most one full run (about 0.5 s unloaded).
const KILLS: u64 = 16;

fn gen_crds(out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xtask"));
    c.args(["gen-crds", "--out"]).arg(out);
    c.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    c
}

fn files(dir: &Path) -> BTreeMap<String, String> {
    fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let e = e.expect("entry");
            let name = e.file_name().to_string_lossy().into_owned();
            let text = fs::read_to_string(e.path()).unwrap_or_default();
            (name, text)
        })
        .collect()
}

#[test]
fn killed_at_random_moments_the_templates_are_old_or_new_never_torn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("templates");
    assert!(gen_crds(&out).status().expect("runs").success());
    let new = files(&out);
    assert!(new.len() >= 4, "{new:?}");
    let old: BTreeMap<String, String> = new
        .iter()
        .map(|(k, v)| (k.clone(), format!("{v}# an older generation\n")))
        .collect();
    // How long a run from the old files takes (it rewrites every file).
    for (name, text) in &old {
        fs::write(out.join(name), text).expect("write old");
    }
    let started = Instant::now();
    assert!(gen_crds(&out).status().expect("runs").success());
    let full_run = started.elapsed();
    assert_eq!(files(&out), new);
    let random = std::collections::hash_map::RandomState::new();
    let (mut all_old, mut all_new, mut mixed, mut temps) = (0, 0, 0, 0);
    for i in 0..KILLS {
        for (name, text) in &old {
            fs::write(out.join(name), text).expect("write old");
        }
        let mut child = gen_crds(&out).spawn().expect("runs");
        // Rendering comes first and the writes last: every other kill lands in a sweep
        // over the end of a run (90 % to 105 % of it, with jitter), where files are
        // written and renamed.
        let span = full_run.as_micros() as u64 + 1;
        let r = random.hash_one(i);
        let delay = if i % 2 == 0 {
            r % span
        } else {
            span * (90 + i) / 100 + r % (span / 100 + 1)
        };
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill(); // SIGKILL: no destructor, no cleanup
        let _ = child.wait();
        let now = files(&out);
        let mut states = (0, 0);
        for (name, text) in &now {
            if name.starts_with(TEMP_PREFIX) {
                temps += 1;
                continue;
            }
            if Some(text) == new.get(name) {
                states.1 += 1;
            } else {
                assert_eq!(Some(text), old.get(name), "{name} is neither old nor new");
                states.0 += 1;
            }
        }
        assert_eq!(
            states.0 + states.1,
            new.len(),
            "a template is missing: {:?}",
            now.keys()
        );
        match states {
            (_, 0) => all_old += 1,
            (0, _) => all_new += 1,
            _ => mixed += 1,
        }
    }
    eprintln!(
        "{KILLS} kills within {full_run:?}: {all_old} all old, {all_new} all new, {mixed} mixed, \
         {temps} leftover temporary files"
    );
    // The next run finishes the job and removes leftovers; --check is then clean.
    assert!(gen_crds(&out).status().expect("runs").success());
    assert_eq!(files(&out), new);
    let check = gen_crds(&out).arg("--check").status().expect("runs");
    assert!(check.success());
}
