//! External services that take part in request handling: authorization servers and
//! processing servers.

use crate::v1alpha1::shared::{
    BackendObjectReference, ByteSize, FailureMode, backend_ref_or_url_as, cel_expression, http_url,
    url_path_only_if, url_without_path,
};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;

/// Most entries in one of the maps sent to or read from an authorization server.
fn small_map(s: &mut schemars::Schema) {
    markers::properties(None, Some(64))(s)
}

/// Declares an external authorization type: the fields shared by the traffic
/// policy's [`ExtAuth`] and a backend's
/// [`BackendExtAuth`](crate::v1alpha1::backend_policies::ext_auth::BackendExtAuth)
/// (documented once here), followed by the type's own fields. Plain fields (no
/// `#[serde(flatten)]`), so errors name the exact field and the rule markers see
/// every field. Types using it also take [`ext_auth_rules`] and a rule that exactly
/// one of `backendRef` and `url` is set.
macro_rules! ext_auth_settings {
    ($(#[$meta:meta])* pub struct $name:ident { $($own_fields:tt)* }) => {
        $(#[$meta])*
        pub struct $name {
            /// The authorization server as a Service (with its port) or an
            /// AgentgatewayBackend. Set exactly one of this and `url`.
            pub backend_ref: Option<$crate::v1alpha1::shared::BackendObjectReference>,
            /// The authorization server's URL, e.g. `https://authz.example.com`. A path
            /// (e.g. `https://authz.example.com/check`) is only allowed with `http`,
            /// where it replaces `http.path`. Set exactly one of this and `backendRef`.
            #[schemars(transform = $crate::v1alpha1::shared::http_url)]
            pub url: Option<String>,
            $($own_fields)*
            /// Speak the gRPC `ext_authz` protocol to the server.
            pub grpc: Option<$crate::v1alpha1::policy::traffic::external::ExtAuthGrpc>,
            /// Send the server a plain HTTP request per client request; a `200` answer allows
            /// the request, any other answer denies it.
            pub http: Option<$crate::v1alpha1::policy::traffic::external::ExtAuthHttp>,
            /// Also send the request body to the server. The body is buffered for this;
            /// without it, only headers are sent. Not with `http.body`.
            pub forward_body: Option<$crate::v1alpha1::policy::traffic::external::ExtAuthBody>,
            /// What happens when the server fails or cannot be reached: `FailClosed` denies
            /// the request, `FailOpen` lets it through.
            pub failure_mode: Option<$crate::v1alpha1::shared::FailureMode>,
            /// Remember the server's decisions, so repeated requests need no new check.
            pub cache: Option<$crate::v1alpha1::policy::traffic::external::ExtAuthCache>,
        }
    };
}
pub(crate) use ext_auth_settings;

/// The rules of every external authorization type: `forwardBody` and `http.body`
/// both set what the server gets as body, so at most one of them; a path in `url`
/// only with `http`, and then not together with `http.path`.
pub(crate) fn ext_auth_rules(s: &mut schemars::Schema) {
    markers::cel(
        "!(has(self.forwardBody) && has(self.http) && has(self.http.body))",
        "forwardBody cannot be used with http.body",
    )(s);
    url_path_only_if("has(self.http)", "url path is only valid with http")(s);
    url_path_only_if(
        "!has(self.http) || !has(self.http.path)",
        "http.path may not be set when url includes a path",
    )(s);
}

/// The message of the destination rule of [`ExtAuth`] and [`ExtProc`]; outside
/// `conditional` entries, [`conditional_destination`] rewrites it.
const DESTINATION_REQUIRED: &str = "exactly one of backendRef or url is required";

/// The destination rule of a conditional [`ExtAuth`] or [`ExtProc`]: exactly one
/// of `backendRef` and `url` when the policy is set directly, neither with
/// `conditional` (each entry names its own).
pub(crate) fn conditional_destination(s: &mut schemars::Schema) {
    markers::replace_rule(
        DESTINATION_REQUIRED,
        "has(self.conditional) ? (!has(self.backendRef) && !has(self.url)) : [has(self.backendRef),has(self.url)].filter(x,x==true).size() == 1",
        "exactly one of backendRef or url must be set unless conditional is set",
    )(s)
}

ext_auth_settings! {
    /// External authorization: before a request goes on, the gateway asks an
    /// authorization server, which allows or denies it. Speak either the gRPC protocol
    /// (Envoy's `ext_authz`) or plain HTTP: set exactly one of `grpc` and `http`.
    #[skip_serializing_none]
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    #[schemars(
        transform = backend_ref_or_url_as(DESTINATION_REQUIRED),
        transform = markers::exactly_one_of(&["grpc", "http"]),
        transform = ext_auth_rules,
    )]
    pub struct ExtAuth {}
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
    /// A CEL expression giving the body of the check request, e.g.
    /// `string(request.body)`. No body when unset. Not with `forwardBody`.
    #[schemars(transform = cel_expression)]
    pub body: Option<String>,
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

/// A cache of authorization decisions, keyed by values computed from each request.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtAuthCache {
    /// CEL expressions whose values together identify requests that get the same
    /// decision (1 to 16), e.g. `request.headers["authorization"]`.
    #[schemars(length(min = 1, max = 16), transform = markers::each(cel_expression))]
    pub key: Vec<String>,
    /// A CEL expression giving how long a decision is kept, e.g. `duration("5m")`.
    #[schemars(transform = cel_expression)]
    pub ttl: String,
    /// Most decisions kept (at least 1). The gateway's default when unset.
    #[schemars(range(min = 1))]
    pub max_entries: Option<i32>,
}

/// Sending the request body to the authorization server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtAuthBody {
    /// Largest body the gateway buffers and sends, as bytes or a quantity, e.g.
    /// `8192` or `64Ki`; requests with larger bodies are rejected.
    #[schemars(transform = markers::byte_size)]
    pub max_size: ByteSize,
}

/// External processing: the gateway streams each request and response through a
/// processing server speaking Envoy's `ext_proc` gRPC protocol, which may inspect
/// and change headers and bodies, or answer the request itself. Name the server with
/// exactly one of `backendRef` and `url`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = backend_ref_or_url_as(DESTINATION_REQUIRED),
    transform = url_without_path("url must not include a path"),
)]
pub struct ExtProc {
    /// The processing server as a Service (with its port) or an AgentgatewayBackend.
    pub backend_ref: Option<BackendObjectReference>,
    /// The processing server's address as a URL with no path, e.g.
    /// `http://ext-proc.example.com:9002`.
    #[schemars(transform = http_url)]
    pub url: Option<String>,
    /// What happens when the server fails or cannot be reached: `FailClosed` rejects
    /// the request, `FailOpen` lets it continue unprocessed.
    pub failure_mode: Option<FailureMode>,
    /// Metadata sent to the server (`metadata_context.filter_metadata`): per
    /// namespace, e.g. `envoy.filters.http.ext_proc`, values computed by CEL
    /// expressions over the request, e.g. `{"user": "jwt.sub"}`. At most 64
    /// namespaces.
    #[schemars(transform = small_map, transform = markers::each(markers::each(cel_expression)))]
    pub metadata_context: Option<BTreeMap<String, BTreeMap<String, String>>>,
    /// Which parts of requests and responses are sent to the server, and how.
    pub processing_options: Option<ProcessingOptions>,
    /// Attributes sent with request messages, each value a CEL expression over the
    /// request, e.g. `{"path": "request.path"}`. At most 64.
    #[schemars(transform = small_map, transform = markers::each(cel_expression))]
    pub request_attributes: Option<BTreeMap<String, String>>,
    /// Attributes sent with response messages, each value a CEL expression, e.g.
    /// `{"status": "response.code"}`. At most 64.
    #[schemars(transform = small_map, transform = markers::each(cel_expression))]
    pub response_attributes: Option<BTreeMap<String, String>>,
}

/// Which parts of requests and responses go to the processing server. Each field
/// has its default filled in by the apiserver.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProcessingOptions {
    /// Whether the server may change these modes for the rest of a request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default(false))]
    pub allow_mode_override: Option<bool>,
    /// Whether request headers are sent (`Send`, the default) or not (`Skip`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("Send"))]
    pub request_header_mode: Option<HeaderSendMode>,
    /// How request bodies are sent; `FullDuplexStreamed` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("FullDuplexStreamed"))]
    pub request_body_mode: Option<BodySendMode>,
    /// Whether request trailers are sent (`Send`, the default) or not (`Skip`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("Send"))]
    pub request_trailer_mode: Option<HeaderSendMode>,
    /// Whether response headers are sent (`Send`, the default) or not (`Skip`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("Send"))]
    pub response_header_mode: Option<HeaderSendMode>,
    /// How response bodies are sent; `FullDuplexStreamed` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("FullDuplexStreamed"))]
    pub response_body_mode: Option<BodySendMode>,
    /// Whether response trailers are sent (`Send`, the default) or not (`Skip`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("Send"))]
    pub response_trailer_mode: Option<HeaderSendMode>,
}

/// Whether headers (or trailers) go to the processing server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum HeaderSendMode {
    /// Send them.
    Send,
    /// Do not send them.
    Skip,
}

/// How bodies go to the processing server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum BodySendMode {
    /// The whole body at once, buffered first (up to the buffer limit).
    Buffered,
    /// The body buffered up to the buffer limit, and sent as far as it got.
    BufferedPartial,
    /// The body streamed in chunks in both directions as it arrives.
    FullDuplexStreamed,
    /// The body is not sent.
    #[serde(rename = "None")]
    NotSent,
}
