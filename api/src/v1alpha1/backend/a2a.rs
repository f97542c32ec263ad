//! A2A backends: an agent speaking the Agent2Agent protocol.

use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An Agent2Agent (A2A) agent at a fixed host and port.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct A2aBackend {
    /// Host name or IP address of the agent, e.g. `planner.agents.svc.cluster.local`.
    #[schemars(length(min = 1, max = 256))]
    pub host: String,
    /// Port the agent listens on (1 to 65535).
    #[schemars(transform = markers::port)]
    pub port: i32,
}
