//! The offline validator ([`agentgateway_validate`]) judged against the case table:
//! without a cluster in `cargo test`, and beside the apiserver in `cargo xtask e2e`.

use crate::cases::{self, Case, Expect};
use serde_json::Value;

/// Namespace the objects are validated in (the runner's namespace in e2e).
pub const NAMESPACE: &str = "e2e-cases";

/// Cases where the offline validator is known to disagree with the apiserver, by file
/// path under `e2e/cases`, with the reason. Each is explained in docs/validate.md; a
/// disagreement not listed here fails the test, and so does an entry that agrees.
pub const KNOWN_DISAGREEMENTS: &[(&str, &str)] = &[];

/// What the offline validator makes of a case, in strict mode as the e2e runner
/// creates objects (`kubectl create --validate=strict`).
pub fn verdict(case: &Case) -> Result<Value, String> {
    let mut obj = case.object.clone();
    obj["metadata"]["namespace"] = NAMESPACE.into();
    agentgateway_validate::validate(&obj, true)
        .map_err(|errors| agentgateway_validate::apiserver_message(&errors))
}

/// The problems with the offline verdict of `case` against the case's expectations
/// (accepted with the expected fields, or rejected with every expected message).
pub fn problems(case: &Case) -> Vec<String> {
    match (&case.expect, verdict(case)) {
        (Expect::Accepted { .. }, Ok(stored)) => cases::check_fields(&case.expect, &stored),
        (Expect::Accepted { .. }, Err(msg)) => {
            vec![format!("offline: rejected, but the case is valid: {msg}")]
        }
        (Expect::Rejected { .. }, Ok(_)) => {
            vec!["offline: accepted, but the case is invalid".into()]
        }
        (Expect::Rejected { .. }, Err(msg)) => cases::check_rejection(&case.expect, &msg)
            .into_iter()
            .map(|p| format!("offline: {p}; the validator said: {msg}"))
            .collect(),
    }
}

/// Whether `file` (relative to the workspace) is a listed disagreement.
pub fn known_disagreement(file: &str) -> Option<&'static str> {
    KNOWN_DISAGREEMENTS
        .iter()
        .find(|(f, _)| *f == file)
        .map(|(_, why)| *why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offline_validator_agrees_with_the_whole_case_table() {
        let root = crate::workspace_root();
        let table = cases::load_all(&root.join("e2e/cases")).expect("cases");
        let mut failures = vec![];
        let mut listed_but_agreeing = vec![];
        let mut checked = 0;
        for case in table.iter().flat_map(|t| &t.cases) {
            checked += 1;
            let rel = case
                .file
                .strip_prefix(&root)
                .unwrap_or(&case.file)
                .display()
                .to_string();
            let problems = problems(case);
            match (problems.is_empty(), known_disagreement(&rel)) {
                (true, Some(_)) => listed_but_agreeing.push(rel),
                (false, None) => failures.push(format!("{rel}:\n  {}", problems.join("\n  "))),
                _ => {}
            }
        }
        assert!(checked > 200, "only {checked} cases found");
        assert!(
            failures.is_empty(),
            "{} of {checked} cases disagree:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert!(
            listed_but_agreeing.is_empty(),
            "listed in KNOWN_DISAGREEMENTS but agreeing now (remove them): {listed_but_agreeing:?}"
        );
    }

    #[test]
    fn a_wrong_expectation_is_a_disagreement() {
        let text = "# expect-error: Unsupported value: \"Sticky\"\napiVersion: agentgateway.dev/v1alpha1\nkind: AgentgatewayBackend\nspec:\n  static: {host: h, port: 1}\n";
        let case = Case::parse(std::path::Path::new("x.yaml"), text, false).expect("parse");
        assert_eq!(
            problems(&case),
            vec!["offline: accepted, but the case is invalid"]
        );
        let text = "# expect: spec.static.port = 2\napiVersion: agentgateway.dev/v1alpha1\nkind: AgentgatewayBackend\nspec:\n  static: {host: h, port: 1}\n";
        let case = Case::parse(std::path::Path::new("x.yaml"), text, true).expect("parse");
        assert_eq!(problems(&case), vec!["spec.static.port: expected 2, got 1"]);
    }
}
