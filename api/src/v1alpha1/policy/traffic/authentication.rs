//! Client authentication: JSON Web Tokens, HTTP Basic credentials, API keys.

use crate::v1alpha1::{
    backend_policies::mcp::{McpAuthenticationMode, McpIdentityProvider, RemoteJwks},
    shared::{CredentialKeyRef, CredentialRef, CredentialSource, preserved_values},
};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;

/// Whether requests without credentials are let through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::enum_sorted)]
pub enum CredentialMode {
    /// Valid credentials are required.
    Strict,
    /// Requests without credentials pass (unauthenticated); invalid credentials are
    /// rejected.
    Optional,
}

/// JWT authentication: the client sends a token as `Authorization: Bearer <token>`,
/// and the gateway verifies its signature, issuer, audience and expiry. The token's
/// claims are then available to CEL expressions as `jwt`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    transform = markers::cel(
        "!has(self.mcp) || size(self.providers) == 1",
        "jwtAuthentication.mcp requires exactly one provider"
    ),
    transform = markers::cel(
        "!has(self.mcp) || !has(self.mode) || self.mode == 'Strict'",
        "jwtAuthentication.mcp requires mode Strict"
    )
)]
pub struct JwtAuthentication {
    /// How strictly tokens are required: `Strict` (the default) rejects requests
    /// without a valid token, `Optional` accepts requests without a token but rejects
    /// invalid ones, `Permissive` never rejects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("Strict"))]
    pub mode: Option<McpAuthenticationMode>,
    /// The token issuers to accept (1 to 64); a token is checked against the provider
    /// whose `issuer` matches its `iss` claim.
    #[schemars(length(min = 1, max = 64))]
    pub providers: Vec<JwtProvider>,
    /// Where the token is read from. `Authorization: Bearer <token>` when unset.
    pub location: Option<CredentialSource>,
    /// Act as an OAuth-protected MCP resource server: serve the protected resource
    /// metadata MCP clients use to find the authorization server. Needs exactly one
    /// provider and mode `Strict`.
    pub mcp: Option<JwtMcp>,
}

/// MCP authorization settings of JWT authentication.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JwtMcp {
    /// The identity provider, when it needs special handling (e.g. `Keycloak`,
    /// `Entra`). A standard OAuth 2.1 / OpenID provider when unset.
    pub provider: Option<McpIdentityProvider>,
    /// The OAuth client ID MCP clients use with the identity provider, for providers
    /// that need one to serve client registration or metadata.
    pub client_id: Option<String>,
    /// Extra fields of the OAuth protected resource metadata document, e.g.
    /// `scopes_supported`; values of any JSON type.
    #[schemars(transform = preserved_values)]
    pub resource_metadata: Option<BTreeMap<String, Value>>,
}

/// One accepted token issuer.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JwtProvider {
    /// The `iss` claim of the tokens this provider issues, e.g.
    /// `https://auth.example.com`.
    #[schemars(length(min = 1, max = 256))]
    pub issuer: String,
    /// Accepted `aud` claims (1 to 64); a token must carry one of them. Any audience
    /// when unset.
    #[schemars(length(min = 1, max = 64))]
    pub audiences: Option<Vec<String>>,
    /// The keys that verify the tokens' signatures.
    pub jwks: JwksSource,
}

/// Where a JSON Web Key Set comes from. Set exactly one of `remote` and `inline`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::exactly_one_of(&["remote", "inline"]))]
pub struct JwksSource {
    /// Fetch the key set over HTTP from a backend, and refresh it periodically.
    pub remote: Option<RemoteJwks>,
    /// The key set itself, as a JSON document (`{"keys": [...]}`).
    #[schemars(length(min = 2, max = 65536))]
    pub inline: Option<String>,
}

/// HTTP Basic authentication (RFC 7617): the client sends a user name and password in
/// the `Authorization` header. Set exactly one of `users` and `secretRef`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::exactly_one_of(&["users", "secretRef"]))]
pub struct BasicAuthentication {
    /// Accepted users (1 to 256), each an htpasswd line `name:hash`; store password
    /// hashes (bcrypt, MD5, SHA-1 or crypt), never plain passwords, e.g. the output of
    /// `htpasswd -nbB alice <password>`.
    #[schemars(length(min = 1, max = 256))]
    pub users: Option<Vec<String>>,
    /// A Secret in the policy's namespace holding the accepted users in htpasswd
    /// format, one `name:hash` per line, at `key` (`.htaccess` when unset).
    pub secret_ref: Option<CredentialKeyRef>,
    /// The realm named in the `WWW-Authenticate` challenge sent to clients without
    /// valid credentials. `Restricted` when unset.
    pub realm: Option<String>,
    /// `Strict` (the default) requires valid credentials; `Optional` also lets
    /// requests without credentials through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("Strict"))]
    pub mode: Option<CredentialMode>,
    /// Where the credentials are read from. The `Authorization` header when unset.
    pub location: Option<CredentialSource>,
}

/// API key authentication: the client sends a key as `Authorization: Bearer <key>`,
/// and the gateway compares it with the keys stored in Secrets or ConfigMaps. Set
/// exactly one of `secretRef`, `secretSelector` and `configMapSelector`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::exactly_one_of(&["secretRef", "secretSelector", "configMapSelector"]))]
pub struct ApiKeyAuthentication {
    /// `Strict` (the default) requires a valid key; `Optional` also lets requests
    /// without a key through; `Permissive` never rejects, checking keys only so that
    /// `apiKey` is available to later policies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("Strict"))]
    pub mode: Option<McpAuthenticationMode>,
    /// A Secret in the policy's namespace holding the accepted keys, one per data
    /// entry. The entry's name identifies the client; its value is either the key
    /// itself, or a JSON object `{"key": "...", "metadata": {...}}` whose metadata
    /// other policies can read in CEL as `apiKey`, e.g. `apiKey.group == 'sales'`.
    pub secret_ref: Option<CredentialRef>,
    /// Every Secret in the policy's namespace with these labels holds accepted keys,
    /// in the same format as with `secretRef`. A key defined in two Secrets is
    /// ambiguous; avoid it.
    pub secret_selector: Option<SecretSelector>,
    /// Every ConfigMap in the policy's namespace with these labels holds accepted
    /// keys, in the same format as with `secretRef`.
    pub config_map_selector: Option<SecretSelector>,
    /// Where the key is read from. `Authorization: Bearer <key>` when unset.
    pub location: Option<CredentialSource>,
}

/// Selects Secrets (or ConfigMaps) by label.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretSelector {
    /// Labels a Secret must carry, all with exactly these values.
    pub match_labels: BTreeMap<String, String>,
}
