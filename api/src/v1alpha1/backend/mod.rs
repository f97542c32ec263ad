//! `AgentgatewayBackend`: a destination for the gateway's traffic.
//!
//! A backend is exactly one of: a static host and port, a dynamic forward proxy, one
//! or more AI model providers, or a set of MCP servers. Policies attached inline
//! apply to every connection the gateway makes to it.

pub mod ai;
pub mod mcp;

use crate::v1alpha1::{backend_policies::BackendPolicies, shared};
use crdgen::markers;
use kube_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Description of the `AgentgatewayBackend` object as a whole.
pub const DESCRIPTION: &str = "AgentgatewayBackend is a destination the gateway sends traffic to: a static \
host, a dynamic forward proxy, AI model providers or MCP servers. Routes refer to it \
like they refer to a Service, and its inline policies apply to every connection to it.";

/// Where an `AgentgatewayBackend` sends traffic. Set exactly one of `static`,
/// `dynamicForwardProxy`, `ai` and `mcp`.
#[skip_serializing_none]
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "agentgateway.dev",
    version = "v1alpha1",
    kind = "AgentgatewayBackend",
    namespaced,
    status = "AgentgatewayBackendStatus",
    shortname = "agbe",
    category = "kgateway",
    label("app", "kgateway"),
    label("app.kubernetes.io/name", "kgateway"),
    printcolumn(
        name = "Accepted",
        type_ = "string",
        json_path = ".status.conditions[?(@.type=='Accepted')].status"
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    ),
    schema = "disabled",
    crates(kube_core = "::kube_core"),
    derive = "PartialEq",
    derive = "Default"
)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = markers::cel("has(self.policies) && has(self.policies.ai) ? has(self.ai) : true", "AI policies require AI backend"),
    transform = markers::cel("has(self.policies) && has(self.policies.mcp) ? has(self.mcp) : true", "MCP policies require MCP backend"),
    transform = markers::exactly_one_of(&["ai", "static", "dynamicForwardProxy", "mcp"]),
)]
pub struct AgentgatewayBackendSpec {
    /// Sends traffic to a fixed host and port.
    #[serde(rename = "static")]
    pub static_: Option<StaticBackend>,
    /// Sends each request to the host it names itself (the request's authority), as a
    /// forward proxy does. Useful for egress to destinations not known in advance.
    pub dynamic_forward_proxy: Option<DynamicForwardProxyBackend>,
    /// Sends traffic to large language model providers, speaking each provider's API.
    pub ai: Option<ai::AiBackend>,
    /// Sends traffic to Model Context Protocol servers, combining their tools,
    /// prompts and resources behind one endpoint.
    pub mcp: Option<mcp::McpBackend>,
    /// Policies for every connection to this backend: TCP, TLS, HTTP, authentication,
    /// and, for MCP and AI backends, MCP and AI policies.
    pub policies: Option<BackendPolicies>,
}

/// A fixed destination.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StaticBackend {
    /// Host name or IP address to connect to.
    #[schemars(length(min = 1, max = 256))]
    pub host: String,
    /// Port to connect to.
    #[schemars(transform = markers::port)]
    pub port: i32,
}

/// A forward proxy: the destination is taken from each request. It has no settings of
/// its own; the presence of this field selects the behaviour.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DynamicForwardProxyBackend {}

/// What the controller observed about an `AgentgatewayBackend`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AgentgatewayBackendStatus {
    /// Current state of the backend. `Accepted` tells whether the backend was
    /// translated for the gateway; when it is `False`, its message names what is
    /// missing or invalid.
    #[schemars(transform = shared::conditions)]
    pub conditions: Option<Vec<shared::Condition>>,
}
