//! MCP policies for MCP backends: who may connect (authentication), what they may
//! use (authorization), and external guardrails on MCP messages.

use crate::v1alpha1::shared::{
    BackendObjectReference, CredentialKeyRef, Duration, FailureMode, backend_ref_or_url,
    cel_expression, http_url, min_duration, not_with_url, preserved_values, pseudo_header_name,
    url_without_path,
};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;

/// MCP-level access control and guardrails. Set at least one field.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_field(&[]))]
pub struct McpPolicy {
    /// Which MCP clients may list and call which tools, prompts and resources.
    pub authorization: Option<McpAuthorization>,
    /// Require MCP clients to present a JWT, as the MCP authorization specification
    /// describes (OAuth 2.1 protected resource).
    pub authentication: Option<McpAuthentication>,
    /// External services that inspect MCP messages (per JSON-RPC method) and may
    /// change or refuse them.
    pub guardrails: Option<McpGuardrails>,
}

/// Rules deciding access, by CEL expressions over the request. Used for MCP tools,
/// prompts and resources, for HTTP requests and for network connections.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct McpAuthorization {
    /// What a match means: `Allow` (the default) grants access to what matches and
    /// denies the rest; `Deny` refuses what matches; `Require` refuses everything
    /// that does not match, whatever other policies allow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("Allow"))]
    pub action: Option<AuthorizationAction>,
    /// The rules.
    pub policy: AuthorizationPolicy,
}

/// What an authorization rule set does with matching requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum AuthorizationAction {
    /// Matching requests are allowed; with any `Allow` policy in place, requests
    /// that match none are denied.
    Allow,
    /// Matching requests are denied.
    Deny,
    /// Requests that do not match are denied; matching ones still need to be allowed.
    Require,
}

/// A set of CEL expressions; a request matches when any expression is true.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationPolicy {
    /// CEL expressions over the request, e.g. `jwt.sub == "alice"`, or for MCP
    /// backends `mcp.tool.name == "echo"` (1 to 256).
    #[schemars(length(min = 1, max = 256), transform = markers::each(cel_expression))]
    pub match_expressions: Vec<String>,
}

/// JWT authentication of MCP clients.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpAuthentication {
    /// The identity provider, when it needs special handling (e.g. `Keycloak`,
    /// `Entra`). A standard OAuth 2.1 / OpenID provider when unset.
    pub provider: Option<McpIdentityProvider>,
    /// Expected `iss` claim of the tokens, e.g. `https://auth.example.com`.
    #[schemars(length(min = 1, max = 256))]
    pub issuer: Option<String>,
    /// Accepted `aud` claims (1 to 64); a token must carry one of them.
    #[schemars(length(min = 1, max = 64))]
    pub audiences: Option<Vec<String>>,
    /// The OAuth client ID the gateway uses with the identity provider, for
    /// providers that need one to serve client registration or metadata.
    pub client_id: Option<String>,
    /// A Secret holding the client secret that goes with `clientId` (at `key`).
    pub client_secret_ref: Option<CredentialKeyRef>,
    /// Where the keys that sign the tokens are published.
    pub jwks: RemoteJwks,
    /// Extra fields of the OAuth protected resource metadata document the gateway
    /// serves for this backend, e.g. `scopes_supported`.
    #[schemars(transform = preserved_values)]
    pub resource_metadata: Option<BTreeMap<String, Value>>,
    /// How strictly tokens are required: `Strict` (the default) rejects requests
    /// without a valid token, `Optional` accepts requests without a token but
    /// rejects invalid ones, `Permissive` never rejects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("Strict"))]
    pub mode: Option<McpAuthenticationMode>,
}

/// Identity providers with provider-specific behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum McpIdentityProvider {
    /// Auth0.
    Auth0,
    /// Authentik.
    Authentik,
    /// Descope.
    Descope,
    /// Microsoft Entra ID.
    Entra,
    /// Keycloak.
    Keycloak,
    /// Okta.
    Okta,
}

/// How strictly token authentication is enforced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum McpAuthenticationMode {
    /// A token is optional, but must be valid when present.
    Optional,
    /// Tokens are validated when present, and requests are never rejected.
    Permissive,
    /// A valid token is required.
    Strict,
}

/// A JSON Web Key Set fetched over HTTP: from a `backendRef` at `jwksPath`, or from a
/// `url` (set exactly one of `backendRef` and `url`).
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = backend_ref_or_url,
    transform = markers::cel(
        "has(self.backendRef) ? has(self.jwksPath) : true",
        "jwksPath is required when backendRef is set"
    ),
    transform = not_with_url("jwksPath"),
)]
pub struct RemoteJwks {
    /// The backend serving the key set, a Service (with its port) or an
    /// AgentgatewayBackend.
    pub backend_ref: Option<BackendObjectReference>,
    /// The key set's full URL, e.g. `https://idp.example.com/.well-known/jwks.json`.
    #[schemars(transform = http_url)]
    pub url: Option<String>,
    /// HTTP path of the key set on `backendRef`, e.g. `/.well-known/jwks.json`.
    /// Required with `backendRef`, not with `url`.
    #[schemars(length(min = 1, max = 1024))]
    pub jwks_path: Option<String>,
    /// How long a fetched key set is used before it is fetched again. At least `5m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("5m"), transform = min_duration("5m", "cacheDuration must be at least 5m."))]
    pub cache_duration: Option<Duration>,
}

/// Guardrail services for MCP messages.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct McpGuardrails {
    /// The guardrails, consulted in order (1 to 16).
    #[schemars(length(min = 1, max = 16))]
    pub processors: Vec<McpGuardrailProcessor>,
}

/// One guardrail: which MCP methods it sees, and the service that implements it.
/// Set exactly one implementation (today only `remote`).
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::exactly_one_of(&["remote"]))]
pub struct McpGuardrailProcessor {
    /// JSON-RPC methods to inspect and in which direction (1 to 64 entries), e.g.
    /// `{"tools/call": "Full", "*/list": "Response"}`. A key may be `*`, a prefix
    /// such as `tools/*` or a suffix such as `*/list`.
    #[schemars(transform = markers::properties(Some(1), Some(64)), transform = markers::cel(
        "self.all(k, !k.contains('*') || (k.indexOf('*') == k.lastIndexOf('*') && (k.indexOf('*') == 0 || k.indexOf('*') == size(k) - 1)))",
        "method wildcards must be '*', a prefix like 'tools/*', or a suffix like '*/list'"
    ))]
    pub methods: BTreeMap<String, GuardrailDirection>,
    /// An external service called over HTTP.
    pub remote: Option<RemoteGuardrail>,
}

/// Which messages of a method a guardrail inspects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum GuardrailDirection {
    /// Requests and responses.
    Full,
    /// None: exempts the method from a wildcard entry.
    Off,
    /// Requests from the client only.
    Request,
    /// Responses from the server only.
    Response,
}

/// A guardrail service the gateway calls with each inspected MCP message, named by
/// exactly one of `backendRef` and `url`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = url_without_path("url must not include a path"),
    transform = backend_ref_or_url,
)]
pub struct RemoteGuardrail {
    /// The service, usually a Service and port.
    pub backend_ref: Option<BackendObjectReference>,
    /// The service's address as a URL with no path, e.g.
    /// `http://guardrails.example.com:8080`.
    #[schemars(transform = http_url)]
    pub url: Option<String>,
    /// What happens when the service fails or cannot be reached: `FailClosed`
    /// rejects the message, `FailOpen` lets it through unchecked.
    pub failure_mode: Option<FailureMode>,
    /// Headers of the client's request passed on to the service (up to 64). Only
    /// these are passed when set.
    #[schemars(length(max = 64), transform = markers::list_set, transform = markers::each(pseudo_header_name))]
    pub allowed_request_headers: Option<Vec<String>>,
    /// Headers of the client's request never passed on to the service (up to 64),
    /// e.g. `authorization`.
    #[schemars(length(max = 64), transform = markers::list_set, transform = markers::each(pseudo_header_name))]
    pub disallowed_request_headers: Option<Vec<String>>,
    /// Values sent to the service with each message, each a CEL expression over the
    /// request, e.g. `{"user": "jwt.sub"}`. At most 64.
    #[schemars(
        transform = markers::properties(None, Some(64)),
        transform = markers::each(cel_expression)
    )]
    pub metadata: Option<BTreeMap<String, String>>,
}
