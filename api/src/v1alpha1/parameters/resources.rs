//! Compute resources of the proxy container, as in a Kubernetes container spec.

use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;

/// Resources requested by and allowed to a container.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ResourceRequirements {
    /// The most of each resource the container may use, e.g. `{cpu: "1", memory: 512Mi}`.
    /// A container that exceeds its memory limit is killed; CPU is throttled.
    pub limits: Option<BTreeMap<String, Quantity>>,
    /// The amount of each resource reserved for the container and used for scheduling,
    /// e.g. `{cpu: 100m, memory: 128Mi}`. Defaults to `limits` for resources that have
    /// a limit but no request.
    pub requests: Option<BTreeMap<String, Quantity>>,
    /// Dynamically allocated resources (the pod's `resourceClaims`) the container
    /// uses, by name. Each name appears at most once.
    #[schemars(transform = markers::list_map(&["name"]))]
    pub claims: Option<Vec<ResourceClaim>>,
}

/// A resource claim of the pod used by the container.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ResourceClaim {
    /// Name of an entry of the pod's `resourceClaims`.
    pub name: String,
    /// Name of one request within the claim; the whole claim when unset.
    pub request: Option<String>,
}

/// An amount of a resource: an integer, or a string with a unit suffix such as `500m`
/// (thousandths), `128Mi` (binary) or `1G` (decimal).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(transform = markers::quantity)]
pub enum Quantity {
    /// A whole number, e.g. `2`.
    Int(i64),
    /// A number with an optional suffix, e.g. `250m`, `1.5Gi`.
    String(String),
}
