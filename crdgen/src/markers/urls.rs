//! Rules for string fields holding a URL the gateway connects to: it must be an
//! absolute `http`/`https` URL with a host ([`http_url_with_host`]), and it must not
//! point at the gateway's own machine or at link-local addresses ([`url_not_local`]),
//! so an object cannot make the gateway call its own admin endpoints or a cloud
//! metadata service.
//!
//! Both are applied to the object holding the field (the rules test `has(...)`), and
//! refuse (with [`super::refuse`], naming the field) a field the object does not have,
//! adding no rule.
//!
//! ```ignore
//! #[schemars(
//!     transform = markers::http_url_with_host("baseURL"),
//!     transform = markers::url_not_local("baseURL"),
//! )]
//! pub struct ModelSpec { base_url: Option<String>, /* ... */ }
//! ```

use super::{check_fields, push_cel};
use schemars::Schema;

/// The host patterns [`url_not_local`] rejects, each a regex over the whole URL with
/// `{}` standing for the URL's scheme-and-host prefix: `localhost` and `*.localhost`
/// (any case), IPv4 loopback `127.*`, IPv4 link-local `169.254.*`, and IPv6 loopback
/// `[::1]` and link-local `[fe80::/10]`.
const LOCAL_HOSTS: &[&str] = &[
    r#"(?i)^https?://(localhost|[^/]+\\.localhost)(:[0-9]+)?(/|$)"#,
    r#"^https?://127(\\.[0-9]{1,3}){0,3}(:[0-9]+)?(/|$)"#,
    r#"^https?://169\\.254\\.[0-9]{1,3}\\.[0-9]{1,3}(:[0-9]+)?(/|$)"#,
    r#"(?i)^https?://\\[(::1|fe[89ab][0-9a-f:]*)\\](:[0-9]+)?(/|$)"#,
];

/// The field `field`, when set, is an absolute `http` or `https` URL with a host.
pub fn http_url_with_host(field: &'static str) -> impl FnMut(&mut Schema) {
    move |s| {
        if !check_fields(s, "http_url_with_host", &[field]) {
            return;
        }
        let rule = format!(
            "!has(self.{field}) || (isURL(self.{field}) && (url(self.{field}).getScheme() == 'http' || url(self.{field}).getScheme() == 'https') && url(self.{field}).getHostname() != \"\")"
        );
        let message = format!("{field} must be an absolute http or https URL with a host");
        push_cel(s, rule, message);
    }
}

/// The URL in `field`, when set, does not target localhost, loopback or link-local
/// addresses: one rule per kind of host (see `LOCAL_HOSTS`), all with one message.
pub fn url_not_local(field: &'static str) -> impl FnMut(&mut Schema) {
    move |s| {
        if !check_fields(s, "url_not_local", &[field]) {
            return;
        }
        let message = format!("{field} cannot target localhost, loopback, or link-local addresses");
        for host in LOCAL_HOSTS {
            let rule = format!("!has(self.{field}) || !self.{field}.matches(\"{host}\")");
            push_cel(s, rule, message.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markers::{VALIDATIONS, marker_errors};
    use serde_json::{Value, json};

    fn object_with(field: &str) -> Schema {
        let v = json!({ "type": "object", "properties": { field: { "type": "string" } } });
        Schema::try_from(v).expect("object schema")
    }

    #[test]
    fn http_url_with_host_checks_scheme_and_host() {
        let mut s = object_with("baseURL");
        http_url_with_host("baseURL")(&mut s);
        assert_eq!(
            s.get(VALIDATIONS),
            Some(&json!([{
                "rule": "!has(self.baseURL) || (isURL(self.baseURL) && (url(self.baseURL).getScheme() == 'http' || url(self.baseURL).getScheme() == 'https') && url(self.baseURL).getHostname() != \"\")",
                "message": "baseURL must be an absolute http or https URL with a host",
            }]))
        );
    }

    #[test]
    fn url_not_local_adds_four_rules_with_one_message() {
        let mut s = object_with("baseURL");
        url_not_local("baseURL")(&mut s);
        let rules = s.get(VALIDATIONS).and_then(Value::as_array).expect("rules");
        assert_eq!(rules.len(), 4);
        assert!(rules.iter().all(|r| r["message"]
            == "baseURL cannot target localhost, loopback, or link-local addresses"));
        assert_eq!(
            rules[1]["rule"],
            r#"!has(self.baseURL) || !self.baseURL.matches("^https?://127(\\.[0-9]{1,3}){0,3}(:[0-9]+)?(/|$)")"#
        );
    }

    #[test]
    fn a_field_the_type_lacks_is_refused() {
        let mut s = object_with("baseURL");
        url_not_local("baseUrl")(&mut s);
        http_url_with_host("baseUrl")(&mut s);
        assert!(s.get(VALIDATIONS).is_none());
        let fix = "which the object does not have (its fields: [\"baseURL\"]); use the JSON \
                   (camelCase) names of fields of the annotated struct";
        assert_eq!(
            marker_errors(&s),
            [
                format!("`markers::url_not_local` names [\"baseUrl\"], {fix}"),
                format!("`markers::http_url_with_host` names [\"baseUrl\"], {fix}"),
            ]
        );
    }
}
