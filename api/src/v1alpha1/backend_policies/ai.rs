//! AI policies (placeholder until the AI section is written).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Prompt, model and guardrail policies for AI backends.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AiPolicy {}
