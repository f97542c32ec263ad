//! Prompt guards: content checks on LLM requests and responses.

use crate::v1alpha1::backend_policies::{
    BedrockGuardrailPolicies, ModelArmorPolicies, ModerationPolicies,
};
use crate::v1alpha1::shared::{BackendObjectReference, FailureMode, header_name};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;

/// Guards on requests and responses. Set at least one of `request` and `response`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_of(&["request", "response"]))]
pub struct PromptGuard {
    /// Checks on each request before it is sent to the model, applied in order
    /// (1 to 8). The first guard that rejects ends the request.
    #[schemars(length(min = 1, max = 8))]
    pub request: Option<Vec<RequestGuard>>,
    /// Checks on each model response before it is returned to the client, applied
    /// in order (1 to 8).
    #[schemars(length(min = 1, max = 8))]
    pub response: Option<Vec<ResponseGuard>>,
    /// Whether response guards also check streamed responses. `Enabled` checks the
    /// stream as it is produced (the client sees the answer in chunks that passed
    /// the guards). When unset, streamed responses are not checked.
    pub streaming: Option<GuardStreaming>,
}

/// Response guards on streamed responses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum GuardStreaming {
    /// Check streamed responses too.
    Enabled,
}

/// One check on requests. Set exactly one of `regex`, `webhook`,
/// `openAIModeration`, `bedrockGuardrails` and `googleModelArmor`. Only `regex` and
/// `bedrockGuardrails` take a `scope` other than the default.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = markers::cel(
        "!has(self.scope) || has(self.regex) || has(self.bedrockGuardrails) || (self.scope.size() == 2 && 'SystemPrompt' in self.scope && 'Messages' in self.scope)",
        "scope: only regex and bedrockGuardrails guards support a non-default scope; other guard kinds always inspect the default (SystemPrompt + Messages)"
    ),
    transform = markers::exactly_one_of(&[
        "regex",
        "webhook",
        "openAIModeration",
        "bedrockGuardrails",
        "googleModelArmor",
    ]),
)]
pub struct RequestGuard {
    /// What the client receives when this guard rejects the request. A `403` with
    /// a generic message when unset.
    pub response: Option<GuardResponse>,
    /// Look for patterns in the prompt: built-in detectors for personal data and
    /// your own regular expressions.
    pub regex: Option<RegexGuard>,
    /// Ask an external guardrail service about the prompt.
    pub webhook: Option<WebhookGuard>,
    /// Send the prompt to OpenAI's moderation API and reject it when OpenAI flags it.
    #[serde(rename = "openAIModeration")]
    pub openai_moderation: Option<OpenAiModeration>,
    /// Check the prompt with a guardrail configured in Amazon Bedrock.
    pub bedrock_guardrails: Option<BedrockGuardrails>,
    /// Check the prompt with a Google Cloud Model Armor template.
    pub google_model_armor: Option<GoogleModelArmor>,
    /// Which parts of the request the guard looks at, each listed once (1 to 4).
    /// When unset, the system prompt and the conversation messages
    /// (`[SystemPrompt, Messages]`). Add `ToolInput` and `ToolOutput` to also check
    /// the arguments of tool calls and the results tools returned. Only `regex` and
    /// `bedrockGuardrails` guards accept another scope than the default.
    #[schemars(length(min = 1, max = 4), transform = markers::list_set)]
    pub scope: Option<Vec<GuardScope>>,
}

/// A part of an LLM request a request guard can inspect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum GuardScope {
    /// The conversation's user and assistant messages.
    Messages,
    /// The system prompt (system or developer instructions).
    SystemPrompt,
    /// The arguments of tool calls the model asked for, as sent back in the
    /// conversation.
    ToolInput,
    /// What tools returned, as sent back to the model.
    ToolOutput,
}

/// One check on responses. Set exactly one of `regex`, `webhook`,
/// `bedrockGuardrails` and `googleModelArmor`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::exactly_one_of(&[
    "regex",
    "webhook",
    "bedrockGuardrails",
    "googleModelArmor",
]))]
pub struct ResponseGuard {
    /// What the client receives instead of the model's answer when this guard
    /// rejects it. A `403` with a generic message when unset.
    pub response: Option<GuardResponse>,
    /// Look for patterns in the model's answer: built-in detectors for personal
    /// data and your own regular expressions.
    pub regex: Option<RegexGuard>,
    /// Ask an external guardrail service about the model's answer.
    pub webhook: Option<WebhookGuard>,
    /// Check the model's answer with a guardrail configured in Amazon Bedrock.
    pub bedrock_guardrails: Option<BedrockGuardrails>,
    /// Check the model's answer with a Google Cloud Model Armor template.
    pub google_model_armor: Option<GoogleModelArmor>,
}

/// The HTTP response sent to the client when a guard rejects. Set at least one of
/// `message` and `statusCode`; the other keeps its default.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::at_least_one_of(&["message", "statusCode"]))]
pub struct GuardResponse {
    /// Body of the response. `The request was rejected due to inappropriate content`
    /// when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default(
        "The request was rejected due to inappropriate content"
    ))]
    pub message: Option<String>,
    /// HTTP status code of the response, 200 to 599. `403` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default(403), range(min = 200, max = 599))]
    pub status_code: Option<i32>,
}

/// Pattern matching on message text.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RegexGuard {
    /// Regular expressions to look for, e.g. `(?i)internal use only` (each 1 to
    /// 1024 characters).
    #[schemars(inner(length(min = 1, max = 1024)))]
    pub matches: Option<Vec<String>>,
    /// Built-in detectors for common kinds of personal data.
    pub builtins: Option<Vec<BuiltinPattern>>,
    /// What to do with a match: `Mask` (the default) replaces the matched text and
    /// lets the message through; `Reject` refuses the whole message with the
    /// guard's `response`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("Mask"))]
    pub action: Option<RegexAction>,
}

/// What a regex guard does with a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RegexAction {
    /// Replace the matched text with a placeholder and pass the message on.
    Mask,
    /// Refuse the message.
    Reject,
}

/// Kinds of personal data the gateway can detect without a pattern of yours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::enum_sorted)]
pub enum BuiltinPattern {
    /// US Social Security numbers.
    Ssn,
    /// Payment card numbers.
    CreditCard,
    /// Telephone numbers.
    PhoneNumber,
    /// Email addresses.
    Email,
    /// Canadian Social Insurance Numbers.
    CaSin,
}

/// An external guardrail service. The gateway sends it the messages to check; the
/// service answers whether to pass them, pass them modified, or reject them.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookGuard {
    /// The service to call, usually a Service and port.
    pub backend_ref: BackendObjectReference,
    /// What happens when the service fails or cannot be reached: `FailClosed`
    /// rejects the message, `FailOpen` lets it through unchecked. When unset, the
    /// message is rejected.
    pub failure_mode: Option<FailureMode>,
    /// Headers of the client's request to pass on to the service, e.g. to let it
    /// tell users apart. A header is passed on when it matches any entry; none are
    /// passed when unset.
    pub forward_header_matches: Option<Vec<HeaderMatch>>,
    /// Extra headers sent with every call to the service, by name, e.g.
    /// `x-tenant: team-a` (at most 64; each value 1 to 16384 characters).
    #[schemars(
        transform = markers::properties(None, Some(64)),
        transform = markers::each(markers::length(1, 16384))
    )]
    pub headers: Option<BTreeMap<String, String>>,
}

/// Selects request headers by name and value.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HeaderMatch {
    /// How `value` is compared: `Exact` (the default) or `RegularExpression`.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    #[schemars(transform = markers::default("Exact"))]
    pub type_: Option<HeaderMatchType>,
    /// Header name, compared without regard to case, e.g. `x-user-id`.
    #[schemars(transform = header_name)]
    pub name: String,
    /// The value, or regular expression, the header must match.
    #[schemars(length(min = 1, max = 4096))]
    pub value: String,
}

/// How a header value is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum HeaderMatchType {
    /// The value must be equal to the given string.
    Exact,
    /// The value must match the given regular expression.
    RegularExpression,
}

/// OpenAI's moderation API as a request guard.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OpenAiModeration {
    /// Moderation model to use, e.g. `omni-moderation-latest`; OpenAI's current
    /// moderation model when unset.
    pub model: Option<String>,
    /// How the gateway connects to OpenAI for moderation; set `auth` to supply the
    /// OpenAI API key.
    pub policies: Option<ModerationPolicies>,
}

/// A guardrail configured in Amazon Bedrock, applied through Bedrock's
/// ApplyGuardrail API.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BedrockGuardrails {
    /// ID or ARN of the guardrail.
    #[schemars(length(min = 1, max = 256))]
    pub identifier: String,
    /// Version of the guardrail to apply, e.g. `1` or `DRAFT`.
    #[schemars(length(min = 1, max = 256))]
    pub version: String,
    /// AWS region where the guardrail is defined, e.g. `us-east-1`.
    #[schemars(length(min = 1, max = 256))]
    pub region: String,
    /// How the gateway connects to Bedrock; set `auth` for the AWS credentials
    /// (or a Bedrock API key). The gateway's own AWS identity when unset.
    pub policies: Option<BedrockGuardrailPolicies>,
}

/// A Google Cloud Model Armor template that screens messages.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GoogleModelArmor {
    /// ID of the Google Cloud project that holds the template.
    #[schemars(length(min = 1, max = 256))]
    pub project_id: String,
    /// ID of the Model Armor template to apply.
    #[schemars(length(min = 1, max = 256))]
    pub template_id: String,
    /// Google Cloud location of the template, e.g. `europe-west4`. `us-central1`
    /// when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("us-central1"), length(min = 1, max = 256))]
    pub location: Option<String>,
    /// How the gateway connects to Model Armor; set `auth` for the Google
    /// credentials. The gateway's own Google identity when unset.
    pub policies: Option<ModelArmorPolicies>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn guards_of_every_kind_round_trip() {
        let doc = json!({
            "streaming": "Enabled",
            "request": [
                { "openAIModeration": { "policies": { "auth": { "secretRef": { "name": "openai" } } } } },
                { "bedrockGuardrails": { "identifier": "gr", "version": "1", "region": "us-east-1",
                    "policies": { "auth": { "aws": {} } } } },
            ],
            "response": [
                { "googleModelArmor": { "projectId": "p", "templateId": "t",
                    "policies": { "auth": { "gcp": { "type": "AccessToken" } } } } },
                { "webhook": { "backendRef": { "group": "", "kind": "Service", "name": "guard", "port": 80 },
                    "failureMode": "FailOpen", "headers": { "x-tenant": "a" } } },
            ],
        });
        let guard: PromptGuard = serde_json::from_value(doc.clone()).expect("valid guard");
        assert_eq!(guard.streaming, Some(GuardStreaming::Enabled));
        assert!(
            guard.request.as_ref().expect("request")[1]
                .bedrock_guardrails
                .is_some()
        );
        assert_eq!(serde_json::to_value(&guard).expect("serializes"), doc);
    }
}
