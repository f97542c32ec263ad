//! Pass 4: write the rendered CRDs into a directory, or check that it is up to date.
//!
//! A directory may hold hand-written files too (a Helm chart's `NOTES.txt`, say); only
//! files that carry the generated-file header ([`is_generated`]) belong to the
//! generator, so only those are ever reported as stale or removed.

use crate::RenderedCrd;
use similar::TextDiff;
use std::{
    fs, io,
    path::{Path, PathBuf},
};

/// How a file in the output directory differs from what the types produce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Drift {
    /// The file should exist and does not.
    Missing { path: PathBuf },
    /// The file exists with other contents; `diff` is a bounded unified diff.
    Differs { path: PathBuf, diff: String },
    /// A generated file that no CRD type produces any more.
    Stale { path: PathBuf },
    /// A temporary file of an interrupted run; the next [`write`] removes it.
    Leftover { path: PathBuf },
}

impl Drift {
    /// The file concerned.
    pub fn path(&self) -> &Path {
        match self {
            Drift::Missing { path }
            | Drift::Differs { path, .. }
            | Drift::Stale { path }
            | Drift::Leftover { path } => path,
        }
    }
}

/// What [`write()`] changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// Files created or rewritten.
    pub updated: Vec<PathBuf>,
    /// Files left as they were, already up to date.
    pub unchanged: Vec<PathBuf>,
    /// Stale generated files removed.
    pub removed: Vec<PathBuf>,
}

/// Most diff lines printed per file; the rest is summarized.
pub const MAX_DIFF_LINES: usize = 60;

/// Compares `dir` with `crds` without touching anything.
pub fn check(dir: &Path, crds: &[RenderedCrd]) -> io::Result<Vec<Drift>> {
    let mut drift = Vec::new();
    for crd in crds {
        let path = dir.join(&crd.file_name);
        match fs::read_to_string(&path) {
            Ok(current) if current == crd.text => {}
            Ok(current) if current.replace("\r\n", "\n") == crd.text => {
                drift.push(Drift::Differs {
                    diff: format!(
                        "{}: only the line ends differ (CRLF, \\r\\n); the generator writes \\n. \
                     Check git's core.autocrlf or add `*.yaml text eol=lf` to .gitattributes, \
                     then run gen-crds\n",
                        path.display()
                    ),
                    path,
                })
            }
            Ok(current) => drift.push(Drift::Differs {
                diff: bounded_diff(&current, &crd.text, &path, MAX_DIFF_LINES),
                path,
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => drift.push(Drift::Missing { path }),
            Err(e) => return Err(annotate(e, &path)),
        }
    }
    for path in stale(dir, crds)? {
        drift.push(Drift::Stale { path });
    }
    for path in leftover_temps(dir)? {
        drift.push(Drift::Leftover { path });
    }
    Ok(drift)
}

/// Brings `dir` up to date with `crds`: writes each file that differs (atomically, via
/// a temporary file renamed into place), removes stale generated files and temporary
/// files left by an interrupted run.
///
/// Never replaces a file it does not own: an existing file at a generated file's path
/// must start with the generated-file header and be a regular file (not a symlink),
/// otherwise nothing is written and the error names the file. A symlinked `dir` is
/// followed. Each file is always whole (old or new); when a run is killed between two
/// renames, some files are new and others old until the next run, which `--check`
/// reports.
pub fn write(dir: &Path, crds: &[RenderedCrd]) -> io::Result<Written> {
    fs::create_dir_all(dir).map_err(|e| annotate(e, dir))?;
    let mut done = Written::default();
    let mut pending = Vec::new();
    for crd in crds {
        let path = dir.join(&crd.file_name);
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(io::Error::other(format!(
                    "{}: is a symlink; the generator writes regular files and does not replace \
                 links. Remove the link (or copy its target in its place), then re-run",
                    path.display()
                )));
            }
            Ok(_) => {
                let current = fs::read(&path).map_err(|e| annotate(e, &path))?;
                if current == crd.text.as_bytes() {
                    done.unchanged.push(path);
                    continue;
                }
                if !is_generated(&current) {
                    return Err(io::Error::other(format!(
                        "{}: not a generated file (no `{}... DO NOT EDIT` header in its first \
                         lines), so it is not overwritten. Move it away or delete it, then re-run",
                        path.display(),
                        crate::render::HEADER_TEXT_PREFIX
                    )));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(annotate(e, &path)),
        }
        pending.push((path, crd));
    }
    // All temporary files first, then the renames back to back: the window in which
    // a kill leaves some files old and others new is as short as it can be.
    let mut staged = Vec::new();
    for (path, crd) in pending {
        staged.push((stage(&path, crd.text.as_bytes())?, path));
    }
    for (tmp, path) in staged {
        tmp.persist(&path).map_err(|e| annotate(e.error, &path))?;
        done.updated.push(path);
    }
    for path in stale(dir, crds)?.into_iter().chain(leftover_temps(dir)?) {
        fs::remove_file(&path).map_err(|e| annotate(e, &path))?;
        done.removed.push(path);
    }
    Ok(done)
}

/// Prefix of the temporary files [`write_atomic`] renames into place. One left behind
/// by a killed run is reported by [`check`] and removed by [`write`].
pub const TEMP_PREFIX: &str = ".crdgen-";

/// The entries of `dir`; none when it does not exist yet.
fn entries(dir: &Path) -> io::Result<Vec<fs::DirEntry>> {
    match fs::read_dir(dir) {
        Ok(e) => e.map(|e| e.map_err(|e| annotate(e, dir))).collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(vec![]),
        Err(e) => Err(annotate(e, dir)),
    }
}

/// Temporary files of an interrupted run in `dir`.
fn leftover_temps(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in entries(dir)? {
        if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            out.push(entry.path());
        }
    }
    out.sort();
    Ok(out)
}

/// Writes `bytes` to `path` so that readers see the old or the new file, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    stage(path, bytes)?
        .persist(path)
        .map_err(|e| annotate(e.error, path))?;
    Ok(())
}

/// A synced temporary file holding `bytes`, beside `path`, ready to be renamed onto it.
fn stage(path: &Path, bytes: &[u8]) -> io::Result<tempfile::NamedTempFile> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)
        .map_err(|e| annotate(e, dir))?;
    tmp.write_all(bytes).map_err(|e| annotate(e, tmp.path()))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| annotate(e, tmp.path()))?;
    Ok(tmp)
}

/// Generated files in `dir` that none of `crds` produces.
fn stale(dir: &Path, crds: &[RenderedCrd]) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in entries(dir)? {
        let name = entry.file_name().to_string_lossy().into_owned();
        if crds.iter().any(|c| c.file_name == name)
            || name.starts_with(TEMP_PREFIX)
            || !entry.file_type()?.is_file()
        {
            continue;
        }
        let path = entry.path();
        let text = fs::read(&path).map_err(|e| annotate(e, &path))?;
        if is_generated(&text) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Whether a file's text carries the generated-file header in one of its first three
/// lines, in any of the forms the generator writes: `# Code generated ...` (YAML),
/// `<!-- Code generated ... -->` (Markdown) or `"$comment": "Code generated ..."` (JSON).
pub fn is_generated(text: &[u8]) -> bool {
    let marker = crate::render::HEADER_TEXT_PREFIX.as_bytes();
    text.split(|b| *b == b'\n').take(3).any(|line| {
        line.windows(marker.len()).any(|w| w == marker)
            && line.windows(11).any(|w| w == b"DO NOT EDIT")
    })
}

/// A unified diff from `old` (on disk) to `new` (generated), cut after `max_lines` lines.
pub fn bounded_diff(old: &str, new: &str, path: &Path, max_lines: usize) -> String {
    let diff = TextDiff::from_lines(old, new);
    let shown = path.display().to_string();
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{shown} (checked in)"),
            &format!("{shown} (generated)"),
        )
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= max_lines {
        return text;
    }
    let mut out = lines[..max_lines].join("\n");
    out.push_str(&format!(
        "\n... {} more diff lines not shown\n",
        lines.len() - max_lines
    ));
    out
}

fn annotate(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crd(name: &str, text: &str) -> RenderedCrd {
        RenderedCrd {
            file_name: name.into(),
            text: format!("{}\n{text}", crate::render::header("test")),
        }
    }

    #[test]
    fn generated_files_are_recognized_in_every_format() {
        let line = crate::render::header_text("x");
        for text in [
            crate::render::header("x"),
            format!("<!-- {line} -->\n# Title"),
            format!("{{\n  \"$comment\": \"{line}\",\n"),
        ] {
            assert!(is_generated(text.as_bytes()), "{text}");
        }
        assert!(!is_generated(b"# Notes\nCode generated by hand\n"));
        // "DO NOT EDIT" alone is not the header.
        assert!(!is_generated(
            b"# DO NOT EDIT: kept by hand, and longer than the header's prefix\n"
        ));
        assert!(!is_generated(
            b"a\nb\nc\n# Code generated by `x`. DO NOT EDIT."
        ));
    }

    #[test]
    fn errors_other_than_a_missing_file_name_the_path_and_stop() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("sub");
        fs::write(&file, "not a directory").expect("write");
        // A file where a directory should be: not "missing", an error naming it.
        let err = check(&file, &[]).expect_err("not a directory");
        assert!(
            err.to_string()
                .starts_with(&format!("{}: ", file.display())),
            "{err}"
        );
        let err = write(dir.path(), &[crd("sub/a.yaml", "a: 1\n")]).expect_err("not a directory");
        assert!(
            err.to_string()
                .starts_with(&format!("{}: ", file.join("a.yaml").display())),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(&file).expect("read"),
            "not a directory",
            "nothing written"
        );
    }

    #[test]
    fn write_then_check_is_clean_and_hand_written_files_are_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("NOTES.txt"), "hello").expect("write");
        let crds = [crd("a.yaml", "a: 1\n"), crd("b.yaml", "b: 1\n")];
        let w = write(dir.path(), &crds).expect("write");
        assert_eq!(w.updated.len(), 2);
        assert!(check(dir.path(), &crds).expect("check").is_empty());
        let w = write(dir.path(), &crds).expect("write");
        assert_eq!((w.updated.len(), w.unchanged.len()), (0, 2));
        assert_eq!(
            fs::read_to_string(dir.path().join("NOTES.txt")).expect("read"),
            "hello"
        );
    }

    #[test]
    fn check_reports_missing_differing_and_stale_files_without_writing() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(
            dir.path(),
            &[crd("a.yaml", "a: 1\n"), crd("old.yaml", "x: 1\n")],
        )
        .expect("write");
        let want = [crd("a.yaml", "a: 2\n"), crd("b.yaml", "b: 1\n")];
        let drift = check(dir.path(), &want).expect("check");
        assert_eq!(drift.len(), 3, "{drift:#?}");
        match &drift[0] {
            Drift::Differs { diff, .. } => {
                assert!(diff.contains("-a: 1\n+a: 2"), "{diff}");
            }
            d => panic!("expected a diff, got {d:?}"),
        }
        assert!(matches!(&drift[1], Drift::Missing { path } if path.ends_with("b.yaml")));
        assert!(matches!(&drift[2], Drift::Stale { path } if path.ends_with("old.yaml")));
        // Nothing was written.
        assert_eq!(
            fs::read_to_string(dir.path().join("a.yaml")).expect("read"),
            crd("a.yaml", "a: 1\n").text
        );
        assert!(!dir.path().join("b.yaml").exists());
        // Generating removes the stale file.
        let w = write(dir.path(), &want).expect("write");
        assert_eq!(w.removed, vec![dir.path().join("old.yaml")]);
        assert!(check(dir.path(), &want).expect("check").is_empty());
    }

    #[test]
    fn diffs_are_bounded() {
        let old: String = (0..200).map(|i| format!("{i}\n")).collect();
        let new: String = (0..200).map(|i| format!("{}\n", i * 2)).collect();
        let d = bounded_diff(&old, &new, Path::new("f.yaml"), 20);
        assert_eq!(d.lines().count(), 21, "{d}");
        assert!(d.ends_with("more diff lines not shown\n"), "{d}");
    }

    #[test]
    fn a_foreign_file_is_never_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.yaml");
        fs::write(&path, "mine: 1\n").expect("write");
        let err = write(
            dir.path(),
            &[crd("a.yaml", "a: 1\n"), crd("b.yaml", "b: 1\n")],
        )
        .expect_err("refused");
        let msg = err.to_string();
        assert!(
            msg.contains("a.yaml: not a generated file") && msg.contains("Move it away"),
            "{msg}"
        );
        assert_eq!(fs::read_to_string(&path).expect("read"), "mine: 1\n");
        assert!(!dir.path().join("b.yaml").exists(), "nothing written");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_a_linked_file_is_refused_a_linked_directory_followed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("target.yaml");
        fs::write(&target, crd("a.yaml", "old\n").text).expect("write");
        let out = dir.path().join("out");
        fs::create_dir(&out).expect("mkdir");
        std::os::unix::fs::symlink(&target, out.join("a.yaml")).expect("link");
        let err = write(&out, &[crd("a.yaml", "a: 1\n")]).expect_err("refused");
        assert!(err.to_string().contains("a.yaml: is a symlink"), "{err}");
        assert_eq!(
            fs::read_to_string(&target).expect("read"),
            crd("a.yaml", "old\n").text
        );

        let linked = dir.path().join("linked");
        std::os::unix::fs::symlink(dir.path().join("real"), &linked).expect("link");
        fs::create_dir(dir.path().join("real")).expect("mkdir");
        write(&linked, &[crd("a.yaml", "a: 1\n")]).expect("written through the link");
        assert!(
            fs::symlink_metadata(&linked)
                .expect("stat")
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("real/a.yaml")).expect("read"),
            crd("a.yaml", "a: 1\n").text
        );
    }

    #[test]
    fn crlf_line_ends_are_named_as_such() {
        let dir = tempfile::tempdir().expect("tempdir");
        let want = crd("a.yaml", "a: 1\nb: 2\n");
        fs::write(dir.path().join("a.yaml"), want.text.replace('\n', "\r\n")).expect("write");
        let drift = check(dir.path(), std::slice::from_ref(&want)).expect("check");
        match &drift[..] {
            [Drift::Differs { diff, .. }] => {
                assert!(diff.contains("only the line ends differ"), "{diff}");
            }
            d => panic!("{d:?}"),
        }
        write(dir.path(), std::slice::from_ref(&want)).expect("ours: rewritten");
        assert!(check(dir.path(), &[want]).expect("check").is_empty());
    }

    #[test]
    fn a_leftover_temporary_file_is_reported_then_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let crds = [crd("a.yaml", "a: 1\n")];
        write(dir.path(), &crds).expect("write");
        let tmp = dir.path().join(format!("{TEMP_PREFIX}x1y2"));
        fs::write(&tmp, &crds[0].text[..10]).expect("write");
        assert_eq!(
            check(dir.path(), &crds).expect("check"),
            vec![Drift::Leftover { path: tmp.clone() }]
        );
        let w = write(dir.path(), &crds).expect("write");
        assert_eq!(w.removed, vec![tmp.clone()]);
        assert!(!tmp.exists());
    }
}

#[cfg(test)]
mod paths_tests;
