//! AI policies: what the gateway does to LLM requests and responses on their way
//! through, such as adding messages to the prompt, filling in or forcing request
//! fields, renaming models, caching prompts and guarding content.
//!
//! [`AiPolicy`] is written once and used wherever AI policies can be set: on an
//! `AgentgatewayBackend` as a whole, on each provider of an AI backend, and in the
//! `backend` section of an `AgentgatewayPolicy`.

pub mod prompt_guard;

use crate::v1alpha1::shared::cel_expression;
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;

pub use prompt_guard::PromptGuard;

/// How the gateway treats LLM traffic to the backend. Set at least one field.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::at_least_one_field(&[]))]
pub struct AiPolicy {
    /// Messages added to every chat request before it reaches the model, e.g. a
    /// system prompt that all clients of this backend should get.
    pub prompt: Option<PromptEnrichment>,
    /// Content checks on requests (before they reach the model) and on responses
    /// (before they reach the client), which can mask or reject what they find.
    pub prompt_guard: Option<PromptGuard>,
    /// Request body fields the gateway fills in when the client did not set them,
    /// e.g. a default `temperature`. A value the client sent wins (1 to 64 entries).
    #[schemars(length(min = 1, max = 64))]
    pub defaults: Option<Vec<FieldValue>>,
    /// Request body fields the gateway always sets, replacing whatever the client
    /// sent, e.g. a fixed `max_tokens` (1 to 64 entries).
    #[schemars(length(min = 1, max = 64))]
    pub overrides: Option<Vec<FieldValue>>,
    /// Request body fields computed by CEL expressions, e.g. setting `user` from a
    /// claim of the caller's token (1 to 64 entries). Applied after `defaults` and
    /// `overrides`.
    #[schemars(length(min = 1, max = 64))]
    pub transformations: Option<Vec<FieldTransformation>>,
    /// Request body fields computed by CEL expressions after the gateway has
    /// converted the request into the provider's own API, e.g. to set a field only
    /// that provider knows (1 to 64 entries). Where `transformations` see the request
    /// as the client sent it, these see what the provider will receive.
    #[schemars(length(min = 1, max = 64))]
    pub final_transformations: Option<Vec<FieldTransformation>>,
    /// Model names clients may use, mapped to the model the provider is asked for,
    /// e.g. `fast: gpt-4o-mini`. A requested model that is not a key here is passed on
    /// unchanged. At most 64 aliases.
    #[schemars(transform = markers::properties(None, Some(64)))]
    pub model_aliases: Option<BTreeMap<String, String>>,
    /// Mark parts of the prompt as cacheable by the provider, for providers that
    /// support cache points (such as Anthropic models on Bedrock), so repeated
    /// prompts cost less and answer faster.
    pub prompt_caching: Option<PromptCaching>,
    /// Which API each request path speaks, keyed by path suffix, e.g.
    /// `/v1/messages: Messages`. A request whose path ends with a key is handled as
    /// that kind; the key `*` matches any path. When unset, every request is handled
    /// as `Completions`.
    pub routes: Option<BTreeMap<String, RouteType>>,
}

/// A request body field whose value a CEL expression computes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FieldTransformation {
    /// Name of the top-level field of the JSON request body to set, e.g. `user`.
    #[schemars(length(min = 1, max = 256))]
    pub field: String,
    /// CEL expression over the request computing the field's value, e.g.
    /// `jwt.sub`. The field is set to the expression's result.
    #[schemars(transform = cel_expression)]
    pub expression: String,
}

/// Messages to add around the messages of each chat request.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PromptEnrichment {
    /// Messages inserted before the client's messages, in this order.
    pub prepend: Option<Vec<Message>>,
    /// Messages added after the client's messages, in this order.
    pub append: Option<Vec<Message>>,
}

/// One chat message.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Message {
    /// Who speaks the message, as the provider's chat API names it, e.g. `system`,
    /// `user` or `assistant`.
    pub role: String,
    /// Text of the message.
    pub content: String,
}

/// A value for one field of the request body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FieldValue {
    /// Name of the top-level field of the JSON request body, e.g. `temperature`.
    #[schemars(length(min = 1, max = 256))]
    pub field: String,
    /// The value to set: any JSON value, e.g. `0.2`, `"auto"` or `{"type": "text"}`.
    #[schemars(transform = markers::preserve_unknown_fields)]
    pub value: Value,
}

/// Where the gateway places cache points in prompts. Unset fields take the defaults
/// shown.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromptCaching {
    /// Cache the system prompt. `true` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default(true))]
    pub cache_system: Option<bool>,
    /// Cache the conversation so far, so each turn only pays for the new messages.
    /// `true` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default(true))]
    pub cache_messages: Option<bool>,
    /// How many of the most recent messages to leave after the conversation's cache
    /// point, e.g. `1` to keep the newest message (which usually changes every turn)
    /// out of the cached part. `0` (the cache point after the last message) when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        transform = markers::plain_integer,
        transform = markers::set("minimum", 0),
        transform = markers::default(0)
    )]
    pub cache_message_offset: Option<i64>,
    /// Cache the tool definitions sent with the request. `false` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default(false))]
    pub cache_tools: Option<bool>,
    /// Add cache points only to prompts of at least this many tokens (estimated);
    /// shorter prompts are sent as they are. `1024` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        transform = markers::plain_integer,
        transform = markers::set("minimum", 0),
        transform = markers::default(1024)
    )]
    pub min_tokens: Option<i64>,
}

/// The API a request speaks, which decides how the gateway parses and translates it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RouteType {
    /// Anthropic token counting (`/v1/messages/count_tokens`).
    AnthropicTokenCount,
    /// OpenAI chat completions (`/v1/chat/completions`), translated to the
    /// provider's own API where needed.
    Completions,
    /// Let the gateway recognize the API from the request's path and body.
    Detect,
    /// Embeddings (`/v1/embeddings`).
    Embeddings,
    /// Gemini's native token counting (`models/{model}:countTokens`).
    GeminiCountTokens,
    /// Gemini's native content generation (`models/{model}:generateContent` and its
    /// streaming form), for clients that use Google's own API.
    GenerateContent,
    /// Anthropic messages (`/v1/messages`).
    Messages,
    /// Listing the available models (`/v1/models`).
    Models,
    /// Forwarded to the provider as it is, without being parsed or translated.
    Passthrough,
    /// OpenAI realtime sessions over WebSocket (`/v1/realtime`).
    Realtime,
    /// Document reranking (`/v1/rerank`).
    Rerank,
    /// OpenAI responses (`/v1/responses`).
    Responses,
}
