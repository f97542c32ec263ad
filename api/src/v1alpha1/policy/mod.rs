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
/// - `frontend`: whole Gateways only (no `sectionName`).
/// - `traffic`: Gateways, XListenerSets and HTTPRoutes; with `phase: PreRouting`,
///   only Gateways and XListenerSets.
/// - `backend`: any target; its `mcp` and `ai` parts not on Services.
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
    category = "kgateway",
    label("app", "kgateway"),
    label("app.kubernetes.io/name", "kgateway"),
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
        "!has(self.backend) || !has(self.backend.mcp) || ((!has(self.targetRefs) || !self.targetRefs.exists(t, t.kind == 'Service')) && (!has(self.targetSelectors) || !self.targetSelectors.exists(t, t.kind == 'Service')))",
        "backend.mcp may not be used with a Service target"
    ),
    transform = markers::cel(
        "!has(self.backend) || !has(self.backend.ai) || ((!has(self.targetRefs) || !self.targetRefs.exists(t, t.kind == 'Service')) && (!has(self.targetSelectors) || !self.targetSelectors.exists(t, t.kind == 'Service')))",
        "backend.ai may not be used with a Service target"
    ),
    transform = markers::cel(
        "has(self.frontend) && has(self.targetRefs) ? self.targetRefs.all(t, t.kind == 'Gateway' && !has(t.sectionName)) : true",
        FRONTEND_TARGETS
    ),
    transform = markers::cel(
        "has(self.frontend) && has(self.targetSelectors) ? self.targetSelectors.all(t, t.kind == 'Gateway' && !has(t.sectionName)) : true",
        FRONTEND_TARGETS
    ),
    transform = markers::cel(
        "has(self.traffic) && has(self.targetRefs) ? self.targetRefs.all(t, t.kind in ['Gateway', 'HTTPRoute', 'XListenerSet']) : true",
        TRAFFIC_TARGETS
    ),
    transform = markers::cel(
        "has(self.traffic) && has(self.targetSelectors) ? self.targetSelectors.all(t, t.kind in ['Gateway', 'HTTPRoute', 'XListenerSet']) : true",
        TRAFFIC_TARGETS
    ),
    transform = markers::cel(
        "has(self.targetRefs) && has(self.traffic) && has(self.traffic.phase) && self.traffic.phase == 'PreRouting' ? self.targetRefs.all(t, t.kind in ['Gateway', 'XListenerSet']) : true",
        PRE_ROUTING_TARGETS
    ),
    transform = markers::cel(
        "has(self.targetSelectors) && has(self.traffic) && has(self.traffic.phase) && self.traffic.phase == 'PreRouting' ? self.targetSelectors.all(t, t.kind in ['Gateway', 'XListenerSet']) : true",
        PRE_ROUTING_TARGETS
    ),
    transform = markers::exactly_one_of(&["targetRefs", "targetSelectors"]),
)]
pub struct AgentgatewayPolicySpec {
    /// The objects this policy applies to, by name (1 to 16, all of the same kind):
    /// Gateways, HTTPRoutes and XListenerSets (group `gateway.networking.k8s.io`, or
    /// `gateway.networking.x-k8s.io` for XListenerSet), Services (core group) or
    /// AgentgatewayBackends (group `agentgateway.dev`), in the policy's namespace.
    #[schemars(length(min = 1, max = 16), transform = markers::list_atomic, transform = targets::allowed_kinds)]
    pub target_refs: Option<Vec<targets::PolicyTargetReference>>,
    /// The objects this policy applies to, by label (1 to 16 selectors, all of the same
    /// kind): every object of the kind in the policy's namespace that carries the
    /// labels. The same kinds as in `targetRefs` are allowed.
    #[schemars(length(min = 1, max = 16), transform = targets::allowed_kinds)]
    pub target_selectors: Option<Vec<targets::PolicyTargetSelector>>,
    /// How the gateway accepts client connections: HTTP and TCP settings, TLS
    /// handshake, access logs. Only for policies that target whole Gateways.
    pub frontend: Option<frontend::FrontendPolicies>,
    /// What happens to each HTTP request: authentication, authorization, rate limits,
    /// CORS, header and body changes, timeouts and retries, external processing.
    /// Only for policies that target Gateways, XListenerSets or HTTPRoutes.
    pub traffic: Option<traffic::TrafficPolicies>,
    /// How the gateway connects to the backends of the targets: TCP, TLS, HTTP,
    /// credentials, and MCP and AI policies (these two not for Service targets).
    pub backend: Option<BackendPolicies>,
}

const FRONTEND_TARGETS: &str = "the 'frontend' field can only target a Gateway";
const TRAFFIC_TARGETS: &str =
    "the 'traffic' field can only target a Gateway, XListenerSet, or HTTPRoute";
const PRE_ROUTING_TARGETS: &str =
    "the 'traffic.phase=PreRouting' field can only target a Gateway or XListenerSet";

/// A CEL expression evaluated per request (1 to 16384 characters), e.g.
/// `request.headers["x-user"]`. Used for every expression field of this CRD.
pub(crate) fn cel_expression(s: &mut schemars::Schema) {
    markers::length(1, 16384)(s)
}

#[cfg(test)]
mod tests {
    use super::*;
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
