//! TLS from the gateway to a backend.

use crate::v1alpha1::shared::{CaCertificateRef, CredentialRef};
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Connect to the backend over TLS. With no fields set, the backend's certificate is
/// verified against the system's trusted roots and the connection's host name. With
/// `certificateSource: SPIFFE`, the gateway's workload identity is used instead, and
/// `mtlsCertificateRef`, `caCertificateRefs` and `insecureSkipVerify` may not be set.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = markers::cel(
        "has(self.insecureSkipVerify) && self.insecureSkipVerify == 'All' ? !has(self.caCertificateRefs) : true",
        "insecureSkipVerify All and caCertificateRefs may not be set together"
    ),
    transform = markers::cel(
        "has(self.insecureSkipVerify) ? !has(self.verifySubjectAltNames) : true",
        "insecureSkipVerify and verifySubjectAltNames may not be set together"
    ),
    transform = markers::at_most_one_of(&["verifySubjectAltNames", "insecureSkipVerify"]),
    transform = markers::cel(
        "!has(self.certificateSource) || self.certificateSource != 'SPIFFE' || (!has(self.mtlsCertificateRef) && !has(self.caCertificateRefs) && !has(self.insecureSkipVerify))",
        "certificateSource SPIFFE may not be combined with mtlsCertificateRef, caCertificateRefs, or insecureSkipVerify"
    ),
)]
pub struct TlsPolicy {
    /// A Secret of type `kubernetes.io/tls` holding the client certificate and key the
    /// gateway presents (mutual TLS). May also hold `ca.crt` to verify the backend.
    /// At most one.
    #[schemars(length(max = 1), transform = markers::list_atomic)]
    pub mtls_certificate_ref: Option<Vec<CredentialRef>>,
    /// A ConfigMap or Secret whose `ca.crt` holds the PEM bundle of certificate
    /// authorities the backend's certificate must chain to, instead of the system
    /// roots. At most one.
    #[schemars(length(max = 1), transform = markers::list_atomic)]
    pub ca_certificate_refs: Option<Vec<CaCertificateRef>>,
    /// Where the gateway's client certificate and trusted roots come from: `Inline`
    /// (the default: the fields of this policy) or `SPIFFE` (the gateway's SPIFFE
    /// workload identity, for mutual TLS inside a mesh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default("Inline"))]
    pub certificate_source: Option<CertificateSource>,
    /// Skip verification. `Hostname` still verifies the certificate chain but accepts
    /// any name; `All` accepts any certificate. For testing only.
    pub insecure_skip_verify: Option<InsecureSkipVerify>,
    /// Server Name Indication sent in the handshake; the connection's host name when unset.
    #[schemars(transform = markers::dns_subdomain)]
    pub sni: Option<String>,
    /// Names the backend's certificate must carry as Subject Alternative Names; any one
    /// match suffices. Replaces the check against the host name.
    #[schemars(length(min = 1, max = 16), inner(length(min = 1, max = 256)))]
    pub verify_subject_alt_names: Option<Vec<String>>,
    /// ALPN protocols to offer, in order of preference, e.g. `h2`, `http/1.1`.
    #[schemars(length(min = 1, max = 16), inner(length(min = 1, max = 64)))]
    pub alpn_protocols: Option<Vec<String>>,
    /// Key exchange groups to offer, in order of preference, e.g. `X25519_MLKEM768`
    /// first for post-quantum protection. The TLS library's defaults when unset.
    pub key_exchange_groups: Option<Vec<KeyExchangeGroup>>,
}

/// Where the TLS credentials for a backend connection come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum CertificateSource {
    /// From the policy: `mtlsCertificateRef`, `caCertificateRefs` or the system roots.
    Inline,
    /// From the gateway's SPIFFE workload identity (its SVID and trust bundle).
    #[serde(rename = "SPIFFE")]
    Spiffe,
}

/// A TLS key exchange group (named curve or hybrid scheme).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum KeyExchangeGroup {
    /// ECDHE over NIST P-256 (secp256r1).
    #[serde(rename = "P-256")]
    P256,
    /// ECDHE over NIST P-384 (secp384r1).
    #[serde(rename = "P-384")]
    P384,
    /// ECDHE over Curve25519.
    X25519,
    /// Hybrid X25519 with ML-KEM-768, resistant to quantum attacks.
    #[serde(rename = "X25519_MLKEM768")]
    X25519Mlkem768,
}

/// Which parts of TLS verification to skip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum InsecureSkipVerify {
    /// Accept any certificate: no chain, no name check.
    All,
    /// Verify the chain but not the name.
    Hostname,
}
