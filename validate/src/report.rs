//! The output formats of `agentgateway-validate`, written one object at a time.
//!
//! Every format goes to a writer as the objects are judged (the binary spools it to a
//! temporary file and copies it to stdout only when every input was read, so
//! unreadable input prints nothing). JUnit's counts come first in the XML, so each
//! file's test cases are spooled too and wrapped when the file is done.

use serde::Serialize;
use std::io::{self, Seek, Write};

/// One problem with an object, where it is.
#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    pub message: String,
    /// The apiserver's field path (`spec.mcp.targets[0].name`); empty for the object.
    pub field: String,
    pub line: usize,
    pub column: usize,
}

/// One object's verdict.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub valid: bool,
    pub errors: Vec<Problem>,
    pub file: String,
    pub document: usize,
    /// The line the object starts on.
    pub line: usize,
}

impl Verdict {
    /// `Kind/namespace/name` (`Kind/name` without a namespace).
    pub fn id(&self) -> String {
        if self.namespace.is_empty() {
            format!("{}/{}", self.kind, self.name)
        } else {
            format!("{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// Writes verdicts in one format.
pub trait Report {
    /// Called before the first object of `file`.
    fn file_start(&mut self, _file: &str) -> io::Result<()> {
        Ok(())
    }
    fn object(&mut self, v: &Verdict) -> io::Result<()>;
    /// Called after the last object of the file.
    fn file_end(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// Ends the output.
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// `ok Kind/ns/name`, or `invalid ...` and one `file:line:column: message` line per
/// error.
pub struct Text<W>(pub W);

impl<W: Write> Report for Text<W> {
    fn object(&mut self, v: &Verdict) -> io::Result<()> {
        if v.valid {
            return writeln!(self.0, "ok {}", v.id());
        }
        writeln!(
            self.0,
            "invalid {} ({}:{}, document {})",
            v.id(),
            v.file,
            v.line,
            v.document
        )?;
        for p in &v.errors {
            writeln!(
                self.0,
                "  {}:{}:{}: {}",
                v.file, p.line, p.column, p.message
            )?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.0.flush()
    }
}

/// One JSON array, one entry per object, in document order (what
/// `serde_json::to_string_pretty` prints for the whole list).
pub struct Json<W> {
    out: W,
    first: bool,
}

impl<W: Write> Json<W> {
    pub fn new(out: W) -> Self {
        Self { out, first: true }
    }
}

impl<W: Write> Report for Json<W> {
    fn object(&mut self, v: &Verdict) -> io::Result<()> {
        let text = serde_json::to_string_pretty(v)?;
        self.out
            .write_all(if self.first { b"[\n" } else { b",\n" })?;
        self.first = false;
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                self.out.write_all(b"\n")?;
            }
            write!(self.out, "  {line}")?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.out
            .write_all(if self.first { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()
    }
}

/// GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=T::message`
/// for each error of each invalid object (valid objects print nothing).
pub struct Github<W>(pub W);

/// Escapes a workflow command's message: `%`, CR and LF.
pub fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value: as the message, and `:` and `,`.
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

impl<W: Write> Report for Github<W> {
    fn object(&mut self, v: &Verdict) -> io::Result<()> {
        for p in &v.errors {
            writeln!(
                self.0,
                "::error file={},line={},col={},title={}::{}",
                github_property(&v.file),
                p.line,
                p.column,
                github_property(&format!("invalid {}", v.id())),
                github_data(&p.message)
            )?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.0.flush()
    }
}

/// JUnit XML: one `<testsuite>` per file, one `<testcase>` per object, a `<failure>`
/// listing the errors of an invalid one. No times or timestamps: the same input gives
/// the same bytes.
pub struct Junit<W: Write> {
    out: W,
    /// The current file's test cases, until its counts are known.
    cases: io::BufWriter<std::fs::File>,
    file: String,
    tests: usize,
    failures: usize,
    total_tests: usize,
    total_failures: usize,
    /// Every file's `<testsuite>`, until the totals are known.
    suites: io::BufWriter<std::fs::File>,
}

fn xml(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

/// An attribute value: escaped, line breaks kept (a parser turns a raw one into a space).
fn attr(s: &str) -> String {
    xml(s).replace('\r', "&#13;").replace('\n', "&#10;")
}

impl<W: Write> Junit<W> {
    pub fn new(out: W) -> io::Result<Self> {
        Ok(Self {
            out,
            cases: io::BufWriter::new(tempfile::tempfile()?),
            file: String::new(),
            tests: 0,
            failures: 0,
            total_tests: 0,
            total_failures: 0,
            suites: io::BufWriter::new(tempfile::tempfile()?),
        })
    }
}

/// Copies what was spooled to `spool` into `out`, and empties the spool.
fn drain(spool: &mut io::BufWriter<std::fs::File>, out: &mut impl Write) -> io::Result<()> {
    spool.flush()?;
    let file = spool.get_mut();
    file.rewind()?;
    io::copy(file, out)?;
    file.rewind()?;
    file.set_len(0)
}

impl<W: Write> Report for Junit<W> {
    fn file_start(&mut self, file: &str) -> io::Result<()> {
        self.file = file.to_owned();
        self.tests = 0;
        self.failures = 0;
        Ok(())
    }

    fn object(&mut self, v: &Verdict) -> io::Result<()> {
        self.tests += 1;
        write!(
            self.cases,
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
            attr(&v.id()),
            attr(&v.file),
            attr(&v.file),
            v.line
        )?;
        if v.valid {
            return writeln!(self.cases, "/>");
        }
        self.failures += 1;
        let first = v.errors.first().map_or("", |p| p.message.as_str());
        writeln!(
            self.cases,
            ">\n      <failure message=\"{}\" type=\"invalid\">",
            attr(first)
        )?;
        for p in &v.errors {
            writeln!(
                self.cases,
                "{}",
                xml(&format!(
                    "{}:{}:{}: {}",
                    v.file, p.line, p.column, p.message
                ))
            )?;
        }
        writeln!(self.cases, "      </failure>\n    </testcase>")
    }

    fn file_end(&mut self) -> io::Result<()> {
        if self.tests == 0 {
            return Ok(());
        }
        writeln!(
            self.suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            attr(&self.file),
            self.tests,
            self.failures
        )?;
        drain(&mut self.cases, &mut self.suites)?;
        writeln!(self.suites, "  </testsuite>")?;
        self.total_tests += self.tests;
        self.total_failures += self.failures;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        writeln!(self.out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        writeln!(
            self.out,
            "<testsuites name=\"agentgateway-validate\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
            self.total_tests, self.total_failures
        )?;
        drain(&mut self.suites, &mut self.out)?;
        writeln!(self.out, "</testsuites>")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdicts() -> Vec<Verdict> {
        let ok = Verdict {
            kind: "K".into(),
            namespace: "ns".into(),
            name: "a".into(),
            valid: true,
            errors: vec![],
            file: "d/f,1.yaml".into(),
            document: 0,
            line: 1,
        };
        let bad = Verdict {
            name: "b".into(),
            namespace: String::new(),
            valid: false,
            errors: vec![
                Problem {
                    message: "spec.x: Invalid value: \"<a&b>\": 100% wrong\nreally".into(),
                    field: "spec.x".into(),
                    line: 9,
                    column: 3,
                },
                Problem {
                    message: "<nil>: second".into(),
                    field: String::new(),
                    line: 5,
                    column: 1,
                },
            ],
            document: 1,
            line: 5,
            ..ok.clone()
        };
        vec![ok, bad]
    }

    fn render(mut r: Box<dyn Report>, files: &[&[Verdict]]) {
        for (i, vs) in files.iter().enumerate() {
            r.file_start(&format!("f{i}.yaml")).expect("start");
            for v in *vs {
                r.object(v).expect("object");
            }
            r.file_end().expect("end");
        }
        r.finish().expect("finish");
    }

    /// A writer the test can read after the report has been consumed by `finish`.
    #[derive(Clone, Default)]
    struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl Shared {
        fn text(&self) -> String {
            String::from_utf8(self.0.borrow().clone()).expect("utf-8")
        }
    }

    #[test]
    fn github_commands_are_escaped() {
        let out = Shared::default();
        render(Box::new(Github(out.clone())), &[&verdicts()]);
        assert_eq!(
            out.text(),
            "::error file=d/f%2C1.yaml,line=9,col=3,title=invalid K/b::spec.x: Invalid value: \"<a&b>\": 100%25 wrong%0Areally\n\
             ::error file=d/f%2C1.yaml,line=5,col=1,title=invalid K/b::<nil>: second\n"
        );
        assert_eq!(github_property("a:b,c%\r"), "a%3Ab%2Cc%25%0D");
    }

    #[test]
    fn json_streams_the_same_array_as_pretty_printing_it() {
        let vs = verdicts();
        let out = Shared::default();
        render(Box::new(Json::new(out.clone())), &[&vs]);
        let whole = serde_json::to_string_pretty(&vs).expect("json") + "\n";
        assert_eq!(out.text(), whole);
        let out = Shared::default();
        render(Box::new(Json::new(out.clone())), &[]);
        assert_eq!(out.text(), "[]\n");
    }

    #[test]
    fn junit_has_a_suite_per_file_and_a_case_per_object() {
        let vs = verdicts();
        let out = Shared::default();
        render(
            Box::new(Junit::new(out.clone()).expect("junit")),
            &[&vs, &[], &vs[..1]],
        );
        let text = out.text();
        assert_eq!(
            text,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="agentgateway-validate" tests="3" failures="1" errors="0">
  <testsuite name="f0.yaml" tests="2" failures="1" errors="0" skipped="0">
    <testcase name="K/ns/a" classname="d/f,1.yaml" file="d/f,1.yaml" line="1"/>
    <testcase name="K/b" classname="d/f,1.yaml" file="d/f,1.yaml" line="5">
      <failure message="spec.x: Invalid value: &quot;&lt;a&amp;b&gt;&quot;: 100% wrong&#10;really" type="invalid">
d/f,1.yaml:9:3: spec.x: Invalid value: &quot;&lt;a&amp;b&gt;&quot;: 100% wrong
really
d/f,1.yaml:5:1: &lt;nil&gt;: second
      </failure>
    </testcase>
  </testsuite>
  <testsuite name="f2.yaml" tests="1" failures="0" errors="0" skipped="0">
    <testcase name="K/ns/a" classname="d/f,1.yaml" file="d/f,1.yaml" line="1"/>
  </testsuite>
</testsuites>
"#
        );
        let mut reader = quick_xml::Reader::from_str(&text);
        let mut cases = 0;
        loop {
            match reader.read_event().expect("well-formed XML") {
                quick_xml::events::Event::Eof => break,
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                    if e.name().as_ref() == "testcase" =>
                {
                    cases += 1;
                }
                _ => {}
            }
        }
        assert_eq!(cases, 3);
    }
}
