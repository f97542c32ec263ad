//! The `traffic` section: what the gateway does with each HTTP request on the
//! targeted Gateways, XListenerSets and HTTPRoutes.

pub mod authentication;
pub mod authorization;
pub mod cors;
pub mod external;
pub mod headers;
pub mod rate_limit;
pub mod resilience;
pub mod transformation;

use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Policies applied to each HTTP request. All are optional and combine. With
/// `phase: PreRouting`, `rateLimit`, `cors`, `csrf`, `headerModifiers`,
/// `hostRewrite`, `timeouts`, `retry` and `authorization` may not be set.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::cel(
    "has(self.phase) && self.phase == 'PreRouting' ? !has(self.rateLimit) && !has(self.cors) && !has(self.csrf) && !has(self.headerModifiers) && !has(self.hostRewrite) && !has(self.timeouts) && !has(self.retry) && !has(self.authorization): true",
    "phase PreRouting only supports extAuth, transformation, and extProc"
))]
pub struct TrafficPolicies {
    /// When the policies run: `PostRouting` (what an unset field means) runs them
    /// after a route was selected, `PreRouting` before, so they can influence which
    /// route matches (e.g. a transformation that sets a header a route matches on).
    /// `PreRouting` is only for policies that target Gateways or XListenerSets.
    pub phase: Option<Phase>,
    /// Change request and response headers, and bodies, using CEL expressions. Set
    /// at least one of `request` and `response`.
    pub transformation: Option<transformation::Transformation>,
    /// Send each request through an external processing server (Envoy's `ext_proc`
    /// protocol), which may inspect and change headers and bodies.
    pub ext_proc: Option<external::ExtProc>,
    /// Ask an external authorization server whether to allow each request. Set
    /// `backendRef` and exactly one of `grpc` and `http`.
    pub ext_auth: Option<external::ExtAuth>,
    /// Limit how many requests, or LLM tokens, clients may use per period: locally in
    /// each gateway replica, or globally through a rate limit service. Set at least
    /// one of `local` and `global`.
    pub rate_limit: Option<rate_limit::RateLimit>,
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
    /// Require a JSON Web Token from the client, sent as `Authorization: Bearer
    /// <token>`, and check its signature, issuer, audience and expiry. Its claims are
    /// then available to CEL expressions as `jwt`, e.g. `jwt.sub`.
    pub jwt_authentication: Option<authentication::JwtAuthentication>,
    /// Require HTTP Basic credentials (RFC 7617) from the client. Set exactly one of
    /// `users` and `secretRef`.
    pub basic_authentication: Option<authentication::BasicAuthentication>,
    /// Require an API key from the client, sent as `Authorization: Bearer <key>`. Set
    /// exactly one of `secretRef` and `secretSelector`.
    pub api_key_authentication: Option<authentication::ApiKeyAuthentication>,
    /// Answer requests directly with a fixed status and body, without contacting a
    /// backend.
    pub direct_response: Option<DirectResponse>,
}

/// When traffic policies run relative to route selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Phase {
    /// Before a route is selected.
    PreRouting,
    /// After a route is selected.
    PostRouting,
}

/// A fixed response sent by the gateway itself.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DirectResponse {
    /// HTTP status code of the response (200 to 599).
    #[schemars(range(min = 200, max = 599))]
    pub status: i32,
    /// Body of the response (1 to 4096 characters). An empty body when unset.
    #[schemars(length(min = 1, max = 4096))]
    pub body: Option<String>,
}
