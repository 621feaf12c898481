//! Access-denied error messages (AWS's access-denied message formats) → [`ParsedMessage`]: one test per format, each
//! asserting every field (the whole struct is compared).

use iamwhy_evidence::message::policy_kind_phrase;
use iamwhy_evidence::{DenyKind, ParsedMessage, PolicyKind, parse_message};
use proptest::prelude::*;

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

fn parse(text: &str) -> ParsedMessage {
    parse_message(text).unwrap_or_else(|| panic!("not recognised: {text}"))
}

// ---- §8.1 exact examples ------------------------------------------------------------------

#[test]
fn implicit_identity_based_policy_without_resource() {
    let m = parse(
        "User: arn:aws:iam::777788889999:user/MaryMajor is not authorized to perform: codecommit:ListRepositories because no identity-based policy allows the codecommit:ListRepositories action",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::777788889999:user/MaryMajor"),
            action: s("codecommit:ListRepositories"),
            policy_type: Some(PolicyKind::Identity),
            deny: Some(DenyKind::Implicit),
            ..Default::default()
        }
    );
}

#[test]
fn implicit_resource_based_policy_with_quoted_s3_resource() {
    let m = parse(
        "User: arn:aws:sts::111122223333:assumed-role/DevRole/alice is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::amzn-s3-demo-bucket/a.txt\" because no resource-based policy allows the s3:GetObject action",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:sts::111122223333:assumed-role/DevRole/alice"),
            action: s("s3:GetObject"),
            resource: s("arn:aws:s3:::amzn-s3-demo-bucket/a.txt"),
            policy_type: Some(PolicyKind::Resource),
            deny: Some(DenyKind::Implicit),
            ..Default::default()
        }
    );
}

#[test]
fn explicit_service_control_policy() {
    let m = parse(
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: ec2:TerminateInstances on resource: arn:aws:ec2:us-east-1:123456789012:instance/i-0abc with an explicit deny in a service control policy",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("ec2:TerminateInstances"),
            resource: s("arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"),
            policy_type: Some(PolicyKind::Scp),
            deny: Some(DenyKind::Explicit),
            ..Default::default()
        }
    );
}

#[test]
fn implicit_permissions_boundary() {
    let m = parse(
        "User: arn:aws:sts::123456789012:assumed-role/App/s1 is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/T because no permissions boundary allows the dynamodb:PutItem action",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:sts::123456789012:assumed-role/App/s1"),
            action: s("dynamodb:PutItem"),
            resource: s("arn:aws:dynamodb:us-east-1:123456789012:table/T"),
            policy_type: Some(PolicyKind::PermissionsBoundary),
            deny: Some(DenyKind::Implicit),
            ..Default::default()
        }
    );
}

#[test]
fn implicit_session_policy() {
    let m = parse(
        "User: arn:aws:sts::123456789012:assumed-role/App/s1 is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::b/k\" because no session policy allows the s3:PutObject action",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:sts::123456789012:assumed-role/App/s1"),
            action: s("s3:PutObject"),
            resource: s("arn:aws:s3:::b/k"),
            policy_type: Some(PolicyKind::Session),
            deny: Some(DenyKind::Implicit),
            ..Default::default()
        }
    );
}

#[test]
fn explicit_vpc_endpoint_policy() {
    let m = parse(
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\" with an explicit deny in a VPC endpoint policy",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("s3:GetObject"),
            resource: s("arn:aws:s3:::b/k"),
            policy_type: Some(PolicyKind::VpcEndpoint),
            deny: Some(DenyKind::Explicit),
            ..Default::default()
        }
    );
}

#[test]
fn explicit_resource_control_policy() {
    let m = parse(
        "User: arn:aws:iam::444455556666:user/eve is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\" with an explicit deny in a resource control policy",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::444455556666:user/eve"),
            action: s("s3:GetObject"),
            resource: s("arn:aws:s3:::b/k"),
            policy_type: Some(PolicyKind::Rcp),
            deny: Some(DenyKind::Explicit),
            ..Default::default()
        }
    );
}

#[test]
fn classic_assume_role_without_reason() {
    let m = parse(
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Admin",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("sts:AssumeRole"),
            resource: s("arn:aws:iam::123456789012:role/Admin"),
            variant: s("classic"),
            ..Default::default()
        }
    );
}

#[test]
fn classic_sqs_without_reason() {
    let m = parse(
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:123456789012:q",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("sqs:SendMessage"),
            resource: s("arn:aws:sqs:us-east-1:123456789012:q"),
            variant: s("classic"),
            ..Default::default()
        }
    );
}

#[test]
fn classic_without_resource_trailing_period_and_whitespace() {
    let m = parse(
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:ListUsers.  \n",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("iam:ListUsers"),
            variant: s("classic"),
            ..Default::default()
        }
    );
    let m = parse(
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:123456789012:q. \r\n",
    );
    assert_eq!(m.resource, s("arn:aws:sqs:us-east-1:123456789012:q"));
    assert_eq!(m.variant, s("classic"));
}

#[test]
fn iam_resource_form() {
    let m = parse(
        "User: arn:aws:iam::111122223333:user/Adam is not authorized to perform: iam:ListAttachedUserPolicies on resource: user Adam because no permissions boundary allows the iam:ListAttachedUserPolicies action",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::111122223333:user/Adam"),
            action: s("iam:ListAttachedUserPolicies"),
            resource: s("user Adam"),
            policy_type: Some(PolicyKind::PermissionsBoundary),
            deny: Some(DenyKind::Implicit),
            variant: s("iam-resource-form"),
            ..Default::default()
        }
    );
}

// ---- other reasons ---------------------------------------------------------------------------

#[test]
fn explicit_in_an_identity_based_policy() {
    let m = parse(
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:DeleteBucket on resource: arn:aws:s3:::b with an explicit deny in an identity-based policy",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("s3:DeleteBucket"),
            resource: s("arn:aws:s3:::b"),
            policy_type: Some(PolicyKind::Identity),
            deny: Some(DenyKind::Explicit),
            ..Default::default()
        }
    );
}

#[test]
fn explicit_deny_in_role_trust_policy() {
    let m = parse(
        "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/R with an explicit deny in the role trust policy",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::111122223333:user/bob"),
            action: s("sts:AssumeRole"),
            resource: s("arn:aws:iam::444455556666:role/R"),
            policy_type: Some(PolicyKind::Resource),
            deny: Some(DenyKind::Explicit),
            ..Default::default()
        }
    );
}

#[test]
fn implicit_no_role_trust_policy_allows() {
    let m = parse(
        "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/R because no role trust policy allows the sts:AssumeRole action",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::111122223333:user/bob"),
            action: s("sts:AssumeRole"),
            resource: s("arn:aws:iam::444455556666:role/R"),
            policy_type: Some(PolicyKind::Resource),
            deny: Some(DenyKind::Implicit),
            ..Default::default()
        }
    );
}

#[test]
fn sts_assume_role_identity_side() {
    let m = parse(
        "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/R because no identity-based policy allows the sts:AssumeRole action",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::111122223333:user/bob"),
            action: s("sts:AssumeRole"),
            resource: s("arn:aws:iam::444455556666:role/R"),
            policy_type: Some(PolicyKind::Identity),
            deny: Some(DenyKind::Implicit),
            ..Default::default()
        }
    );
}

#[test]
fn implicit_deny_wording_from_third_parties() {
    let m = parse(
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:ListBucket on resource: \"arn:aws:s3:::b\" with an implicit deny in a service control policy",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("s3:ListBucket"),
            resource: s("arn:aws:s3:::b"),
            policy_type: Some(PolicyKind::Scp),
            deny: Some(DenyKind::Implicit),
            ..Default::default()
        }
    );
}

#[test]
fn sessions_policy_typo() {
    let m = parse(
        "User: arn:aws:sts::123456789012:assumed-role/App/s1 is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::b/k\" because no sessions policy allows the s3:PutObject action",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:sts::123456789012:assumed-role/App/s1"),
            action: s("s3:PutObject"),
            resource: s("arn:aws:s3:::b/k"),
            policy_type: Some(PolicyKind::Session),
            deny: Some(DenyKind::Implicit),
            ..Default::default()
        }
    );
}

#[test]
fn vpce_transitively_through_scp() {
    let m = parse(
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\" with an explicit deny in a VPC endpoint policy transitively through a service control policy",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("s3:GetObject"),
            resource: s("arn:aws:s3:::b/k"),
            policy_type: Some(PolicyKind::VpcEndpoint),
            deny: Some(DenyKind::Explicit),
            variant: s("vpce-transitive"),
            ..Default::default()
        }
    );
}

#[test]
fn s3_block_public_access_reason() {
    let m = parse(
        "An error occurred (AccessDenied) when calling the PutBucketPolicy operation: User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::b\" because public policies are prevented by the BlockPublicPolicy setting in S3 Block Public Access.",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("s3:PutBucketPolicy"),
            resource: s("arn:aws:s3:::b"),
            error_code: s("AccessDenied"),
            operation: s("PutBucketPolicy"),
            variant: s("s3-block-public-access"),
            ..Default::default()
        }
    );
}

// ---- §8.2 policy ARN suffix ------------------------------------------------------------------

#[test]
fn policy_arn_suffix_colon() {
    let m = parse(
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k with an explicit deny in a service control policy: arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("s3:GetObject"),
            resource: s("arn:aws:s3:::b/k"),
            policy_type: Some(PolicyKind::Scp),
            deny: Some(DenyKind::Explicit),
            policy_arn: s(
                "arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd"
            ),
            ..Default::default()
        }
    );
}

#[test]
fn policy_arn_suffix_s3_with_policy_arn() {
    let m = parse(
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\" with an explicit deny in a resource control policy, with policy ARN: arn:aws:organizations::987654321098:policy/o-qv5af4abcd/resource_control_policy/p-3abcdefg.",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("s3:GetObject"),
            resource: s("arn:aws:s3:::b/k"),
            policy_type: Some(PolicyKind::Rcp),
            deny: Some(DenyKind::Explicit),
            policy_arn: s(
                "arn:aws:organizations::987654321098:policy/o-qv5af4abcd/resource_control_policy/p-3abcdefg"
            ),
            ..Default::default()
        }
    );
}

#[test]
fn policy_arn_suffix_permissions_boundary() {
    let m = parse(
        "User: arn:aws:sts::123456789012:assumed-role/App/s1 is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/x with an explicit deny in a permissions boundary: arn:aws:iam::123456789012:policy/Boundary",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:sts::123456789012:assumed-role/App/s1"),
            action: s("iam:CreateUser"),
            resource: s("arn:aws:iam::123456789012:user/x"),
            policy_type: Some(PolicyKind::PermissionsBoundary),
            deny: Some(DenyKind::Explicit),
            policy_arn: s("arn:aws:iam::123456789012:policy/Boundary"),
            ..Default::default()
        }
    );
}

// ---- §8.3 authorization id -------------------------------------------------------------------

#[test]
fn authorization_id_suffix() {
    let m = parse(
        "An error occurred (AccessDenied) when calling the CreateUser operation: User: arn:aws:sts::111122223333:assumed-role/R/s is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111122223333:user/x with an explicit deny in an identity-based policy: arn:aws:iam::111122223333:policy/DenyAll. Go to https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/authorization-details/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111 for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:sts::111122223333:assumed-role/R/s"),
            action: s("iam:CreateUser"),
            resource: s("arn:aws:iam::111122223333:user/x"),
            policy_type: Some(PolicyKind::Identity),
            deny: Some(DenyKind::Explicit),
            policy_arn: s("arn:aws:iam::111122223333:policy/DenyAll"),
            error_code: s("AccessDenied"),
            operation: s("CreateUser"),
            authorization_id: s("a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"),
            ..Default::default()
        }
    );
}

#[test]
fn authorization_id_after_implicit_deny_and_classic() {
    let m = parse(
        "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:DeleteRole on resource: role Admin because no identity-based policy allows the iam:DeleteRole action. Go to https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/authorization-details/id-42 for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: id-42.",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::111122223333:user/bob"),
            action: s("iam:DeleteRole"),
            resource: s("role Admin"),
            policy_type: Some(PolicyKind::Identity),
            deny: Some(DenyKind::Implicit),
            authorization_id: s("id-42"),
            variant: s("iam-resource-form"),
            ..Default::default()
        }
    );
    // Without a reason, the console URL alone still yields the id.
    let m = parse(
        "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:ListRoles. Go to https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/authorization-details/id-43 for complete details",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::111122223333:user/bob"),
            action: s("iam:ListRoles"),
            authorization_id: s("id-43"),
            variant: s("classic"),
            ..Default::default()
        }
    );
}

// ---- §8.4 service-specific formats ---------------------------------------------------------

#[test]
fn kms_ciphertext_identity_based() {
    let m = parse(
        "An error occurred (AccessDeniedException) when calling the Decrypt operation: User: arn:aws:sts::123456789012:assumed-role/App/s1 is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext because no identity-based policy allows the kms:Decrypt action",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:sts::123456789012:assumed-role/App/s1"),
            action: s("kms:Decrypt"),
            policy_type: Some(PolicyKind::Identity),
            deny: Some(DenyKind::Implicit),
            error_code: s("AccessDeniedException"),
            operation: s("Decrypt"),
            variant: s("kms-ciphertext"),
            ..Default::default()
        }
    );
}

#[test]
fn kms_key_policy_vague() {
    let m = parse(
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("kms:Decrypt"),
            policy_type: Some(PolicyKind::Resource),
            variant: s("kms-key-policy-vague"),
            ..Default::default()
        }
    );
}

#[test]
fn kms_key_arn_resource() {
    let m = parse(
        "AccessDeniedException: User: arn:aws:iam::123456789012:user/bob is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:GenerateDataKey action",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("kms:GenerateDataKey"),
            resource: s(
                "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
            ),
            policy_type: Some(PolicyKind::Identity),
            deny: Some(DenyKind::Implicit),
            error_code: s("AccessDeniedException"),
            ..Default::default()
        }
    );
}

#[test]
fn sts_web_identity() {
    let m = parse("AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity");
    assert_eq!(
        m,
        ParsedMessage {
            action: s("sts:AssumeRoleWithWebIdentity"),
            error_code: s("AccessDenied"),
            variant: s("web-identity"),
            ..Default::default()
        }
    );
    let m = parse(
        "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity\n",
    );
    assert_eq!(
        m,
        ParsedMessage {
            action: s("sts:AssumeRoleWithWebIdentity"),
            error_code: s("AccessDenied"),
            operation: s("AssumeRoleWithWebIdentity"),
            variant: s("web-identity"),
            ..Default::default()
        }
    );
}

#[test]
fn ec2_encoded_with_user_part() {
    let m = parse(
        "An error occurred (UnauthorizedOperation) when calling the RunInstances operation: You are not authorized to perform this operation. User: arn:aws:sts::123456789012:assumed-role/Dev/alice is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:123456789012:instance/* because no identity-based policy allows the ec2:RunInstances action. Encoded authorization failure message: Q0hBTkdFTUUtZW5jb2RlZC1ibG9i_x-Yz9",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:sts::123456789012:assumed-role/Dev/alice"),
            action: s("ec2:RunInstances"),
            resource: s("arn:aws:ec2:us-east-1:123456789012:instance/*"),
            policy_type: Some(PolicyKind::Identity),
            deny: Some(DenyKind::Implicit),
            error_code: s("UnauthorizedOperation"),
            operation: s("RunInstances"),
            encoded_message: s("Q0hBTkdFTUUtZW5jb2RlZC1ibG9i_x-Yz9"),
            variant: s("ec2-encoded"),
            ..Default::default()
        }
    );
}

#[test]
fn ec2_encoded_old_form() {
    let m = parse(
        "UnauthorizedOperation: You are not authorized to perform this operation. Encoded authorization failure message: AbCdEf0123-_xyz",
    );
    assert_eq!(
        m,
        ParsedMessage {
            error_code: s("UnauthorizedOperation"),
            encoded_message: s("AbCdEf0123-_xyz"),
            variant: s("ec2-encoded"),
            ..Default::default()
        }
    );
}

#[test]
fn s3_bare_access_denied() {
    let m = parse(
        "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
    );
    assert_eq!(
        m,
        ParsedMessage {
            error_code: s("AccessDenied"),
            operation: s("GetObject"),
            variant: s("s3-bare"),
            ..Default::default()
        }
    );
}

#[test]
fn s3_bare_xml_body() {
    let m = parse(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>ABC</RequestId></Error>",
    );
    assert_eq!(
        m,
        ParsedMessage {
            error_code: s("AccessDenied"),
            variant: s("s3-bare"),
            ..Default::default()
        }
    );
}

#[test]
fn s3_bare_code_only() {
    let m = parse("AccessDenied");
    assert_eq!(
        m,
        ParsedMessage {
            error_code: s("AccessDenied"),
            variant: s("s3-bare"),
            ..Default::default()
        }
    );
}

#[test]
fn vpce_network_activity_event() {
    let m = parse("VpceAccessDenied: The request was denied due to a VPC endpoint policy");
    assert_eq!(
        m,
        ParsedMessage {
            policy_type: Some(PolicyKind::VpcEndpoint),
            error_code: s("VpceAccessDenied"),
            variant: s("vpce-network-event"),
            ..Default::default()
        }
    );
}

#[test]
fn sns_authorization_error() {
    let m = parse(
        "An error occurred (AuthorizationError) when calling the Publish operation: User: arn:aws:iam::123456789012:user/bob is not authorized to perform: SNS:Publish on resource: arn:aws:sns:us-east-1:123456789012:topic because no resource-based policy allows the SNS:Publish action",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("SNS:Publish"),
            resource: s("arn:aws:sns:us-east-1:123456789012:topic"),
            policy_type: Some(PolicyKind::Resource),
            deny: Some(DenyKind::Implicit),
            error_code: s("AuthorizationError"),
            operation: s("Publish"),
            ..Default::default()
        }
    );
}

// ---- prefixes and embedding ----------------------------------------------------------------

#[test]
fn cli_prefix() {
    let m = parse(
        "\nAn error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::111122223333:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/R\n",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::111122223333:user/bob"),
            action: s("sts:AssumeRole"),
            resource: s("arn:aws:iam::444455556666:role/R"),
            error_code: s("AccessDenied"),
            operation: s("AssumeRole"),
            variant: s("classic"),
            ..Default::default()
        }
    );
}

#[test]
fn leading_exception_code_in_log_line() {
    let m = parse(
        "2026-02-01T10:00:00Z ERROR handler failed: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/App/s1 is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:f because no resource-based policy allows the lambda:InvokeFunction action (request 7f3c)",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:sts::123456789012:assumed-role/App/s1"),
            action: s("lambda:InvokeFunction"),
            resource: s("arn:aws:lambda:us-east-1:123456789012:function:f"),
            policy_type: Some(PolicyKind::Resource),
            deny: Some(DenyKind::Implicit),
            error_code: s("AccessDeniedException"),
            ..Default::default()
        }
    );
}

#[test]
fn json_escaped_cloudtrail_error_message() {
    // §9.1's errorMessage, as it appears in the raw JSON of a record.
    let m = parse(
        r#"{"errorCode": "AccessDenied", "errorMessage": "User: arn:aws:sts::111122223333:assumed-role/DevRole/alice is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::reports/q1.csv\" because no resource-based policy allows the s3:GetObject action", "readOnly": true}"#,
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:sts::111122223333:assumed-role/DevRole/alice"),
            action: s("s3:GetObject"),
            resource: s("arn:aws:s3:::reports/q1.csv"),
            policy_type: Some(PolicyKind::Resource),
            deny: Some(DenyKind::Implicit),
            error_code: s("AccessDenied"),
            ..Default::default()
        }
    );
    // Escaped twice (a JSON string inside a JSON log line), unquoted resource at the end.
    let m = parse(
        r#"{"log": "{\"message\": \"User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:123456789012:q\"}"}"#,
    );
    assert_eq!(m.principal, s("arn:aws:iam::123456789012:user/bob"));
    assert_eq!(m.resource, s("arn:aws:sqs:us-east-1:123456789012:q"));
    assert_eq!(m.variant, s("classic"));
}

#[test]
fn java_sdk_suffix() {
    let m = parse(
        "com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException: User: arn:aws:iam::123456789012:user/bob is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/T because no identity-based policy allows the dynamodb:GetItem action (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: AccessDeniedException; Request ID: ABC; Proxy: null)",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("dynamodb:GetItem"),
            resource: s("arn:aws:dynamodb:us-east-1:123456789012:table/T"),
            policy_type: Some(PolicyKind::Identity),
            deny: Some(DenyKind::Implicit),
            error_code: s("AccessDeniedException"),
            ..Default::default()
        }
    );
}

#[test]
fn go_sdk_operation_error() {
    let m = parse(
        "operation error STS: AssumeRole, https response error StatusCode: 403, RequestID: 1234, api error AccessDenied: User: arn:aws:iam::111122223333:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/R",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::111122223333:user/bob"),
            action: s("sts:AssumeRole"),
            resource: s("arn:aws:iam::444455556666:role/R"),
            error_code: s("AccessDenied"),
            operation: s("AssumeRole"),
            variant: s("classic"),
            ..Default::default()
        }
    );
}

// ---- principals ------------------------------------------------------------------------------

#[test]
fn principal_kinds() {
    for principal in [
        "arn:aws:iam::123456789012:root",
        "arn:aws:sts::123456789012:federated-user/Bob",
        "arn:aws:sts::123456789012:assumed-role/Role/session@example.com",
        "arn:aws-cn:iam::123456789012:user/path/to/bob",
        "anonymous",
    ] {
        let m = parse(&format!(
            "User: {principal} is not authorized to perform: s3:ListBucket on resource: \"arn:aws:s3:::b\" because no resource-based policy allows the s3:ListBucket action"
        ));
        assert_eq!(
            m,
            ParsedMessage {
                principal: s(principal),
                action: s("s3:ListBucket"),
                resource: s("arn:aws:s3:::b"),
                policy_type: Some(PolicyKind::Resource),
                deny: Some(DenyKind::Implicit),
                ..Default::default()
            },
            "{principal}"
        );
    }
}

#[test]
fn multibyte_text_around_and_inside() {
    let m = parse(
        "エラー 🦀: User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/résumé-日本.txt\" because no identity-based policy allows the s3:GetObject action 🙂",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("s3:GetObject"),
            resource: s("arn:aws:s3:::b/résumé-日本.txt"),
            policy_type: Some(PolicyKind::Identity),
            deny: Some(DenyKind::Implicit),
            ..Default::default()
        }
    );
}

// ---- phrases, non-messages, robustness ------------------------------------------------------

#[test]
fn policy_kind_phrases_round_trip() {
    for kind in [
        PolicyKind::Identity,
        PolicyKind::Resource,
        PolicyKind::PermissionsBoundary,
        PolicyKind::Scp,
        PolicyKind::Rcp,
        PolicyKind::Session,
        PolicyKind::VpcEndpoint,
    ] {
        let phrase = policy_kind_phrase(kind);
        let m = parse(&format!(
            "User: arn:aws:iam::1:user/u is not authorized to perform: s3:GetObject with an explicit deny in a {phrase}"
        ));
        assert_eq!(m.policy_type, Some(kind), "{phrase}");
        assert_eq!(m.deny, Some(DenyKind::Explicit), "{phrase}");
    }
    assert_eq!(
        policy_kind_phrase(PolicyKind::PermissionsBoundary),
        "permissions boundary"
    );
    assert_eq!(
        policy_kind_phrase(PolicyKind::VpcEndpoint),
        "VPC endpoint policy"
    );
}

#[test]
fn non_messages_return_none() {
    for text in [
        "",
        "   \n\t",
        "hello world",
        "User: arn:aws:iam::123456789012:user/bob",
        "You are authorized to perform: s3:GetObject",
        "{\"eventName\": \"GetObject\", \"errorCode\": null}",
        "An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist.",
        "AccessDeniedException",
        "the access denied page was shown",
        "日本語のテキスト 🦀 é",
    ] {
        assert_eq!(parse_message(text), None, "{text:?}");
    }
}

/// Pieces of access-denied messages, escapes and awkward characters, from which
/// [`text_from_fragments`] builds inputs that come close to real messages.
const FRAGMENTS: &[&str] = &[
    "User: ",
    "is not authorized to perform",
    "is not authorized to perform: ",
    ":",
    " on resource: ",
    " on the resource associated with this ciphertext",
    "\"",
    "\\",
    "\\\"",
    "\\n",
    " because no ",
    " because the resource does not exist",
    " with an explicit deny in a ",
    " with an implicit deny in ",
    "service control policy",
    "permissions boundary",
    "VPC endpoint policy",
    " transitively through a service control policy",
    ", with policy ARN: ",
    "arn:aws:",
    "s3:GetObject",
    "user ",
    " ",
    ".",
    ",",
    "An error occurred (",
    ")",
    " when calling the ",
    " operation",
    "operation error ",
    "Error Code: ",
    "\"errorCode\"",
    "<Code>",
    "Encoded authorization failure message:",
    "with the following authorization id:",
    "#/authorization-details/",
    "Go to https://",
    "Access Denied",
    "AccessDenied",
    "Not authorized to perform ",
    "You are not authorized to perform this operation",
    "The request was denied due to a VPC endpoint policy",
    "é",
    "日本",
    "🦀",
    "\u{200b}",
    "\u{0}",
    "ß",
];

/// Up to 40 fragments and arbitrary characters (often multi-byte), in any order.
fn text_from_fragments() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(FRAGMENTS).prop_map(str::to_string),
            1 => any::<char>().prop_map(String::from),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

/// The text with JSON escaping undone loosely: `\n`, `\r`, `\t` become a space and every
/// other backslash is dropped. Whatever escaping the parser undoes, a field it reads from the
/// text, loosened the same way, is part of the loosened text.
fn loosen(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
        } else if chars.next_if(|n| matches!(n, 'n' | 'r' | 't')).is_some() {
            out.push(' ');
        }
    }
    out
}

/// Anchors that always make the text a message (found before any unescaping can change them).
/// STS's short "Not authorized to perform " is not one: it is a message only when an action
/// follows it.
const SURE_ANCHORS: &[&str] = &[
    "is not authorized to perform",
    "You are not authorized to perform this operation",
    "The request was denied due to a VPC endpoint policy",
    "Access Denied",
    "Encoded authorization failure message:",
];

/// Text without any of these (after loosening) is not a message.
const ANY_ANCHOR: &[&str] = &[
    "ot authorized to perform",
    "Access Denied",
    "AccessDenied",
    "Encoded authorization failure message:",
    "The request was denied due to a VPC endpoint policy",
];

const VARIANTS: &[&str] = &[
    "ec2-encoded",
    "kms-key-policy-vague",
    "kms-ciphertext",
    "vpce-transitive",
    "s3-block-public-access",
    "iam-resource-form",
    "web-identity",
    "vpce-network-event",
    "s3-bare",
    "classic",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// On any text the parser returns (it never panics) a message exactly when the text holds
    /// one of the anchors; every field it reports is non-empty text of the input or of the
    /// cleaned paste (up to JSON escaping), codes look like codes, a policy ARN comes with its deny, and the observation
    /// built from the text agrees with the parsed fields.
    #[test]
    fn any_text_gives_none_or_fields_taken_from_the_text(text in text_from_fragments()) {
        let parsed = parse_message(&text);
        let loose = loosen(&text);
        // Fields are read from the paste as cleaned (invisible characters dropped, wrapping
        // undone), so they may join what such a character separated.
        let cleaned = loosen(&iamwhy_evidence::message::clean_paste(&text));
        if SURE_ANCHORS.iter().any(|a| text.contains(a)) {
            prop_assert!(parsed.is_some(), "an anchor is there but no message was read");
        }
        if !ANY_ANCHOR.iter().any(|a| loose.contains(a)) {
            prop_assert!(parsed.is_none(), "no anchor, yet a message was read: {parsed:?}");
        }
        let observed = iamwhy_evidence::observed::from_message(&text);
        prop_assert_eq!(parsed.is_some(), observed.is_some());
        let (Some(m), Some(o)) = (parsed, observed) else {
            return Ok(());
        };
        prop_assert_eq!(&o.principal, &m.principal);
        prop_assert_eq!(&o.actions, &m.action.iter().cloned().collect::<Vec<_>>());
        prop_assert_eq!(o.allowed, Some(false));

        let fields = [
            ("principal", &m.principal),
            ("action", &m.action),
            ("resource", &m.resource),
            ("policy_arn", &m.policy_arn),
            ("error_code", &m.error_code),
            ("operation", &m.operation),
            ("encoded_message", &m.encoded_message),
            ("authorization_id", &m.authorization_id),
        ];
        for (name, field) in fields {
            let Some(field) = field else { continue };
            prop_assert!(!field.is_empty(), "{} is reported but empty", name);
            // IAM's `user Adam` resource form is two words of the text joined by one space.
            for word in field.split_whitespace() {
                prop_assert!(
                    loose.contains(&loosen(word)) || cleaned.contains(&loosen(word)),
                    "{} {:?} is not text of the input", name, field
                );
            }
        }
        for code in [&m.error_code, &m.operation].into_iter().flatten() {
            prop_assert!(
                code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_'),
                "{:?} is not a code", code
            );
        }
        if let Some(arn) = &m.policy_arn {
            prop_assert!(arn.starts_with("arn:"));
            prop_assert!(m.deny.is_some() && m.policy_type.is_some());
        }
        if m.deny == Some(DenyKind::Explicit) {
            prop_assert!(loose.contains("with an explicit deny"));
        }
        if let Some(v) = &m.variant {
            prop_assert!(VARIANTS.contains(&v.as_str()), "unknown variant {:?}", v);
        }
    }
}

#[test]
fn never_panics_on_truncated_or_spliced_messages() {
    let samples = [
        "An error occurred (UnauthorizedOperation) when calling the RunInstances operation: You are not authorized to perform this operation. User: arn:aws:sts::1:assumed-role/D/é is not authorized to perform: ec2:RunInstances on resource: \"arn:aws:ec2:::日本\" with an explicit deny in a VPC endpoint policy transitively through a service control policy, with policy ARN: arn:aws:x. Go to https://x#/authorization-details/🦀 for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: 🦀. Encoded authorization failure message: blob",
        "User: anonymous is not authorized to perform: iam:GetUser on resource: user Ädam because no role trust policy allows the sts:AssumeRole action",
        "{\\\"errorCode\\\": \\\"AccessDenied\\\"} <Code>Access Denied",
    ];
    for sample in samples {
        for (i, _) in sample.char_indices() {
            let (head, tail) = sample.split_at(i);
            let _ = parse_message(head);
            let _ = parse_message(tail);
            let _ = parse_message(&format!("{tail}{head}"));
        }
        assert!(parse_message(sample).is_some());
    }
}

#[test]
fn code_before_message_in_key_value_log() {
    let m = parse(
        "level=warn errorCode=AccessDenied errorMessage=User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::AccessDenied/k\" because no identity-based policy allows the s3:GetObject action",
    );
    assert_eq!(
        m,
        ParsedMessage {
            principal: s("arn:aws:iam::123456789012:user/bob"),
            action: s("s3:GetObject"),
            resource: s("arn:aws:s3:::AccessDenied/k"),
            policy_type: Some(PolicyKind::Identity),
            deny: Some(DenyKind::Implicit),
            error_code: s("AccessDenied"),
            ..Default::default()
        }
    );
    // A code-like word inside the message body is not taken for the error code.
    let m = parse(
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::AccessDenied/k\"",
    );
    assert_eq!(m.error_code, None);
}
