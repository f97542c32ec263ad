//! External authorization of requests to a backend.
//!
//! The settings are those of the traffic policy's external authorization
//! ([`crate::v1alpha1::policy::traffic::external`]), declared by the same
//! `ext_auth_settings!`; a backend's `extAuth` has no `conditional` form and no
//! required fields.

use crate::v1alpha1::{
    policy::traffic::external::{ext_auth_settings, forward_body_rule},
    shared::BackendObjectReference,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

ext_auth_settings! {
    /// Ask an authorization server before each request goes to the backend: the server
    /// allows or denies it. Speak gRPC (Envoy's `ext_authz`) or plain HTTP.
    #[skip_serializing_none]
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    #[schemars(transform = forward_body_rule)]
    pub struct BackendExtAuth {
        /// The authorization server: a Service (with its port) or an
        /// AgentgatewayBackend.
        pub backend_ref: Option<BackendObjectReference>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v1alpha1::policy::traffic::external::ExtAuth;
    use serde_json::json;

    #[test]
    fn backend_ext_auth_has_the_traffic_settings_and_an_optional_backend_ref() {
        let settings = json!({
            "grpc": { "contextExtensions": { "app": "shop" } },
            "forwardBody": { "maxSize": "64Ki" },
            "failureMode": "FailOpen",
            "cache": { "key": ["request.headers['authorization']"], "ttl": "duration('5m')" }
        });
        let backend: BackendExtAuth =
            serde_json::from_value(settings.clone()).expect("no backendRef needed");
        assert_eq!(serde_json::to_value(&backend).ok(), Some(settings.clone()));

        let mut traffic = settings;
        traffic["backendRef"] =
            json!({ "group": "", "kind": "Service", "name": "authz", "port": 9000 });
        let parsed: ExtAuth = serde_json::from_value(traffic.clone()).expect("a valid extAuth");
        assert_eq!(serde_json::to_value(&parsed).ok(), Some(traffic));
    }
}
