//! Passive health checking: taking failing endpoints out of rotation.

use crate::v1alpha1::shared::{Duration, cel_expression, min_duration};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Decide from real responses whether an endpoint of the backend is unhealthy, and
/// evict unhealthy endpoints for a while. No probes are sent.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthPolicy {
    /// A CEL expression over the request and response that is true when the
    /// response counts as a failure, e.g. `response.code >= 500`. Connection errors
    /// always count. The gateway's default classification when unset.
    #[schemars(transform = cel_expression)]
    pub unhealthy_condition: Option<String>,
    /// When and for how long failing endpoints are evicted.
    pub eviction: Option<Eviction>,
}

/// Eviction of failing endpoints.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Eviction {
    /// Failures in a row after which an endpoint is evicted.
    #[schemars(range(min = 0))]
    pub consecutive_failures: Option<i32>,
    /// How long an evicted endpoint stays out, e.g. `30s`. At least `1s`; `3s` when
    /// unset. Repeated evictions may last longer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        transform = markers::default("3s"),
        transform = min_duration("1s", "duration must be at least 1 second")
    )]
    pub duration: Option<Duration>,
    /// Evict an endpoint when its health score (the percentage of recent requests
    /// that succeeded, 0 to 100) drops below this.
    #[schemars(range(min = 0, max = 100))]
    pub health_threshold: Option<i32>,
    /// The health score (0 to 100) an endpoint gets back when it returns from
    /// eviction.
    #[schemars(range(min = 0, max = 100))]
    pub restore_health: Option<i32>,
}
