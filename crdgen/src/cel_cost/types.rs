//! CEL types as cel-go's checker sees them, and its unification rules
//! (`checker/types.go`): what the cost estimator needs to know about an expression is
//! its type's kind (map, struct, list...), its parameters and the overloads a call
//! resolved to.

use std::{collections::HashMap, fmt, rc::Rc};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    Dyn,
    Error,
    Any,
    Null,
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    Duration,
    Timestamp,
    List(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    /// Objects of the schema (named by their place in it, as the apiserver names them)
    /// and the Kubernetes library's object types (`kubernetes.URL`, `kubernetes.Quantity`...).
    Struct(Rc<str>),
    /// `optional_type`, `net.IP`, `net.CIDR`, `function`.
    Opaque(Rc<str>, Vec<Ty>),
    /// The type of a type value; `None` is the unparameterized `type`.
    Type(Option<Box<Ty>>),
    Param(Rc<str>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dyn,
    Error,
    Any,
    Null,
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    Duration,
    Timestamp,
    List,
    Map,
    Struct,
    Opaque,
    Type,
    Param,
}

impl Ty {
    pub fn kind(&self) -> Kind {
        match self {
            Ty::Dyn => Kind::Dyn,
            Ty::Error => Kind::Error,
            Ty::Any => Kind::Any,
            Ty::Null => Kind::Null,
            Ty::Bool => Kind::Bool,
            Ty::Int => Kind::Int,
            Ty::Uint => Kind::Uint,
            Ty::Double => Kind::Double,
            Ty::String => Kind::String,
            Ty::Bytes => Kind::Bytes,
            Ty::Duration => Kind::Duration,
            Ty::Timestamp => Kind::Timestamp,
            Ty::List(_) => Kind::List,
            Ty::Map(..) => Kind::Map,
            Ty::Struct(_) => Kind::Struct,
            Ty::Opaque(..) => Kind::Opaque,
            Ty::Type(_) => Kind::Type,
            Ty::Param(_) => Kind::Param,
        }
    }

    pub fn opt(t: Ty) -> Ty {
        Ty::Opaque("optional_type".into(), vec![t])
    }

    pub fn list(t: Ty) -> Ty {
        Ty::List(Box::new(t))
    }

    pub fn map(k: Ty, v: Ty) -> Ty {
        Ty::Map(Box::new(k), Box::new(v))
    }

    /// `Parameters()`: list element; map key and value; opaque parameters; a type's type.
    pub fn params(&self) -> Vec<&Ty> {
        match self {
            Ty::List(e) => vec![e],
            Ty::Map(k, v) => vec![k, v],
            Ty::Opaque(_, ps) => ps.iter().collect(),
            Ty::Type(Some(t)) => vec![t],
            _ => vec![],
        }
    }

    pub fn type_name(&self) -> Option<&str> {
        match self {
            Ty::Struct(n) | Ty::Opaque(n, _) | Ty::Param(n) => Some(n),
            _ => None,
        }
    }

    fn unwrap_optional(&self) -> (&Ty, bool) {
        match self {
            Ty::Opaque(n, ps) if &**n == "optional_type" => (&ps[0], true),
            _ => (self, false),
        }
    }

    pub fn is_dyn_or_error(&self) -> bool {
        matches!(self, Ty::Dyn | Ty::Error)
    }
}

/// As cel-go's `FormatCELType` writes types in the checker's errors.
impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Dyn => f.write_str("dyn"),
            Ty::Error => f.write_str("!error!"),
            Ty::Any => f.write_str("any"),
            Ty::Null => f.write_str("null"),
            Ty::Bool => f.write_str("bool"),
            Ty::Int => f.write_str("int"),
            Ty::Uint => f.write_str("uint"),
            Ty::Double => f.write_str("double"),
            Ty::String => f.write_str("string"),
            Ty::Bytes => f.write_str("bytes"),
            Ty::Duration => f.write_str("duration"),
            Ty::Timestamp => f.write_str("timestamp"),
            Ty::List(e) => write!(f, "list({e})"),
            Ty::Map(k, v) => write!(f, "map({k}, {v})"),
            Ty::Struct(n) | Ty::Param(n) => f.write_str(n),
            Ty::Opaque(n, ps) => {
                f.write_str(n)?;
                if !ps.is_empty() {
                    f.write_str("(")?;
                    for (i, p) in ps.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{p}")?;
                    }
                    f.write_str(")")?;
                }
                Ok(())
            }
            Ty::Type(None) => f.write_str("type"),
            Ty::Type(Some(t)) => write!(f, "type({t})"),
        }
    }
}

/// Type parameter substitutions (`checker/mapping.go`).
#[derive(Clone, Debug, Default)]
pub struct Mapping(HashMap<Rc<str>, Ty>);

impl Mapping {
    fn find(&self, t: &Ty) -> Option<&Ty> {
        match t {
            Ty::Param(n) => self.0.get(n),
            _ => None,
        }
    }

    pub fn add(&mut self, from: &Ty, to: Ty) {
        if let Ty::Param(n) = from {
            self.0.insert(n.clone(), to);
        }
    }
}

fn is_equal_or_less_specific(t1: &Ty, t2: &Ty) -> bool {
    let (k1, k2) = (t1.kind(), t2.kind());
    if k1 == Kind::Dyn || k1 == Kind::Param {
        return true;
    }
    if k2 == Kind::Dyn || k2 == Kind::Param {
        return false;
    }
    if k1 != k2 {
        return false;
    }
    match (t1, t2) {
        (Ty::Opaque(n1, p1), Ty::Opaque(n2, p2)) => {
            n1 == n2
                && p1.len() == p2.len()
                && p1
                    .iter()
                    .zip(p2)
                    .all(|(a, b)| is_equal_or_less_specific(a, b))
        }
        (Ty::List(a), Ty::List(b)) => is_equal_or_less_specific(a, b),
        (Ty::Map(k1, v1), Ty::Map(k2, v2)) => {
            is_equal_or_less_specific(k1, k2) && is_equal_or_less_specific(v1, v2)
        }
        (Ty::Type(_), Ty::Type(_)) => true,
        _ => t1 == t2,
    }
}

fn internal_is_assignable(m: &mut Mapping, t1: &Ty, t2: &Ty) -> bool {
    let (k1, k2) = (t1.kind(), t2.kind());
    if k2 == Kind::Param {
        let (valid, t2_has_sub) = is_valid_type_substitution(m, t1, t2);
        if valid {
            return true;
        }
        if t2_has_sub {
            return false;
        }
    }
    if k1 == Kind::Param {
        return is_valid_type_substitution(m, t2, t1).0;
    }
    if t1.is_dyn_or_error() || t2.is_dyn_or_error() {
        return true;
    }
    if k1 == Kind::Null {
        return is_assignable_null(t2);
    }
    if k2 == Kind::Null {
        return is_assignable_null(t1);
    }
    match k1 {
        Kind::Bool
        | Kind::Bytes
        | Kind::Double
        | Kind::Int
        | Kind::String
        | Kind::Uint
        | Kind::Any
        | Kind::Duration
        | Kind::Timestamp
        | Kind::Struct => is_assignable_type(t2, t1),
        Kind::Type => k2 == Kind::Type,
        Kind::Opaque | Kind::List | Kind::Map => {
            k1 == k2 && t1.type_name() == t2.type_name() && {
                let (p1, p2) = (t1.params(), t2.params());
                p1.len() == p2.len()
                    && p1
                        .iter()
                        .zip(p2.iter())
                        .all(|(a, b)| internal_is_assignable(m, a, b))
            }
        }
        _ => false,
    }
}

/// `types.Type.IsAssignableType` for the kinds it is called with: the same type, or
/// `any` accepting everything.
fn is_assignable_type(t: &Ty, from: &Ty) -> bool {
    t == from || *t == Ty::Any
}

fn is_assignable_null(t: &Ty) -> bool {
    matches!(
        t.kind(),
        Kind::Opaque | Kind::Struct | Kind::Any | Kind::Duration | Kind::Timestamp
    ) || is_assignable_type(t, &Ty::Null)
}

fn is_valid_type_substitution(m: &mut Mapping, t1: &Ty, t2: &Ty) -> (bool, bool) {
    if t1 == t2 {
        return (true, true);
    }
    if let Some(t2_sub) = m.find(t2).cloned() {
        if *t1 == t2_sub {
            return (true, true);
        }
        if internal_is_assignable(m, t1, &t2_sub) {
            let t2_new = most_general(t1, &t2_sub).clone();
            if not_referenced_in(m, t2, &t2_new) {
                m.add(t2, t2_new);
            }
            return (true, true);
        }
        return (false, true);
    }
    if not_referenced_in(m, t2, t1) {
        m.add(t2, t1.clone());
        return (true, false);
    }
    (false, false)
}

pub fn most_general<'a>(t1: &'a Ty, t2: &'a Ty) -> &'a Ty {
    if is_equal_or_less_specific(t1, t2) {
        t1
    } else {
        t2
    }
}

fn not_referenced_in(m: &Mapping, t: &Ty, within: &Ty) -> bool {
    if t == within {
        return false;
    }
    match within.kind() {
        Kind::Param => match m.find(within) {
            None => true,
            Some(sub) => not_referenced_in(m, t, sub),
        },
        Kind::Opaque | Kind::List | Kind::Map | Kind::Type => {
            within.params().iter().all(|p| not_referenced_in(m, t, p))
        }
        _ => true,
    }
}

/// `isAssignable`: on success the substitutions found are kept.
pub fn is_assignable(m: &mut Mapping, t1: &Ty, t2: &Ty) -> bool {
    let mut copy = m.clone();
    if internal_is_assignable(&mut copy, t1, t2) {
        *m = copy;
        true
    } else {
        false
    }
}

pub fn is_assignable_list(m: &mut Mapping, l1: &[Ty], l2: &[Ty]) -> bool {
    if l1.len() != l2.len() {
        return false;
    }
    let mut copy = m.clone();
    if l1
        .iter()
        .zip(l2)
        .all(|(a, b)| internal_is_assignable(&mut copy, a, b))
    {
        *m = copy;
        true
    } else {
        false
    }
}

pub fn substitute(m: &Mapping, t: &Ty, param_to_dyn: bool) -> Ty {
    if let Some(sub) = m.find(t) {
        return substitute(m, sub, param_to_dyn);
    }
    match t {
        Ty::Param(_) if param_to_dyn => Ty::Dyn,
        Ty::Opaque(n, ps) => Ty::Opaque(
            n.clone(),
            ps.iter().map(|p| substitute(m, p, param_to_dyn)).collect(),
        ),
        Ty::List(e) => Ty::list(substitute(m, e, param_to_dyn)),
        Ty::Map(k, v) => Ty::map(
            substitute(m, k, param_to_dyn),
            substitute(m, v, param_to_dyn),
        ),
        Ty::Type(Some(p)) => Ty::Type(Some(Box::new(substitute(m, p, param_to_dyn)))),
        _ => t.clone(),
    }
}

/// `maybeUnwrapOptional`.
pub fn unwrap_optional(t: &Ty) -> (&Ty, bool) {
    t.unwrap_optional()
}
