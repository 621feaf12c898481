//! Without a world: what the message alone proves, and the ordered places to look for this
//! kind of denial, each with the exact AWS CLI command filled in with the message's ARNs (the
//! troubleshooting runbooks' flow).

use iamwhy_evidence::{DenyKind, Observed, PolicyKind};
use iamwhy_policy::Arn;
use serde::Serialize;

/// One place to look.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// What to check.
    pub check: String,
    /// Why it matters for this denial.
    pub why: String,
    /// The AWS CLI commands that show it.
    pub commands: Vec<String>,
}

/// The guidance for one observed request.
#[derive(Debug, Clone, Serialize)]
pub struct Guide {
    /// Facts the message establishes.
    pub proves: Vec<String>,
    /// Where to look, in order.
    pub steps: Vec<Step>,
}

struct Names {
    account: Option<String>,
    user: Option<String>,
    role: Option<String>,
    session: bool,
}

fn names(principal: &str) -> Names {
    let arn = Arn::parse(principal);
    let account = arn
        .map(|a| a.account)
        .filter(|a| !a.is_empty())
        .map(str::to_string);
    let res = arn.map_or("", |a| a.resource);
    let (mut user, mut role, mut session) = (None, None, false);
    if let Some(rest) = res.strip_prefix("user/") {
        user = rest.rsplit('/').next().map(str::to_string);
    } else if let Some(rest) = res.strip_prefix("role/") {
        role = rest.rsplit('/').next().map(str::to_string);
    } else if let Some(rest) = res.strip_prefix("assumed-role/") {
        role = rest.split('/').next().map(str::to_string);
        session = true;
    }
    Names {
        account,
        user,
        role,
        session,
    }
}

fn identity_commands(n: &Names) -> Vec<String> {
    if let Some(u) = &n.user {
        vec![
            format!("aws iam list-attached-user-policies --user-name {u}"),
            format!("aws iam list-user-policies --user-name {u}"),
            format!("aws iam list-groups-for-user --user-name {u}"),
        ]
    } else if let Some(r) = &n.role {
        vec![
            format!("aws iam list-attached-role-policies --role-name {r}"),
            format!("aws iam list-role-policies --role-name {r}"),
        ]
    } else {
        vec!["aws sts get-caller-identity".into()]
    }
}

fn resource_commands(resource: &str) -> Vec<String> {
    let Some(Arn {
        service,
        region,
        account,
        resource: res,
        ..
    }) = Arn::parse(resource)
    else {
        return Vec::new();
    };
    match service {
        "s3" => {
            let bucket = res.split('/').next().unwrap_or(res);
            vec![
                format!("aws s3api get-bucket-policy --bucket {bucket}"),
                format!("aws s3api get-public-access-block --bucket {bucket}"),
                format!("aws s3api get-bucket-ownership-controls --bucket {bucket}"),
            ]
        }
        "kms" => vec![format!(
            "aws kms get-key-policy --key-id {} --policy-name default",
            res.trim_start_matches("key/")
        )],
        "iam" if res.starts_with("role/") => vec![format!(
            "aws iam get-role --role-name {} --query Role.AssumeRolePolicyDocument",
            res.rsplit('/').next().unwrap_or(res)
        )],
        "sqs" => vec![format!(
            "aws sqs get-queue-attributes --queue-url https://sqs.{region}.amazonaws.com/{account}/{res} --attribute-names Policy"
        )],
        "sns" => vec![format!(
            "aws sns get-topic-attributes --topic-arn {resource}"
        )],
        "secretsmanager" => vec![format!(
            "aws secretsmanager get-resource-policy --secret-id {resource}"
        )],
        "lambda" => vec![format!("aws lambda get-policy --function-name {resource}")],
        "ecr" => vec![format!(
            "aws ecr get-repository-policy --repository-name {}",
            res.trim_start_matches("repository/")
        )],
        _ => Vec::new(),
    }
}

/// The guidance for an observed request.
pub fn guide(o: &Observed) -> Guide {
    let mut proves = Vec::new();
    let mut steps = Vec::new();
    let principal = o.principal.clone().unwrap_or_default();
    let n = names(&principal);
    let action = o.actions.first().cloned().unwrap_or_default();
    let resource = o.resource.clone().unwrap_or_default();
    let kind = o.message.as_ref().and_then(|m| m.policy_type);
    let deny = o.message.as_ref().and_then(|m| m.deny);
    if !principal.is_empty() {
        proves.push(format!("The call was signed as {principal}."));
    }
    if !action.is_empty() {
        proves.push(format!(
            "The denied action is {action}{}.",
            if resource.is_empty() {
                String::new()
            } else {
                format!(" on {resource}")
            }
        ));
    }
    match (kind, deny) {
        (Some(k), Some(DenyKind::Explicit)) => proves.push(format!(
            "A Deny statement in a {} matched the request: no allow anywhere can override it.",
            iamwhy_evidence::message::policy_kind_phrase(k)
        )),
        (Some(k), _) => proves.push(format!(
            "No {} allowed the action (an implicit deny); other layers may also refuse, AWS names only one.",
            iamwhy_evidence::message::policy_kind_phrase(k)
        )),
        _ if action.to_lowercase().starts_with("sts:assumerole") => proves.push("An sts:AssumeRole denial without a reason means the role's trust policy does not allow the caller (an identity-side refusal would say so).".into()),
        _ => proves.push("The message names no policy type, so any layer may have refused (AWS hides the reason across organizations and for some services).".into()),
    }
    if let Some(arn) = o.message.as_ref().and_then(|m| m.policy_arn.clone()) {
        proves.push(format!("The denying policy is {arn}."));
    }
    if let Some(blob) = o.message.as_ref().and_then(|m| m.encoded_message.clone()) {
        steps.push(Step {
            check: "Decode the encoded authorization message".into(),
            why: "it lists the matched statements and the full request context".into(),
            commands: vec![format!(
                "aws sts decode-authorization-message --encoded-message {} --query DecodedMessage --output text | iamwhy explain -",
                if blob.len() > 24 { format!("{}...", &blob[..blob.char_indices().nth(24).map_or(blob.len(), |(i, _)| i)]) } else { blob }
            )],
        });
    }
    steps.push(Step {
        check: "Confirm who is calling".into(),
        why: "the wrong profile, role or stale credentials explain many denials".into(),
        commands: vec!["aws sts get-caller-identity".into()],
    });
    let policy_arn = o.message.as_ref().and_then(|m| m.policy_arn.clone());
    let resource_account = o.resource_account.clone().or_else(|| {
        Arn::parse(&resource)
            .map(|a| a.account)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
    });
    let org_commands = |typ: &str, account: Option<&String>| -> Vec<String> {
        let mut c = Vec::new();
        if let Some(arn) = &policy_arn {
            let id = arn.rsplit('/').next().unwrap_or(arn);
            c.push(format!(
                "aws organizations describe-policy --policy-id {id}"
            ));
        }
        if let Some(a) = account {
            c.push(format!(
                "aws organizations list-policies-for-target --target-id {a} --filter {typ}"
            ));
            c.push(format!("aws organizations list-parents --child-id {a}"));
        }
        c
    };
    let mut push = |check: &str, why: &str, commands: Vec<String>| {
        steps.push(Step {
            check: check.into(),
            why: why.into(),
            commands,
        });
    };
    let order: Vec<PolicyKind> = match kind {
        Some(k) => {
            let mut v = vec![k];
            v.extend(
                [
                    PolicyKind::Scp,
                    PolicyKind::Rcp,
                    PolicyKind::VpcEndpoint,
                    PolicyKind::Resource,
                    PolicyKind::Identity,
                    PolicyKind::PermissionsBoundary,
                    PolicyKind::Session,
                ]
                .into_iter()
                .filter(|x| *x != k),
            );
            v
        }
        None => vec![
            PolicyKind::Identity,
            PolicyKind::Resource,
            PolicyKind::Scp,
            PolicyKind::Rcp,
            PolicyKind::PermissionsBoundary,
            PolicyKind::Session,
            PolicyKind::VpcEndpoint,
        ],
    };
    for k in order {
        match k {
            PolicyKind::Identity => push(
                "Identity-based policies of the caller",
                "they must allow the action (and must not deny it)",
                identity_commands(&n),
            ),
            PolicyKind::Resource => push(
                "The resource's policy",
                "trust and KMS key policies must allow explicitly; across accounts every resource policy must",
                resource_commands(&resource),
            ),
            PolicyKind::Scp => push(
                "Service control policies on the caller's account path",
                "every level from the root to the account must allow, and no level may deny",
                org_commands("SERVICE_CONTROL_POLICY", n.account.as_ref()),
            ),
            PolicyKind::Rcp => push(
                "Resource control policies on the resource owner's path",
                "RCPs deny across the organization, also for callers from other accounts",
                org_commands(
                    "RESOURCE_CONTROL_POLICY",
                    resource_account.as_ref().or(n.account.as_ref()),
                ),
            ),
            PolicyKind::PermissionsBoundary => push(
                "The caller's permissions boundary",
                "it caps what identity policies grant",
                match (&n.user, &n.role) {
                    (Some(u), _) => vec![format!("aws iam get-user --user-name {u} --query User.PermissionsBoundary")],
                    (_, Some(r)) => vec![format!("aws iam get-role --role-name {r} --query Role.PermissionsBoundary")],
                    _ => Vec::new(),
                },
            ),
            PolicyKind::Session if n.session => push(
                "The session policy the session was created with",
                "a session policy passed to AssumeRole caps the session",
                vec!["check the --policy / --policy-arns given to aws sts assume-role (or your SDK or SSO tooling)".into()],
            ),
            PolicyKind::VpcEndpoint => push(
                "The VPC endpoint policy, if the call went through an endpoint",
                "endpoint policies are a gate; aws:SourceIp is absent through endpoints",
                vec!["aws ec2 describe-vpc-endpoints --filters Name=vpc-endpoint-type,Values=Gateway,Interface --query 'VpcEndpoints[].{Id:VpcEndpointId,Service:ServiceName,Policy:PolicyDocument}'".into()],
            ),
            PolicyKind::Session => {}
        }
    }
    if !action.is_empty() {
        let mut cmd = format!(
            "aws iam simulate-principal-policy --policy-source-arn {} --action-names {action}",
            match (&n.role, &n.user, &n.account) {
                (Some(r), _, Some(a)) => format!("arn:aws:iam::{a}:role/{r}"),
                (_, Some(u), Some(a)) => format!("arn:aws:iam::{a}:user/{u}"),
                _ => principal.clone(),
            }
        );
        if !resource.is_empty() {
            cmd.push_str(&format!(" --resource-arns {resource}"));
        }
        steps.push(Step {
            check: "Test the fix before applying it".into(),
            why: "AWS's simulator checks identity policies and SCPs; iamwhy with a world checks every layer".into(),
            commands: vec![cmd, "iamwhy explain --world DIR ... (collect a world: see docs/worlds.md)".into()],
        });
    }
    Guide { proves, steps }
}
