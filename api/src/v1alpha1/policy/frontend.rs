//! The `frontend` section: how a Gateway accepts connections from clients.

use super::cel_expression;
use crate::v1alpha1::{backend_policies::tcp::Keepalive, shared::BackendObjectReference};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Settings for the client side of a Gateway. Applies to every listener of the
/// targeted Gateways.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::cel("!has(self.tracing)", "tracing is not currently implemented"))]
pub struct FrontendPolicies {
    /// TCP settings for client connections; set `keepalive`.
    pub tcp: Option<FrontendTcp>,
    /// TLS settings for HTTPS and TLS listeners; set at least `handshakeTimeout`.
    pub tls: Option<FrontendTls>,
    /// HTTP/1.1 and HTTP/2 settings for client connections; set at least one field.
    pub http: Option<FrontendHttp>,
    /// Which requests are logged and what each log entry holds.
    pub access_log: Option<AccessLog>,
    /// Export of request traces over OpenTelemetry (OTLP). Not implemented yet: the
    /// API rejects policies that set it.
    pub tracing: Option<Tracing>,
}

/// TCP settings for client connections. Set at least one field.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_of(&["keepalive"]))]
pub struct FrontendTcp {
    /// Send TCP keepalive probes on idle client connections, so dead clients are
    /// detected and middleboxes keep the connection open.
    pub keepalive: Option<Keepalive>,
}

/// TLS settings for client connections. Set at least `handshakeTimeout`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::at_least_one_of(&["handshakeTimeout"]))]
pub struct FrontendTls {
    /// How long a client may take to complete the TLS handshake before the connection
    /// is closed, e.g. `10s`. At least `100ms`; `15s` when unset.
    #[schemars(transform = markers::duration_at_least("100ms", "handshakeTimeout must be at least 100ms"))]
    pub handshake_timeout: Option<String>,
    /// ALPN protocols the gateway offers to clients, in order of preference, e.g.
    /// `h2`, `http/1.1` (1 to 16). The gateway's own choice when unset.
    #[schemars(length(min = 1, max = 16), inner(length(min = 1, max = 64)))]
    pub alpn_protocols: Option<Vec<String>>,
}

/// HTTP settings for client connections. Set at least one field; unset fields keep
/// the gateway's defaults.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::at_least_one_of(&[
    "maxBufferSize",
    "http1MaxHeaders",
    "http1IdleTimeout",
    "http2WindowSize",
    "http2ConnectionWindowSize",
    "http2FrameSize",
    "http2KeepaliveInterval",
    "http2KeepaliveTimeout",
]))]
pub struct FrontendHttp {
    /// Most bytes of a request or response body the gateway holds in memory when a
    /// policy needs the whole body (e.g. a transformation). At least 1; 2 MB when
    /// unset.
    #[schemars(range(min = 1))]
    pub max_buffer_size: Option<i32>,
    /// Most headers an HTTP/1.1 request may carry (1 to 4096); 100 when unset.
    #[schemars(range(min = 1, max = 4096))]
    pub http1_max_headers: Option<i32>,
    /// How long an idle HTTP/1.1 connection (between requests) stays open, e.g.
    /// `60s`. At least `1s`; `10m` when unset.
    #[schemars(transform = markers::duration_at_least("1s", "http1IdleTimeout must be at least 1 second"))]
    pub http1_idle_timeout: Option<String>,
    /// HTTP/2 flow-control window of each stream, in bytes. At least 1.
    #[schemars(range(min = 1))]
    pub http2_window_size: Option<i32>,
    /// HTTP/2 flow-control window of the whole connection, in bytes. At least 1.
    #[schemars(range(min = 1))]
    pub http2_connection_window_size: Option<i32>,
    /// Largest HTTP/2 frame payload, in bytes (16384 to 1677215); 16384 when unset.
    #[schemars(range(min = 16384, max = 1677215))]
    pub http2_frame_size: Option<i32>,
    /// How often the gateway pings HTTP/2 clients to check that the connection is
    /// alive, e.g. `30s`. At least `1s`.
    #[schemars(transform = markers::duration_at_least("1s", "http2KeepaliveInterval must be at least 1 second"))]
    pub http2_keepalive_interval: Option<String>,
    /// How long the gateway waits for a ping to be answered before closing the
    /// connection, e.g. `10s`. At least `1s`.
    #[schemars(transform = markers::duration_at_least("1s", "http2KeepaliveTimeout must be at least 1 second"))]
    pub http2_keepalive_timeout: Option<String>,
}

/// Access logging. With no fields set, every request is logged with the default
/// attributes.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AccessLog {
    /// A CEL expression deciding which requests are logged, e.g.
    /// `response.code >= 400`. Every request when unset.
    #[schemars(transform = cel_expression)]
    pub filter: Option<String>,
    /// Attributes to add to or remove from each log entry.
    pub attributes: Option<LogAttributes>,
}

/// Changes to the attributes of a log entry or trace span. Set at least one of
/// `remove` and `add`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_of(&["remove", "add"]))]
pub struct LogAttributes {
    /// Names of default attributes to leave out, e.g. `http.user_agent` (1 to 32).
    #[schemars(length(min = 1, max = 32), inner(length(min = 1, max = 64)))]
    pub remove: Option<Vec<String>>,
    /// Attributes to add, each computed by a CEL expression (at least one).
    #[schemars(length(min = 1))]
    pub add: Option<Vec<LogAttribute>>,
}

/// One attribute computed per request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LogAttribute {
    /// Name of the attribute, e.g. `user`.
    #[schemars(length(min = 1, max = 256))]
    pub name: String,
    /// CEL expression giving its value, e.g. `jwt.sub`.
    #[schemars(transform = cel_expression)]
    pub expression: String,
}

/// Export of traces to an OpenTelemetry collector.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tracing {
    /// The collector to send spans to.
    pub backend_ref: BackendObjectReference,
    /// OTLP transport to the collector: `HTTP` (the default) or `GRPC`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("HTTP"))]
    pub protocol: Option<TracingProtocol>,
    /// Attributes to add to or remove from each span.
    pub attributes: Option<LogAttributes>,
    /// For requests that arrive with a trace already started: a CEL expression giving
    /// the fraction to trace (`0.0` to `1.0`) or a boolean. All of them when unset.
    #[schemars(transform = cel_expression)]
    pub client_sampling: Option<String>,
    /// For requests without a trace: a CEL expression giving the fraction for which
    /// to start one (`0.0` to `1.0`, e.g. `0.1` for one in ten) or a boolean. None
    /// when unset.
    #[schemars(transform = cel_expression)]
    pub random_sampling: Option<String>,
}

/// OTLP transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum TracingProtocol {
    /// OTLP over HTTP.
    #[serde(rename = "HTTP")]
    Http,
    /// OTLP over gRPC.
    #[serde(rename = "GRPC")]
    Grpc,
}
