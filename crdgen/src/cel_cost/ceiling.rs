//! How far each bound can go: for every `maxItems`, `maxProperties` and `maxLength`
//! that enters some rule's cost (as an enclosing list's or map's bound, or as a size the
//! rule reads), the largest value at which every rule still fits [`PER_RULE_LIMIT`]
//! and the schema's total fits [`PER_CRD_LIMIT`], found by a binary search over the
//! estimator's own figures (costs only grow with bounds).

use super::{EstimateError, PER_CRD_LIMIT, PER_RULE_LIMIT, RuleCost, walk};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;

/// The largest value searched; a bound that fits there has no ceiling.
pub const SEARCH_MAX: u64 = (1 << 31) - 1;

#[derive(Clone, Debug, Serialize)]
pub struct Ceiling {
    /// The bounded node (`.spec.mcp.targets`).
    pub path: String,
    /// `maxItems`, `maxProperties` or `maxLength`.
    pub keyword: &'static str,
    /// Its value in the schema.
    pub value: u64,
    /// The largest value that fits; `None` when even [`SEARCH_MAX`] fits.
    pub ceiling: Option<u64>,
    /// What does not fit one above the ceiling: a rule (`path`, rule, its cost there)
    /// or the total.
    pub set_by: Option<SetBy>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SetBy {
    /// The rule's node, or `.` for the total.
    pub path: String,
    /// The rule (or message expression); empty for the total.
    pub rule: String,
    /// The cost that goes over its limit at `ceiling + 1`.
    pub cost: u64,
    pub limit: u64,
}

/// Every bound entering some cost in `schema`, with its ceiling, sorted by path.
pub fn ceilings(schema: &Value) -> Result<Vec<Ceiling>, EstimateError> {
    let (rules, total) = super::estimate_schema(schema)?;
    let mut bounds: BTreeSet<(String, &'static str, u64)> = BTreeSet::new();
    for r in &rules {
        for m in &r.multipliers {
            if let Some(v) = m.value {
                bounds.insert((m.path.clone(), m.keyword, v));
            }
        }
        for read in &r.reads {
            if let Some(v) = read.value {
                bounds.insert((read.path.clone(), read.keyword, v));
            }
        }
    }
    let mut out = Vec::new();
    for (path, keyword, value) in bounds {
        out.push(ceiling_of(schema, &rules, total, &path, keyword, value)?);
    }
    Ok(out)
}

/// The ceiling of one bound (`None` when it enters no rule's cost or is not set).
pub fn ceiling_of_bound(
    schema: &Value,
    path: &str,
    keyword: &str,
) -> Result<Option<Ceiling>, EstimateError> {
    let (rules, total) = super::estimate_schema(schema)?;
    let found = rules.iter().find_map(|r| {
        r.multipliers
            .iter()
            .map(|m| (m.path.as_str(), m.keyword, m.value))
            .chain(
                r.reads
                    .iter()
                    .map(|x| (x.path.as_str(), x.keyword, x.value)),
            )
            .find(|(p, k, _)| *p == path && *k == keyword)
            .and_then(|(_, k, v)| Some((k, v?)))
    });
    match found {
        Some((k, v)) => Ok(Some(ceiling_of(schema, &rules, total, path, k, v)?)),
        None => Ok(None),
    }
}

fn is_prefix(a: &str, b: &str) -> bool {
    a == "." || (b.starts_with(a) && matches!(b[a.len()..].chars().next(), Some('.' | '[')))
}

/// Whether a rule at `node` can depend on the bound at `bound`: the rule's node is the
/// bound's node, an enclosing one (it may read it) or an enclosed one (it is multiplied).
pub(crate) fn related(node: &str, bound: &str) -> bool {
    node == bound || is_prefix(node, bound) || is_prefix(bound, node)
}

/// The JSON pointer of a schema path (`.spec.x[*].y` → `/properties/spec/...`).
pub fn pointer(path: &str) -> Option<String> {
    if path == "." {
        return Some(String::new());
    }
    let mut out = String::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("[*]") {
            out.push_str("/items");
            rest = r;
        } else if let Some(r) = rest.strip_prefix(".*") {
            out.push_str("/additionalProperties");
            rest = r;
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = r[..end].replace('~', "~0").replace('/', "~1");
            out.push_str("/properties/");
            out.push_str(&name);
            rest = &r[end..];
        } else {
            return None;
        }
    }
    Some(out)
}

struct Outcome {
    fits: bool,
    worst: Option<SetBy>,
}

fn try_value(
    schema: &Value,
    base_total: u64,
    base_related: u64,
    ptr: &str,
    path: &str,
    keyword: &str,
    v: u64,
) -> Result<Outcome, EstimateError> {
    let mut s = schema.clone();
    if let Some(node) = s.pointer_mut(ptr).and_then(Value::as_object_mut) {
        node.insert(keyword.to_owned(), Value::from(v));
    }
    let mut rules = Vec::new();
    walk(&s, ".", Some(1), &mut Vec::new(), &mut rules, Some(path))?;
    let related_total = rules.iter().fold(0u64, |a, r| a.saturating_add(r.total));
    let total = (base_total - base_related).saturating_add(related_total);
    let worst_rule = rules
        .iter()
        .filter(|r| r.over_limit())
        .max_by_key(|r| r.total);
    if let Some(r) = worst_rule {
        return Ok(Outcome {
            fits: false,
            worst: Some(SetBy {
                path: r.path.clone(),
                rule: r
                    .message_expression
                    .clone()
                    .unwrap_or_else(|| r.rule.clone()),
                cost: r.total,
                limit: PER_RULE_LIMIT,
            }),
        });
    }
    if total > PER_CRD_LIMIT {
        return Ok(Outcome {
            fits: false,
            worst: Some(SetBy {
                path: ".".into(),
                rule: String::new(),
                cost: total,
                limit: PER_CRD_LIMIT,
            }),
        });
    }
    Ok(Outcome {
        fits: true,
        worst: None,
    })
}

fn ceiling_of(
    schema: &Value,
    rules: &[RuleCost],
    total: u64,
    path: &str,
    keyword: &'static str,
    value: u64,
) -> Result<Ceiling, EstimateError> {
    let base_related = rules
        .iter()
        .filter(|r| related(&r.path, path))
        .fold(0u64, |a, r| a.saturating_add(r.total));
    let Some(ptr) = pointer(path) else {
        return Ok(Ceiling {
            path: path.to_owned(),
            keyword,
            value,
            ceiling: None,
            set_by: None,
        });
    };
    let at = |v: u64| try_value(schema, total, base_related, &ptr, path, keyword, v);
    if at(SEARCH_MAX)?.fits {
        return Ok(Ceiling {
            path: path.to_owned(),
            keyword,
            value,
            ceiling: None,
            set_by: None,
        });
    }
    // Invariant: `lo` fits (or is 0), `hi` does not.
    let (mut lo, mut hi) = (0u64, SEARCH_MAX);
    if !at(0)?.fits {
        let o = at(0)?;
        return Ok(Ceiling {
            path: path.to_owned(),
            keyword,
            value,
            ceiling: Some(0),
            set_by: o.worst,
        });
    }
    // Start near the current value: most ceilings are within a few doublings of it.
    let mut probe = value.max(1);
    while probe < hi {
        if at(probe)?.fits {
            lo = probe;
            probe = probe.saturating_mul(2).min(hi);
        } else {
            hi = probe;
            break;
        }
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if at(mid)?.fits {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(Ceiling {
        path: path.to_owned(),
        keyword,
        value,
        ceiling: Some(lo),
        set_by: at(hi)?.worst,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_follow_the_walker_paths() {
        assert_eq!(pointer(".").as_deref(), Some(""));
        assert_eq!(
            pointer(".spec.mcp.targets[*].name").as_deref(),
            Some("/properties/spec/properties/mcp/properties/targets/items/properties/name")
        );
        assert_eq!(
            pointer(".spec.labels.*").as_deref(),
            Some("/properties/spec/properties/labels/additionalProperties")
        );
    }

    #[test]
    fn related_nodes_enclose_or_are_enclosed() {
        assert!(related(".spec", ".spec.targets"));
        assert!(related(".spec.targets[*]", ".spec.targets"));
        assert!(related(".", ".spec"));
        assert!(!related(".spec.target", ".spec.targets"));
        assert!(!related(".spec.a", ".spec.b"));
    }

    use serde_json::json;

    /// A root with a list `l` of at most `max` objects, each carrying `rules` (of cost 3
    /// each: `self.n > 0`), and a sibling object `o` with one rule of its own.
    fn list_schema(max: u64, rules: usize) -> Value {
        let rules: Vec<Value> = (0..rules)
            .map(|_| json!({ "rule": "self.n > 0" }))
            .collect();
        json!({
            "type": "object",
            "properties": {
                "l": {
                    "type": "array",
                    "maxItems": max,
                    "items": {
                        "type": "object",
                        "properties": { "n": { "type": "integer" } },
                        "x-kubernetes-validations": rules,
                    },
                },
                "o": {
                    "type": "object",
                    "properties": { "n": { "type": "integer" } },
                    "x-kubernetes-validations": [{ "rule": "self.n > 0" }],
                },
            },
        })
    }

    /// One rule of cost 3 per item: the list may hold 3,333,333 items
    /// (9,999,999 ≤ 10,000,000).
    #[test]
    fn a_list_bound_is_capped_by_the_per_rule_limit() {
        let c = ceilings(&list_schema(10, 1)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.len(), 1, "{c:#?}");
        let c = &c[0];
        assert_eq!(
            (c.path.as_str(), c.keyword, c.value),
            (".l", "maxItems", 10)
        );
        assert_eq!(c.ceiling, Some(3_333_333));
        let set_by = c.set_by.as_ref().expect("set by the rule");
        assert_eq!(
            (
                set_by.path.as_str(),
                set_by.rule.as_str(),
                set_by.cost,
                set_by.limit
            ),
            (".l[*]", "self.n > 0", 10_000_002, PER_RULE_LIMIT)
        );
    }

    /// 33 rules of cost 3 per item and 3 outside the list: the whole schema's limit
    /// caps the list at 3,030,302 items (99,999,969 ≤ 100,000,000).
    #[test]
    fn a_list_bound_is_capped_by_the_per_crd_limit() {
        let schema = list_schema(10, 11);
        let c = ceiling_of_bound(&schema, ".l", "maxItems")
            .unwrap_or_else(|e| panic!("{e}"))
            .expect("the list's bound");
        assert_eq!(c.ceiling, Some(3_030_302));
        let set_by = c.set_by.as_ref().expect("set by the total");
        assert_eq!(
            (
                set_by.path.as_str(),
                set_by.rule.as_str(),
                set_by.cost,
                set_by.limit
            ),
            (".", "", 33 * 3_030_303 + 3, PER_CRD_LIMIT)
        );
        assert!(
            ceiling_of_bound(&schema, ".l", "maxLength")
                .unwrap_or_else(|e| panic!("{e}"))
                .is_none()
        );
        assert!(
            ceiling_of_bound(&schema, ".o", "maxItems")
                .unwrap_or_else(|e| panic!("{e}"))
                .is_none()
        );
    }

    /// A total of exactly the per-CRD limit fits: 33 per item and a boolean's `self`
    /// (cost 1, the apiserver's figure) reach 100,000,000 at 3,030,303 items.
    #[test]
    fn a_total_at_the_per_crd_limit_fits() {
        let mut schema = list_schema(10, 11);
        schema["properties"]["o"] = json!({
            "type": "boolean",
            "x-kubernetes-validations": [{ "rule": "self" }],
        });
        let c = ceiling_of_bound(&schema, ".l", "maxItems")
            .unwrap_or_else(|e| panic!("{e}"))
            .expect("the list's bound");
        assert_eq!(c.ceiling, Some(3_030_303));
        let set_by = c.set_by.as_ref().expect("set by the total");
        assert_eq!(
            (set_by.cost, set_by.limit),
            (33 * 3_030_304 + 1, PER_CRD_LIMIT)
        );
    }

    /// A bound whose rules cost nothing has no ceiling; the list's bound does not count
    /// for its sibling's.
    #[test]
    fn a_bound_that_fits_at_the_largest_value_has_no_ceiling() {
        let schema = json!({
            "type": "object",
            "properties": {
                "m": {
                    "type": "object",
                    "maxProperties": 5,
                    "additionalProperties": {
                        "type": "string",
                        "x-kubernetes-validations": [{ "rule": "true" }],
                    },
                },
            },
        });
        let c = ceilings(&schema).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.len(), 1, "{c:#?}");
        assert_eq!(
            (c[0].path.as_str(), c[0].keyword, c[0].value),
            (".m", "maxProperties", 5)
        );
        assert_eq!(c[0].ceiling, None);
        assert!(c[0].set_by.is_none());
    }

    /// A rule over the limit whatever the bound it reads: the ceiling is 0, set by it.
    #[test]
    fn a_rule_over_the_limit_at_any_value_sets_a_ceiling_of_zero() {
        let rule = "self.s.matches('^a') && self.u.all(x, x.matches('^b'))";
        let schema = json!({
            "type": "object",
            "properties": {
                "s": { "type": "string", "maxLength": 5 },
                "u": { "type": "array", "items": { "type": "string" } },
            },
            "x-kubernetes-validations": [{ "rule": rule }],
        });
        let c = ceiling_of_bound(&schema, ".s", "maxLength")
            .unwrap_or_else(|e| panic!("{e}"))
            .expect("the string's bound");
        assert_eq!(c.ceiling, Some(0));
        let set_by = c.set_by.expect("set by the rule");
        assert_eq!((set_by.path.as_str(), set_by.rule.as_str()), (".", rule));
        assert_eq!(set_by.limit, PER_RULE_LIMIT);
        assert!(set_by.cost > PER_RULE_LIMIT);
    }

    #[test]
    fn pointers_escape_names_and_refuse_other_paths() {
        assert_eq!(
            pointer(".a~b.c/d[*]").as_deref(),
            Some("/properties/a~0b/properties/c~1d/items")
        );
        assert_eq!(pointer("spec"), None);
        assert_eq!(pointer(".spec[0]"), None);
    }
}
