//! Reading the API's Rust sources: files, items, what changed between two versions,
//! and what a struct's and a field's attributes say about their schemas.

use super::*;

/// One file of the API sources, parsed: its path and its items (inline modules'
/// items included), in order.
pub(super) struct Parsed<'a> {
    pub(super) path: &'a str,
    pub(super) items: Vec<&'a Item>,
}

pub(super) fn flatten_items<'a>(items: &'a [Item], out: &mut Vec<&'a Item>) {
    for item in items {
        out.push(item);
        if let Item::Mod(m) = item
            && let Some((_, inner)) = &m.content
        {
            flatten_items(inner, out);
        }
    }
}

/// Each file's items, inline modules' items included.
pub(super) fn view(files: &[(String, syn::File)]) -> Vec<(String, Vec<&Item>)> {
    files
        .iter()
        .map(|(p, f)| {
            let mut items = Vec::new();
            flatten_items(&f.items, &mut items);
            (p.clone(), items)
        })
        .collect()
}

pub(super) fn find<'a>(view: &'a [(String, Vec<&'a Item>)], path: &str) -> Option<Parsed<'a>> {
    view.iter()
        .find(|(p, _)| p == path)
        .map(|(p, items)| Parsed {
            path: p.as_str(),
            items: items.clone(),
        })
}

/// Parses each file of `sources` (path, text).
pub(super) fn parse_all<'a>(
    sources: impl Iterator<Item = (&'a String, &'a String)>,
) -> Result<Vec<(String, syn::File)>, String> {
    sources
        .filter(|(p, _)| p.ends_with(".rs"))
        .map(|(p, text)| {
            syn::parse_file(text)
                .map(|f| (p.clone(), f))
                .map_err(|e| format!("{p} does not parse: {e}"))
        })
        .collect()
}

/// The changes of one file: every item the same but for the fields of structs, new
/// structs and enums, and removed ones.
pub(super) struct FileChanges<'a> {
    pub(super) structs: Vec<(&'a syn::ItemStruct, &'a syn::ItemStruct)>,
    /// Structs whose own attributes changed: rebuilt whole.
    pub(super) rebuilt: Vec<(&'a syn::ItemStruct, &'a syn::ItemStruct)>,
    pub(super) new_types: Vec<&'a Item>,
    pub(super) removed_types: Vec<String>,
}

pub(super) fn file_changes<'a>(
    old: &Parsed<'a>,
    new: &Parsed<'a>,
) -> Result<FileChanges<'a>, String> {
    let path = new.path;
    let names = |items: &[&Item]| -> BTreeSet<String> {
        items.iter().filter_map(|i| item_name(i)).collect()
    };
    let (old_names, new_names) = (names(&old.items), names(&new.items));
    let mut out = FileChanges {
        structs: Vec::new(),
        rebuilt: Vec::new(),
        new_types: Vec::new(),
        removed_types: Vec::new(),
    };
    let is_type = |i: &Item| matches!(i, Item::Enum(_) | Item::Struct(_));
    let (mut i, mut j) = (0, 0);
    loop {
        if let Some(&n) = new.items.get(j)
            && is_type(n)
            && item_name(n).is_some_and(|name| !old_names.contains(&name))
        {
            out.new_types.push(n);
            j += 1;
            continue;
        }
        if let Some(&o) = old.items.get(i)
            && is_type(o)
            && let Some(name) = item_name(o).filter(|name| !new_names.contains(name))
        {
            out.removed_types.push(name);
            i += 1;
            continue;
        }
        let (o, n) = match (old.items.get(i), new.items.get(j)) {
            (None, None) => break,
            (Some(o), Some(n)) => (*o, *n),
            _ => return Err(format!("{path}: items were added or removed")),
        };
        (i, j) = (i + 1, j + 1);
        if o == n {
            continue;
        }
        let (Item::Struct(os), Item::Struct(ns)) = (o, n) else {
            return Err(format!("{path}: an item other than a struct changed"));
        };
        let name = ns.ident.to_string();
        if os.ident != ns.ident || os.generics != ns.generics {
            return Err(format!(
                "{path}: struct {name} changed in more than its fields"
            ));
        }
        // Attributes that shape more than the struct's schema (`kube`, `derive`) must
        // stay; a changed doc comment, serde attribute or marker rebuilds it.
        let shaping = |a: &&Attribute| {
            !["doc", "serde", "schemars"]
                .iter()
                .any(|n| a.path().is_ident(n))
        };
        if os
            .attrs
            .iter()
            .filter(shaping)
            .ne(ns.attrs.iter().filter(shaping))
        {
            return Err(format!(
                "{path}: struct {name} changed in more than its fields, doc comment, serde \
                 attributes and markers"
            ));
        }
        if os.attrs == ns.attrs {
            out.structs.push((os, ns));
        } else {
            out.rebuilt.push((os, ns));
        }
    }
    Ok(out)
}

/// The names `use` items import from other crates, or `None` when one imports all of
/// a module of another crate (`use other::*`).
pub(super) fn foreign_names(files: &[(String, Vec<&Item>)]) -> Option<BTreeSet<String>> {
    fn walk(tree: &syn::UseTree, root: Option<&str>, out: &mut BTreeSet<String>) -> bool {
        let local = |r: &str| ["crate", "self", "super"].contains(&r);
        match tree {
            syn::UseTree::Path(p) => {
                let r = root.map_or_else(|| p.ident.to_string(), str::to_owned);
                walk(&p.tree, Some(&r), out)
            }
            syn::UseTree::Name(n) => {
                if !root.is_some_and(local) {
                    out.insert(n.ident.to_string());
                }
                true
            }
            syn::UseTree::Rename(r) => {
                if !root.is_some_and(local) {
                    out.insert(r.rename.to_string());
                }
                true
            }
            syn::UseTree::Glob(_) => root.is_some_and(local),
            syn::UseTree::Group(g) => g.items.iter().all(|t| walk(t, root, out)),
        }
    }
    let mut out = BTreeSet::new();
    for (_, items) in files {
        for item in items {
            if let Item::Use(u) = item
                && !walk(&u.tree, None, &mut out)
            {
                return None;
            }
        }
    }
    Some(out)
}

pub(super) fn item_name(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        Item::Union(u) => Some(u.ident.to_string()),
        _ => None,
    }
}

/// The `(title, description)` schemars makes of the doc comment in `attrs`.
pub(super) fn doc_text(attrs: &[Attribute]) -> (String, String) {
    crate::doc_edit::DocBlock {
        inner: false,
        lines: attrs.iter().filter_map(doc_line).collect(),
    }
    .schema_text()
}

pub(super) fn doc_line(a: &Attribute) -> Option<String> {
    if !a.path().is_ident("doc") {
        return None;
    }
    match &a.meta {
        syn::Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    }
}

/// What a struct's own attributes say about its fields' schemas.
pub(super) struct Container {
    pub(super) rename_all: Option<String>,
    pub(super) deny_unknown_fields: bool,
    pub(super) skip_serializing_none: bool,
    /// `#[derive(Serialize)]`: then every field's type is serializable, and schemars
    /// writes a field's `serde(default)` as its `default`.
    pub(super) serialize: bool,
    /// The `transform`s on the struct.
    pub(super) transforms: Vec<Expr>,
}

impl Container {
    pub(super) fn of(attrs: &[Attribute]) -> Result<Self, String> {
        let mut c = Container {
            rename_all: None,
            deny_unknown_fields: false,
            skip_serializing_none: false,
            serialize: false,
            transforms: Vec::new(),
        };
        for a in attrs {
            let p = a.path();
            if p.is_ident("derive") {
                a.parse_nested_meta(|m| {
                    c.serialize |= m
                        .path
                        .segments
                        .last()
                        .is_some_and(|s| s.ident == "Serialize");
                    Ok(())
                })
                .map_err(|e| format!("#[derive(..)]: {e}"))?;
                continue;
            }
            // Lints and `non_exhaustive` say nothing about schemas.
            if ["doc", "derive", "kube", "allow", "expect", "non_exhaustive"]
                .iter()
                .any(|n| p.is_ident(n))
            {
                continue;
            }
            if p.segments
                .last()
                .is_some_and(|s| s.ident == "skip_serializing_none")
            {
                c.skip_serializing_none = true;
                continue;
            }
            if p.is_ident("serde") {
                a.parse_nested_meta(|m| {
                    if m.path.is_ident("rename_all") {
                        let s: syn::LitStr = m.value()?.parse()?;
                        c.rename_all = Some(s.value());
                        Ok(())
                    } else if m.path.is_ident("deny_unknown_fields") {
                        c.deny_unknown_fields = true;
                        Ok(())
                    } else {
                        Err(m.error("not followed by the structural fast path"))
                    }
                })
                .map_err(|e| format!("#[serde({})]: {e}", tokens(a)))?;
                continue;
            }
            if p.is_ident("schemars") {
                c.transforms
                    .extend(transforms_only(a).map_err(|e| format!("#[schemars(..)]: {e}"))?);
                continue;
            }
            return Err(format!(
                "attribute #[{}] is not followed by the structural fast path",
                tokens(a)
            ));
        }
        Ok(c)
    }

    /// The JSON name of field `ident` without a `serde(rename)`.
    pub(super) fn json_name(&self, ident: &str) -> Result<String, String> {
        let ident = ident.strip_prefix("r#").unwrap_or(ident);
        Ok(match self.rename_all.as_deref() {
            None | Some("snake_case") => ident.to_owned(),
            // serde's rules for fields (which it takes to be snake_case).
            Some("camelCase") => {
                let pascal = pascal(ident);
                let mut chars = pascal.chars();
                match chars.next() {
                    Some(c) => c.to_ascii_lowercase().to_string() + chars.as_str(),
                    None => String::new(),
                }
            }
            Some("PascalCase") => pascal(ident),
            Some("lowercase") => ident.to_owned(),
            Some("UPPERCASE" | "SCREAMING_SNAKE_CASE") => ident.to_ascii_uppercase(),
            Some("kebab-case") => ident.replace('_', "-"),
            Some("SCREAMING-KEBAB-CASE") => ident.to_ascii_uppercase().replace('_', "-"),
            Some(other) => return Err(format!("rename_all = {other:?} is not followed")),
        })
    }
}

/// serde's `PascalCase` of a snake_case name.
pub(super) fn pascal(ident: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in ident.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

pub(super) fn tokens(a: &Attribute) -> String {
    use quote::ToTokens;
    a.meta.to_token_stream().to_string()
}

/// The `transform = ...` arguments of a `#[schemars(...)]` attribute that has nothing
/// else.
pub(super) fn transforms_only(a: &Attribute) -> Result<Vec<Expr>, String> {
    let mut out = Vec::new();
    a.parse_nested_meta(|m| {
        if m.path.is_ident("transform") {
            out.push(m.value()?.parse::<Expr>()?);
            Ok(())
        } else {
            Err(m.error("not followed by the structural fast path"))
        }
    })
    .map_err(|e| e.to_string())?;
    Ok(out)
}

/// One field, as its attributes describe its schema.
pub(super) struct FieldModel<'a> {
    pub(super) json: String,
    /// The doc comment's lines.
    pub(super) doc: Vec<String>,
    /// Nothing but a doc comment and serde's renaming shapes its schema: its type's
    /// schema can be read back from it.
    pub(super) plain: bool,
    /// No `inner(..)` bound and only markers of [`ITEMS_UNTOUCHED`]: a list's items or
    /// a map's values are its type's own schema.
    pub(super) items_untouched: bool,
    pub(super) ty: &'a Type,
    /// Whether the field is absent from `required`.
    pub(super) optional: bool,
    /// The `transform`s on the field, marker functions of the API expanded to their
    /// markers when they can be ([`Graph::expand`]).
    pub(super) transforms: Vec<Expr>,
    /// The attributes besides the Rust name, doc comments and `serde(rename)`, for
    /// comparing two versions of a renamed field.
    pub(super) rest: Vec<&'a Attribute>,
    /// The schema this module builds for it, when it can.
    pub(super) schema: Result<Value, String>,
}

pub(super) fn field_model<'a>(
    c: &Container,
    f: &'a syn::Field,
    graph: &Graph,
    named: Option<&Named>,
) -> Result<FieldModel<'a>, String> {
    let ident = f
        .ident
        .as_ref()
        .map(ToString::to_string)
        .ok_or("an unnamed field")?;
    let mut json = c.json_name(&ident)?;
    let mut doc = Vec::new();
    let mut default = false;
    let mut skip_if: Option<String> = None;
    let mut validation = Validation::default();
    let mut transforms = Vec::new();
    let mut rest = Vec::new();
    let mut other: Option<String> = None;
    for a in &f.attrs {
        let p = a.path();
        if p.is_ident("doc") {
            if let syn::Meta::NameValue(nv) = &a.meta
                && let Expr::Lit(l) = &nv.value
                && let Lit::Str(s) = &l.lit
            {
                doc.push(s.value());
                continue;
            }
            return Err(format!("{ident}: a doc attribute that is not a string"));
        }
        if p.is_ident("serde") {
            let mut renamed = false;
            a.parse_nested_meta(|m| {
                if m.path.is_ident("rename") {
                    let s: syn::LitStr = m.value()?.parse()?;
                    json = s.value();
                    renamed = true;
                } else if m.path.is_ident("default") {
                    if m.input.peek(syn::Token![=]) {
                        return Err(m.error("a default function is not followed"));
                    }
                    default = true;
                } else if m.path.is_ident("skip_serializing_if") {
                    let s: syn::LitStr = m.value()?.parse()?;
                    skip_if = Some(s.value());
                } else {
                    return Err(m.error("not followed by the structural fast path"));
                }
                Ok(())
            })
            .map_err(|e| format!("{ident}: #[serde(..)]: {e}"))?;
            if !renamed {
                rest.push(a);
            }
            continue;
        }
        if p.is_ident("schemars") {
            rest.push(a);
            a.parse_nested_meta(|m| {
                if m.path.is_ident("transform") {
                    transforms.push(m.value()?.parse::<Expr>()?);
                    Ok(())
                } else if validation.parse(&m)? {
                    Ok(())
                } else {
                    other = Some(m.path.get_ident().map_or("?".into(), ToString::to_string));
                    // Skip its value or arguments: the field is kept, not modelled.
                    if m.input.peek(syn::Token![=]) {
                        let _: Expr = m.value()?.parse()?;
                    } else if m.input.peek(syn::token::Paren) {
                        let _content;
                        syn::parenthesized!(_content in m.input);
                        let _: proc_macro2::TokenStream = _content.parse()?;
                    }
                    Ok(())
                }
            })
            .unwrap_or_else(|e| {
                // Arguments this path does not read (a constant, an expression): the
                // field is kept as it is, not rebuilt.
                other = Some(format!("#[schemars(..)] with {e}"));
            });
            continue;
        }
        if p.is_ident("cfg") || p.is_ident("cfg_attr") {
            return Err(format!("{ident}: #[{}] is not followed", tokens(a)));
        }
        rest.push(a);
        other = Some(tokens(a));
    }
    let is_option = last_ident(&f.ty).is_some_and(|(i, _)| i == "Option");
    if c.skip_serializing_none && is_option && skip_if.is_none() {
        skip_if = Some("Option::is_none".into());
    }
    let optional = default || is_option;
    if default && !c.serialize && other.is_none() {
        // schemars writes a default only when the type serializes, which is not
        // known here.
        other = Some("serde(default) in a struct without #[derive(Serialize)]".into());
    }
    // Marker functions of the API, as the markers they apply.
    let expanded = graph.expand_all(&transforms);
    let plain = other.is_none() && transforms.is_empty() && !default && validation.is_empty();
    let items_untouched = other.is_none()
        && validation.inner.is_none()
        && expanded.as_ref().is_ok_and(|ts| {
            ts.iter().all(|t| {
                run_markers::name_and_args(t)
                    .is_some_and(|(name, _)| ITEMS_UNTOUCHED.contains(&name.as_str()))
            })
        });
    let schema = match other {
        Some(o) => Err(format!("{ident}: `{o}` is not modelled")),
        None => expanded
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|ts| {
                ts.iter()
                    .map(run_markers::marker)
                    .collect::<Result<Vec<_>, _>>()
            })
            .and_then(|markers| {
                build_field(
                    &f.ty,
                    &doc.clone(),
                    &validation,
                    default,
                    skip_if.as_deref(),
                    named,
                )
                .map(|schema| {
                    // `transform`s run last, on the finished schema.
                    let mut schema = Schema::try_from(schema).unwrap_or_default();
                    for mut m in markers {
                        m(&mut schema);
                    }
                    schema.to_value()
                })
            })
            .map_err(|e| format!("{ident}: {e}")),
    };
    Ok(FieldModel {
        json,
        doc,
        plain,
        items_untouched,
        ty: &f.ty,
        optional,
        transforms: expanded.unwrap_or(transforms),
        rest,
        schema,
    })
}

/// The bounds of `length(..)` or `range(..)`: integer or float literals.
#[derive(Clone, Debug, Default)]
pub(super) struct Bounds {
    pub(super) min: Option<Value>,
    pub(super) max: Option<Value>,
}

pub(super) fn bounds(m: &syn::meta::ParseNestedMeta) -> syn::Result<Bounds> {
    let mut b = Bounds::default();
    m.parse_nested_meta(|x| {
        let v = number(&x.value()?.parse()?)?;
        if x.path.is_ident("min") {
            b.min = Some(v);
        } else if x.path.is_ident("max") {
            b.max = Some(v);
        } else if x.path.is_ident("equal") {
            b.min = Some(v.clone());
            b.max = Some(v);
        } else {
            return Err(x.error("not followed by the structural fast path"));
        }
        Ok(())
    })?;
    Ok(b)
}

pub(super) fn number(e: &Expr) -> syn::Result<Value> {
    let (neg, lit) = match e {
        Expr::Lit(l) => (false, &l.lit),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => match &*u.expr {
            Expr::Lit(l) => (true, &l.lit),
            _ => return Err(syn::Error::new_spanned(e, "not a literal")),
        },
        _ => return Err(syn::Error::new_spanned(e, "not a literal")),
    };
    match lit {
        Lit::Int(i) if i.suffix().is_empty() => {
            let v: i64 = i.base10_parse()?;
            // An unsuffixed literal is an `i32` where the derive puts it.
            let v = i32::try_from(if neg { -v } else { v })
                .map_err(|_| syn::Error::new_spanned(e, "not an i32"))?;
            Ok(v.into())
        }
        Lit::Float(f) if f.suffix().is_empty() => {
            let v: f64 = f.base10_parse()?;
            Ok((if neg { -v } else { v }).into())
        }
        _ => Err(syn::Error::new_spanned(e, "not a plain number")),
    }
}

pub(super) fn literal_string(e: &Expr) -> syn::Result<String> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(s.value()),
        _ => Err(syn::Error::new_spanned(e, "not a string literal")),
    }
}

#[derive(Clone, Debug, Default)]
pub(super) struct Validation {
    pub(super) length: Option<Bounds>,
    pub(super) range: Option<Bounds>,
    pub(super) pattern: Option<String>,
    /// `inner(..)`: for the items of a list.
    pub(super) inner: Option<Box<Validation>>,
}

impl Validation {
    pub(super) fn is_empty(&self) -> bool {
        self.length.is_none()
            && self.range.is_none()
            && self.pattern.is_none()
            && self.inner.is_none()
    }

    /// Reads one `length(..)`, `range(..)`, `regex(pattern = ..)` or `inner(..)`
    /// argument of `#[schemars]`; `false` for another argument (left unread).
    pub(super) fn parse(&mut self, m: &syn::meta::ParseNestedMeta) -> syn::Result<bool> {
        if m.path.is_ident("length") {
            self.length = Some(bounds(m)?);
        } else if m.path.is_ident("range") {
            self.range = Some(bounds(m)?);
        } else if m.path.is_ident("regex") {
            m.parse_nested_meta(|r| {
                if r.path.is_ident("pattern") {
                    self.pattern = Some(literal_string(&r.value()?.parse()?)?);
                    Ok(())
                } else {
                    Err(r.error("not followed by the structural fast path"))
                }
            })?;
        } else if m.path.is_ident("inner") {
            let mut inner = Validation::default();
            m.parse_nested_meta(|i| {
                if inner.parse(&i)? {
                    Ok(())
                } else {
                    Err(i.error("not followed by the structural fast path"))
                }
            })?;
            self.inner = Some(Box::new(inner));
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// Applies the attributes as `schemars_derive`'s generated code does: each only
    /// where the schema has the type it is for; `inner` on the schema's `items`.
    pub(super) fn apply(&self, schema: &mut Schema) {
        let put = |s: &mut Schema, ty: &str, key: &str, value: &Option<Value>| {
            if let Some(value) = value {
                schemars::_private::insert_validation_property(s, ty, key, value.clone());
            }
        };
        if let Some(l) = &self.length {
            put(schema, "string", "minLength", &l.min);
            put(schema, "string", "maxLength", &l.max);
            put(schema, "array", "minItems", &l.min);
            put(schema, "array", "maxItems", &l.max);
        }
        if let Some(r) = &self.range {
            put(schema, "number", "minimum", &r.min);
            put(schema, "number", "maximum", &r.max);
        }
        if let Some(p) = &self.pattern {
            schemars::_private::insert_validation_property(schema, "string", "pattern", p.clone());
        }
        if let Some(inner) = &self.inner
            && let Some(items) = schema.get_mut("items")
            && let Ok(items) = <&mut Schema>::try_from(items)
        {
            inner.apply(items);
        }
    }
}

/// The last path segment of a type, with its generic arguments.
pub(super) fn last_ident(ty: &Type) -> Option<(String, Vec<&Type>)> {
    let Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let seg = p.path.segments.last()?;
    let args = match &seg.arguments {
        syn::PathArguments::None => Vec::new(),
        syn::PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .map(|g| match g {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?,
        syn::PathArguments::Parenthesized(_) => return None,
    };
    Some((seg.ident.to_string(), args))
}

pub(super) fn walk_tokens(
    ts: proc_macro2::TokenStream,
    f: &mut impl FnMut(&proc_macro2::TokenTree),
) {
    for tt in ts {
        f(&tt);
        if let proc_macro2::TokenTree::Group(g) = &tt {
            walk_tokens(g.stream(), f);
        }
    }
}

/// The arguments of `#[serde]` and `#[schemars]` that make a field's schema other
/// than its type's own.
pub(super) const INDIRECT: &[&str] = &[
    "flatten",
    "with",
    "schema_with",
    "serialize_with",
    "deserialize_with",
];

/// Whether a field's `#[serde]` or `#[schemars]` attribute has one of the arguments
/// `args`.
pub(super) fn has_arg(f: &syn::Field, args: &[&str]) -> bool {
    f.attrs.iter().any(|a| {
        (a.path().is_ident("serde") || a.path().is_ident("schemars"))
            && a.meta.require_list().is_ok_and(|l| {
                l.tokens.clone().into_iter().any(|tt| {
                    matches!(&tt, proc_macro2::TokenTree::Ident(i)
                        if args.contains(&i.to_string().as_str()))
                })
            })
    })
}

/// `kind = "..."` and `status = "..."` of a `#[kube(...)]` attribute.
pub(super) fn kube_root(attrs: &[Attribute]) -> Option<(String, Option<String>)> {
    let a = attrs.iter().find(|a| a.path().is_ident("kube"))?;
    let list = a.meta.require_list().ok()?;
    let args = list
        .parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
        .ok()?;
    let mut kind = None;
    let mut status = None;
    for m in args {
        if let syn::Meta::NameValue(nv) = m {
            let value = literal_string(&nv.value).ok();
            if nv.path.is_ident("kind") {
                kind = value;
            } else if nv.path.is_ident("status") {
                status = value;
            }
        }
    }
    Some((kind?, status))
}
