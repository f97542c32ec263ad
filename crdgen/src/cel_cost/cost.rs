//! cel-go's static cost estimator (`checker/cost.go`) with the Kubernetes library's
//! call costs (k8s.io/apiserver `pkg/cel/library/cost.go`), the sets extension's, and
//! the apiextensions-apiserver size estimator (sizes from the schema's declaration by
//! field path). Written after those sources, step for step: the figures must be the
//! apiserver's to the unit, quirks included (see the notes at `Path` and
//! `estimate_size`).

use super::{
    check::Checked,
    decl::{Decl, DeclKind, map_key},
    funcs,
    types::{Kind, Ty},
};
use cel::common::ast::{Expr, IdedExpr, LiteralValue};
use std::{cell::RefCell, collections::HashMap, rc::Rc};

const STRING_TRAVERSAL: f64 = 0.1;
const REGEX_STRING_LENGTH: f64 = 0.25;
const LIST_CREATE_BASE: u64 = 10;
const MAP_CREATE_BASE: u64 = 30;
/// `cel.MaxFormatSize`, `cel.MaxNameFormatRegexSize`.
const MAX_FORMAT_SIZE: u64 = 64;
const MAX_NAME_FORMAT_REGEX_SIZE: f64 = 128.0;

/// A min/max range: cel-go's `SizeEstimate` and `CostEstimate` (same arithmetic).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Est {
    pub min: u64,
    pub max: u64,
}

const UNKNOWN: Est = Est {
    min: 0,
    max: u64::MAX,
};

fn fixed(v: u64) -> Est {
    Est { min: v, max: v }
}

fn mul_no_overflow(x: u64, y: u64) -> u64 {
    x.saturating_mul(y)
}

fn mul_by_factor(x: u64, y: f64) -> u64 {
    let xf = x as f64;
    if xf > 0.0 && y > 0.0 && xf > u64::MAX as f64 / y {
        return u64::MAX;
    }
    let ceil = (xf * y).ceil();
    if ceil >= 18446744073709551616.0 {
        return u64::MAX;
    }
    ceil as u64
}

impl Est {
    fn add(self, o: Est) -> Est {
        Est {
            min: self.min.saturating_add(o.min),
            max: self.max.saturating_add(o.max),
        }
    }
    fn mul(self, o: Est) -> Est {
        Est {
            min: mul_no_overflow(self.min, o.min),
            max: mul_no_overflow(self.max, o.max),
        }
    }
    fn factor(self, f: f64) -> Est {
        Est {
            min: mul_by_factor(self.min, f),
            max: mul_by_factor(self.max, f),
        }
    }
    fn union(self, o: Est) -> Est {
        Est {
            min: self.min.min(o.min),
            max: self.max.max(o.max),
        }
    }
}

/// A field path as cel-go keeps it: a Go slice of strings. Appending writes into the
/// backing array when it has room, so paths derived from the same variable share
/// storage, and a later `append` can change what an earlier one reads. The estimates
/// depend on it in rare cases; this reproduces Go's growth
/// ([`go_string_slice_growth`]).
#[derive(Clone, Default)]
struct Path {
    buf: Option<Rc<RefCell<Vec<Rc<str>>>>>,
    len: usize,
    cap: usize,
}

/// The capacity Go's runtime gives a full `[]string` of capacity `cap` that one more
/// element is appended to (`growslice` in runtime/slice.go, 64-bit): twice the
/// capacity below 256, a quarter and 192 more from there, and then as many strings
/// (16 bytes each) as fit in the allocation that size is rounded up to. A string holds
/// a pointer, so an allocation over 512 bytes carries an 8-byte header
/// (`roundupsize` in runtime/msize.go). Above 32 KiB, allocations are whole 8 KiB
/// pages. This gives 1, 2, 4, 8, 16, 32, 71, 143, 303, 591, ...
fn go_string_slice_growth(cap: usize) -> usize {
    /// The allocator's size classes up to 32 KiB (`SizeClassToSize` in
    /// internal/runtime/gc/sizeclasses.go).
    const SIZE_CLASSES: [usize; 67] = [
        8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320,
        352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
        2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472,
        9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264,
        28672, 32768,
    ];
    const STRING: usize = 16;
    const HEADER: usize = 8;
    const PAGE: usize = 8192;
    let wanted = if cap == 0 {
        1
    } else if cap < 256 {
        2 * cap
    } else {
        cap + (cap + 3 * 256) / 4
    };
    let bytes = wanted * STRING;
    let header = if bytes > 512 { HEADER } else { 0 };
    // Past the last size class (more than 32 KiB with the header), whole pages.
    let allocated = match SIZE_CLASSES.iter().find(|&&c| c >= bytes + header) {
        Some(&class) => class - header,
        None => bytes.div_ceil(PAGE) * PAGE,
    };
    allocated / STRING
}

impl Path {
    fn one(s: &str) -> Path {
        Path {
            buf: Some(Rc::new(RefCell::new(vec![s.into()]))),
            len: 1,
            cap: 1,
        }
    }

    fn append(&self, s: &str) -> Path {
        if self.len < self.cap {
            let buf = self.buf.clone().expect("capacity implies a buffer");
            {
                let mut b = buf.borrow_mut();
                if b.len() > self.len {
                    b[self.len] = s.into();
                } else {
                    b.push(s.into());
                }
            }
            return Path {
                buf: Some(buf),
                len: self.len + 1,
                cap: self.cap,
            };
        }
        let new_cap = go_string_slice_growth(self.cap);
        let mut v: Vec<Rc<str>> = match &self.buf {
            Some(b) => b.borrow()[..self.len].to_vec(),
            None => Vec::new(),
        };
        v.push(s.into());
        Path {
            buf: Some(Rc::new(RefCell::new(v))),
            len: self.len + 1,
            cap: new_cap,
        }
    }

    fn to_vec(&self) -> Vec<Rc<str>> {
        match &self.buf {
            Some(b) => b.borrow()[..self.len].to_vec(),
            None => Vec::new(),
        }
    }

    fn first_is_accumulator(&self) -> bool {
        self.len > 0
            && self
                .buf
                .as_ref()
                .is_some_and(|b| matches!(&*b.borrow()[0], "@result" | "__result__"))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Container {
    List,
    Map,
    Unknown,
}

#[derive(Clone, Copy, Debug)]
struct EntrySize {
    container: Container,
    key: Est,
    val: Est,
}

fn entry_union(a: Option<EntrySize>, b: Option<EntrySize>) -> Option<EntrySize> {
    let (a, b) = (a?, b?);
    Some(EntrySize {
        container: a.container,
        key: a.key.union(b.key),
        val: a.val.union(b.val),
    })
}

struct LocalVar {
    path: Path,
    size: Option<Est>,
    entry: Option<EntrySize>,
}

/// cel-go's `AstNode`: what call estimators see of an argument.
struct Node<'e> {
    path: Path,
    ty: Ty,
    expr: Option<&'e IdedExpr>,
    computed: Option<Est>,
}

pub struct Coster<'a> {
    checked: &'a Checked,
    root: &'a Rc<Decl>,
    expr_paths: HashMap<u64, Path>,
    locals: HashMap<String, Vec<LocalVar>>,
    sizes: HashMap<u64, Est>,
    entries: HashMap<u64, EntrySize>,
    /// Every path whose size came from the schema.
    looked_up: RefCell<Vec<Vec<Rc<str>>>>,
}

impl<'a> Coster<'a> {
    pub fn new(checked: &'a Checked, root: &'a Rc<Decl>) -> Self {
        Coster {
            checked,
            root,
            expr_paths: HashMap::new(),
            locals: HashMap::new(),
            sizes: HashMap::new(),
            entries: HashMap::new(),
            looked_up: RefCell::new(Vec::new()),
        }
    }

    /// The size estimator's answer for `path`, noted.
    fn schema_size(&self, path: Vec<Rc<str>>) -> Option<Est> {
        let s = estimate_size(self.root, &path);
        if s.is_some() {
            self.looked_up.borrow_mut().push(path);
        }
        s
    }

    /// The estimated maximum cost of one evaluation, and the paths whose sizes came
    /// from the schema.
    pub fn estimate(mut self, e: &IdedExpr) -> (u64, Vec<Vec<Rc<str>>>) {
        let c = self.cost(e).max;
        (c, self.looked_up.into_inner())
    }

    fn ty(&self, e: &IdedExpr) -> Ty {
        self.checked.types.get(&e.id).cloned().unwrap_or(Ty::Error)
    }

    fn peek(&self, name: &str) -> Option<&LocalVar> {
        self.locals.get(name).and_then(|s| s.last())
    }

    fn push(&mut self, name: &str, v: LocalVar) {
        self.locals.entry(name.to_owned()).or_default().push(v);
    }

    fn pop(&mut self, name: &str) {
        if let Some(s) = self.locals.get_mut(name) {
            s.pop();
        }
    }

    fn get_path(&self, e: &IdedExpr) -> Path {
        if let Expr::Ident(n) = &e.expr
            && let Some(v) = self.peek(n)
        {
            return v.path.clone();
        }
        self.expr_paths.get(&e.id).cloned().unwrap_or_default()
    }

    fn new_node<'e>(&mut self, e: &'e IdedExpr) -> Node<'e> {
        let mut path = self.get_path(e);
        if path.first_is_accumulator() {
            path = Path::default();
        }
        let computed = self.compute_size(e);
        Node {
            path,
            ty: self.ty(e),
            expr: Some(e),
            computed,
        }
    }

    fn cost(&mut self, e: &IdedExpr) -> Est {
        match &e.expr {
            Expr::Literal(_) => fixed(0),
            Expr::Ident(name) => {
                let path = match self.peek(name) {
                    Some(v) => v.path.clone(),
                    None => Path::one(name),
                };
                self.expr_paths.insert(e.id, path);
                fixed(1)
            }
            Expr::Select(sel) => {
                if let Some(name) = self.checked.qualified.get(&e.id) {
                    // An identifier to cel-go (its checker rewrote the selection).
                    self.expr_paths.insert(e.id, Path::one(name));
                    return fixed(1);
                }
                if sel.test {
                    // PresenceTestHasCost(false) in the Kubernetes environment.
                    return self.cost(&sel.operand);
                }
                let mut sum = self.cost(&sel.operand);
                if matches!(
                    self.ty(&sel.operand).kind(),
                    Kind::Map | Kind::Struct | Kind::Param
                ) {
                    sum = sum.add(fixed(1));
                }
                let p = self.get_path(&sel.operand).append(&sel.field);
                self.expr_paths.insert(e.id, p);
                sum
            }
            Expr::Call(_) => self.cost_call(e),
            Expr::List(list) => {
                let mut sum = fixed(0);
                let mut item = Est {
                    min: if list.elements.is_empty() {
                        0
                    } else {
                        u64::MAX
                    },
                    max: 0,
                };
                for el in &list.elements {
                    sum = sum.add(self.cost(el));
                    let s = self.size_or_unknown(el);
                    item = item.union(s);
                }
                self.entries.insert(
                    e.id,
                    EntrySize {
                        container: Container::List,
                        key: fixed(1),
                        val: item,
                    },
                );
                sum.add(fixed(LIST_CREATE_BASE))
            }
            Expr::Map(map) => {
                let mut sum = fixed(0);
                let empty = map.entries.is_empty();
                let mut ks = Est {
                    min: if empty { 0 } else { u64::MAX },
                    max: 0,
                };
                let mut vs = ks;
                for entry in &map.entries {
                    if let cel::common::ast::EntryExpr::MapEntry(me) = &entry.expr {
                        sum = sum.add(self.cost(&me.key));
                        sum = sum.add(self.cost(&me.value));
                        ks = ks.union(self.size_or_unknown(&me.key));
                        vs = vs.union(self.size_or_unknown(&me.value));
                    }
                }
                self.entries.insert(
                    e.id,
                    EntrySize {
                        container: Container::Map,
                        key: ks,
                        val: vs,
                    },
                );
                sum.add(fixed(MAP_CREATE_BASE))
            }
            Expr::Struct(_) | Expr::Unspecified => fixed(0),
            Expr::Comprehension(c) => {
                let is_bind = matches!(&c.iter_range.expr, Expr::List(l) if l.elements.is_empty())
                    && matches!(&c.loop_cond.expr, Expr::Literal(LiteralValue::Boolean(b)) if !**b)
                    && c.accu_var != "__result__";
                if is_bind {
                    let mut sum = self.cost(&c.iter_range);
                    sum = sum.add(self.cost(&c.accu_init));
                    self.push_local(&c.accu_var, &c.accu_init);
                    sum = sum.add(self.cost(&c.result));
                    self.pop(&c.accu_var);
                    let s = self.compute_size(&c.result);
                    self.set_size(e, s);
                    let en = self.compute_entry(&c.result);
                    self.set_entry(e, en);
                    return sum;
                }
                let mut sum = self.cost(&c.iter_range);
                sum = sum.add(self.cost(&c.accu_init));
                self.push_local(&c.accu_var, &c.accu_init);
                match &c.iter_var2 {
                    Some(v2) => {
                        self.push_iter(&c.iter_var, &c.iter_range, IterKind::Key);
                        self.push_iter(v2, &c.iter_range, IterKind::Value);
                    }
                    None => self.push_iter(&c.iter_var, &c.iter_range, IterKind::Single),
                }
                let loop_cost = self.cost(&c.loop_cond);
                let step_cost = self.cost(&c.loop_step);
                self.pop(&c.iter_var);
                if let Some(v2) = &c.iter_var2 {
                    self.pop(v2);
                }
                sum = sum.add(self.cost(&c.result));
                self.pop(&c.accu_var);
                let range_cnt = self.size_or_unknown(&c.iter_range);
                let range_cost = range_cnt.mul(step_cost.add(loop_cost));
                sum = sum.add(range_cost);
                match &c.accu_init.expr {
                    Expr::Literal(_) => {
                        let s = self.compute_size(&c.accu_init);
                        self.set_size(e, s);
                    }
                    Expr::List(_) | Expr::Map(_) => {
                        self.set_size(e, Some(range_cnt));
                        if let Some(se) = self.compute_entry(&c.loop_step) {
                            self.entries.insert(e.id, se);
                        }
                    }
                    _ => {}
                }
                sum
            }
        }
    }

    fn push_local(&mut self, name: &str, e: &IdedExpr) {
        let path = self.get_path(e);
        let entry = self.compute_entry(e);
        let size = self.compute_size(e);
        self.push(name, LocalVar { path, size, entry });
    }

    fn push_iter(&mut self, name: &str, range: &IdedExpr, kind: IterKind) {
        let entry = self.compute_entry(range);
        let mut container = entry.map_or(Container::Unknown, |e| e.container);
        if container == Container::Unknown {
            container = match self.ty(range).kind() {
                Kind::List => Container::List,
                Kind::Map => Container::Map,
                _ => Container::Unknown,
            };
        }
        let (size, sub) = match kind {
            IterKind::Key => (
                entry.map(|e| e.key),
                if container == Container::List {
                    "@indices"
                } else {
                    "@keys"
                },
            ),
            IterKind::Value => (
                entry.map(|e| e.val),
                if container == Container::List {
                    "@items"
                } else {
                    "@values"
                },
            ),
            IterKind::Single => {
                if container == Container::List {
                    (entry.map(|e| e.val), "@items")
                } else {
                    (entry.map(|e| e.key), "@keys")
                }
            }
        };
        let path = self.get_path(range).append(sub);
        self.push(
            name,
            LocalVar {
                path,
                size,
                entry: None,
            },
        );
    }

    fn set_size(&mut self, e: &IdedExpr, s: Option<Est>) {
        if let Some(s) = s {
            self.sizes.insert(e.id, s);
        }
    }

    fn set_entry(&mut self, e: &IdedExpr, s: Option<EntrySize>) {
        if let Some(s) = s {
            self.entries.insert(e.id, s);
        }
    }

    fn compute_entry(&self, e: &IdedExpr) -> Option<EntrySize> {
        if let Some(s) = self.entries.get(&e.id) {
            return Some(*s);
        }
        if let Expr::Ident(n) = &e.expr
            && let Some(v) = self.peek(n)
        {
            return v.entry;
        }
        None
    }

    fn size_or_unknown(&mut self, e: &IdedExpr) -> Est {
        self.compute_size(e).unwrap_or(UNKNOWN)
    }

    fn compute_size(&mut self, e: &IdedExpr) -> Option<Est> {
        if let Some(s) = self.sizes.get(&e.id) {
            return Some(*s);
        }
        if let Some(s) = expr_size(e) {
            return Some(s);
        }
        let path = self.get_path(e).to_vec();
        if let Some(s) = self.schema_size(path) {
            self.sizes.insert(e.id, s);
            return Some(s);
        }
        if is_scalar(&self.ty(e)) {
            return Some(fixed(1));
        }
        if let Expr::Ident(n) = &e.expr
            && let Some(v) = self.peek(n)
            && v.size.is_some()
        {
            return v.size;
        }
        None
    }

    fn node_size(&self, n: &Node) -> Est {
        n.computed
            .or_else(|| self.schema_size(n.path.to_vec()))
            .unwrap_or(UNKNOWN)
    }

    fn cost_call(&mut self, e: &IdedExpr) -> Est {
        let Expr::Call(call) = &e.expr else {
            unreachable!()
        };
        let namespaced = self.checked.namespaced.get(&e.id);
        let fname: &str = namespaced.map_or(call.func_name.as_str(), String::as_str);
        let target_expr = if namespaced.is_some() {
            None
        } else {
            call.target.as_deref()
        };
        if fname == "dyn" && target_expr.is_none() && call.args.len() == 1 {
            let arg = &call.args[0];
            let c = self.cost(arg);
            let s = self.compute_size(arg);
            self.set_size(e, s);
            let en = self.compute_entry(arg);
            self.set_entry(e, en);
            return fixed(1).add(c);
        }
        let mut arg_costs = Vec::with_capacity(call.args.len());
        let mut args = Vec::with_capacity(call.args.len());
        for a in &call.args {
            arg_costs.push(self.cost(a));
            args.push(self.new_node(a));
        }
        let Some(overloads) = self.checked.overloads.get(&e.id).cloned() else {
            return fixed(0);
        };
        let mut sum = fixed(0);
        let target = match target_expr {
            Some(t) => {
                sum = sum.add(self.cost(t));
                Some(self.new_node(t))
            }
            None => None,
        };
        let mut fn_cost = Est {
            min: u64::MAX,
            max: 0,
        };
        let mut result: Option<Est> = None;
        for o in overloads.iter() {
            let (c, rs) = self.function_cost(e, fname, o, target.as_ref(), &args, &arg_costs);
            fn_cost = fn_cost.union(c);
            if let Some(rs) = rs {
                result = Some(match result {
                    None => rs,
                    Some(prev) => prev.union(rs),
                });
            }
            match &**o {
                "index_list" | "index_map" if !call.args.is_empty() => {
                    result = self.compute_entry(&call.args[0]).map(|en| en.val);
                    let sub = if &**o == "index_list" {
                        "@items"
                    } else {
                        "@values"
                    };
                    let p = self.get_path(&call.args[0]).append(sub);
                    self.expr_paths.insert(e.id, p);
                }
                _ => {}
            }
            if result.is_none() {
                result = self.compute_size(e);
            }
        }
        self.set_size(e, result);
        sum.add(fn_cost)
    }

    /// `coster.functionCost`: an extension's estimator, then the Kubernetes library's,
    /// then cel-go's own.
    fn function_cost(
        &mut self,
        e: &IdedExpr,
        function: &str,
        overload: &str,
        target: Option<&Node>,
        args: &[Node],
        arg_costs: &[Est],
    ) -> (Est, Option<Est>) {
        let arg_sum = arg_costs.iter().fold(fixed(0), |a, c| a.add(*c));
        let sets_factor = match overload {
            "list_sets_contains_list" | "list_sets_intersects_list" => Some(1.0),
            "list_sets_equivalent_list" => Some(2.0),
            _ => None,
        };
        if let Some(f) = sets_factor
            && args.len() == 2
        {
            let a0 = self.node_size(&args[0]);
            let a1 = self.node_size(&args[1]);
            return (a0.mul(a1).factor(f).add(fixed(1)).add(arg_sum), None);
        }
        if let Some((c, rs)) = self.k8s_call_cost(function, overload, target, args) {
            return (c.add(arg_sum), rs);
        }
        let size = |n: &Node| n.computed.unwrap_or(UNKNOWN);
        match overload {
            "string_format" if let Some(t) = target => {
                return (size(t).factor(STRING_TRAVERSAL).add(arg_sum), None);
            }
            "string_to_bytes" if args.len() == 1 => {
                let sz = size(&args[0]);
                return (
                    sz.factor(STRING_TRAVERSAL).add(arg_sum),
                    Some(Est {
                        min: sz.min,
                        max: sz.max.wrapping_mul(4),
                    }),
                );
            }
            "bytes_to_string" if args.len() == 1 => {
                let sz = size(&args[0]);
                return (
                    sz.factor(STRING_TRAVERSAL).add(arg_sum),
                    Some(Est {
                        min: sz.min / 4,
                        max: sz.max,
                    }),
                );
            }
            "strings_quote" if args.len() == 1 => {
                let sz = size(&args[0]);
                return (
                    sz.factor(STRING_TRAVERSAL).add(arg_sum),
                    Some(Est {
                        min: sz.min.wrapping_add(2),
                        max: sz.max.wrapping_mul(2).wrapping_add(2),
                    }),
                );
            }
            "starts_with_string" | "ends_with_string" if args.len() == 1 => {
                return (size(&args[0]).factor(STRING_TRAVERSAL).add(arg_sum), None);
            }
            "in_list" if args.len() == 2 => {
                return (size(&args[1]).factor(1.0).add(arg_sum), None);
            }
            "matches_string"
                if let Some(t) = target
                    && args.len() == 1 =>
            {
                let s = size(t).add(fixed(1)).factor(STRING_TRAVERSAL);
                let r = size(&args[0]).factor(REGEX_STRING_LENGTH);
                return (s.mul(r).add(arg_sum), None);
            }
            "contains_string"
                if let Some(t) = target
                    && args.len() == 1 =>
            {
                let s = size(t).factor(STRING_TRAVERSAL);
                let r = size(&args[0]).factor(STRING_TRAVERSAL);
                return (s.mul(r).add(arg_sum), None);
            }
            "logical_or" | "logical_and" => {
                let (l, r) = (arg_costs[0], arg_costs[1]);
                return (
                    Est {
                        min: l.min,
                        max: l.add(r).max,
                    },
                    None,
                );
            }
            "conditional" => {
                let sz = size(&args[1]).union(size(&args[2]));
                let e1 = args[1].expr.and_then(|x| self.compute_entry(x));
                let e2 = args[2].expr.and_then(|x| self.compute_entry(x));
                let en = entry_union(e1, e2);
                self.set_entry(e, en);
                let c = arg_costs[0].add(arg_costs[1].union(arg_costs[2]));
                return (c, Some(sz));
            }
            "add_string" | "add_bytes" | "add_list" if args.len() == 2 => {
                let l = size(&args[0]);
                let r = size(&args[1]);
                let rs = l.add(r);
                let e1 = args[0].expr.and_then(|x| self.compute_entry(x));
                let e2 = args[1].expr.and_then(|x| self.compute_entry(x));
                if let Some(en) = entry_union(e1, e2) {
                    self.entries.insert(e.id, en);
                }
                if overload == "add_list" {
                    return (fixed(1).add(arg_sum), Some(rs));
                }
                return (rs.factor(STRING_TRAVERSAL).add(arg_sum), Some(rs));
            }
            o if super::MIN_SIZE_OVERLOADS.binary_search(&o).is_ok() => {
                let l = size(&args[0]);
                let r = size(&args[1]);
                let smallest = l.max.min(r.max);
                let min = u64::from(smallest > 0);
                return (
                    Est { min, max: smallest }
                        .factor(STRING_TRAVERSAL)
                        .add(arg_sum),
                    None,
                );
            }
            _ => {}
        }
        (fixed(1).add(arg_sum), None)
    }

    fn k8s_size(&self, n: &Node) -> Est {
        self.node_size(n)
    }

    /// `listElementNode`: a node for the elements of a list (path `...@items`).
    fn list_element(&self, list: &Node) -> Option<Node<'static>> {
        let elem = list.ty.params().first().map(|t| (*t).clone())?;
        let path = if list.path.len > 0 {
            let mut v = list.path.to_vec();
            v.push("@items".into());
            let len = v.len();
            Path {
                buf: Some(Rc::new(RefCell::new(v))),
                len,
                cap: len,
            }
        } else {
            Path::default()
        };
        Some(Node {
            path,
            ty: elem,
            expr: None,
            computed: None,
        })
    }

    /// `library.CostEstimator.EstimateCallCost`.
    fn k8s_call_cost(
        &self,
        function: &str,
        overload: &str,
        target: Option<&Node>,
        args: &[Node],
    ) -> Option<(Est, Option<Est>)> {
        let one = Some((fixed(1), None));
        match function {
            "isSorted" | "sum" | "max" | "min" | "indexOf" | "lastIndexOf" => {
                let t = target?;
                if let Some(el) = self.list_element(t) {
                    let mut el_cost = fixed(1);
                    if matches!(el.ty.kind(), Kind::String | Kind::Bytes) {
                        el_cost = el_cost.add(self.k8s_size(&el).factor(STRING_TRAVERSAL));
                    }
                    Some((self.k8s_size(t).mul(el_cost), None))
                } else {
                    Some((self.k8s_size(t).factor(STRING_TRAVERSAL), None))
                }
            }
            "url" | "jsonpatch.escapeKey" if args.len() == 1 => {
                let sz = self.k8s_size(&args[0]);
                Some((sz.factor(STRING_TRAVERSAL), Some(sz)))
            }
            "lowerAscii" | "upperAscii" | "substring" | "trim" => {
                let sz = self.k8s_size(target?);
                Some((sz.factor(STRING_TRAVERSAL), Some(sz)))
            }
            "replace" if target.is_some() && args.len() >= 2 => {
                let sz = self.k8s_size(target?);
                let to_replace = self.k8s_size(&args[0]);
                let with = self.k8s_size(&args[1]);
                let mut count = Est { min: 0, max: 0 };
                let mut retained = Est { min: 0, max: 0 };
                if to_replace.min == 0 {
                    count.max = if sz.max < u64::MAX {
                        sz.max + 1
                    } else {
                        sz.max
                    };
                    retained.max = sz.max;
                } else if with.max <= to_replace.min {
                    count.max = 0;
                    retained.max = sz.max;
                } else {
                    count.max = (sz.max as f64 / to_replace.min as f64).ceil() as u64;
                }
                if to_replace.max == 0 {
                    count.min = if sz.min < u64::MAX {
                        sz.min + 1
                    } else {
                        sz.min
                    };
                    retained.min = sz.min;
                } else if to_replace.max <= with.min {
                    count.min = 0;
                    retained.min = sz.min;
                } else {
                    count.min = (sz.min as f64 / to_replace.max as f64).ceil() as u64;
                }
                let size = count.mul(with).add(retained);
                Some((sz.factor(2.0 * STRING_TRAVERSAL), Some(size)))
            }
            "split" if target.is_some() => {
                let sz = self.k8s_size(target?);
                let mut max = sz.max;
                if args.len() > 1
                    && let Some(Expr::Literal(LiteralValue::Int(i))) = args[1].expr.map(|x| &x.expr)
                {
                    max = **i as u64;
                }
                Some((sz.factor(2.0 * STRING_TRAVERSAL), Some(Est { min: 0, max })))
            }
            "join" if target.is_some() => {
                let t = target?;
                let mut sz = Est { min: 0, max: 0 };
                let list = self.k8s_size(t);
                if let Some(el) = self.list_element(t) {
                    sz = list.mul(self.k8s_size(&el));
                }
                if let Some(sep) = args.first() {
                    let sep = self.k8s_size(sep);
                    let seps = Est {
                        min: list.min.saturating_sub(1),
                        max: list.max.saturating_sub(1),
                    };
                    sz = sz.add(sep.mul(seps));
                }
                Some((sz.factor(STRING_TRAVERSAL), Some(sz)))
            }
            "find" | "findAll" if target.is_some() && !args.is_empty() => {
                let sz = self.k8s_size(target?);
                let s = sz.add(fixed(1)).factor(STRING_TRAVERSAL);
                let r = self.k8s_size(&args[0]).factor(REGEX_STRING_LENGTH);
                Some((
                    s.mul(r),
                    Some(Est {
                        min: 0,
                        max: sz.max,
                    }),
                ))
            }
            "cidr" | "isIP" | "isCIDR" if !args.is_empty() => {
                Some((self.k8s_size(&args[0]).factor(STRING_TRAVERSAL), None))
            }
            "ip" => {
                if overload == "cidr_ip" {
                    return one;
                }
                let a = args.first()?;
                Some((self.k8s_size(a).factor(STRING_TRAVERSAL), None))
            }
            "ip.isCanonical" if !args.is_empty() => {
                Some((self.k8s_size(&args[0]).factor(2.0 * STRING_TRAVERSAL), None))
            }
            "containsIP" if !args.is_empty() => {
                let sz = Est { min: 4, max: 16 };
                let mut c = sz.add(sz).factor(STRING_TRAVERSAL);
                if overload == "cidr_contains_ip_string" {
                    c = c.add(self.k8s_size(&args[0]).factor(STRING_TRAVERSAL));
                }
                Some((c, None))
            }
            "containsCIDR" if !args.is_empty() => {
                let sz = Est { min: 4, max: 16 };
                let mut c = sz.add(sz).factor(STRING_TRAVERSAL);
                c = c.add(sz.factor(STRING_TRAVERSAL));
                c = c.add(fixed(1));
                if overload == "cidr_contains_cidr_string" {
                    c = c.add(self.k8s_size(&args[0]).factor(STRING_TRAVERSAL));
                }
                Some((c, None))
            }
            "quantity" | "isQuantity" | "semver" | "isSemver" if !args.is_empty() => {
                Some((self.k8s_size(&args[0]).factor(STRING_TRAVERSAL), None))
            }
            "validate" if !args.is_empty() => Some((
                self.k8s_size(&args[0])
                    .factor(STRING_TRAVERSAL)
                    .factor(MAX_NAME_FORMAT_REGEX_SIZE * REGEX_STRING_LENGTH),
                None,
            )),
            f if super::NOMINAL_COST_FUNCTIONS.binary_search(&f).is_ok() => one,
            "_==_" if args.len() == 2 => {
                let (l, r) = (&args[0], &args[1]);
                if l.ty != r.ty {
                    return None;
                }
                match &l.ty {
                    Ty::Opaque(n, _) if &**n == "net.IP" || &**n == "net.CIDR" => one,
                    Ty::Struct(n) if &**n == funcs::QUANTITY || &**n == funcs::SEMVER => one,
                    Ty::Struct(n) if &**n == funcs::FORMAT => Some((
                        Est {
                            min: 1,
                            max: MAX_FORMAT_SIZE,
                        }
                        .factor(STRING_TRAVERSAL),
                        None,
                    )),
                    Ty::Struct(n) if &**n == funcs::URL => {
                        // cel-go reads the right-hand side's size twice (sic).
                        let size = r.computed.unwrap_or(fixed(1));
                        Some((
                            Est {
                                min: 1,
                                max: size.max,
                            }
                            .factor(STRING_TRAVERSAL),
                            None,
                        ))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

#[derive(Clone, Copy)]
enum IterKind {
    Key,
    Value,
    Single,
}

/// `computeExprSize`: sizes CEL knows from the expression itself.
fn expr_size(e: &IdedExpr) -> Option<Est> {
    let v = match &e.expr {
        Expr::Literal(l) => match l {
            LiteralValue::String(s) => s.chars().count() as u64,
            LiteralValue::Bytes(b) => b.len() as u64,
            _ => 1,
        },
        Expr::List(l) => l.elements.len() as u64,
        Expr::Map(m) => m.entries.len() as u64,
        _ => return None,
    };
    Some(fixed(v))
}

fn is_scalar(t: &Ty) -> bool {
    match t {
        Ty::Bool | Ty::Double | Ty::Duration | Ty::Int | Ty::Timestamp | Ty::Uint => true,
        Ty::Opaque(n, ps) if &**n == "optional_type" => is_scalar(&ps[0]),
        _ => false,
    }
}

/// The apiextensions size estimator: the node at `path` (its first element names the
/// variable, whichever it is) in the declaration of the rule's node, and its
/// `MaxElements`, whatever its type (so a number's size is 0, and a path rooted at an
/// inline list reads the rule's node itself).
fn estimate_size(root: &Rc<Decl>, path: &[Rc<str>]) -> Option<Est> {
    if path.is_empty() {
        return None;
    }
    let key = map_key();
    let mut cur: &Decl = root;
    for name in &path[1..] {
        cur = match &**name {
            "@items" | "@values" => cur.elem()?,
            "@keys" => {
                if cur.is_map() {
                    &key
                } else {
                    return None;
                }
            }
            field => match &cur.kind {
                DeclKind::Object(fields) => fields.get(field)?,
                _ => return None,
            },
        };
    }
    Some(Est {
        min: 0,
        max: cur.max_elements as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// cel-go's `multiplyByCostFactor`: a product at or past 2^64 is `MaxUint64`, one
    /// just under it is kept, though `x` is then `MaxUint64 / y` to the last bit of a
    /// float64. The figures are what cel-go v0.26.0 gives
    /// (`checker.FixedSizeEstimate(x).MultiplyByCostFactor(y).Max`).
    #[test]
    fn a_cost_factor_saturates_only_past_u64_max() {
        let just_under = 18_446_744_073_709_549_568;
        assert_eq!(mul_by_factor(4_854_406_335_186_723_840, 3.8), just_under);
        assert_eq!(mul_by_factor(9_708_812_670_373_447_680, 1.9), just_under);
        assert_eq!(mul_by_factor(1 << 63, 2.0), u64::MAX);
        assert_eq!(mul_by_factor((1 << 63) - 1, 2.0), u64::MAX);
        assert_eq!(mul_by_factor(u64::MAX, 1.0), u64::MAX);
        assert_eq!(mul_by_factor(u64::MAX, 0.1), 1_844_674_407_370_955_264);
        assert_eq!(mul_by_factor(10, 0.25), 3);
        assert_eq!(mul_by_factor(0, 3.8), 0);
    }

    /// The last element of `p`, as a string.
    fn last(p: &Path) -> String {
        p.to_vec().last().map(|s| s.to_string()).unwrap_or_default()
    }

    /// The capacities a `[]string` takes as it grows one `append` at a time from one
    /// element, as Go 1.26 (linux/amd64) prints them for a slice on the heap (`Sink =
    /// &s`, so that the compiler does not start it on the stack), from `for { s =
    /// append(s, "x"); if cap(s) != last { last = cap(s); fmt.Print(last, " ") } }`.
    /// Past 32, they come from the allocator's size classes and then whole pages.
    const GO_CAPACITIES: [usize; 28] = [
        1, 2, 4, 8, 16, 32, 71, 143, 303, 591, 1023, 1535, 2560, 3584, 5120, 6656, 8704, 11264,
        14336, 18432, 23552, 29696, 37376, 47104, 59392, 74752, 93696, 117760,
    ];

    #[test]
    fn a_path_grows_as_a_go_slice_of_strings_does() {
        let mut cap = 0;
        let grown: Vec<usize> = std::iter::repeat_with(|| {
            cap = go_string_slice_growth(cap);
            cap
        })
        .take(GO_CAPACITIES.len())
        .collect();
        assert_eq!(grown, GO_CAPACITIES);
    }

    /// Two appends to one path share its storage as two Go `append`s to one `[]string`
    /// do: when the slice has room (length < capacity), both write the same slot and
    /// the first result reads the second's element. So the slot is shared unless the
    /// length is one of Go's capacities.
    #[test]
    fn appends_share_a_paths_storage_as_go_appends_do() {
        let mut p = Path::one("self");
        for n in 1..=1100usize {
            assert_eq!(p.to_vec().len(), n);
            let a = p.append("a");
            let b = p.append("b");
            assert_eq!(a.to_vec().len(), n + 1, "length {n}");
            assert_eq!(a.to_vec()[..n], p.to_vec()[..], "length {n}");
            assert_eq!(last(&b), "b", "length {n}");
            let shared = last(&a) == "b";
            assert_eq!(shared, !GO_CAPACITIES.contains(&n), "length {n}");
            p = p.append(&format!("f{n}"));
        }
        assert_eq!(Path::default().append("x").to_vec().len(), 1);
    }
}
