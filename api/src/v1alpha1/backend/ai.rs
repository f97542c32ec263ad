//! AI backends (placeholder until the AI section is written).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One AI provider, or priority groups of providers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AiBackend {}
