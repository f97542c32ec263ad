//! Translation of `AgentgatewayBackend` objects into agentgateway's backend resources.
//!
//! [`translate`] is a pure function: given a backend and the Kubernetes objects it may
//! refer to ([`Inputs`]), it returns the `Backend` resources agentgateway should receive
//! ([`model`]) and the backend's status, whose `Accepted` condition is `True`, or
//! `False` with reason `TranslationError` and a message naming every missing or invalid
//! object. A field of the API that this translation does not handle yet (such as
//! `spec.a2a` or `spec.aws`) is never dropped silently: it makes the condition `False`
//! with reason `UnsupportedField` and a message naming the field. A backend that cannot be translated completely yields no resources at all:
//! the gateway never receives half a backend. Nothing here panics on bad input.
//!
//! [`documents`] reads the multi-document YAML files used by the golden tests and
//! `cargo xtask translate`, and renders results in the same format.

pub mod ai;
pub mod documents;
pub mod duration;
pub mod inputs;
pub mod mcp;
pub mod model;
pub mod policies;

pub use inputs::Inputs;

use agentgateway_api::v1alpha1::{
    backend::{AgentgatewayBackend, AgentgatewayBackendStatus},
    shared::{BackendObjectReference, Condition, ConditionStatus},
};
use model::{Backend, BackendKind, BackendReference, BackendReferenceKind, Resource};

/// The condition type reported on every backend.
pub const ACCEPTED: &str = "Accepted";
/// Reason of `Accepted=True`.
pub const REASON_ACCEPTED: &str = "Accepted";
/// Reason of `Accepted=False`.
pub const REASON_TRANSLATION_ERROR: &str = "TranslationError";
/// Reason of `Accepted=False` when the only problems are fields this translation does
/// not handle yet (see [`Ctx::unsupported`]).
pub const REASON_UNSUPPORTED_FIELD: &str = "UnsupportedField";
/// Message of `Accepted=True`.
pub const ACCEPTED_MESSAGE: &str = "Backend successfully accepted";

/// What a backend becomes: the resources for agentgateway, and the backend's status.
#[derive(Clone, Debug, PartialEq)]
pub struct Translation {
    /// Backend resources, empty when the translation failed. For an MCP backend, the
    /// backends of its static targets come first, then the MCP backend itself.
    pub resources: Vec<Resource>,
    /// The status to write on the `AgentgatewayBackend`.
    pub status: AgentgatewayBackendStatus,
}

impl Translation {
    /// Whether the backend was accepted.
    pub fn accepted(&self) -> bool {
        self.status
            .conditions
            .iter()
            .flatten()
            .any(|c| c.type_ == ACCEPTED && c.status == ConditionStatus::True)
    }
}

/// State shared while translating one backend: where to look things up, and the
/// problems found so far.
pub struct Ctx<'a> {
    /// Namespace of the backend; local references resolve here.
    pub namespace: &'a str,
    /// Name of the backend.
    pub name: &'a str,
    /// Objects the backend may refer to.
    pub inputs: &'a Inputs,
    /// Problems found, each naming the object or field at fault.
    pub errors: Vec<String>,
    /// Fields set on the backend that this translation does not handle yet, by path
    /// (e.g. `spec.a2a`).
    pub unsupported: Vec<String>,
}

impl Ctx<'_> {
    /// The key of the backend: `<namespace>/<name>`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// Records that `field` (a path such as `spec.a2a`) is set but not translated: the
    /// backend is not accepted, and the status names the field, rather than the
    /// gateway silently receiving a backend without it.
    pub fn unsupported(&mut self, field: impl Into<String>) {
        self.unsupported.push(field.into());
    }

    /// A `Backend` resource named after the translated object.
    pub fn backend(&self, key: String, kind: BackendKind) -> Backend {
        Backend {
            key,
            name: Some(model::ResourceName {
                name: self.name.to_string(),
                namespace: self.namespace.to_string(),
            }),
            kind: Some(kind),
            inline_policies: Vec::new(),
        }
    }

    /// A reference to a Service (port required) or to another `AgentgatewayBackend`.
    /// A Service must be among the inputs.
    pub fn backend_reference(
        &self,
        r: &BackendObjectReference,
    ) -> Result<BackendReference, String> {
        let ns = r.namespace.as_deref().unwrap_or(self.namespace);
        match (r.group.as_str(), r.kind.as_str()) {
            ("", "Service") => {
                let svc = self
                    .inputs
                    .service(ns, &r.name)
                    .ok_or_else(|| format!("unable to find the Service {ns}/{}", r.name))?;
                let port = r
                    .port
                    .and_then(|p| u32::try_from(p).ok())
                    .filter(|p| *p > 0)
                    .ok_or_else(|| format!("reference to Service {ns}/{} needs a port", r.name))?;
                let name = svc.metadata.name.as_deref().unwrap_or(&r.name);
                Ok(BackendReference {
                    kind: Some(BackendReferenceKind::Service(model::ServiceReference {
                        namespace: ns.to_string(),
                        hostname: service_hostname(name, ns),
                    })),
                    port,
                })
            }
            ("agentgateway.dev", "AgentgatewayBackend") => Ok(BackendReference {
                kind: Some(BackendReferenceKind::Backend(format!("{ns}/{}", r.name))),
                port: 0,
            }),
            (group, kind) => Err(format!(
                "unsupported reference to {kind}{}{group} {ns}/{} (a Service or an AgentgatewayBackend)",
                if group.is_empty() { "" } else { "." },
                r.name
            )),
        }
    }
}

/// The cluster host name of a Service.
pub fn service_hostname(name: &str, namespace: &str) -> String {
    format!("{name}.{namespace}.svc.cluster.local")
}

/// Translates `backend`, looking up what it refers to in `inputs`. `now` is written as
/// the condition's `lastTransitionTime` (RFC 3339); the translation reads no clock.
pub fn translate(backend: &AgentgatewayBackend, inputs: &Inputs, now: &str) -> Translation {
    let namespace = inputs::namespace_of(&backend.metadata);
    let name = backend.metadata.name.as_deref().unwrap_or_default();
    let mut ctx = Ctx {
        namespace,
        name,
        inputs,
        errors: Vec::new(),
        unsupported: Vec::new(),
    };
    if name.is_empty() {
        ctx.errors.push("metadata.name is not set".into());
    }
    let resources = translate_spec(&mut ctx, backend);
    // The same missing object may be referred to from several places: name it once.
    let mut seen = std::collections::BTreeSet::new();
    ctx.errors.retain(|e| seen.insert(e.clone()));
    ctx.unsupported.retain(|e| seen.insert(e.clone()));
    // Unsupported fields get their own reason when nothing else is wrong; otherwise
    // they are listed after the other problems.
    let reason = if ctx.errors.is_empty() {
        REASON_UNSUPPORTED_FIELD
    } else {
        REASON_TRANSLATION_ERROR
    };
    ctx.errors.extend(
        ctx.unsupported
            .iter()
            .map(|f| format!("{f} is not supported by this translation yet")),
    );
    let condition = if ctx.errors.is_empty() {
        Condition {
            last_transition_time: now.to_string(),
            message: ACCEPTED_MESSAGE.into(),
            observed_generation: backend.metadata.generation,
            reason: REASON_ACCEPTED.into(),
            status: ConditionStatus::True,
            type_: ACCEPTED.into(),
        }
    } else {
        Condition {
            last_transition_time: now.to_string(),
            message: format!("failed to translate backend: {}", ctx.errors.join("\n")),
            observed_generation: backend.metadata.generation,
            reason: reason.into(),
            status: ConditionStatus::False,
            type_: ACCEPTED.into(),
        }
    };
    Translation {
        resources: if ctx.errors.is_empty() {
            resources
        } else {
            Vec::new()
        },
        status: AgentgatewayBackendStatus {
            conditions: Some(vec![condition]),
        },
    }
}

fn translate_spec(ctx: &mut Ctx<'_>, backend: &AgentgatewayBackend) -> Vec<Resource> {
    let spec = &backend.spec;
    let kinds = [
        spec.static_.is_some(),
        spec.dynamic_forward_proxy.is_some(),
        spec.ai.is_some(),
        spec.mcp.is_some(),
        spec.aws.is_some(),
        spec.a2a.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() != 1 {
        ctx.errors.push(
            "spec must set exactly one of static, dynamicForwardProxy, ai, mcp, aws and a2a".into(),
        );
        return Vec::new();
    }
    if let Some(p) = &spec.policies {
        if p.mcp.is_some() && spec.mcp.is_none() {
            ctx.errors
                .push("spec.policies.mcp is only valid on an MCP backend".into());
        }
        if p.ai.is_some() && spec.ai.is_none() {
            ctx.errors
                .push("spec.policies.ai is only valid on an AI backend".into());
        }
    }
    let inline_policies = spec
        .policies
        .as_ref()
        .map(|p| policies::translate(ctx, &p.into()))
        .unwrap_or_default();
    let key = ctx.key();
    let mut resources = Vec::new();
    let mut main = if let Some(s) = &spec.static_ {
        let kind = match (&s.host, s.port, &s.unix_path) {
            (Some(host), Some(port), None) => model::StaticBackend {
                host: host.clone(),
                port,
                unix_path: String::new(),
            },
            (None, None, Some(path)) => model::StaticBackend {
                unix_path: path.clone(),
                ..Default::default()
            },
            _ => {
                ctx.errors
                    .push("spec.static must set either unixPath or both host and port".into());
                return Vec::new();
            }
        };
        ctx.backend(key, BackendKind::Static(kind))
    } else if spec.dynamic_forward_proxy.is_some() {
        ctx.backend(key, BackendKind::Dynamic(model::Empty {}))
    } else if let Some(m) = &spec.mcp {
        let (targets, mcp) = mcp::translate(ctx, m);
        resources.extend(targets.into_iter().map(Resource::Backend));
        ctx.backend(key, BackendKind::Mcp(mcp))
    } else if let Some(a) = &spec.ai {
        let ai = ai::translate(ctx, a);
        ctx.backend(key, BackendKind::Ai(ai))
    } else {
        // AWS (AgentCore) and A2A backends are valid objects, but what agentgateway
        // needs for them (request signing for AgentCore, the A2A protocol handling)
        // is not translated yet: say so instead of sending a backend without it.
        if spec.aws.is_some() {
            ctx.unsupported("spec.aws");
        }
        if spec.a2a.is_some() {
            ctx.unsupported("spec.a2a");
        }
        return Vec::new();
    };
    main.inline_policies = inline_policies;
    resources.push(Resource::Backend(main));
    resources
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentgateway_api::v1alpha1::backend::{AgentgatewayBackendSpec, StaticBackend};

    fn condition(t: &Translation) -> &Condition {
        &t.status.conditions.as_ref().expect("a condition")[0]
    }

    #[test]
    fn an_empty_object_is_rejected_without_panicking() {
        let t = translate(&AgentgatewayBackend::default(), &Inputs::default(), "now");
        assert!(!t.accepted());
        assert!(t.resources.is_empty());
        let c = condition(&t);
        assert_eq!(
            (c.type_.as_str(), c.status),
            (ACCEPTED, ConditionStatus::False)
        );
        assert_eq!(c.reason, REASON_TRANSLATION_ERROR);
        assert!(
            c.message.contains("metadata.name is not set"),
            "{}",
            c.message
        );
        assert!(c.message.contains("exactly one of static"), "{}", c.message);
    }

    #[test]
    fn accepted_backends_carry_time_and_generation() {
        let mut b = AgentgatewayBackend::new(
            "b",
            AgentgatewayBackendSpec {
                static_: Some(StaticBackend {
                    host: Some("h".into()),
                    port: Some(1),
                    ..Default::default()
                }),
                ..Default::default()
            },
        );
        b.metadata.generation = Some(7);
        let t = translate(&b, &Inputs::default(), "2026-01-01T00:00:00Z");
        assert!(t.accepted());
        let c = condition(&t);
        assert_eq!(c.status, ConditionStatus::True);
        assert_eq!(c.message, ACCEPTED_MESSAGE);
        assert_eq!(c.last_transition_time, "2026-01-01T00:00:00Z");
        assert_eq!(c.observed_generation, Some(7));
        // No namespace in the manifest: `default`, as kubectl would use.
        let Resource::Backend(r) = &t.resources[0];
        assert_eq!(r.key, "default/b");
    }
}
