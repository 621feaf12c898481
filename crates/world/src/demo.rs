//! The demo organization (`examples/demo-world`), embedded in the binary so that `iamwhy demo`
//! needs nothing else.

use crate::error::WorldError;
use crate::load::{WorldFiles, load};
use crate::model::World;
use crate::scenario::{Scenario, parse_scenarios};
use include_dir::{Dir, include_dir};

static DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/demo-world");

/// The embedded demo files.
pub struct EmbeddedFiles(&'static Dir<'static>);

impl WorldFiles for EmbeddedFiles {
    fn origin(&self) -> String {
        "the built-in demo organization (examples/demo-world)".into()
    }

    fn read(&self, path: &str) -> Result<Option<String>, WorldError> {
        match self.0.get_file(path) {
            Some(f) => f
                .contents_utf8()
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| WorldError::in_file(path, "the file is not UTF-8 text")),
            None => Ok(None),
        }
    }

    fn account_dirs(&self) -> Result<Vec<String>, WorldError> {
        let accounts = self
            .0
            .get_dir("accounts")
            .ok_or_else(|| WorldError::new("the demo has no accounts/ directory"))?;
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
pub fn demo_world() -> Result<World, WorldError> {
    load(&EmbeddedFiles(&DEMO))
}

/// The demo's scenarios.
pub fn demo_scenarios() -> Result<Vec<Scenario>, WorldError> {
    let file = DEMO
        .get_file("scenarios.json")
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| WorldError::new("the demo has no scenarios.json"))?;
    parse_scenarios("scenarios.json", file)
}
