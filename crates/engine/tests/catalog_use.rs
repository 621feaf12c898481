//! The engine's use of the service catalog: unknown actions and resources that do not fit the
//! action are reported in the trace, and catalog-typed multivalued keys are treated as sets.

use iamwhy_engine::decision::PolicySet;
use iamwhy_engine::{
    CompiledPolicy, Context, EvaluationOptions, Principal, Request, RequestResource,
};
use iamwhy_policy::{PolicyDocument, PolicyType};
use std::sync::Arc;

fn allow_all() -> CompiledPolicy {
    let doc = PolicyDocument::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
    .unwrap();
    CompiledPolicy::compile("all", PolicyType::Identity, Arc::new(doc))
}

fn evaluate(action: &str, resource: &str) -> iamwhy_engine::Evaluation {
    let set = PolicySet::new().with_identity(vec![allow_all()]);
    let req = Request::new(
        Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap(),
        action,
        RequestResource::parse(resource),
        Context::new(),
    )
    .unwrap();
    set.evaluate(&req, &EvaluationOptions::default())
}

#[test]
fn unknown_action_is_reported_with_a_suggestion_not_silently_decided() {
    let e = evaluate("s3:GetObjekt", "arn:aws:s3:::b/k");
    let note = e
        .notes
        .iter()
        .find(|n| n.contains("does not know the action"))
        .expect("a note");
    assert!(note.contains("s3:GetObject"), "{note}");
}

#[test]
fn known_action_gets_no_unknown_action_note() {
    let e = evaluate("s3:GetObject", "arn:aws:s3:::b/k");
    assert!(!e.notes.iter().any(|n| n.contains("does not know")));
}

#[test]
fn wildcard_only_action_with_an_arn_is_reported() {
    let e = evaluate("s3:ListAllMyBuckets", "arn:aws:s3:::b");
    assert!(
        e.notes.iter().any(|n| n.contains("takes no resource")),
        "{:?}",
        e.notes
    );
}

#[test]
fn resource_action_with_star_is_reported() {
    let e = evaluate("s3:GetObject", "*");
    assert!(
        e.notes
            .iter()
            .any(|n| n.contains("arn:${Partition}:s3:::${BucketName}/${ObjectName}")),
        "{:?}",
        e.notes
    );
}

#[test]
fn catalog_multivalued_key_given_once_is_a_set_for_operators() {
    let doc = PolicyDocument::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"env"}}}]}"#,
    )
    .unwrap();
    let set = PolicySet::new().with_identity(vec![CompiledPolicy::compile(
        "p",
        PolicyType::Identity,
        Arc::new(doc),
    )]);
    let mut ctx = Context::new();
    ctx.set("aws:TagKeys", "env");
    let req = |ctx: Context| {
        Request::new(
            Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap(),
            "ec2:CreateTags",
            RequestResource::parse("arn:aws:ec2:eu-west-1:111122223333:instance/i-1"),
            ctx,
        )
        .unwrap()
    };
    let opts = EvaluationOptions::default();
    assert!(
        !set.decide(&req(ctx.clone()), &opts).is_denied(),
        "as given: one value, single-valued"
    );
    ctx.apply_catalog_types();
    assert!(
        set.decide(&req(ctx), &opts).is_denied(),
        "typed by the catalog: multivalued, so StringEquals without a set qualifier never matches"
    );
}

#[test]
fn the_root_user_cannot_assume_roles() {
    let doc = PolicyDocument::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}"#,
    )
    .unwrap();
    let set = PolicySet::new().with_resource(CompiledPolicy::compile(
        "trust",
        PolicyType::Trust,
        Arc::new(doc),
    ));
    let req = Request::new(
        Principal::parse("arn:aws:iam::111122223333:root").unwrap(),
        "sts:AssumeRole",
        RequestResource::parse("arn:aws:iam::111122223333:role/R"),
        Context::new(),
    )
    .unwrap();
    let e = set.evaluate(&req, &EvaluationOptions::default());
    assert!(e.decision.is_denied());
    assert!(
        e.reason.summary.contains("root user cannot assume roles"),
        "{}",
        e.reason.summary
    );
}

#[test]
fn get_caller_identity_needs_a_signed_caller() {
    let set = PolicySet::new();
    let ask = |p: Principal| {
        let req = Request::new(
            p,
            "sts:GetCallerIdentity",
            RequestResource::parse("*"),
            Context::new(),
        )
        .unwrap();
        set.decide(&req, &EvaluationOptions::default())
    };
    assert!(!ask(Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap()).is_denied());
    assert!(ask(Principal::anonymous()).is_denied());
}
