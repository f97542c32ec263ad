//! The type graph of the API's sources, walked alongside a CRD's compiled schema:
//! where a struct's schema is inlined, by which fields, and through which markers.

use super::*;

/// The types of the API sources: where each struct's schema is.
pub(super) struct Graph<'a> {
    /// Type definitions by name.
    pub(super) defs: BTreeMap<String, Vec<&'a Item>>,
    /// Every identifier inside a macro (definition or use): a type a macro defines
    /// may hold any of them.
    pub(super) macro_idents: BTreeSet<String>,
    /// Per CRD kind: its spec and status type names.
    pub(super) roots: BTreeMap<String, (String, Option<String>)>,
    /// Names given by `use ... as Name` to another name.
    pub(super) renames: BTreeMap<String, String>,
    /// The names of the API's modules (files and inline modules): a type path that
    /// starts with another name (`k8s_openapi::...`) is another crate's.
    pub(super) modules: BTreeSet<String>,
    /// Types whose `JsonSchema` is written by hand (`impl JsonSchema for T`), with
    /// the identifiers of that code: their schema is not their fields'.
    pub(super) manual: BTreeMap<String, BTreeSet<String>>,
    /// Functions and constants by name: marker functions and the constants their
    /// markers take ([`Graph::expand`]).
    pub(super) fns: BTreeMap<String, Vec<&'a syn::ItemFn>>,
    pub(super) consts: BTreeMap<String, Vec<&'a syn::ItemConst>>,
    /// The names `use` items import from other crates; `None` when one imports all of
    /// another crate's module, which may bring any name.
    pub(super) imported: Option<BTreeSet<String>>,
}

impl<'a> Graph<'a> {
    pub(super) fn of(files: &[(String, Vec<&'a Item>)]) -> Self {
        let mut g = Graph {
            defs: BTreeMap::new(),
            macro_idents: BTreeSet::new(),
            roots: BTreeMap::new(),
            manual: BTreeMap::new(),
            modules: ["crate", "self", "super"].map(str::to_owned).into(),
            renames: BTreeMap::new(),
            fns: BTreeMap::new(),
            consts: BTreeMap::new(),
            imported: foreign_names(files),
        };
        for (path, items) in files {
            for part in path.trim_end_matches(".rs").split('/') {
                g.modules.insert(part.to_owned());
            }
            for item in items {
                let name = match item {
                    Item::Struct(s) => {
                        if let Some((kind, status)) = kube_root(&s.attrs) {
                            g.roots.insert(kind, (s.ident.to_string(), status));
                        }
                        Some(s.ident.to_string())
                    }
                    Item::Enum(e) => Some(e.ident.to_string()),
                    Item::Type(t) => Some(t.ident.to_string()),
                    Item::Union(u) => Some(u.ident.to_string()),
                    Item::Mod(m) => {
                        g.modules.insert(m.ident.to_string());
                        None
                    }
                    Item::Fn(f) => {
                        g.fns.entry(f.sig.ident.to_string()).or_default().push(f);
                        None
                    }
                    Item::Const(c) => {
                        g.consts.entry(c.ident.to_string()).or_default().push(c);
                        None
                    }
                    Item::Use(u) => {
                        collect_renames(&u.tree, &mut g.renames);
                        None
                    }
                    Item::Macro(m) => {
                        use quote::ToTokens;
                        walk_tokens(m.mac.tokens.to_token_stream(), &mut |tt| {
                            if let proc_macro2::TokenTree::Ident(i) = tt {
                                g.macro_idents.insert(i.to_string());
                            }
                        });
                        None
                    }
                    Item::Impl(i)
                        if i.trait_.as_ref().is_some_and(|(_, t, _)| {
                            t.segments.last().is_some_and(|s| s.ident == "JsonSchema")
                        }) =>
                    {
                        use quote::ToTokens;
                        if let Some((name, _)) = last_ident(&i.self_ty) {
                            let idents = g.manual.entry(name).or_default();
                            walk_tokens(i.to_token_stream(), &mut |tt| {
                                if let proc_macro2::TokenTree::Ident(id) = tt {
                                    idents.insert(id.to_string());
                                }
                            });
                        }
                        None
                    }
                    _ => None,
                };
                if let Some(n) = name {
                    g.defs.entry(n).or_default().push(item);
                }
            }
        }
        g
    }

    /// Whether a value of type `ty` may hold the struct `target`'s schema.
    pub(super) fn type_reaches(
        &self,
        ty: &Type,
        target: &str,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        match ty {
            // The type a path names is its last segment's (the others are modules);
            // its generic arguments are types too.
            // The type a path names is its last segment's (the others are modules),
            // unless another crate's; its generic arguments are types too.
            Type::Path(p) if p.qself.is_none() => p.path.segments.last().is_some_and(|seg| {
                let std = STD_NAMES.contains(&seg.ident.to_string().as_str());
                (!std
                    && !self.foreign(&p.path)
                    && self.name_reaches(&seg.ident.to_string(), target, seen))
                    || match &seg.arguments {
                        syn::PathArguments::AngleBracketed(a) => a.args.iter().any(|g| match g {
                            syn::GenericArgument::Type(t) => self.type_reaches(t, target, seen),
                            _ => true,
                        }),
                        syn::PathArguments::None => false,
                        syn::PathArguments::Parenthesized(_) => true,
                    }
            }),
            Type::Reference(r) => self.type_reaches(&r.elem, target, seen),
            Type::Slice(t) => self.type_reaches(&t.elem, target, seen),
            Type::Array(t) => self.type_reaches(&t.elem, target, seen),
            Type::Paren(t) => self.type_reaches(&t.elem, target, seen),
            Type::Group(t) => self.type_reaches(&t.elem, target, seen),
            Type::Tuple(t) => t.elems.iter().any(|e| self.type_reaches(e, target, seen)),
            // Anything else (a trait object, a macro in type position): may be anything.
            _ => true,
        }
    }

    /// Whether a type path names another crate's type: it has a module part that
    /// starts with a name that is not one of the API's modules.
    pub(super) fn foreign(&self, path: &syn::Path) -> bool {
        path.segments.len() > 1
            && path
                .segments
                .first()
                .is_some_and(|s| !self.modules.contains(&s.ident.to_string()))
    }

    /// The name a type is defined under: `Y` of `use ...::X as Y` is `X`.
    pub(super) fn resolve<'n>(&'n self, name: &'n str) -> &'n str {
        self.renamed_from(name, self.defs.contains_key(name))
    }

    /// The name `name` is imported under another from (`X` for `Y` of `use ...::X as
    /// Y`), unless it is itself `defined` (then it is its own).
    pub(super) fn renamed_from<'n>(&'n self, name: &'n str, defined: bool) -> &'n str {
        match self.renames.get(name) {
            Some(original) if !defined => original,
            _ => name,
        }
    }

    pub(super) fn name_reaches(
        &self,
        name: &str,
        target: &str,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        let name = self.resolve(name);
        if name == target {
            return true;
        }
        if !seen.insert(name.to_owned()) {
            return false;
        }
        if let Some(idents) = self.manual.get(name) {
            // Its schema is what its own code makes: it may hold what that code names.
            return idents
                .iter()
                .filter(|m| *m != name && (*m == target || self.defs.contains_key(*m)))
                .any(|m| self.name_reaches(m, target, seen));
        }
        let Some(defs) = self.defs.get(name) else {
            if STD_NAMES.contains(&name) {
                return false;
            }
            // Not defined by an item: from another crate, or made by a macro. A type a macro makes holds types named in some macro: it may
            // hold the target when one of those does (or is it).
            let named: Vec<&String> = self
                .macro_idents
                .iter()
                .filter(|m| *m == target || self.defs.contains_key(*m))
                .collect();
            return named
                .into_iter()
                .any(|m| self.name_reaches(m, target, seen));
        };
        // A generic type holds what its parameters' defaults hold, where a field
        // leaves them out (`Many` for `type Many<T = Place> = Vec<T>`).
        let defaults_reach = |g: &syn::Generics, seen: &mut BTreeSet<String>| {
            g.type_params()
                .filter_map(|p| p.default.as_ref())
                .any(|d| self.type_reaches(d, target, seen))
        };
        defs.iter().any(|d| match d {
            Item::Struct(s) => {
                defaults_reach(&s.generics, seen)
                    || s.fields.iter().any(|f| self.field_reaches(f, target, seen))
            }
            Item::Enum(e) => {
                defaults_reach(&e.generics, seen)
                    || e.variants
                        .iter()
                        .any(|v| v.fields.iter().any(|f| self.field_reaches(f, target, seen)))
            }
            Item::Type(t) => {
                defaults_reach(&t.generics, seen) || self.type_reaches(&t.ty, target, seen)
            }
            _ => true,
        })
    }

    pub(super) fn field_reaches(
        &self,
        f: &syn::Field,
        target: &str,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        // A `with` type names its schema in a string: it may be anything.
        has_arg(
            f,
            &["with", "schema_with", "serialize_with", "deserialize_with"],
        ) || self.type_reaches(&f.ty, target, seen)
    }

    /// The JSON pointers, per CRD (index into `crds`), of every place the struct of
    /// `edit` is inlined; refuses when a way there is not followed.
    pub(super) fn locations(
        &self,
        edit: &StructEdit,
        crds: &[(&str, &Value)],
    ) -> Result<Vec<(usize, String)>, String> {
        let target = edit.name.as_str();
        match self.defs.get(target).map(Vec::len) {
            Some(1) => {}
            _ => return Err(format!("struct {target} is defined more than once")),
        }
        let places = self.places(target, Some(edit), crds, true)?;
        Ok(places.into_iter().map(|p| (p.crd, p.ptr)).collect())
    }

    /// Every place the type `target` is inlined, per CRD. `strict`: refuse when a way
    /// there is not followed (else leave that way out); `edit`: also refuse ways
    /// whose transforms may see its fields come or go.
    pub(super) fn places(
        &self,
        target: &str,
        edit: Option<&StructEdit>,
        crds: &[(&str, &Value)],
        strict: bool,
    ) -> Result<Vec<Place<'a>>, String> {
        let mut out = Vec::new();
        for (i, (kind, crd)) in crds.iter().enumerate() {
            let Some((spec, status)) = self.roots.get(*kind) else {
                return Err(format!("no #[kube(kind = {kind:?})] struct in the sources"));
            };
            let versions = crd
                .pointer("/spec/versions")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let mut search = Search {
                graph: self,
                target,
                edit,
                crd,
                crd_index: i,
                strict,
                out: &mut out,
            };
            for v in 0..versions {
                let root = format!("/spec/versions/{v}/schema/openAPIV3Schema/properties");
                for (prop, ty) in [("spec", Some(spec)), ("status", status.as_ref())] {
                    let Some(ty) = ty else { continue };
                    if self.name_reaches(ty, target, &mut BTreeSet::new()) {
                        search.branch(|s| s.walk(ty, &format!("{root}/{prop}"), None))?;
                    }
                }
            }
        }
        Ok(out)
    }
}

/// `use a::X as Y`: `Y` is `X`.
fn collect_renames(tree: &syn::UseTree, out: &mut BTreeMap<String, String>) {
    match tree {
        syn::UseTree::Path(p) => collect_renames(&p.tree, out),
        syn::UseTree::Rename(r) => {
            out.insert(r.rename.to_string(), r.ident.to_string());
        }
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| collect_renames(t, out)),
        syn::UseTree::Name(_) | syn::UseTree::Glob(_) => {}
    }
}

/// Primitive and standard-library names of field types: never the API's own.
const STD_NAMES: &[&str] = &[
    "String",
    "str",
    "bool",
    "char",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "f32",
    "f64",
    "Option",
    "Vec",
    "Box",
    "BTreeMap",
    "HashMap",
    "BTreeSet",
    "HashSet",
    "std",
    "collections",
    "num",
    "core",
    "alloc",
];

/// A place a type's schema is inlined: the CRD, the JSON pointer of the type's own
/// schema, and the field it is the type of (none for a CRD's spec or status).
pub(super) struct Place<'a> {
    pub(super) crd: usize,
    pub(super) ptr: String,
    pub(super) usage: Option<Usage<'a>>,
}

/// The field a place belongs to: the pointer of the field's schema, its model, and
/// the wrappers between the field's type and the type (`Option`, `Vec`, ...).
pub(super) struct Usage<'a> {
    pub(super) field_ptr: String,
    pub(super) model: FieldModel<'a>,
    pub(super) chain: Vec<String>,
    pub(super) field: &'a syn::Field,
    pub(super) owner_attrs: &'a [Attribute],
}

/// One walk of the type graph alongside one CRD's compiled schema.
pub(super) struct Search<'s, 'a> {
    pub(super) graph: &'s Graph<'a>,
    pub(super) target: &'s str,
    pub(super) edit: Option<&'s StructEdit>,
    pub(super) crd: &'s Value,
    pub(super) crd_index: usize,
    pub(super) strict: bool,
    pub(super) out: &'s mut Vec<Place<'a>>,
}

impl<'a> Search<'_, 'a> {
    /// Runs `f`; outside strict mode, a way that is not followed is left out.
    pub(super) fn branch(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<(), String>,
    ) -> Result<(), String> {
        match f(self) {
            Err(e) if self.strict => Err(e),
            _ => Ok(()),
        }
    }

    pub(super) fn walk(
        &mut self,
        name: &str,
        ptr: &str,
        usage: Option<Usage<'a>>,
    ) -> Result<(), String> {
        let target = self.target;
        let graph = self.graph;
        let name = graph.resolve(name);
        if self.crd.pointer(ptr).is_none() {
            return Err(format!("the compiled schema has no {ptr} for {name}"));
        }
        if graph.manual.contains_key(name) {
            return Err(format!(
                "type {name} writes its own JsonSchema: its schema is not its fields'"
            ));
        }
        if name == target {
            self.out.push(Place {
                crd: self.crd_index,
                ptr: ptr.to_owned(),
                usage,
            });
            return Ok(());
        }
        let defs = graph.defs.get(name).map(Vec::as_slice).unwrap_or_default();
        let item = match defs {
            [one] => *one,
            [] => {
                return Err(format!(
                    "type {name} may hold {target}: it is not defined by an item here"
                ));
            }
            _ => return Err(format!("type {name} is defined more than once")),
        };
        let s = match item {
            Item::Struct(s) if s.generics.params.is_empty() => s,
            Item::Type(t) if t.generics.params.is_empty() => {
                return self.walk_type(&t.ty, ptr, name, usage);
            }
            _ => {
                return Err(format!(
                    "{name} holds {target} in a way not followed (an enum or generics)"
                ));
            }
        };
        let c = Container::of(&s.attrs).map_err(|e| format!("{name}: {e}"))?;
        if let Some(edit) = self.edit {
            check_transforms(&graph.expanded(&c.transforms), edit)
                .map_err(|e| format!("{name}: {e}"))?;
        }
        for f in &s.fields {
            if !graph.field_reaches(f, target, &mut BTreeSet::new()) {
                continue;
            }
            self.branch(|this| {
                let m = field_model(&c, f, graph, None).map_err(|e| format!("{name}.{e}"))?;
                if let Some(edit) = this.edit {
                    check_transforms(&m.transforms, edit)
                        .map_err(|e| format!("{name}.{}: {e}", m.json))?;
                }
                if has_arg(f, INDIRECT) {
                    return Err(format!(
                        "{name}.{} holds {target} through flatten or with",
                        m.json
                    ));
                }
                let child = format!("{ptr}/properties/{}", escape(&m.json));
                let usage = Usage {
                    field_ptr: child.clone(),
                    model: m,
                    chain: Vec::new(),
                    field: f,
                    owner_attrs: &s.attrs,
                };
                this.walk_type(&f.ty, &child, name, Some(usage))
            })?;
        }
        Ok(())
    }

    pub(super) fn walk_type(
        &mut self,
        ty: &Type,
        ptr: &str,
        owner: &str,
        mut usage: Option<Usage<'a>>,
    ) -> Result<(), String> {
        let (name, args) = last_ident(ty).ok_or_else(|| format!("{owner}: a type not followed"))?;
        if let Type::Path(p) = ty
            && args.is_empty()
            && self.graph.foreign(&p.path)
        {
            // Another crate's type: it holds none of ours.
            return Ok(());
        }
        let step = match (name.as_str(), args.as_slice()) {
            ("Option" | "Box", [t]) => Some((*t, ptr.to_owned())),
            ("Vec", [t]) => Some((*t, format!("{ptr}/items"))),
            ("BTreeMap" | "HashMap", [_, v]) => Some((*v, format!("{ptr}/additionalProperties"))),
            (_, []) => None,
            _ => {
                return Err(format!(
                    "{owner}: type {name}<..> may hold {} and is not followed",
                    self.target
                ));
            }
        };
        match step {
            Some((inner, next)) => {
                if let Some(u) = &mut usage {
                    u.chain.push(name);
                }
                self.walk_type(inner, &next, owner, usage)
            }
            None => self.walk(&name, ptr, usage),
        }
    }
}

/// A JSON pointer's escaping of one key.
pub(super) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// `f` on the graph of the API whose one file, `api/src/lib.rs`, holds `api` (inline
/// modules' items included). The graph borrows the parsed file, hence the closure.
#[cfg(test)]
pub(super) fn with_graph<T>(api: &str, f: impl FnOnce(&Graph) -> T) -> T {
    let file = syn::parse_file(api).expect("the API parses");
    let mut items = Vec::new();
    flatten_items(&file.items, &mut items);
    f(&Graph::of(&[("api/src/lib.rs".to_owned(), items)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const API: &str = r#"
        pub struct Place { pub host: String }
        pub enum Choice { Here(Place), Nowhere }
        pub enum Count { One(u32), Many }
        pub struct Other { pub place: Option<Place> }
        impl Default for Other { fn default() -> Self { Other { place: None } } }
        pub struct Plain { pub n: u32 }
        pub type Alias = Place;
        pub union Bits { a: u32 }
        mod inner { pub struct Deep; }
    "#;

    /// Whether a value of type `ty` may hold a `Place`, in [`API`].
    fn reaches(ty: &str) -> bool {
        let ty: Type = syn::parse_str(ty).unwrap_or_else(|e| panic!("{ty}: {e}"));
        with_graph(API, |g| g.type_reaches(&ty, "Place", &mut BTreeSet::new()))
    }

    #[test]
    fn a_type_reaches_a_struct_through_what_it_holds() {
        for ty in [
            "Place",
            "Choice",
            "Option<Place>",
            "Other",
            "Alias",
            "&'static Place",
            "[Place]",
            "[Place; 2]",
            "(Place)",
            "(u32, Place)",
            "BTreeMap<String, Vec<Place>>",
            "self::Place",
            "inner::Place",
        ] {
            assert!(reaches(ty), "{ty}");
        }
        for ty in [
            "Plain",
            "Count",
            "Option<Plain>",
            "&'static Plain",
            "[u32]",
            "[Plain; 2]",
            "(Plain)",
            "(u32, String)",
            "BTreeMap<String, u32>",
            "k8s_openapi::Place",
        ] {
            assert!(!reaches(ty), "{ty}");
        }
    }

    /// Whether the type named `name` may hold a `Place`, in `api`.
    fn name_reaches(api: &str, name: &str) -> bool {
        with_graph(api, |g| g.name_reaches(name, "Place", &mut BTreeSet::new()))
    }

    #[test]
    fn a_hand_written_schema_holds_what_its_code_names() {
        let api = r#"
            pub struct Place { pub host: String }
            pub struct Plain { pub n: u32 }
            pub struct Other { pub place: Option<Place> }
            pub type Count = u32;
            pub struct Hand;
            impl JsonSchema for Hand {
                fn json_schema(g: &mut SchemaGenerator) -> Schema { Place::json_schema(g) }
            }
            pub struct HandOther;
            impl JsonSchema for HandOther {
                fn json_schema(g: &mut SchemaGenerator) -> Schema { Other::json_schema(g) }
            }
            pub struct HandPlain { pub place: Option<Place> }
            impl JsonSchema for HandPlain {
                fn json_schema(g: &mut SchemaGenerator) -> Schema { Plain::json_schema(g) }
            }
            make!(Made, Place);
        "#;
        assert!(name_reaches(api, "Hand"));
        assert!(name_reaches(api, "HandOther"));
        // Its fields are not its schema: the code names no type holding a Place
        // (any other name, such as `fn`, could be made by the macro).
        assert!(!name_reaches(api, "HandPlain"));
        assert!(!name_reaches(api, "Count"));
        assert!(!name_reaches(api, "Plain"));
        // A field whose schema or (de)serialization another function writes may
        // hold anything; other attributes, and the word as a string, do not say so.
        let with = |attr: &str| {
            name_reaches(
                &format!("pub struct Place {{}}\npub struct W {{ {attr} pub n: u32 }}"),
                "W",
            )
        };
        for attr in [
            "#[serde(with = \"x\")]",
            "#[serde(default, deserialize_with = \"x\")]",
            "#[schemars(schema_with = \"x\")]",
            "#[serde(serialize_with = \"x\")]",
        ] {
            assert!(with(attr), "{attr}");
        }
        for attr in [
            "#[serde(default)]",
            "#[serde(rename = \"with\")]",
            "#[doc = \"with\"]",
        ] {
            assert!(!with(attr), "{attr}");
        }
        // Made by a macro that names `Place`.
        assert!(name_reaches(api, "Made"));
        let renamed = "pub struct Place { pub host: String }\n\
            use other::Thing as Place2;\n\
            use self::Place as Spot;\n\
            pub struct Place2 { pub n: u32 }\n\
            make!(Place);";
        // A `use .. as` name is the original's, unless an item of that name exists
        // (the original here is another crate's, which the macro could make).
        assert!(name_reaches(renamed, "Spot"));
        assert!(!name_reaches(renamed, "Place2"));
    }

    #[test]
    fn what_the_sources_cannot_tell_may_reach_anything() {
        // A union, an associated type, trait objects.
        for ty in [
            "Bits",
            "<Other as Trait>::Assoc",
            "Box<dyn Fn() -> u32>",
            "Vec<dyn Any>",
        ] {
            assert!(reaches(ty), "{ty}");
        }
        // In invisible delimiters, as a macro leaves a type.
        with_graph(API, |g| {
            let grouped = |inner: &str| {
                Type::Group(syn::TypeGroup {
                    group_token: Default::default(),
                    elem: Box::new(syn::parse_str(inner).expect("a type")),
                })
            };
            assert!(g.type_reaches(&grouped("Place"), "Place", &mut BTreeSet::new()));
            // A path with `Fn`-style arguments (a bare trait object).
            let mut path: syn::Path = syn::parse_str("Fn").expect("a path");
            path.segments[0].arguments =
                syn::PathArguments::Parenthesized(syn::parse_str("(u32)").expect("arguments"));
            let bare = Type::Path(syn::TypePath { qself: None, path });
            assert!(g.type_reaches(&bare, "Place", &mut BTreeSet::new()));
            assert!(!g.type_reaches(&grouped("Plain"), "Place", &mut BTreeSet::new()));
        });
    }
}
