//! External services that take part in request handling: authorization servers and
//! processing servers.

use crate::v1alpha1::{policy::cel_expression, shared::BackendObjectReference};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;

/// Most entries in one of the maps sent to or read from an authorization server.
fn small_map(s: &mut schemars::Schema) {
    markers::properties(None, Some(64))(s)
}

/// External authorization: before a request goes on, the gateway asks an
/// authorization server, which allows or denies it. Speak either the gRPC protocol
/// (Envoy's `ext_authz`) or plain HTTP: set exactly one of `grpc` and `http`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::exactly_one_of(&["grpc", "http"]))]
pub struct ExtAuth {
    /// The authorization server: a Service (with its port) or an
    /// AgentgatewayBackend.
    pub backend_ref: BackendObjectReference,
    /// Speak the gRPC `ext_authz` protocol to the server.
    pub grpc: Option<ExtAuthGrpc>,
    /// Send the server a plain HTTP request per client request; a `200` answer allows
    /// the request, any other answer denies it.
    pub http: Option<ExtAuthHttp>,
    /// Also send the request body to the server. The body is buffered for this;
    /// without it, only headers are sent.
    pub forward_body: Option<ExtAuthBody>,
}

/// Settings for gRPC authorization servers.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtAuthGrpc {
    /// Fixed key-value pairs sent with every check (`context_extensions`), e.g. to
    /// tell the server which application is asking. At most 64.
    #[schemars(transform = small_map)]
    pub context_extensions: Option<BTreeMap<String, String>>,
    /// Metadata sent with every check (`metadata_context.filter_metadata`), each
    /// value a CEL expression over the request, e.g. `{"user": "jwt.sub"}`. At most
    /// 64.
    #[schemars(transform = small_map, transform = markers::each(cel_expression))]
    pub request_metadata: Option<BTreeMap<String, String>>,
}

/// Settings for HTTP authorization servers.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtAuthHttp {
    /// A CEL expression giving the path of the check request, e.g.
    /// `"/check" + request.path`. The original request's path when unset.
    #[schemars(transform = cel_expression)]
    pub path: Option<String>,
    /// A CEL expression giving where to redirect clients whose request is denied,
    /// e.g. a sign-in page. Denied requests get the server's answer when unset.
    #[schemars(transform = cel_expression)]
    pub redirect: Option<String>,
    /// Headers of the client's request copied to the check request (up to 64), e.g.
    /// `cookie`. Only `Authorization` when unset.
    #[schemars(length(max = 64), inner(length(min = 1, max = 256)))]
    pub allowed_request_headers: Option<Vec<String>>,
    /// Headers added to the check request, each value a CEL expression over the
    /// request. At most 64.
    #[schemars(transform = small_map, transform = markers::each(cel_expression))]
    pub add_request_headers: Option<BTreeMap<String, String>>,
    /// Headers of the server's answer copied onto the allowed request on its way to
    /// the backend (up to 64), e.g. `x-user-id`.
    #[schemars(length(max = 64), inner(length(min = 1, max = 256)))]
    pub allowed_response_headers: Option<Vec<String>>,
    /// Values extracted from the server's answer, each a CEL expression over it, e.g.
    /// `{"user": "response.headers['x-user']"}`; later policies read them as
    /// `extauthz.<name>`. At most 64.
    #[schemars(transform = small_map, transform = markers::each(cel_expression))]
    pub response_metadata: Option<BTreeMap<String, String>>,
}

/// Sending the request body to the authorization server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtAuthBody {
    /// Largest body, in bytes, the gateway buffers and sends; requests with larger
    /// bodies are rejected. At least 1.
    #[schemars(range(min = 1))]
    pub max_size: i32,
}

/// External processing: the gateway streams each request and response through a
/// processing server speaking Envoy's `ext_proc` gRPC protocol, which may inspect
/// and change headers and bodies, or answer the request itself.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtProc {
    /// The processing server: a Service (with its port) or an AgentgatewayBackend.
    pub backend_ref: BackendObjectReference,
}
