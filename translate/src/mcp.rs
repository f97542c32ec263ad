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
///
/// Target names must be unique: the CRD keys the target list by name (so the
/// apiserver refuses a second target of the same name), a host target's backend is
/// keyed by it, and the gateway routes tool calls by it. Input that did not pass the
/// apiserver may still repeat a name: each repeated name is reported once and the
/// backend is not accepted, instead of two targets sharing one backend key.
pub fn translate(ctx: &mut Ctx<'_>, mcp: &ApiMcpBackend) -> (Vec<Backend>, McpBackend) {
    let mut backends = Vec::new();
    let mut targets = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut repeated = std::collections::BTreeSet::new();
    for target in &mcp.targets {
        if !seen.insert(target.name.as_str()) {
            repeated.insert(target.name.as_str());
        }
    }
    for name in repeated {
        ctx.errors.push(format!(
            "mcp target name {name} is used by more than one target"
        ));
    }
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

#[cfg(test)]
mod tests {
    use crate::{Inputs, REASON_TRANSLATION_ERROR, model::Resource, translate};
    use agentgateway_api::v1alpha1::backend::{
        AgentgatewayBackend, AgentgatewayBackendSpec,
        mcp::{McpBackend, McpStaticTarget, McpTarget},
    };

    fn backend(names: &[String]) -> AgentgatewayBackend {
        let targets = names
            .iter()
            .enumerate()
            .map(|(i, name)| McpTarget {
                name: name.clone(),
                static_: Some(McpStaticTarget {
                    host: Some(format!("tools-{i}.example.com")),
                    port: 3000,
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect();
        let mut b = AgentgatewayBackend::new(
            "toolbox",
            AgentgatewayBackendSpec {
                mcp: Some(McpBackend {
                    targets,
                    ..Default::default()
                }),
                ..Default::default()
            },
        );
        b.metadata.namespace = Some("tools".into());
        b
    }

    #[test]
    fn a_service_port_without_a_name_names_its_target_by_number() {
        use super::{APP_PROTOCOL_SSE, APP_PROTOCOL_STREAMABLE_HTTP, service_targets};
        use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
        let port = |name: Option<&str>, port: i32, protocol: &str| ServicePort {
            name: name.map(String::from),
            port,
            app_protocol: Some(protocol.into()),
            ..Default::default()
        };
        let mut svc = Service {
            spec: Some(ServiceSpec {
                ports: Some(vec![
                    port(Some("mcp"), 8080, APP_PROTOCOL_STREAMABLE_HTTP),
                    port(Some(""), 8081, APP_PROTOCOL_STREAMABLE_HTTP),
                    port(None, 8082, APP_PROTOCOL_SSE),
                    port(Some("web"), 80, "http"),
                ]),
                ..Default::default()
            }),
            ..Default::default()
        };
        svc.metadata.namespace = Some("tools".into());
        svc.metadata.name = Some("search".into());
        let names: Vec<String> = service_targets(&svc).into_iter().map(|t| t.name).collect();
        assert_eq!(names, ["search-mcp", "search-8081", "search-8082"]);
    }

    #[test]
    fn the_most_targets_the_crd_allows_each_get_a_backend_of_their_own() {
        let names: Vec<String> = (0..128).map(|i| format!("t{i}")).collect();
        let t = translate(&backend(&names), &Inputs::default(), "now");
        assert!(t.accepted(), "{:?}", t.status);
        // 128 target backends, then the MCP backend itself.
        assert_eq!(t.resources.len(), 129);
        let keys: std::collections::BTreeSet<&str> = t
            .resources
            .iter()
            .map(|r| {
                let Resource::Backend(b) = r;
                b.key.as_str()
            })
            .collect();
        assert_eq!(keys.len(), 129, "backend keys are unique");
        assert!(keys.contains("tools/toolbox/t127"));
        let Resource::Backend(mcp) = &t.resources[128];
        let Some(crate::model::BackendKind::Mcp(m)) = &mcp.kind else {
            panic!("the last resource is the MCP backend: {mcp:?}");
        };
        assert_eq!(m.targets.len(), 128);
        assert_eq!(m.targets[127].name, "t127");
    }

    #[test]
    fn a_repeated_target_name_is_refused_once_naming_it() {
        let names: Vec<String> = ["a", "b", "a", "c", "b", "a"].map(String::from).to_vec();
        let t = translate(&backend(&names), &Inputs::default(), "now");
        assert!(!t.accepted());
        assert!(t.resources.is_empty(), "no half backend: {:?}", t.resources);
        let c = &t.status.conditions.as_ref().expect("a condition")[0];
        assert_eq!(c.reason, REASON_TRANSLATION_ERROR);
        assert_eq!(
            c.message,
            "failed to translate backend: mcp target name a is used by more than one target\n\
             mcp target name b is used by more than one target"
        );
    }
}
