//! Environment variables of the proxy container, as in a Kubernetes container spec.

use crate::v1alpha1::parameters::resources::Quantity;
use crdgen::markers;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// One environment variable: a literal `value`, or a value read from elsewhere with
/// `valueFrom`.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    /// Name of the variable, e.g. `RUST_LOG`.
    pub name: String,
    /// Literal value. `$(OTHER)` is replaced by the value of the variable `OTHER` when
    /// that is defined earlier in the list; `$$(OTHER)` writes `$(OTHER)` literally.
    /// Unset or empty means the empty string. Ignored when `valueFrom` is set.
    pub value: Option<String>,
    /// Reads the value from a ConfigMap, Secret, file, field of the pod or resource
    /// of the container instead of giving it literally.
    pub value_from: Option<EnvVarSource>,
}

/// Where the value of an environment variable comes from. Set one field.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvVarSource {
    /// A key of a ConfigMap in the pod's namespace.
    pub config_map_key_ref: Option<ConfigMapKeySelector>,
    /// A field of the pod, e.g. `metadata.name`, `status.podIP` or
    /// `metadata.labels['app']`.
    pub field_ref: Option<ObjectFieldSelector>,
    /// A key of an env-format file (`KEY=value` lines) in one of the pod's volumes.
    pub file_key_ref: Option<FileKeySelector>,
    /// A resource limit or request of a container, e.g. `limits.memory`.
    pub resource_field_ref: Option<ResourceFieldSelector>,
    /// A key of a Secret in the pod's namespace.
    pub secret_key_ref: Option<SecretKeySelector>,
}

/// A key of a ConfigMap.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::map_atomic)]
pub struct ConfigMapKeySelector {
    /// Key whose value is used.
    pub key: String,
    /// Name of the ConfigMap, in the pod's namespace.
    #[serde(default)]
    #[schemars(transform = markers::default(""))]
    pub name: String,
    /// When `true`, a missing ConfigMap or key leaves the variable unset instead of
    /// keeping the pod from starting.
    pub optional: Option<bool>,
}

/// A key of a Secret.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = markers::map_atomic)]
pub struct SecretKeySelector {
    /// Key whose value is used.
    pub key: String,
    /// Name of the Secret, in the pod's namespace.
    #[serde(default)]
    #[schemars(transform = markers::default(""))]
    pub name: String,
    /// When `true`, a missing Secret or key leaves the variable unset instead of
    /// keeping the pod from starting.
    pub optional: Option<bool>,
}

/// A field of the pod.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::map_atomic)]
pub struct ObjectFieldSelector {
    /// API version the `fieldPath` is written against; `v1` when unset.
    pub api_version: Option<String>,
    /// Path of the field, e.g. `metadata.namespace` or `spec.nodeName`.
    pub field_path: String,
}

/// A key of an env-format file in a volume of the pod.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::map_atomic)]
pub struct FileKeySelector {
    /// Name of the pod volume holding the file.
    pub volume_name: String,
    /// Path of the file within the volume, e.g. `config/proxy.env`.
    pub path: String,
    /// Key whose value is used.
    pub key: String,
    /// When `true`, a missing file or key leaves the variable unset instead of keeping
    /// the pod from starting. `false` unless set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = markers::default(false))]
    pub optional: Option<bool>,
}

/// A compute resource of a container.
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = markers::map_atomic)]
pub struct ResourceFieldSelector {
    /// Container whose resources are read; the proxy container itself when unset.
    pub container_name: Option<String>,
    /// The resource, e.g. `limits.cpu`, `requests.memory`.
    pub resource: String,
    /// Unit the value is expressed in, e.g. `1Mi` to get memory in mebibytes or `1m`
    /// for CPU in millicores. `1` when unset.
    pub divisor: Option<Quantity>,
}
