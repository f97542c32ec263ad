//! `AgentgatewayParameters`: how the controller deploys the gateway proxy.
//!
//! A Gateway (through its `infrastructure.parametersRef`) or a GatewayClass refers to
//! an `AgentgatewayParameters` object to customize the workload (a Deployment or a
//! DaemonSet), Service, ServiceAccount, autoscaler and disruption budget the controller
//! creates for the proxy: image, environment, resources, logging, shutdown timing, raw
//! proxy configuration, Istio and model catalog settings, and overlays merged onto the
//! generated objects.

pub mod env;
pub mod resources;

use crdgen::markers;
use kube_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;

/// Description of the `AgentgatewayParameters` object as a whole.
pub const DESCRIPTION: &str = "AgentgatewayParameters customizes the proxy the controller deploys for a \
Gateway: container image, environment, resources, logging, shutdown timing, raw proxy \
configuration, the workload kind (Deployment or DaemonSet), Istio and model catalog settings, \
and overlays for the generated workload, Service, ServiceAccount, autoscaler and disruption budget. \
Gateways and GatewayClasses refer to it through their parameters reference.";

/// How the gateway proxy is deployed and configured. Every field is optional; unset
/// fields keep the controller's defaults.
#[skip_serializing_none]
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "agentgateway.dev",
    version = "v1alpha1",
    kind = "AgentgatewayParameters",
    plural = "agentgatewayparameters",
    singular = "agentgatewayparameters",
    namespaced,
    status = "AgentgatewayParametersStatus",
    shortname = "agpar",
    category = "agentgateway",
    label("app", "agentgateway"),
    label("app.kubernetes.io/name", "agentgateway"),
    label("gateway.networking.k8s.io/policy", "Direct"),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    ),
    schema = "disabled",
    crates(kube_core = "::kube_core"),
    derive = "PartialEq",
    derive = "Default"
)]
#[serde(rename_all = "camelCase")]
#[schemars(
    transform = markers::cel(
        "!has(self.deployment) || !has(self.workload) || !has(self.workload.kind) || self.workload.kind == 'Deployment'",
        "deployment overlays are only valid when workload.kind is Deployment or unset"
    ),
    transform = markers::cel(
        "!has(self.daemonSet) || (has(self.workload) && has(self.workload.kind) && self.workload.kind == 'DaemonSet')",
        "daemonSet overlays are only valid when workload.kind is DaemonSet"
    ),
    transform = markers::cel(
        "!has(self.horizontalPodAutoscaler) || !has(self.workload) || !has(self.workload.kind) || self.workload.kind != 'DaemonSet'",
        "horizontalPodAutoscaler is not valid when workload.kind is DaemonSet"
    ),
)]
pub struct AgentgatewayParametersSpec {
    /// Container image of the proxy. Unset parts keep the controller's default image.
    pub image: Option<Image>,
    /// Extra environment variables for the proxy container, added to the ones the
    /// controller sets, e.g. `[{name: RUST_BACKTRACE, value: "1"}]`.
    pub env: Option<Vec<env::EnvVar>>,
    /// CPU, memory and other compute resources requested by and allowed to the proxy
    /// container, e.g. `requests: {cpu: 100m, memory: 128Mi}`.
    pub resources: Option<resources::ResourceRequirements>,
    /// Log level and format of the proxy.
    pub logging: Option<Logging>,
    /// Proxy configuration merged into the configuration the controller generates,
    /// written as the proxy's own configuration file would be. For settings the other
    /// fields do not cover; it is passed through without validation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::free_form_object)]
    pub raw_config: Option<Map<String, Value>>,
    /// How long the proxy keeps serving while it shuts down, in seconds.
    pub shutdown: Option<Shutdown>,
    /// How the proxy runs: as a Deployment (the default) or as a DaemonSet, one proxy
    /// per node.
    pub workload: Option<Workload>,
    /// Changes merged onto the Deployment the controller generates for the proxy.
    /// Only when `workload.kind` is `Deployment` or unset.
    pub deployment: Option<ObjectOverlay>,
    /// Changes merged onto the DaemonSet the controller generates for the proxy.
    /// Only when `workload.kind` is `DaemonSet`.
    pub daemon_set: Option<ObjectOverlay>,
    /// A HorizontalPodAutoscaler for the proxy's Deployment: setting this (even to
    /// `{}`) makes the controller create one, and `spec` is merged onto it, e.g.
    /// `{minReplicas: 2, maxReplicas: 10}`. Not with `workload.kind` `DaemonSet`.
    pub horizontal_pod_autoscaler: Option<ObjectOverlay>,
    /// A PodDisruptionBudget for the proxy's pods: setting this (even to `{}`) makes
    /// the controller create one, and `spec` is merged onto it, e.g.
    /// `{minAvailable: 1}`.
    pub pod_disruption_budget: Option<ObjectOverlay>,
    /// Changes merged onto the Service the controller generates for the proxy.
    pub service: Option<ObjectOverlay>,
    /// Changes merged onto the ServiceAccount the controller generates for the proxy.
    pub service_account: Option<ObjectOverlay>,
    /// Istio integration: join the mesh's identity (mTLS with Istio certificates) so
    /// the proxy can reach workloads that require mesh traffic.
    pub istio: Option<Istio>,
    /// Where the proxy finds the catalog of model metadata (context windows, prices,
    /// capabilities) it uses for AI traffic, in addition to its built-in one.
    pub model_catalog: Option<ModelCatalog>,
    /// SPIFFE workload identity: the proxy gets its X.509 identity (SVID) and trust
    /// bundles from a SPIFFE Workload API socket on the node, as SPIRE's agent
    /// serves it, and uses them for mutual TLS.
    pub spiffe: Option<Spiffe>,
}

/// Whether and how the proxy reaches a SPIFFE Workload API.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Spiffe {
    /// Whether to mount the Workload API socket into the proxy and use the
    /// identity it serves. The controller's setting when unset.
    pub enabled: Option<bool>,
    /// Where the Workload API socket comes from and where the proxy finds it.
    /// The controller's defaults when unset.
    pub source: Option<SpiffeSource>,
}

/// How the Workload API socket gets into the proxy's pod: through a CSI driver
/// (such as the SPIFFE CSI driver) or a directory of the node. Set at most one of
/// `csi` and `hostPath`; with neither, the controller's default source is used.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::at_most_one_of(&["csi", "hostPath"]))]
pub struct SpiffeSource {
    /// Mount the socket with a CSI volume.
    pub csi: Option<SpiffeCsi>,
    /// Mount the socket from a directory on the node.
    pub host_path: Option<SpiffeHostPath>,
    /// Absolute path in the proxy container where the socket's directory is
    /// mounted, e.g. `/run/spire/sockets`.
    #[schemars(transform = markers::pattern("^/"))]
    pub mount_path: Option<String>,
    /// File name of the socket within `mountPath`, e.g. `agent.sock`.
    pub socket_name: Option<String>,
}

/// A CSI volume that provides the Workload API socket.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SpiffeCsi {
    /// Name of the CSI driver, e.g. `csi.spiffe.io`. The controller's default when
    /// unset.
    pub driver: Option<String>,
}

/// A directory of the node holding the Workload API socket.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SpiffeHostPath {
    /// Path of the directory on the node, e.g. `/run/spire/agent-sockets`.
    #[schemars(length(min = 1))]
    pub path: String,
}

/// The kind of workload that runs the proxy.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Workload {
    /// `Deployment` (the default when unset) or `DaemonSet`.
    pub kind: Option<WorkloadKind>,
}

/// A Kubernetes workload kind for the proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum WorkloadKind {
    /// One proxy pod on every (selected) node; use `daemonSet` for overlays.
    DaemonSet,
    /// A number of replicas scheduled anywhere; use `deployment` for overlays.
    Deployment,
}

/// How the proxy joins an Istio mesh. Unset fields are discovered from the cluster
/// where the controller can.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Istio {
    /// Whether to join the mesh. The controller's setting when unset.
    pub enabled: Option<bool>,
    /// Address of the certificate authority that signs workload certificates, e.g.
    /// `istiod.istio-system.svc:15012`.
    pub ca_address: Option<String>,
    /// Trust domain of the mesh, e.g. `cluster.local`.
    pub trust_domain: Option<String>,
    /// Other trust domains whose workload identities the proxy accepts, e.g. during
    /// a trust domain migration.
    pub additional_trust_domains: Option<Vec<String>>,
    /// ID of the cluster in a multi-cluster mesh, e.g. `Kubernetes`.
    pub cluster_id: Option<String>,
    /// Network of the proxy in a multi-network mesh.
    pub network: Option<String>,
}

/// Sources of model metadata for the proxy.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModelCatalog {
    /// The sources, read in order; a model described by a later source overrides
    /// an earlier description.
    pub sources: Option<Vec<ModelCatalogSource>>,
}

/// One source of model metadata.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelCatalogSource {
    /// A ConfigMap in the Gateway's namespace holding the catalog.
    pub config_map: Option<ConfigMapKey>,
}

/// A key of a ConfigMap in the Gateway's namespace.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigMapKey {
    /// Name of the ConfigMap.
    #[schemars(length(min = 1))]
    pub name: String,
    /// Key of the entry holding the catalog. The controller's default key when
    /// unset.
    pub key: Option<String>,
}

/// The proxy's container image, given in parts. The image reference is
/// `<registry>/<repository>:<tag>`, or `<registry>/<repository>@<digest>` when
/// `digest` is set.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// Registry host, with an optional port, e.g. `ghcr.io` or `registry.example.com:5000`.
    pub registry: Option<String>,
    /// Repository within the registry, e.g. `agentgateway/agentgateway`.
    pub repository: Option<String>,
    /// Image tag, e.g. `v1.0.0`. Ignored when `digest` is set.
    pub tag: Option<String>,
    /// Image digest, e.g. `sha256:...`. Pins the exact image and takes precedence over `tag`.
    pub digest: Option<String>,
    /// When the kubelet pulls the image: `Always`, `IfNotPresent` or `Never`. Unset
    /// follows the Kubernetes default (`Always` for a `latest` or missing tag, else
    /// `IfNotPresent`).
    pub pull_policy: Option<String>,
}

/// What the proxy logs and how.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Logging {
    /// Minimum level of the messages logged: `error`, `warn`, `info`, `debug` or
    /// `trace`. May also be a filter with per-component levels, e.g.
    /// `info,rmcp=debug`. Unset keeps the proxy's default (`info`).
    pub level: Option<String>,
    /// Format of each log line. Unset keeps the proxy's default.
    pub format: Option<LogFormat>,
}

/// Format of the proxy's log lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum LogFormat {
    /// One JSON object per line, for log collectors.
    #[serde(rename = "json")]
    Json,
    /// Human-readable text.
    #[serde(rename = "text")]
    Text,
}

/// Timing of the proxy's graceful shutdown, in seconds. When a pod stops, the proxy
/// keeps serving for at least `min` seconds (so load balancers notice it is going
/// away), then waits for open connections to finish, for at most `max` seconds in all.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::cel("self.min <= self.max", "The 'min' value must be less than or equal to the 'max' value."))]
pub struct Shutdown {
    /// Seconds the proxy keeps accepting traffic after shutdown starts, from 0 to
    /// 31536000 (one year). At most `max`.
    #[schemars(transform = markers::range(0, SHUTDOWN_MAX_SECONDS))]
    pub min: i64,
    /// Seconds after which the proxy exits even if connections are still open, from 0
    /// to 31536000 (one year). At least `min`.
    #[schemars(transform = markers::range(0, SHUTDOWN_MAX_SECONDS))]
    pub max: i64,
}

/// Longest shutdown phase allowed, in seconds: one year.
pub const SHUTDOWN_MAX_SECONDS: i64 = 31_536_000;

/// Changes to one object the controller generates (Deployment, Service or
/// ServiceAccount). Labels and annotations are added to the object's; `spec` is merged
/// onto the generated spec as a strategic merge patch.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ObjectOverlay {
    /// Labels and annotations added to the generated object.
    pub metadata: Option<OverlayMetadata>,
    /// Fields merged onto the generated object's `spec`, written as in that kind's own
    /// spec, e.g. `{replicas: 3}` for a Deployment or `{type: NodePort}` for a Service.
    /// Lists merge by their Kubernetes merge keys (containers by `name`); a field set
    /// to `null` is removed. The fields are not validated here, but when the object
    /// is applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::free_form_object)]
    pub spec: Option<Map<String, Value>>,
}

/// Labels and annotations for a generated object. On a key the controller also sets,
/// the value given here wins.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OverlayMetadata {
    /// Labels added to the object, e.g. `team: payments`.
    pub labels: Option<BTreeMap<String, String>>,
    /// Annotations added to the object, e.g.
    /// `service.beta.kubernetes.io/aws-load-balancer-type: nlb` on the Service.
    pub annotations: Option<BTreeMap<String, String>>,
}

/// What the controller reports about an `AgentgatewayParameters`. It has no fields
/// yet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AgentgatewayParametersStatus {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spec_round_trips_with_quantities_and_free_form_overlays() {
        let value = json!({
            "image": { "registry": "ghcr.io", "tag": "v1.0.0" },
            "env": [
                { "name": "A", "value": "1" },
                { "name": "POD", "valueFrom": { "fieldRef": { "fieldPath": "metadata.name" } } },
            ],
            "resources": {
                "requests": { "cpu": "100m", "memory": "128Mi" },
                "limits": { "cpu": 2 },
            },
            "logging": { "format": "json", "level": "info" },
            "rawConfig": { "config": { "adminAddr": "0.0.0.0:15000" } },
            "shutdown": { "min": 5, "max": 60 },
            "deployment": {
                "metadata": { "labels": { "team": "payments" } },
                "spec": { "replicas": 3 },
            },
            "workload": { "kind": "Deployment" },
            "horizontalPodAutoscaler": { "spec": { "maxReplicas": 5 } },
            "istio": { "enabled": true, "additionalTrustDomains": ["old.local"] },
            "modelCatalog": { "sources": [{ "configMap": { "name": "models" } }] },
        });
        let spec: AgentgatewayParametersSpec =
            serde_json::from_value(value.clone()).expect("spec parses");
        let limits = spec.resources.as_ref().and_then(|r| r.limits.as_ref());
        assert_eq!(
            limits.and_then(|l| l.get("cpu")),
            Some(&resources::Quantity::Int(2))
        );
        assert_eq!(serde_json::to_value(&spec).expect("spec serializes"), value);
    }
}
