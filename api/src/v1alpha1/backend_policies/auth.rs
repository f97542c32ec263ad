//! Credentials the gateway presents to a backend.

use crate::v1alpha1::shared::{CredentialKeyRef, LocalObjectReference};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// How the gateway authenticates to the backend. Set exactly one way.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::exactly_one_of(&["key", "secretRef", "passthrough", "aws"]))]
pub struct BackendAuth {
    /// A key written inline, sent in the `Authorization` header. Prefer `secretRef`:
    /// anyone who can read this object can read the key.
    #[schemars(length(max = 2048))]
    pub key: Option<String>,
    /// A Secret in this object's namespace whose `Authorization` value is sent in the
    /// `Authorization` header (a leading `Bearer ` is added when missing).
    pub secret_ref: Option<CredentialKeyRef>,
    /// Forward the credentials of the incoming request unchanged.
    pub passthrough: Option<AuthPassthrough>,
    /// Sign requests with AWS Signature Version 4, as AWS services such as Bedrock expect.
    pub aws: Option<AwsAuth>,
}

/// Forward the client's own credentials. Has no settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuthPassthrough {}

/// AWS credentials for request signing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AwsAuth {
    /// A Secret in this object's namespace holding `accessKey`, `secretKey` and,
    /// optionally, `sessionToken`.
    pub secret_ref: LocalObjectReference,
}
