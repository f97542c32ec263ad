//! Reaching a backend through a tunnel.

use crate::v1alpha1::shared::BackendObjectReference;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Connect to the backend through a proxy that tunnels the connection (HTTP
/// `CONNECT`), e.g. a corporate egress proxy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TunnelPolicy {
    /// The proxy: a Service (with its port) or an AgentgatewayBackend.
    pub backend_ref: BackendObjectReference,
}
