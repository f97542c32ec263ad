//! `agentgateway-validate [--strict] [--output text|json|github|junit] FILE|DIR...`:
//! checks agentgateway.dev objects in YAML files as the apiserver would on create,
//! without a cluster. Run as `cargo xtask validate` in this repository.
//!
//! Documents are read and judged one at a time (memory does not grow with their
//! number); the output is spooled to a temporary file and printed once every input was
//! read, so unreadable input prints nothing but the error.
//!
//! Exit status: 0 all valid, 1 some object invalid, 2 unreadable input.

mod report;

use agentgateway_validate::{
    ErrorType, FieldError, Validator,
    source::{Documents, Positions},
};
use anyhow::Context;
use clap::{Parser, ValueEnum};
use report::{Problem, Report, Verdict};
use serde_json::Value;
use std::{
    cell::Cell,
    fs,
    io::{self, BufReader, IsTerminal, Read, Seek, Write},
    path::{Path, PathBuf},
    process::ExitCode,
    rc::Rc,
    time::{Duration, Instant},
};

#[derive(Parser)]
#[command(
    name = "agentgateway-validate",
    about = "Validate agentgateway.dev objects in YAML files as the apiserver would, offline"
)]
struct Args {
    /// Report fields the schema does not know as errors (as `kubectl create
    /// --validate=strict`) instead of dropping them.
    #[arg(long)]
    strict: bool,
    /// `text`: a line per object and a `file:line:column: message` line per error;
    /// `json`: one array of results in document order; `github`: GitHub Actions
    /// `::error` workflow commands; `junit`: JUnit XML, a test case per object.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    output: Output,
    /// YAML files (several documents each allowed) or directories (searched for
    /// `*.yaml`, `*.yml` and `*.json`, recursively).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Output {
    Text,
    Json,
    Github,
    Junit,
}

/// How many objects were judged.
#[derive(Default)]
struct Totals {
    objects: usize,
    invalid: usize,
    skipped: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(t) => {
            eprintln!(
                "{} objects: {} valid, {} invalid; {} of other API groups skipped",
                t.objects,
                t.objects - t.invalid,
                t.invalid,
                t.skipped
            );
            if t.invalid > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> anyhow::Result<Totals> {
    let files = files(&args.paths)?;
    let validator = Validator::new().map_err(anyhow::Error::msg)?;
    let mut spool = tempfile::tempfile().context("creating a temporary file for the output")?;
    let out = io::BufWriter::new(spool.try_clone().context("temporary file")?);
    let mut report: Box<dyn Report> = match args.output {
        Output::Text => Box::new(report::Text(out)),
        Output::Json => Box::new(report::Json::new(out)),
        Output::Github => Box::new(report::Github(out)),
        Output::Junit => Box::new(report::Junit::new(out).context("temporary file")?),
    };
    let mut progress = Progress::new(&files);
    let mut totals = Totals::default();
    for file in &files {
        let shown = file.display().to_string();
        let reader = fs::File::open(file).with_context(|| format!("{shown}: cannot read"))?;
        let read = Rc::new(Cell::new(0u64));
        let reader = BufReader::with_capacity(
            64 * 1024,
            Counting {
                inner: reader,
                read: Rc::clone(&read),
            },
        );
        report.file_start(&shown)?;
        for doc in Documents::new(reader) {
            let doc = doc.map_err(|e| match e.pos {
                Some(p) => anyhow::anyhow!("{shown}:{p}: document {}: {}", e.document, e.message),
                None => anyhow::anyhow!("{shown}: document {}: {}", e.document, e.message),
            })?;
            progress.tick(read.get(), totals.objects);
            if doc.value.is_null() {
                continue;
            }
            if !doc.value["apiVersion"].is_string() || !doc.value["kind"].is_string() {
                anyhow::bail!(
                    "{shown}:{}: document {}: not a Kubernetes object (needs apiVersion and kind)",
                    doc.positions.pos(),
                    doc.index
                );
            }
            if !Validator::is_ours(&doc.value) {
                totals.skipped += 1;
                continue;
            }
            let verdict = judge(
                &validator,
                &doc.value,
                &doc.positions,
                args.strict,
                &shown,
                doc.index,
            );
            totals.objects += 1;
            totals.invalid += usize::from(!verdict.valid);
            report.object(&verdict)?;
        }
        progress.file_done(read.get());
        report.file_end()?;
    }
    report.finish()?;
    progress.clear();
    spool.rewind()?;
    let mut stdout = io::stdout().lock();
    io::copy(&mut spool, &mut stdout)?;
    stdout.flush()?;
    Ok(totals)
}

/// The verdict on one of our objects, each error placed in the file.
fn judge(
    validator: &Validator,
    object: &Value,
    positions: &Positions,
    strict: bool,
    file: &str,
    document: usize,
) -> Verdict {
    let errors: Vec<FieldError> = validator.validate(object, strict).err().unwrap_or_default();
    let strict_decoding = errors.iter().all(|e| e.kind == ErrorType::UnknownField);
    let errors = errors
        .iter()
        .map(|e| {
            let at = positions.locate(&e.path);
            Problem {
                message: if strict_decoding {
                    format!("strict decoding error: {e}")
                } else {
                    e.to_string()
                },
                field: e.path.clone(),
                line: at.line,
                column: at.column,
            }
        })
        .collect::<Vec<_>>();
    let meta = &object["metadata"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    Verdict {
        kind: text(&object["kind"]),
        namespace: text(&meta["namespace"]),
        name: text(&meta["name"]),
        valid: errors.is_empty(),
        errors,
        file: file.to_owned(),
        document,
        line: positions.pos().line,
    }
}

/// Counts the bytes read from a file, for the progress line.
struct Counting<R> {
    inner: R,
    read: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// A progress line on stderr, when stderr is a terminal and the run has taken more
/// than a second: objects judged and how much of the input was read.
struct Progress<W: Write> {
    /// Where the line goes (stderr).
    out: W,
    on: bool,
    start: Instant,
    last: Instant,
    total_bytes: u64,
    done_bytes: u64,
    shown: bool,
}

impl Progress<io::Stderr> {
    fn new(files: &[PathBuf]) -> Self {
        let now = Instant::now();
        Self {
            out: io::stderr(),
            on: io::stderr().is_terminal(),
            start: now,
            last: now,
            total_bytes: files
                .iter()
                .filter_map(|f| fs::metadata(f).ok())
                .map(|m| m.len())
                .sum(),
            done_bytes: 0,
            shown: false,
        }
    }
}

impl<W: Write> Progress<W> {
    fn tick(&mut self, file_bytes: u64, objects: usize) {
        if !self.on || self.last.elapsed() < Duration::from_millis(250) {
            return;
        }
        self.last = Instant::now();
        if self.start.elapsed() < Duration::from_secs(1) {
            return;
        }
        let read = self.done_bytes + file_bytes;
        let percent = (read * 100).checked_div(self.total_bytes).unwrap_or(100);
        // A progress line that cannot be written is no reason to stop.
        let _ = write!(
            self.out,
            "\r\x1b[K{objects} objects, {} of {} MB read ({percent}%)",
            read / 1_000_000,
            self.total_bytes / 1_000_000
        );
        self.shown = true;
    }

    fn file_done(&mut self, file_bytes: u64) {
        self.done_bytes += file_bytes;
    }

    fn clear(&mut self) {
        if self.shown {
            let _ = write!(self.out, "\r\x1b[K");
        }
    }
}

/// Every file under `paths`, in order (directories searched recursively, sorted by path).
fn files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = vec![];
    for p in paths {
        if p.is_dir() {
            let before = files.len();
            collect(p, &mut files)?;
            if files.len() == before {
                anyhow::bail!("{}: no *.yaml, *.yml or *.json files in it", p.display());
            }
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("{}: cannot read the directory", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out)?;
        } else if p
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(p);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_adds_up_every_read() {
        let read = Rc::new(Cell::new(0u64));
        let mut r = Counting {
            inner: &b"0123456789"[..],
            read: Rc::clone(&read),
        };
        let mut buf = [0u8; 4];
        let reads: Vec<usize> = (0..4)
            .map(|_| r.read(&mut buf).expect("read from memory"))
            .collect();
        assert_eq!(reads, [4, 4, 2, 0]);
        assert_eq!(read.get(), 10);
    }

    /// A progress line on a terminal (`on`), begun at `start` and last shown at
    /// `last`, of 3 MB of input of which 0.4 MB in files already read. (A time to come
    /// has elapsed nothing yet, whatever the machine's load.)
    fn progress(on: bool, start: Instant, last: Instant) -> Progress<Vec<u8>> {
        let mut p = Progress {
            out: vec![],
            on,
            start,
            last,
            total_bytes: 3_000_000,
            done_bytes: 0,
            shown: false,
        };
        p.file_done(400_000);
        p
    }

    fn text(p: &Progress<Vec<u8>>) -> String {
        String::from_utf8(p.out.clone()).expect("UTF-8")
    }

    #[test]
    fn progress_shows_objects_and_megabytes_read_on_a_terminal_after_a_second() {
        let now = Instant::now();
        let ago = |secs| now.checked_sub(Duration::from_secs(secs)).expect("uptime");
        let later = now + Duration::from_secs(3600);
        let mut p = progress(true, ago(2), ago(1));
        p.tick(1_100_000, 7);
        let line = "\r\x1b[K7 objects, 1 of 3 MB read (50%)";
        assert_eq!(text(&p), line);
        // Not again within a quarter of a second of the last line.
        p.last = later;
        p.tick(2_600_000, 9);
        assert_eq!(text(&p), line);
        // Cleared at the end, since it was shown.
        p.clear();
        assert_eq!(text(&p), format!("{line}\r\x1b[K"));

        // Nothing when not a terminal, in the first second, or just after a line.
        for (on, start, last) in [
            (false, ago(2), ago(1)),
            (true, later, ago(1)),
            (true, ago(2), later),
        ] {
            let mut p = progress(on, start, last);
            p.tick(1_100_000, 7);
            p.clear();
            assert_eq!(text(&p), "", "{on} {start:?} {last:?}");
        }
    }

    #[test]
    fn progress_of_empty_input_is_complete() {
        let now = Instant::now();
        let ago = |secs| now.checked_sub(Duration::from_secs(secs)).expect("uptime");
        let mut p = progress(true, ago(2), ago(1));
        p.total_bytes = 0;
        p.done_bytes = 0;
        p.tick(0, 0);
        assert_eq!(text(&p), "\r\x1b[K0 objects, 0 of 0 MB read (100%)");
    }

    #[test]
    fn directories_give_their_yaml_yml_and_json_files_sorted_and_recursively() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        fs::create_dir(root.join("sub")).expect("mkdir");
        for f in ["b.yml", "a.yaml", "c.json", "d.txt", "yaml", "sub/e.yaml"] {
            fs::write(root.join(f), "").expect("write");
        }
        let found = files(&[root.to_path_buf(), root.join("d.txt")]).expect("files");
        let names: Vec<_> = found
            .iter()
            .map(|f| f.strip_prefix(root).expect("under root"))
            .collect();
        // A file named on the command line is read whatever its name.
        assert_eq!(
            names,
            ["a.yaml", "b.yml", "c.json", "sub/e.yaml", "d.txt"].map(Path::new)
        );
        let empty = tempfile::tempdir().expect("tempdir");
        fs::write(empty.path().join("x.txt"), "").expect("write");
        let err = files(&[empty.path().to_path_buf()]).expect_err("nothing to read");
        assert_eq!(
            err.to_string(),
            format!(
                "{}: no *.yaml, *.yml or *.json files in it",
                empty.path().display()
            )
        );
    }
}
