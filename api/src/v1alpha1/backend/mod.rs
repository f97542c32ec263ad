//! `AgentgatewayBackend`: a destination for the gateway's traffic.
//!
//! A backend is exactly one of: a static host and port (or Unix socket), a dynamic
//! forward proxy, one or more AI model providers, a set of MCP servers, an AWS service
//! or an A2A agent. Policies attached inline apply to every connection the gateway
//! makes to it.

pub mod a2a;
pub mod ai;
pub mod aws;
pub mod mcp;

use crate::v1alpha1::{backend_policies::BackendPolicies, shared};
use crdgen::markers;
use kube_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Description of the `AgentgatewayBackend` object as a whole.
pub const DESCRIPTION: &str = "AgentgatewayBackend is a destination the gateway sends traffic to: a static \
host, a dynamic forward proxy, AI model providers, MCP servers, an AWS service or an \
A2A agent. Routes refer to it like they refer to a Service, and its inline policies apply to every connection to it.";

/// Where an `AgentgatewayBackend` sends traffic. Set exactly one of `static`,
/// `dynamicForwardProxy`, `ai`, `mcp`, `aws` and `a2a`; `policies` may accompany any
/// of them.
#[skip_serializing_none]
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "agentgateway.dev",
    version = "v1alpha1",
    kind = "AgentgatewayBackend",
    namespaced,
    status = "AgentgatewayBackendStatus",
    shortname = "agbe",
    category = "agentgateway",
    label("app", "agentgateway"),
    label("app.kubernetes.io/name", "agentgateway"),
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
    transform = markers::exactly_one_of(&["ai", "static", "dynamicForwardProxy", "mcp", "aws", "a2a"]),
)]
pub struct AgentgatewayBackendSpec {
    /// Sends traffic to a fixed host and port.
    /// With `unixPath` instead, to a Unix domain socket shared with the gateway's pod.
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
    /// Sends traffic to a managed AWS service, such as an Amazon Bedrock AgentCore
    /// agent runtime; the gateway signs each request with AWS credentials.
    pub aws: Option<aws::AwsBackend>,
    /// Sends traffic to an agent speaking the Agent2Agent (A2A) protocol at a fixed
    /// host and port; the gateway understands the protocol, e.g. to rewrite the URLs
    /// in the agent's card so that clients keep calling through the gateway.
    pub a2a: Option<a2a::A2aBackend>,
    /// Policies for every connection to this backend: TCP, TLS, HTTP, authentication,
    /// and, for MCP and AI backends, MCP and AI policies.
    pub policies: Option<BackendPolicies>,
}

/// A fixed destination: a host and port, or a Unix domain socket. Set either `unixPath`
/// alone, or both `host` and `port`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = markers::cel("has(self.unixPath) || (has(self.host) && has(self.port))", "must specify either unixPath or both host and port"),
    transform = markers::cel("!has(self.unixPath) || (!has(self.host) && !has(self.port))", "unixPath and host/port are mutually exclusive"),
)]
pub struct StaticBackend {
    /// Host name or IP address to connect to, e.g. `api.example.com`. Set together
    /// with `port`.
    #[schemars(length(min = 1, max = 256))]
    pub host: Option<String>,
    /// Port to connect to (1 to 65535). Set together with `host`.
    #[schemars(transform = markers::port)]
    pub port: Option<i32>,
    /// Absolute path of a Unix domain socket to connect to instead of a host and
    /// port, e.g. `/var/run/app/app.sock`. The socket must be visible inside the
    /// gateway's pod, typically through a volume shared with a sidecar.
    #[schemars(length(min = 1))]
    pub unix_path: Option<String>,
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
