//! The `agentgateway.dev` Kubernetes API as Rust types.
//!
//! These types are the single source of truth for the CRDs in the
//! `agentgateway-crds` Helm chart: every field, doc comment and validation marker here
//! ends up in the generated `CustomResourceDefinition`s (`cargo xtask gen-crds`).
//!
//! - [`v1alpha1::backend`]: `AgentgatewayBackend`, where traffic goes.
//! - [`v1alpha1::backend_policies`]: connection, TLS, HTTP, auth, MCP and AI policies
//!   applied to backends, shared by `AgentgatewayBackend` and `AgentgatewayPolicy`.
//! - [`v1alpha1::policy`]: `AgentgatewayPolicy`, frontend, traffic and backend
//!   policies attached to Gateways, routes, listener sets, Services and backends.
//! - [`v1alpha1::parameters`]: `AgentgatewayParameters`, how the gateway proxy is
//!   deployed (image, environment, resources, logging, overlays).
//! - [`v1alpha1::model`]: `AgentgatewayModel`, an LLM model (or a virtual model over
//!   several) published on Gateways under a model name.
//! - [`v1alpha1::shared`]: references, selectors and conditions used across CRDs.

pub mod v1alpha1;

/// Every CRD of the chart, in the order they are listed in documentation.
pub fn crds() -> Vec<crdgen::CrdSource> {
    vec![
        crdgen::source::<v1alpha1::backend::AgentgatewayBackend>(v1alpha1::backend::DESCRIPTION),
        crdgen::source::<v1alpha1::policy::AgentgatewayPolicy>(v1alpha1::policy::DESCRIPTION),
        crdgen::source::<v1alpha1::parameters::AgentgatewayParameters>(
            v1alpha1::parameters::DESCRIPTION,
        ),
        crdgen::source::<v1alpha1::model::AgentgatewayModel>(v1alpha1::model::DESCRIPTION),
    ]
}
