//! What the controllers report about an `AgentgatewayPolicy`, per Gateway.

use crate::v1alpha1::shared::{self, Condition, ParentReference};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the controllers observed about an `AgentgatewayPolicy`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AgentgatewayPolicyStatus {
    /// One entry per Gateway (or other ancestor) the policy takes effect through, and
    /// per controller that handles it; at most 16. Empty when the policy applies
    /// nowhere.
    #[schemars(length(max = 16), transform = crdgen::markers::list_atomic)]
    pub ancestors: Vec<PolicyAncestorStatus>,
}

/// The state of the policy as seen through one ancestor by one controller.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyAncestorStatus {
    /// The ancestor, usually the Gateway whose traffic the policy affects.
    pub ancestor_ref: ParentReference,
    /// The controller that wrote this entry, e.g. `agentgateway.dev/agentgateway`.
    #[schemars(length(min = 1, max = 253), regex(pattern = CONTROLLER_NAME_PATTERN))]
    pub controller_name: String,
    /// Conditions for this ancestor (1 to 8). `Accepted` tells whether the policy is
    /// valid; `Attached` whether it took effect on its targets under this ancestor.
    /// When one is `False`, its message says why.
    #[schemars(length(min = 1), transform = shared::conditions)]
    pub conditions: Vec<Condition>,
}

/// A controller name: a domain, a slash and a path, e.g. `example.com/gateway`.
const CONTROLLER_NAME_PATTERN: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$";
