//! Reaching a backend through a tunnel.

use crate::v1alpha1::shared::{
    BackendObjectReference, backend_ref_or_url, http_url, url_without_path,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Connect to the backend through a proxy that tunnels the connection (HTTP
/// `CONNECT`), e.g. a corporate egress proxy. Name the proxy with exactly one of
/// `backendRef` and `url`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = backend_ref_or_url,
    transform = url_without_path("url must not include a path for backend tunnel")
)]
pub struct TunnelPolicy {
    /// The proxy as a Service (with its port) or an AgentgatewayBackend.
    pub backend_ref: Option<BackendObjectReference>,
    /// The proxy's address as a URL with no path, e.g. `http://proxy.corp.example:3128`.
    #[schemars(transform = http_url)]
    pub url: Option<String>,
}
