//! Offline validation of `agentgateway.dev` custom resources: what the apiserver does
//! when one is created, without a cluster.
//!
//! [`validate`] takes an object (as JSON) and, in the apiserver's order:
//!
//! 1. matches its `apiVersion` and `kind` to a CRD of [`agentgateway_api::crds`] and
//!    checks `metadata.name` / `metadata.namespace`;
//! 2. drops fields the schema does not declare (an error each in strict mode, as with
//!    `kubectl create --validate=strict`) and nulls of non-nullable fields;
//! 3. fills in schema defaults (kube-cel);
//! 4. checks the structural schema: types, enums, bounds, patterns, formats,
//!    required fields, int-or-string, unique `set`/`map` list entries;
//! 5. evaluates every `x-kubernetes-validations` rule with kube-cel, `self` bound to
//!    each node as the apiserver binds it (transition rules are skipped on create);
//!    like the apiserver, not when step 4 found a type, enum, required, length or
//!    count error.
//!
//! It returns the defaulted object, or every problem as a [`FieldError`] that prints
//! like the apiserver's (`spec.mcp.sessionRouting: Unsupported value: "Sticky": ...`).
//! Known differences from the apiserver are listed in `docs/validate.md`.

pub mod cost;
mod error;
pub mod source;
mod structural;

pub use error::{ErrorType, FieldError};

use kube_cel::{CompiledSchema, RootContext, Validator as CelValidator};
use serde_json::Value;
use std::{collections::HashMap, sync::OnceLock};
use structural::Patterns;

/// The API group of our CRDs; objects of other groups are not ours to judge.
pub const GROUP: &str = "agentgateway.dev";

/// One served version of one CRD, ready to validate against.
struct Crd {
    kind: String,
    api_version: String,
    namespaced: bool,
    /// With a status subresource, the apiserver drops `status` on create.
    status_subresource: bool,
    schema: Value,
    compiled: CompiledSchema,
    /// The rules again, checked for [`cost`] metering.
    meter: cost::SchemaMeter,
    root: RootContext,
    /// Each rule's message (or the rule itself when it has none), by rule text: the
    /// apiserver quotes it when a rule fails to evaluate.
    rule_messages: HashMap<String, String>,
}

impl Crd {
    /// `object` as the apiserver stores it before validating: `status` dropped under
    /// a status subresource, unknown fields pruned (their paths returned), defaults
    /// filled in.
    fn stored(&self, object: &Value) -> (Value, Vec<String>) {
        let mut obj = object.clone();
        if self.status_subresource
            && let Some(map) = obj.as_object_mut()
        {
            map.remove("status");
        }
        let mut unknown = vec![];
        structural::prune(&self.schema, &mut obj, "", &mut unknown);
        (kube_cel::apply_defaults(&self.schema, &obj), unknown)
    }
}

/// Each rule's message (or the rule itself when it has none), by rule text.
fn rule_messages(schema: &Value) -> HashMap<String, String> {
    let mut out = HashMap::new();
    crdgen::walk::walk(schema, |node| {
        let rules = node
            .get(crdgen::markers::VALIDATIONS)
            .and_then(Value::as_array);
        for r in rules.into_iter().flatten() {
            if let Some(rule) = r["rule"].as_str() {
                let msg = r["message"].as_str().unwrap_or(rule);
                out.insert(rule.to_owned(), msg.to_owned());
            }
        }
        crdgen::walk::Flow::Continue
    });
    out
}

/// Every CRD of the API, with compiled CEL rules and patterns. Build once, validate
/// many objects.
pub struct Validator {
    crds: Vec<Crd>,
    patterns: Patterns,
    cel: CelValidator,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validator")
            .field(
                "kinds",
                &self.crds.iter().map(|c| &c.kind).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Validator {
    /// Compiles the schemas of every CRD of [`agentgateway_api::crds`].
    pub fn new() -> Result<Self, String> {
        let mut crds = vec![];
        let mut patterns = Patterns::new();
        for src in agentgateway_api::crds() {
            let crd = src.normalized().map_err(|problems| {
                let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
                format!(
                    "the schema of {} is invalid: {}",
                    src.kind(),
                    text.join("; ")
                )
            })?;
            let group = crd["spec"]["group"].as_str().unwrap_or(GROUP).to_owned();
            let namespaced = crd["spec"]["scope"].as_str() != Some("Cluster");
            for (i, (version, schema)) in
                crdgen::walk::version_schemas(&crd).into_iter().enumerate()
            {
                let status_subresource = crd["spec"]["versions"][i]["subresources"]
                    .get("status")
                    .is_some();
                structural::patterns(schema, &mut patterns)
                    .map_err(|e| format!("a pattern of {} does not compile: {e}", src.kind()))?;
                let compiled = kube_cel::compile_schema(schema);
                if let Some(e) = compiled.compilation_errors().first() {
                    return Err(format!(
                        "a CEL rule of {} does not compile: {e}",
                        src.kind()
                    ));
                }
                let meter = cost::SchemaMeter::new(schema)
                    .map_err(|e| format!("a CEL rule of {} cannot be metered: {e}", src.kind()))?;
                let api_version = format!("{group}/{version}");
                let rule_messages = rule_messages(schema);
                crds.push(Crd {
                    rule_messages,
                    kind: src.kind().to_owned(),
                    root: RootContext {
                        api_version: api_version.clone(),
                        api_group: group.clone(),
                        kind: src.kind().to_owned(),
                    },
                    api_version,
                    namespaced,
                    status_subresource,
                    schema: schema.clone(),
                    compiled,
                    meter,
                });
            }
        }
        Ok(Self {
            crds,
            patterns,
            cel: CelValidator::new(),
        })
    }

    /// Whether `object` belongs to our API group (others are not validated).
    pub fn is_ours(object: &Value) -> bool {
        object["apiVersion"]
            .as_str()
            .is_some_and(|v| v.split_once('/').is_some_and(|(g, _)| g == GROUP))
    }

    /// Validates `object` as the apiserver would on create; `strict` makes unknown
    /// fields errors instead of dropping them. Returns the object as it would be
    /// stored (pruned and defaulted), or every problem found.
    pub fn validate(&self, object: &Value, strict: bool) -> Result<Value, Vec<FieldError>> {
        let api_version = object["apiVersion"].as_str().unwrap_or_default();
        let kind = object["kind"].as_str().unwrap_or_default();
        let Some(crd) = self
            .crds
            .iter()
            .find(|c| c.kind == kind && c.api_version == api_version)
        else {
            return Err(vec![FieldError::new(
                "",
                ErrorType::Invalid,
                None,
                format!("no matches for kind \"{kind}\" in version \"{api_version}\""),
            )]);
        };

        let (obj, unknown) = crd.stored(object);
        if strict && !unknown.is_empty() {
            return Err(unknown
                .iter()
                .map(|p| FieldError::new(p, ErrorType::UnknownField, None, String::new()))
                .collect());
        }

        let mut errors = self.structural_errors(crd, &obj);
        if errors.iter().any(|e| e.kind.blocks_cel()) {
            errors.push(FieldError::rules_not_checked());
        } else {
            // kube-cel's duration() accepts strings Go's time.ParseDuration refuses
            // (`2m !`); cel-go fails those rules with a type conversion error.
            let mut conversions = vec![];
            structural::duration_conversions(&crd.schema, &obj, "", &mut conversions);
            let mut raw = self
                .cel
                .validate_compiled_with_context(&crd.compiled, &obj, None, Some(&crd.root))
                .err()
                .map(kube_cel::ValidationErrors::into_vec)
                .unwrap_or_default();
            // The apiserver meters every evaluation: past the per-call limit or the
            // object's budget it stops, and rules after that point never ran.
            let spent = crd.meter.meter(&obj);
            if spent.overrun.is_some() {
                let ran = |path: &str, rule: &str| {
                    spent.evaluated.iter().any(|(p, r)| {
                        r == rule && (path == p || path.starts_with(&format!("{p}.")))
                    })
                };
                raw.retain(|e| ran(&e.field_path, &e.rule));
                conversions.retain(|c| ran(&c.path, &c.rule));
            }
            let mut cel: Vec<FieldError> = raw
                .iter()
                .filter(|e| {
                    !conversions
                        .iter()
                        .any(|c| c.path == e.field_path && c.rule == e.rule)
                })
                .map(|e| cel_error(crd, &obj, e))
                .chain(conversions.iter().map(|c| {
                    FieldError::new(
                        &c.path,
                        ErrorType::Invalid,
                        Some("\"string\"".into()),
                        format!(
                            "type conversion error from 'string' to 'google.protobuf.Duration' \
                             evaluating rule: {}",
                            c.message
                        ),
                    )
                }))
                .collect();
            // kube-cel visits sibling properties in hash order (the apiserver in Go map
            // order): sorted by path, parents first, one node's rules in schema order.
            cel.sort_by(|a, b| a.path.cmp(&b.path));
            errors.extend(cel);
            errors.extend(spent.overrun);
        }
        if errors.is_empty() {
            Ok(obj)
        } else {
            Err(errors)
        }
    }
}

impl Validator {
    /// What the CEL rules cost when `object` is created (its stored form: pruned
    /// and defaulted; the cost is metered whatever the verdicts): the cost spent from
    /// the object's runtime budget, and the overrun that stopped validation, if one
    /// did. `None` when the object is not of our CRDs. With it, the stored form.
    pub fn cel_runtime_cost(&self, object: &Value) -> Option<(RuntimeCost, Value)> {
        let api_version = object["apiVersion"].as_str()?;
        let kind = object["kind"].as_str()?;
        let crd = self
            .crds
            .iter()
            .find(|c| c.kind == kind && c.api_version == api_version)?;
        let (stored, _) = crd.stored(object);
        let cost = if self
            .structural_errors(crd, &stored)
            .iter()
            .any(|e| e.kind.blocks_cel())
        {
            RuntimeCost {
                rules_run: false,
                spent: 0,
                overrun: None,
                order_dependent: false,
            }
        } else {
            let spent = crd.meter.meter(&stored);
            RuntimeCost {
                rules_run: true,
                spent: spent.cost,
                overrun: spent.overrun,
                order_dependent: spent.order_dependent,
            }
        };
        Some((cost, stored))
    }

    /// Step 4 of [`Validator::validate`]: metadata, types, bounds, list types.
    fn structural_errors(&self, crd: &Crd, obj: &Value) -> Vec<FieldError> {
        let mut errors = metadata_errors(&obj["metadata"], crd.namespaced);
        structural::check(&crd.schema, obj, "", &self.patterns, &mut errors);
        structural::check_list_types(&crd.schema, obj, "", &mut errors);
        errors
    }
}

/// See [`Validator::cel_runtime_cost`].
#[derive(Debug)]
pub struct RuntimeCost {
    /// False when a type, enum, required, length or count error keeps the apiserver
    /// from evaluating any rule (nothing is spent then).
    pub rules_run: bool,
    /// Of [`cost::RUNTIME_BUDGET`]; the whole budget after an overrun.
    pub spent: u64,
    pub overrun: Option<FieldError>,
    /// The cost depended on the order of a map's keys, which the apiserver takes
    /// in Go's map order ([`cost::Spent::order_dependent`]).
    pub order_dependent: bool,
}

/// The process-wide validator, built on first use.
pub fn shared() -> &'static Validator {
    static SHARED: OnceLock<Validator> = OnceLock::new();
    SHARED.get_or_init(|| match Validator::new() {
        Ok(v) => v,
        Err(e) => panic!("the API's own schemas must compile: {e}"),
    })
}

/// Validates `object` with the [`shared`] validator: see [`Validator::validate`].
pub fn validate(object: &Value, strict: bool) -> Result<Value, Vec<FieldError>> {
    shared().validate(object, strict)
}

/// The whole rejection as the apiserver words it after `The <Kind> "<name>" is invalid: `
/// (one error inline, several as `* ` lines), or as its strict decoding error.
pub fn apiserver_message(errors: &[FieldError]) -> String {
    if errors.iter().all(|e| e.kind == ErrorType::UnknownField) {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return format!("strict decoding error: {}", list.join(", "));
    }
    match errors {
        [one] => one.to_string(),
        many => many.iter().map(|e| format!("\n* {e}")).collect(),
    }
}

/// A failed CEL rule as the apiserver reports it: `Invalid value`, quoting the value
/// when it is a scalar; rules with a `reason` use that error type. A rule that fails to
/// evaluate quotes the node's schema type and names the rule's message.
fn cel_error(crd: &Crd, obj: &Value, e: &kube_cel::ValidationError) -> FieldError {
    use kube_cel::cel::ExecutionError as X;
    if matches!(
        e.kind,
        kube_cel::ErrorKind::EvaluationError | kube_cel::ErrorKind::UnsupportedReference
    ) {
        // The message of this rule on this node: rules with the same text on other
        // nodes may have other messages.
        let rule = schema_at(&crd.schema, &e.field_path)
            .and_then(|s| s.get(crdgen::markers::VALIDATIONS)?.as_array())
            .and_then(|rules| rules.iter().find(|r| r["rule"] == e.rule.as_str()))
            .map(|r| r["message"].as_str().unwrap_or(&e.rule))
            .or_else(|| crd.rule_messages.get(&e.rule).map(String::as_str))
            .unwrap_or(&e.rule);
        let ty = schema_at(&crd.schema, &e.field_path)
            .and_then(|s| s["type"].as_str())
            .unwrap_or_default();
        let cause = std::error::Error::source(e).and_then(|c| c.downcast_ref::<X>());
        let detail = match cause {
            // cel-go fails a conversion of a malformed string this way.
            Some(X::FunctionError { function, .. })
                if function == "duration" || function == "timestamp" =>
            {
                let target = if function == "duration" {
                    "Duration"
                } else {
                    "Timestamp"
                };
                format!(
                    "type conversion error from 'string' to 'google.protobuf.{target}' evaluating rule: {rule}"
                )
            }
            // cel-go's int()/uint() of a string strconv cannot parse (not a number, or
            // out of range).
            Some(X::FunctionError { function, message })
                if (function == "int" || function == "uint")
                    && message.starts_with("string parse error") =>
            {
                format!(
                    "type conversion error from 'string' to '{function}' evaluating rule: {rule}"
                )
            }
            // resource.ParseQuantity's error for a malformed quantity.
            Some(X::FunctionError { function, .. }) if function == "quantity" => format!(
                "quantities must match the regular expression \
                 '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' evaluating rule: {rule}"
            ),
            // cel-go's int()/uint() of a number out of range (errIntOverflow,
            // errUintOverflow), which the apiserver quotes as it is.
            Some(X::FunctionError { message, .. })
                if message == "integer overflow" || message == "unsigned integer overflow" =>
            {
                format!("{message} evaluating rule: {rule}")
            }
            Some(X::FunctionError { function, .. }) => format!(
                "'no such overload: {function}': call arguments did not match a supported operator, \
                 function or macro signature for rule: {rule}"
            ),
            Some(
                X::NoSuchOverload
                | X::UnsupportedTargetType { .. }
                | X::NotSupportedAsMethod { .. }
                | X::UnexpectedType { .. }
                | X::ValuesNotComparable(..)
                | X::UnsupportedUnaryOperator(..)
                | X::UnsupportedBinaryOperator(..),
            ) => format!(
                "'no such overload': call arguments did not match a supported operator, \
                 function or macro signature for rule: {rule}"
            ),
            // cel-go's wording (kube-cel capitalizes it).
            Some(X::NoSuchKey(key)) => format!("no such key: {key} evaluating rule: {rule}"),
            Some(c) => format!("{c} evaluating rule: {rule}"),
            None => format!("{} evaluating rule: {rule}", e.message),
        };
        return FieldError::new(
            &e.field_path,
            ErrorType::Invalid,
            Some(format!("\"{ty}\"")),
            detail,
        );
    }
    let value = value_at(obj, &e.field_path);
    let kind = match e.reason.as_deref() {
        Some("FieldValueRequired") => ErrorType::Required,
        Some("FieldValueDuplicate") => ErrorType::Duplicate,
        _ => ErrorType::Invalid,
    };
    let value = match kind {
        ErrorType::Invalid => value.and_then(error::quote),
        _ => None,
    };
    FieldError::new(&e.field_path, kind, value, e.message.clone())
}

/// The value at a kube-cel field path (`spec.a[0].b`).
fn value_at<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return Some(obj);
    }
    let mut v = obj;
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            v = v.get(key)?;
        }
        for index in rest.split('[') {
            let index = index.trim_end_matches(']');
            if !index.is_empty() {
                v = v.get(index.parse::<usize>().ok()?)?;
            }
        }
    }
    Some(v)
}

/// The schema of the node at a kube-cel field path (`spec.a[0].b`).
fn schema_at<'a>(schema: &'a Value, path: &str) -> Option<&'a Value> {
    let mut s = schema;
    if path.is_empty() {
        return Some(s);
    }
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            s = s["properties"]
                .get(key)
                .or_else(|| s.get("additionalProperties"))?;
        }
        for _ in rest.split('[').filter(|i| !i.is_empty()) {
            s = s.get("items")?;
        }
    }
    Some(s)
}

/// `metadata.name` (required, a DNS subdomain) and `metadata.namespace` (a DNS label,
/// for namespaced kinds only), as the apiserver checks them.
fn metadata_errors(meta: &Value, namespaced: bool) -> Vec<FieldError> {
    let mut out = vec![];
    match meta["name"].as_str() {
        None if meta["generateName"].is_string() => {}
        None | Some("") => out.push(FieldError::required(
            "metadata.name",
            "name or generateName is required",
        )),
        Some(name) => {
            if let Some(msg) = dns1123_subdomain(name) {
                out.push(FieldError::invalid("metadata.name", &meta["name"], msg));
            }
        }
    }
    if let Some(ns) = meta["namespace"].as_str().filter(|ns| !ns.is_empty()) {
        if !namespaced {
            out.push(FieldError::new(
                "metadata.namespace",
                ErrorType::Invalid,
                None,
                "not allowed on this type".into(),
            ));
        } else if let Some(msg) = dns1123_label(ns) {
            out.push(FieldError::invalid(
                "metadata.namespace",
                &meta["namespace"],
                msg,
            ));
        }
    }
    out
}

fn dns1123_subdomain(s: &str) -> Option<String> {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
            .expect("static regex")
    });
    if s.len() > 253 {
        return Some("must be no more than 253 characters".into());
    }
    (!re.is_match(s)).then(|| {
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', \
         and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation \
         is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
            .into()
    })
}

fn dns1123_label(s: &str) -> Option<String> {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$").expect("static regex")
    });
    if s.len() > 63 {
        return Some("must be no more than 63 characters".into());
    }
    (!re.is_match(s)).then(|| {
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', \
         and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', \
         regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
            .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn backend(spec: Value) -> Value {
        json!({"apiVersion": "agentgateway.dev/v1alpha1", "kind": "AgentgatewayBackend",
               "metadata": {"name": "b", "namespace": "ns"}, "spec": spec})
    }

    fn messages(r: Result<Value, Vec<FieldError>>) -> Vec<String> {
        r.expect_err("rejected")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_valid_object_comes_back_defaulted() {
        let out =
            validate(&backend(json!({"static": {"host": "h", "port": 80}})), true).expect("valid");
        assert_eq!(out["spec"]["static"]["host"], "h");
    }

    #[test]
    fn an_enum_error_reads_like_the_apiservers_and_stops_cel() {
        let obj = backend(json!({"mcp": {"sessionRouting": "Sticky",
            "targets": [{"name": "t", "static": {"host": "h", "port": 1}}]}}));
        let errs = messages(validate(&obj, true));
        assert_eq!(
            errs[0],
            "spec.mcp.sessionRouting: Unsupported value: \"Sticky\": supported values: \"Stateful\", \"Stateless\""
        );
        assert!(
            errs[1].contains("some validation rules were not checked"),
            "{errs:?}"
        );
    }

    #[test]
    fn a_failed_cel_rule_names_the_node_and_message() {
        let obj = backend(
            json!({"static": {"host": "h", "port": 1}, "aws": {"agentCore": {"agentRuntimeArn": "x"}}}),
        );
        let errs = messages(validate(&obj, true));
        assert_eq!(
            errs,
            vec![
                "spec: Invalid value: exactly one of the fields in [ai static dynamicForwardProxy mcp aws a2a] must be set"
            ]
        );
    }

    #[test]
    fn unknown_fields_are_errors_only_in_strict_mode() {
        let obj = backend(json!({"static": {"host": "h", "port": 1, "weight": 2}}));
        assert_eq!(
            apiserver_message(&validate(&obj, true).expect_err("strict")),
            "strict decoding error: unknown field \"spec.static.weight\""
        );
        let stored = validate(&obj, false).expect("pruned");
        assert!(stored["spec"]["static"].get("weight").is_none());
    }

    #[test]
    fn apiversion_kind_and_name_are_checked() {
        let mut obj = backend(json!({"static": {"host": "h", "port": 1}}));
        obj["apiVersion"] = "agentgateway.dev/v1".into();
        assert!(messages(validate(&obj, true))[0].contains("no matches for kind"));
        let mut obj = backend(json!({"static": {"host": "h", "port": 1}}));
        obj["metadata"]["name"] = "A_b".into();
        assert!(
            messages(validate(&obj, true))[0].starts_with(
                "metadata.name: Invalid value: \"A_b\": a lowercase RFC 1123 subdomain"
            )
        );
        assert!(Validator::is_ours(&obj));
        assert!(!Validator::is_ours(
            &json!({"apiVersion": "v1", "kind": "ConfigMap"})
        ));
    }

    #[test]
    fn status_is_dropped_on_create_as_with_a_status_subresource() {
        let mut obj = backend(json!({"static": {"host": "h", "port": 1}}));
        obj["status"] = json!({"conditions": [{"lastTransitionTime": "yesterday"}]});
        let stored = validate(&obj, true).expect("status is not validated on create");
        assert!(stored.get("status").is_none());
    }

    #[test]
    fn object_size_limits_read_like_the_apiservers() {
        let aliases: serde_json::Map<String, Value> =
            (0..65).map(|i| (format!("k{i}"), json!("v"))).collect();
        let obj = backend(json!({"ai": {"provider": {"openai": {"model": "m"}}},
            "policies": {"ai": {"modelAliases": aliases}}}));
        assert_eq!(
            messages(validate(&obj, true))[0],
            "spec.policies.ai.modelAliases: Too many: 65: must have at most 64 items"
        );
        let obj = backend(json!({"static": {"host": "h", "port": 80},
            "policies": {"transformation": {"request": {"metadata": {}}}}}));
        assert_eq!(
            messages(validate(&obj, true)),
            vec![
                "spec.policies.transformation.request.metadata: Invalid value: 0: \
                  spec.policies.transformation.request.metadata in body should have at least 1 properties"
            ]
        );
    }

    /// Found by the generative e2e test: a rule that fails to evaluate is named by
    /// its own message (two rules with the same text have different ones), and a
    /// missing key is worded as cel-go words it.
    #[test]
    fn rules_that_fail_to_evaluate_are_named_as_the_apiserver_names_them() {
        let obj = backend(
            json!({"mcp": {"targets": [{"name": "t", "static": {"host": "h", "port": 1,
            "policies": {"tcp": {"keepalive": {"time": "x", "interval": "y"}}}}}]}}),
        );
        let errs = messages(validate(&obj, true));
        let at = |field: &str| {
            errs.iter()
                .find(|e| {
                    e.starts_with(&format!(
                        "spec.mcp.targets[0].static.policies.tcp.keepalive.{field}: Invalid value: \"string\""
                    ))
                })
                .cloned()
                .unwrap_or_default()
        };
        assert!(
            at("time").ends_with("evaluating rule: time must be at least 1 second"),
            "{errs:?}"
        );
        assert!(
            at("interval").ends_with("evaluating rule: interval must be at least 1 second"),
            "{errs:?}"
        );
        let obj = backend(
            json!({"mcp": {"targets": [{"name": "t", "static": {"host": "h", "port": 1,
            "policies": {"auth": {"gcp": {"audience": "a", "secretRef": {"key": "k", "name": "n"}}}}}}]}}),
        );
        let errs = messages(validate(&obj, true));
        assert!(
            errs.iter().any(|e| e.contains(
                "no such key: type evaluating rule: audience is only valid with IdToken"
            )),
            "{errs:?}"
        );
    }

    #[test]
    fn several_errors_are_listed_one_per_line() {
        let one = vec![FieldError::required("a", "")];
        assert_eq!(apiserver_message(&one), "a: Required value");
        let two = vec![FieldError::required("a", ""), FieldError::required("b", "")];
        assert_eq!(
            apiserver_message(&two),
            "\n* a: Required value\n* b: Required value"
        );
    }
}

#[cfg(test)]
mod lib_tests;
