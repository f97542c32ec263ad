//! Which kind of validation a schema node or CEL rule is, for test coverage.
//!
//! The end-to-end case table says which kinds each case exercises (`# covers: enum,
//! exactly-one-of`), and checks that every kind the CRDs use is covered by a case.
//! The classification lives here, beside the markers that write the rules, so a
//! marker family and its coverage kind cannot drift apart: field-group rules are
//! recognized by the messages [`Cardinality`] writes, not by a copy of them.

use crate::markers::Cardinality;
use crate::walk::{self, Flow, Node};
use serde_json::Value;
use std::{collections::BTreeSet, fmt, str::FromStr};

macro_rules! checks {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// A kind of validation a CRD schema uses, as named in `# covers:` headers.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Check {
            $($(#[$doc])* $variant,)*
        }

        impl Check {
            /// Every kind, in declaration order.
            pub const ALL: &[Check] = &[$(Check::$variant,)*];

            /// The name used in `# covers:` headers.
            pub fn name(self) -> &'static str {
                match self {
                    $(Check::$variant => $name,)*
                }
            }
        }
    };
}

checks! {
    /// `required`: a field that must be set.
    Required => "required",
    /// `enum`: one of a fixed set of values.
    Enum => "enum",
    /// `minLength`/`maxLength`.
    Length => "length",
    /// `pattern`.
    Pattern => "pattern",
    /// `minItems`/`maxItems`.
    Items => "items",
    /// `minimum`/`maximum`.
    Range => "range",
    /// A CEL rule of no more specific kind.
    Cel => "cel",
    /// Field group: exactly one of the fields ([`Cardinality::ExactlyOne`]).
    ExactlyOneOf => "exactly-one-of",
    /// Field group: at most one of the fields ([`Cardinality::AtMostOne`]).
    AtMostOneOf => "at-most-one-of",
    /// Field group: at least one of the fields ([`Cardinality::AtLeastOne`]).
    AtLeastOneOf => "at-least-one-of",
    /// `x-kubernetes-list-type: map`.
    ListMap => "list-map",
    /// `default`.
    Default => "default",
    /// `x-kubernetes-preserve-unknown-fields`.
    PreserveUnknownFields => "preserve-unknown-fields",
    /// `x-kubernetes-int-or-string`.
    IntOrString => "int-or-string",
    /// An int-or-string (`anyOf: [integer, string]`) whose string form is bounded
    /// by `minLength`/`maxLength`, as upstream's quantities are.
    IntOrStringAnyOf => "int-or-string-any-of",
    /// Conditional policy: a `conditional` list that excludes every other field
    /// ("conditional cannot be set with any other field"), fields required without
    /// it ("...: Required value"), and ordered entries ("... must be last").
    ConditionalPolicy => "conditional-policy",
    /// If-then-only-fields: when a condition holds only some fields may be set
    /// ("phase PreRouting only supports ...").
    IfThenOnlyFields => "if-then-only-fields",
    /// A rule inherited from a shared type and overridden (edited or dropped) where
    /// the type is used. Not recognizable in the output; name it in the case that
    /// exercises the overriding rule.
    OverriddenRule => "overridden-rule",
    /// Target kinds: rules on which kinds `targetRefs`/`targetSelectors` may name.
    TargetKinds => "target-kinds",
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Check {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Check::ALL
            .iter()
            .copied()
            .find(|c| c.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Check::ALL.iter().map(|c| c.name()).collect();
                format!("unknown validation kind {s:?}; known: {}", names.join(", "))
            })
    }
}

/// The kind of one CEL rule (an entry of `x-kubernetes-validations`).
pub fn classify_rule(rule: &Value) -> Check {
    let message = rule["message"].as_str().unwrap_or_default();
    let expression = rule["rule"].as_str().unwrap_or_default();
    if let Some(c) = Cardinality::of_message(message) {
        return match c {
            Cardinality::ExactlyOne => Check::ExactlyOneOf,
            Cardinality::AtMostOne => Check::AtMostOneOf,
            Cardinality::AtLeastOne => Check::AtLeastOneOf,
        };
    }
    if message.starts_with("conditional ")
        || message.ends_with(": Required value")
        || (message.contains("without ") && message.ends_with(" must be last"))
    {
        return Check::ConditionalPolicy;
    }
    if message.contains(" only supports ") {
        return Check::IfThenOnlyFields;
    }
    if (expression.contains("targetRefs") || expression.contains("targetSelectors"))
        && expression.contains(".kind")
    {
        return Check::TargetKinds;
    }
    Check::Cel
}

/// The kinds of validation one schema node uses (its keywords and its rules).
pub fn checks_of(node: Node<'_>) -> Vec<Check> {
    let has = |k: &str| node.get(k).is_some();
    let int_or_string = node.flag("x-kubernetes-int-or-string");
    let flags = [
        (has("required"), Check::Required),
        (has("enum"), Check::Enum),
        (has("minLength") || has("maxLength"), Check::Length),
        (has("pattern"), Check::Pattern),
        (has("minItems") || has("maxItems"), Check::Items),
        (has("minimum") || has("maximum"), Check::Range),
        (
            node.get("x-kubernetes-list-type") == Some(&Value::from("map")),
            Check::ListMap,
        ),
        (has("default"), Check::Default),
        (
            node.flag("x-kubernetes-preserve-unknown-fields"),
            Check::PreserveUnknownFields,
        ),
        (int_or_string, Check::IntOrString),
        (
            int_or_string && (has("minLength") || has("maxLength")),
            Check::IntOrStringAnyOf,
        ),
    ];
    let mut out: Vec<Check> = flags
        .into_iter()
        .filter(|(f, _)| *f)
        .map(|(_, c)| c)
        .collect();
    out.extend(
        node.get(crate::markers::VALIDATIONS)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(classify_rule),
    );
    out
}

/// The validation kinds a CRD's schemas use (every version).
pub fn checks_used(crd: &Value) -> BTreeSet<Check> {
    let mut used = BTreeSet::new();
    for (_, schema) in walk::version_schemas(crd) {
        walk::walk(schema, |node| {
            used.extend(checks_of(node));
            Flow::Continue
        });
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_round_trip() {
        for c in Check::ALL {
            assert_eq!(c.name().parse::<Check>(), Ok(*c));
        }
    }

    #[test]
    fn rules_are_classified_by_the_family_that_writes_them() {
        let (rule, message) = crate::markers::field_group_rule(Cardinality::AtMostOne, &["a", "b"]);
        assert_eq!(
            classify_rule(&json!({ "rule": rule, "message": message })),
            Check::AtMostOneOf
        );
        for (message, kind) in [
            (
                "conditional cannot be set with any other field",
                Check::ConditionalPolicy,
            ),
            ("backendRef: Required value", Check::ConditionalPolicy),
            (
                "conditional entries without condition must be last",
                Check::ConditionalPolicy,
            ),
            (
                "phase PreRouting only supports extAuth and cors",
                Check::IfThenOnlyFields,
            ),
            ("custom", Check::Cel),
        ] {
            assert_eq!(
                classify_rule(&json!({ "rule": "true", "message": message })),
                kind,
                "{message}"
            );
        }
        assert_eq!(
            classify_rule(&json!({ "rule": "self.targetRefs.all(t, t.kind == 'Gateway')" })),
            Check::TargetKinds
        );
        for (rule, message) in [
            // Half of a family's signature is no member of it.
            ("true", "the last entry must be last"),
            ("true", "set without a name"),
            ("self.targetRefs.size() > 0", "custom"),
            ("self.kind == 'Gateway'", "custom"),
        ] {
            assert_eq!(
                classify_rule(&json!({ "rule": rule, "message": message })),
                Check::Cel,
                "{rule} / {message}"
            );
        }
    }

    #[test]
    fn a_node_uses_the_checks_of_its_keywords_and_rules() {
        let checks = |schema: Value| -> Vec<String> {
            let mut out = Vec::new();
            walk::walk(&schema, |node| {
                out.extend(checks_of(node).iter().map(ToString::to_string));
                Flow::Skip
            });
            out
        };
        assert_eq!(checks(json!({ "type": "object" })), Vec::<String>::new());
        for (key, check) in [
            ("required", "required"),
            ("enum", "enum"),
            ("minLength", "length"),
            ("maxLength", "length"),
            ("pattern", "pattern"),
            ("minItems", "items"),
            ("maxItems", "items"),
            ("minimum", "range"),
            ("maximum", "range"),
            ("default", "default"),
        ] {
            assert_eq!(checks(json!({ key: 1 })), [check], "{key}");
        }
        assert_eq!(
            checks(json!({ "x-kubernetes-list-type": "map" })),
            ["list-map"]
        );
        assert_eq!(
            checks(json!({ "x-kubernetes-list-type": "set" })),
            Vec::<String>::new()
        );
        assert_eq!(
            checks(json!({ "x-kubernetes-preserve-unknown-fields": true })),
            ["preserve-unknown-fields"]
        );
        assert_eq!(
            checks(json!({ "x-kubernetes-int-or-string": true })),
            ["int-or-string"]
        );
        assert_eq!(
            checks(json!({ "x-kubernetes-int-or-string": true, "maxLength": 8 })),
            ["length", "int-or-string", "int-or-string-any-of"]
        );
        assert_eq!(
            checks(json!({ "x-kubernetes-int-or-string": true, "minLength": 1 })),
            ["length", "int-or-string", "int-or-string-any-of"]
        );
        assert_eq!(
            checks(json!({ "required": ["a"], crate::markers::VALIDATIONS: [
                { "rule": "self.a > 0", "message": "custom" },
            ] })),
            ["required", "cel"]
        );
    }

    #[test]
    fn a_crd_uses_the_checks_of_every_node_of_every_version() {
        let version = |name: &str, spec: Value| {
            json!({ "name": name, "schema": { "openAPIV3Schema": {
                "type": "object", "properties": { "spec": spec } } } })
        };
        let crd = json!({ "spec": { "versions": [
            version("v1", json!({ "type": "object", "properties": {
                "name": { "type": "string", "maxLength": 3 } } })),
            version("v2", json!({ "type": "string", "enum": ["a"] })),
        ] } });
        assert_eq!(
            checks_used(&crd),
            BTreeSet::from([Check::Length, Check::Enum])
        );
    }
}
