//! Without a world: what the message alone proves — no more — and the ordered places to look
//! for this kind of denial, each with the AWS CLI commands filled in with the message's ARNs
//! (the troubleshooting runbooks' flow).
//!
//! Only what the message proves is claimed: a message without a reason (the classic form, as
//! STS writes it) does not say which layer refused, so every layer that can produce it is
//! listed in the order the guides check them. Every command shown runs as printed: none holds
//! a placeholder or a wildcard where a name must go, and none is repeated.

use iamwhy_evidence::message::policy_kind_phrase;
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
    /// The AWS CLI commands that show it, each runnable as printed.
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

/// A name usable on a command line: not empty, no wildcard.
fn usable(name: &str) -> Option<String> {
    (!name.is_empty() && !name.contains(['*', '?'])).then(|| name.to_string())
}

fn names(principal: &str) -> Names {
    let arn = Arn::parse(principal);
    let account = arn
        .map(|a| a.account)
        .filter(|a| iamwhy_policy::is_account_id(a))
        .map(str::to_string);
    let res = arn.map_or("", |a| a.resource);
    let (mut user, mut role, mut session) = (None, None, false);
    if let Some(rest) = res.strip_prefix("user/") {
        user = rest.rsplit('/').next().and_then(usable);
    } else if let Some(rest) = res.strip_prefix("role/") {
        role = rest.rsplit('/').next().and_then(usable);
    } else if let Some(rest) = res.strip_prefix("assumed-role/") {
        role = rest.split('/').next().and_then(usable);
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
        Vec::new()
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
    if res.contains(['*', '?']) {
        return Vec::new();
    }
    match service {
        "s3" => {
            let bucket = res.split('/').next().unwrap_or(res);
            vec![
                format!("aws s3api get-bucket-policy --bucket {bucket}"),
                format!("aws s3api get-public-access-block --bucket {bucket}"),
                format!("aws s3api get-bucket-ownership-controls --bucket {bucket}"),
            ]
        }
        "kms" if res.starts_with("key/") => {
            let key = res.trim_start_matches("key/");
            vec![
                format!("aws kms describe-key --key-id {resource}"),
                format!("aws kms get-key-policy --key-id {resource} --policy-name default"),
                format!("aws kms list-grants --key-id {resource}"),
            ]
            .into_iter()
            .filter(|_| !key.is_empty())
            .collect()
        }
        "iam" if res.starts_with("role/") => vec![format!(
            "aws iam get-role --role-name {} --query Role.AssumeRolePolicyDocument",
            res.rsplit('/').next().unwrap_or(res)
        )],
        "sqs" if !region.is_empty() => vec![format!(
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

/// The organization policy type an organization policy ARN names.
fn org_policy_kind(arn: &str) -> Option<PolicyKind> {
    if arn.contains("/service_control_policy/") {
        Some(PolicyKind::Scp)
    } else if arn.contains("/resource_control_policy/") {
        Some(PolicyKind::Rcp)
    } else {
        None
    }
}

/// The order the runbooks check the layers in when the message names none: the caller's
/// policies, the resource's, the organization's guardrails, then the caps on the caller.
const UNNAMED_ORDER: [PolicyKind; 7] = [
    PolicyKind::Identity,
    PolicyKind::Resource,
    PolicyKind::Scp,
    PolicyKind::Rcp,
    PolicyKind::PermissionsBoundary,
    PolicyKind::Session,
    PolicyKind::VpcEndpoint,
];

/// The guidance for an observed request.
pub fn guide(o: &Observed) -> Guide {
    let mut proves = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    let principal = o.principal.clone().unwrap_or_default();
    let n = names(&principal);
    let action = o.actions.first().cloned().unwrap_or_default();
    let resource = o.resource.clone().unwrap_or_default();
    let message = o.message.as_ref();
    let kind = message.and_then(|m| m.policy_type);
    let deny = message.and_then(|m| m.deny);
    let policy_arn = message.and_then(|m| m.policy_arn.clone());
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
            policy_kind_phrase(k)
        )),
        (Some(k), _) => proves.push(format!(
            "No {} allowed the action (an implicit deny); other layers may also refuse, AWS names only one.",
            policy_kind_phrase(k)
        )),
        (None, Some(DenyKind::Explicit)) => proves.push(
            "A Deny statement matched the request (an explicit deny); the message does not say in which kind of policy, so look at every layer below for a Deny.".into(),
        ),
        (None, Some(DenyKind::Implicit)) => proves.push(
            "No policy allowed the action (an implicit deny); the message does not say which layer lacked the allow.".into(),
        ),
        (None, None) => proves.push(if action.to_ascii_lowercase().starts_with("sts:assumerole") {
            "The message gives no reason: the role's trust policy, the caller's own policies, an SCP, an RCP, a permissions boundary or a session policy can each have refused (AWS omits the reason across accounts), so each is listed below in the order the guides check them.".into()
        } else {
            "The message names no policy type, so any layer may have refused (AWS hides the reason across accounts and for some services); each is listed below in the order the guides check them.".into()
        }),
    }
    let variant = message.and_then(|m| m.variant.as_deref());
    match variant {
        Some("web-identity") => {
            proves.pop();
            proves.push("STS refused a web identity (OIDC) or SAML token: the role's trust policy must trust the identity provider (Principal Federated) and its conditions on the token's claims (aud, sub, amr) must hold; the provider must be registered in the role's account. SCPs do not apply to the token's caller.".into());
        }
        Some("kms-key-policy-vague" | "kms-ciphertext") => {
            proves.pop();
            proves.push("KMS does not say which cause it is: the key does not exist in the call's region, no key policy or grant allows the caller, or a policy explicitly denies (the ciphertext names the key; the message does not).".into());
        }
        Some("s3-bare") => {
            proves.pop();
            proves.push("S3 returns a bare Access Denied for any refusal: the caller's policies, the bucket policy, an SCP or RCP, Block Public Access, an object owned by another account (ACLs), the KMS key of an encrypted object, or a VPC endpoint policy. The CloudTrail event of the call names the caller and the object.".into());
        }
        _ => {}
    }
    if let Some(arn) = &policy_arn {
        proves.push(format!("The denying policy is {arn}."));
    }
    if variant == Some("web-identity") {
        steps.push(Step {
            check: "The role's trust policy".into(),
            why: "it must trust the identity provider (Principal Federated), and its conditions on the token's claims must hold; decode the token's payload to compare its iss, aud and sub".into(),
            commands: resource_commands(&resource),
        });
        steps.push(Step {
            check: "The identity provider registered in the role's account".into(),
            why: "the provider's URL and audiences must match the token's iss and aud".into(),
            commands: vec!["aws iam list-open-id-connect-providers".into()],
        });
        return Guide { proves, steps };
    }
    if let Some(blob) = message.and_then(|m| m.encoded_message.clone()) {
        steps.push(Step {
            check: "Decode the encoded authorization message".into(),
            why: "it lists the matched statements and the full request context (decoding needs sts:DecodeAuthorizationMessage)".into(),
            commands: vec![format!(
                "aws sts decode-authorization-message --encoded-message {blob} --query DecodedMessage --output text | iamwhy explain -"
            )],
        });
    }
    steps.push(Step {
        check: "Confirm who is calling".into(),
        why: "the wrong profile, role or stale credentials explain many denials".into(),
        commands: vec!["aws sts get-caller-identity".into()],
    });
    let resource_account = o.resource_account.clone().or_else(|| {
        Arn::parse(&resource)
            .map(|a| a.account)
            .filter(|a| iamwhy_policy::is_account_id(a))
            .map(str::to_string)
    });
    let org_commands = |k: PolicyKind, filter: &str, account: Option<&String>| -> Vec<String> {
        let mut c = Vec::new();
        if let Some(arn) = &policy_arn
            && org_policy_kind(arn) == Some(k)
        {
            let id = arn.rsplit('/').next().unwrap_or(arn);
            c.push(format!(
                "aws organizations describe-policy --policy-id {id}"
            ));
        }
        if let Some(a) = account {
            c.push(format!(
                "aws organizations list-policies-for-target --target-id {a} --filter {filter}"
            ));
            c.push(format!("aws organizations list-parents --child-id {a}"));
        }
        c
    };
    let order: Vec<PolicyKind> = match kind {
        Some(k) => std::iter::once(k)
            .chain(UNNAMED_ORDER.into_iter().filter(|x| *x != k))
            .collect(),
        None => UNNAMED_ORDER.to_vec(),
    };
    let trust = action.to_ascii_lowercase().starts_with("sts:assumerole");
    for k in order {
        let step = match k {
            PolicyKind::Identity => Step {
                check: "Identity-based policies of the caller".into(),
                why: "they must allow the action (and must not deny it)".into(),
                commands: identity_commands(&n),
            },
            PolicyKind::Resource => Step {
                check: if trust {
                    "The role's trust policy".into()
                } else {
                    "The resource's policy".into()
                },
                why: if trust {
                    "it must trust the caller, and its conditions (sts:ExternalId, MFA, source identity, tags) must hold".into()
                } else {
                    "trust and KMS key policies must allow explicitly; across accounts every resource policy must".into()
                },
                commands: resource_commands(&resource),
            },
            PolicyKind::Scp => Step {
                check: "Service control policies on the caller's account path".into(),
                why: "every level from the root to the account must allow, and no level may deny; listing them needs the organization's management account or a delegated administrator".into(),
                commands: org_commands(PolicyKind::Scp, "SERVICE_CONTROL_POLICY", n.account.as_ref()),
            },
            PolicyKind::Rcp => Step {
                check: "Resource control policies on the resource owner's path".into(),
                why: "RCPs deny across the organization, also for callers from other accounts; listing them needs the management account or a delegated administrator".into(),
                commands: org_commands(
                    PolicyKind::Rcp,
                    "RESOURCE_CONTROL_POLICY",
                    resource_account.as_ref().or(n.account.as_ref()),
                ),
            },
            PolicyKind::PermissionsBoundary => Step {
                check: "The caller's permissions boundary".into(),
                why: "it caps what identity policies grant".into(),
                commands: match (&n.user, &n.role) {
                    (Some(u), _) => vec![format!("aws iam get-user --user-name {u} --query User.PermissionsBoundary")],
                    (_, Some(r)) => vec![format!("aws iam get-role --role-name {r} --query Role.PermissionsBoundary")],
                    _ => Vec::new(),
                },
            },
            PolicyKind::Session if n.session => Step {
                check: "The session policy the session was created with".into(),
                why: "a session policy passed to AssumeRole (--policy, --policy-arns, or your SDK or SSO tooling) caps the session; no AWS API shows it afterwards".into(),
                commands: Vec::new(),
            },
            PolicyKind::Session => continue,
            PolicyKind::VpcEndpoint => Step {
                check: "The VPC endpoint policy, if the call went through an endpoint".into(),
                why: "endpoint policies are a gate; aws:SourceIp is absent through endpoints".into(),
                commands: vec!["aws ec2 describe-vpc-endpoints --filters Name=vpc-endpoint-type,Values=Gateway,Interface --query 'VpcEndpoints[].{Id:VpcEndpointId,Service:ServiceName,Policy:PolicyDocument}'".into()],
            },
        };
        steps.push(step);
    }
    if !action.is_empty() {
        let source = match (&n.role, &n.user, &n.account) {
            (Some(r), _, Some(a)) => Some(format!("arn:aws:iam::{a}:role/{r}")),
            (_, Some(u), Some(a)) => Some(format!("arn:aws:iam::{a}:user/{u}")),
            _ => None,
        };
        let mut commands = Vec::new();
        if let Some(source) = source {
            let mut cmd = format!(
                "aws iam simulate-principal-policy --policy-source-arn {source} --action-names {action}"
            );
            if !resource.is_empty() && (resource == "*" || !resource.contains(['*', '?'])) {
                cmd.push_str(&format!(" --resource-arns {resource}"));
            }
            commands.push(cmd);
        }
        steps.push(Step {
            check: "Test the fix before applying it".into(),
            why: "AWS's simulator checks identity policies and SCPs, not resource policies it is not given; collect a world (docs/worlds.md) and run iamwhy explain --world with this message to check every layer and get verified fixes".into(),
            commands,
        });
    }
    dedupe_commands(&mut steps);
    Guide { proves, steps }
}

/// Drop every command already shown by an earlier step.
fn dedupe_commands(steps: &mut [Step]) {
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for s in steps {
        s.commands.retain(|c| seen.insert(c.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamwhy_evidence::input::from_message;

    fn all_commands(g: &Guide) -> Vec<&str> {
        g.steps
            .iter()
            .flat_map(|s| s.commands.iter().map(String::as_str))
            .collect()
    }

    #[test]
    fn no_command_is_repeated_or_holds_a_wildcard_name() {
        for text in [
            "User: arn:aws:iam::333333333333:user/bob is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:333333333333:instance/* with an explicit deny in a service control policy",
            "User: arn:aws:sts::1:assumed-role/*/s is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::*",
            "User: arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::2:role/R",
        ] {
            let g = guide(&from_message(text).unwrap());
            let cmds = all_commands(&g);
            let unique: std::collections::HashSet<&&str> = cmds.iter().collect();
            assert_eq!(unique.len(), cmds.len(), "{cmds:#?}");
            for c in &cmds {
                assert!(!c.contains("name *") && !c.contains("--bucket *"), "{c}");
                assert!(!c.contains("...") && !c.contains(" DIR"), "{c}");
            }
        }
    }

    #[test]
    fn the_scp_id_is_shown_under_scps_only() {
        let g = guide(&from_message("User: arn:aws:iam::333333333333:user/bob is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k with an explicit deny in a service control policy: arn:aws:organizations::999999999999:policy/o-a1b2c3d4e5/service_control_policy/p-regionlock").unwrap());
        for s in &g.steps {
            let has = s.commands.iter().any(|c| c.contains("p-regionlock"));
            assert_eq!(has, s.check.starts_with("Service control"), "{}", s.check);
        }
        let scp = g
            .steps
            .iter()
            .find(|s| s.check.starts_with("Service control"))
            .unwrap();
        assert!(
            scp.why
                .contains("management account or a delegated administrator")
        );
    }

    #[test]
    fn a_classic_assume_role_message_does_not_blame_the_trust_policy() {
        let g = guide(&from_message("User: arn:aws:sts::444444444444:assumed-role/CIRunner/b is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/DeployRole").unwrap());
        let text = g.proves.join(" ");
        assert!(
            !text.contains("means the role's trust policy does not allow"),
            "{text}"
        );
        assert!(text.contains("can each have refused"), "{text}");
        let checks: Vec<&str> = g.steps.iter().map(|s| s.check.as_str()).collect();
        for layer in [
            "Identity-based policies",
            "The role's trust policy",
            "Service control",
            "Resource control",
            "permissions boundary",
            "session policy",
        ] {
            assert!(
                checks.iter().any(|c| c.contains(layer)),
                "{layer}: {checks:?}"
            );
        }
    }
}
