//! Security findings that ask the engine: which statements grant `*` on `*`, `iam:PassRole`
//! or `iam:CreateServiceLinkedRole` broadly, which privilege-escalation paths a policy opens,
//! and which resource or trust policy statements apply to anyone (the statement's principal
//! and restricting conditions evaluated for an anonymous caller and for a caller from an
//! unrelated account).

use super::{ActionInfo, Ctx, StatementFacts, label};
use iamwhy_engine::{PrincipalMatch, Tri};
use iamwhy_policy::PolicyType;
use iamwhy_policy::action::ActionPattern;
use iamwhy_policy::document::{Effect, Statement};

/// Actions from unrelated services: a statement that grants all of them on `*` grants
/// everything.
const EVERYTHING: &[&str] = &[
    "iam:CreateUser",
    "s3:DeleteBucket",
    "ec2:TerminateInstances",
    "kms:ScheduleKeyDeletion",
    "organizations:LeaveOrganization",
    "cloudtrail:StopLogging",
    "rds:DeleteDBInstance",
    "dynamodb:DeleteTable",
];

/// The well-known ways to raise one's own permissions with IAM and services that run code
/// under a passed role. Each path needs all its actions.
const ESCALATION_PATHS: &[(&str, &[&str])] = &[
    (
        "create a new version of a managed policy",
        &["iam:CreatePolicyVersion"],
    ),
    (
        "make an older policy version the default",
        &["iam:SetDefaultPolicyVersion"],
    ),
    (
        "attach a managed policy to a user",
        &["iam:AttachUserPolicy"],
    ),
    (
        "attach a managed policy to a group",
        &["iam:AttachGroupPolicy"],
    ),
    (
        "attach a managed policy to a role",
        &["iam:AttachRolePolicy"],
    ),
    ("write a user's inline policy", &["iam:PutUserPolicy"]),
    ("write a group's inline policy", &["iam:PutGroupPolicy"]),
    ("write a role's inline policy", &["iam:PutRolePolicy"]),
    (
        "create access keys for another user",
        &["iam:CreateAccessKey"],
    ),
    (
        "give a user a console password",
        &["iam:CreateLoginProfile"],
    ),
    (
        "change a user's console password",
        &["iam:UpdateLoginProfile"],
    ),
    (
        "add a user to a more privileged group",
        &["iam:AddUserToGroup"],
    ),
    (
        "rewrite a role's trust policy and assume it",
        &["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
    ),
    (
        "remove a role's permissions boundary",
        &["iam:DeleteRolePermissionsBoundary"],
    ),
    (
        "remove a user's permissions boundary",
        &["iam:DeleteUserPermissionsBoundary"],
    ),
    (
        "replace a role's permissions boundary",
        &["iam:PutRolePermissionsBoundary"],
    ),
    (
        "replace a user's permissions boundary",
        &["iam:PutUserPermissionsBoundary"],
    ),
    (
        "run an EC2 instance with a passed role",
        &["iam:PassRole", "ec2:RunInstances"],
    ),
    (
        "create and invoke a Lambda function with a passed role",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
        ],
    ),
    (
        "create a Lambda function with a passed role and trigger it",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:CreateEventSourceMapping",
        ],
    ),
    (
        "replace the code of a Lambda function that runs with another role",
        &["lambda:UpdateFunctionCode"],
    ),
    (
        "create a Glue development endpoint with a passed role",
        &["iam:PassRole", "glue:CreateDevEndpoint"],
    ),
    (
        "take over a Glue development endpoint",
        &["glue:UpdateDevEndpoint"],
    ),
    (
        "create a CloudFormation stack with a passed role",
        &["iam:PassRole", "cloudformation:CreateStack"],
    ),
    (
        "run a Data Pipeline with a passed role",
        &[
            "iam:PassRole",
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
        ],
    ),
    (
        "run a CodeBuild project with a passed role",
        &[
            "iam:PassRole",
            "codebuild:CreateProject",
            "codebuild:StartBuild",
        ],
    ),
    (
        "open a SageMaker notebook with a passed role",
        &[
            "iam:PassRole",
            "sagemaker:CreateNotebookInstance",
            "sagemaker:CreatePresignedNotebookInstanceUrl",
        ],
    ),
];

/// Condition keys that restrict *who* (or from where) can use a grant. Conditions on other
/// keys (the time, TLS, the user agent, request parameters) an outside caller can satisfy,
/// so the public-access check sets them aside.
const RESTRICTING_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principaltype",
    "aws:principalservicename",
    "aws:principalservicenameslist",
    "aws:principalisawsservice",
    "aws:userid",
    "aws:username",
    "aws:sourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourcevpcarn",
    "aws:vpcsourceip",
    "aws:vpceaccount",
    "aws:vpceorgid",
    "aws:vpceorgpaths",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
    "aws:viaawsservice",
    "aws:federatedprovider",
    "kms:calleraccount",
    "kms:viaservice",
];

fn restricting(key_lower: &str) -> bool {
    RESTRICTING_KEYS.contains(&key_lower)
        || key_lower.starts_with("aws:principaltag/")
        // Identity-provider claims in trust policies (`accounts.google.com:sub`, `saml:aud`).
        || key_lower.split(':').next().is_some_and(|p| p.contains('.') || p == "saml")
}

fn grants_identity(ty: PolicyType) -> bool {
    matches!(ty, PolicyType::Identity | PolicyType::Session)
}

pub(super) fn statement(ctx: &mut Ctx<'_>, s: &Statement, _facts: &StatementFacts) {
    if s.effect.value != Effect::Allow {
        return;
    }
    let ty = ctx.ty;
    if matches!(
        ty,
        PolicyType::Identity | PolicyType::Session | PolicyType::Resource
    ) {
        if s.action.negated {
            ctx.push(
                "IAMWHY_ALLOW_WITH_NOT_ACTION",
                s.action.key_span,
                Some(s.index),
                format!("{} allows every action except those listed, including actions of services added later", label(s)),
                Some("list the actions to allow in Action (this narrows access)".to_string()),
            );
        }
        if let Some(r) = &s.resource
            && r.negated
        {
            ctx.push(
                "IAMWHY_ALLOW_WITH_NOT_RESOURCE",
                r.key_span,
                Some(s.index),
                format!("{} allows its actions on every resource except those listed, including resources created later", label(s)),
                Some("list the resources to allow in Resource (this narrows access)".to_string()),
            );
        }
        allow_all(ctx, s);
    }
    if grants_identity(ty) {
        broad_action(ctx, s, "iam:PassRole", "iam:PassedToService", "PASS_ROLE");
        broad_action(
            ctx,
            s,
            "iam:CreateServiceLinkedRole",
            "iam:AWSServiceName",
            "CREATE_SLR",
        );
    }
    if matches!(ty, PolicyType::Resource | PolicyType::Trust) {
        public(ctx, s);
    }
}

/// Whether the statement's resources are all resources: `*` among them, or NotResource.
fn all_resources(s: &Statement) -> bool {
    match &s.resource {
        Some(r) => r.negated || r.values.iter().any(|v| v.value == "*"),
        None => false,
    }
}

fn allow_all(ctx: &mut Ctx<'_>, s: &Statement) {
    let cs = &ctx.compiled.statements[s.index];
    let everything = EVERYTHING
        .iter()
        .all(|a| cs.action_matches(ctx.idx.probe(a)));
    if !everything || !all_resources(s) {
        return;
    }
    let span = s
        .action
        .values
        .iter()
        .find(|v| v.value == "*")
        .map(|v| v.span)
        .unwrap_or(s.action.key_span);
    let conditioned = s.condition.as_ref().is_some_and(|c| !c.blocks.is_empty());
    ctx.push(
        "IAMWHY_ALLOW_ALL",
        span,
        Some(s.index),
        format!(
            "{} allows every action on every resource{}: full administrator access",
            label(s),
            if conditioned {
                " (when its Condition holds)"
            } else {
                ""
            }
        ),
        Some(
            "list the actions and resources the principal needs (this narrows access)".to_string(),
        ),
    );
}

/// PASS_ROLE_* and CREATE_SLR_*: the action granted through a wildcard or NotAction, on a
/// resource wildcard or NotResource, without the condition that scopes it.
fn broad_action(ctx: &mut Ctx<'_>, s: &Statement, action: &str, scoping_key: &str, family: &str) {
    let cs = &ctx.compiled.statements[s.index];
    if !cs.action_matches(ctx.idx.probe(action)) {
        return;
    }
    let scoped = s
        .condition
        .iter()
        .flat_map(|c| c.blocks.iter())
        .flat_map(|b| b.entries.iter())
        .any(|e| e.key.value.eq_ignore_ascii_case(scoping_key));
    if scoped {
        return;
    }
    let Some(r) = &s.resource else { return };
    let (service, name) = action.split_once(':').unwrap_or(("", ""));
    let (service, name) = (service.to_ascii_lowercase(), name.to_ascii_lowercase());
    let granting = s
        .action
        .values
        .iter()
        .find(|v| ActionPattern::parse(&v.value).matches(&service, &name));
    let action_form = if s.action.negated {
        "NOT_ACTION"
    } else if granting.is_some_and(|v| v.value.contains(['*', '?'])) {
        "STAR_ACTION"
    } else {
        "PLAIN"
    };
    let resource_form = if r.negated {
        "NOT_RESOURCE"
    } else if r.values.iter().any(|v| {
        v.value.contains('*')
            && crate::arnmatch::policy_arn(&v.value, ctx.variables)
                .map(|arn| crate::arnmatch::arn_overlaps(&arn, &ctx.idx.role_template))
                .unwrap_or(v.value == "*")
    }) {
        "STAR_RESOURCE"
    } else {
        return;
    };
    let suffix = match (action_form, resource_form) {
        ("PLAIN", "STAR_RESOURCE") => "WITH_STAR_IN_RESOURCE",
        ("STAR_ACTION", "STAR_RESOURCE") => "WITH_STAR_IN_ACTION_AND_RESOURCE",
        ("NOT_ACTION", "STAR_RESOURCE") => "WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
        ("PLAIN", _) => "WITH_NOT_RESOURCE",
        ("STAR_ACTION", _) => "WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
        _ => "WITH_NOT_ACTION_AND_NOT_RESOURCE",
    };
    let code = crate::rules::must_dynamic(&format!("{family}_{suffix}"));
    let span = match granting {
        Some(v) if !s.action.negated => v.span,
        _ => s.action.key_span,
    };
    let (what, fix) = if family == "PASS_ROLE" {
        (
            "pass any matching role to any service, which then acts with that role's permissions",
            format!(
                "name the roles in Resource, or add a condition on {scoping_key} (this narrows access)"
            ),
        )
    } else {
        (
            "create service-linked roles for any service",
            format!(
                "name the service-linked roles in Resource, or add a condition on {scoping_key} (this narrows access)"
            ),
        )
    };
    ctx.push(
        code,
        span,
        Some(s.index),
        format!(
            "{} allows {action} on a resource wildcard or NotResource: the principal can {what}",
            label(s)
        ),
        Some(fix),
    );
}

/// IAMWHY_PUBLIC_ACCESS: the statement's principal matches an anonymous caller or one from an
/// unrelated account, and its restricting conditions hold for them.
fn public(ctx: &mut Ctx<'_>, s: &Statement) {
    let Some(p) = &s.principal else { return };
    if p.negated {
        return;
    }
    let cs = &ctx.compiled.statements[s.index];
    let Some(principal) = &cs.principal else {
        return;
    };
    let callers = [&ctx.idx.anonymous, &ctx.idx.outsider];
    let open_to = callers.iter().find(|(who, context)| {
        if principal.best_match(who) == PrincipalMatch::NoMatch {
            return false;
        }
        let mut outcome = Tri::True;
        for c in cs.conditions.iter().filter(|c| restricting(c.key_lower())) {
            outcome = outcome.and(c.evaluate(context, false).0);
        }
        outcome == Tri::True
    });
    let Some((who, _)) = open_to else { return };
    let anyone = if who.kind == iamwhy_engine::PrincipalKind::Anonymous {
        "anyone, including unauthenticated callers"
    } else {
        "any AWS account"
    };
    let set_aside = cs.conditions.iter().any(|c| !restricting(c.key_lower()));
    ctx.push(
        "IAMWHY_PUBLIC_ACCESS",
        p.span,
        Some(s.index),
        format!(
            "{} grants to {anyone}{}",
            label(s),
            if set_aside {
                ": its conditions do not limit who the caller is (an outside caller can meet them)"
            } else {
                ", with no condition limiting who the caller is"
            }
        ),
        Some("add a condition on aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceVpce or aws:SourceArn, or name the principals (this narrows access)".to_string()),
    );
}

/// IAMWHY_PRIVILEGE_ESCALATION, over all Allow statements of an identity policy.
pub(super) fn document(ctx: &mut Ctx<'_>, facts: &[StatementFacts]) {
    if !grants_identity(ctx.ty) {
        return;
    }
    if ctx.out.iter().any(|f| f.rule.code == "IAMWHY_ALLOW_ALL") {
        return;
    }
    let doc = ctx.doc;
    let grants = |action: &str| -> Option<usize> {
        let probe = ctx.idx.probe(action);
        let denied = doc.statements().iter().any(|s| {
            s.effect.value == Effect::Deny
                && s.condition.as_ref().is_none_or(|c| c.blocks.is_empty())
                && all_resources(s)
                && ctx.compiled.statements[s.index].action_matches(probe)
        });
        if denied {
            return None;
        }
        doc.statements().iter().position(|s| {
            s.effect.value == Effect::Allow
                && s.resource
                    .as_ref()
                    .is_some_and(|r| r.negated || !r.values.is_empty())
                && ctx.compiled.statements[s.index].action_matches(probe)
        })
    };
    let mut found: Vec<&str> = Vec::new();
    let mut first: Option<(usize, &str)> = None;
    for (what, actions) in ESCALATION_PATHS {
        let hits: Option<Vec<usize>> = actions.iter().map(|a| grants(a)).collect();
        if let Some(hits) = hits {
            found.push(what);
            if first.is_none() {
                first = Some((hits[0], actions[0]));
            }
        }
    }
    let Some((stmt, action)) = first else { return };
    let s = &doc.statements()[stmt];
    let (service, name) = action.split_once(':').unwrap_or(("", ""));
    let (service, name) = (service.to_ascii_lowercase(), name.to_ascii_lowercase());
    let span = s
        .action
        .values
        .iter()
        .zip(&facts[stmt].actions)
        .find(|(v, info)| {
            !matches!(info, ActionInfo::Unknown)
                && ActionPattern::parse(&v.value).matches(&service, &name)
        })
        .map(|(v, _)| v.span)
        .unwrap_or(s.action.key_span);
    let list: Vec<String> = found.iter().map(|w| w.to_string()).collect();
    ctx.push(
        "IAMWHY_PRIVILEGE_ESCALATION",
        span,
        Some(stmt),
        format!(
            "the policy lets its principal raise its own permissions: {}",
            list.join("; ")
        ),
        Some("grant these actions only to administrators, or limit them to specific resources and guard them with a permissions boundary".to_string()),
    );
}
