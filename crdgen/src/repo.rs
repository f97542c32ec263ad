//! Facts about this repository's layout, shared by `xtask` and the e2e tests so each
//! is written once.

use std::path::PathBuf;

/// The CRD chart, relative to the workspace root.
pub const CHART: &str = "install/helm/agentgateway-crds";

/// The chart's generated CRD templates, relative to the workspace root.
pub const TEMPLATES: &str = "install/helm/agentgateway-crds/templates";

/// The generated Markdown API reference, relative to the workspace root.
pub const REFERENCE: &str = "docs/reference";

/// The generated JSON Schemas (`{group}/{kind}_{version}.json`), relative to the
/// workspace root.
pub const SCHEMAS: &str = "schemas/agentgateway.dev";

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_templates_are_in_the_chart() {
        assert!(super::TEMPLATES.starts_with(super::CHART));
        assert!(
            super::workspace_root()
                .join(super::CHART)
                .join("Chart.yaml")
                .is_file()
        );
    }
}
