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

// This file is also the root of the generator's build program (the
// `agentgateway-crds-build` binary of `xtask`, compiled with `cfg(crd_build)`): the
// API compiled as a program that prints pass 1 of every CRD, so `cargo xtask gen-crds`
// itself never links, or waits for, these types. The program uses only the schemas,
// so the rest of the API is dead code there.
#![cfg_attr(crd_build, allow(dead_code, unused_imports))]

pub mod v1alpha1;

/// Calls `$each::<Kind>(description)` for every CRD of the chart, in the order they
/// are listed in documentation: an array of the results.
macro_rules! each_crd {
    ($($each:ident)::+) => {
        [
            $($each)::+::<v1alpha1::backend::AgentgatewayBackend>(v1alpha1::backend::DESCRIPTION),
            $($each)::+::<v1alpha1::policy::AgentgatewayPolicy>(v1alpha1::policy::DESCRIPTION),
            $($each)::+::<v1alpha1::parameters::AgentgatewayParameters>(
                v1alpha1::parameters::DESCRIPTION,
            ),
            $($each)::+::<v1alpha1::model::AgentgatewayModel>(v1alpha1::model::DESCRIPTION),
        ]
    };
}

/// Every CRD of the chart, in the order they are listed in documentation.
pub fn crds() -> Vec<crdgen::CrdSource> {
    each_crd!(crdgen::source).into()
}

/// The build program: prints pass 1 of every CRD as JSON (see `crdgen::build::print`).
#[cfg(crd_build)]
fn main() {
    crdgen::build::print(&each_crd!(crdgen::build::built));
}
