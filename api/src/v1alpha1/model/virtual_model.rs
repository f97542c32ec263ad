//! Virtual models: one model name whose requests go to other `AgentgatewayModel`s.

use crate::v1alpha1::shared::{LocalObjectReference, cel_expression};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// How a virtual model picks the model for each request. Set exactly one of
/// `weighted`, `failover` and `conditional`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::exactly_one_of(&["weighted", "failover", "conditional"]))]
pub struct VirtualModel {
    /// Spread requests over the targets in proportion to their weights, e.g. for a
    /// gradual migration from one model to another.
    pub weighted: Option<WeightedModels>,
    /// Send requests to the healthy targets of the best (lowest) priority; the
    /// next priority takes over when those fail.
    pub failover: Option<FailoverModels>,
    /// Send each request to the first target whose `when` condition holds.
    pub conditional: Option<ConditionalModels>,
}

/// Targets chosen by weight.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WeightedModels {
    /// The models to spread requests over (1 to 64).
    #[schemars(length(min = 1, max = 64))]
    pub targets: Vec<WeightedModel>,
}

/// One model of a weighted virtual model.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WeightedModel {
    /// The `AgentgatewayModel` (in this namespace) to send requests to.
    pub model_ref: LocalObjectReference,
    /// Model name to ask the target for, e.g. `gpt-4o-mini`, when the target serves
    /// several. The name the client asked for when unset.
    #[schemars(length(min = 1, max = 1024))]
    pub model: Option<String>,
    /// Share of requests relative to the other targets' weights, 1 to 1000000. `1`
    /// when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default(1), range(min = 1, max = 1_000_000))]
    pub weight: Option<i32>,
}

/// Targets chosen by priority.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FailoverModels {
    /// The models in order of preference (1 to 64).
    #[schemars(length(min = 1, max = 64))]
    pub targets: Vec<FailoverModel>,
}

/// One model of a failover virtual model.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FailoverModel {
    /// The `AgentgatewayModel` (in this namespace) to send requests to.
    pub model_ref: LocalObjectReference,
    /// Model name to ask the target for, when the target serves several. The name
    /// the client asked for when unset.
    #[schemars(length(min = 1, max = 1024))]
    pub model: Option<String>,
    /// Preference of this target, 0 to 1000000: lower numbers are tried first;
    /// targets of equal priority share the load.
    #[schemars(range(min = 0, max = 1_000_000))]
    pub priority: i32,
}

/// Targets chosen by condition.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConditionalModels {
    /// The models with their conditions, tried in order (1 to 64). At most one
    /// target may lack `when`, and it must be the last: the fallback.
    #[schemars(
        length(min = 1, max = 64),
        transform = markers::cel(
            "self.filter(e, !has(e.when)).size() <= 1 && (!self.exists(e, !has(e.when)) || !has(self[size(self) - 1].when))",
            "conditional targets without when must be last"
        )
    )]
    pub targets: Vec<ConditionalModel>,
}

/// One model of a conditional virtual model.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalModel {
    /// The `AgentgatewayModel` (in this namespace) to send matching requests to.
    pub model_ref: LocalObjectReference,
    /// Model name to ask the target for, when the target serves several. The name
    /// the client asked for when unset.
    #[schemars(length(min = 1, max = 1024))]
    pub model: Option<String>,
    /// CEL expression over the request that selects this target, e.g.
    /// `request.headers["x-tier"] == "premium"`. When unset, the target takes every
    /// request no earlier target took (only the last target may omit it).
    #[schemars(transform = cel_expression)]
    pub when: Option<String>,
}
