//! Human rendering of a [`FixReport`]: each verified fix in order, with its label when it
//! costs more than a request change ("weakens a guardrail"), what else it allows, the command
//! that applies it (reading the file `--write-fix DIR` writes) and the diff; then why there is
//! no safe fix, when there is none.

use iamwhy_explain::{Cost, FixReport};
use owo_colors::OwoColorize;
use std::fmt::Write as _;

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| format!("{by}{l}\n")).collect()
}

/// Render the fixes; `written` says whether `--write-fix` wrote the files the commands read.
pub fn render(report: &FixReport, written: bool) -> String {
    let mut out = String::new();
    if !report.fixes.is_empty() {
        let _ = writeln!(
            out,
            "\nFixes, least invasive first (each re-simulated: it allows this request):"
        );
        for (i, f) in report.fixes.iter().enumerate() {
            let label = match f.cost.label() {
                Some(l) if f.cost == Cost::WeakensGuardrail => {
                    format!("[{}] ", l.to_uppercase()).red().bold().to_string()
                }
                Some(l) => format!("[{l}] ").yellow().to_string(),
                None => String::new(),
            };
            let _ = writeln!(out, "  {}. {label}{}", i + 1, f.title);
            for also in &f.also_allows {
                let _ = writeln!(out, "     also allows: {also}");
            }
            if let Some(c) = &f.command {
                let _ = writeln!(out, "     apply: {c}");
            }
            if let Some(file) = &f.file {
                if written {
                    let _ = writeln!(out, "     written: {file}");
                } else {
                    let _ = writeln!(
                        out,
                        "     ({file} is the document below; --write-fix DIR writes it)"
                    );
                }
            }
            if let Some(diff) = &f.diff {
                out.push_str(&indent(diff, "       "));
            }
        }
    }
    if let Some(why) = &report.no_safe_fix {
        let _ = writeln!(out, "\nNo safe fix: {why}");
        for r in &report.rejected {
            let _ = writeln!(out, "  tried: {r}");
        }
    }
    out
}
