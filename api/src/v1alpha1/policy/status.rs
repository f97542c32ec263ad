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
// Not shared with `model::status::ModelParentStatus`, which has the same controller
// name and conditions: Gateway API policies report per ancestor (`ancestorRef`),
// routes and models per parent (`parentRef`), so the JSON shapes differ.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyAncestorStatus {
    /// The ancestor, usually the Gateway whose traffic the policy affects.
    pub ancestor_ref: ParentReference,
    /// The controller that wrote this entry, e.g. `agentgateway.dev/agentgateway`.
    #[schemars(transform = shared::controller_name)]
    pub controller_name: String,
    /// Conditions for this ancestor (1 to 8). `Accepted` tells whether the policy is
    /// valid; `Attached` whether it took effect on its targets under this ancestor.
    /// When one is `False`, its message says why.
    #[schemars(length(min = 1), transform = shared::conditions)]
    pub conditions: Vec<Condition>,
}
