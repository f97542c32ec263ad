//! `AgentgatewayPolicy` (being written).

pub mod traffic;
