//! Conditional policies: `Conditional<P>` is the policy `P` configured either
//! directly or as a list of `conditional` entries, each applying `P` when its CEL
//! condition holds. The schema, with all its rules, is derived from `P` by
//! [`crdgen::markers::conditional_policy`].

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::borrow::Cow;

/// A policy `P` set directly, or chosen per request from `conditional` entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Conditional<P> {
    /// The policy chosen per request: the first entry whose condition holds.
    Conditional {
        /// The entries, in order; at most one without a condition, and it is last.
        conditional: Vec<ConditionalEntry<P>>,
    },
    /// The policy set directly, applying to every request.
    Policy(P),
}

impl<P> From<P> for Conditional<P> {
    fn from(policy: P) -> Self {
        Self::Policy(policy)
    }
}

/// One entry of a conditional policy.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConditionalEntry<P> {
    /// CEL expression deciding whether the entry applies; unset on the fallback.
    pub condition: Option<String>,
    /// The policy applied when the condition holds.
    pub policy: P,
}

impl<P: JsonSchema> JsonSchema for Conditional<P> {
    fn schema_name() -> Cow<'static, str> {
        format!("Conditional{}", P::schema_name()).into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        crdgen::markers::conditional_policy(P::json_schema(generator))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v1alpha1::policy::traffic::DirectResponse;
    use serde_json::json;

    #[test]
    fn direct_and_conditional_forms_round_trip() {
        for v in [
            json!({ "status": 404 }),
            json!({ "conditional": [
                { "condition": "request.path == '/a'", "policy": { "status": 403 } },
                { "policy": { "status": 200, "body": "ok" } },
            ]}),
        ] {
            let p: Conditional<DirectResponse> =
                serde_json::from_value(v.clone()).expect("a direct response");
            assert_eq!(serde_json::to_value(&p).expect("serializable"), v);
        }
    }
}
