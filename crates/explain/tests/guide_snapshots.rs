//! The guidance without a world, for each form of access-denied message: what it proves and
//! where to look, with the commands. A snapshot per form (insta); a change to the guidance
//! shows as a diff to review.

use iamwhy_evidence::input::from_message;
use iamwhy_explain::guide::{Guide, guide};

/// (snapshot name, message) — one per form of AWS's access-denied messages.
const FORMS: &[(&str, &str)] = &[
    (
        "implicit_identity",
        "User: arn:aws:iam::777788889999:user/MaryMajor is not authorized to perform: codecommit:ListRepositories because no identity-based policy allows the codecommit:ListRepositories action",
    ),
    (
        "implicit_resource_s3_quoted",
        "User: arn:aws:sts::111122223333:assumed-role/DevRole/alice is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::amzn-s3-demo-bucket/a.txt\" because no resource-based policy allows the s3:GetObject action",
    ),
    (
        "explicit_scp_with_policy_arn",
        "User: arn:aws:iam::333333333333:user/bob is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:333333333333:instance/* with an explicit deny in a service control policy: arn:aws:organizations::999999999999:policy/o-a1b2c3d4e5/service_control_policy/p-regionlock",
    ),
    (
        "explicit_rcp_with_policy_arn",
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::reports-bucket/2024/q1.csv\" with an explicit deny in a resource control policy, with policy ARN: arn:aws:organizations::999999999999:policy/o-a1b2c3d4e5/resource_control_policy/p-abcd1234",
    ),
    (
        "implicit_boundary",
        "User: arn:aws:sts::123456789012:assumed-role/App/s1 is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/T because no permissions boundary allows the dynamodb:PutItem action",
    ),
    (
        "implicit_session",
        "User: arn:aws:sts::333333333333:assumed-role/NotebookUser/dave is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::dev-sandbox-scratch/shared/churn-model.pkl\" because no session policy allows the s3:PutObject action",
    ),
    (
        "explicit_vpc_endpoint",
        "User: arn:aws:iam::222222222222:user/alice is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::prod-app-customer-data/orders/export.csv\" with an explicit deny in a VPC endpoint policy",
    ),
    (
        "explicit_without_policy_type",
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:123456789012:orders with an explicit deny",
    ),
    (
        "classic_assume_role",
        "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::444444444444:assumed-role/CIRunner/build-1 is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/DeployRole",
    ),
    (
        "classic_other_service",
        "User: arn:aws:iam::123456789012:user/intern is not authorized to perform: sns:Publish on resource: arn:aws:sns:us-east-1:123456789012:alerts",
    ),
    (
        "web_identity",
        "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity",
    ),
    (
        "ec2_encoded",
        "An error occurred (UnauthorizedOperation) when calling the RunInstances operation: You are not authorized to perform this operation. Encoded authorization failure message: 4GIOHlTkIaWHQD0Q0m6XSnuUMCm-abc_DEF123xyz",
    ),
    (
        "kms_ciphertext",
        "An error occurred (AccessDeniedException) when calling the Decrypt operation: User: arn:aws:iam::123456789012:user/alice is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access",
    ),
    (
        "s3_bare",
        "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
    ),
    (
        "iam_resource_form",
        "User: arn:aws:iam::123456789012:user/carol is not authorized to perform: iam:CreateUser on resource: user Adam because no identity-based policy allows the iam:CreateUser action",
    ),
    (
        "authorization_id",
        "User: arn:aws:sts::123456789012:assumed-role/AppRole/app is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab because no resource-based policy allows the kms:GenerateDataKey action. Go to https://console.aws.amazon.com/iam/home#/authorization-details/AuthzId-1a2b3c4d to troubleshoot, or call the GetRequestAuthorizationDetails API with the following authorization id: AuthzId-1a2b3c4d",
    ),
];

fn text(g: &Guide) -> String {
    let mut out = String::from("proves:\n");
    for p in &g.proves {
        out.push_str(&format!("  - {p}\n"));
    }
    out.push_str("steps:\n");
    for (i, s) in g.steps.iter().enumerate() {
        out.push_str(&format!("  {}. {} — {}\n", i + 1, s.check, s.why));
        for c in &s.commands {
            out.push_str(&format!("       $ {c}\n"));
        }
    }
    out
}

#[test]
fn the_guidance_for_each_message_form() {
    for (name, message) in FORMS {
        let o = from_message(message).unwrap_or_else(|| panic!("{name} does not parse"));
        insta::assert_snapshot!(*name, text(&guide(&o)), message);
    }
}
