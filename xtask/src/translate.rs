//! `cargo xtask translate FILE...`: shows what backends become for agentgateway.
//!
//! Each file holds the input documents of a translation case (one
//! `AgentgatewayBackend` and the Services, Namespaces, Secrets and ConfigMaps it
//! refers to; a trailing `# Output` document is ignored). For each file, prints a YAML
//! document with `output` (agentgateway's backend resources) and `status`, in the
//! format of the golden cases in `translate/tests/golden`.

use agentgateway_translate::documents;
use std::{path::PathBuf, process::ExitCode};

#[derive(clap::Args)]
pub struct Args {
    /// Case files: YAML documents with exactly one AgentgatewayBackend.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut failed = 0;
    for path in &args.files {
        let result = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|text| documents::run(&text));
        match result {
            Ok(t) => {
                let yaml = documents::render_yaml(&t);
                let (marker, rest) = yaml.split_once('\n').unwrap_or((&yaml, ""));
                print!("---\n{marker}\n# file: {}\n{rest}", path.display());
            }
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                failed += 1;
            }
        }
    }
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} file(s) could not be translated",
            args.files.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
