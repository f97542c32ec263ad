//! The `transform`s the field-edit path runs itself: calls of [`crate::markers`]
//! functions (written `markers::NAME` or `crdgen::markers::NAME`) whose arguments are
//! literals: numbers, strings, lists of strings (`&["a", "b"]`), `Some(n)`/`None`,
//! and other such markers (`markers::each(markers::port)`). The same functions the
//! compiled build program calls, with the same arguments, so the same schema.
//!
//! Anything else (a function of the API crate, a constant, an expression, a marker
//! that needs a `'static` argument) is refused: it runs only when compiled.

use crate::markers as m;
use quote::ToTokens;
use schemars::Schema;
use serde_json::Value;
use syn::{Expr, Lit, UnOp};

/// A marker ready to apply.
pub(super) type Marker = Box<dyn FnMut(&mut Schema)>;

/// The marker `t` names, with its arguments read.
pub(super) fn marker(t: &Expr) -> Result<Marker, String> {
    let refuse = || {
        format!(
            "transform `{}` runs only when compiled",
            t.to_token_stream()
        )
    };
    let (name, args) = name_and_args(t).ok_or_else(refuse)?;
    let arg = |i: usize| args.get(i).copied().ok_or_else(refuse);
    let n = args.len();
    let marker: Marker = match (name.as_str(), n) {
        ("port", 0) => Box::new(m::port),
        ("dns_subdomain", 0) => Box::new(m::dns_subdomain),
        ("enum_sorted", 0) => Box::new(m::enum_sorted),
        ("list_atomic", 0) => Box::new(m::list_atomic),
        ("list_set", 0) => Box::new(m::list_set),
        ("map_atomic", 0) => Box::new(m::map_atomic),
        ("map_granular", 0) => Box::new(m::map_granular),
        ("plain_integer", 0) => Box::new(m::plain_integer),
        ("int_or_string", 0) => Box::new(m::int_or_string),
        ("quantity", 0) => Box::new(m::quantity),
        ("byte_size", 0) => Box::new(m::byte_size),
        ("free_form_object", 0) => Box::new(m::free_form_object),
        ("preserve_unknown_fields", 0) => Box::new(m::preserve_unknown_fields),
        ("range", 2) => Box::new(m::range(int(arg(0)?)?, int(arg(1)?)?)),
        ("length", 2) => Box::new(m::length(uint(arg(0)?)?, uint(arg(1)?)?)),
        ("max_length", 1) => Box::new(m::max_length(uint(arg(0)?)?)),
        ("items", 2) => Box::new(m::items(uint(arg(0)?)?, uint(arg(1)?)?)),
        ("max_items", 1) => Box::new(m::max_items(uint(arg(0)?)?)),
        ("properties", 2) => Box::new(m::properties(opt_uint(arg(0)?)?, opt_uint(arg(1)?)?)),
        ("pattern", 1) => Box::new(m::pattern(string(arg(0)?)?)),
        ("cel", 2) => Box::new(m::cel(string(arg(0)?)?, string(arg(1)?)?)),
        ("cel_rule", 1) => Box::new(m::cel_rule(string(arg(0)?)?)),
        ("list_map", 1) => Box::new(m::list_map(strings(arg(0)?)?)),
        ("exactly_one_of", 1) => Box::new(m::exactly_one_of(strings(arg(0)?)?)),
        ("at_most_one_of", 1) => Box::new(m::at_most_one_of(strings(arg(0)?)?)),
        ("at_least_one_of", 1) => Box::new(m::at_least_one_of(strings(arg(0)?)?)),
        ("default", 1) => Box::new(m::default(value(arg(0)?)?)),
        ("each", 1) => Box::new(m::each(marker(arg(0)?)?)),
        _ => return Err(refuse()),
    };
    Ok(marker)
}

/// The name of the marker a transform calls (`port` of `markers::port` or
/// `crdgen::markers::port`, `range` of `markers::range(1, 2)`), and its arguments.
pub(super) fn name_and_args(t: &Expr) -> Option<(String, Vec<&Expr>)> {
    let (path, args): (&syn::Path, Vec<&Expr>) = match t {
        Expr::Path(p) if p.qself.is_none() => (&p.path, Vec::new()),
        Expr::Call(c) => match &*c.func {
            Expr::Path(p) if p.qself.is_none() => (&p.path, c.args.iter().collect()),
            _ => return None,
        },
        _ => return None,
    };
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segments
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["markers", name] | ["crdgen", "markers", name] => Some(((*name).to_owned(), args)),
        _ => None,
    }
}

fn not_literal(e: &Expr) -> String {
    format!("`{}` is not a literal", e.to_token_stream())
}

/// A literal, possibly negated.
fn literal(e: &Expr) -> Result<(bool, &Lit), String> {
    match e {
        Expr::Lit(l) => Ok((false, &l.lit)),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => match &*u.expr {
            Expr::Lit(l) => Ok((true, &l.lit)),
            _ => Err(not_literal(e)),
        },
        Expr::Group(g) => literal(&g.expr),
        Expr::Paren(p) => literal(&p.expr),
        _ => Err(not_literal(e)),
    }
}

fn int(e: &Expr) -> Result<i64, String> {
    match literal(e)? {
        (neg, Lit::Int(i)) => {
            let v: i64 = i.base10_parse().map_err(|x| x.to_string())?;
            Ok(if neg { -v } else { v })
        }
        _ => Err(not_literal(e)),
    }
}

fn uint(e: &Expr) -> Result<u64, String> {
    match literal(e)? {
        (false, Lit::Int(i)) => i.base10_parse().map_err(|x| x.to_string()),
        _ => Err(not_literal(e)),
    }
}

fn opt_uint(e: &Expr) -> Result<Option<u64>, String> {
    match e {
        Expr::Path(p) if p.path.is_ident("None") => Ok(None),
        Expr::Call(c)
            if matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Some"))
                && c.args.len() == 1 =>
        {
            uint(&c.args[0]).map(Some)
        }
        _ => Err(not_literal(e)),
    }
}

fn string(e: &Expr) -> Result<String, String> {
    match literal(e)? {
        (false, Lit::Str(s)) => Ok(s.value()),
        _ => Err(not_literal(e)),
    }
}

/// `&["a", "b"]` or `["a", "b"]`.
fn strings(e: &Expr) -> Result<Vec<String>, String> {
    match e {
        Expr::Reference(r) if r.mutability.is_none() => strings(&r.expr),
        Expr::Array(a) => a.elems.iter().map(string).collect(),
        _ => Err(not_literal(e)),
    }
}

/// A literal as the JSON value the compiled call gives it: an unsuffixed integer is
/// an `i32`, a float an `f64`.
fn value(e: &Expr) -> Result<Value, String> {
    match literal(e)? {
        (false, Lit::Str(s)) => Ok(s.value().into()),
        (false, Lit::Bool(b)) => Ok(b.value.into()),
        (neg, Lit::Int(i)) if i.suffix().is_empty() => {
            let v: i64 = i.base10_parse().map_err(|x| x.to_string())?;
            let v = i32::try_from(if neg { -v } else { v }).map_err(|x| x.to_string())?;
            Ok(v.into())
        }
        (neg, Lit::Float(f)) if f.suffix().is_empty() => {
            let v: f64 = f.base10_parse().map_err(|x| x.to_string())?;
            Ok((if neg { -v } else { v }).into())
        }
        _ => Err(not_literal(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The marker written as `src` applied to `schema`, as the field-edit path runs it.
    fn run(src: &str, schema: &Value) -> Result<Value, String> {
        let e: Expr = syn::parse_str(src).map_err(|e| e.to_string())?;
        let mut s = Schema::try_from(schema.clone()).map_err(|e| e.to_string())?;
        marker(&e)?(&mut s);
        Ok(s.to_value())
    }

    /// `f` applied to `schema`, as the compiled program runs it.
    fn direct(mut f: impl FnMut(&mut Schema), schema: &Value) -> Value {
        let mut s = Schema::try_from(schema.clone()).expect("a schema");
        f(&mut s);
        s.to_value()
    }

    #[test]
    fn each_marker_runs_as_the_compiled_call() {
        let int = json!({ "type": "integer", "format": "int32" });
        let string = json!({ "type": "string" });
        let list = json!({ "type": "array", "items": { "type": "object",
            "properties": { "key": { "type": "string" } }, "required": ["key"] } });
        let object = json!({ "type": "object", "properties": {
            "a": { "type": "string" }, "b": { "type": "string" } } });
        let map = json!({ "type": "object", "additionalProperties": { "type": "string" } });
        let ints = json!({ "type": "array", "items": int });
        let unsorted = json!({ "enum": ["b", "a"] });
        let any = json!({});
        let boolean = json!({ "type": "boolean" });
        let number = json!({ "type": "number" });
        let cases: Vec<(&str, &Value, Value)> = vec![
            ("markers::port", &int, direct(m::port, &int)),
            (
                "crdgen::markers::dns_subdomain",
                &string,
                direct(m::dns_subdomain, &string),
            ),
            (
                "markers::enum_sorted",
                &unsorted,
                direct(m::enum_sorted, &unsorted),
            ),
            ("markers::list_atomic", &list, direct(m::list_atomic, &list)),
            ("markers::list_set", &ints, direct(m::list_set, &ints)),
            ("markers::map_atomic", &map, direct(m::map_atomic, &map)),
            ("markers::map_granular", &map, direct(m::map_granular, &map)),
            (
                "markers::plain_integer",
                &int,
                direct(m::plain_integer, &int),
            ),
            (
                "markers::int_or_string",
                &any,
                direct(m::int_or_string, &any),
            ),
            ("markers::quantity", &string, direct(m::quantity, &string)),
            ("markers::byte_size", &string, direct(m::byte_size, &string)),
            (
                "markers::preserve_unknown_fields",
                &object,
                direct(m::preserve_unknown_fields, &object),
            ),
            ("markers::range(-1, 5)", &int, direct(m::range(-1, 5), &int)),
            ("markers::range((2), 9)", &int, direct(m::range(2, 9), &int)),
            (
                "markers::length(1, 64)",
                &string,
                direct(m::length(1, 64), &string),
            ),
            (
                "markers::max_length(3)",
                &string,
                direct(m::max_length(3), &string),
            ),
            ("markers::items(1, 2)", &list, direct(m::items(1, 2), &list)),
            (
                "markers::max_items(4)",
                &list,
                direct(m::max_items(4), &list),
            ),
            (
                "markers::free_form_object",
                &any,
                direct(m::free_form_object, &any),
            ),
            (
                "markers::properties(Some(1), None)",
                &map,
                direct(m::properties(Some(1), None), &map),
            ),
            (
                "markers::properties(None, Some(8))",
                &map,
                direct(m::properties(None, Some(8)), &map),
            ),
            (
                "markers::pattern(\"^a+$\")",
                &string,
                direct(m::pattern("^a+$"), &string),
            ),
            (
                "markers::cel(\"self > 0\", \"positive\")",
                &int,
                direct(m::cel("self > 0", "positive"), &int),
            ),
            (
                "markers::cel_rule(\"self > 0\")",
                &int,
                direct(m::cel_rule("self > 0"), &int),
            ),
            (
                "markers::list_map(&[\"key\"])",
                &list,
                direct(m::list_map(["key"]), &list),
            ),
            (
                "markers::exactly_one_of(&[\"a\", \"b\"])",
                &object,
                direct(m::exactly_one_of(["a", "b"]), &object),
            ),
            (
                "markers::at_most_one_of([\"a\", \"b\"])",
                &object,
                direct(m::at_most_one_of(["a", "b"]), &object),
            ),
            (
                "markers::at_least_one_of(&[\"a\", \"b\"])",
                &object,
                direct(m::at_least_one_of(["a", "b"]), &object),
            ),
            ("markers::default(3)", &int, direct(m::default(3), &int)),
            ("markers::default(-3)", &int, direct(m::default(-3), &int)),
            (
                "markers::default(\"x\")",
                &string,
                direct(m::default("x"), &string),
            ),
            (
                "markers::default(true)",
                &boolean,
                direct(m::default(true), &boolean),
            ),
            (
                "markers::default(1.5)",
                &number,
                direct(m::default(1.5), &number),
            ),
            (
                "markers::default(-1.5)",
                &number,
                direct(m::default(-1.5), &number),
            ),
            (
                "markers::each(markers::port)",
                &ints,
                direct(m::each(m::port), &ints),
            ),
        ];
        for (src, schema, want) in cases {
            let got = run(src, schema).unwrap_or_else(|e| panic!("{src}: {e}"));
            assert_eq!(got, want, "{src}");
            assert_ne!(&got, schema, "{src} changes the schema");
        }
    }

    #[test]
    fn anything_but_a_literal_call_of_a_known_marker_is_refused() {
        let schema = json!({ "type": "integer" });
        for (src, why) in [
            ("markers::unknown", "runs only when compiled"),
            ("other::port", "runs only when compiled"),
            ("port", "runs only when compiled"),
            ("markers::port(1)", "runs only when compiled"),
            ("markers::range(1)", "runs only when compiled"),
            ("(markers::port)(1)", "runs only when compiled"),
            ("markers::range(MIN, 5)", "`MIN` is not a literal"),
            ("markers::range(!1, 5)", "`! 1` is not a literal"),
            ("markers::range(-(1), 5)", "`- (1)` is not a literal"),
            ("markers::range(1.5, 5)", "`1.5` is not a literal"),
            ("markers::length(-1, 3)", "`- 1` is not a literal"),
            ("markers::max_length(\"3\")", "`\"3\"` is not a literal"),
            ("markers::pattern(-\"a\")", "is not a literal"),
            ("markers::pattern(1)", "`1` is not a literal"),
            ("markers::properties(Some(1, 2), None)", "is not a literal"),
            ("markers::properties(Ok(1), None)", "is not a literal"),
            ("markers::properties(1, None)", "`1` is not a literal"),
            ("markers::list_map(&mut [\"key\"])", "is not a literal"),
            ("markers::list_map(vec![\"key\"])", "is not a literal"),
            ("markers::default(-true)", "is not a literal"),
            ("markers::default(3u8)", "`3u8` is not a literal"),
            ("markers::default(1.5f32)", "`1.5f32` is not a literal"),
            ("markers::default(3000000000)", "out of range"),
            (
                "markers::range(99999999999999999999, 1)",
                "number too large",
            ),
            ("markers::each(port)", "runs only when compiled"),
            ("<T as markers>::port", "runs only when compiled"),
            (
                "markers::properties(Some(1), MAX)",
                "`MAX` is not a literal",
            ),
            ("<T as markers>::range(1, 2)", "runs only when compiled"),
        ] {
            let err = run(src, &schema).expect_err(src);
            assert!(err.contains(why), "{src}: {err}");
        }
    }

    #[test]
    fn a_literal_in_invisible_delimiters_is_read() {
        // Macro expansion wraps an argument in a `None`-delimited group.
        let lit: Expr = syn::parse_str("7").expect("a literal");
        let group = Expr::Group(syn::ExprGroup {
            attrs: Vec::new(),
            group_token: Default::default(),
            expr: Box::new(lit),
        });
        assert_eq!(int(&group), Ok(7));
        assert_eq!(uint(&group), Ok(7));
    }
}
