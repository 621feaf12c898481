//! Conformance table for condition evaluation, with policy variables in condition values
//! and the §12 decisions 3, 4, 5, 14, 15, 16 and 21.
//!
//! Every test names one behaviour and asserts its exact outcome. Each condition is evaluated as
//! the only condition of a one-statement identity policy, once with `Effect: Allow` and once with
//! `Effect: Deny`, through both `CompiledStatement::evaluate` and `::applicability`; the helper
//! checks that both paths agree and that the statement-level default holds (a condition that
//! cannot be evaluated leaves an Allow ineffective and a Deny effective).

use iamwhy_engine::condition::ConditionResult;
use iamwhy_engine::{
    CompiledPolicy, Context, EvaluationOptions, Principal, Request, RequestResource,
    StatementResult, Tri,
};
use iamwhy_policy::{PolicyDocument, PolicyType};
use std::sync::Arc;

const V2012: Option<&str> = Some("2012-10-17");
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Evaluate statement 0 of `{"Effect": effect, "Action": "s3:GetObject", "Resource": "*",
/// "Condition": condition}` against a GetObject request with `ctx`. Checks that the fast path
/// (`applicability`) and the recorded path (`evaluate`) agree.
fn run(version: Option<&str>, effect: &str, condition: &str, ctx: &Context) -> StatementResult {
    let version = version
        .map(|v| format!(r#""Version": "{v}", "#))
        .unwrap_or_default();
    let text = format!(
        r#"{{{version}"Statement": [{{"Effect": "{effect}", "Action": "s3:GetObject", "Resource": "*", "Condition": {condition}}}]}}"#
    );
    let doc = PolicyDocument::parse(&text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    let policy = CompiledPolicy::compile("p", PolicyType::Identity, Arc::new(doc));
    let req = Request::new(
        Principal::parse(ALICE).unwrap(),
        "s3:GetObject",
        RequestResource::parse("arn:aws:s3:::b/k"),
        ctx.clone(),
    )
    .unwrap();
    let opts = EvaluationOptions::default();
    let stmt = &policy.statements[0];
    let full = stmt.evaluate(&req, &opts);
    let fast = stmt.applicability(&req, &opts);
    assert_eq!(
        fast.effective, full.effective,
        "{text}: evaluate vs applicability"
    );
    assert_eq!(
        fast.applies, full.applies,
        "{text}: evaluate vs applicability"
    );
    assert!(full.action_matched && full.resource_matched, "{text}");
    full
}

/// The outcome of a condition, checked under both effects.
struct Eval {
    tri: Tri,
    results: Vec<ConditionResult>,
}

fn check_v(version: Option<&str>, condition: &str, ctx: &Context) -> Eval {
    let allow = run(version, "Allow", condition, ctx);
    let deny = run(version, "Deny", condition, ctx);
    let tri = allow.condition_outcome;
    assert_eq!(deny.condition_outcome, tri, "{condition}");
    assert_eq!(allow.applies, tri, "{condition}");
    assert_eq!(
        allow.effective,
        tri == Tri::True,
        "{condition}: Allow applies only when its conditions hold"
    );
    assert_eq!(
        deny.effective,
        tri != Tri::False,
        "{condition}: Deny applies unless its conditions are false"
    );
    assert_eq!(allow.conditions, deny.conditions, "{condition}");
    let folded = allow
        .conditions
        .iter()
        .fold(Tri::True, |acc, c| acc.and(c.outcome));
    assert_eq!(
        folded, tri,
        "{condition}: recorded outcomes AND to the statement's"
    );
    Eval {
        tri,
        results: allow.conditions,
    }
}

fn check(condition: &str, ctx: &Context) -> Eval {
    check_v(V2012, condition, ctx)
}

/// The condition outcome with a single-valued context.
fn t(condition: &str, pairs: &[(&str, &str)]) -> Tri {
    check(condition, &ctx(pairs)).tri
}

/// `{"op": {"key": values}}` where `values` is raw JSON (a scalar or an array).
fn cond(op: &str, key: &str, values: &str) -> String {
    format!(r#"{{"{op}": {{"{key}": {values}}}}}"#)
}

fn ctx(pairs: &[(&str, &str)]) -> Context {
    let mut c = Context::new();
    for (k, v) in pairs {
        c.set(k, *v);
    }
    c
}

fn multi(key: &str, values: &[&str]) -> Context {
    let mut c = Context::new();
    c.set_multi(key, values.iter().map(|s| s.to_string()).collect());
    c
}

fn only_result(e: &Eval) -> &ConditionResult {
    assert_eq!(e.results.len(), 1);
    &e.results[0]
}

const POSITIVE_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "NumericEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "ArnEquals",
    "ArnLike",
];

const NEGATED_OPERATORS: &[&str] = &[
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringNotLike",
    "NumericNotEquals",
    "DateNotEquals",
    "NotIpAddress",
    "ArnNotEquals",
    "ArnNotLike",
];

/// A valid policy value for the operator's family (raw JSON).
fn sample_value(op: &str) -> &'static str {
    if op.starts_with("String") {
        r#""x""#
    } else if op.starts_with("Numeric") {
        r#""1""#
    } else if op.starts_with("Date") {
        r#""2020-01-01T00:00:00Z""#
    } else if op == "Bool" {
        r#""true""#
    } else if op == "BinaryEquals" {
        r#""QmluYXJ5""#
    } else if op.contains("IpAddress") {
        r#""203.0.113.0/24""#
    } else if op.starts_with("Arn") {
        r#""arn:aws:iam::111122223333:user/alice""#
    } else {
        panic!("no sample for {op}")
    }
}

fn all_operators() -> impl Iterator<Item = &'static str> {
    POSITIVE_OPERATORS.iter().chain(NEGATED_OPERATORS).copied()
}

// ---------------------------------------------------------------------------------------------
// §5.1 Shape: operator and key names, value normalisation, empty conditions, unknown operators
// ---------------------------------------------------------------------------------------------

#[test]
fn operator_names_are_case_insensitive() {
    let c = [("aws:username", "alice")];
    for op in [
        "stringequals",
        "STRINGEQUALS",
        "sTrInGeQuAlS",
        "stringequalsifexists",
        "forallvalues:stringequals",
        "FORANYVALUE:STRINGEQUALS",
    ] {
        assert_eq!(
            t(&cond(op, "aws:username", r#""alice""#), &c),
            Tri::True,
            "{op}"
        );
        assert_eq!(
            t(&cond(op, "aws:username", r#""bob""#), &c),
            Tri::False,
            "{op}"
        );
    }
    // A lower-case negated operator still negates.
    assert_eq!(
        t(&cond("stringnotequals", "aws:username", r#""alice""#), &c),
        Tri::False
    );
}

#[test]
fn condition_keys_are_case_insensitive() {
    let c = [("aws:username", "alice")];
    for key in ["aws:username", "AWS:UserName", "AWS:USERNAME"] {
        assert_eq!(
            t(&cond("StringEquals", key, r#""alice""#), &c),
            Tri::True,
            "{key}"
        );
    }
    let upper = [("AWS:USERNAME", "alice")];
    assert_eq!(
        t(&cond("StringEquals", "aws:username", r#""alice""#), &upper),
        Tri::True
    );
}

#[test]
fn condition_key_tag_suffix_is_case_insensitive() {
    let c = [("aws:ResourceTag/tagkey1", "v")];
    assert_eq!(
        t(
            &cond("StringEquals", "aws:ResourceTag/TagKey1", r#""v""#),
            &c
        ),
        Tri::True
    );
}

#[test]
fn unknown_operator_cannot_be_evaluated_and_deny_applies_conservatively() {
    // Spec §5.1 [INFERRED] says "treat the condition as not satisfied"; the engine's documented
    // choice is Tri::Unknown with the conservative statement default. `check` asserts that
    // the Deny statement is effective and the Allow statement is not.
    let e = check(
        &cond("StringEqualz", "aws:username", r#""alice""#),
        &ctx(&[("aws:username", "alice")]),
    );
    assert_eq!(e.tri, Tri::Unknown);
    let r = only_result(&e);
    assert_eq!(r.outcome, Tri::Unknown);
    assert!(
        r.note.as_deref().unwrap().contains("cannot be evaluated"),
        "{:?}",
        r.note
    );
    let deny = run(
        V2012,
        "Deny",
        &cond("StringEqualz", "aws:username", r#""alice""#),
        &Context::new(),
    );
    assert!(deny.effective);
    let allow = run(
        V2012,
        "Allow",
        &cond("StringEqualz", "aws:username", r#""alice""#),
        &Context::new(),
    );
    assert!(!allow.effective);
}

#[test]
fn null_takes_neither_if_exists_nor_a_set_qualifier() {
    for op in ["NullIfExists", "ForAllValues:Null", "ForAnyValue:Null"] {
        assert_eq!(
            t(&cond(op, "aws:TagKeys", r#""true""#), &[]),
            Tri::Unknown,
            "{op}"
        );
    }
}

#[test]
fn json_number_policy_value_is_normalised_to_its_text() {
    let c = |v| ctx(&[("s3:max-keys", v)]);
    assert_eq!(
        check(&cond("StringEquals", "s3:max-keys", "10"), &c("10")).tri,
        Tri::True
    );
    assert_eq!(
        check(&cond("StringEquals", "s3:max-keys", "10"), &c("10.0")).tri,
        Tri::False
    );
    assert_eq!(
        check(&cond("NumericEquals", "s3:max-keys", "10"), &c("10.0")).tri,
        Tri::True
    );
}

#[test]
fn json_boolean_policy_value_is_normalised_to_its_text() {
    let c = ctx(&[("aws:SecureTransport", "true")]);
    assert_eq!(
        check(&cond("StringEquals", "aws:SecureTransport", "true"), &c).tri,
        Tri::True
    );
    assert_eq!(
        check(&cond("Bool", "aws:SecureTransport", "true"), &c).tri,
        Tri::True
    );
    assert_eq!(
        check(&cond("Bool", "aws:SecureTransport", "false"), &c).tri,
        Tri::False
    );
}

#[test]
fn empty_condition_object_imposes_nothing() {
    let e = check("{}", &Context::new());
    assert_eq!(e.tri, Tri::True);
    assert!(e.results.is_empty());
}

// ---------------------------------------------------------------------------------------------
// §5.2 Combination logic
// ---------------------------------------------------------------------------------------------

#[test]
fn several_operator_blocks_are_anded() {
    let condition =
        r#"{"StringEquals": {"aws:username": "alice"}, "NumericLessThan": {"s3:max-keys": "10"}}"#;
    assert_eq!(
        t(
            condition,
            &[("aws:username", "alice"), ("s3:max-keys", "5")]
        ),
        Tri::True
    );
    assert_eq!(
        t(
            condition,
            &[("aws:username", "alice"), ("s3:max-keys", "50")]
        ),
        Tri::False
    );
    assert_eq!(
        t(condition, &[("aws:username", "bob"), ("s3:max-keys", "5")]),
        Tri::False
    );
}

#[test]
fn several_keys_under_one_operator_are_anded() {
    let condition =
        r#"{"StringEquals": {"aws:username": "alice", "aws:PrincipalAccount": "111122223333"}}"#;
    let ok = [
        ("aws:username", "alice"),
        ("aws:PrincipalAccount", "111122223333"),
    ];
    assert_eq!(t(condition, &ok), Tri::True);
    let bad = [
        ("aws:username", "alice"),
        ("aws:PrincipalAccount", "444455556666"),
    ];
    assert_eq!(t(condition, &bad), Tri::False);
    assert_eq!(t(condition, &[("aws:username", "alice")]), Tri::False);
}

#[test]
fn several_values_for_one_key_are_ored() {
    let condition = cond("StringEquals", "aws:username", r#"["alice", "bob"]"#);
    assert_eq!(t(&condition, &[("aws:username", "alice")]), Tri::True);
    assert_eq!(t(&condition, &[("aws:username", "bob")]), Tri::True);
    assert_eq!(t(&condition, &[("aws:username", "carol")]), Tri::False);
}

#[test]
fn negated_operator_values_combine_as_nor() {
    let condition = cond("StringNotEquals", "aws:username", r#"["alice", "bob"]"#);
    // NOR: true only when the value equals none of them (an OR of "not equal" would be true
    // for every request here).
    assert_eq!(t(&condition, &[("aws:username", "alice")]), Tri::False);
    assert_eq!(t(&condition, &[("aws:username", "bob")]), Tri::False);
    assert_eq!(t(&condition, &[("aws:username", "carol")]), Tri::True);
}

#[test]
fn deny_outside_both_accounts_fires_only_for_other_accounts() {
    // The §5.2 worked example.
    let condition = cond(
        "StringNotEquals",
        "aws:PrincipalAccount",
        r#"["111122223333", "444455556666"]"#,
    );
    for (account, denied) in [
        ("111122223333", false),
        ("444455556666", false),
        ("777788889999", true),
    ] {
        let r = run(
            V2012,
            "Deny",
            &condition,
            &ctx(&[("aws:PrincipalAccount", account)]),
        );
        assert_eq!(r.effective, denied, "{account}");
    }
}

#[test]
fn a_false_condition_outweighs_one_that_cannot_be_evaluated() {
    // Kleene AND: Unknown ∧ False = False, so even a Deny does not apply.
    let condition =
        r#"{"StringEqualz": {"aws:username": "alice"}, "StringEquals": {"aws:username": "bob"}}"#;
    assert_eq!(t(condition, &[("aws:username", "alice")]), Tri::False);
    let deny = run(V2012, "Deny", condition, &ctx(&[("aws:username", "alice")]));
    assert!(!deny.effective);
}

#[test]
fn a_true_condition_does_not_rescue_one_that_cannot_be_evaluated() {
    // Kleene AND: Unknown ∧ True = Unknown.
    let condition =
        r#"{"StringEqualz": {"aws:username": "alice"}, "StringEquals": {"aws:username": "alice"}}"#;
    assert_eq!(t(condition, &[("aws:username", "alice")]), Tri::Unknown);
}

// ---------------------------------------------------------------------------------------------
// §5.3 Missing keys: every row of the table, and the listed pitfalls
// ---------------------------------------------------------------------------------------------

#[test]
fn positive_operators_with_missing_key_are_false() {
    for op in POSITIVE_OPERATORS {
        let e = check(&cond(op, "test:Missing", sample_value(op)), &Context::new());
        assert_eq!(e.tri, Tri::False, "{op}");
        let r = only_result(&e);
        assert_eq!(r.request_values, None, "{op}");
        assert!(r.note.as_deref().unwrap().contains("key missing"), "{op}");
    }
}

#[test]
fn negated_operators_with_missing_key_are_true() {
    for op in NEGATED_OPERATORS {
        let e = check(&cond(op, "test:Missing", sample_value(op)), &Context::new());
        assert_eq!(e.tri, Tri::True, "{op}");
        assert!(
            only_result(&e)
                .note
                .as_deref()
                .unwrap()
                .contains("key missing")
        );
    }
}

#[test]
fn string_not_equals_with_missing_key_is_true() {
    assert_eq!(
        t(&cond("StringNotEquals", "aws:username", r#""alice""#), &[]),
        Tri::True
    );
}

#[test]
fn if_exists_with_missing_key_is_true_for_every_operator() {
    for op in all_operators() {
        let op = format!("{op}IfExists");
        let base = op.trim_end_matches("IfExists");
        assert_eq!(
            t(&cond(&op, "test:Missing", sample_value(base)), &[]),
            Tri::True,
            "{op}"
        );
    }
}

#[test]
fn null_true_holds_when_key_missing() {
    assert_eq!(t(&cond("Null", "aws:TagKeys", r#""true""#), &[]), Tri::True);
}

#[test]
fn null_false_fails_when_key_missing() {
    assert_eq!(
        t(&cond("Null", "aws:TagKeys", r#""false""#), &[]),
        Tri::False
    );
}

#[test]
fn for_all_values_on_missing_key_is_vacuously_true() {
    for op in all_operators() {
        let op = format!("ForAllValues:{op}");
        let base = op.trim_start_matches("ForAllValues:");
        assert_eq!(
            t(&cond(&op, "aws:TagKeys", sample_value(base)), &[]),
            Tri::True,
            "{op}"
        );
    }
}

#[test]
fn for_any_value_on_missing_key_is_false() {
    for op in all_operators() {
        let op = format!("ForAnyValue:{op}");
        let base = op.trim_start_matches("ForAnyValue:");
        assert_eq!(
            t(&cond(&op, "aws:TagKeys", sample_value(base)), &[]),
            Tri::False,
            "{op}"
        );
    }
}

#[test]
fn for_all_values_if_exists_on_missing_key_is_true() {
    for op in ["StringEquals", "StringNotEquals", "NumericLessThan"] {
        let op = format!("ForAllValues:{op}IfExists");
        assert_eq!(
            t(&cond(&op, "aws:TagKeys", r#""1""#), &[]),
            Tri::True,
            "{op}"
        );
    }
}

#[test]
fn for_any_value_if_exists_missing_key_is_true_per_docs() {
    // §5.3 / §12 #4: documented conflict; the IfExists wording wins and the result is flagged.
    for op in ["StringEquals", "StringNotEquals"] {
        let op = format!("ForAnyValue:{op}IfExists");
        let e = check(&cond(&op, "aws:TagKeys", r#""a""#), &Context::new());
        assert_eq!(e.tri, Tri::True, "{op}");
        let note = only_result(&e).note.clone().unwrap();
        assert!(
            note.contains("IfExists") && note.contains("other simulators say false"),
            "{note}"
        );
    }
}

#[test]
fn empty_multivalued_key_counts_as_missing() {
    // §12 #14.
    let empty = multi("aws:TagKeys", &[]);
    let cases = [
        ("ForAllValues:StringEquals", r#""a""#, Tri::True),
        ("ForAnyValue:StringEquals", r#""a""#, Tri::False),
        ("Null", r#""true""#, Tri::True),
        ("Null", r#""false""#, Tri::False),
        ("StringEquals", r#""a""#, Tri::False),
        ("StringNotEquals", r#""a""#, Tri::True),
    ];
    for (op, v, want) in cases {
        let e = check(&cond(op, "aws:TagKeys", v), &empty);
        assert_eq!(e.tri, want, "{op} {v}");
        assert_eq!(
            only_result(&e).request_values,
            None,
            "{op}: shown as missing"
        );
    }
}

#[test]
fn deny_with_negated_if_exists_denies_when_key_missing() {
    let r = run(
        V2012,
        "Deny",
        &cond(
            "StringNotEqualsIfExists",
            "aws:RequestedRegion",
            r#""eu-west-1""#,
        ),
        &Context::new(),
    );
    assert!(r.effective);
}

#[test]
fn allow_for_all_values_allows_a_request_with_no_tags() {
    let r = run(
        V2012,
        "Allow",
        &cond(
            "ForAllValues:StringEquals",
            "aws:TagKeys",
            r#"["environment"]"#,
        ),
        &Context::new(),
    );
    assert!(r.effective);
}

#[test]
fn deny_for_any_value_does_not_deny_when_key_absent() {
    let r = run(
        V2012,
        "Deny",
        &cond("ForAnyValue:StringEquals", "aws:TagKeys", r#"["secret"]"#),
        &Context::new(),
    );
    assert!(!r.effective);
}

#[test]
fn deny_bool_mfa_false_does_not_deny_when_mfa_key_absent() {
    let condition = cond("Bool", "aws:MultiFactorAuthPresent", r#""false""#);
    assert!(!run(V2012, "Deny", &condition, &Context::new()).effective);
    let c = ctx(&[("aws:MultiFactorAuthPresent", "false")]);
    assert!(run(V2012, "Deny", &condition, &c).effective);
}

#[test]
fn deny_bool_if_exists_mfa_false_denies_when_mfa_key_absent() {
    let condition = cond("BoolIfExists", "aws:MultiFactorAuthPresent", r#""false""#);
    assert!(run(V2012, "Deny", &condition, &Context::new()).effective);
    let with_mfa = ctx(&[("aws:MultiFactorAuthPresent", "true")]);
    assert!(!run(V2012, "Deny", &condition, &with_mfa).effective);
}

#[test]
fn allow_ip_address_fails_when_source_ip_missing() {
    let condition = cond("IpAddress", "aws:SourceIp", r#""203.0.113.0/24""#);
    assert!(!run(V2012, "Allow", &condition, &Context::new()).effective);
}

// ---------------------------------------------------------------------------------------------
// §5.4 String operators
// ---------------------------------------------------------------------------------------------

#[test]
fn string_equals_matches_the_exact_value() {
    let condition = cond("StringEquals", "aws:username", r#""alice""#);
    assert_eq!(t(&condition, &[("aws:username", "alice")]), Tri::True);
    assert_eq!(t(&condition, &[("aws:username", "alice2")]), Tri::False);
    assert_eq!(t(&condition, &[("aws:username", "")]), Tri::False);
}

#[test]
fn string_equals_is_case_sensitive() {
    let condition = cond("StringEquals", "aws:username", r#""alice""#);
    assert_eq!(t(&condition, &[("aws:username", "Alice")]), Tri::False);
}

#[test]
fn string_equals_treats_wildcards_as_literal() {
    let condition = cond("StringEquals", "aws:username", r#""ali*""#);
    assert_eq!(t(&condition, &[("aws:username", "alice")]), Tri::False);
    assert_eq!(t(&condition, &[("aws:username", "ali*")]), Tri::True);
    let q = cond("StringEquals", "aws:username", r#""al?ce""#);
    assert_eq!(t(&q, &[("aws:username", "alice")]), Tri::False);
}

#[test]
fn string_not_equals_matches_a_different_value_only() {
    let condition = cond("StringNotEquals", "aws:username", r#""alice""#);
    assert_eq!(t(&condition, &[("aws:username", "bob")]), Tri::True);
    assert_eq!(t(&condition, &[("aws:username", "alice")]), Tri::False);
    // Case-sensitive: a different case is a different value.
    assert_eq!(t(&condition, &[("aws:username", "ALICE")]), Tri::True);
}

#[test]
fn string_equals_ignore_case_matches_any_letter_case() {
    let condition = cond("StringEqualsIgnoreCase", "aws:username", r#""Alice""#);
    assert_eq!(t(&condition, &[("aws:username", "aLICE")]), Tri::True);
    assert_eq!(t(&condition, &[("aws:username", "alicia")]), Tri::False);
    let accented = cond("StringEqualsIgnoreCase", "aws:username", r#""ÉCOLE""#);
    assert_eq!(t(&accented, &[("aws:username", "école")]), Tri::True);
}

#[test]
fn string_not_equals_ignore_case_is_nor_of_folded_equality() {
    let condition = cond(
        "StringNotEqualsIgnoreCase",
        "aws:username",
        r#"["Alice", "BOB"]"#,
    );
    assert_eq!(t(&condition, &[("aws:username", "ALICE")]), Tri::False);
    assert_eq!(t(&condition, &[("aws:username", "bob")]), Tri::False);
    assert_eq!(t(&condition, &[("aws:username", "carol")]), Tri::True);
}

#[test]
fn string_ignore_case_folds_each_character_with_simple_lowercase() {
    // §5.4: "Case folding: use Unicode simple lowercase". The full, context-sensitive mapping
    // would turn a word-final Σ into ς (so "ΟΔΟΣ" ≠ "οδοσ") and İ into "i̇" (so "İ" ≠ "i").
    let sigma = cond("StringEqualsIgnoreCase", "aws:username", r#""ΟΔΟΣ""#);
    assert_eq!(t(&sigma, &[("aws:username", "οδοσ")]), Tri::True);
    let dotted = cond("StringEqualsIgnoreCase", "aws:username", r#""İ""#);
    assert_eq!(t(&dotted, &[("aws:username", "i")]), Tri::True);
    let not = cond("StringNotEqualsIgnoreCase", "aws:username", r#""ΟΔΟΣ""#);
    assert_eq!(t(&not, &[("aws:username", "οδοσ")]), Tri::False);
}

#[test]
fn string_like_star_matches_any_run_including_empty() {
    let condition = cond("StringLike", "s3:prefix", r#""home/*""#);
    assert_eq!(t(&condition, &[("s3:prefix", "home/")]), Tri::True);
    assert_eq!(
        t(&condition, &[("s3:prefix", "home/alice/docs")]),
        Tri::True
    );
    assert_eq!(t(&condition, &[("s3:prefix", "home")]), Tri::False);
}

#[test]
fn string_like_star_crosses_slash_and_colon() {
    let condition = cond("StringLike", "s3:prefix", r#""a*z""#);
    assert_eq!(t(&condition, &[("s3:prefix", "a/b:c/z")]), Tri::True);
}

#[test]
fn string_like_question_mark_matches_exactly_one_character() {
    let condition = cond("StringLike", "s3:prefix", r#""a?c""#);
    assert_eq!(t(&condition, &[("s3:prefix", "abc")]), Tri::True);
    assert_eq!(t(&condition, &[("s3:prefix", "ac")]), Tri::False);
    assert_eq!(t(&condition, &[("s3:prefix", "abbc")]), Tri::False);
    assert_eq!(
        t(&condition, &[("s3:prefix", "aéc")]),
        Tri::True,
        "one character, not one byte"
    );
}

#[test]
fn string_like_is_anchored_at_both_ends() {
    let condition = cond("StringLike", "s3:prefix", r#""b*d""#);
    assert_eq!(t(&condition, &[("s3:prefix", "abcd")]), Tri::False);
    assert_eq!(t(&condition, &[("s3:prefix", "bcde")]), Tri::False);
    assert_eq!(t(&condition, &[("s3:prefix", "bcd")]), Tri::True);
}

#[test]
fn string_like_is_case_sensitive() {
    let condition = cond("StringLike", "s3:prefix", r#""Home/*""#);
    assert_eq!(t(&condition, &[("s3:prefix", "home/x")]), Tri::False);
}

#[test]
fn string_not_like_is_nor_of_string_like() {
    let condition = cond("StringNotLike", "s3:prefix", r#"["home/*", "tmp/*"]"#);
    assert_eq!(t(&condition, &[("s3:prefix", "home/a")]), Tri::False);
    assert_eq!(t(&condition, &[("s3:prefix", "tmp/a")]), Tri::False);
    assert_eq!(t(&condition, &[("s3:prefix", "etc/a")]), Tri::True);
}

#[test]
fn string_like_special_variables_give_literal_star_and_question_mark() {
    let star = cond("StringLike", "s3:prefix", r#""a${*}""#);
    assert_eq!(t(&star, &[("s3:prefix", "a*")]), Tri::True);
    assert_eq!(t(&star, &[("s3:prefix", "abc")]), Tri::False);
    let q = cond("StringLike", "s3:prefix", r#""a${?}""#);
    assert_eq!(t(&q, &[("s3:prefix", "a?")]), Tri::True);
    assert_eq!(t(&q, &[("s3:prefix", "ab")]), Tri::False);
    let dollar = cond("StringEquals", "s3:prefix", r#""${$}{x}""#);
    assert_eq!(t(&dollar, &[("s3:prefix", "${x}")]), Tri::True);
}

#[test]
fn string_operators_compare_numbers_and_dates_as_text() {
    let condition = cond("StringEquals", "aws:EpochTime", r#""1577836800""#);
    assert_eq!(t(&condition, &[("aws:EpochTime", "1577836800")]), Tri::True);
    assert_eq!(
        t(&condition, &[("aws:EpochTime", "1577836800.0")]),
        Tri::False
    );
    let date = cond("StringLike", "aws:CurrentTime", r#""2020-01-*""#);
    assert_eq!(
        t(&date, &[("aws:CurrentTime", "2020-01-15T10:00:00Z")]),
        Tri::True
    );
}

// ---------------------------------------------------------------------------------------------
// §4.4 Policy variables in condition values (and §12 #3, #21)
// ---------------------------------------------------------------------------------------------

#[test]
fn variable_in_string_equals_is_substituted() {
    let condition = cond("StringEquals", "s3:prefix", r#""home/${aws:username}""#);
    let e = check(
        &condition,
        &ctx(&[("aws:username", "alice"), ("s3:prefix", "home/alice")]),
    );
    assert_eq!(e.tri, Tri::True);
    assert_eq!(
        only_result(&e).policy_values,
        vec!["home/alice".to_string()]
    );
    assert_eq!(
        only_result(&e).request_values,
        Some(vec!["home/alice".to_string()])
    );
    assert_eq!(
        t(
            &condition,
            &[("aws:username", "bob"), ("s3:prefix", "home/alice")]
        ),
        Tri::False
    );
}

#[test]
fn variable_in_string_like_is_substituted_literally() {
    // The tag value "a*" is literal text: it does not become a wildcard.
    let condition = cond("StringLike", "s3:prefix", r#""${aws:PrincipalTag/team}/*""#);
    let tagged = |prefix| {
        t(
            &condition,
            &[("aws:PrincipalTag/team", "a*"), ("s3:prefix", prefix)],
        )
    };
    assert_eq!(tagged("a*/x"), Tri::True);
    assert_eq!(tagged("abc/x"), Tri::False);
    // The written `*` after the variable stays a wildcard.
    assert_eq!(tagged("a*/deep/er"), Tri::True);
}

#[test]
fn variable_names_are_case_insensitive() {
    let condition = cond("StringEquals", "s3:prefix", r#""${AWS:UserName}""#);
    assert_eq!(
        t(
            &condition,
            &[("aws:username", "alice"), ("s3:prefix", "alice")]
        ),
        Tri::True
    );
}

#[test]
fn variable_tag_key_resolves_case_insensitively() {
    let condition = cond("StringEquals", "s3:prefix", r#""${aws:PrincipalTag/Team}""#);
    assert_eq!(
        t(
            &condition,
            &[("aws:PrincipalTag/team", "red"), ("s3:prefix", "red")]
        ),
        Tri::True
    );
}

#[test]
fn variable_default_is_used_when_key_missing() {
    let condition = cond(
        "StringLike",
        "s3:prefix",
        r#""${aws:PrincipalTag/team, 'shared'}/*""#,
    );
    assert_eq!(t(&condition, &[("s3:prefix", "shared/x")]), Tri::True);
    assert_eq!(
        t(
            &condition,
            &[("aws:PrincipalTag/team", "red"), ("s3:prefix", "red/x")]
        ),
        Tri::True
    );
    assert_eq!(
        t(
            &condition,
            &[("aws:PrincipalTag/team", "red"), ("s3:prefix", "shared/x")]
        ),
        Tri::False
    );
}

#[test]
fn variable_default_with_wildcard_is_literal() {
    // §12 #21: a default containing `*` is literal text.
    let condition = cond(
        "StringLike",
        "s3:prefix",
        r#""${aws:PrincipalTag/team, 'a*'}""#,
    );
    assert_eq!(t(&condition, &[("s3:prefix", "a*")]), Tri::True);
    assert_eq!(t(&condition, &[("s3:prefix", "abc")]), Tri::False);
}

#[test]
fn unresolvable_variable_in_positive_operator_does_not_match() {
    let condition = cond("StringEquals", "s3:prefix", r#""${aws:username}""#);
    let e = check(&condition, &ctx(&[("s3:prefix", "")]));
    assert_eq!(e.tri, Tri::False);
    assert_eq!(
        only_result(&e).policy_values,
        vec!["${aws:username} (unresolved)".to_string()]
    );
    let like = cond("StringLike", "s3:prefix", r#""${aws:username}*""#);
    assert_eq!(t(&like, &[("s3:prefix", "anything")]), Tri::False);
}

#[test]
fn unresolvable_variable_in_positive_operator_leaves_other_values_in_play() {
    let condition = cond(
        "StringEquals",
        "s3:prefix",
        r#"["${aws:username}", "public"]"#,
    );
    assert_eq!(t(&condition, &[("s3:prefix", "public")]), Tri::True);
}

#[test]
fn unresolvable_variable_in_negated_operator_counts_as_not_equal() {
    for op in [
        "StringNotEquals",
        "StringNotEqualsIgnoreCase",
        "StringNotLike",
    ] {
        let condition = cond(op, "s3:prefix", r#""${aws:username}""#);
        assert_eq!(t(&condition, &[("s3:prefix", "x")]), Tri::True, "{op}");
    }
    let arn = cond(
        "ArnNotEquals",
        "aws:SourceArn",
        r#""arn:aws:iam::111122223333:user/${aws:username}""#,
    );
    assert_eq!(
        t(
            &arn,
            &[("aws:SourceArn", "arn:aws:iam::111122223333:user/x")]
        ),
        Tri::True
    );
    // Another value that does equal still makes the NOR false.
    let two = cond(
        "StringNotEquals",
        "s3:prefix",
        r#"["${aws:username}", "x"]"#,
    );
    assert_eq!(t(&two, &[("s3:prefix", "x")]), Tri::False);
}

#[test]
fn multivalued_key_cannot_be_used_as_a_variable() {
    let mut c = multi("aws:TagKeys", &["a"]);
    c.set("s3:prefix", "a");
    let condition = cond("StringEquals", "s3:prefix", r#""${aws:TagKeys}""#);
    let e = check(&condition, &c);
    assert_eq!(e.tri, Tri::False);
    assert!(only_result(&e).policy_values[0].ends_with("(unresolved)"));
}

#[test]
fn variables_are_literal_text_in_2008_policies() {
    let condition = cond("StringEquals", "s3:prefix", r#""${aws:username}""#);
    let named = ctx(&[("aws:username", "alice"), ("s3:prefix", "alice")]);
    assert_eq!(
        check_v(Some("2008-10-17"), &condition, &named).tri,
        Tri::False
    );
    let literal = ctx(&[("aws:username", "alice"), ("s3:prefix", "${aws:username}")]);
    assert_eq!(
        check_v(Some("2008-10-17"), &condition, &literal).tri,
        Tri::True
    );
}

#[test]
fn variables_are_literal_text_in_policies_without_version() {
    let condition = cond("StringEquals", "s3:prefix", r#""${aws:username}""#);
    let named = ctx(&[("aws:username", "alice"), ("s3:prefix", "alice")]);
    assert_eq!(check_v(None, &condition, &named).tri, Tri::False);
    let literal = ctx(&[("aws:username", "alice"), ("s3:prefix", "${aws:username}")]);
    assert_eq!(check_v(None, &condition, &literal).tri, Tri::True);
}

#[test]
fn variables_are_not_substituted_in_numeric_date_ip_or_binary_operators() {
    // The text stays literal, so it cannot be read as a number/date/address/base64.
    let cases = [
        ("NumericEquals", "s3:max-keys", "10"),
        ("DateEquals", "aws:CurrentTime", "2020-01-01T00:00:00Z"),
        ("IpAddress", "aws:SourceIp", "203.0.113.5"),
        ("BinaryEquals", "test:Bin", "QmluYXJ5"),
    ];
    for (op, key, value) in cases {
        let c = ctx(&[("test:v", value), (key, value)]);
        let e = check(&cond(op, key, r#""${test:v}""#), &c);
        assert_eq!(e.tri, Tri::Unknown, "{op}");
        assert_eq!(
            only_result(&e).policy_values,
            vec!["${test:v}".to_string()],
            "{op}"
        );
    }
}

#[test]
fn variables_are_not_substituted_in_null() {
    let c = ctx(&[("test:v", "true")]);
    assert_eq!(
        check(&cond("Null", "aws:TagKeys", r#""${test:v}""#), &c).tri,
        Tri::Unknown
    );
}

#[test]
fn variable_in_arn_like_is_substituted() {
    let condition = cond(
        "ArnLike",
        "aws:SourceArn",
        r#""arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}""#,
    );
    let c = |arn| {
        t(
            &condition,
            &[
                ("aws:PrincipalAccount", "111122223333"),
                ("aws:username", "alice"),
                ("aws:SourceArn", arn),
            ],
        )
    };
    assert_eq!(c("arn:aws:iam::111122223333:user/alice"), Tri::True);
    assert_eq!(c("arn:aws:iam::111122223333:user/bob"), Tri::False);
    assert_eq!(c("arn:aws:iam::444455556666:user/alice"), Tri::False);
}

#[test]
fn bool_substitutes_variables_then_parses() {
    // §12 #3: substitute, then parse as a boolean.
    let condition = cond("Bool", "aws:SecureTransport", r#""${test:flag}""#);
    let e = check(
        &condition,
        &ctx(&[("test:flag", "TRUE"), ("aws:SecureTransport", "true")]),
    );
    assert_eq!(e.tri, Tri::True);
    assert_eq!(only_result(&e).policy_values, vec!["TRUE".to_string()]);
    assert_eq!(
        t(
            &condition,
            &[("test:flag", "false"), ("aws:SecureTransport", "true")]
        ),
        Tri::False
    );
    // A substituted value that is not a boolean cannot be evaluated.
    assert_eq!(
        t(
            &condition,
            &[("test:flag", "maybe"), ("aws:SecureTransport", "true")]
        ),
        Tri::Unknown
    );
}

#[test]
fn bool_with_unresolvable_variable_does_not_match() {
    let condition = cond("Bool", "aws:SecureTransport", r#""${test:flag}""#);
    assert_eq!(
        t(&condition, &[("aws:SecureTransport", "true")]),
        Tri::False
    );
}

#[test]
fn variable_in_set_qualified_string_operator_is_substituted() {
    let condition = cond(
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        r#"["${aws:username}", "env"]"#,
    );
    let mut c = multi("aws:TagKeys", &["alice", "env"]);
    c.set("aws:username", "alice");
    assert_eq!(check(&condition, &c).tri, Tri::True);
    c.set("aws:username", "bob");
    assert_eq!(check(&condition, &c).tri, Tri::False);
}

// ---------------------------------------------------------------------------------------------
// §5.5 Numeric operators
// ---------------------------------------------------------------------------------------------

#[test]
fn numeric_equals_compares_numerically() {
    let condition = cond("NumericEquals", "s3:max-keys", r#""10""#);
    assert_eq!(t(&condition, &[("s3:max-keys", "10")]), Tri::True);
    assert_eq!(t(&condition, &[("s3:max-keys", "10.0")]), Tri::True);
    assert_eq!(t(&condition, &[("s3:max-keys", "010")]), Tri::True);
    assert_eq!(t(&condition, &[("s3:max-keys", "+10")]), Tri::True);
    assert_eq!(t(&condition, &[("s3:max-keys", "11")]), Tri::False);
}

#[test]
fn numeric_one_point_zero_equals_one() {
    let condition = cond("NumericEquals", "test:n", r#""1.0""#);
    assert_eq!(t(&condition, &[("test:n", "1")]), Tri::True);
    assert_eq!(t(&condition, &[("test:n", "1.000")]), Tri::True);
}

#[test]
fn numeric_negative_zero_equals_zero() {
    let condition = cond("NumericEquals", "test:n", r#""0""#);
    assert_eq!(t(&condition, &[("test:n", "-0")]), Tri::True);
    assert_eq!(t(&condition, &[("test:n", "-0.0")]), Tri::True);
}

#[test]
fn numeric_not_equals_is_nor() {
    let condition = cond("NumericNotEquals", "s3:max-keys", r#"["10", "20"]"#);
    assert_eq!(t(&condition, &[("s3:max-keys", "10.00")]), Tri::False);
    assert_eq!(t(&condition, &[("s3:max-keys", "20")]), Tri::False);
    assert_eq!(t(&condition, &[("s3:max-keys", "15")]), Tri::True);
}

#[test]
fn numeric_less_than_is_strict() {
    let condition = cond("NumericLessThan", "s3:max-keys", r#""10""#);
    assert_eq!(t(&condition, &[("s3:max-keys", "9")]), Tri::True);
    assert_eq!(t(&condition, &[("s3:max-keys", "9.999")]), Tri::True);
    assert_eq!(t(&condition, &[("s3:max-keys", "10")]), Tri::False);
    assert_eq!(t(&condition, &[("s3:max-keys", "11")]), Tri::False);
}

#[test]
fn numeric_less_than_equals_includes_the_bound() {
    let condition = cond("NumericLessThanEquals", "s3:max-keys", r#""10""#);
    assert_eq!(t(&condition, &[("s3:max-keys", "9")]), Tri::True);
    assert_eq!(t(&condition, &[("s3:max-keys", "10.0")]), Tri::True);
    assert_eq!(t(&condition, &[("s3:max-keys", "10.01")]), Tri::False);
}

#[test]
fn numeric_greater_than_is_strict() {
    let condition = cond("NumericGreaterThan", "s3:max-keys", r#""10""#);
    assert_eq!(t(&condition, &[("s3:max-keys", "11")]), Tri::True);
    assert_eq!(t(&condition, &[("s3:max-keys", "10")]), Tri::False);
    assert_eq!(t(&condition, &[("s3:max-keys", "9")]), Tri::False);
}

#[test]
fn numeric_greater_than_equals_includes_the_bound() {
    let condition = cond("NumericGreaterThanEquals", "s3:max-keys", r#""10""#);
    assert_eq!(t(&condition, &[("s3:max-keys", "10")]), Tri::True);
    assert_eq!(t(&condition, &[("s3:max-keys", "100")]), Tri::True);
    assert_eq!(t(&condition, &[("s3:max-keys", "9.9")]), Tri::False);
}

#[test]
fn numeric_orders_negative_numbers() {
    let condition = cond("NumericLessThan", "test:n", r#""-1.5""#);
    assert_eq!(t(&condition, &[("test:n", "-2")]), Tri::True);
    assert_eq!(t(&condition, &[("test:n", "-1")]), Tri::False);
    assert_eq!(t(&condition, &[("test:n", "0")]), Tri::False);
}

#[test]
fn numeric_compares_decimals_exactly_not_as_floats() {
    // As f64 these are the same number.
    let condition = cond("NumericEquals", "test:n", r#""0.30000000000000001""#);
    assert_eq!(t(&condition, &[("test:n", "0.3")]), Tri::False);
    let gt = cond("NumericGreaterThan", "test:n", r#""0.1""#);
    assert_eq!(t(&gt, &[("test:n", "0.10000000000000001")]), Tri::True);
}

#[test]
fn numeric_compares_large_integers_exactly() {
    // 2^53 + 1 is not representable in f64.
    let condition = cond("NumericEquals", "test:n", r#""9007199254740993""#);
    assert_eq!(t(&condition, &[("test:n", "9007199254740992")]), Tri::False);
    assert_eq!(t(&condition, &[("test:n", "9007199254740993")]), Tri::True);
    let huge = cond(
        "NumericGreaterThan",
        "test:n",
        r#""123456789012345678901234567890""#,
    );
    assert_eq!(
        t(&huge, &[("test:n", "123456789012345678901234567891")]),
        Tri::True
    );
}

#[test]
fn numeric_accepts_json_number_policy_values() {
    let condition = cond("NumericLessThanEquals", "s3:max-keys", "10");
    assert_eq!(t(&condition, &[("s3:max-keys", "10")]), Tri::True);
    let decimal = cond("NumericEquals", "test:n", "1.50");
    assert_eq!(t(&decimal, &[("test:n", "1.5")]), Tri::True);
}

#[test]
fn unparseable_policy_number_cannot_be_evaluated() {
    // Spec §5.5 says the value "does not match"; the engine's documented choice is Unknown
    // (Deny applies, Allow does not — asserted by `check`).
    for bad in ["ten", "1e3", "0x10", "1,000", " 1", "1.", ".5", ""] {
        let e = check(
            &cond("NumericEquals", "s3:max-keys", &format!(r#""{bad}""#)),
            &ctx(&[("s3:max-keys", "10")]),
        );
        assert_eq!(e.tri, Tri::Unknown, "{bad:?}");
        assert!(
            only_result(&e)
                .note
                .as_deref()
                .unwrap()
                .contains("not a number")
        );
    }
}

#[test]
fn unparseable_request_number_cannot_be_evaluated() {
    let e = check(
        &cond("NumericLessThan", "s3:max-keys", r#""10""#),
        &ctx(&[("s3:max-keys", "many")]),
    );
    assert_eq!(e.tri, Tri::Unknown);
    let note = only_result(&e).note.clone().unwrap();
    assert!(
        note.contains("request value") && note.contains("many"),
        "{note}"
    );
}

#[test]
fn unparseable_value_does_not_block_another_matching_value() {
    // Kleene OR over values: Unknown ∨ True = True, Unknown ∨ False = Unknown.
    let condition = cond("NumericEquals", "s3:max-keys", r#"["ten", "10"]"#);
    assert_eq!(t(&condition, &[("s3:max-keys", "10")]), Tri::True);
    assert_eq!(t(&condition, &[("s3:max-keys", "11")]), Tri::Unknown);
    let negated = cond("NumericNotEquals", "s3:max-keys", r#"["ten", "10"]"#);
    assert_eq!(t(&negated, &[("s3:max-keys", "10")]), Tri::False);
    assert_eq!(t(&negated, &[("s3:max-keys", "11")]), Tri::Unknown);
}

#[test]
fn epoch_time_works_with_numeric_operators() {
    let condition = cond("NumericGreaterThan", "aws:EpochTime", r#""1577836800""#);
    assert_eq!(t(&condition, &[("aws:EpochTime", "1577836801")]), Tri::True);
    assert_eq!(
        t(&condition, &[("aws:EpochTime", "1577836800")]),
        Tri::False
    );
}

// ---------------------------------------------------------------------------------------------
// §5.6 Date operators (and §12 #16)
// ---------------------------------------------------------------------------------------------

#[test]
fn date_equals_accepts_every_w3c_form() {
    for form in [
        "2020",
        "2020-01",
        "2020-01-01",
        "2020-01-01T00:00Z",
        "2020-01-01T00:00:00Z",
        "2020-01-01T00:00:00.000Z",
        "2020-01-01T01:00+01:00",
        "2020-01-01T01:00:00+01:00",
        "2019-12-31T19:00:00.0-05:00",
    ] {
        let condition = cond("DateEquals", "aws:CurrentTime", &format!(r#""{form}""#));
        assert_eq!(
            t(&condition, &[("aws:CurrentTime", "2020-01-01T00:00:00Z")]),
            Tri::True,
            "{form}"
        );
        // The same form on the request side.
        let reverse = cond("DateEquals", "aws:CurrentTime", r#""2020-01-01T00:00:00Z""#);
        assert_eq!(
            t(&reverse, &[("aws:CurrentTime", form)]),
            Tri::True,
            "{form}"
        );
    }
}

#[test]
fn date_partial_values_mean_the_start_of_the_period() {
    let year = cond("DateLessThan", "aws:CurrentTime", r#""2021""#);
    assert_eq!(
        t(&year, &[("aws:CurrentTime", "2020-12-31T23:59:59Z")]),
        Tri::True
    );
    assert_eq!(
        t(&year, &[("aws:CurrentTime", "2021-01-01T00:00:00Z")]),
        Tri::False
    );
    let month = cond("DateEquals", "aws:CurrentTime", r#""2020-03""#);
    assert_eq!(
        t(&month, &[("aws:CurrentTime", "2020-03-01T00:00:00Z")]),
        Tri::True
    );
    assert_eq!(
        t(&month, &[("aws:CurrentTime", "2020-03-15T00:00:00Z")]),
        Tri::False
    );
}

#[test]
fn date_accepts_epoch_seconds() {
    let condition = cond("DateEquals", "aws:CurrentTime", r#""1577836800""#);
    assert_eq!(
        t(&condition, &[("aws:CurrentTime", "2020-01-01T00:00:00Z")]),
        Tri::True
    );
    let request_side = cond(
        "DateGreaterThan",
        "aws:EpochTime",
        r#""2019-12-31T23:59:59Z""#,
    );
    assert_eq!(
        t(&request_side, &[("aws:EpochTime", "1577836800")]),
        Tri::True
    );
    assert_eq!(
        t(&request_side, &[("aws:EpochTime", "1577836799")]),
        Tri::False
    );
}

#[test]
fn date_epoch_milliseconds_are_read_as_seconds() {
    // §12 #16: only seconds are supported, so a 13-digit value lands ~50,000 years from now.
    let equals = cond("DateEquals", "aws:EpochTime", r#""2020-01-01T00:00:00Z""#);
    assert_eq!(
        t(&equals, &[("aws:EpochTime", "1577836800000")]),
        Tri::False
    );
    let future = cond(
        "DateGreaterThan",
        "aws:EpochTime",
        r#""9999-12-31T23:59:59Z""#,
    );
    assert_eq!(t(&future, &[("aws:EpochTime", "1577836800000")]), Tri::True);
}

#[test]
fn date_four_digit_value_is_a_year_not_epoch_seconds() {
    let condition = cond("DateEquals", "aws:CurrentTime", r#""1970""#);
    assert_eq!(t(&condition, &[("aws:CurrentTime", "0")]), Tri::True);
    // 1970 epoch seconds would be 1970-01-01T00:32:50Z.
    assert_eq!(
        t(&condition, &[("aws:CurrentTime", "1970-01-01T00:32:50Z")]),
        Tri::False
    );
}

#[test]
fn date_time_zone_offsets_are_applied() {
    let condition = cond(
        "DateLessThan",
        "aws:CurrentTime",
        r#""2020-06-01T12:00:00+02:00""#,
    );
    // 12:00+02:00 is 10:00Z.
    assert_eq!(
        t(&condition, &[("aws:CurrentTime", "2020-06-01T09:59:59Z")]),
        Tri::True
    );
    assert_eq!(
        t(&condition, &[("aws:CurrentTime", "2020-06-01T10:00:00Z")]),
        Tri::False
    );
    assert_eq!(
        t(&condition, &[("aws:CurrentTime", "2020-06-01T11:00:00Z")]),
        Tri::False
    );
}

#[test]
fn date_fractional_seconds_count() {
    let condition = cond(
        "DateGreaterThan",
        "aws:CurrentTime",
        r#""2020-01-01T00:00:00Z""#,
    );
    assert_eq!(
        t(&condition, &[("aws:CurrentTime", "2020-01-01T00:00:00.5Z")]),
        Tri::True
    );
    assert_eq!(
        t(
            &condition,
            &[("aws:CurrentTime", "2020-01-01T00:00:00.000Z")]
        ),
        Tri::False
    );
}

#[test]
fn date_less_than_and_less_than_equals_bounds() {
    let lt = cond(
        "DateLessThan",
        "aws:TokenIssueTime",
        r#""2020-01-01T00:00:01Z""#,
    );
    let lte = cond(
        "DateLessThanEquals",
        "aws:TokenIssueTime",
        r#""2020-01-01T00:00:01Z""#,
    );
    let at = [("aws:TokenIssueTime", "2020-01-01T00:00:01Z")];
    let before = [("aws:TokenIssueTime", "2020-01-01T00:00:00Z")];
    let after = [("aws:TokenIssueTime", "2020-01-01T00:00:02Z")];
    assert_eq!(t(&lt, &before), Tri::True);
    assert_eq!(t(&lt, &at), Tri::False);
    assert_eq!(t(&lte, &at), Tri::True);
    assert_eq!(t(&lte, &after), Tri::False);
}

#[test]
fn date_greater_than_and_greater_than_equals_bounds() {
    let gt = cond(
        "DateGreaterThan",
        "aws:TokenIssueTime",
        r#""2020-01-01T00:00:01Z""#,
    );
    let gte = cond(
        "DateGreaterThanEquals",
        "aws:TokenIssueTime",
        r#""2020-01-01T00:00:01Z""#,
    );
    let at = [("aws:TokenIssueTime", "2020-01-01T00:00:01Z")];
    let before = [("aws:TokenIssueTime", "2020-01-01T00:00:00Z")];
    let after = [("aws:TokenIssueTime", "2020-01-01T00:00:02Z")];
    assert_eq!(t(&gt, &after), Tri::True);
    assert_eq!(t(&gt, &at), Tri::False);
    assert_eq!(t(&gte, &at), Tri::True);
    assert_eq!(t(&gte, &before), Tri::False);
}

#[test]
fn date_not_equals_is_nor_of_instants() {
    let condition = cond(
        "DateNotEquals",
        "aws:CurrentTime",
        r#"["2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"]"#,
    );
    assert_eq!(
        t(&condition, &[("aws:CurrentTime", "1577836800")]),
        Tri::False
    );
    assert_eq!(t(&condition, &[("aws:CurrentTime", "2021")]), Tri::False);
    assert_eq!(t(&condition, &[("aws:CurrentTime", "2022")]), Tri::True);
}

#[test]
fn unparseable_date_cannot_be_evaluated() {
    for bad in [
        "yesterday",
        "2021-02-29",
        "2020-13-01",
        "20-01-01",
        "2020-01-01T25:00Z",
        "2020-01-01T00:00:00+0100",
    ] {
        let policy = cond("DateEquals", "aws:CurrentTime", &format!(r#""{bad}""#));
        let e = check(
            &policy,
            &ctx(&[("aws:CurrentTime", "2020-01-01T00:00:00Z")]),
        );
        assert_eq!(e.tri, Tri::Unknown, "policy {bad}");
        assert!(
            only_result(&e)
                .note
                .as_deref()
                .unwrap()
                .contains("not a date")
        );
        let request = cond("DateEquals", "aws:CurrentTime", r#""2020-01-01T00:00:00Z""#);
        assert_eq!(
            t(&request, &[("aws:CurrentTime", bad)]),
            Tri::Unknown,
            "request {bad}"
        );
    }
}

#[test]
fn date_accepts_leap_day() {
    let condition = cond("DateEquals", "aws:CurrentTime", r#""2020-02-29""#);
    assert_eq!(
        t(&condition, &[("aws:CurrentTime", "2020-02-29T00:00:00Z")]),
        Tri::True
    );
}

// ---------------------------------------------------------------------------------------------
// §5.7 Bool
// ---------------------------------------------------------------------------------------------

#[test]
fn bool_matches_case_insensitively() {
    let condition = cond("Bool", "aws:SecureTransport", r#""TRUE""#);
    assert_eq!(t(&condition, &[("aws:SecureTransport", "true")]), Tri::True);
    assert_eq!(t(&condition, &[("aws:SecureTransport", "True")]), Tri::True);
    assert_eq!(
        t(&condition, &[("aws:SecureTransport", "false")]),
        Tri::False
    );
}

#[test]
fn bool_false_matches_only_false() {
    let condition = cond("Bool", "aws:SecureTransport", r#""false""#);
    assert_eq!(
        t(&condition, &[("aws:SecureTransport", "FALSE")]),
        Tri::True
    );
    assert_eq!(
        t(&condition, &[("aws:SecureTransport", "true")]),
        Tri::False
    );
}

#[test]
fn bool_non_boolean_request_value_cannot_be_evaluated() {
    // Spec §5.7 says "no match"; the engine's documented choice is Unknown.
    let e = check(
        &cond("Bool", "aws:SecureTransport", r#""true""#),
        &ctx(&[("aws:SecureTransport", "yes")]),
    );
    assert_eq!(e.tri, Tri::Unknown);
    assert!(
        only_result(&e)
            .note
            .as_deref()
            .unwrap()
            .contains("not a boolean")
    );
}

#[test]
fn bool_non_boolean_policy_value_cannot_be_evaluated() {
    let condition = cond("Bool", "aws:SecureTransport", r#""1""#);
    assert_eq!(
        t(&condition, &[("aws:SecureTransport", "true")]),
        Tri::Unknown
    );
}

#[test]
fn set_qualified_bool_applies_to_each_array_element() {
    let c = multi("test:Flags", &["true", "false"]);
    assert_eq!(
        check(&cond("ForAnyValue:Bool", "test:Flags", r#""false""#), &c).tri,
        Tri::True
    );
    assert_eq!(
        check(&cond("ForAllValues:Bool", "test:Flags", r#""true""#), &c).tri,
        Tri::False
    );
    let all_true = multi("test:Flags", &["true", "TRUE"]);
    assert_eq!(
        check(
            &cond("ForAllValues:Bool", "test:Flags", r#""true""#),
            &all_true
        )
        .tri,
        Tri::True
    );
}

// ---------------------------------------------------------------------------------------------
// §5.7 BinaryEquals
// ---------------------------------------------------------------------------------------------

#[test]
fn binary_equals_compares_decoded_bytes() {
    // "YQ" and "YQ==" are both the byte "a": different text, same bytes.
    let condition = cond("BinaryEquals", "test:Bin", r#""YQ==""#);
    assert_eq!(t(&condition, &[("test:Bin", "YQ")]), Tri::True);
    assert_eq!(t(&condition, &[("test:Bin", "YQ==")]), Tri::True);
}

#[test]
fn binary_equals_rejects_different_bytes() {
    let condition = cond("BinaryEquals", "test:Bin", r#""QmluYXJ5""#);
    assert_eq!(t(&condition, &[("test:Bin", "QmluYXJ6")]), Tri::False);
    // Case matters: base64 of different bytes.
    assert_eq!(t(&condition, &[("test:Bin", "qmluyxj5")]), Tri::False);
}

#[test]
fn binary_equals_falls_back_to_raw_text_when_the_request_is_not_base64() {
    // base64("hi there!") = "aGkgdGhlcmUh"; the request value is not base64, so its raw bytes
    // are compared.
    let condition = cond("BinaryEquals", "test:Bin", r#""aGkgdGhlcmUh""#);
    assert_eq!(t(&condition, &[("test:Bin", "hi there!")]), Tri::True);
    assert_eq!(t(&condition, &[("test:Bin", "hi there?")]), Tri::False);
}

#[test]
fn binary_equals_invalid_policy_base64_cannot_be_evaluated() {
    let condition = cond("BinaryEquals", "test:Bin", r#""not base64!""#);
    assert_eq!(t(&condition, &[("test:Bin", "YQ==")]), Tri::Unknown);
}

// ---------------------------------------------------------------------------------------------
// §5.7 IpAddress / NotIpAddress
// ---------------------------------------------------------------------------------------------

#[test]
fn ip_address_matches_inside_the_block() {
    let condition = cond("IpAddress", "aws:SourceIp", r#""203.0.113.0/24""#);
    assert_eq!(t(&condition, &[("aws:SourceIp", "203.0.113.0")]), Tri::True);
    assert_eq!(
        t(&condition, &[("aws:SourceIp", "203.0.113.255")]),
        Tri::True
    );
    assert_eq!(
        t(&condition, &[("aws:SourceIp", "203.0.114.1")]),
        Tri::False
    );
}

#[test]
fn ip_address_bare_ipv4_means_slash_32() {
    let condition = cond("IpAddress", "aws:SourceIp", r#""203.0.113.5""#);
    assert_eq!(t(&condition, &[("aws:SourceIp", "203.0.113.5")]), Tri::True);
    assert_eq!(
        t(&condition, &[("aws:SourceIp", "203.0.113.6")]),
        Tri::False
    );
}

#[test]
fn ip_address_bare_ipv6_means_slash_128() {
    let condition = cond("IpAddress", "aws:SourceIp", r#""2001:db8::1""#);
    assert_eq!(
        t(&condition, &[("aws:SourceIp", "2001:DB8:0:0:0:0:0:1")]),
        Tri::True
    );
    assert_eq!(
        t(&condition, &[("aws:SourceIp", "2001:db8::2")]),
        Tri::False
    );
}

#[test]
fn ip_address_ipv6_block_matches_by_prefix() {
    let condition = cond("IpAddress", "aws:SourceIp", r#""2001:DB8:1234:5678::/64""#);
    assert_eq!(
        t(
            &condition,
            &[("aws:SourceIp", "2001:db8:1234:5678:abcd::1")]
        ),
        Tri::True
    );
    assert_eq!(
        t(&condition, &[("aws:SourceIp", "2001:db8:1234:5679::1")]),
        Tri::False
    );
}

#[test]
fn ipv4_and_ipv6_never_match_each_other() {
    let v4 = cond("IpAddress", "aws:SourceIp", r#""0.0.0.0/0""#);
    assert_eq!(t(&v4, &[("aws:SourceIp", "::1")]), Tri::False);
    // No automatic mapping of ::ffff:a.b.c.d.
    let block = cond("IpAddress", "aws:SourceIp", r#""203.0.113.0/24""#);
    assert_eq!(
        t(&block, &[("aws:SourceIp", "::ffff:203.0.113.5")]),
        Tri::False
    );
    let v6 = cond("IpAddress", "aws:SourceIp", r#""::/0""#);
    assert_eq!(t(&v6, &[("aws:SourceIp", "203.0.113.5")]), Tri::False);
}

#[test]
fn ip_policy_block_host_bits_are_masked() {
    let condition = cond("IpAddress", "aws:SourceIp", r#""203.0.113.77/24""#);
    assert_eq!(t(&condition, &[("aws:SourceIp", "203.0.113.1")]), Tri::True);
    assert_eq!(
        t(&condition, &[("aws:SourceIp", "203.0.112.77")]),
        Tri::False
    );
}

#[test]
fn ip_address_blocks_are_ored() {
    let condition = cond(
        "IpAddress",
        "aws:SourceIp",
        r#"["203.0.113.0/24", "198.51.100.0/24"]"#,
    );
    assert_eq!(
        t(&condition, &[("aws:SourceIp", "198.51.100.9")]),
        Tri::True
    );
    assert_eq!(t(&condition, &[("aws:SourceIp", "192.0.2.9")]), Tri::False);
}

#[test]
fn not_ip_address_is_nor_of_blocks() {
    let condition = cond(
        "NotIpAddress",
        "aws:SourceIp",
        r#"["203.0.113.0/24", "198.51.100.0/24"]"#,
    );
    assert_eq!(
        t(&condition, &[("aws:SourceIp", "203.0.113.9")]),
        Tri::False
    );
    assert_eq!(
        t(&condition, &[("aws:SourceIp", "198.51.100.9")]),
        Tri::False
    );
    assert_eq!(t(&condition, &[("aws:SourceIp", "192.0.2.9")]), Tri::True);
    assert_eq!(
        t(&condition, &[("aws:SourceIp", "2001:db8::1")]),
        Tri::True,
        "other family"
    );
    assert_eq!(t(&condition, &[]), Tri::True, "missing key");
}

#[test]
fn ip_request_value_with_full_length_prefix_is_an_address() {
    let condition = cond("IpAddress", "aws:SourceIp", r#""203.0.113.0/24""#);
    assert_eq!(
        t(&condition, &[("aws:SourceIp", "203.0.113.5/32")]),
        Tri::True
    );
    // A shorter prefix on the request side is not a single address.
    assert_eq!(
        t(&condition, &[("aws:SourceIp", "203.0.113.0/24")]),
        Tri::Unknown
    );
}

#[test]
fn unparseable_ip_cannot_be_evaluated() {
    for bad in [
        "203.0.113.0/33",
        "not-an-ip",
        "203.0.113/24",
        "2001:db8::/129",
    ] {
        let condition = cond("IpAddress", "aws:SourceIp", &format!(r#""{bad}""#));
        let e = check(&condition, &ctx(&[("aws:SourceIp", "203.0.113.5")]));
        assert_eq!(e.tri, Tri::Unknown, "policy {bad}");
    }
    let condition = cond("NotIpAddress", "aws:SourceIp", r#""203.0.113.0/24""#);
    assert_eq!(
        t(&condition, &[("aws:SourceIp", "localhost")]),
        Tri::Unknown
    );
}

// ---------------------------------------------------------------------------------------------
// §5.7 ArnEquals / ArnLike / ArnNotEquals / ArnNotLike
// ---------------------------------------------------------------------------------------------

const ROLE: &str = "arn:aws:iam::111122223333:role/admin";

#[test]
fn arn_equals_matches_the_same_arn() {
    let condition = cond("ArnEquals", "aws:PrincipalArn", &format!(r#""{ROLE}""#));
    assert_eq!(t(&condition, &[("aws:PrincipalArn", ROLE)]), Tri::True);
    assert_eq!(
        t(
            &condition,
            &[("aws:PrincipalArn", "arn:aws:iam::111122223333:role/admin2")]
        ),
        Tri::False
    );
}

#[test]
fn arn_like_wildcards_match_within_a_field() {
    let condition = cond(
        "ArnLike",
        "aws:PrincipalArn",
        r#""arn:aws:iam::*:role/adm?n""#,
    );
    assert_eq!(t(&condition, &[("aws:PrincipalArn", ROLE)]), Tri::True);
    assert_eq!(
        t(
            &condition,
            &[("aws:PrincipalArn", "arn:aws:iam::444455556666:role/admn")]
        ),
        Tri::False
    );
}

#[test]
fn arn_like_wildcards_do_not_cross_fields_except_the_last() {
    // As one string, "arn:aws:iam::*:role/x" would match this value (the `*` swallowing
    // "us-east-1:111122223333"); field by field, field 5 is "us-east-1" and field 6
    // "111122223333:role/x" is not "role/x".
    let condition = cond("ArnLike", "aws:SourceArn", r#""arn:aws:iam::*:role/x""#);
    assert_eq!(
        t(
            &condition,
            &[(
                "aws:SourceArn",
                "arn:aws:iam::us-east-1:111122223333:role/x"
            )]
        ),
        Tri::False
    );
    let service = cond("ArnLike", "aws:SourceArn", r#""arn:aws:s*:::b""#);
    assert_eq!(
        t(&service, &[("aws:SourceArn", "arn:aws:s3:us-east-1::b")]),
        Tri::False
    );
    // The last field's wildcards cross `/` and `:`.
    let last = cond("ArnLike", "aws:SourceArn", r#""arn:aws:s3:::bucket/*""#);
    assert_eq!(
        t(&last, &[("aws:SourceArn", "arn:aws:s3:::bucket/a/b:c:d")]),
        Tri::True
    );
}

#[test]
fn arn_like_is_case_sensitive() {
    let condition = cond(
        "ArnLike",
        "aws:PrincipalArn",
        r#""arn:aws:iam::*:role/Admin""#,
    );
    assert_eq!(t(&condition, &[("aws:PrincipalArn", ROLE)]), Tri::False);
    let service = cond(
        "ArnEquals",
        "aws:PrincipalArn",
        r#""arn:aws:IAM::111122223333:role/admin""#,
    );
    assert_eq!(t(&service, &[("aws:PrincipalArn", ROLE)]), Tri::False);
}

#[test]
fn arn_equals_and_arn_like_behave_identically() {
    for value in [
        "arn:aws:iam::*:role/*",
        "arn:aws:iam::111122223333:role/adm*",
        "arn:aws:iam::?????????????:role/admin",
        "arn:aws:iam::111122223333:role/admin",
        "arn:aws:iam::111122223333:role/other",
    ] {
        let eq = t(
            &cond("ArnEquals", "aws:PrincipalArn", &format!(r#""{value}""#)),
            &[("aws:PrincipalArn", ROLE)],
        );
        let like = t(
            &cond("ArnLike", "aws:PrincipalArn", &format!(r#""{value}""#)),
            &[("aws:PrincipalArn", ROLE)],
        );
        assert_eq!(eq, like, "{value}");
    }
    assert_eq!(
        t(
            &cond(
                "ArnEquals",
                "aws:PrincipalArn",
                r#""arn:aws:iam::*:role/*""#
            ),
            &[("aws:PrincipalArn", ROLE)]
        ),
        Tri::True
    );
}

#[test]
fn arn_not_like_and_arn_not_equals_are_nor() {
    for op in ["ArnNotLike", "ArnNotEquals"] {
        let condition = cond(
            op,
            "aws:PrincipalArn",
            r#"["arn:aws:iam::*:role/admin", "arn:aws:iam::*:role/ops-*"]"#,
        );
        assert_eq!(
            t(&condition, &[("aws:PrincipalArn", ROLE)]),
            Tri::False,
            "{op}"
        );
        assert_eq!(
            t(
                &condition,
                &[("aws:PrincipalArn", "arn:aws:iam::111122223333:role/ops-1")]
            ),
            Tri::False,
            "{op}"
        );
        assert_eq!(
            t(
                &condition,
                &[("aws:PrincipalArn", "arn:aws:iam::111122223333:role/dev")]
            ),
            Tri::True,
            "{op}"
        );
        assert_eq!(t(&condition, &[]), Tri::True, "{op}: missing key");
    }
}

#[test]
fn arn_request_value_that_is_not_an_arn_never_matches() {
    let condition = cond("ArnLike", "aws:SourceArn", r#""*""#);
    assert_eq!(
        t(&condition, &[("aws:SourceArn", "not-an-arn")]),
        Tri::False
    );
    assert_eq!(
        t(&condition, &[("aws:SourceArn", "arn:aws:s3")]),
        Tri::False
    );
    let negated = cond("ArnNotLike", "aws:SourceArn", r#""arn:*:*:*:*:*""#);
    assert_eq!(t(&negated, &[("aws:SourceArn", "not-an-arn")]), Tri::True);
}

// ---------------------------------------------------------------------------------------------
// §5.7 Null
// ---------------------------------------------------------------------------------------------

#[test]
fn null_false_holds_when_key_present() {
    assert_eq!(
        t(
            &cond("Null", "aws:username", r#""false""#),
            &[("aws:username", "alice")]
        ),
        Tri::True
    );
    let tags = multi("aws:TagKeys", &["a"]);
    assert_eq!(
        check(&cond("Null", "aws:TagKeys", r#""false""#), &tags).tri,
        Tri::True
    );
}

#[test]
fn null_true_fails_when_key_present() {
    assert_eq!(
        t(
            &cond("Null", "aws:username", r#""true""#),
            &[("aws:username", "alice")]
        ),
        Tri::False
    );
}

#[test]
fn null_accepts_json_booleans_in_any_case() {
    assert_eq!(t(&cond("Null", "aws:username", "true"), &[]), Tri::True);
    assert_eq!(
        t(&cond("Null", "aws:username", r#""FALSE""#), &[]),
        Tri::False
    );
}

#[test]
fn null_values_are_ored() {
    let both = cond("Null", "aws:username", r#"["true", "false"]"#);
    assert_eq!(t(&both, &[]), Tri::True);
    assert_eq!(t(&both, &[("aws:username", "alice")]), Tri::True);
}

#[test]
fn null_with_non_boolean_value_cannot_be_evaluated() {
    let e = check(&cond("Null", "aws:username", r#""yes""#), &Context::new());
    assert_eq!(e.tri, Tri::Unknown);
    assert!(
        only_result(&e)
            .note
            .as_deref()
            .unwrap()
            .contains("Null expects")
    );
}

// ---------------------------------------------------------------------------------------------
// §5.8 IfExists: present keys behave exactly as the base operator, in every family
// ---------------------------------------------------------------------------------------------

/// With the key present, `<op>IfExists` gives the same result as `<op>` for each request value.
fn assert_if_exists_matches_base(op: &str, key: &str, value: &str, requests: &[(&str, Tri)]) {
    for (r, want) in requests {
        let c = [(key, *r)];
        assert_eq!(t(&cond(op, key, value), &c), *want, "{op} {r}");
        assert_eq!(
            t(&cond(&format!("{op}IfExists"), key, value), &c),
            *want,
            "{op}IfExists {r}"
        );
    }
}

#[test]
fn string_if_exists_behaves_as_base_when_present() {
    assert_if_exists_matches_base(
        "StringLike",
        "ec2:InstanceType",
        r#"["t3.*"]"#,
        &[("t3.micro", Tri::True), ("m5.large", Tri::False)],
    );
    assert_if_exists_matches_base(
        "StringNotEquals",
        "aws:RequestedRegion",
        r#""eu-west-1""#,
        &[("eu-west-1", Tri::False), ("us-east-1", Tri::True)],
    );
}

#[test]
fn numeric_if_exists_behaves_as_base_when_present() {
    assert_if_exists_matches_base(
        "NumericLessThanEquals",
        "s3:max-keys",
        r#""10""#,
        &[("10", Tri::True), ("11", Tri::False), ("x", Tri::Unknown)],
    );
}

#[test]
fn date_if_exists_behaves_as_base_when_present() {
    assert_if_exists_matches_base(
        "DateGreaterThan",
        "aws:TokenIssueTime",
        r#""2020-01-01T00:00:01Z""#,
        &[
            ("2020-01-01T00:00:02Z", Tri::True),
            ("2020-01-01T00:00:01Z", Tri::False),
        ],
    );
}

#[test]
fn bool_if_exists_behaves_as_base_when_present() {
    assert_if_exists_matches_base(
        "Bool",
        "aws:MultiFactorAuthPresent",
        r#""false""#,
        &[("false", Tri::True), ("true", Tri::False)],
    );
}

#[test]
fn binary_if_exists_behaves_as_base_when_present() {
    assert_if_exists_matches_base(
        "BinaryEquals",
        "test:Bin",
        r#""QmluYXJ5""#,
        &[("QmluYXJ5", Tri::True), ("YQ==", Tri::False)],
    );
}

#[test]
fn ip_if_exists_behaves_as_base_when_present() {
    assert_if_exists_matches_base(
        "IpAddress",
        "aws:SourceIp",
        r#""203.0.113.0/24""#,
        &[("203.0.113.1", Tri::True), ("192.0.2.1", Tri::False)],
    );
    assert_if_exists_matches_base(
        "NotIpAddress",
        "aws:SourceIp",
        r#""203.0.113.0/24""#,
        &[("203.0.113.1", Tri::False), ("192.0.2.1", Tri::True)],
    );
}

#[test]
fn arn_if_exists_behaves_as_base_when_present() {
    assert_if_exists_matches_base(
        "ArnLike",
        "aws:PrincipalArn",
        r#""arn:aws:iam::*:role/admin""#,
        &[
            (ROLE, Tri::True),
            ("arn:aws:iam::111122223333:role/dev", Tri::False),
        ],
    );
    assert_if_exists_matches_base(
        "ArnNotEquals",
        "aws:PrincipalArn",
        &format!(r#""{ROLE}""#),
        &[
            (ROLE, Tri::False),
            ("arn:aws:iam::111122223333:role/dev", Tri::True),
        ],
    );
}

#[test]
fn if_exists_note_says_the_key_was_missing() {
    let e = check(
        &cond("StringEqualsIfExists", "ec2:InstanceType", r#""t3.micro""#),
        &Context::new(),
    );
    assert_eq!(e.tri, Tri::True);
    let r = only_result(&e);
    assert_eq!(r.request_values, None);
    assert_eq!(r.note.as_deref(), Some("key missing: ...IfExists holds"));
}

// ---------------------------------------------------------------------------------------------
// §5.9 Set qualifiers, multivalued keys (§12 #5) and the worked example
// ---------------------------------------------------------------------------------------------

fn tags(values: &[&str]) -> Context {
    multi("aws:TagKeys", values)
}

#[test]
fn for_all_values_string_equals_is_subset() {
    let condition = cond("ForAllValues:StringEquals", "aws:TagKeys", r#"["a", "b"]"#);
    assert_eq!(check(&condition, &tags(&["a"])).tri, Tri::True);
    assert_eq!(check(&condition, &tags(&["b", "a"])).tri, Tri::True);
    assert_eq!(check(&condition, &tags(&["a", "c"])).tri, Tri::False);
}

#[test]
fn for_any_value_string_equals_is_nonempty_intersection() {
    let condition = cond("ForAnyValue:StringEquals", "aws:TagKeys", r#"["a", "b"]"#);
    assert_eq!(check(&condition, &tags(&["c", "b"])).tri, Tri::True);
    assert_eq!(check(&condition, &tags(&["c", "d"])).tri, Tri::False);
}

#[test]
fn for_all_values_string_not_equals_is_disjoint() {
    let condition = cond(
        "ForAllValues:StringNotEquals",
        "aws:TagKeys",
        r#"["a", "b"]"#,
    );
    assert_eq!(check(&condition, &tags(&["c", "d"])).tri, Tri::True);
    assert_eq!(check(&condition, &tags(&["c", "a"])).tri, Tri::False);
}

#[test]
fn for_any_value_string_not_equals_is_not_a_subset() {
    let condition = cond(
        "ForAnyValue:StringNotEquals",
        "aws:TagKeys",
        r#"["a", "b"]"#,
    );
    assert_eq!(check(&condition, &tags(&["a", "c"])).tri, Tri::True);
    assert_eq!(check(&condition, &tags(&["a", "b"])).tri, Tri::False);
    assert_eq!(check(&condition, &tags(&["a"])).tri, Tri::False);
}

#[test]
fn for_all_values_string_like_requires_every_value_to_match_a_pattern() {
    let condition = cond(
        "ForAllValues:StringLike",
        "aws:TagKeys",
        r#"["env*", "cost-?"]"#,
    );
    assert_eq!(
        check(&condition, &tags(&["environment", "cost-a"])).tri,
        Tri::True
    );
    assert_eq!(
        check(&condition, &tags(&["environment", "cost-ab"])).tri,
        Tri::False
    );
}

#[test]
fn for_any_value_string_not_like_holds_when_one_value_escapes_every_pattern() {
    let condition = cond(
        "ForAnyValue:StringNotLike",
        "aws:TagKeys",
        r#"["env*", "cost-*"]"#,
    );
    assert_eq!(
        check(&condition, &tags(&["environment", "owner"])).tri,
        Tri::True
    );
    assert_eq!(
        check(&condition, &tags(&["environment", "cost-a"])).tri,
        Tri::False
    );
}

#[test]
fn set_qualifier_value_comparison_is_case_sensitive_unless_ignore_case() {
    let sensitive = cond("ForAllValues:StringEquals", "aws:TagKeys", r#"["Env"]"#);
    assert_eq!(check(&sensitive, &tags(&["env"])).tri, Tri::False);
    let folded = cond(
        "ForAllValues:StringEqualsIgnoreCase",
        "aws:TagKeys",
        r#"["Env"]"#,
    );
    assert_eq!(check(&folded, &tags(&["env", "ENV"])).tri, Tri::True);
}

#[test]
fn set_qualifiers_apply_to_numeric_date_ip_and_arn_operators() {
    let n = multi("test:Sizes", &["1", "5"]);
    assert_eq!(
        check(
            &cond("ForAllValues:NumericLessThan", "test:Sizes", r#""10""#),
            &n
        )
        .tri,
        Tri::True
    );
    assert_eq!(
        check(
            &cond("ForAllValues:NumericLessThan", "test:Sizes", r#""3""#),
            &n
        )
        .tri,
        Tri::False
    );
    assert_eq!(
        check(
            &cond("ForAnyValue:NumericLessThan", "test:Sizes", r#""3""#),
            &n
        )
        .tri,
        Tri::True
    );

    let d = multi("test:Dates", &["2020-01-01", "2022-01-01"]);
    assert_eq!(
        check(
            &cond("ForAnyValue:DateGreaterThan", "test:Dates", r#""2021""#),
            &d
        )
        .tri,
        Tri::True
    );
    assert_eq!(
        check(
            &cond("ForAllValues:DateGreaterThan", "test:Dates", r#""2021""#),
            &d
        )
        .tri,
        Tri::False
    );

    let ips = multi("test:Ips", &["203.0.113.1", "192.0.2.1"]);
    assert_eq!(
        check(
            &cond("ForAnyValue:IpAddress", "test:Ips", r#""192.0.2.0/24""#),
            &ips
        )
        .tri,
        Tri::True
    );
    assert_eq!(
        check(
            &cond("ForAllValues:NotIpAddress", "test:Ips", r#""192.0.2.0/24""#),
            &ips
        )
        .tri,
        Tri::False
    );

    let arns = multi("test:Arns", &[ROLE, "arn:aws:iam::111122223333:role/dev"]);
    assert_eq!(
        check(
            &cond(
                "ForAllValues:ArnLike",
                "test:Arns",
                r#""arn:aws:iam::111122223333:role/*""#
            ),
            &arns
        )
        .tri,
        Tri::True
    );
    assert_eq!(
        check(
            &cond(
                "ForAnyValue:ArnEquals",
                "test:Arns",
                r#""arn:aws:iam::*:role/ops""#
            ),
            &arns
        )
        .tri,
        Tri::False
    );
}

#[test]
fn set_qualified_operator_with_an_unreadable_member_is_unknown_unless_decided() {
    let n = multi("test:Sizes", &["1", "lots"]);
    // ForAllValues: True ∧ Unknown = Unknown; ForAnyValue: True ∨ Unknown = True.
    assert_eq!(
        check(
            &cond("ForAllValues:NumericLessThan", "test:Sizes", r#""10""#),
            &n
        )
        .tri,
        Tri::Unknown
    );
    assert_eq!(
        check(
            &cond("ForAnyValue:NumericLessThan", "test:Sizes", r#""10""#),
            &n
        )
        .tri,
        Tri::True
    );
    // ForAllValues: False ∧ Unknown = False.
    assert_eq!(
        check(
            &cond("ForAllValues:NumericLessThan", "test:Sizes", r#""0""#),
            &n
        )
        .tri,
        Tri::False
    );
}

#[test]
fn single_valued_key_with_set_qualifier_is_a_one_element_set() {
    let c = [("aws:username", "alice")];
    assert_eq!(
        t(
            &cond(
                "ForAllValues:StringEquals",
                "aws:username",
                r#"["alice", "bob"]"#
            ),
            &c
        ),
        Tri::True
    );
    assert_eq!(
        t(
            &cond("ForAllValues:StringEquals", "aws:username", r#"["bob"]"#),
            &c
        ),
        Tri::False
    );
    assert_eq!(
        t(
            &cond("ForAnyValue:StringEquals", "aws:username", r#"["alice"]"#),
            &c
        ),
        Tri::True
    );
    assert_eq!(
        t(
            &cond(
                "ForAnyValue:StringNotEquals",
                "aws:username",
                r#"["alice"]"#
            ),
            &c
        ),
        Tri::False
    );
}

#[test]
fn multivalued_key_with_unqualified_operator_never_matches() {
    // §12 #5: no match for positive and negated operators alike, IfExists included.
    let c = tags(&["a"]);
    for (op, value) in [
        ("StringEquals", r#""a""#),
        ("StringNotEquals", r#""b""#),
        ("StringLike", r#""*""#),
        ("StringNotLike", r#""zzz""#),
        ("StringEqualsIfExists", r#""a""#),
        ("StringNotEqualsIfExists", r#""b""#),
    ] {
        let e = check(&cond(op, "aws:TagKeys", value), &c);
        assert_eq!(e.tri, Tri::False, "{op}");
        let r = only_result(&e);
        assert_eq!(r.request_values, Some(vec!["a".to_string()]));
        assert!(r.note.as_deref().unwrap().contains("multivalued"), "{op}");
    }
    // The same values as a set operator do match.
    assert_eq!(
        check(
            &cond("ForAnyValue:StringEquals", "aws:TagKeys", r#""a""#),
            &c
        )
        .tri,
        Tri::True
    );
}

#[test]
fn multivalued_key_missing_follows_the_missing_key_rules() {
    // "If the key is missing, the normal missing-key rule applies" (§5.9).
    assert_eq!(
        t(&cond("StringNotEquals", "aws:TagKeys", r#""a""#), &[]),
        Tri::True
    );
    assert_eq!(
        t(&cond("StringEquals", "aws:TagKeys", r#""a""#), &[]),
        Tri::False
    );
}

#[test]
fn tag_keys_worked_example_allows_only_listed_keys_and_requires_one() {
    let condition = r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["environment", "cost-center"]}, "Null": {"aws:TagKeys": "false"}}"#;
    assert_eq!(check(condition, &tags(&["environment"])).tri, Tri::True);
    assert_eq!(
        check(condition, &tags(&["environment", "dept"])).tri,
        Tri::False
    );
    assert_eq!(
        check(condition, &Context::new()).tri,
        Tri::False,
        "absent: the Null guard"
    );
    let unguarded = cond(
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        r#"["environment", "cost-center"]"#,
    );
    assert_eq!(
        check(&unguarded, &Context::new()).tri,
        Tri::True,
        "absent without the guard"
    );
}

#[test]
fn set_qualified_if_exists_behaves_as_the_qualified_operator_when_present() {
    let all = cond(
        "ForAllValues:StringEqualsIfExists",
        "aws:TagKeys",
        r#"["a", "b"]"#,
    );
    assert_eq!(check(&all, &tags(&["a"])).tri, Tri::True);
    assert_eq!(check(&all, &tags(&["a", "c"])).tri, Tri::False);
    let any = cond(
        "ForAnyValue:StringEqualsIfExists",
        "aws:TagKeys",
        r#"["a", "b"]"#,
    );
    assert_eq!(check(&any, &tags(&["c", "b"])).tri, Tri::True);
    assert_eq!(check(&any, &tags(&["c"])).tri, Tri::False);
}

#[test]
fn variables_are_not_substituted_in_condition_keys() {
    // §4.4.3: a `${...}` in a condition key is literal text, so this key is simply missing.
    let condition = cond(
        "StringEquals",
        "aws:PrincipalTag/${aws:username}",
        r#""yes""#,
    );
    let c = [("aws:username", "alice"), ("aws:PrincipalTag/alice", "yes")];
    assert_eq!(t(&condition, &c), Tri::False);
    let literal = [("aws:PrincipalTag/${aws:username}", "yes")];
    assert_eq!(t(&condition, &literal), Tri::True);
}

#[test]
fn date_time_without_zone_designator_is_read_as_utc() {
    // Not in the W3C profile (which requires a TZD); the engine's inferred reading is UTC.
    let condition = cond("DateEquals", "aws:CurrentTime", r#""2020-01-01T10:00:00""#);
    assert_eq!(
        t(&condition, &[("aws:CurrentTime", "2020-01-01T10:00:00Z")]),
        Tri::True
    );
}

#[test]
fn keys_operators_and_values_of_any_length_and_case_compile_alike() {
    // The compiled condition keeps short keys, operators and values inline and longer ones on
    // the heap, one value without a vector: each reads back as written (the recorded result)
    // and the key is found case-insensitively, ASCII or not.
    let long_tag = format!("aws:PrincipalTag/{}", "Équipe".repeat(6));
    for key in [
        "aws:PrincipalTag/Team",
        "aws:PrincipalTag/ÉQUIPE",
        long_tag.as_str(),
    ] {
        let lower = key.to_lowercase();
        for (values, value) in [
            (r#""red""#.to_string(), "red".to_string()),
            (r#"["blue", "red"]"#.to_string(), "red".to_string()),
            (format!(r#""{}""#, "r".repeat(40)), "r".repeat(40)),
        ] {
            for op in ["StringEquals", "ForAnyValue:StringEqualsIgnoreCaseIfExists"] {
                let condition = cond(op, key, &values);
                let e = check(&condition, &ctx(&[(lower.as_str(), value.as_str())]));
                assert_eq!(e.tri, Tri::True, "{condition}");
                assert_eq!(e.results[0].key, key);
                assert_eq!(e.results[0].operator, op);
                assert!(e.results[0].policy_values.contains(&value), "{condition}");
                let other = check(&condition, &ctx(&[(lower.as_str(), "green")]));
                assert_eq!(other.tri, Tri::False, "{condition}");
            }
        }
    }
}
