//! Policies for the connections the gateway makes to a backend.
//!
//! The same policy types appear inline on an `AgentgatewayBackend` (for the whole
//! backend, an MCP target, an AI provider or a guardrail service) and in the
//! `backend` section of an `AgentgatewayPolicy`; each container below offers the
//! subset that makes sense there. Every container starts with the connection group
//! (`tcp`, `tls`, `http`, `tunnel`), declared once in [`policy_container!`], and
//! differs in its `auth` and in the other policies it adds.

pub mod ai;
pub mod auth;
pub mod ext_auth;
pub mod health;
pub mod http;
pub mod mcp;
pub mod tcp;
pub mod tls;
pub mod tunnel;

use crate::v1alpha1::policy::traffic::transformation::Transformation;
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// The connection group of a policy container, borrowed: how connections are made
/// (TCP, TLS, HTTP, tunnelling). Every container returns it from `connection()`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Connection<'a> {
    /// `tcp`.
    pub tcp: Option<&'a tcp::TcpPolicy>,
    /// `tls`.
    pub tls: Option<&'a tls::TlsPolicy>,
    /// `http`.
    pub http: Option<&'a http::HttpPolicy>,
    /// `tunnel`.
    pub tunnel: Option<&'a tunnel::TunnelPolicy>,
}

/// Declares a policy container: the struct with the connection group (`tcp`, `tls`,
/// `http`, `tunnel`, documented once here) followed by the container's own fields,
/// and its `connection()` accessor. The fields are plain fields of the struct (no
/// `#[serde(flatten)]`), so deserialization errors name the exact field and
/// `at_least_one_field` sees every field.
macro_rules! policy_container {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $(<$g:ident>)? {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        pub struct $name $(<$g>)? {
            /// TCP connection settings: connect timeout and keepalive.
            pub tcp: Option<tcp::TcpPolicy>,
            /// Connect over TLS, and how to verify the other side.
            pub tls: Option<tls::TlsPolicy>,
            /// HTTP settings: protocol version and request timeout.
            pub http: Option<http::HttpPolicy>,
            /// Reach the destination through a tunnelling proxy (HTTP `CONNECT`).
            pub tunnel: Option<tunnel::TunnelPolicy>,
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $(<$g>)? $name $(<$g>)? {
            /// The connection group: `tcp`, `tls`, `http`, `tunnel`.
            pub fn connection(&self) -> Connection<'_> {
                Connection {
                    tcp: self.tcp.as_ref(),
                    tls: self.tls.as_ref(),
                    http: self.http.as_ref(),
                    tunnel: self.tunnel.as_ref(),
                }
            }
        }
    };
}

policy_container! {
    /// Policies for connections to a backend: inline on an `AgentgatewayBackend`
    /// (`spec.policies`) or in the `backend` section of an `AgentgatewayPolicy`. Set at
    /// least one.
    #[skip_serializing_none]
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    #[schemars(transform = markers::at_least_one_field(&[]))]
    pub struct BackendPolicies {
        /// Credentials the gateway presents to the backend.
        pub auth: Option<auth::BackendAuth>,
        /// Ask an authorization server before each request goes to the backend.
        pub ext_auth: Option<ext_auth::BackendExtAuth>,
        /// Passive health checking of the backend's endpoints.
        pub health: Option<health::HealthPolicy>,
        /// Changes to requests on their way to the backend and to its responses.
        pub transformation: Option<Transformation>,
        /// MCP authorization, authentication and guardrails. Only valid on MCP backends.
        pub mcp: Option<mcp::McpPolicy>,
        /// Prompt, model and guardrail policies. Only valid on AI backends.
        pub ai: Option<ai::AiPolicy>,
    }
}

policy_container! {
    /// Policies for connections to one MCP target (its `static.policies`), applied on
    /// top of the backend's.
    #[skip_serializing_none]
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub struct McpTargetPolicies {
        /// Credentials the gateway presents to the target.
        pub auth: Option<auth::BackendAuth>,
    }
}

policy_container! {
    /// Policies for connections to one AI provider. Set at least one.
    #[skip_serializing_none]
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[schemars(transform = markers::at_least_one_field(&[]))]
    pub struct AiProviderPolicies {
        /// Credentials the gateway presents to the provider, such as an API key.
        pub auth: Option<auth::BackendAuth>,
        /// Passive health checking of the provider: evict it from its group while it
        /// fails.
        pub health: Option<health::HealthPolicy>,
        /// Changes to requests on their way to the provider and to its responses.
        pub transformation: Option<Transformation>,
        /// Prompt, model and guardrail policies for this provider.
        pub ai: Option<ai::AiPolicy>,
    }
}

policy_container! {
    /// Policies for the calls the gateway makes to a guardrail service of a prompt
    /// guard, with the credentials that service accepts (`A`, see the aliases below).
    /// Set at least one.
    #[skip_serializing_none]
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[schemars(transform = markers::at_least_one_field(&[]))]
    pub struct GuardrailPolicies<A> {
        /// Credentials the gateway presents to the service.
        pub auth: Option<A>,
    }
}

/// Policies for calls to AWS Bedrock guardrails.
pub type BedrockGuardrailPolicies = GuardrailPolicies<auth::BedrockGuardrailAuth>;
/// Policies for calls to a moderation service (OpenAI moderation).
pub type ModerationPolicies = GuardrailPolicies<auth::ModerationAuth>;
/// Policies for calls to Google Model Armor.
pub type ModelArmorPolicies = GuardrailPolicies<auth::ModelArmorAuth>;
