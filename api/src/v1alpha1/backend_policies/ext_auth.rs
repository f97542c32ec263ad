//! External authorization of requests to a backend.
//!
//! The settings are those of the traffic policy's external authorization
//! ([`crate::v1alpha1::policy::traffic::external`]), whose parts are reused here; a
//! backend's `extAuth` has no `conditional` form and no required fields.

use crate::v1alpha1::{
    policy::traffic::external::{ExtAuthBody, ExtAuthGrpc, ExtAuthHttp},
    shared::{BackendObjectReference, FailureMode},
};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Ask an authorization server before each request goes to the backend: the server
/// allows or denies it. Speak gRPC (Envoy's `ext_authz`) or plain HTTP.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::cel(
    "!(has(self.forwardBody) && has(self.http) && has(self.http.body))",
    "forwardBody cannot be used with http.body"
))]
pub struct BackendExtAuth {
    /// The authorization server: a Service (with its port) or an
    /// AgentgatewayBackend.
    pub backend_ref: Option<BackendObjectReference>,
    /// Speak the gRPC `ext_authz` protocol to the server.
    pub grpc: Option<ExtAuthGrpc>,
    /// Send the server a plain HTTP request per client request; a `200` answer allows
    /// the request, any other answer denies it.
    pub http: Option<ExtAuthHttp>,
    /// Also send the request body to the server (buffered up to a size). Not with
    /// `http.body`.
    pub forward_body: Option<ExtAuthBody>,
    /// What happens when the server fails or cannot be reached: `FailClosed` denies
    /// the request, `FailOpen` lets it through.
    pub failure_mode: Option<FailureMode>,
    /// Remember the server's decisions, so repeated requests need no new check.
    pub cache: Option<ExtAuthCache>,
}

/// A cache of authorization decisions, keyed by values computed from each request.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtAuthCache {
    /// CEL expressions whose values together identify requests that get the same
    /// decision (1 to 16), e.g. `request.headers["authorization"]`.
    #[schemars(length(min = 1, max = 16), inner(length(min = 1, max = 16384)))]
    pub key: Vec<String>,
    /// A CEL expression giving how long a decision is kept, e.g. `duration("5m")`.
    #[schemars(length(min = 1, max = 16384))]
    pub ttl: String,
    /// Most decisions kept (at least 1). The gateway's default when unset.
    #[schemars(range(min = 1))]
    pub max_entries: Option<i32>,
}
