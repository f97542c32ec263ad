//! Schemas built as `schemars_derive` builds them: a field's, from its type and
//! attributes; a new struct's or unit enum's; and types the API already has, read
//! back from the compiled output ([`Named`]).

use super::*;

/// Schemas of named types for new fields, and for checking old ones: a new unit enum's
/// is built from its source; a type the API already has is read back from the
/// compiled output, where a field of that type is inlined with nothing but a doc
/// comment, and taken only when that field rebuilt from it is what was compiled.
pub(super) struct Named<'s, 'a> {
    pub(super) graph: &'s Graph<'a>,
    pub(super) crds: &'s [(&'s str, &'s Value)],
    /// Structs and enums new in this edit, and their files.
    pub(super) new_types: BTreeMap<String, (&'s str, &'s Item)>,
    /// The structs this plan edits: a type that holds one is not read back from the
    /// old output.
    pub(super) edited: BTreeSet<String>,
    /// Names the changed files import from other crates (`None`: a glob import from
    /// another crate, which may bring any name): such a name is not ours.
    pub(super) foreign: Option<BTreeSet<String>>,
    pub(super) cache: RefCell<BTreeMap<String, Result<Value, String>>>,
}

impl Named<'_, '_> {
    pub(super) fn schema(&self, name: &str) -> Result<Value, String> {
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

    pub(super) fn find(&self, name: &str) -> Result<Value, String> {
        match self.new_types.get(name) {
            Some((_, Item::Enum(e))) => {
                return enum_schema(e, self.graph).map_err(|e| format!("new enum {name}: {e}"));
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
        if self.graph.manual.contains_key(name) {
            return Err(format!(
                "type `{name}` writes its own JsonSchema: its schema runs only when compiled"
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
            // Inside a list or a map, the field's own bounds and default are on the
            // list or map; elsewhere they would be mixed into the type's schema.
            let in_items = matches!(
                u.chain.last().map(String::as_str),
                Some("Vec" | "BTreeMap" | "HashMap")
            );
            if !(u.model.plain || in_items && u.model.items_untouched) {
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
            let rebuilt = Container::of(u.owner_attrs)
                .and_then(|owner| field_model(&owner, u.field, self.graph, Some(self)))
                .and_then(|m| m.schema);
            if rebuilt.as_ref() == Ok(field) {
                return Ok(candidate);
            }
        }
        Err(format!(
            "type `{name}`: no field of this type to read its schema back from (one with \
             only a doc comment, or a list or map of it without markers)"
        ))
    }
}

impl Named<'_, '_> {
    /// A new struct's schema as `schemars_derive` builds it: an object, each field's
    /// schema as a property (and in `required` unless optional), the struct's
    /// description, then its `transform`s (only markers without arguments).
    pub(super) fn struct_schema(&self, s: &syn::ItemStruct) -> Result<Value, String> {
        if !s.generics.params.is_empty() {
            return Err("generic".into());
        }
        let Fields::Named(fields) = &s.fields else {
            return Err("no named fields".into());
        };
        let c = Container::of(&s.attrs)?;
        let markers = self
            .graph
            .expand_all(&c.transforms)?
            .iter()
            .map(run_markers::marker)
            .collect::<Result<Vec<_>, _>>()?;
        let mut schema = Schema::from(Map::from_iter([("type".to_owned(), Value::from("object"))]));
        if c.deny_unknown_fields {
            schema.insert("additionalProperties".into(), false.into());
        }
        for f in &fields.named {
            let m = field_model(&c, f, self.graph, Some(self))?;
            let field = m.schema?;
            let field = Schema::try_from(field).map_err(|e| e.to_string())?;
            schemars::_private::insert_object_property(&mut schema, &m.json, m.optional, field);
        }
        insert_doc(&mut schema, doc_text(&s.attrs));
        for mut m in markers {
            m(&mut schema);
        }
        Ok(schema.to_value())
    }
}

/// The schema of a type, read back from a plain field of that type: the compiled
/// `node` where the type's schema is, less what the field added (`Option`'s null,
/// the field's description, replaced by the type's own `description`).
pub(super) fn unwrap_usage(node: &Value, u: &Usage, description: &str) -> Option<Value> {
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

/// A new enum's schema as `schemars_derive` builds it, for enums of unit variants
/// (serde's externally tagged form): undocumented variants as one `enum` of names,
/// each documented one as a `const` with its description, under `oneOf` when there
/// are documented ones; then the enum's description and its `transform`s.
pub(super) fn enum_schema(e: &syn::ItemEnum, graph: &Graph) -> Result<Value, String> {
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
            for t in graph.expand_all(&transforms_only(a)?)? {
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
            insert_doc(&mut s, (title, description));
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
    let mut s = Schema::try_from(std::mem::take(&mut schema)).map_err(|e| e.to_string())?;
    insert_doc(&mut s, doc_text(&e.attrs));
    for mut t in transforms {
        t(&mut s);
    }
    Ok(s.to_value())
}

/// The metadata a doc comment gives a type's or variant's schema, as the derive
/// inserts it: the title and the description, each when not empty.
fn insert_doc(schema: &mut Schema, (title, description): (String, String)) {
    schemars::_private::insert_metadata_property_if_nonempty(schema, "title", title);
    schemars::_private::insert_metadata_property_if_nonempty(schema, "description", description);
}

/// serde's name of a unit variant under `rename_all`.
pub(super) fn variant_name(ident: &str, rule: Option<&str>) -> Result<String, String> {
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

thread_local! {
    /// The schema [`Inner`] stands for while a wrapper's schema is generated.
    static INNER: RefCell<Option<Value>> = const { RefCell::new(None) };
}

/// A type whose schema is set at run time: generating `Option<Inner>` gives exactly
/// what `schemars` makes of an `Option` of a type with that schema.
pub(super) struct Inner;

/// Inlined wherever it is used, as every subschema is with
/// [`crate::build::generator`]'s settings; so its name is never seen either.
impl JsonSchema for Inner {
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

pub(super) fn wrapped<W: JsonSchema>(inner: Value) -> Value {
    INNER.with(|i| *i.borrow_mut() = Some(inner));
    let out = crate::build::generator().subschema_for::<W>().to_value();
    INNER.with(|i| *i.borrow_mut() = None);
    out
}

/// The schema `schemars` generates for `ty`, when it is built from primitives,
/// `Option`, `Vec`, string-keyed maps and the named types `named` knows; and its
/// `Default` value as JSON, when known.
pub(super) fn type_schema(
    ty: &Type,
    named: Option<&Named>,
) -> Result<(Value, Option<Value>), String> {
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
            Some(n) if matches!(ty, Type::Path(p) if n.graph.foreign(&p.path)) => Err(format!(
                "type `{name}`: another crate's, whose schema comes from its code"
            )),
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
pub(super) fn build_field(
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
