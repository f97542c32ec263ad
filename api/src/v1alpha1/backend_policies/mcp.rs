//! MCP authorization and authentication for MCP backends.

use crate::v1alpha1::shared::BackendObjectReference;
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;

/// MCP-level access control. Set at least one of `authorization` and `authentication`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_of(&["authorization", "authentication"]))]
pub struct McpPolicy {
    /// Which MCP clients may list and call which tools, prompts and resources.
    pub authorization: Option<McpAuthorization>,
    /// Require MCP clients to present a JWT, as the MCP authorization specification
    /// describes (OAuth 2.1 protected resource).
    pub authentication: Option<McpAuthentication>,
}

/// Rules deciding access to MCP tools, prompts and resources.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct McpAuthorization {
    /// What happens when a rule matches: `Allow` (the default) grants access to what
    /// matches and denies the rest; `Deny` refuses what matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("Allow"))]
    pub action: Option<AuthorizationAction>,
    /// The rules.
    pub policy: AuthorizationPolicy,
}

/// Whether matching requests are allowed or denied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum AuthorizationAction {
    /// Matching requests are allowed.
    Allow,
    /// Matching requests are denied.
    Deny,
}

/// A set of CEL expressions; a request matches when any expression is true.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationPolicy {
    /// CEL expressions over the request, e.g. `jwt.sub == "alice"`, or for MCP
    /// backends `mcp.tool.name == "echo"`.
    #[schemars(length(min = 1, max = 256), inner(length(min = 1, max = 16384)))]
    pub match_expressions: Vec<String>,
}

/// JWT authentication of MCP clients.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpAuthentication {
    /// The identity provider, when it needs special handling (`Auth0`, `Keycloak`).
    pub provider: Option<McpIdentityProvider>,
    /// Expected `iss` claim of the tokens.
    #[schemars(length(min = 1, max = 256))]
    pub issuer: Option<String>,
    /// Accepted `aud` claims; a token must carry one of them.
    #[schemars(length(min = 1, max = 64))]
    pub audiences: Option<Vec<String>>,
    /// Where the keys that sign the tokens are published.
    pub jwks: RemoteJwks,
    /// Extra fields of the OAuth protected resource metadata document the gateway
    /// serves for this backend, e.g. `scopes_supported`.
    #[schemars(transform = preserved_values)]
    pub resource_metadata: Option<BTreeMap<String, Value>>,
    /// How strictly tokens are required: `Strict` rejects requests without a valid
    /// token, `Optional` accepts requests without a token but rejects invalid ones,
    /// `Permissive` never rejects.
    pub mode: Option<McpAuthenticationMode>,
}

fn preserved_values(s: &mut schemars::Schema) {
    if let Some(v) = s.get_mut("additionalProperties") {
        let mut inner = schemars::Schema::default();
        markers::preserve_unknown_fields(&mut inner);
        *v = inner.to_value();
    }
}

/// Identity providers with provider-specific behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum McpIdentityProvider {
    /// Auth0.
    Auth0,
    /// Keycloak.
    Keycloak,
}

/// How strictly MCP authentication is enforced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum McpAuthenticationMode {
    /// A valid token is required.
    Strict,
    /// A token is optional, but must be valid when present.
    Optional,
    /// Tokens are validated when present, and requests are never rejected.
    Permissive,
}

/// A JSON Web Key Set fetched from a backend.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RemoteJwks {
    /// The backend serving the key set.
    pub backend_ref: BackendObjectReference,
    /// HTTP path of the key set on that backend, e.g. `/.well-known/jwks.json`.
    #[schemars(length(min = 1, max = 2000))]
    pub jwks_path: String,
    /// How long a fetched key set is used before it is fetched again. At least `5m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("5m"), transform = markers::duration_at_least("5m", "cacheDuration must be at least 5m."))]
    pub cache_duration: Option<String>,
}
