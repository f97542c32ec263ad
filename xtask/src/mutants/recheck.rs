//! The survivors of a run tested again, and the mutants judged equivalent.
//!
//! `cargo xtask mutants --crate C --recheck RUN` gives cargo-mutants one `-F` regex per
//! survivor (missed or timed out) of the run `mutants.out/C/RUN`, and keeps the result
//! in `mutants.out/C/RUN/recheck/`. A survivor is known by its file and description,
//! not by its line and column, which the tests added since the run may have moved. A
//! regex may match more mutants than the survivor (one of the same description
//! elsewhere in the file, and the "delete field" mutants cargo-mutants' `-F` matches
//! too): they are tested as well, but only the survivors decide what is left.
//!
//! [`EQUIVALENT_FILE`] lists the mutants no test can catch, each with the reason: the
//! tables count them apart.

use anyhow::{Context, bail};

/// The mutants judged equivalent, relative to the workspace root.
pub const EQUIVALENT_FILE: &str = "xtask/mutants-equivalent.txt";

/// A mutant's name without its line and column: its file and its description.
pub fn key(name: &str) -> (String, String) {
    let mut parts = name.splitn(4, ':');
    let file = parts.next().unwrap_or_default().to_owned();
    let (_line, _col) = (parts.next(), parts.next());
    let what = parts.next().unwrap_or_default().trim_start().to_owned();
    (file, what)
}

/// The regex (cargo-mutants `-F`) of the mutants named like `name`, at any line and
/// column.
pub fn pattern(name: &str) -> String {
    let (file, what) = key(name);
    format!("^{}:\\d+:\\d+: {}$", escape(&file), escape(&what))
}

/// `s` with every character the `regex` crate gives a meaning escaped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One entry of [`EQUIVALENT_FILE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Equivalent {
    pub file: String,
    /// The column, when the description alone would name other mutants of the file.
    pub column: Option<u32>,
    pub what: String,
    pub why: String,
}

impl Equivalent {
    pub fn matches(&self, name: &str) -> bool {
        let column = name.split(':').nth(2).and_then(|c| c.parse::<u32>().ok());
        let (file, what) = key(name);
        file == self.file && what == self.what && self.column.is_none_or(|c| column == Some(c))
    }
}

/// Reads [`EQUIVALENT_FILE`]: `FILE: DESCRIPTION` lines (a mutant's name without line
/// and column), or `FILE:COLUMN: DESCRIPTION` where the description names more than one
/// mutant of the file, each followed by an indented `why: ...` giving the reason; `#`
/// starts a comment line.
pub fn parse_equivalents(text: &str) -> anyhow::Result<Vec<Equivalent>> {
    let mut out: Vec<Equivalent> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let at = || format!("{EQUIVALENT_FILE}:{}", i + 1);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            let Some(why) = trimmed.strip_prefix("why:") else {
                bail!("{}: an indented line gives the reason: `why: ...`", at());
            };
            match out.last_mut() {
                Some(e) if e.why.is_empty() => e.why = why.trim().to_owned(),
                Some(e) => {
                    e.why.push(' ');
                    e.why.push_str(why.trim());
                }
                None => bail!("{}: a reason before any mutant", at()),
            }
            continue;
        }
        if let Some(e) = out.last()
            && e.why.is_empty()
        {
            bail!("{}: `{}: {}` has no `why:` line", at(), e.file, e.what);
        }
        let Some((file, what)) = line.split_once(": ") else {
            bail!(
                "{}: expected `FILE: DESCRIPTION` (a mutant's name without its line and column)",
                at()
            );
        };
        let (file, column) = match file.rsplit_once(':') {
            Some((f, c)) => match c.parse::<u32>() {
                Ok(c) => (f, Some(c)),
                Err(_) => bail!(
                    "{}: `{c}` is not a column: write `FILE:COLUMN: DESCRIPTION`",
                    at()
                ),
            },
            None => (file, None),
        };
        if out
            .iter()
            .any(|e| e.file == file && e.what == what && e.column == column)
        {
            bail!("{}: `{line}` is listed twice", at());
        }
        out.push(Equivalent {
            file: file.to_owned(),
            column,
            what: what.to_owned(),
            why: String::new(),
        });
    }
    if let Some(e) = out.last()
        && e.why.is_empty()
    {
        bail!(
            "{EQUIVALENT_FILE}: `{}: {}` has no `why:` line",
            e.file,
            e.what
        );
    }
    Ok(out)
}

/// [`EQUIVALENT_FILE`] under `root`, or no entries when there is none.
pub fn read_equivalents(root: &std::path::Path) -> anyhow::Result<Vec<Equivalent>> {
    let path = root.join(EQUIVALENT_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_equivalents(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// What became of one run's survivors: the names of those left (as the re-run names
/// them, at its lines), and how many the re-run no longer finds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    pub survivors: usize,
    pub missed: Vec<String>,
    pub timed_out: Vec<String>,
    /// Survivors no mutant of the re-run is named like: the code they mutated is gone.
    pub gone: usize,
}

impl Outcome {
    pub fn left(&self) -> usize {
        self.missed.len() + self.timed_out.len()
    }

    pub fn killed(&self) -> usize {
        self.survivors - self.left() - self.gone
    }
}

/// Matches the survivors (`missed` and `timed_out` of the run) with the re-run's
/// results: a survivor is left when a mutant of its name is missed or times out again.
/// Names are matched one to one, so that two survivors of one name need two mutants of
/// that name in the re-run.
pub fn outcome(
    missed: &[String],
    timed_out: &[String],
    rerun_missed: &[String],
    rerun_timed_out: &[String],
    rerun_tested: &[String],
) -> Outcome {
    let pool =
        |names: &[String]| -> Vec<Option<String>> { names.iter().cloned().map(Some).collect() };
    let take = |pool: &mut Vec<Option<String>>, k: &(String, String)| {
        pool.iter_mut()
            .find(|n| n.as_ref().is_some_and(|n| key(n) == *k))
            .and_then(Option::take)
    };
    let (mut m, mut t, mut tested) = (
        pool(rerun_missed),
        pool(rerun_timed_out),
        pool(rerun_tested),
    );
    let mut out = Outcome {
        survivors: missed.len() + timed_out.len(),
        ..Outcome::default()
    };
    for s in missed.iter().chain(timed_out) {
        let k = key(s);
        let found = take(&mut tested, &k);
        if let Some(n) = take(&mut m, &k) {
            out.missed.push(n);
        } else if let Some(n) = take(&mut t, &k) {
            out.timed_out.push(n);
        } else if found.is_none() {
            out.gone += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_survivor_is_known_by_its_file_and_description() {
        let name = "crdgen/src/a.rs:12:34: replace f -> Result<(), E> with Ok(Default::default())";
        assert_eq!(
            key(name),
            (
                "crdgen/src/a.rs".to_owned(),
                "replace f -> Result<(), E> with Ok(Default::default())".to_owned()
            )
        );
        assert_eq!(
            pattern(name),
            r"^crdgen/src/a\.rs:\d+:\d+: replace f \-> Result<\(\), E> with Ok\(Default::default\(\)\)$"
        );
        assert_eq!(
            escape(r"a.b+c*d?e(f)g|h[i]j{k}l^m$n#o&p-q~r\s"),
            r"a\.b\+c\*d\?e\(f\)g\|h\[i\]j\{k\}l\^m\$n\#o\&p\-q\~r\\s"
        );
    }

    #[test]
    fn equivalents_are_read_with_their_reasons() {
        let text = "\
# Mutants no test can catch.

crdgen/src/a.rs: replace < with <= in f
    why: the loop's other bound stops it first,
    why: unless a struct has two equal fields.
crdgen/src/b.rs:9: delete ! in g
  why: a shortcut only.
";
        let e = parse_equivalents(text).expect("parsed");
        assert_eq!(
            e,
            [
                Equivalent {
                    file: "crdgen/src/a.rs".into(),
                    column: None,
                    what: "replace < with <= in f".into(),
                    why: "the loop's other bound stops it first, unless a struct has two equal fields.".into(),
                },
                Equivalent {
                    file: "crdgen/src/b.rs".into(),
                    column: Some(9),
                    what: "delete ! in g".into(),
                    why: "a shortcut only.".into(),
                },
            ]
        );
        assert!(e[0].matches("crdgen/src/a.rs:7:9: replace < with <= in f"));
        assert!(!e[0].matches("crdgen/src/b.rs:7:9: replace < with <= in f"));
        assert!(!e[0].matches("crdgen/src/a.rs:7:9: replace < with == in f"));
        // With a column, only the mutant there.
        assert!(e[1].matches("crdgen/src/b.rs:70:9: delete ! in g"));
        assert!(!e[1].matches("crdgen/src/b.rs:70:10: delete ! in g"));
        let err = |text: &str| parse_equivalents(text).expect_err("refused").to_string();
        assert_eq!(
            err("a.rs: delete ! in g\nb.rs: delete ! in h\n  why: x\n"),
            "xtask/mutants-equivalent.txt:2: `a.rs: delete ! in g` has no `why:` line"
        );
        assert_eq!(
            err("a.rs: delete ! in g\n"),
            "xtask/mutants-equivalent.txt: `a.rs: delete ! in g` has no `why:` line"
        );
        assert_eq!(
            err("  why: x\n"),
            "xtask/mutants-equivalent.txt:1: a reason before any mutant"
        );
        assert!(err("a.rs: f\n  because\n").contains(":2: an indented line gives the reason"));
        assert!(err("no description\n").contains(":1: expected `FILE: DESCRIPTION`"));
        assert!(err("a.rs:x: f\n  why: y\n").contains(":1: `x` is not a column"));
        assert!(
            err("a.rs: f\n  why: x\na.rs: f\n  why: y\n").contains(":3: `a.rs: f` is listed twice")
        );
    }

    #[test]
    fn the_list_in_the_repository_reads_and_names_our_crates_files() {
        let root = crate::workspace_root();
        let list = read_equivalents(&root).expect("xtask/mutants-equivalent.txt reads");
        assert!(!list.is_empty());
        for e in &list {
            assert!(
                root.join(&e.file).is_file(),
                "{EQUIVALENT_FILE}: {} is not a file of the repository",
                e.file
            );
        }
    }

    #[test]
    fn survivors_are_matched_one_to_one_with_the_rerun() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Two survivors of one name (two `<` in `f`), one caught now; one timed out
        // again; one killed; one whose code is gone.
        let o = outcome(
            &s(&[
                "a.rs:10:5: replace < with == in f",
                "a.rs:12:5: replace < with == in f",
                "a.rs:20:1: replace g -> bool with true",
                "a.rs:30:1: delete ! in h",
            ]),
            &s(&["a.rs:40:1: replace + with * in k"]),
            &s(&[
                "a.rs:11:5: replace < with == in f",
                "a.rs:1:1: replace z with ()",
            ]),
            &s(&["a.rs:41:1: replace + with * in k"]),
            &s(&[
                "a.rs:11:5: replace < with == in f",
                "a.rs:13:5: replace < with == in f",
                "a.rs:21:1: replace g -> bool with true",
                "a.rs:41:1: replace + with * in k",
                "a.rs:1:1: replace z with ()",
            ]),
        );
        assert_eq!(o.survivors, 5);
        assert_eq!(o.missed, s(&["a.rs:11:5: replace < with == in f"]));
        assert_eq!(o.timed_out, s(&["a.rs:41:1: replace + with * in k"]));
        assert_eq!((o.left(), o.killed(), o.gone), (2, 2, 1));
    }
}
