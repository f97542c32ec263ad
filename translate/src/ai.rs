//! AI backends (providers and priority groups) and AI policies.

use crate::{
    Ctx,
    model::{
        self, AiBackend, AzureOpenAi, Bedrock, BuiltinRegex, HeaderMatchValue, HostOverride,
        ModelOnly, Moderation, PromptCaching, Provider, ProviderGroup, ProviderKind, RegexAction,
        RegexRule, RegexRules, RequestGuardKind, RequestRejection, ResponseGuardKind, RouteType,
        Vertex,
    },
    policies::{self, PolicySet},
};
use agentgateway_api::v1alpha1::{
    backend::ai::{AiBackend as ApiAiBackend, LlmProvider},
    backend_policies::ai::{
        AiPolicy, RouteType as ApiRouteType,
        prompt_guard::{
            BuiltinPattern, GuardResponse, GuardScope, HeaderMatchType,
            RegexAction as ApiRegexAction, RegexGuard, WebhookGuard,
        },
    },
    shared::FailureMode,
};

/// Name of the provider of a single-provider backend.
pub const SINGLE_PROVIDER_NAME: &str = "backend";
/// Port used with a host override when none is given.
pub const DEFAULT_PORT: i32 = 443;
/// Bedrock region when none is given (the API's default).
pub const DEFAULT_BEDROCK_REGION: &str = "us-east-1";
/// Vertex AI region when none is given (the API's default).
pub const DEFAULT_VERTEX_REGION: &str = "global";
/// Body of a guard's rejection when the guard's response sets none (the API's default).
pub const DEFAULT_REJECTION_MESSAGE: &str = "The request was rejected due to inappropriate content";
/// Status of a guard's rejection when the guard's response sets none (the API's default).
pub const DEFAULT_REJECTION_STATUS: u32 = 403;

/// Translates an AI backend: one provider group holding the single `provider` (named
/// `backend`), or the priority groups in order.
pub fn translate(ctx: &mut Ctx<'_>, ai: &ApiAiBackend) -> AiBackend {
    let mut groups = Vec::new();
    match (&ai.provider, &ai.groups) {
        (Some(p), None) => {
            if let Some(p) = provider(ctx, SINGLE_PROVIDER_NAME, "spec.ai.provider", p) {
                groups.push(ProviderGroup { providers: vec![p] });
            }
        }
        (None, Some(gs)) => {
            for (i, g) in gs.iter().enumerate() {
                let mut providers = Vec::new();
                for (j, named) in g.providers.iter().enumerate() {
                    let path = format!("spec.ai.groups[{i}].providers[{j}]");
                    let Some(mut p) = provider(ctx, &named.name, &path, &named.provider) else {
                        continue;
                    };
                    if let Some(pols) = &named.policies {
                        // Problems in a provider's own policies do not reject the backend:
                        // the provider is kept without the policies that failed, as
                        // agentgateway's control plane does.
                        let outer = std::mem::take(&mut ctx.errors);
                        p.inline_policies = policies::translate(ctx, &pols.into());
                        ctx.errors = outer;
                    }
                    providers.push(p);
                }
                if !providers.is_empty() {
                    groups.push(ProviderGroup { providers });
                }
            }
        }
        _ => ctx
            .errors
            .push("spec.ai must set exactly one of provider and groups".into()),
    }
    AiBackend {
        provider_groups: groups,
    }
}

/// Translates one provider; `path` is where it is in the backend (for messages).
fn provider(ctx: &mut Ctx<'_>, name: &str, path: &str, llm: &LlmProvider) -> Option<Provider> {
    // Provider kinds and fields (of v1.4.1, and inline moderation since) that
    // agentgateway's backend model of this translation cannot express yet: reject
    // the backend naming the field rather than sending a provider without them.
    let mut unsupported = false;
    for (set, field) in [
        (llm.azure.is_some(), "azure"),
        (llm.custom.is_some(), "custom"),
        (llm.path_prefix.is_some(), "pathPrefix"),
        (
            llm.openai.as_ref().is_some_and(|o| o.moderation.is_some()),
            "openai.moderation",
        ),
    ] {
        if set {
            ctx.unsupported(format!("{path}.{field}"));
            unsupported = true;
        }
    }
    if unsupported {
        return None;
    }
    let set = [
        llm.openai.is_some(),
        llm.azureopenai.is_some(),
        llm.anthropic.is_some(),
        llm.gemini.is_some(),
        llm.vertexai.is_some(),
        llm.bedrock.is_some(),
    ];
    let kind = if set.iter().filter(|s| **s).count() != 1 {
        None
    } else if let Some(o) = &llm.openai {
        Some(ProviderKind::Openai(ModelOnly {
            model: o.model.clone(),
        }))
    } else if let Some(a) = &llm.azureopenai {
        Some(ProviderKind::Azureopenai(AzureOpenAi {
            model: a.deployment_name.clone(),
            host: a.endpoint.clone(),
            api_version: a.api_version.clone(),
        }))
    } else if let Some(a) = &llm.anthropic {
        Some(ProviderKind::Anthropic(ModelOnly {
            model: a.model.clone(),
        }))
    } else if let Some(g) = &llm.gemini {
        Some(ProviderKind::Gemini(ModelOnly {
            model: g.model.clone(),
        }))
    } else if let Some(v) = &llm.vertexai {
        Some(ProviderKind::Vertex(Vertex {
            model: v.model.clone(),
            region: v
                .region
                .clone()
                .unwrap_or_else(|| DEFAULT_VERTEX_REGION.into()),
            project_id: v.project_id.clone(),
        }))
    } else {
        llm.bedrock.as_ref().map(|b| {
            ProviderKind::Bedrock(Bedrock {
                model: b.model.clone(),
                region: b
                    .region
                    .clone()
                    .unwrap_or_else(|| DEFAULT_BEDROCK_REGION.into()),
                guardrail_identifier: b.guardrail.as_ref().map(|g| g.identifier.clone()),
                guardrail_version: b.guardrail.as_ref().map(|g| g.version.clone()),
            })
        })
    };
    let Some(kind) = kind else {
        ctx.errors.push(format!(
            "AI provider {name} must set exactly one of openai, azureopenai, azure, anthropic, gemini, vertexai, bedrock and custom"
        ));
        return None;
    };
    let host_override = match (&llm.host, llm.port) {
        (Some(host), port) => Some(HostOverride {
            host: host.clone(),
            port: port.unwrap_or(DEFAULT_PORT),
        }),
        (None, Some(_)) => {
            ctx.errors
                .push(format!("AI provider {name} sets port without host"));
            return None;
        }
        (None, None) => None,
    };
    Some(Provider {
        name: name.to_string(),
        host_override,
        path_override: llm.path.clone(),
        provider: Some(kind),
        inline_policies: Vec::new(),
    })
}

/// Translates an AI policy. Fails listing every webhook whose service is missing and
/// every value that cannot be encoded.
pub fn policy(ctx: &mut Ctx<'_>, p: &AiPolicy) -> Result<model::Ai, Vec<String>> {
    let mut errs = Vec::new();
    let mut out = model::Ai::default();
    if let Some(e) = &p.prompt {
        let msgs = |m: &Option<Vec<_>>| {
            m.iter()
                .flatten()
                .map(
                    |m: &agentgateway_api::v1alpha1::backend_policies::ai::Message| {
                        model::Message {
                            role: m.role.clone(),
                            content: m.content.clone(),
                        }
                    },
                )
                .collect()
        };
        out.prompts = Some(model::PromptEnrichment {
            append: msgs(&e.append),
            prepend: msgs(&e.prepend),
        });
    }
    if let Some(g) = &p.prompt_guard {
        let mut guard = model::PromptGuard::default();
        for r in g.request.iter().flatten() {
            let kind = if let Some(w) = &r.webhook {
                webhook(ctx, w)
                    .map(RequestGuardKind::Webhook)
                    .map_err(|e| errs.push(e))
                    .ok()
            } else if let Some(re) = &r.regex {
                Some(RequestGuardKind::Regex(regex(re)))
            } else if let Some(m) = &r.openai_moderation {
                let inline_policies = m
                    .policies
                    .as_ref()
                    .map(|mp| {
                        let set = PolicySet {
                            path: "policies.ai.promptGuard.request.openAIModeration.policies",
                            ..mp.into()
                        };
                        policies::translate(ctx, &set)
                    })
                    .unwrap_or_default();
                Some(RequestGuardKind::OpenaiModeration(Moderation {
                    model: m.model.clone(),
                    inline_policies,
                }))
            } else if r.bedrock_guardrails.is_some() {
                ctx.unsupported("policies.ai.promptGuard.request.bedrockGuardrails");
                None
            } else if r.google_model_armor.is_some() {
                ctx.unsupported("policies.ai.promptGuard.request.googleModelArmor");
                None
            } else {
                errs.push("request guard sets none of regex, webhook, openAIModeration, bedrockGuardrails and googleModelArmor".into());
                None
            };
            // The model's guards check the system prompt and the messages, which is
            // the default scope; any other scope (tool calls) cannot be expressed.
            if r.scope.as_ref().is_some_and(|s| !is_default_scope(s)) {
                ctx.unsupported("policies.ai.promptGuard.request.scope");
            }
            guard.request.push(model::RequestGuard {
                rejection: r.response.as_ref().map(rejection),
                kind,
            });
        }
        for r in g.response.iter().flatten() {
            let kind = if let Some(w) = &r.webhook {
                webhook(ctx, w)
                    .map(ResponseGuardKind::Webhook)
                    .map_err(|e| errs.push(e))
                    .ok()
            } else if let Some(re) = &r.regex {
                Some(ResponseGuardKind::Regex(regex(re)))
            } else if r.bedrock_guardrails.is_some() {
                ctx.unsupported("policies.ai.promptGuard.response.bedrockGuardrails");
                None
            } else if r.google_model_armor.is_some() {
                ctx.unsupported("policies.ai.promptGuard.response.googleModelArmor");
                None
            } else {
                errs.push(
                    "response guard sets none of regex, webhook, bedrockGuardrails and googleModelArmor"
                        .into(),
                );
                None
            };
            guard.response.push(model::ResponseGuard {
                rejection: r.response.as_ref().map(rejection),
                kind,
            });
        }
        if g.streaming.is_some() {
            ctx.unsupported("policies.ai.promptGuard.streaming");
        }
        out.prompt_guard = Some(guard);
    }
    for (list, target, what) in [
        (&p.defaults, &mut out.defaults, "defaults"),
        (&p.overrides, &mut out.overrides, "overrides"),
    ] {
        for fv in list.iter().flatten() {
            match serde_json::to_string(&fv.value) {
                Ok(json) => {
                    target.insert(fv.field.clone(), json);
                }
                Err(e) => errs.push(format!("{what}: value of {}: {e}", fv.field)),
            }
        }
    }
    if p.transformations.is_some() {
        ctx.unsupported("policies.ai.transformations");
    }
    if p.final_transformations.is_some() {
        ctx.unsupported("policies.ai.finalTransformations");
    }
    out.model_aliases = p.model_aliases.clone().unwrap_or_default();
    if let Some(c) = &p.prompt_caching {
        if c.cache_message_offset.is_some_and(|o| o != 0) {
            ctx.unsupported("policies.ai.promptCaching.cacheMessageOffset");
        }
        out.prompt_caching = Some(PromptCaching {
            cache_system: c.cache_system.unwrap_or(true),
            cache_messages: c.cache_messages.unwrap_or(true),
            cache_tools: c.cache_tools.unwrap_or(false),
            min_tokens: Some(
                c.min_tokens
                    .unwrap_or(1024)
                    .clamp(0, i64::from(u32::MAX))
                    .try_into()
                    .unwrap_or(u32::MAX),
            ),
        });
    }
    out.routes = p
        .routes
        .iter()
        .flatten()
        .filter_map(|(path, t)| match route_type(*t) {
            Some(t) => Some((path.clone(), t)),
            None => {
                ctx.unsupported(format!("policies.ai.routes[{path}]: {t:?}"));
                None
            }
        })
        .collect();
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

/// The route type in agentgateway's model; `None` for the kinds it cannot express
/// yet (`Detect`, `Realtime`, `Rerank`, and Gemini's native `GenerateContent` and
/// `GeminiCountTokens`).
fn route_type(t: ApiRouteType) -> Option<RouteType> {
    Some(match t {
        ApiRouteType::Completions => RouteType::Completions,
        ApiRouteType::Messages => RouteType::Messages,
        ApiRouteType::Models => RouteType::Models,
        ApiRouteType::Passthrough => RouteType::Passthrough,
        ApiRouteType::Responses => RouteType::Responses,
        ApiRouteType::AnthropicTokenCount => RouteType::AnthropicTokenCount,
        ApiRouteType::Embeddings => RouteType::Embeddings,
        ApiRouteType::Detect
        | ApiRouteType::Realtime
        | ApiRouteType::Rerank
        | ApiRouteType::GenerateContent
        | ApiRouteType::GeminiCountTokens => return None,
    })
}

/// Whether a request guard's scope is the default one: the system prompt and the
/// messages, nothing else (the list holds each value at most once).
fn is_default_scope(scope: &[GuardScope]) -> bool {
    scope.len() == 2
        && scope.contains(&GuardScope::SystemPrompt)
        && scope.contains(&GuardScope::Messages)
}

fn rejection(r: &GuardResponse) -> RequestRejection {
    RequestRejection {
        body: r
            .message
            .clone()
            .unwrap_or_else(|| DEFAULT_REJECTION_MESSAGE.into())
            .into_bytes(),
        status: r
            .status_code
            .and_then(|s| u32::try_from(s).ok())
            .unwrap_or(DEFAULT_REJECTION_STATUS),
    }
}

fn regex(g: &RegexGuard) -> RegexRules {
    let mut rules: Vec<RegexRule> = g
        .matches
        .iter()
        .flatten()
        .map(|m| RegexRule::Regex(m.clone()))
        .collect();
    rules.extend(g.builtins.iter().flatten().map(|b| {
        RegexRule::Builtin(match b {
            BuiltinPattern::Ssn => BuiltinRegex::Ssn,
            BuiltinPattern::CreditCard => BuiltinRegex::CreditCard,
            BuiltinPattern::PhoneNumber => BuiltinRegex::PhoneNumber,
            BuiltinPattern::Email => BuiltinRegex::Email,
            BuiltinPattern::CaSin => BuiltinRegex::CaSin,
        })
    }));
    RegexRules {
        action: match g.action.unwrap_or(ApiRegexAction::Mask) {
            ApiRegexAction::Mask => RegexAction::Mask,
            ApiRegexAction::Reject => RegexAction::Reject,
        },
        rules,
    }
}

fn webhook(ctx: &mut Ctx<'_>, w: &WebhookGuard) -> Result<model::Webhook, String> {
    // Rejecting when the service fails is what the translated webhook does; the
    // other settings have no counterpart in the model yet.
    if w.failure_mode == Some(FailureMode::FailOpen) {
        ctx.unsupported("policies.ai.promptGuard.webhook.failureMode: FailOpen");
    }
    if w.headers.is_some() {
        ctx.unsupported("policies.ai.promptGuard.webhook.headers");
    }
    let backend = ctx
        .backend_reference(&w.backend_ref)
        .map_err(|e| format!("failed to build webhook: {e}"))?;
    Ok(model::Webhook {
        backend: Some(backend),
        forward_header_matches: w
            .forward_header_matches
            .iter()
            .flatten()
            .map(|m| model::HeaderMatch {
                name: m.name.clone(),
                value: Some(match m.type_.unwrap_or(HeaderMatchType::Exact) {
                    HeaderMatchType::Exact => HeaderMatchValue::Exact(m.value.clone()),
                    HeaderMatchType::RegularExpression => HeaderMatchValue::Regex(m.value.clone()),
                }),
            })
            .collect(),
    })
}
