//! The generated JSON Schemas (`schemas/agentgateway.dev`) against the e2e case table:
//! every valid case passes; every invalid case rejected by a schema-level rule (enum,
//! bounds, pattern, required, items, type, unknown field) fails. Cases rejected only by
//! a CEL rule, or by a check JSON Schema cannot express (duplicate list-map keys), are
//! skipped and counted.

use e2e::cases::{self, Case, Expect};
use serde_json::Value;
use std::{collections::BTreeMap, fs};

/// Phrases of the apiserver's OpenAPI (not CEL) validation errors.
const SCHEMA_LEVEL: &[&str] = &[
    "Unsupported value",
    " in body should be at least",
    " in body should be greater than",
    " in body should be less than",
    " in body should match",
    " in body should have at least",
    "Too many:",
    "Too long:",
    "Required value",
    "unknown field",
    "must be of type",
];

/// Apiserver checks with no JSON Schema equivalent in the generated files.
const NOT_EXPRESSIBLE: &[&str] = &["Duplicate value"];

#[derive(Debug, PartialEq)]
enum Class {
    Schema,
    Cel,
    NotExpressible,
}

/// Every CEL message of a CRD's schemas.
fn cel_messages(crd: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (_, schema) in crdgen::walk::version_schemas(crd) {
        crdgen::walk::walk(schema, |node| {
            for rule in node
                .get(crdgen::markers::VALIDATIONS)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(m) = rule["message"].as_str() {
                    out.push(m.to_owned());
                }
            }
            crdgen::walk::Flow::Continue
        });
    }
    out
}

/// Why the apiserver rejects an invalid case, from its expected messages.
fn classify(messages: &[String], cel: &[String]) -> Class {
    let from_cel = messages.iter().any(|m| {
        cel.iter()
            .any(|c| c.contains(m.as_str()) || m.contains(c.as_str()))
    });
    if from_cel {
        return Class::Cel;
    }
    if messages
        .iter()
        .any(|m| NOT_EXPRESSIBLE.iter().any(|p| m.contains(p)))
    {
        return Class::NotExpressible;
    }
    if messages
        .iter()
        .any(|m| SCHEMA_LEVEL.iter().any(|p| m.contains(p)))
    {
        return Class::Schema;
    }
    Class::Cel
}

fn errors(validator: &jsonschema::Validator, case: &Case) -> Vec<String> {
    validator
        .iter_errors(&case.object)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_case_table_validates_against_the_json_schemas() {
    let root = e2e::workspace_root();
    let dir = root.join(crdgen::repo::SCHEMAS);
    let crds = e2e::chart::generated_crds().expect("the API types produce valid CRDs");
    let mut validators = BTreeMap::new();
    let mut cel = BTreeMap::new();
    for crd in crds.values() {
        let kind = crd["spec"]["names"]["kind"]
            .as_str()
            .expect("kind")
            .to_owned();
        for (version, _) in crdgen::walk::version_schemas(crd) {
            let path = dir.join(crdgen::json_schema::file_name(&kind, version));
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}; run `cargo xtask gen-crds`", path.display()));
            let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
            let validator = jsonschema::validator_for(&schema)
                .unwrap_or_else(|e| panic!("{} is not a valid JSON Schema: {e}", path.display()));
            validators.insert(
                (kind.clone(), format!("agentgateway.dev/{version}")),
                validator,
            );
        }
        cel.insert(kind, cel_messages(crd));
    }
    let table = cases::load_all(&root.join("e2e/cases")).expect("case table");
    let (mut valid, mut rejected, mut skipped_cel, mut skipped_other) = (0, 0, 0, 0);
    let mut problems = Vec::new();
    for case in table.iter().flat_map(|t| &t.cases) {
        let key = (
            case.kind().to_owned(),
            case.object["apiVersion"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
        let validator = validators
            .get(&key)
            .unwrap_or_else(|| panic!("{}: no schema for {key:?}", case.file.display()));
        let errors = errors(validator, case);
        match &case.expect {
            Expect::Accepted { .. } => {
                if errors.is_empty() {
                    valid += 1;
                } else {
                    problems.push(format!(
                        "{}: valid case fails its schema:\n  {}",
                        case.file.display(),
                        errors.join("\n  ")
                    ));
                }
            }
            Expect::Rejected { messages } => match classify(messages, &cel[case.kind()]) {
                Class::Schema if errors.is_empty() => problems.push(format!(
                    "{}: rejected by the apiserver's schema ({}) but passes the JSON Schema",
                    case.file.display(),
                    messages.join("; ")
                )),
                Class::Schema => rejected += 1,
                Class::Cel => skipped_cel += 1,
                Class::NotExpressible => skipped_other += 1,
            },
        }
    }
    println!(
        "JSON Schemas vs case table: {valid} valid cases pass, {rejected} schema-level invalid \
         cases rejected; skipped {skipped_cel} CEL-only and {skipped_other} not expressible in \
         JSON Schema (duplicate keys, duration syntax)"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The table is large; a schema that loaded nothing would pass vacuously.
    assert!(
        valid >= 50 && rejected >= 20,
        "valid {valid}, rejected {rejected}"
    );
}

#[test]
fn invalid_cases_are_classified_by_their_messages() {
    let cel = vec!["exactly one of the fields in [a b] must be set".to_owned()];
    let class = |m: &str| classify(&[m.to_owned()], &cel);
    assert_eq!(class("spec.mode: Unsupported value: \"X\""), Class::Schema);
    assert_eq!(class("spec.x in body should match"), Class::Schema);
    assert_eq!(
        class("spec: Invalid value: exactly one of the fields in [a b] must be set"),
        Class::Cel
    );
    assert_eq!(
        class("spec.list[1]: Duplicate value"),
        Class::NotExpressible
    );
    assert_eq!(class("something custom"), Class::Cel);
}

/// The schemas are strict where the apiserver is: on a valid case, an unknown field,
/// a wrong `kind` or `apiVersion`, and a value outside an enum are each errors.
#[test]
fn the_schemas_reject_what_the_apiserver_rejects_on_a_valid_case() {
    let root = e2e::workspace_root();
    let path = root
        .join(crdgen::repo::SCHEMAS)
        .join("agentgatewaybackend_v1alpha1.json");
    let schema: Value =
        serde_json::from_str(&fs::read_to_string(&path).expect("schema")).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("valid JSON Schema");
    let case = cases::load_files(&root.join("e2e/cases/agentgatewaybackends/valid"), true)
        .expect("cases")
        .into_iter()
        .find(|c| c.object["spec"]["mcp"].is_object())
        .expect("an MCP backend case");
    assert!(validator.is_valid(&case.object), "{}", case.file.display());
    type Edit = fn(&mut Value);
    let edits: [(&str, Edit); 4] = [
        ("unknown field", |o| o["spec"]["mcp"]["bogus"] = true.into()),
        ("kind", |o| o["kind"] = "Service".into()),
        ("apiVersion", |o| {
            o["apiVersion"] = "agentgateway.dev/v1".into()
        }),
        ("enum", |o| {
            o["spec"]["mcp"]["sessionRouting"] = "Sticky".into()
        }),
    ];
    for (what, edit) in edits {
        let mut object = case.object.clone();
        edit(&mut object);
        assert!(!validator.is_valid(&object), "{what} accepted");
    }
}
