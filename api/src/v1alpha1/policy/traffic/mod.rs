//! Traffic policies of `AgentgatewayPolicy` (being written).
