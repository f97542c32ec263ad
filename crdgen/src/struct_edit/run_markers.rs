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
    let (path, args): (&syn::Path, Vec<&Expr>) = match t {
        Expr::Path(p) if p.qself.is_none() => (&p.path, Vec::new()),
        Expr::Call(c) => match &*c.func {
            Expr::Path(p) if p.qself.is_none() => (&p.path, c.args.iter().collect()),
            _ => return Err(refuse()),
        },
        _ => return Err(refuse()),
    };
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let name = match segments
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["markers", name] | ["crdgen", "markers", name] => (*name).to_owned(),
        _ => return Err(refuse()),
    };
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
