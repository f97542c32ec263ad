//! Fixed changes to request and response headers, and the `Host` header.

use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Headers to set, add and remove, on requests (before they go to the backend) and
/// responses (before they go to the client). Set at least one of `request` and
/// `response`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_of(&["request", "response"]))]
pub struct HeaderModifiers {
    /// Changes to the request headers.
    pub request: Option<HeaderFilter>,
    /// Changes to the response headers.
    pub response: Option<HeaderFilter>,
}

/// Changes to a set of headers with fixed values. Header names are compared
/// case-insensitively.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HeaderFilter {
    /// Headers to set, replacing any existing values (up to 16, distinct names).
    #[schemars(length(max = 16), transform = markers::list_map(&["name"]))]
    pub set: Option<Vec<HttpHeader>>,
    /// Headers to add; an existing header keeps its values and gets this one too (up
    /// to 16, distinct names).
    #[schemars(length(max = 16), transform = markers::list_map(&["name"]))]
    pub add: Option<Vec<HttpHeader>>,
    /// Names of headers to remove (up to 16), e.g. `x-internal-token`.
    #[schemars(length(max = 16), transform = markers::list_set)]
    pub remove: Option<Vec<String>>,
}

/// A header name and a fixed value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HttpHeader {
    /// Name of the header, e.g. `X-Env`.
    #[schemars(transform = crate::v1alpha1::shared::header_name)]
    pub name: String,
    /// Value of the header (1 to 4096 characters).
    #[schemars(length(min = 1, max = 4096))]
    pub value: String,
}

/// Whether the `Host` header of requests is rewritten. Ignored on routes whose
/// `urlRewrite` filter already sets a host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HostRewrite {
    /// `Auto` sets `Host` to the backend's host name; `None` passes the client's
    /// `Host` through unchanged. When this policy is not set, hostname-based
    /// backends get `Auto` and Services and IP-based backends `None`.
    pub mode: HostRewriteMode,
}

/// How the `Host` header is rewritten.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum HostRewriteMode {
    /// Set `Host` to the backend's host name.
    Auto,
    /// Keep the client's `Host`.
    #[serde(rename = "None")]
    Keep,
}
