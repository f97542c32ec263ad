//! MCP backends: one endpoint in front of several Model Context Protocol servers.

use crate::v1alpha1::{
    backend_policies::McpTargetPolicies,
    shared::{FailureMode, LabelSelector, LocalObjectReference},
};
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
    /// The MCP servers, each with a name unique within this backend (1 to 128). The
    /// list is keyed by `name`: the apiserver refuses two targets of the same name.
    #[schemars(length(min = 1, max = 128), transform = markers::list_map(&["name"]))]
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
    /// What happens when a target cannot be reached, either when a client's session
    /// starts or later on.
    ///
    /// `FailClosed` (also what an unset field means): the whole session fails, so
    /// clients never see a partial set of tools.
    ///
    /// `FailOpen`: the failed targets are left out and the session carries on with
    /// the targets that answer. Use it when the targets are independent and some
    /// tools are better than none.
    pub failure_mode: Option<FailureMode>,
    /// Whether the names of tools and prompts are prefixed with their target's name
    /// (e.g. `search_query` for tool `query` of target `search`), which keeps names
    /// from different targets apart and tells the gateway where to route a call.
    ///
    /// `Conditional` (also what an unset field means): prefix only when the backend
    /// has more than one target.
    ///
    /// `Always`: prefix even with a single target, so names stay the same when
    /// targets are added later.
    ///
    /// `Never`: keep the servers' own names. Only use it when no two targets offer a
    /// tool or prompt of the same name.
    pub prefix_mode: Option<PrefixMode>,
}

/// When tool and prompt names get their target's name as prefix: `Conditional` (the
/// default), `Always` or `Never`. See [`McpBackend::prefix_mode`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PrefixMode {
    /// Always prefix names with the target's name.
    Always,
    /// Prefix names only when the backend has several targets.
    #[default]
    Conditional,
    /// Never prefix names.
    Never,
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
    /// A single MCP server at a fixed address: a host, or a Service of the
    /// backend's namespace (`backendRef`), and a port.
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

/// An MCP server at a fixed address: a host, or a Service of the backend's namespace
/// (`backendRef`), and a port. Set exactly one of `host` and `backendRef`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = markers::cel("!has(self.backendRef) || !has(self.policies)", "mcp target policies may not be used with backendRef"),
    transform = markers::exactly_one_of(&["host", "backendRef"]),
)]
pub struct McpStaticTarget {
    /// Host name or IP address of the server, e.g. `tools.example.com`.
    #[schemars(length(min = 1, max = 256))]
    pub host: Option<String>,
    /// A Service in the backend's namespace, by name, to use instead of `host`; the
    /// gateway connects to the Service's cluster address. `port`, `path` and
    /// `protocol` still apply. `policies` cannot be set with it: attach an
    /// `AgentgatewayPolicy` to the Service instead.
    pub backend_ref: Option<LocalObjectReference>,
    /// Port of the server (1 to 65535); with `backendRef`, a port of the Service.
    #[schemars(transform = markers::port)]
    pub port: i32,
    /// HTTP path of the MCP endpoint; `/mcp` for Streamable HTTP and `/sse` for SSE
    /// when unset.
    #[schemars(length(min = 1, max = 1024))]
    pub path: Option<String>,
    /// Transport the server speaks. Streamable HTTP when unset.
    pub protocol: Option<McpProtocol>,
    /// Policies for connections to this server, applied on top of the backend's
    /// `policies`. Only with `host`.
    pub policies: Option<McpTargetPolicies>,
}

/// An MCP transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::enum_sorted)]
pub enum McpProtocol {
    /// Streamable HTTP, the current MCP transport.
    #[serde(rename = "StreamableHTTP")]
    StreamableHttp,
    /// Server-Sent Events, the transport of earlier MCP versions.
    #[serde(rename = "SSE")]
    Sse,
}
