//! The runtime cost of CEL rules, metered as the kube-apiserver meters it.
//!
//! The apiserver runs every rule under a cost tracker (cel-go's
//! `interpreter/runtimecost.go`, with the Kubernetes library's `CallCost` from
//! `k8s.io/apiserver/pkg/cel/library/cost.go`): one evaluation may cost at most
//! [`PER_CALL_LIMIT`], and all evaluations for one object at most [`RUNTIME_BUDGET`].
//! kube-cel evaluates rules without a tracker, so [`Meter`] evaluates them a second
//! time, step by step as cel-go's planned program does, and adds what cel-go's
//! observer adds at each step:
//!
//! | step | cost |
//! |---|---|
//! | constant (also lists and maps of constants, conversions of a constant, which the apiserver's `OptOptimize` folds) | 0 |
//! | variable or attribute (`self.spec.x`) evaluated | 1, plus 1 per field or index applied |
//! | attribute resolved as a ternary branch or an index | 1 per field or index applied |
//! | `has(a.b)` | 1 per field tested or applied |
//! | `?:`, `&&`, `\|\|`, comprehension | 0 (their operands cost what they cost; short-circuits skip) |
//! | `x in [constants]` | 0 (a set lookup after `OptOptimize`) |
//! | list / map literal | 10 / 30 |
//! | call | the Kubernetes library's `CallCost`, the ext libraries' trackers, else cel-go's: string traversals × 0.1, regex × 0.25, `in` a list by its size, 1 otherwise |
//!
//! Values of calls come from kube-cel's own functions (the call is re-issued on the
//! evaluated arguments), so a metered evaluation and kube-cel's agree on every value.
//! Comprehensions over maps visit keys in sorted order (the apiserver in Go's map
//! order, so where a short-circuit stops can differ there).

use crdgen::cel_cost::CheckedRule;
use kube_cel::cel::common::ast::{
    CallExpr, EntryExpr, Expr, IdedExpr, ListExpr, LiteralValue, operators,
};
use kube_cel::cel::objects::{Key, OptionalValue};
use kube_cel::cel::{Context, ExecutionError, Value};
use std::sync::Arc;

/// `PerCallLimit`: the most one evaluation of one rule may cost.
pub const PER_CALL_LIMIT: u64 = 1_000_000;
/// `RuntimeCELCostBudget`: the most all rule evaluations for one object may cost.
pub const RUNTIME_BUDGET: u64 = 10_000_000;

const STRING_TRAVERSAL: f64 = 0.1;
const REGEX_STRING_LENGTH: f64 = 0.25;
const LIST_CREATE: u64 = 10;
const MAP_CREATE: u64 = 30;
const STRUCT_CREATE: u64 = 40;

/// A CEL value or the error it evaluated to (errors are values in CEL).
type Val = Result<Value, ExecutionError>;

/// The evaluation passed its limit and was cancelled, as cel-go cancels it.
#[derive(Debug, PartialEq, Eq)]
pub struct LimitExceeded;

type Step<T> = Result<T, LimitExceeded>;

/// The result of one metered evaluation.
#[derive(Debug)]
pub struct Metered {
    /// The value, or `Err(LimitExceeded)` when the limit cancelled the evaluation.
    pub value: Step<Val>,
    /// The cost counted (when cancelled: up to and including the step that passed the
    /// limit, which is what the apiserver subtracts from the object's budget).
    pub cost: u64,
    /// A macro over a map of two or more keys stopped before its last key: the
    /// apiserver visits keys in Go's map order, so its cost can differ from this one.
    pub order_dependent: bool,
}

/// Evaluates `rule` with `vars` bound (`self`, ...), counting its cost against `limit`.
pub fn meter<'a>(
    rule: &'a CheckedRule,
    base: &'a Context<'a>,
    vars: Vec<(&'a str, Value)>,
    limit: u64,
) -> Metered {
    let mut m = Meter {
        rule,
        base,
        vars: vars.into_iter().map(|(n, v)| (n, Ok(v))).collect(),
        cost: 0,
        limit,
        order_dependent: false,
    };
    let value = m.eval(&rule.ast);
    Metered {
        value,
        cost: m.cost,
        order_dependent: m.order_dependent,
    }
}

struct Meter<'a> {
    rule: &'a CheckedRule,
    base: &'a Context<'a>,
    /// Bound names, innermost last (borrowed from the rule's comprehensions).
    vars: Vec<(&'a str, Val)>,
    cost: u64,
    limit: u64,
    order_dependent: bool,
}

/// Identifiers that name types (`type(x) == int`).
const TYPE_NAMES: [&str; 11] = [
    "int",
    "uint",
    "double",
    "bool",
    "string",
    "bytes",
    "list",
    "map",
    "null_type",
    "optional_type",
    "type",
];

/// A field or index applied to an attribute.
enum Qual<'e> {
    Field(&'e str),
    OptField(&'e str),
    Index(&'e IdedExpr),
    OptIndex(&'e IdedExpr),
    /// The presence test of `has()`.
    Test(&'e str),
}

fn ident(id: u64, name: &str) -> IdedExpr {
    IdedExpr {
        id,
        expr: Expr::Ident(name.to_owned()),
    }
}

fn no_overload() -> ExecutionError {
    ExecutionError::NoSuchOverload
}

impl<'a> Meter<'a> {
    fn add(&mut self, c: u64) -> Step<()> {
        self.cost = self.cost.saturating_add(c);
        if self.cost > self.limit {
            Err(LimitExceeded)
        } else {
            Ok(())
        }
    }

    fn lookup(&self, name: &str) -> Val {
        match self.vars.iter().rev().find(|(n, _)| *n == name) {
            Some((_, v)) => v.clone(),
            None => Err(ExecutionError::UndeclaredReference(Arc::new(
                name.to_owned(),
            ))),
        }
    }

    /// Evaluates `template` (whose leaves are `@0`, `@1`...) with kube-cel's functions,
    /// the leaves bound to `vals`: how a call or qualifier gets its value.
    fn apply(&self, template: &IdedExpr, vals: &[Value]) -> Val {
        let mut ctx = self.base.new_inner_scope();
        for (i, v) in vals.iter().enumerate() {
            ctx.add_variable_from_value(format!("@{i}"), v.clone());
        }
        Value::resolve(template, &ctx)
    }

    fn eval(&mut self, e: &'a IdedExpr) -> Step<Val> {
        if is_const(e) {
            return Ok(Value::resolve(e, self.base));
        }
        if let Expr::Ident(name) = &e.expr {
            return match self.vars.iter().rev().find(|(n, _)| *n == name) {
                Some((_, v)) => {
                    let v = v.clone();
                    self.add(1)?;
                    Ok(v)
                }
                // A type name is a constant of the checked program.
                None if TYPE_NAMES.contains(&name.as_str()) => Ok(Value::resolve(e, self.base)),
                None => self.eval_attr(e),
            };
        }
        match &e.expr {
            Expr::Ident(_) | Expr::Select(_) => self.eval_attr(e),
            Expr::Call(c) => match (c.func_name.as_str(), c.args.len(), &c.target) {
                (operators::INDEX | operators::OPT_INDEX | operators::OPT_SELECT, 2, None) => {
                    self.eval_attr(e)
                }
                (operators::CONDITIONAL, 3, None) => self.resolve_attr(e),
                (operators::LOGICAL_AND, 2, None) => self.logical(c, false),
                (operators::LOGICAL_OR, 2, None) => self.logical(c, true),
                ("or" | "orValue", 1, Some(t))
                    if matches!(
                        self.rule.overload(e.id),
                        None | Some("optional_or_optional" | "optional_orValue_value")
                    ) =>
                {
                    // The optional library's own step, not a call: free, and the
                    // alternative is evaluated only when the optional is empty.
                    let lhs = self.eval(t)?;
                    let Ok(Value::Opaque(o)) = &lhs else {
                        return Ok(lhs);
                    };
                    let Some(opt) = o.downcast_ref::<OptionalValue>() else {
                        return Ok(lhs);
                    };
                    match (opt.value(), c.func_name.as_str()) {
                        (Some(_), "or") => Ok(lhs.clone()),
                        (Some(v), _) => Ok(Ok(v.clone())),
                        (None, _) => self.eval(&c.args[0]),
                    }
                }
                (operators::IN, 2, None) if is_const_primitive_list(&c.args[1]) => {
                    // A set lookup after `OptOptimize`: no cost of its own.
                    let lhs = self.eval(&c.args[0])?;
                    Ok(lhs.and_then(|l| {
                        self.apply(&binary(e.id, operators::IN), &[l, const_value(&c.args[1])])
                    }))
                }
                _ => self.call(e, c),
            },
            Expr::List(l) => self.list(e, l),
            Expr::Map(m) => {
                let mut vals = vec![];
                let mut result = Ok(());
                for entry in &m.entries {
                    if let EntryExpr::MapEntry(me) = &entry.expr {
                        for part in [&me.key, &me.value] {
                            match self.eval(part)? {
                                Ok(v) => vals.push(v),
                                Err(x) => {
                                    result = Err(x);
                                    break;
                                }
                            }
                        }
                    }
                    if result.is_err() {
                        break;
                    }
                }
                self.add(MAP_CREATE)?;
                Ok(match result {
                    Err(x) => Err(x),
                    Ok(()) => self.apply(&leaves_of(e), &vals),
                })
            }
            Expr::Struct(_) => {
                self.add(STRUCT_CREATE)?;
                Ok(Err(ExecutionError::function_error(
                    "struct",
                    "message construction is not available to CRD rules",
                )))
            }
            Expr::Comprehension(c) => {
                if c.iter_var2.is_some() {
                    return Ok(Err(ExecutionError::function_error(
                        "comprehension",
                        "two-variable comprehensions are not metered",
                    )));
                }
                let range = match self.eval(&c.iter_range)? {
                    Ok(v) => v,
                    Err(x) => return Ok(Err(x)),
                };
                let items: Arc<Vec<Value>> = match &range {
                    Value::List(l) => l.clone(),
                    Value::Map(m) => {
                        let mut keys: Vec<Value> = m.map.keys().map(key_value).collect();
                        keys.sort_by_key(|k| format!("{k:?}"));
                        Arc::new(keys)
                    }
                    _ => return Ok(Err(no_overload())),
                };
                let accu = self.eval(&c.accu_init)?;
                self.vars.push((&c.accu_var, accu));
                let accu_at = self.vars.len() - 1;
                for item in items.iter() {
                    self.vars.push((&c.iter_var, Ok(item.clone())));
                    let cond = self.eval(&c.loop_cond);
                    let stop = matches!(cond, Ok(Ok(Value::Bool(false))));
                    let step = match cond {
                        Err(x) => Err(x),
                        Ok(_) if stop => Ok(None),
                        Ok(_) => self.eval(&c.loop_step).map(Some),
                    };
                    self.vars.pop();
                    match step {
                        Err(x) => {
                            self.vars.truncate(accu_at);
                            return Err(x);
                        }
                        Ok(None) => {
                            self.order_dependent |=
                                matches!(&range, Value::Map(_)) && items.len() > 1;
                            break;
                        }
                        Ok(Some(v)) => self.vars[accu_at].1 = v,
                    }
                }
                let result = self.eval(&c.result);
                self.vars.truncate(accu_at);
                result
            }
            Expr::Literal(_) | Expr::Unspecified => Ok(Value::resolve(e, self.base)),
        }
    }

    fn list(&mut self, e: &'a IdedExpr, l: &'a ListExpr) -> Step<Val> {
        let mut vals = vec![];
        let mut result = Ok(());
        for el in &l.elements {
            match self.eval(el)? {
                Ok(v) => vals.push(v),
                Err(x) => {
                    result = Err(x);
                    break;
                }
            }
        }
        self.add(LIST_CREATE)?;
        Ok(match result {
            Err(x) => Err(x),
            Ok(()) => self.apply(&leaves_of(e), &vals),
        })
    }

    /// `&&` (`or` false) and `||` (`or` true): left to right, stopping at a deciding
    /// value; an error loses to a deciding value of the other side.
    fn logical(&mut self, c: &'a CallExpr, or: bool) -> Step<Val> {
        let mut err = None;
        for term in &c.args {
            match self.eval(term)? {
                Ok(Value::Bool(b)) if b == or => return Ok(Ok(Value::Bool(or))),
                Ok(Value::Bool(_)) => {}
                Ok(_) => {
                    err.get_or_insert(no_overload());
                }
                Err(x) => {
                    err.get_or_insert(x);
                }
            }
        }
        Ok(match err {
            Some(x) => Err(x),
            None => Ok(Value::Bool(!or)),
        })
    }

    /// An attribute evaluated: its resolution plus the attribute's own step (none for a
    /// ternary, whose branches carry the cost).
    fn eval_attr(&mut self, e: &'a IdedExpr) -> Step<Val> {
        if let Expr::Select(s) = &e.expr
            && s.test
        {
            // `has()`: the test's own step is free (PresenceTestHasCost(false)).
            return self.resolve_attr(e);
        }
        let v = self.resolve_attr(e)?;
        let (base, _) = split_attr(e);
        if !is_conditional(base) {
            self.add(1)?;
        }
        Ok(v)
    }

    /// A ternary branch or an index, resolved: an attribute costs its qualifiers only;
    /// anything else is evaluated.
    fn resolve_operand(&mut self, e: &'a IdedExpr) -> Step<Val> {
        if is_attr(e) {
            self.resolve_attr(e)
        } else {
            self.eval(e)
        }
    }

    fn resolve_attr(&mut self, e: &'a IdedExpr) -> Step<Val> {
        let (base, quals) = split_attr(e);
        let mut v = match &base.expr {
            Expr::Ident(name) => self.lookup(name),
            Expr::Call(c) if is_conditional(base) => match self.eval(&c.args[0])? {
                Ok(Value::Bool(true)) => self.resolve_operand(&c.args[1])?,
                Ok(Value::Bool(false)) => self.resolve_operand(&c.args[2])?,
                Ok(_) => Err(no_overload()),
                Err(x) => Err(x),
            },
            _ => self.eval(base)?,
        };
        // A qualifier after an optional one, or on an optional value, applies only
        // when the value is present; the result is then optional.
        let mut optional = false;
        if let Ok(Value::Opaque(o)) = &v
            && let Some(opt) = o.downcast_ref::<OptionalValue>()
            && !quals.is_empty()
        {
            match opt.value() {
                None => return Ok(v),
                Some(inner) => {
                    v = Ok(inner.clone());
                    optional = true;
                }
            }
        }
        for q in quals {
            let obj = match v {
                Ok(obj) => obj,
                Err(x) => return Ok(Err(x)),
            };
            optional |= matches!(q, Qual::OptField(_) | Qual::OptIndex(_));
            let (template, key) = match q {
                Qual::Field(f) | Qual::OptField(f) | Qual::Test(f) => (
                    IdedExpr {
                        id: 0,
                        expr: Expr::Call(CallExpr {
                            func_name: operators::INDEX.into(),
                            target: None,
                            args: vec![ident(0, "@0"), ident(0, "@1")],
                        }),
                    },
                    Ok(Value::String(Arc::new((*f).to_owned()))),
                ),
                Qual::Index(ix) | Qual::OptIndex(ix) => {
                    let key = if is_const(ix) {
                        Ok(const_value(ix))
                    } else {
                        self.resolve_operand(ix)?
                    };
                    (binary(0, operators::INDEX), key)
                }
            };
            let key = match key {
                Ok(k) => k,
                Err(x) => {
                    self.add(1)?;
                    return Ok(Err(x));
                }
            };
            if let Qual::Test(_) = q {
                self.add(1)?;
                return Ok(Ok(Value::Bool(has_key(&obj, &key))));
            }
            if optional && !has_key(&obj, &key) {
                // QualifyIfPresent: nothing observed when absent.
                return Ok(Ok(Value::Opaque(Arc::new(OptionalValue::none()))));
            }
            self.add(1)?;
            v = match lookup(&obj, &key) {
                Some(found) => found,
                None => self.apply(&template, &[obj, key]),
            };
        }
        Ok(match v {
            Ok(val) if optional => Ok(Value::Opaque(Arc::new(OptionalValue::of(val)))),
            other => other,
        })
    }

    fn call(&mut self, e: &'a IdedExpr, c: &'a CallExpr) -> Step<Val> {
        let rule = self.rule;
        let namespaced = rule.namespaced(e.id);
        // The receiver of a namespaced function (`sets` of `sets.contains`) is a name.
        let target = c.target.as_deref().filter(|_| namespaced.is_none());
        let operands: Vec<&IdedExpr> = target.into_iter().chain(c.args.iter()).collect();
        let mut args = Vec::with_capacity(operands.len());
        let mut first_err = None;
        for a in &operands {
            let v = self.eval(a)?;
            if let Err(x) = &v {
                first_err.get_or_insert_with(|| x.clone());
                // cel-go's calls of three or more arguments stop at the first error,
                // before the call is observed (no call cost).
                if operands.len() > 2 {
                    return Ok(v);
                }
            }
            args.push(v);
        }
        let function = namespaced.unwrap_or(&c.func_name);
        let overload = self.rule.overload(e.id).unwrap_or("");
        let result: Val = if c.func_name == operators::NOT_STRICTLY_FALSE {
            Ok(Value::Bool(!matches!(args[0], Ok(Value::Bool(false)))))
        } else if let Some(x) = first_err {
            Err(x)
        } else if overload == "to_dyn" {
            // cel-go's identity conversion (a call, costed as one); kube-cel has none.
            args[0].clone()
        } else {
            let vals: Vec<Value> = args.iter().filter_map(|a| a.clone().ok()).collect();
            match native(&c.func_name, target.is_some(), &vals) {
                Some(v) => Ok(v),
                None => self.apply(&call_template(c, target.is_some()), &vals),
            }
        };
        let cost = call_cost(self, function, overload, &args, &result);
        self.add(cost)?;
        Ok(result)
    }
}

/// The attribute's base and its qualifiers, innermost first.
fn split_attr(e: &IdedExpr) -> (&IdedExpr, Vec<Qual<'_>>) {
    let mut quals = vec![];
    let mut cur = e;
    loop {
        match &cur.expr {
            Expr::Select(s) => {
                quals.push(if s.test {
                    Qual::Test(&s.field)
                } else {
                    Qual::Field(&s.field)
                });
                cur = &s.operand;
            }
            Expr::Call(c) if c.target.is_none() && c.args.len() == 2 => {
                match c.func_name.as_str() {
                    operators::INDEX => quals.push(Qual::Index(&c.args[1])),
                    operators::OPT_INDEX => quals.push(Qual::OptIndex(&c.args[1])),
                    operators::OPT_SELECT => match &c.args[1].expr {
                        Expr::Literal(LiteralValue::String(f)) => quals.push(Qual::OptField(f)),
                        _ => break,
                    },
                    _ => break,
                }
                cur = &c.args[0];
            }
            _ => break,
        }
    }
    quals.reverse();
    (cur, quals)
}

fn is_attr(e: &IdedExpr) -> bool {
    matches!(&e.expr, Expr::Ident(_) | Expr::Select(_))
        || is_conditional(e)
        || matches!(&e.expr, Expr::Call(c) if c.target.is_none() && c.args.len() == 2
            && matches!(c.func_name.as_str(), operators::INDEX | operators::OPT_INDEX | operators::OPT_SELECT))
}

fn is_conditional(e: &IdedExpr) -> bool {
    matches!(&e.expr, Expr::Call(c) if c.func_name == operators::CONDITIONAL && c.args.len() == 3 && c.target.is_none())
}

/// What cel-go's planner turns into a constant with `OptOptimize`: literals, lists and
/// maps of constants, and type conversions of a constant.
fn is_const(e: &IdedExpr) -> bool {
    match &e.expr {
        Expr::Literal(_) => true,
        Expr::List(l) => l.elements.iter().all(is_const),
        Expr::Map(m) => m.entries.iter().all(|en| match &en.expr {
            EntryExpr::MapEntry(me) => !me.optional && is_const(&me.key) && is_const(&me.value),
            EntryExpr::StructField(_) => false,
        }),
        Expr::Call(c) => {
            c.target.is_none()
                && c.args.len() == 1
                && matches!(
                    c.func_name.as_str(),
                    "int"
                        | "uint"
                        | "double"
                        | "string"
                        | "bytes"
                        | "bool"
                        | "duration"
                        | "timestamp"
                        | "type"
                        | "dyn"
                )
                && is_const(&c.args[0])
        }
        _ => false,
    }
}

fn const_value(e: &IdedExpr) -> Value {
    Value::resolve(e, &Context::default()).unwrap_or(Value::Null)
}

/// A constant list of primitive (non-bytes) values: `in` it is a set lookup.
fn is_const_primitive_list(e: &IdedExpr) -> bool {
    matches!(&e.expr, Expr::List(l) if is_const(e) && l.elements.iter().all(|el| matches!(
        &el.expr,
        Expr::Literal(
            LiteralValue::Int(_)
                | LiteralValue::UInt(_)
                | LiteralValue::Double(_)
                | LiteralValue::String(_)
                | LiteralValue::Boolean(_)
        )
    )))
}

fn binary(id: u64, func: &str) -> IdedExpr {
    IdedExpr {
        id,
        expr: Expr::Call(CallExpr {
            func_name: func.to_owned(),
            target: None,
            args: vec![ident(0, "@0"), ident(0, "@1")],
        }),
    }
}

/// `e` (a list or map literal) with its values replaced by `@0`, `@1`... in order.
fn leaves_of(e: &IdedExpr) -> IdedExpr {
    let mut n = 0;
    let mut next = || {
        let id = ident(0, &format!("@{n}"));
        n += 1;
        id
    };
    let expr = match &e.expr {
        Expr::List(l) => Expr::List(ListExpr {
            elements: l.elements.iter().map(|_| next()).collect(),
            ..l.clone()
        }),
        Expr::Map(m) => {
            let mut m = m.clone();
            for en in &mut m.entries {
                if let EntryExpr::MapEntry(me) = &mut en.expr {
                    me.key = next();
                    me.value = next();
                }
            }
            Expr::Map(m)
        }
        other => other.clone(),
    };
    IdedExpr { id: e.id, expr }
}

/// The call `c` with its receiver (when it has one) and arguments bound to `@0`, `@1`...
fn call_template(c: &CallExpr, receiver: bool) -> IdedExpr {
    let mut n = 0;
    let mut next = || {
        let id = ident(0, &format!("@{n}"));
        n += 1;
        id
    };
    let target = match &c.target {
        Some(_) if receiver => Some(Box::new(next())),
        other => other.clone(),
    };
    let args = c.args.iter().map(|_| next()).collect();
    IdedExpr {
        id: 0,
        expr: Expr::Call(CallExpr {
            func_name: c.func_name.clone(),
            target,
            args,
        }),
    }
}

fn key_value(k: &Key) -> Value {
    match k {
        Key::Int(i) => Value::Int(*i),
        Key::Uint(u) => Value::UInt(*u),
        Key::Bool(b) => Value::Bool(*b),
        Key::String(s) => Value::String(s.clone()),
    }
}

/// The value of the commonest calls on plain values, computed here (`apply` hands the
/// arguments to the interpreter, converting each one): equality of two values of one
/// scalar kind, `!`, and `size`. `None` for everything else.
fn native(func: &str, receiver: bool, vals: &[Value]) -> Option<Value> {
    let same_scalar = |a: &Value, b: &Value| match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::Int(x), Value::Int(y)) => Some(x == y),
        (Value::UInt(x), Value::UInt(y)) => Some(x == y),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        _ => None,
    };
    match (func, receiver, vals) {
        (operators::EQUALS, false, [a, b]) => same_scalar(a, b).map(Value::Bool),
        (operators::NOT_EQUALS, false, [a, b]) => same_scalar(a, b).map(|e| Value::Bool(!e)),
        (operators::LOGICAL_NOT, false, [Value::Bool(b)]) => Some(Value::Bool(!b)),
        (operators::ADD, false, [Value::Int(a), Value::Int(b)]) => {
            a.checked_add(*b).map(Value::Int)
        }
        (operators::LESS, false, [Value::Int(a), Value::Int(b)]) => Some(Value::Bool(a < b)),
        (operators::LESS_EQUALS, false, [Value::Int(a), Value::Int(b)]) => {
            Some(Value::Bool(a <= b))
        }
        (operators::GREATER, false, [Value::Int(a), Value::Int(b)]) => Some(Value::Bool(a > b)),
        (operators::GREATER_EQUALS, false, [Value::Int(a), Value::Int(b)]) => {
            Some(Value::Bool(a >= b))
        }
        ("size", _, [v]) => match v {
            Value::String(s) => Some(Value::Int(s.chars().count() as i64)),
            Value::List(l) => Some(Value::Int(l.len() as i64)),
            Value::Map(m) => Some(Value::Int(m.map.len() as i64)),
            Value::Bytes(b) => Some(Value::Int(b.len() as i64)),
            _ => None,
        },
        _ => None,
    }
}

/// A field of a map or an item of a list, without converting the whole value for the
/// interpreter (the common case, and linear in nothing); `None` for the rest, which
/// kube-cel's indexing decides.
fn lookup(obj: &Value, key: &Value) -> Option<Val> {
    match (obj, key) {
        (Value::Map(m), Value::String(k)) => Some(
            m.map
                .get(&Key::String(k.clone()))
                .cloned()
                .ok_or_else(|| ExecutionError::NoSuchKey(k.clone())),
        ),
        (Value::List(l), Value::Int(i)) => Some(
            usize::try_from(*i)
                .ok()
                .and_then(|i| l.get(i))
                .cloned()
                .ok_or_else(|| ExecutionError::function_error("index", "index out of bounds")),
        ),
        _ => None,
    }
}

fn has_key(obj: &Value, key: &Value) -> bool {
    match (obj, key) {
        (Value::Map(m), k) => {
            let k = match k {
                Value::Int(i) => Key::Int(*i),
                Value::UInt(u) => Key::Uint(*u),
                Value::Bool(b) => Key::Bool(*b),
                Value::String(s) => Key::String(s.clone()),
                _ => return false,
            };
            m.map.contains_key(&k)
        }
        (Value::List(l), Value::Int(i)) => *i >= 0 && (*i as usize) < l.len(),
        (Value::List(l), Value::UInt(i)) => (*i as usize) < l.len(),
        _ => false,
    }
}

/// cel-go's `actualSize` (the default tracker's: an optional counts as its value).
fn size(v: &Val, unwrap_optional: bool, m: &Meter) -> u64 {
    let Ok(v) = v else { return 1 };
    match v {
        Value::String(s) => s.chars().count() as u64,
        Value::Bytes(b) => b.len() as u64,
        Value::List(l) => l.len() as u64,
        Value::Map(mp) => mp.map.len() as u64,
        Value::Opaque(o) => {
            if let Some(opt) = o.downcast_ref::<OptionalValue>() {
                return match opt.value() {
                    Some(inner) if unwrap_optional => size(&Ok(inner.clone()), true, m),
                    _ => 1,
                };
            }
            // The Kubernetes IP and CIDR values are sized in bytes of address / prefix.
            let int_of = |method: &str| match m.apply(
                &IdedExpr {
                    id: 0,
                    expr: Expr::Call(CallExpr {
                        func_name: method.to_owned(),
                        target: Some(Box::new(ident(0, "@0"))),
                        args: vec![],
                    }),
                },
                std::slice::from_ref(v),
            ) {
                Ok(Value::Int(i)) => Some(i),
                _ => None,
            };
            match o.runtime_type_name() {
                "net.IP" => match int_of("family") {
                    Some(4) => 4,
                    Some(_) => 16,
                    None => 1,
                },
                "net.CIDR" => int_of("prefixLength").map_or(1, |b| (b as u64).div_ceil(8)),
                _ => 1,
            }
        }
        _ => 1,
    }
}

/// The `MaxRegexSize` of a Kubernetes named format (`format.dns1123Label()`...), which
/// `validate` is costed by.
fn format_regex_size(v: &Val) -> Option<u64> {
    let Ok(Value::Opaque(o)) = v else {
        return None;
    };
    if o.runtime_type_name() != "kubernetes.Format" {
        return None;
    }
    // kube-cel's format value shows its kind only in its Debug form.
    let shown = format!("{:?}", o.as_debug());
    let kind = shown.rsplit('(').next()?.trim_end_matches(')');
    Some(match kind {
        "Dns1123Label" | "Dns1035Label" | "Dns1123LabelPrefix" | "Dns1035LabelPrefix" => 30,
        "Dns1123Subdomain" | "QualifiedName" | "Dns1123SubdomainPrefix" => 60,
        "LabelValue" => 40,
        "Uri" => 1103,
        "Uuid" => 70,
        "Byte" => 84,
        "Date" | "DateTime" => 71,
        _ => return None,
    })
}

fn ceil(x: f64) -> u64 {
    x.ceil() as u64
}

/// The Kubernetes library's `traversalCost`.
fn traversal(v: &Val) -> u64 {
    match v {
        Ok(Value::String(s)) => (s.len() as f64 * STRING_TRAVERSAL) as u64,
        Ok(Value::Bytes(b)) => (b.len() as f64 * STRING_TRAVERSAL) as u64,
        Ok(Value::List(l)) => l.iter().map(|i| traversal(&Ok(i.clone()))).sum(),
        Ok(Value::Map(mp)) => mp
            .map
            .iter()
            .map(|(k, v)| traversal(&Ok(key_value(k))) + traversal(&Ok(v.clone())))
            .sum(),
        _ => 1,
    }
}

/// What one call costs: the ext libraries' overload trackers, then the Kubernetes
/// library's `CallCost`, then cel-go's defaults (`CostTracker.costCall`).
fn call_cost(m: &Meter, function: &str, overload: &str, args: &[Val], result: &Val) -> u64 {
    let k8s_size = |v: &Val| size(v, false, m);
    let sz = |v: &Val| size(v, true, m);
    // ext.Sets' trackers (callCost 1). The ext.Lists functions with trackers (slice,
    // flatten, range, reverse, distinct, sort) are not in the checker's environment:
    // a rule calling one is refused before it is metered.
    let sets = |factor: f64| 1 + ((sz(&args[0]) * sz(&args[1])) as f64 * factor) as u64;
    match overload {
        "list_sets_contains_list" | "list_sets_intersects_list" => return sets(1.0),
        "list_sets_equivalent_list" => return sets(2.0),
        _ => {}
    }
    let str_cost = |v: &Val| ceil(k8s_size(v) as f64 * STRING_TRAVERSAL);
    let arg = |i: usize| args.get(i);
    // The authorizer's and jsonpatch's functions are not in a CRD rule's environment.
    match function {
        "isSorted" | "sum" | "max" | "min" | "indexOf" | "lastIndexOf" => {
            return arg(0).map_or(0, traversal);
        }
        "url" | "lowerAscii" | "upperAscii" | "substring" | "trim" if !args.is_empty() => {
            return str_cost(&args[0]);
        }
        "replace" | "split" if !args.is_empty() => {
            return ceil(k8s_size(&args[0]) as f64 * 2.0 * STRING_TRAVERSAL);
        }
        "join" if !args.is_empty() => {
            return ceil(k8s_size(result) as f64 * 2.0 * STRING_TRAVERSAL);
        }
        "find" | "findAll" if args.len() >= 2 => {
            let s = ceil((1.0 + k8s_size(&args[0]) as f64) * STRING_TRAVERSAL);
            let r = ceil(k8s_size(&args[1]) as f64 * REGEX_STRING_LENGTH);
            return s * r;
        }
        "cidr" | "isIP" | "isCIDR" | "quantity" | "isQuantity" | "semver" | "isSemver"
            if !args.is_empty() =>
        {
            return str_cost(&args[0]);
        }
        "ip" if !args.is_empty() => {
            return if overload == "cidr_ip" {
                1
            } else {
                str_cost(&args[0])
            };
        }
        "ip.isCanonical" if !args.is_empty() => {
            return ceil(k8s_size(&args[0]) as f64 * 2.0 * STRING_TRAVERSAL);
        }
        "containsIP" if args.len() >= 2 => {
            let cidr = k8s_size(&args[0]);
            let mut c = ceil((cidr + cidr) as f64 * STRING_TRAVERSAL);
            if overload == "cidr_contains_ip_string" {
                c += str_cost(&args[1]);
            }
            return c;
        }
        "containsCIDR" if args.len() >= 2 => {
            let cidr = k8s_size(&args[0]);
            let mut c = ceil((cidr + cidr) as f64 * STRING_TRAVERSAL);
            c += ceil(cidr as f64 * STRING_TRAVERSAL) + 1;
            if overload == "cidr_contains_cidr_string" {
                c += str_cost(&args[1]);
            }
            return c;
        }
        "validate" if args.len() >= 2 => {
            if let Some(regex) = format_regex_size(&args[0]) {
                let s = ceil((1.0 + k8s_size(&args[1]) as f64) * STRING_TRAVERSAL);
                return s * ceil(regex as f64 * REGEX_STRING_LENGTH);
            }
        }
        f if crdgen::cel_cost::NOMINAL_COST_FUNCTIONS
            .binary_search(&f)
            .is_ok() =>
        {
            return 1;
        }
        operators::EQUALS if args.len() == 2 => {
            if let Ok(Value::Opaque(o)) = &args[0]
                && o.downcast_ref::<OptionalValue>().is_none()
            {
                // Kubernetes values (quantity, IP, CIDR, URL, semver, format): unit cost.
                return 1;
            }
        }
        _ => {}
    }
    // cel-go's own table, by overload.
    let min_size = || sz(&args[0]).min(sz(&args[1]));
    match overload {
        "starts_with_string" | "ends_with_string" | "string_to_bytes" | "bytes_to_string"
        | "strings_quote" | "string_format" => ceil(sz(&args[0]) as f64 * STRING_TRAVERSAL),
        "in_list" => sz(&args[1]),
        o if crdgen::cel_cost::MIN_SIZE_OVERLOADS
            .binary_search(&o)
            .is_ok() =>
        {
            ceil(min_size() as f64 * STRING_TRAVERSAL)
        }
        "add_string" | "add_bytes" => ceil((sz(&args[0]) + sz(&args[1])) as f64 * STRING_TRAVERSAL),
        "matches_string" => {
            let s = ceil((1.0 + sz(&args[0]) as f64) * STRING_TRAVERSAL);
            let r = ceil(sz(&args[1]) as f64 * REGEX_STRING_LENGTH);
            s * r
        }
        "contains_string" => {
            ceil(sz(&args[0]) as f64 * STRING_TRAVERSAL)
                * ceil(sz(&args[1]) as f64 * STRING_TRAVERSAL)
        }
        _ => 1,
    }
}

/// One rule of a schema node, checked once for metering.
struct NodeRule {
    rule: String,
    checked: CheckedRule,
    message_expression: Option<(String, CheckedRule)>,
    /// The apiserver's `ruleErrorString`: the message, else the rule (trimmed).
    error_string: String,
    /// A transition rule without `optionalOldSelf`: not evaluated on create.
    skipped_on_create: bool,
    optional_old_self: bool,
}

/// The rules of every schema node of one CRD version, by the node's JSON pointer.
struct Rules {
    by_node: std::collections::HashMap<String, Vec<NodeRule>>,
}

impl Rules {
    /// Parses and checks every rule and message expression of `schema`.
    fn compile(schema: &serde_json::Value) -> Result<Rules, String> {
        let mut by_node = std::collections::HashMap::new();
        let mut error = None;
        visit_nodes(schema, "", &mut |pointer, node| {
            let Some(rules) = node
                .get(crdgen::markers::VALIDATIONS)
                .and_then(serde_json::Value::as_array)
            else {
                return;
            };
            let mut out = vec![];
            for r in rules {
                let rule = r["rule"].as_str().unwrap_or_default();
                let optional_old_self = r["optionalOldSelf"].as_bool() == Some(true);
                let check = |src: &str| {
                    crdgen::cel_cost::check_rule(node, pointer.is_empty(), src, optional_old_self)
                        .map_err(|e| format!("{pointer}: rule `{src}`: {e}"))
                };
                let checked = match check(rule) {
                    Ok(c) => c,
                    Err(e) => {
                        error.get_or_insert(e);
                        continue;
                    }
                };
                let message_expression = match r["messageExpression"].as_str() {
                    Some(me) if !me.is_empty() => match check(me) {
                        Ok(c) => Some((me.to_owned(), c)),
                        Err(e) => {
                            error.get_or_insert(e);
                            continue;
                        }
                    },
                    _ => None,
                };
                let message = r["message"].as_str().unwrap_or_default().trim();
                out.push(NodeRule {
                    rule: rule.to_owned(),
                    skipped_on_create: checked.uses_old_self() && !optional_old_self,
                    checked,
                    message_expression,
                    error_string: if message.is_empty() {
                        rule.trim().to_owned()
                    } else {
                        message.to_owned()
                    },
                    optional_old_self,
                });
            }
            by_node.insert(pointer.to_owned(), out);
        });
        match error {
            Some(e) => Err(e),
            None => Ok(Rules { by_node }),
        }
    }
}

/// Visits `schema` and the subschemas the apiserver's CEL validation descends into
/// (properties, items, additionalProperties, allOf), with their pointers.
fn visit_nodes(
    schema: &serde_json::Value,
    pointer: &str,
    f: &mut dyn FnMut(&str, &serde_json::Value),
) {
    f(pointer, schema);
    if let Some(props) = schema
        .get("properties")
        .and_then(serde_json::Value::as_object)
    {
        for (k, s) in props {
            visit_nodes(s, &format!("{pointer}/properties/{}", escape_pointer(k)), f);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(s) = schema.get(key).filter(|s| s.is_object()) {
            visit_nodes(s, &format!("{pointer}/{key}"), f);
        }
    }
    if let Some(all_of) = schema.get("allOf").and_then(serde_json::Value::as_array) {
        for (i, s) in all_of.iter().enumerate() {
            visit_nodes(s, &format!("{pointer}/allOf/{i}"), f);
        }
    }
}

/// What metering an object found.
#[derive(Debug, Default)]
pub struct Spent {
    /// The rules evaluated, in order, as (field path, rule): those after an overrun
    /// are not run by the apiserver, so their verdicts do not count.
    pub evaluated: Vec<(String, String)>,
    /// The cost of all evaluations.
    pub cost: u64,
    /// The overrun that stopped validation, as the apiserver reports it.
    pub overrun: Option<crate::FieldError>,
    /// Some rule's cost depended on the order of a map's keys (see
    /// [`Metered::order_dependent`]).
    pub order_dependent: bool,
}

/// The rules of one `openAPIV3Schema`, checked, and kube-cel's functions: what
/// metering an object of that schema takes.
pub struct SchemaMeter {
    schema: serde_json::Value,
    rules: Rules,
    functions: Context<'static>,
}

impl std::fmt::Debug for SchemaMeter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaMeter")
            .field("nodes with rules", &self.rules.by_node.len())
            .finish()
    }
}

impl SchemaMeter {
    /// Parses and type-checks every rule and message expression of `schema`; an
    /// error names the node's JSON pointer and the rule.
    pub fn new(schema: &serde_json::Value) -> Result<SchemaMeter, String> {
        use kube_cel::KubeCelExt;
        Ok(SchemaMeter {
            schema: schema.clone(),
            rules: Rules::compile(schema)?,
            functions: Context::default().with_all(),
        })
    }

    /// Meters every rule the apiserver evaluates for `obj` (as stored: pruned and
    /// defaulted) on create, in its order: a node's rules, then its `allOf`
    /// branches, then list items or object fields.
    pub fn meter(&self, obj: &serde_json::Value) -> Spent {
        let mut w = Walker {
            rules: &self.rules,
            base: &self.functions,
            remaining: RUNTIME_BUDGET as i64,
            spent: Spent::default(),
        };
        w.node("", &self.schema, obj, "");
        w.spent.cost = RUNTIME_BUDGET - w.remaining.max(0) as u64;
        w.spent
    }
}

struct Walker<'a> {
    rules: &'a Rules,
    base: &'a Context<'a>,
    remaining: i64,
    spent: Spent,
}

const OUT_OF_BUDGET: &str =
    "validation failed due to running out of cost budget, no further validation rules will be run";

impl Walker<'_> {
    fn overrun(&mut self, path: &str, schema: &serde_json::Value, detail: String) {
        let ty = schema["type"].as_str().unwrap_or_default();
        self.spent.overrun = Some(crate::FieldError::new(
            path,
            crate::ErrorType::Invalid,
            Some(format!("\"{ty}\"")),
            detail,
        ));
        self.remaining = -1;
    }

    /// Returns false once validation stopped.
    fn node(
        &mut self,
        pointer: &str,
        schema: &serde_json::Value,
        obj: &serde_json::Value,
        path: &str,
    ) -> bool {
        if obj.is_null() {
            return true;
        }
        if let Some(rules) = self.rules.by_node.get(pointer)
            && !rules.is_empty()
            && !self.rules_of(rules, schema, obj, path)
        {
            return false;
        }
        if let Some(all_of) = schema.get("allOf").and_then(serde_json::Value::as_array) {
            for (i, s) in all_of.iter().enumerate() {
                if !self.node(&format!("{pointer}/allOf/{i}"), s, obj, path) {
                    return false;
                }
            }
        }
        match obj {
            serde_json::Value::Array(items) => {
                if let Some(s) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        if !self.node(
                            &format!("{pointer}/items"),
                            s,
                            item,
                            &format!("{path}[{i}]"),
                        ) {
                            return false;
                        }
                    }
                }
            }
            serde_json::Value::Object(fields) => {
                let props = schema
                    .get("properties")
                    .and_then(serde_json::Value::as_object);
                for (k, v) in fields {
                    let child = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    let (p, s) = match props.and_then(|p| p.get(k)) {
                        Some(s) => (format!("{pointer}/properties/{}", escape_pointer(k)), s),
                        None => {
                            match schema.get("additionalProperties").filter(|a| a.is_object()) {
                                Some(s) => (format!("{pointer}/additionalProperties"), s),
                                None => continue,
                            }
                        }
                    };
                    if !self.node(&p, s, v, &child) {
                        return false;
                    }
                }
            }
            _ => {}
        }
        true
    }

    fn rules_of(
        &mut self,
        rules: &[NodeRule],
        schema: &serde_json::Value,
        obj: &serde_json::Value,
        path: &str,
    ) -> bool {
        if self.remaining <= 0 {
            self.overrun(path, schema, OUT_OF_BUDGET.to_owned());
            return false;
        }
        let this = to_cel(obj, schema, self.base);
        for r in rules {
            if r.skipped_on_create {
                continue;
            }
            let mut vars = vec![("self", this.clone())];
            if r.optional_old_self {
                vars.push(("oldSelf", Value::Opaque(Arc::new(OptionalValue::none()))));
            }
            let m = meter(&r.checked, self.base, vars.clone(), PER_CALL_LIMIT);
            self.spent.order_dependent |= m.order_dependent;
            if m.cost as i64 > self.remaining {
                self.overrun(path, schema, OUT_OF_BUDGET.to_owned());
                return false;
            }
            self.remaining -= m.cost as i64;
            let Ok(value) = m.value else {
                self.overrun(
                    path,
                    schema,
                    format!(
                        "'operation cancelled: actual cost limit exceeded': no further validation \
                         rules will be run due to call cost exceeds limit for rule: {}",
                        r.error_string
                    ),
                );
                return false;
            };
            self.spent.evaluated.push((path.to_owned(), r.rule.clone()));
            if matches!(value, Ok(Value::Bool(true)) | Err(_)) {
                continue;
            }
            if let Some((src, me)) = &r.message_expression {
                let m = meter(me, self.base, vars, PER_CALL_LIMIT);
                self.spent.order_dependent |= m.order_dependent;
                if m.cost as i64 > self.remaining {
                    self.overrun(
                        path,
                        schema,
                        "messageExpression evaluation failed due to running out of cost budget, \
                         no further validation rules will be run"
                            .to_owned(),
                    );
                    return false;
                }
                if m.value.is_err() {
                    self.overrun(
                        path,
                        schema,
                        format!(
                            "no further validation rules will be run due to call cost exceeds \
                             limit for messageExpression: {src:?}"
                        ),
                    );
                    return false;
                }
                self.remaining -= m.cost as i64;
            }
        }
        true
    }
}

fn escape_pointer(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

/// `self` as the apiserver binds it (`UnstructuredToVal`): fields under their CEL
/// names (`x-y` is `x__dash__y`) except in maps; strings of format `date-time`, `date`
/// (midnight UTC), `duration` and `byte` as timestamps, durations and bytes; every
/// number of a `number` field, and an integer beyond int64 (which the apiserver reads
/// as a float), as a double. An embedded resource gets no `apiVersion` or `kind` it
/// does not have.
fn to_cel(v: &serde_json::Value, schema: &serde_json::Value, base: &Context) -> Value {
    use serde_json::Value as J;
    match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) if schema["type"] != "number" => Value::Int(i),
            _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => {
            let plain = Value::String(Arc::new(s.clone()));
            let int_or_string = schema["x-kubernetes-int-or-string"].as_bool() == Some(true);
            let conversion = match schema["format"].as_str() {
                _ if int_or_string => None,
                Some("date-time") => Some(("timestamp", s.clone())),
                Some("date") => Some(("timestamp", format!("{s}T00:00:00Z"))),
                Some("duration") => Some(("duration", s.clone())),
                Some("byte") => Some(("base64.decode", s.clone())),
                _ => None,
            };
            match conversion {
                Some((f, input)) => {
                    let (func, target) = match f.split_once('.') {
                        Some((ns, f)) => (f, Some(Box::new(ident(0, ns)))),
                        None => (f, None),
                    };
                    let call = IdedExpr {
                        id: 0,
                        expr: Expr::Call(CallExpr {
                            func_name: func.to_owned(),
                            target,
                            args: vec![ident(0, "@0")],
                        }),
                    };
                    let mut ctx = base.new_inner_scope();
                    ctx.add_variable_from_value("@0", Value::String(Arc::new(input)));
                    Value::resolve(&call, &ctx).unwrap_or(plain)
                }
                None => plain,
            }
        }
        J::Array(items) => {
            let item_schema = &schema["items"];
            Value::List(Arc::new(
                items.iter().map(|i| to_cel(i, item_schema, base)).collect(),
            ))
        }
        J::Object(fields) => {
            let props = schema.get("properties").and_then(J::as_object);
            let additional = schema.get("additionalProperties");
            let is_map = !matches!(additional, None | Some(J::Bool(false)));
            let mut map = std::collections::HashMap::with_capacity(fields.len());
            for (k, v) in fields {
                let s = props
                    .and_then(|p| p.get(k))
                    .or(additional.filter(|a| a.is_object()))
                    .unwrap_or(&J::Null);
                let key = if is_map {
                    k.clone()
                } else {
                    crdgen::cel_cost::escape_field(k).unwrap_or_else(|| k.clone())
                };
                map.insert(Key::String(Arc::new(key)), to_cel(v, s, base));
            }
            Value::Map(kube_cel::cel::objects::Map { map: Arc::new(map) })
        }
    }
}

#[cfg(test)]
#[path = "cost_tests.rs"]
mod tests;
