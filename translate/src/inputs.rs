//! The Kubernetes objects a backend may refer to, and label selector matching.

use agentgateway_api::v1alpha1::shared::LabelSelector;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, Service};
use std::collections::BTreeMap;

/// Everything the translation of a backend may look up besides the backend itself.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// Services: MCP selector targets, webhook and JWKS servers.
    pub services: Vec<Service>,
    /// Namespaces, matched by MCP namespace selectors.
    pub namespaces: Vec<Namespace>,
    /// Secrets: API keys, AWS credentials, client certificates.
    pub secrets: Vec<Secret>,
    /// ConfigMaps: certificate authority bundles.
    pub config_maps: Vec<ConfigMap>,
    /// JSON Web Key Sets already fetched by the control plane, by URL. `None` when the
    /// control plane has no store of fetched key sets (yet): MCP authentication, which
    /// needs the keys inline, cannot be translated then.
    pub jwks_store: Option<JwksStore>,
}

/// Fetched JSON Web Key Sets, keyed by the URL they were fetched from.
pub type JwksStore = BTreeMap<String, String>;

/// Namespace of an object; `default` when the manifest leaves it out, as `kubectl` does.
pub fn namespace_of(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> &str {
    meta.namespace.as_deref().unwrap_or("default")
}

fn named<'a, T, F>(items: &'a [T], namespace: &str, name: &str, meta: F) -> Option<&'a T>
where
    F: Fn(&T) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
{
    items.iter().find(|i| {
        let m = meta(i);
        namespace_of(m) == namespace && m.name.as_deref() == Some(name)
    })
}

impl Inputs {
    /// The Service `namespace/name`.
    pub fn service(&self, namespace: &str, name: &str) -> Option<&Service> {
        named(&self.services, namespace, name, |s| &s.metadata)
    }

    /// The Secret `namespace/name`.
    pub fn secret(&self, namespace: &str, name: &str) -> Option<&Secret> {
        named(&self.secrets, namespace, name, |s| &s.metadata)
    }

    /// The ConfigMap `namespace/name`.
    pub fn config_map(&self, namespace: &str, name: &str) -> Option<&ConfigMap> {
        named(&self.config_maps, namespace, name, |c| &c.metadata)
    }

    /// Names of the namespaces whose labels match `selector`. Every namespace carries
    /// the label `kubernetes.io/metadata.name` with its own name, as the API server sets
    /// it, whether or not the manifest shows it.
    pub fn namespaces_matching(&self, selector: &LabelSelector) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for ns in &self.namespaces {
            let Some(name) = ns.metadata.name.clone() else {
                continue;
            };
            let mut labels = ns.metadata.labels.clone().unwrap_or_default();
            labels
                .entry("kubernetes.io/metadata.name".into())
                .or_insert_with(|| name.clone());
            if matches(selector, &labels)? {
                out.push(name);
            }
        }
        Ok(out)
    }
}

/// The value of `key` in a Secret: `stringData` wins over `data`, as when the API
/// server stores the Secret. `None` when absent or not UTF-8.
pub fn secret_value(secret: &Secret, key: &str) -> Option<String> {
    if let Some(v) = secret.string_data.as_ref().and_then(|d| d.get(key)) {
        return Some(v.clone());
    }
    let bytes = secret.data.as_ref()?.get(key)?;
    String::from_utf8(bytes.0.clone()).ok()
}

/// The raw bytes of `key` in a Secret (`stringData` wins over `data`).
pub fn secret_bytes(secret: &Secret, key: &str) -> Option<Vec<u8>> {
    if let Some(v) = secret.string_data.as_ref().and_then(|d| d.get(key)) {
        return Some(v.clone().into_bytes());
    }
    secret.data.as_ref()?.get(key).map(|b| b.0.clone())
}

/// Checks every requirement of `selector`, whether or not any object is there to match.
pub fn validate(selector: &LabelSelector) -> Result<(), String> {
    for req in selector.match_expressions.iter().flatten() {
        let has_values = req.values.as_ref().is_some_and(|v| !v.is_empty());
        match req.operator.as_str() {
            "In" | "NotIn" if !has_values => {
                return Err(format!(
                    "operator {} on key {:?} needs at least one value",
                    req.operator, req.key
                ));
            }
            "Exists" | "DoesNotExist" if has_values => {
                return Err(format!(
                    "operator {} on key {:?} takes no values",
                    req.operator, req.key
                ));
            }
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => {
                return Err(format!(
                    "unknown operator {other:?} on key {:?} (expected In, NotIn, Exists or DoesNotExist)",
                    req.key
                ));
            }
        }
    }
    Ok(())
}

/// Whether `labels` satisfy `selector`. An empty selector matches everything; an
/// invalid one (see [`validate`]) is an error.
pub fn matches(
    selector: &LabelSelector,
    labels: &BTreeMap<String, String>,
) -> Result<bool, String> {
    validate(selector)?;
    let labels_match = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let expressions_match = selector.match_expressions.iter().flatten().all(|req| {
        let values = req.values.as_deref().unwrap_or_default();
        let value = labels.get(&req.key);
        match req.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => !value.is_some_and(|v| values.contains(v)),
            "Exists" => value.is_some(),
            _ => value.is_none(), // DoesNotExist
        }
    });
    Ok(labels_match && expressions_match)
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentgateway_api::v1alpha1::shared::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn req(key: &str, op: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: (!values.is_empty()).then(|| values.iter().map(|v| v.to_string()).collect()),
        }
    }

    #[test]
    fn selectors_and_labels_and_expressions() {
        let l = labels(&[("app", "mcp"), ("tier", "a")]);
        let sel = |ml: &[(&str, &str)], me: Vec<LabelSelectorRequirement>| LabelSelector {
            match_labels: (!ml.is_empty()).then(|| labels(ml)),
            match_expressions: (!me.is_empty()).then_some(me),
        };
        assert_eq!(matches(&sel(&[], vec![]), &l), Ok(true));
        assert_eq!(matches(&sel(&[("app", "mcp")], vec![]), &l), Ok(true));
        assert_eq!(matches(&sel(&[("app", "x")], vec![]), &l), Ok(false));
        assert_eq!(
            matches(&sel(&[], vec![req("tier", "In", &["a", "b"])]), &l),
            Ok(true)
        );
        assert_eq!(
            matches(&sel(&[], vec![req("tier", "NotIn", &["a"])]), &l),
            Ok(false)
        );
        assert_eq!(
            matches(&sel(&[], vec![req("zone", "NotIn", &["a"])]), &l),
            Ok(true)
        );
        assert_eq!(
            matches(&sel(&[], vec![req("tier", "Exists", &[])]), &l),
            Ok(true)
        );
        assert_eq!(
            matches(&sel(&[], vec![req("tier", "DoesNotExist", &[])]), &l),
            Ok(false)
        );
        assert!(matches(&sel(&[], vec![req("tier", "Equals", &["a"])]), &l).is_err());
        assert!(matches(&sel(&[], vec![req("tier", "In", &[])]), &l).is_err());
    }

    #[test]
    fn not_in_matches_a_label_holding_another_value() {
        let sel = LabelSelector {
            match_labels: None,
            match_expressions: Some(vec![req("tier", "NotIn", &["a"])]),
        };
        assert_eq!(matches(&sel, &labels(&[("tier", "b")])), Ok(true));
        assert_eq!(matches(&sel, &labels(&[("tier", "a")])), Ok(false));
    }

    #[test]
    fn exists_and_does_not_exist_refuse_values() {
        for op in ["Exists", "DoesNotExist"] {
            let sel = LabelSelector {
                match_labels: None,
                match_expressions: Some(vec![req("tier", op, &["a"])]),
            };
            let want = format!("operator {op} on key \"tier\" takes no values");
            assert_eq!(validate(&sel), Err(want.clone()));
            assert_eq!(matches(&sel, &labels(&[("tier", "a")])), Err(want));
        }
    }
}
