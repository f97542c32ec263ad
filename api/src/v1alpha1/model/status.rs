//! What the controllers report about an `AgentgatewayModel`, per Gateway.

use crate::v1alpha1::shared::{self, Condition, ParentReference};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// What the controllers observed about an `AgentgatewayModel`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AgentgatewayModelStatus {
    /// One entry per Gateway of `parentRefs` and per controller serving it, at most
    /// 16.
    #[schemars(length(max = 16))]
    pub parents: Option<Vec<ModelParentStatus>>,
}

/// The state of the model on one Gateway, as seen by one controller.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelParentStatus {
    /// The Gateway (one of `parentRefs`) this entry is about.
    pub parent_ref: ParentReference,
    /// The controller that wrote this entry, e.g. `agentgateway.dev/agentgateway`.
    #[schemars(transform = shared::controller_name)]
    pub controller_name: String,
    /// Conditions of the model on this Gateway (1 to 8), e.g. `Accepted`. When one
    /// is `False`, its message says why.
    #[schemars(length(min = 1), transform = shared::conditions)]
    pub conditions: Vec<Condition>,
}
