//! Spec §4 — matching of actions, resources, principals and policy variables — one named test
//! per behaviour, evaluated through compiled statements (both the fast and the recorded path).

use iamwhy_engine::principal::PrincipalMatch;
use iamwhy_engine::{
    CompiledPolicy, Context, EvaluationOptions, NotPrincipalMode, Principal, Request,
    RequestResource,
};
use iamwhy_policy::{PolicyDocument, PolicyType};
use std::sync::Arc;

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/App/s1";

fn policy_v(version: Option<&str>, statement: &str, ty: PolicyType) -> CompiledPolicy {
    let version = version
        .map(|v| format!("\"Version\": \"{v}\", "))
        .unwrap_or_default();
    let text = format!("{{{version}\"Statement\": [{statement}]}}");
    let doc = PolicyDocument::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    CompiledPolicy::compile("test", ty, Arc::new(doc))
}

fn policy(statement: &str, ty: PolicyType) -> CompiledPolicy {
    policy_v(Some("2012-10-17"), statement, ty)
}

fn identity(statement: &str) -> CompiledPolicy {
    policy(statement, PolicyType::Identity)
}

fn request(principal: &str, action: &str, resource: &str) -> Request {
    request_ctx(principal, action, resource, Context::new())
}

fn request_ctx(principal: &str, action: &str, resource: &str, ctx: Context) -> Request {
    let p = if principal == "anonymous" {
        Principal::anonymous()
    } else {
        Principal::parse(principal).unwrap()
    };
    Request::new(p, action, RequestResource::parse(resource), ctx).unwrap()
}

fn applies_with(p: &CompiledPolicy, r: &Request, opts: EvaluationOptions) -> bool {
    let s = &p.statements[0];
    let fast = s.applicability(r, &opts).effective;
    let recorded = s.evaluate(r, &opts).effective;
    assert_eq!(fast, recorded, "fast and recorded evaluation disagree");
    fast
}

fn applies(p: &CompiledPolicy, r: &Request) -> bool {
    applies_with(p, r, EvaluationOptions::default())
}

fn allow_action(action: &str) -> CompiledPolicy {
    identity(&format!(
        r#"{{"Effect":"Allow","Action":{action},"Resource":"*"}}"#
    ))
}

fn not_action(action: &str) -> CompiledPolicy {
    identity(&format!(
        r#"{{"Effect":"Allow","NotAction":{action},"Resource":"*"}}"#
    ))
}

// ---------------------------------------------------------------- §4.1 actions

#[test]
fn action_star_matches_every_action_of_every_service() {
    let p = allow_action(r#""*""#);
    assert!(applies(&p, &request(ALICE, "s3:GetObject", "*")));
    assert!(applies(&p, &request(ALICE, "iam:CreateUser", "*")));
}

#[test]
fn action_service_prefix_is_case_insensitive() {
    assert!(applies(
        &allow_action(r#""S3:GetObject""#),
        &request(ALICE, "s3:GetObject", "*")
    ));
}

#[test]
fn action_name_is_case_insensitive() {
    assert!(applies(
        &allow_action(r#""s3:getobject""#),
        &request(ALICE, "s3:GetObject", "*")
    ));
    assert!(applies(
        &allow_action(r#""s3:GetObject""#),
        &request(ALICE, "S3:GETOBJECT", "*")
    ));
}

#[test]
fn action_star_in_name_matches_any_run() {
    let p = allow_action(r#""iam:*AccessKey*""#);
    for a in [
        "iam:CreateAccessKey",
        "iam:ListAccessKeys",
        "iam:UpdateAccessKey",
    ] {
        assert!(applies(&p, &request(ALICE, a, "*")), "{a}");
    }
    assert!(!applies(&p, &request(ALICE, "iam:CreateUser", "*")));
}

#[test]
fn action_question_mark_matches_exactly_one_character() {
    let p = allow_action(r#""s3:Get?bject""#);
    assert!(applies(&p, &request(ALICE, "s3:GetObject", "*")));
    assert!(!applies(&p, &request(ALICE, "s3:GetObjectAcl", "*")));
}

#[test]
fn action_matching_is_anchored() {
    assert!(!applies(
        &allow_action(r#""s3:Get""#),
        &request(ALICE, "s3:GetObject", "*")
    ));
}

#[test]
fn wildcard_in_service_prefix_matches_nothing() {
    assert!(!applies(
        &allow_action(r#""s*:GetObject""#),
        &request(ALICE, "s3:GetObject", "*")
    ));
    assert!(!applies(
        &allow_action(r#""*:GetObject""#),
        &request(ALICE, "s3:GetObject", "*")
    ));
}

#[test]
fn comma_separated_actions_in_one_string_match_nothing() {
    let p = allow_action(r#""s3:GetObject,s3:PutObject""#);
    assert!(!applies(&p, &request(ALICE, "s3:GetObject", "*")));
    assert!(!applies(&p, &request(ALICE, "s3:PutObject", "*")));
}

#[test]
fn action_with_whitespace_is_not_trimmed_and_matches_nothing() {
    assert!(!applies(
        &allow_action(r#""s3:GetObject ""#),
        &request(ALICE, "s3:GetObject", "*")
    ));
    assert!(!applies(
        &allow_action(r#""s3:   GetObject""#),
        &request(ALICE, "s3:GetObject", "*")
    ));
}

#[test]
fn not_action_with_empty_or_blank_name_matches_every_action() {
    assert!(applies(
        &not_action(r#""s3:""#),
        &request(ALICE, "s3:GetObject", "*")
    ));
    assert!(applies(
        &not_action(r#""s3:    ""#),
        &request(ALICE, "s3:GetObject", "*")
    ));
}

#[test]
fn action_array_matches_if_any_element_matches() {
    let p = allow_action(r#"["ec2:*", "s3:GetObject"]"#);
    assert!(applies(&p, &request(ALICE, "s3:GetObject", "*")));
    assert!(!applies(&p, &request(ALICE, "s3:PutObject", "*")));
}

#[test]
fn not_action_matches_only_when_no_element_matches() {
    let p = not_action(r#"["iam:*", "organizations:*"]"#);
    assert!(applies(&p, &request(ALICE, "s3:GetObject", "*")));
    assert!(
        !applies(&p, &request(ALICE, "IAM:createuser", "*")),
        "case-insensitive NotAction"
    );
}

#[test]
fn empty_action_array_matches_nothing_and_empty_not_action_everything() {
    assert!(!applies(
        &allow_action("[]"),
        &request(ALICE, "s3:GetObject", "*")
    ));
    assert!(applies(
        &not_action("[]"),
        &request(ALICE, "s3:GetObject", "*")
    ));
}

// ---------------------------------------------------------------- §4.2 resources

fn allow_resource(resource: &str, ty: PolicyType) -> CompiledPolicy {
    let principal = if ty.has_principal() {
        r#""Principal":"*","#
    } else {
        ""
    };
    policy(
        &format!(r#"{{"Effect":"Allow",{principal}"Action":"*","Resource":{resource}}}"#),
        ty,
    )
}

fn res(resource: &str, arn: &str) -> bool {
    applies(
        &allow_resource(resource, PolicyType::Identity),
        &request(ALICE, "s3:GetObject", arn),
    )
}

#[test]
fn resource_star_matches_every_resource_including_wildcard_only_star() {
    assert!(res(r#""*""#, "arn:aws:s3:::b/k"));
    assert!(res(r#""*""#, "*"));
}

#[test]
fn star_in_resource_field_crosses_slashes_and_colons() {
    assert!(res(
        r#""arn:aws:s3:::bucket/*""#,
        "arn:aws:s3:::bucket/a/b/c.txt"
    ));
    assert!(res(
        r#""arn:aws:logs:us-east-1:111122223333:log-group:app:*""#,
        "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:x"
    ));
}

#[test]
fn question_mark_in_resource_matches_one_character() {
    assert!(res(r#""arn:aws:s3:::b/k?""#, "arn:aws:s3:::b/k1"));
    assert!(!res(r#""arn:aws:s3:::b/k?""#, "arn:aws:s3:::b/k12"));
}

#[test]
fn star_in_first_five_fields_stays_within_its_field() {
    assert!(!res(r#""arn:aws:*:b""#, "arn:aws:s3:::b"));
    assert!(res(r#""arn:aws:*:*:*:b""#, "arn:aws:s3:::b"));
}

#[test]
fn resource_field_is_case_sensitive() {
    assert!(!res(r#""arn:aws:s3:::b/Key""#, "arn:aws:s3:::b/key"));
}

#[test]
fn partition_service_region_and_account_are_case_insensitive() {
    assert!(res(
        r#""ARN:AWS:SQS:US-EAST-1:111122223333:q""#,
        "arn:aws:sqs:us-east-1:111122223333:q"
    ));
}

#[test]
fn empty_fields_match_only_empty_fields_unless_wildcard() {
    assert!(!res(r#""arn:aws:s3:us-east-1::b""#, "arn:aws:s3:::b"));
    assert!(res(r#""arn:aws:s3:*:*:b""#, "arn:aws:s3:::b"));
}

#[test]
fn short_arns_are_padded_in_identity_boundary_and_session_policies() {
    for ty in [
        PolicyType::Identity,
        PolicyType::Boundary,
        PolicyType::Session,
    ] {
        let p = allow_resource(r#""arn:aws:s3""#, ty);
        assert!(
            applies(&p, &request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k")),
            "{ty:?}"
        );
    }
}

#[test]
fn short_arn_without_wildcard_matches_nothing_in_resource_policies() {
    let p = allow_resource(r#""arn:aws:s3""#, PolicyType::Resource);
    assert!(!applies(
        &p,
        &request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k")
    ));
    let p = allow_resource(r#""arn:aws:s3:*""#, PolicyType::Resource);
    assert!(applies(
        &p,
        &request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k")
    ));
}

#[test]
fn short_arn_in_scp_needs_a_trailing_star_and_rcps_take_none() {
    let r = request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k");
    assert!(!applies(
        &allow_resource(r#""arn:aws:s3""#, PolicyType::Scp),
        &r
    ));
    assert!(applies(
        &allow_resource(r#""arn:aws:s3*""#, PolicyType::Scp),
        &r
    ));
    assert!(!applies(
        &allow_resource(r#""arn:aws:s3*""#, PolicyType::Rcp),
        &r
    ));
}

#[test]
fn wildcard_only_action_needs_resource_star_exactly() {
    let r = request(ALICE, "s3:ListAllMyBuckets", "*");
    assert!(!applies(
        &allow_resource(r#""arn:aws:s3:::*""#, PolicyType::Identity),
        &r
    ));
    assert!(applies(&allow_resource(r#""*""#, PolicyType::Identity), &r));
}

#[test]
fn not_resource_with_specific_arn_covers_the_wildcard_only_star() {
    let p = identity(r#"{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::b"}"#);
    assert!(applies(&p, &request(ALICE, "s3:ListAllMyBuckets", "*")));
}

#[test]
fn resource_array_matches_any_and_not_resource_matches_none() {
    let p = allow_resource(
        r#"["arn:aws:s3:::a/*","arn:aws:s3:::b/*"]"#,
        PolicyType::Identity,
    );
    assert!(applies(
        &p,
        &request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k")
    ));
    let n = identity(
        r#"{"Effect":"Allow","Action":"*","NotResource":["arn:aws:s3:::a/*","arn:aws:s3:::b/*"]}"#,
    );
    assert!(!applies(
        &n,
        &request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k")
    ));
    assert!(applies(
        &n,
        &request(ALICE, "s3:GetObject", "arn:aws:s3:::c/k")
    ));
}

#[test]
fn trust_policy_statements_have_no_resource_and_match_the_role() {
    let p = policy(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}"#,
        PolicyType::Trust,
    );
    assert!(applies(
        &p,
        &request(ALICE, "sts:AssumeRole", "arn:aws:iam::111122223333:role/R")
    ));
}

#[test]
fn non_arn_request_resource_matches_only_resource_star() {
    let r = request(ALICE, "iam:ListAttachedUserPolicies", "user Adam");
    assert!(applies(&allow_resource(r#""*""#, PolicyType::Identity), &r));
    assert!(!applies(
        &allow_resource(r#""arn:aws:iam::*:user/*""#, PolicyType::Identity),
        &r
    ));
}

// ---------------------------------------------------------------- §4.4 variables in resources

fn ctx(pairs: &[(&str, &str)]) -> Context {
    let mut c = Context::new();
    for (k, v) in pairs {
        c.set(k, *v);
    }
    c
}

#[test]
fn variable_in_resource_is_substituted_case_sensitively() {
    let p = allow_resource(
        r#""arn:aws:s3:::reports/${aws:username}/*""#,
        PolicyType::Identity,
    );
    let c = || ctx(&[("aws:username", "Ana")]);
    assert!(applies(
        &p,
        &request_ctx(
            ALICE,
            "s3:GetObject",
            "arn:aws:s3:::reports/Ana/q1/x.pdf",
            c()
        )
    ));
    assert!(!applies(
        &p,
        &request_ctx(ALICE, "s3:GetObject", "arn:aws:s3:::reports/ana/x.pdf", c())
    ));
}

#[test]
fn variable_names_are_case_insensitive() {
    let p = allow_resource(r#""arn:aws:s3:::b/${AWS:UserName}""#, PolicyType::Identity);
    let c = ctx(&[("aws:username", "Ana")]);
    assert!(applies(
        &p,
        &request_ctx(ALICE, "s3:GetObject", "arn:aws:s3:::b/Ana", c)
    ));
}

#[test]
fn tag_key_in_variable_resolves_case_insensitively() {
    let p = allow_resource(
        r#""arn:aws:s3:::b/${aws:PrincipalTag/Team}""#,
        PolicyType::Identity,
    );
    let c = ctx(&[("aws:PrincipalTag/team", "red")]);
    assert!(applies(
        &p,
        &request_ctx(ALICE, "s3:GetObject", "arn:aws:s3:::b/red", c)
    ));
}

#[test]
fn unresolvable_variable_makes_resource_entry_match_nothing() {
    let p = allow_resource(
        r#""arn:aws:s3:::b/${aws:username}/*""#,
        PolicyType::Identity,
    );
    assert!(!applies(
        &p,
        &request(SESSION, "s3:GetObject", "arn:aws:s3:::b/${aws:username}/x")
    ));
}

#[test]
fn unresolvable_variable_in_not_resource_lets_not_resource_match_everything() {
    let p = identity(
        r#"{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::b/${aws:username}/*"}"#,
    );
    assert!(applies(
        &p,
        &request(SESSION, "s3:GetObject", "arn:aws:s3:::b/anyone/x")
    ));
}

#[test]
fn default_value_applies_with_and_without_space() {
    for pattern in [
        r#""arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}/*""#,
        r#""arn:aws:s3:::b/${aws:PrincipalTag/team,'shared'}/*""#,
    ] {
        let p = allow_resource(pattern, PolicyType::Identity);
        assert!(
            applies(
                &p,
                &request(ALICE, "s3:GetObject", "arn:aws:s3:::b/shared/x")
            ),
            "{pattern}"
        );
        let tagged = ctx(&[("aws:PrincipalTag/team", "red")]);
        assert!(applies(
            &p,
            &request_ctx(ALICE, "s3:GetObject", "arn:aws:s3:::b/red/x", tagged)
        ));
    }
}

#[test]
fn special_variables_produce_literal_wildcard_characters() {
    let p = allow_resource(r#""arn:aws:s3:::b/${*}${?}${$}""#, PolicyType::Identity);
    assert!(applies(
        &p,
        &request(ALICE, "s3:GetObject", "arn:aws:s3:::b/*?$")
    ));
    assert!(!applies(
        &p,
        &request(ALICE, "s3:GetObject", "arn:aws:s3:::b/ab$")
    ));
}

#[test]
fn substituted_values_are_literal_not_wildcards() {
    let p = allow_resource(
        r#""arn:aws:s3:::b/${aws:PrincipalTag/p}""#,
        PolicyType::Identity,
    );
    let c = || ctx(&[("aws:PrincipalTag/p", "*")]);
    assert!(!applies(
        &p,
        &request_ctx(ALICE, "s3:GetObject", "arn:aws:s3:::b/anything", c())
    ));
    assert!(applies(
        &p,
        &request_ctx(ALICE, "s3:GetObject", "arn:aws:s3:::b/*", c())
    ));
}

#[test]
fn variables_are_literal_text_in_2008_10_17_and_unversioned_policies() {
    for version in [Some("2008-10-17"), None] {
        let p = policy_v(
            version,
            r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${aws:username}/*"}"#,
            PolicyType::Identity,
        );
        let c = || ctx(&[("aws:username", "alice")]);
        assert!(!applies(
            &p,
            &request_ctx(ALICE, "s3:GetObject", "arn:aws:s3:::b/alice/x", c())
        ));
        assert!(applies(
            &p,
            &request_ctx(
                ALICE,
                "s3:GetObject",
                "arn:aws:s3:::b/${aws:username}/x",
                c()
            )
        ));
    }
}

#[test]
fn multivalued_key_never_resolves_as_a_variable() {
    let p = allow_resource(r#""arn:aws:s3:::b/${aws:TagKeys}""#, PolicyType::Identity);
    let mut c = Context::new();
    c.set_multi("aws:TagKeys", vec!["a".into()]);
    assert!(!applies(
        &p,
        &request_ctx(ALICE, "s3:GetObject", "arn:aws:s3:::b/a", c)
    ));
}

// ---------------------------------------------------------------- §4.3 principals

fn principal_policy(principal: &str) -> CompiledPolicy {
    policy(
        &format!(r#"{{"Effect":"Allow","Principal":{principal},"Action":"*","Resource":"*"}}"#),
        PolicyType::Resource,
    )
}

fn best(principal_element: &str, caller: &Principal) -> PrincipalMatch {
    let p = principal_policy(principal_element);
    let r = Request::new(
        caller.clone(),
        "s3:GetObject",
        RequestResource::parse("*"),
        Context::new(),
    )
    .unwrap();
    p.statements[0]
        .evaluate(&r, &EvaluationOptions::default())
        .principal
        .unwrap()
        .matched
}

fn caller(arn: &str) -> Principal {
    Principal::parse(arn).unwrap()
}

#[test]
fn principal_star_and_aws_star_match_everyone_including_anonymous() {
    for el in [r#""*""#, r#"{"AWS":"*"}"#] {
        assert_eq!(best(el, &Principal::anonymous()), PrincipalMatch::Direct);
        assert_eq!(best(el, &caller(ALICE)), PrincipalMatch::Direct);
    }
}

#[test]
fn account_id_and_root_arn_both_mean_the_account() {
    for el in [
        r#"{"AWS":"111122223333"}"#,
        r#"{"AWS":"arn:aws:iam::111122223333:root"}"#,
    ] {
        for who in [
            ALICE,
            SESSION,
            "arn:aws:iam::111122223333:root",
            "arn:aws:sts::111122223333:federated-user/bob",
        ] {
            assert_eq!(
                best(el, &caller(who)),
                PrincipalMatch::Account,
                "{el} {who}"
            );
        }
        assert_eq!(
            best(el, &caller("arn:aws:iam::444455556666:user/eve")),
            PrincipalMatch::NoMatch
        );
    }
}

#[test]
fn account_principal_does_not_match_anonymous_or_service_callers() {
    let el = r#"{"AWS":"111122223333"}"#;
    assert_eq!(best(el, &Principal::anonymous()), PrincipalMatch::NoMatch);
    assert_eq!(
        best(el, &Principal::service("s3.amazonaws.com")),
        PrincipalMatch::NoMatch
    );
}

#[test]
fn user_arn_matches_that_user_case_sensitively() {
    assert_eq!(
        best(&format!(r#"{{"AWS":"{ALICE}"}}"#), &caller(ALICE)),
        PrincipalMatch::Direct
    );
    assert_eq!(
        best(
            r#"{"AWS":"arn:aws:iam::111122223333:user/Alice"}"#,
            &caller(ALICE)
        ),
        PrincipalMatch::NoMatch
    );
}

#[test]
fn role_arn_matches_every_session_of_the_role_as_a_role_grant() {
    let el = r#"{"AWS":"arn:aws:iam::111122223333:role/App"}"#;
    assert_eq!(best(el, &caller(SESSION)), PrincipalMatch::SessionRole);
    assert_eq!(
        best(el, &caller("arn:aws:sts::111122223333:assumed-role/App/s2")),
        PrincipalMatch::SessionRole
    );
}

#[test]
fn role_arn_with_path_matches_sessions_when_the_role_path_is_known() {
    let el = r#"{"AWS":"arn:aws:iam::111122223333:role/team/App"}"#;
    let mut s = caller(SESSION);
    assert_eq!(
        best(el, &s),
        PrincipalMatch::NoMatch,
        "session ARNs carry no path"
    );
    s.role_arn = Some("arn:aws:iam::111122223333:role/team/App".into());
    assert_eq!(best(el, &s), PrincipalMatch::SessionRole);
}

#[test]
fn session_arn_matches_only_that_session_name() {
    let el = format!(r#"{{"AWS":"{SESSION}"}}"#);
    assert_eq!(best(&el, &caller(SESSION)), PrincipalMatch::Direct);
    assert_eq!(
        best(
            &el,
            &caller("arn:aws:sts::111122223333:assumed-role/App/s2")
        ),
        PrincipalMatch::NoMatch
    );
}

#[test]
fn federated_user_arn_is_direct_and_its_creating_user_is_a_user_grant() {
    let fed = "arn:aws:sts::111122223333:federated-user/bob";
    assert_eq!(
        best(&format!(r#"{{"AWS":"{fed}"}}"#), &caller(fed)),
        PrincipalMatch::Direct
    );
    let mut p = caller(fed);
    p.source_user_arn = Some(ALICE.into());
    assert_eq!(
        best(&format!(r#"{{"AWS":"{ALICE}"}}"#), &p),
        PrincipalMatch::SessionUser
    );
}

#[test]
fn service_principal_matches_exactly() {
    let el = r#"{"Service":["cloudtrail.amazonaws.com","config.amazonaws.com"]}"#;
    assert_eq!(
        best(el, &Principal::service("cloudtrail.amazonaws.com")),
        PrincipalMatch::Direct
    );
    assert_eq!(
        best(
            el,
            &Principal::service("cloudtrail.eu-south-1.amazonaws.com")
        ),
        PrincipalMatch::NoMatch
    );
    assert_eq!(best(el, &caller(ALICE)), PrincipalMatch::NoMatch);
}

#[test]
fn federated_provider_matches_the_token_issuer() {
    let provider = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
    let mut p = caller(SESSION);
    p.federated_provider = Some(provider.into());
    assert_eq!(
        best(&format!(r#"{{"Federated":"{provider}"}}"#), &p),
        PrincipalMatch::Direct
    );
}

#[test]
fn canonical_user_counts_as_the_account() {
    let id = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";
    let mut p = caller(ALICE);
    p.canonical_user = Some(id.into());
    assert_eq!(
        best(&format!(r#"{{"CanonicalUser":"{id}"}}"#), &p),
        PrincipalMatch::Account
    );
}

#[test]
fn unique_id_principal_matches_only_the_original_entity() {
    let el = r#"{"AWS":"AROAEXAMPLEOLDROLEID1"}"#;
    let mut p = caller(SESSION);
    assert_eq!(best(el, &p), PrincipalMatch::NoMatch);
    p.unique_id = Some("AROAEXAMPLEOLDROLEID1".into());
    assert_eq!(
        best(el, &p),
        PrincipalMatch::SessionRole,
        "a role's unique id names the role, like its ARN: a role grant, not the session itself"
    );
    let el = r#"{"AWS":"AIDAEXAMPLEALICEID01"}"#;
    let mut alice = caller(ALICE);
    assert_eq!(best(el, &alice), PrincipalMatch::NoMatch);
    alice.unique_id = Some("AIDAEXAMPLEALICEID01".into());
    assert_eq!(best(el, &alice), PrincipalMatch::Direct);
}

#[test]
fn wildcards_inside_principal_arns_match_nothing() {
    assert_eq!(
        best(
            r#"{"AWS":"arn:aws:iam::111122223333:user/*"}"#,
            &caller(ALICE)
        ),
        PrincipalMatch::NoMatch
    );
}

#[test]
fn best_match_wins_across_entries() {
    let el =
        format!(r#"{{"AWS":["111122223333","arn:aws:iam::111122223333:role/App","{SESSION}"]}}"#);
    assert_eq!(best(&el, &caller(SESSION)), PrincipalMatch::Direct);
}

#[test]
fn partitions_compare_as_whole_strings() {
    assert_eq!(
        best(
            r#"{"AWS":"arn:aws-cn:iam::111122223333:user/alice"}"#,
            &caller(ALICE)
        ),
        PrincipalMatch::NoMatch
    );
}

fn deny_not_principal(listed: &str) -> CompiledPolicy {
    policy(
        &format!(
            r#"{{"Effect":"Deny","NotPrincipal":{{"AWS":{listed}}},"Action":"s3:*","Resource":"*"}}"#
        ),
        PolicyType::Resource,
    )
}

#[test]
fn not_principal_strict_exempts_only_when_every_identity_level_is_listed() {
    let r = request(SESSION, "s3:GetObject", "arn:aws:s3:::b/k");
    let strict = EvaluationOptions {
        not_principal: NotPrincipalMode::Strict,
        ..EvaluationOptions::default()
    };
    let only_session = deny_not_principal(&format!(r#""{SESSION}""#));
    assert!(
        applies_with(&only_session, &r, strict),
        "account and role not listed: denied"
    );
    let full = deny_not_principal(&format!(
        r#"["111122223333","arn:aws:iam::111122223333:role/App","{SESSION}"]"#
    ));
    assert!(
        !applies_with(&full, &r, strict),
        "every level listed: exempt"
    );
}

#[test]
fn not_principal_lenient_exempts_when_any_entry_covers_the_caller() {
    let r = request(SESSION, "s3:GetObject", "arn:aws:s3:::b/k");
    let lenient = EvaluationOptions {
        not_principal: NotPrincipalMode::Lenient,
        ..EvaluationOptions::default()
    };
    let role = deny_not_principal(r#""arn:aws:iam::111122223333:role/App""#);
    assert!(!applies_with(&role, &r, lenient));
    assert!(!applies_with(
        &deny_not_principal(r#""111122223333""#),
        &r,
        lenient
    ));
    assert!(applies_with(
        &deny_not_principal(r#""444455556666""#),
        &r,
        lenient
    ));
}

#[test]
fn not_principal_default_is_strict_for_deny_and_lenient_for_the_unsupported_allow() {
    let r = request(SESSION, "s3:GetObject", "arn:aws:s3:::b/k");
    let deny = deny_not_principal(r#""arn:aws:iam::111122223333:role/App""#);
    assert!(
        applies(&deny, &r),
        "Deny: the account is not listed, so the caller is denied"
    );
    let allow = policy(
        r#"{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":"s3:*","Resource":"*"}"#,
        PolicyType::Resource,
    );
    assert!(
        !applies(&allow, &r),
        "Allow: any listing of the caller withholds the grant"
    );
}

#[test]
fn statement_without_principal_in_resource_policy_applies_to_nobody() {
    let p = policy(
        r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#,
        PolicyType::Resource,
    );
    assert!(!applies(
        &p,
        &request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k")
    ));
}

#[test]
fn bare_string_principal_is_read_as_an_aws_principal() {
    let p = principal_policy(&format!(r#""{ALICE}""#));
    let r = request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k");
    assert!(applies(&p, &r));
}

#[test]
fn naming_a_role_arn_is_a_role_grant_even_for_the_role_itself() {
    let el = r#"{"AWS":"arn:aws:iam::111122223333:role/App"}"#;
    assert_eq!(
        best(el, &caller("arn:aws:iam::111122223333:role/App")),
        PrincipalMatch::SessionRole
    );
}

#[test]
fn request_pattern_allow_needs_overlap_and_deny_needs_cover() {
    let allow = allow_resource(r#""arn:aws:s3:::b/public/*""#, PolicyType::Identity);
    let deny = identity(r#"{"Effect":"Deny","Action":"*","Resource":"arn:aws:s3:::b/private/*"}"#);
    let whole = Request::new(
        caller(ALICE),
        "s3:GetObject",
        RequestResource::parse_pattern("arn:aws:s3:::b/*"),
        Context::new(),
    )
    .unwrap();
    assert!(
        applies(&allow, &whole),
        "an Allow on part of the pattern overlaps it"
    );
    assert!(
        !applies(&deny, &whole),
        "a Deny on part of the pattern does not cover it"
    );
    let private = Request::new(
        caller(ALICE),
        "s3:GetObject",
        RequestResource::parse_pattern("arn:aws:s3:::b/private/*"),
        Context::new(),
    )
    .unwrap();
    assert!(applies(&deny, &private));
}

#[test]
fn not_principal_reports_when_strict_and_lenient_readings_differ() {
    let r = request(SESSION, "s3:GetObject", "arn:aws:s3:::b/k");
    let p = deny_not_principal(r#""arn:aws:iam::111122223333:role/App""#);
    let out = p.statements[0].evaluate(&r, &EvaluationOptions::default());
    let note = out.principal.unwrap().note.expect("ambiguity note");
    assert!(note.contains("ambiguous NotPrincipal"), "{note}");
}

#[test]
fn deny_with_not_principal_always_applies_to_a_principal_with_a_boundary() {
    let mut r = request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k");
    let p = deny_not_principal(&format!(r#"["111122223333","{ALICE}"]"#));
    assert!(!applies(&p, &r), "exempt at every level");
    r.principal_has_boundary = true;
    assert!(
        applies(&p, &r),
        "a boundary makes the Deny apply whatever NotPrincipal lists"
    );
}
