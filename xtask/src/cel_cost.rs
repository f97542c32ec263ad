//! `cargo xtask cel-cost`: the CEL cost the apiserver estimates for the chart's CRDs
//! (`crdgen::cel_cost`), and how far each bound entering a cost can go.

use anyhow::Context;
use crdgen::cel_cost::{self, PER_CRD_LIMIT, PER_RULE_LIMIT, ceiling};
use serde::Serialize;
use serde_json::Value;
use std::{fmt::Write as _, path::Path, process::ExitCode};

#[derive(clap::Args)]
pub struct Args {
    /// Only this CRD (its name, plural or kind, any case).
    #[arg(long)]
    crd: Option<String>,
    /// `text` (default) or `json`.
    #[arg(long, default_value = "text")]
    output: String,
    /// CRD files to read instead of the chart's templates.
    files: Vec<std::path::PathBuf>,
}

#[derive(Serialize)]
struct Report {
    crd: String,
    version: String,
    total: u64,
    limit: u64,
    rule_limit: u64,
    rules: Vec<cel_cost::RuleCost>,
    ceilings: Vec<ceiling::Ceiling>,
}

fn crds_in(path: &Path) -> anyhow::Result<Vec<Value>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, doc) in serde_yaml::Deserializer::from_str(&text).enumerate() {
        let v: Value = serde::Deserialize::deserialize(doc)
            .with_context(|| format!("{} document {i}: not YAML", path.display()))?;
        if v.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition") {
            out.push(v);
        }
    }
    Ok(out)
}

fn matches(crd: &Value, want: &str) -> bool {
    let want = want.to_ascii_lowercase();
    [
        "/metadata/name",
        "/spec/names/plural",
        "/spec/names/kind",
        "/spec/names/singular",
    ]
    .iter()
    .filter_map(|p| crd.pointer(p).and_then(Value::as_str))
    .any(|n| n.to_ascii_lowercase() == want)
}

/// The reports for the CRDs in `files` (the chart's templates when empty).
fn reports(files: &[std::path::PathBuf], only: Option<&str>) -> anyhow::Result<Vec<Report>> {
    let files: Vec<std::path::PathBuf> = if files.is_empty() {
        let dir = crate::workspace_root().join(crate::gen_crds::TEMPLATES);
        let mut f: Vec<_> = std::fs::read_dir(&dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        f.sort();
        f
    } else {
        files.to_vec()
    };
    let mut out = Vec::new();
    for file in &files {
        for crd in crds_in(file)? {
            if only.is_some_and(|w| !matches(&crd, w)) {
                continue;
            }
            let name = crd
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            for v in crd
                .pointer("/spec/versions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(schema) = v.pointer("/schema/openAPIV3Schema") else {
                    continue;
                };
                let (mut rules, total) = cel_cost::estimate_schema(schema)
                    .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
                rules.sort_by(|a, b| b.total.cmp(&a.total).then(a.path.cmp(&b.path)));
                let ceilings =
                    ceiling::ceilings(schema).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
                out.push(Report {
                    crd: name.clone(),
                    version: v
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    total,
                    limit: PER_CRD_LIMIT,
                    rule_limit: PER_RULE_LIMIT,
                    rules,
                    ceilings,
                });
            }
        }
    }
    if let Some(w) = only
        && out.is_empty()
    {
        anyhow::bail!("no CRD named {w} (give its name, plural or kind)");
    }
    Ok(out)
}

fn pct(x: u64, of: u64) -> String {
    format!("{:.2}%", x as f64 * 100.0 / of as f64)
}

fn text(reports: &[Report]) -> String {
    let mut out = String::new();
    for r in reports {
        let _ = writeln!(
            out,
            "{} {}: total {} of {} ({}); largest rule {} of {} per rule",
            r.crd,
            r.version,
            r.total,
            r.limit,
            pct(r.total, r.limit),
            r.rules.first().map_or(0, |x| x.total),
            r.rule_limit
        );
        let _ = writeln!(out, "  rules (cost = one evaluation × times it can run):");
        for rc in &r.rules {
            let expr = rc.message_expression.as_deref().unwrap_or(&rc.rule);
            let mults: Vec<String> = rc
                .multipliers
                .iter()
                .map(|m| match m.value {
                    Some(v) => format!("{} {}={v}", m.path, m.keyword),
                    None => format!("{} no {}", m.path, m.keyword),
                })
                .collect();
            let _ = writeln!(
                out,
                "    {:>10} {:>7}  {} {}: {} × {}{}  `{}`",
                rc.total,
                pct(rc.total, r.rule_limit),
                rc.path,
                if rc.message_expression.is_some() {
                    "messageExpression"
                } else {
                    "rule"
                },
                rc.cost,
                rc.cardinality,
                if mults.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", mults.join(", "))
                },
                expr.split_whitespace().collect::<Vec<_>>().join(" ")
            );
        }
        let _ = writeln!(
            out,
            "  ceilings (largest value at which every rule and the total still fit):"
        );
        let unlimited = r.ceilings.iter().filter(|c| c.ceiling.is_none()).count();
        for c in r.ceilings.iter().filter(|c| c.ceiling.is_some()) {
            let ceiling = c.ceiling.map(|v| v.to_string()).unwrap_or_default();
            let by = match &c.set_by {
                Some(s) if s.path == "." && s.rule.is_empty() => {
                    format!(
                        ", set by the total ({} > {} at ceiling + 1)",
                        s.cost, s.limit
                    )
                }
                Some(s) => format!(
                    ", set by `{}` at {} ({} > {} at ceiling + 1)",
                    s.rule.split_whitespace().collect::<Vec<_>>().join(" "),
                    s.path,
                    s.cost,
                    s.limit
                ),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "    {} {}: {}, ceiling {ceiling}{by}",
                c.path, c.keyword, c.value
            );
        }
        if unlimited > 0 {
            let _ = writeln!(
                out,
                "    ({unlimited} more bounds read by rules have no ceiling up to {}; --output json lists them)",
                ceiling::SEARCH_MAX
            );
        }
    }
    out
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let reports = reports(&args.files, args.crd.as_deref())?;
    match args.output.as_str() {
        "text" => print!("{}", text(&reports)),
        "json" => println!("{}", serde_json::to_string_pretty(&reports)?),
        other => anyhow::bail!("--output {other}: use text or json"),
    }
    let over = reports
        .iter()
        .any(|r| r.total > r.limit || r.rules.iter().any(|x| x.over_limit()));
    Ok(if over {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
