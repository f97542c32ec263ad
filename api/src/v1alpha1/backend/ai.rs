//! AI backends: large language model providers behind one gateway backend.
//!
//! A backend names either one provider, or priority groups of providers for
//! failover. The gateway speaks each provider's own API: clients send one request
//! format, and the gateway translates it for the provider it picks.

use crate::v1alpha1::backend_policies::AiProviderPolicies;
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
    /// Providers in priority groups, for failover (1 to 32 groups). Requests go to
    /// the first group while any of its providers is healthy, spread across its
    /// healthy providers; each later group is a fallback, used only while every
    /// provider of the groups before it is unhealthy.
    #[schemars(length(min = 1, max = 32))]
    pub groups: Option<Vec<PriorityGroup>>,
}

/// Providers of equal priority.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PriorityGroup {
    /// The providers of the group, each with a name unique within the group
    /// (1 to 32).
    #[schemars(
        length(min = 1, max = 32),
        transform = markers::cel(
            "self.all(p1, self.exists_one(p2, p1.name == p2.name))",
            "provider names must be unique within a group"
        ),
    )]
    pub providers: Vec<NamedLlmProvider>,
}

/// A provider within a priority group: a name, the provider fields as in
/// `provider` (exactly one of `openai`, `azureopenai`, `anthropic`, `gemini`,
/// `vertexai` and `bedrock`, plus optional `host`, `port` and `path`), and policies
/// of its own.
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

/// One LLM provider. Set exactly one of `openai`, `azureopenai`, `anthropic`,
/// `gemini`, `vertexai` and `bedrock`. By default requests go to the provider's
/// public endpoint; `host`, `port` and `path` send them elsewhere, e.g. to a
/// self-hosted server that speaks the OpenAI API.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    transform = markers::cel(
        "has(self.host) || has(self.port) ? has(self.host) && has(self.port) : true",
        "both host and port must be set together"
    ),
    transform = markers::exactly_one_of(&["openai", "azureopenai", "anthropic", "gemini", "vertexai", "bedrock"]),
)]
pub struct LlmProvider {
    /// OpenAI, or any server that speaks the OpenAI API (with `host` and `port`).
    pub openai: Option<OpenAi>,
    /// A model deployment on Azure OpenAI.
    pub azureopenai: Option<AzureOpenAi>,
    /// Anthropic's API.
    pub anthropic: Option<Anthropic>,
    /// Google's Gemini API.
    pub gemini: Option<Gemini>,
    /// Models on Google Cloud Vertex AI.
    pub vertexai: Option<VertexAi>,
    /// Models on Amazon Bedrock.
    pub bedrock: Option<Bedrock>,
    /// Host name or IP address to send requests to instead of the provider's
    /// endpoint, e.g. `vllm.models.svc.cluster.local`. Requires `port`.
    #[schemars(length(min = 1, max = 256))]
    pub host: Option<String>,
    /// Port to send requests to instead of the provider's (443). Requires `host`.
    #[schemars(transform = markers::port)]
    pub port: Option<i32>,
    /// HTTP path to send requests to instead of the provider's usual path for the
    /// request's kind, e.g. `/api/v1/chat/completions`.
    #[schemars(length(min = 1, max = 1024))]
    pub path: Option<String>,
}

/// OpenAI's API.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OpenAi {
    /// Model to use for every request, e.g. `gpt-4o`, replacing the one the client
    /// asked for. When unset, the client's `model` is used.
    #[schemars(length(min = 1, max = 256))]
    pub model: Option<String>,
}

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

/// Anthropic's API.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Anthropic {
    /// Model to use for every request, e.g. `claude-sonnet-4-5`, replacing the one
    /// the client asked for. When unset, the client's `model` is used.
    #[schemars(length(min = 1, max = 256))]
    pub model: Option<String>,
}

/// Google's Gemini API.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Gemini {
    /// Model to use for every request, e.g. `gemini-2.5-flash`, replacing the one
    /// the client asked for. When unset, the client's `model` is used.
    #[schemars(length(min = 1, max = 256))]
    pub model: Option<String>,
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
    #[schemars(length(min = 1, max = 64))]
    pub region: String,
}

/// AWS region name, e.g. `eu-west-1`.
const AWS_REGION_PATTERN: &str = "^[a-z0-9-]+$";

/// Models on Amazon Bedrock. Requests are signed with AWS credentials, e.g. those
/// of the `aws` option of `policies.auth`.
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
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BedrockGuardrail {
    /// ID or ARN of the guardrail.
    #[schemars(length(min = 1, max = 256))]
    pub identifier: String,
    /// Version of the guardrail to apply, e.g. `1` or `DRAFT`.
    #[schemars(length(min = 1, max = 256))]
    pub version: String,
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
}
