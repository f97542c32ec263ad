//! Cross-origin resource sharing (CORS) and cross-site request forgery (CSRF)
//! protection.

use crate::v1alpha1::shared::HEADER_NAME_PATTERN;
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// An origin, `http(s)://<host>[:<port>]` where the host may start with a `*.`
/// label or be `*`, or `*` alone for any origin.
const ORIGIN_PATTERN: &str =
    r"(^\*$)|(^(http(s)?):\/\/(((\*\.)?([a-zA-Z0-9\-]+\.)*[a-zA-Z0-9-]+|\*)(:([0-9]{1,5}))?)$)";

/// A list of CORS header names: 0 to 64 distinct names of 1 to 256 characters.
fn header_names(s: &mut schemars::Schema) {
    markers::max_items(64)(s);
    markers::list_set(s);
    markers::each(|i| {
        markers::length(1, 256)(i);
        markers::pattern(HEADER_NAME_PATTERN)(i);
    })(s);
}

/// How the gateway answers CORS preflight (`OPTIONS`) requests and which CORS headers
/// it adds to responses. Only requests whose `Origin` is allowed get CORS headers;
/// browsers block the rest. Fields unknown to this version are kept.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
// Upstream quirk kept on purpose (docs/api-fidelity.md): the properties are listed
// and unknown fields are preserved as well.
#[schemars(transform = markers::set("x-kubernetes-preserve-unknown-fields", true))]
pub struct Cors {
    /// Origins allowed to make cross-origin requests (up to 64), each
    /// `<scheme>://<host>[:<port>]`, e.g. `https://app.example.com`; the host may start
    /// with a `*` label, e.g. `https://*.example.com`. `*` alone allows any origin and
    /// cannot be combined with other entries. No origin is allowed when unset.
    #[schemars(
        length(max = 64),
        inner(length(min = 1, max = 253), regex(pattern = ORIGIN_PATTERN)),
        transform = markers::list_set,
        transform = markers::cel("!('*' in self && self.size() > 1)", "AllowOrigins cannot contain '*' alongside other origins"),
    )]
    pub allow_origins: Option<Vec<String>>,
    /// Whether browsers may send credentials (cookies, `Authorization`) with
    /// cross-origin requests (`Access-Control-Allow-Credentials: true`). Not sent when
    /// unset or false.
    pub allow_credentials: Option<bool>,
    /// Methods allowed in cross-origin requests (up to 9), e.g. `GET`, `POST`; `*`
    /// allows any method and cannot be combined with others. When unset, browsers
    /// allow only simple methods (`GET`, `HEAD`, `POST`).
    #[schemars(
        length(max = 9),
        transform = markers::list_set,
        transform = markers::cel("!('*' in self && self.size() > 1)", "AllowMethods cannot contain '*' alongside other methods"),
    )]
    pub allow_methods: Option<Vec<CorsMethod>>,
    /// Request headers clients may send in cross-origin requests (up to 64), e.g.
    /// `Authorization`; `*` allows any. When unset, only CORS-safelisted headers.
    #[schemars(
        transform = header_names,
        transform = markers::cel("!('*' in self && self.size() > 1)", "AllowHeaders cannot contain '*' alongside other methods"),
    )]
    pub allow_headers: Option<Vec<String>>,
    /// Response headers browsers let scripts read (up to 64), beyond the
    /// CORS-safelisted ones, e.g. `X-Request-Id`.
    #[schemars(transform = header_names)]
    pub expose_headers: Option<Vec<String>>,
    /// How long, in seconds, browsers may cache a preflight response. At least 1; 5
    /// when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1), transform = markers::default(5))]
    pub max_age: Option<i32>,
}

/// An HTTP method allowed in cross-origin requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum CorsMethod {
    /// `GET`.
    #[serde(rename = "GET")]
    Get,
    /// `HEAD`.
    #[serde(rename = "HEAD")]
    Head,
    /// `POST`.
    #[serde(rename = "POST")]
    Post,
    /// `PUT`.
    #[serde(rename = "PUT")]
    Put,
    /// `DELETE`.
    #[serde(rename = "DELETE")]
    Delete,
    /// `CONNECT`.
    #[serde(rename = "CONNECT")]
    Connect,
    /// `OPTIONS`.
    #[serde(rename = "OPTIONS")]
    Options,
    /// `TRACE`.
    #[serde(rename = "TRACE")]
    Trace,
    /// `PATCH`.
    #[serde(rename = "PATCH")]
    Patch,
    /// Any method.
    #[serde(rename = "*")]
    Any,
}

/// Protection against cross-site request forgery. Safe methods (`GET`, `HEAD`,
/// `OPTIONS`) and requests without `Sec-Fetch-Site` and `Origin` headers (same-origin
/// or non-browser clients) always pass. Other requests pass when `Sec-Fetch-Site`
/// says they are same-origin, or, without it, when their `Origin` matches the `Host`
/// or one of `additionalOrigins`; the rest are rejected with `403`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Csrf {
    /// Further origins to trust (1 to 16), each `<scheme>://<host>[:<port>]`, e.g.
    /// `https://admin.example.com`.
    #[schemars(length(min = 1, max = 16), inner(length(min = 1, max = 256)))]
    pub additional_origins: Option<Vec<String>>,
}
