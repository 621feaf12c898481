//! Snapshots of the human output of every command on the demo world: what a user sees, line by
//! line. A change to any rendered line fails its snapshot (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test -p iamwhy-cli --test snapshots` and a look at the diff, accepts
//! an intended change). Runs are deterministic: see `support/mod.rs` for the one filter (the
//! clock).

mod support;

use support::{run, run_head, run_with_stdin};

const WORLD: &str = "examples/demo-world";
const ALICE: &str = "arn:aws:iam::222222222222:user/alice";
const ORDERS_API: &str = "arn:aws:lambda:eu-west-1:222222222222:function:orders-api";
const BACKEND: &str =
    "arn:aws:sts::222222222222:assumed-role/app-backend/4f1c2b3a9d8e4c7fa1b2c3d4e5f60718";
const SCP_MESSAGE: &str = "User: arn:aws:iam::333333333333:user/bob is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:333333333333:instance/* with an explicit deny in a service control policy: arn:aws:organizations::999999999999:policy/o-a1b2c3d4e5/service_control_policy/p-regionlock";
const TRUST_MESSAGE: &str = "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::444444444444:assumed-role/CIRunner/build-1 is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/DeployRole";
const FIXTURES: &str = "crates/evidence/tests/fixtures";

fn check(extra: &[&str]) -> String {
    let mut args = vec!["check", "--world", WORLD];
    args.extend_from_slice(extra);
    run(&args)
}

// ---- demo ----------------------------------------------------------------------------------

#[test]
fn demo_explains_every_story() {
    assert_run!("demo", run(&["demo"]));
}

#[test]
fn demo_with_a_filter_explains_the_matching_stories() {
    assert_run!("demo_filter_mfa", run(&["demo", "MFA"]));
}

// ---- check ---------------------------------------------------------------------------------

#[test]
fn check_missing_allow() {
    assert_run!(
        "check_missing_allow",
        check(&[
            "--principal",
            ALICE,
            "--action",
            "lambda:UpdateFunctionCode",
            "--resource",
            ORDERS_API,
            "--context",
            "aws:MultiFactorAuthPresent=true",
            "--context",
            "aws:MultiFactorAuthAge=420",
        ])
    );
}

#[test]
fn check_explicit_deny_with_a_missing_key() {
    assert_run!(
        "check_explicit_deny_without_mfa",
        check(&[
            "--principal",
            ALICE,
            "--action",
            "lambda:GetFunction",
            "--resource",
            ORDERS_API,
        ])
    );
}

#[test]
fn check_resource_policy_denial() {
    assert_run!(
        "check_bucket_policy_denies_outside_the_endpoint",
        check(&[
            "--principal",
            ALICE,
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::prod-app-customer-data/orders/2024-06-01/export.csv",
            "--context",
            "aws:MultiFactorAuthPresent=true",
            "--context",
            "aws:SourceIp=203.0.113.42",
            "--context",
            "aws:RequestedRegion=eu-west-1",
        ])
    );
}

#[test]
fn check_scp_denial() {
    assert_run!(
        "check_scp_denies_stop_logging",
        check(&[
            "--principal",
            "arn:aws:sts::222222222222:assumed-role/AWSReservedSSO_AdministratorAccess_3f2a1b0c9d8e7f6a/erin@example.com",
            "--action",
            "cloudtrail:StopLogging",
            "--resource",
            "arn:aws:cloudtrail:eu-west-1:222222222222:trail/prod-app-audit",
            "--context",
            "aws:MultiFactorAuthPresent=true",
        ])
    );
}

#[test]
fn check_session_policy_denial() {
    assert_run!(
        "check_session_policy_limits_the_session",
        check(&[
            "--principal",
            "arn:aws:sts::333333333333:assumed-role/NotebookUser/dave",
            "--action",
            "s3:PutObject",
            "--resource",
            "arn:aws:s3:::dev-sandbox-scratch/shared/churn-model.pkl",
            "--session-policy",
            "crates/cli/tests/data/dave-session-policy.json",
            "--context",
            "aws:RequestedRegion=eu-west-1",
        ])
    );
}

#[test]
fn check_allowed_through_the_endpoint() {
    assert_run!(
        "check_allowed_through_the_endpoint",
        check(&[
            "--principal",
            BACKEND,
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::prod-app-customer-data/orders/2024/06/03/order-81723.json",
            "--source-vpce",
            "vpce-0a1b2c3d4e5f60718",
            "--context",
            "aws:RequestedRegion=eu-west-1",
        ])
    );
}

#[test]
fn check_with_discover_says_when_it_would_be_allowed() {
    assert_run!(
        "check_discover",
        check(&[
            "--principal",
            ALICE,
            "--action",
            "lambda:GetFunction",
            "--resource",
            ORDERS_API,
            "--discover",
        ])
    );
}

#[test]
fn check_with_an_unmet_expectation_exits_1() {
    assert_run!(
        "check_expect_mismatch",
        check(&[
            "--principal",
            ALICE,
            "--action",
            "lambda:GetFunction",
            "--resource",
            ORDERS_API,
            "--expect",
            "allowed",
        ])
    );
}

// ---- explain -------------------------------------------------------------------------------

#[test]
fn explain_a_message_without_a_world() {
    assert_run!("explain_message", run(&["explain", SCP_MESSAGE]));
}

#[test]
fn explain_a_message_with_the_demo_world() {
    assert_run!(
        "explain_message_with_world",
        run(&["explain", "--world", WORLD, SCP_MESSAGE])
    );
}

#[test]
fn explain_a_trust_policy_message_with_the_demo_world() {
    assert_run!(
        "explain_trust_message_with_world",
        run(&["explain", "--world", WORLD, TRUST_MESSAGE])
    );
}

#[test]
fn explain_a_message_from_standard_input() {
    assert_run!(
        "explain_message_from_stdin",
        run_with_stdin(&["explain", "-"], TRUST_MESSAGE)
    );
}

#[test]
fn explain_a_cloudtrail_event() {
    assert_run!(
        "explain_cloudtrail_event",
        run(&[
            "explain",
            &format!("{FIXTURES}/cloudtrail/assumed_role_mfa.json"),
        ])
    );
}

#[test]
fn explain_a_cloudtrail_log_grouped_by_cause() {
    assert_run!(
        "explain_cloudtrail_log",
        run(&["explain", &format!("{FIXTURES}/cloudtrail/trail_log.json")])
    );
}

#[test]
fn explain_a_decoded_authorization_message() {
    assert_run!(
        "explain_decoded_message",
        run(&["explain", &format!("{FIXTURES}/decoded/cli_output.json")])
    );
}

// ---- simulate-custom-policy / simulate-principal-policy ------------------------------------

const READ_ORDERS: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"ReadOrders","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::orders/*"},{"Sid":"NoDeletes","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}"#;

#[test]
fn simulate_custom_policy_text_output() {
    assert_run!(
        "simulate_custom_policy_text",
        run(&[
            "simulate-custom-policy",
            "--output",
            "text",
            "--policy-input-list",
            READ_ORDERS,
            "--action-names",
            "s3:GetObject",
            "s3:DeleteObject",
            "s3:PutObject",
            "--resource-arns",
            "arn:aws:s3:::orders/2026/11/report.csv",
        ])
    );
}

#[test]
fn simulate_principal_policy_json_and_text() {
    let args = [
        "simulate-principal-policy",
        "--world",
        WORLD,
        "--policy-source-arn",
        ALICE,
        "--action-names",
        "lambda:GetFunction",
        "lambda:UpdateFunctionCode",
        "--resource-arns",
        ORDERS_API,
        "--context-entries",
        "ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=true,ContextKeyType=boolean",
        "ContextKeyName=aws:RequestedRegion,ContextKeyValues=eu-west-1,ContextKeyType=string",
    ];
    assert_run!("simulate_principal_policy", run(&args));
    let mut text = args.to_vec();
    text.extend_from_slice(&["--output", "text"]);
    assert_run!("simulate_principal_policy_text", run(&text));
}

// ---- completions, help --------------------------------------------------------------------

// `validate` and `actions` have their snapshots in validate.rs and actions.rs.

#[test]
fn completions_for_bash_start_with_the_completion_function() {
    assert_run!(
        "completions_bash_head",
        run_head(&["completions", "bash"], 12)
    );
}

#[test]
fn help_describes_the_tool() {
    assert_run!("help", run(&["--help"]));
}

// ---- errors: located diagnostics, rendered the way rustc does ------------------------------

#[test]
fn error_text_that_is_no_denial() {
    assert_run!("error_not_a_denial", run(&["explain", "hello world"]));
}

#[test]
fn error_truncated_cloudtrail_event() {
    assert_run!(
        "error_truncated_cloudtrail_event",
        run(&["explain", &format!("{FIXTURES}/cloudtrail/truncated.json"),])
    );
}

#[test]
fn error_bad_context_flag() {
    assert_run!(
        "error_bad_context_flag",
        check(&[
            "--principal",
            ALICE,
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
            "--context",
            "aws:SourceIp",
        ])
    );
}

#[test]
fn error_unknown_principal_in_the_world() {
    assert_run!(
        "error_unknown_principal",
        check(&[
            "--principal",
            "arn:aws:iam::222222222222:user/nobody",
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
        ])
    );
}

#[test]
fn error_a_world_that_does_not_exist() {
    assert_run!(
        "error_missing_world",
        run(&[
            "check",
            "--world",
            "does/not/exist",
            "--principal",
            ALICE,
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
        ])
    );
}

#[test]
fn error_a_malformed_world_file_shows_the_line_and_a_caret() {
    assert_run!(
        "error_malformed_world",
        check_in("crates/cli/tests/data/malformed-world")
    );
}

fn check_in(world: &str) -> String {
    run(&[
        "check",
        "--world",
        world,
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ])
}

#[test]
fn error_a_bad_simulator_parameter_exits_like_the_aws_cli() {
    assert_run!(
        "error_simulate_custom_policy_bad_policy",
        run(&[
            "simulate-custom-policy",
            "--policy-input-list",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}"#,
            "--action-names",
            "s3:GetObject",
        ])
    );
}
