//! TCP connection settings.

use crate::v1alpha1::shared::{Duration, min_duration};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// How the gateway opens and keeps TCP connections to the backend.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TcpPolicy {
    /// How long to wait for a connection to be established, e.g. `5s`. At least `100ms`.
    #[schemars(transform = min_duration("100ms", "connectTimeout must be at least 100ms"))]
    pub connect_timeout: Option<Duration>,
    /// Send TCP keepalive probes on idle connections, so dead peers are detected and
    /// middleboxes keep the connection open.
    pub keepalive: Option<Keepalive>,
}

/// TCP keepalive probing. Unset fields use the gateway's defaults.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Keepalive {
    /// Unanswered probes after which the connection is considered dead (1 to 64).
    #[schemars(range(min = 1, max = 64))]
    pub retries: Option<i32>,
    /// How long a connection must be idle before the first probe, e.g. `180s`. At least `1s`.
    #[schemars(transform = min_duration("1s", "time must be at least 1 second"))]
    pub time: Option<Duration>,
    /// Time between probes, e.g. `75s`. At least `1s`.
    #[schemars(transform = min_duration("1s", "interval must be at least 1 second"))]
    pub interval: Option<Duration>,
}
