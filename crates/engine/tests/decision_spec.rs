//! Conformance table for AWS's policy evaluation logic and its service-specific authorization,
//! with every canonical vector of §11.2 (named `rowNN` in the comments) and the reason
//! selection of §11.3.
//!
//! Every test names one behaviour and asserts the exact `Decision`, and where meaningful the
//! primary reason (`reason.layer`, `reason.level`), `blocked_by`, the grant kind and the deciding
//! statements. The `run` helper checks that the fast path (`PolicySet::decide`) agrees with the
//! explained path (`PolicySet::evaluate`).
//!
//! Accounts: A = 111122223333 (principal and resource account unless noted), B = 444455556666.

use Decision::{Allowed, ExplicitDeny, ImplicitDeny};
use iamwhy_engine::decision::{Decision, Evaluation, GrantKind, Layer, LayerStatus, PolicySet};
use iamwhy_engine::{
    CompiledPolicy, Context, EvaluationOptions, NotPrincipalMode, Principal, Request,
    RequestResource,
};
use iamwhy_policy::{PolicyDocument, PolicyType};
use std::sync::Arc;

const A: &str = "111122223333";
const B: &str = "444455556666";
const ROOT_A: &str = "arn:aws:iam::111122223333:root";
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const BOB_B: &str = "arn:aws:iam::444455556666:user/bob";
const ROLE_APP: &str = "arn:aws:iam::111122223333:role/App";
const S1: &str = "arn:aws:sts::111122223333:assumed-role/App/s1";
const S2: &str = "arn:aws:sts::111122223333:assumed-role/App/s2";
const FED: &str = "arn:aws:sts::111122223333:federated-user/fed";
const OBJ: &str = "arn:aws:s3:::b/k";
const OBJS: &str = "arn:aws:s3:::b/*";
const ROLE_R: &str = "arn:aws:iam::111122223333:role/R";
const ROLE_R_B: &str = "arn:aws:iam::444455556666:role/R";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_B: &str = "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const INSTANCE: &str = "arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0";
const SSO_ROLE: &str = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef";
const SLR_ARN: &str = "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
const SLR_SESSION: &str =
    "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling";
const GITHUB: &str = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";

// ---------------------------------------------------------------------------------------------
// Helpers: statements, policies, requests, running, assertions
// ---------------------------------------------------------------------------------------------

/// A statement under construction.
#[derive(Clone)]
struct S {
    sid: String,
    effect: &'static str,
    principal: Option<(bool, String)>,
    action: (bool, String),
    resource: Option<(bool, String)>,
    condition: Option<String>,
}

/// A JSON value: arrays and objects as written, anything else as a string.
fn value(v: &str) -> String {
    if v.starts_with('[') || v.starts_with('{') {
        v.to_string()
    } else {
        format!("\"{v}\"")
    }
}

fn statement(sid: &str, effect: &'static str, action: &str, resource: &str) -> S {
    S {
        sid: sid.into(),
        effect,
        principal: None,
        action: (false, value(action)),
        resource: Some((false, value(resource))),
        condition: None,
    }
}

fn allow(sid: &str, action: &str, resource: &str) -> S {
    statement(sid, "Allow", action, resource)
}

fn deny(sid: &str, action: &str, resource: &str) -> S {
    statement(sid, "Deny", action, resource)
}

/// A trust-policy statement (no Resource element).
fn trust_allow(sid: &str, principal: &str, action: &str) -> S {
    S {
        resource: None,
        ..allow(sid, action, "*")
    }
    .to(principal)
}

/// `"*"`, a JSON object, or an ARN / account id read as `{"AWS": ...}`.
fn principal_value(p: &str) -> String {
    if p == "*" {
        "\"*\"".into()
    } else if p.starts_with('{') {
        p.to_string()
    } else {
        format!(r#"{{"AWS":{}}}"#, value(p))
    }
}

impl S {
    fn to(mut self, principal: &str) -> S {
        self.principal = Some((false, principal_value(principal)));
        self
    }
    fn not_principal(mut self, principal: &str) -> S {
        self.principal = Some((true, principal_value(principal)));
        self
    }
    fn not_action(mut self) -> S {
        self.action.0 = true;
        self
    }
    fn not_resource(mut self) -> S {
        if let Some(r) = &mut self.resource {
            r.0 = true;
        }
        self
    }
    fn when(mut self, condition: &str) -> S {
        self.condition = Some(condition.to_string());
        self
    }
    fn json(&self) -> String {
        let mut out = format!(r#"{{"Sid":"{}","Effect":"{}""#, self.sid, self.effect);
        if let Some((neg, p)) = &self.principal {
            let key = if *neg { "NotPrincipal" } else { "Principal" };
            out.push_str(&format!(r#","{key}":{p}"#));
        }
        let key = if self.action.0 { "NotAction" } else { "Action" };
        out.push_str(&format!(r#","{key}":{}"#, self.action.1));
        if let Some((neg, r)) = &self.resource {
            let key = if *neg { "NotResource" } else { "Resource" };
            out.push_str(&format!(r#","{key}":{r}"#));
        }
        if let Some(c) = &self.condition {
            out.push_str(&format!(r#","Condition":{c}"#));
        }
        out.push('}');
        out
    }
}

fn compile(name: &str, ty: PolicyType, text: &str) -> CompiledPolicy {
    let doc = PolicyDocument::parse(text).unwrap_or_else(|e| panic!("{name}: {e:?}\n{text}"));
    CompiledPolicy::compile(name, ty, Arc::new(doc))
}

fn pol_v(name: &str, ty: PolicyType, version: &str, statements: &[S]) -> CompiledPolicy {
    let body: Vec<String> = statements.iter().map(S::json).collect();
    compile(
        name,
        ty,
        &format!(
            r#"{{"Version":"{version}","Statement":[{}]}}"#,
            body.join(",")
        ),
    )
}

fn pol(name: &str, ty: PolicyType, statements: &[S]) -> CompiledPolicy {
    pol_v(name, ty, "2012-10-17", statements)
}

fn idp(statements: &[S]) -> CompiledPolicy {
    pol("idp", PolicyType::Identity, statements)
}
fn pb(statements: &[S]) -> CompiledPolicy {
    pol("pb", PolicyType::Boundary, statements)
}
fn sp(statements: &[S]) -> CompiledPolicy {
    pol("session", PolicyType::Session, statements)
}
fn rbp(statements: &[S]) -> CompiledPolicy {
    pol("bucket", PolicyType::Resource, statements)
}
fn key_policy(statements: &[S]) -> CompiledPolicy {
    pol("key", PolicyType::Resource, statements)
}
fn trust(statements: &[S]) -> CompiledPolicy {
    pol("trust", PolicyType::Trust, statements)
}
fn vpce(statements: &[S]) -> CompiledPolicy {
    pol("vpce", PolicyType::Endpoint, statements)
}
fn scp(name: &str, statements: &[S]) -> CompiledPolicy {
    pol(name, PolicyType::Scp, statements)
}
fn rcp(name: &str, statements: &[S]) -> CompiledPolicy {
    pol(name, PolicyType::Rcp, statements)
}
fn scp_full() -> CompiledPolicy {
    scp("FullAWSAccess", &[allow("FullAWSAccess", "*", "*")])
}
fn rcp_full() -> CompiledPolicy {
    rcp(
        "RCPFullAWSAccess",
        &[allow("RCPFullAWSAccess", "*", "*").to("*")],
    )
}

fn req_p(principal: Principal, action: &str, resource: &str) -> Request {
    Request::new(
        principal,
        action,
        RequestResource::parse(resource),
        Context::new(),
    )
    .unwrap()
}

fn req(principal: &str, action: &str, resource: &str) -> Request {
    req_p(Principal::parse(principal).unwrap(), action, resource)
}

fn ctx(mut r: Request, pairs: &[(&str, &str)]) -> Request {
    for (k, v) in pairs {
        r.context.set(k, *v);
    }
    r
}

fn in_account(mut r: Request, account: &str) -> Request {
    r.resource_account = Some(account.to_string());
    r
}

/// A GetFederationToken session created by alice.
fn fed() -> Principal {
    let mut p = Principal::parse(FED).unwrap();
    p.source_user_arn = Some(ALICE.into());
    p
}

/// A session of a service-linked role (the role ARN with its path is known).
fn slr() -> Principal {
    let mut p = Principal::parse(SLR_SESSION).unwrap();
    p.role_arn = Some(SLR_ARN.into());
    p
}

fn run_with(set: &PolicySet, r: &Request, opts: &EvaluationOptions) -> Evaluation {
    let mut r = r.clone();
    // As the inventory does: a principal with a boundary says so (AWS: NotPrincipal).
    if set.boundary.is_some() {
        r.principal_has_boundary = true;
    }
    let e = set.evaluate(&r, opts);
    assert_eq!(
        set.decide(&r, opts),
        e.decision,
        "decide and evaluate disagree\n{}",
        pretty(&e)
    );
    e
}

fn run(set: &PolicySet, r: &Request) -> Evaluation {
    run_with(set, r, &EvaluationOptions::default())
}

fn pretty(e: &Evaluation) -> String {
    serde_json::to_string_pretty(e).unwrap()
}

/// The decision and the primary reason layer.
#[track_caller]
fn expect(e: &Evaluation, decision: Decision, layer: Option<Layer>) {
    assert_eq!(
        (e.decision, e.reason.layer),
        (decision, layer),
        "{}",
        pretty(e)
    );
}

#[track_caller]
fn expect_blocked(e: &Evaluation, layers: &[Layer]) {
    let mut got = e.blocked_by.clone();
    got.sort();
    got.dedup();
    let mut want = layers.to_vec();
    want.sort();
    assert_eq!(got, want, "blocked_by\n{}", pretty(e));
}

#[track_caller]
fn expect_level(e: &Evaluation, level: Option<&str>) {
    assert_eq!(e.reason.level.as_deref(), level, "level\n{}", pretty(e));
}

#[track_caller]
fn expect_grant(e: &Evaluation, grant: Option<GrantKind>) {
    assert_eq!(e.grant, grant, "grant\n{}", pretty(e));
}

/// The deciding statements as `layer:policy:sid` (`@level` for SCPs/RCPs), sorted.
fn deciding(e: &Evaluation) -> Vec<String> {
    let mut v: Vec<String> = e
        .deciding
        .iter()
        .map(|m| {
            let mut s = format!(
                "{}:{}:{}",
                m.layer.short(),
                m.policy,
                m.sid.clone().unwrap_or_default()
            );
            if let Some(l) = &m.level {
                s.push('@');
                s.push_str(l);
            }
            s
        })
        .collect();
    v.sort();
    v
}

#[track_caller]
fn expect_deciding(e: &Evaluation, want: &[&str]) {
    let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(deciding(e), want, "deciding\n{}", pretty(e));
}

fn layer_status(e: &Evaluation, layer: Layer) -> Option<LayerStatus> {
    e.layers.iter().find(|l| l.layer == layer).map(|l| l.status)
}

fn layer_note(e: &Evaluation, layer: Layer) -> String {
    e.layers
        .iter()
        .find(|l| l.layer == layer)
        .and_then(|l| l.note.clone())
        .unwrap_or_default()
}

#[track_caller]
fn expect_note(e: &Evaluation, fragment: &str) {
    assert!(
        e.notes.iter().any(|n| n.contains(fragment)),
        "no note containing {fragment:?}\n{}",
        pretty(e)
    );
}

fn allow_get() -> S {
    allow("AllowGet", "s3:GetObject", OBJS)
}

// ---------------------------------------------------------------------------------------------
// §1.2 statement applicability and policy verdicts; §11.2 rows 1–6
// ---------------------------------------------------------------------------------------------

#[test]
fn no_policies_is_an_implicit_deny_by_identity() {
    // row 1
    let e = run(&PolicySet::new(), &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    expect_blocked(&e, &[]);
    expect_deciding(&e, &[]);
    expect_grant(&e, None);
}

#[test]
fn identity_allow_grants_in_same_account() {
    // row 2
    let set = PolicySet::new().with_identity(vec![idp(&[allow_get()])]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_deciding(&e, &["identity:idp:AllowGet"]);
    expect_grant(&e, None);
}

#[test]
fn explicit_deny_beats_allow() {
    // row 3
    let set = PolicySet::new().with_identity(vec![
        idp(&[allow_get()]),
        pol(
            "guard",
            PolicyType::Identity,
            &[deny("DenyS3", "s3:*", "*")],
        ),
    ]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ExplicitDeny, Some(Layer::Identity));
    expect_blocked(&e, &[Layer::Identity]);
    expect_deciding(&e, &["identity:guard:DenyS3"]);
}

#[test]
fn deny_in_the_same_policy_beats_its_allow() {
    // §1.2: a policy's verdict is Deny if any applicable statement denies.
    let set = PolicySet::new().with_identity(vec![idp(&[
        allow("All", "*", "*"),
        deny("NoGet", "s3:GetObject", OBJS),
    ])]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ExplicitDeny, Some(Layer::Identity));
    expect_deciding(&e, &["identity:idp:NoGet"]);
    let e = run(&set, &req(ALICE, "s3:PutObject", OBJ));
    expect(&e, Allowed, None);
    expect_deciding(&e, &["identity:idp:All"]);
}

#[test]
fn allows_are_ored_across_statements_and_policies() {
    // §1.2: statements of one policy and policies of one type are OR-ed for allows.
    let set = PolicySet::new().with_identity(vec![
        idp(&[
            allow_get(),
            allow("AllowList", "s3:ListBucket", "arn:aws:s3:::b"),
        ]),
        pol(
            "second",
            PolicyType::Identity,
            &[allow("AllowPut", "s3:PutObject", OBJS)],
        ),
    ]);
    expect_deciding(
        &run(&set, &req(ALICE, "s3:GetObject", OBJ)),
        &["identity:idp:AllowGet"],
    );
    expect_deciding(
        &run(&set, &req(ALICE, "s3:PutObject", OBJ)),
        &["identity:second:AllowPut"],
    );
    expect_deciding(
        &run(&set, &req(ALICE, "s3:ListBucket", "arn:aws:s3:::b")),
        &["identity:idp:AllowList"],
    );
    expect(
        &run(&set, &req(ALICE, "s3:DeleteObject", OBJ)),
        ImplicitDeny,
        Some(Layer::Identity),
    );
}

#[test]
fn comma_separated_actions_in_one_string_grant_nothing() {
    // row 4 [EMPIRICAL-3P]
    let set = PolicySet::new().with_identity(vec![idp(&[allow(
        "Commas",
        "s3:GetObject,s3:PutObject",
        OBJS,
    )])]);
    expect(
        &run(&set, &req(ALICE, "s3:GetObject", OBJ)),
        ImplicitDeny,
        Some(Layer::Identity),
    );
}

#[test]
fn action_with_trailing_space_grants_nothing() {
    // row 5 (AWS: action matching)
    let set = PolicySet::new().with_identity(vec![idp(&[allow("Space", "s3:GetObject ", OBJS)])]);
    expect(
        &run(&set, &req(ALICE, "s3:GetObject", OBJ)),
        ImplicitDeny,
        Some(Layer::Identity),
    );
}

#[test]
fn not_action_excludes_actions_case_insensitively() {
    // row 6
    let set =
        PolicySet::new().with_identity(vec![idp(&[allow("NotIam", "iam:*", "*").not_action()])]);
    let e = run(
        &set,
        &req(
            ALICE,
            "IAM:CreateUser",
            "arn:aws:iam::111122223333:user/bob",
        ),
    );
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    // ... while every other service is allowed.
    expect(&run(&set, &req(ALICE, "s3:GetObject", OBJ)), Allowed, None);
}

// ---------------------------------------------------------------------------------------------
// §1.3 explicit deny scan; §11.3 reason selection
// ---------------------------------------------------------------------------------------------

/// Every layer allows a GetObject by session App/s1 (resource policy names the session);
/// `deny_in` adds one Deny statement `Deny<short>` to each listed layer.
fn every_layer(deny_in: &[Layer]) -> PolicySet {
    let d = |l: Layer| deny_in.contains(&l);
    let extra = |l: Layer, mut v: Vec<S>, principal: bool| {
        if d(l) {
            let s = deny(&format!("Deny{}", l.short()), "s3:GetObject", "*");
            v.push(if principal { s.to("*") } else { s });
        }
        v
    };
    let mut scp_account = vec![scp_full()];
    if d(Layer::Scp) {
        scp_account.push(scp("guard", &extra(Layer::Scp, vec![], false)));
    }
    let mut rcp_account = vec![rcp_full()];
    if d(Layer::Rcp) {
        rcp_account.push(rcp("guard", &extra(Layer::Rcp, vec![], true)));
    }
    PolicySet::new()
        .with_scp_level("r-root", vec![scp_full()])
        .with_scp_level(A, scp_account)
        .with_rcp_level("r-root", vec![rcp_full()])
        .with_rcp_level(A, rcp_account)
        .with_endpoint(vec![vpce(&extra(
            Layer::VpcEndpoint,
            vec![allow("Default", "*", "*").to("*")],
            true,
        ))])
        .with_boundary(vec![pb(&extra(
            Layer::PermissionsBoundary,
            vec![allow("Bound", "s3:*", "*")],
            false,
        ))])
        .with_session(vec![sp(&extra(
            Layer::Session,
            vec![allow("Sess", "s3:*", "*")],
            false,
        ))])
        .with_identity(vec![idp(&extra(Layer::Identity, vec![allow_get()], false))])
        .with_resource(rbp(&extra(
            Layer::Resource,
            vec![allow("Named", "s3:GetObject", OBJS).to(S1)],
            true,
        )))
}

const ALL_LAYERS: [Layer; 7] = [
    Layer::Scp,
    Layer::Rcp,
    Layer::VpcEndpoint,
    Layer::PermissionsBoundary,
    Layer::Session,
    Layer::Identity,
    Layer::Resource,
];

#[test]
fn every_layer_allowing_allows_and_lists_every_allow() {
    let e = run(&every_layer(&[]), &req(S1, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Direct));
    // A Direct grant decides on the grant side; the guardrails' allows are listed too.
    expect_deciding(
        &e,
        &[
            "rcp:RCPFullAWSAccess:RCPFullAWSAccess@111122223333",
            "rcp:RCPFullAWSAccess:RCPFullAWSAccess@r-root",
            "resource:bucket:Named",
            "scp:FullAWSAccess:FullAWSAccess@111122223333",
            "scp:FullAWSAccess:FullAWSAccess@r-root",
            "vpce:vpce:Default",
        ],
    );
}

#[test]
fn explicit_deny_in_any_layer_wins() {
    for layer in ALL_LAYERS {
        let e = run(&every_layer(&[layer]), &req(S1, "s3:GetObject", OBJ));
        expect(&e, ExplicitDeny, Some(layer));
        expect_blocked(&e, &[layer]);
        let policy = match layer {
            Layer::Scp | Layer::Rcp => "guard",
            Layer::VpcEndpoint => "vpce",
            Layer::PermissionsBoundary => "pb",
            Layer::Session => "session",
            Layer::Identity => "idp",
            Layer::Resource => "bucket",
        };
        let level = match layer {
            Layer::Scp | Layer::Rcp => format!("@{A}"),
            _ => String::new(),
        };
        let want = format!("{}:{policy}:Deny{}{level}", layer.short(), layer.short());
        expect_deciding(&e, &[&want]);
        expect_level(&e, matches!(layer, Layer::Scp | Layer::Rcp).then_some(A));
    }
}

#[test]
fn primary_explicit_deny_follows_spec_order_and_all_denies_are_reported() {
    // §11.3.1: SCP → RCP → VPC endpoint → boundary → session → identity → resource.
    for i in 0..ALL_LAYERS.len() {
        let denying = &ALL_LAYERS[i..];
        let e = run(&every_layer(denying), &req(S1, "s3:GetObject", OBJ));
        expect(&e, ExplicitDeny, Some(ALL_LAYERS[i]));
        expect_blocked(&e, denying);
        assert_eq!(e.deciding.len(), denying.len(), "{}", pretty(&e));
    }
}

#[test]
fn explicit_deny_also_lists_guardrails_that_would_have_blocked() {
    // The SCP allow-gate fails too: it is listed in blocked_by, the identity deny is primary.
    let set = PolicySet::new()
        .with_scp_level(
            "r-root",
            vec![scp("OnlyEc2", &[allow("Ec2", "ec2:*", "*")])],
        )
        .with_identity(vec![idp(&[
            allow_get(),
            deny("NoGet", "s3:GetObject", "*"),
        ])]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ExplicitDeny, Some(Layer::Identity));
    expect_blocked(&e, &[Layer::Identity, Layer::Scp]);
    expect_deciding(&e, &["identity:idp:NoGet"]);
}

/// The implicit gates of §11.3.2, each switchable.
fn gates(
    rcp_ok: bool,
    scp_ok: bool,
    vpce_ok: bool,
    idp_ok: bool,
    pb_ok: bool,
    sp_ok: bool,
) -> PolicySet {
    let s3 = |sid: &str, ok: bool| {
        if ok {
            allow(sid, "s3:*", "*")
        } else {
            allow(sid, "ec2:*", "*")
        }
    };
    PolicySet::new()
        .with_rcp_level("r-root", vec![rcp_full()])
        .with_rcp_level(A, vec![rcp("r", &[s3("R", rcp_ok).to("*")])])
        .with_scp_level("r-root", vec![scp_full()])
        .with_scp_level("ou-1", vec![scp("s", &[s3("S", scp_ok)])])
        .with_endpoint(vec![vpce(&[s3("V", vpce_ok).to("*")])])
        .with_identity(vec![idp(&[s3("I", idp_ok)])])
        .with_boundary(vec![pb(&[s3("P", pb_ok)])])
        .with_session(vec![sp(&[s3("Sp", sp_ok)])])
}

#[test]
fn implicit_deny_reason_is_the_first_failing_gate() {
    // §11.3.2: RCP gate → SCP gate → VPC endpoint → identity → boundary → session.
    let r = req(S1, "s3:GetObject", OBJ);
    let e = run(&gates(false, false, false, false, false, false), &r);
    expect(&e, ImplicitDeny, Some(Layer::Rcp));
    expect_level(&e, Some(A));
    let e = run(&gates(true, false, false, false, false, false), &r);
    expect(&e, ImplicitDeny, Some(Layer::Scp));
    expect_level(&e, Some("ou-1"));
    let e = run(&gates(true, true, false, false, false, false), &r);
    expect(&e, ImplicitDeny, Some(Layer::VpcEndpoint));
    expect_level(&e, None);
    // The guardrails did not turn down an otherwise-allowed request: nothing is "blocking".
    expect_blocked(&e, &[]);
    let e = run(&gates(true, true, true, false, false, false), &r);
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    let e = run(&gates(true, true, true, true, false, false), &r);
    expect(&e, ImplicitDeny, Some(Layer::PermissionsBoundary));
    expect_blocked(&e, &[Layer::PermissionsBoundary]);
    let e = run(&gates(true, true, true, true, true, false), &r);
    expect(&e, ImplicitDeny, Some(Layer::Session));
    expect_blocked(&e, &[]);
    let e = run(&gates(true, true, true, true, true, true), &r);
    expect(&e, Allowed, None);
    expect_deciding(
        &e,
        &[
            "identity:idp:I",
            "pb:pb:P",
            "rcp:RCPFullAWSAccess:RCPFullAWSAccess@r-root",
            "rcp:r:R@111122223333",
            "scp:FullAWSAccess:FullAWSAccess@r-root",
            "scp:s:S@ou-1",
            "session:session:Sp",
            "vpce:vpce:V",
        ],
    );
}

#[test]
fn failed_guardrails_and_boundary_are_all_blocking_when_grants_would_allow() {
    let e = run(
        &gates(false, false, false, true, false, true),
        &req(S1, "s3:GetObject", OBJ),
    );
    expect(&e, ImplicitDeny, Some(Layer::Rcp));
    expect_blocked(
        &e,
        &[
            Layer::Rcp,
            Layer::Scp,
            Layer::VpcEndpoint,
            Layer::PermissionsBoundary,
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// §1.4 resource-policy grant kinds (same account); rows 7–15, 55
// ---------------------------------------------------------------------------------------------

#[test]
fn same_account_direct_user_grant_needs_no_identity_allow() {
    // row 7
    let set =
        PolicySet::new().with_resource(rbp(&[allow("Alice", "s3:GetObject", OBJS).to(ALICE)]));
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Direct));
    expect_deciding(&e, &["resource:bucket:Alice"]);
    expect_note(&e, "names the caller directly");
}

#[test]
fn direct_user_grant_bypasses_boundary_implicit_deny() {
    // §1.4 table, user row: "allowed even if PB does not allow".
    let set = PolicySet::new()
        .with_boundary(vec![pb(&[allow("Ec2", "ec2:*", "*")])])
        .with_resource(rbp(&[allow("Alice", "s3:GetObject", OBJS).to(ALICE)]));
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Direct));
    expect_deciding(&e, &["resource:bucket:Alice"]);
}

#[test]
fn account_grant_still_needs_identity_allow() {
    // row 8 [EMPIRICAL-3P]; both the account id and the root ARN delegate to the account.
    for principal in [A, ROOT_A] {
        let grant = rbp(&[allow("Acct", "s3:GetObject", OBJS).to(principal)]);
        let set = PolicySet::new().with_resource(grant.clone());
        let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
        expect(&e, ImplicitDeny, Some(Layer::Identity));
        expect_grant(&e, Some(GrantKind::Account));
        let set = set.with_identity(vec![idp(&[allow_get()])]);
        let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
        expect(&e, Allowed, None);
        expect_grant(&e, Some(GrantKind::Account));
        expect_deciding(&e, &["identity:idp:AllowGet", "resource:bucket:Acct"]);
    }
}

#[test]
fn via_role_grant_counts_as_identity_allow() {
    // row 9
    let set =
        PolicySet::new().with_resource(rbp(&[allow("App", "s3:GetObject", OBJS).to(ROLE_APP)]));
    let e = run(&set, &req(S1, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::ViaRole));
    expect_deciding(&e, &["resource:bucket:App"]);
}

#[test]
fn via_role_grant_is_limited_by_boundary() {
    // row 10
    let set = PolicySet::new()
        .with_boundary(vec![pb(&[allow("Ec2", "ec2:*", "*")])])
        .with_resource(rbp(&[allow("App", "s3:GetObject", OBJS).to(ROLE_APP)]));
    let e = run(&set, &req(S1, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::PermissionsBoundary));
    expect_blocked(&e, &[Layer::PermissionsBoundary]);
    expect_grant(&e, Some(GrantKind::ViaRole));
    expect_deciding(&e, &[]);
}

#[test]
fn via_role_grant_is_limited_by_session_policy() {
    // §1.6: ViaRole grants are intersected with the session policy.
    let set = PolicySet::new()
        .with_session(vec![sp(&[allow("Ec2", "ec2:*", "*")])])
        .with_resource(rbp(&[allow("App", "s3:GetObject", OBJS).to(ROLE_APP)]));
    let e = run(&set, &req(S1, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Session));
    expect_grant(&e, Some(GrantKind::ViaRole));
    // ... and with a session policy that allows, the grant works.
    let set = set.with_session(vec![sp(&[allow("S3", "s3:*", "*")])]);
    let e = run(&set, &req(S1, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_deciding(&e, &["resource:bucket:App", "session:session:S3"]);
}

#[test]
fn direct_session_grant_bypasses_boundary_implicit_deny() {
    // row 11
    let set = PolicySet::new()
        .with_boundary(vec![pb(&[allow("Ec2", "ec2:*", "*")])])
        .with_resource(rbp(&[allow("Sess", "s3:GetObject", OBJS).to(S1)]));
    let e = run(&set, &req(S1, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Direct));
    expect_deciding(&e, &["resource:bucket:Sess"]);
}

#[test]
fn session_grant_requires_the_exact_session_name() {
    // row 12
    let set = PolicySet::new().with_resource(rbp(&[allow("Sess", "s3:GetObject", OBJS).to(S1)]));
    let e = run(&set, &req(S2, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    expect_grant(&e, None);
}

#[test]
fn star_principal_with_principal_arn_condition_is_a_direct_grant() {
    // row 13: "*" grants are Direct; the boundary does not limit them.
    let set = PolicySet::new()
        .with_boundary(vec![pb(&[allow("Ec2", "ec2:*", "*")])])
        .with_resource(rbp(&[allow("Star", "s3:GetObject", OBJS).to("*").when(
            &format!(r#"{{"ArnEquals":{{"aws:PrincipalArn":"{ROLE_APP}"}}}}"#),
        )]));
    let r = ctx(
        req(S1, "s3:GetObject", OBJ),
        &[("aws:PrincipalArn", ROLE_APP)],
    );
    let e = run(&set, &r);
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Direct));
    expect_deciding(&e, &["resource:bucket:Star"]);
    // Another role's session fails the condition.
    let other = ctx(
        req(
            "arn:aws:sts::111122223333:assumed-role/Other/s1",
            "s3:GetObject",
            OBJ,
        ),
        &[("aws:PrincipalArn", "arn:aws:iam::111122223333:role/Other")],
    );
    expect(&run(&set, &other), ImplicitDeny, Some(Layer::Identity));
}

#[test]
fn account_principal_with_principal_arn_condition_is_an_account_grant() {
    // §1.4 table row 4's parenthetical ("aws:PrincipalArn equal to the role ARN with a
    // specific principal" → ViaRole) is ambiguous. The engine classifies a grant by the
    // Principal element alone: an account principal is an Account grant whatever the
    // conditions say, so an identity-based allow is still required.
    let set =
        PolicySet::new().with_resource(rbp(&[allow("Acct", "s3:GetObject", OBJS).to(A).when(
            &format!(r#"{{"ArnEquals":{{"aws:PrincipalArn":"{ROLE_APP}"}}}}"#),
        )]));
    let r = ctx(
        req(S1, "s3:GetObject", OBJ),
        &[("aws:PrincipalArn", ROLE_APP)],
    );
    let e = run(&set, &r);
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    expect_grant(&e, Some(GrantKind::Account));
}

#[test]
fn session_policy_conflict_follows_docs_by_default_and_option_flips_it() {
    // row 14 [DOC-CONFLICT] §1.4 / §12 #1: the documented rule (a grant naming the session is
    // not limited by the session policy) is the default; the option follows the 3P engine.
    for grant in [
        allow("Sess", "s3:GetObject", OBJS).to(S1),
        allow("Sess", "s3:GetObject", OBJS).to("*"),
    ] {
        let set = PolicySet::new()
            .with_session(vec![sp(&[allow("Ec2", "ec2:*", "*")])])
            .with_resource(rbp(&[grant]));
        let r = req(S1, "s3:GetObject", OBJ);
        let e = run(&set, &r);
        expect(&e, Allowed, None);
        expect_grant(&e, Some(GrantKind::Direct));
        expect_deciding(&e, &["resource:bucket:Sess"]);
        let opts = EvaluationOptions {
            session_policy_limits_direct_session_grants: true,
            ..EvaluationOptions::default()
        };
        let e = run_with(&set, &r, &opts);
        expect(&e, ImplicitDeny, Some(Layer::Session));
        expect_grant(&e, Some(GrantKind::Direct));
    }
}

#[test]
fn explicit_deny_in_boundary_beats_direct_grant() {
    // row 15
    let set = PolicySet::new()
        .with_boundary(vec![pb(&[
            allow("All", "*", "*"),
            deny("NoS3", "s3:*", "*"),
        ])])
        .with_resource(rbp(&[allow("Sess", "s3:GetObject", OBJS).to(S1)]));
    let e = run(&set, &req(S1, "s3:GetObject", OBJ));
    expect(&e, ExplicitDeny, Some(Layer::PermissionsBoundary));
    expect_blocked(&e, &[Layer::PermissionsBoundary]);
    expect_deciding(&e, &["pb:pb:NoS3"]);
    expect_grant(&e, Some(GrantKind::Direct));
}

#[test]
fn explicit_deny_in_session_policy_beats_direct_grant() {
    // §1.6: an explicit deny in a session policy always wins.
    let set = PolicySet::new()
        .with_session(vec![sp(&[deny("NoS3", "s3:*", "*")])])
        .with_resource(rbp(&[allow("Sess", "s3:GetObject", OBJS).to(S1)]));
    let e = run(&set, &req(S1, "s3:GetObject", OBJ));
    expect(&e, ExplicitDeny, Some(Layer::Session));
    expect_deciding(&e, &["session:session:NoS3"]);
}

#[test]
fn role_path_from_inventory_resolves_via_role_grant() {
    // row 55: session ARNs drop the role path; the role ARN with its path comes from inventory.
    let set = PolicySet::new().with_resource(rbp(&[
        allow("Team", "s3:GetObject", OBJS).to("arn:aws:iam::111122223333:role/team/App")
    ]));
    let mut p = Principal::parse(S1).unwrap();
    p.role_arn = Some("arn:aws:iam::111122223333:role/team/App".into());
    let e = run(&set, &req_p(p, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::ViaRole));
    // Without the path the session is taken to be of role/App, which is not named.
    let e = run(&set, &req(S1, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    expect_grant(&e, None);
}

#[test]
fn role_arn_as_request_principal_acts_as_its_sessions() {
    // Documented choice (principal.rs): naming the role a request is made "as" is a ViaRole
    // grant, so the boundary still limits it.
    let set = PolicySet::new()
        .with_boundary(vec![pb(&[allow("Ec2", "ec2:*", "*")])])
        .with_resource(rbp(&[allow("App", "s3:GetObject", OBJS).to(ROLE_APP)]));
    let e = run(&set, &req(ROLE_APP, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::PermissionsBoundary));
    expect_grant(&e, Some(GrantKind::ViaRole));
}

#[test]
fn best_grant_kind_wins_across_statements() {
    let set = PolicySet::new().with_resource(rbp(&[
        allow("Acct", "s3:GetObject", OBJS).to(A),
        allow("Role", "s3:GetObject", OBJS).to(ROLE_APP),
        allow("Sess", "s3:GetObject", OBJS).to(S1),
    ]));
    let e = run(&set, &req(S1, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Direct));
    expect_deciding(
        &e,
        &[
            "resource:bucket:Acct",
            "resource:bucket:Role",
            "resource:bucket:Sess",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// §1.5 permissions boundaries
// ---------------------------------------------------------------------------------------------

#[test]
fn boundary_never_grants() {
    let set = PolicySet::new().with_boundary(vec![pb(&[allow("S3", "s3:*", "*")])]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    expect_blocked(&e, &[]);
}

#[test]
fn identity_allow_is_limited_by_boundary() {
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow_get()])])
        .with_boundary(vec![pb(&[allow("Ec2", "ec2:*", "*")])]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::PermissionsBoundary));
    expect_blocked(&e, &[Layer::PermissionsBoundary]);
    let set = set.with_boundary(vec![pb(&[allow("S3", "s3:*", "*")])]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_deciding(&e, &["identity:idp:AllowGet", "pb:pb:S3"]);
}

// ---------------------------------------------------------------------------------------------
// §1.6 session policies; rows 37, 38
// ---------------------------------------------------------------------------------------------

#[test]
fn role_session_without_session_policy_is_not_restricted() {
    let set = PolicySet::new().with_identity(vec![idp(&[allow_get()])]);
    let e = run(&set, &req(S1, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    assert_eq!(layer_status(&e, Layer::Session), None);
}

#[test]
fn session_policy_must_allow_identity_grant() {
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow_get()])])
        .with_session(vec![sp(&[allow("Ec2", "ec2:*", "*")])]);
    let e = run(&set, &req(S1, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Session));
    assert_eq!(layer_status(&e, Layer::Session), Some(LayerStatus::NoAllow));
}

#[test]
fn session_policy_never_grants() {
    let set = PolicySet::new().with_session(vec![sp(&[allow("S3", "s3:*", "*")])]);
    let e = run(&set, &req(S1, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Identity));
}

#[test]
fn federated_user_without_session_policy_has_no_identity_permissions() {
    // row 37
    let set = PolicySet::new().with_identity(vec![idp(&[allow_get()])]);
    let e = run(&set, &req_p(fed(), "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Session));
    assert!(
        e.reason.summary.contains("GetFederationToken"),
        "{}",
        pretty(&e)
    );
}

#[test]
fn federated_user_direct_grant_works_without_session_policy() {
    // row 38
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow_get()])])
        .with_resource(rbp(&[allow("Fed", "s3:GetObject", OBJS).to(FED)]));
    let e = run(&set, &req_p(fed(), "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Direct));
}

#[test]
fn federated_user_with_session_policy_gets_the_intersection() {
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow_get()])])
        .with_session(vec![sp(&[allow("S3", "s3:*", "*")])]);
    let e = run(&set, &req_p(fed(), "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_deciding(&e, &["identity:idp:AllowGet", "session:session:S3"]);
    // The session policy does not grant what alice's policies do not.
    expect(
        &run(&set, &req_p(fed(), "s3:PutObject", OBJ)),
        ImplicitDeny,
        Some(Layer::Identity),
    );
}

#[test]
fn federated_user_grant_via_creating_user_is_limited_like_via_role() {
    // §1.4: a resource policy naming the IAM user behind a federated session is a
    // ViaUserForFederated grant: boundary and session policy still apply.
    let grant = rbp(&[allow("Alice", "s3:GetObject", OBJS).to(ALICE)]);
    let set = PolicySet::new().with_resource(grant.clone());
    let e = run(&set, &req_p(fed(), "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Session));
    expect_grant(&e, Some(GrantKind::ViaUserForFederated));
    let e = run(
        &set.clone()
            .with_session(vec![sp(&[allow("S3", "s3:*", "*")])]),
        &req_p(fed(), "s3:GetObject", OBJ),
    );
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::ViaUserForFederated));
    let e = run(
        &set.with_session(vec![sp(&[allow("Ec2", "ec2:*", "*")])]),
        &req_p(fed(), "s3:GetObject", OBJ),
    );
    expect(&e, ImplicitDeny, Some(Layer::Session));
}

#[test]
fn federated_user_cannot_call_iam_or_sts_apis() {
    // §1.6 [DOC STS API]: GetFederationToken sessions cannot call IAM APIs (via CLI/API) nor
    // any STS API except GetCallerIdentity, whatever their policies say.
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow("All", "*", "*")])])
        .with_session(vec![sp(&[allow("All", "*", "*")])]);
    for (action, resource) in [
        ("iam:ListUsers", "arn:aws:iam::111122223333:user/"),
        ("iam:GetUser", ALICE),
        ("sts:AssumeRole", ROLE_R),
        ("sts:GetSessionToken", "*"),
    ] {
        let e = run(&set, &req_p(fed(), action, resource));
        expect(&e, ImplicitDeny, None);
        expect_note(&e, "GetFederationToken");
    }
    expect(
        &run(&set, &req_p(fed(), "sts:GetCallerIdentity", "*")),
        Allowed,
        None,
    );
    expect(
        &run(&set, &req_p(fed(), "s3:GetObject", OBJ)),
        Allowed,
        None,
    );
}

// ---------------------------------------------------------------------------------------------
// §1.7 SCP hierarchy; rows 28–31, 42
// ---------------------------------------------------------------------------------------------

fn s3_identity() -> Vec<CompiledPolicy> {
    vec![idp(&[allow("S3", "s3:*", "*")])]
}

#[test]
fn scp_allow_needed_at_every_level() {
    // row 28: an OU with only a Deny statement (for ec2) blocks everything else below it.
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_scp_level("r-root", vec![scp_full()])
        .with_scp_level("ou-1", vec![scp("NoEc2", &[deny("NoEc2", "ec2:*", "*")])])
        .with_scp_level(A, vec![scp_full()]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Scp));
    expect_level(&e, Some("ou-1"));
    expect_blocked(&e, &[Layer::Scp]);
    assert_eq!(layer_status(&e, Layer::Scp), Some(LayerStatus::NoAllow));
}

#[test]
fn scp_allow_list_at_root_limits_every_level_below() {
    // §1.7: each level is an independent filter, not merged.
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow("All", "*", "*")])])
        .with_scp_level("r-root", vec![scp("OnlyS3", &[allow("S3", "s3:*", "*")])])
        .with_scp_level("ou-1", vec![scp_full()])
        .with_scp_level(A, vec![scp_full()]);
    let e = run(&set, &req(ALICE, "ec2:StartInstances", INSTANCE));
    expect(&e, ImplicitDeny, Some(Layer::Scp));
    expect_level(&e, Some("r-root"));
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
}

#[test]
fn scp_level_without_policies_blocks_everything() {
    // §1.3 note: FullAWSAccess detached and no replacement.
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_scp_level("r-root", vec![scp_full()])
        .with_scp_level(A, Vec::<CompiledPolicy>::new());
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Scp));
    expect_level(&e, Some(A));
}

#[test]
fn scp_deciding_level_is_named() {
    // row 29: an SCP deny at the account level.
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_scp_level("r-root", vec![scp_full()])
        .with_scp_level("ou-1", vec![scp_full()])
        .with_scp_level(
            A,
            vec![scp_full(), scp("NoS3", &[deny("NoS3", "s3:*", "*")])],
        );
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ExplicitDeny, Some(Layer::Scp));
    expect_level(&e, Some(A));
    expect_blocked(&e, &[Layer::Scp]);
    expect_deciding(&e, &["scp:NoS3:NoS3@111122223333"]);
}

#[test]
fn scp_allows_are_deciding_statements_at_every_level() {
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_scp_level("r-root", vec![scp_full()])
        .with_scp_level(A, vec![scp("S3", &[allow("S3Only", "s3:*", "*")])]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_deciding(
        &e,
        &[
            "identity:idp:S3",
            "scp:FullAWSAccess:FullAWSAccess@r-root",
            "scp:S3:S3Only@111122223333",
        ],
    );
}

#[test]
fn scps_never_grant() {
    let set = PolicySet::new().with_scp_level("r-root", vec![scp_full()]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Identity));
}

#[test]
fn scp_allow_statements_may_use_resource_arns_and_conditions() {
    // §1.7 / §12 #11: the full IAM language in SCP Allow statements is accepted.
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_scp_level("r-root", vec![scp_full()])
        .with_scp_level(
            A,
            vec![scp(
                "Scoped",
                &[allow("OnlyB", "s3:GetObject", OBJS)
                    .when(r#"{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}"#)],
            )],
        );
    let region = |r: Request, v: &str| ctx(r, &[("aws:RequestedRegion", v)]);
    let e = run(&set, &region(req(ALICE, "s3:GetObject", OBJ), "us-east-1"));
    expect(&e, Allowed, None);
    let e = run(&set, &region(req(ALICE, "s3:GetObject", OBJ), "eu-west-1"));
    expect(&e, ImplicitDeny, Some(Layer::Scp));
    let e = run(
        &set,
        &region(
            req(ALICE, "s3:GetObject", "arn:aws:s3:::other/k"),
            "us-east-1",
        ),
    );
    expect(&e, ImplicitDeny, Some(Layer::Scp));
    expect_level(&e, Some(A));
}

#[test]
fn scp_deny_with_not_resource_and_negated_if_exists_applies_when_key_missing() {
    // row 42
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_scp_level("r-root", vec![scp_full()])
        .with_scp_level(
            A,
            vec![
                scp_full(),
                scp(
                    "OrgOnly",
                    &[deny("OrgOnly", "s3:*", "arn:aws:s3:::x")
                        .not_resource()
                        .when(r#"{"StringNotEqualsIfExists":{"aws:ResourceOrgID":"o-1"}}"#)],
                ),
            ],
        );
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ExplicitDeny, Some(Layer::Scp));
    expect_level(&e, Some(A));
    expect_deciding(&e, &["scp:OrgOnly:OrgOnly@111122223333"]);
    // With the key present and equal, the deny does not apply.
    let e = run(
        &set,
        &ctx(
            req(ALICE, "s3:GetObject", OBJ),
            &[("aws:ResourceOrgID", "o-1")],
        ),
    );
    expect(&e, Allowed, None);
}

#[test]
fn management_account_is_exempt_from_scps() {
    // row 30
    let mut r = req(ALICE, "s3:GetObject", OBJ);
    r.principal_in_management_account = true;
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_scp_level("r-root", vec![scp_full()])
        .with_scp_level(A, vec![scp("NoS3", &[deny("NoS3", "s3:*", "*")])]);
    let e = run(&set, &r);
    expect(&e, Allowed, None);
    assert_eq!(
        layer_status(&e, Layer::Scp),
        Some(LayerStatus::NotApplicable)
    );
    assert!(layer_note(&e, Layer::Scp).contains("management account"));
    expect_deciding(&e, &["identity:idp:S3"]);
}

#[test]
fn management_account_principal_is_still_subject_to_rcps() {
    // §1.8: only *resources* in the management account escape RCPs.
    let mut r = req(ALICE, "s3:GetObject", OBJ);
    r.principal_in_management_account = true;
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_rcp_level("r-root", vec![rcp_full()])
        .with_rcp_level(
            A,
            vec![rcp("NoGet", &[deny("NoGet", "s3:GetObject", "*").to("*")])],
        );
    let e = run(&set, &r);
    expect(&e, ExplicitDeny, Some(Layer::Rcp));
    expect_level(&e, Some(A));
}

#[test]
fn service_linked_role_is_exempt_from_scps_and_rcps() {
    // row 31, §1.11
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_scp_level("r-root", vec![scp_full()])
        .with_scp_level(A, vec![scp("NoS3", &[deny("NoS3", "s3:*", "*")])])
        .with_rcp_level("r-root", vec![rcp_full()])
        .with_rcp_level(A, vec![rcp("NoS3", &[deny("NoS3", "s3:*", "*").to("*")])]);
    let e = run(&set, &req_p(slr(), "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    assert_eq!(
        layer_status(&e, Layer::Scp),
        Some(LayerStatus::NotApplicable)
    );
    assert_eq!(
        layer_status(&e, Layer::Rcp),
        Some(LayerStatus::NotApplicable)
    );
    assert!(layer_note(&e, Layer::Scp).contains("service-linked"));
    assert!(layer_note(&e, Layer::Rcp).contains("service-linked"));
    // The role itself (not a session) is recognised by its path too.
    let e = run(&set, &req(SLR_ARN, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
}

#[test]
fn service_linked_role_still_needs_identity_allow() {
    // §1.11: an SLR still needs its (fixed) identity policy.
    let e = run(&PolicySet::new(), &req_p(slr(), "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Identity));
}

#[test]
fn scps_apply_to_the_member_account_root_user() {
    // §1.7, §1.11
    let set = PolicySet::new()
        .with_scp_level("r-root", vec![scp_full()])
        .with_scp_level(A, vec![scp("NoS3", &[deny("NoS3", "s3:*", "*")])]);
    let e = run(&set, &req(ROOT_A, "s3:GetObject", OBJ));
    expect(&e, ExplicitDeny, Some(Layer::Scp));
    let set = PolicySet::new()
        .with_scp_level("r-root", vec![scp("OnlyEc2", &[allow("E", "ec2:*", "*")])]);
    let e = run(&set, &req(ROOT_A, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Scp));
    expect_blocked(&e, &[Layer::Scp]);
}

// ---------------------------------------------------------------------------------------------
// §1.8 RCP hierarchy; row 33
// ---------------------------------------------------------------------------------------------

#[test]
fn rcp_allow_needed_at_every_level() {
    // Synthetic input (RCPFullAWSAccess cannot be detached in a real org), kept per §1.8.
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_rcp_level("r-root", vec![rcp_full()])
        .with_rcp_level("ou-1", Vec::<CompiledPolicy>::new())
        .with_rcp_level(A, vec![rcp_full()]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Rcp));
    expect_level(&e, Some("ou-1"));
    expect_blocked(&e, &[Layer::Rcp]);
}

#[test]
fn rcps_never_grant() {
    let set = PolicySet::new().with_rcp_level("r-root", vec![rcp_full()]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Identity));
}

#[test]
fn rcp_deny_applies_to_external_accounts() {
    // §1.8: RCPs follow the resource owner's path and bind every caller.
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_resource(rbp(&[allow("Bob", "s3:GetObject", OBJS).to(BOB_B)]))
        .with_rcp_level("r-root", vec![rcp_full()])
        .with_rcp_level(
            A,
            vec![
                rcp_full(),
                rcp(
                    "Perimeter",
                    &[deny("Perimeter", "s3:*", "*")
                        .to("*")
                        .when(r#"{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-1"}}"#)],
                ),
            ],
        );
    let r = in_account(req(BOB_B, "s3:GetObject", OBJ), A);
    let e = run(&set, &r);
    expect(&e, ExplicitDeny, Some(Layer::Rcp));
    expect_level(&e, Some(A));
    expect_deciding(&e, &["rcp:Perimeter:Perimeter@111122223333"]);
    let e = run(&set, &ctx(r, &[("aws:PrincipalOrgID", "o-1")]));
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Direct));
}

#[test]
fn rcp_does_not_apply_to_unsupported_services() {
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow("Ec2", "ec2:*", "*")])])
        .with_rcp_level("r-root", vec![rcp_full()])
        .with_rcp_level(
            A,
            vec![rcp("NoEc2", &[deny("NoEc2", "ec2:*", "*").to("*")])],
        );
    let e = run(&set, &req(ALICE, "ec2:StartInstances", INSTANCE));
    expect(&e, Allowed, None);
    assert_eq!(
        layer_status(&e, Layer::Rcp),
        Some(LayerStatus::NotApplicable)
    );
    assert!(layer_note(&e, Layer::Rcp).contains("does not support RCPs"));
}

#[test]
fn rcp_does_not_apply_to_kms_retire_grant() {
    let set = PolicySet::new()
        .with_resource(key_policy(&[allow("Alice", "kms:*", "*").to(ALICE)]))
        .with_rcp_level("r-root", vec![rcp_full()])
        .with_rcp_level(
            A,
            vec![rcp("NoKms", &[deny("NoKms", "kms:*", "*").to("*")])],
        );
    let e = run(&set, &req(ALICE, "kms:RetireGrant", KEY));
    expect(&e, Allowed, None);
    assert!(layer_note(&e, Layer::Rcp).contains("RetireGrant"));
    let e = run(&set, &req(ALICE, "kms:Decrypt", KEY));
    expect(&e, ExplicitDeny, Some(Layer::Rcp));
}

// ---------------------------------------------------------------------------------------------
// §1.9 VPC endpoint policies; rows 53, 54
// ---------------------------------------------------------------------------------------------

#[test]
fn vpc_endpoint_policy_is_a_gate_not_a_grant() {
    let set = PolicySet::new().with_endpoint(vec![vpce(&[allow("Default", "*", "*").to("*")])]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    assert_eq!(
        layer_status(&e, Layer::VpcEndpoint),
        Some(LayerStatus::Allow)
    );
}

#[test]
fn default_vpc_endpoint_policy_allows_everything() {
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_endpoint(vec![compile(
            "default",
            PolicyType::Endpoint,
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
        )]);
    let e = run(&set, &req(ALICE, "s3:PutObject", OBJ));
    expect(&e, Allowed, None);
}

#[test]
fn vpc_endpoint_policy_must_allow() {
    // row 53
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_endpoint(vec![vpce(&[allow("GetOnly", "s3:GetObject", "*").to("*")])]);
    let e = run(&set, &req(ALICE, "s3:PutObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::VpcEndpoint));
    expect_blocked(&e, &[Layer::VpcEndpoint]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_deciding(&e, &["identity:idp:S3", "vpce:vpce:GetOnly"]);
}

#[test]
fn explicit_deny_in_vpc_endpoint_policy_wins() {
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_endpoint(vec![vpce(&[
            allow("All", "*", "*").to("*"),
            deny("NoPut", "s3:PutObject", "*").to("*"),
        ])]);
    let e = run(&set, &req(ALICE, "s3:PutObject", OBJ));
    expect(&e, ExplicitDeny, Some(Layer::VpcEndpoint));
    expect_deciding(&e, &["vpce:vpce:NoPut"]);
}

#[test]
fn source_ip_condition_fails_via_vpc_endpoint() {
    // row 54: through an endpoint the request carries aws:SourceVpce, not aws:SourceIp.
    let set = PolicySet::new().with_identity(vec![idp(&[
        allow_get().when(r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#)
    ])]);
    let via = ctx(
        req(ALICE, "s3:GetObject", OBJ),
        &[("aws:SourceVpce", "vpce-1a2b3c4d")],
    );
    let e = run(&set, &via);
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    assert_eq!(e.missing_context_keys.len(), 1, "{}", pretty(&e));
    assert_eq!(e.missing_context_keys[0].key, "aws:SourceIp");
    let direct = ctx(
        req(ALICE, "s3:GetObject", OBJ),
        &[("aws:SourceIp", "203.0.113.7")],
    );
    expect(&run(&set, &direct), Allowed, None);
}

// ---------------------------------------------------------------------------------------------
// §1.10 cross-account; rows 18–20
// ---------------------------------------------------------------------------------------------

fn in_b(r: Request) -> Request {
    in_account(r, B)
}

#[test]
fn cross_account_needs_both_sides() {
    // rows 18, 19
    let grant = rbp(&[allow("Alice", "s3:GetObject", OBJS).to(ALICE)]);
    let set = PolicySet::new().with_resource(grant.clone());
    let r = in_b(req(ALICE, "s3:GetObject", OBJ));
    let e = run(&set, &r);
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    expect_grant(&e, Some(GrantKind::Direct));
    let set = set.with_identity(vec![idp(&[allow_get()])]);
    let e = run(&set, &r);
    expect(&e, Allowed, None);
    expect_deciding(&e, &["identity:idp:AllowGet", "resource:bucket:Alice"]);
    assert!(e.reason.summary.contains("both"), "{}", pretty(&e));
}

#[test]
fn cross_account_identity_alone_is_not_enough() {
    let set = PolicySet::new().with_identity(vec![idp(&[allow_get()])]);
    let e = run(&set, &in_b(req(ALICE, "s3:GetObject", OBJ)));
    expect(&e, ImplicitDeny, Some(Layer::Resource));
    // With neither side allowing, the missing resource policy is named first (§11.3.2).
    let e = run(&PolicySet::new(), &in_b(req(ALICE, "s3:GetObject", OBJ)));
    expect(&e, ImplicitDeny, Some(Layer::Resource));
}

#[test]
fn cross_account_boundary_has_no_bypass() {
    // row 20
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow_get()])])
        .with_boundary(vec![pb(&[allow("Ec2", "ec2:*", "*")])])
        .with_resource(rbp(&[allow("Alice", "s3:GetObject", OBJS).to(ALICE)]));
    let e = run(&set, &in_b(req(ALICE, "s3:GetObject", OBJ)));
    expect(&e, ImplicitDeny, Some(Layer::PermissionsBoundary));
    expect_blocked(&e, &[Layer::PermissionsBoundary]);
    expect_grant(&e, Some(GrantKind::Direct));
}

#[test]
fn cross_account_session_policy_has_no_bypass() {
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow_get()])])
        .with_session(vec![sp(&[allow("Ec2", "ec2:*", "*")])])
        .with_resource(rbp(&[allow("Sess", "s3:GetObject", OBJS).to(S1)]));
    let e = run(&set, &in_b(req(S1, "s3:GetObject", OBJ)));
    expect(&e, ImplicitDeny, Some(Layer::Session));
}

#[test]
fn cross_account_federated_user_without_session_policy_is_denied() {
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow_get()])])
        .with_resource(rbp(&[allow("Fed", "s3:GetObject", OBJS).to(FED)]));
    let e = run(&set, &in_b(req_p(fed(), "s3:GetObject", OBJ)));
    expect(&e, ImplicitDeny, Some(Layer::Session));
}

#[test]
fn cross_account_account_and_star_grants_need_identity_allow() {
    for principal in [A, "*"] {
        let set = PolicySet::new()
            .with_resource(rbp(&[allow("Grant", "s3:GetObject", OBJS).to(principal)]));
        let r = in_b(req(ALICE, "s3:GetObject", OBJ));
        expect(&run(&set, &r), ImplicitDeny, Some(Layer::Identity));
        let e = run(&set.with_identity(vec![idp(&[allow_get()])]), &r);
        expect(&e, Allowed, None);
        expect_deciding(&e, &["identity:idp:AllowGet", "resource:bucket:Grant"]);
    }
}

#[test]
fn cross_account_explicit_deny_on_either_side_wins() {
    let base = PolicySet::new()
        .with_identity(vec![idp(&[allow_get()])])
        .with_resource(rbp(&[
            allow("Alice", "s3:GetObject", OBJS).to(ALICE),
            deny("NoA", "s3:*", "*").to(A),
        ]));
    let e = run(&base, &in_b(req(ALICE, "s3:GetObject", OBJ)));
    expect(&e, ExplicitDeny, Some(Layer::Resource));
    expect_deciding(&e, &["resource:bucket:NoA"]);
}

#[test]
fn resource_account_comes_from_the_arn_when_present() {
    let queue = "arn:aws:sqs:us-east-1:444455556666:q";
    let set = PolicySet::new().with_identity(vec![idp(&[allow("Send", "sqs:SendMessage", "*")])]);
    let e = run(&set, &req(ALICE, "sqs:SendMessage", queue));
    expect(&e, ImplicitDeny, Some(Layer::Resource));
    let own = "arn:aws:sqs:us-east-1:111122223333:q";
    expect(
        &run(&set, &req(ALICE, "sqs:SendMessage", own)),
        Allowed,
        None,
    );
}

#[test]
fn unknown_resource_owner_is_taken_to_be_the_principals_account() {
    let set = PolicySet::new().with_identity(vec![idp(&[allow_get()])]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_note(&e, "owner account is not known");
    let e = run(&set, &in_account(req(ALICE, "s3:GetObject", OBJ), A));
    expect(&e, Allowed, None);
    assert!(
        !e.notes.iter().any(|n| n.contains("owner account")),
        "{}",
        pretty(&e)
    );
}

#[test]
fn requests_never_cross_partitions() {
    // §1.10 / §0.3: a principal of one partition never gets access to another partition's
    // resources, whatever the policies say.
    let cn_alice = "arn:aws-cn:iam::111122223333:user/alice";
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow("All", "*", "*")])])
        .with_resource(rbp(&[allow("Anyone", "s3:GetObject", "*").to("*")]));
    let e = run(&set, &req(cn_alice, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, None);
    expect_note(&e, "partition");
    let e = run(&set, &req(cn_alice, "s3:GetObject", "arn:aws-cn:s3:::b/k"));
    expect(&e, Allowed, None);
}

// ---------------------------------------------------------------------------------------------
// §1.11 other principal kinds; rows 32–36
// ---------------------------------------------------------------------------------------------

#[test]
fn root_user_is_allowed_in_its_own_account_without_policies() {
    let e = run(&PolicySet::new(), &req(ROOT_A, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    assert!(e.reason.summary.contains("root user"), "{}", pretty(&e));
    // An account id is read as the root user too.
    expect(
        &run(&PolicySet::new(), &req(A, "s3:GetObject", OBJ)),
        Allowed,
        None,
    );
}

#[test]
fn root_user_is_subject_to_resource_policy_explicit_deny() {
    let set = PolicySet::new().with_resource(rbp(&[deny("NoOne", "s3:*", "*").to("*")]));
    let e = run(&set, &req(ROOT_A, "s3:GetObject", OBJ));
    expect(&e, ExplicitDeny, Some(Layer::Resource));
}

#[test]
fn root_user_of_another_account_needs_a_resource_policy_grant() {
    let r = in_b(req(ROOT_A, "s3:GetObject", OBJ));
    expect(
        &run(&PolicySet::new(), &r),
        ImplicitDeny,
        Some(Layer::Resource),
    );
    let set = PolicySet::new().with_resource(rbp(&[allow("A", "s3:GetObject", OBJS).to(A)]));
    let e = run(&set, &r);
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Account));
}

#[test]
fn service_principal_only_gets_resource_policy_grants() {
    // rows 34, 35
    let svc = || Principal::service("cloudtrail.amazonaws.com");
    let logs = "arn:aws:s3:::b/AWSLogs/111122223333/x";
    let set = PolicySet::new().with_resource(rbp(&[allow("Trail", "s3:PutObject", OBJS)
        .to(r#"{"Service":"cloudtrail.amazonaws.com"}"#)
        .when(r#"{"StringEquals":{"aws:SourceAccount":"111122223333"}}"#)]));
    let r = ctx(
        req_p(svc(), "s3:PutObject", logs),
        &[("aws:SourceAccount", A)],
    );
    let e = run(&set, &r);
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Direct));
    expect_deciding(&e, &["resource:bucket:Trail"]);
    // Confused deputy: another source account does not match.
    let other = ctx(
        req_p(svc(), "s3:PutObject", logs),
        &[("aws:SourceAccount", B)],
    );
    expect(&run(&set, &other), ImplicitDeny, Some(Layer::Resource));
    // row 35: no resource policy, nothing grants (identity policies play no part).
    let e = run(
        &PolicySet::new().with_identity(vec![idp(&[allow("All", "*", "*")])]),
        &req_p(svc(), "s3:PutObject", logs),
    );
    expect(&e, ImplicitDeny, Some(Layer::Resource));
}

#[test]
fn service_principal_regional_name_does_not_match_the_global_one() {
    // §2.5: principal matching is exact on the whole service name.
    let set =
        PolicySet::new()
            .with_resource(rbp(&[allow("Trail", "s3:PutObject", OBJS)
                .to(r#"{"Service":"cloudtrail.amazonaws.com"}"#)]));
    let regional = Principal::service("cloudtrail.eu-south-1.amazonaws.com");
    expect(
        &run(&set, &req_p(regional, "s3:PutObject", OBJ)),
        ImplicitDeny,
        Some(Layer::Resource),
    );
}

#[test]
fn service_principal_is_not_subject_to_scps_but_is_to_rcps() {
    let svc = Principal::service("cloudtrail.amazonaws.com");
    let set = PolicySet::new()
        .with_resource(rbp(&[
            allow("Trail", "s3:PutObject", OBJS).to(r#"{"Service":"cloudtrail.amazonaws.com"}"#)
        ]))
        .with_scp_level("r-root", vec![scp("NoS3", &[deny("NoS3", "s3:*", "*")])]);
    let r = in_account(req_p(svc, "s3:PutObject", OBJ), A);
    let e = run(&set, &r);
    expect(&e, Allowed, None);
    assert_eq!(
        layer_status(&e, Layer::Scp),
        Some(LayerStatus::NotApplicable)
    );
    let set = set.with_rcp_level(
        "r-root",
        vec![
            rcp_full(),
            rcp("NoPut", &[deny("NoPut", "s3:PutObject", "*").to("*")]),
        ],
    );
    let e = run(&set, &r);
    expect(&e, ExplicitDeny, Some(Layer::Rcp));
    expect_level(&e, Some("r-root"));
}

#[test]
fn anonymous_is_not_subject_to_scps_but_is_to_rcps() {
    // rows 32, 33
    let set = PolicySet::new()
        .with_resource(rbp(&[allow("Public", "s3:GetObject", OBJS).to("*")]))
        .with_scp_level("r-root", vec![scp_full()])
        .with_scp_level(A, vec![scp("NoS3", &[deny("NoS3", "s3:*", "*")])]);
    let r = in_account(req_p(Principal::anonymous(), "s3:GetObject", OBJ), A);
    let e = run(&set, &r);
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Direct));
    assert_eq!(
        layer_status(&e, Layer::Scp),
        Some(LayerStatus::NotApplicable)
    );
    let set = set
        .with_rcp_level("r-root", vec![rcp_full()])
        .with_rcp_level(
            A,
            vec![
                rcp_full(),
                rcp("NoPublic", &[deny("NoPublic", "s3:GetObject", "*").to("*")]),
            ],
        );
    let e = run(&set, &r);
    expect(&e, ExplicitDeny, Some(Layer::Rcp));
    expect_level(&e, Some(A));
    expect_blocked(&e, &[Layer::Rcp]);
    expect_deciding(&e, &["rcp:NoPublic:NoPublic@111122223333"]);
}

#[test]
fn anonymous_only_gets_star_grants() {
    // §1.11, §2.6: "*" and {"AWS":"*"} match unauthenticated callers; an account does not.
    let anon = || req_p(Principal::anonymous(), "s3:GetObject", OBJ);
    let set = PolicySet::new().with_resource(rbp(&[allow("Acct", "s3:GetObject", OBJS).to(A)]));
    expect(&run(&set, &anon()), ImplicitDeny, Some(Layer::Resource));
    for star in ["*", r#"{"AWS":"*"}"#] {
        let set =
            PolicySet::new().with_resource(rbp(&[allow("Public", "s3:GetObject", OBJS).to(star)]));
        let e = run(&set, &anon());
        expect(&e, Allowed, None);
        expect_grant(&e, Some(GrantKind::Direct));
    }
    // Identity policies never apply to anonymous callers.
    let set = PolicySet::new().with_identity(vec![idp(&[allow("All", "*", "*")])]);
    expect(&run(&set, &anon()), ImplicitDeny, Some(Layer::Resource));
}

#[test]
fn get_caller_identity_is_never_denied() {
    // row 36
    let set = PolicySet::new()
        .with_session(vec![sp(&[deny("Nothing", "*", "*")])])
        .with_identity(vec![idp(&[deny("Nothing", "*", "*")])])
        .with_scp_level("r-root", vec![scp("Nothing", &[deny("Nothing", "*", "*")])]);
    let e = run(&set, &req(S1, "sts:GetCallerIdentity", "*"));
    expect(&e, Allowed, None);
    expect_blocked(&e, &[]);
    expect_note(&e, "GetCallerIdentity");
    expect(
        &run(&PolicySet::new(), &req(ALICE, "sts:GetCallerIdentity", "*")),
        Allowed,
        None,
    );
}

// ---------------------------------------------------------------------------------------------
// §2.1 role trust policies; rows 25–27, 56
// ---------------------------------------------------------------------------------------------

fn assume(principal: &str, role: &str) -> Request {
    req(principal, "sts:AssumeRole", role)
}

#[test]
fn trust_policy_direct_grant_allows_without_identity_policy() {
    // row 25 [EMPIRICAL-3P sts/assumeRole/sameAccount.json]
    let set =
        PolicySet::new().with_resource(trust(&[trust_allow("Alice", ALICE, "sts:AssumeRole")]));
    let e = run(&set, &assume(ALICE, ROLE_R));
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Direct));
    expect_deciding(&e, &["resource:trust:Alice"]);
}

#[test]
fn trust_policy_account_grant_needs_identity_allow() {
    // row 26
    let set = PolicySet::new().with_resource(trust(&[trust_allow("Acct", A, "sts:AssumeRole")]));
    let e = run(&set, &assume(ALICE, ROLE_R));
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    expect_grant(&e, Some(GrantKind::Account));
    let set = set.with_identity(vec![idp(&[allow("Assume", "sts:AssumeRole", ROLE_R)])]);
    let e = run(&set, &assume(ALICE, ROLE_R));
    expect(&e, Allowed, None);
    expect_deciding(&e, &["identity:idp:Assume", "resource:trust:Acct"]);
}

#[test]
fn identity_policy_alone_cannot_assume_a_role() {
    // §2.1: the trust policy must explicitly allow.
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow("Assume", "sts:AssumeRole", "*")])])
        .with_resource(trust(&[trust_allow(
            "Lambda",
            r#"{"Service":"lambda.amazonaws.com"}"#,
            "sts:AssumeRole",
        )]));
    let e = run(&set, &assume(ALICE, ROLE_R));
    expect(&e, ImplicitDeny, Some(Layer::Resource));
    assert!(
        e.reason.summary.contains("no role trust policy allows"),
        "{}",
        pretty(&e)
    );
    // With no trust policy at all, the same.
    let set = PolicySet::new().with_identity(vec![idp(&[allow("Assume", "sts:AssumeRole", "*")])]);
    expect(
        &run(&set, &assume(ALICE, ROLE_R)),
        ImplicitDeny,
        Some(Layer::Resource),
    );
}

#[test]
fn cross_account_assume_role_needs_trust_and_identity() {
    // row 27
    let set = PolicySet::new().with_resource(trust(&[trust_allow("A", A, "sts:AssumeRole")]));
    let e = run(&set, &assume(ALICE, ROLE_R_B));
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    let set = set.with_identity(vec![idp(&[allow("Assume", "sts:AssumeRole", ROLE_R_B)])]);
    let e = run(&set, &assume(ALICE, ROLE_R_B));
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Account));
    expect_deciding(&e, &["identity:idp:Assume", "resource:trust:A"]);
    // A trust policy naming the caller directly does not spare the identity side either.
    let set =
        PolicySet::new().with_resource(trust(&[trust_allow("Alice", ALICE, "sts:AssumeRole")]));
    expect(
        &run(&set, &assume(ALICE, ROLE_R_B)),
        ImplicitDeny,
        Some(Layer::Identity),
    );
    // And an identity allow without trust is a trust-policy denial.
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow("Assume", "sts:AssumeRole", ROLE_R_B)])])
        .with_resource(trust(&[trust_allow("Other", B, "sts:AssumeRole")]));
    let e = run(&set, &assume(ALICE, ROLE_R_B));
    expect(&e, ImplicitDeny, Some(Layer::Resource));
    assert!(e.reason.summary.contains("role trust policy"));
}

#[test]
fn assume_role_direct_trust_grant_does_not_bypass_boundary() {
    // §1.5 / §12 #2 [INFERRED]
    let set = PolicySet::new()
        .with_boundary(vec![pb(&[allow("S3", "s3:*", "*")])])
        .with_resource(trust(&[trust_allow("Alice", ALICE, "sts:AssumeRole")]));
    let e = run(&set, &assume(ALICE, ROLE_R));
    expect(&e, ImplicitDeny, Some(Layer::PermissionsBoundary));
    expect_blocked(&e, &[Layer::PermissionsBoundary]);
    let set = set.with_boundary(vec![pb(&[allow("Sts", "sts:AssumeRole", "*")])]);
    expect(&run(&set, &assume(ALICE, ROLE_R)), Allowed, None);
}

#[test]
fn assume_role_direct_trust_grant_is_limited_by_session_policy() {
    // §2.1 [INFERRED]: the caller's session policy must allow if present.
    let caller = "arn:aws:sts::111122223333:assumed-role/Caller/s1";
    let set = PolicySet::new()
        .with_session(vec![sp(&[allow("S3", "s3:*", "*")])])
        .with_resource(trust(&[trust_allow("Sess", caller, "sts:AssumeRole")]));
    let e = run(&set, &assume(caller, ROLE_R));
    expect(&e, ImplicitDeny, Some(Layer::Session));
    // ... even with the option for direct session grants off (the default): trust grants
    // never take the direct-grant shortcut.
    let set = set.with_session(vec![sp(&[allow("Sts", "sts:*", "*")])]);
    expect(&run(&set, &assume(caller, ROLE_R)), Allowed, None);
}

#[test]
fn explicit_deny_in_trust_policy_wins() {
    let set = PolicySet::new().with_resource(trust(&[
        trust_allow("Acct", A, "sts:AssumeRole"),
        S {
            resource: None,
            ..deny("NotAlice", "sts:AssumeRole", "*")
        }
        .to(ALICE),
    ]));
    let set = set.with_identity(vec![idp(&[allow("Assume", "sts:AssumeRole", "*")])]);
    let e = run(&set, &assume(ALICE, ROLE_R));
    expect(&e, ExplicitDeny, Some(Layer::Resource));
    expect_deciding(&e, &["resource:trust:NotAlice"]);
}

#[test]
fn roles_do_not_implicitly_trust_themselves() {
    // §2.1: a session of R re-assuming R needs R (or its account) in R's trust policy.
    let self_session = "arn:aws:sts::111122223333:assumed-role/R/s1";
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow("Assume", "sts:AssumeRole", ROLE_R)])])
        .with_resource(trust(&[trust_allow(
            "Ec2",
            r#"{"Service":"ec2.amazonaws.com"}"#,
            "sts:AssumeRole",
        )]));
    let e = run(&set, &assume(self_session, ROLE_R));
    expect(&e, ImplicitDeny, Some(Layer::Resource));
    let set = set.with_resource(trust(&[trust_allow("Self", ROLE_R, "sts:AssumeRole")]));
    let e = run(&set, &assume(self_session, ROLE_R));
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::ViaRole));
}

#[test]
fn tag_session_needs_its_own_trust_allow() {
    // §2.1: sts:TagSession (and SetSourceIdentity, SetContext) are authorised like AssumeRole.
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow("Sts", "sts:*", "*")])])
        .with_resource(trust(&[trust_allow("Alice", ALICE, "sts:AssumeRole")]));
    expect(&run(&set, &assume(ALICE, ROLE_R)), Allowed, None);
    for action in ["sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext"] {
        let e = run(&set, &req(ALICE, action, ROLE_R));
        expect(&e, ImplicitDeny, Some(Layer::Resource));
        assert!(
            e.reason.summary.contains("role trust policy"),
            "{}",
            pretty(&e)
        );
    }
    let set = set.with_resource(trust(&[trust_allow(
        "Alice",
        ALICE,
        r#"["sts:AssumeRole","sts:TagSession"]"#,
    )]));
    expect(
        &run(&set, &req(ALICE, "sts:TagSession", ROLE_R)),
        Allowed,
        None,
    );
}

#[test]
fn missing_external_id_fails_the_trust_condition() {
    // §2.1 third-party trust policy: the caller in B omits ExternalId → implicit deny.
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow("Assume", "sts:AssumeRole", "*")])])
        .with_resource(trust(&[trust_allow("Vendor", B, "sts:AssumeRole")
            .when(r#"{"StringEquals":{"sts:ExternalId":"Unique-3rdParty-Id"}}"#)]));
    let e = run(&set, &assume(BOB_B, ROLE_R));
    expect(&e, ImplicitDeny, Some(Layer::Resource));
    assert!(
        e.reason
            .summary
            .contains("no role trust policy allows the sts:AssumeRole action")
    );
    assert!(
        e.missing_context_keys
            .iter()
            .any(|k| k.key == "sts:ExternalId"),
        "{}",
        pretty(&e)
    );
    let e = run(
        &set,
        &ctx(
            assume(BOB_B, ROLE_R),
            &[("sts:ExternalId", "Unique-3rdParty-Id")],
        ),
    );
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Account));
}

#[test]
fn web_identity_is_decided_by_the_trust_policy_alone() {
    // §2.1 / §12 #17: AssumeRoleWithWebIdentity is unsigned: no identity side, no SCPs.
    let caller = || {
        let mut p = Principal::anonymous();
        p.federated_provider = Some(GITHUB.into());
        p
    };
    let sub = "token.actions.githubusercontent.com:sub";
    let set = PolicySet::new()
        .with_scp_level("r-root", vec![scp("NoSts", &[deny("NoSts", "sts:*", "*")])])
        .with_resource(trust(&[trust_allow(
            "GitHub",
            &format!(r#"{{"Federated":"{GITHUB}"}}"#),
            "sts:AssumeRoleWithWebIdentity",
        )
        .when(&format!(
            r#"{{"StringEquals":{{"{sub}":"repo:org/repo:ref:refs/heads/main"}}}}"#
        ))]));
    let call = |s: &str| {
        ctx(
            req_p(caller(), "sts:AssumeRoleWithWebIdentity", ROLE_R),
            &[(sub, s)],
        )
    };
    let e = run(&set, &call("repo:org/repo:ref:refs/heads/main"));
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Direct));
    expect_deciding(&e, &["resource:trust:GitHub"]);
    let e = run(&set, &call("repo:evil/repo:ref:refs/heads/main"));
    expect(&e, ImplicitDeny, Some(Layer::Resource));
    assert!(
        e.reason.summary.contains("no role trust policy allows"),
        "{}",
        pretty(&e)
    );
    // sts supports RCPs: they do gate the call.
    let set = set.with_rcp_level(
        "r-root",
        vec![
            rcp_full(),
            rcp(
                "NoWeb",
                &[deny("NoWeb", "sts:AssumeRoleWithWebIdentity", "*").to("*")],
            ),
        ],
    );
    let e = run(&set, &call("repo:org/repo:ref:refs/heads/main"));
    expect(&e, ExplicitDeny, Some(Layer::Rcp));
}

#[test]
fn service_principal_assumes_a_role_through_its_trust_policy() {
    let set = PolicySet::new().with_resource(trust(&[trust_allow(
        "Lambda",
        r#"{"Service":"lambda.amazonaws.com"}"#,
        "sts:AssumeRole",
    )]));
    let lambda = || Principal::service("lambda.amazonaws.com");
    let e = run(&set, &req_p(lambda(), "sts:AssumeRole", ROLE_R));
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Direct));
    let ec2 = Principal::service("ec2.amazonaws.com");
    let e = run(&set, &req_p(ec2, "sts:AssumeRole", ROLE_R));
    expect(&e, ImplicitDeny, Some(Layer::Resource));
    assert!(
        e.reason.summary.contains("role trust policy"),
        "{}",
        pretty(&e)
    );
}

#[test]
fn unique_id_trust_principal_matches_only_the_original_role() {
    // row 56: role/Old was deleted and recreated; the trust policy still holds the old id.
    let set = PolicySet::new().with_resource(trust(&[trust_allow(
        "Old",
        "AROAEXAMPLEOLDROLEID1",
        "sts:AssumeRole",
    )]));
    let session = |id: &str| {
        let mut p = Principal::parse("arn:aws:sts::111122223333:assumed-role/Old/s1").unwrap();
        p.unique_id = Some(id.into());
        req_p(p, "sts:AssumeRole", ROLE_R)
    };
    let e = run(&set, &session("AROAEXAMPLENEWROLEID2"));
    expect(&e, ImplicitDeny, Some(Layer::Resource));
    let e = run(&set, &session("AROAEXAMPLEOLDROLEID1"));
    expect(&e, Allowed, None);
}

// ---------------------------------------------------------------------------------------------
// §2.2 KMS key policies; rows 21–24
// ---------------------------------------------------------------------------------------------

fn root_delegation() -> S {
    allow("Enable IAM User Permissions", "kms:*", "*").to(ROOT_A)
}

fn kms_identity() -> Vec<CompiledPolicy> {
    vec![idp(&[allow("Kms", "kms:*", "*")])]
}

#[test]
fn kms_key_policy_is_required() {
    // row 21
    let set = PolicySet::new()
        .with_identity(kms_identity())
        .with_resource(key_policy(&[
            allow("Admin", "kms:*", "*").to("arn:aws:iam::111122223333:user/keyadmin")
        ]));
    let e = run(&set, &req(ALICE, "kms:Decrypt", KEY));
    expect(&e, ImplicitDeny, Some(Layer::Resource));
    expect_note(&e, "key policy");
    // With no key policy at all, the same.
    let e = run(
        &PolicySet::new().with_identity(kms_identity()),
        &req(ALICE, "kms:Decrypt", KEY),
    );
    expect(&e, ImplicitDeny, Some(Layer::Resource));
}

#[test]
fn kms_key_policy_binds_even_the_root_user() {
    // §2.2: "not even the account root".
    let set = PolicySet::new().with_resource(key_policy(&[
        allow("Admin", "kms:*", "*").to("arn:aws:iam::111122223333:user/keyadmin")
    ]));
    expect(
        &run(&set, &req(ROOT_A, "kms:Decrypt", KEY)),
        ImplicitDeny,
        Some(Layer::Resource),
    );
    let set = PolicySet::new().with_resource(key_policy(&[root_delegation()]));
    expect(&run(&set, &req(ROOT_A, "kms:Decrypt", KEY)), Allowed, None);
}

#[test]
fn kms_root_delegation_enables_identity_policies() {
    // row 22
    let set = PolicySet::new().with_resource(key_policy(&[root_delegation()]));
    let e = run(&set, &req(ALICE, "kms:Decrypt", KEY));
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    expect_grant(&e, Some(GrantKind::Account));
    let e = run(
        &set.with_identity(kms_identity()),
        &req(ALICE, "kms:Decrypt", KEY),
    );
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Account));
    expect_deciding(
        &e,
        &[
            "identity:idp:Kms",
            "resource:key:Enable IAM User Permissions",
        ],
    );
}

#[test]
fn kms_key_policy_naming_the_principal_needs_no_identity_allow() {
    // row 23 [EMPIRICAL-3P kms/sameAccount.json]
    let set =
        PolicySet::new().with_resource(key_policy(&[allow("Alice", "kms:Decrypt", "*").to(ALICE)]));
    let e = run(&set, &req(ALICE, "kms:Decrypt", KEY));
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Direct));
    expect_deciding(&e, &["resource:key:Alice"]);
}

#[test]
fn kms_identity_deny_still_bites() {
    // §2.2: IDP denies apply whatever the key policy grants.
    let set = PolicySet::new()
        .with_identity(vec![idp(&[deny("NoDecrypt", "kms:Decrypt", "*")])])
        .with_resource(key_policy(&[allow("Alice", "kms:*", "*").to(ALICE)]));
    let e = run(&set, &req(ALICE, "kms:Decrypt", KEY));
    expect(&e, ExplicitDeny, Some(Layer::Identity));
}

#[test]
fn kms_wildcard_only_actions_need_no_key_policy() {
    // row 24 [DOC]/[EMPIRICAL-3P kms/sameAccountWildcard.json]
    let set = PolicySet::new().with_identity(vec![idp(&[allow("List", "kms:ListKeys", "*")])]);
    let e = run(&set, &req(ALICE, "kms:ListKeys", "*"));
    expect(&e, Allowed, None);
    expect_deciding(&e, &["identity:idp:List"]);
    assert!(
        !e.notes.iter().any(|n| n.contains("key policy")),
        "{}",
        pretty(&e)
    );
    let set = PolicySet::new().with_identity(kms_identity());
    expect(&run(&set, &req(ALICE, "kms:CreateKey", "*")), Allowed, None);
}

#[test]
fn kms_cross_account_needs_key_policy_and_identity() {
    // §2.2 [DOC/EMPIRICAL-3P kms/differentAccount.json]
    let set = PolicySet::new().with_resource(pol(
        "key",
        PolicyType::Resource,
        &[allow("A", "kms:Decrypt", "*").to(A)],
    ));
    let e = run(&set, &req(ALICE, "kms:Decrypt", KEY_B));
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    let e = run(
        &set.with_identity(kms_identity()),
        &req(ALICE, "kms:Decrypt", KEY_B),
    );
    expect(&e, Allowed, None);
    let e = run(
        &PolicySet::new().with_identity(kms_identity()),
        &req(ALICE, "kms:Decrypt", KEY_B),
    );
    expect(&e, ImplicitDeny, Some(Layer::Resource));
}

#[test]
fn reserved_kms_alias_prefix() {
    // §2.2: aliases under alias/aws/ cannot be created, updated or deleted.
    let set = PolicySet::new().with_identity(kms_identity());
    for action in ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"] {
        let e = run(
            &set,
            &req(
                ALICE,
                action,
                "arn:aws:kms:us-east-1:111122223333:alias/aws/s3",
            ),
        );
        expect(&e, ImplicitDeny, None);
        expect_note(&e, "alias/aws/");
    }
    // Alias actions on customer aliases are authorised against the alias by IAM alone.
    let e = run(
        &set,
        &req(
            ALICE,
            "kms:CreateAlias",
            "arn:aws:kms:us-east-1:111122223333:alias/mine",
        ),
    );
    expect(&e, Allowed, None);
}

// ---------------------------------------------------------------------------------------------
// §2.4 NotPrincipal; rows 16, 17, 17b
// ---------------------------------------------------------------------------------------------

fn deny_others(listed: &str) -> CompiledPolicy {
    rbp(&[deny("DenyOthers", "s3:*", OBJS).not_principal(listed)])
}

#[test]
fn deny_not_principal_always_denies_principal_with_boundary() {
    // row 16
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_boundary(vec![pb(&[allow("S3", "s3:*", "*")])])
        .with_resource(deny_others(&format!(r#"["{ALICE}","{ROOT_A}"]"#)));
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ExplicitDeny, Some(Layer::Resource));
    expect_blocked(&e, &[Layer::Resource]);
    expect_deciding(&e, &["resource:bucket:DenyOthers"]);
}

#[test]
fn deny_not_principal_exempts_a_caller_listed_at_every_level() {
    // row 17
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_resource(deny_others(&format!(r#"["{ALICE}","{ROOT_A}"]"#)));
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, Allowed, None);
    expect_deciding(&e, &["identity:idp:S3"]);
    // Anyone else is denied.
    let e = run(
        &set,
        &req("arn:aws:iam::111122223333:user/carol", "s3:GetObject", OBJ),
    );
    expect(&e, ExplicitDeny, Some(Layer::Resource));
}

#[test]
fn deny_not_principal_listing_only_the_user_is_strict_by_default() {
    // row 17b [DOC-CONFLICT] §4.3 / §12 #18: the default reads a Deny's NotPrincipal strictly
    // (every level of the identity chain must be listed); Lenient exempts on any match.
    let set = PolicySet::new()
        .with_identity(s3_identity())
        .with_resource(deny_others(ALICE));
    let r = req(ALICE, "s3:GetObject", OBJ);
    let e = run(&set, &r);
    expect(&e, ExplicitDeny, Some(Layer::Resource));
    let strict = EvaluationOptions {
        not_principal: NotPrincipalMode::Strict,
        ..EvaluationOptions::default()
    };
    expect(
        &run_with(&set, &r, &strict),
        ExplicitDeny,
        Some(Layer::Resource),
    );
    let lenient = EvaluationOptions {
        not_principal: NotPrincipalMode::Lenient,
        ..EvaluationOptions::default()
    };
    expect(&run_with(&set, &r, &lenient), Allowed, None);
}

#[test]
fn allow_not_principal_is_read_to_grant_less() {
    // §2.4: Allow + NotPrincipal is unsupported. Documented choice (NotPrincipalMode::
    // Conservative): it is read leniently, so any entry covering the caller (here its account)
    // exempts it and the Allow does not apply; Strict would let it apply.
    let set = PolicySet::new().with_resource(rbp(&[
        allow("AllBut", "s3:GetObject", OBJS).not_principal(A)
    ]));
    let r = req(ALICE, "s3:GetObject", OBJ);
    let e = run(&set, &r);
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    expect_grant(&e, None);
    let strict = EvaluationOptions {
        not_principal: NotPrincipalMode::Strict,
        ..EvaluationOptions::default()
    };
    let e = run_with(&set, &r, &strict);
    expect(&e, Allowed, None);
    expect_grant(&e, Some(GrantKind::Direct));
}

#[test]
fn deny_not_principal_for_a_role_session_needs_account_role_and_session() {
    // §2.4: for a role session list the session ARN, the role ARN and the account.
    let set = PolicySet::new().with_identity(s3_identity());
    let all = set
        .clone()
        .with_resource(deny_others(&format!(r#"["{S1}","{ROLE_APP}","{A}"]"#)));
    expect(&run(&all, &req(S1, "s3:GetObject", OBJ)), Allowed, None);
    let no_role = set.with_resource(deny_others(&format!(r#"["{S1}","{A}"]"#)));
    expect(
        &run(&no_role, &req(S1, "s3:GetObject", OBJ)),
        ExplicitDeny,
        Some(Layer::Resource),
    );
}

// ---------------------------------------------------------------------------------------------
// Matching and condition rows at the decision level: rows 39–41, 43–52
// ---------------------------------------------------------------------------------------------

#[test]
fn wildcard_only_action_needs_resource_star() {
    // row 39
    let set = PolicySet::new().with_identity(vec![idp(&[allow(
        "List",
        "s3:ListAllMyBuckets",
        "arn:aws:s3:::*",
    )])]);
    expect(
        &run(&set, &req(ALICE, "s3:ListAllMyBuckets", "*")),
        ImplicitDeny,
        Some(Layer::Identity),
    );
}

#[test]
fn specific_arn_deny_never_matches_wildcard_only_action() {
    // row 40
    let set = PolicySet::new().with_identity(vec![idp(&[
        allow("All", "*", "*"),
        deny("NoList", "s3:ListAllMyBuckets", "arn:aws:s3:::b"),
    ])]);
    let e = run(&set, &req(ALICE, "s3:ListAllMyBuckets", "*"));
    expect(&e, Allowed, None);
    expect_deciding(&e, &["identity:idp:All"]);
}

#[test]
fn missing_key_makes_a_positive_condition_false() {
    // row 41
    let set = PolicySet::new().with_identity(vec![idp(&[
        allow_get().when(r#"{"StringEquals":{"aws:PrincipalTag/team":"red"}}"#)
    ])]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    assert!(e.unevaluable.is_empty(), "{}", pretty(&e));
}

#[test]
fn missing_context_keys_are_reported() {
    // row 41: a missing key makes a positive operator false; the key is reported with every
    // layer that consulted it.
    let team = r#"{"StringEquals":{"aws:PrincipalTag/team":"red"}}"#;
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow_get().when(team)])])
        .with_scp_level(
            "r-root",
            vec![scp("Team", &[allow("Team", "*", "*").when(team)])],
        );
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Scp));
    assert_eq!(e.missing_context_keys.len(), 1, "{}", pretty(&e));
    let k = &e.missing_context_keys[0];
    assert_eq!(k.key, "aws:PrincipalTag/team");
    let mut layers = k.layers.clone();
    layers.sort();
    assert_eq!(layers, vec![Layer::Scp, Layer::Identity]);
    let e = run(
        &set,
        &ctx(
            req(ALICE, "s3:GetObject", OBJ),
            &[("aws:PrincipalTag/team", "red")],
        ),
    );
    expect(&e, Allowed, None);
    assert!(e.missing_context_keys.is_empty(), "{}", pretty(&e));
}

#[test]
fn for_all_values_is_vacuously_true_on_missing_key_and_null_closes_it() {
    // rows 43, 44
    let cond = r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}"#;
    let set = PolicySet::new().with_identity(vec![idp(&[
        allow("Tags", "ec2:CreateTags", "*").when(cond)
    ])]);
    let r = req(ALICE, "ec2:CreateTags", INSTANCE);
    expect(&run(&set, &r), Allowed, None);
    let both =
        r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]},"Null":{"aws:TagKeys":"false"}}"#;
    let set = PolicySet::new().with_identity(vec![idp(&[
        allow("Tags", "ec2:CreateTags", "*").when(both)
    ])]);
    expect(&run(&set, &r), ImplicitDeny, Some(Layer::Identity));
}

#[test]
fn for_any_value_deny_does_not_apply_on_missing_key() {
    // row 45
    let set = PolicySet::new().with_identity(vec![idp(&[
        allow("All", "*", "*"),
        deny("NoX", "*", "*").when(r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["x"]}}"#),
    ])]);
    expect(
        &run(&set, &req(ALICE, "ec2:CreateTags", INSTANCE)),
        Allowed,
        None,
    );
}

#[test]
fn bool_deny_ignores_missing_key_but_bool_if_exists_applies() {
    // rows 46, 47: alice uses long-term keys, so aws:MultiFactorAuthPresent is absent.
    for (op, decision) in [("Bool", Allowed), ("BoolIfExists", ExplicitDeny)] {
        let set = PolicySet::new().with_identity(vec![idp(&[
            allow("All", "*", "*"),
            deny("NoMfa", "*", "*").when(&format!(
                r#"{{"{op}":{{"aws:MultiFactorAuthPresent":"false"}}}}"#
            )),
        ])]);
        let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
        assert_eq!(e.decision, decision, "{op}\n{}", pretty(&e));
    }
}

#[test]
fn unresolved_policy_variable_matches_nothing() {
    // row 48: a role session has no aws:username.
    let set = PolicySet::new().with_identity(vec![idp(&[allow(
        "Home",
        "s3:GetObject",
        "arn:aws:s3:::b/${aws:username}/*",
    )])]);
    let key = "arn:aws:s3:::b/alice/x";
    expect(
        &run(&set, &req(S1, "s3:GetObject", key)),
        ImplicitDeny,
        Some(Layer::Identity),
    );
    // The user with that name is allowed.
    let r = ctx(
        req(ALICE, "s3:GetObject", key),
        &[("aws:username", "alice")],
    );
    expect(&run(&set, &r), Allowed, None);
}

#[test]
fn variables_are_literal_in_2008_version_policies() {
    // row 49
    let set = PolicySet::new().with_identity(vec![pol_v(
        "idp",
        PolicyType::Identity,
        "2008-10-17",
        &[allow(
            "Home",
            "s3:GetObject",
            "arn:aws:s3:::b/${aws:username}/*",
        )],
    )]);
    let r = ctx(
        req(ALICE, "s3:GetObject", "arn:aws:s3:::b/alice/x"),
        &[("aws:username", "alice")],
    );
    expect(&run(&set, &r), ImplicitDeny, Some(Layer::Identity));
}

#[test]
fn short_resource_arn_is_padded_in_identity_but_not_resource_policies() {
    // rows 50, 51 (row 51 [EMPIRICAL-3P])
    let set =
        PolicySet::new().with_identity(vec![idp(&[allow("Short", "s3:GetObject", "arn:aws:s3")])]);
    expect(&run(&set, &req(ALICE, "s3:GetObject", OBJ)), Allowed, None);
    let set = PolicySet::new().with_resource(rbp(&[
        allow("Short", "s3:GetObject", "arn:aws:s3").to(ALICE)
    ]));
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    expect_grant(&e, None);
}

#[test]
fn unqualified_operator_on_multivalued_key_never_matches() {
    // row 52 [EMPIRICAL-3P] / §12 #5
    let set = PolicySet::new().with_identity(vec![idp(&[
        allow_get().when(r#"{"StringEquals":{"aws:PrincipalOrgPaths":"o-1/r-1/"}}"#)
    ])]);
    let mut r = req(ALICE, "s3:GetObject", OBJ);
    r.context
        .set_multi("aws:PrincipalOrgPaths", vec!["o-1/r-1/".to_string()]);
    expect(&run(&set, &r), ImplicitDeny, Some(Layer::Identity));
}

// ---------------------------------------------------------------------------------------------
// Conditions that cannot be evaluated (spec-notes: three-valued logic)
// ---------------------------------------------------------------------------------------------

#[test]
fn unevaluable_deny_condition_is_applied_and_reported() {
    let set = PolicySet::new().with_identity(vec![idp(&[
        allow("All", "*", "*"),
        deny("FewKeys", "s3:ListBucket", "*").when(r#"{"NumericLessThan":{"s3:max-keys":"10"}}"#),
    ])]);
    let r = ctx(
        req(ALICE, "s3:ListBucket", "arn:aws:s3:::b"),
        &[("s3:max-keys", "many")],
    );
    let e = run(&set, &r);
    expect(&e, ExplicitDeny, Some(Layer::Identity));
    expect_deciding(&e, &["identity:idp:FewKeys"]);
    assert_eq!(e.unevaluable.len(), 1, "{}", pretty(&e));
    let u = &e.unevaluable[0];
    assert_eq!(
        (u.layer, u.policy.as_str(), u.statement.as_str()),
        (Layer::Identity, "idp", "FewKeys")
    );
    assert!(u.assumed.contains("Deny was applied"), "{}", u.assumed);
    // A readable value is compared normally.
    let e = run(
        &set,
        &ctx(
            req(ALICE, "s3:ListBucket", "arn:aws:s3:::b"),
            &[("s3:max-keys", "50")],
        ),
    );
    expect(&e, Allowed, None);
    assert!(e.unevaluable.is_empty());
}

#[test]
fn unevaluable_allow_condition_is_not_applied_and_reported() {
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow("FewKeys", "s3:ListBucket", "*")
            .when(r#"{"NumericLessThan":{"s3:max-keys":"10"}}"#)])]);
    let r = ctx(
        req(ALICE, "s3:ListBucket", "arn:aws:s3:::b"),
        &[("s3:max-keys", "many")],
    );
    let e = run(&set, &r);
    expect(&e, ImplicitDeny, Some(Layer::Identity));
    assert_eq!(e.unevaluable.len(), 1, "{}", pretty(&e));
    assert!(e.unevaluable[0].assumed.contains("Allow was not applied"));
}

// ---------------------------------------------------------------------------------------------
// Service rules: reserved roles and AWS managed policies
// ---------------------------------------------------------------------------------------------

#[test]
fn reserved_sso_roles_cannot_be_changed() {
    let set = PolicySet::new().with_identity(vec![idp(&[allow("Iam", "iam:*", "*")])]);
    for action in [
        "iam:DeleteRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:PutRolePolicy",
        "iam:PassRole",
    ] {
        let e = run(&set, &req(ALICE, action, SSO_ROLE));
        expect(&e, ImplicitDeny, None);
        expect_note(&e, "IAM Identity Center");
        expect_blocked(&e, &[]);
    }
    // Reading them is fine.
    expect(
        &run(&set, &req(ALICE, "iam:GetRole", SSO_ROLE)),
        Allowed,
        None,
    );
    // An explicit deny is still reported as such.
    let set = set.with_identity(vec![idp(&[
        allow("Iam", "iam:*", "*"),
        deny("No", "iam:DeleteRole", "*"),
    ])]);
    expect(
        &run(&set, &req(ALICE, "iam:DeleteRole", SSO_ROLE)),
        ExplicitDeny,
        Some(Layer::Identity),
    );
}

#[test]
fn aws_managed_policies_cannot_be_changed() {
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    let set = PolicySet::new().with_identity(vec![idp(&[allow("Iam", "iam:*", "*")])]);
    for action in [
        "iam:CreatePolicyVersion",
        "iam:DeletePolicy",
        "iam:SetDefaultPolicyVersion",
    ] {
        let e = run(&set, &req(ALICE, action, admin));
        expect(&e, ImplicitDeny, None);
        expect_note(&e, "AWS managed policies");
    }
    // Reading them needs only an identity-based allow: they are not another account's
    // resources.
    let e = run(&set, &req(ALICE, "iam:GetPolicy", admin));
    expect(&e, Allowed, None);
    expect_deciding(&e, &["identity:idp:Iam"]);
    let e = run(
        &PolicySet::new(),
        &req(ALICE, "iam:GetPolicyVersion", admin),
    );
    expect(&e, ImplicitDeny, Some(Layer::Identity));
}

#[test]
fn an_implicit_deny_has_no_deciding_statement() {
    // No statement decides an implicit deny, even when Allow statements matched in a layer
    // that was not enough (diff relies on this to skip the trace of implicit denies).
    let set = PolicySet::new()
        .with_identity(vec![idp(&[allow("Read", "s3:GetObject", "*")])])
        .with_boundary(vec![pb(&[allow("OnlyEc2", "ec2:*", "*")])]);
    let e = run(&set, &req(ALICE, "s3:GetObject", OBJ));
    expect(&e, ImplicitDeny, Some(Layer::PermissionsBoundary));
    assert!(e.deciding.is_empty(), "{}", pretty(&e));
}
