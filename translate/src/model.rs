//! agentgateway's resource model: the subset of messages the backend translation emits.
//!
//! agentgateway receives its configuration as protobuf messages (`Resource`, `Backend`,
//! `BackendPolicySpec`, ...). These types mirror exactly the fields the translation
//! fills in, and serialize following the proto3 JSON mapping, so the output reads like
//! the gateway's own view of its configuration:
//!
//! - field names in lowerCamelCase;
//! - enum values by name (`STATELESS`, `SSE`);
//! - fields holding their zero value (empty string, `0`, `false`, the first enum value,
//!   an empty list or map, an unset message) are omitted; fields declared `optional` in
//!   the proto (here `Option` of a scalar) are emitted whenever they are set, even to zero;
//! - a `oneof` is a single key named after the chosen field (`static`, `mcp`, ...),
//!   present even when its message is empty (`dynamic: {}`);
//! - `bytes` as standard base64, `google.protobuf.Duration` as seconds with an `s`
//!   suffix (`"30s"`, `"0.100s"`), `google.protobuf.Value` as plain JSON.

use base64::Engine;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// True for a value equal to its type's default: the proto3 zero value.
fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// One resource sent to agentgateway. Only backends are produced here.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Resource {
    /// A backend (`Resource.backend`).
    Backend(Backend),
}

/// A destination agentgateway can send traffic to (`Backend`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Backend {
    /// Unique key of the backend, referred to by routes and other backends.
    #[serde(skip_serializing_if = "is_zero")]
    pub key: String,
    /// The Kubernetes object the backend comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<ResourceName>,
    /// What kind of backend this is.
    #[serde(flatten)]
    pub kind: Option<BackendKind>,
    /// Policies applied to every connection to this backend.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inline_policies: Vec<BackendPolicySpec>,
}

/// Name and namespace of the originating object (`ResourceName`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceName {
    /// Object name.
    #[serde(skip_serializing_if = "is_zero")]
    pub name: String,
    /// Object namespace.
    #[serde(skip_serializing_if = "is_zero")]
    pub namespace: String,
}

/// The `Backend.kind` oneof.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum BackendKind {
    /// A fixed host and port.
    Static(StaticBackend),
    /// AI model providers.
    Ai(AiBackend),
    /// MCP servers.
    Mcp(McpBackend),
    /// A dynamic forward proxy.
    Dynamic(Empty),
}

/// A message without fields, e.g. `DynamicForwardProxy` or `Passthrough`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Empty {}

/// `StaticBackend`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StaticBackend {
    /// Host name or IP address.
    #[serde(skip_serializing_if = "is_zero")]
    pub host: String,
    /// Port.
    #[serde(skip_serializing_if = "is_zero")]
    pub port: i32,
    /// Path of a Unix domain socket, instead of a host and port.
    #[serde(skip_serializing_if = "is_zero")]
    pub unix_path: String,
}

/// `MCPBackend`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct McpBackend {
    /// The MCP servers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<McpTarget>,
    /// Whether the gateway keeps MCP sessions.
    #[serde(skip_serializing_if = "is_zero")]
    pub stateful_mode: StatefulMode,
    /// When tool and prompt names are prefixed with their target's name.
    #[serde(skip_serializing_if = "is_zero")]
    pub prefix_mode: PrefixMode,
    /// What happens when a target fails.
    #[serde(skip_serializing_if = "is_zero")]
    pub failure_mode: McpFailureMode,
}

/// `MCPBackend.PrefixMode`. `CONDITIONAL` (0) and `ALWAYS` (1) are agentgateway's
/// values; `NEVER` carries the API's third value, `Never`, under the same naming.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum PrefixMode {
    /// Prefix only when there are several targets (the zero value).
    #[default]
    #[serde(rename = "CONDITIONAL")]
    Conditional,
    /// Always prefix.
    #[serde(rename = "ALWAYS")]
    Always,
    /// Never prefix.
    #[serde(rename = "NEVER")]
    Never,
}

/// `MCPBackend.FailureMode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum McpFailureMode {
    /// A failing target fails the session (the zero value).
    #[default]
    #[serde(rename = "FAIL_CLOSED")]
    FailClosed,
    /// Failing targets are left out.
    #[serde(rename = "FAIL_OPEN")]
    FailOpen,
}

/// `MCPBackend.StatefulMode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum StatefulMode {
    /// Sessions are kept (the zero value).
    #[default]
    #[serde(rename = "STATEFUL")]
    Stateful,
    /// No sessions.
    #[serde(rename = "STATELESS")]
    Stateless,
}

/// `MCPTarget`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct McpTarget {
    /// Target name.
    #[serde(skip_serializing_if = "is_zero")]
    pub name: String,
    /// Where the server is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<BackendReference>,
    /// HTTP path of the MCP endpoint.
    #[serde(skip_serializing_if = "is_zero")]
    pub path: String,
    /// MCP transport.
    #[serde(skip_serializing_if = "is_zero")]
    pub protocol: McpProtocol,
}

/// `MCPTarget.Protocol`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum McpProtocol {
    /// Not set: the gateway's default (the zero value).
    #[default]
    #[serde(rename = "UNDEFINED")]
    Undefined,
    /// Server-Sent Events.
    #[serde(rename = "SSE")]
    Sse,
    /// Streamable HTTP.
    #[serde(rename = "STREAMABLE_HTTP")]
    StreamableHttp,
}

/// `BackendReference`: a Service host and port, or another backend by key.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendReference {
    /// Which kind of reference.
    #[serde(flatten)]
    pub kind: Option<BackendReferenceKind>,
    /// Port, for Service references.
    #[serde(skip_serializing_if = "is_zero")]
    pub port: u32,
}

/// The `BackendReference.kind` oneof.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum BackendReferenceKind {
    /// A Service by namespace and host name.
    Service(ServiceReference),
    /// Another backend, by its key.
    Backend(String),
}

/// `BackendReference.Service`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceReference {
    /// Namespace of the Service.
    #[serde(skip_serializing_if = "is_zero")]
    pub namespace: String,
    /// Host name of the Service, `<name>.<namespace>.svc.cluster.local`.
    #[serde(skip_serializing_if = "is_zero")]
    pub hostname: String,
}

/// `AIBackend`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AiBackend {
    /// Provider groups in priority order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub provider_groups: Vec<ProviderGroup>,
}

/// `AIBackend.ProviderGroup`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderGroup {
    /// Providers of equal priority.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub providers: Vec<Provider>,
}

/// `AIBackend.Provider`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    /// Provider name.
    #[serde(skip_serializing_if = "is_zero")]
    pub name: String,
    /// Host and port to use instead of the provider's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_override: Option<HostOverride>,
    /// Path to use instead of the provider's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_override: Option<String>,
    /// Which provider.
    #[serde(flatten)]
    pub provider: Option<ProviderKind>,
    /// Policies for connections to this provider.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inline_policies: Vec<BackendPolicySpec>,
}

/// `AIBackend.HostOverride`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostOverride {
    /// Host name.
    #[serde(skip_serializing_if = "is_zero")]
    pub host: String,
    /// Port.
    #[serde(skip_serializing_if = "is_zero")]
    pub port: i32,
}

/// The `AIBackend.Provider.provider` oneof.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ProviderKind {
    /// OpenAI.
    Openai(ModelOnly),
    /// Google Gemini.
    Gemini(ModelOnly),
    /// Google Vertex AI.
    Vertex(Vertex),
    /// Anthropic.
    Anthropic(ModelOnly),
    /// Amazon Bedrock.
    Bedrock(Bedrock),
    /// Azure OpenAI.
    Azureopenai(AzureOpenAi),
}

/// `AIBackend.OpenAI`, `.Gemini` and `.Anthropic`: just a model.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelOnly {
    /// Model to use; the one named by the request when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// `AIBackend.Vertex`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Vertex {
    /// Model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Google Cloud region.
    #[serde(skip_serializing_if = "is_zero")]
    pub region: String,
    /// Google Cloud project.
    #[serde(skip_serializing_if = "is_zero")]
    pub project_id: String,
}

/// `AIBackend.Bedrock`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bedrock {
    /// Model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// AWS region.
    #[serde(skip_serializing_if = "is_zero")]
    pub region: String,
    /// Guardrail identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail_identifier: Option<String>,
    /// Guardrail version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail_version: Option<String>,
}

/// `AIBackend.AzureOpenAI`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AzureOpenAi {
    /// Deployment (model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Endpoint host.
    #[serde(skip_serializing_if = "is_zero")]
    pub host: String,
    /// API version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

/// `BackendPolicySpec`: one policy, one of several kinds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendPolicySpec {
    /// Which policy.
    #[serde(flatten)]
    pub kind: Option<PolicyKind>,
}

impl From<PolicyKind> for BackendPolicySpec {
    fn from(kind: PolicyKind) -> Self {
        Self { kind: Some(kind) }
    }
}

/// The `BackendPolicySpec.kind` oneof.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PolicyKind {
    /// TLS to the backend.
    BackendTls(BackendTls),
    /// Credentials for the backend.
    Auth(BackendAuthPolicy),
    /// MCP authorization rules.
    McpAuthorization(McpAuthorization),
    /// MCP client authentication.
    McpAuthentication(McpAuthentication),
    /// AI policies.
    Ai(Box<Ai>),
    /// HTTP settings.
    BackendHttp(BackendHttp),
    /// TCP settings.
    BackendTcp(BackendTcp),
}

/// `BackendPolicySpec.BackendTLS`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendTls {
    /// Client certificate chain (PEM).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_bytes")]
    pub cert: Option<Vec<u8>>,
    /// Client private key (PEM).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_bytes")]
    pub key: Option<Vec<u8>>,
    /// Certificate authorities to verify the backend with (PEM); system roots when unset.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_bytes")]
    pub root: Option<Vec<u8>>,
    /// How much verification to skip.
    #[serde(skip_serializing_if = "is_zero")]
    pub verification: TlsVerification,
    /// SNI to send.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Accepted Subject Alternative Names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub verify_subject_alt_names: Vec<String>,
    /// ALPN protocols to offer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpn: Option<Alpn>,
}

/// `BackendPolicySpec.BackendTLS.VerificationMode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum TlsVerification {
    /// Full verification (the zero value).
    #[default]
    #[serde(rename = "STRICT")]
    Strict,
    /// Verify the chain, not the name.
    #[serde(rename = "INSECURE_HOST")]
    InsecureHost,
    /// No verification.
    #[serde(rename = "INSECURE_ALL")]
    InsecureAll,
}

/// `Alpn`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alpn {
    /// Protocols in order of preference.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub protocols: Vec<String>,
}

/// `BackendAuthPolicy`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum BackendAuthPolicy {
    /// Forward the client's credentials.
    Passthrough(Empty),
    /// Send this key.
    Key(Key),
    /// AWS request signing.
    Aws(Aws),
}

/// `Key`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Key {
    /// The key.
    #[serde(skip_serializing_if = "is_zero")]
    pub secret: String,
}

/// `Aws`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Aws {
    /// Where the credentials come from.
    #[serde(flatten)]
    pub kind: Option<AwsKind>,
}

/// The `Aws.kind` oneof.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AwsKind {
    /// Credentials given explicitly.
    ExplicitConfig(AwsExplicitConfig),
}

/// `AwsExplicitConfig`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsExplicitConfig {
    /// Access key id.
    #[serde(skip_serializing_if = "is_zero")]
    pub access_key_id: String,
    /// Secret access key.
    #[serde(skip_serializing_if = "is_zero")]
    pub secret_access_key: String,
    /// Region; the backend's when empty.
    #[serde(skip_serializing_if = "is_zero")]
    pub region: String,
    /// Session token of temporary credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_token: Option<String>,
}

/// `BackendPolicySpec.McpAuthorization`: CEL expressions.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct McpAuthorization {
    /// Allowed when any matches.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<String>,
    /// Denied when any matches.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deny: Vec<String>,
}

/// `BackendPolicySpec.McpAuthentication`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct McpAuthentication {
    /// Expected issuer.
    #[serde(skip_serializing_if = "is_zero")]
    pub issuer: String,
    /// Accepted audiences.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<String>,
    /// The key set, as JSON.
    #[serde(skip_serializing_if = "is_zero")]
    pub jwks_inline: String,
    /// Identity provider.
    #[serde(skip_serializing_if = "is_zero")]
    pub provider: McpIdp,
    /// Extra protected resource metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_metadata: Option<ResourceMetadata>,
    /// How strictly tokens are required.
    #[serde(skip_serializing_if = "is_zero")]
    pub mode: McpAuthenticationMode,
}

/// `BackendPolicySpec.McpAuthentication.McpIDP`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum McpIdp {
    /// No special handling (the zero value).
    #[default]
    #[serde(rename = "UNSPECIFIED")]
    Unspecified,
    /// Auth0.
    #[serde(rename = "AUTH0")]
    Auth0,
    /// Keycloak.
    #[serde(rename = "KEYCLOAK")]
    Keycloak,
}

/// `BackendPolicySpec.McpAuthentication.Mode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum McpAuthenticationMode {
    /// Validate a token when present (the zero value).
    #[default]
    #[serde(rename = "OPTIONAL")]
    Optional,
    /// Require a valid token.
    #[serde(rename = "STRICT")]
    Strict,
    /// Never reject.
    #[serde(rename = "PERMISSIVE")]
    Permissive,
}

/// `BackendPolicySpec.McpAuthentication.ResourceMetadata`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceMetadata {
    /// Extra fields of the metadata document.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// `BackendPolicySpec.BackendHTTP`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendHttp {
    /// HTTP version.
    #[serde(skip_serializing_if = "is_zero")]
    pub version: HttpVersion,
    /// Request timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_timeout: Option<Duration>,
}

/// `BackendPolicySpec.BackendHTTP.HttpVersion`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum HttpVersion {
    /// Not set (the zero value).
    #[default]
    #[serde(rename = "UNSPECIFIED")]
    Unspecified,
    /// HTTP/1.1.
    #[serde(rename = "HTTP1")]
    Http1,
    /// HTTP/2.
    #[serde(rename = "HTTP2")]
    Http2,
}

/// `BackendPolicySpec.BackendTCP`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendTcp {
    /// Keepalive probing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keepalive: Option<KeepaliveConfig>,
    /// Connect timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_timeout: Option<Duration>,
}

/// `KeepaliveConfig`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeepaliveConfig {
    /// Idle time before the first probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<Duration>,
    /// Time between probes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// Unanswered probes before the connection is dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<u32>,
}

/// `BackendPolicySpec.Ai`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ai {
    /// Guards on prompts and responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_guard: Option<PromptGuard>,
    /// Request fields set when missing; values are JSON.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub defaults: BTreeMap<String, String>,
    /// Request fields always set; values are JSON.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub overrides: BTreeMap<String, String>,
    /// Messages added to every prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompts: Option<PromptEnrichment>,
    /// Model aliases.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub model_aliases: BTreeMap<String, String>,
    /// Prompt caching.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_caching: Option<PromptCaching>,
    /// Request kinds by path suffix.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub routes: BTreeMap<String, RouteType>,
}

/// `BackendPolicySpec.Ai.PromptGuard`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptGuard {
    /// Guards on requests.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub request: Vec<RequestGuard>,
    /// Guards on responses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub response: Vec<ResponseGuard>,
}

/// `BackendPolicySpec.Ai.RequestGuard`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestGuard {
    /// Response sent when the guard rejects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection: Option<RequestRejection>,
    /// The guard.
    #[serde(flatten)]
    pub kind: Option<RequestGuardKind>,
}

/// The `RequestGuard.kind` oneof.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RequestGuardKind {
    /// Regular expressions.
    Regex(RegexRules),
    /// A webhook.
    Webhook(Webhook),
    /// The OpenAI moderation API.
    OpenaiModeration(Moderation),
}

/// `BackendPolicySpec.Ai.ResponseGuard`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseGuard {
    /// Response sent when the guard rejects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection: Option<RequestRejection>,
    /// The guard.
    #[serde(flatten)]
    pub kind: Option<ResponseGuardKind>,
}

/// The `ResponseGuard.kind` oneof.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ResponseGuardKind {
    /// Regular expressions.
    Regex(RegexRules),
    /// A webhook.
    Webhook(Webhook),
}

/// `BackendPolicySpec.Ai.RequestRejection`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRejection {
    /// Body of the rejection response.
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "bytes")]
    pub body: Vec<u8>,
    /// HTTP status of the rejection response.
    #[serde(skip_serializing_if = "is_zero")]
    pub status: u32,
}

/// `BackendPolicySpec.Ai.RegexRules`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegexRules {
    /// What to do on a match.
    #[serde(skip_serializing_if = "is_zero")]
    pub action: RegexAction,
    /// The rules.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RegexRule>,
}

/// `BackendPolicySpec.Ai.ActionKind`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum RegexAction {
    /// Not set (the zero value).
    #[default]
    #[serde(rename = "ACTION_UNSPECIFIED")]
    Unspecified,
    /// Mask what matches.
    #[serde(rename = "MASK")]
    Mask,
    /// Reject the request.
    #[serde(rename = "REJECT")]
    Reject,
}

/// `BackendPolicySpec.Ai.RegexRule`: a built-in pattern or a regular expression.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RegexRule {
    /// A built-in pattern.
    Builtin(BuiltinRegex),
    /// A regular expression.
    Regex(String),
}

/// `BackendPolicySpec.Ai.BuiltinRegexRule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[allow(clippy::upper_case_acronyms)]
pub enum BuiltinRegex {
    /// US Social Security numbers.
    #[serde(rename = "SSN")]
    Ssn,
    /// Credit card numbers.
    #[serde(rename = "CREDIT_CARD")]
    CreditCard,
    /// Phone numbers.
    #[serde(rename = "PHONE_NUMBER")]
    PhoneNumber,
    /// Email addresses.
    #[serde(rename = "EMAIL")]
    Email,
    /// Canadian Social Insurance Numbers.
    #[serde(rename = "CA_SIN")]
    CaSin,
}

/// `BackendPolicySpec.Ai.Webhook`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// The webhook server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<BackendReference>,
    /// Request headers forwarded to the webhook.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub forward_header_matches: Vec<HeaderMatch>,
}

/// `HeaderMatch`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeaderMatch {
    /// Header name.
    #[serde(skip_serializing_if = "is_zero")]
    pub name: String,
    /// How the value matches.
    #[serde(flatten)]
    pub value: Option<HeaderMatchValue>,
}

/// The `HeaderMatch.value` oneof.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum HeaderMatchValue {
    /// Exact value.
    Exact(String),
    /// Regular expression.
    Regex(String),
}

/// `BackendPolicySpec.Ai.Moderation`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Moderation {
    /// Moderation model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Policies for connections to the moderation API.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inline_policies: Vec<BackendPolicySpec>,
}

/// `BackendPolicySpec.Ai.PromptEnrichment`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptEnrichment {
    /// Messages added after the prompt's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub append: Vec<Message>,
    /// Messages added before the prompt's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prepend: Vec<Message>,
}

/// `BackendPolicySpec.Ai.Message`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Role, e.g. `system`.
    #[serde(skip_serializing_if = "is_zero")]
    pub role: String,
    /// Content.
    #[serde(skip_serializing_if = "is_zero")]
    pub content: String,
}

/// `BackendPolicySpec.Ai.PromptCaching`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptCaching {
    /// Cache the system prompt.
    #[serde(skip_serializing_if = "is_zero")]
    pub cache_system: bool,
    /// Cache the messages.
    #[serde(skip_serializing_if = "is_zero")]
    pub cache_messages: bool,
    /// Cache the tool definitions.
    #[serde(skip_serializing_if = "is_zero")]
    pub cache_tools: bool,
    /// Minimum prompt size, in tokens, worth caching.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_tokens: Option<u32>,
}

/// `BackendPolicySpec.Ai.RouteType`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum RouteType {
    /// Not set (the zero value).
    #[default]
    #[serde(rename = "UNSPECIFIED")]
    Unspecified,
    /// OpenAI chat completions.
    #[serde(rename = "COMPLETIONS")]
    Completions,
    /// Anthropic messages.
    #[serde(rename = "MESSAGES")]
    Messages,
    /// Model listing.
    #[serde(rename = "MODELS")]
    Models,
    /// Forwarded as is.
    #[serde(rename = "PASSTHROUGH")]
    Passthrough,
    /// OpenAI responses.
    #[serde(rename = "RESPONSES")]
    Responses,
    /// Anthropic token counting.
    #[serde(rename = "ANTHROPIC_TOKEN_COUNT")]
    AnthropicTokenCount,
    /// OpenAI embeddings.
    #[serde(rename = "EMBEDDINGS")]
    Embeddings,
}

/// `google.protobuf.Duration`, rendered as in the proto3 JSON mapping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Duration {
    /// Whole seconds.
    pub seconds: i64,
    /// Nanoseconds beyond the whole seconds (0 to 999,999,999).
    pub nanos: i32,
}

impl std::fmt::Display for Duration {
    /// Seconds with 0, 3, 6 or 9 fractional digits and an `s` suffix: `30s`, `0.100s`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (s, n) = (self.seconds, self.nanos);
        if n == 0 {
            write!(f, "{s}s")
        } else if n % 1_000_000 == 0 {
            write!(f, "{s}.{:03}s", n / 1_000_000)
        } else if n % 1_000 == 0 {
            write!(f, "{s}.{:06}s", n / 1_000)
        } else {
            write!(f, "{s}.{n:09}s")
        }
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn bytes<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
}

fn opt_bytes<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => bytes(v, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn to_json<T: Serialize>(v: &T) -> serde_json::Value {
        serde_json::to_value(v).expect("serializable")
    }

    #[test]
    fn zero_values_are_omitted() {
        assert_eq!(to_json(&Backend::default()), json!({}));
        assert_eq!(to_json(&McpBackend::default()), json!({}));
        assert_eq!(to_json(&McpTarget::default()), json!({}));
        assert_eq!(to_json(&BackendTls::default()), json!({}));
        assert_eq!(to_json(&BackendHttp::default()), json!({}));
        assert_eq!(to_json(&McpAuthentication::default()), json!({}));
        assert_eq!(to_json(&Ai::default()), json!({}));
        assert_eq!(to_json(&PromptCaching::default()), json!({}));
        assert_eq!(to_json(&BackendReference::default()), json!({}));
        // The first enum value is the zero value: STATEFUL never appears.
        let mcp = McpBackend {
            stateful_mode: StatefulMode::Stateful,
            ..Default::default()
        };
        assert_eq!(to_json(&mcp), json!({}));
        let mcp = McpBackend {
            stateful_mode: StatefulMode::Stateless,
            ..Default::default()
        };
        assert_eq!(to_json(&mcp), json!({"statefulMode": "STATELESS"}));
    }

    #[test]
    fn optional_scalars_are_emitted_when_set_even_to_zero() {
        let caching = PromptCaching {
            min_tokens: Some(0),
            ..Default::default()
        };
        assert_eq!(to_json(&caching), json!({"minTokens": 0}));
        let tls = BackendTls {
            hostname: Some(String::new()),
            ..Default::default()
        };
        assert_eq!(to_json(&tls), json!({"hostname": ""}));
    }

    #[test]
    fn oneofs_are_one_key_even_when_empty() {
        let b = Backend {
            key: "ns/b".into(),
            kind: Some(BackendKind::Dynamic(Empty {})),
            ..Default::default()
        };
        assert_eq!(to_json(&b), json!({"key": "ns/b", "dynamic": {}}));
        let r = BackendReference {
            kind: Some(BackendReferenceKind::Backend("ns/b/t".into())),
            port: 0,
        };
        assert_eq!(to_json(&r), json!({"backend": "ns/b/t"}));
        let p = BackendPolicySpec::from(PolicyKind::Auth(BackendAuthPolicy::Passthrough(Empty {})));
        assert_eq!(to_json(&p), json!({"auth": {"passthrough": {}}}));
        let rule = RegexRule::Builtin(BuiltinRegex::Ssn);
        assert_eq!(to_json(&rule), json!({"builtin": "SSN"}));
        assert_eq!(
            to_json(&Resource::Backend(Backend::default())),
            json!({"backend": {}})
        );
    }

    #[test]
    fn bytes_are_base64_and_durations_are_seconds() {
        let tls = BackendTls {
            root: Some(b"pem".to_vec()),
            ..Default::default()
        };
        assert_eq!(to_json(&tls), json!({"root": "cGVt"}));
        let d = |seconds, nanos| Duration { seconds, nanos }.to_string();
        assert_eq!(d(30, 0), "30s");
        assert_eq!(d(0, 100_000_000), "0.100s");
        assert_eq!(d(1, 500_000), "1.000500s");
        assert_eq!(d(0, 1), "0.000000001s");
    }
}
