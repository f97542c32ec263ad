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
        AiProviderPolicies, BackendPolicies, Connection, GuardrailPolicies, McpTargetPolicies,
        ai::AiPolicy,
        auth::{AwsAuth, BackendAuth, BedrockGuardrailAuth, ModelArmorAuth, ModerationAuth},
        ext_auth::BackendExtAuth,
        health::HealthPolicy,
        http::{HttpPolicy, HttpVersion as ApiHttpVersion},
        mcp::{
            AuthorizationAction, McpAuthentication, McpAuthenticationMode as ApiMode,
            McpIdentityProvider, McpPolicy,
        },
        tcp::TcpPolicy,
        tls::{CertificateSource, InsecureSkipVerify, TlsPolicy},
        tunnel::TunnelPolicy,
    },
    policy::traffic::transformation::Transformation,
    shared::{
        BackendObjectReference, CaCertificateKind, CredentialKeyRef, CredentialRef, Duration,
    },
};

/// The policies of one container (backend, MCP target, AI provider, guardrail call).
///
/// Build it with `.into()` from a container type, so every policy of the container
/// is seen; a policy this translation does not handle is then reported as
/// unsupported (the backend is not accepted) instead of being dropped.
#[derive(Default)]
pub struct PolicySet<'a> {
    /// Path of the container in the object, e.g. `spec.policies`, used to name
    /// unsupported fields. `policies` when empty.
    pub path: &'a str,
    pub tcp: Option<&'a TcpPolicy>,
    pub tls: Option<&'a TlsPolicy>,
    pub http: Option<&'a HttpPolicy>,
    pub tunnel: Option<&'a TunnelPolicy>,
    /// The credentials of a backend, MCP target or AI provider.
    pub auth: Option<&'a BackendAuth>,
    /// The narrower credentials of a guardrail service, in place of `auth`.
    pub guardrail_auth: Option<GuardrailAuth<'a>>,
    pub health: Option<&'a HealthPolicy>,
    pub ext_auth: Option<&'a BackendExtAuth>,
    pub transformation: Option<&'a Transformation>,
    pub mcp: Option<&'a McpPolicy>,
    pub ai: Option<&'a AiPolicy>,
}

/// The credentials of a guardrail service's `policies.auth`.
#[derive(Clone, Copy)]
pub enum GuardrailAuth<'a> {
    /// AWS Bedrock guardrails.
    Bedrock(&'a BedrockGuardrailAuth),
    /// A moderation service.
    Moderation(&'a ModerationAuth),
    /// Google Model Armor.
    ModelArmor(&'a ModelArmorAuth),
}

impl<'a> PolicySet<'a> {
    /// The connection group of every container: `tcp`, `tls`, `http`, `tunnel`.
    fn connection(path: &'a str, c: Connection<'a>) -> Self {
        Self {
            path,
            tcp: c.tcp,
            tls: c.tls,
            http: c.http,
            tunnel: c.tunnel,
            ..Default::default()
        }
    }

    fn field(&self, field: &str) -> String {
        let path = if self.path.is_empty() {
            "policies"
        } else {
            self.path
        };
        format!("{path}.{field}")
    }
}

impl<'a> From<&'a BackendPolicies> for PolicySet<'a> {
    fn from(p: &'a BackendPolicies) -> Self {
        Self {
            auth: p.auth.as_ref(),
            ext_auth: p.ext_auth.as_ref(),
            health: p.health.as_ref(),
            transformation: p.transformation.as_ref(),
            mcp: p.mcp.as_ref(),
            ai: p.ai.as_ref(),
            ..Self::connection("spec.policies", p.connection())
        }
    }
}

impl<'a> From<&'a McpTargetPolicies> for PolicySet<'a> {
    fn from(p: &'a McpTargetPolicies) -> Self {
        Self {
            auth: p.auth.as_ref(),
            ..Self::connection("spec.mcp.targets[].static.policies", p.connection())
        }
    }
}

impl<'a> From<&'a AiProviderPolicies> for PolicySet<'a> {
    fn from(p: &'a AiProviderPolicies) -> Self {
        Self {
            auth: p.auth.as_ref(),
            health: p.health.as_ref(),
            transformation: p.transformation.as_ref(),
            ai: p.ai.as_ref(),
            ..Self::connection("spec.ai provider policies", p.connection())
        }
    }
}

/// Guardrail containers differ only in the type of their `auth`.
macro_rules! guardrail_policies {
    ($($auth:ty => $variant:ident),*) => {$(
        impl<'a> From<&'a GuardrailPolicies<$auth>> for PolicySet<'a> {
            fn from(p: &'a GuardrailPolicies<$auth>) -> Self {
                Self {
                    guardrail_auth: p.auth.as_ref().map(GuardrailAuth::$variant),
                    ..Self::connection("guardrail policies", p.connection())
                }
            }
        }
    )*};
}
guardrail_policies!(
    BedrockGuardrailAuth => Bedrock,
    ModerationAuth => Moderation,
    ModelArmorAuth => ModelArmor
);

/// Translates a set of policies, in the order agentgateway's control plane emits them:
/// HTTP, TLS, TCP, MCP authorization, MCP authentication, AI, auth. A policy that
/// cannot be translated is left out and its problems are recorded in `ctx`; a policy
/// (or field) this translation does not handle yet is recorded as unsupported.
pub fn translate(ctx: &mut Ctx<'_>, set: &PolicySet<'_>) -> Vec<BackendPolicySpec> {
    let mut out = Vec::new();
    let mut push = |ctx: &mut Ctx<'_>, r: Result<PolicyKind, Vec<String>>| match r {
        Ok(kind) => out.push(kind.into()),
        Err(errs) => ctx.errors.extend(errs),
    };
    for (set_, name) in [
        (set.tunnel.is_some(), "tunnel"),
        (set.ext_auth.is_some(), "extAuth"),
        (set.health.is_some(), "health"),
        (set.transformation.is_some(), "transformation"),
    ] {
        if set_ {
            ctx.unsupported(set.field(name));
        }
    }
    if let Some(http) = set.http {
        let r = self::http(http);
        push(ctx, r);
    }
    if let Some(tls) = set.tls {
        let r = self::tls(ctx, set, tls);
        push(ctx, r);
    }
    if let Some(tcp) = set.tcp {
        let r = self::tcp(tcp);
        push(ctx, r);
    }
    if let Some(mcp) = set.mcp {
        for (set_, name) in [
            (mcp.guardrails.is_some(), "mcp.guardrails"),
            (
                mcp.authentication
                    .as_ref()
                    .is_some_and(|a| a.client_id.is_some()),
                "mcp.authentication.clientId",
            ),
            (
                mcp.authentication
                    .as_ref()
                    .is_some_and(|a| a.client_secret_ref.is_some()),
                "mcp.authentication.clientSecretRef",
            ),
        ] {
            if set_ {
                ctx.unsupported(set.field(name));
            }
        }
        if let Some(authz) = &mcp.authorization {
            let rules = authz.policy.match_expressions.clone();
            match authz.action.unwrap_or(AuthorizationAction::Allow) {
                AuthorizationAction::Allow => push(
                    ctx,
                    Ok(PolicyKind::McpAuthorization(model::McpAuthorization {
                        allow: rules,
                        ..Default::default()
                    })),
                ),
                AuthorizationAction::Deny => push(
                    ctx,
                    Ok(PolicyKind::McpAuthorization(model::McpAuthorization {
                        deny: rules,
                        ..Default::default()
                    })),
                ),
                AuthorizationAction::Require => {
                    ctx.unsupported(set.field("mcp.authorization.action: Require"))
                }
            }
        }
        if let Some(authn) = &mcp.authentication {
            let r = mcp_authentication(ctx, set, authn);
            push(ctx, r);
        }
    }
    if let Some(ai) = set.ai {
        let ai = crate::ai::policy(ctx, ai).map(|p| PolicyKind::Ai(Box::new(p)));
        push(ctx, ai);
    }
    let auth = match (set.auth, set.guardrail_auth) {
        (Some(a), _) => Some(AuthParts::backend(a)),
        (None, Some(g)) => Some(AuthParts::guardrail(g)),
        (None, None) => None,
    };
    if let Some(auth) = auth {
        if auth.unsupported.is_empty() {
            let r = self::auth(ctx, set, &auth).map(PolicyKind::Auth);
            push(ctx, r);
        } else {
            for f in &auth.unsupported {
                ctx.unsupported(set.field(f));
            }
        }
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
    let mut dur = |field: &str, v: &Option<Duration>| {
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

fn tls(ctx: &mut Ctx<'_>, set: &PolicySet<'_>, tls: &TlsPolicy) -> Result<PolicyKind, Vec<String>> {
    if tls.key_exchange_groups.is_some() {
        ctx.unsupported(set.field("tls.keyExchangeGroups"));
    }
    // The gateway's SPIFFE identity is not part of this translation's TLS model:
    // accepting the policy would send a connection with the system roots instead.
    if tls.certificate_source == Some(CertificateSource::Spiffe) {
        ctx.unsupported(set.field("tls.certificateSource: SPIFFE"));
    }
    let mut errs = Vec::new();
    let mut p = BackendTls::default();
    let ns = ctx.namespace;
    let mtls = tls.mtls_certificate_ref.iter().flatten().next();
    if let Some(r) = mtls.filter(|r| !r.is_secret()) {
        ctx.unsupported(format!(
            "{} ({})",
            set.field("tls.mtlsCertificateRef"),
            custom_kind(r)
        ));
    }
    if let Some(r) = mtls.filter(|r| r.is_secret()) {
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
    // CA bundles from a ConfigMap or Secret replace a `ca.crt` of the client
    // certificate Secret.
    let mut bundle = Vec::new();
    for r in tls.ca_certificate_refs.iter().flatten() {
        let (kind, pem) = match r.kind {
            CaCertificateKind::ConfigMap => (
                "ConfigMap",
                ctx.inputs
                    .config_map(ns, &r.name)
                    .map(|cm| cm.data.as_ref().and_then(|d| d.get("ca.crt")).cloned()),
            ),
            CaCertificateKind::Secret => (
                "Secret",
                ctx.inputs
                    .secret(ns, &r.name)
                    .map(|s| secret_value(s, "ca.crt")),
            ),
        };
        match pem {
            None => errs.push(format!("{kind} {ns}/{} not found", r.name)),
            Some(Some(pem)) if has_pem(pem.as_bytes(), "CERTIFICATE") => bundle.push(pem),
            Some(Some(_)) => errs.push(format!(
                "{kind} {ns}/{}: ca.crt holds no PEM certificate",
                r.name
            )),
            Some(None) => errs.push(format!("{kind} {ns}/{} has no ca.crt", r.name)),
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

/// The group and kind of a custom credential reference, e.g. `example.com/Vault`.
fn custom_kind(r: &CredentialRef) -> String {
    format!(
        "{}/{}",
        r.group.as_deref().unwrap_or_default(),
        r.kind.as_deref().unwrap_or_default()
    )
}

/// The parts of an auth policy this translation handles, whatever the container's
/// auth type, and the fields set that it does not handle.
#[derive(Default)]
struct AuthParts<'a> {
    key: Option<&'a str>,
    secret_ref: Option<&'a CredentialKeyRef>,
    passthrough: bool,
    aws: Option<&'a AwsAuth>,
    /// Fields set that this translation does not handle, relative to the container.
    unsupported: Vec<&'static str>,
}

impl<'a> AuthParts<'a> {
    fn guardrail(g: GuardrailAuth<'a>) -> Self {
        let location = |set: bool| if set { vec!["auth.location"] } else { vec![] };
        match g {
            GuardrailAuth::Bedrock(a) => Self {
                key: a.key.as_deref(),
                secret_ref: a.secret_ref.as_ref(),
                aws: a.aws.as_ref(),
                unsupported: location(a.location.is_some()),
                ..Default::default()
            },
            GuardrailAuth::Moderation(a) => Self {
                key: a.key.as_deref(),
                secret_ref: a.secret_ref.as_ref(),
                unsupported: location(a.location.is_some()),
                ..Default::default()
            },
            GuardrailAuth::ModelArmor(_) => Self {
                unsupported: vec!["auth.gcp"],
                ..Default::default()
            },
        }
    }

    fn backend(a: &'a BackendAuth) -> Self {
        let m = a;
        let unsupported = [
            (m.location.is_some(), "auth.location"),
            (m.credentials.is_some(), "auth.credentials"),
            (m.azure.is_some(), "auth.azure"),
            (m.gcp.is_some(), "auth.gcp"),
            (m.oauth_token_exchange.is_some(), "auth.oauthTokenExchange"),
            (a.cross_app_access.is_some(), "auth.crossAppAccess"),
            (a.jwt_sign.is_some(), "auth.jwtSign"),
        ]
        .into_iter()
        .filter_map(|(set, f)| set.then_some(f))
        .collect();
        Self {
            key: m.key.as_deref(),
            secret_ref: m.secret_ref.as_ref(),
            passthrough: m.passthrough.is_some(),
            aws: m.aws.as_ref(),
            unsupported,
        }
    }
}

fn auth(
    ctx: &mut Ctx<'_>,
    set: &PolicySet<'_>,
    auth: &AuthParts<'_>,
) -> Result<BackendAuthPolicy, Vec<String>> {
    let ns = ctx.namespace;
    if let Some(key) = auth.key {
        if key.is_empty() {
            return Err(vec!["auth.key is empty".into()]);
        }
        return Ok(BackendAuthPolicy::Key(Key {
            secret: key.to_string(),
        }));
    }
    if let Some(r) = auth.secret_ref {
        if !r.object().is_secret() {
            ctx.unsupported(format!(
                "{} ({})",
                set.field("auth.secretRef"),
                custom_kind(&r.object())
            ));
            return Err(Vec::new());
        }
        let name = &r.name;
        let key = r.key.as_deref().unwrap_or("Authorization");
        let secret = ctx
            .inputs
            .secret(ns, name)
            .ok_or_else(|| vec![format!("secret {ns}/{name} not found")])?;
        let value = secret_value(secret, key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| vec![format!("secret {ns}/{name} missing {key} value")])?;
        let value = value.strip_prefix("Bearer ").unwrap_or(&value).to_string();
        return Ok(BackendAuthPolicy::Key(Key { secret: value }));
    }
    if auth.passthrough {
        return Ok(BackendAuthPolicy::Passthrough(Empty {}));
    }
    if let Some(aws) = auth.aws {
        let mut unsupported = Vec::new();
        if aws.assume_role.is_some() {
            unsupported.push(set.field("auth.aws.assumeRole"));
        }
        if aws.service_name.is_some() {
            unsupported.push(set.field("auth.aws.serviceName"));
        }
        match &aws.secret_ref {
            None if aws.assume_role.is_none() => unsupported.push(format!(
                "{} (credentials from the environment)",
                set.field("auth.aws")
            )),
            Some(r) if !r.is_secret() => unsupported.push(format!(
                "{} ({})",
                set.field("auth.aws.secretRef"),
                custom_kind(r)
            )),
            _ => {}
        }
        let Some(r) = aws.secret_ref.as_ref().filter(|_| unsupported.is_empty()) else {
            for f in unsupported {
                ctx.unsupported(f);
            }
            return Err(Vec::new());
        };
        let name = &r.name;
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
                region: aws.region.clone().unwrap_or_default(),
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

fn mcp_authentication(
    ctx: &mut Ctx<'_>,
    set: &PolicySet<'_>,
    authn: &McpAuthentication,
) -> Result<PolicyKind, Vec<String>> {
    let provider = match authn.provider {
        None => McpIdp::Unspecified,
        Some(McpIdentityProvider::Auth0) => McpIdp::Auth0,
        Some(McpIdentityProvider::Keycloak) => McpIdp::Keycloak,
        Some(other) => {
            ctx.unsupported(format!(
                "{}: {other:?}",
                set.field("mcp.authentication.provider")
            ));
            return Err(Vec::new());
        }
    };
    let store = ctx
        .inputs
        .jwks_store
        .as_ref()
        .ok_or_else(|| vec!["jwks store hasn't been initialized".to_string()])?;
    let url = match (&authn.jwks.url, &authn.jwks.backend_ref) {
        (Some(url), None) => url.clone(),
        (None, Some(r)) => {
            let path = authn.jwks.jwks_path.as_deref().ok_or_else(|| {
                vec!["mcp.authentication.jwks: jwksPath is required with backendRef".to_string()]
            })?;
            jwks_url(ctx, r, path).map_err(|e| vec![e])?
        }
        _ => {
            return Err(vec![
                "mcp.authentication.jwks must set exactly one of backendRef and url".into(),
            ]);
        }
    };
    let jwks = store
        .get(&url)
        .ok_or_else(|| vec![format!("jwks {url} is not available in the jwks store")])?;
    Ok(PolicyKind::McpAuthentication(model::McpAuthentication {
        issuer: authn.issuer.clone().unwrap_or_default(),
        audiences: authn.audiences.clone().unwrap_or_default(),
        jwks_inline: jwks.clone(),
        provider,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::Inputs;
    use agentgateway_api::v1alpha1::{
        backend_policies::{BedrockGuardrailPolicies, ModelArmorPolicies, ModerationPolicies},
        shared::{CredentialLocation, NamedLocation},
    };
    use k8s_openapi::api::core::v1::Secret;

    fn run(set: &PolicySet<'_>) -> (Vec<BackendPolicySpec>, Vec<String>, Vec<String>) {
        run_with(&Inputs::default(), set)
    }

    fn run_with(
        inputs: &Inputs,
        set: &PolicySet<'_>,
    ) -> (Vec<BackendPolicySpec>, Vec<String>, Vec<String>) {
        let mut ctx = Ctx {
            namespace: "default",
            name: "b",
            inputs,
            errors: Vec::new(),
            unsupported: Vec::new(),
        };
        let out = translate(&mut ctx, set);
        (out, ctx.errors, ctx.unsupported)
    }

    fn key(secret: &str) -> Vec<BackendPolicySpec> {
        vec![
            PolicyKind::Auth(BackendAuthPolicy::Key(Key {
                secret: secret.into(),
            }))
            .into(),
        ]
    }

    /// A container parsed from its JSON form, as the apiserver would store it.
    fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
        serde_json::from_value(v).expect("a valid container")
    }

    #[test]
    fn a_moderation_key_becomes_a_key_policy() {
        let p: ModerationPolicies = serde_json::from_value(serde_json::json!({
            "auth": {"key": "sk-test"},
            "http": {"requestTimeout": "5s"},
        }))
        .expect("a valid container");
        let (out, errors, unsupported) = run(&(&p).into());
        assert!(
            errors.is_empty() && unsupported.is_empty(),
            "{errors:?} {unsupported:?}"
        );
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn guardrail_auth_this_translation_cannot_send_is_named() {
        let p = ModerationPolicies {
            auth: Some(ModerationAuth {
                key: Some("sk-test".into()),
                location: Some(CredentialLocation {
                    query_parameter: Some(NamedLocation { name: "key".into() }),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let (out, _, unsupported) = run(&(&p).into());
        assert!(out.is_empty());
        assert_eq!(unsupported, ["guardrail policies.auth.location"]);

        let armor: ModelArmorPolicies = serde_json::from_value(serde_json::json!({
            "auth": {"gcp": {}},
            "tunnel": {"backendRef": {"name": "proxy", "port": 3128}},
        }))
        .expect("a valid container");
        let (_, _, unsupported) = run(&(&armor).into());
        assert_eq!(
            unsupported,
            ["guardrail policies.tunnel", "guardrail policies.auth.gcp"]
        );
    }

    #[test]
    fn bedrock_guardrail_aws_keys_come_from_the_secret() {
        let p: BedrockGuardrailPolicies = serde_json::from_value(serde_json::json!({
            "auth": {"aws": {"secretRef": {"name": "aws"}, "region": "eu-west-1"}},
        }))
        .expect("a valid container");
        let (out, errors, _) = run(&(&p).into());
        assert!(out.is_empty());
        assert_eq!(errors, ["secret default/aws not found"]);
    }

    #[test]
    fn health_and_transformation_of_an_ai_provider_are_named() {
        let p: AiProviderPolicies = parse(serde_json::json!({
            "auth": {"key": "sk-test"},
            "health": {"unhealthyCondition": "response.code >= 500"},
            "transformation": {"request": {"set": [{"name": "x-user", "value": "jwt.sub"}]}},
        }));
        let (out, errors, unsupported) = run(&(&p).into());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            unsupported,
            [
                "spec.ai provider policies.health",
                "spec.ai provider policies.transformation"
            ]
        );
        assert_eq!(out, key("sk-test"));
    }

    #[test]
    fn a_pem_block_is_a_begin_line_with_its_label() {
        let cert =
            b"subject=CN=x\n  -----BEGIN CERTIFICATE-----  \nMIIB\n-----END CERTIFICATE-----\n";
        assert!(has_pem(cert, "CERTIFICATE"));
        assert!(has_pem(b"-----BEGIN EC PRIVATE KEY-----", "PRIVATE KEY"));
        // Another label's block.
        assert!(!has_pem(cert, "PRIVATE KEY"));
        // The label outside a BEGIN line, or a BEGIN line cut short.
        assert!(!has_pem(b"CERTIFICATE", "CERTIFICATE"));
        assert!(!has_pem(b"-----END CERTIFICATE-----", "CERTIFICATE"));
        assert!(!has_pem(b"-----BEGIN CERTIFICATE", "CERTIFICATE"));
        assert!(!has_pem(b"", "CERTIFICATE"));
    }

    #[test]
    fn a_bedrock_guardrail_key_is_sent_inline_or_from_its_secret() {
        let inline: BedrockGuardrailPolicies = parse(serde_json::json!({
            "auth": {"key": "bedrock-inline"},
        }));
        let (out, errors, unsupported) = run(&(&inline).into());
        assert!(
            errors.is_empty() && unsupported.is_empty(),
            "{errors:?} {unsupported:?}"
        );
        assert_eq!(out, key("bedrock-inline"));

        let secret: Secret = parse(serde_json::json!({
            "metadata": {"namespace": "default", "name": "bedrock"},
            "stringData": {"apiKey": "Bearer bedrock-from-secret"},
        }));
        let inputs = Inputs {
            secrets: vec![secret],
            ..Default::default()
        };
        let by_ref: BedrockGuardrailPolicies = parse(serde_json::json!({
            "auth": {"secretRef": {"name": "bedrock", "key": "apiKey"}},
        }));
        let (out, errors, unsupported) = run_with(&inputs, &(&by_ref).into());
        assert!(
            errors.is_empty() && unsupported.is_empty(),
            "{errors:?} {unsupported:?}"
        );
        assert_eq!(out, key("bedrock-from-secret"));

        let located: BedrockGuardrailPolicies = parse(serde_json::json!({
            "auth": {"key": "bedrock-inline", "location": {"queryParameter": {"name": "key"}}},
        }));
        let (out, errors, unsupported) = run(&(&located).into());
        assert!(out.is_empty() && errors.is_empty(), "{out:?} {errors:?}");
        assert_eq!(unsupported, ["guardrail policies.auth.location"]);
    }

    #[test]
    fn aws_credentials_this_translation_cannot_read_are_named_once() {
        let case = |aws: serde_json::Value| {
            let p: BackendPolicies = parse(serde_json::json!({"auth": {"aws": aws}}));
            let (out, errors, unsupported) = run(&(&p).into());
            assert!(out.is_empty() && errors.is_empty(), "{out:?} {errors:?}");
            unsupported
        };
        assert_eq!(
            case(serde_json::json!({"region": "eu-west-1"})),
            ["spec.policies.auth.aws (credentials from the environment)"]
        );
        assert_eq!(
            case(serde_json::json!({
                "assumeRole": {"roleArn": "arn:aws:iam::123456789012:role/bedrock-caller"},
            })),
            ["spec.policies.auth.aws.assumeRole"]
        );
        assert_eq!(
            case(serde_json::json!({
                "secretRef": {"group": "secrets.example.com", "kind": "Vault", "name": "aws"},
            })),
            ["spec.policies.auth.aws.secretRef (secrets.example.com/Vault)"]
        );
    }

    #[test]
    fn key_sets_come_from_core_services_only() {
        let inputs = Inputs::default();
        let ctx = Ctx {
            namespace: "tools",
            name: "b",
            inputs: &inputs,
            errors: Vec::new(),
            unsupported: Vec::new(),
        };
        let r = |group: &str, kind: &str| BackendObjectReference {
            group: group.into(),
            kind: kind.into(),
            name: "idp".into(),
            namespace: None,
            port: Some(8080),
        };
        assert_eq!(
            jwks_url(&ctx, &r("", "Service"), "/keys"),
            Ok("http://idp.tools.svc.cluster.local:8080/keys".to_string())
        );
        assert_eq!(
            jwks_url(&ctx, &r("", "ConfigMap"), "/keys"),
            Err("jwks backendRef: unsupported kind ConfigMap (only Service)".to_string())
        );
        assert_eq!(
            jwks_url(&ctx, &r("example.com", "Service"), "/keys"),
            Err("jwks backendRef: unsupported kind example.com/Service (only Service)".to_string())
        );
    }
}
