//! YAML documents read one at a time, each with where its nodes are in the file.
//!
//! [`Documents`] pulls events from `saphyr-parser` (which reports the line and column
//! of every node) over a reader, and builds one document at a time: its JSON value, and
//! a tree of positions ([`Positions`]) that maps an apiserver field path
//! (`spec.mcp.targets[0].name`) back to a line and column. Only the current document is
//! held, so memory does not grow with the number of documents in a file.
//!
//! Scalars resolve as `serde_yaml` 0.9 resolves them into JSON (the YAML 1.2 core
//! schema): `null`/`~`/empty are null, `true`/`false` (three spellings each) booleans,
//! decimal, `0x`, `0o` and `0b` integers and decimal floats numbers (digits with a
//! leading zero stay strings), anything quoted a string; a later duplicate key wins.

use saphyr_parser::{BufferedInput, Event, Parser, ScalarStyle, ScanError, Span};
use serde_json::{Map, Number, Value};
use std::{
    cell::RefCell,
    collections::HashMap,
    fmt,
    io::{self, BufRead},
    rc::Rc,
};

/// A line and column, both from 1 (the column counts characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

fn pos(span: &Span) -> Pos {
    Pos {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

/// Where each node of one document is.
#[derive(Clone, Debug, PartialEq)]
pub enum Positions {
    Scalar(Pos),
    List(Pos, Vec<Positions>),
    /// A mapping: its own position and, per key, the key's position and the value's.
    Map(Pos, Vec<(String, Pos, Positions)>),
}

impl Positions {
    /// Where the node itself starts.
    pub fn pos(&self) -> Pos {
        match self {
            Self::Scalar(p) | Self::List(p, _) | Self::Map(p, _) => *p,
        }
    }

    /// The position of the field an apiserver path names (`spec.a[0].b`, `""` for the
    /// whole object): a map entry's key, a list item's value. A path that leaves the
    /// document (a missing required field, a defaulted one) ends at the nearest node
    /// that is there.
    pub fn locate(&self, path: &str) -> Pos {
        let mut node = self;
        let mut at = node.pos();
        let mut rest = path;
        while !rest.is_empty() {
            let step = match node {
                Self::Scalar(_) => None,
                Self::List(_, items) => bracket(rest).and_then(|(index, after)| {
                    let item = items.get(index.parse::<usize>().ok()?)?;
                    Some((item.pos(), item, after))
                }),
                Self::Map(_, entries) => {
                    if let Some((key, after)) = bracket(rest)
                        && let Some((_, kp, v)) = entries.iter().find(|(k, ..)| k == key)
                    {
                        Some((*kp, v, after))
                    } else {
                        // The longest key the path continues with (keys may hold dots).
                        entries
                            .iter()
                            .filter(|(k, ..)| {
                                rest.strip_prefix(k.as_str()).is_some_and(|r| {
                                    r.is_empty() || r.starts_with('.') || r.starts_with('[')
                                })
                            })
                            .max_by_key(|(k, ..)| k.len())
                            .map(|(k, kp, v)| (*kp, v, &rest[k.len()..]))
                    }
                }
            };
            let Some((p, next, after)) = step else { break };
            at = p;
            node = next;
            rest = after.strip_prefix('.').unwrap_or(after);
        }
        at
    }
}

/// `[x]rest` → `("x", "rest")`.
fn bracket(path: &str) -> Option<(&str, &str)> {
    let inner = path.strip_prefix('[')?;
    let end = inner.find(']')?;
    Some((&inner[..end], &inner[end + 1..]))
}

/// One document of a stream.
#[derive(Debug)]
pub struct Document {
    /// Index of the document in its file, from 0 (empty documents count).
    pub index: usize,
    pub value: Value,
    pub positions: Positions,
}

/// Why a stream could not be read.
#[derive(Debug)]
pub struct SourceError {
    /// Index of the document the problem is in.
    pub document: usize,
    /// Where, when the parser knows.
    pub pos: Option<Pos>,
    pub message: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(f, "{p}: document {}: {}", self.document, self.message),
            None => write!(f, "document {}: {}", self.document, self.message),
        }
    }
}

/// The characters of a reader, line by line; a read error (not UTF-8, I/O) ends them
/// and is kept for [`Documents`] to report.
struct Chars<R> {
    reader: R,
    line: Vec<char>,
    at: usize,
    error: Rc<RefCell<Option<io::Error>>>,
    buf: String,
}

impl<R: BufRead> Iterator for Chars<R> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        if self.at == self.line.len() {
            self.buf.clear();
            match self.reader.read_line(&mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    *self.error.borrow_mut() = Some(e);
                    return None;
                }
            }
            self.line.clear();
            self.line.extend(self.buf.chars());
            self.at = 0;
        }
        let c = self.line[self.at];
        self.at += 1;
        Some(c)
    }
}

enum Frame {
    List {
        anchor: usize,
        pos: Pos,
        items: Vec<Value>,
        positions: Vec<Positions>,
    },
    Map {
        anchor: usize,
        pos: Pos,
        map: Map<String, Value>,
        positions: Vec<(String, Pos, Positions)>,
        key: Option<(String, Pos)>,
    },
}

/// Where a stream stopped making sense (when the parser knows), and why.
type Failure = (Option<Pos>, String);

/// The documents of a YAML stream, one at a time.
pub struct Documents<'a> {
    parser: Parser<'a, BufferedInput<Chars<Box<dyn BufRead + 'a>>>>,
    read_error: Rc<RefCell<Option<io::Error>>>,
    index: usize,
    done: bool,
}

impl<'a> Documents<'a> {
    pub fn new(reader: impl BufRead + 'a) -> Self {
        let read_error = Rc::new(RefCell::new(None));
        let chars = Chars {
            reader: Box::new(reader) as Box<dyn BufRead + 'a>,
            line: vec![],
            at: 0,
            error: Rc::clone(&read_error),
            buf: String::new(),
        };
        Self {
            parser: Parser::new_from_iter(chars),
            read_error,
            index: 0,
            done: false,
        }
    }

    fn fail(&mut self, pos: Option<Pos>, message: String) -> Option<Result<Document, SourceError>> {
        self.done = true;
        let message = match self.read_error.borrow_mut().take() {
            Some(e) if e.kind() == io::ErrorKind::InvalidData => "not UTF-8 text".to_owned(),
            Some(e) => format!("cannot read: {e}"),
            None => message,
        };
        Some(Err(SourceError {
            document: self.index,
            pos,
            message,
        }))
    }

    fn next_event(&mut self) -> Result<Option<(Event<'a>, Span)>, Failure> {
        match self.parser.next_event() {
            None => Ok(None),
            Some(Ok(e)) => Ok(Some(e)),
            Some(Err(e)) => Err((
                Some(marker_pos(&e)),
                format!("not valid YAML: {}", e.info()),
            )),
        }
    }

    /// Reads the next document; `None` at the end of the stream.
    fn document(&mut self) -> Result<Option<Document>, Failure> {
        // Up to the start of a document (or the end of the stream).
        loop {
            match self.next_event()? {
                None | Some((Event::StreamEnd, _)) => return Ok(None),
                Some((Event::DocumentStart(_), _)) => break,
                Some(_) => {}
            }
        }
        let mut anchors: HashMap<usize, (Value, Positions)> = HashMap::new();
        let mut stack: Vec<Frame> = vec![];
        let mut root = None;
        loop {
            let Some((event, span)) = self.next_event()? else {
                return Err((None, "not valid YAML: unexpected end of the stream".into()));
            };
            let p = pos(&span);
            let done = match event {
                Event::DocumentEnd => break,
                Event::StreamEnd => {
                    return Err((None, "not valid YAML: unexpected end of the stream".into()));
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let tag = tag.map(|t| t.suffix.clone());
                    let value = scalar(&text, style, tag.as_deref());
                    let node = (value, Positions::Scalar(p));
                    if anchor > 0 {
                        anchors.insert(anchor, node.clone());
                    }
                    if let Some(Frame::Map { key: k @ None, .. }) = stack.last_mut() {
                        *k = Some((text.into_owned(), p));
                        None
                    } else {
                        Some(node)
                    }
                }
                Event::Alias(id) => {
                    let Some(node) = anchors.get(&id).cloned() else {
                        return Err((Some(p), "not valid YAML: unknown anchor".into()));
                    };
                    if let Some(Frame::Map { key: k @ None, .. }) = stack.last_mut() {
                        let Value::String(s) = node.0 else {
                            return Err((Some(p), "a mapping key must be a string".into()));
                        };
                        *k = Some((s, p));
                        None
                    } else {
                        Some(node)
                    }
                }
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    if let Some(Frame::Map { key: None, .. }) = stack.last() {
                        return Err((Some(p), "a mapping key must be a string".into()));
                    }
                    stack.push(if matches!(event, Event::SequenceStart(..)) {
                        Frame::List {
                            anchor,
                            pos: p,
                            items: vec![],
                            positions: vec![],
                        }
                    } else {
                        Frame::Map {
                            anchor,
                            pos: p,
                            map: Map::new(),
                            positions: vec![],
                            key: None,
                        }
                    });
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let (anchor, node) = match stack.pop() {
                        Some(Frame::List {
                            anchor,
                            pos,
                            items,
                            positions,
                        }) => (
                            anchor,
                            (Value::Array(items), Positions::List(pos, positions)),
                        ),
                        Some(Frame::Map {
                            anchor,
                            pos,
                            map,
                            positions,
                            ..
                        }) => (anchor, (Value::Object(map), Positions::Map(pos, positions))),
                        None => return Err((Some(p), "not valid YAML: unbalanced".into())),
                    };
                    if anchor > 0 {
                        anchors.insert(anchor, node.clone());
                    }
                    Some(node)
                }
                Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => None,
            };
            if let Some((value, positions)) = done {
                match stack.last_mut() {
                    None => root = Some((value, positions)),
                    Some(Frame::List {
                        items,
                        positions: ps,
                        ..
                    }) => {
                        items.push(value);
                        ps.push(positions);
                    }
                    Some(Frame::Map {
                        map,
                        positions: ps,
                        key,
                        ..
                    }) => {
                        let (k, kp) = key.take().unwrap_or_default();
                        ps.retain(|(old, ..)| *old != k);
                        ps.push((k.clone(), kp, positions));
                        map.insert(k, value);
                    }
                }
            }
        }
        let (value, positions) = root.unwrap_or((Value::Null, Positions::Scalar(Pos::default())));
        Ok(Some(Document {
            index: self.index,
            value,
            positions,
        }))
    }
}

impl Iterator for Documents<'_> {
    type Item = Result<Document, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.document() {
            Ok(Some(doc)) => {
                self.index += 1;
                Some(Ok(doc))
            }
            Ok(None) => {
                self.done = true;
                if self.read_error.borrow().is_some() {
                    return self.fail(None, String::new());
                }
                None
            }
            Err((p, message)) => self.fail(p, message),
        }
    }
}

fn marker_pos(e: &ScanError) -> Pos {
    Pos {
        line: e.marker().line(),
        column: e.marker().col() + 1,
    }
}

/// A scalar as JSON, resolved as serde_yaml 0.9 resolves it (see the module docs).
fn scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    match tag {
        Some("str") => return Value::String(text.to_owned()),
        Some("null" | "bool" | "int" | "float") => return plain(text),
        _ => {}
    }
    if style == ScalarStyle::Plain {
        plain(text)
    } else {
        Value::String(text.to_owned())
    }
}

fn plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(n) = integer(text) {
        return Value::Number(n);
    }
    let unsigned = text.trim_start_matches(['-', '+']);
    let leading_zero_digits = unsigned.len() > 1
        && unsigned.starts_with('0')
        && unsigned.bytes().all(|b| b.is_ascii_digit());
    if !leading_zero_digits && let Some(f) = float(text) {
        return Number::from_f64(f).map_or(Value::Null, Value::Number);
    }
    Value::String(text.to_owned())
}

/// Decimal, `0x`, `0o` and `0b` integers with an optional sign, within i64/u64.
fn integer(text: &str) -> Option<Number> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.starts_with(['+', '-']) || digits.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(d) = digits.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = digits.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = digits.strip_prefix("0b") {
        (2, d)
    } else {
        (10, digits)
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    if radix == 10 && digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if !negative {
        return Some(magnitude.into());
    }
    if magnitude <= i64::MAX as u64 + 1 {
        Some((0i64.wrapping_sub_unsigned(magnitude)).into())
    } else {
        None
    }
}

fn float(text: &str) -> Option<f64> {
    let unsigned = match text.strip_prefix('+') {
        Some(u) if u.starts_with(['+', '-']) => return None,
        Some(u) => u,
        None => text,
    };
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return Some(f64::INFINITY);
    }
    if matches!(text, "-.inf" | "-.Inf" | "-.INF") {
        return Some(f64::NEG_INFINITY);
    }
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn docs(text: &str) -> Vec<Document> {
        Documents::new(text.as_bytes())
            .collect::<Result<_, _>>()
            .expect("parse")
    }

    #[test]
    fn fields_are_found_by_their_apiserver_path() {
        let text = "apiVersion: v\nkind: K\nspec:\n  mcp:\n    targets:\n      - name: a\n      - name: b\n        static: {host: h, port: 1}\n  \"a.b\": {c: 1}\n";
        let d = &docs(text)[0];
        let at = |p: &str| d.positions.locate(p).to_string();
        assert_eq!(at(""), "1:1");
        assert_eq!(at("spec"), "3:1");
        assert_eq!(at("spec.mcp.targets"), "5:5");
        assert_eq!(at("spec.mcp.targets[1]"), "7:9");
        assert_eq!(at("spec.mcp.targets[1].name"), "7:9");
        assert_eq!(at("spec.mcp.targets[1].static.port"), "8:27");
        assert_eq!(at("spec.a.b.c"), "9:11");
        // Not in the document: the nearest node that is.
        assert_eq!(at("spec.mcp.targets[0].static.host"), "6:9");
        assert_eq!(at("spec.mcp.targets[7]"), "5:5");
        assert_eq!(at("spec.mcp[x]"), "4:3");
    }

    #[test]
    fn documents_stream_with_their_indexes() {
        let text = "a: 1\n---\n---\n# c\nb: [x, y]\n...\n";
        let ds = docs(text);
        assert_eq!(ds.iter().map(|d| d.index).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(ds[1].value, Value::Null);
        assert_eq!(ds[2].value, serde_json::json!({"b": ["x", "y"]}));
        assert_eq!(ds[2].positions.pos().line, 5);
        assert!(docs("").is_empty());
    }

    #[test]
    fn bad_input_names_the_document_and_position() {
        let mut it = Documents::new("a: 1\n---\nb: [\n".as_bytes());
        assert!(it.next().expect("first").is_ok());
        let err = it.next().expect("second").expect_err("bad");
        assert_eq!(err.document, 1);
        assert!(err.message.starts_with("not valid YAML"), "{err}");
        assert!(it.next().is_none());
        let err = Documents::new(&b"a: \xff\n"[..])
            .next()
            .expect("one")
            .expect_err("not utf-8");
        assert_eq!(err.to_string(), "document 0: not UTF-8 text");
        let err = Documents::new("? [a]\n: b\n".as_bytes())
            .next()
            .expect("one")
            .expect_err("complex key");
        assert_eq!(
            err.to_string(),
            "1:3: document 0: a mapping key must be a string"
        );
    }

    /// The same JSON as serde_yaml 0.9 (what the validator read before), on scalars
    /// of every kind and on every file of the e2e case table.
    #[test]
    fn values_are_serde_yamls() {
        let scalars = [
            "~",
            "null",
            "NULL",
            "",
            "true",
            "True",
            "FALSE",
            "yes",
            "no",
            "on",
            "0",
            "-0",
            "+1",
            "012",
            "-012",
            "0x1F",
            "-0x10",
            "0o17",
            "0b101",
            "0x",
            "1_000",
            "1.5",
            "-1.5e3",
            "1e5",
            ".5",
            "1.",
            ".inf",
            "-.Inf",
            ".nan",
            "inf",
            "nan",
            "18446744073709551615",
            "-9223372036854775808",
            "'1'",
            "\"true\"",
            "!!str 1",
            "!!int 1",
            "é",
            "2024-01-01",
            "1:2",
            "+-1",
            "--1",
            "+.5",
        ];
        let mut texts: Vec<String> = scalars.iter().map(|s| format!("k: {s}\n")).collect();
        texts.push("a: &x {b: 1}\nc: *x\nd: [1, *x]\ne: |\n  x\n  y\nf: >-\n  p\n  q\n".into());
        texts.push("a: 1\na: 2\n".into());
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../e2e/cases");
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("cases dir") {
                let p = entry.expect("entry").path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|e| e == "yaml") {
                    texts.push(std::fs::read_to_string(&p).expect("read"));
                }
            }
        }
        assert!(texts.len() > 200, "{} texts", texts.len());
        for text in &texts {
            let ours: Vec<Value> = docs(text).into_iter().map(|d| d.value).collect();
            let theirs: Vec<Value> = serde_yaml::Deserializer::from_str(text)
                .map(|d| Value::deserialize(d).expect("serde_yaml"))
                .collect();
            assert_eq!(ours, theirs, "{text}");
        }
    }
}
