//! The demo organization: every scenario gets its expected decision and deciding statement,
//! from the embedded copy and from the directory alike.

use iamwhy_engine::EvaluationOptions;
use iamwhy_engine::decision::Decision;
use iamwhy_world::demo::{demo_scenarios, demo_world};
use iamwhy_world::load_dir;
use std::path::PathBuf;

fn layer_name(l: iamwhy_engine::Layer) -> String {
    serde_json::to_value(l)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn every_demo_scenario_gets_its_expected_decision_and_deciding_statement() {
    let world = demo_world().unwrap_or_else(|e| panic!("{e}"));
    let scenarios = demo_scenarios().unwrap();
    assert!(scenarios.len() >= 9, "at least eight denials and one allow");
    let causes: std::collections::BTreeSet<&str> =
        scenarios.iter().map(|s| s.cause.as_str()).collect();
    for c in [
        "missing-allow",
        "explicit-deny",
        "resource-policy",
        "scp",
        "boundary",
        "session-policy",
        "condition-key",
        "trust-policy",
        "allowed",
    ] {
        assert!(causes.contains(c), "no scenario for {c}");
    }
    for s in &scenarios {
        let p = world
            .prepare(&s.question())
            .unwrap_or_else(|e| panic!("{}: {e}", s.title));
        let e = p.set.evaluate(&p.request, &EvaluationOptions::default());
        let decision = match e.decision {
            Decision::Allowed => "Allowed",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
        };
        assert_eq!(
            decision, s.expected.decision,
            "{}: {}",
            s.title, e.reason.summary
        );
        match e.decision {
            Decision::Allowed => {
                let d = e
                    .deciding
                    .first()
                    .unwrap_or_else(|| panic!("{}: no allowing statement", s.title));
                assert_eq!(Some(&d.policy), s.expected.policy.as_ref(), "{}", s.title);
                assert_eq!(d.sid, s.expected.sid, "{}", s.title);
            }
            Decision::ExplicitDeny => {
                assert_eq!(
                    e.reason.layer.map(layer_name),
                    s.expected.layer,
                    "{}",
                    s.title
                );
                let d = e
                    .deciding
                    .iter()
                    .find(|d| Some(layer_name(d.layer)) == s.expected.layer)
                    .unwrap_or_else(|| {
                        panic!("{}: no deciding statement in the expected layer", s.title)
                    });
                assert_eq!(Some(&d.policy), s.expected.policy.as_ref(), "{}", s.title);
                assert_eq!(d.sid, s.expected.sid, "{}", s.title);
            }
            Decision::ImplicitDeny => {
                assert_eq!(
                    e.reason.layer.map(layer_name),
                    s.expected.layer,
                    "{}",
                    s.title
                );
            }
        }
    }
}

#[test]
fn the_demo_directory_and_the_embedded_demo_are_the_same_world() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-world");
    let from_dir = load_dir(&dir).unwrap();
    let embedded = demo_world().unwrap();
    assert_eq!(
        from_dir.accounts.keys().collect::<Vec<_>>(),
        embedded.accounts.keys().collect::<Vec<_>>()
    );
    for (id, a) in &from_dir.accounts {
        let b = &embedded.accounts[id];
        assert_eq!(a.roles.len(), b.roles.len());
        assert_eq!(a.users.len(), b.users.len());
        assert_eq!(a.resources.len(), b.resources.len());
    }
}
