//! Helpers of the world tests: scratch world directories, the vendored corpus, asking a question.

#![allow(dead_code)]

use iamwhy_engine::{Decision, EvaluationOptions, Layer};
use iamwhy_world::{Question, World};
use std::path::{Path, PathBuf};

/// The real inputs vendored beside these tests (crates/world/tests/data/corpus, copied from the
/// shared corpus by tools/vendor-corpus/vendor.sh; see its README.md for sources and licences).
pub fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus")
}

/// The shared corpus beside the checkout (../shared/corpus), when it is there: extra coverage
/// only, never needed for a test to pass.
pub fn shared_corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    dir.is_dir().then_some(dir)
}

/// A scratch directory, removed when dropped. Derefs to its path, so `&dir` is a `&Path`.
pub struct Scratch(tempfile::TempDir);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

/// A fresh, empty scratch directory whose name starts with `iamwhy-world-{tag}-`.
pub fn temp_dir(tag: &str) -> Scratch {
    Scratch(
        tempfile::Builder::new()
            .prefix(&format!("iamwhy-world-{tag}-"))
            .tempdir()
            .unwrap(),
    )
}

/// A world with one account whose authorization details are `gaad`.
pub fn world_from_gaad(gaad: &Path, account: &str) -> Scratch {
    let dir = temp_dir(account);
    let acct = dir.join("accounts").join(account);
    std::fs::create_dir_all(&acct).unwrap();
    std::fs::copy(gaad, acct.join("authorization-details.json")).unwrap();
    dir
}

pub fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Copy a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A decision with its deciding layer, the sources of the deciding statements and the notes.
pub struct Answer {
    pub decision: Decision,
    pub layer: Option<Layer>,
    pub sources: Vec<String>,
    pub notes: Vec<String>,
}

/// Prepare and evaluate a question at a fixed time; `f` adjusts the question.
pub fn ask_with(
    w: &World,
    principal: &str,
    action: &str,
    resource: &str,
    f: impl FnOnce(&mut Question),
) -> Answer {
    let mut q = Question {
        principal: principal.into(),
        action: action.into(),
        resource: resource.into(),
        now: Some("2026-11-22T12:00:00Z".into()),
        ..Question::default()
    };
    f(&mut q);
    let p = w.prepare(&q).unwrap_or_else(|e| panic!("{e}"));
    let e = p.set.evaluate(&p.request, &EvaluationOptions::default());
    Answer {
        decision: e.decision,
        layer: e.reason.layer,
        sources: e.deciding.iter().filter_map(|d| d.source.clone()).collect(),
        notes: p.notes,
    }
}
