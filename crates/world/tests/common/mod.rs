//! Shared helpers: temporary world directories built from the shared corpus.

#![allow(dead_code)]

use iamwhy_engine::{Decision, EvaluationOptions, Layer};
use iamwhy_world::{Question, World};
use std::path::{Path, PathBuf};

pub fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "iamwhy-world-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A world with one account whose authorization details are `gaad`.
pub fn world_from_gaad(gaad: &Path, account: &str) -> PathBuf {
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
