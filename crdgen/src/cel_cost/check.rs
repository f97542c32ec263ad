//! A type-checker for the rules of one schema node, after cel-go's `checker/checker.go`:
//! the type of every expression and the overloads every call resolves to, which is what
//! the cost estimator reads.

use super::{
    decl::{Decl, DeclKind},
    funcs::{Functions, functions},
    types::{self, Mapping, Ty},
};
use cel::common::ast::{
    CallExpr, ComprehensionExpr, EntryExpr, Expr, IdedExpr, ListExpr, LiteralValue,
};
use std::{collections::HashMap, rc::Rc};

/// What the checker found.
#[derive(Default)]
pub struct Checked {
    pub types: HashMap<u64, Ty>,
    pub overloads: HashMap<u64, Vec<Rc<str>>>,
    /// Calls whose name resolved to a namespaced function (`sets.contains(a, b)`): the
    /// full name; the receiver is not a receiver.
    pub namespaced: HashMap<u64, String>,
    /// Selections that are a qualified name (`google.protobuf.Duration`): cel-go's
    /// checker rewrites them to one identifier of that name.
    pub qualified: HashMap<u64, String>,
}

/// The schema's object types by name (`selfType0.spec`, `...targets.@idx`), as the
/// apiserver's type provider registers them.
pub struct Env {
    pub self_type: Ty,
    pub objects: HashMap<Rc<str>, Rc<Decl>>,
    pub old_self_optional: bool,
}

impl Env {
    pub fn new(root: &Rc<Decl>, old_self_optional: bool) -> Env {
        let mut objects = HashMap::new();
        let self_type = cel_type(root, "selfType0", &mut objects);
        Env {
            self_type,
            objects,
            old_self_optional,
        }
    }
}

/// `MaybeAssignTypeName` + `CelType`: objects are named by their place in the schema.
fn cel_type(d: &Rc<Decl>, name: &str, objects: &mut HashMap<Rc<str>, Rc<Decl>>) -> Ty {
    match &d.kind {
        DeclKind::Object(fields) => {
            for (f, t) in fields {
                cel_type(t, &format!("{name}.{f}"), objects);
            }
            let n: Rc<str> = name.into();
            objects.insert(n.clone(), d.clone());
            Ty::Struct(n)
        }
        DeclKind::List(e) => Ty::list(cel_type(e, &format!("{name}.@idx"), objects)),
        DeclKind::Map(e) => Ty::map(Ty::String, cel_type(e, &format!("{name}.@elem"), objects)),
        DeclKind::Scalar(t) => t.clone(),
    }
}

fn field_type(env: &Env, struct_name: &str, field: &str) -> Option<Ty> {
    let d = env.objects.get(struct_name)?;
    let DeclKind::Object(fields) = &d.kind else {
        return None;
    };
    let f = fields.get(field)?;
    Some(cel_type(
        f,
        &format!("{struct_name}.{field}"),
        &mut HashMap::new(),
    ))
}

pub struct Checker<'a> {
    env: &'a Env,
    fns: &'static Functions,
    scopes: Vec<HashMap<String, Ty>>,
    mappings: Mapping,
    free: usize,
    out: Checked,
    pub errors: Vec<String>,
}

impl<'a> Checker<'a> {
    pub fn new(env: &'a Env) -> Self {
        Checker {
            env,
            fns: functions(),
            scopes: vec![],
            mappings: Mapping::default(),
            free: 0,
            out: Checked::default(),
            errors: vec![],
        }
    }

    /// Checks `e`; the types are final (type parameters left free become `dyn`).
    pub fn check_all(mut self, e: &IdedExpr) -> Result<Checked, String> {
        self.check(e);
        if !self.errors.is_empty() {
            return Err(self.errors.join("; "));
        }
        let m = std::mem::take(&mut self.mappings);
        for t in self.out.types.values_mut() {
            *t = types::substitute(&m, t, true);
        }
        // The apiserver's AST validators, in its order: literal conversions first.
        let mut nodes = Vec::new();
        descendants(e, false, &mut nodes);
        let mut errors = super::literals::literal_errors(nodes.iter().map(|(e, _)| *e));
        errors.extend(homogeneous_literals(&nodes, &self.out.types));
        if !errors.is_empty() {
            return Err(errors.join("; "));
        }
        Ok(self.out)
    }

    fn set(&mut self, e: &IdedExpr, t: Ty) {
        self.out.types.insert(e.id, t);
    }

    fn get(&self, e: &IdedExpr) -> Ty {
        self.out.types.get(&e.id).cloned().unwrap_or(Ty::Error)
    }

    fn lookup_ident(&self, name: &str) -> Option<Ty> {
        for s in self.scopes.iter().rev() {
            if let Some(t) = s.get(name) {
                return Some(t.clone());
            }
        }
        match name {
            "self" => Some(self.env.self_type.clone()),
            "oldSelf" if self.env.old_self_optional => Some(Ty::opt(self.env.self_type.clone())),
            "oldSelf" => Some(self.env.self_type.clone()),
            "bool" => Some(Ty::Type(Some(Box::new(Ty::Bool)))),
            "bytes" => Some(Ty::Type(Some(Box::new(Ty::Bytes)))),
            "double" => Some(Ty::Type(Some(Box::new(Ty::Double)))),
            "int" => Some(Ty::Type(Some(Box::new(Ty::Int)))),
            "uint" => Some(Ty::Type(Some(Box::new(Ty::Uint)))),
            "string" => Some(Ty::Type(Some(Box::new(Ty::String)))),
            "null_type" => Some(Ty::Type(Some(Box::new(Ty::Null)))),
            "optional_type" => Some(Ty::Type(Some(Box::new(Ty::opt(Ty::Dyn))))),
            "type" => Some(Ty::Type(Some(Box::new(Ty::Type(None))))),
            "list" => Some(Ty::Type(Some(Box::new(Ty::list(Ty::Dyn))))),
            "map" => Some(Ty::Type(Some(Box::new(Ty::map(Ty::Dyn, Ty::Dyn))))),
            "google.protobuf.Duration" => Some(Ty::Type(Some(Box::new(Ty::Duration)))),
            "google.protobuf.Timestamp" => Some(Ty::Type(Some(Box::new(Ty::Timestamp)))),
            _ => None,
        }
    }

    fn check(&mut self, e: &IdedExpr) {
        match &e.expr {
            Expr::Literal(l) => {
                let t = match l {
                    LiteralValue::Boolean(_) => Ty::Bool,
                    LiteralValue::Bytes(_) => Ty::Bytes,
                    LiteralValue::Double(_) => Ty::Double,
                    LiteralValue::Int(_) => Ty::Int,
                    LiteralValue::Null => Ty::Null,
                    LiteralValue::String(_) => Ty::String,
                    LiteralValue::UInt(_) => Ty::Uint,
                };
                self.set(e, t);
            }
            Expr::Ident(name) => match self.lookup_ident(name) {
                Some(t) => self.set(e, t),
                None => {
                    self.errors.push(format!(
                        "undeclared reference to '{name}' (in container '')"
                    ));
                    self.set(e, Ty::Error);
                }
            },
            Expr::Select(sel) => {
                // Before the field, a qualified name (`google.protobuf.Duration`), as
                // cel-go's checkSelect resolves it.
                if !sel.test
                    && let Some(q) = Self::qualified_name(e)
                    && let Some(t) = self.lookup_ident(&q)
                {
                    self.set(e, t);
                    self.out.qualified.insert(e.id, q);
                    return;
                }
                let t = self.check_select_field(&sel.operand, &sel.field, false);
                let t = if sel.test { Ty::Bool } else { t };
                let t = types::substitute(&self.mappings, &t, false);
                self.set(e, t);
            }
            Expr::Call(call) => self.check_call(e, call),
            Expr::List(list) => self.check_list(e, list),
            Expr::Map(map) => {
                let (mut kt, mut vt): (Option<Ty>, Option<Ty>) = (None, None);
                for entry in &map.entries {
                    if let EntryExpr::MapEntry(me) = &entry.expr {
                        self.check(&me.key);
                        let k = self.get(&me.key);
                        kt = Some(self.join(kt, k));
                        self.check(&me.value);
                        let mut v = self.get(&me.value);
                        if me.optional {
                            v = types::unwrap_optional(&v).0.clone();
                        }
                        vt = Some(self.join(vt, v));
                    }
                }
                let t = match (kt, vt) {
                    (Some(k), Some(v)) => Ty::map(k, v),
                    _ => Ty::map(self.new_var(), self.new_var()),
                };
                self.set(e, t);
            }
            Expr::Struct(_) => {
                self.errors
                    .push("message construction is not supported in CRD rules".into());
                self.set(e, Ty::Error);
            }
            Expr::Comprehension(c) => self.check_comprehension(e, c),
            Expr::Unspecified => {
                self.errors.push("unspecified expression".into());
                self.set(e, Ty::Error);
            }
        }
    }

    fn new_var(&mut self) -> Ty {
        let t = Ty::Param(format!("_var{}", self.free).into());
        self.free += 1;
        t
    }

    fn join(&mut self, prev: Option<Ty>, cur: Ty) -> Ty {
        match prev {
            None => cur,
            Some(p) => {
                if types::is_assignable(&mut self.mappings, &p, &cur) {
                    types::most_general(&p, &cur).clone()
                } else {
                    // The apiserver's checker joins mixed literals as `dyn` (its AST
                    // validator then refuses them outside `format` arguments:
                    // `homogeneous_literals`).
                    Ty::Dyn
                }
            }
        }
    }

    fn check_list(&mut self, e: &IdedExpr, list: &ListExpr) {
        let mut et: Option<Ty> = None;
        for (i, el) in list.elements.iter().enumerate() {
            self.check(el);
            let mut t = self.get(el);
            if list.optional_indices.contains(&i) {
                t = types::unwrap_optional(&t).0.clone();
            }
            et = Some(self.join(et, t));
        }
        let et = match et {
            Some(t) => t,
            None => self.new_var(),
        };
        self.set(e, Ty::list(et));
    }

    fn check_select_field(&mut self, operand: &IdedExpr, field: &str, optional: bool) -> Ty {
        self.check(operand);
        let operand_type = types::substitute(&self.mappings, &self.get(operand), false);
        let (target, is_opt) = types::unwrap_optional(&operand_type);
        let target = target.clone();
        let result = match &target {
            Ty::Map(_, v) => (**v).clone(),
            Ty::Struct(name) => match field_type(self.env, name, field) {
                Some(t) => t,
                None => {
                    self.errors.push(format!("undefined field '{field}'"));
                    Ty::Error
                }
            },
            Ty::Param(_) => {
                types::is_assignable(&mut self.mappings, &Ty::Dyn, &target);
                Ty::Dyn
            }
            t => {
                if !t.is_dyn_or_error() {
                    self.errors
                        .push(format!("type '{t}' does not support field selection"));
                }
                Ty::Dyn
            }
        };
        if is_opt || optional {
            Ty::opt(result)
        } else {
            result
        }
    }

    /// `a.b.c` as a qualified name, when it is one.
    fn qualified_name(e: &IdedExpr) -> Option<String> {
        match &e.expr {
            Expr::Ident(n) => Some(n.clone()),
            Expr::Select(s) if !s.test => {
                Some(format!("{}.{}", Self::qualified_name(&s.operand)?, s.field))
            }
            _ => None,
        }
    }

    fn check_call(&mut self, e: &IdedExpr, call: &CallExpr) {
        if call.func_name == "_?._" {
            let field = match call.args.get(1).map(|a| &a.expr) {
                Some(Expr::Literal(LiteralValue::String(s))) => s.to_string(),
                _ => {
                    self.errors.push("bad optional field selection".into());
                    self.set(e, Ty::Error);
                    return;
                }
            };
            let t = self.check_select_field(&call.args[0], &field, true);
            let t = types::substitute(&self.mappings, &t, false);
            self.set(e, t);
            self.out
                .overloads
                .insert(e.id, vec!["select_optional_field".into()]);
            return;
        }
        for a in &call.args {
            self.check(a);
        }
        let Some(target) = &call.target else {
            self.resolve(e, &call.func_name, None, &call.args);
            return;
        };
        if let Some(q) = Self::qualified_name(target) {
            let full = format!("{q}.{}", call.func_name);
            if self.fns.get(&full).is_some() {
                self.out.namespaced.insert(e.id, full.clone());
                self.resolve(e, &full, None, &call.args);
                return;
            }
        }
        self.check(target);
        self.resolve(e, &call.func_name, Some(target), &call.args);
    }

    fn resolve(&mut self, e: &IdedExpr, name: &str, target: Option<&IdedExpr>, args: &[IdedExpr]) {
        let Some(overloads) = self.fns.get(name) else {
            self.errors.push(format!(
                "undeclared reference to '{name}' (in container '')"
            ));
            self.set(e, Ty::Error);
            return;
        };
        let mut arg_types: Vec<Ty> = Vec::new();
        if let Some(t) = target {
            arg_types.push(self.get(t));
        }
        arg_types.extend(args.iter().map(|a| self.get(a)));
        let mut result: Option<Ty> = None;
        let mut ids: Vec<Rc<str>> = Vec::new();
        for o in overloads {
            if target.is_some() != o.member {
                continue;
            }
            if name == "_&&_" || name == "_||_" {
                for t in &arg_types {
                    if !types::is_assignable(&mut self.mappings, t, &Ty::Bool) {
                        self.errors
                            .push(format!("expected type 'bool' but found '{t}'"));
                    }
                }
                self.out.overloads.insert(e.id, vec![o.id.clone()]);
                self.set(e, Ty::Bool);
                return;
            }
            let mut sig: Vec<Ty> = o.args.clone();
            let mut res = o.result.clone();
            if !o.type_params.is_empty() {
                let mut subs = Mapping::default();
                for p in &o.type_params {
                    let v = self.new_var();
                    subs.add(&Ty::Param(p.clone()), v);
                }
                sig = sig
                    .iter()
                    .map(|t| types::substitute(&subs, t, false))
                    .collect();
                res = types::substitute(&subs, &res, false);
            }
            if types::is_assignable_list(&mut self.mappings, &arg_types, &sig) {
                ids.push(o.id.clone());
                let r = types::substitute(&self.mappings, &res, false);
                result = Some(match result {
                    None => r,
                    Some(prev) if prev != Ty::Dyn && prev != r => Ty::Dyn,
                    Some(prev) => prev,
                });
            }
        }
        match result {
            Some(t) => {
                self.set(e, t);
                self.out.overloads.insert(e.id, ids);
            }
            None => {
                let mut shown: Vec<String> = arg_types
                    .iter()
                    .map(|t| types::substitute(&self.mappings, t, true).to_string())
                    .collect();
                // A member call as `target.(args)`, as cel-go writes it.
                let receiver = match target {
                    Some(_) => format!("{}.", shown.remove(0)),
                    None => String::new(),
                };
                self.errors.push(format!(
                    "found no matching overload for '{name}' applied to '{receiver}({})'",
                    shown.join(", ")
                ));
                self.set(e, Ty::Error);
            }
        }
    }

    fn check_comprehension(&mut self, e: &IdedExpr, c: &ComprehensionExpr) {
        self.check(&c.iter_range);
        self.check(&c.accu_init);
        let range = types::substitute(&self.mappings, &self.get(&c.iter_range), false);
        let accu = self.get(&c.accu_init);
        self.scopes
            .push(HashMap::from([(c.accu_var.clone(), accu.clone())]));
        let (var, var2) = match &range {
            Ty::List(el) => {
                if c.iter_var2.is_some() {
                    (Ty::Int, Some((**el).clone()))
                } else {
                    ((**el).clone(), None)
                }
            }
            Ty::Map(k, v) => ((**k).clone(), c.iter_var2.as_ref().map(|_| (**v).clone())),
            Ty::Dyn | Ty::Error | Ty::Param(_) => {
                types::is_assignable(&mut self.mappings, &Ty::Dyn, &range);
                (Ty::Dyn, c.iter_var2.as_ref().map(|_| Ty::Dyn))
            }
            t => {
                self.errors.push(format!(
                    "expression of type '{t}' cannot be range of a comprehension \
                     (must be list, map, or dynamic)"
                ));
                (Ty::Error, c.iter_var2.as_ref().map(|_| Ty::Error))
            }
        };
        let mut scope = HashMap::from([(c.iter_var.clone(), var)]);
        if let (Some(n), Some(t)) = (&c.iter_var2, var2) {
            scope.insert(n.clone(), t);
        }
        self.scopes.push(scope);
        self.check(&c.loop_cond);
        self.assert_type(&c.loop_cond, &Ty::Bool);
        self.check(&c.loop_step);
        self.assert_type(&c.loop_step, &accu);
        self.scopes.pop();
        self.check(&c.result);
        self.scopes.pop();
        let t = types::substitute(&self.mappings, &self.get(&c.result), false);
        self.set(e, t);
    }

    fn assert_type(&mut self, e: &IdedExpr, t: &Ty) {
        let actual = self.get(e);
        if !types::is_assignable(&mut self.mappings, t, &actual) {
            self.errors
                .push(format!("expected type '{t}' but found '{actual}'"));
        }
    }
}

/// Every expression of `e`, parents before children, each with whether it is inside a
/// `format` call (or is one): the nodes cel-go's AST validators look at.
fn descendants<'e>(e: &'e IdedExpr, in_format: bool, out: &mut Vec<(&'e IdedExpr, bool)>) {
    let in_format = in_format || matches!(&e.expr, Expr::Call(c) if c.func_name == "format");
    out.push((e, in_format));
    match &e.expr {
        Expr::Select(s) => descendants(&s.operand, in_format, out),
        Expr::Call(c) => {
            for a in c.target.iter().map(|t| &**t).chain(&c.args) {
                descendants(a, in_format, out);
            }
        }
        Expr::List(l) => {
            for el in &l.elements {
                descendants(el, in_format, out);
            }
        }
        Expr::Map(m) => {
            for en in &m.entries {
                if let EntryExpr::MapEntry(me) = &en.expr {
                    descendants(&me.key, in_format, out);
                    descendants(&me.value, in_format, out);
                }
            }
        }
        Expr::Comprehension(c) => {
            for x in [
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ] {
                descendants(x, in_format, out);
            }
        }
        Expr::Struct(_) | Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

/// cel-go's `ValidateHomogeneousAggregateLiterals`, which the apiserver runs on a rule
/// the checker accepted: the elements of a list literal, and the keys and the values of
/// a map literal, are all of one type, except at any depth inside a `format` call. The
/// errors of list literals first, then those of map literals.
fn homogeneous_literals(nodes: &[(&IdedExpr, bool)], types: &HashMap<u64, Ty>) -> Vec<String> {
    let ty = |e: &IdedExpr| types.get(&e.id).cloned().unwrap_or(Ty::Error);
    let opt_inner = |t: Ty, optional: bool| {
        if optional {
            types::unwrap_optional(&t).0.clone()
        } else {
            t
        }
    };
    let mismatch =
        |expected: &Ty, actual: &Ty| format!("expected type '{expected}' but found '{actual}'");
    let found: Vec<&IdedExpr> = nodes
        .iter()
        .filter(|(e, in_format)| !in_format && matches!(e.expr, Expr::List(_) | Expr::Map(_)))
        .map(|(e, _)| *e)
        .collect();
    let mut errors = Vec::new();
    for lit in &found {
        if let Expr::List(l) = &lit.expr {
            let mut first: Option<Ty> = None;
            for (i, el) in l.elements.iter().enumerate() {
                let t = opt_inner(ty(el), l.optional_indices.contains(&i));
                match &first {
                    None => first = Some(t),
                    Some(f) if *f != t => {
                        errors.push(mismatch(f, &t));
                        break;
                    }
                    Some(_) => {}
                }
            }
        }
    }
    for lit in &found {
        if let Expr::Map(m) = &lit.expr {
            let mut first: Option<(Ty, Ty)> = None;
            for en in &m.entries {
                let EntryExpr::MapEntry(me) = &en.expr else {
                    continue;
                };
                let (k, v) = (ty(&me.key), opt_inner(ty(&me.value), me.optional));
                match &first {
                    None => first = Some((k, v)),
                    Some((fk, fv)) => {
                        if *fk != k {
                            errors.push(mismatch(fk, &k));
                        }
                        if *fv != v {
                            errors.push(mismatch(fv, &v));
                        }
                    }
                }
            }
        }
    }
    errors
}
