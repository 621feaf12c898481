//! A federated user's identity permissions are its creating IAM user's: the fix for a missing
//! identity allow is written to that user, and it makes the request allowed.

use iamwhy_engine::{Decision, EvaluationOptions};
use iamwhy_evidence::input::from_message;
use iamwhy_explain::apply::apply_to_world_dir;
use iamwhy_explain::{DiagnoseOptions, RequestOverrides, WorldIndex, diagnose};
use iamwhy_world::{Question, load_dir};

fn write(dir: &std::path::Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn identity_fix_for_a_federated_user_goes_to_the_user_that_created_the_session() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().to_path_buf();
    write(
        &dir,
        "accounts/111111111111/authorization-details.json",
        r#"{"UserDetailList":[{"UserName":"builder","UserId":"AIDAEXAMPLEBUILDER01","Arn":"arn:aws:iam::111111111111:user/builder",
            "UserPolicyList":[{"PolicyName":"list","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}}]}]}"#,
    );
    write(
        &dir,
        "accounts/111111111111/resource-policies.json",
        r#"[{"arn":"arn:aws:s3:::artifacts"}]"#,
    );
    let world = load_dir(&dir).unwrap();
    let message = "An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:sts::111111111111:federated-user/build is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::artifacts/app.zip because no identity-based policy allows the s3:GetObject action";
    let observed = from_message(message).expect("message parses");
    let all =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let options = DiagnoseOptions {
        overrides: RequestOverrides {
            session_policy: Some(all.into()),
            federated_by: Some("arn:aws:iam::111111111111:user/builder".into()),
            ..RequestOverrides::default()
        },
        ..DiagnoseOptions::default()
    };
    let d = diagnose(&WorldIndex::new(&world), &observed, &options);
    assert!(d.error.is_none(), "{:?}", d.error);
    let fix = d.actions[0]
        .fixes
        .fixes
        .first()
        .unwrap_or_else(|| panic!("no fix: {:?}", d.actions[0].fixes));
    assert!(
        fix.title.contains("user builder"),
        "the fix names the creating user: {}",
        fix.title
    );
    assert!(
        fix.command
            .as_deref()
            .is_some_and(|c| c.contains("put-user-policy --user-name builder")),
        "{:?}",
        fix.command
    );
    apply_to_world_dir(&dir, fix).unwrap();
    let fixed = load_dir(&dir).unwrap();
    let p = fixed
        .prepare(&Question {
            principal: "arn:aws:sts::111111111111:federated-user/build".into(),
            action: "s3:GetObject".into(),
            resource: "arn:aws:s3:::artifacts/app.zip".into(),
            federated_by: Some("arn:aws:iam::111111111111:user/builder".into()),
            session_policy: Some(all.into()),
            now: Some("2026-11-22T12:00:00Z".into()),
            ..Question::default()
        })
        .unwrap();
    assert_eq!(
        p.set
            .evaluate(&p.request, &EvaluationOptions::default())
            .decision,
        Decision::Allowed
    );
}
