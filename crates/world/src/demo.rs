//! The demo organization (`examples/demo-world`), embedded in the binary so that `iamwhy demo`
//! needs nothing else.

use crate::error::in_file_error;
use crate::load::{WorldFiles, load};
use crate::model::World;
use crate::scenario::{Scenario, parse_scenarios};
use iamwhy_diagnostic::Diagnostic;
use include_dir::{Dir, include_dir};

static DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/demo-world");

/// The embedded demo files.
pub struct EmbeddedFiles(&'static Dir<'static>);

impl WorldFiles for EmbeddedFiles {
    fn origin(&self) -> String {
        "the built-in demo organization (examples/demo-world)".into()
    }

    fn read(&self, path: &str) -> Result<Option<String>, Diagnostic> {
        match self.0.get_file(path) {
            Some(f) => f
                .contents_utf8()
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| in_file_error("not-utf8", path, "the file is not UTF-8 text")),
            None => Ok(None),
        }
    }

    fn account_dirs(&self) -> Result<Vec<String>, Diagnostic> {
        let accounts = self.0.get_dir("accounts").ok_or_else(|| {
            Diagnostic::error("no-accounts-dir", "the demo has no accounts/ directory")
        })?;
        let mut out: Vec<String> = accounts
            .dirs()
            .filter_map(|d| {
                d.path()
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
            })
            .collect();
        out.sort();
        Ok(out)
    }
}

/// Load the demo organization.
pub fn demo_world() -> Result<World, Diagnostic> {
    load(&EmbeddedFiles(&DEMO))
}

/// The text of a file of the demo world (`accounts/222222222222/authorization-details.json`),
/// as `examples/demo-world` holds it.
pub fn demo_file(path: &str) -> Option<&'static str> {
    DEMO.get_file(path).and_then(|f| f.contents_utf8())
}

/// The demo's scenarios.
pub fn demo_scenarios() -> Result<Vec<Scenario>, Diagnostic> {
    let file = DEMO
        .get_file("scenarios.json")
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| Diagnostic::error("missing-scenarios", "the demo has no scenarios.json"))?;
    parse_scenarios("scenarios.json", file)
}
