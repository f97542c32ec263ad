//! Marker functions of the API: a `transform` that names a function of the API's own
//! source whose body only applies markers to its schema, in order, e.g.
//!
//! ```ignore
//! pub fn conditions(s: &mut schemars::Schema) {
//!     markers::max_items(8)(s);
//!     markers::list_map(&["type"])(s);
//! }
//! ```
//!
//! is the same as those markers written on the field one after the other. This module
//! replaces such a `transform` by the markers of its body ([`Graph::expand`]), so that
//! the field-edit path can run them ([`run_markers`](super::run_markers)) and judge
//! them ([`FIELD_SET_INDEPENDENT`](super::FIELD_SET_INDEPENDENT)) like markers
//! written in place.
//!
//! | in a marker function | taken | refused, and why |
//! | --- | --- | --- |
//! | the function | defined once in the API, by an item (not a method), not generic, one parameter `&mut Schema`, no return type | anything else: it is code that runs only when compiled |
//! | each statement of its body | a call of a marker, or of another marker function, on the parameter: `markers::length(1, 63)(s);`, `markers::list_set(s);`, `conditions(s);` | `let`, `if`, closures, any other use of the schema |
//! | an argument of a marker | a literal, or a constant of the API defined once as a literal of type `&str` or an integer type | other constants (a float constant's value may not be its literal's), expressions |
//!
//! A name is the API's only when no `use` item imports that name from another crate
//! and none imports all of another crate's module (`use other::*`), which may bring
//! any name.

use super::*;
use quote::ToTokens;
use syn::{FnArg, ReturnType, Stmt};

/// How deep marker functions may call each other (a function that calls itself is
/// refused at this depth).
const MAX_DEPTH: usize = 16;

/// Integer types whose constants are written into a schema as their literal is.
const INTEGER_TYPES: &[&str] = &[
    "i8", "i16", "i32", "i64", "isize", "u8", "u16", "u32", "u64", "usize",
];

impl Graph<'_> {
    /// The markers a `transform` applies: the marker functions of the API it names,
    /// expanded to the markers of their bodies, and the API's constants in arguments
    /// replaced by their literals. Anything else is given back as it is: the caller
    /// refuses what it does not know.
    pub(super) fn expand(&self, t: &Expr) -> Result<Vec<Expr>, String> {
        self.expand_at(t, 0)
    }

    /// `ts` expanded, or as they are when one cannot be: for judging transforms,
    /// where what is not expanded is refused as unknown.
    pub(super) fn expanded(&self, ts: &[Expr]) -> Vec<Expr> {
        self.expand_all(ts).unwrap_or_else(|_| ts.to_vec())
    }

    /// [`Self::expand`] of every transform of `ts`, in order.
    pub(super) fn expand_all(&self, ts: &[Expr]) -> Result<Vec<Expr>, String> {
        let mut out = Vec::new();
        for t in ts {
            out.extend(self.expand(t)?);
        }
        Ok(out)
    }

    fn expand_at(&self, t: &Expr, depth: usize) -> Result<Vec<Expr>, String> {
        let text = || t.to_token_stream().to_string();
        if depth > MAX_DEPTH {
            return Err(format!(
                "transform `{}`: marker functions call each other more than {MAX_DEPTH} deep",
                text()
            ));
        }
        let Expr::Path(p) = t else {
            return Ok(vec![self.substitute(t)]);
        };
        let Some(f) = self.api_item(&p.path, &self.fns)? else {
            return Ok(vec![t.clone()]);
        };
        let refuse = |why: &str| format!("transform `{}` runs only when compiled: {why}", text());
        let param = marker_fn_param(f).ok_or_else(|| {
            refuse("its function does not take one `&mut Schema` and return nothing")
        })?;
        let mut out = Vec::new();
        for stmt in &f.block.stmts {
            let call = match stmt {
                Stmt::Expr(Expr::Call(c), _) => c,
                _ => {
                    return Err(refuse(&format!(
                        "`{}` in its function is not a marker applied to `{param}`",
                        stmt.to_token_stream()
                    )));
                }
            };
            let on_param = call.attrs.is_empty()
                && call.args.len() == 1
                && matches!(&call.args[0], Expr::Path(a) if a.path.is_ident(&param));
            if !on_param {
                return Err(refuse(&format!(
                    "`{}` in its function is not a marker applied to `{param}`",
                    call.to_token_stream()
                )));
            }
            out.extend(self.expand_at(&call.func, depth + 1)?);
        }
        Ok(out)
    }

    /// The item of the API that `path` names in `items` (functions or constants):
    /// `None` when the path is not one of the API's names; an error when the name is
    /// defined more than once.
    fn api_item<'i, T>(
        &self,
        path: &syn::Path,
        items: &'i BTreeMap<String, Vec<T>>,
    ) -> Result<Option<&'i T>, String> {
        let Some(last) = path.segments.last() else {
            return Ok(None);
        };
        if self.foreign(path) || !last.arguments.is_none() {
            return Ok(None);
        }
        let ident = last.ident.to_string();
        let defined = self.fns.contains_key(&ident) || self.consts.contains_key(&ident);
        let name = self.renamed_from(&ident, defined);
        match items.get(name).map(Vec::as_slice) {
            Some([one]) => match &self.imported {
                // Neither the name written nor the one it renames comes from another
                // crate (`use other::f as g` makes `g` another crate's `f`).
                Some(imported) if !imported.contains(name) && !imported.contains(&ident) => {
                    Ok(Some(one))
                }
                _ => Err(format!(
                    "`{}` may be another crate's (imported from one, or by a glob import of one)",
                    path.to_token_stream()
                )),
            },
            Some(_) => Err(format!(
                "`{}` is defined more than once in the API",
                path.to_token_stream()
            )),
            None => Ok(None),
        }
    }

    /// `e` with every path that names a constant of the API (of a string or integer
    /// type, defined as a literal) replaced by that literal.
    fn substitute(&self, e: &Expr) -> Expr {
        let mut e = e.clone();
        self.substitute_in(&mut e);
        e
    }

    fn substitute_in(&self, e: &mut Expr) {
        match e {
            Expr::Call(c) => c.args.iter_mut().for_each(|a| self.substitute_in(a)),
            Expr::Reference(r) => self.substitute_in(&mut r.expr),
            Expr::Array(a) => a.elems.iter_mut().for_each(|x| self.substitute_in(x)),
            Expr::Paren(p) => self.substitute_in(&mut p.expr),
            Expr::Group(g) => self.substitute_in(&mut g.expr),
            Expr::Unary(u) => self.substitute_in(&mut u.expr),
            Expr::Path(p) if p.qself.is_none() => {
                if let Ok(Some(c)) = self.api_item(&p.path, &self.consts)
                    && literal_const(c)
                {
                    *e = (*c.expr).clone();
                }
            }
            _ => {}
        }
    }
}

/// The name of a marker function's one parameter, `s` of `fn f(s: &mut Schema)`.
fn marker_fn_param(f: &syn::ItemFn) -> Option<String> {
    let sig = &f.sig;
    let plain = sig.generics.params.is_empty()
        && sig.asyncness.is_none()
        && sig.constness.is_none()
        && sig.unsafety.is_none()
        && sig.variadic.is_none()
        && matches!(sig.output, ReturnType::Default)
        && sig.inputs.len() == 1;
    if !plain {
        return None;
    }
    let FnArg::Typed(arg) = &sig.inputs[0] else {
        return None;
    };
    let syn::Pat::Ident(name) = &*arg.pat else {
        return None;
    };
    let Type::Reference(r) = &*arg.ty else {
        return None;
    };
    let schema = r.mutability.is_some()
        && matches!(&*r.elem, Type::Path(p) if p.qself.is_none()
            && p.path.segments.last().is_some_and(|s| s.ident == "Schema"));
    (schema && name.by_ref.is_none() && name.subpat.is_none()).then(|| name.ident.to_string())
}

/// Whether a constant is a literal of a type whose value is its literal's: `&str` or
/// an integer type.
fn literal_const(c: &syn::ItemConst) -> bool {
    let str_ref = matches!(&*c.ty, Type::Reference(r) if r.mutability.is_none()
        && matches!(&*r.elem, Type::Path(p) if p.path.is_ident("str")));
    let integer = matches!(&*c.ty, Type::Path(p)
        if INTEGER_TYPES.iter().any(|t| p.path.is_ident(t)));
    let literal = match &*c.expr {
        Expr::Lit(l) => match &l.lit {
            Lit::Str(_) => str_ref,
            Lit::Int(_) => integer,
            _ => false,
        },
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => {
            integer && matches!(&*u.expr, Expr::Lit(l) if matches!(l.lit, Lit::Int(_)))
        }
        _ => false,
    };
    c.generics.params.is_empty() && literal
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::struct_edit::graph::with_graph;

    /// The expansion of the transform `t` in the API made of `src`, as text.
    fn expand(src: &str, t: &str) -> Result<Vec<String>, String> {
        let t: Expr = syn::parse_str(t).expect("the transform parses");
        with_graph(src, |graph| {
            graph
                .expand(&t)
                .map(|es| es.iter().map(|e| e.to_token_stream().to_string()).collect())
        })
    }

    fn expanded(src: &str, t: &str) -> Vec<String> {
        expand(src, t).expect("the transform is expanded")
    }

    fn refused(src: &str, t: &str) -> String {
        expand(src, t).expect_err("the transform is refused")
    }

    const API: &str = r#"
        use crdgen::markers;
        pub const PATTERN: &str = "^[a-z]+$";
        pub const LIMIT: u32 = 63;
        pub const LOW: i64 = -5;
        pub const RATIO: f32 = 0.1;
        pub const BUILT: &str = concat!("a", "b");
        pub fn name(s: &mut schemars::Schema) {
            markers::length(1, LIMIT)(s);
            markers::pattern(PATTERN)(s);
        }
        pub fn listed(s: &mut Schema) {
            markers::list_set(s);
            name(s);
            markers::range(LOW, 5)(s)
        }
        pub fn coded(s: &mut schemars::Schema) {
            if let Some(v) = s.get_mut("items") { markers::port(v) }
        }
        pub fn returns(s: &mut schemars::Schema) -> bool { true }
        pub fn two(s: &mut schemars::Schema, t: &mut schemars::Schema) {}
        pub fn loops(s: &mut schemars::Schema) { loops(s); }
        pub fn other_arg(s: &mut schemars::Schema) { markers::list_set(t); }
        pub fn floats(s: &mut schemars::Schema) { markers::default(RATIO)(s); }
        pub fn built(s: &mut schemars::Schema) { markers::pattern(BUILT)(s); }
        pub fn empty(s: &mut schemars::Schema) {}
        pub fn conditional(s: &mut schemars::Schema) {
            #[cfg(feature = "x")]
            markers::list_set(s);
        }
        mod a { pub fn twice(s: &mut schemars::Schema) {} }
        mod b { pub fn twice(s: &mut schemars::Schema) {} }
    "#;

    #[test]
    fn a_marker_function_is_its_markers_with_constants_as_literals() {
        assert_eq!(
            expanded(API, "crate::name"),
            [
                "markers :: length (1 , 63)",
                "markers :: pattern (\"^[a-z]+$\")"
            ]
        );
        // Nested functions, a zero-argument marker called on the schema, a last call
        // without a semicolon, a negative integer constant.
        assert_eq!(
            expanded(API, "listed"),
            [
                "markers :: list_set",
                "markers :: length (1 , 63)",
                "markers :: pattern (\"^[a-z]+$\")",
                "markers :: range (- 5 , 5)"
            ]
        );
        assert_eq!(expanded(API, "empty"), Vec::<String>::new());
    }

    #[test]
    fn markers_in_place_get_constants_replaced_and_the_rest_is_left_as_it_is() {
        assert_eq!(
            expanded(API, "markers::each(markers::pattern(PATTERN))"),
            ["markers :: each (markers :: pattern (\"^[a-z]+$\"))"]
        );
        assert_eq!(
            expanded(API, "markers::items(0, & [LIMIT])"),
            ["markers :: items (0 , & [63])"]
        );
        // Not constants whose value is their literal: left for run_markers to refuse.
        assert_eq!(
            expanded(API, "markers::default(RATIO)"),
            ["markers :: default (RATIO)"]
        );
        assert_eq!(
            expanded(API, "markers::pattern(BUILT)"),
            ["markers :: pattern (BUILT)"]
        );
        // Not the API's: another crate's function, an unknown name.
        assert_eq!(expanded(API, "other::name"), ["other :: name"]);
        assert_eq!(expanded(API, "unknown"), ["unknown"]);
        // Constants in parentheses and under a unary operator.
        assert_eq!(
            expanded(API, "markers::range(-(LIMIT), !LOW)"),
            ["markers :: range (- (63) , ! - 5)"]
        );
        // Constants whose value is not one integer or string literal: left as well.
        let api = format!("{API}\npub const NOT: i64 = !5;\npub const NEG: i64 = -LIMIT;\n");
        assert_eq!(
            expanded(&api, "markers::range(NOT, NEG)"),
            ["markers :: range (NOT , NEG)"]
        );
        // A type's associated constant is not the API's constant of that name.
        assert_eq!(
            expanded(API, "markers::length(1, <Limits>::LIMIT)"),
            ["markers :: length (1 , < Limits > :: LIMIT)"]
        );
    }

    #[test]
    fn a_name_the_api_defines_is_its_own_even_where_a_use_gives_it_to_another() {
        // The graph knows names, not modules: `g` is defined, and also a `use .. as g`
        // of `f` elsewhere. The definition wins, for functions as for types.
        let api = r#"
            use crdgen::markers;
            mod a { pub fn g(s: &mut schemars::Schema) { markers::list_set(s); } }
            mod b { use crate::c::f as g; }
            mod c { pub fn f(s: &mut schemars::Schema) { markers::map_atomic(s); } }
        "#;
        assert_eq!(expanded(api, "g"), ["markers :: list_set"]);
        assert_eq!(expanded(api, "f"), ["markers :: map_atomic"]);
    }

    #[test]
    fn a_marker_function_takes_one_plain_mutable_schema() {
        let param = |sig: &str| {
            let f: syn::ItemFn = syn::parse_str(&format!("{sig} {{}}")).expect("parses");
            marker_fn_param(&f)
        };
        assert_eq!(param("fn f(s: &mut Schema)").as_deref(), Some("s"));
        assert_eq!(
            param("fn f(schema: &mut schemars::Schema)").as_deref(),
            Some("schema")
        );
        for sig in [
            "fn f(s: &Schema)",
            "fn f(s: &mut Value)",
            "fn f(s: &mut <T as X>::Schema)",
            "fn f(ref s: &mut Schema)",
            "fn f(s @ _: &mut Schema)",
            "fn f(s: Schema)",
            "fn f((s, t): &mut Schema)",
        ] {
            assert_eq!(param(sig), None, "{sig}");
        }
    }

    #[test]
    fn marker_functions_may_call_each_other_sixteen_deep() {
        // `f0` calls `f1` ... calls `f{n-1}`, which applies one marker: the marker is
        // expanded at depth n.
        let chain = |n: usize| {
            let mut src = String::from("use crdgen::markers;\n");
            for i in 0..n - 1 {
                src += &format!(
                    "pub fn f{i}(s: &mut schemars::Schema) {{ f{}(s); }}\n",
                    i + 1
                );
            }
            src += &format!(
                "pub fn f{}(s: &mut schemars::Schema) {{ markers::list_set(s); }}\n",
                n - 1
            );
            src
        };
        assert_eq!(expanded(&chain(MAX_DEPTH), "f0"), ["markers :: list_set"]);
        assert!(
            refused(&chain(MAX_DEPTH + 1), "f0").contains("more than 16 deep"),
            "{}",
            refused(&chain(MAX_DEPTH + 1), "f0")
        );
    }

    #[test]
    fn functions_that_are_more_than_markers_are_refused_with_the_reason() {
        let err = |t: &str| refused(API, t);
        assert!(
            err("coded").contains("`if let Some (v) = s . get_mut (\"items\") { markers :: port (v) }` in its function is not a marker applied to `s`"),
            "{}",
            err("coded")
        );
        assert!(err("returns").contains("does not take one `&mut Schema` and return nothing"));
        assert!(err("two").contains("does not take one `&mut Schema`"));
        assert!(
            err("loops").contains("more than 16 deep"),
            "{}",
            err("loops")
        );
        assert!(
            err("other_arg").contains(
                "`markers :: list_set (t)` in its function is not a marker applied to `s`"
            ),
            "{}",
            err("other_arg")
        );
        assert!(err("twice").contains("`twice` is defined more than once in the API"));
        assert!(
            err("conditional").contains("in its function is not a marker applied to `s`"),
            "{}",
            err("conditional")
        );
        // A float constant is left as a path, which run_markers refuses.
        assert_eq!(expanded(API, "floats"), ["markers :: default (RATIO)"]);
    }

    #[test]
    fn names_another_crate_may_bring_are_not_taken_as_the_apis() {
        let imported = format!("use other::name;\n{API}");
        assert!(refused(&imported, "name").contains("`name` may be another crate's"));
        // `use other::name as g` makes `g` another crate's `name`, though the API
        // has a `name` of its own.
        let renamed = format!("use other::name as g;\n{API}");
        assert!(refused(&renamed, "g").contains("`g` may be another crate's"));
        let glob = format!("use other::*;\n{API}");
        assert!(expanded(&glob, "markers::pattern(PATTERN)").eq(&["markers :: pattern (PATTERN)"]));
        // Imports of the API's own names are the API's.
        let local = format!("use super::shared::*;\nuse crate::name as renamed;\n{API}");
        assert_eq!(expanded(&local, "renamed").len(), 2);
    }
}
