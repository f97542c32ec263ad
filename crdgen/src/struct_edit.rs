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
//! | field added | its type is built from `String`, `bool`, integers, floats, `Option`, `Box`, `Vec` and string-keyed maps, and named types: a struct or enum the API already has, or a new one of the same edit; its attributes are doc comments, `serde(rename, default, skip_serializing_if)`, `schemars(length, range, regex)` and `transform`s of `crdgen::markers` with literal arguments ([`run_markers`]), and marker functions of the API that only apply such markers ([`marker_fns`]) | a type from another crate or a macro, generics; other `transform`s, `flatten`, `with`, `cfg` (their schema comes from code this path does not run) |
//! | field removed | always, for the field itself | — |
//! | field renamed (Rust name or `serde(rename)`) | the type and every other attribute unchanged: the schema moves to the new name as it is | — |
//! | field's type, bound, marker or doc changed | as a removal plus an addition (above) | — |
//! | struct added | named fields as for a new field; its attributes `serde(rename_all, deny_unknown_fields)`, `skip_serializing_none` and markers as above | anything else |
//! | unit enum added | unit variants with doc comments and `serde(rename)`; its attributes `serde(rename_all)` and markers as above | data variants, anything else |
//! | struct or enum removed | no source names it any more | — |
//!
//! A type the API already has gets its schema from the compiled output: at a place
//! where a field of that type has nothing but a doc comment (or a list or map of it
//! has only markers of [`ITEMS_UNTOUCHED`]), less what the field added (`Option`'s
//! null, the field's description). It is taken only when that field,
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
//!   a type that writes its own `JsonSchema`, or a type a macro may define (one not
//!   defined by an item, when some macro names a type that holds the struct);
//! - the struct has `#[serde(default)]` on itself (its fields' defaults come from its
//!   `Default` implementation), or a field of the old version that this path can
//!   rebuild differs from what the compiler produced for it (the model and the
//!   compiler disagree: compile).
//!
//! The parts: [`source`] reads the sources (what changed, what attributes say),
//! [`schema`] builds schemas as the derive does and reads back the ones the API has,
//! [`graph`] finds where a struct's schema is inlined and through which markers,
//! [`run_markers`] runs `crdgen::markers` calls, [`marker_fns`] expands the API's
//! functions made of them; this module plans and applies.
//!
//! Refusing is always safe: the caller compiles instead, and every result this path
//! gives is compared byte for byte with the compiled one by the equivalence test
//! (`xtask/tests/fast_path.rs`).

use graph::{Graph, Usage};
use schema::*;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value};
use source::*;
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

/// The markers that change only a list's or a map's own keywords, never its items'
/// or values' schema: a type's schema can be read back from the items of a field
/// with these markers.
pub const ITEMS_UNTOUCHED: &[&str] = &[
    "cel",
    "cel_rule",
    "items",
    "list_atomic",
    "list_map",
    "list_set",
    "map_atomic",
    "map_granular",
    "max_items",
    "properties",
];

/// The markers of [`FIELD_SET_INDEPENDENT`] that read the schemas of the properties
/// they name, not only whether they are there.
pub const READS_NAMED_SCHEMAS: &[&str] = &["list_map"];

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
        touched: ok.symmetric_difference(&nk).cloned().collect(),
        replaced: ok.intersection(&nk).cloned().collect(),
        ..StructEdit::none(&name)
    };
    if graph.defs.get(&name).map(Vec::len) != Some(1) {
        return Err(err("defined more than once".into()));
    }
    let mut out = Vec::new();
    for p in graph.places(&name, Some(&edit), crds, true).map_err(err)? {
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
            field_model(&owner, u.field, named.graph, Some(named)).and_then(|m| m.schema)
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
        .map(|f| field_model(c, f, named.graph, Some(named)))
        .collect::<Result<_, _>>()
        .map_err(err)?;
    let nm: Vec<FieldModel> = new
        .iter()
        .map(|f| field_model(c, f, named.graph, Some(named)))
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
    let required = |fields: &[FieldModel]| -> Vec<String> {
        fields
            .iter()
            .filter(|f| !f.optional)
            .map(|f| f.json.clone())
            .collect()
    };
    let mut edit = StructEdit {
        path: path.to_owned(),
        required_old: required(&om),
        required_new: required(&nm),
        ..StructEdit::none(name)
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
    check_transforms(&named.graph.expanded(&c.transforms), &edit)
        .map_err(|e| format!("{path}: struct {name}: {e}"))?;
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

mod graph;
mod marker_fns;
mod run_markers;
mod schema;
mod source;
#[cfg(test)]
mod tests;
