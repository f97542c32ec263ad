//! Pass 1: assemble a CRD from its Rust types.

use kube_core::{CustomResourceExt, object::HasSpec, object::HasStatus};
use schemars::{JsonSchema, SchemaGenerator, generate::SchemaSettings};
use serde_json::{Value, json};

/// One CRD the chart ships: its kind and how to build it.
#[derive(Clone)]
pub struct CrdSource {
    meta: Meta,
    build: fn(&Meta) -> Result<Value, crate::normalize::Problem>,
    roundtrip: fn(&Value) -> Result<Value, String>,
}

impl std::fmt::Debug for CrdSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrdSource")
            .field("kind", &self.meta.kind)
            .finish_non_exhaustive()
    }
}

/// The CRD source for the custom resource `K`, whose root object is described by
/// `description` (kube-derive generates the root type, so its doc comment is not ours
/// to read at run time).
pub fn source<K>(description: &'static str) -> CrdSource
where
    K: CustomResourceExt
        + HasSpec
        + HasStatus
        + kube_core::Resource<DynamicType = ()>
        + serde::Serialize
        + serde::de::DeserializeOwned,
    K::Spec: JsonSchema,
    K::Status: JsonSchema,
{
    CrdSource {
        meta: Meta::of::<K>(description),
        build: build::<K>,
        roundtrip: roundtrip::<K>,
    }
}

fn roundtrip<K>(object: &Value) -> Result<Value, String>
where
    K: serde::Serialize + serde::de::DeserializeOwned,
{
    let typed: K = serde_json::from_value(object.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

impl CrdSource {
    /// The kind, e.g. `AgentgatewayBackend`.
    pub fn kind(&self) -> &str {
        &self.meta.kind
    }

    /// The CRD's name, `<plural>.<group>`.
    pub fn crd_name(&self) -> String {
        self.meta.crd_name()
    }

    /// The template file this CRD is written to: `<group>_<plural>.yaml`, as controller-gen names it.
    pub fn file_name(&self) -> String {
        template_file(&self.meta.plural, &self.meta.group)
    }

    /// The plural resource name, e.g. `agentgatewaybackends`.
    pub fn plural(&self) -> &str {
        &self.meta.plural
    }

    /// Deserializes `object` (a whole custom resource as JSON, e.g. as read back from
    /// the apiserver) into the Rust type and serializes it again. The end-to-end tests
    /// compare the result with `object` to prove no field is lost either way.
    pub fn roundtrip(&self, object: &Value) -> Result<Value, String> {
        (self.roundtrip)(object)
    }

    /// Runs pass 1: the CRD as JSON, before normalization.
    pub fn build(&self) -> Result<Value, crate::normalize::Problem> {
        (self.build)(&self.meta)
    }

    /// Runs pass 1 and keeps what the later passes need to know about the CRD.
    pub fn built(&self) -> Built {
        self.meta.clone().built(self.build())
    }
}

/// The outcome of pass 1 for one CRD: its names and its CRD as JSON (or why it could
/// not be built). This is what the generator's build program prints (see [`print()`]),
/// and what passes 2 to 4 start from, whether the program just ran or its last output
/// was reused.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Built {
    /// The kind, e.g. `AgentgatewayBackend`.
    pub kind: String,
    /// The plural resource name, e.g. `agentgatewaybackends`.
    pub plural: String,
    /// The API group, e.g. `agentgateway.dev`.
    pub group: String,
    /// The CRD before normalization, or the problem that stopped pass 1.
    pub crd: Result<Value, crate::normalize::Problem>,
}

impl Built {
    /// The CRD's name, `<plural>.<group>`.
    pub fn crd_name(&self) -> String {
        crd_name(&self.plural, &self.group)
    }

    /// The template file this CRD is written to: `<group>_<plural>.yaml`.
    pub fn file_name(&self) -> String {
        template_file(&self.plural, &self.group)
    }
}

fn crd_name(plural: &str, group: &str) -> String {
    format!("{plural}.{group}")
}

fn template_file(plural: &str, group: &str) -> String {
    format!("{group}_{plural}.yaml")
}

/// Pass 1 of the custom resource `K` alone: what [`source`]`::<K>(description).built()`
/// returns, without compiling the serde round trip a [`CrdSource`] also carries (the
/// build program needs only the schema).
pub fn built<K>(description: &'static str) -> Built
where
    K: CustomResourceExt + HasSpec + HasStatus + kube_core::Resource<DynamicType = ()>,
    K::Spec: JsonSchema,
    K::Status: JsonSchema,
{
    let meta = Meta::of::<K>(description);
    let crd = build::<K>(&meta);
    meta.built(crd)
}

/// The build program's output: every CRD's [`Built`], as one JSON document on
/// standard output. Exits non-zero when standard output cannot be written.
pub fn print(built: &[Built]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut out, built)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        eprintln!("error: could not write the built CRDs to standard output: {e}");
        std::process::exit(1);
    }
}

/// Reads what [`print()`] printed.
pub fn read_printed(bytes: &[u8]) -> serde_json::Result<Vec<Built>> {
    serde_json::from_slice(bytes)
}

/// What pass 1 needs to know about a CRD besides its Rust type.
#[derive(Clone)]
struct Meta {
    kind: String,
    plural: String,
    group: String,
    description: &'static str,
}

impl Meta {
    fn of<K: kube_core::Resource<DynamicType = ()>>(description: &'static str) -> Self {
        Self {
            kind: K::kind(&()).into_owned(),
            plural: K::plural(&()).into_owned(),
            group: K::group(&()).into_owned(),
            description,
        }
    }

    fn built(self, crd: Result<Value, crate::normalize::Problem>) -> Built {
        Built {
            kind: self.kind,
            plural: self.plural,
            group: self.group,
            crd,
        }
    }

    fn crd_name(&self) -> String {
        crd_name(&self.plural, &self.group)
    }
}

/// The schemars settings for Kubernetes: every subschema inlined (the apiserver does
/// not resolve `$ref`) and no `$schema`. `Option<T>` still allows `null` here;
/// [`crate::normalize`] removes it, since optional fields are expressed by leaving them
/// out of `required`.
pub fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator()
}

fn build<K>(src: &Meta) -> Result<Value, crate::normalize::Problem>
where
    K: CustomResourceExt + HasSpec + HasStatus,
    K::Spec: JsonSchema,
    K::Status: JsonSchema,
{
    let mut gen_ = generator();
    let spec = gen_.subschema_for::<K::Spec>().to_value();
    let status = gen_.subschema_for::<K::Status>().to_value();
    let schema = json!({
        "description": src.description,
        "type": "object",
        "properties": {
            "apiVersion": {
                "description": format!("The versioned schema of this object, `{}/<version>`. Clients send it; the apiserver converts between versions.", src.group),
                "type": "string",
            },
            "kind": {
                "description": "The REST resource this object represents. Clients send it; it cannot be updated.",
                "type": "string",
            },
            "metadata": { "type": "object" },
            "spec": spec,
            "status": status,
        },
        "required": ["spec"],
    });
    let mut crd = serde_json::to_value(K::crd()).map_err(|e| crate::normalize::Problem {
        crd: src.crd_name(),
        path: ".".into(),
        message: format!("kube-derive's CRD does not serialize to JSON: {e}"),
    })?;
    crd["spec"]["names"]["listKind"] = format!("{}List", src.kind).into();
    if let Some(version) = crd["spec"]["versions"].get_mut(0) {
        version["schema"] = json!({ "openAPIV3Schema": schema });
    }
    Ok(crd)
}
