//! The `frontend` section: how a Gateway accepts connections from clients.

use crate::v1alpha1::{
    backend_policies::{tcp::Keepalive, tls::KeyExchangeGroup},
    policy::traffic::authorization::Authorization,
    shared::{
        BackendObjectReference, ByteSize, Duration, backend_ref_or_url, cel_expression, http_url,
        min_duration, url_path_only_if,
    },
};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Settings for the client side of a Gateway: connection handling (TCP, TLS, HTTP,
/// PROXY protocol, CONNECT), which clients may connect, and observability (access
/// logs, metrics, traces). Set at least one field. Applies to every listener of the
/// targeted Gateways, or to the listeners on the targeted `port`; only `accessLog`,
/// `metrics` and `tracing` may narrow to a listener by `sectionName`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::at_least_one_field(&[]))]
pub struct FrontendPolicies {
    /// TCP settings for client connections; set `keepalive`.
    pub tcp: Option<FrontendTcp>,
    /// TLS settings for HTTPS and TLS listeners: handshake timeout, ALPN, protocol
    /// versions, cipher suites and key exchange groups.
    pub tls: Option<FrontendTls>,
    /// HTTP/1.1 and HTTP/2 settings for client connections; set at least one field.
    pub http: Option<FrontendHttp>,
    /// Which requests are logged, what each log entry holds, and optionally where
    /// entries are exported over OpenTelemetry.
    pub access_log: Option<AccessLog>,
    /// Export of request traces over OpenTelemetry (OTLP).
    pub tracing: Option<Tracing>,
    /// Extra attributes (labels) added to the gateway's request metrics.
    pub metrics: Option<Metrics>,
    /// Which client connections are accepted, decided per connection from its source
    /// address and TLS identity before any request is read. E.g.
    /// `{action: Allow, policy: {matchExpressions: ["source.address.startsWith('10.')"]}}`.
    pub network_authorization: Option<Authorization>,
    /// Accept the PROXY protocol header that load balancers put in front of a
    /// connection to pass on the original client address.
    pub proxy_protocol: Option<ProxyProtocol>,
    /// How HTTP `CONNECT` requests from clients are handled.
    pub connect: Option<Connect>,
}

/// TCP settings for client connections. Set at least one field.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_field(&[]))]
pub struct FrontendTcp {
    /// Send TCP keepalive probes on idle client connections, so dead clients are
    /// detected and middleboxes keep the connection open.
    pub keepalive: Option<Keepalive>,
}

/// TLS settings for client connections. Set at least one field; unset fields keep
/// the gateway's defaults.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::at_least_one_field(&[]))]
pub struct FrontendTls {
    /// How long a client may take to complete the TLS handshake before the connection
    /// is closed, e.g. `10s`. At least `100ms`; `15s` when unset.
    #[schemars(transform = min_duration("100ms", "handshakeTimeout must be at least 100ms"))]
    pub handshake_timeout: Option<Duration>,
    /// ALPN protocols the gateway offers to clients, in order of preference, e.g.
    /// `h2`, `http/1.1` (1 to 16). The gateway's own choice when unset.
    #[schemars(length(min = 1, max = 16), inner(length(min = 1, max = 64)))]
    pub alpn_protocols: Option<Vec<String>>,
    /// Lowest TLS version a client may negotiate: `1.2` or `1.3`.
    pub min_protocol_version: Option<TlsVersion>,
    /// Highest TLS version a client may negotiate: `1.2` or `1.3`.
    pub max_protocol_version: Option<TlsVersion>,
    /// Cipher suites the gateway accepts, in order of preference. The TLS 1.3 suites
    /// start with `TLS13_`; the others apply to TLS 1.2. The gateway's defaults when
    /// unset.
    pub cipher_suites: Option<Vec<CipherSuite>>,
    /// Key exchange groups the gateway offers, in order of preference, e.g.
    /// `X25519_MLKEM768` for a quantum-resistant exchange. The gateway's defaults
    /// when unset.
    pub key_exchange_groups: Option<Vec<KeyExchangeGroup>>,
}

/// A TLS protocol version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum TlsVersion {
    /// TLS 1.2.
    #[serde(rename = "1.2")]
    Tls12,
    /// TLS 1.3.
    #[serde(rename = "1.3")]
    Tls13,
}

/// A TLS cipher suite, by its IANA name (TLS 1.3 suites prefixed `TLS13_`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
pub enum CipherSuite {
    /// TLS 1.3, AES-128 in GCM mode.
    TLS13_AES_128_GCM_SHA256,
    /// TLS 1.3, AES-256 in GCM mode.
    TLS13_AES_256_GCM_SHA384,
    /// TLS 1.3, ChaCha20-Poly1305 (fast without AES hardware).
    TLS13_CHACHA20_POLY1305_SHA256,
    /// TLS 1.2, ECDHE key exchange, ECDSA certificates, AES-128-GCM.
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    /// TLS 1.2, ECDHE key exchange, ECDSA certificates, AES-256-GCM.
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    /// TLS 1.2, ECDHE key exchange, ECDSA certificates, ChaCha20-Poly1305.
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    /// TLS 1.2, ECDHE key exchange, RSA certificates, AES-128-GCM.
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    /// TLS 1.2, ECDHE key exchange, RSA certificates, AES-256-GCM.
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    /// TLS 1.2, ECDHE key exchange, RSA certificates, ChaCha20-Poly1305.
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

/// HTTP settings for client connections. Set at least one field; unset fields keep
/// the gateway's defaults. Sizes are bytes, as an integer or a quantity such as
/// `64Ki` or `2Mi`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::at_least_one_field(&[]))]
pub struct FrontendHttp {
    /// Most bytes of a request or response body the gateway holds in memory when a
    /// policy needs the whole body (e.g. a transformation), e.g. `2Mi`. 2 MiB when
    /// unset.
    #[schemars(transform = markers::byte_size)]
    pub max_buffer_size: Option<ByteSize>,
    /// Most headers an HTTP/1.1 request may carry (1 to 4096); 100 when unset.
    #[schemars(range(min = 1, max = 4096))]
    pub http1_max_headers: Option<i32>,
    /// How long an idle HTTP/1.1 connection (between requests) stays open, e.g.
    /// `60s`. At least `1s`; `10m` when unset.
    #[schemars(transform = min_duration("1s", "http1IdleTimeout must be at least 1 second"))]
    pub http1_idle_timeout: Option<Duration>,
    /// How HTTP/1.1 header names are written towards clients: `Lowercase` (the
    /// default) or `Preserve` (as the backend wrote them, for clients that depend on
    /// the case).
    pub http1_header_case: Option<HeaderCase>,
    /// HTTP/2 flow-control window of each stream, e.g. `1Mi`.
    #[schemars(transform = markers::byte_size)]
    pub http2_window_size: Option<ByteSize>,
    /// HTTP/2 flow-control window of the whole connection, e.g. `4Mi`.
    #[schemars(transform = markers::byte_size)]
    pub http2_connection_window_size: Option<ByteSize>,
    /// Largest HTTP/2 frame payload (16384 to 1677215 bytes); 16384 when unset.
    // Upstream quirk kept on purpose (docs/api-fidelity.md): 1677215 is one digit
    // short of HTTP/2's largest frame, 16777215.
    #[schemars(transform = markers::byte_size_between("http2FrameSize", 16384, 1677215))]
    pub http2_frame_size: Option<ByteSize>,
    /// Largest total size of the headers of an HTTP/2 request, e.g. `64Ki`.
    #[schemars(transform = markers::byte_size)]
    pub http2_max_header_size: Option<ByteSize>,
    /// How often the gateway pings HTTP/2 clients to check that the connection is
    /// alive, e.g. `30s`. At least `1s`.
    #[schemars(transform = min_duration("1s", "http2KeepaliveInterval must be at least 1 second"))]
    pub http2_keepalive_interval: Option<Duration>,
    /// How long the gateway waits for a ping to be answered before closing the
    /// connection, e.g. `10s`. At least `1s`.
    #[schemars(transform = min_duration("1s", "http2KeepaliveTimeout must be at least 1 second"))]
    pub http2_keepalive_timeout: Option<Duration>,
    /// Longest a client connection may live, e.g. `1h`; the gateway then closes it
    /// gracefully so clients reconnect (useful to rebalance long-lived connections).
    /// At least `1s`; no limit when unset.
    #[schemars(transform = min_duration("1s", "maxConnectionDuration must be at least 1 second"))]
    pub max_connection_duration: Option<Duration>,
}

/// Case of HTTP/1.1 header names sent to clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum HeaderCase {
    /// All header names in lowercase.
    Lowercase,
    /// Header names keep the case they were received with.
    Preserve,
}

/// Access logging. With no fields set, every request is logged with the default
/// attributes to the gateway's log output.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AccessLog {
    /// A CEL expression deciding which requests are logged, e.g.
    /// `response.code >= 400`. Every request when unset.
    #[schemars(transform = cel_expression)]
    pub filter: Option<String>,
    /// Attributes to add to or remove from each log entry.
    pub attributes: Option<LogAttributes>,
    /// Also export log entries to an OpenTelemetry collector over OTLP.
    pub otlp: Option<OtlpAccessLog>,
}

/// Export of access log entries to an OpenTelemetry collector.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = otlp_rules)]
pub struct OtlpAccessLog {
    /// The collector to send log entries to, e.g. a Service and its OTLP port. Set
    /// exactly one of this and `url`.
    pub backend_ref: Option<BackendObjectReference>,
    /// The collector's URL, e.g. `http://otel-collector.observability:4317`. A path
    /// (e.g. `https://otlp.example.com/v1/logs`) only with `protocol: HTTP`. Set
    /// exactly one of this and `backendRef`.
    #[schemars(transform = http_url)]
    pub url: Option<String>,
    /// OTLP transport to the collector: `GRPC` (the default) or `HTTP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("GRPC"))]
    pub protocol: Option<OtlpProtocol>,
    /// URL path of the collector's endpoint, only with `protocol: HTTP`, e.g.
    /// `/v1/logs`. Must start with `/`; the OTLP default path when unset.
    #[schemars(length(min = 1, max = 1024))]
    pub path: Option<String>,
    /// A CEL expression deciding which entries are exported, e.g.
    /// `response.code >= 500`. Every logged entry when unset.
    #[schemars(transform = cel_expression)]
    pub filter: Option<String>,
    /// Attributes to add to or remove from each exported entry.
    pub attributes: Option<LogAttributes>,
}

/// The rules of an OTLP exporter: `path` starts with `/` and is only for HTTP, a
/// path in `url` too, and the collector is named by exactly one of `backendRef` and
/// `url`.
fn otlp_rules(s: &mut schemars::Schema) {
    markers::cel(
        "!has(self.path) || !has(self.protocol) || self.protocol == 'HTTP'",
        "path is only valid with protocol HTTP",
    )(s);
    markers::cel(
        "!has(self.path) || self.path.startsWith('/')",
        "path must start with /",
    )(s);
    url_path_only_if(
        "(has(self.protocol) && self.protocol == 'HTTP')",
        "url path is only valid with protocol HTTP",
    )(s);
    backend_ref_or_url(s);
}

/// Changes to the attributes of a log entry or trace span. Set at least one of
/// `add` and `remove`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_field(&[]))]
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

/// Extra dimensions for the gateway's request metrics.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Metrics {
    /// The attributes to add to each metric.
    pub attributes: MetricAttributes,
}

/// Attributes added to metrics. Keep their values low-cardinality (e.g. a tenant,
/// not a user id): each distinct value is a new time series.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_field(&[]))]
pub struct MetricAttributes {
    /// Attributes to add, each computed by a CEL expression (1 to 16, names unique),
    /// e.g. `{name: tenant, expression: 'request.headers["x-tenant"]'}`.
    #[schemars(length(min = 1, max = 16), transform = markers::list_map(&["name"]))]
    pub add: Option<Vec<LogAttribute>>,
}

/// Export of traces to an OpenTelemetry collector.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = otlp_rules)]
pub struct Tracing {
    /// The collector to send spans to, e.g. a Service and its OTLP port. Set exactly
    /// one of this and `url`.
    pub backend_ref: Option<BackendObjectReference>,
    /// The collector's URL, e.g. `http://otel-collector.observability:4317`. A path
    /// (e.g. `https://otlp.example.com/v1/traces`) only with `protocol: HTTP`. Set
    /// exactly one of this and `backendRef`.
    #[schemars(transform = http_url)]
    pub url: Option<String>,
    /// OTLP transport to the collector: `GRPC` (the default) or `HTTP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("GRPC"))]
    pub protocol: Option<OtlpProtocol>,
    /// URL path of the collector's endpoint, only with `protocol: HTTP`, e.g.
    /// `/v1/traces`. Must start with `/`; the OTLP default path when unset.
    #[schemars(length(min = 1, max = 1024))]
    pub path: Option<String>,
    /// A CEL expression deciding which requests are traced, e.g.
    /// `request.path.startsWith('/api')`. Every sampled request when unset.
    #[schemars(transform = cel_expression)]
    pub filter: Option<String>,
    /// Attributes to add to or remove from each span.
    pub attributes: Option<LogAttributes>,
    /// Attributes of the OpenTelemetry resource (the emitting service) attached to
    /// every span, e.g. `{name: service.name, expression: '"edge-gateway"'}`.
    pub resources: Option<Vec<LogAttribute>>,
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
pub enum OtlpProtocol {
    /// OTLP over gRPC.
    #[serde(rename = "GRPC")]
    Grpc,
    /// OTLP over HTTP (protobuf).
    #[serde(rename = "HTTP")]
    Http,
}

/// PROXY protocol on client connections.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProxyProtocol {
    /// Whether the header is required: `Strict` (the default) rejects connections
    /// without it; `Optional` accepts both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("Strict"))]
    pub mode: Option<ProxyProtocolMode>,
    /// Which PROXY protocol versions are accepted: `V2` (the default, binary), `V1`
    /// (text) or `All`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("V2"))]
    pub version: Option<ProxyProtocolVersion>,
}

/// Whether clients must send a PROXY protocol header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ProxyProtocolMode {
    /// Connections without the header are accepted too.
    Optional,
    /// Connections without the header are rejected.
    Strict,
}

/// PROXY protocol versions accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ProxyProtocolVersion {
    /// Both versions.
    All,
    /// Version 1 only (human-readable text header).
    V1,
    /// Version 2 only (binary header).
    V2,
}

/// Handling of HTTP `CONNECT` requests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Connect {
    /// `Deny` rejects CONNECT requests; `Route` routes them like other requests
    /// (by authority) through the Gateway's routes; `Tunnel` opens a TCP tunnel to
    /// the requested authority.
    pub mode: ConnectMode,
}

/// What the gateway does with a CONNECT request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ConnectMode {
    /// Reject the request.
    Deny,
    /// Route it through the Gateway's routes like any other request.
    Route,
    /// Open a TCP tunnel to the requested host and port.
    Tunnel,
}
