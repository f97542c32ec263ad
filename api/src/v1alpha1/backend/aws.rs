//! AWS backends: managed AWS services the gateway calls with signed requests.

use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// A managed AWS service. Set exactly one service; today that is `agentCore`.
/// The gateway signs requests with AWS Signature Version 4, using the credentials of
/// `policies.auth.aws` or, when unset, the ambient credentials of its pod.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::exactly_one_of(&["agentCore"]))]
pub struct AwsBackend {
    /// An agent runtime hosted on Amazon Bedrock AgentCore.
    pub agent_core: Option<AwsAgentCoreBackend>,
}

/// An Amazon Bedrock AgentCore agent runtime, by its ARN.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AwsAgentCoreBackend {
    /// ARN of the agent runtime, e.g.
    /// `arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/my-agent-Ab12Cd34`.
    /// The region in the ARN is the region the gateway calls.
    pub agent_runtime_arn: String,
    /// Endpoint (alias) or version of the runtime to invoke, e.g. `DEFAULT` or `prod`.
    /// The runtime's default endpoint when unset.
    pub qualifier: Option<String>,
}
