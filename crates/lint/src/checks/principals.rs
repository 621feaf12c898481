//! `Principal` / `NotPrincipal`: value formats, federation (OIDC and SAML trust without the
//! conditions that pin the audience and subject), service principals without a source
//! condition, redundant sessions, and accounts outside the organization.

use super::{Ctx, label};
use iamwhy_policy::PolicyType;
use iamwhy_policy::document::{
    Effect, PrincipalEntry, PrincipalType, PrincipalValue, Spanned, Statement,
};
use iamwhy_policy::validate::is_account_id;

/// The GitHub Actions OIDC provider.
const GITHUB: &str = "token.actions.githubusercontent.com";

pub(super) fn statement(ctx: &mut Ctx<'_>, s: &Statement) {
    let Some(p) = &s.principal else { return };
    let entries: &[PrincipalEntry] = match &p.value {
        PrincipalValue::Map(entries) => entries,
        _ => &[],
    };
    if let PrincipalValue::Map(entries) = &p.value
        && entries.is_empty()
    {
        ctx.push(
            "EMPTY_OBJECT_PRINCIPAL",
            p.span,
            Some(s.index),
            format!(
                "{}: the principal object is empty, so the statement applies to nobody",
                label(s)
            ),
            Some("name the principals, or remove the statement".to_string()),
        );
    }
    for e in entries {
        if e.values.is_empty() {
            ctx.push(
                "EMPTY_ARRAY_PRINCIPAL",
                e.key_span,
                Some(s.index),
                format!("{}: \"{}\" is an empty list", label(s), e.kind.as_str()),
                Some("list the principals, or remove the key".to_string()),
            );
        }
        for v in &e.values {
            match e.kind {
                PrincipalType::Service => service_format(ctx, s, v),
                PrincipalType::Federated => federated_format(ctx, s, v),
                _ => {}
            }
        }
    }
    if p.negated {
        return;
    }
    if ctx.ty == PolicyType::Trust {
        federation(ctx, s, entries);
        redundant_sessions(ctx, s, entries);
    }
    if ctx.ty == PolicyType::Resource && s.effect.value == Effect::Allow {
        service_source(ctx, s, entries);
    }
    if s.effect.value == Effect::Allow {
        external_accounts(ctx, s, entries);
    }
}

fn is_dns_name(text: &str) -> bool {
    let labels: Vec<&str> = text.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

fn service_format(ctx: &mut Ctx<'_>, s: &Statement, v: &Spanned<String>) {
    let text = v.value.as_str();
    if text == "*" || is_dns_name(text) {
        return;
    }
    ctx.push(
        "INVALID_SERVICE_PRINCIPAL_FORMAT",
        v.span,
        Some(s.index),
        format!("\"{text}\" is not a service principal (a lower-case service name such as lambda.amazonaws.com), so it matches no caller"),
        None,
    );
}

/// A federated principal: a SAML provider ARN, an OIDC provider ARN, or a provider's domain.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Provider {
    Saml,
    /// The OIDC provider as its condition keys are prefixed (`host/path`).
    Oidc(String),
}

fn provider(text: &str) -> Option<Provider> {
    if text.starts_with("arn:") {
        let fields: Vec<&str> = text.splitn(6, ':').collect();
        if fields.len() != 6 || fields[2] != "iam" || !is_account_id(fields[4]) {
            return None;
        }
        let resource = fields[5];
        if let Some(name) = resource.strip_prefix("saml-provider/") {
            return (!name.is_empty()).then_some(Provider::Saml);
        }
        if let Some(url) = resource.strip_prefix("oidc-provider/") {
            return (!url.is_empty()).then(|| Provider::Oidc(url.to_string()));
        }
        return None;
    }
    let host = text.split('/').next().unwrap_or("");
    is_dns_name(host).then(|| Provider::Oidc(text.to_string()))
}

fn federated_format(ctx: &mut Ctx<'_>, s: &Statement, v: &Spanned<String>) {
    if provider(&v.value).is_some() {
        return;
    }
    ctx.push(
        "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY",
        v.span,
        Some(s.index),
        format!(
            "\"{}\" is neither an identity provider's domain (accounts.google.com) nor a provider ARN (arn:aws:iam::ACCOUNT:saml-provider/NAME, ...:oidc-provider/HOST)",
            v.value
        ),
        None,
    );
}

/// The condition keys of the statement, with their values.
fn condition_keys(s: &Statement) -> Vec<(&Spanned<String>, Vec<&str>)> {
    s.condition
        .iter()
        .flat_map(|c| c.blocks.iter())
        .flat_map(|b| b.entries.iter())
        .map(|e| (&e.key, e.values.iter().map(|v| v.value.as_str()).collect()))
        .collect()
}

/// Trust policies for identity providers: the action must fit the provider, and the
/// conditions must pin who the token was issued to.
fn federation(ctx: &mut Ctx<'_>, s: &Statement, entries: &[PrincipalEntry]) {
    let mut providers = Vec::new();
    let mut others = false;
    for e in entries {
        for v in &e.values {
            match (e.kind, provider(&v.value)) {
                (PrincipalType::Federated, Some(p)) => providers.push((p, v)),
                (PrincipalType::Federated, None) => {}
                _ => others = true,
            }
        }
    }
    // Actions that need a given kind of principal.
    for a in &s.action.values {
        if s.action.negated {
            break;
        }
        let lower = a.value.to_ascii_lowercase();
        let needs = match lower.as_str() {
            "sts:assumerolewithsaml" => {
                "a SAML provider (Federated: arn:aws:iam::ACCOUNT:saml-provider/NAME)"
            }
            "sts:assumerolewithwebidentity" => {
                "an OIDC provider (Federated: its domain or arn:aws:iam::ACCOUNT:oidc-provider/HOST)"
            }
            _ => continue,
        };
        let saml = lower.ends_with("saml");
        let fits = providers
            .iter()
            .any(|(p, _)| matches!(p, Provider::Saml) == saml);
        if !fits && (others || !providers.is_empty()) {
            ctx.push(
                "MISMATCHED_ACTION_FOR_PRINCIPAL",
                a.span,
                Some(s.index),
                format!("\"{}\" is only called with {needs}; {} names none, so this grant never applies", a.value, label(s)),
                None,
            );
        }
    }
    if s.effect.value != Effect::Allow {
        return;
    }
    let keys = condition_keys(s);
    for (p, v) in &providers {
        match p {
            Provider::Saml => {
                if !keys
                    .iter()
                    .any(|(k, _)| k.value.eq_ignore_ascii_case("SAML:aud"))
                {
                    ctx.push(
                        "IAMWHY_SAML_TRUST_WITHOUT_AUDIENCE",
                        v.span,
                        Some(s.index),
                        format!("{} trusts the SAML provider without a SAML:aud condition, so an assertion issued for any recipient can assume the role", label(s)),
                        Some("add \"Condition\": {\"StringEquals\": {\"SAML:aud\": \"https://signin.aws.amazon.com/saml\"}} (this narrows who can assume the role)".to_string()),
                    );
                }
            }
            Provider::Oidc(url) => {
                let prefix = format!("{}:", url.to_ascii_lowercase());
                let own: Vec<&(&Spanned<String>, Vec<&str>)> = keys
                    .iter()
                    .filter(|(k, _)| k.value.to_ascii_lowercase().starts_with(&prefix))
                    .collect();
                let github = url.eq_ignore_ascii_case(GITHUB);
                if github {
                    let subs: Vec<&&(&Spanned<String>, Vec<&str>)> = own
                        .iter()
                        .filter(|(k, _)| k.value.to_ascii_lowercase() == format!("{GITHUB}:sub"))
                        .collect();
                    let pinned = subs
                        .iter()
                        .any(|(_, vals)| vals.iter().any(|x| *x != "*" && !x.is_empty()));
                    if !pinned {
                        ctx.push(
                            "MISSING_GITHUB_REPO_CONDITION_KEY",
                            v.span,
                            Some(s.index),
                            format!("{} trusts GitHub Actions without a {GITHUB}:sub condition naming a repository, so a workflow of any GitHub repository can assume the role", label(s)),
                            Some(format!("add \"StringLike\": {{\"{GITHUB}:sub\": \"repo:ORG/REPO:ref:refs/heads/main\"}} and \"StringEquals\": {{\"{GITHUB}:aud\": \"sts.amazonaws.com\"}} (this narrows who can assume the role)")),
                        );
                    }
                    for (k, vals) in &subs {
                        if vals.iter().any(|x| *x != "*" && x.contains(['*', '?'])) {
                            ctx.push(
                                "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED",
                                k.span,
                                Some(s.index),
                                format!("the wildcard in {GITHUB}:sub lets more repositories, branches or environments assume the role than one"),
                                Some("name the repository and the branch or environment: repo:ORG/REPO:ref:refs/heads/main".to_string()),
                            );
                        }
                    }
                } else if own.is_empty() {
                    ctx.push(
                        "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL",
                        v.span,
                        Some(s.index),
                        format!("{} trusts the OIDC provider {url} without a condition on its keys ({url}:aud, {url}:sub), so a token the provider issued to any application or user can assume the role", label(s)),
                        Some(format!("add conditions on {url}:aud (your application) and {url}:sub (the user or workload) (this narrows who can assume the role)")),
                    );
                }
            }
        }
    }
}

/// REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY: a role session listed beside its role.
fn redundant_sessions(ctx: &mut Ctx<'_>, s: &Statement, entries: &[PrincipalEntry]) {
    let aws: Vec<&Spanned<String>> = entries
        .iter()
        .filter(|e| e.kind == PrincipalType::Aws)
        .flat_map(|e| e.values.iter())
        .collect();
    let roles: Vec<(String, String)> = aws
        .iter()
        .filter_map(|v| {
            let f: Vec<&str> = v.value.splitn(6, ':').collect();
            if f.len() != 6 || f[2] != "iam" {
                return None;
            }
            let name = f[5].strip_prefix("role/")?.rsplit('/').next()?;
            Some((f[4].to_string(), name.to_string()))
        })
        .collect();
    for v in &aws {
        let f: Vec<&str> = v.value.splitn(6, ':').collect();
        if f.len() != 6 || f[2] != "sts" {
            continue;
        }
        let Some(rest) = f[5].strip_prefix("assumed-role/") else {
            continue;
        };
        let role = rest.split('/').next().unwrap_or("");
        if roles
            .iter()
            .any(|(acct, name)| acct == f[4] && name == role)
        {
            ctx.push(
                "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY",
                v.span,
                Some(s.index),
                format!("\"{}\" is a session of a role the statement already names, which covers all its sessions", v.value),
                Some(format!("remove \"{}\"", v.value)),
            );
        }
    }
}

/// RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL: a service may act for anyone's resources unless a
/// source condition says whose.
fn service_source(ctx: &mut Ctx<'_>, s: &Statement, entries: &[PrincipalEntry]) {
    let Some(e) = entries
        .iter()
        .find(|e| e.kind == PrincipalType::Service && !e.values.is_empty())
    else {
        return;
    };
    let keys = condition_keys(s);
    let restricted = keys.iter().any(|(k, _)| {
        [
            "aws:SourceArn",
            "aws:SourceAccount",
            "aws:SourceOrgID",
            "aws:SourceOrgPaths",
        ]
        .iter()
        .any(|x| k.value.eq_ignore_ascii_case(x))
    });
    if !restricted {
        ctx.push(
            "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL",
            e.key_span,
            Some(s.index),
            format!("{} grants to a service principal without aws:SourceArn or aws:SourceAccount, so the service can use the grant on behalf of any account's resources (the confused deputy problem)", label(s)),
            Some("add \"Condition\": {\"StringEquals\": {\"aws:SourceAccount\": \"YOUR-ACCOUNT\"}} or an ArnLike on aws:SourceArn (this narrows access)".to_string()),
        );
    }
}

/// IAMWHY_EXTERNAL_ACCOUNT_ACCESS: with the organization's accounts known, a grant naming any
/// other account.
fn external_accounts(ctx: &mut Ctx<'_>, s: &Statement, entries: &[PrincipalEntry]) {
    let Some(known) = ctx.pc.known_accounts else {
        return;
    };
    for e in entries.iter().filter(|e| e.kind == PrincipalType::Aws) {
        for v in &e.values {
            let account = if is_account_id(&v.value) {
                Some(v.value.as_str())
            } else {
                let f: Vec<&str> = v.value.splitn(6, ':').collect();
                (f.len() == 6 && f[0] == "arn" && is_account_id(f[4])).then(|| f[4])
            };
            if let Some(account) = account
                && !known.contains(account)
            {
                ctx.push(
                    "IAMWHY_EXTERNAL_ACCOUNT_ACCESS",
                    v.span,
                    Some(s.index),
                    format!("{} grants to account {account}, which is not in the organization", label(s)),
                    Some("check that the account is meant to have this access; if it is, suppress the finding for this statement in the lint config".to_string()),
                );
            }
        }
    }
}
