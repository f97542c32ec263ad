//! Request timeouts and retries.

use crate::v1alpha1::shared::{DURATION_PATTERN, Duration, cel_expression, min_duration};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Time limits for requests. Set at least one.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::at_least_one_field(&[]))]
pub struct Timeouts {
    /// Longest time from when the gateway starts sending a request to the backend
    /// until the whole response has arrived, e.g. `30s`. At least `1ms`.
    #[schemars(transform = min_duration("1ms", "request must be at least 1ms"))]
    pub request: Option<Duration>,
}

/// Retrying requests that failed. The request body is buffered so it can be sent
/// again.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Retry {
    /// Response status codes that cause a retry (400 to 599), e.g. `503`.
    #[schemars(inner(range(min = 400, max = 599)), transform = markers::list_set)]
    pub codes: Option<Vec<u16>>,
    /// Most retries after the first attempt (at least 1), e.g. `2`. The gateway's
    /// default when unset.
    #[schemars(transform = markers::plain_integer, transform = markers::set("minimum", 1))]
    pub attempts: Option<i64>,
    /// Least time to wait between attempts, e.g. `100ms`, in the same duration
    /// syntax as elsewhere (`h`, `m`, `s`, `ms`).
    #[schemars(regex(pattern = DURATION_PATTERN))]
    pub backoff: Option<String>,
    /// A CEL expression over the response deciding whether to retry, e.g.
    /// `response.code == 503`; used together with `codes`.
    #[schemars(transform = cel_expression)]
    pub condition: Option<String>,
    /// A CEL expression over the request deciding whether it may be retried at all,
    /// e.g. `request.method == 'GET'`.
    #[schemars(transform = cel_expression)]
    pub precondition: Option<String>,
}
