//! The `traffic` section: what the gateway does with each HTTP request on the
//! targeted Gateways, XListenerSets and HTTPRoutes.

pub mod authentication;
pub mod authorization;
pub mod conditional;
pub mod cors;
pub mod external;
pub mod headers;
pub mod rate_limit;
pub mod resilience;
pub mod transformation;

pub use conditional::{Conditional, ConditionalEntry};

use crate::v1alpha1::shared::{ByteSize, FailureMode, cel_expression, header_name};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Policies applied to each HTTP request. All are optional and combine. With
/// `phase: PreRouting`, only `extAuth`, `authorization`, `transformation`,
/// `extProc`, `jwtAuthentication`, `basicAuthentication`, `apiKeyAuthentication` and
/// `cors` may be set.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::only_fields_when("phase", "PreRouting", &[
    "extAuth", "authorization", "transformation", "extProc", "jwtAuthentication",
    "basicAuthentication", "apiKeyAuthentication", "cors",
]))]
pub struct TrafficPolicies {
    /// When the policies run: `PostRouting` (what an unset field means) runs them
    /// after a route was selected, `PreRouting` before, so they can influence which
    /// route matches (e.g. a transformation that sets a header a route matches on).
    /// `PreRouting` is only for policies that target Gateways or XListenerSets.
    pub phase: Option<Phase>,
    /// Change request and response headers, metadata and bodies, using CEL
    /// expressions. Set at least one of `request` and `response`, or choose the
    /// transformation per request with `conditional`.
    pub transformation: Option<Conditional<transformation::Transformation>>,
    /// Send each request through an external processing server (Envoy's `ext_proc`
    /// protocol), which may inspect and change headers and bodies. Set exactly one
    /// of `backendRef` and `url`, or choose the server per request with
    /// `conditional`.
    #[schemars(transform = external::conditional_destination)]
    pub ext_proc: Option<Conditional<external::ExtProc>>,
    /// Ask an external authorization server whether to allow each request. Set
    /// exactly one of `backendRef` and `url` and exactly one of `grpc` and `http`, or
    /// choose the server per request with `conditional`.
    #[schemars(transform = external::conditional_destination)]
    pub ext_auth: Option<Conditional<external::ExtAuth>>,
    /// Limit how many requests, or LLM tokens, clients may use per period: locally in
    /// each gateway replica, or globally through a rate limit service. Set at least
    /// one of `local` and `global`, or choose the limits per request with
    /// `conditional`.
    pub rate_limit: Option<Conditional<rate_limit::RateLimit>>,
    /// Answer cross-origin (CORS) preflight requests and add CORS headers to
    /// responses.
    pub cors: Option<cors::Cors>,
    /// Reject cross-site request forgery: state-changing requests whose `Origin` does
    /// not match the request's host or an allowed origin.
    pub csrf: Option<cors::Csrf>,
    /// Add, set or remove request and response headers with fixed values. Set at
    /// least one of `request` and `response`.
    pub header_modifiers: Option<headers::HeaderModifiers>,
    /// Whether the `Host` header is rewritten to the backend's host name.
    pub host_rewrite: Option<headers::HostRewrite>,
    /// Time limits for a request as a whole.
    pub timeouts: Option<resilience::Timeouts>,
    /// Retry failed requests.
    pub retry: Option<resilience::Retry>,
    /// Allow or deny requests by CEL expressions over the request and its
    /// authenticated identity.
    pub authorization: Option<authorization::Authorization>,
    /// Require a JSON Web Token from the client, by default sent as
    /// `Authorization: Bearer <token>`, and check its signature, issuer, audience and
    /// expiry. Its claims are then available to CEL expressions as `jwt`, e.g.
    /// `jwt.sub`.
    pub jwt_authentication: Option<authentication::JwtAuthentication>,
    /// Require HTTP Basic credentials (RFC 7617) from the client. Set exactly one of
    /// `users` and `secretRef`.
    pub basic_authentication: Option<authentication::BasicAuthentication>,
    /// Require an API key from the client, by default sent as `Authorization: Bearer
    /// <key>`. Set exactly one of `secretRef`, `secretSelector` and
    /// `configMapSelector`.
    pub api_key_authentication: Option<authentication::ApiKeyAuthentication>,
    /// Answer requests directly with a fixed (or computed) status, headers and body,
    /// without contacting a backend; or choose the answer per request with
    /// `conditional`.
    pub direct_response: Option<Conditional<DirectResponse>>,
    /// Buffer whole request and/or response bodies before passing them on, e.g. for
    /// backends or clients that cannot handle streaming. Set at least one of
    /// `request` and `response`.
    pub buffer: Option<Buffer>,
    /// Hold each request for a while before processing it, e.g. to test how clients
    /// cope with a slow service.
    pub delay: Option<Delay>,
}

/// When traffic policies run relative to route selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::enum_sorted)]
pub enum Phase {
    /// Before a route is selected.
    PreRouting,
    /// After a route is selected.
    PostRouting,
}

/// A response sent by the gateway itself. Set at most one of `body` and
/// `bodyExpression`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::cel(
    "!(has(self.body) && has(self.bodyExpression))",
    "body and bodyExpression may not both be set"
))]
pub struct DirectResponse {
    /// HTTP status code of the response (200 to 599), e.g. `404`.
    #[schemars(range(min = 200, max = 599))]
    pub status: i32,
    /// Fixed body of the response (1 to 4096 characters). An empty body when neither
    /// this nor `bodyExpression` is set.
    #[schemars(length(min = 1, max = 4096))]
    pub body: Option<String>,
    /// A CEL expression computing the body from the request, e.g.
    /// `'{"path": "' + request.path + '"}'`. Not with `body`.
    #[schemars(transform = cel_expression)]
    pub body_expression: Option<String>,
    /// Headers of the response (1 to 16, distinct names), each value a CEL
    /// expression, e.g. `'application/json'` for `content-type`.
    #[schemars(length(min = 1, max = 16), transform = markers::list_map(&["name"]))]
    pub headers: Option<Vec<ResponseHeader>>,
}

/// A response header whose value is computed by a CEL expression.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ResponseHeader {
    /// Name of the header, e.g. `content-type`.
    #[schemars(transform = header_name)]
    pub name: String,
    /// CEL expression computing the value, e.g. `'text/plain'` (note the quotes of a
    /// string literal) or `request.headers['x-request-id']`.
    #[schemars(transform = cel_expression)]
    pub value: String,
}

/// Buffering of request and response bodies. Set at least one of `request` and
/// `response`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_field(&[]))]
pub struct Buffer {
    /// Buffer request bodies before they are sent to the backend.
    pub request: Option<BodyBuffer>,
    /// Buffer response bodies before they are sent to the client.
    pub response: Option<BodyBuffer>,
}

/// How one direction's bodies are buffered.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BodyBuffer {
    /// Largest body buffered, as bytes or a quantity, e.g. `1Mi`. The gateway's
    /// default buffer limit when unset.
    #[schemars(transform = markers::byte_size)]
    pub max_bytes: Option<ByteSize>,
    /// What happens to a body larger than `maxBytes`: `FailClosed` rejects the
    /// request, `FailOpen` passes the body on unbuffered.
    pub failure_mode: Option<FailureMode>,
}

/// An artificial delay.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Delay {
    /// How long to hold each request, as a CEL expression evaluating to a duration,
    /// e.g. `duration('250ms')`; it may depend on the request.
    #[schemars(transform = cel_expression)]
    pub duration: String,
}
