//! Credentials the gateway presents to a backend.
//!
//! [`BackendAuth`] is the full set of ways (backends, MCP targets, AI providers and
//! `AgentgatewayPolicy` `backend.auth`); [`ModelAuth`] is the same without
//! `crossAppAccess` and `jwtSign` (AgentgatewayModel). Both are declared by `auth_methods!`, which
//! holds the ways they share. The guardrail services of AI
//! prompt guards accept only the methods their provider understands:
//! [`BedrockGuardrailAuth`], [`ModerationAuth`] and [`ModelArmorAuth`].

use crate::v1alpha1::shared::{
    BackendObjectReference, CredentialKeyRef, CredentialLocation, CredentialRef, CredentialSource,
    Duration, backend_ref_or_url, cel_expression, http_url, min_duration, not_with_url,
    preserved_values,
};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;

/// The primary auth kinds of [`BackendAuth`]: at most one may be set.
const BACKEND_AUTH_KINDS: &[&str] = &[
    "key",
    "secretRef",
    "passthrough",
    "aws",
    "azure",
    "gcp",
    "oauthTokenExchange",
    "crossAppAccess",
    "jwtSign",
];

/// The primary auth kinds of [`ModelAuth`]: at most one may be set.
const MODEL_AUTH_KINDS: &[&str] = &[
    "key",
    "secretRef",
    "passthrough",
    "aws",
    "azure",
    "gcp",
    "oauthTokenExchange",
];

/// The auth kinds that send one value the gateway places with `location`.
const LOCATED_KINDS: &[&str] = &["key", "secretRef", "passthrough"];

/// Declares an auth type: the ways to authenticate shared by [`BackendAuth`] and
/// [`ModelAuth`] (documented once here), followed by the type's own fields. Plain
/// fields (no `#[serde(flatten)]`), so errors name the exact field and the rule
/// markers see every field.
macro_rules! auth_methods {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            /// A key written inline, sent as `Authorization: Bearer <key>` unless
            /// `location` says otherwise. Prefer `secretRef`: anyone who can read this
            /// object can read the key.
            #[schemars(length(max = 2048))]
            pub key: Option<String>,
            /// A Secret in this object's namespace holding the key, at `key` (by
            /// default `Authorization`; a leading `Bearer ` in the value is dropped).
            /// Sent like `key`.
            pub secret_ref: Option<CredentialKeyRef>,
            /// Forward the credential of the incoming request unchanged (with
            /// `location`, moved to that place).
            pub passthrough: Option<AuthPassthrough>,
            /// Where `key`, `secretRef` or `passthrough` put the credential in the
            /// request to the backend. `Authorization: Bearer <value>` when unset.
            pub location: Option<CredentialLocation>,
            /// Extra credentials, each a Secret value placed at its own location (1
            /// to 8), e.g. an API key header next to a bearer token. May be combined
            /// with one of the primary ways.
            #[schemars(length(min = 1, max = 8), transform = markers::list_atomic)]
            pub credentials: Option<Vec<Credential>>,
            /// Sign requests with AWS Signature Version 4, as AWS services such as
            /// Bedrock expect.
            pub aws: Option<AwsAuth>,
            /// Authenticate to Azure services with a Microsoft Entra ID token.
            pub azure: Option<AzureAuth>,
            /// Authenticate to Google Cloud services with a Google access or ID token.
            pub gcp: Option<GcpAuth>,
            /// Exchange the caller's token for one the backend accepts, at an OAuth
            /// 2.0 token endpoint (RFC 8693 token exchange or RFC 7523 JWT bearer
            /// grant).
            pub oauth_token_exchange: Option<OAuthTokenExchange>,
            $( $(#[$fmeta])* pub $field: $ty, )*
        }
    };
}

auth_methods! {
    /// How the gateway authenticates to the backend: at most one primary way (`key`,
    /// `secretRef`, `passthrough`, `aws`, `azure`, `gcp`, `oauthTokenExchange`,
    /// `crossAppAccess`, `jwtSign`), and/or a list of extra `credentials` to send
    /// alongside it. Set at least one.
    #[skip_serializing_none]
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    #[schemars(
        transform = markers::credentials_or_auth_kind(BACKEND_AUTH_KINDS),
        transform = markers::location_only_with(LOCATED_KINDS),
        transform = markers::at_most_one_of(BACKEND_AUTH_KINDS),
    )]
    pub struct BackendAuth {
        /// Obtain a token for the backend with the Cross-App Access flow (an
        /// identity assertion grant): the user's token is exchanged at their
        /// identity provider for an ID-JAG, which the backend's authorization server
        /// exchanges for an access token.
        pub cross_app_access: Option<CrossAppAccess>,
        /// Send a JWT the gateway signs itself with a key from a Secret, e.g. for
        /// backends that trust the gateway as an issuer.
        pub jwt_sign: Option<JwtSign>,
    }
}

auth_methods! {
    /// How the gateway authenticates to a model's provider: as [`BackendAuth`]
    /// without `crossAppAccess` and `jwtSign`. Set at least one.
    #[skip_serializing_none]
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    #[schemars(
        transform = markers::credentials_or_auth_kind(MODEL_AUTH_KINDS),
        transform = markers::location_only_with(LOCATED_KINDS),
        transform = markers::at_most_one_of(MODEL_AUTH_KINDS),
    )]
    pub struct ModelAuth {}
}

/// Forward the client's own credentials. Has no settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuthPassthrough {}

/// One extra credential: a Secret value and where to put it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Credential {
    /// Where in the request to the backend the value goes.
    pub location: CredentialLocation,
    /// The Secret (and `key` in it) holding the value.
    pub secret_ref: CredentialKeyRef,
}

/// AWS request signing. Credentials come from `secretRef`, from an assumed role, or
/// when neither is set from the gateway's environment (e.g. its pod's IAM role).
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::cel(
    "!(has(self.secretRef) && has(self.assumeRole))",
    "secretRef and assumeRole are mutually exclusive"
))]
pub struct AwsAuth {
    /// A Secret in this object's namespace holding `accessKey`, `secretKey` and,
    /// optionally, `sessionToken`.
    pub secret_ref: Option<CredentialRef>,
    /// Assume an IAM role (with STS) and sign with its temporary credentials.
    pub assume_role: Option<AwsAssumeRole>,
    /// AWS region to sign for, e.g. `us-east-1`. The backend's region when unset.
    #[schemars(length(min = 1, max = 256))]
    pub region: Option<String>,
    /// AWS service name to sign for, e.g. `bedrock`. Derived from the backend when
    /// unset.
    #[schemars(length(min = 1, max = 256))]
    pub service_name: Option<String>,
}

/// An IAM role to assume for signing.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::at_most_one_of(&["sessionName", "sessionNameExpression"]))]
pub struct AwsAssumeRole {
    /// ARN of the role, e.g. `arn:aws:iam::123456789012:role/bedrock-caller`.
    #[schemars(
        length(min = 1),
        regex(pattern = r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$")
    )]
    pub role_arn: String,
    /// A fixed role session name (2 to 64 of letters, digits and `+=,.@-_`), which
    /// shows up in CloudTrail. Set at most one of this and `sessionNameExpression`.
    #[schemars(regex(pattern = r"^[\w+=,.@-]{2,64}$"))]
    pub session_name: Option<String>,
    /// A CEL expression over the request computing the session name, e.g. `jwt.sub`,
    /// so each user's calls are attributed to them.
    #[schemars(transform = cel_expression)]
    pub session_name_expression: Option<String>,
    /// Session tags to pass to STS (up to 50, distinct keys), for attribute-based
    /// access control.
    #[schemars(length(max = 50), transform = markers::list_map(&["key"]))]
    pub tags: Option<Vec<AwsSessionTag>>,
}

/// One session tag: a fixed `value` or a CEL `expression` computing it (exactly one).
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::cel(
    "has(self.value) != has(self.expression)",
    "exactly one of value or expression must be set"
))]
pub struct AwsSessionTag {
    /// The tag key, e.g. `team`.
    #[schemars(length(min = 1, max = 128))]
    pub key: String,
    /// A fixed value (up to 256 characters).
    #[schemars(length(max = 256))]
    pub value: Option<String>,
    /// A CEL expression over the request computing the value, e.g.
    /// `jwt.claims.team`.
    #[schemars(transform = cel_expression)]
    pub expression: Option<String>,
}

/// Microsoft Entra ID credentials for Azure services. Set at most one source; when
/// none is set, the gateway uses the default credential chain of its environment.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::at_most_one_of(&["secretRef", "managedIdentity", "workloadIdentity"]))]
pub struct AzureAuth {
    /// A Secret holding a service principal's `tenantId`, `clientId` and
    /// `clientSecret`.
    pub secret_ref: Option<CredentialRef>,
    /// A managed identity of the machine the gateway runs on.
    pub managed_identity: Option<AzureManagedIdentity>,
    /// Azure workload identity federation, configured through the gateway pod's
    /// service account. Has no settings.
    pub workload_identity: Option<AzureWorkloadIdentity>,
}

/// A managed identity of the machine the gateway runs on. Name a user-assigned
/// identity by at most one of its identifiers; with none set, the system-assigned
/// identity is used.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::at_most_one_of(&["clientId", "objectId", "resourceId"]))]
pub struct AzureManagedIdentity {
    /// The identity's client (application) ID.
    pub client_id: Option<String>,
    /// The identity's object (principal) ID.
    pub object_id: Option<String>,
    /// The identity's Azure resource ID.
    pub resource_id: Option<String>,
}

/// Azure workload identity. Has no settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AzureWorkloadIdentity {}

/// Google Cloud credentials. From `secretRef` (a service account key) or, when
/// unset, the gateway's environment (e.g. GKE workload identity).
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::cel(
    "has(self.audience) ? self.type == 'IdToken' : true",
    "audience is only valid with IdToken"
))]
pub struct GcpAuth {
    /// A Secret holding a service account key (JSON), at `key`.
    pub secret_ref: Option<CredentialKeyRef>,
    /// The kind of token: `AccessToken` for Google APIs, `IdToken` for services
    /// that verify identity such as Cloud Run.
    #[serde(rename = "type")]
    pub type_: Option<GcpTokenType>,
    /// The audience of ID tokens, e.g. the URL of the Cloud Run service. Only with
    /// `type: IdToken`.
    #[schemars(length(min = 1, max = 256))]
    pub audience: Option<String>,
}

/// Which Google token the gateway sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum GcpTokenType {
    /// An OAuth 2.0 access token.
    AccessToken,
    /// An OpenID Connect ID token.
    IdToken,
}

/// OAuth 2.0 token exchange at an authorization server's token endpoint, named by
/// exactly one of `backendRef` (with `path`) and `url`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = markers::cel(
        "!(has(self.actorToken) && has(self.grantType) && self.grantType == 'JwtBearer')",
        "actorToken is only valid with TokenExchange grantType"
    ),
    transform = markers::cel(
        "!(has(self.requestedTokenType) && has(self.grantType) && self.grantType == 'JwtBearer')",
        "requestedTokenType is only valid with TokenExchange grantType"
    ),
    transform = markers::cel(
        "!has(self.requestedTokenType) || self.requestedTokenType != 'IdJag'",
        "requestedTokenType IdJag is only supported by crossAppAccess"
    ),
    transform = not_with_url("path"),
    transform = backend_ref_or_url,
)]
pub struct OAuthTokenExchange {
    /// The authorization server as a Service (with its port) or an
    /// AgentgatewayBackend.
    pub backend_ref: Option<BackendObjectReference>,
    /// The token endpoint's full URL, e.g. `https://idp.example.com/oauth2/token`.
    #[schemars(transform = http_url)]
    pub url: Option<String>,
    /// Path of the token endpoint on `backendRef`, e.g. `/oauth2/token`. The
    /// server's default when unset. Not with `url`.
    #[schemars(regex(pattern = "^/"))]
    pub path: Option<String>,
    /// The grant: `TokenExchange` (RFC 8693) or `JwtBearer` (RFC 7523).
    pub grant_type: Option<GrantType>,
    /// How the gateway authenticates itself to the token endpoint.
    pub client_auth: Option<ClientAuth>,
    /// The token to exchange. The incoming request's bearer token when unset.
    pub subject_token: Option<SubjectToken>,
    /// A token for the party acting on the subject's behalf (delegation). Only with
    /// `TokenExchange`.
    pub actor_token: Option<ActorToken>,
    /// The kind of token to ask for. Only with `TokenExchange`; `IdJag` is only for
    /// `crossAppAccess`.
    pub requested_token_type: Option<RequestedTokenType>,
    /// `audience` values to ask the token for (1 to 64), e.g. the backend's client ID.
    #[schemars(length(min = 1, max = 64), inner(length(min = 1, max = 256)))]
    pub audiences: Option<Vec<String>>,
    /// `resource` URIs to ask the token for (1 to 64).
    #[schemars(length(min = 1, max = 64))]
    pub resources: Option<Vec<String>>,
    /// Scopes to ask the token for (1 to 64).
    #[schemars(length(min = 1, max = 64))]
    pub scopes: Option<Vec<String>>,
    /// Extra form parameters of the token request (up to 64), each value a CEL
    /// expression over the request.
    #[schemars(
        transform = markers::properties(None, Some(64)),
        transform = markers::each(cel_expression)
    )]
    pub additional_params: Option<BTreeMap<String, String>>,
    /// Where the obtained token goes in the request to the backend.
    /// `Authorization: Bearer <token>` when unset.
    pub location: Option<CredentialLocation>,
    /// Keep obtained tokens for reuse.
    pub cache: Option<TokenCache>,
}

/// OAuth grant types for token exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum GrantType {
    /// The JWT bearer grant (RFC 7523): the subject token is a JWT assertion.
    JwtBearer,
    /// Token exchange (RFC 8693).
    TokenExchange,
}

/// Token types that can be requested in a token exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RequestedTokenType {
    /// An OAuth access token.
    AccessToken,
    /// A JWT.
    Jwt,
    /// An OpenID Connect ID token.
    IdToken,
    /// An identity assertion JWT authorization grant (Cross-App Access only).
    IdJag,
}

/// The token a token exchange starts from.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubjectToken {
    /// Where in the incoming request the token is. The bearer token of the
    /// `Authorization` header when unset.
    pub source: Option<CredentialSource>,
    /// The token type URI sent as `subject_token_type`, e.g.
    /// `urn:ietf:params:oauth:token-type:jwt`. Access token when unset.
    pub token_type: Option<String>,
}

/// The token of the actor in a delegation exchange.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::cel(
    "!has(self.mayAct) || self.mayAct != 'Required' || (has(self.tokenType) && self.tokenType == 'Jwt')",
    "mayAct Required requires tokenType Jwt"
))]
pub struct ActorToken {
    /// Where in the incoming request the actor's token is.
    pub source: CredentialSource,
    /// The actor token's type, sent as `actor_token_type`, e.g. `Jwt`.
    pub token_type: Option<String>,
    /// `Required`: the subject token must name the actor in its `may_act` claim
    /// (checked by the gateway; needs `tokenType: Jwt`).
    pub may_act: Option<MayAct>,
}

/// Whether the subject token must authorize the actor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum MayAct {
    /// The subject token's `may_act` claim must name the actor.
    Required,
}

/// How the gateway authenticates itself to a token endpoint.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = markers::cel(
        "has(self.privateKeyJwt) == (has(self.method) && self.method == 'PrivateKeyJwt')",
        "privateKeyJwt settings require method PrivateKeyJwt"
    ),
    transform = markers::cel(
        "!has(self.secretRef) || !has(self.method) || self.method != 'PrivateKeyJwt'",
        "secretRef is not valid with method PrivateKeyJwt"
    ),
    transform = markers::cel(
        "has(self.secretRef) || has(self.privateKeyJwt) || (has(self.method) && self.method == 'ClientSecretPost')",
        "clientAuth without secretRef requires method ClientSecretPost or PrivateKeyJwt"
    ),
)]
pub struct ClientAuth {
    /// The gateway's OAuth client ID.
    #[schemars(length(min = 1))]
    pub client_id: String,
    /// How the client authenticates: `ClientSecretBasic` (the default with a
    /// secret), `ClientSecretPost`, or `PrivateKeyJwt` (a signed assertion).
    pub method: Option<ClientAuthMethod>,
    /// A Secret holding the client secret, at `key`. Not with `PrivateKeyJwt`.
    pub secret_ref: Option<CredentialKeyRef>,
    /// The signing key and claims of the client assertion. Exactly with
    /// `method: PrivateKeyJwt`.
    pub private_key_jwt: Option<PrivateKeyJwt>,
}

/// OAuth client authentication methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ClientAuthMethod {
    /// The client ID and secret in an HTTP Basic `Authorization` header.
    ClientSecretBasic,
    /// The client ID and secret (if any) as form parameters.
    ClientSecretPost,
    /// A JWT signed with the client's private key (RFC 7523).
    PrivateKeyJwt,
}

/// A client assertion signed with a private key.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::cel(
    "has(self.certificateRef) == has(self.certificateHeader)",
    "certificateRef and certificateHeader must be set together"
))]
pub struct PrivateKeyJwt {
    /// A Secret holding the PEM private key, at `key`.
    pub signing_key_ref: CredentialKeyRef,
    /// The `aud` claim of the assertion, usually the token endpoint's URL.
    #[schemars(length(min = 1))]
    pub assertion_audience: String,
    /// The signing algorithm. Chosen from the key when unset.
    pub alg: Option<SigningAlgorithm>,
    /// The `kid` header of the assertion, naming the key to the server.
    pub kid: Option<String>,
    /// A Secret holding the PEM certificate of the key, at `key`, for servers that
    /// identify clients by certificate. Set together with `certificateHeader`.
    pub certificate_ref: Option<CredentialKeyRef>,
    /// How the certificate is named in the assertion header: the whole chain
    /// (`x5c`) or its SHA-256 thumbprint (`x5t#S256`).
    pub certificate_header: Option<CertificateHeader>,
}

/// JWS signing algorithms for client assertions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SigningAlgorithm {
    /// ECDSA with P-256 and SHA-256.
    ES256,
    /// ECDSA with P-384 and SHA-384.
    ES384,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
}

/// JWS header naming the certificate of the signing key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum CertificateHeader {
    /// `x5c`: the certificate chain.
    #[serde(rename = "x5c")]
    X5c,
    /// `x5t#S256`: the certificate's SHA-256 thumbprint.
    #[serde(rename = "x5t#S256")]
    X5tS256,
}

/// Reuse of obtained tokens.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenCache {
    /// Keep tokens in the gateway's memory.
    pub in_memory: Option<InMemoryTokenCache>,
}

/// An in-memory token cache.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InMemoryTokenCache {
    /// Most tokens kept; the least recently used go first. The gateway's default
    /// when unset.
    pub max_entries: Option<i32>,
    /// How long to keep a token whose response gives no lifetime, e.g. `5m`. At
    /// least `1s`.
    #[schemars(transform = min_duration("1s", "defaultTtl must be at least 1 second"))]
    pub default_ttl: Option<Duration>,
}

/// Cross-App Access (identity assertion authorization grant): two token exchanges,
/// first at the user's identity provider, then at the backend's authorization server.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CrossAppAccess {
    /// The identity provider that issues the identity assertion (ID-JAG).
    pub identity_provider: TokenEndpoint,
    /// The backend's authorization server, which turns the assertion into an access
    /// token.
    pub resource_authorization_server: TokenEndpoint,
    /// The `audience` of the assertion: the backend authorization server's issuer.
    #[schemars(length(min = 1, max = 256))]
    pub audience: String,
    /// The user's token to start from, and its type. The bearer token of the
    /// incoming request when unset. An ID-JAG cannot be the starting token.
    #[schemars(transform = markers::cel(
        "!has(self.tokenType) || (self.tokenType != 'IdJag' && self.tokenType != 'urn:ietf:params:oauth:token-type:id-jag')",
        "tokenType IdJag is not supported by crossAppAccess"
    ))]
    pub subject_token: Option<SubjectToken>,
    /// `resource` URIs to ask the access token for (1 to 64).
    #[schemars(length(min = 1, max = 64))]
    pub resources: Option<Vec<String>>,
    /// Scopes to put in the identity assertion request at the identity provider (1
    /// to 64).
    #[schemars(length(min = 1, max = 64))]
    pub scopes: Option<Vec<String>>,
    /// Scopes to ask the access token for at the backend's authorization server (up
    /// to 64). The scopes the assertion carries when unset.
    #[schemars(length(max = 64))]
    pub access_token_scopes: Option<Vec<String>>,
    /// Keep obtained tokens for reuse.
    pub cache: Option<TokenCache>,
}

/// A token endpoint, named by exactly one of `backendRef` (with `path`) and `url`,
/// and how to authenticate to it.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = not_with_url("path"), transform = backend_ref_or_url)]
pub struct TokenEndpoint {
    /// The server as a Service (with its port) or an AgentgatewayBackend.
    pub backend_ref: Option<BackendObjectReference>,
    /// The token endpoint's full URL, e.g. `https://idp.example.com/oauth2/v1/token`.
    #[schemars(transform = http_url)]
    pub url: Option<String>,
    /// Path of the token endpoint on `backendRef`, e.g. `/oauth2/v1/token`. Not with
    /// `url`.
    #[schemars(regex(pattern = "^/"))]
    pub path: Option<String>,
    /// How the gateway authenticates itself to the endpoint.
    pub client_auth: ClientAuth,
}

/// A JWT the gateway signs for each request to the backend.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JwtSign {
    /// A Secret holding the PEM private key to sign with.
    pub signing_key_ref: CredentialRef,
    /// The signing algorithm. Chosen from the key when unset.
    pub alg: Option<SigningAlgorithm>,
    /// The `kid` header of the token, naming the key to the backend.
    pub kid: Option<String>,
    /// Claims to put in the token, each of any JSON type, e.g. `iss: gateway` or
    /// `aud: [orders]`.
    #[schemars(transform = preserved_values)]
    pub claims: Option<BTreeMap<String, Value>>,
    /// How long each token is valid, e.g. `5m`. At least `1s`; the gateway's
    /// default when unset.
    #[schemars(transform = min_duration("1s", "ttl must be at least 1 second"))]
    pub ttl: Option<Duration>,
    /// Where the token goes in the request to the backend. `Authorization: Bearer
    /// <token>` when unset.
    pub location: Option<CredentialLocation>,
}

/// Credentials for AWS Bedrock guardrails: a key, or AWS signing. Set exactly one
/// of `key`, `secretRef` and `aws`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = markers::location_only_with(&["key", "secretRef"]),
    transform = markers::exactly_one_of(&["key", "secretRef", "aws"]),
)]
pub struct BedrockGuardrailAuth {
    /// A Bedrock API key written inline. Prefer `secretRef`.
    #[schemars(length(max = 2048))]
    pub key: Option<String>,
    /// A Secret holding the Bedrock API key, at `key`.
    pub secret_ref: Option<CredentialKeyRef>,
    /// Where the key goes in the request. `Authorization: Bearer <key>` when unset.
    pub location: Option<CredentialLocation>,
    /// Sign requests with AWS Signature Version 4.
    pub aws: Option<AwsAuth>,
}

/// Credentials for a moderation service such as OpenAI's: an API key. Set exactly
/// one of `key` and `secretRef`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::exactly_one_of(&["key", "secretRef"]))]
pub struct ModerationAuth {
    /// The API key written inline. Prefer `secretRef`.
    #[schemars(length(max = 2048))]
    pub key: Option<String>,
    /// A Secret holding the API key, at `key`.
    pub secret_ref: Option<CredentialKeyRef>,
    /// Where the key goes in the request. `Authorization: Bearer <key>` when unset.
    pub location: Option<CredentialLocation>,
}

/// Credentials for Google Model Armor: Google Cloud credentials (`gcp`, required).
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::exactly_one_of(&["gcp"]))]
pub struct ModelArmorAuth {
    /// Google Cloud credentials.
    pub gcp: Option<GcpAuth>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages<T: JsonSchema>() -> Vec<String> {
        let s = schemars::schema_for!(T);
        s.get(markers::VALIDATIONS)
            .and_then(|v| v.as_array())
            .map(|l| {
                l.iter()
                    .filter_map(|r| r["message"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn model_auth_is_backend_auth_without_cross_app_access() {
        assert_eq!(
            messages::<ModelAuth>(),
            [
                "must specify credentials, or at most one of key/secretRef/passthrough/aws/azure/gcp/oauthTokenExchange (credentials may be combined with a primary auth kind)",
                "location may only be set for key, secretRef, or passthrough auth",
                "at most one of the fields in [key secretRef passthrough aws azure gcp oauthTokenExchange] may be set",
            ]
        );
        assert_eq!(
            messages::<BackendAuth>()[2],
            "at most one of the fields in [key secretRef passthrough aws azure gcp oauthTokenExchange crossAppAccess jwtSign] may be set"
        );
    }
}
