//! Output paths: where files go, which files are the generator's, and what is
//! reported for each kind of drift.

use super::*;

fn crd(name: &str, text: &str) -> RenderedCrd {
    RenderedCrd {
        file_name: name.into(),
        text: format!("{}\n{text}", crate::render::header("test")),
    }
}

#[test]
fn every_drift_names_its_file() {
    let p = PathBuf::from("x.yaml");
    for d in [
        Drift::Missing { path: p.clone() },
        Drift::Differs {
            path: p.clone(),
            diff: String::new(),
        },
        Drift::Stale { path: p.clone() },
        Drift::Leftover { path: p.clone() },
    ] {
        assert_eq!(d.path(), p.as_path());
    }
}

#[test]
fn a_missing_directory_is_all_missing_then_created_on_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("a/b");
    let crds = [crd("a.yaml", "a: 1\n")];
    assert_eq!(
        check(&out, &crds).expect("check"),
        vec![Drift::Missing {
            path: out.join("a.yaml")
        }]
    );
    let w = write(&out, &crds).expect("write");
    assert_eq!(w.updated, vec![out.join("a.yaml")]);
    assert_eq!(
        fs::read_to_string(out.join("a.yaml")).expect("read"),
        crds[0].text
    );
    // A file where the directory should be: the error names it.
    let file = dir.path().join("file");
    fs::write(&file, "x").expect("write");
    let e = write(&file.join("sub"), &crds).expect_err("not a directory");
    assert!(e.to_string().contains("file/sub"), "{e}");
}

#[test]
fn directories_and_foreign_files_are_never_stale() {
    let dir = tempfile::tempdir().expect("tempdir");
    let generated = crd("x.yaml", "x: 1\n").text;
    fs::create_dir(dir.path().join("sub.yaml")).expect("mkdir");
    fs::write(dir.path().join("notes.md"), "# notes\n").expect("write");
    fs::write(dir.path().join("old.yaml"), &generated).expect("write");
    let crds = [crd("a.yaml", "a: 1\n")];
    write(dir.path(), &crds).expect("write");
    assert!(dir.path().join("sub.yaml").is_dir());
    assert!(dir.path().join("notes.md").is_file());
    assert!(!dir.path().join("old.yaml").exists());
    // A path of a generated file that is a directory cannot be read: an error naming it.
    fs::create_dir(dir.path().join("b.yaml")).expect("mkdir");
    let e = check(dir.path(), &[crd("b.yaml", "b: 1\n")]).expect_err("a directory");
    assert!(e.to_string().contains("b.yaml"), "{e}");
}

#[test]
fn write_atomic_replaces_the_whole_file_and_leaves_no_temporary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("f.txt");
    write_atomic(&path, b"first, longer\n").expect("write");
    write_atomic(&path, b"second\n").expect("write");
    assert_eq!(fs::read(&path).expect("read"), b"second\n");
    let names: Vec<_> = fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["f.txt"]);
    let e = write_atomic(&dir.path().join("none/f.txt"), b"x").expect_err("no directory");
    assert!(e.to_string().contains("none"), "{e}");
}

#[test]
fn the_header_counts_in_the_first_three_lines_with_both_marks() {
    let line = crate::render::header_text("x");
    assert!(is_generated(format!("a\nb\n# {line}\n").as_bytes()));
    assert!(!is_generated(format!("a\nb\nc\n# {line}\n").as_bytes()));
    let prefix = crate::render::HEADER_TEXT_PREFIX;
    assert!(!is_generated(format!("# {prefix} `x`.\n").as_bytes()));
    assert!(!is_generated(b"# DO NOT EDIT\n"));
    assert!(!is_generated(b""));
}

#[test]
fn a_diff_of_exactly_the_limit_is_shown_whole() {
    let d = bounded_diff("a\n", "b\n", Path::new("f"), 5);
    assert_eq!(
        d,
        "--- f (checked in)\n+++ f (generated)\n@@ -1 +1 @@\n-a\n+b\n"
    );
    assert_eq!(
        bounded_diff("a\n", "b\n", Path::new("f"), 4)
            .lines()
            .count(),
        5
    );
    assert!(
        bounded_diff("a\n", "b\n", Path::new("f"), 4)
            .ends_with("\n... 1 more diff lines not shown\n")
    );
}
