//! Version `v1alpha1` of the `agentgateway.dev` API group.

pub mod backend;
pub mod backend_policies;
pub mod model;
pub mod parameters;
pub mod policy;
pub mod shared;
