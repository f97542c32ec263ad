//! The CEL cost the kube-apiserver estimates for a CRD's `x-kubernetes-validations`
//! rules, computed here, in process, exactly as k8s.io/apiextensions-apiserver v0.35
//! does when the CRD is created: for every rule (and `messageExpression`), cel-go's
//! static estimate of one evaluation ([`cost`]) with the Kubernetes library's costs and
//! the sizes the schema allows ([`decl`]), times the most times the rule can run (the
//! `maxItems`/`maxProperties` of every enclosing list and map, or what fits in a 3 MiB
//! request where one is unbounded). A rule over [`PER_RULE_LIMIT`] or a schema over
//! [`PER_CRD_LIMIT`] is refused by the apiserver; [`refusals`] gives its words.
//!
//! `e2e/tools/celcost` runs the apiserver's own code over the same CRDs; the test
//! `crdgen/tests/cel_cost_differential.rs` requires equal figures for every rule.

mod check;
mod cost;
mod decl;
mod funcs;
mod literals;
mod types;

pub mod ceiling;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::rc::Rc;

/// `StaticEstimatedCostLimit`: the most one rule may cost (times its cardinality).
pub const PER_RULE_LIMIT: u64 = 10_000_000;
/// `StaticEstimatedCRDCostLimit`: the most all rules of one version's schema may cost.
pub const PER_CRD_LIMIT: u64 = 100_000_000;

/// The overloads cel-go costs by the smaller of their two operands' sizes (string and
/// bytes comparisons, equality): in the estimate (`checker/cost.go`) and at run time
/// (`interpreter/runtimecost.go`) alike. Sorted: looked up by binary search.
pub const MIN_SIZE_OVERLOADS: [&str; 10] = [
    "equals",
    "greater_bytes",
    "greater_equals_bytes",
    "greater_equals_string",
    "greater_string",
    "less_bytes",
    "less_equals_bytes",
    "less_equals_string",
    "less_string",
    "not_equals",
];

/// The Kubernetes library's functions of nominal cost 1 (IP and CIDR accessors,
/// `format.named`, quantity and semver operations, URL accessors), estimated and
/// charged alike (`library/cost.go`). Sorted: looked up by binary search, once per call
/// the validator meters.
pub const NOMINAL_COST_FUNCTIONS: [&str; 27] = [
    "add",
    "asApproximateFloat",
    "asInteger",
    "compareTo",
    "family",
    "format.named",
    "getEscapedPath",
    "getHost",
    "getHostname",
    "getPort",
    "getQuery",
    "getScheme",
    "isGlobalUnicast",
    "isGreaterThan",
    "isInteger",
    "isLessThan",
    "isLinkLocalMulticast",
    "isLinkLocalUnicast",
    "isLoopback",
    "isUnspecified",
    "major",
    "masked",
    "minor",
    "patch",
    "prefixLength",
    "sign",
    "sub",
];

/// A bound of an enclosing list or map that multiplies a rule's cost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Multiplier {
    /// The list's or map's path (`.spec.mcp.targets`).
    pub path: String,
    /// `maxItems` or `maxProperties`.
    pub keyword: &'static str,
    /// The bound; `None` when it is missing (the apiserver then assumes what fits in
    /// a request).
    pub value: Option<u64>,
}

/// A bound a rule's expression reads (a string's `maxLength`, a list's `maxItems`...).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Read {
    pub path: String,
    pub keyword: &'static str,
    pub value: Option<u64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RuleCost {
    /// Path of the schema node carrying the rule (`.spec.mcp`, `.` for the root).
    pub path: String,
    /// Index in the node's `x-kubernetes-validations`.
    pub index: usize,
    pub rule: String,
    /// Set when this entry is the rule's `messageExpression`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_expression: Option<String>,
    /// The estimated cost of one evaluation.
    pub cost: u64,
    /// How many times it can run.
    pub cardinality: u64,
    /// What counts against the limits: `cost * cardinality` (a `messageExpression`
    /// counts once, as the apiserver adds it).
    pub total: u64,
    /// The enclosing lists and maps (outermost first).
    pub multipliers: Vec<Multiplier>,
    /// The bounds the expression reads.
    pub reads: Vec<Read>,
}

impl RuleCost {
    /// The apiserver's JSON path of the rule (or message expression) field.
    pub fn field(&self) -> &'static str {
        if self.message_expression.is_some() {
            "messageExpression"
        } else {
            "rule"
        }
    }

    /// Over [`PER_RULE_LIMIT`] (the apiserver compares the product for rules and the
    /// unmultiplied cost for message expressions).
    pub fn over_limit(&self) -> bool {
        self.total > PER_RULE_LIMIT
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VersionCost {
    pub name: String,
    pub rules: Vec<RuleCost>,
    pub total: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CrdCost {
    pub name: String,
    pub versions: Vec<VersionCost>,
}

/// A [`Multiplier`] or [`Read`] as cached (the keyword as a string).
#[derive(Deserialize)]
struct Bound {
    path: String,
    keyword: String,
    value: Option<u64>,
}

fn keyword(s: &str) -> Result<&'static str, String> {
    ["maxItems", "maxProperties", "maxLength"]
        .into_iter()
        .find(|k| *k == s)
        .ok_or_else(|| format!("unknown bound keyword {s}"))
}

impl TryFrom<Bound> for Multiplier {
    type Error = String;
    fn try_from(b: Bound) -> Result<Self, String> {
        Ok(Multiplier {
            keyword: keyword(&b.keyword)?,
            path: b.path,
            value: b.value,
        })
    }
}

impl<'de> Deserialize<'de> for Multiplier {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Bound::deserialize(d)?
            .try_into()
            .map_err(serde::de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Read {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Bound::deserialize(d)?
            .try_into()
            .map_err(serde::de::Error::custom)
    }
}

impl TryFrom<Bound> for Read {
    type Error = String;
    fn try_from(b: Bound) -> Result<Self, String> {
        Ok(Read {
            keyword: keyword(&b.keyword)?,
            path: b.path,
            value: b.value,
        })
    }
}

/// A rule the estimator cannot read (a syntax it does not know, a type error): the
/// apiserver would refuse or the estimator is missing something; either way no figure.
#[derive(Clone, Debug)]
pub struct EstimateError {
    pub path: String,
    pub rule: String,
    pub message: String,
}

impl std::fmt::Display for EstimateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: cannot estimate the cost of rule `{}`: {}",
            self.path, self.rule, self.message
        )
    }
}

/// Estimates every version of a CRD (a `CustomResourceDefinition` as JSON).
pub fn estimate_crd(crd: &Value) -> Result<CrdCost, EstimateError> {
    let name = crd
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut versions = Vec::new();
    for v in crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(schema) = v.pointer("/schema/openAPIV3Schema") else {
            continue;
        };
        let (rules, total) = estimate_schema(schema)?;
        versions.push(VersionCost {
            name: v
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            rules,
            total,
        });
    }
    Ok(CrdCost { name, versions })
}

/// Every rule of one `openAPIV3Schema`, and their total.
pub fn estimate_schema(schema: &Value) -> Result<(Vec<RuleCost>, u64), EstimateError> {
    let mut out = Vec::new();
    walk(schema, ".", Some(1), &mut Vec::new(), &mut out, None)?;
    let total = out.iter().fold(0u64, |a, r| a.saturating_add(r.total));
    Ok((out, total))
}

fn join(path: &str, child: &str) -> String {
    if path == "." {
        child.to_owned()
    } else {
        format!("{path}{child}")
    }
}

/// `extractMaxElements`: how many times a child of `s` can occur.
fn max_elements(s: &Value) -> (Option<&'static str>, Option<u64>) {
    let int = |k: &str| s.get(k).and_then(Value::as_i64).map(|v| v.max(0) as u64);
    match s.get("type").and_then(Value::as_str) {
        Some("object") if s.get("additionalProperties").is_some() => {
            (Some("maxProperties"), int("maxProperties"))
        }
        Some("array") => (Some("maxItems"), int("maxItems")),
        _ => (None, Some(1)),
    }
}

/// Walks the schema as the apiserver's validation does (properties, additionalProperties,
/// items), carrying the cardinality (`None` once some enclosing list or map is unbounded).
/// With `only`, estimates only the nodes [`ceiling::related`] to that path.
fn walk(
    s: &Value,
    path: &str,
    card: Option<u64>,
    mults: &mut Vec<Multiplier>,
    out: &mut Vec<RuleCost>,
    only: Option<&str>,
) -> Result<(), EstimateError> {
    if let Some(rules) = s.get("x-kubernetes-validations").and_then(Value::as_array)
        && !rules.is_empty()
        && only.is_none_or(|b| ceiling::related(path, b))
    {
        estimate_node(s, path, path == ".", card, mults, rules, out)?;
    }
    let (keyword, max) = max_elements(s);
    let child_card = match (card, max) {
        (Some(c), Some(m)) => Some(mul_guard(c, m)),
        _ => None,
    };
    let mut child = |c: &Value, p: String, out: &mut Vec<RuleCost>| {
        if let Some(k) = keyword {
            mults.push(Multiplier {
                path: path.to_owned(),
                keyword: k,
                value: max,
            });
        }
        let r = walk(c, &p, child_card, mults, out, only);
        if keyword.is_some() {
            mults.pop();
        }
        r
    };
    if let Some(ap) = s.get("additionalProperties").filter(|a| a.is_object()) {
        child(ap, join(path, ".*"), out)?;
    }
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        let mut names: Vec<&String> = props.keys().collect();
        names.sort();
        for n in names {
            child(&props[n], join(path, &format!(".{n}")), out)?;
        }
    }
    if let Some(items) = s.get("items").filter(|i| i.is_object()) {
        child(items, join(path, "[*]"), out)?;
    }
    Ok(())
}

/// `multiplyWithOverflowGuard`.
fn mul_guard(cost: u64, card: u64) -> u64 {
    if cost == 0 {
        0
    } else {
        cost.saturating_mul(card)
    }
}

fn estimate_node(
    s: &Value,
    path: &str,
    is_root: bool,
    card: Option<u64>,
    mults: &[Multiplier],
    rules: &[Value],
    out: &mut Vec<RuleCost>,
) -> Result<(), EstimateError> {
    let embedded = s
        .get("x-kubernetes-embedded-resource")
        .and_then(Value::as_bool)
        == Some(true);
    let err = |rule: &str, message: String| EstimateError {
        path: path.to_owned(),
        rule: rule.to_owned(),
        message,
    };
    let Some(root) = decl::schema_decl(s, is_root || embedded) else {
        let rule = rules
            .first()
            .and_then(|r| r.get("rule"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Err(err(
            rule,
            "the node is not visible to CEL (no type)".to_owned(),
        ));
    };
    let env = check::Env::new(&root, false);
    let env_opt = check::Env::new(&root, true);
    let card = card.unwrap_or((decl::MAX_REQUEST_SIZE_BYTES / (root.min_size + 1)) as u64);
    for (index, r) in rules.iter().enumerate() {
        let rule = r.get("rule").and_then(Value::as_str).unwrap_or_default();
        let optional = r.get("optionalOldSelf").and_then(Value::as_bool) == Some(true);
        let env = if optional { &env_opt } else { &env };
        let (cost, reads) = if rule.trim().is_empty() {
            (0, vec![])
        } else {
            estimate_expression(rule, env, &root, path).map_err(|m| err(rule, m))?
        };
        out.push(RuleCost {
            path: path.to_owned(),
            index,
            rule: rule.to_owned(),
            message_expression: None,
            cost,
            cardinality: card,
            total: mul_guard(cost, card),
            multipliers: mults.to_vec(),
            reads,
        });
        if let Some(me) = r.get("messageExpression").and_then(Value::as_str)
            && !me.is_empty()
            && !rule.trim().is_empty()
        {
            let (cost, reads) =
                estimate_expression(me, env, &root, path).map_err(|m| err(me, m))?;
            out.push(RuleCost {
                path: path.to_owned(),
                index,
                rule: rule.to_owned(),
                message_expression: Some(me.to_owned()),
                cost,
                cardinality: card,
                total: cost,
                multipliers: mults.to_vec(),
                reads,
            });
        }
    }
    Ok(())
}

/// A rule as the apiserver compiles it for one schema node: parsed (macros expanded as
/// cel-go expands them) and type-checked against the node. What a runtime cost tracker
/// needs besides values: the overload each call resolved to.
pub struct CheckedRule {
    pub ast: cel::common::ast::IdedExpr,
    /// Calls that resolved to exactly one overload.
    overloads: std::collections::HashMap<u64, String>,
    namespaced: std::collections::HashMap<u64, String>,
}

impl CheckedRule {
    /// The overload id of call `id` when the checker resolved exactly one (cel-go's
    /// planner then dispatches to it); `None` when several remain (dynamic dispatch,
    /// an empty overload id at run time) or `id` is not a call.
    pub fn overload(&self, id: u64) -> Option<&str> {
        self.overloads.get(&id).map(String::as_str)
    }

    /// The full name of call `id` when it is a namespaced function (`sets.contains`).
    pub fn namespaced(&self, id: u64) -> Option<&str> {
        self.namespaced.get(&id).map(String::as_str)
    }

    /// Whether the rule reads `oldSelf` (a transition rule).
    pub fn uses_old_self(&self) -> bool {
        use cel::common::ast::{EntryExpr, Expr, IdedEntryExpr, IdedExpr};
        fn entry_reads(en: &IdedEntryExpr) -> bool {
            match &en.expr {
                EntryExpr::MapEntry(me) => reads(&me.key) || reads(&me.value),
                EntryExpr::StructField(f) => reads(&f.value),
            }
        }
        fn reads(e: &IdedExpr) -> bool {
            match &e.expr {
                Expr::Ident(n) => n == "oldSelf",
                Expr::Select(s) => reads(&s.operand),
                Expr::Call(c) => c.target.as_deref().is_some_and(reads) || c.args.iter().any(reads),
                Expr::List(l) => l.elements.iter().any(reads),
                Expr::Map(m) => m.entries.iter().any(entry_reads),
                Expr::Struct(s) => s.entries.iter().any(entry_reads),
                Expr::Comprehension(c) => [
                    &c.iter_range,
                    &c.accu_init,
                    &c.loop_cond,
                    &c.loop_step,
                    &c.result,
                ]
                .into_iter()
                .any(reads),
                Expr::Literal(_) | Expr::Unspecified => false,
            }
        }
        reads(&self.ast)
    }
}

/// A property name as CEL rules spell it (`x-y` is `x__dash__y`), as the apiserver
/// escapes it; `None` for names CEL cannot reach.
pub fn escape_field(name: &str) -> Option<String> {
    decl::escape(name)
}

/// Parses and type-checks `src` (a rule or message expression) for the schema node
/// `node`; `is_root` for the resource's root (and embedded resources get the same
/// treatment, as in the apiserver).
pub fn check_rule(
    node: &Value,
    is_root: bool,
    src: &str,
    optional_old_self: bool,
) -> Result<CheckedRule, String> {
    let embedded = node
        .get("x-kubernetes-embedded-resource")
        .and_then(Value::as_bool)
        == Some(true);
    let root = decl::schema_decl(node, is_root || embedded)
        .ok_or("the node is not visible to CEL (no type)")?;
    let env = check::Env::new(&root, optional_old_self);
    let ast = cel::parser::Parser::new()
        .enable_optional_syntax(true)
        .parse(src)
        .map_err(|e| format!("syntax: {e}"))?;
    let checked = check::Checker::new(&env).check_all(&ast)?;
    let overloads = checked
        .overloads
        .into_iter()
        .filter_map(|(id, o)| match o.as_slice() {
            [one] => Some((id, one.to_string())),
            _ => None,
        })
        .collect();
    Ok(CheckedRule {
        ast,
        overloads,
        namespaced: checked.namespaced,
    })
}

fn estimate_expression(
    src: &str,
    env: &check::Env,
    root: &Rc<decl::Decl>,
    node_path: &str,
) -> Result<(u64, Vec<Read>), String> {
    // The apiserver's environment has no `cel.bind` (ext.Bindings is not in it): a
    // rule using it is refused there, and here by the checker (undeclared `cel`).
    let ast = cel::parser::Parser::new()
        .enable_optional_syntax(true)
        .parse(src)
        .map_err(|e| format!("syntax: {e}"))?;
    let checked = check::Checker::new(env).check_all(&ast)?;
    let coster = cost::Coster::new(&checked, root);
    let (cost, paths) = coster.estimate(&ast);
    let mut reads: Vec<Read> = paths
        .into_iter()
        .filter_map(|p| read_of(root, node_path, &p))
        .collect();
    reads.sort();
    reads.dedup();
    Ok((cost, reads))
}

/// The schema bound behind a size the estimator looked up by path.
fn read_of(root: &Rc<decl::Decl>, node_path: &str, path: &[Rc<str>]) -> Option<Read> {
    let mut p = node_path.to_owned();
    let mut cur: &decl::Decl = root;
    for name in path.iter().skip(1) {
        match &**name {
            "@items" => {
                cur = cur.elem()?;
                p = join(&p, "[*]");
            }
            "@values" => {
                cur = cur.elem()?;
                p = join(&p, ".*");
            }
            "@keys" => return None,
            f => {
                let decl::DeclKind::Object(fields) = &cur.kind else {
                    return None;
                };
                cur = fields.get(f)?;
                p = join(&p, &format!(".{}", decl::unescape(f)));
            }
        }
    }
    let keyword = cur.bound_keyword()?;
    Some(Read {
        path: p,
        keyword,
        value: cur.bound,
    })
}

/// The apiserver's `getCostErrorMessage`.
pub fn cost_error_message(cost_name: &str, cost: u64, limit: u64) -> String {
    let factor = cost as f64 / limit as f64;
    let shown = if factor > 100.0 {
        "more than 100x".to_owned()
    } else if factor < 1.5 {
        format!("{factor:.6}x")
    } else {
        format!("{factor:.1}x")
    };
    format!(
        "{cost_name} exceeds budget by factor of {shown} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)"
    )
}

/// The key under which [`annotate`] puts a rule's cost, for the API reference.
pub const COST_KEY: &str = "x-crdgen-cel-cost";

/// `crd` with each rule's estimated cost beside it (under [`COST_KEY`]), for the
/// reference page: `cost C per evaluation, up to N evaluations: T (P% of the per-rule
/// limit)`.
pub fn annotate(crd: &Value, cost: &CrdCost) -> Value {
    let mut out = crd.clone();
    let Some(versions) = out
        .pointer_mut("/spec/versions")
        .and_then(Value::as_array_mut)
    else {
        return out;
    };
    for v in versions {
        let name = v.get("name").and_then(Value::as_str).unwrap_or_default();
        let Some(vc) = cost.versions.iter().find(|c| c.name == name) else {
            continue;
        };
        let Some(schema) = v.pointer_mut("/schema/openAPIV3Schema") else {
            continue;
        };
        crate::walk::walk_mut(schema, |path, node| {
            let path = path.to_string();
            let Some(rules) = node
                .get_mut(crate::markers::VALIDATIONS)
                .and_then(Value::as_array_mut)
            else {
                return;
            };
            for (i, r) in rules.iter_mut().enumerate() {
                let mut text = Vec::new();
                for rc in vc
                    .rules
                    .iter()
                    .filter(|rc| rc.path == path && rc.index == i)
                {
                    text.push(describe(rc));
                }
                if !text.is_empty()
                    && let Some(o) = r.as_object_mut()
                {
                    o.insert(COST_KEY.into(), Value::String(text.join("; ")));
                }
            }
        });
    }
    out
}

fn describe(rc: &RuleCost) -> String {
    let share = rc.total as f64 * 100.0 / PER_RULE_LIMIT as f64;
    let what = if rc.message_expression.is_some() {
        "message expression: "
    } else {
        ""
    };
    if rc.message_expression.is_some() || rc.cardinality == 1 {
        format!("{what}{} ({share:.2}% of the per-rule limit)", rc.total)
    } else {
        format!(
            "{what}{} × {} = {} ({share:.2}% of the per-rule limit)",
            rc.cost, rc.cardinality, rc.total
        )
    }
}

/// What multiplies or enters a rule's cost, in words: the enclosing lists and maps
/// with their bounds, and the bounds its expression reads.
pub fn explain(rc: &RuleCost) -> String {
    let bound = |kw: &str, v: Option<u64>| match v {
        Some(v) => format!("{kw} {v}"),
        None => format!("no {kw}"),
    };
    let mut parts = Vec::new();
    if rc.message_expression.is_none() {
        let m: Vec<String> = rc
            .multipliers
            .iter()
            .map(|m| format!("{} ({})", m.path, bound(m.keyword, m.value)))
            .collect();
        if m.is_empty() {
            parts.push("it runs once per object".to_owned());
        } else {
            parts.push(format!(
                "it runs up to {} times: once per element of {}",
                rc.cardinality,
                m.join(", ")
            ));
        }
    }
    let reads: Vec<String> = rc
        .reads
        .iter()
        .map(|r| format!("{} ({})", r.path, bound(r.keyword, r.value)))
        .collect();
    if !reads.is_empty() {
        parts.push(format!(
            "one evaluation ({}) reads {}",
            rc.cost,
            reads.join(", ")
        ));
    } else {
        parts.push(format!("one evaluation costs {}", rc.cost));
    }
    parts.join("; ")
}

/// What the apiserver refuses for cost in one CRD: `(path, message)` per refusal, in
/// the apiserver's words and figures, with what multiplies the cost and what to change.
pub fn refusals(cost: &CrdCost) -> Vec<(String, String)> {
    const FIX: &str = "lower the bounds above where the API allows it (markers::max_items / \
        markers::length / markers::properties on the fields), or simplify the rule; \
        `cargo xtask cel-cost` shows how far each bound can go";
    let mut out = Vec::new();
    for v in &cost.versions {
        for rc in &v.rules {
            if rc.over_limit() {
                let name = if rc.message_expression.is_some() {
                    "estimated messageExpression cost"
                } else {
                    "estimated rule cost"
                };
                let expr = rc.message_expression.as_deref().unwrap_or(&rc.rule);
                out.push((
                    rc.path.clone(),
                    format!(
                        "x-kubernetes-validations[{}].{} `{}`: the apiserver refuses this CRD: {} (cost {} > limit {}); {}; {FIX}",
                        rc.index,
                        rc.field(),
                        expr,
                        cost_error_message(name, rc.total, PER_RULE_LIMIT),
                        rc.total,
                        PER_RULE_LIMIT,
                        explain(rc),
                    ),
                ));
            }
        }
        if v.total > PER_CRD_LIMIT {
            let mut top: Vec<&RuleCost> = v.rules.iter().collect();
            top.sort_by_key(|r| std::cmp::Reverse(r.total));
            let top: Vec<String> = top
                .iter()
                .take(4)
                .map(|r| format!("{} `{}` ({})", r.path, r.rule, r.total))
                .collect();
            out.push((
                ".".to_owned(),
                format!(
                    "version {}: the apiserver refuses this CRD: {} (total {} > limit {}); the most expensive rules: {}; {FIX}",
                    v.name,
                    cost_error_message(
                        "x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema",
                        v.total,
                        PER_CRD_LIMIT
                    ),
                    v.total,
                    PER_CRD_LIMIT,
                    top.join(", ")
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests;
