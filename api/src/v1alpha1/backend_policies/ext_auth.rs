//! External authorization of requests to a backend.
//!
//! The settings are those of the traffic policy's external authorization
//! ([`crate::v1alpha1::policy::traffic::external`]), declared by the same
//! `ext_auth_settings!`; a backend's `extAuth` has no `conditional` form and does
//! not require `grpc` or `http`.

use crate::v1alpha1::{
    policy::traffic::external::{ext_auth_rules, ext_auth_settings},
    shared::backend_ref_or_url_as,
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
    #[schemars(
        transform = backend_ref_or_url_as("exactly one of backendRef or url must be set"),
        transform = ext_auth_rules,
    )]
    pub struct BackendExtAuth {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v1alpha1::policy::traffic::external::ExtAuth;
    use serde_json::json;

    #[test]
    fn backend_and_traffic_ext_auth_share_their_settings() {
        let settings = json!({
            "url": "https://authz.example.com/check",
            "http": { "allowedRequestHeaders": ["cookie"] },
            "failureMode": "FailOpen",
            "cache": { "key": ["request.headers['authorization']"], "ttl": "duration('5m')" }
        });
        let backend: BackendExtAuth =
            serde_json::from_value(settings.clone()).expect("a backend extAuth");
        assert_eq!(serde_json::to_value(&backend).ok(), Some(settings.clone()));

        let mut traffic = settings;
        traffic.as_object_mut().expect("an object").remove("url");
        traffic["backendRef"] =
            json!({ "group": "", "kind": "Service", "name": "authz", "port": 9000 });
        let parsed: ExtAuth = serde_json::from_value(traffic.clone()).expect("a valid extAuth");
        assert_eq!(serde_json::to_value(&parsed).ok(), Some(traffic));
    }
}
