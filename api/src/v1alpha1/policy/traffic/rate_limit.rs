//! Rate limits: local to each gateway replica, or global through a rate limit
//! service.

use crate::v1alpha1::shared::{
    BackendObjectReference, FailureMode, backend_ref_or_url, cel_expression, http_url,
    url_without_path,
};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Limits on how many requests, or LLM tokens, clients may use. Requests over a
/// limit get `429 Too Many Requests`. Set at least one of `local` and `global`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_field(&[]))]
pub struct RateLimit {
    /// Limits each gateway replica enforces on its own, without coordination (1 to
    /// 16); with several replicas, the effective limit is their sum.
    #[schemars(length(min = 1, max = 16))]
    pub local: Option<Vec<LocalRateLimit>>,
    /// Limits kept by an external rate limit service (Envoy's rate limit protocol),
    /// shared by all replicas.
    pub global: Option<GlobalRateLimit>,
}

/// A token bucket: `requests` or `tokens` per `unit`, plus an optional `burst`. Set
/// exactly one of `requests` and `tokens`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::exactly_one_of(&["requests", "tokens"]))]
pub struct LocalRateLimit {
    /// Requests allowed per `unit`. At least 1.
    #[schemars(range(min = 1))]
    pub requests: Option<i32>,
    /// LLM tokens (input and output) allowed per `unit`. At least 1. A response's
    /// tokens are only known once it completes, so they count against later
    /// requests.
    #[schemars(range(min = 1))]
    pub tokens: Option<i32>,
    /// The period the limit refers to.
    pub unit: RateLimitPeriod,
    /// Extra requests (or tokens) allowed in a short burst above the steady rate (0
    /// or more). No burst allowance when unset.
    #[schemars(range(min = 0))]
    pub burst: Option<i32>,
}

/// The period of a local rate limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::enum_sorted)]
pub enum RateLimitPeriod {
    /// Per second.
    #[default]
    Seconds,
    /// Per minute.
    Minutes,
    /// Per hour.
    Hours,
}

/// A rate limit service, named by exactly one of `backendRef` and `url`, and what to
/// ask it.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = url_without_path("url must not include a path"),
    transform = backend_ref_or_url,
)]
pub struct GlobalRateLimit {
    /// The rate limit service as a Service (with its port) or an
    /// AgentgatewayBackend.
    pub backend_ref: Option<BackendObjectReference>,
    /// The rate limit service's address as a URL with no path, e.g.
    /// `http://ratelimit.example.com:8081`.
    #[schemars(transform = http_url)]
    pub url: Option<String>,
    /// The domain sent to the service, which groups its limits per application, e.g.
    /// `agentgateway`.
    #[schemars(length(min = 1, max = 256))]
    pub domain: String,
    /// The descriptors sent per request (1 to 16); the service applies the limits it
    /// has configured for them.
    #[schemars(length(min = 1, max = 16))]
    pub descriptors: Vec<RateLimitDescriptor>,
    /// What happens when the service fails or cannot be reached: `FailClosed`
    /// rejects the request, `FailOpen` lets it through unlimited.
    pub failure_mode: Option<FailureMode>,
}

/// One descriptor: a list of named values computed per request, and what a request
/// costs.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitDescriptor {
    /// The entries of the descriptor (1 to 16).
    #[schemars(length(min = 1, max = 16))]
    pub entries: Vec<RateLimitDescriptorEntry>,
    /// What is counted: `Requests` (what an unset field means) or LLM `Tokens`.
    pub unit: Option<RateLimitUnit>,
    /// A CEL expression giving how much a request counts against the limit, e.g.
    /// `2` for expensive requests. One request (or its tokens) when unset.
    #[schemars(transform = cel_expression)]
    pub cost: Option<String>,
    /// A CEL expression computing a limit for this descriptor that replaces the one
    /// configured in the service, e.g. `jwt.tier == 'gold' ? 1000 : 100`. The
    /// service's limit when unset.
    #[schemars(transform = cel_expression)]
    pub limit_override: Option<String>,
}

/// One named value of a descriptor.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RateLimitDescriptorEntry {
    /// Name of the entry (the descriptor key), e.g. `client_ip`.
    #[schemars(length(min = 1, max = 64))]
    pub name: String,
    /// CEL expression giving its value, e.g. `source.address`.
    #[schemars(transform = cel_expression)]
    pub expression: String,
}

/// What a global rate limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RateLimitUnit {
    /// Each request counts as one.
    Requests,
    /// Each request counts as its LLM tokens.
    Tokens,
}
