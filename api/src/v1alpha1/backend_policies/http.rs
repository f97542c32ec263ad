//! HTTP settings for backend connections.

use crate::v1alpha1::shared::{Duration, min_duration};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// HTTP settings for requests to the backend.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HttpPolicy {
    /// HTTP version to speak to the backend. When unset, the gateway uses the version
    /// of the incoming request where it can.
    pub version: Option<HttpVersion>,
    /// Maximum time for the backend to answer a request, e.g. `30s`. At least `1ms`.
    #[schemars(transform = min_duration("1ms", "requestTimeout must be at least 1ms"))]
    pub request_timeout: Option<Duration>,
}

/// An HTTP protocol version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum HttpVersion {
    /// HTTP/1.1.
    #[serde(rename = "HTTP1")]
    Http1,
    /// HTTP/2 (over TLS with ALPN, or prior knowledge over plain text).
    #[serde(rename = "HTTP2")]
    Http2,
}
