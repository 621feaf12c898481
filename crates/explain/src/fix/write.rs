//! Writing the documents of a report's fixes to the files their commands read
//! (`iamwhy explain --write-fix DIR`).

use super::FixReport;
use super::command::{needs_queue_attributes, queue_attributes_file};
use iamwhy_diagnostic::Diagnostic;
use std::path::Path;

fn write(path: &str, text: &str) -> Result<(), Diagnostic> {
    if let Some(parent) = Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            Diagnostic::error(
                "cannot-write-fix",
                format!("cannot create {}: {e}", parent.display()),
            )
        })?;
    }
    std::fs::write(path, text)
        .map_err(|e| Diagnostic::error("cannot-write-fix", format!("cannot write {path}: {e}")))
}

/// Write every fix document to its file; SQS fixes also get `{"Policy": "<document>"}` in the
/// queue-attributes file their command reads.
pub(super) fn write_files(report: &FixReport) -> Result<Vec<String>, Diagnostic> {
    let mut written = Vec::new();
    for f in &report.fixes {
        let (Some(file), Some(doc)) = (&f.file, &f.document) else {
            continue;
        };
        write(file, doc)?;
        written.push(file.clone());
        if f.origin.as_ref().is_some_and(needs_queue_attributes) {
            let attrs = queue_attributes_file(file);
            let text = serde_json::to_string_pretty(&serde_json::json!({ "Policy": doc }))
                .expect("JSON serializes");
            write(&attrs, &text)?;
            written.push(attrs);
        }
    }
    Ok(written)
}
