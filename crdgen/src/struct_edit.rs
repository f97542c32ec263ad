//! Structural edits without a compiler: the second fast path of `gen-crds`.
//!
//! When the API sources differ from the ones last compiled in the fields of structs,
//! the new pass-1 output is the compiled one with those fields' schemas added,
//! removed or moved, at every place the struct's schema is inlined. This module
//! reads both versions of the sources with `syn`, works out the edits, builds each
//! new field's schema the way `schemars_derive` does (the same `schemars` calls, in
//! the same order), and finds the struct's schemas by walking the type graph from
//! each CRD's spec and status types alongside the compiled schema.
//!
//! | edit | taken | refused, and why |
//! | --- | --- | --- |
//! | field added | its type is built from `String`, `bool`, integers, floats, `Option`, `Box`, `Vec` and string-keyed maps, and named types: a struct or enum the API already has, or a new one of the same edit; its attributes are doc comments, `serde(rename, default, skip_serializing_if)`, `schemars(length, range, regex)` and `transform`s of `crdgen::markers` with literal arguments ([`run_markers`]) | a type from another crate or a macro, generics; other `transform`s, `flatten`, `with`, `cfg` (their schema comes from code this path does not run) |
//! | field removed | always, for the field itself | — |
//! | field renamed (Rust name or `serde(rename)`) | the type and every other attribute unchanged: the schema moves to the new name as it is | — |
//! | field's type, bound, marker or doc changed | as a removal plus an addition (above) | — |
//! | struct added | named fields as for a new field; its attributes `serde(rename_all, deny_unknown_fields)`, `skip_serializing_none` and markers as above | anything else |
//! | unit enum added | unit variants with doc comments and `serde(rename)`; its attributes `serde(rename_all)` and markers as above | data variants, anything else |
//! | struct or enum removed | no source names it any more | — |
//!
//! A type the API already has gets its schema from the compiled output: at a place
//! where a field of that type has nothing but a doc comment, less what the field
//! added (`Option`'s null, the field's description). It is taken only when that field,
//! rebuilt from it, is what the compiler produced; and never for a type that holds a
//! struct the same edit changes.
//!
//! Whatever the edit, it is refused when:
//! - anything else in the file changed: another item, a struct's own attributes
//!   (its doc comment, serde attributes and markers), generics, an unnamed field;
//! - the struct, or a type or field on a way from a CRD's root to it, has a
//!   `transform` this module does not know to ignore the field set (see
//!   [`FIELD_SET_INDEPENDENT`]), or one whose string arguments name an edited field;
//! - a way to the struct passes through something whose schema is not simply the
//!   struct's own: an enum, a generic struct, `flatten`, `with`, a type defined twice,
//!   or a type a macro may define;
//! - the struct has `#[serde(default)]` on itself (its fields' defaults come from its
//!   `Default` implementation), or a field of the old version that this path can
//!   rebuild differs from what the compiler produced for it (the model and the
//!   compiler disagree: compile).
//!
//! Refusing is always safe: the caller compiles instead, and every result this path
//! gives is compared byte for byte with the compiled one by the equivalence test
//! (`xtask/tests/fast_path.rs`).

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value};
use std::{
    borrow::Cow,
    cell::RefCell,
    collections::{BTreeMap, BTreeSet},
};
use syn::{Attribute, Expr, Fields, Item, Lit, Type, punctuated::Punctuated};

/// The markers (functions of [`crate::markers`]) whose effect on a schema depends on
/// no property but those named in their string arguments, and that change nothing
/// below the properties they name. A struct whose `transform`s, and whose ways from
/// a CRD's root, use only these can have fields added, removed and renamed without
/// running them again.
pub const FIELD_SET_INDEPENDENT: &[&str] = &[
    "at_least_one_of",
    "at_most_one_of",
    "cel",
    "cel_at",
    "cel_rule",
    "default",
    "dns_subdomain",
    "each",
    "enum_sorted",
    "exactly_one_of",
    "format",
    "items",
    "length",
    "list_atomic",
    "list_map",
    "list_set",
    "map_atomic",
    "map_granular",
    "max_items",
    "max_length",
    "one_of_strings",
    "pattern",
    "port",
    "properties",
    "range",
    "rule",
    "set",
];

/// The markers of [`FIELD_SET_INDEPENDENT`] that read the schemas of the properties
/// they name, not only whether they are there.
pub const READS_NAMED_SCHEMAS: &[&str] = &["list_map"];

/// One file of the API sources, parsed: its path and its items (inline modules'
/// items included), in order.
struct Parsed<'a> {
    path: &'a str,
    items: Vec<&'a Item>,
}

fn flatten_items<'a>(items: &'a [Item], out: &mut Vec<&'a Item>) {
    for item in items {
        out.push(item);
        if let Item::Mod(m) = item
            && let Some((_, inner)) = &m.content
        {
            flatten_items(inner, out);
        }
    }
}

/// A struct whose own attributes changed, rebuilt whole from the old and the new
/// source: at each place its schema is inlined, the old rebuild (or, inside a field,
/// that field rebuilt around it) must be what was compiled, and the new one replaces
/// it.
fn rebuild(
    path: &str,
    os: &syn::ItemStruct,
    ns: &syn::ItemStruct,
    graph: &Graph,
    named: &Named,
    crds: &[(&str, &Value)],
) -> Result<Vec<(usize, String, Action)>, String> {
    let name = ns.ident.to_string();
    let err = |e: String| format!("{path}: struct {name}, rebuilt: {e}");
    let old = named.struct_schema(os).map_err(err)?;
    let new = named.struct_schema(ns).map_err(err)?;
    let keys = |v: &Value| -> BTreeSet<String> {
        v.get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (ok, nk) = (keys(&old), keys(&new));
    // The ways to it may name any of its fields: those that come or go, and (for
    // markers that read them) those that stay.
    let edit = StructEdit {
        path: path.to_owned(),
        touched: ok.symmetric_difference(&nk).cloned().collect(),
        replaced: ok.intersection(&nk).cloned().collect(),
        ..StructEdit::none(&name)
    };
    if graph.defs.get(&name).map(Vec::len) != Some(1) {
        return Err(err("defined more than once".into()));
    }
    let mut out = Vec::new();
    for p in graph.places(&name, Some(&edit), crds, true)? {
        let crd = crds[p.crd].1;
        let Some(u) = p.usage else {
            if crd.pointer(&p.ptr) != Some(&old) {
                return Err(err(format!(
                    "the compiled schema at {} is not the rebuilt one",
                    p.ptr
                )));
            }
            out.push((p.crd, p.ptr, Action::Replace(new.clone())));
            continue;
        };
        let owner = Container::of(u.owner_attrs).map_err(err)?;
        let field_with = |schema: &Value| {
            named
                .cache
                .borrow_mut()
                .insert(name.clone(), Ok(schema.clone()));
            field_model(&owner, u.field, Some(named)).and_then(|m| m.schema)
        };
        let compiled = field_with(&old).map_err(err)?;
        if crd.pointer(&u.field_ptr) != Some(&compiled) {
            return Err(err(format!(
                "the compiled field at {} is not the one rebuilt around it",
                u.field_ptr
            )));
        }
        let replacement = field_with(&new).map_err(err)?;
        out.push((p.crd, u.field_ptr, Action::Replace(replacement)));
    }
    Ok(out)
}

/// Each file's items, inline modules' items included.
fn view(files: &[(String, syn::File)]) -> Vec<(String, Vec<&Item>)> {
    files
        .iter()
        .map(|(p, f)| {
            let mut items = Vec::new();
            flatten_items(&f.items, &mut items);
            (p.clone(), items)
        })
        .collect()
}

fn find<'a>(view: &'a [(String, Vec<&'a Item>)], path: &str) -> Option<Parsed<'a>> {
    view.iter()
        .find(|(p, _)| p == path)
        .map(|(p, items)| Parsed {
            path: p.as_str(),
            items: items.clone(),
        })
}

/// Parses each file of `sources` (path, text).
fn parse_all<'a>(
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

/// What one struct's edit does to its schema.
#[derive(Clone, Debug)]
struct StructEdit {
    /// The struct's name.
    name: String,
    /// Where it is defined, for messages.
    path: String,
    /// JSON names of removed fields.
    removed: Vec<String>,
    /// (old, new) JSON names of fields whose schema moves as it is.
    renamed: Vec<(String, String)>,
    /// JSON names and schemas of added fields.
    added: Vec<(String, Value)>,
    /// The old version's fields that this path can rebuild: JSON name and schema,
    /// checked against the compiled output before anything is changed.
    check: Vec<(String, Value)>,
    /// The JSON names of the required fields, old and new, in declaration order.
    required_old: Vec<String>,
    required_new: Vec<String>,
    /// The JSON names of fields that appear or disappear (added, removed, renamed):
    /// transforms that name one are refused.
    touched: BTreeSet<String>,
    /// The JSON names of fields whose schema is rebuilt under the same name: refused
    /// only by transforms that read the schemas of the fields they name
    /// ([`READS_NAMED_SCHEMAS`]).
    replaced: BTreeSet<String>,
}

/// The edits to make in pass 1's output, and where.
#[derive(Debug, Default)]
pub struct Plan {
    /// Per CRD (index into the built list): JSON pointers and what to do there.
    at: Vec<(usize, String, Action)>,
    edits: Vec<StructEdit>,
    /// Structs rebuilt whole (their own attributes changed).
    rebuilt: usize,
}

/// What a plan does at one place.
#[derive(Debug)]
enum Action {
    /// The field edit of `edits[i]` on a struct's schema.
    Edit(usize),
    /// A schema replaced: a rebuilt struct's, or the field's that holds it.
    Replace(Value),
}

impl Plan {
    /// How many structs the plan edits or rebuilds.
    pub fn len(&self) -> usize {
        self.edits.len() + self.rebuilt
    }

    /// Whether the plan changes nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Plans the edits that turn the sources `old` (those of the compiled output
    /// `crds`, one per CRD: its kind and pass-1 JSON) into `new`, or says why this
    /// path cannot. `changed` lists the files that differ.
    pub fn new(
        old: &BTreeMap<String, String>,
        new: &BTreeMap<String, String>,
        changed: &[&str],
        crds: &[(&str, &Value)],
    ) -> Result<Plan, String> {
        // Where structs are is read from the old sources, with the compiled output
        // they gave: an edit adds no new way to a struct (added fields are of
        // primitive types; other items do not change), and renamed ways are
        // followed by applying the deepest edits first. Only the changed files are
        // parsed twice.
        let old_files = parse_all(old.iter())?;
        let new_changed = parse_all(new.iter().filter(|(p, _)| changed.contains(&p.as_str())))?;
        let old_view = view(&old_files);
        let new_view = view(&new_changed);
        let old_graph = Graph::of(&old_view);
        let mut pairs = Vec::new();
        let mut rebuilt = Vec::new();
        let mut new_types = BTreeMap::new();
        for path in changed {
            let (Some(o), Some(n)) = (find(&old_view, path), find(&new_view, path)) else {
                return Err(format!("{path} changed"));
            };
            let changes = file_changes(&o, &n)?;
            for t in &changes.removed_types {
                if let Some(user) = new.iter().find(|(_, text)| mentions(text, t)) {
                    return Err(format!(
                        "{path}: type {t} was removed, but {} names it",
                        user.0
                    ));
                }
            }
            for t in &changes.new_types {
                let name = item_name(t).unwrap_or_default();
                if old_graph.defs.contains_key(&name) || new_types.contains_key(&name) {
                    return Err(format!("{path}: new type {name}: the name is taken"));
                }
                new_types.insert(name, (*path, *t));
            }
            pairs.extend(changes.structs.into_iter().map(|(os, ns)| (*path, os, ns)));
            rebuilt.extend(changes.rebuilt.into_iter().map(|(os, ns)| (*path, os, ns)));
        }
        let named = Named {
            graph: &old_graph,
            crds,
            new_types,
            edited: pairs
                .iter()
                .chain(&rebuilt)
                .map(|(_, _, ns)| ns.ident.to_string())
                .collect(),
            foreign: foreign_names(&new_view),
            cache: RefCell::new(BTreeMap::new()),
        };
        let edits = pairs
            .into_iter()
            .map(|(path, os, ns)| edit_of(path, os, ns, &named))
            .collect::<Result<Vec<_>, _>>()?;
        if edits.is_empty() && rebuilt.is_empty() {
            return Err("the changed files hold no field edit".into());
        }
        let mut plan = Plan::default();
        for edit in edits {
            let at = old_graph.locations(&edit, crds)?;
            let i = plan.edits.len();
            plan.at
                .extend(at.into_iter().map(|(crd, ptr)| (crd, ptr, Action::Edit(i))));
            plan.edits.push(edit);
        }
        for (path, os, ns) in rebuilt {
            let replaced = rebuild(path, os, ns, &old_graph, &named, crds)?;
            plan.at.extend(replaced);
            plan.rebuilt += 1;
        }
        // Deepest first: an edit below a renamed field is made before the rename.
        plan.at
            .sort_by_key(|(crd, ptr, _)| (std::cmp::Reverse(ptr.matches('/').count()), *crd));
        // Check every place before the plan is used: the compiled schema there is
        // what the old sources say it is.
        for (crd, ptr, action) in &plan.at {
            let Action::Edit(i) = action else { continue };
            let edit = &plan.edits[*i];
            let schema = crds[*crd].1.pointer(ptr).ok_or_else(|| {
                format!("{}: no schema at {ptr} for struct {}", edit.path, edit.name)
            })?;
            edit.verify(schema)
                .map_err(|e| format!("{}: struct {} at {ptr}: {e}", edit.path, edit.name))?;
        }
        Ok(plan)
    }

    /// Makes the edits in the pass-1 CRDs (the same list, in the same order, as the
    /// plan was made from).
    pub fn apply(&self, crds: &mut [&mut Value]) {
        for (crd, ptr, action) in &self.at {
            if let Some(schema) = crds[*crd].pointer_mut(ptr) {
                match action {
                    Action::Edit(i) => self.edits[*i].apply(schema),
                    Action::Replace(v) => *schema = v.clone(),
                }
            }
        }
    }
}

impl StructEdit {
    /// An edit of nothing: for walks that only need the ways' markers known.
    fn none(name: &str) -> Self {
        StructEdit {
            name: name.to_owned(),
            path: String::new(),
            removed: Vec::new(),
            renamed: Vec::new(),
            added: Vec::new(),
            check: Vec::new(),
            required_old: Vec::new(),
            required_new: Vec::new(),
            touched: BTreeSet::new(),
            replaced: BTreeSet::new(),
        }
    }

    fn verify(&self, schema: &Value) -> Result<(), String> {
        let props = schema.get("properties").and_then(Value::as_object);
        let has = |k: &str| props.is_some_and(|p| p.contains_key(k));
        for k in self
            .removed
            .iter()
            .chain(self.renamed.iter().map(|(o, _)| o))
        {
            if !has(k) {
                return Err(format!("has no field `{k}`"));
            }
        }
        for k in self
            .added
            .iter()
            .map(|(k, _)| k)
            .chain(self.renamed.iter().map(|(_, n)| n))
        {
            if has(k) && !self.removed.contains(k) && !self.renamed.iter().any(|(o, _)| o == k) {
                return Err(format!("already has a field `{k}`"));
            }
        }
        for (k, want) in &self.check {
            let got = props.and_then(|p| p.get(k));
            if got != Some(want) {
                return Err(format!(
                    "field `{k}` was compiled to {}, not to {want} as this path would build it",
                    got.map_or("nothing".into(), Value::to_string)
                ));
            }
        }
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if required != self.required_old {
            return Err(format!(
                "its required fields are {required:?}, not {:?} as the sources say",
                self.required_old
            ));
        }
        Ok(())
    }

    fn apply(&self, schema: &mut Value) {
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        let props = obj
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(props) = props.as_object_mut() {
            let moved: Vec<(String, Value)> = self
                .renamed
                .iter()
                .filter_map(|(o, n)| props.remove(o).map(|v| (n.clone(), v)))
                .collect();
            for k in &self.removed {
                props.remove(k);
            }
            props.extend(moved);
            props.extend(self.added.iter().cloned());
        }
        if self.required_new.is_empty() {
            obj.remove("required");
        } else {
            obj.insert("required".into(), self.required_new.clone().into());
        }
    }
}

/// The changes of one file: every item the same but for the fields of structs, new
/// structs and enums, and removed ones.
struct FileChanges<'a> {
    structs: Vec<(&'a syn::ItemStruct, &'a syn::ItemStruct)>,
    /// Structs whose own attributes changed: rebuilt whole.
    rebuilt: Vec<(&'a syn::ItemStruct, &'a syn::ItemStruct)>,
    new_types: Vec<&'a Item>,
    removed_types: Vec<String>,
}

fn file_changes<'a>(old: &Parsed<'a>, new: &Parsed<'a>) -> Result<FileChanges<'a>, String> {
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
fn foreign_names(files: &[(String, Vec<&Item>)]) -> Option<BTreeSet<String>> {
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

fn item_name(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        Item::Union(u) => Some(u.ident.to_string()),
        _ => None,
    }
}

/// The edit of one struct whose fields changed.
fn edit_of(
    path: &str,
    os: &syn::ItemStruct,
    ns: &syn::ItemStruct,
    named: &Named,
) -> Result<StructEdit, String> {
    let name = ns.ident.to_string();
    let (Fields::Named(of), Fields::Named(nf)) = (&os.fields, &ns.fields) else {
        return Err(format!("{path}: struct {name} has no named fields"));
    };
    let container = Container::of(&ns.attrs).map_err(|e| format!("{path}: {name}: {e}"))?;
    struct_edit(
        path,
        &name,
        &container,
        &of.named.iter().collect::<Vec<_>>(),
        &nf.named.iter().collect::<Vec<_>>(),
        named,
    )
}

/// Schemas of named types for new fields, and for checking old ones: a new unit enum's
/// is built from its source; a type the API already has is read back from the
/// compiled output, where a field of that type is inlined with nothing but a doc
/// comment, and taken only when that field rebuilt from it is what was compiled.
struct Named<'s, 'a> {
    graph: &'s Graph<'a>,
    crds: &'s [(&'s str, &'s Value)],
    /// Structs and enums new in this edit, and their files.
    new_types: BTreeMap<String, (&'s str, &'s Item)>,
    /// The structs this plan edits: a type that holds one is not read back from the
    /// old output.
    edited: BTreeSet<String>,
    /// Names the changed files import from other crates (`None`: a glob import from
    /// another crate, which may bring any name): such a name is not ours.
    foreign: Option<BTreeSet<String>>,
    cache: RefCell<BTreeMap<String, Result<Value, String>>>,
}

impl Named<'_, '_> {
    fn schema(&self, name: &str) -> Result<Value, String> {
        if let Some(known) = self.cache.borrow().get(name) {
            return known.clone();
        }
        // Recursion ends here: a type that holds itself is refused.
        self.cache
            .borrow_mut()
            .insert(name.to_owned(), Err(format!("type `{name}` holds itself")));
        let found = self.find(name);
        self.cache
            .borrow_mut()
            .insert(name.to_owned(), found.clone());
        found
    }

    fn find(&self, name: &str) -> Result<Value, String> {
        match self.new_types.get(name) {
            Some((_, Item::Enum(e))) => {
                return enum_schema(e).map_err(|e| format!("new enum {name}: {e}"));
            }
            Some((path, Item::Struct(s))) => {
                return self
                    .struct_schema(s)
                    .map_err(|e| format!("{path}: new struct {name}: {e}"));
            }
            _ => {}
        }
        if self.foreign.as_ref().is_none_or(|f| f.contains(name)) {
            return Err(format!(
                "type `{name}` may be another crate's (imported with `use`)"
            ));
        }
        let own = match self.graph.defs.get(name).map(Vec::as_slice) {
            Some([Item::Struct(s)]) if s.generics.params.is_empty() => &s.attrs,
            Some([Item::Enum(e)]) if e.generics.params.is_empty() => &e.attrs,
            Some([_]) => return Err(format!("type `{name}`: generic, or not a struct or enum")),
            Some(_) => return Err(format!("type `{name}` is defined more than once")),
            None => {
                return Err(format!(
                    "type `{name}`: not defined in the API's sources (its schema comes from \
                     another crate's code, which runs only when compiled)"
                ));
            }
        };
        if let Some(e) = self
            .edited
            .iter()
            .find(|e| self.graph.name_reaches(name, e, &mut BTreeSet::new()))
        {
            return Err(format!("type `{name}` holds struct {e}, which changed too"));
        }
        let (title, description) = doc_text(own);
        if !title.is_empty() {
            return Err(format!("type `{name}`: a doc comment with a `#` title"));
        }
        // Only places whose ways from the roots pass known markers: an unknown one
        // (a function of the API crate) may have changed the schemas below it.
        let no_edit = StructEdit::none(name);
        let places = self.graph.places(name, Some(&no_edit), self.crds, false)?;
        for p in places {
            let Some(u) = p.usage else { continue };
            if !u.model.plain {
                continue;
            }
            let crd = self.crds[p.crd].1;
            let (Some(node), Some(field)) = (crd.pointer(&p.ptr), crd.pointer(&u.field_ptr)) else {
                continue;
            };
            let Some(candidate) = unwrap_usage(node, &u, &description) else {
                continue;
            };
            // The field rebuilt from the candidate must be what was compiled.
            self.cache
                .borrow_mut()
                .insert(name.to_owned(), Ok(candidate.clone()));
            let rebuilt = build_field(
                u.model.ty,
                &u.model.doc,
                &Validation::default(),
                false,
                None,
                Some(self),
            );
            if rebuilt.as_ref() == Ok(field) {
                return Ok(candidate);
            }
        }
        Err(format!(
            "type `{name}`: no field of this type with only a doc comment to read its \
             schema from"
        ))
    }
}

impl Named<'_, '_> {
    /// A new struct's schema as `schemars_derive` builds it: an object, each field's
    /// schema as a property (and in `required` unless optional), the struct's
    /// description, then its `transform`s (only markers without arguments).
    fn struct_schema(&self, s: &syn::ItemStruct) -> Result<Value, String> {
        if !s.generics.params.is_empty() {
            return Err("generic".into());
        }
        let Fields::Named(fields) = &s.fields else {
            return Err("no named fields".into());
        };
        let c = Container::of(&s.attrs)?;
        let markers = c
            .transforms
            .iter()
            .map(run_markers::marker)
            .collect::<Result<Vec<_>, _>>()?;
        let mut schema = Schema::from(Map::from_iter([("type".to_owned(), Value::from("object"))]));
        if c.deny_unknown_fields {
            schema.insert("additionalProperties".into(), false.into());
        }
        for f in &fields.named {
            let m = field_model(&c, f, Some(self))?;
            let field = m.schema?;
            let field = Schema::try_from(field).map_err(|e| e.to_string())?;
            schemars::_private::insert_object_property(&mut schema, &m.json, m.optional, field);
        }
        let (title, description) = doc_text(&s.attrs);
        schemars::_private::insert_metadata_property_if_nonempty(&mut schema, "title", title);
        schemars::_private::insert_metadata_property_if_nonempty(
            &mut schema,
            "description",
            description,
        );
        for mut m in markers {
            m(&mut schema);
        }
        Ok(schema.to_value())
    }
}

/// The schema of a type, read back from a plain field of that type: the compiled
/// `node` where the type's schema is, less what the field added (`Option`'s null,
/// the field's description, replaced by the type's own `description`).
fn unwrap_usage(node: &Value, u: &Usage, description: &str) -> Option<Value> {
    match u.chain.last().map(String::as_str) {
        // Inside a list or a map: the type's own schema.
        Some("Vec" | "BTreeMap" | "HashMap") => return Some(node.clone()),
        Some("Option" | "Box") | None => {}
        Some(_) => return None,
    }
    let option = u.chain.last().is_some_and(|w| w == "Option");
    if option
        && let Some([inner, null]) = node
            .get("anyOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        && null == &serde_json::json!({ "type": "null" })
    {
        // `Option` of a schema with subschemas (`oneOf`, ...): wrapped, the inner one
        // is the type's. Without them schemars does not wrap: the type's own schema
        // allows null already, which is not read back.
        let wrapped = ["if", "allOf", "anyOf", "oneOf", "$ref"]
            .iter()
            .any(|k| inner.get(k).is_some());
        return wrapped.then(|| inner.clone());
    }
    let mut v = node.clone();
    let obj = v.as_object_mut()?;
    if option {
        // `Option` adds `null` to the type, and to the values of an enum (a `const`
        // becomes a one-value enum: which it was cannot be told, so that is refused).
        let types = obj.get_mut("type")?.as_array_mut()?;
        types.retain(|t| t != "null");
        if let [one] = types.as_slice() {
            let one = one.clone();
            obj.insert("type".into(), one);
        }
        if let Some(values) = obj.get_mut("enum").and_then(Value::as_array_mut) {
            values.retain(|v| !v.is_null());
            if values.len() < 2 {
                return None;
            }
        }
    }
    let field_doc = crate::doc_edit::DocBlock {
        inner: false,
        lines: u.model.doc.clone(),
    }
    .schema_text()
    .1;
    if !field_doc.is_empty() {
        if description.is_empty() {
            obj.remove("description");
        } else {
            obj.insert("description".into(), description.into());
        }
    }
    Some(v)
}

/// The `(title, description)` schemars makes of the doc comment in `attrs`.
fn doc_text(attrs: &[Attribute]) -> (String, String) {
    crate::doc_edit::DocBlock {
        inner: false,
        lines: attrs.iter().filter_map(doc_line).collect(),
    }
    .schema_text()
}

fn doc_line(a: &Attribute) -> Option<String> {
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

/// A new enum's schema as `schemars_derive` builds it, for enums of unit variants
/// (serde's externally tagged form): undocumented variants as one `enum` of names,
/// each documented one as a `const` with its description, under `oneOf` when there
/// are documented ones; then the enum's description and its `transform`s.
fn enum_schema(e: &syn::ItemEnum) -> Result<Value, String> {
    let mut rename_all = None;
    let mut transforms = Vec::new();
    for a in &e.attrs {
        let p = a.path();
        if p.is_ident("doc") || p.is_ident("derive") {
            continue;
        }
        if p.is_ident("serde") {
            a.parse_nested_meta(|m| {
                if m.path.is_ident("rename_all") {
                    rename_all = Some(m.value()?.parse::<syn::LitStr>()?.value());
                    Ok(())
                } else {
                    Err(m.error("not followed by the structural fast path"))
                }
            })
            .map_err(|e| e.to_string())?;
            continue;
        }
        if p.is_ident("schemars") {
            for t in transforms_only(a)? {
                transforms.push(run_markers::marker(&t)?);
            }
            continue;
        }
        return Err(format!("#[{}] is not followed", tokens(a)));
    }
    if !e.generics.params.is_empty() {
        return Err("generic".into());
    }
    let mut units = Vec::new();
    let mut documented = Vec::new();
    for v in &e.variants {
        if !matches!(v.fields, Fields::Unit) || v.discriminant.is_some() {
            return Err(format!("variant {}: not a plain unit variant", v.ident));
        }
        let mut name = variant_name(&v.ident.to_string(), rename_all.as_deref())?;
        for a in &v.attrs {
            let p = a.path();
            if p.is_ident("doc") || p.is_ident("default") {
                continue;
            }
            if p.is_ident("serde") {
                a.parse_nested_meta(|m| {
                    if m.path.is_ident("rename") {
                        name = m.value()?.parse::<syn::LitStr>()?.value();
                        Ok(())
                    } else {
                        Err(m.error("not followed by the structural fast path"))
                    }
                })
                .map_err(|e| format!("variant {}: {e}", v.ident))?;
                continue;
            }
            return Err(format!(
                "variant {}: #[{}] is not followed",
                v.ident,
                tokens(a)
            ));
        }
        let (title, description) = doc_text(&v.attrs);
        if title.is_empty() && description.is_empty() {
            units.push(Value::from(name));
        } else {
            let mut s = schemars::_private::new_unit_enum_variant(&name);
            schemars::_private::insert_metadata_property_if_nonempty(&mut s, "title", title);
            schemars::_private::insert_metadata_property_if_nonempty(
                &mut s,
                "description",
                description,
            );
            documented.push(s.to_value());
        }
    }
    let unit_schema = serde_json::json!({ "type": "string", "enum": units });
    let mut schema = if documented.is_empty() {
        unit_schema
    } else {
        let mut all = Vec::new();
        if !units.is_empty() {
            all.push(unit_schema);
        }
        all.extend(documented);
        serde_json::json!({ "oneOf": all })
    };
    let (title, description) = doc_text(&e.attrs);
    let mut s = Schema::try_from(std::mem::take(&mut schema)).map_err(|e| e.to_string())?;
    schemars::_private::insert_metadata_property_if_nonempty(&mut s, "title", title);
    schemars::_private::insert_metadata_property_if_nonempty(&mut s, "description", description);
    for mut t in transforms {
        t(&mut s);
    }
    Ok(s.to_value())
}

/// serde's name of a unit variant under `rename_all`.
fn variant_name(ident: &str, rule: Option<&str>) -> Result<String, String> {
    let snake = || {
        let mut out = String::new();
        for (i, c) in ident.chars().enumerate() {
            if i > 0 && c.is_uppercase() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    };
    Ok(match rule {
        None | Some("PascalCase") => ident.to_owned(),
        Some("lowercase") => ident.to_ascii_lowercase(),
        Some("UPPERCASE") => ident.to_ascii_uppercase(),
        Some("camelCase") => {
            let mut c = ident.chars();
            c.next()
                .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
                .unwrap_or_default()
        }
        Some("snake_case") => snake(),
        Some("SCREAMING_SNAKE_CASE") => snake().to_ascii_uppercase(),
        Some("kebab-case") => snake().replace('_', "-"),
        Some(other) => return Err(format!("rename_all = {other:?} is not followed")),
    })
}

/// What a struct's own attributes say about its fields' schemas.
struct Container {
    rename_all: Option<String>,
    deny_unknown_fields: bool,
    skip_serializing_none: bool,
    /// The `transform`s on the struct.
    transforms: Vec<Expr>,
}

impl Container {
    fn of(attrs: &[Attribute]) -> Result<Self, String> {
        let mut c = Container {
            rename_all: None,
            deny_unknown_fields: false,
            skip_serializing_none: false,
            transforms: Vec::new(),
        };
        for a in attrs {
            let p = a.path();
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
    fn json_name(&self, ident: &str) -> Result<String, String> {
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
fn pascal(ident: &str) -> String {
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

fn tokens(a: &Attribute) -> String {
    use quote::ToTokens;
    a.meta.to_token_stream().to_string()
}

/// The `transform = ...` arguments of a `#[schemars(...)]` attribute that has nothing
/// else.
fn transforms_only(a: &Attribute) -> Result<Vec<Expr>, String> {
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
struct FieldModel<'a> {
    json: String,
    /// The doc comment's lines.
    doc: Vec<String>,
    /// Nothing but a doc comment and serde's renaming shapes its schema: its type's
    /// schema can be read back from it.
    plain: bool,
    ty: &'a Type,
    /// Whether the field is absent from `required`.
    optional: bool,
    /// The `transform`s on the field.
    transforms: Vec<Expr>,
    /// The attributes besides the Rust name, doc comments and `serde(rename)`, for
    /// comparing two versions of a renamed field.
    rest: Vec<&'a Attribute>,
    /// The schema this module builds for it, when it can.
    schema: Result<Value, String>,
}

fn field_model<'a>(
    c: &Container,
    f: &'a syn::Field,
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
    let plain = other.is_none() && transforms.is_empty() && !default && validation.is_empty();
    let schema = match other {
        Some(o) => Err(format!("{ident}: `{o}` is not modelled")),
        None => transforms
            .iter()
            .map(run_markers::marker)
            .collect::<Result<Vec<_>, _>>()
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
        ty: &f.ty,
        optional,
        transforms,
        rest,
        schema,
    })
}

/// The bounds of `length(..)` or `range(..)`: integer or float literals.
#[derive(Clone, Debug, Default)]
struct Bounds {
    min: Option<Value>,
    max: Option<Value>,
}

fn bounds(m: &syn::meta::ParseNestedMeta) -> syn::Result<Bounds> {
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

fn number(e: &Expr) -> syn::Result<Value> {
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

fn literal_string(e: &Expr) -> syn::Result<String> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(s.value()),
        _ => Err(syn::Error::new_spanned(e, "not a string literal")),
    }
}

#[derive(Clone, Debug, Default)]
struct Validation {
    length: Option<Bounds>,
    range: Option<Bounds>,
    pattern: Option<String>,
    /// `inner(..)`: for the items of a list.
    inner: Option<Box<Validation>>,
}

impl Validation {
    fn is_empty(&self) -> bool {
        self.length.is_none()
            && self.range.is_none()
            && self.pattern.is_none()
            && self.inner.is_none()
    }

    /// Reads one `length(..)`, `range(..)`, `regex(pattern = ..)` or `inner(..)`
    /// argument of `#[schemars]`; `false` for another argument (left unread).
    fn parse(&mut self, m: &syn::meta::ParseNestedMeta) -> syn::Result<bool> {
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
    fn apply(&self, schema: &mut Schema) {
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
fn last_ident(ty: &Type) -> Option<(String, Vec<&Type>)> {
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

thread_local! {
    /// The schema [`Inner`] stands for while a wrapper's schema is generated.
    static INNER: RefCell<Option<Value>> = const { RefCell::new(None) };
}

/// A type whose schema is set at run time: generating `Option<Inner>` gives exactly
/// what `schemars` makes of an `Option` of a type with that schema.
struct Inner;

impl JsonSchema for Inner {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Inner".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        INNER
            .with(|i| i.borrow().clone())
            .and_then(|v| Schema::try_from(v).ok())
            .unwrap_or_default()
    }
}

fn wrapped<W: JsonSchema>(inner: Value) -> Value {
    INNER.with(|i| *i.borrow_mut() = Some(inner));
    let out = crate::build::generator().subschema_for::<W>().to_value();
    INNER.with(|i| *i.borrow_mut() = None);
    out
}

/// The schema `schemars` generates for `ty`, when it is built from primitives,
/// `Option`, `Vec`, string-keyed maps and the named types `named` knows; and its
/// `Default` value as JSON, when known.
fn type_schema(ty: &Type, named: Option<&Named>) -> Result<(Value, Option<Value>), String> {
    let (name, args) = last_ident(ty).ok_or("a type that is not a plain path")?;
    let mut g = crate::build::generator();
    macro_rules! prim {
        ($($n:literal => $t:ty),* $(,)?) => {
            match name.as_str() {
                $($n if args.is_empty() => {
                    return Ok((
                        g.subschema_for::<$t>().to_value(),
                        Some(serde_json::to_value(<$t>::default()).map_err(|e| e.to_string())?),
                    ))
                })*
                _ => {}
            }
        };
    }
    prim!(
        "String" => String, "bool" => bool,
        "i8" => i8, "i16" => i16, "i32" => i32, "i64" => i64,
        "u8" => u8, "u16" => u16, "u32" => u32, "u64" => u64,
        "f32" => f32, "f64" => f64,
    );
    match (name.as_str(), args.as_slice()) {
        ("Option", [t]) => Ok((
            wrapped::<Option<Inner>>(type_schema(t, named)?.0),
            Some(Value::Null),
        )),
        ("Box", [t]) => Ok((type_schema(t, named)?.0, None)),
        ("Vec", [t]) => Ok((
            wrapped::<Vec<Inner>>(type_schema(t, named)?.0),
            Some(Value::Array(vec![])),
        )),
        ("BTreeMap" | "HashMap", [k, v]) => {
            match last_ident(k) {
                Some((k, a)) if k == "String" && a.is_empty() => {}
                _ => return Err("a map whose keys are not `String`".into()),
            }
            Ok((
                wrapped::<BTreeMap<String, Inner>>(type_schema(v, named)?.0),
                Some(Value::Object(Map::new())),
            ))
        }
        (_, []) => match named {
            Some(n) => Ok((n.schema(&name)?, None)),
            None => Err(format!("type `{name}`: not resolved")),
        },
        _ => Err(format!(
            "type `{name}<..>`: its schema comes from its own derive, which runs only when compiled"
        )),
    }
}

/// A field's schema as `schemars_derive` builds it: the type's schema, then title and
/// description from the doc comment, then the validation attributes, then the default.
fn build_field(
    ty: &Type,
    doc: &[String],
    v: &Validation,
    default: bool,
    skip_if: Option<&str>,
    named: Option<&Named>,
) -> Result<Value, String> {
    let (schema, default_value) = type_schema(ty, named)?;
    let mut schema = Schema::try_from(schema).map_err(|e| e.to_string())?;
    let block = crate::doc_edit::DocBlock {
        inner: false,
        lines: doc.to_vec(),
    };
    let (title, description) = block.schema_text();
    if !title.is_empty() {
        return Err("a doc comment with a `#` title".into());
    }
    schemars::_private::insert_metadata_property_if_nonempty(
        &mut schema,
        "description",
        description,
    );
    v.apply(&mut schema);
    if default {
        let Some(default_value) = default_value else {
            return Err(
                "a `serde(default)` of a type whose default this path does not know".into(),
            );
        };
        let skipped = match skip_if {
            None => false,
            Some("Option::is_none") => default_value.is_null(),
            Some(
                "Vec::is_empty" | "BTreeMap::is_empty" | "HashMap::is_empty" | "String::is_empty",
            ) => default_value
                .as_array()
                .map(Vec::is_empty)
                .or(default_value.as_object().map(Map::is_empty))
                .or(default_value.as_str().map(str::is_empty))
                .unwrap_or(false),
            Some(other) => return Err(format!("skip_serializing_if = {other:?} is not followed")),
        };
        if !skipped {
            schema.insert("default".into(), default_value);
        }
    }
    Ok(schema.to_value())
}

/// The edit of one struct: its old and new fields.
fn struct_edit(
    path: &str,
    name: &str,
    c: &Container,
    old: &[&syn::Field],
    new: &[&syn::Field],
    named: &Named,
) -> Result<StructEdit, String> {
    let err = |e: String| format!("{path}: {name}.{e}");
    let om: Vec<FieldModel> = old
        .iter()
        .map(|f| field_model(c, f, Some(named)))
        .collect::<Result<_, _>>()
        .map_err(err)?;
    let nm: Vec<FieldModel> = new
        .iter()
        .map(|f| field_model(c, f, Some(named)))
        .collect::<Result<_, _>>()
        .map_err(err)?;
    // Unchanged fields at both ends; what is between them changed.
    let same = |a: &syn::Field, b: &syn::Field| a == b;
    let mut head = 0;
    while head < old.len() && head < new.len() && same(old[head], new[head]) {
        head += 1;
    }
    let mut tail = 0;
    while tail < old.len() - head
        && tail < new.len() - head
        && same(old[old.len() - 1 - tail], new[new.len() - 1 - tail])
    {
        tail += 1;
    }
    let (o_mid, n_mid) = (&om[head..om.len() - tail], &nm[head..nm.len() - tail]);
    let mut edit = StructEdit {
        name: name.to_owned(),
        path: path.to_owned(),
        removed: Vec::new(),
        renamed: Vec::new(),
        added: Vec::new(),
        check: Vec::new(),
        required_old: om
            .iter()
            .filter(|f| !f.optional)
            .map(|f| f.json.clone())
            .collect(),
        required_new: nm
            .iter()
            .filter(|f| !f.optional)
            .map(|f| f.json.clone())
            .collect(),
        touched: BTreeSet::new(),
        replaced: BTreeSet::new(),
    };
    // Pair the changed fields: the same JSON name is a field rebuilt; a field this
    // path cannot build is the rename of an old one with the same type, attributes
    // and doc comment (its schema moves as it is); the rest are added or removed.
    let mut olds: Vec<&FieldModel> = o_mid.iter().collect();
    for n in n_mid {
        let same_name = olds.iter().position(|o| o.json == n.json);
        let moved = || {
            olds.iter().position(|o| {
                o.ty == n.ty && o.rest == n.rest && o.optional == n.optional && o.doc == n.doc
            })
        };
        match (&n.schema, same_name) {
            (Ok(s), at) => {
                if let Some(at) = at {
                    let o = olds.remove(at);
                    edit.removed.push(o.json.clone());
                    if let Ok(s) = &o.schema {
                        edit.check.push((o.json.clone(), s.clone()));
                    }
                }
                edit.added.push((n.json.clone(), s.clone()));
            }
            (Err(e), _) => match moved() {
                Some(at) => {
                    let o = olds.remove(at);
                    if o.json != n.json {
                        edit.renamed.push((o.json.clone(), n.json.clone()));
                    }
                }
                None => return Err(format!("{path}: {name}.{e}")),
            },
        }
    }
    for o in olds {
        edit.removed.push(o.json.clone());
        if let Ok(s) = &o.schema {
            edit.check.push((o.json.clone(), s.clone()));
        }
    }
    for (o, n) in &edit.renamed {
        edit.touched.extend([o.clone(), n.clone()]);
    }
    let removed: BTreeSet<&String> = edit.removed.iter().collect();
    let added: BTreeSet<&String> = edit.added.iter().map(|(k, _)| k).collect();
    for k in removed.symmetric_difference(&added) {
        edit.touched.insert((*k).clone());
    }
    for k in removed.intersection(&added) {
        edit.replaced.insert((*k).clone());
    }
    let dup: BTreeSet<&String> = nm.iter().map(|f| &f.json).collect();
    if dup.len() != nm.len() {
        return Err(format!(
            "{path}: {name} has two fields of the same JSON name"
        ));
    }
    // The transforms of fields that stay see only their own schema; the struct's
    // see the field set.
    check_transforms(&c.transforms, &edit).map_err(|e| format!("{path}: struct {name}: {e}"))?;
    Ok(edit)
}

/// Every transform of `ts` uses only markers of [`FIELD_SET_INDEPENDENT`], and none of
/// its string literals names a field that `edit` adds, removes or renames (or
/// rebuilds, for markers that read the schemas of the fields they name).
fn check_transforms(ts: &[Expr], edit: &StructEdit) -> Result<(), String> {
    use quote::ToTokens;
    for t in ts {
        let text = t.to_token_stream().to_string();
        let mut ok = true;
        let mut reads = false;
        let mut literals = Vec::new();
        walk_tokens(t.to_token_stream(), &mut |tt| match tt {
            proc_macro2::TokenTree::Ident(i) => {
                let s = i.to_string();
                reads |= READS_NAMED_SCHEMAS.contains(&s.as_str());
                if !(FIELD_SET_INDEPENDENT.contains(&s.as_str())
                    || ["markers", "crdgen", "Some", "None", "true", "false"].contains(&s.as_str()))
                {
                    ok = false;
                }
            }
            proc_macro2::TokenTree::Literal(l) => {
                if let Ok(Lit::Str(s)) = syn::parse_str::<Lit>(&l.to_string()) {
                    literals.push(s.value());
                }
            }
            _ => {}
        });
        let mut names = edit
            .touched
            .iter()
            .chain(reads.then_some(&edit.replaced).into_iter().flatten());
        let named = names
            .find(|n| literals.iter().any(|l| mentions(l, n)))
            .cloned();
        if !ok {
            return Err(format!(
                "transform `{text}` is not known to ignore the field set (crdgen::struct_edit::FIELD_SET_INDEPENDENT)"
            ));
        }
        if let Some(n) = named {
            return Err(format!("transform `{text}` names the edited field `{n}`"));
        }
    }
    Ok(())
}

/// Whether `text` holds `name` as a word (not inside a longer identifier).
fn mentions(text: &str, name: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

fn walk_tokens(ts: proc_macro2::TokenStream, f: &mut impl FnMut(&proc_macro2::TokenTree)) {
    for tt in ts {
        f(&tt);
        if let proc_macro2::TokenTree::Group(g) = &tt {
            walk_tokens(g.stream(), f);
        }
    }
}

/// The types of the API sources: where each struct's schema is.
struct Graph<'a> {
    /// Type definitions by name.
    defs: BTreeMap<String, Vec<&'a Item>>,
    /// Every identifier inside a macro (definition or use): a type a macro defines
    /// may hold any of them.
    macro_idents: BTreeSet<String>,
    /// Per CRD kind: its spec and status type names.
    roots: BTreeMap<String, (String, Option<String>)>,
}

impl<'a> Graph<'a> {
    fn of(files: &[(String, Vec<&'a Item>)]) -> Self {
        let mut g = Graph {
            defs: BTreeMap::new(),
            macro_idents: BTreeSet::new(),
            roots: BTreeMap::new(),
        };
        for (_, items) in files {
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
                    Item::Macro(m) => {
                        use quote::ToTokens;
                        walk_tokens(m.mac.tokens.to_token_stream(), &mut |tt| {
                            if let proc_macro2::TokenTree::Ident(i) = tt {
                                g.macro_idents.insert(i.to_string());
                            }
                        });
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
    fn type_reaches(&self, ty: &Type, target: &str, seen: &mut BTreeSet<String>) -> bool {
        let mut found = false;
        use quote::ToTokens;
        walk_tokens(ty.to_token_stream(), &mut |tt| {
            if let proc_macro2::TokenTree::Ident(i) = tt {
                found |= self.name_reaches(&i.to_string(), target, seen);
            }
        });
        found
    }

    fn name_reaches(&self, name: &str, target: &str, seen: &mut BTreeSet<String>) -> bool {
        if name == target {
            return true;
        }
        if !seen.insert(name.to_owned()) {
            return false;
        }
        let Some(defs) = self.defs.get(name) else {
            // Not defined by an item: from another crate, a primitive, or a macro.
            return self.macro_idents.contains(target);
        };
        defs.iter().any(|d| match d {
            Item::Struct(s) => s.fields.iter().any(|f| self.field_reaches(f, target, seen)),
            Item::Enum(e) => e
                .variants
                .iter()
                .any(|v| v.fields.iter().any(|f| self.field_reaches(f, target, seen))),
            Item::Type(t) => self.type_reaches(&t.ty, target, seen),
            _ => true,
        })
    }

    fn field_reaches(&self, f: &syn::Field, target: &str, seen: &mut BTreeSet<String>) -> bool {
        // A `with` type names its schema in a string.
        // A `with` type names its schema in a string: it may be anything.
        has_arg(
            f,
            &["with", "schema_with", "serialize_with", "deserialize_with"],
        ) || self.type_reaches(&f.ty, target, seen)
    }

    /// The JSON pointers, per CRD (index into `crds`), of every place the struct of
    /// `edit` is inlined; refuses when a way there is not followed.
    fn locations(
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
    fn places(
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

/// A place a type's schema is inlined: the CRD, the JSON pointer of the type's own
/// schema, and the field it is the type of (none for a CRD's spec or status).
struct Place<'a> {
    crd: usize,
    ptr: String,
    usage: Option<Usage<'a>>,
}

/// The field a place belongs to: the pointer of the field's schema, its model, and
/// the wrappers between the field's type and the type (`Option`, `Vec`, ...).
struct Usage<'a> {
    field_ptr: String,
    model: FieldModel<'a>,
    chain: Vec<String>,
    field: &'a syn::Field,
    owner_attrs: &'a [Attribute],
}

/// One walk of the type graph alongside one CRD's compiled schema.
struct Search<'s, 'a> {
    graph: &'s Graph<'a>,
    target: &'s str,
    edit: Option<&'s StructEdit>,
    crd: &'s Value,
    crd_index: usize,
    strict: bool,
    out: &'s mut Vec<Place<'a>>,
}

impl<'a> Search<'_, 'a> {
    /// Runs `f`; outside strict mode, a way that is not followed is left out.
    fn branch(&mut self, f: impl FnOnce(&mut Self) -> Result<(), String>) -> Result<(), String> {
        match f(self) {
            Err(e) if self.strict => Err(e),
            _ => Ok(()),
        }
    }

    fn walk(&mut self, name: &str, ptr: &str, usage: Option<Usage<'a>>) -> Result<(), String> {
        let target = self.target;
        let graph = self.graph;
        if self.crd.pointer(ptr).is_none() {
            return Err(format!("the compiled schema has no {ptr} for {name}"));
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
            check_transforms(&c.transforms, edit).map_err(|e| format!("{name}: {e}"))?;
        }
        for f in &s.fields {
            if !graph.field_reaches(f, target, &mut BTreeSet::new()) {
                continue;
            }
            self.branch(|this| {
                let m = field_model(&c, f, None).map_err(|e| format!("{name}.{e}"))?;
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

    fn walk_type(
        &mut self,
        ty: &Type,
        ptr: &str,
        owner: &str,
        mut usage: Option<Usage<'a>>,
    ) -> Result<(), String> {
        let (name, args) = last_ident(ty).ok_or_else(|| format!("{owner}: a type not followed"))?;
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

/// The arguments of `#[serde]` and `#[schemars]` that make a field's schema other
/// than its type's own.
const INDIRECT: &[&str] = &[
    "flatten",
    "with",
    "schema_with",
    "serialize_with",
    "deserialize_with",
];

/// Whether a field's `#[serde]` or `#[schemars]` attribute has one of the arguments
/// `args`.
fn has_arg(f: &syn::Field, args: &[&str]) -> bool {
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

/// A JSON pointer's escaping of one key.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// `kind = "..."` and `status = "..."` of a `#[kube(...)]` attribute.
fn kube_root(attrs: &[Attribute]) -> Option<(String, Option<String>)> {
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

mod run_markers;
#[cfg(test)]
mod tests;
