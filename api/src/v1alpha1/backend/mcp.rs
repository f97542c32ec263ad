//! MCP backends: one endpoint in front of several Model Context Protocol servers.

use crate::v1alpha1::{backend_policies::McpTargetPolicies, shared::LabelSelector};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// MCP servers behind one gateway endpoint. Clients see the tools, prompts and
/// resources of all targets together; the gateway routes each call to its target.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct McpBackend {
    /// The MCP servers, each with a name unique within this backend (1 to 32).
    #[schemars(
        length(min = 1, max = 32),
        transform = markers::list_map(&["name"]),
        transform = markers::cel("self.all(t1, self.exists_one(t2, t1.name == t2.name))", "target names must be unique"),
    )]
    pub targets: Vec<McpTarget>,
    /// How the gateway handles MCP sessions.
    ///
    /// `Stateful` (also what an unset field means): the gateway creates an MCP session
    /// when a client initializes, identified by the `mcp-session-id` header, and
    /// therefore keeps every request of a session on the same backend replica, so a
    /// server may keep per-session state in memory.
    ///
    /// `Stateless`: the gateway creates no session, so any replica may serve any
    /// request. Use it for servers that keep no state between requests, to spread load
    /// freely and ride out replica restarts.
    pub session_routing: Option<SessionRouting>,
}

/// How the gateway handles MCP sessions: `Stateful` (the default) or `Stateless`.
/// See [`McpBackend::session_routing`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SessionRouting {
    /// Create an MCP session and keep its requests on one replica.
    #[default]
    Stateful,
    /// Create no session; any replica may serve any request.
    Stateless,
}

/// One MCP server, or a set of them found by selector. Set exactly one of
/// `static` and `selector`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::exactly_one_of(&["selector", "static"]))]
pub struct McpTarget {
    /// Name of the target, unique within the backend. Tool names are prefixed with
    /// it when several targets are combined.
    #[schemars(transform = markers::dns_subdomain)]
    pub name: String,
    /// Services to use as targets: every port whose `appProtocol` is
    /// `kgateway.dev/mcp` (Streamable HTTP) or `kgateway.dev/mcp-sse` (SSE) on the
    /// matching Services becomes a target.
    pub selector: Option<McpSelector>,
    /// A single MCP server at a fixed address.
    #[serde(rename = "static")]
    pub static_: Option<McpStaticTarget>,
}

/// Finds MCP servers among Services. Set at least one of `namespaces` and `services`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_of(&["namespaces", "services"]))]
pub struct McpSelector {
    /// Namespaces to search, by their labels. Only the backend's own namespace when unset.
    pub namespaces: Option<LabelSelector>,
    /// Services to use, by their labels. Every Service in the searched namespaces when unset.
    pub services: Option<LabelSelector>,
}

/// An MCP server at a fixed host and port.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct McpStaticTarget {
    /// Host name or IP address of the server.
    #[schemars(length(min = 1, max = 256))]
    pub host: String,
    /// Port of the server.
    #[schemars(transform = markers::port)]
    pub port: i32,
    /// HTTP path of the MCP endpoint; `/mcp` for Streamable HTTP and `/sse` for SSE
    /// when unset.
    #[schemars(length(min = 1, max = 1024))]
    pub path: Option<String>,
    /// Transport the server speaks. Streamable HTTP when unset.
    pub protocol: Option<McpProtocol>,
    /// Policies for connections to this server.
    pub policies: Option<McpTargetPolicies>,
}

/// An MCP transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum McpProtocol {
    /// Streamable HTTP, the current MCP transport.
    #[serde(rename = "StreamableHTTP")]
    StreamableHttp,
    /// Server-Sent Events, the transport of earlier MCP versions.
    #[serde(rename = "SSE")]
    Sse,
}
