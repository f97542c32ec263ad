//! `AgentgatewayModel`: one LLM model (or a virtual model over several) that
//! Gateways serve under a model name.
//!
//! A model is either a real provider model ([`ModelSpec::provider`], with that
//! provider's settings block and an optional `baseURL`) or a virtual model
//! ([`ModelSpec::virtual_model`]) that spreads requests over other
//! `AgentgatewayModel`s by weight, priority or condition. Clients pick it by the
//! `model` field of their request, matched against `match.model`.

pub mod status;
pub mod virtual_model;

use crate::v1alpha1::{
    backend::ai,
    backend_policies::{
        ai::{FieldTransformation, prompt_guard::PromptGuard},
        auth::ModelAuth,
        health::HealthPolicy,
        mcp::McpAuthorization,
        tls::TlsPolicy,
        tunnel::TunnelPolicy,
    },
    policy::traffic::headers::HeaderModifiers,
    shared::ParentReference,
};
use crdgen::markers;
use kube_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

pub use status::AgentgatewayModelStatus;
pub use virtual_model::VirtualModel;

/// Description of the `AgentgatewayModel` object as a whole.
pub const DESCRIPTION: &str = "AgentgatewayModel publishes an LLM model on Gateways under a model \
name: a model of a provider (OpenAI, Anthropic, Bedrock, Azure, a server of your own, ...) \
with its credentials and policies, or a virtual model that spreads requests over other \
AgentgatewayModels by weight, priority or condition. Clients select it by the model name \
in their requests.";

/// A model served by the Gateways in `parentRefs`. Set exactly one of `provider` (a
/// real model, with the settings block of that provider where it has one) and
/// `virtualModel`.
#[skip_serializing_none]
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "agentgateway.dev",
    version = "v1alpha1",
    kind = "AgentgatewayModel",
    plural = "agentgatewaymodels",
    namespaced,
    status = "AgentgatewayModelStatus",
    shortname = "agmodel",
    category = "agentgateway",
    label("app", "agentgateway"),
    label("app.kubernetes.io/name", "agentgateway"),
    printcolumn(
        name = "Model Match",
        type_ = "string",
        json_path = ".spec.match.model"
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    ),
    schema = "disabled",
    crates(kube_core = "::kube_core"),
    derive = "PartialEq",
    derive = "Default"
)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = markers::cel("has(self.provider) || !has(self.baseURL)", "baseURL requires provider"),
    transform = markers::cel("!has(self.virtualModel) || !has(self.policies)", "policies cannot be used with virtualModel"),
    transform = markers::cel("!has(self.virtualModel) || self.visibility != 'Internal'", "virtual models must be public"),
    transform = markers::cel(
        "!has(self.virtualModel) || !has(self.match) || !has(self.match.model) || !self.match.model.contains('*')",
        "virtual model match.model must be an exact name"
    ),
    transform = markers::cel("!has(self.provider) || self.provider != 'Ollama' || has(self.baseURL)", "ollama requires baseURL"),
    transform = markers::http_url_with_host("baseURL"),
    transform = markers::url_not_local("baseURL"),
    transform = markers::set_iff_equals("azure", "provider", "Azure"),
    transform = markers::set_iff_equals("vertexai", "provider", "VertexAI"),
    transform = markers::set_iff_equals("bedrock", "provider", "Bedrock"),
    transform = markers::set_iff_equals("custom", "provider", "Custom"),
    transform = markers::exactly_one_of(&["provider", "virtualModel"]),
)]
pub struct ModelSpec {
    /// The Gateways (or listeners of them) that serve this model, 1 to 16.
    #[schemars(length(min = 1, max = 16))]
    pub parent_refs: Vec<ParentReference>,
    /// Which requests this model serves. When unset, the model is selected by its
    /// object name.
    #[serde(rename = "match")]
    pub match_: Option<ModelMatch>,
    /// Who can use the model: `Public` (the default) lists it to clients and serves
    /// it to them; `Internal` serves it only as a target of virtual models. Virtual
    /// models must be `Public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("Public"))]
    pub visibility: Option<Visibility>,
    /// The provider that hosts the model. `Azure`, `VertexAI`, `Bedrock` and `Custom`
    /// need their settings block (`azure`, `vertexai`, `bedrock`, `custom`), which may
    /// only be set with that provider; `Ollama` needs `baseURL`. Set this or
    /// `virtualModel`.
    pub provider: Option<ModelProvider>,
    /// Where to send requests instead of the provider's usual endpoint, e.g.
    /// `https://llm-proxy.example.com/v1` or the address of an Ollama server. An
    /// absolute `http` or `https` URL with a host; localhost, loopback (`127.*`,
    /// `[::1]`) and link-local (`169.254.*`, `[fe80::]`) hosts are refused. Only with
    /// `provider`; required for `Ollama`.
    #[serde(rename = "baseURL")]
    #[schemars(length(min = 1, max = 1024), transform = markers::format("uri"))]
    pub base_url: Option<String>,
    /// Azure settings. Set exactly when `provider` is `Azure`.
    #[schemars(transform = markers::without_property("model"))]
    pub azure: Option<ai::Azure>,
    /// Google Vertex AI settings. Set exactly when `provider` is `VertexAI`.
    #[serde(rename = "vertexai")]
    #[schemars(transform = markers::without_property("model"))]
    pub vertex_ai: Option<ai::VertexAi>,
    /// Amazon Bedrock settings. Set exactly when `provider` is `Bedrock`.
    #[schemars(transform = markers::without_property("model"))]
    pub bedrock: Option<ai::Bedrock>,
    /// The server of your own that serves the model. Set exactly when `provider` is
    /// `Custom`.
    #[schemars(transform = markers::without_property("model"))]
    pub custom: Option<ai::CustomProvider>,
    /// A model that sends each request to one of other `AgentgatewayModel`s instead
    /// of to a provider. Set this or `provider`; not with `policies`.
    pub virtual_model: Option<VirtualModel>,
    /// Credentials, access rules, guards and connection settings for requests to this
    /// model. Not for virtual models (their targets' policies apply).
    pub policies: Option<ModelPolicies>,
}

/// Which requests a model serves.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModelMatch {
    /// The model name clients ask for, e.g. `gpt-4o`. May hold one `*` at the start
    /// or end to serve a family of names, e.g. `gpt-*` or `*-latest`; `*` alone
    /// serves every name. Virtual models need an exact name.
    #[schemars(
        length(min = 1, max = 1024),
        transform = markers::cel(
            "!self.contains('*') || (self.indexOf('*') == self.lastIndexOf('*') && (self.indexOf('*') == 0 || self.indexOf('*') == size(self) - 1))",
            "model wildcards must be '*', a suffix like 'gpt-*', or a prefix like '*-latest'"
        )
    )]
    pub model: Option<String>,
}

/// Who can use a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Visibility {
    /// Only as a target of virtual models; not listed to or served directly to
    /// clients.
    Internal,
    /// Listed to and served to clients.
    Public,
}

/// An LLM provider (or API style) a model is served by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ModelProvider {
    /// Anthropic's Claude API.
    Anthropic,
    /// Azure OpenAI or Azure AI Foundry; needs `azure`.
    Azure,
    /// Baseten's model APIs.
    Baseten,
    /// Amazon Bedrock; needs `bedrock`.
    Bedrock,
    /// Cerebras inference.
    Cerebras,
    /// Cohere's API.
    Cohere,
    /// A server of your own (vLLM, llama.cpp, an InferencePool, ...); needs `custom`.
    Custom,
    /// DeepInfra.
    Deepinfra,
    /// DeepSeek's API.
    Deepseek,
    /// Fireworks AI.
    Fireworks,
    /// Google's Gemini API.
    Gemini,
    /// Groq.
    Groq,
    /// Hugging Face inference providers.
    Huggingface,
    /// Mistral AI's API.
    Mistral,
    /// An Ollama server; needs `baseURL`.
    Ollama,
    /// OpenAI's API.
    OpenAI,
    /// OpenRouter.
    Openrouter,
    /// Together AI.
    TogetherAI,
    /// Google Cloud Vertex AI; needs `vertexai`.
    VertexAI,
    /// xAI's Grok API.
    XAI,
}

/// Policies for the requests to one model. Set at least one field.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::at_least_one_field(&[]))]
pub struct ModelPolicies {
    /// How the gateway authenticates to the provider, e.g. an API key from a Secret.
    pub auth: Option<ModelAuth>,
    /// Which callers may use the model, by CEL expressions over the request.
    pub authorization: Option<McpAuthorization>,
    /// Headers to set, add or remove on requests to the model and on its responses.
    pub headers: Option<HeaderModifiers>,
    /// When to take the provider out of rotation after failures, and for how long.
    pub health: Option<HealthPolicy>,
    /// Content checks on prompts and answers (regex, webhook, moderation and cloud
    /// guardrail services).
    pub prompt_guard: Option<PromptGuard>,
    /// TLS settings of the connection to the provider.
    pub tls: Option<TlsPolicy>,
    /// Request body fields computed by CEL expressions (1 to 64, one per `field`),
    /// e.g. setting `user` from a claim of the caller's token.
    #[schemars(length(min = 1, max = 64), transform = markers::list_map(&["field"]))]
    pub transformations: Option<Vec<FieldTransformation>>,
    /// Request body fields computed by CEL expressions after the request has been
    /// converted into the provider's own API (1 to 64, one per `field`), e.g. a field
    /// only this provider understands.
    #[schemars(length(min = 1, max = 64), transform = markers::list_map(&["field"]))]
    pub final_transformations: Option<Vec<FieldTransformation>>,
    /// Reach the provider through an HTTP CONNECT proxy.
    pub tunnel: Option<TunnelPolicy>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn provider_and_virtual_specs_round_trip() {
        for value in [
            json!({
                "parentRefs": [{ "name": "gw", "group": "gateway.networking.k8s.io", "kind": "Gateway" }],
                "match": { "model": "gpt-*" },
                "provider": "Azure",
                "azure": { "resourceName": "r", "resourceType": "OpenAI" },
                "policies": { "auth": { "secretRef": { "name": "key" } } },
            }),
            json!({
                "parentRefs": [{ "name": "gw", "group": "gateway.networking.k8s.io", "kind": "Gateway" }],
                "virtualModel": { "weighted": { "targets": [
                    { "modelRef": { "name": "a" }, "weight": 3 },
                    { "modelRef": { "name": "b" } },
                ] } },
            }),
        ] {
            let spec: ModelSpec = serde_json::from_value(value.clone()).expect("spec parses");
            assert_eq!(serde_json::to_value(&spec).expect("serializes"), value);
        }
    }
}
