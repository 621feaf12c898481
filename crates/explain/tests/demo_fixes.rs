//! End to end on the demo organization: for each denial of `iamwhy demo`, the AWS-style error
//! message is parsed, the request rebuilt and simulated, the deciding statement found, and the
//! first suggested fix — written into a copy of the world — makes the request allowed.

use iamwhy_engine::{Decision, EvaluationOptions};
use iamwhy_evidence::input::from_message;
use iamwhy_explain::apply::apply_to_world_dir;
use iamwhy_explain::{DiagnoseOptions, RequestOverrides, WorldIndex, diagnose};
use iamwhy_world::demo::demo_scenarios;
use iamwhy_world::load_dir;
use std::path::{Path, PathBuf};

fn demo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-world")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The message AWS would return for the scenario's expected outcome.
fn aws_message(s: &iamwhy_world::scenario::Scenario) -> String {
    let phrase = match s.expected.layer.as_deref() {
        Some("identity") => "identity-based policy",
        Some("resource") => "resource-based policy",
        Some("permissions_boundary") => "permissions boundary",
        Some("scp") => "service control policy",
        Some("rcp") => "resource control policy",
        Some("session") => "session policy",
        Some("vpc_endpoint") => "VPC endpoint policy",
        _ => "identity-based policy",
    };
    let reason = if s.expected.decision == "ExplicitDeny" {
        format!("with an explicit deny in a {phrase}")
    } else {
        format!("because no {phrase} allows the {} action", s.action)
    };
    format!(
        "An error occurred (AccessDenied) when calling the Operation operation: User: {} is not authorized to perform: {} on resource: {} {reason}",
        s.principal, s.action, s.resource
    )
}

#[test]
fn every_demo_denial_is_explained_and_its_first_fix_makes_it_allowed() {
    let world = load_dir(&demo_dir()).unwrap();
    let index = WorldIndex::new(&world);
    let mut checked = 0;
    for s in demo_scenarios().unwrap() {
        if s.expected.decision == "Allowed" {
            continue;
        }
        let mut observed = from_message(&aws_message(&s))
            .unwrap_or_else(|| panic!("{}: message does not parse", s.title));
        assert_eq!(
            observed.principal.as_deref(),
            Some(s.principal.as_str()),
            "{}",
            s.title
        );
        assert_eq!(observed.actions, vec![s.action.clone()], "{}", s.title);
        // What a CloudTrail record would add: the request's context and endpoint.
        observed.context = s.question().context;
        observed.vpce = s.source_vpce.clone();
        let question = s.question();
        let options = DiagnoseOptions {
            overrides: RequestOverrides {
                session_policy: s.session_policy.as_ref().map(|p| p.to_string()),
                ..RequestOverrides::default()
            },
            ..DiagnoseOptions::default()
        };
        let d = diagnose(&index, &observed, &options);
        assert!(d.error.is_none(), "{}: {:?}", s.title, d.error);
        let a = &d.actions[0];
        assert_eq!(
            a.agreement.verdict, "agrees",
            "{}: {}",
            s.title, a.agreement.explanation
        );
        if let Some(sid) = &s.expected.sid {
            assert!(
                a.evaluation
                    .deciding
                    .iter()
                    .any(|m| m.sid.as_ref() == Some(sid)),
                "{}: deciding statement {sid}",
                s.title
            );
        }
        let fix = a
            .fixes
            .fixes
            .first()
            .unwrap_or_else(|| panic!("{}: no fix ({:?})", s.title, a.fixes));
        // Apply it to a copy of the world, then ask again.
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().to_path_buf();
        copy_dir(&demo_dir(), &dir);
        apply_to_world_dir(&dir, fix).unwrap_or_else(|e| panic!("{}: {e}", s.title));
        let fixed = load_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: the fixed world does not load: {e}", s.title));
        let mut q = fix.changed_question(&question);
        if q.session_policy.is_none() {
            q.session_policy = s.session_policy.as_ref().map(|p| p.to_string());
        }
        let p = fixed.prepare(&q).unwrap();
        let e = p.set.evaluate(&p.request, &EvaluationOptions::default());
        assert_eq!(
            e.decision,
            Decision::Allowed,
            "{}: after \"{}\": {}",
            s.title,
            fix.title,
            e.reason.summary
        );
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} denials checked");
}
