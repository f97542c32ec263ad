//! Request and response changes computed by CEL expressions.

use crate::v1alpha1::shared::cel_expression;
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::v1alpha1::shared::pseudo_header_name as header_name;
use std::collections::BTreeMap;

/// Changes to requests (before routing to the backend) and responses (before they
/// reach the client), computed per request by CEL expressions. Set at least one of
/// `request` and `response`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_of(&["request", "response"]))]
pub struct Transformation {
    /// Changes to the request.
    pub request: Option<Transform>,
    /// Changes to the response.
    pub response: Option<Transform>,
}

/// Changes to the headers and body of a request or response. Set at least one
/// field.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_field(&[]))]
pub struct Transform {
    /// Headers to set, replacing any existing values (1 to 16, distinct names).
    #[schemars(length(min = 1, max = 16), transform = markers::list_map(&["name"]))]
    pub set: Option<Vec<HeaderTransformation>>,
    /// Headers to add; an existing header keeps its values and gets this one too (1
    /// to 16, distinct names).
    #[schemars(length(min = 1, max = 16), transform = markers::list_map(&["name"]))]
    pub add: Option<Vec<HeaderTransformation>>,
    /// Names of headers to remove (1 to 16), e.g. `x-forwarded-user`.
    #[schemars(
        length(min = 1, max = 16),
        transform = markers::list_set,
        transform = markers::each(header_name)
    )]
    pub remove: Option<Vec<String>>,
    /// A CEL expression whose result replaces the body, e.g.
    /// `json(request.body).prompt`. Strings are used as they are; other values are
    /// written as JSON. The body is unchanged when unset.
    #[schemars(transform = cel_expression)]
    pub body: Option<String>,
    /// Values stored with the request for later policies and logs (1 to 16), each
    /// a CEL expression, e.g. `{"tenant": "jwt.org"}`.
    #[schemars(transform = markers::properties(Some(1), Some(16)), transform = markers::each(cel_expression))]
    pub metadata: Option<BTreeMap<String, String>>,
}

/// A header and the CEL expression computing its value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HeaderTransformation {
    /// Name of the header, e.g. `x-user`, or a pseudo-header such as `:path` to change
    /// the request path.
    #[schemars(transform = header_name)]
    pub name: String,
    /// CEL expression computing the value, e.g. `jwt.sub` or `"Bearer " + jwt.token`.
    #[schemars(transform = cel_expression)]
    pub value: String,
}
