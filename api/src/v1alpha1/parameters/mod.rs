//! `AgentgatewayParameters` (being written).
