//! The demo's stories get the fixes a careful engineer would choose: the request change or
//! the role the guardrail exempts first, guardrail exemptions last and labelled, and a trust
//! policy fix that keeps the ExternalId requirement.

use iamwhy_engine::{Decision, EvaluationOptions};
use iamwhy_explain::{Cost, FixReport, WorldIndex, suggest};
use iamwhy_world::demo::{demo_scenarios, demo_world};
use iamwhy_world::{Question, World};

fn report(world: &World, q: &Question) -> FixReport {
    let p = world.prepare(q).unwrap();
    let e = p.set.evaluate(&p.request, &EvaluationOptions::default());
    assert_ne!(e.decision, Decision::Allowed, "{q:?}");
    suggest(&WorldIndex::new(world), q, &p, &e)
}

fn story(title_part: &str) -> Question {
    demo_scenarios()
        .unwrap()
        .into_iter()
        .find(|s| s.title.contains(title_part))
        .unwrap_or_else(|| panic!("no demo story {title_part}"))
        .question()
}

fn titles(r: &FixReport) -> Vec<String> {
    r.fixes
        .iter()
        .map(|f| format!("{:?}: {}", f.cost, f.title))
        .collect()
}

fn assert_guardrail_fixes_last_and_labelled(r: &FixReport) {
    let costs: Vec<Cost> = r.fixes.iter().map(|f| f.cost).collect();
    let mut sorted = costs.clone();
    sorted.sort();
    assert_eq!(costs, sorted, "{:#?}", titles(r));
    for f in &r.fixes {
        if f.title.starts_with("Exempt ") {
            assert_eq!(f.cost, Cost::WeakensGuardrail, "{}", f.title);
            assert_eq!(f.cost.label(), Some("weakens a guardrail"));
        }
    }
}

#[test]
fn the_region_lock_story_first_changes_the_region() {
    let world = demo_world().unwrap();
    let r = report(&world, &story("wrong region"));
    let first = &r.fixes[0];
    assert_eq!(first.cost, Cost::RequestChange, "{:#?}", titles(&r));
    assert!(
        first.title.contains("make the call in region eu-west-1"),
        "{}",
        first.title
    );
    let change = first.request.as_ref().unwrap();
    assert_eq!(
        change.resource.as_deref(),
        Some("arn:aws:ec2:eu-west-1:333333333333:instance/*")
    );
    assert!(
        r.fixes
            .iter()
            .any(|f| f.cost == Cost::WeakensGuardrail && f.title.contains("DenyOutsideEU")),
        "{:#?}",
        titles(&r)
    );
    assert_guardrail_fixes_last_and_labelled(&r);
}

#[test]
fn the_cloudtrail_story_first_names_the_role_the_scp_exempts() {
    let world = demo_world().unwrap();
    let r = report(&world, &story("stop CloudTrail"));
    let first = &r.fixes[0];
    assert_eq!(first.cost, Cost::ExemptPrincipal, "{:#?}", titles(&r));
    assert!(
        first.title.contains("role OrgOps") && first.title.contains("exempts"),
        "{}",
        first.title
    );
    assert_eq!(
        first.request.as_ref().unwrap().principal.as_deref(),
        Some("arn:aws:iam::222222222222:role/OrgOps")
    );
    // Erin's session cannot assume OrgOps: the fix says so instead of pretending.
    assert!(
        first
            .also_allows
            .iter()
            .any(|a| a.contains("cannot assume OrgOps")),
        "{:#?}",
        first.also_allows
    );
    let last = r.fixes.last().unwrap();
    assert_eq!(last.cost, Cost::WeakensGuardrail, "{:#?}", titles(&r));
    assert_guardrail_fixes_last_and_labelled(&r);
}

#[test]
fn the_external_id_story_keeps_the_condition() {
    let world = demo_world().unwrap();
    let r = report(&world, &story("external ID"));
    let first = &r.fixes[0];
    assert_eq!(first.cost, Cost::RequestChange, "{:#?}", titles(&r));
    assert!(first.title.contains("--external-id deploy-prod-7f3a9c"));
    for f in &r.fixes {
        if let Some(doc) = &f.document {
            assert!(doc.contains("sts:ExternalId"), "{}: {doc}", f.title);
        }
    }
    assert!(
        r.rejected
            .iter()
            .any(|x| x.contains("already trusts") && x.contains("sts:ExternalId")),
        "{:#?}",
        r.rejected
    );
}

#[test]
fn a_trust_fix_for_another_caller_extends_the_statement_and_keeps_its_external_id() {
    // DeployRole trusts role A when the external ID is passed; role B (no trust) calls with it.
    let dir = tempfile::tempdir().unwrap();
    let account = dir.path().join("accounts/111111111111");
    std::fs::create_dir_all(&account).unwrap();
    let allow_assume = r#"{"PolicyName":"assume","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}}"#;
    let trust_nobody = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    std::fs::write(
        account.join("authorization-details.json"),
        format!(
            r#"{{"RoleDetailList":[
              {{"RoleName":"A","Path":"/","Arn":"arn:aws:iam::111111111111:role/A","AssumeRolePolicyDocument":{trust_nobody},"RolePolicyList":[{allow_assume}]}},
              {{"RoleName":"B","Path":"/","Arn":"arn:aws:iam::111111111111:role/B","AssumeRolePolicyDocument":{trust_nobody},"RolePolicyList":[{allow_assume}]}},
              {{"RoleName":"DeployRole","Path":"/","Arn":"arn:aws:iam::111111111111:role/DeployRole",
                "AssumeRolePolicyDocument":{{"Version":"2012-10-17","Statement":[{{"Sid":"TrustAWithExternalId","Effect":"Allow",
                  "Principal":{{"AWS":"arn:aws:iam::111111111111:role/A"}},"Action":"sts:AssumeRole",
                  "Condition":{{"StringEquals":{{"sts:ExternalId":"agreed-7f3a"}}}}}}]}},
                "RolePolicyList":[]}}]}}"#
        ),
    )
    .unwrap();
    let world = iamwhy_world::load_dir(dir.path()).unwrap();
    for (context, needs_external_id) in [
        (
            vec![("sts:ExternalId".to_string(), "agreed-7f3a".to_string())],
            false,
        ),
        (Vec::new(), true),
    ] {
        let q = Question {
            principal: "arn:aws:sts::111111111111:assumed-role/B/build".into(),
            action: "sts:AssumeRole".into(),
            resource: "arn:aws:iam::111111111111:role/DeployRole".into(),
            context,
            ..Question::default()
        };
        let r = report(&world, &q);
        let trust = r
            .fixes
            .iter()
            .find(|f| f.title.contains("trust policy"))
            .unwrap_or_else(|| panic!("{:#?} {:#?}", titles(&r), r.rejected));
        let doc = trust.document.as_deref().unwrap();
        assert!(
            doc.contains("\"arn:aws:iam::111111111111:role/B\""),
            "{doc}"
        );
        assert!(doc.contains("\"sts:ExternalId\": \"agreed-7f3a\""), "{doc}");
        assert_eq!(
            doc.matches("\"Effect\"").count(),
            1,
            "extended, not added: {doc}"
        );
        assert!(
            trust.title.contains("its conditions stay: sts:ExternalId"),
            "{}",
            trust.title
        );
        // Without the external ID the fix says to pass it as well.
        assert_eq!(
            trust.request.as_ref().map(|c| c.context.clone()),
            needs_external_id
                .then(|| vec![("sts:ExternalId".to_string(), "agreed-7f3a".to_string())]),
            "{}",
            trust.title
        );
    }
}

#[test]
fn no_safe_fix_gives_the_true_reason() {
    // An identity Deny and a KMS key policy that does not allow: lifting the Deny alone is not
    // enough, and granting alone cannot beat the Deny.
    let dir = tempfile::tempdir().unwrap();
    let account = dir.path().join("accounts/111111111111");
    std::fs::create_dir_all(&account).unwrap();
    std::fs::write(
        account.join("authorization-details.json"),
        r#"{"UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::111111111111:user/u",
            "UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"},
              {"Sid":"NoDecrypt","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}}]}]}"#,
    )
    .unwrap();
    std::fs::write(
        account.join("resource-policies.json"),
        r#"[{"arn":"arn:aws:kms:eu-west-1:111111111111:key/k1","policy":{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/Admin"},"Action":"kms:*","Resource":"*"}]}}]"#,
    )
    .unwrap();
    let world = iamwhy_world::load_dir(dir.path()).unwrap();
    let q = Question {
        principal: "arn:aws:iam::111111111111:user/u".into(),
        action: "kms:Decrypt".into(),
        resource: "arn:aws:kms:eu-west-1:111111111111:key/k1".into(),
        ..Question::default()
    };
    let r = report(&world, &q);
    assert!(r.fixes.is_empty(), "{:#?}", titles(&r));
    let why = r.no_safe_fix.as_deref().unwrap();
    assert!(
        why.contains("one Deny (in the identity-based policy) and one missing Allow (in the resource-based policy): both must change"),
        "{why}"
    );
}
