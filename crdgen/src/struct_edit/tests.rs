//! The structural fast path against the compiler: each case declares the types of
//! an old and a new version once, compiles both (so `schemars` derives their
//! schemas), and requires the plan made from the two versions' *source text* to
//! turn the old schema into the new one exactly; or to refuse, saying why.

use super::Plan;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Declares the types of one version: compiled here, and their source text in
/// `SOURCE` (the root struct gets the `#[kube(..)]` attribute the graph looks for).
/// Functions and constants go in an optional `@code { .. }` block first.
macro_rules! version {
    ($root:ident; @code { $($code:item)* } $($item:item)*) => {
        #[allow(unused_imports)]
        use crate::markers;
        #[allow(unused_imports)]
        use std::collections::BTreeMap;
        $(
            #[allow(dead_code)]
            $code
        )*
        $(
            #[allow(dead_code)]
            #[derive(schemars::JsonSchema, serde::Serialize)]
            $item
        )*
        pub const SOURCE: &str = concat!(
            "#[kube(kind = \"Widget\")]\n",
            $("#[derive(JsonSchema, Serialize)]\n", stringify!($item), "\n",)*
            $(stringify!($code), "\n",)*
        );
        /// The pass-1 CRD of `$root` as the spec.
        #[allow(dead_code)]
        pub fn crd() -> serde_json::Value {
            let spec = crate::build::generator().subschema_for::<$root>().to_value();
            serde_json::json!({ "spec": { "versions": [{ "schema": { "openAPIV3Schema": {
                "properties": { "spec": spec },
            } } }] } })
        }
    };
    ($root:ident; $($item:item)*) => {
        version! { $root; @code {} $($item)* }
    };
}

/// The plan from `old` to `new` (one file each), applied to `old`'s compiled CRD.
fn fast(old: (&str, Value), new: &str) -> Result<Value, String> {
    let file = |s: &str| BTreeMap::from([("api/src/lib.rs".to_owned(), s.to_owned())]);
    let (old_src, mut crd) = old;
    let plan = Plan::new(
        &file(old_src),
        &file(new),
        &["api/src/lib.rs"],
        &[("Widget", &crd)],
    )?;
    plan.apply(&mut [&mut crd]);
    Ok(crd)
}

/// The fast path's result equals the compiled new version.
macro_rules! agrees {
    ($old:ident, $new:ident) => {{
        let got = fast(($old::SOURCE, $old::crd()), $new::SOURCE).expect("the edit is taken");
        assert_eq!(
            got,
            $new::crd(),
            "old:\n{}\nnew:\n{}",
            $old::SOURCE,
            $new::SOURCE
        );
    }};
}

/// The fast path refuses, with a reason containing `why`.
macro_rules! refuses {
    ($old:ident, $new:ident, $why:expr) => {{
        let err = fast(($old::SOURCE, $old::crd()), $new::SOURCE).expect_err("the edit is refused");
        assert!(err.contains($why), "{err}");
    }};
}

mod base {
    version! { Spec;
        #[serde(rename_all = "camelCase")]
        #[schemars(transform = markers::cel("has(self.name)", "name is required"))]
        struct Spec {
            /// The widget's name.
            #[schemars(length(min = 1, max = 64))]
            name: String,
            /// Where it is.
            place: Option<Place>,
            /// More places.
            #[schemars(length(max = 8))]
            more_places: Vec<Place>,
            /// Settings by name.
            #[schemars(transform = markers::list_map(&["key"]))]
            settings: Option<Vec<Setting>>,
        }
        /// A place.
        #[serde(rename_all = "camelCase")]
        #[schemars(transform = markers::at_most_one_of(&["host", "path"]))]
        struct Place {
            /// Host name.
            #[schemars(length(min = 1, max = 256))]
            host: Option<String>,
            /// A path.
            path: Option<String>,
            /// The port.
            #[schemars(range(min = 1, max = 65535))]
            port: i32,
        }
        /// A setting.
        struct Setting {
            /// Its key.
            key: String,
            /// Its value.
            value: Option<String>,
        }
    }
}

mod rebuilt {
    version! { Spec;
        #[serde(rename_all = "camelCase")]
        #[schemars(transform = markers::cel("has(self.name)", "name is required"))]
        struct Spec {
            /// The widget's name.
            #[schemars(length(min = 1, max = 64))]
            name: String,
            /// Where it is.
            place: Option<Place>,
            /// More places.
            #[schemars(length(max = 8))]
            more_places: Vec<Place>,
            /// Settings by name.
            #[schemars(transform = markers::list_map(&["key"]))]
            settings: Option<Vec<Setting>>,
        }
        /// A place, rebuilt.
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        #[schemars(transform = markers::exactly_one_of(&["host", "path"]), transform = markers::map_atomic)]
        struct Place {
            /// Host name.
            #[schemars(length(min = 1, max = 256))]
            host: Option<String>,
            /// A path.
            path: Option<String>,
            /// The port.
            #[schemars(range(min = 1, max = 65535))]
            port: i32,
        }
        /// A setting.
        struct Setting {
            /// Its key.
            key: String,
            /// Its value.
            value: Option<String>,
        }
    }
}

mod added {
    version! { Spec;
        #[serde(rename_all = "camelCase")]
        #[schemars(transform = markers::cel("has(self.name)", "name is required"))]
        struct Spec {
            /// The widget's name.
            #[schemars(length(min = 1, max = 64))]
            name: String,
            /// Where it is.
            place: Option<Place>,
            /// More places.
            #[schemars(length(max = 8))]
            more_places: Vec<Place>,
            /// Settings by name.
            #[schemars(transform = markers::list_map(&["key"]))]
            settings: Option<Vec<Setting>>,
        }
        /// A place.
        #[serde(rename_all = "camelCase")]
        #[schemars(transform = markers::at_most_one_of(&["host", "path"]))]
        struct Place {
            /// Host name.
            #[schemars(length(min = 1, max = 256))]
            host: Option<String>,
            /// How long to wait, in seconds.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(range(min = 0, max = 3600))]
            wait_seconds: Option<u32>,
            /// Labels, `key: value`.
            #[schemars(length(max = 16))]
            labels: BTreeMap<String, String>,
            /// Weight, required.
            #[schemars(range(min = 0.5))]
            weight: f64,
            /// Aliases.
            #[serde(default)]
            #[schemars(length(min = 1, max = 4), regex(pattern = "^[a-z]+$"))]
            aliases: Vec<String>,
            /// A path.
            path: Option<String>,
            /// The port.
            #[schemars(range(min = 1, max = 65535))]
            port: i32,
            /// Tags.
            #[serde(rename = "TAGS")]
            tags: Option<Vec<Option<String>>>,
            /// Enabled unless said otherwise.
            #[serde(default)]
            enabled: bool,
            /// Nicknames, each 1 to 9 characters.
            #[schemars(length(max = 4), inner(length(min = 1, max = 9), regex(pattern = "^[a-z]")))]
            nicknames: Option<Vec<String>>,
        }
        /// A setting.
        struct Setting {
            /// Its key.
            key: String,
            /// Its value.
            value: Option<String>,
        }
    }
}

mod edited {
    version! { Spec;
        #[serde(rename_all = "camelCase")]
        #[schemars(transform = markers::cel("has(self.name)", "name is required"))]
        struct Spec {
            /// The widget's name, shorter.
            #[schemars(length(min = 2, max = 32))]
            name: String,
            /// Where it is.
            location: Option<Place>,
            /// More places.
            #[schemars(length(max = 8))]
            more_places: Vec<Place>,
            /// Settings by name.
            #[schemars(transform = markers::list_map(&["key"]))]
            settings: Option<Vec<Setting>>,
        }
        /// A place.
        #[serde(rename_all = "camelCase")]
        #[schemars(transform = markers::at_most_one_of(&["host", "path"]))]
        struct Place {
            /// Host name.
            #[schemars(length(min = 1, max = 256))]
            host: Option<String>,
            /// A path.
            path: Option<String>,
        }
        /// A setting.
        struct Setting {
            /// Its key.
            key: String,
            /// Its value.
            value: Option<String>,
        }
    }
}

#[test]
fn added_fields_of_every_modelled_kind_equal_the_compiled_schema() {
    // In `Place`, inlined at `place` and in the items of `morePlaces`.
    agrees!(base, added);
}

#[test]
fn removed_fields_equal_the_compiled_schema() {
    agrees!(added, base);
}

#[test]
fn a_renamed_struct_field_a_new_bound_and_a_removed_required_field_equal_the_compiled_schema() {
    // `place` (a struct, not rebuilt: moved) renamed to `location`; `name`'s bound and
    // doc rebuilt; `Place.port` (required) removed. Two structs, one plan.
    agrees!(base, edited);
    agrees!(edited, base);
}

mod counted {
    version! { Spec;
        #[schemars(transform = markers::at_least_one_field(&[]))]
        struct Spec {
            /// A.
            a: Option<String>,
        }
    }
}

mod counted_more {
    version! { Spec;
        #[schemars(transform = markers::at_least_one_field(&[]))]
        struct Spec {
            /// A.
            a: Option<String>,
            /// B.
            b: Option<String>,
        }
    }
}

#[test]
fn a_transform_that_reads_the_field_set_is_refused() {
    refuses!(counted, counted_more, "at_least_one_field");
}

mod grouped {
    version! { Spec;
        #[serde(rename_all = "camelCase")]
        #[schemars(transform = markers::exactly_one_of(&["a", "b"]))]
        struct Spec {
            /// A.
            a: Option<String>,
            /// B.
            b: Option<String>,
        }
    }
}

mod grouped_renamed {
    version! { Spec;
        #[serde(rename_all = "camelCase")]
        #[schemars(transform = markers::exactly_one_of(&["a", "b"]))]
        struct Spec {
            /// A.
            a: Option<String>,
            /// B.
            c: Option<String>,
        }
    }
}

mod grouped_bound {
    version! { Spec;
        #[serde(rename_all = "camelCase")]
        #[schemars(transform = markers::exactly_one_of(&["a", "b"]))]
        struct Spec {
            /// A.
            a: Option<String>,
            /// B.
            #[schemars(length(max = 3))]
            b: Option<String>,
        }
    }
}

#[test]
fn a_field_a_transform_names_may_change_its_schema_but_not_come_or_go() {
    refuses!(grouped, grouped_renamed, "names the edited field `b`");
    agrees!(grouped, grouped_bound);
}

mod keyed {
    version! { Spec;
        struct Spec {
            /// Items.
            #[schemars(transform = markers::list_map(&["key"]))]
            items: Vec<Item>,
        }
        /// An item.
        struct Item {
            /// Key.
            key: String,
        }
    }
}

mod keyed_bound {
    version! { Spec;
        struct Spec {
            /// Items.
            #[schemars(transform = markers::list_map(&["key"]))]
            items: Vec<Item>,
        }
        /// An item.
        struct Item {
            /// Key.
            #[schemars(length(max = 3))]
            key: String,
        }
    }
}

mod keyed_redoc {
    version! { Spec;
        struct Spec {
            /// Items.
            #[schemars(transform = markers::list_map(&["key"]))]
            items: Vec<Item>,
        }
        /// An item, described anew.
        struct Item {
            /// Key.
            key: String,
        }
    }
}

#[test]
fn a_list_map_key_is_not_rebuilt_under_the_list_map() {
    // `list_map` reads its keys' schemas: a new bound on the key is compiled, and so
    // is the item struct rebuilt whole.
    refuses!(keyed, keyed_bound, "names the edited field `key`");
    refuses!(keyed, keyed_redoc, "names the edited field `key`");
}

mod with_transform {
    version! { Spec;
        struct Spec {
            /// A.
            a: Option<String>,
            /// A port.
            #[schemars(transform = markers::range(1, i64::MAX))]
            port: Option<i32>,
        }
    }
}

mod with_arg_less_transform {
    version! { Spec;
        struct Spec {
            /// A.
            a: Option<String>,
            /// A port.
            #[schemars(range(min = 2), transform = markers::port)]
            port: Option<i32>,
        }
    }
}

mod plain {
    version! { Spec;
        struct Spec {
            /// A.
            a: Option<String>,
        }
    }
}

mod with_literal_transforms {
    version! { Spec;
        struct Spec {
            /// A.
            #[schemars(transform = markers::each(markers::length(1, 8)), transform = markers::list_set)]
            a: Option<Vec<String>>,
            /// A port.
            #[schemars(transform = markers::range(1, 10), transform = markers::default(5))]
            port: Option<i32>,
            /// Named.
            #[schemars(transform = markers::cel("self.size() > 0", "must not be empty"))]
            named: BTreeMap<String, String>,
        }
    }
}

#[test]
fn transforms_with_literal_arguments_run_here_and_others_are_compiled() {
    // `i64::MAX` is not a literal.
    refuses!(plain, with_transform, "is not a literal");
    // Removing it needs no model of its schema.
    agrees!(with_transform, plain);
    // Markers run after the validation attributes, in order.
    agrees!(plain, with_arg_less_transform);
    agrees!(plain, with_literal_transforms);
    agrees!(with_literal_transforms, with_arg_less_transform);
}

mod new_struct {
    version! { Spec;
        #[serde(rename_all = "camelCase")]
        struct Spec {
            /// What kind.
            kind: Option<Kind>,
            /// The new part.
            new_part: Option<NewPart>,
            /// More new parts.
            #[schemars(length(max = 2))]
            more_parts: Vec<NewPart>,
        }
        /// A kind.
        enum Kind {
            /// The first.
            First,
            Second,
        }
        /// A new part, with fields of every kind.
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        #[schemars(transform = markers::map_atomic)]
        struct NewPart {
            /// Its name.
            #[schemars(length(min = 1, max = 8))]
            name: String,
            /// Its port.
            #[schemars(transform = markers::port)]
            port_number: Option<i32>,
            /// Its kind.
            kind: Option<Kind>,
            /// Its colour.
            color: Color,
            /// Deeper.
            inner: Option<Inner>,
        }
        /// A colour.
        enum Color {
            Red,
            /// Green.
            Green,
        }
        struct Inner {
            /// Flag.
            #[serde(default)]
            flag: bool,
        }
    }
}

#[test]
fn new_structs_and_fields_of_them_equal_the_compiled_schema() {
    agrees!(enums, new_struct);
    agrees!(new_struct, enums);
}

#[test]
fn a_new_field_of_a_struct_the_api_has_equals_the_compiled_schema() {
    // `Place`'s schema is read back from `place` (a plain `Option<Place>`).
    agrees!(base, added_struct);
    agrees!(added_struct, base);
}

mod keyed_odd {
    version! { Spec;
        struct Spec {
            /// Items.
            #[schemars(transform = markers::list_map(&["key"]))]
            items: Vec<Item>,
            /// The odd one.
            odd: Option<Item>,
        }
        /// An item.
        struct Item {
            /// Key.
            key: String,
        }
    }
}

#[test]
fn a_type_is_read_back_from_the_items_of_a_list_whose_markers_leave_them_alone() {
    // `Item`'s only place is a list under `list_map`, which changes only the list's
    // own keywords (see `a_type_is_not_read_back_from_items_a_marker_changed`).
    agrees!(keyed, keyed_odd);
    agrees!(keyed_odd, keyed);
}

mod enums {
    version! { Spec;
        #[serde(rename_all = "camelCase")]
        struct Spec {
            /// What kind.
            kind: Option<Kind>,
        }
        /// A kind.
        enum Kind {
            /// The first.
            First,
            Second,
        }
    }
}

mod enums_added {
    version! { Spec;
        #[serde(rename_all = "camelCase")]
        struct Spec {
            /// What kind.
            kind: Option<Kind>,
            /// Another kind, required.
            other_kind: Kind,
            /// The mode.
            mode: Option<Mode>,
            /// The colour.
            color: Color,
            /// Colours, at most 3.
            #[schemars(length(max = 3))]
            colors: Vec<Color>,
        }
        /// A kind.
        enum Kind {
            /// The first.
            First,
            Second,
        }
        /// How it runs.
        #[serde(rename_all = "lowercase")]
        #[schemars(transform = markers::enum_sorted)]
        enum Mode {
            /// Slowly.
            Slow,
            /// Quickly.
            #[serde(rename = "FAST")]
            Fast,
            Idle,
        }
        enum Color {
            Red,
            Green,
        }
    }
}

#[test]
fn new_fields_of_existing_and_new_unit_enums_equal_the_compiled_schema() {
    // `Kind` (documented variants: `oneOf`, wrapped in `anyOf` by `Option`) is read
    // back from `kind`; `Mode` and `Color` are new and built from their source.
    agrees!(enums, enums_added);
    agrees!(enums_added, enums);
}

mod added_struct {
    version! { Spec;
        #[serde(rename_all = "camelCase")]
        #[schemars(transform = markers::cel("has(self.name)", "name is required"))]
        struct Spec {
            /// The widget's name.
            #[schemars(length(min = 1, max = 64))]
            name: String,
            /// Where it is.
            place: Option<Place>,
            /// Another place.
            other_place: Option<Place>,
            /// More places.
            #[schemars(length(max = 8))]
            more_places: Vec<Place>,
            /// Settings by name.
            #[schemars(transform = markers::list_map(&["key"]))]
            settings: Option<Vec<Setting>>,
        }
        /// A place.
        #[serde(rename_all = "camelCase")]
        #[schemars(transform = markers::at_most_one_of(&["host", "path"]))]
        struct Place {
            /// Host name.
            #[schemars(length(min = 1, max = 256))]
            host: Option<String>,
            /// A path.
            path: Option<String>,
            /// The port.
            #[schemars(range(min = 1, max = 65535))]
            port: i32,
        }
        /// A setting.
        struct Setting {
            /// Its key.
            key: String,
            /// Its value.
            value: Option<String>,
        }
    }
}

#[test]
fn a_schema_that_is_not_what_the_sources_say_is_refused() {
    // A compiled output that does not match the old sources (e.g. a stale cache):
    // the check of the old fields refuses it.
    let mut crd = base::crd();
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["place"]
        ["properties"]["port"]["maximum"] = json!(100);
    let err = fast((base::SOURCE, crd), added::SOURCE).expect_err("refused");
    assert!(err.contains("was compiled to"), "{err}");
    assert!(
        err.starts_with("api/src/lib.rs: struct Place at /spec/versions/0/"),
        "names the file, the struct and the place: {err}"
    );
}

#[test]
fn other_changes_are_refused_with_their_reason() {
    let edit = |from: &str, to: &str| {
        assert!(base::SOURCE.contains(from), "{from}");
        fast(
            (base::SOURCE, base::crd()),
            &base::SOURCE.replacen(from, to, 1),
        )
        .expect_err("refused")
    };
    let err = edit(
        "#[derive(JsonSchema, Serialize)]",
        "#[derive(JsonSchema, Serialize, Clone)]",
    );
    assert!(err.contains("changed in more than its fields"), "{err}");
    // Without `Serialize`, schemars may or may not write a default: not modelled.
    let unserializable =
        |src: &str| src.replace("#[derive(JsonSchema, Serialize)]", "#[derive(JsonSchema)]");
    let err = fast(
        (&unserializable(base::SOURCE), base::crd()),
        &unserializable(added::SOURCE),
    )
    .expect_err("refused");
    assert!(err.contains("without #[derive(Serialize)]"), "{err}");
    // A renamed struct is one removed and one added: the old name is still used.
    let err = edit("struct Setting", "struct Settings");
    assert!(err.contains("type Setting was removed, but"), "{err}");
    // A new struct no field uses changes no schema: compiled, to be sure of it.
    let extra = format!("{}\nstruct Extra {{}}\n", base::SOURCE);
    let err = fast((base::SOURCE, base::crd()), &extra).expect_err("refused");
    assert!(err.contains("no field edit"), "{err}");
    // New generic parameters: the struct is no longer the type fields name.
    let err = edit("struct Setting\n{", "struct Setting<T = u32>\n{");
    assert_eq!(
        err,
        "api/src/lib.rs: struct Setting changed in more than its fields"
    );
    // A field that exists only under a cfg: which one the compiler saw is unknown.
    for (attr, shown) in [
        ("#[cfg(feature = \"x\")]", "cfg (feature = \"x\")"),
        (
            "#[cfg_attr(test, doc = \"y\")]",
            "cfg_attr (test , doc = \"y\")",
        ),
    ] {
        let err = edit(
            "#[doc = r\" Its key.\"] key",
            &format!("#[doc = r\" Its key.\"] {attr} key"),
        );
        assert!(
            err.contains(&format!("key: #[{shown}] is not followed")),
            "{attr}: {err}"
        );
    }
    // A union replaced by a struct of the same name is no new struct.
    let with = |kind: &str| format!("{}\n{kind} U {{ a: u32 }}\n", base::SOURCE);
    let err = fast((&with("union"), base::crd()), &with("struct")).expect_err("refused");
    assert_eq!(err, "api/src/lib.rs: an item other than a struct changed");
    // So is a type alias replaced by a struct of the same name.
    let err = fast(
        (&format!("{}\ntype U = u32;\n", base::SOURCE), base::crd()),
        &with("struct"),
    )
    .expect_err("refused");
    assert_eq!(err, "api/src/lib.rs: an item other than a struct changed");
}

#[test]
fn a_type_another_crate_may_define_is_not_read_back() {
    for import in [
        "use other::Place;",
        "use other::*;",
        "use other::{a::Place as Place};",
    ] {
        let new = format!("{import}\n{}", added_struct::SOURCE);
        let old = format!("{import}\n{}", base::SOURCE);
        let err = fast((&old, base::crd()), &new).expect_err("refused");
        assert!(err.contains("may be another crate's"), "{import}: {err}");
    }
    // Imports from this crate are ours.
    let new = format!("use crate::v1::Place;\n{}", added_struct::SOURCE);
    let old = format!("use crate::v1::Place;\n{}", base::SOURCE);
    assert_eq!(fast((&old, base::crd()), &new), Ok(added_struct::crd()));
}

mod checked_inner {
    version! { Spec;
        #[schemars(transform = markers::cel("!has(self.inner.b)", "no b"))]
        struct Spec {
            /// Inner.
            inner: Inner,
        }
        /// Inner.
        struct Inner {
            /// A.
            a: Option<String>,
            /// B.
            b: Option<String>,
        }
    }
}

mod checked_inner_rebuilt {
    version! { Spec;
        #[schemars(transform = markers::cel("!has(self.inner.b)", "no b"))]
        struct Spec {
            /// Inner.
            inner: Inner,
        }
        /// Inner, without b.
        #[serde(deny_unknown_fields)]
        struct Inner {
            /// A.
            a: Option<String>,
        }
    }
}

#[test]
fn a_rebuilt_struct_whose_field_a_rule_names_goes_is_refused() {
    // The rule on the way to `Inner` names `b`, which the rebuild removes.
    refuses!(
        checked_inner,
        checked_inner_rebuilt,
        "names the edited field `b`"
    );
    let err = fast(
        (checked_inner::SOURCE, checked_inner::crd()),
        checked_inner_rebuilt::SOURCE,
    )
    .expect_err("refused");
    assert!(
        err.starts_with("api/src/lib.rs: struct Inner, rebuilt: "),
        "{err}"
    );
}

#[test]
fn a_struct_whose_own_attributes_changed_is_rebuilt_as_compiled() {
    // `Place`'s doc, serde attributes and markers: rebuilt at `place` (inside its
    // `Option` field) and in the items of `morePlaces`.
    agrees!(base, rebuilt);
    agrees!(rebuilt, base);
}

mod plain_enum {
    version! { Spec;
        struct Spec {
            /// Maybe a colour.
            maybe: Option<Color>,
        }
        /// A colour.
        enum Color {
            Red,
            Green,
        }
    }
}

mod plain_enum_added {
    version! { Spec;
        struct Spec {
            /// Maybe a colour.
            maybe: Option<Color>,
            /// A colour, required.
            sure: Color,
        }
        /// A colour.
        enum Color {
            Red,
            Green,
        }
    }
}

#[test]
fn an_enum_read_back_from_an_option_loses_options_null() {
    // `Option` adds `null` to the type and to the enum's values; the required field
    // of the enum has neither.
    agrees!(plain_enum, plain_enum_added);
}

mod listed {
    version! { Spec;
        #[serde(rename_all = "camelCase")]
        struct Spec {
            /// Hosts, at least one.
            #[serde(default)]
            #[schemars(length(min = 1, max = 8))]
            hosts: Vec<Host>,
        }
        /// A host.
        struct Host {
            /// Its name.
            name: String,
        }
    }
}

mod listed_added {
    version! { Spec;
        #[serde(rename_all = "camelCase")]
        struct Spec {
            /// Hosts, at least one.
            #[serde(default)]
            #[schemars(length(min = 1, max = 4))]
            hosts: Vec<Host>,
            /// The main host.
            main_host: Option<Host>,
        }
        /// A host.
        struct Host {
            /// Its name.
            name: String,
        }
    }
}

#[test]
fn a_type_is_read_back_from_the_items_of_a_bounded_list() {
    // `Host` is only the items of `hosts`, whose bounds and default are on the list:
    // the list's new bound and a new field of `Host` both take it from there.
    agrees!(listed, listed_added);
    agrees!(listed_added, listed);
}

#[test]
fn a_way_through_a_type_a_macro_makes_is_followed_to_a_refusal() {
    // `Holder` is made by a macro and holds `Mid`, which holds `Place`: an edit of
    // `Place` cannot know every place it is inlined.
    let with_macro = |src: &str| {
        src.replacen(
            "place: Option<Place>,",
            "place: Option<Place>,\nholder: Option<Holder>,",
            1,
        ) + "\nmacro_rules! holder { () => { struct Holder { mid: Mid } }; }\nholder!();\n\
               struct Mid { p: Option<Place> }\n"
    };
    // What the compiler would give `holder`: a `Mid` holding a `Place`.
    let mut crd = base::crd();
    let spec = "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties";
    let place = crd
        .pointer(&format!("{spec}/place"))
        .expect("place")
        .clone();
    crd.pointer_mut(spec)
        .and_then(Value::as_object_mut)
        .expect("the spec's properties")
        .insert(
            "holder".into(),
            json!({ "type": "object", "properties": { "mid": {
                "type": "object", "properties": { "p": place } } } }),
        );
    let err =
        fast((&with_macro(base::SOURCE), crd), &with_macro(added::SOURCE)).expect_err("refused");
    assert!(
        err.contains("type Holder may hold Place: it is not defined by an item here"),
        "{err}"
    );
}

#[test]
fn a_type_that_writes_its_own_json_schema_is_not_read_back_or_edited() {
    let manual = |src: &str| format!("{src}\nimpl JsonSchema for Place {{ }}\n");
    // A new field of it: its schema is its own code's.
    let err = fast(
        (&manual(base::SOURCE), base::crd()),
        &manual(added_struct::SOURCE),
    )
    .expect_err("refused");
    assert!(err.contains("writes its own JsonSchema"), "{err}");
    // Its fields: not what its schema is made of.
    let err =
        fast((&manual(base::SOURCE), base::crd()), &manual(added::SOURCE)).expect_err("refused");
    assert!(err.contains("writes its own JsonSchema"), "{err}");
}

#[test]
fn another_crates_type_of_the_same_name_is_not_ours() {
    // `other::Place` is not `Place`: the walk does not go in, and a new field of it
    // is not built from ours.
    let with_foreign = |src: &str| {
        src.replacen(
            "place: Option<Place>,",
            "place: Option<Place>,\next: Option<other::Place>,",
            1,
        )
    };
    let got = fast(
        (&with_foreign(base::SOURCE), base::crd()),
        &with_foreign(added::SOURCE),
    );
    assert_eq!(got, Ok(added::crd()));
    let new_field = added_struct::SOURCE.replacen(
        "other_place: Option<Place>",
        "other_place: Option<other::Place>",
        1,
    );
    let err = fast((base::SOURCE, base::crd()), &new_field).expect_err("refused");
    assert!(err.contains("another crate's"), "{err}");
}

#[test]
fn a_type_imported_under_another_name_is_followed() {
    // `Spot` is `Place`: the field of it is a place of `Place` too (here one the
    // compiled schema lacks, so the edit is refused rather than half made).
    let with_alias = |src: &str| {
        "use crate::v1::Place as Spot;\n".to_owned()
            + &src.replacen(
                "place: Option<Place>,",
                "place: Option<Place>,\nspot: Option<Spot>,",
                1,
            )
    };
    let err = fast(
        (&with_alias(base::SOURCE), base::crd()),
        &with_alias(added::SOURCE),
    )
    .expect_err("refused");
    assert!(err.contains("/properties/spot"), "{err}");
}

mod generic_types {
    version! { Spec;
        struct Spec {
            /// Wrapped.
            a: Wrapper,
            /// Chosen.
            c: Choice,
        }
        /// A wrapper of anything, of a string unless said otherwise.
        struct Wrapper<T = String> {
            /// The value.
            v: Option<T>,
        }
        /// A choice.
        enum Choice<T = String> {
            /// One.
            One(T),
            /// Other.
            Other(String),
        }
    }
}

mod generic_types_struct_added {
    version! { Spec;
        struct Spec {
            /// Wrapped.
            a: Wrapper,
            /// Chosen.
            c: Choice,
            /// Wrapped again.
            b: Wrapper,
        }
        /// A wrapper of anything, of a string unless said otherwise.
        struct Wrapper<T = String> {
            /// The value.
            v: Option<T>,
        }
        /// A choice.
        enum Choice<T = String> {
            /// One.
            One(T),
            /// Other.
            Other(String),
        }
    }
}

mod generic_types_enum_added {
    version! { Spec;
        struct Spec {
            /// Wrapped.
            a: Wrapper,
            /// Chosen.
            c: Choice,
            /// Chosen again.
            d: Choice,
        }
        /// A wrapper of anything, of a string unless said otherwise.
        struct Wrapper<T = String> {
            /// The value.
            v: Option<T>,
        }
        /// A choice.
        enum Choice<T = String> {
            /// One.
            One(T),
            /// Other.
            Other(String),
        }
    }
}

#[test]
fn a_generic_type_is_not_read_back() {
    // Its schema depends on its parameters, which a field's type may leave to the
    // defaults: only the compiler knows which.
    refuses!(
        generic_types,
        generic_types_struct_added,
        "type `Wrapper`: generic, or not a struct or enum"
    );
    refuses!(
        generic_types,
        generic_types_enum_added,
        "type `Choice`: generic, or not a struct or enum"
    );
}

/// serde's own name for each variant under `rename_all = $rule`.
macro_rules! serde_names {
    ($rule:literal) => {{
        #[derive(serde::Serialize, Clone, Copy)]
        #[serde(rename_all = $rule)]
        enum V {
            HttpRoute,
            A,
            #[allow(clippy::upper_case_acronyms)]
            HTTPRoute,
            Route2B,
        }
        [
            ("HttpRoute", V::HttpRoute),
            ("A", V::A),
            ("HTTPRoute", V::HTTPRoute),
            ("Route2B", V::Route2B),
        ]
        .map(|(ident, v)| {
            (
                ident,
                serde_json::to_value(v)
                    .expect("a unit variant")
                    .as_str()
                    .expect("a name")
                    .to_owned(),
            )
        })
    }};
}

#[test]
fn variant_names_are_serdes() {
    for (rule, names) in [
        ("PascalCase", serde_names!("PascalCase")),
        ("lowercase", serde_names!("lowercase")),
        ("UPPERCASE", serde_names!("UPPERCASE")),
        ("camelCase", serde_names!("camelCase")),
        ("snake_case", serde_names!("snake_case")),
        ("SCREAMING_SNAKE_CASE", serde_names!("SCREAMING_SNAKE_CASE")),
        ("kebab-case", serde_names!("kebab-case")),
    ] {
        for (ident, serde) in names {
            assert_eq!(
                super::schema::variant_name(ident, Some(rule)),
                Ok(serde),
                "{ident} under {rule}"
            );
        }
    }
    assert_eq!(
        super::schema::variant_name("HttpRoute", None),
        Ok("HttpRoute".to_owned())
    );
    assert_eq!(
        super::schema::variant_name("HttpRoute", Some("Train-Case")),
        Err("rename_all = \"Train-Case\" is not followed".to_owned())
    );
}

mod one_value {
    version! { Spec;
        struct Spec {
            /// Maybe the only one.
            maybe: Option<Only>,
        }
        /// The only value.
        enum Only {
            One,
        }
    }
}

mod one_value_added {
    version! { Spec;
        struct Spec {
            /// Maybe the only one.
            maybe: Option<Only>,
            /// Surely the only one.
            surely: Only,
        }
        /// The only value.
        enum Only {
            One,
        }
    }
}

mod numbered {
    version! { Spec;
        struct Spec {
            /// A name.
            name: String,
        }
    }
}

mod numbered_added {
    version! { Spec;
        struct Spec {
            /// A name.
            name: String,
            /// A level.
            level: Level,
        }
        /// A level.
        enum Level {
            Low = 1,
            High = 2,
        }
    }
}

#[test]
fn enums_whose_schema_the_source_does_not_say_are_refused() {
    // Read back from an `Option`, a one-value enum is a one-value `enum`, which
    // may have been a `const` without the `Option`.
    refuses!(
        one_value,
        one_value_added,
        "type `Only`: no field of this type to read its schema back from"
    );
    // A variant with a discriminant is not a plain unit variant.
    refuses!(
        numbered,
        numbered_added,
        "variant Low: not a plain unit variant"
    );
}

mod boxed {
    version! { Spec;
        struct Spec {
            /// A name.
            name: String,
        }
    }
}

mod boxed_added {
    version! { Spec;
        struct Spec {
            /// A name.
            name: String,
            /// A boxed count.
            count: Box<u32>,
            /// Maybe a boxed flag.
            label: Option<Box<bool>>,
        }
    }
}

mod keyed_by_number {
    version! { Spec;
        struct Spec {
            /// A name.
            name: String,
            /// Names by number.
            names: BTreeMap<u32, String>,
        }
    }
}

#[test]
fn boxes_are_their_contents_and_maps_need_string_keys() {
    agrees!(boxed, boxed_added);
    refuses!(boxed, keyed_by_number, "a map whose keys are not `String`");
}

#[test]
fn bounds_are_plain_numbers() {
    use super::source::{Bounds, Validation, number};
    let num =
        |src: &str| number(&syn::parse_str(src).expect("an expression")).map_err(|e| e.to_string());
    assert_eq!(num("5"), Ok(json!(5)));
    assert_eq!(num("-5"), Ok(json!(-5)));
    assert_eq!(num("1.5"), Ok(json!(1.5)));
    assert_eq!(num("-1.5"), Ok(json!(-1.5)));
    for (src, why) in [
        ("!5", "not a literal"),
        ("-x", "not a literal"),
        ("x", "not a literal"),
        ("5u8", "not a plain number"),
        ("1.5f32", "not a plain number"),
        ("\"5\"", "not a plain number"),
        ("3000000000", "not an i32"),
    ] {
        assert_eq!(num(src), Err(why.to_owned()), "{src}");
    }
    assert!(Validation::default().is_empty());
    for v in [
        Validation {
            length: Some(Bounds::default()),
            ..Default::default()
        },
        Validation {
            range: Some(Bounds::default()),
            ..Default::default()
        },
        Validation {
            pattern: Some("^a$".into()),
            ..Default::default()
        },
        Validation {
            inner: Some(Box::default()),
            ..Default::default()
        },
    ] {
        assert!(!v.is_empty(), "{v:?}");
    }
}

mod mapped {
    version! { Spec;
        struct Spec {
            /// Places by name.
            places: BTreeMap<String, Place>,
            /// Places under an alias.
            listed: Places,
        }
        /// A place.
        struct Place {
            /// Host name.
            host: String,
        }
    }
    type Places = Vec<Place>;
}

mod mapped_added {
    version! { Spec;
        struct Spec {
            /// Places by name.
            places: BTreeMap<String, Place>,
            /// Places under an alias.
            listed: Places,
        }
        /// A place.
        struct Place {
            /// Host name.
            host: String,
            /// Port.
            port: Option<u16>,
        }
    }
    type Places = Vec<Place>;
}

#[test]
fn ways_through_maps_and_aliases_are_followed() {
    let alias = "\npub type Places = Vec<Place>;\n";
    let got = fast(
        (&(mapped::SOURCE.to_owned() + alias), mapped::crd()),
        &(mapped_added::SOURCE.to_owned() + alias),
    )
    .expect("the edit is taken");
    assert_eq!(got, mapped_added::crd());
    // A generic alias or struct on the way, its parameters left to their defaults:
    // they are not followed.
    for (generic, field) in [
        ("pub type Many<T = Place> = Vec<T>;", "Many"),
        ("pub struct Wrap<T = Place> { v: T }", "Wrap"),
    ] {
        let with = |src: &str| {
            src.replacen("listed: Places", &format!("listed: {field}"), 1) + "\n" + generic + "\n"
        };
        let err = fast(
            (&with(mapped::SOURCE), mapped::crd()),
            &with(mapped_added::SOURCE),
        )
        .expect_err("refused");
        let name = field.split('<').next().unwrap_or_default();
        assert!(
            err.contains(&format!(
                "{name} holds Place in a way not followed (an enum or generics)"
            )),
            "{generic}: {err}"
        );
    }
}

mod chosen {
    version! { Spec;
        struct Spec {
            /// Maybe a place.
            a: Option<Place>,
            /// A choice.
            c: Choice,
        }
        /// A place.
        struct Place {
            /// Host name.
            host: String,
        }
        /// Somewhere or nowhere.
        enum Choice {
            /// Here.
            Here(Place),
            /// Nowhere.
            Nowhere,
        }
    }
}

mod chosen_added {
    version! { Spec;
        struct Spec {
            /// Maybe a place.
            a: Option<Place>,
            /// A choice.
            c: Choice,
            /// Another place.
            b: Option<Place>,
        }
        /// A place.
        struct Place {
            /// Host name.
            host: String,
        }
        /// Somewhere or nowhere.
        enum Choice {
            /// Here.
            Here(Place),
            /// Nowhere.
            Nowhere,
        }
    }
}

#[test]
fn a_type_is_read_back_where_a_way_to_it_is_followed() {
    // The way through the enum is not followed; the plain field `a` is enough to
    // read `Place` back from.
    agrees!(chosen, chosen_added);
}

mod defaulted_option {
    version! { Spec;
        struct Spec {
            /// A name.
            name: String,
            /// Retries, if set.
            #[serde(default)]
            retries: Option<u32>,
        }
    }
}

mod foreign_defaulted {
    version! { Spec;
        struct Spec {
            /// A name.
            name: String,
            /// How many.
            #[serde(default)]
            count: Option<std::num::NonZeroU32>,
        }
    }
}

mod foreign_renamed_without_default {
    version! { Spec;
        struct Spec {
            /// A name.
            name: String,
            /// How many.
            number: Option<std::num::NonZeroU32>,
        }
    }
}

#[test]
fn a_renamed_field_whose_serde_attributes_changed_is_not_moved() {
    // A field this path cannot build moves to its new name only with the same
    // attributes: without `#[serde(default)]` its schema loses `default: null`.
    refuses!(
        foreign_defaulted,
        foreign_renamed_without_default,
        "Spec.number"
    );
}

#[test]
fn a_defaulted_option_without_skip_keeps_its_null_default() {
    // schemars writes `default: null` for it: the field serializes its default.
    assert_eq!(
        defaulted_option::crd().pointer(
            "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/retries/default"
        ),
        Some(&Value::Null)
    );
    agrees!(boxed, defaulted_option);
}

mod marker_fns {
    version! { Spec;
        @code {
            const NAME_PATTERN: &str = "^[a-z]+$";
            const MAX_NAME: u64 = 63;
            fn name(s: &mut schemars::Schema) {
                markers::length(1, MAX_NAME)(s);
                markers::pattern(NAME_PATTERN)(s);
            }
            fn names(s: &mut schemars::Schema) {
                markers::max_items(4)(s);
                markers::list_set(s);
            }
            fn coded(s: &mut schemars::Schema) {
                s.insert("maxItems".into(), 2.into());
            }
        }
        struct Spec {
            /// The name.
            #[schemars(transform = name)]
            name: String,
            /// Settings, by key.
            #[schemars(transform = markers::list_map(&["key"]), transform = markers::max_items(8))]
            settings: Option<Vec<Setting>>,
        }
        /// A setting.
        struct Setting {
            /// Its key.
            key: String,
            /// Its value.
            value: Option<String>,
        }
    }
}

mod marker_fns_added {
    version! { Spec;
        @code {
            const NAME_PATTERN: &str = "^[a-z]+$";
            const MAX_NAME: u64 = 63;
            fn name(s: &mut schemars::Schema) {
                markers::length(1, MAX_NAME)(s);
                markers::pattern(NAME_PATTERN)(s);
            }
            fn names(s: &mut schemars::Schema) {
                markers::max_items(4)(s);
                markers::list_set(s);
            }
            fn coded(s: &mut schemars::Schema) {
                s.insert("maxItems".into(), 2.into());
            }
        }
        struct Spec {
            /// The name.
            #[schemars(transform = name)]
            name: String,
            /// Another name.
            #[schemars(transform = name)]
            alias: Option<String>,
            /// Other names.
            #[schemars(transform = names)]
            aliases: Vec<String>,
            /// Settings, by key.
            #[schemars(transform = markers::list_map(&["key"]), transform = markers::max_items(8))]
            settings: Option<Vec<Setting>>,
            /// Defaults, read back from the items of `settings`.
            defaults: Option<Setting>,
        }
        /// A setting.
        struct Setting {
            /// Its key.
            key: String,
            /// Its value.
            value: Option<String>,
        }
    }
}

mod marker_fns_coded {
    version! { Spec;
        @code {
            const NAME_PATTERN: &str = "^[a-z]+$";
            const MAX_NAME: u64 = 63;
            fn name(s: &mut schemars::Schema) {
                markers::length(1, MAX_NAME)(s);
                markers::pattern(NAME_PATTERN)(s);
            }
            fn names(s: &mut schemars::Schema) {
                markers::max_items(4)(s);
                markers::list_set(s);
            }
            fn coded(s: &mut schemars::Schema) {
                s.insert("maxItems".into(), 2.into());
            }
        }
        struct Spec {
            /// The name.
            #[schemars(transform = name)]
            name: String,
            /// Settings, by key.
            #[schemars(transform = markers::list_map(&["key"]), transform = markers::max_items(8))]
            settings: Option<Vec<Setting>>,
            /// Two names.
            #[schemars(transform = coded)]
            pair: Vec<String>,
        }
        /// A setting.
        struct Setting {
            /// Its key.
            key: String,
            /// Its value.
            value: Option<String>,
        }
    }
}

mod read_back_from_each {
    version! { Spec;
        struct Spec {
            /// Settings, each checked.
            #[schemars(transform = markers::each(markers::cel("has(self.value)", "set it")))]
            settings: Vec<Setting>,
        }
        /// A setting.
        struct Setting {
            /// Its key.
            key: String,
            /// Its value.
            value: Option<String>,
        }
    }
}

mod read_back_from_each_added {
    version! { Spec;
        struct Spec {
            /// Settings, each checked.
            #[schemars(transform = markers::each(markers::cel("has(self.value)", "set it")))]
            settings: Vec<Setting>,
            /// The default.
            default: Option<Setting>,
        }
        /// A setting.
        struct Setting {
            /// Its key.
            key: String,
            /// Its value.
            value: Option<String>,
        }
    }
}

#[test]
fn marker_functions_of_the_api_run_as_their_markers() {
    // New fields with marker functions (one with constants as arguments), and a
    // type read back from the items of a list whose markers leave its items alone.
    agrees!(marker_fns, marker_fns_added);
    // And back: fields removed.
    agrees!(marker_fns_added, marker_fns);
}

#[test]
fn a_marker_function_that_is_code_is_refused() {
    refuses!(
        marker_fns,
        marker_fns_coded,
        "transform `coded` runs only when compiled: `s . insert (\"maxItems\" . into () , 2 . into ()) ;` in its function is not a marker applied to `s`"
    );
}

#[test]
fn a_type_is_not_read_back_from_items_a_marker_changed() {
    // `each` changes the items: `Setting`'s own schema is not in the output.
    refuses!(
        read_back_from_each,
        read_back_from_each_added,
        "no field of this type to read its schema back from"
    );
}

mod keyed_appended {
    version! { Spec;
        struct Spec {
            /// Items.
            #[schemars(transform = markers::list_map(&["key"]))]
            items: Vec<Item>,
        }
        /// An item.
        struct Item {
            /// Key.
            key: String,
            /// A note.
            note: Option<String>,
        }
    }
}

mod keyed_prepended {
    version! { Spec;
        struct Spec {
            /// Items.
            #[schemars(transform = markers::list_map(&["key"]))]
            items: Vec<Item>,
        }
        /// An item.
        struct Item {
            /// A note.
            note: Option<String>,
            /// Key.
            key: String,
        }
    }
}

#[test]
fn fields_that_stay_before_or_after_the_edit_are_not_rebuilt() {
    // `list_map` reads its key's schema, so a rebuilt `key` would be refused (as
    // `a_list_map_key_is_not_rebuilt_under_the_list_map` shows); a field added after
    // it or before it leaves it as it is.
    agrees!(keyed, keyed_appended);
    agrees!(keyed, keyed_prepended);
    agrees!(keyed_appended, keyed);
    agrees!(keyed_prepended, keyed);
}

mod moved_and_reused {
    version! { Spec;
        #[serde(rename_all = "camelCase")]
        #[schemars(transform = markers::cel("has(self.name)", "name is required"))]
        struct Spec {
            /// The widget's name.
            #[schemars(length(min = 1, max = 64))]
            name: String,
            /// Where it is.
            location: Option<Place>,
            /// Where it was: now a free text.
            place: Option<String>,
            /// More places.
            #[schemars(length(max = 8))]
            more_places: Vec<Place>,
            /// Settings by name.
            #[schemars(transform = markers::list_map(&["key"]))]
            settings: Option<Vec<Setting>>,
        }
        /// A place.
        #[serde(rename_all = "camelCase")]
        #[schemars(transform = markers::at_most_one_of(&["host", "path"]))]
        struct Place {
            /// Host name.
            #[schemars(length(min = 1, max = 256))]
            host: Option<String>,
            /// A path.
            path: Option<String>,
            /// The port.
            #[schemars(range(min = 1, max = 65535))]
            port: i32,
        }
        /// A setting.
        struct Setting {
            /// Its key.
            key: String,
            /// Its value.
            value: Option<String>,
        }
    }
}

mod with_transform_moved {
    version! { Spec;
        struct Spec {
            /// A.
            a: Option<String>,
            /// A port.
            #[schemars(transform = markers::range(1, i64::MAX))]
            listen_port: Option<i32>,
            /// The port, as text.
            port: Option<String>,
        }
    }
}

#[test]
fn a_new_field_may_take_the_name_a_moved_field_left() {
    // `port`'s schema is the compiler's to make (`i64::MAX`): it moves to
    // `listen_port` as it is, and a new `port` of another type comes.
    agrees!(with_transform, with_transform_moved);
    // `place` (a struct, read back) is removed and `location` added; a new `place`.
    agrees!(base, moved_and_reused);
}

mod ruled {
    version! { Spec;
        #[schemars(transform = markers::cel("has(self.a)", "a is required"))]
        struct Spec {
            /// A.
            a: Option<String>,
        }
    }
}

#[test]
fn the_root_struct_is_rebuilt_where_the_crd_holds_it() {
    // The spec's own struct has no field above it: its place is the CRD's `spec`.
    agrees!(plain, ruled);
    agrees!(ruled, plain);
    // There the compiled schema must be the old rebuilt one.
    let mut crd = plain::crd();
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["maxProperties"] =
        json!(3);
    let err = fast((plain::SOURCE, crd), ruled::SOURCE).expect_err("refused");
    assert!(err.ends_with("is not the rebuilt one"), "{err}");
}

mod rebuilt_and_added {
    version! { Spec;
        #[serde(rename_all = "camelCase")]
        #[schemars(transform = markers::cel("has(self.name)", "name is required"))]
        struct Spec {
            /// The widget's name.
            #[schemars(length(min = 1, max = 64))]
            name: String,
            /// Where it is.
            place: Option<Place>,
            /// More places.
            #[schemars(length(max = 8))]
            more_places: Vec<Place>,
            /// Settings by name.
            #[schemars(transform = markers::list_map(&["key"]))]
            settings: Option<Vec<Setting>>,
        }
        /// A place, rebuilt.
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        #[schemars(transform = markers::exactly_one_of(&["host", "path"]), transform = markers::map_atomic)]
        struct Place {
            /// Host name.
            #[schemars(length(min = 1, max = 256))]
            host: Option<String>,
            /// A path.
            path: Option<String>,
            /// The port.
            #[schemars(range(min = 1, max = 65535))]
            port: i32,
        }
        /// A setting.
        struct Setting {
            /// Its key.
            key: String,
            /// Its value.
            value: Option<String>,
            /// Why it is set.
            reason: Option<String>,
        }
    }
}

/// The plan from `old` to `new`, as `fast` makes it.
fn plan(old: &str, crd: &Value, new: &str) -> Plan {
    let file = |s: &str| BTreeMap::from([("api/src/lib.rs".to_owned(), s.to_owned())]);
    Plan::new(
        &file(old),
        &file(new),
        &["api/src/lib.rs"],
        &[("Widget", crd)],
    )
    .expect("planned")
}

#[test]
fn a_plan_counts_the_structs_it_edits_and_rebuilds() {
    // What gen-crds prints ("N struct(s) edited") is this count.
    let count = |old: &str, crd: &Value, new: &str| {
        let p = plan(old, crd, new);
        assert!(!p.is_empty());
        p.len()
    };
    assert_eq!(count(base::SOURCE, &base::crd(), added::SOURCE), 1);
    assert_eq!(count(base::SOURCE, &base::crd(), rebuilt::SOURCE), 1);
    assert_eq!(count(base::SOURCE, &base::crd(), edited::SOURCE), 2);
    assert_eq!(
        count(base::SOURCE, &base::crd(), rebuilt_and_added::SOURCE),
        2
    );
    // A plan is never made empty (no edit is an error), but the empty one says so.
    assert!(Plan::default().is_empty());
    agrees!(base, rebuilt_and_added);
    agrees!(rebuilt_and_added, base);
}

#[test]
fn a_name_is_mentioned_as_a_whole_word_only() {
    use super::mentions;
    assert!(mentions("Vec<Setting>", "Setting"));
    assert!(mentions("Setting", "Setting"));
    // Part of a longer identifier, on either side: letters, digits or `_`.
    for text in [
        "Settings",
        "MySetting",
        "my_Setting",
        "Setting_2",
        "Setting2",
        "2Setting",
    ] {
        assert!(!mentions(text, "Setting"), "{text}");
    }
    // A later whole-word occurrence counts after an embedded one.
    assert!(mentions("Settings, Setting", "Setting"));
}

#[test]
fn a_struct_with_two_fields_of_one_name_is_refused() {
    // Sources are read before the compiler sees them: a field written twice, or two
    // fields serde gives one name, are refused here (and the compiler says why).
    let with = |fields: &str| {
        let at = counted_more::SOURCE
            .find("#[doc = r\" B.\"]")
            .expect("field b");
        let mut s = counted_more::SOURCE.to_owned();
        s.insert_str(at, fields);
        s
    };
    for fields in [
        "#[doc = r\" X.\"] x: Option<String>, #[doc = r\" A.\"] a: Option<String>,",
        "#[doc = r\" C.\"] #[serde(rename = \"a\")] c: Option<String>,",
    ] {
        let err =
            fast((counted_more::SOURCE, counted_more::crd()), &with(fields)).expect_err("refused");
        assert_eq!(
            err, "api/src/lib.rs: Spec has two fields of the same JSON name",
            "{fields}"
        );
        // Old sources like these never compiled, so no output was made from them:
        // whatever the plan finds wrong, it says so rather than panic.
        fast((&with(fields), counted_more::crd()), counted_more::SOURCE).expect_err("refused");
    }
}

mod atomic_place {
    version! { Spec;
        struct Spec {
            /// Where it is, replaced whole.
            #[schemars(transform = markers::map_atomic)]
            place: Option<Place>,
        }
        /// A place.
        struct Place {
            /// Host name.
            host: Option<String>,
        }
    }
}

mod atomic_place_added {
    version! { Spec;
        struct Spec {
            /// Where it is, replaced whole.
            #[schemars(transform = markers::map_atomic)]
            place: Option<Place>,
            /// Where else.
            other: Option<Place>,
        }
        /// A place.
        struct Place {
            /// Host name.
            host: Option<String>,
        }
    }
}

#[test]
fn a_type_is_not_read_back_where_a_field_marker_changed_it() {
    // `map_atomic` leaves list items alone, but here it marks `Place`'s own schema:
    // read back from there, `Place` would carry the field's `x-kubernetes-map-type`
    // into `other`.
    refuses!(
        atomic_place,
        atomic_place_added,
        "type `Place`: no field of this type to read its schema back from"
    );
}

mod colors_checked {
    version! { Spec;
        struct Spec {
            /// Colours, each named.
            #[schemars(inner(length(min = 1)))]
            colors: Vec<Color>,
        }
        /// A colour.
        enum Color {
            Red,
            Green,
        }
    }
}

mod colors_checked_added {
    version! { Spec;
        struct Spec {
            /// Colours, each named.
            #[schemars(inner(length(min = 1)))]
            colors: Vec<Color>,
            /// Maybe a colour.
            maybe: Option<Color>,
        }
        /// A colour.
        enum Color {
            Red,
            Green,
        }
    }
}

#[test]
fn a_type_is_not_read_back_from_items_a_validation_changed() {
    // `inner(length(..))` puts `minLength` on the items, the enum's own schema there.
    refuses!(
        colors_checked,
        colors_checked_added,
        "no field of this type to read its schema back from"
    );
}
