//! The pipeline on a custom resource of its own: pass 1 ([`build`]), the
//! [`CrdSource`]/[`Built`] accessors, the build program's output ([`build::print`])
//! and passes 2 to 4 ([`generate`], [`generate_all`]), as a kube-rs project using
//! crdgen would run them.

use super::*;
use serde_json::{Value, json};

mod widget {
    use kube_derive::CustomResource;
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    /// A widget's wanted state.
    #[derive(
        CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema,
    )]
    #[kube(
        group = "example.dev",
        version = "v1",
        kind = "Widget",
        namespaced,
        status = "WidgetStatus",
        crates(kube_core = "::kube_core")
    )]
    pub struct WidgetSpec {
        /// How big the widget is.
        pub size: Option<u32>,
        /// Its colour.
        pub colour: String,
    }

    /// What the controller saw.
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub struct WidgetStatus {
        /// Whether the widget is ready.
        pub ready: Option<bool>,
    }

    /// A gadget: its rule does not compile.
    #[derive(
        CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema,
    )]
    #[kube(
        group = "example.dev",
        version = "v1",
        kind = "Gadget",
        status = "GadgetStatus",
        crates(kube_core = "::kube_core")
    )]
    #[schemars(transform = crate::markers::cel("self.size >", "a broken rule"))]
    pub struct GadgetSpec {
        /// A size.
        pub size: Option<u32>,
    }

    /// Nothing yet.
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub struct GadgetStatus {}
}

use widget::{Gadget, Widget};

const DESCRIPTION: &str = "A Widget is a thing to test with.";

fn widget() -> CrdSource {
    source::<Widget>(DESCRIPTION)
}

#[test]
fn a_source_names_its_crd_and_files() {
    let src = widget();
    assert_eq!(src.kind(), "Widget");
    assert_eq!(src.plural(), "widgets");
    assert_eq!(src.crd_name(), "widgets.example.dev");
    assert_eq!(src.file_name(), "example.dev_widgets.yaml");
    assert_eq!(format!("{src:?}"), r#"CrdSource { kind: "Widget", .. }"#);
    let built = src.built();
    assert_eq!(
        (
            built.kind.as_str(),
            built.plural.as_str(),
            built.group.as_str()
        ),
        ("Widget", "widgets", "example.dev")
    );
    assert_eq!(built.crd_name(), "widgets.example.dev");
    assert_eq!(built.file_name(), "example.dev_widgets.yaml");
}

#[test]
fn pass_one_builds_the_crd_with_the_schemas_of_spec_and_status() {
    let crd = widget().build().expect("the widget builds");
    assert_eq!(crd["kind"], "CustomResourceDefinition");
    assert_eq!(crd["metadata"]["name"], "widgets.example.dev");
    assert_eq!(crd["spec"]["names"]["listKind"], "WidgetList");
    let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    assert_eq!(schema["description"], DESCRIPTION);
    assert_eq!(schema["required"], json!(["spec"]));
    assert_eq!(
        schema["properties"]["apiVersion"]["description"],
        "The versioned schema of this object, `example.dev/<version>`. Clients send it; the apiserver converts between versions."
    );
    assert_eq!(schema["properties"]["metadata"], json!({"type": "object"}));
    let spec = &schema["properties"]["spec"];
    assert_eq!(spec["description"], "A widget's wanted state.");
    assert_eq!(spec["required"], json!(["colour"]));
    assert_eq!(
        spec["properties"]["size"]["description"],
        "How big the widget is."
    );
    assert_eq!(
        schema["properties"]["status"]["properties"]["ready"]["description"],
        "Whether the widget is ready."
    );
    // The same as the build program's path, which does not carry the round trip.
    assert_eq!(build::built::<Widget>(DESCRIPTION), widget().built());
    assert_eq!(widget().built().crd, Ok(crd));
}

#[test]
fn the_round_trip_goes_through_the_rust_type() {
    let object = json!({
        "apiVersion": "example.dev/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "namespace": "default"},
        "spec": {"colour": "red", "size": 3},
    });
    let back = widget().roundtrip(&object).expect("a widget");
    assert_eq!(back["spec"], json!({"colour": "red", "size": 3}));
    assert_eq!(back["metadata"]["name"], "w");
    // A field the type does not have is lost: the end-to-end tests notice that.
    let mut extra = object.clone();
    extra["spec"]["shape"] = "round".into();
    assert_eq!(
        widget().roundtrip(&extra).expect("a widget")["spec"],
        back["spec"]
    );
    let err = widget()
        .roundtrip(&json!({"apiVersion": "example.dev/v1", "kind": "Widget", "metadata": {}, "spec": {"size": "big"}}))
        .expect_err("a string is no size");
    assert!(err.contains("invalid type: string \"big\""), "{err}");
}

#[test]
fn normalized_removes_what_the_apiserver_refuses_or_reports_the_problem() {
    let crd = widget().normalized().expect("the widget normalizes");
    let size = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
        ["size"];
    // `Option<u32>` is `["integer", "null"]` in pass 1; optional fields are simply
    // not required in a CRD.
    assert_eq!(size["type"], "integer");
    assert_eq!(widget().built().normalized(), Ok(crd));
    let problem = normalize::Problem {
        crd: "widgets.example.dev".into(),
        path: ".".into(),
        message: "pass 1 failed".into(),
    };
    let failed = Built {
        crd: Err(problem.clone()),
        ..widget().built()
    };
    assert_eq!(failed.normalized(), Err(vec![problem]));
}

#[test]
fn generate_renders_each_crd_or_reports_every_problem() {
    let out = generate(&[widget()], "cargo xtask gen-crds").expect("the widget renders");
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].file_name, "example.dev_widgets.yaml");
    assert!(
        out[0].text.contains("name: widgets.example.dev\n"),
        "{}",
        out[0].text
    );
    assert!(
        out[0].text.contains("cargo xtask gen-crds"),
        "{}",
        out[0].text
    );
    // A rule that does not compile is the CRD's problem, named by its rule, and
    // the other CRDs' output is not returned.
    let problems = generate(&[widget(), source::<Gadget>("A gadget.")], "c")
        .expect_err("the gadget's rule does not compile");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].crd, "gadgets.example.dev");
    assert!(
        problems[0]
            .message
            .starts_with("cannot estimate the CEL cost of rule `self.size >`"),
        "{}",
        problems[0].message
    );
}

#[test]
fn generate_all_gives_templates_reference_pages_and_schemas() {
    let out = generate_all(&[widget()], "c").expect("the widget renders");
    let names = |files: &[RenderedCrd]| -> Vec<String> {
        files.iter().map(|f| f.file_name.clone()).collect()
    };
    assert_eq!(names(&out.templates), ["example.dev_widgets.yaml"]);
    assert_eq!(names(&out.reference), ["widgets.md", reference::INDEX]);
    assert_eq!(out.schemas.len(), 1, "one JSON Schema per version");
    assert_eq!(
        out.templates,
        generate(&[widget()], "c").expect("the widget renders")
    );
    assert!(out.reference[0].text.contains("How big the widget is."));
    assert!(out.reference[1].text.contains("Widget"));
    let built = [widget().built()];
    assert_eq!(generate_all_built(&built, "c"), Ok(out));
    let problems = generate_all(&[source::<Gadget>("A gadget."), widget()], "c")
        .expect_err("the gadget's rule does not compile");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].crd, "gadgets.example.dev");
}

#[test]
fn the_cost_cache_key_ignores_descriptions_only() {
    let crd = json!({
        "description": "a CRD",
        "properties": {
            "description": {"type": "string", "description": "a property named description"},
            "rules": {"x-kubernetes-validations": [{"rule": "self.a", "description": "in a list"}]},
            "size": {"type": "integer", "maximum": 3},
        },
    });
    let key = cost_key(&crd);
    assert_eq!(
        key,
        json!({
            "properties": {
                "description": {"type": "string"},
                "rules": {"x-kubernetes-validations": [{"rule": "self.a"}]},
                "size": {"type": "integer", "maximum": 3},
            },
        })
    );
    let mut other = crd.clone();
    other["properties"]["rules"]["x-kubernetes-validations"][0]["rule"] = "self.b".into();
    assert_ne!(cost_key(&other), key, "a rule is no description");
}

/// Set in the child process of [`print_writes_what_read_printed_reads`].
const PRINT_CHILD: &str = "CRDGEN_TEST_PRINT_CHILD";

#[test]
fn print_writes_what_read_printed_reads() {
    if std::env::var_os(PRINT_CHILD).is_some() {
        build::print(&[widget().built()]);
        return;
    }
    // `print` writes to standard output: run this test again in a child process
    // and read what it printed.
    let out = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "--exact",
            "lib_tests::print_writes_what_read_printed_reads",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(PRINT_CHILD, "1")
        .output()
        .expect("the child runs");
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    // The harness writes the test's name on the same line, before the output.
    let start = stdout
        .find("[{")
        .unwrap_or_else(|| panic!("no JSON in {stdout}"));
    let line = stdout[start..].lines().next().unwrap_or_default();
    let read = build::read_printed(line.as_bytes()).expect("what print wrote");
    assert_eq!(read, [widget().built()]);
    let value: Value = serde_json::from_str(line).expect("JSON");
    assert_eq!(value[0]["kind"], "Widget");
    assert!(build::read_printed(b"[{").is_err());
}
