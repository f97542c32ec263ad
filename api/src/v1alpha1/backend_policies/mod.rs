//! Policies for the connections the gateway makes to a backend.
//!
//! The same policy types appear inline on an `AgentgatewayBackend` (for the whole
//! backend, an MCP target or an AI provider) and in the `backend` section of an
//! `AgentgatewayPolicy`; each container below offers the subset that makes sense there.

pub mod ai;
pub mod auth;
pub mod http;
pub mod mcp;
pub mod tcp;
pub mod tls;

use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Policies for connections to a backend. Set at least one.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_of(&["tcp", "tls", "http", "auth", "mcp", "ai"]))]
pub struct BackendPolicies {
    /// TCP connection settings: connect timeout and keepalive.
    pub tcp: Option<tcp::TcpPolicy>,
    /// Connect to the backend over TLS, and how to verify it.
    pub tls: Option<tls::TlsPolicy>,
    /// HTTP settings: protocol version and request timeout.
    pub http: Option<http::HttpPolicy>,
    /// Credentials the gateway presents to the backend.
    pub auth: Option<auth::BackendAuth>,
    /// MCP authorization and authentication. Only valid on MCP backends.
    pub mcp: Option<mcp::McpPolicy>,
    /// Prompt, model and guardrail policies. Only valid on AI backends.
    pub ai: Option<ai::AiPolicy>,
}

/// Policies for connections to one MCP target. Set at least one.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_of(&["tcp", "tls", "http", "auth", "mcp"]))]
pub struct McpTargetPolicies {
    /// TCP connection settings: connect timeout and keepalive.
    pub tcp: Option<tcp::TcpPolicy>,
    /// Connect to the target over TLS, and how to verify it.
    pub tls: Option<tls::TlsPolicy>,
    /// HTTP settings: protocol version and request timeout.
    pub http: Option<http::HttpPolicy>,
    /// Credentials the gateway presents to the target.
    pub auth: Option<auth::BackendAuth>,
    /// MCP authorization and authentication for this target.
    pub mcp: Option<mcp::McpPolicy>,
}

/// Policies for connections to one AI provider. Set at least one.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_of(&["tcp", "tls", "http", "auth", "ai"]))]
pub struct AiProviderPolicies {
    /// TCP connection settings: connect timeout and keepalive.
    pub tcp: Option<tcp::TcpPolicy>,
    /// Connect to the provider over TLS, and how to verify it.
    pub tls: Option<tls::TlsPolicy>,
    /// HTTP settings: protocol version and request timeout.
    pub http: Option<http::HttpPolicy>,
    /// Credentials the gateway presents to the provider, such as an API key.
    pub auth: Option<auth::BackendAuth>,
    /// Prompt, model and guardrail policies for this provider.
    pub ai: Option<ai::AiPolicy>,
}
