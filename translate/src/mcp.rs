//! MCP backends: static targets with a `host` become backends of their own; static
//! targets with a `backendRef` point at the referenced Service's cluster address (no
//! backend of their own: such targets cannot carry policies); selector targets expand
//! to the MCP ports of the matching Services. `sessionRouting`, `prefixMode` and
//! `failureMode` become the MCP backend's modes, unset fields the gateway's defaults
//! (`Stateful`, `Conditional`, `FailClosed`), which are also the zero values.

use crate::{
    Ctx, inputs,
    model::{
        Backend, BackendKind, BackendReference, BackendReferenceKind, McpBackend, McpFailureMode,
        McpProtocol, McpTarget, PrefixMode, ServiceReference, StatefulMode, StaticBackend,
    },
    policies, service_hostname,
};
use agentgateway_api::v1alpha1::{
    backend::mcp::{
        McpBackend as ApiMcpBackend, McpProtocol as ApiProtocol, McpSelector, McpStaticTarget,
        PrefixMode as ApiPrefixMode, SessionRouting,
    },
    shared::FailureMode,
};
use k8s_openapi::api::core::v1::Service;

/// `appProtocol` of a Service port serving MCP over Streamable HTTP.
pub const APP_PROTOCOL_STREAMABLE_HTTP: &str = "kgateway.dev/mcp";
/// `appProtocol` of a Service port serving MCP over SSE.
pub const APP_PROTOCOL_SSE: &str = "kgateway.dev/mcp-sse";
/// Service annotation holding the HTTP path of its MCP endpoint.
pub const PATH_ANNOTATION: &str = "kgateway.dev/mcp-path";

/// Translates an MCP backend: the backends of its static targets, and the MCP backend.
pub fn translate(ctx: &mut Ctx<'_>, mcp: &ApiMcpBackend) -> (Vec<Backend>, McpBackend) {
    let mut backends = Vec::new();
    let mut targets = Vec::new();
    for target in &mcp.targets {
        if let Some(s) = &target.static_ {
            let Some(backend) = static_target_backend(ctx, &target.name, s, &mut backends) else {
                continue;
            };
            targets.push(McpTarget {
                name: target.name.clone(),
                backend: Some(backend),
                path: s.path.clone().unwrap_or_default(),
                protocol: match s.protocol {
                    None => McpProtocol::Undefined,
                    Some(ApiProtocol::Sse) => McpProtocol::Sse,
                    Some(ApiProtocol::StreamableHttp) => McpProtocol::StreamableHttp,
                },
            });
        } else if let Some(sel) = &target.selector {
            match selected_services(ctx, sel) {
                Ok(services) => {
                    for svc in services {
                        targets.extend(service_targets(svc));
                    }
                }
                Err(e) => ctx.errors.push(format!("mcp target {}: {e}", target.name)),
            }
        } else {
            ctx.errors.push(format!(
                "mcp target {} sets neither static nor selector",
                target.name
            ));
        }
    }
    let stateful_mode = match mcp.session_routing.unwrap_or_default() {
        SessionRouting::Stateful => StatefulMode::Stateful,
        SessionRouting::Stateless => StatefulMode::Stateless,
    };
    let prefix_mode = match mcp.prefix_mode.unwrap_or_default() {
        ApiPrefixMode::Conditional => PrefixMode::Conditional,
        ApiPrefixMode::Always => PrefixMode::Always,
        ApiPrefixMode::Never => PrefixMode::Never,
    };
    let failure_mode = match mcp.failure_mode.unwrap_or(FailureMode::FailClosed) {
        FailureMode::FailClosed => McpFailureMode::FailClosed,
        FailureMode::FailOpen => McpFailureMode::FailOpen,
    };
    (
        backends,
        McpBackend {
            targets,
            stateful_mode,
            prefix_mode,
            failure_mode,
        },
    )
}

/// Where a static target's server is. A `host` target gets a backend of its own, keyed
/// `<backend key>/<target name>` and carrying the target's policies, pushed onto
/// `backends`. A `backendRef` target refers to the Service's cluster host name and
/// the target's port directly, as a selector target does: the Service must exist in
/// the backend's namespace and, when it lists ports, have that port. `None` after
/// recording an error.
fn static_target_backend(
    ctx: &mut Ctx<'_>,
    name: &str,
    s: &McpStaticTarget,
    backends: &mut Vec<Backend>,
) -> Option<BackendReference> {
    match (&s.host, &s.backend_ref) {
        (Some(host), None) => {
            let key = format!("{}/{name}", ctx.key());
            let mut backend = ctx.backend(
                key.clone(),
                BackendKind::Static(StaticBackend {
                    host: host.clone(),
                    port: s.port,
                    unix_path: String::new(),
                }),
            );
            if let Some(p) = &s.policies {
                backend.inline_policies = policies::translate(ctx, &p.into());
            }
            backends.push(backend);
            Some(BackendReference {
                kind: Some(BackendReferenceKind::Backend(key)),
                port: 0,
            })
        }
        (None, Some(r)) => {
            if s.policies.is_some() {
                ctx.errors.push(format!(
                    "mcp target {name}: policies may not be used with backendRef"
                ));
                return None;
            }
            let ns = ctx.namespace;
            let Some(svc) = ctx.inputs.service(ns, &r.name) else {
                ctx.errors.push(format!(
                    "mcp target {name}: unable to find the Service {ns}/{}",
                    r.name
                ));
                return None;
            };
            let ports = svc.spec.as_ref().and_then(|s| s.ports.as_ref());
            let has_port =
                ports.is_none_or(|ps| ps.is_empty() || ps.iter().any(|p| p.port == s.port));
            if !has_port {
                ctx.errors.push(format!(
                    "mcp target {name}: the Service {ns}/{} has no port {}",
                    r.name, s.port
                ));
                return None;
            }
            Some(BackendReference {
                kind: Some(BackendReferenceKind::Service(ServiceReference {
                    namespace: ns.to_string(),
                    hostname: service_hostname(&r.name, ns),
                })),
                port: u32::try_from(s.port).unwrap_or_default(),
            })
        }
        _ => {
            ctx.errors.push(format!(
                "mcp target {name}: static must set exactly one of host and backendRef"
            ));
            None
        }
    }
}

/// The Services a selector picks, ordered by namespace and name: those matching the
/// service selector (all when unset) in the namespaces matching the namespace selector,
/// or in the backend's namespace when there is none.
fn selected_services<'a>(ctx: &Ctx<'a>, sel: &McpSelector) -> Result<Vec<&'a Service>, String> {
    if let Some(ns_sel) = &sel.namespaces {
        inputs::validate(ns_sel).map_err(|e| format!("invalid namespace selector: {e}"))?;
    }
    if let Some(svc_sel) = &sel.services {
        inputs::validate(svc_sel).map_err(|e| format!("invalid service selector: {e}"))?;
    }
    let namespaces = match &sel.namespaces {
        Some(ns_sel) => ctx
            .inputs
            .namespaces_matching(ns_sel)
            .map_err(|e| format!("invalid namespace selector: {e}"))?,
        None => vec![ctx.namespace.to_string()],
    };
    let mut out = Vec::new();
    for svc in &ctx.inputs.services {
        if !namespaces
            .iter()
            .any(|n| n == inputs::namespace_of(&svc.metadata))
        {
            continue;
        }
        if let Some(svc_sel) = &sel.services {
            let labels = svc.metadata.labels.clone().unwrap_or_default();
            if !inputs::matches(svc_sel, &labels)
                .map_err(|e| format!("invalid service selector: {e}"))?
            {
                continue;
            }
        }
        out.push(svc);
    }
    out.sort_by_key(|s| {
        (
            inputs::namespace_of(&s.metadata),
            s.metadata.name.as_deref(),
        )
    });
    Ok(out)
}

/// One target per port of `svc` whose `appProtocol` is an MCP one.
fn service_targets(svc: &Service) -> Vec<McpTarget> {
    let ns = inputs::namespace_of(&svc.metadata);
    let name = svc.metadata.name.as_deref().unwrap_or_default();
    let path = svc
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(PATH_ANNOTATION))
        .cloned()
        .unwrap_or_default();
    let ports = svc.spec.as_ref().and_then(|s| s.ports.as_ref());
    ports
        .into_iter()
        .flatten()
        .filter_map(|port| {
            let protocol = match port.app_protocol.as_deref() {
                Some(APP_PROTOCOL_STREAMABLE_HTTP) => McpProtocol::StreamableHttp,
                Some(APP_PROTOCOL_SSE) => McpProtocol::Sse,
                _ => return None,
            };
            let suffix = match port.name.as_deref() {
                Some(n) if !n.is_empty() => n.to_string(),
                _ => port.port.to_string(),
            };
            Some(McpTarget {
                name: format!("{name}-{suffix}"),
                backend: Some(BackendReference {
                    kind: Some(BackendReferenceKind::Service(ServiceReference {
                        namespace: ns.to_string(),
                        hostname: service_hostname(name, ns),
                    })),
                    port: u32::try_from(port.port).unwrap_or_default(),
                }),
                path: path.clone(),
                protocol,
            })
        })
        .collect()
}
