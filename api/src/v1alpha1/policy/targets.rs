//! What an `AgentgatewayPolicy` applies to: objects named in `targetRefs`, or
//! selected by label in `targetSelectors`.

use crate::v1alpha1::shared::{group_name, kind_name};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;

/// The rules shared by `targetRefs` and `targetSelectors`: only the kinds a policy
/// can attach to, and a single kind per policy.
pub fn allowed_kinds(s: &mut schemars::Schema) {
    markers::cel(
        "self.all(r, (r.kind == 'Service' && r.group == '') || (r.kind == 'AgentgatewayBackend' && r.group == 'agentgateway.dev') || (r.kind in ['Gateway', 'HTTPRoute', 'GRPCRoute'] && r.group == 'gateway.networking.k8s.io') || (r.kind == 'ListenerSet' && r.group == 'gateway.networking.k8s.io') || (r.kind == 'InferencePool' && r.group == 'inference.networking.k8s.io'))",
        "targetRefs may only reference Gateway, HTTPRoute, GRPCRoute, ListenerSet, Service, AgentgatewayBackend, or InferencePool resources",
    )(s);
    markers::cel(
        "self.all(l1, !self.exists(l2, l1.kind != l2.kind))",
        "Only one Kind of targetRef can be set on one policy",
    )(s);
}

/// One object in the policy's namespace, by group, kind and name, e.g.
/// `{group: gateway.networking.k8s.io, kind: Gateway, name: public}`. Narrow it with
/// at most one of `sectionName` and `port`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::at_most_one_of(&["sectionName", "port"]))]
pub struct PolicyTargetReference {
    /// API group of the target: `gateway.networking.k8s.io` (Gateway, ListenerSet,
    /// HTTPRoute, GRPCRoute), `inference.networking.k8s.io` (InferencePool),
    /// `agentgateway.dev` (AgentgatewayBackend), or empty for a Service.
    #[schemars(transform = group_name)]
    pub group: String,
    /// Kind of the target: `Gateway`, `ListenerSet`, `HTTPRoute`, `GRPCRoute`,
    /// `InferencePool`, `Service` or `AgentgatewayBackend`.
    #[schemars(transform = kind_name)]
    pub kind: String,
    /// Name of the target.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Narrows the target to one part of it: a listener of a Gateway, a rule of an
    /// HTTPRoute, a port name of a Service. The whole object when unset.
    #[schemars(transform = markers::dns_subdomain)]
    pub section_name: Option<String>,
    /// Narrows a Gateway target to its listeners on this port (1 to 65535), e.g.
    /// `8443`. Only for policies that set `frontend` alone.
    #[schemars(transform = markers::port)]
    pub port: Option<i32>,
}

/// Every object of one kind in the policy's namespace that carries the given labels.
/// Narrow each with at most one of `sectionName` and `port`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::at_most_one_of(&["sectionName", "port"]))]
pub struct PolicyTargetSelector {
    /// API group of the targets: `gateway.networking.k8s.io`,
    /// `inference.networking.k8s.io`, `agentgateway.dev`, or empty for Services.
    #[schemars(transform = group_name)]
    pub group: String,
    /// Kind of the targets, one of the kinds allowed in `targetRefs`.
    #[schemars(transform = kind_name)]
    pub kind: String,
    /// Labels a target must carry, all with exactly these values.
    pub match_labels: BTreeMap<String, String>,
    /// Narrows each target to one part of it, as `sectionName` in `targetRefs`. Whole
    /// objects when unset.
    #[schemars(transform = markers::dns_subdomain)]
    pub section_name: Option<String>,
    /// Narrows each Gateway target to its listeners on this port, as `port` in
    /// `targetRefs`.
    #[schemars(transform = markers::port)]
    pub port: Option<i32>,
}
