//! `agentgateway-translate FILE...` (usually run as `cargo xtask translate FILE...`):
//! shows what backends become for agentgateway.
//!
//! Each file holds the input documents of a translation case (one
//! `AgentgatewayBackend` and the Services, Namespaces, Secrets and ConfigMaps it
//! refers to; a trailing `# Output` document is ignored). For each file, prints a YAML
//! document with `output` (agentgateway's backend resources) and `status`, in the
//! format of the golden cases in `translate/tests/golden`.

use agentgateway_translate::documents;
use std::process::ExitCode;

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() || files.iter().any(|f| f == "-h" || f == "--help") {
        eprintln!(
            "usage: cargo xtask translate FILE...\n\nEach FILE holds YAML documents: one AgentgatewayBackend and the Services, Namespaces, Secrets and ConfigMaps it refers to."
        );
        return if files.is_empty() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    let mut failed = 0;
    for path in &files {
        let result = read(path)
            .and_then(|bytes| documents::run(documents::decode(&bytes)?))
            .and_then(|t| documents::render_yaml(&t));
        match result {
            Ok(yaml) => {
                let (marker, rest) = yaml.split_once('\n').unwrap_or((&yaml, ""));
                print!("---\n{marker}\n# file: {path}\n{rest}");
            }
            Err(e) => {
                eprintln!("error: {path}: {e}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        eprintln!(
            "error: {failed} of {} file(s) could not be translated",
            files.len()
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The bytes of `path`, refusing a file over [`documents::MAX_INPUT_BYTES`] before
/// reading it (and whatever grows past it while being read).
fn read(path: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > documents::MAX_INPUT_BYTES as u64 {
        return Err(documents::too_big(len));
    }
    let mut bytes = Vec::new();
    file.take(documents::MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    Ok(bytes)
}
