//! Discovery's rules, one test each: which conditions become terms, how statements, layers
//! and the decision rules combine them, the session name, what is evaluated as given, and what
//! the answer looks like. The property tests (discovery_property.rs) check the formula against
//! strict decisions over generated policy sets.
//!
//! Accounts: A = 111122223333 (caller and resource unless noted), B = 444455556666.

use iamwhy_engine::decision::{Decision, Layer, PolicySet};
use iamwhy_engine::{
    CompiledPolicy, Context, Discovery, EvaluationOptions, Formula, KeyKnowledge, Principal,
    PrincipalMatch, Request, RequestResource, Term, Unknowns,
};
use iamwhy_policy::{PolicyDocument, PolicyType};
use std::sync::Arc;

const A: &str = "111122223333";
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const BOB_B: &str = "arn:aws:iam::444455556666:user/bob";
const ROLE_APP: &str = "arn:aws:iam::111122223333:role/team/App";
const S1: &str = "arn:aws:sts::111122223333:assumed-role/App/s1";
const OBJ: &str = "arn:aws:s3:::b/k";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn policy(name: &str, ty: PolicyType, statements: &str) -> CompiledPolicy {
    let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#);
    let doc = PolicyDocument::parse(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    CompiledPolicy::compile(name, ty, Arc::new(doc))
}

fn identity(statements: &str) -> CompiledPolicy {
    policy("idp", PolicyType::Identity, statements)
}

fn bucket(statements: &str) -> CompiledPolicy {
    policy("bucket", PolicyType::Resource, statements)
}

fn req(principal: &str, action: &str, resource: &str, ctx: &[(&str, &str)]) -> Request {
    let mut c = Context::new();
    for (k, v) in ctx {
        c.set(k, *v);
    }
    let mut r = Request::new(
        Principal::parse(principal).unwrap(),
        action,
        RequestResource::parse(resource),
        c,
    )
    .unwrap();
    r.resource_account = Some(
        if resource.contains("444455556666") || resource.contains("cross") {
            "444455556666"
        } else {
            A
        }
        .to_string(),
    );
    r
}

fn get(principal: &str) -> Request {
    req(principal, "s3:GetObject", OBJ, &[])
}

fn discover(set: &PolicySet, r: &Request) -> Discovery {
    set.discover(r, &EvaluationOptions::default(), &Unknowns::missing_keys())
}

fn discover_every(set: &PolicySet, r: &Request) -> Discovery {
    set.discover(r, &EvaluationOptions::default(), &Unknowns::every_key())
}

/// An allow statement for s3:GetObject on OBJ with a condition block.
fn allow_when(condition: &str) -> String {
    format!(
        r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{condition}}}"#
    )
}

fn deny_when(condition: &str) -> String {
    format!(
        r#"{{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{condition}}}"#
    )
}

const ALLOW_ALL: &str = r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#;

/// The formula as text (terms as `operator key [values]`, `not` for negation).
fn text(d: &Discovery) -> String {
    d.allowed_when.to_string()
}

fn ctx(pairs: &[(&str, &str)]) -> Context {
    let mut c = Context::new();
    for (k, v) in pairs {
        c.set(k, *v);
    }
    c
}

/// The strict decision with the unknown keys filled in.
fn strict_with(set: &PolicySet, r: &Request, pairs: &[(&str, &str)]) -> Decision {
    let mut r = r.clone();
    for (k, v) in pairs {
        r.context.set(k, *v);
    }
    set.decide(&r, &EvaluationOptions::default())
}

// ---------------------------------------------------------------------------------------------
// Which conditions become terms
// ---------------------------------------------------------------------------------------------

#[test]
fn allow_condition_on_a_missing_key_is_a_required_term() {
    let set = PolicySet::new().with_identity(vec![identity(&allow_when(
        r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#,
    ))]);
    let d = discover(&set, &get(ALICE));
    assert_eq!(d.decision, Decision::Allowed);
    assert_eq!(text(&d), "StringEquals aws:SourceVpc [vpc-1]");
    let Formula::Term(l) = &d.allowed_when else {
        panic!("a term")
    };
    assert!(!l.negated);
    assert_eq!(l.sources[0].layer, Layer::Identity);
    assert_eq!(l.sources[0].policy, "idp");
    assert_eq!(l.sources[0].index, 0);
    // Strictly, the key is missing and the Allow does not apply.
    assert_eq!(
        set.decide(&get(ALICE), &EvaluationOptions::default()),
        Decision::ImplicitDeny
    );
}

#[test]
fn deny_condition_on_a_missing_key_is_a_term_that_must_not_hold() {
    let set = PolicySet::new().with_identity(vec![identity(&format!(
        "{ALLOW_ALL},{}",
        deny_when(r#"{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}"#)
    ))]);
    let d = discover(&set, &get(ALICE));
    assert_eq!(d.decision, Decision::Allowed);
    assert_eq!(text(&d), "not StringEquals aws:RequestedRegion [eu-west-1]");
}

#[test]
fn conditions_on_keys_the_request_carries_are_evaluated_as_given() {
    let set = PolicySet::new().with_identity(vec![identity(&format!(
        "{},{}",
        allow_when(r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#),
        deny_when(r#"{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}"#)
    ))]);
    let given = req(ALICE, "s3:GetObject", OBJ, &[("aws:SourceVpc", "vpc-1")]);
    assert_eq!(
        text(&discover(&set, &given)),
        "not StringEquals aws:RequestedRegion [eu-west-1]"
    );
    let wrong = req(ALICE, "s3:GetObject", OBJ, &[("aws:SourceVpc", "vpc-2")]);
    let d = discover(&set, &wrong);
    assert!(d.allowed_when.is_false());
    assert_eq!(d.decision, Decision::ImplicitDeny);
}

#[test]
fn every_key_mode_reports_conditions_on_given_keys_too() {
    let set = PolicySet::new().with_identity(vec![identity(&allow_when(
        r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#,
    ))]);
    let given = req(ALICE, "s3:GetObject", OBJ, &[("aws:SourceVpc", "vpc-2")]);
    let d = discover_every(&set, &given);
    assert_eq!(text(&d), "StringEquals aws:SourceVpc [vpc-1]");
}

#[test]
fn presence_only_key_evaluates_null_and_keeps_value_conditions_as_terms() {
    let set = PolicySet::new().with_identity(vec![identity(&allow_when(
        r#"{"Null":{"aws:SourceAccount":"false"},"StringEquals":{"aws:SourceAccount":"111111111111"}}"#,
    ))]);
    let unknowns = Unknowns::every_key().with_key("aws:SourceAccount", KeyKnowledge::PresenceOnly);
    let present = req(
        ALICE,
        "s3:GetObject",
        OBJ,
        &[("aws:SourceAccount", "999999999999")],
    );
    let d = set.discover(&present, &EvaluationOptions::default(), &unknowns);
    assert_eq!(text(&d), "StringEquals aws:SourceAccount [111111111111]");
}

#[test]
fn presence_only_absent_key_is_decided_by_the_missing_key_rules() {
    let set = PolicySet::new().with_identity(vec![identity(&allow_when(
        r#"{"StringNotEquals":{"aws:SourceAccount":"111111111111"}}"#,
    ))]);
    let unknowns = Unknowns::every_key().with_key("aws:SourceAccount", KeyKnowledge::PresenceOnly);
    let d = set.discover(&get(ALICE), &EvaluationOptions::default(), &unknowns);
    // Absent: a negated operator holds.
    assert!(d.allowed_when.is_true());
    assert_eq!(d.decision, Decision::Allowed);
}

#[test]
fn a_known_key_rule_with_a_wildcard_pattern_evaluates_strictly() {
    let set = PolicySet::new().with_identity(vec![identity(&allow_when(
        r#"{"StringEquals":{"aws:PrincipalTag/Team":"Accounting"}}"#,
    ))]);
    let strict_tags = Unknowns::every_key().with_key("aws:principaltag/*", KeyKnowledge::Known);
    let d = set.discover(&get(ALICE), &EvaluationOptions::default(), &strict_tags);
    assert!(d.allowed_when.is_false());
    assert_eq!(d.decision, Decision::ImplicitDeny);
    let other_tag =
        Unknowns::every_key().with_key("aws:PrincipalTag/Department", KeyKnowledge::Known);
    let d = set.discover(&get(ALICE), &EvaluationOptions::default(), &other_tag);
    assert_eq!(text(&d), "StringEquals aws:PrincipalTag/Team [Accounting]");
}

#[test]
fn a_policy_variable_on_an_unknown_key_makes_the_condition_a_term() {
    let set = PolicySet::new().with_identity(vec![identity(&allow_when(
        r#"{"StringEquals":{"aws:PrincipalTag/team":"${aws:RequestTag/team}"}}"#,
    ))]);
    let r = req(
        ALICE,
        "s3:GetObject",
        OBJ,
        &[("aws:PrincipalTag/team", "red")],
    );
    let d = discover(&set, &r);
    assert_eq!(
        text(&d),
        "StringEquals aws:PrincipalTag/team [${aws:RequestTag/team} (unresolved)]"
    );
    assert_eq!(
        strict_with(&set, &r, &[("aws:RequestTag/team", "red")]),
        Decision::Allowed
    );
    let mut filled = r.context.clone();
    filled.set("aws:RequestTag/team", "red");
    assert!(d.allowed_when.holds(&filled, None));
    filled.set("aws:RequestTag/team", "blue");
    assert!(!d.allowed_when.holds(&filled, None));
}

#[test]
fn a_resource_variable_on_an_unknown_key_is_noted_not_varied() {
    let set = PolicySet::new().with_identity(vec![identity(
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team}/*"}"#,
    )]);
    let d = discover(&set, &get(ALICE));
    assert!(d.allowed_when.is_false());
    assert!(
        d.notes
            .iter()
            .any(|n| n.contains("${aws:principaltag/team}") && n.contains("does not vary it")),
        "{:?}",
        d.notes
    );
}

#[test]
fn an_operator_iamwhy_cannot_read_is_not_reported_and_the_allow_does_not_apply() {
    let set = PolicySet::new().with_identity(vec![identity(&allow_when(
        r#"{"StringEqualsSomehow":{"aws:SourceVpc":"vpc-1"}}"#,
    ))]);
    let d = discover(&set, &get(ALICE));
    assert!(d.allowed_when.is_false());
    assert!(d.notes.iter().any(|n| n.contains("cannot be evaluated")));
}

#[test]
fn an_unreadable_value_counts_as_holding_for_a_deny_term_and_not_for_an_allow_term() {
    let set = PolicySet::new().with_identity(vec![identity(&format!(
        "{},{}",
        allow_when(r#"{"NumericLessThan":{"s3:max-keys":"10"}}"#),
        deny_when(r#"{"NumericGreaterThan":{"s3:max-keys":"100"}}"#)
    ))]);
    let r = get(ALICE);
    let d = discover(&set, &r);
    assert_eq!(
        text(&d),
        "(not NumericGreaterThan s3:max-keys [100] and NumericLessThan s3:max-keys [10])"
    );
    for (value, allowed) in [("5", true), ("50", false), ("500", false), ("x", false)] {
        assert_eq!(
            d.allowed_when.holds(&ctx(&[("s3:max-keys", value)]), None),
            allowed
        );
        assert_eq!(
            strict_with(&set, &r, &[("s3:max-keys", value)]) == Decision::Allowed,
            allowed,
            "{value}"
        );
    }
    let terms: Vec<bool> = d
        .allowed_when
        .literals()
        .iter()
        .map(|l| match &*l.term {
            Term::Condition(c) => c.unreadable_holds,
            Term::SessionName { .. } => unreachable!(),
        })
        .collect();
    assert_eq!(terms, vec![true, false]);
}

#[test]
fn statements_whose_action_resource_or_principal_cannot_match_are_not_reported() {
    let set = PolicySet::new()
        .with_identity(vec![identity(
            r#"{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceVpc":"v"}}},
               {"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"v"}}}"#,
        )])
        .with_resource(bucket(
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/carol"},"Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"v"}}}"#,
        ));
    let d = discover(&set, &get(ALICE));
    assert!(d.statements.is_empty());
    assert!(d.unknown_keys.is_empty());
    assert_eq!(d.decision, Decision::ImplicitDeny);
}

#[test]
fn a_known_condition_that_fails_drops_the_statement_and_its_terms() {
    let set = PolicySet::new().with_identity(vec![identity(&allow_when(
        r#"{"StringEquals":{"aws:SourceVpc":"vpc-1","aws:username":"bob"}}"#,
    ))]);
    let r = req(ALICE, "s3:GetObject", OBJ, &[("aws:username", "alice")]);
    let d = discover(&set, &r);
    assert!(d.statements.is_empty());
    assert!(d.allowed_when.is_false());
}

#[test]
fn unknown_keys_lists_each_key_that_became_a_term_once() {
    let set = PolicySet::new().with_identity(vec![identity(&format!(
        "{},{}",
        allow_when(r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#),
        allow_when(r#"{"StringEquals":{"AWS:SOURCEVPC":"vpc-2","aws:SourceIp":"1.2.3.4"}}"#)
    ))]);
    let d = discover(&set, &get(ALICE));
    assert_eq!(d.unknown_keys, vec!["aws:SourceVpc", "aws:SourceIp"]);
}

// ---------------------------------------------------------------------------------------------
// How statements and layers combine
// ---------------------------------------------------------------------------------------------

#[test]
fn conditions_of_one_statement_are_anded() {
    let set = PolicySet::new().with_identity(vec![identity(&allow_when(
        r#"{"Bool":{"aws:SecureTransport":"true"},"NumericGreaterThanEquals":{"s3:TlsVersion":"1.2"}}"#,
    ))]);
    assert_eq!(
        text(&discover(&set, &get(ALICE))),
        "(Bool aws:SecureTransport [true] and NumericGreaterThanEquals s3:TlsVersion [1.2])"
    );
}

#[test]
fn separate_allow_statements_are_ored() {
    let set = PolicySet::new().with_identity(vec![identity(&format!(
        "{},{}",
        allow_when(r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#),
        allow_when(r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#)
    ))]);
    assert_eq!(
        text(&discover(&set, &get(ALICE))),
        "(StringEquals aws:SourceVpc [vpc-1] or IpAddress aws:SourceIp [203.0.113.0/24])"
    );
}

#[test]
fn a_deny_with_several_conditions_is_escaped_when_any_of_them_fails() {
    let set = PolicySet::new().with_identity(vec![identity(&format!(
        "{ALLOW_ALL},{}",
        deny_when(
            r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringEquals":{"aws:RequestedRegion":"us-east-1"}}"#
        )
    ))]);
    assert_eq!(
        text(&discover(&set, &get(ALICE))),
        "(not IpAddress aws:SourceIp [10.0.0.0/8] or not StringEquals aws:RequestedRegion [us-east-1])"
    );
}

#[test]
fn qualifiers_and_if_exists_stay_in_the_operator() {
    let set = PolicySet::new().with_identity(vec![identity(&format!(
        "{ALLOW_ALL},{}",
        deny_when(r#"{"ForAllValues:StringEqualsIfExists":{"aws:TagKeys":["a","b"]}}"#)
    ))]);
    let d = discover(&set, &get(ALICE));
    assert_eq!(
        text(&d),
        "not ForAllValues:StringEqualsIfExists aws:TagKeys [a, b]"
    );
    let mut c = Context::new();
    assert!(!d.allowed_when.holds(&c, None), "absent: the Deny applies");
    c.set_multi("aws:TagKeys", vec!["a".into()]);
    assert!(!d.allowed_when.holds(&c, None));
    c.set_multi("aws:TagKeys", vec!["a".into(), "z".into()]);
    assert!(d.allowed_when.holds(&c, None));
}

#[test]
fn an_unconditional_deny_gives_false_and_an_explicit_deny() {
    let set = PolicySet::new().with_identity(vec![identity(&format!(
        r#"{},{{"Effect":"Deny","Action":"s3:*","Resource":"*"}}"#,
        allow_when(r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#)
    ))]);
    let d = discover(&set, &get(ALICE));
    assert!(d.allowed_when.is_false());
    assert_eq!(d.decision, Decision::ExplicitDeny);
    assert_eq!(d.summary, "explicitly denied by an identity-based policy");
}

#[test]
fn a_service_rule_gives_false_and_an_implicit_deny() {
    let set = PolicySet::new().with_identity(vec![identity(
        r#"{"Effect":"Allow","Action":"iam:DeletePolicy","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"v"}}}"#,
    )]);
    let r = req(
        ALICE,
        "iam:DeletePolicy",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        &[],
    );
    let d = discover(&set, &r);
    assert!(d.allowed_when.is_false());
    assert_eq!(d.decision, Decision::ImplicitDeny);
    assert!(d.summary.contains("service rule"), "{}", d.summary);
}

#[test]
fn get_caller_identity_is_allowed_whatever_the_conditions() {
    let set = PolicySet::new().with_identity(vec![identity(
        r#"{"Effect":"Deny","Action":"sts:GetCallerIdentity","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"v"}}}"#,
    )]);
    let d = discover(&set, &req(ALICE, "sts:GetCallerIdentity", "*", &[]));
    assert!(d.allowed_when.is_true());
    assert_eq!(d.decision, Decision::Allowed);
    assert_eq!(d.statements.len(), 1, "the statement is still reported");
}

#[test]
fn a_same_account_direct_resource_grant_bypasses_the_boundary() {
    let set = PolicySet::new()
        .with_identity(vec![identity(&allow_when(
            r#"{"StringEquals":{"aws:SourceVpc":"vpc-identity"}}"#,
        ))])
        .with_boundary(vec![policy(
            "pb",
            PolicyType::Boundary,
            r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-boundary"}}}"#,
        )])
        .with_resource(bucket(&format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"{ALICE}"}},"Action":"s3:GetObject","Resource":"*","Condition":{{"StringEquals":{{"aws:SourceVpc":"vpc-resource"}}}}}}"#
        )));
    assert_eq!(
        text(&discover(&set, &get(ALICE))),
        "(StringEquals aws:SourceVpc [vpc-resource] or (StringEquals aws:SourceVpc [vpc-identity] and StringEquals aws:SourceVpce [vpce-boundary]))"
    );
}

#[test]
fn an_account_grant_needs_the_identity_side_too() {
    let set = PolicySet::new()
        .with_identity(vec![identity(&format!(
            r#"{{"Effect":"Allow","Action":"kms:Decrypt","Resource":"{KEY}","Condition":{{"StringEquals":{{"aws:RequestTag/env":"prod"}}}}}}"#
        ))])
        .with_resource(policy(
            "key",
            PolicyType::Resource,
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}"#,
        ));
    let d = discover(&set, &req(ALICE, "kms:Decrypt", KEY, &[]));
    assert_eq!(
        text(&d),
        "(StringEquals kms:ViaService [s3.us-east-1.amazonaws.com] and StringEquals aws:RequestTag/env [prod])"
    );
    let grant = d
        .statements
        .iter()
        .find(|s| s.layer == Layer::Resource)
        .unwrap();
    assert_eq!(grant.principal_match, PrincipalMatch::Account);
}

#[test]
fn across_accounts_both_sides_must_allow() {
    let set = PolicySet::new()
        .with_identity(vec![identity(
            r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-identity"}}}"#,
        )])
        .with_resource(bucket(&format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"{BOB_B}"}},"Action":"s3:ListBucket","Resource":"*","Condition":{{"StringEquals":{{"aws:PrincipalOrgID":"o-1"}}}}}}"#
        )));
    let mut r = req(BOB_B, "s3:ListBucket", "arn:aws:s3:::cross", &[]);
    r.resource_account = Some(A.to_string());
    assert_eq!(
        text(&discover(&set, &r)),
        "(StringEquals aws:PrincipalOrgID [o-1] and StringEquals aws:SourceVpc [vpc-identity])"
    );
}

#[test]
fn guardrail_allows_are_required_at_every_level_and_their_denies_must_not_apply() {
    let scp = |name: &str, statements: &str| policy(name, PolicyType::Scp, statements);
    let set = PolicySet::new()
        .with_identity(vec![identity(ALLOW_ALL)])
        .with_scp_level(
            "r-root",
            vec![scp(
                "root",
                r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a"}}},
                   {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}"#,
            )],
        )
        .with_scp_level(
            "ou-1",
            vec![scp(
                "ou",
                r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceOrgID":"o-a"}}}"#,
            )],
        );
    let d = discover(&set, &get(ALICE));
    assert_eq!(
        text(&d),
        "(not StringNotEquals aws:RequestedRegion [eu-west-1] and StringEquals aws:PrincipalOrgID [o-a] and StringEquals aws:ResourceOrgID [o-a])"
    );
    let levels: Vec<Option<&str>> = d.statements.iter().map(|s| s.level.as_deref()).collect();
    assert_eq!(
        levels,
        vec![Some("r-root"), Some("r-root"), Some("ou-1"), None]
    );
}

#[test]
fn a_failing_boundary_blocks_and_is_named() {
    let set = PolicySet::new()
        .with_identity(vec![identity(&allow_when(
            r#"{"StringEquals":{"aws:SourceVpc":"v"}}"#,
        ))])
        .with_boundary(vec![policy(
            "pb",
            PolicyType::Boundary,
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*"}"#,
        )]);
    let d = discover(&set, &get(ALICE));
    assert_eq!(d.decision, Decision::ImplicitDeny);
    assert_eq!(d.blocked_by, vec![Layer::PermissionsBoundary]);
}

// ---------------------------------------------------------------------------------------------
// The session name
// ---------------------------------------------------------------------------------------------

fn session_grant(effect: &str, session: &str) -> String {
    format!(
        r#"{{"Effect":"{effect}","Principal":{{"AWS":"{session}"}},"Action":"s3:GetObject","Resource":"*"}}"#
    )
}

#[test]
fn a_role_caller_matches_a_grant_to_one_of_its_sessions_through_the_session_name() {
    // The role has a path; session ARNs carry only the role's name.
    let set = PolicySet::new()
        .with_boundary(vec![policy(
            "pb",
            PolicyType::Boundary,
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*"}"#,
        )])
        .with_resource(bucket(&session_grant("Allow", S1)));
    let d = discover(&set, &get(ROLE_APP));
    assert!(d.session_name_unknown && d.session_name_consulted);
    assert_eq!(text(&d), "session name is one of [s1]");
    assert!(d.allowed_when.holds(&Context::new(), Some("s1")));
    assert!(!d.allowed_when.holds(&Context::new(), Some("s2")));
    // The session named directly bypasses the boundary, as a strict evaluation says.
    let mut s1 = get(ROLE_APP);
    s1.principal = Principal::parse(S1).unwrap();
    assert_eq!(
        set.decide(&s1, &EvaluationOptions::default()),
        Decision::Allowed
    );
}

#[test]
fn a_deny_naming_a_session_of_the_role_must_not_name_the_callers_session() {
    let set = PolicySet::new().with_resource(bucket(&format!(
        "{},{}",
        session_grant("Allow", ROLE_APP),
        session_grant("Deny", S1)
    )));
    let d = discover(&set, &get(ROLE_APP));
    assert_eq!(text(&d), "not session name is one of [s1]");
}

#[test]
fn a_role_sessions_name_is_known_when_only_missing_keys_are_unknown() {
    let set = PolicySet::new().with_resource(bucket(&session_grant(
        "Allow",
        "arn:aws:sts::111122223333:assumed-role/App/s2",
    )));
    let d = discover(&set, &get(S1));
    assert!(!d.session_name_unknown);
    assert!(d.allowed_when.is_false());
    // Every key unknown: the session name is unknown too.
    let d = discover_every(&set, &get(S1));
    assert_eq!(text(&d), "session name is one of [s2]");
}

// ---------------------------------------------------------------------------------------------
// The formula
// ---------------------------------------------------------------------------------------------

#[test]
fn equal_terms_of_different_statements_are_merged_with_both_sources() {
    let cond = r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#;
    let set = PolicySet::new()
        .with_identity(vec![identity(&allow_when(cond))])
        .with_boundary(vec![policy("pb", PolicyType::Boundary, &allow_when(cond))]);
    let d = discover(&set, &get(ALICE));
    let Formula::Term(l) = &d.allowed_when else {
        panic!("one merged term, got {}", d.allowed_when)
    };
    let layers: Vec<Layer> = l.sources.iter().map(|s| s.layer).collect();
    assert_eq!(layers, vec![Layer::Identity, Layer::PermissionsBoundary]);
}

#[test]
fn a_term_required_and_denied_at_once_makes_the_formula_false() {
    let cond = r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#;
    let set = PolicySet::new().with_identity(vec![identity(&format!(
        "{},{}",
        allow_when(cond),
        deny_when(cond)
    ))]);
    let d = discover(&set, &get(ALICE));
    assert!(d.allowed_when.is_false(), "{}", d.allowed_when);
    assert_eq!(d.decision, Decision::ImplicitDeny);
}

#[test]
fn values_that_satisfy_the_formula_allow_and_values_that_violate_it_deny() {
    let set = PolicySet::new().with_identity(vec![identity(&format!(
        "{},{},{}",
        allow_when(r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#),
        allow_when(r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#),
        deny_when(r#"{"StringNotEqualsIfExists":{"aws:RequestedRegion":"eu-west-1"}}"#)
    ))]);
    let r = get(ALICE);
    let d = discover(&set, &r);
    for (values, allowed) in [
        (
            &[
                ("aws:SourceVpc", "vpc-1"),
                ("aws:RequestedRegion", "eu-west-1"),
            ][..],
            true,
        ),
        (
            &[
                ("aws:SourceIp", "10.9.8.7"),
                ("aws:RequestedRegion", "eu-west-1"),
            ][..],
            true,
        ),
        (&[("aws:SourceVpc", "vpc-1")][..], false),
        (
            &[
                ("aws:SourceVpc", "vpc-2"),
                ("aws:RequestedRegion", "eu-west-1"),
            ][..],
            false,
        ),
        (
            &[
                ("aws:SourceIp", "10.9.8.7"),
                ("aws:RequestedRegion", "us-east-1"),
            ][..],
            false,
        ),
    ] {
        assert_eq!(
            d.allowed_when.holds(&ctx(values), None),
            allowed,
            "{values:?}"
        );
        let decision = strict_with(&set, &r, values);
        assert_eq!(decision == Decision::Allowed, allowed, "{values:?}");
        if !allowed {
            assert!(decision.is_denied());
        }
    }
}

#[test]
fn the_answer_serializes_with_kind_and_type_tags() {
    let set = PolicySet::new().with_identity(vec![identity(&format!(
        "{},{}",
        allow_when(r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#),
        deny_when(r#"{"Bool":{"aws:SecureTransport":"false"}}"#)
    ))]);
    let d = discover(&set, &get(ALICE));
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(v["decision"], "Allowed");
    assert_eq!(v["allowed_when"]["kind"], "all");
    let parts = v["allowed_when"]["of"].as_array().unwrap();
    assert_eq!(parts[0]["kind"], "term");
    assert_eq!(parts[0]["negated"], true);
    assert_eq!(parts[0]["term"]["type"], "condition");
    assert_eq!(parts[0]["term"]["operator"], "Bool");
    assert_eq!(parts[0]["term"]["unreadable_holds"], true);
    assert_eq!(parts[0]["sources"][0]["layer"], "identity");
    assert_eq!(parts[0]["sources"][0]["effect"], "Deny");
    assert_eq!(parts[0]["sources"][0]["start"]["line"], 1);
    assert_eq!(parts[1]["term"]["values"][0], "vpc-1");
    assert_eq!(v["statements"][0]["conditions"]["kind"], "term");
    assert_eq!(v["unknown_keys"][0], "aws:SourceVpc");
}
