//! AI backends: large language model providers behind one gateway backend.
//!
//! A backend names either one provider, or priority groups of providers for
//! failover. The gateway speaks each provider's own API: clients send one request
//! format, and the gateway translates it for the provider it picks.

use crate::v1alpha1::{backend_policies::AiProviderPolicies, shared};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// The providers of an AI backend. Set exactly one of `provider` and `groups`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::exactly_one_of(&["provider", "groups"]))]
pub struct AiBackend {
    /// A single provider that receives every request.
    pub provider: Option<LlmProvider>,
    /// Providers in priority groups, for failover (1 to 8 groups). Requests go to
    /// the first group while any of its providers is healthy, spread across its
    /// healthy providers; each later group is a fallback, used only while every
    /// provider of the groups before it is unhealthy.
    #[schemars(length(min = 1, max = 8))]
    pub groups: Option<Vec<PriorityGroup>>,
}

/// Providers of equal priority.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PriorityGroup {
    /// The providers of the group, each with a name unique within the group
    /// (1 to 16).
    #[schemars(
        length(min = 1, max = 16),
        transform = markers::cel(
            "self.all(p1, self.exists_one(p2, p1.name == p2.name))",
            "provider names must be unique within a group"
        ),
    )]
    pub providers: Vec<NamedLlmProvider>,
}

/// A provider within a priority group: a name, the provider fields as in
/// `provider` (exactly one of `openai`, `azureopenai`, `azure`, `anthropic`,
/// `gemini`, `vertexai`, `bedrock` and `custom`, plus optional `host`, `port`,
/// `path` and `pathPrefix`), and policies of its own.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NamedLlmProvider {
    /// Name of the provider, unique within its group, e.g. `openai-primary`.
    #[schemars(transform = markers::dns_subdomain)]
    pub name: String,
    /// The provider and where to reach it.
    #[serde(flatten)]
    pub provider: LlmProvider,
    /// Policies for requests to this provider only, such as its API key or a
    /// request timeout that suits it.
    pub policies: Option<AiProviderPolicies>,
}

/// One LLM provider. Set exactly one of `openai`, `azureopenai`, `azure`,
/// `anthropic`, `gemini`, `vertexai`, `bedrock` and `custom`. By default requests
/// go to the provider's public endpoint; `host` and `port` (with `path` or
/// `pathPrefix`) send them elsewhere, e.g. to a self-hosted server that speaks the
/// OpenAI API.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = markers::cel(
        "has(self.host) || has(self.port) ? has(self.host) && has(self.port) : true",
        "both host and port must be set together"
    ),
    transform = markers::cel(
        "has(self.custom) ? has(self.custom.backendRef) != has(self.host) : true",
        "custom providers must specify exactly one of backendRef or host and port"
    ),
    transform = markers::cel(
        "!(has(self.path) && has(self.pathPrefix))",
        "path and pathPrefix are mutually exclusive"
    ),
    transform = markers::cel(
        "!(has(self.custom) && self.custom.formats.exists(f, has(f.path)) && (has(self.path) || has(self.pathPrefix)))",
        "path, pathPrefix, and custom format paths are mutually exclusive"
    ),
    transform = markers::cel(
        "has(self.pathPrefix) ? has(self.host) : true",
        "pathPrefix requires host to be set"
    ),
    transform = markers::exactly_one_of(&[
        "openai", "azureopenai", "azure", "anthropic", "gemini", "vertexai", "bedrock", "custom",
    ]),
)]
pub struct LlmProvider {
    /// OpenAI, or any server that speaks the OpenAI API (with `host` and `port`).
    pub openai: Option<OpenAi>,
    /// A model deployment on Azure OpenAI, addressed by its endpoint and deployment
    /// name. For new setups prefer `azure`.
    pub azureopenai: Option<AzureOpenAi>,
    /// Models on Azure, addressed by the Azure resource: an Azure OpenAI resource or
    /// an Azure AI Foundry project.
    pub azure: Option<Azure>,
    /// Anthropic's API.
    pub anthropic: Option<Anthropic>,
    /// Google's Gemini API.
    pub gemini: Option<Gemini>,
    /// Models on Google Cloud Vertex AI.
    pub vertexai: Option<VertexAi>,
    /// Models on Amazon Bedrock.
    pub bedrock: Option<Bedrock>,
    /// A server of your own (or any provider not listed here) that speaks one or
    /// more of the supported API formats, reached through `backendRef` or through
    /// `host` and `port` (exactly one of the two).
    pub custom: Option<CustomProvider>,
    /// Host name or IP address to send requests to instead of the provider's
    /// endpoint, e.g. `vllm.models.svc.cluster.local`. Requires `port`.
    #[schemars(length(min = 1, max = 256))]
    pub host: Option<String>,
    /// Port to send requests to instead of the provider's (443). Requires `host`.
    #[schemars(transform = markers::port)]
    pub port: Option<i32>,
    /// HTTP path to send every request to instead of the provider's usual path for
    /// the request's kind, e.g. `/api/v1/chat/completions`. Not together with
    /// `pathPrefix`, nor with `path` in the formats of a `custom` provider.
    #[schemars(length(min = 1, max = 1024))]
    pub path: Option<String>,
    /// Text put before the provider's usual path for each kind of request, e.g.
    /// `/openai` to call `/openai/v1/chat/completions`. Useful behind a proxy that
    /// serves the provider under a sub-path. Requires `host`; not together with
    /// `path`, nor with `path` in the formats of a `custom` provider.
    #[schemars(length(min = 1, max = 1024))]
    pub path_prefix: Option<String>,
}

/// A provider that needs no settings but, optionally, the model: Anthropic and
/// Gemini.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModelOnlyProvider {
    /// Model to use for every request, e.g. `claude-sonnet-4-5` or
    /// `gemini-2.5-flash`, replacing the one the client asked for. When unset, the
    /// client's `model` is used.
    #[schemars(length(min = 1, max = 256))]
    pub model: Option<String>,
}

/// OpenAI's API, or a server that speaks it.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OpenAi {
    /// Model to use for every request, e.g. `gpt-4o`, replacing the one the client
    /// asked for. When unset, the client's `model` is used.
    #[schemars(length(min = 1, max = 256))]
    pub model: Option<String>,
    /// Have OpenAI's moderation API check the traffic to and from this provider,
    /// with the provider's own connection and credentials, instead of a separate
    /// `openAIModeration` prompt guard.
    pub moderation: Option<InlineModeration>,
}

/// Moderation of a provider's traffic by OpenAI's moderation API, over the
/// provider's connection.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InlineModeration {
    /// Moderation model to call. `omni-moderation-latest` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        transform = markers::default("omni-moderation-latest"),
        length(min = 1, max = 256)
    )]
    pub model: Option<String>,
    /// What the gateway does with the verdicts on prompts (`input`) and on the
    /// model's answers (`output`). A direction without an entry is not moderated.
    pub policy: Option<ModerationPolicy>,
}

/// What moderation does for each direction of the traffic.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModerationPolicy {
    /// Moderation of the prompts the clients send.
    pub input: Option<ModerationAction>,
    /// Moderation of the answers the model returns.
    pub output: Option<ModerationAction>,
}

/// How one direction of the traffic is moderated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModerationAction {
    /// `Block` refuses content OpenAI flags; `Score` lets it through and only
    /// records the moderation scores (for logs and metrics).
    pub mode: ModerationMode,
}

/// What happens to content the moderation API flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ModerationMode {
    /// Refuse flagged content.
    Block,
    /// Let content through and record its scores.
    Score,
}

/// Anthropic's API.
pub type Anthropic = ModelOnlyProvider;
/// Google's Gemini API.
pub type Gemini = ModelOnlyProvider;

/// A model deployment on Azure OpenAI.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::cel(
    "!has(self.apiVersion) || self.apiVersion == 'v1' ? true : has(self.deploymentName)",
    "deploymentName is required for this apiVersion"
))]
pub struct AzureOpenAi {
    /// Host name of the Azure OpenAI resource, e.g. `my-resource.openai.azure.com`.
    #[schemars(length(min = 1, max = 256))]
    pub endpoint: String,
    /// Name of the model deployment that serves the requests. Required when
    /// `apiVersion` is a dated version; with the `v1` API the model is taken from
    /// the request and this may be left unset.
    #[schemars(length(min = 1, max = 256))]
    pub deployment_name: Option<String>,
    /// Azure OpenAI API version to call: `v1`, or a dated version such as
    /// `2024-10-21`. The `v1` API when unset.
    #[schemars(length(min = 1, max = 64))]
    pub api_version: Option<String>,
}

/// Models on Azure, addressed by the Azure resource that hosts them.
///
/// The resource fields are the same as those of an `AgentgatewayModel`'s `azure`
/// settings, which has no `model` (the model object names the model itself).
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::cel(
    "self.resourceType != 'Foundry' || has(self.projectName)",
    "projectName is required when resourceType is Foundry"
))]
pub struct Azure {
    /// Name of the Azure resource, the first label of its host name, e.g.
    /// `my-resource` for `my-resource.openai.azure.com`.
    #[schemars(length(min = 1, max = 256))]
    pub resource_name: String,
    /// Kind of the Azure resource.
    pub resource_type: AzureResourceType,
    /// Name of the Azure AI Foundry project that serves the requests. Required when
    /// `resourceType` is `Foundry`.
    #[schemars(length(min = 1, max = 256))]
    pub project_name: Option<String>,
    /// Azure API version to call, e.g. `v1` or a dated version such as
    /// `2024-10-21`. The gateway's default version when unset.
    #[schemars(length(min = 1, max = 64))]
    pub api_version: Option<String>,
    /// Model (deployment) to use for every request, e.g. `gpt-4o`, replacing the one
    /// the client asked for. When unset, the client's `model` is used.
    #[schemars(length(min = 1, max = 256))]
    pub model: Option<String>,
}

/// The kind of Azure resource that hosts the models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum AzureResourceType {
    /// An Azure AI Foundry project (requires `projectName`).
    Foundry,
    /// An Azure OpenAI resource.
    OpenAI,
}

/// Models on Google Cloud Vertex AI.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VertexAi {
    /// Model to use for every request, e.g. `gemini-2.5-pro`, replacing the one the
    /// client asked for. When unset, the client's `model` is used.
    #[schemars(length(min = 1, max = 256))]
    pub model: Option<String>,
    /// ID of the Google Cloud project that is billed for the requests.
    #[schemars(length(min = 1, max = 64))]
    pub project_id: String,
    /// Google Cloud region whose endpoint serves the requests, e.g. `us-central1`.
    /// `global` (Google's global endpoint) when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("global"), length(min = 1, max = 64))]
    pub region: Option<String>,
}

/// AWS region name, e.g. `eu-west-1`.
const AWS_REGION_PATTERN: &str = "^[a-z0-9-]+$";

/// Models on Amazon Bedrock. Requests are signed with AWS credentials, e.g. those
/// of the `aws` option of `policies.auth`.
///
/// Shared with the `bedrock` settings of an `AgentgatewayModel` (without `model`
/// there).
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Bedrock {
    /// Bedrock model ID or inference profile to use for every request, e.g.
    /// `anthropic.claude-3-5-haiku-20241022-v1:0`, replacing the one the client asked
    /// for. When unset, the client's `model` is used.
    #[schemars(length(min = 1, max = 256))]
    pub model: Option<String>,
    /// AWS region whose Bedrock endpoint serves the requests. `us-east-1` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        transform = markers::default("us-east-1"),
        length(min = 1, max = 63),
        regex(pattern = AWS_REGION_PATTERN)
    )]
    pub region: Option<String>,
    /// A Bedrock guardrail to apply to requests and responses.
    pub guardrail: Option<BedrockGuardrail>,
}

/// A guardrail configured in Amazon Bedrock.
///
/// Also used by the `bedrock` settings of an `AgentgatewayModel`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BedrockGuardrail {
    /// ID or ARN of the guardrail.
    #[schemars(length(min = 1, max = 256))]
    pub identifier: String,
    /// Version of the guardrail to apply, e.g. `1` or `DRAFT`.
    #[schemars(length(min = 1, max = 256))]
    pub version: String,
}

/// A provider of your own: a server that speaks one or more of the API formats the
/// gateway understands, such as a vLLM or llama.cpp server, or an
/// InferencePool of model servers.
///
/// Also used by the `custom` settings of an `AgentgatewayModel` (without `model`
/// there).
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::cel(
    "!has(self.backendRef) || (((!has(self.backendRef.group) || self.backendRef.group == \"\") && (!has(self.backendRef.kind) || self.backendRef.kind == 'Service')) || (has(self.backendRef.group) && self.backendRef.group == 'inference.networking.k8s.io' && has(self.backendRef.kind) && self.backendRef.kind == 'InferencePool'))",
    "custom provider backendRef may target only Service or InferencePool"
))]
pub struct CustomProvider {
    /// The Service (with its port) or Gateway API Inference Extension
    /// `InferencePool` in this namespace that serves the requests. Set this, or the
    /// provider's `host` and `port`, not both.
    pub backend_ref: Option<LocalBackendReference>,
    /// The API formats the server speaks, at most one entry per `type` (1 to 6).
    /// Requests of a kind the server does not list are translated to a format it
    /// does, where the gateway can.
    #[schemars(length(min = 1, max = 6), transform = markers::list_map(&["type"]))]
    pub formats: Vec<CustomFormat>,
    /// Model to use for every request, e.g. `llama-3.1-8b-instruct`, replacing the
    /// one the client asked for. When unset, the client's `model` is used.
    #[schemars(length(min = 1, max = 256))]
    pub model: Option<String>,
}

/// A Service or InferencePool in the referring object's namespace.
///
/// [`BackendObjectReference`](shared::BackendObjectReference) without `namespace`,
/// with the same rules (group and kind validation, a port for a Service): a custom
/// provider may only use workloads of its own namespace. A type of its own rather
/// than `BackendObjectReference` with `namespace` cut from the schema, so that no
/// value can carry a namespace the schema forbids (objects read without the API
/// server, e.g. by `translate`, are not pruned); its field descriptions also name
/// the two kinds a custom provider accepts.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = shared::service_port_required)]
pub struct LocalBackendReference {
    /// API group of the referent: empty (the default) for a Service,
    /// `inference.networking.k8s.io` for an InferencePool.
    #[serde(default)]
    #[schemars(transform = markers::default(""), transform = shared::group_name)]
    pub group: String,
    /// Kind of the referent: `Service` (the default) or `InferencePool`.
    #[serde(default = "shared::service_kind")]
    #[schemars(transform = markers::default("Service"), transform = shared::kind_name)]
    pub kind: String,
    /// Name of the referent.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Destination port. Required for a Service.
    #[schemars(transform = markers::port)]
    pub port: Option<i32>,
}

/// One API format a custom provider speaks, and optionally where.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::cel(
    "!has(self.path) || self.path.startsWith('/')",
    "path must start with /"
))]
pub struct CustomFormat {
    /// The kind of request the server accepts in this format.
    #[serde(rename = "type")]
    pub type_: CustomFormatType,
    /// HTTP path on the server for this format, starting with `/`, e.g.
    /// `/v1/chat/completions`. The format's usual path when unset.
    #[schemars(length(min = 1, max = 1024))]
    pub path: Option<String>,
}

/// An API format a custom provider can speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum CustomFormatType {
    /// Anthropic token counting (`/v1/messages/count_tokens`).
    AnthropicTokenCount,
    /// OpenAI chat completions (`/v1/chat/completions`).
    Completions,
    /// Embeddings (`/v1/embeddings`).
    Embeddings,
    /// Anthropic messages (`/v1/messages`).
    Messages,
    /// OpenAI realtime sessions (`/v1/realtime`).
    Realtime,
    /// Document reranking (`/v1/rerank`).
    Rerank,
    /// OpenAI responses (`/v1/responses`).
    Responses,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn group_providers_keep_provider_fields_at_their_own_level() {
        let doc = json!({
            "groups": [{ "providers": [{
                "name": "local",
                "openai": { "model": "llama3" },
                "host": "vllm.models.svc",
                "port": 8000,
                "policies": { "http": { "requestTimeout": "30s" } },
            }] }],
        });
        let backend: AiBackend = serde_json::from_value(doc.clone()).expect("valid backend");
        let provider = &backend.groups.as_ref().expect("groups")[0].providers[0];
        assert_eq!(provider.name, "local");
        assert_eq!(provider.provider.host.as_deref(), Some("vllm.models.svc"));
        assert_eq!(provider.provider.port, Some(8000));
        assert_eq!(
            provider
                .provider
                .openai
                .as_ref()
                .and_then(|o| o.model.as_deref()),
            Some("llama3")
        );
        assert_eq!(serde_json::to_value(&backend).expect("serializes"), doc);
    }

    #[test]
    fn custom_providers_round_trip_with_the_defaults_the_apiserver_fills_in() {
        let doc = json!({
            "provider": {
                "custom": {
                    "backendRef": { "group": "", "kind": "Service", "name": "vllm", "port": 8000 },
                    "formats": [
                        { "type": "Completions", "path": "/v1/chat/completions" },
                        { "type": "Rerank" },
                    ],
                },
            },
        });
        let backend: AiBackend = serde_json::from_value(doc.clone()).expect("valid backend");
        let custom = backend
            .provider
            .as_ref()
            .and_then(|p| p.custom.as_ref())
            .expect("custom");
        assert_eq!(custom.formats[1].type_, CustomFormatType::Rerank);
        assert_eq!(serde_json::to_value(&backend).expect("serializes"), doc);
    }

    #[test]
    fn azure_resources_keep_their_resource_type() {
        let doc = json!({
            "resourceName": "contoso",
            "resourceType": "Foundry",
            "projectName": "chat",
        });
        let azure: Azure = serde_json::from_value(doc.clone()).expect("valid azure");
        assert_eq!(azure.resource_type, AzureResourceType::Foundry);
        assert_eq!(serde_json::to_value(&azure).expect("serializes"), doc);
        assert!(serde_json::from_value::<Azure>(json!({"resourceName": "x"})).is_err());
    }
}
