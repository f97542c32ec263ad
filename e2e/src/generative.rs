//! The generative differential test: objects made from each CRD's schema are sent to
//! the real apiserver (a dry-run create with strict field validation) and to the
//! offline validator, which must give the same verdict, the same errors (as a set:
//! the apiserver visits sibling fields in Go map order) and, for accepted objects, the
//! same stored `spec`.
//!
//! What is generated, all from one seed:
//!
//! - **Variants and mutants** of valid objects. The valid cases of `e2e/cases` are the
//!   first bases; each base is walked along its schema, and for every node there:
//!   every other enum value and an altered one; strings at `maxLength` (non-ASCII
//!   characters, counted as the apiserver counts them) and one over, at `minLength`
//!   and one under; integers at `minimum`/`maximum` and one past; lists at
//!   `maxItems` and one over, at `minItems` and one under, a list-map entry with a
//!   duplicated key; int-or-string both ways; a wrong type; a broken pattern or
//!   format; each required field removed; each optional field removed, and each
//!   absent optional field set to a value drawn from its schema (a variant the
//!   validator accepts becomes a base in turn, so deeper fields are reached). A CEL
//!   rule is counted as broken when some object fails with its message; rules no
//!   object broke are listed.
//! - **Whole objects** drawn from the schema (proptest strategies: every type,
//!   enum, bound, pattern via `string_regex`, list-map keys made unique, optional
//!   fields at random), up to the object count.
//!
//! Each object's random part comes from a proptest value tree seeded by the run's
//! seed and the object's index; on a disagreement the tree is shrunk (proptest's
//! `simplify`/`complicate`) against both judges, and the smallest failing object is
//! printed.

use agentgateway_validate::{FieldError, Validator};
use anyhow::Context;
use proptest::{
    collection,
    prelude::*,
    strategy::{BoxedStrategy, ValueTree},
    test_runner::{Config, RngAlgorithm, TestRng, TestRunner},
};
use serde_json::{Map, Value, json};
use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    fmt::Write as _,
    sync::atomic::{AtomicUsize, Ordering},
    time::Instant,
};

/// Disagreements found and not fixed yet (listed in docs/validate.md): one is known
/// when one judge's verdict holds the first text and the other's does not, and the
/// object holds the second. Each is counted and printed, not failed.
pub const KNOWN: &[(&str, &str, &str)] = &[
    (
        "\\U000",
        "",
        "the apiserver quotes a value with unprintable runes (unassigned code points) as \
         Go's %q does (\\U0001xxxx); the validator prints the runes",
    ),
    (
        "must be an absolute http or https URL with a host",
        "44444444444444444444",
        "kube-cel's url() refuses a port beyond 65535 (`https://host:1143444...`); \
         cel-go's (Go's net/url) accepts it, so the apiserver accepts the object",
    ),
];

/// The reason a disagreement is known, if it is.
pub fn known(server: &Verdict, offline: &Verdict, object: &Value) -> Option<&'static str> {
    let (s, o, obj) = (show(server), show(offline), object.to_string());
    KNOWN
        .iter()
        .find(|(a, b, _)| s.contains(a) != o.contains(a) && obj.contains(b))
        .map(|(_, _, why)| *why)
}

/// Namespace the objects are created in (dry run: nothing is stored).
pub const NAMESPACE: &str = "e2e-generated";

/// How many objects and which seed.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub seed: u64,
    pub objects: usize,
}

/// One CRD's served version: what to generate from.
struct Kind {
    kind: String,
    plural: String,
    api_version: String,
    schema: Value,
    /// Whole random objects of this kind.
    whole: BoxedStrategy<Value>,
}

#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

#[derive(Clone, Debug)]
enum Change {
    Set(Value),
    Remove,
    /// A value drawn from this schema.
    Random(Value),
    /// A whole object drawn from the kind's schema (the base is ignored).
    Whole,
}

/// How one object is made: a change to a base object.
#[derive(Clone, Debug)]
struct Recipe {
    kind: usize,
    base: Value,
    path: Vec<Seg>,
    change: Change,
    /// The constraint kind exercised (the coverage table's rows).
    label: &'static str,
}

/// What a judge said about an object.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Accepted; the `spec` as stored.
    Accepted(Value),
    /// Rejected; its errors as `field: message`, sorted.
    Rejected(Vec<String>),
    /// Rejected while decoding (strict field validation): the message.
    Decoding(String),
}

/// Where one object ended up.
struct Judged {
    label: &'static str,
    object: Value,
    offline: Verdict,
}

/// A strategy for a `Value` of this schema; `optional` is the chance an optional
/// field is set, `depth` how many more object levels may have optional fields.
pub fn strategy(s: &Value, optional: f64, depth: usize) -> BoxedStrategy<Value> {
    if s.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        return prop_oneof![
            (0i64..=70_000).prop_map(Value::from),
            (0u32..=100).prop_map(|n| Value::from(format!("{n}%"))),
            (0u32..=65_535).prop_map(|n| Value::from(n.to_string())),
        ]
        .boxed();
    }
    if let Some(values) = s["enum"].as_array().filter(|v| !v.is_empty()) {
        return proptest::sample::select(values.clone()).boxed();
    }
    match s["type"].as_str().unwrap_or_default() {
        "string" => string_strategy(s),
        "integer" | "number" => {
            let (lo, hi) = int_bounds(s);
            prop_oneof![Just(lo), Just(hi), lo..=hi]
                .prop_map(Value::from)
                .boxed()
        }
        "boolean" => any::<bool>().prop_map(Value::Bool).boxed(),
        "array" => {
            let min = s["minItems"].as_u64().unwrap_or(0) as usize;
            let max = s["maxItems"]
                .as_u64()
                .map_or(min + 2, |m| m as usize)
                .min(min + 2);
            let items = strategy(&s["items"], optional, depth);
            let keys = map_keys(s);
            let set = s["x-kubernetes-list-type"].as_str() == Some("set");
            collection::vec(items, min..=max.max(min))
                .prop_map(move |mut v| {
                    unique_keys(&mut v, &keys);
                    if set {
                        let mut seen = BTreeSet::new();
                        v.retain(|x| seen.insert(x.to_string()));
                    }
                    Value::Array(v)
                })
                .boxed()
        }
        "object" => object_strategy(s, optional, depth),
        _ => Just(json!({})).boxed(),
    }
}

fn object_strategy(s: &Value, optional: f64, depth: usize) -> BoxedStrategy<Value> {
    let required: BTreeSet<&str> = s["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = vec![];
    for (name, prop) in s["properties"].as_object().into_iter().flatten() {
        let name = name.clone();
        if required.contains(name.as_str()) {
            let n = name.clone();
            fields.push(
                strategy(prop, optional, depth.saturating_sub(1))
                    .prop_map(move |v| Some((n.clone(), v)))
                    .boxed(),
            );
        } else if depth > 0 && optional >= 1.0 {
            let n = name.clone();
            fields.push(
                strategy(prop, optional, depth - 1)
                    .prop_map(move |v| Some((n.clone(), v)))
                    .boxed(),
            );
        } else if depth > 0 {
            let n = name.clone();
            fields.push(
                proptest::option::weighted(optional, strategy(prop, optional, depth - 1))
                    .prop_map(move |v| v.map(|v| (n.clone(), v)))
                    .boxed(),
            );
        }
    }
    let extra = match s.get("additionalProperties") {
        Some(add) if add.is_object() && depth > 0 => collection::btree_map(
            "[a-z][a-z0-9]{0,5}",
            strategy(add, optional, depth - 1),
            0..=2,
        )
        .prop_map(|m| m.into_iter().collect::<Vec<_>>())
        .boxed(),
        _ => Just(vec![]).boxed(),
    };
    (fields, extra)
        .prop_map(|(fields, extra)| {
            let mut map: Map<String, Value> = fields.into_iter().flatten().collect();
            map.extend(extra);
            Value::Object(map)
        })
        .boxed()
}

/// Strings: a pattern's language (anchors dropped; proptest's `string_regex`), a
/// format's shape, or letters with non-ASCII ones within the length bounds.
fn string_strategy(s: &Value) -> BoxedStrategy<Value> {
    if let Some(p) = s["pattern"].as_str() {
        let p = p.trim_start_matches('^').trim_end_matches('$');
        if let Ok(st) = proptest::string::string_regex(p) {
            return st.prop_map(Value::from).boxed();
        }
    }
    match s["format"].as_str() {
        Some("date-time") => {
            return (2000u32..2100, 1u32..=12, 1u32..=28, 0u32..24)
                .prop_map(|(y, m, d, h)| Value::from(format!("{y}-{m:02}-{d:02}T{h:02}:00:00Z")))
                .boxed();
        }
        Some("uri") => {
            return "https://[a-z]{1,8}\\.example/[a-z0-9]{0,6}"
                .prop_map(Value::from)
                .boxed();
        }
        _ => {}
    }
    let min = s["minLength"].as_u64().unwrap_or(0) as usize;
    let max = s["maxLength"]
        .as_u64()
        .map_or(min + 12, |m| m as usize)
        .min(min + 12);
    let chars: Vec<char> = "abcxyz019-._ AZéü中✓".chars().collect();
    collection::vec(proptest::sample::select(chars), min..=max.max(min))
        .prop_map(|cs| Value::from(cs.into_iter().collect::<String>()))
        .boxed()
}

/// An integer schema's bounds (exclusive ones moved in), kept to a small range when
/// open.
fn int_bounds(s: &Value) -> (i64, i64) {
    let mut lo = s["minimum"].as_i64();
    let mut hi = s["maximum"].as_i64();
    if s["exclusiveMinimum"] == true {
        lo = lo.map(|l| l + 1);
    }
    if s["exclusiveMaximum"] == true {
        hi = hi.map(|h| h - 1);
    }
    match (lo, hi) {
        (Some(l), Some(h)) => (l, h.max(l)),
        (Some(l), None) => (l, l.saturating_add(100_000)),
        (None, Some(h)) => (h.saturating_sub(100_000), h),
        (None, None) => (-5, 100_000),
    }
}

fn map_keys(s: &Value) -> Vec<String> {
    if s["x-kubernetes-list-type"].as_str() != Some("map") {
        return vec![];
    }
    s["x-kubernetes-list-map-keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k.as_str().map(str::to_owned))
        .collect()
}

/// Makes the entries of a list-map unique by their keys (string keys get a suffix,
/// integer keys the index).
fn unique_keys(items: &mut [Value], keys: &[String]) {
    if keys.is_empty() {
        return;
    }
    for (i, item) in items.iter_mut().enumerate().skip(1) {
        for k in keys {
            match item.get(k) {
                Some(Value::String(s)) => item[k] = Value::from(format!("{s}{i}")),
                Some(Value::Number(_)) => item[k] = Value::from(i),
                _ => {}
            }
        }
    }
}

fn get<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.get(i),
    })
}

fn get_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get_mut(k),
        Seg::Index(i) => v.get_mut(i),
    })
}

/// `base` with `value` at `path` (`None`: the field removed).
fn with(base: &Value, path: &[Seg], value: Option<Value>) -> Value {
    let mut out = base.clone();
    let Some((last, parent)) = path.split_last() else {
        return value.unwrap_or(out);
    };
    let Some(p) = get_mut(&mut out, parent) else {
        return out;
    };
    match (last, value, p) {
        (Seg::Key(k), Some(v), Value::Object(m)) => {
            m.insert(k.clone(), v);
        }
        (Seg::Key(k), None, Value::Object(m)) => {
            m.remove(k);
        }
        (Seg::Index(i), Some(v), Value::Array(a)) if *i < a.len() => a[*i] = v,
        (Seg::Index(i), None, Value::Array(a)) if *i < a.len() => {
            a.remove(*i);
        }
        _ => {}
    }
    out
}

/// The variants and mutants of one base object, at most `cap` per schema node and
/// constraint kind (counted in `seen`).
fn plan(
    kind: usize,
    schema: &Value,
    base: &Value,
    cap: usize,
    seen: &mut HashMap<(String, &'static str), usize>,
    out: &mut Vec<Recipe>,
) {
    let mut todo = vec![(
        vec![Seg::Key("spec".into())],
        &schema["properties"]["spec"],
        "spec".to_owned(),
    )];
    while let Some((path, s, spath)) = todo.pop() {
        let Some(v) = get(base, &path) else { continue };
        let mut add = |label: &'static str, change: Change| {
            out_push(seen, out, cap, kind, base, &path, &spath, label, change)
        };
        if s.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
            match v {
                Value::String(t) if t.parse::<i64>().is_ok() => {
                    add(
                        "int-or-string as integer",
                        Change::Set(json!(t.parse::<i64>().unwrap_or(0))),
                    );
                }
                Value::Number(n) => {
                    add("int-or-string as string", Change::Set(json!(n.to_string())))
                }
                _ => add("int-or-string as integer", Change::Set(json!(1))),
            }
            continue;
        }
        if let Some(values) = s["enum"].as_array() {
            for e in values.iter().filter(|e| *e != v) {
                add("enum value", Change::Set(e.clone()));
            }
            let altered = match v {
                Value::String(t) => json!(format!("{t}x")),
                other => json!(format!("{other}x")),
            };
            add("enum value altered", Change::Set(altered));
            continue;
        }
        let ty = s["type"].as_str().unwrap_or_default();
        let wrong = match ty {
            "string" => json!(7),
            "integer" | "number" => json!("7"),
            "boolean" => json!("true"),
            "array" => json!({}),
            "object" => json!("x"),
            _ => Value::Null,
        };
        if !wrong.is_null() && !path.is_empty() {
            add("wrong type", Change::Set(wrong));
        }
        match (ty, v) {
            ("string", Value::String(t)) => {
                let len = t.chars().count();
                let fill = |n: usize| -> String {
                    // Keep the value's own characters (a pattern may need them),
                    // padded with its last one; non-ASCII when there is no pattern.
                    if s.get("pattern").is_none() && s.get("format").is_none() {
                        "é中✓".chars().cycle().take(n).collect()
                    } else {
                        let last = t.chars().last().unwrap_or('a');
                        t.chars().chain(std::iter::repeat(last)).take(n).collect()
                    }
                };
                if let Some(max) = s["maxLength"].as_u64().map(|m| m as usize) {
                    add("maxLength at the limit", Change::Set(json!(fill(max))));
                    add("maxLength+1", Change::Set(json!(fill(max + 1))));
                }
                if let Some(min) = s["minLength"]
                    .as_u64()
                    .map(|m| m as usize)
                    .filter(|m| *m > 0)
                {
                    add("minLength at the limit", Change::Set(json!(fill(min))));
                    add("minLength-1", Change::Set(json!(fill(min - 1))));
                }
                if s.get("pattern").is_some() {
                    add("pattern broken", Change::Set(json!(format!("{t} !"))));
                } else if s.get("format").is_some() {
                    add("format broken", Change::Set(json!("not-a-value at all")));
                } else if len > 0 && t.is_ascii() {
                    add("non-ASCII string", Change::Set(json!(format!("{t}-é中✓"))));
                }
            }
            ("integer" | "number", Value::Number(_)) => {
                let exmin = s["exclusiveMinimum"] == true;
                let exmax = s["exclusiveMaximum"] == true;
                if let Some(min) = s["minimum"].as_i64() {
                    let at = if exmin { min + 1 } else { min };
                    add("minimum at the limit", Change::Set(json!(at)));
                    add("minimum-1", Change::Set(json!(at - 1)));
                }
                if let Some(max) = s["maximum"].as_i64() {
                    let at = if exmax { max - 1 } else { max };
                    add("maximum at the limit", Change::Set(json!(at)));
                    add("maximum+1", Change::Set(json!(at + 1)));
                }
            }
            ("array", Value::Array(items)) => {
                let keys = map_keys(s);
                if let Some(first) = items.first() {
                    if let Some(max) = s["maxItems"].as_u64().map(|m| m as usize) {
                        for (label, n) in [("maxItems at the limit", max), ("maxItems+1", max + 1)]
                        {
                            let mut more: Vec<Value> = items
                                .iter()
                                .cloned()
                                .chain(std::iter::repeat(first.clone()))
                                .take(n)
                                .collect();
                            unique_keys(&mut more, &keys);
                            if s["x-kubernetes-list-type"] == "set" {
                                for (i, m) in more.iter_mut().enumerate().skip(items.len()) {
                                    if let Value::String(t) = m {
                                        t.push_str(&i.to_string());
                                    }
                                }
                            }
                            add(label, Change::Set(Value::Array(more)));
                        }
                    }
                    if !keys.is_empty() || s["x-kubernetes-list-type"] == "set" {
                        let mut dup = items.clone();
                        dup.push(first.clone());
                        add(
                            "list-map/set entry duplicated",
                            Change::Set(Value::Array(dup)),
                        );
                    }
                }
                if let Some(min) = s["minItems"]
                    .as_u64()
                    .map(|m| m as usize)
                    .filter(|m| *m > 0)
                {
                    add(
                        "minItems-1",
                        Change::Set(Value::Array(items.iter().take(min - 1).cloned().collect())),
                    );
                }
                for i in 0..items.len() {
                    let mut p = path.clone();
                    p.push(Seg::Index(i));
                    todo.push((p, &s["items"], format!("{spath}[]")));
                }
            }
            ("object", Value::Object(map)) => {
                let required: BTreeSet<&str> = s["required"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let props = s["properties"].as_object();
                for (name, prop) in props.into_iter().flatten() {
                    let mut p = path.clone();
                    p.push(Seg::Key(name.clone()));
                    let child = format!("{spath}.{name}");
                    let present = map.contains_key(name);
                    match (present, required.contains(name.as_str())) {
                        (true, true) => out_push(
                            seen,
                            out,
                            cap,
                            kind,
                            base,
                            &p,
                            &child,
                            "required field removed",
                            Change::Remove,
                        ),
                        (true, false) => out_push(
                            seen,
                            out,
                            cap,
                            kind,
                            base,
                            &p,
                            &child,
                            "optional field removed",
                            Change::Remove,
                        ),
                        (false, _) => out_push(
                            seen,
                            out,
                            cap,
                            kind,
                            base,
                            &p,
                            &child,
                            "optional field set",
                            Change::Random(prop.clone()),
                        ),
                    }
                    if present {
                        todo.push((p, prop, child));
                    }
                }
                if let Some(add_schema) = s.get("additionalProperties").filter(|a| a.is_object()) {
                    for k in map
                        .keys()
                        .filter(|k| props.is_none_or(|p| !p.contains_key(*k)))
                    {
                        let mut p = path.clone();
                        p.push(Seg::Key(k.clone()));
                        todo.push((p, add_schema, format!("{spath}.*")));
                    }
                    if let (Some(max), Some((_, first))) =
                        (s["maxProperties"].as_u64(), map.iter().next())
                    {
                        let mut more = map.clone();
                        let mut i = 0;
                        while more.len() as u64 <= max {
                            more.insert(format!("extra{i}"), first.clone());
                            i += 1;
                        }
                        out_push(
                            seen,
                            out,
                            cap,
                            kind,
                            base,
                            &path,
                            &spath,
                            "maxProperties+1",
                            Change::Set(Value::Object(more)),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn out_push(
    seen: &mut HashMap<(String, &'static str), usize>,
    out: &mut Vec<Recipe>,
    cap: usize,
    kind: usize,
    base: &Value,
    path: &[Seg],
    spath: &str,
    label: &'static str,
    change: Change,
) {
    let n = seen.entry((spath.to_owned(), label)).or_insert(0);
    if *n < cap {
        *n += 1;
        out.push(Recipe {
            kind,
            base: base.clone(),
            path: path.to_vec(),
            change,
            label,
        });
    }
}

/// A runner whose random numbers come from the seed and the object's index only.
fn runner(seed: u64, index: usize) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&(index as u64).to_le_bytes());
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

type Tree = Box<dyn ValueTree<Value = Value>>;

/// The object a recipe makes, and the value tree of its random part (to shrink).
fn make(kinds: &[Kind], r: &Recipe, seed: u64, index: usize) -> (Value, Option<Tree>) {
    let k = &kinds[r.kind];
    let mut run = runner(seed, index);
    match &r.change {
        Change::Set(v) => (with(&r.base, &r.path, Some(v.clone())), None),
        Change::Remove => (with(&r.base, &r.path, None), None),
        Change::Random(s) => match strategy(s, 0.5, 3).new_tree(&mut run) {
            Ok(t) => (
                with(&r.base, &r.path, Some(t.current())),
                Some(Box::new(t) as Tree),
            ),
            Err(_) => (r.base.clone(), None),
        },
        Change::Whole => match k.whole.new_tree(&mut run) {
            Ok(t) => (envelope(k, t.current(), index), Some(Box::new(t) as Tree)),
            Err(_) => (envelope(k, json!({}), index), None),
        },
    }
}

fn place(kinds: &[Kind], r: &Recipe, index: usize, value: Value) -> Value {
    match r.change {
        Change::Whole => envelope(&kinds[r.kind], value, index),
        _ => with(&r.base, &r.path, Some(value)),
    }
}

fn envelope(k: &Kind, spec: Value, index: usize) -> Value {
    json!({"apiVersion": k.api_version, "kind": k.kind,
           "metadata": {"name": format!("gen-{index}"), "namespace": NAMESPACE},
           "spec": spec})
}

/// The offline verdict.
pub fn offline(validator: &Validator, object: &Value) -> Verdict {
    match validator.validate(object, true) {
        Ok(stored) => Verdict::Accepted(stored["spec"].clone()),
        Err(errors)
            if errors
                .iter()
                .all(|e| e.kind == agentgateway_validate::ErrorType::UnknownField) =>
        {
            Verdict::Decoding(agentgateway_validate::apiserver_message(&errors))
        }
        Err(errors) => {
            let mut v: Vec<String> = errors.iter().map(FieldError::to_string).collect();
            v.sort();
            Verdict::Rejected(v)
        }
    }
}

/// The apiserver, through `kubectl proxy`.
pub struct Server {
    agent: ureq::Agent,
    base: String,
}

impl Server {
    pub fn new(proxy_port: u16) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(std::time::Duration::from_secs(60)))
            .build()
            .into();
        Self {
            agent,
            base: format!("http://127.0.0.1:{proxy_port}"),
        }
    }

    /// A dry-run create with strict field validation; the apiserver's verdict.
    pub fn judge(&self, plural: &str, object: &Value) -> anyhow::Result<Verdict> {
        let (group_version, ns) = (
            object["apiVersion"].as_str().unwrap_or_default(),
            object["metadata"]["namespace"].as_str().unwrap_or_default(),
        );
        let url = format!(
            "{}/apis/{group_version}/namespaces/{ns}/{plural}?dryRun=All&fieldValidation=Strict",
            self.base
        );
        let mut resp = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json")
            .send(object.to_string())
            .with_context(|| format!("POST {url}"))?;
        let status = resp.status().as_u16();
        let body: Value = serde_json::from_str(&resp.body_mut().read_to_string()?)
            .with_context(|| format!("the response to POST {url} is not JSON"))?;
        match status {
            200 | 201 => Ok(Verdict::Accepted(body["spec"].clone())),
            422 => {
                let mut v: Vec<String> = body["details"]["causes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| {
                        let field = c["field"].as_str().unwrap_or("<nil>");
                        let field = if field.is_empty() { "<nil>" } else { field };
                        format!("{field}: {}", c["message"].as_str().unwrap_or_default())
                    })
                    .collect();
                v.sort();
                Ok(Verdict::Rejected(v))
            }
            400 => {
                let msg = body["message"].as_str().unwrap_or_default();
                Ok(Verdict::Decoding(
                    msg.find("strict decoding error")
                        .map_or(msg, |i| &msg[i..])
                        .to_owned(),
                ))
            }
            other => anyhow::bail!("POST {url}: HTTP {other}: {body}"),
        }
    }
}

/// Whether two verdicts agree, and if not, how they differ.
pub fn difference(server: &Verdict, offline: &Verdict) -> Option<String> {
    if server == offline {
        return None;
    }
    Some(match (server, offline) {
        (Verdict::Accepted(a), Verdict::Accepted(b)) => format!(
            "both accept, but the stored spec differs (- server, + offline):\n{}",
            crate::json_diff(a, b).join("\n")
        ),
        (s, o) => format!("the apiserver: {}\nthe validator: {}", show(s), show(o)),
    })
}

fn show(v: &Verdict) -> String {
    match v {
        Verdict::Accepted(_) => "accepted".into(),
        Verdict::Rejected(e) => format!("rejected:\n  {}", e.join("\n  ")),
        Verdict::Decoding(m) => format!("rejected: {m}"),
    }
}

/// The result of a run.
pub struct Outcome {
    pub objects: usize,
    pub accepted: usize,
    /// Objects per constraint kind: (made, accepted by both).
    pub coverage: BTreeMap<&'static str, (usize, usize)>,
    /// CEL rules (kind, message) no object broke.
    pub unbroken_rules: Vec<(String, String)>,
    pub rules: usize,
    pub disagreements: Vec<String>,
    /// Known disagreements ([`KNOWN`]) seen: the reason and how many.
    pub known: BTreeMap<&'static str, usize>,
    pub seconds_generate: f64,
    pub seconds_judge: f64,
}

/// Every rule message of a schema.
fn rule_messages(schema: &Value) -> Vec<String> {
    let mut out = vec![];
    crdgen::walk::walk(schema, |node| {
        for r in node
            .get(crdgen::markers::VALIDATIONS)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(rule) = r["rule"].as_str() {
                out.push(r["message"].as_str().unwrap_or(rule).to_owned());
            }
        }
        crdgen::walk::Flow::Continue
    });
    out
}

/// Generates the objects and has both judges judge them; `workers` requests at once.
/// Every object of a run, as [`run`] sends them: variants and mutants of the valid
/// cases, then whole objects up to `opts.objects`. The same seed gives the same
/// objects.
pub fn objects(valid_cases: &[Value], opts: Options) -> anyhow::Result<Vec<Value>> {
    let (_, judged) = corpus(valid_cases, opts)?;
    Ok(judged.into_iter().map(|(_, _, j)| j.object).collect())
}

type Corpus = (Vec<Kind>, Vec<(Recipe, usize, Judged)>);

/// The objects of a run with their recipes and offline verdicts.
fn corpus(valid_cases: &[Value], opts: Options) -> anyhow::Result<Corpus> {
    let validator = agentgateway_validate::shared();
    let mut kinds = vec![];
    for src in agentgateway_api::crds() {
        let crd = src
            .normalized()
            .map_err(|p| anyhow::anyhow!("{}: {} schema problems", src.kind(), p.len()))?;
        let group = crd["spec"]["group"].as_str().unwrap_or_default().to_owned();
        for (version, schema) in crdgen::walk::version_schemas(&crd) {
            kinds.push(Kind {
                kind: src.kind().to_owned(),
                plural: src.plural().to_owned(),
                api_version: format!("{group}/{version}"),
                whole: strategy(&schema["properties"]["spec"], 0.3, 6),
                schema: schema.clone(),
            });
        }
    }

    // Bases: the valid cases, then variants the validator accepts (breadth first).
    let mut recipes: Vec<Recipe> = vec![];
    let mut seen = HashMap::new();
    let mut bases: Vec<(usize, Value)> = vec![];
    for case in valid_cases {
        if let Some(k) = kinds.iter().position(|k| {
            k.kind == case["kind"].as_str().unwrap_or_default()
                && k.api_version == case["apiVersion"].as_str().unwrap_or_default()
        }) {
            let mut obj = case.clone();
            obj["metadata"] = json!({"name": "gen-base", "namespace": NAMESPACE});
            bases.push((k, obj));
        }
    }
    let mut judged: Vec<(Recipe, usize, Judged)> = vec![];
    let mut next_base = 0;
    const MAX_BASES: usize = 600;
    while next_base < bases.len() {
        let (k, base) = bases[next_base].clone();
        next_base += 1;
        let from = recipes.len();
        plan(k, &kinds[k].schema, &base, 2, &mut seen, &mut recipes);
        for r in &recipes[from..] {
            let index = judged.len();
            let (object, _) = make(&kinds, r, opts.seed, index);
            let verdict = offline(validator, &object);
            if r.label == "optional field set"
                && matches!(verdict, Verdict::Accepted(_))
                && bases.len() < MAX_BASES
            {
                bases.push((r.kind, object.clone()));
            }
            judged.push((
                r.clone(),
                index,
                Judged {
                    label: r.label,
                    object,
                    offline: verdict,
                },
            ));
        }
    }
    // Whole objects, round robin over the kinds, up to the count.
    let mut i = 0;
    while judged.len() < opts.objects {
        let r = Recipe {
            kind: i % kinds.len(),
            base: Value::Null,
            path: vec![],
            change: Change::Whole,
            label: "whole object from the schema",
        };
        i += 1;
        let index = judged.len();
        let (object, _) = make(&kinds, &r, opts.seed, index);
        let verdict = offline(validator, &object);
        judged.push((
            r.clone(),
            index,
            Judged {
                label: r.label,
                object,
                offline: verdict,
            },
        ));
    }
    Ok((kinds, judged))
}

/// Generates the objects (see the module's doc), then has the apiserver and the
/// offline validator judge each one.
pub fn run(
    server: &Server,
    valid_cases: &[Value],
    opts: Options,
    workers: usize,
) -> anyhow::Result<Outcome> {
    let validator = agentgateway_validate::shared();
    let started = Instant::now();
    let (kinds, judged) = corpus(valid_cases, opts)?;
    let seconds_generate = started.elapsed().as_secs_f64();

    // The apiserver, `workers` requests at a time.
    let judging = Instant::now();
    let next = AtomicUsize::new(0);
    let plurals: Vec<&str> = kinds.iter().map(|k| k.plural.as_str()).collect();
    let objects: Vec<(usize, &Value)> =
        judged.iter().map(|(r, _, j)| (r.kind, &j.object)).collect();
    let results: Vec<(usize, anyhow::Result<Verdict>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = vec![];
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((kind, object)) = objects.get(i) else {
                            break;
                        };
                        mine.push((i, server.judge(plurals[*kind], object)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let seconds_judge = judging.elapsed().as_secs_f64();
    let mut server_verdicts: Vec<Option<Verdict>> = vec![None; judged.len()];
    for (i, v) in results {
        server_verdicts[i] = Some(v?);
    }

    let mut coverage: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    let mut broken: BTreeSet<String> = BTreeSet::new();
    let mut disagreements = vec![];
    let mut accepted = 0;
    let mut shrunk_labels = BTreeSet::new();
    let mut known_seen = BTreeMap::new();
    for ((r, index, j), s) in judged.iter().zip(&server_verdicts) {
        let Some(s) = s else {
            anyhow::bail!("object {index} was not judged by the apiserver")
        };
        let entry = coverage.entry(j.label).or_insert((0, 0));
        entry.0 += 1;
        if let Verdict::Rejected(errors) = s {
            for e in errors {
                broken.insert(e.clone());
            }
        }
        match difference(s, &j.offline) {
            None => {
                if matches!(s, Verdict::Accepted(_)) {
                    entry.1 += 1;
                    accepted += 1;
                }
            }
            Some(_) if known(s, &j.offline, &j.object).is_some() => {
                let why = known(s, &j.offline, &j.object).unwrap_or_default();
                *known_seen.entry(why).or_insert(0) += 1;
            }
            Some(diff) => {
                let mut text = format!(
                    "object {index} ({}, {}):\n{diff}\n{}",
                    j.label,
                    kinds[r.kind].kind,
                    serde_json::to_string(&j.object).unwrap_or_default()
                );
                // Shrink the first disagreement of each constraint kind.
                if shrunk_labels.insert(j.label)
                    && let Some(smallest) = shrink(&kinds, r, opts.seed, *index, server, validator)
                {
                    let _ = write!(text, "\nsmallest failing object: {smallest}");
                }
                disagreements.push(text);
            }
        }
    }
    let mut unbroken_rules = vec![];
    let mut rules = 0;
    let mut done_kinds = BTreeSet::new();
    for k in &kinds {
        if !done_kinds.insert(&k.kind) {
            continue;
        }
        for msg in rule_messages(&k.schema) {
            rules += 1;
            if !broken.iter().any(|e| e.ends_with(&format!(": {msg}"))) {
                unbroken_rules.push((k.kind.clone(), msg));
            }
        }
    }
    Ok(Outcome {
        objects: judged.len(),
        accepted,
        coverage,
        unbroken_rules,
        rules,
        disagreements,
        known: known_seen,
        seconds_generate,
        seconds_judge,
    })
}

/// The smallest object proptest's shrinking finds that the two judges still disagree
/// on (for objects with a random part), within 300 steps.
fn shrink(
    kinds: &[Kind],
    r: &Recipe,
    seed: u64,
    index: usize,
    server: &Server,
    validator: &Validator,
) -> Option<String> {
    let (_, tree) = make(kinds, r, seed, index);
    let mut tree = tree?;
    let plural = &kinds[r.kind].plural;
    let fails = |v: &Value| {
        let obj = place(kinds, r, index, v.clone());
        server
            .judge(plural, &obj)
            .ok()
            .is_some_and(|s| difference(&s, &offline(validator, &obj)).is_some())
    };
    let mut last = tree.current();
    if !tree.simplify() {
        return Some(place(kinds, r, index, last).to_string());
    }
    for _ in 0..300 {
        let v = tree.current();
        if fails(&v) {
            last = v;
            if !tree.simplify() {
                break;
            }
        } else if !tree.complicate() {
            break;
        }
    }
    Some(place(kinds, r, index, last).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Value {
        json!({"type": "object", "required": ["n"], "properties": {
            "n": {"type": "integer", "minimum": 1, "maximum": 5},
            "s": {"type": "string", "maxLength": 3, "enum": ["a", "b"]},
            "l": {"type": "array", "maxItems": 2, "x-kubernetes-list-type": "map",
                  "x-kubernetes-list-map-keys": ["name"],
                  "items": {"type": "object", "required": ["name"],
                            "properties": {"name": {"type": "string", "maxLength": 4}}}},
            "q": {"x-kubernetes-int-or-string": true}
        }})
    }

    #[test]
    fn generated_values_follow_the_schema_and_are_reproducible() {
        let st = strategy(&schema(), 1.0, 3);
        let draw = |i| st.new_tree(&mut runner(7, i)).expect("tree").current();
        for i in 0..200 {
            let v = draw(i);
            assert_eq!(v, draw(i), "same seed and index, same value");
            let n = v["n"].as_i64().expect("required n");
            assert!((1..=5).contains(&n), "{v}");
            assert!(["a", "b"].contains(&v["s"].as_str().expect("s")), "{v}");
            let names: BTreeSet<&str> = v["l"]
                .as_array()
                .expect("l")
                .iter()
                .map(|e| e["name"].as_str().expect("name"))
                .collect();
            assert_eq!(
                names.len(),
                v["l"].as_array().map_or(0, Vec::len),
                "keys unique: {v}"
            );
        }
        assert_ne!(draw(0), draw(1));
    }

    #[test]
    fn mutants_break_one_constraint_each() {
        let s = json!({"properties": {"spec": schema()}});
        let base = json!({"spec": {"n": 5, "s": "a", "l": [{"name": "x"}], "q": "5"}});
        let mut out = vec![];
        plan(0, &s, &base, 9, &mut HashMap::new(), &mut out);
        let labels: BTreeSet<&str> = out.iter().map(|r| r.label).collect();
        for want in [
            "maximum+1",
            "minimum-1",
            "enum value",
            "enum value altered",
            "required field removed",
            "optional field removed",
            "maxItems+1",
            "list-map/set entry duplicated",
            "int-or-string as integer",
            "wrong type",
            "maxLength+1",
        ] {
            assert!(labels.contains(want), "{want} missing from {labels:?}");
        }
        let over = out.iter().find(|r| r.label == "maximum+1").expect("max");
        assert_eq!(
            with(
                &over.base,
                &over.path,
                match &over.change {
                    Change::Set(v) => Some(v.clone()),
                    _ => None,
                }
            )["spec"]["n"],
            6
        );
        let more = out.iter().find(|r| r.label == "maxItems+1").expect("items");
        let Change::Set(list) = &more.change else {
            panic!("set")
        };
        assert_eq!(
            list,
            &json!([{"name": "x"}, {"name": "x1"}, {"name": "x2"}])
        );
    }

    #[test]
    fn verdicts_compare_errors_as_sets() {
        let a = Verdict::Rejected(vec!["a: x".into(), "b: y".into()]);
        assert!(difference(&a, &a.clone()).is_none());
        assert!(difference(&a, &Verdict::Accepted(json!({}))).is_some());
        let d = difference(
            &Verdict::Accepted(json!({"x": 1})),
            &Verdict::Accepted(json!({"x": 2})),
        )
        .expect("differs");
        assert!(d.contains("- .x: 1"), "{d}");
    }
}
