//! Inline backend policies: the `policies` of a backend, an MCP target or an AI
//! provider, as the list of `BackendPolicySpec` agentgateway applies to connections.

use crate::{
    Ctx, duration,
    inputs::{secret_bytes, secret_value},
    model::{
        self, Alpn, Aws, AwsExplicitConfig, AwsKind, BackendAuthPolicy, BackendHttp,
        BackendPolicySpec, BackendTcp, BackendTls, Empty, HttpVersion, KeepaliveConfig, Key,
        McpAuthenticationMode, McpIdp, PolicyKind, ResourceMetadata, TlsVerification,
    },
};
use agentgateway_api::v1alpha1::{
    backend_policies::{
        AiProviderPolicies, BackendPolicies, McpTargetPolicies,
        ai::AiPolicy,
        auth::BackendAuth,
        http::{HttpPolicy, HttpVersion as ApiHttpVersion},
        mcp::{
            AuthorizationAction, McpAuthentication, McpAuthenticationMode as ApiMode,
            McpIdentityProvider, McpPolicy,
        },
        tcp::TcpPolicy,
        tls::{InsecureSkipVerify, TlsPolicy},
    },
    shared::BackendObjectReference,
};

/// The policies of one container (backend, MCP target, AI provider, moderation call).
#[derive(Default)]
pub struct PolicySet<'a> {
    pub tcp: Option<&'a TcpPolicy>,
    pub tls: Option<&'a TlsPolicy>,
    pub http: Option<&'a HttpPolicy>,
    pub auth: Option<&'a BackendAuth>,
    pub mcp: Option<&'a McpPolicy>,
    pub ai: Option<&'a AiPolicy>,
}

impl<'a> From<&'a BackendPolicies> for PolicySet<'a> {
    fn from(p: &'a BackendPolicies) -> Self {
        Self {
            tcp: p.tcp.as_ref(),
            tls: p.tls.as_ref(),
            http: p.http.as_ref(),
            auth: p.auth.as_ref(),
            mcp: p.mcp.as_ref(),
            ai: p.ai.as_ref(),
        }
    }
}

impl<'a> From<&'a McpTargetPolicies> for PolicySet<'a> {
    fn from(p: &'a McpTargetPolicies) -> Self {
        Self {
            tcp: p.tcp.as_ref(),
            tls: p.tls.as_ref(),
            http: p.http.as_ref(),
            auth: p.auth.as_ref(),
            mcp: p.mcp.as_ref(),
            ai: None,
        }
    }
}

impl<'a> From<&'a AiProviderPolicies> for PolicySet<'a> {
    fn from(p: &'a AiProviderPolicies) -> Self {
        Self {
            tcp: p.tcp.as_ref(),
            tls: p.tls.as_ref(),
            http: p.http.as_ref(),
            auth: p.auth.as_ref(),
            mcp: None,
            ai: p.ai.as_ref(),
        }
    }
}

/// Translates a set of policies, in the order agentgateway's control plane emits them:
/// HTTP, TLS, TCP, MCP authorization, MCP authentication, AI, auth. A policy that
/// cannot be translated is left out and its problems are recorded in `ctx`.
pub fn translate(ctx: &mut Ctx<'_>, set: &PolicySet<'_>) -> Vec<BackendPolicySpec> {
    let mut out = Vec::new();
    let mut push = |ctx: &mut Ctx<'_>, r: Result<PolicyKind, Vec<String>>| match r {
        Ok(kind) => out.push(kind.into()),
        Err(errs) => ctx.errors.extend(errs),
    };
    if let Some(http) = set.http {
        let r = self::http(http);
        push(ctx, r);
    }
    if let Some(tls) = set.tls {
        let r = self::tls(ctx, tls);
        push(ctx, r);
    }
    if let Some(tcp) = set.tcp {
        let r = self::tcp(tcp);
        push(ctx, r);
    }
    if let Some(mcp) = set.mcp {
        if let Some(authz) = &mcp.authorization {
            let rules = authz.policy.match_expressions.clone();
            let authz = match authz.action.unwrap_or(AuthorizationAction::Allow) {
                AuthorizationAction::Allow => model::McpAuthorization {
                    allow: rules,
                    ..Default::default()
                },
                AuthorizationAction::Deny => model::McpAuthorization {
                    deny: rules,
                    ..Default::default()
                },
            };
            push(ctx, Ok(PolicyKind::McpAuthorization(authz)));
        }
        if let Some(authn) = &mcp.authentication {
            let r = mcp_authentication(ctx, authn);
            push(ctx, r);
        }
    }
    if let Some(ai) = set.ai {
        let ai = crate::ai::policy(ctx, ai).map(|p| PolicyKind::Ai(Box::new(p)));
        push(ctx, ai);
    }
    if let Some(auth) = set.auth {
        let r = self::auth(ctx, auth).map(PolicyKind::Auth);
        push(ctx, r);
    }
    out
}

fn http(http: &HttpPolicy) -> Result<PolicyKind, Vec<String>> {
    let version = match http.version {
        None => HttpVersion::Unspecified,
        Some(ApiHttpVersion::Http1) => HttpVersion::Http1,
        Some(ApiHttpVersion::Http2) => HttpVersion::Http2,
    };
    let request_timeout = http
        .request_timeout
        .as_deref()
        .map(|t| duration::parse(t).map_err(|e| vec![format!("http.requestTimeout: {e}")]))
        .transpose()?;
    Ok(PolicyKind::BackendHttp(BackendHttp {
        version,
        request_timeout,
    }))
}

fn tcp(tcp: &TcpPolicy) -> Result<PolicyKind, Vec<String>> {
    let mut errs = Vec::new();
    let mut dur = |field: &str, v: &Option<String>| {
        v.as_deref().and_then(|t| {
            duration::parse(t)
                .map_err(|e| errs.push(format!("tcp.{field}: {e}")))
                .ok()
        })
    };
    let connect_timeout = dur("connectTimeout", &tcp.connect_timeout);
    let keepalive = tcp.keepalive.as_ref().map(|k| KeepaliveConfig {
        time: dur("keepalive.time", &k.time),
        interval: dur("keepalive.interval", &k.interval),
        retries: k.retries.and_then(|r| u32::try_from(r).ok()),
    });
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(PolicyKind::BackendTcp(BackendTcp {
        keepalive,
        connect_timeout,
    }))
}

/// Whether `bytes` hold at least one PEM block of the given label, e.g. `CERTIFICATE`.
fn has_pem(bytes: &[u8], what: &str) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.lines().any(|l| {
        let l = l.trim();
        l.starts_with("-----BEGIN ") && l.ends_with("-----") && l.contains(what)
    })
}

fn tls(ctx: &Ctx<'_>, tls: &TlsPolicy) -> Result<PolicyKind, Vec<String>> {
    let mut errs = Vec::new();
    let mut p = BackendTls::default();
    let ns = ctx.namespace;
    if let Some(r) = tls.mtls_certificate_ref.iter().flatten().next() {
        match ctx.inputs.secret(ns, &r.name) {
            None => errs.push(format!("secret {ns}/{} not found", r.name)),
            Some(secret) => {
                let cert = secret_bytes(secret, "tls.crt");
                let key = secret_bytes(secret, "tls.key");
                let mut problems = Vec::new();
                match &cert {
                    None => problems.push("no tls.crt"),
                    Some(c) if !has_pem(c, "CERTIFICATE") => {
                        problems.push("tls.crt is not a PEM certificate")
                    }
                    Some(_) => {}
                }
                match &key {
                    None => problems.push("no tls.key"),
                    Some(k) if !has_pem(k, "PRIVATE KEY") => {
                        problems.push("tls.key is not a PEM private key")
                    }
                    Some(_) => {}
                }
                if problems.is_empty() {
                    p.cert = cert;
                    p.key = key;
                    p.root = secret_bytes(secret, "ca.crt");
                } else {
                    errs.push(format!(
                        "secret {ns}/{} contains invalid certificate: {}",
                        r.name,
                        problems.join(", ")
                    ));
                }
            }
        }
    }
    // CA bundles from ConfigMaps replace a `ca.crt` of the client certificate Secret.
    let mut bundle = Vec::new();
    for r in tls.ca_certificate_refs.iter().flatten() {
        match ctx.inputs.config_map(ns, &r.name) {
            None => errs.push(format!("ConfigMap {ns}/{} not found", r.name)),
            Some(cm) => match cm.data.as_ref().and_then(|d| d.get("ca.crt")) {
                Some(pem) if has_pem(pem.as_bytes(), "CERTIFICATE") => bundle.push(pem.clone()),
                Some(_) => errs.push(format!(
                    "ConfigMap {ns}/{}: ca.crt holds no PEM certificate",
                    r.name
                )),
                None => errs.push(format!("ConfigMap {ns}/{} has no ca.crt", r.name)),
            },
        }
    }
    if !bundle.is_empty() {
        p.root = Some(bundle.join("\n").into_bytes());
    }
    p.verify_subject_alt_names = tls.verify_subject_alt_names.clone().unwrap_or_default();
    p.hostname = tls.sni.clone();
    p.verification = match tls.insecure_skip_verify {
        None => TlsVerification::Strict,
        Some(InsecureSkipVerify::Hostname) => TlsVerification::InsecureHost,
        Some(InsecureSkipVerify::All) => TlsVerification::InsecureAll,
    };
    p.alpn = tls
        .alpn_protocols
        .clone()
        .map(|protocols| Alpn { protocols });
    if errs.is_empty() {
        Ok(PolicyKind::BackendTls(p))
    } else {
        Err(errs)
    }
}

fn auth(ctx: &Ctx<'_>, auth: &BackendAuth) -> Result<BackendAuthPolicy, Vec<String>> {
    let ns = ctx.namespace;
    if let Some(key) = &auth.key {
        if key.is_empty() {
            return Err(vec!["auth.key is empty".into()]);
        }
        return Ok(BackendAuthPolicy::Key(Key {
            secret: key.clone(),
        }));
    }
    if let Some(r) = &auth.secret_ref {
        let secret = ctx
            .inputs
            .secret(ns, &r.name)
            .ok_or_else(|| vec![format!("secret {ns}/{} not found", r.name)])?;
        let value = secret_value(secret, "Authorization")
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                vec![format!(
                    "secret {ns}/{} missing Authorization value",
                    r.name
                )]
            })?;
        let value = value.strip_prefix("Bearer ").unwrap_or(&value).to_string();
        return Ok(BackendAuthPolicy::Key(Key { secret: value }));
    }
    if auth.passthrough.is_some() {
        return Ok(BackendAuthPolicy::Passthrough(Empty {}));
    }
    if let Some(aws) = &auth.aws {
        let name = &aws.secret_ref.name;
        let secret = ctx
            .inputs
            .secret(ns, name)
            .ok_or_else(|| vec![format!("secret {ns}/{name} not found")])?;
        let get = |k: &str| secret_value(secret, k).filter(|v| !v.is_empty());
        let mut errs = Vec::new();
        let mut need = |k: &str| {
            get(k).unwrap_or_else(|| {
                errs.push(format!("secret {ns}/{name} missing {k} value"));
                String::new()
            })
        };
        let access_key_id = need("accessKey");
        let secret_access_key = need("secretKey");
        if !errs.is_empty() {
            return Err(errs);
        }
        return Ok(BackendAuthPolicy::Aws(Aws {
            kind: Some(AwsKind::ExplicitConfig(AwsExplicitConfig {
                access_key_id,
                secret_access_key,
                region: String::new(),
                session_token: get("sessionToken"),
            })),
        }));
    }
    Err(vec![
        "auth sets none of key, secretRef, passthrough and aws".into(),
    ])
}

/// The URL of a key set served by a Service.
fn jwks_url(ctx: &Ctx<'_>, r: &BackendObjectReference, path: &str) -> Result<String, String> {
    if !(r.group.is_empty() && r.kind == "Service") {
        return Err(format!(
            "jwks backendRef: unsupported kind {}{}{} (only Service)",
            r.group,
            if r.group.is_empty() { "" } else { "/" },
            r.kind
        ));
    }
    let ns = r.namespace.as_deref().unwrap_or(ctx.namespace);
    let port = r
        .port
        .ok_or_else(|| format!("jwks backendRef: Service {ns}/{} needs a port", r.name))?;
    let path = path.trim_start_matches('/');
    Ok(format!(
        "http://{}:{port}/{path}",
        crate::service_hostname(&r.name, ns)
    ))
}

fn mcp_authentication(ctx: &Ctx<'_>, authn: &McpAuthentication) -> Result<PolicyKind, Vec<String>> {
    let store = ctx
        .inputs
        .jwks_store
        .as_ref()
        .ok_or_else(|| vec!["jwks store hasn't been initialized".to_string()])?;
    let url = jwks_url(ctx, &authn.jwks.backend_ref, &authn.jwks.jwks_path).map_err(|e| vec![e])?;
    let jwks = store
        .get(&url)
        .ok_or_else(|| vec![format!("jwks {url} is not available in the jwks store")])?;
    Ok(PolicyKind::McpAuthentication(model::McpAuthentication {
        issuer: authn.issuer.clone().unwrap_or_default(),
        audiences: authn.audiences.clone().unwrap_or_default(),
        jwks_inline: jwks.clone(),
        provider: match authn.provider {
            None => McpIdp::Unspecified,
            Some(McpIdentityProvider::Auth0) => McpIdp::Auth0,
            Some(McpIdentityProvider::Keycloak) => McpIdp::Keycloak,
        },
        resource_metadata: authn.resource_metadata.as_ref().map(|m| ResourceMetadata {
            extra: m.clone().into_iter().collect(),
        }),
        // Unset means Strict: a token is required unless the operator relaxes it.
        mode: match authn.mode.unwrap_or(ApiMode::Strict) {
            ApiMode::Strict => McpAuthenticationMode::Strict,
            ApiMode::Optional => McpAuthenticationMode::Optional,
            ApiMode::Permissive => McpAuthenticationMode::Permissive,
        },
    }))
}
