//! Request authorization by CEL expressions.

use crate::v1alpha1::backend_policies::mcp::{AuthorizationAction, AuthorizationPolicy};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Allow or deny HTTP requests by CEL expressions over the request and the client's
/// authenticated identity (e.g. `jwt.sub`, `apiKey.group`). Denied requests get a
/// `403`. Authorization rules from several policies that apply to the same request
/// are combined.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Authorization {
    /// What a match means: `Allow` (the default) lets matching requests through and
    /// denies the rest; `Deny` refuses matching requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("Allow"))]
    pub action: Option<AuthorizationAction>,
    /// The expressions; a request matches when any of them is true, e.g.
    /// `request.path.startsWith("/admin") && jwt.role == "admin"`.
    pub policy: AuthorizationPolicy,
}
