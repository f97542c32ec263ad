//! `AgentgatewayPolicy`: settings attached to Gateways, listeners, routes and backends.
//!
//! A policy selects what it applies to (`targetRefs` or `targetSelectors`) and carries
//! up to three sections: `frontend` (how the gateway accepts connections from
//! clients), `traffic` (what happens to each HTTP request) and `backend` (how the
//! gateway connects to backends).

pub mod frontend;
pub mod status;
pub mod targets;
pub mod traffic;

use crate::v1alpha1::backend_policies::BackendPolicies;
use crdgen::markers;
use kube_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

pub use status::AgentgatewayPolicyStatus;

/// Description of the `AgentgatewayPolicy` object as a whole.
pub const DESCRIPTION: &str = "AgentgatewayPolicy attaches gateway settings to Gateways, listeners, \
HTTPRoutes, Services and AgentgatewayBackends: how clients connect (frontend), what \
happens to each request (traffic) and how the gateway connects to backends (backend). \
Its status reports, per Gateway, whether the policy was accepted and attached.";

/// What an `AgentgatewayPolicy` applies to and what it sets. Select targets with
/// exactly one of `targetRefs` and `targetSelectors`, and set at least one of
/// `frontend`, `traffic` and `backend`.
///
/// Which targets each section accepts:
/// - `frontend`: Gateways only; its connection settings (`tcp`, `tls`, `http`,
///   `networkAuthorization`, `proxyProtocol`, `connect`) for a whole Gateway or one
///   `port`, not one listener (`sectionName`).
/// - `traffic`: Gateways, ListenerSets, HTTPRoutes, GRPCRoutes and InferencePools;
///   with `phase: PreRouting`, only Gateways and ListenerSets.
/// - `backend`: any target; its `mcp` and `ai` parts not on Services, and `mcp` not
///   on one `sectionName` of an AgentgatewayBackend.
///
/// A target `port` is only for policies that set `frontend` alone.
// The Accepted and Attached printer columns both have `type_ = "string"`, which
// clippy mistakes for a repeated attribute.
#[allow(clippy::duplicated_attributes)]
#[skip_serializing_none]
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "agentgateway.dev",
    version = "v1alpha1",
    kind = "AgentgatewayPolicy",
    plural = "agentgatewaypolicies",
    namespaced,
    status = "AgentgatewayPolicyStatus",
    shortname = "agpol",
    category = "agentgateway",
    label("app", "agentgateway"),
    label("app.kubernetes.io/name", "agentgateway"),
    label("gateway.networking.k8s.io/policy", "Direct"),
    printcolumn(
        name = "Accepted",
        type_ = "string",
        json_path = ".status.ancestors[*].conditions[?(@.type=='Accepted')].status"
    ),
    printcolumn(
        name = "Attached",
        type_ = "string",
        json_path = ".status.ancestors[*].conditions[?(@.type=='Attached')].status"
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
    transform = markers::cel(
        "has(self.traffic) || has(self.frontend) || has(self.backend)",
        "At least one of traffic, frontend, or backend must be provided."
    ),
    transform = markers::cel(
        "!has(self.strategy) || !has(self.strategy.inheritance) || (has(self.traffic) && !has(self.frontend) && !has(self.backend))",
        "strategy.inheritance may only be set on traffic policies"
    ),
    transform = markers::no_target_when_set(
        "backend.mcp",
        "t.kind == 'Service'",
        "backend.mcp may not be used with a Service target"
    ),
    transform = markers::no_target_when_set(
        "backend.mcp",
        "t.kind == 'AgentgatewayBackend' && has(t.sectionName)",
        "backend.mcp may not target an AgentgatewayBackend sectionName"
    ),
    transform = markers::no_target_when_set(
        "backend.ai",
        "t.kind == 'Service'",
        "backend.ai may not be used with a Service target"
    ),
    transform = markers::cel(
        "!(has(self.traffic) && has(self.traffic.jwtAuthentication) && has(self.backend) && has(self.backend.mcp) && has(self.backend.mcp.authentication))",
        "traffic.jwtAuthentication may not be used with backend.mcp.authentication in the same policy"
    ),
    transform = markers::targets_only(
        "has(self.frontend)",
        &["Gateway"],
        "the 'frontend' field can only target a Gateway"
    ),
    transform = frontend_connection_targets,
    transform = markers::if_any_target(
        "has(t.port)",
        "has(self.frontend) && !has(self.traffic) && !has(self.backend)",
        "port may only be set on frontend-only policies (not traffic or backend)"
    ),
    transform = markers::targets_only(
        "has(self.traffic)",
        TRAFFIC_KINDS,
        "the 'traffic' field can only target a Gateway, ListenerSet, GRPCRoute, HTTPRoute, or InferencePool"
    ),
    transform = markers::each_target_list(
        "the 'traffic.phase=PreRouting' field can only target a Gateway or ListenerSet",
        pre_routing_rule
    ),
    transform = markers::exactly_one_of(&["targetRefs", "targetSelectors"]),
    transform = markers::each_target_list(
        "Service sectionName must be a numeric port from 1 to 65535",
        service_port_section
    ),
)]
pub struct AgentgatewayPolicySpec {
    /// The objects this policy applies to, by name (1 to 16, all of the same kind):
    /// Gateways, ListenerSets, HTTPRoutes and GRPCRoutes (group
    /// `gateway.networking.k8s.io`), InferencePools (`inference.networking.k8s.io`),
    /// Services (core group) or AgentgatewayBackends (`agentgateway.dev`), in the
    /// policy's namespace.
    #[schemars(length(min = 1, max = 16), transform = markers::list_atomic, transform = targets::allowed_kinds)]
    pub target_refs: Option<Vec<targets::PolicyTargetReference>>,
    /// The objects this policy applies to, by label (1 to 16 selectors, all of the same
    /// kind): every object of the kind in the policy's namespace that carries the
    /// labels. The same kinds as in `targetRefs` are allowed.
    #[schemars(length(min = 1, max = 16), transform = targets::allowed_kinds)]
    pub target_selectors: Option<Vec<targets::PolicyTargetSelector>>,
    /// How this policy combines with policies attached at other levels (e.g. a
    /// Gateway's and a route's). Only for policies that set `traffic` alone.
    pub strategy: Option<Strategy>,
    /// How the gateway accepts client connections: TCP, TLS and HTTP settings,
    /// PROXY protocol, CONNECT, which clients may connect, access logs, metrics and
    /// traces. Only for policies that target Gateways.
    pub frontend: Option<frontend::FrontendPolicies>,
    /// What happens to each HTTP request: authentication, authorization, rate limits,
    /// CORS, header and body changes, timeouts and retries, external processing.
    /// Only for policies that target Gateways, ListenerSets, HTTPRoutes, GRPCRoutes or
    /// InferencePools.
    pub traffic: Option<traffic::TrafficPolicies>,
    /// How the gateway connects to the backends of the targets: TCP, TLS, HTTP,
    /// credentials, health checks, and MCP and AI policies (these two not for Service
    /// targets).
    pub backend: Option<BackendPolicies>,
}

/// The kinds a policy with a `traffic` section may target.
const TRAFFIC_KINDS: &[&str] = &[
    "Gateway",
    "HTTPRoute",
    "GRPCRoute",
    "ListenerSet",
    "InferencePool",
];

/// The parts of `frontend` that configure connections, and so apply to a whole
/// Gateway or port, never to one listener.
const FRONTEND_CONNECTION_FIELDS: &[&str] = &[
    "tcp",
    "networkAuthorization",
    "tls",
    "http",
    "proxyProtocol",
    "connect",
];

/// No `sectionName` on the targets of a policy that sets one of
/// [`FRONTEND_CONNECTION_FIELDS`]; the message lists them.
fn frontend_connection_targets(s: &mut schemars::Schema) {
    let (last, first) = FRONTEND_CONNECTION_FIELDS
        .split_last()
        .expect("a non-empty field list");
    let message = format!(
        "frontend {}, and {last} policies may only target a Gateway or port, not a listener (sectionName)",
        first.join(", ")
    );
    markers::targets_all(
        markers::any_field_set("frontend", FRONTEND_CONNECTION_FIELDS),
        "!has(t.sectionName)",
        message,
    )(s)
}

/// With `traffic.phase: PreRouting`, only Gateways and ListenerSets (routing has not
/// happened yet, so no route can be the target).
fn pre_routing_rule(list: &str) -> String {
    format!(
        "has(self.{list}) && {} && self.traffic.phase == 'PreRouting' ? self.{list}.all(t, {}) : true",
        markers::field_set("traffic.phase"),
        markers::kind_in(&["Gateway", "ListenerSet"])
    )
}

/// A Service target's `sectionName` names one of its ports by number (1 to 65535).
fn service_port_section(list: &str) -> String {
    format!(
        "!has(self.{list}) || self.{list}.all(t, t.kind != 'Service' || !has(t.sectionName) || (int(t.sectionName) >= 1 && int(t.sectionName) <= 65535))"
    )
}

/// How a policy merges with policies of the same kind attached at other levels.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Strategy {
    /// Which policy wins where a Gateway-level and a route-level policy set the same
    /// field: `Default` lets the more specific (route) policy win; `Override` makes
    /// this policy's values win over those of more specific targets (e.g. a Gateway
    /// policy enforcing a setting on every route).
    pub inheritance: Option<Inheritance>,
}

/// Precedence of a policy over more specific ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Inheritance {
    /// The policy sets defaults: policies on more specific targets override it.
    Default,
    /// The policy overrides the values of policies on more specific targets.
    Override,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v1alpha1::shared::ByteSize;
    use serde_json::json;

    #[test]
    fn a_policy_round_trips_with_defaults_filled_in_and_nothing_invented() {
        let spec = json!({
            "targetRefs": [{ "group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": "api" }],
            "traffic": {
                "phase": "PostRouting",
                "cors": { "allowOrigins": ["https://app.example.com"], "allowMethods": ["GET", "*"] },
                "retry": { "codes": [503], "attempts": 2, "backoff": "100ms" },
                "rateLimit": { "local": [{ "requests": 10, "unit": "Minutes" }] },
                "hostRewrite": { "mode": "Auto" },
                "transformation": { "request": { "set": [{ "name": ":path", "value": "'/v2' + request.path" }] } }
            },
            "backend": { "tcp": { "connectTimeout": "5s" } }
        });
        let parsed: AgentgatewayPolicySpec =
            serde_json::from_value(spec.clone()).expect("a valid policy spec");
        assert_eq!(serde_json::to_value(&parsed).ok(), Some(spec));

        let frontend_only = json!({
            "targetRefs": [{ "group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "public", "port": 8443 }],
            "frontend": {
                "http": { "maxBufferSize": "2Mi", "http2WindowSize": 1048576, "http1HeaderCase": "Preserve" },
                "tls": { "minProtocolVersion": "1.3", "cipherSuites": ["TLS13_AES_256_GCM_SHA384"] },
                "proxyProtocol": {},
                "connect": { "mode": "Tunnel" },
                "accessLog": { "otlp": { "backendRef": { "group": "", "kind": "Service", "name": "otel", "port": 4317 } } }
            }
        });
        let parsed: AgentgatewayPolicySpec =
            serde_json::from_value(frontend_only.clone()).expect("a valid frontend policy");
        assert_eq!(
            parsed
                .frontend
                .as_ref()
                .and_then(|f| f.http.as_ref())
                .and_then(|h| h.http2_window_size.clone()),
            Some(ByteSize::Int(1048576))
        );
        assert_eq!(serde_json::to_value(&parsed).ok(), Some(frontend_only));

        let traffic_override = json!({
            "targetSelectors": [{ "group": "gateway.networking.k8s.io", "kind": "ListenerSet", "matchLabels": { "tier": "edge" } }],
            "strategy": { "inheritance": "Override" },
            "traffic": { "timeouts": { "request": "30s" } }
        });
        let parsed: AgentgatewayPolicySpec =
            serde_json::from_value(traffic_override.clone()).expect("a valid traffic policy");
        assert_eq!(serde_json::to_value(&parsed).ok(), Some(traffic_override));

        let status = json!({ "ancestors": [{
            "ancestorRef": { "name": "public" },
            "controllerName": "agentgateway.dev/agentgateway",
            "conditions": []
        }]});
        let parsed: AgentgatewayPolicyStatus =
            serde_json::from_value(status).expect("a valid status");
        let ancestor = &parsed.ancestors[0].ancestor_ref;
        assert_eq!(
            (ancestor.group.as_str(), ancestor.kind.as_str()),
            ("gateway.networking.k8s.io", "Gateway")
        );
    }
}
