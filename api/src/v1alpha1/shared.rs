//! Types and validation rules used by more than one CRD: object references, label
//! selectors, conditions, credentials, header names, CEL expressions, byte sizes and
//! durations.

use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;

/// Group of a referenced object: empty for the core group, else a DNS subdomain.
pub const GROUP_PATTERN: &str =
    r"^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/// Kind of a referenced object, e.g. `Service`.
pub const KIND_PATTERN: &str = r"^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$";
/// An HTTP header name (an RFC 9110 token).
pub const HEADER_NAME_PATTERN: &str = r"^[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$";
/// A namespace name (RFC 1123 label).
pub const NAMESPACE_PATTERN: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
/// A controller name: a domain, a slash and a path, e.g. `example.com/gateway`.
pub const CONTROLLER_NAME_PATTERN: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$";

/// An API group of a referenced object (see [`GROUP_PATTERN`]).
pub fn group_name(s: &mut schemars::Schema) {
    markers::max_length(253)(s);
    markers::pattern(GROUP_PATTERN)(s);
}

/// A kind of a referenced object (see [`KIND_PATTERN`]).
pub fn kind_name(s: &mut schemars::Schema) {
    markers::length(1, 63)(s);
    markers::pattern(KIND_PATTERN)(s);
}

/// A namespace of a referenced object (see [`NAMESPACE_PATTERN`]).
pub fn namespace_name(s: &mut schemars::Schema) {
    markers::length(1, 63)(s);
    markers::pattern(NAMESPACE_PATTERN)(s);
}

/// The name of the controller that wrote a status entry (see
/// [`CONTROLLER_NAME_PATTERN`]): 1 to 253 characters.
pub fn controller_name(s: &mut schemars::Schema) {
    markers::length(1, 253)(s);
    markers::pattern(CONTROLLER_NAME_PATTERN)(s);
}

/// An HTTP header name (see [`HEADER_NAME_PATTERN`]): 1 to 256 characters.
pub fn header_name(s: &mut schemars::Schema) {
    markers::length(1, 256)(s);
    markers::pattern(HEADER_NAME_PATTERN)(s);
}

/// A CEL expression (1 to 16384 characters), e.g. `request.headers["x-user"]`. The
/// length limit of every expression field of the API.
pub fn cel_expression(s: &mut schemars::Schema) {
    markers::length(1, 16384)(s)
}

/// Map values of any JSON type, kept as they are.
pub fn preserved_values(s: &mut schemars::Schema) {
    if let Some(v) = s.get_mut("additionalProperties") {
        let mut inner = schemars::Schema::default();
        markers::preserve_unknown_fields(&mut inner);
        *v = inner.to_value();
    }
}

/// A number of bytes: an integer (`65536`) or a quantity with a binary or decimal
/// suffix (`64Ki`, `2Mi`, `1M`); at least 1 and at most 4294967295.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ByteSize {
    /// A plain number of bytes, e.g. `65536`.
    Int(i64),
    /// A quantity, e.g. `64Ki` (65536 bytes) or `2M` (2000000 bytes).
    String(String),
}

/// The duration syntax of the gateway: one to four `<number><unit>` groups, each
/// number of at most five digits and each unit `h`, `m`, `s` or `ms`.
pub const DURATION_PATTERN: &str = "^([0-9]{1,5}(h|m|s|ms)){1,4}$";

/// A length of time, written as one to four groups of a number and a unit (`h`, `m`,
/// `s`, `ms`), e.g. `500ms`, `30s`, `1m30s` or `2h`; at most 32 characters. No
/// fractions, no spaces, no `us` or `d`.
///
/// A field of this type may add a lower bound with [`min_duration`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Duration(pub String);

impl JsonSchema for Duration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut s = schemars::json_schema!({ "type": "string" });
        markers::max_length(32)(&mut s);
        markers::pattern(DURATION_PATTERN)(&mut s);
        s
    }
}

impl std::ops::Deref for Duration {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Duration {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Duration {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl From<String> for Duration {
    fn from(s: String) -> Self {
        Self(s)
    }
}

/// The lower bound of a [`Duration`] field: at least `min` (a duration such as `1s`
/// or `100ms`), with `message` reported otherwise.
pub fn min_duration(min: &'static str, message: &'static str) -> impl FnMut(&mut schemars::Schema) {
    markers::cel(format!("duration(self) >= duration('{min}')"), message)
}

/// An `http://` or `https://` URL with a host and, optionally, a path: no user
/// information, query or fragment, e.g. `https://auth.example.com/verify`.
pub const HTTP_URL_PATTERN: &str = r"^https?://[^/?#@]+(/[^?#]*)?$";

/// A URL the gateway calls directly instead of a `backendRef` (see
/// [`HTTP_URL_PATTERN`]): 1 to 1024 characters.
pub fn http_url(s: &mut schemars::Schema) {
    markers::length(1, 1024)(s);
    markers::pattern(HTTP_URL_PATTERN)(s);
}

/// The destination of a call the gateway makes: exactly one of `backendRef` and `url`
/// (with the standard message).
pub fn backend_ref_or_url(s: &mut schemars::Schema) {
    markers::exactly_one_of(&["backendRef", "url"])(s)
}

/// [`backend_ref_or_url`] with its own `message`, for the types whose upstream rule
/// words it differently.
pub fn backend_ref_or_url_as(message: &'static str) -> impl FnMut(&mut schemars::Schema) {
    markers::cel(
        "[has(self.backendRef),has(self.url)].filter(x,x==true).size() == 1",
        message,
    )
}

/// The rule that the struct's `url` names only a host (and port), no path; `message`
/// is reported otherwise.
pub fn url_without_path(message: &'static str) -> impl FnMut(&mut schemars::Schema) {
    markers::cel(
        "!has(self.url) || self.url.matches('^https?://[^/?#]+$')",
        message,
    )
}

/// The rule that the struct's `url` may carry a path only when the CEL `condition`
/// holds; `message` is reported otherwise.
pub fn url_path_only_if(
    condition: &'static str,
    message: &'static str,
) -> impl FnMut(&mut schemars::Schema) {
    markers::cel(
        format!("!has(self.url) || !self.url.matches('^https?://[^/?#]+/') || {condition}"),
        message,
    )
}

/// The rule that `field` (a path to call on a `backendRef`) is not set together with
/// `url`, which carries its own path.
pub fn not_with_url(field: &'static str) -> impl FnMut(&mut schemars::Schema) {
    markers::cel(
        format!("has(self.url) ? !has(self.{field}) : true"),
        format!("{field} may not be set when url is set"),
    )
}

/// A reference to the certificate authorities a peer's certificate must chain to:
/// the PEM bundle under `ca.crt` of a ConfigMap or a Secret in the referring
/// object's namespace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::map_atomic)]
pub struct CaCertificateRef {
    /// Kind of the object holding `ca.crt`: `ConfigMap` (the default) or `Secret`.
    #[serde(default)]
    #[schemars(transform = markers::default("ConfigMap"))]
    pub kind: CaCertificateKind,
    /// Name of the ConfigMap or Secret, e.g. `internal-ca`.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
}

/// The kinds of object a [`CaCertificateRef`] may name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum CaCertificateKind {
    /// A ConfigMap (certificate authorities are public).
    #[default]
    ConfigMap,
    /// A Secret, e.g. one a certificate manager keeps up to date.
    Secret,
}

/// A reference to an object in the same namespace, by name only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::map_atomic)]
pub struct LocalObjectReference {
    /// Name of the referenced object. Must be set; an empty name refers to nothing.
    #[serde(default)]
    #[schemars(transform = markers::default(""))]
    pub name: String,
}

/// A reference to a backend workload: by default a Kubernetes Service and one of its
/// ports, or any other kind that the gateway can route to.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = service_port_required)]
pub struct BackendObjectReference {
    /// API group of the referent; empty (the default) for the core group.
    #[serde(default)]
    #[schemars(transform = markers::default(""), transform = group_name)]
    pub group: String,
    /// Kind of the referent, `Service` unless set.
    #[serde(default = "service_kind")]
    #[schemars(transform = markers::default("Service"), transform = kind_name)]
    pub kind: String,
    /// Name of the referent.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Namespace of the referent; the referring object's namespace when omitted.
    /// Referring to another namespace may require a ReferenceGrant there.
    #[schemars(transform = namespace_name)]
    pub namespace: Option<String>,
    /// Destination port. Required when the referent is a Service.
    #[schemars(transform = markers::port)]
    pub port: Option<i32>,
}

/// The rule of backend references: a reference to a Service (the core group and
/// kind `Service`) must name a `port`.
pub fn service_port_required(s: &mut schemars::Schema) {
    markers::cel(
        "(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true",
        "Must have port for Service reference",
    )(s)
}

/// The default `kind` of a backend reference.
pub(crate) fn service_kind() -> String {
    "Service".into()
}

/// Selects objects by their labels. An empty selector matches every object; the
/// results of `matchLabels` and `matchExpressions` are ANDed.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::map_atomic)]
pub struct LabelSelector {
    /// Requirements on labels; an object must meet all of them.
    #[schemars(transform = markers::list_atomic)]
    pub match_expressions: Option<Vec<LabelSelectorRequirement>>,
    /// Labels an object must carry with exactly these values.
    pub match_labels: Option<BTreeMap<String, String>>,
}

/// One requirement on a label: its key, an operator and, for `In` and `NotIn`, values.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LabelSelectorRequirement {
    /// The label key the requirement applies to.
    pub key: String,
    /// How the key relates to the values: `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    /// Values for `In` and `NotIn` (must be non-empty there); empty for `Exists` and
    /// `DoesNotExist`.
    #[schemars(transform = markers::list_atomic)]
    pub values: Option<Vec<String>>,
}

/// The state of one aspect of an object, as reported by its controller.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// When the condition last changed from one status to another (RFC 3339).
    #[schemars(transform = markers::format("date-time"))]
    pub last_transition_time: String,
    /// A human-readable explanation of the last transition; may be empty.
    #[schemars(length(max = 32768))]
    pub message: String,
    /// The `metadata.generation` the condition was computed from. When it is lower
    /// than the object's current generation, the condition is out of date.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub observed_generation: Option<i64>,
    /// A CamelCase word saying why the condition is in its status, for programs to match on.
    #[schemars(
        length(min = 1, max = 1024),
        regex(pattern = r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")
    )]
    pub reason: String,
    /// Whether the condition holds.
    pub status: ConditionStatus,
    /// The aspect this condition is about, e.g. `Accepted`.
    #[serde(rename = "type")]
    #[schemars(
        length(max = 316),
        regex(
            pattern = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"
        )
    )]
    pub type_: String,
}

/// Whether a condition holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ConditionStatus {
    /// The condition holds.
    True,
    /// The condition does not hold.
    False,
    /// The controller cannot tell (yet).
    #[default]
    Unknown,
}

/// Status conditions, at most one per type, merged by type under server-side apply.
pub fn conditions(s: &mut schemars::Schema) {
    markers::max_items(8)(s);
    markers::list_map(&["type"])(s);
}

/// A reference to a Gateway API parent of a route or policy: by default a `Gateway`,
/// optionally narrowed to one of its listeners (`sectionName`) or ports.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParentReference {
    /// API group of the parent; `gateway.networking.k8s.io` unless set, empty for the
    /// core group.
    #[serde(default = "gateway_api_group")]
    #[schemars(transform = markers::default(GATEWAY_API_GROUP), transform = group_name)]
    pub group: String,
    /// Kind of the parent, `Gateway` unless set.
    #[serde(default = "gateway_kind")]
    #[schemars(transform = markers::default("Gateway"), transform = kind_name)]
    pub kind: String,
    /// Name of the parent.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Namespace of the parent; the referring object's namespace when omitted.
    #[schemars(transform = namespace_name)]
    pub namespace: Option<String>,
    /// A port of the parent, e.g. the port of a Gateway listener. The whole parent when
    /// unset.
    #[schemars(transform = markers::port)]
    pub port: Option<i32>,
    /// A named section of the parent, e.g. the name of a Gateway listener. The whole
    /// parent when unset.
    #[schemars(transform = markers::dns_subdomain)]
    pub section_name: Option<String>,
}

/// The API group of the Kubernetes Gateway API.
pub const GATEWAY_API_GROUP: &str = "gateway.networking.k8s.io";

fn gateway_api_group() -> String {
    GATEWAY_API_GROUP.into()
}

fn gateway_kind() -> String {
    "Gateway".into()
}

/// The rule shared by every credential reference: a reference to something other
/// than a core `Secret` must name both its API group and its kind.
fn custom_credential_ref(s: &mut schemars::Schema) {
    markers::cel(
        "(!has(self.group) || size(self.group) == 0) ? (!has(self.kind) || size(self.kind) == 0 || self.kind == 'Secret') : (has(self.kind) && size(self.kind) > 0)",
        "custom credential refs must set both group and kind",
    )(s);
    markers::map_atomic(s);
}

/// A reference to an object in the referring object's namespace that holds
/// credentials: by default a Kubernetes `Secret`, or, with `group` and `kind`, an
/// object of another kind that a credential provider of the gateway understands.
///
/// Used where the object as a whole is the credential (e.g. a Secret of type
/// `kubernetes.io/tls`, or AWS keys under fixed key names). Where one value of the
/// object is the credential, [`CredentialKeyRef`] adds the `key` to read.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = custom_credential_ref)]
pub struct CredentialRef {
    /// API group of the referenced object. Leave unset (or empty) for a core `Secret`;
    /// set it together with `kind` to use another source of credentials.
    pub group: Option<String>,
    /// Kind of the referenced object. Leave unset for a `Secret`; required when `group`
    /// is set.
    pub kind: Option<String>,
    /// Name of the referenced object, e.g. `openai-api-key`.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
}

impl CredentialRef {
    /// A reference to the Secret `name`.
    pub fn secret(name: impl Into<String>) -> Self {
        Self {
            group: None,
            kind: None,
            name: name.into(),
        }
    }

    /// Whether the reference is to a core `Secret` (no group, and no kind or `Secret`).
    pub fn is_secret(&self) -> bool {
        self.group.as_deref().unwrap_or_default().is_empty()
            && matches!(self.kind.as_deref(), None | Some("") | Some("Secret"))
    }
}

/// A reference to one value in an object holding credentials: the object as in
/// [`CredentialRef`] (a `Secret` unless `group` and `kind` say otherwise) and,
/// optionally, the `key` of the value to read.
///
/// [`CredentialRef`] plus `key`, with the same group-and-kind rule; a separate type
/// so that places that read a whole object cannot be given a `key` that would be
/// ignored.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = custom_credential_ref)]
pub struct CredentialKeyRef {
    /// API group of the referenced object. Leave unset (or empty) for a core `Secret`;
    /// set it together with `kind` to use another source of credentials.
    pub group: Option<String>,
    /// Kind of the referenced object. Leave unset for a `Secret`; required when `group`
    /// is set.
    pub kind: Option<String>,
    /// Name of the referenced object, e.g. `openai-api-key`.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// The key of the value to read, e.g. `api-key`. When unset, each place that uses
    /// the reference reads its documented default key (for a backend API key,
    /// `Authorization`).
    #[schemars(length(min = 1, max = 253))]
    pub key: Option<String>,
}

impl CredentialKeyRef {
    /// A reference to the Secret `name`, read at the default key of the place using it.
    pub fn secret(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Default::default()
        }
    }

    /// The referenced object, without the key.
    pub fn object(&self) -> CredentialRef {
        CredentialRef {
            group: self.group.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
        }
    }
}

/// A request header carrying a credential or token.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HeaderLocation {
    /// Name of the header, e.g. `Authorization` or `x-api-key`.
    #[schemars(transform = header_name)]
    pub name: String,
    /// Text before the value in the header, e.g. `Bearer ` (note the trailing space).
    /// The header holds the bare value when unset.
    #[schemars(length(min = 1, max = 256))]
    pub prefix: Option<String>,
}

/// A named query parameter or cookie carrying a credential or token.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NamedLocation {
    /// Name of the query parameter or cookie, e.g. `api_key` or `session`.
    #[schemars(length(min = 1, max = 256))]
    pub name: String,
}

/// Where in a request a credential is placed (or found): a header, a query parameter
/// or a cookie. Set exactly one.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::exactly_one_of(&["header", "queryParameter", "cookie"]))]
pub struct CredentialLocation {
    /// In a header, optionally after a prefix such as `Bearer `.
    pub header: Option<HeaderLocation>,
    /// In a query parameter of the URL.
    pub query_parameter: Option<NamedLocation>,
    /// In a cookie.
    pub cookie: Option<NamedLocation>,
}

/// Where the gateway reads a token or credential from the incoming request: a
/// header, a query parameter, a cookie, or the result of a CEL expression. Set
/// exactly one.
///
/// [`CredentialLocation`] with the extra `expression` choice; a separate type
/// because only reading (not placing) a value can be computed.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::exactly_one_of(&["header", "queryParameter", "cookie", "expression"]))]
pub struct CredentialSource {
    /// From a header, with the prefix (such as `Bearer `) stripped when set.
    pub header: Option<HeaderLocation>,
    /// From a query parameter of the URL.
    pub query_parameter: Option<NamedLocation>,
    /// From a cookie.
    pub cookie: Option<NamedLocation>,
    /// A CEL expression over the request computing the value, e.g.
    /// `request.headers["x-token"].split(" ")[1]`.
    #[schemars(transform = cel_expression)]
    pub expression: Option<String>,
}

/// A header name that may also be one of the HTTP/2 pseudo-headers `:authority`,
/// `:method`, `:path`, `:scheme` and `:status`.
pub const PSEUDO_HEADER_NAME_PATTERN: &str = r"^:?[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$";

/// The validation of a header name that may be a pseudo-header: 1 to 256 characters
/// of [`PSEUDO_HEADER_NAME_PATTERN`], and only the known pseudo-headers.
pub fn pseudo_header_name(s: &mut schemars::Schema) {
    markers::length(1, 256)(s);
    markers::pattern(PSEUDO_HEADER_NAME_PATTERN)(s);
    markers::cel(
        "!self.startsWith(':') || self in [':authority', ':method', ':path', ':scheme', ':status']",
        "pseudo-headers must be one of :authority, :method, :path, :scheme, or :status",
    )(s);
}

/// What the gateway does when something a request depends on fails: an external
/// service it must consult (an authorization, processing, rate limit or guardrail
/// service) fails or cannot be reached, a target of an MCP backend cannot be
/// reached, or a body is too large to buffer. Each field of this type says what the
/// two modes mean there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum FailureMode {
    /// Stop: reject the request (or fail the MCP session), so nothing passes
    /// unchecked. The safe choice.
    FailClosed,
    /// Carry on without what failed, e.g. as if the service had allowed the
    /// request, or with the MCP targets that answer: availability over enforcement.
    FailOpen,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_core_secrets_count_as_secrets() {
        let mut r = CredentialRef::secret("keys");
        assert!(r.is_secret());
        r.kind = Some("Secret".into());
        assert!(r.is_secret());
        r.group = Some(String::new());
        assert!(r.is_secret());
        r.group = Some("secrets.example.com".into());
        assert!(!r.is_secret());
        r.group = None;
        r.kind = Some("VaultSecret".into());
        assert!(!r.is_secret());
    }

    #[test]
    fn credential_key_refs_round_trip_without_injected_fields() {
        let json = serde_json::json!({"name": "keys", "key": "api-key"});
        let r: CredentialKeyRef = serde_json::from_value(json.clone()).expect("a reference");
        assert_eq!(r.object(), CredentialRef::secret("keys"));
        assert_eq!(serde_json::to_value(&r).expect("serializable"), json);
    }
}
