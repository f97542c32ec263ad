//! Doc-comment edits without a compiler: the fast path of `gen-crds`.
//!
//! Most edits of an API only reword doc comments, and a doc comment reaches a CRD one
//! way: schemars turns the doc comment of a type, field or variant into the
//! `description` of its schema. So when the Rust sources differ from the ones the
//! build program last compiled *only* in the text of doc comments, the new pass-1
//! output is the old one with those descriptions replaced, and no compiler is needed.
//!
//! - [`scan`] splits a Rust file into its tokens without doc comments (the
//!   *skeleton*) and its doc comments, one [`DocBlock`] per item.
//! - [`doc_edits`] compares two scans of the same file: the same skeleton means only
//!   doc comments changed, and the edits pair each old block with its new text.
//! - [`Substitutions::plan`] turns the edits of all files into description
//!   replacements, and refuses any it cannot make exactly; [`Substitutions::apply`]
//!   makes them in a pass-1 CRD.
//!
//! Refusing is always safe: the caller compiles instead. An edit is refused when its
//! old text is not found in any description (e.g. the doc comment of a function, or a
//! type flattened away), when another doc comment or string literal has the same old
//! text (the description could come from either), when either text is empty or
//! starts with a `#` heading (schemars adds or drops a `title` then), or when a file
//! has a carriage return (line endings change what the compiler reads).

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The doc comments of one item (all of its `///` lines, or all of its `//!` lines),
/// in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocBlock {
    /// `//!` (the enclosing module's doc): never read by a derive, so never in a schema.
    pub inner: bool,
    /// Each line's text as the compiler sees it (after `///`, leading space kept).
    pub lines: Vec<String>,
}

impl DocBlock {
    /// The `(title, description)` schemars derives from this doc comment: the lines
    /// without one leading space each, joined by newlines and trimmed; a first line
    /// starting with `#` is the title. Mirrors `schemars_derive`'s `get_doc` and
    /// `schemars::_private::get_title_and_description` (schemars 1).
    pub fn schema_text(&self) -> (String, String) {
        let joined = self
            .lines
            .iter()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let doc = joined.trim_matches(|c: char| c.is_ascii_whitespace());
        match doc.strip_prefix('#') {
            Some(_) => {
                let end = doc.find('\n').unwrap_or(doc.len());
                let title = doc[..end]
                    .trim_start_matches('#')
                    .trim_matches(|c: char| c.is_ascii_whitespace());
                let description = doc[end..].trim_matches(|c: char| c.is_ascii_whitespace());
                (title.to_owned(), description.to_owned())
            }
            None => (String::new(), doc.to_owned()),
        }
    }
}

/// A Rust file split into what the compiler reads besides doc comments, and its doc
/// comments.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    /// A 128-bit hash of the tokens, with each item's doc comments replaced by one
    /// placeholder (the text itself is as long as the file; scans are cached).
    pub skeleton: [u64; 2],
    /// The doc comments, in the order of their placeholders.
    pub blocks: Vec<DocBlock>,
    /// The value of every other string literal (a description could be set by one).
    pub literals: Vec<String>,
}

/// Scans Rust source text; fails on text that is not Rust tokens, or that holds a
/// carriage return (see the module documentation).
pub fn scan(source: &str) -> Result<Scan, String> {
    if source.contains('\r') {
        return Err("has carriage returns (CRLF line endings)".into());
    }
    let tokens: TokenStream = source
        .parse()
        .map_err(|e| format!("is not valid Rust tokens: {e}"))?;
    let mut out = Tokens::default();
    scan_stream(tokens, &mut out);
    Ok(Scan {
        skeleton: hash128(out.skeleton.as_bytes()),
        blocks: out.blocks,
        literals: out.literals,
    })
}

/// A scan under way: the skeleton's text, before it is hashed.
#[derive(Default)]
struct Tokens {
    skeleton: String,
    blocks: Vec<DocBlock>,
    literals: Vec<String>,
}

/// Two SipHash-1-3 hashes of `bytes` under different keys: the hash of the cache
/// (file contents, token skeletons). Stable for a given Rust release, which is all a
/// cache needs (another release only misses).
pub(crate) fn hash128(bytes: &[u8]) -> [u64; 2] {
    use std::hash::{Hash, Hasher};
    [(0, 0), (0x9e37_79b9_7f4a_7c15, 0xbf58_476d_1ce4_e5b9)].map(|(k0, k1)| {
        #[allow(deprecated)] // the keyed SipHasher of std: stable for a given Rust release
        let mut h = std::hash::SipHasher::new_with_keys(k0, k1);
        bytes.hash(&mut h);
        h.finish()
    })
}

/// The text of the string literal `lit`, or `None` when it is another kind of literal.
fn string_value(lit: &proc_macro2::Literal) -> Option<String> {
    match syn::Lit::new(lit.clone()) {
        syn::Lit::Str(s) => Some(s.value()),
        _ => None,
    }
}

/// `#[doc = "..."]` / `#![doc = "..."]` at the start of `tokens`: whether it is inner,
/// its text, and how many tokens it spans.
fn doc_attribute(tokens: &[TokenTree]) -> Option<(bool, String, usize)> {
    let TokenTree::Punct(pound) = tokens.first()? else {
        return None;
    };
    if pound.as_char() != '#' {
        return None;
    }
    let inner = matches!(tokens.get(1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
    let at = if inner { 2 } else { 1 };
    let TokenTree::Group(group) = tokens.get(at)? else {
        return None;
    };
    if group.delimiter() != Delimiter::Bracket {
        return None;
    }
    let body: Vec<TokenTree> = group.stream().into_iter().collect();
    match body.as_slice() {
        [
            TokenTree::Ident(doc),
            TokenTree::Punct(eq),
            TokenTree::Literal(lit),
        ] if doc == "doc" && eq.as_char() == '=' => Some((inner, string_value(lit)?, at + 1)),
        _ => None,
    }
}

/// Any attribute at the start of `tokens`: how many tokens it spans.
fn attribute_len(tokens: &[TokenTree]) -> Option<usize> {
    match tokens {
        [TokenTree::Punct(p), TokenTree::Group(g), ..]
            if p.as_char() == '#' && g.delimiter() == Delimiter::Bracket =>
        {
            Some(2)
        }
        [
            TokenTree::Punct(p),
            TokenTree::Punct(bang),
            TokenTree::Group(g),
            ..,
        ] if p.as_char() == '#' && bang.as_char() == '!' && g.delimiter() == Delimiter::Bracket => {
            Some(3)
        }
        _ => None,
    }
}

fn scan_stream(tokens: TokenStream, out: &mut Tokens) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        if attribute_len(&tokens[i..]).is_some() {
            // A run of attributes: the doc comments of one item (and of the module,
            // for `//!`), wherever they sit among its other attributes.
            let mut outer: Option<usize> = None;
            let mut inner: Option<usize> = None;
            while let Some(len) = attribute_len(&tokens[i..]) {
                if let Some((is_inner, text, len)) = doc_attribute(&tokens[i..]) {
                    let slot = if is_inner { &mut inner } else { &mut outer };
                    let block = *slot.get_or_insert_with(|| {
                        out.skeleton
                            .push_str(if is_inner { "#![doc] " } else { "#[doc] " });
                        out.blocks.push(DocBlock {
                            inner: is_inner,
                            lines: Vec::new(),
                        });
                        out.blocks.len() - 1
                    });
                    out.blocks[block].lines.push(text);
                    i += len;
                } else {
                    for t in &tokens[i..i + len] {
                        scan_tree(t.clone(), out);
                    }
                    i += len;
                }
            }
            continue;
        }
        scan_tree(tokens[i].clone(), out);
        i += 1;
    }
}

fn scan_tree(tree: TokenTree, out: &mut Tokens) {
    match tree {
        TokenTree::Group(g) => {
            let (open, close) = match g.delimiter() {
                Delimiter::Parenthesis => ("( ", ") "),
                Delimiter::Brace => ("{ ", "} "),
                Delimiter::Bracket => ("[ ", "] "),
                Delimiter::None => ("<none> ", "</none> "),
            };
            out.skeleton.push_str(open);
            scan_stream(g.stream(), out);
            out.skeleton.push_str(close);
        }
        TokenTree::Literal(lit) => {
            if let Some(value) = string_value(&lit) {
                out.literals.push(value);
            }
            out.skeleton.push_str(&lit.to_string());
            out.skeleton.push(' ');
        }
        TokenTree::Punct(p) => {
            out.skeleton.push(p.as_char());
            // Joint punctuation (`::`, `=>`) is one operator; alone, it is not.
            out.skeleton
                .push(if p.spacing() == proc_macro2::Spacing::Joint {
                    '\u{1}'
                } else {
                    ' '
                });
        }
        TokenTree::Ident(id) => {
            out.skeleton.push_str(&id.to_string());
            out.skeleton.push(' ');
        }
    }
}

/// One doc comment whose text changed: its text before and after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocEdit {
    pub old: DocBlock,
    pub new: DocBlock,
}

/// The doc comments that changed from `old` to `new` (two scans of one file), or
/// `None` when anything but doc-comment text changed.
pub fn doc_edits(old: &Scan, new: &Scan) -> Option<Vec<DocEdit>> {
    if old.skeleton != new.skeleton || old.blocks.len() != new.blocks.len() {
        return None;
    }
    Some(
        old.blocks
            .iter()
            .zip(&new.blocks)
            .filter(|(o, n)| o != n)
            .map(|(o, n)| DocEdit {
                old: o.clone(),
                new: n.clone(),
            })
            .collect(),
    )
}

/// Description replacements, old text to new, planned from doc edits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Substitutions {
    replace: BTreeMap<String, String>,
}

impl Substitutions {
    /// Plans the `edits` against what the build program last compiled: `scans` (every
    /// scanned source file then, whose string literals could also be descriptions)
    /// and `built` (its pass-1 CRDs). Edits of module docs (`//!`) are dropped: no
    /// schema reads them. Fails with the reason when an edit cannot be made exactly
    /// (see the module documentation).
    pub fn plan<'a>(
        edits: &[DocEdit],
        scans: impl IntoIterator<Item = &'a Scan> + Clone,
        built: &[&Value],
    ) -> Result<Self, String> {
        let mut replace = BTreeMap::new();
        let mut wanted = BTreeSet::new();
        for edit in edits.iter().filter(|e| !e.old.inner) {
            let (old_title, old) = edit.old.schema_text();
            let (new_title, new) = edit.new.schema_text();
            if !old_title.is_empty() || !new_title.is_empty() {
                return Err(format!(
                    "the doc comment \"{}\" has a `#` heading (a schema title)",
                    short(&edit.new)
                ));
            }
            if old.is_empty() || new.is_empty() {
                return Err(format!(
                    "a doc comment became or was empty (\"{}\")",
                    short(&edit.old)
                ));
            }
            if old == new {
                // Only what schemars trims (a trailing space, a blank last line).
                continue;
            }
            if replace.insert(old.clone(), new).is_some() {
                return Err(format!(
                    "two edited doc comments read \"{}\"",
                    short(&edit.old)
                ));
            }
            wanted.insert(old);
        }
        if replace.is_empty() {
            return Ok(Self { replace });
        }
        // Old texts shared with another doc comment or a string literal: the
        // description found could be the other one's.
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for scan in scans.clone() {
            for block in scan.blocks.iter().filter(|b| !b.inner) {
                let text = block.schema_text().1;
                if let Some(old) = wanted.get(text.as_str()) {
                    *seen.entry(old.as_str()).or_default() += 1;
                }
            }
        }
        for scan in scans {
            for lit in &scan.literals {
                if let Some(old) = wanted.get(lit.as_str()) {
                    *seen.entry(old.as_str()).or_default() += 2;
                }
            }
        }
        for (old, n) in &seen {
            if *n > 1 {
                return Err(format!(
                    "another doc comment or string literal also reads \"{}\"",
                    shorten(old)
                ));
            }
        }
        let mut found = BTreeSet::new();
        for crd in built {
            each_description(crd, &mut |d| {
                if replace.contains_key(d) {
                    found.insert(d.to_owned());
                }
            });
        }
        if let Some(old) = wanted.iter().find(|o| !found.contains(*o)) {
            return Err(format!(
                "the doc comment \"{}\" is not a description in any CRD (not a type, field or \
                 variant of one)",
                shorten(old)
            ));
        }
        Ok(Self { replace })
    }

    /// How many doc comments the plan rewrites.
    pub fn len(&self) -> usize {
        self.replace.len()
    }

    /// Whether the plan changes nothing.
    pub fn is_empty(&self) -> bool {
        self.replace.is_empty()
    }

    /// Replaces every planned description in `crd`.
    pub fn apply(&self, crd: &mut Value) {
        match crd {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    match value {
                        Value::String(s) if key == "description" => {
                            if let Some(new) = self.replace.get(s.as_str()) {
                                new.clone_into(s);
                            }
                        }
                        _ => self.apply(value),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.apply(v)),
            _ => {}
        }
    }
}

/// Calls `f` with every `description` string in `value`.
fn each_description(value: &Value, f: &mut impl FnMut(&str)) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match value {
                    Value::String(s) if key == "description" => f(s),
                    _ => each_description(value, f),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| each_description(v, f)),
        _ => {}
    }
}

fn short(block: &DocBlock) -> String {
    shorten(block.lines.first().map_or("", |l| l.trim()))
}

fn shorten(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(60) {
        Some((at, _)) => format!("{}...", &line[..at]),
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn edits(old: &str, new: &str) -> Option<Vec<DocEdit>> {
        doc_edits(&scan(old).expect("rust"), &scan(new).expect("rust"))
    }

    #[test]
    fn the_text_of_a_doc_comment_is_what_schemars_writes() {
        let s = scan("/// # Title\n///   indented\n///\n/// last  \nstruct A;").expect("rust");
        assert_eq!(
            s.blocks[0].schema_text(),
            ("Title".into(), "indented\n\nlast".into())
        );
        let s = scan("/// first\n///  two spaces\n#[serde(x)]\n/// after an attribute\nstruct A;")
            .expect("rust");
        assert_eq!(s.blocks.len(), 1, "one block per item");
        assert_eq!(
            s.blocks[0].schema_text().1,
            "first\n two spaces\nafter an attribute",
            "one leading space removed per line, lines joined"
        );
        let s = scan("#[doc = \"quoted \\\"x\\\" \\u{e9}\"]\nstruct A;").expect("rust");
        assert_eq!(s.blocks[0].schema_text().1, "quoted \"x\" é");
    }

    #[test]
    fn only_doc_text_changes_are_doc_edits() {
        let base = "//! Module.\n/// A thing.\nstruct A {\n    /// The field.\n    #[serde(default)]\n    f: u8, // note\n}\n";
        let reworded = base.replace("The field.", "The field, reworded.");
        let e = edits(base, &reworded).expect("doc only");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].new.lines, [" The field, reworded."]);
        // Comments and layout are not tokens.
        let relaid = base
            .replace("// note", "// other")
            .replace("    f", "\n\n  f");
        assert_eq!(edits(base, &relaid), Some(vec![]));
        // Lines added to a block stay one edit.
        let longer = base.replace("/// A thing.\n", "/// A thing.\n///\n/// More.\n");
        assert_eq!(edits(base, &longer).expect("doc only").len(), 1);
        // Anything else is structural.
        for other in [
            base.replace("u8", "u16"),
            base.replace("#[serde(default)]", "#[serde(default, rename = \"g\")]"),
            base.replace("    /// The field.\n", ""),
            base.replace("struct A {", "/// New doc.\nstruct B;\nstruct A {"),
            base.replace(
                "#[serde(default)]\n",
                "#[serde(default)]\n    /// Moved below.\n",
            )
            .replace("    /// The field.\n", ""),
        ] {
            assert_eq!(edits(base, &other), None, "{other}");
        }
        // Other attributes are structural wherever they are: first in the file, or
        // written like a doc attribute (`name = "literal"`).
        for (old, new) in [
            ("#[derive(A)]\nstruct S;", "#[derive(B)]\nstruct S;"),
            ("#[path = \"a.rs\"]\nmod m;", "#[path = \"b.rs\"]\nmod m;"),
            (
                "#![doc(test = \"a\")]\nstruct S;",
                "#![doc(test = \"b\")]\nstruct S;",
            ),
        ] {
            assert_eq!(edits(old, new), None, "{new}");
        }
    }

    #[test]
    fn only_pound_bracket_and_pound_bang_bracket_are_attributes() {
        let tokens = |s: &str| -> Vec<TokenTree> {
            s.parse::<TokenStream>()
                .expect("tokens")
                .into_iter()
                .collect()
        };
        assert_eq!(attribute_len(&tokens("#[a] x")), Some(2));
        assert_eq!(attribute_len(&tokens("#![a] x")), Some(3));
        for not in ["! [a]", "#(a)", "#!(a)", "#!{a}", "&![a]", "#", "x"] {
            assert_eq!(attribute_len(&tokens(not)), None, "{not}");
        }
        assert_eq!(
            doc_attribute(&tokens("#[doc = \"x\"]")),
            Some((false, "x".into(), 2))
        );
        assert_eq!(
            doc_attribute(&tokens("#![doc = \"x\"]")),
            Some((true, "x".into(), 3))
        );
        for not in [
            "#[path = \"x\"]",
            "#[doc(\"x\")]",
            "#[doc = 1]",
            "#(doc = \"x\")",
        ] {
            assert_eq!(doc_attribute(&tokens(not)), None, "{not}");
        }
    }

    #[test]
    fn doc_comments_inside_macro_invocations_are_found() {
        let base = "m! { /// Inside.\n struct A; }";
        let e = edits(base, &base.replace("Inside", "In")).expect("doc only");
        assert_eq!(e.len(), 1);
    }

    #[test]
    fn carriage_returns_are_refused() {
        assert!(scan("/// a\r\nstruct A;").is_err());
    }

    fn plan(old: &str, new: &str, built: Value) -> Result<Substitutions, String> {
        let (o, n) = (scan(old).expect("rust"), scan(new).expect("rust"));
        let e = doc_edits(&o, &n).expect("doc only");
        Substitutions::plan(&e, [&o], &[&built])
    }

    #[test]
    fn a_planned_edit_replaces_every_description_it_produced() {
        let old = "/// Old.\nstruct A;\n/// Other.\nstruct B;";
        let new = old.replace("Old.", "New: \"quoted\".");
        let mut built = json!({"properties": {
            "a": {"description": "Old."},
            "list": {"items": {"description": "Old."}},
            "b": {"description": "Other.", "default": "Old."},
            "description": {"type": "string", "enum": ["Old."]},
        }});
        let p = plan(old, &new, built.clone()).expect("planned");
        assert_eq!(p.len(), 1);
        assert!(!p.is_empty());
        p.apply(&mut built);
        // Only descriptions: the same text as a default (or an enum value) stays.
        assert_eq!(
            built,
            json!({"properties": {
                "a": {"description": "New: \"quoted\"."},
                "list": {"items": {"description": "New: \"quoted\"."}},
                "b": {"description": "Other.", "default": "Old."},
                "description": {"type": "string", "enum": ["Old."]},
            }})
        );
    }

    #[test]
    fn edits_that_cannot_be_made_exactly_are_refused() {
        let built = json!({"a": {"description": "Shared."}, "b": {"description": "Solo."},
            "c": {"default": "Helper."}});
        let refused = |old: &str, new: &str| plan(old, new, built.clone()).expect_err("refused");
        // The same text on two items: which description is whose?
        let shared = "/// Shared.\nstruct A;\n/// Shared.\nstruct B;";
        assert_eq!(
            refused(shared, &shared.replacen("Shared.", "Mine.", 1)),
            "another doc comment or string literal also reads \"Shared.\""
        );
        // Long texts are shortened in messages.
        let long = format!("/// {}\nstruct A;\n/// {0}\nstruct B;", "word ".repeat(20));
        assert_eq!(
            refused(&long, &long.replacen("word", "term", 1)),
            format!(
                "another doc comment or string literal also reads \"{}...\"",
                &"word ".repeat(12)
            )
        );
        // The same text in a string literal.
        let lit = "/// Solo.\nstruct A;\nconst D: &str = \"Solo.\";";
        assert!(refused(lit, &lit.replace("/// Solo.", "/// New.")).contains("also reads"));
        // Not in any schema (e.g. a function's doc).
        // (A default of the same text is not a description.)
        let func = "/// Helper.\nfn f() {}";
        assert_eq!(
            refused(func, &func.replace("Helper", "Aid")),
            "the doc comment \"Helper.\" is not a description in any CRD (not a type, field or variant of one)"
        );
        // Titles and empty texts change more than a description.
        let solo = "/// Solo.\nstruct A;";
        assert_eq!(
            refused(solo, &solo.replace("Solo.", "# Solo")),
            "the doc comment \"# Solo\" has a `#` heading (a schema title)"
        );
        assert_eq!(
            refused(solo, &solo.replace("Solo.", "")),
            "a doc comment became or was empty (\"Solo.\")"
        );
        // Module docs are never in a schema: nothing to do.
        let module = "//! Mod.\n/// Solo.\nstruct A;";
        let p = plan(module, &module.replace("Mod.", "Module."), built.clone()).expect("ok");
        assert!(p.is_empty());
    }
}
