//! The API reference: one Markdown page per CRD, from its final (normalized) schema,
//! so the page says exactly what the apiserver enforces.
//!
//! Every object in the schema gets a section (headed by its path, e.g.
//! `.spec.mcp.targets[*]`) listing its fields; every field says its path, type,
//! whether it is required, its default, its values (with each value's meaning when
//! the description gives one, as a paragraph or list item starting with the value in
//! backticks), bounds, pattern, list or map semantics and the rules checked there:
//! CEL rules with their messages, field groups in words
//! (set exactly one of `static`, `selector`). Types link to their sections by anchors
//! derived from the path, so the page reads on GitHub as it is.

use crate::markers::Cardinality;
use crate::walk::{Path, Step};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;

/// The file name of the page of the CRD with plural `plural`.
pub fn file_name(plural: &str) -> String {
    format!("{plural}.md")
}

/// The file name of the index of all pages.
pub const INDEX: &str = "README.md";

/// The generated-file header of a Markdown file.
fn header(command: &str) -> String {
    format!("<!-- {} -->\n", crate::render::header_text(command))
}

/// The short "how to read this" shared by every page and the index.
const HOW_TO_READ: &str = "\
## How to read this

- Each section is one object, headed by its path from the top of the resource:
  `.spec.mcp` is the `mcp` field of `spec`, `[*]` is any entry of a list (so
  `.spec.mcp.targets[*].name` is the `name` of every target), `.*` any value of a map.
- A field's type links to the section of that object. *Required* fields must be set;
  *optional* ones may be left out.
- *Default* is the value the apiserver fills in when the field is left out.
- *Values*, *bounds* and *pattern* are checked by the apiserver's schema validation;
  *rules* are CEL expressions it checks as well, shown with the message it answers
  when one does not hold. *Field groups* say which fields may be set together.
- *CEL cost* is what the apiserver estimates for a rule when the CRD is applied: the
  cost of one evaluation × how many times it can run (once per entry of every
  enclosing list or map), against a limit of 10,000,000 per rule and 100,000,000 for
  all rules of the resource (see [CEL cost](../cel-cost.md)).
- *List* and *map* say how entries are told apart and merged by server-side apply.
- Unknown fields are dropped by the apiserver (or rejected with `--validate=strict`),
  except where a field says it keeps them.
";

/// The index page listing every CRD page; `crds` are normalized CRDs.
pub fn index(crds: &[&Value], command: &str) -> String {
    let mut out = header(command);
    out.push_str("\n# API reference\n\n");
    out.push_str(
        "One page per custom resource of the `agentgateway.dev` API, generated from the \
         Rust types in `api/` (the same source as the CRDs in the Helm chart).\n\n",
    );
    out.push_str("| Kind | API version | Scope | Page |\n|---|---|---|---|\n");
    for crd in crds {
        let spec = &crd["spec"];
        let versions: Vec<String> = spec["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v["name"].as_str())
            .map(|v| format!("`{}/{v}`", str_of(&spec["group"])))
            .collect();
        let plural = str_of(&spec["names"]["plural"]);
        let _ = writeln!(
            out,
            "| {} | {} | {} | [{}]({}) |",
            str_of(&spec["names"]["kind"]),
            versions.join(", "),
            str_of(&spec["scope"]),
            plural,
            file_name(plural)
        );
    }
    out.push('\n');
    out.push_str(HOW_TO_READ);
    out
}

/// The reference page of one normalized CRD.
pub fn page(crd: &Value, command: &str) -> String {
    let spec = &crd["spec"];
    let names = &spec["names"];
    let kind = str_of(&names["kind"]);
    let group = str_of(&spec["group"]);
    let mut out = header(command);
    let _ = writeln!(out, "\n# {kind}\n");
    let versions = spec["versions"].as_array().cloned().unwrap_or_default();
    let _ = writeln!(
        out,
        "- **Group:** `{group}`; **versions:** {}",
        versions
            .iter()
            .map(|v| format!("`{}`", str_of(&v["name"])))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        out,
        "- **Scope:** {}; **plural:** `{}`",
        str_of(&spec["scope"]),
        str_of(&names["plural"])
    );
    if let Some(short) = names["shortNames"].as_array() {
        let short: Vec<String> = short.iter().map(|s| code(str_of(s))).collect();
        let _ = writeln!(out, "- **Short names:** {}", short.join(", "));
    }
    if let Some(cats) = names["categories"].as_array() {
        let cats: Vec<String> = cats.iter().map(|s| code(str_of(s))).collect();
        let _ = writeln!(out, "- **Categories:** {}", cats.join(", "));
    }
    out.push_str("\nSee [all resources](README.md).\n\n");
    out.push_str(HOW_TO_READ);
    let many = versions.len() > 1;
    for v in &versions {
        let name = str_of(&v["name"]);
        let Some(schema) = v.get("schema").and_then(|s| s.get("openAPIV3Schema")) else {
            continue;
        };
        let mut hashes = HashMap::new();
        shape_hashes(schema, &mut hashes);
        let mut page = Page {
            out: String::new(),
            seen: HashMap::new(),
            hashes,
            prefix: if many {
                format!("{name}-")
            } else {
                String::new()
            },
            title: kind.to_owned(),
        };
        if many {
            let _ = writeln!(out, "\n## Version `{name}`");
        }
        let _ = writeln!(
            page.out,
            "\nWrite objects with `apiVersion: {group}/{name}` and `kind: {kind}`."
        );
        page.section(&Path::default(), schema, None);
        out.push_str(&page.out);
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

struct Page<'a> {
    out: String,
    /// Objects already documented, by [`shape_hashes`], with their schema and their
    /// section's path: an equal object met again links there instead of repeating it.
    seen: HashMap<u64, Vec<(&'a Value, Path)>>,
    /// The hash of every subschema, by address (computed once, bottom up).
    hashes: HashMap<*const Value, u64>,
    /// Prepended to every anchor (the version, when a CRD has several).
    prefix: String,
    /// The kind, shown as the root section's title.
    title: String,
}

/// Records a hash of every subschema below `v` (by address), each computed from its
/// children's, so equal objects can be found in one pass over the schema.
fn shape_hashes(v: &Value, out: &mut HashMap<*const Value, u64>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    match v {
        Value::Object(o) => {
            let mut entries: Vec<(&String, &Value)> = o.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            0u8.hash(&mut h);
            for (k, child) in entries {
                k.hash(&mut h);
                shape_hashes(child, out).hash(&mut h);
            }
        }
        Value::Array(a) => {
            1u8.hash(&mut h);
            for child in a {
                shape_hashes(child, out).hash(&mut h);
            }
        }
        other => {
            2u8.hash(&mut h);
            other.to_string().hash(&mut h);
        }
    }
    let hash = h.finish();
    if v.is_object() {
        out.insert(v as *const Value, hash);
    }
    hash
}

/// A field of an object: its name, schema and whether the object requires it.
struct Field<'a> {
    name: &'a str,
    schema: &'a Value,
    required: bool,
}

/// The schema whose properties document a field, if it has any: the field's own
/// (an object), its entries' (a list of objects) or its values' (a map of objects).
fn object_of(schema: &Value) -> Option<(&Value, Step)> {
    if schema.get("properties").is_some() {
        return Some((schema, Step::Property(String::new())));
    }
    for (key, step) in [
        ("items", Step::Items),
        ("additionalProperties", Step::Values),
    ] {
        if let Some(inner) = schema.get(key)
            && inner.get("properties").is_some()
        {
            return Some((inner, step));
        }
    }
    None
}

impl<'a> Page<'a> {
    fn anchor(&self, path: &Path) -> String {
        let mut a = self.prefix.clone();
        if path.is_root() {
            a.push_str(&self.title.to_lowercase());
            return a;
        }
        let mut parts = Vec::new();
        for step in path.steps() {
            match step {
                Step::Property(n) => parts.push(n.to_lowercase()),
                Step::Items => parts.push("items".into()),
                Step::Values => parts.push("values".into()),
                other => parts.push(
                    other
                        .to_string()
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .collect(),
                ),
            }
        }
        a.push_str(&parts.join("-"));
        a
    }

    /// Writes the section of the object at `path` (a field, a list or a map of
    /// objects, or the root), then the sections of the objects below it.
    fn section(&mut self, path: &Path, schema: &'a Value, field: Option<&Field<'a>>) {
        let Some((object, step)) = object_of(schema) else {
            return;
        };
        // The object's own path: entries of a list are `[*]`, values of a map `.*`.
        let object_path = match step {
            Step::Items | Step::Values => path.join(step.clone()),
            _ => path.clone(),
        };
        let title = if path.is_root() {
            self.title.clone()
        } else {
            code(&path.to_string())
        };
        self.blank();
        let _ = writeln!(
            self.out,
            "<a id=\"{}\"></a>\n\n## {title}\n",
            self.anchor(path)
        );
        if let Some(f) = field {
            self.facts(path, f);
        }
        let hash = self.hashes.get(&(object as *const Value)).copied();
        let same = hash.and_then(|h| self.seen.get(&h)).and_then(|list| {
            list.iter()
                .find(|(v, _)| *v == object)
                .map(|(_, p)| p.clone())
        });
        if let Some(first) = same {
            let first = &first;
            let _ = writeln!(
                self.out,
                "\n{} the same fields and rules as [`{first}`](#{}).",
                match step {
                    Step::Items => "Each entry has",
                    Step::Values => "Each value has",
                    _ => "It has",
                },
                self.anchor(first)
            );
            return;
        }
        if let Some(h) = hash {
            self.seen.entry(h).or_default().push((object, path.clone()));
        }
        self.blank();
        if object_path != *path {
            let what = if matches!(step, Step::Items) {
                "Each entry"
            } else {
                "Each value"
            };
            let _ = writeln!(
                self.out,
                "{what} (`{object_path}`) is an object with the fields below."
            );
            self.rules(object, &format!("{what}: "));
            self.out.push('\n');
        } else if field.is_none() {
            let description = str_of(&object["description"]);
            if !description.is_empty() {
                let _ = writeln!(self.out, "{}\n", description.trim_end());
            }
            self.rules(object, "");
        }
        let fields = fields_of(object);
        if fields.is_empty() {
            return;
        }
        self.blank();
        self.out
            .push_str("| Field | Type | Required | Summary |\n|---|---|---|---|\n");
        for f in &fields {
            let p = object_path.join(Step::Property(f.name.to_owned()));
            let _ = writeln!(
                self.out,
                "| [`{}`](#{}) | {} | {} | {} |",
                f.name,
                self.anchor(&p),
                self.type_of(&p, f.schema),
                if f.required { "required" } else { "optional" },
                summary(f.schema).replace('|', "\\|")
            );
        }
        // Fields that are not objects are described here, objects in their own sections.
        for f in &fields {
            let p = object_path.join(Step::Property(f.name.to_owned()));
            if object_of(f.schema).is_none() {
                self.blank();
                let _ = writeln!(
                    self.out,
                    "<a id=\"{}\"></a>\n\n### `{}`\n",
                    self.anchor(&p),
                    f.name
                );
                self.facts(&p, f);
            }
        }
        for f in &fields {
            let p = object_path.join(Step::Property(f.name.to_owned()));
            self.section(&p, f.schema, Some(f));
        }
    }

    /// The facts of one field: path, type, required, default, values, bounds,
    /// pattern, list/map semantics, rules, then its description.
    fn facts(&mut self, path: &Path, f: &Field<'_>) {
        let s = f.schema;
        let mut lines = vec![
            format!("- **Path:** `{path}`"),
            format!(
                "- **Type:** {}; **{}**",
                self.type_of(path, s),
                if f.required { "required" } else { "optional" }
            ),
        ];
        if let Some(d) = s.get("default") {
            lines.push(format!("- **Default:** {}", code(&compact(d))));
        }
        lines.extend(constraints(s, ""));
        if let Some(items) = s.get("items")
            && object_of(s).is_none()
        {
            lines.extend(constraints(items, "each entry: "));
        }
        if let Some(values) = s.get("additionalProperties").filter(|v| v.is_object())
            && object_of(s).is_none()
        {
            lines.extend(constraints(values, "each value: "));
        }
        for line in lines {
            self.out.push_str(&line);
            self.out.push('\n');
        }
        // Enum meanings come from the description; values of list entries count too.
        let values = s
            .get("enum")
            .or_else(|| s.get("items").and_then(|i| i.get("enum")));
        let mut explained = Vec::new();
        if let Some(values) = values.and_then(Value::as_array) {
            let description = str_of(&s["description"]);
            self.out.push_str("- **Values:**\n");
            for v in values {
                let shown = v.as_str().map(str::to_owned).unwrap_or_else(|| compact(v));
                match meaning(description, &shown) {
                    Some(m) => {
                        let _ = writeln!(self.out, "  - {m}");
                        explained.push(shown);
                    }
                    None => {
                        let _ = writeln!(self.out, "  - {}", code(&shown));
                    }
                }
            }
        }
        self.rules(s, "");
        if let Some(items) = s.get("items")
            && object_of(s).is_none()
        {
            self.rules(items, "each entry: ");
        }
        let description = without_meanings(str_of(&s["description"]), &explained);
        if !description.is_empty() {
            let _ = writeln!(self.out, "\n{}", description.trim_end());
        }
    }

    /// Ends the current block with a blank line (once).
    fn blank(&mut self) {
        while !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// The CEL rules and field groups at one node, one bullet each.
    fn rules(&mut self, s: &Value, lead: &str) {
        let Some(rules) = s.get(crate::markers::VALIDATIONS).and_then(Value::as_array) else {
            return;
        };
        if rules.is_empty() {
            return;
        }
        let _ = writeln!(self.out, "- **Rules:**");
        for r in rules {
            let _ = writeln!(self.out, "  - {lead}{}", rule_text(r));
        }
    }

    /// The type of a field, linking objects to their sections.
    fn type_of(&self, path: &Path, s: &Value) -> String {
        if s.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
            return "integer or string".into();
        }
        let t = str_of(&s["type"]);
        match t {
            "array" => {
                let items = &s["items"];
                if items.get("properties").is_some() {
                    format!("list of [objects](#{})", self.anchor(path))
                } else {
                    format!("list of {}", self.type_of(&path.join(Step::Items), items))
                }
            }
            "object" if s.get("properties").is_some() => {
                format!("[object](#{})", self.anchor(path))
            }
            "object" => match s.get("additionalProperties") {
                Some(v) if v.get("properties").is_some() => {
                    format!("map of string to [objects](#{})", self.anchor(path))
                }
                Some(v) if v.is_object() => format!(
                    "map of string to {}",
                    self.type_of(&path.join(Step::Values), v)
                ),
                _ if s.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true)) => {
                    "object (any fields, kept as written)".into()
                }
                _ if path.last() == Some(&Step::Property("metadata".into()))
                    && path.steps().len() == 1 =>
                {
                    "[ObjectMeta](https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/object-meta/)".into()
                }
                _ => "object".into(),
            },
            "" if s.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true)) => {
                "any (kept as written)".into()
            }
            "" => "any".into(),
            t => match s.get("format").and_then(Value::as_str) {
                Some(f) if !f.is_empty() => format!("{t} ({f})"),
                _ => t.to_owned(),
            },
        }
    }
}

/// The fields of an object schema, in name order, with whether each is required.
fn fields_of(object: &Value) -> Vec<Field<'_>> {
    let required: Vec<&str> = object["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let Some(props) = object["properties"].as_object() else {
        return Vec::new();
    };
    let mut names: Vec<&String> = props.keys().collect();
    names.sort();
    names
        .into_iter()
        .map(|n| Field {
            name: n,
            schema: &props[n],
            required: required.contains(&n.as_str()),
        })
        .collect()
}

/// Bounds, pattern, format details and list/map semantics, as bullets.
fn constraints(s: &Value, lead: &str) -> Vec<String> {
    let mut out = Vec::new();
    let n = |k: &str| s.get(k).map(compact);
    let range = |lo: Option<String>, hi: Option<String>, unit: &str| match (lo, hi) {
        (Some(lo), Some(hi)) if lo == hi => Some(format!("exactly {lo}{unit}")),
        (Some(lo), Some(hi)) => Some(format!("{lo} to {hi}{unit}")),
        (Some(lo), None) => Some(format!("at least {lo}{unit}")),
        (None, Some(hi)) => Some(format!("at most {hi}{unit}")),
        (None, None) => None,
    };
    let mut bounds = Vec::new();
    let exclusive = |k: &str| s.get(k) == Some(&Value::Bool(true));
    let lo = n("minimum").map(|v| {
        if exclusive("exclusiveMinimum") {
            format!("more than {v}")
        } else {
            v
        }
    });
    let hi = n("maximum").map(|v| {
        if exclusive("exclusiveMaximum") {
            format!("less than {v}")
        } else {
            v
        }
    });
    if let Some(r) = range(lo, hi, "") {
        bounds.push(format!("value {r}"));
    }
    if let Some(r) = range(n("minLength"), n("maxLength"), " characters") {
        bounds.push(format!("length {r}"));
    }
    if let Some(r) = range(n("minItems"), n("maxItems"), " entries") {
        bounds.push(r);
    }
    if let Some(r) = range(n("minProperties"), n("maxProperties"), " keys") {
        bounds.push(r);
    }
    if !bounds.is_empty() {
        out.push(format!("- **Bounds:** {lead}{}", bounds.join("; ")));
    }
    if let Some(p) = s.get("pattern").and_then(Value::as_str) {
        out.push(format!("- **Pattern:** {lead}{}", code(p)));
    }
    if s.get("uniqueItems") == Some(&Value::Bool(true)) {
        out.push(format!("- **List:** {lead}entries must be unique"));
    }
    match s.get("x-kubernetes-list-type").and_then(Value::as_str) {
        Some("map") => {
            let keys: Vec<String> = s["x-kubernetes-list-map-keys"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|k| code(str_of(k)))
                .collect();
            out.push(format!(
                "- **List:** {lead}a map keyed by {}: no two entries share a key, and \
                 server-side apply merges entries by key",
                keys.join(" and ")
            ));
        }
        Some("set") => out.push(format!(
            "- **List:** {lead}a set: entries must be unique, and server-side apply merges them"
        )),
        Some("atomic") => out.push(format!(
            "- **List:** {lead}atomic: server-side apply replaces the whole list"
        )),
        _ => {}
    }
    match s.get("x-kubernetes-map-type").and_then(Value::as_str) {
        Some("atomic") => out.push(format!(
            "- **Map:** {lead}atomic: server-side apply replaces the whole object"
        )),
        Some("granular") => out.push(format!(
            "- **Map:** {lead}granular: server-side apply merges it key by key"
        )),
        _ => {}
    }
    if s.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true)) {
        out.push(format!(
            "- **Unknown fields:** {lead}kept as written (not pruned)"
        ));
    }
    out
}

/// One CEL rule in words: a field group as a sentence, any other rule as its message
/// and expression.
pub fn rule_text(rule: &Value) -> String {
    let message = str_of(&rule["message"]);
    let expression = str_of(&rule["rule"]);
    if let Some((c, fields)) = field_group(message) {
        let list: Vec<String> = fields.iter().map(|f| code(f)).collect();
        let verb = match c {
            Cardinality::ExactlyOne => "set exactly one of",
            Cardinality::AtMostOne => "set at most one of",
            Cardinality::AtLeastOne => "set at least one of",
        };
        let mut out = format!("field group: {verb} {}", list.join(", "));
        if let Some(cost) = rule[crate::cel_cost::COST_KEY].as_str() {
            let _ = write!(out, " (CEL cost {cost})");
        }
        return out;
    }
    let mut out = String::new();
    if !message.is_empty() {
        let _ = write!(out, "\"{}\": ", message.replace('\n', " "));
    } else if let Some(m) = rule["messageExpression"].as_str() {
        let _ = write!(out, "message from {}: ", code(m));
    }
    let expression = expression.split_whitespace().collect::<Vec<_>>().join(" ");
    out.push_str(&code(&expression));
    if let Some(reason) = rule["reason"].as_str() {
        let _ = write!(out, " (reason `{reason}`)");
    }
    if let Some(path) = rule["fieldPath"].as_str() {
        let _ = write!(out, " (reported at `{path}`)");
    }
    if rule["optionalOldSelf"] == Value::Bool(true) {
        out.push_str(" (also checked on create)");
    }
    if let Some(cost) = rule[crate::cel_cost::COST_KEY].as_str() {
        let _ = write!(out, " (CEL cost {cost})");
    }
    out
}

/// The cardinality and fields of a field-group rule's message
/// (`exactly one of the fields in [a b] must be set`).
fn field_group(message: &str) -> Option<(Cardinality, Vec<&str>)> {
    let c = Cardinality::of_message(message)?;
    let inside = message.split_once('[')?.1.split_once(']')?.0;
    Some((c, inside.split_whitespace().collect()))
}

/// What the description says `value` means: the paragraph or list item that starts
/// with the value in backticks, on one line.
fn meaning(description: &str, value: &str) -> Option<String> {
    let quoted = format!("`{value}`");
    let mut blocks: Vec<String> = Vec::new();
    for para in description.split("\n\n") {
        let mut current: Option<String> = None;
        for line in para.lines() {
            let trimmed = line.trim_start();
            let item = trimmed
                .strip_prefix("- ")
                .or_else(|| trimmed.strip_prefix("* "));
            if let Some(item) = item {
                if let Some(c) = current.take() {
                    blocks.push(c);
                }
                current = Some(item.to_owned());
            } else if let Some(c) = current.as_mut() {
                c.push(' ');
                c.push_str(trimmed);
            } else {
                current = Some(trimmed.to_owned());
            }
        }
        if let Some(c) = current {
            blocks.push(c);
        }
    }
    blocks
        .into_iter()
        .find(|b| b.starts_with(&quoted))
        .map(|b| b.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The description without the paragraphs and list items that give the meaning of
/// one of `values` (they start with the value in backticks; the Values list above
/// shows them already), and without a `Values:` heading left with no items.
fn without_meanings(description: &str, values: &[String]) -> String {
    let explains = |text: &str| values.iter().any(|v| text.starts_with(&format!("`{v}`")));
    let mut kept_paragraphs = Vec::new();
    for para in description.split("\n\n") {
        let mut kept: Vec<&str> = Vec::new();
        let mut skipping = false;
        for line in para.lines() {
            let trimmed = line.trim_start();
            match trimmed
                .strip_prefix("- ")
                .or_else(|| trimmed.strip_prefix("* "))
            {
                Some(item) => skipping = explains(item),
                None if kept.is_empty() && !skipping => skipping = explains(trimmed),
                None => {}
            }
            if !skipping {
                kept.push(line);
            }
        }
        if !kept.is_empty() && kept != ["Values:"] {
            kept_paragraphs.push(kept.join("\n"));
        }
    }
    kept_paragraphs.join("\n\n")
}

/// The first sentence of a description (its first line up to a full stop), for tables.
fn summary(s: &Value) -> String {
    let d = str_of(&s["description"]);
    let first = d.split("\n\n").next().unwrap_or_default();
    let line = first.split_whitespace().collect::<Vec<_>>().join(" ");
    // The first full stop that ends a sentence, not an abbreviation such as "e.g.".
    let end = line.match_indices(". ").map(|(i, _)| i).find(|&i| {
        let before = &line[..i];
        !["e.g", "i.e", "etc", "vs"]
            .iter()
            .any(|a| before.ends_with(a))
    });
    match end {
        Some(i) => line[..=i].to_owned(),
        None => line,
    }
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// A JSON value on one line.
fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// `s` as a Markdown code span, however many backticks it holds.
fn code(s: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if longest == 0 {
        return format!("`{s}`");
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {s} {fence}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn crd() -> Value {
        let (rule, message) =
            crate::markers::field_group_rule(Cardinality::ExactlyOne, &["static", "selector"]);
        json!({ "spec": { "group": "example.dev", "scope": "Namespaced",
            "names": { "kind": "Widget", "plural": "widgets" },
            "versions": [{ "name": "v1", "schema": { "openAPIV3Schema": {
                "type": "object", "properties": {
                    "spec": { "type": "object", "required": ["mode"], "properties": {
                        "mode": { "type": "string", "enum": ["Fast", "Slow"], "default": "Fast",
                                  "description": "How fast.\n\n`Fast`: quickly.\n\n`Slow`: slowly." },
                        "targets": { "type": "array", "maxItems": 4,
                            "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                            "items": { "type": "object",
                                "x-kubernetes-validations": [{ "rule": rule, "message": message }],
                                "properties": {
                                    "name": { "type": "string", "pattern": "^[a-z]+$", "maxLength": 8 },
                                    "static": { "type": "string" }, "selector": { "type": "string" } } } },
                        "port": { "type": "integer", "minimum": 1, "maximum": 65535,
                            "x-kubernetes-validations": [{ "rule": "self != 22", "message": "not ssh" }] }
                    } } } } } }] } })
    }

    #[test]
    fn every_fact_of_a_field_is_on_the_page() {
        let page = page(&crd(), "x");
        assert!(page.starts_with("<!-- Code generated by `x`"), "{page}");
        for want in [
            "## How to read this",
            "<a id=\"spec-mode\"></a>",
            "- **Path:** `.spec.mode`",
            "- **Type:** string; **required**",
            "- **Default:** `\"Fast\"`",
            "  - `Fast`: quickly.",
            "  - `Slow`: slowly.",
            "- **Bounds:** at most 4 entries",
            "a map keyed by `name`",
            "## `.spec.targets`",
            "Each entry: field group: set exactly one of `static`, `selector`",
            "| [`targets`](#spec-targets) | list of [objects](#spec-targets) | optional |",
            "- **Pattern:** `^[a-z]+$`",
            "- **Bounds:** length at most 8 characters",
            "- **Bounds:** value 1 to 65535",
            "\"not ssh\": `self != 22`",
            "- **Path:** `.spec.targets[*].name`",
        ] {
            assert!(page.contains(want), "missing {want:?} in\n{page}");
        }
        assert!(crate::output::is_generated(page.as_bytes()));
        // Each field's block starts after one blank line, as Markdown needs.
        for (at, _) in page.match_indices("<a id=") {
            assert!(
                page[..at].ends_with("\n\n"),
                "no blank line before {at} in\n{page}"
            );
        }
        assert!(!page.contains("\n\n\n"), "two blank lines in\n{page}");
    }

    /// The page of a CRD whose spec has `properties`.
    fn page_of_spec(properties: Value) -> String {
        let mut c = crd();
        c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"] =
            properties;
        page(&c, "x")
    }

    /// The summary row of the spec's field `name`.
    fn row<'p>(page: &'p str, name: &str) -> &'p str {
        let start = format!("| [`{name}`]");
        page.lines()
            .find(|l| l.starts_with(&start))
            .unwrap_or_else(|| panic!("no row for {name} in\n{page}"))
    }

    #[test]
    fn types_and_list_and_map_facts_are_shown_only_where_they_hold() {
        let page = page_of_spec(json!({
            "open": { "type": "object", "additionalProperties": true },
            "kept": { "type": "object", "x-kubernetes-preserve-unknown-fields": true },
            "inner": { "type": "object", "properties": {
                "metadata": { "type": "object" } } },
            "any": {},
            "anyKept": { "x-kubernetes-preserve-unknown-fields": true },
            "plain": { "type": "array", "items": { "type": "string" } },
            "unique": { "type": "array", "uniqueItems": true, "items": { "type": "string" } },
        }));
        assert!(
            row(&page, "open").contains("| object |"),
            "{}",
            row(&page, "open")
        );
        assert!(row(&page, "kept").contains("| object (any fields, kept as written) |"));
        assert!(
            row(&page, "any").contains("| any |"),
            "{}",
            row(&page, "any")
        );
        assert!(row(&page, "anyKept").contains("| any (kept as written) |"));
        // Only the root's `metadata` is ObjectMeta.
        assert!(!page.contains("ObjectMeta"), "{page}");
        let block = |name: &str| {
            let at = page
                .find(&format!("- **Path:** `.spec.{name}`"))
                .unwrap_or_else(|| panic!("no block for {name}"));
            let end = page[at..].find("<a id=").map_or(page.len(), |e| at + e);
            &page[at..end]
        };
        assert!(block("unique").contains("entries must be unique"));
        assert!(
            !block("plain").contains("must be unique"),
            "{}",
            block("plain")
        );
        assert!(block("kept").contains("- **Unknown fields:** kept as written"));
        assert!(
            !block("plain").contains("Unknown fields"),
            "{}",
            block("plain")
        );
    }

    #[test]
    fn summaries_end_at_a_sentence_not_an_abbreviation() {
        let s = json!({ "description": "Limits, e.g. `1Gi`. More text.\n\nOther." });
        assert_eq!(summary(&s), "Limits, e.g. `1Gi`.");
    }

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }

    #[test]
    fn meanings_shown_as_values_are_not_repeated_in_the_description() {
        let values = ["Stateful".to_owned(), "Stateless".to_owned()];
        assert_eq!(
            without_meanings(
                "How sessions work.\n\n`Stateful`: one replica\nper session.\n\n`Stateless`: any.\n\nMore.",
                &values
            ),
            "How sessions work.\n\nMore."
        );
        assert_eq!(
            without_meanings(
                "Mode.\n\nValues:\n- `Stateful`: one\n  replica.\n- `Stateless`: any.",
                &values
            ),
            "Mode."
        );
        assert_eq!(
            without_meanings(
                "Mode.\n\nValues:\n- `Stateful`: one.\n- `Other`: kept.",
                &values
            ),
            "Mode.\n\nValues:\n- `Other`: kept."
        );
        assert_eq!(
            without_meanings("Use `Stateful` for servers with state.", &values),
            "Use `Stateful` for servers with state."
        );
    }

    #[test]
    fn value_meanings_are_found_in_paragraphs_and_list_items() {
        let d = "Modes:\n- `A`: first\n  continued.\n- `B`: second.\n\n`C` (default): third.";
        assert_eq!(meaning(d, "A").as_deref(), Some("`A`: first continued."));
        assert_eq!(meaning(d, "B").as_deref(), Some("`B`: second."));
        assert_eq!(meaning(d, "C").as_deref(), Some("`C` (default): third."));
        assert_eq!(meaning(d, "D"), None);
    }
}

#[cfg(test)]
mod writer_tests;
