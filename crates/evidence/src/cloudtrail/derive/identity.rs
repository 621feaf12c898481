//! Who made the call: `userIdentity` → principal, role, session and principal keys.

use super::Derive;
use crate::json::{arn_account, iso_time, scalar, text};

fn anonymous(d: &mut Derive, why: &str) {
    d.o.principal = Some("anonymous".into());
    d.key("aws:PrincipalType", "Anonymous");
    d.key("aws:userid", "anonymous");
    d.key("aws:PrincipalAccount", "anonymous");
    d.note(format!(
        "principal: anonymous ({why}); aws:PrincipalType, aws:userid and aws:PrincipalAccount are `anonymous`, aws:PrincipalArn is absent"
    ));
}

pub(super) fn identity(d: &mut Derive) {
    let ev = d.event;
    let Some(ui) = ev.get("userIdentity").filter(|u| u.is_object()) else {
        anonymous(d, "the event has no userIdentity");
        via_service(d, None, true);
        return;
    };
    let kind = text(ui, "type").unwrap_or("Unknown");
    let arn = text(ui, "arn");
    if text(ui, "accountId") == Some("ANONYMOUS_PRINCIPAL")
        || kind.eq_ignore_ascii_case("Anonymous")
    {
        anonymous(d, "userIdentity.accountId is ANONYMOUS_PRINCIPAL");
        via_service(d, text(ui, "invokedBy"), true);
        return;
    }
    let account = text(ui, "accountId").or_else(|| arn.and_then(arn_account));
    let pid = text(ui, "principalId");
    let sc = ui.get("sessionContext").filter(|s| s.is_object());
    let issuer = sc.and_then(|s| s.get("sessionIssuer"));
    let issuer_arn = issuer.and_then(|i| text(i, "arn"));
    let key_id = text(ui, "accessKeyId");
    let invoked_by = text(ui, "invokedBy");
    let mut signed = true;

    match kind {
        "IAMUser" => {
            if let Some(arn) = arn {
                d.o.principal = Some(arn.into());
                d.key("aws:PrincipalArn", arn);
            }
            if let Some(pid) = pid {
                d.key("aws:userid", pid);
            }
            let user = text(ui, "userName")
                .map(str::to_string)
                .or_else(|| arn.and_then(|a| a.rsplit('/').next()).map(str::to_string));
            if let Some(user) = user {
                d.key("aws:username", user);
            }
            d.key("aws:PrincipalType", "User");
            d.note("principal and aws:PrincipalArn from userIdentity.arn (IAMUser); aws:userid from principalId; aws:username from userName");
        }
        "AssumedRole" => {
            if let Some(arn) = arn {
                d.o.principal = Some(arn.into());
            }
            let issuer_kind = issuer.and_then(|i| text(i, "type")).unwrap_or("Role");
            match issuer_arn {
                Some(role) if issuer_kind == "Role" => {
                    d.o.role_arn = Some(role.into());
                    d.key("aws:PrincipalArn", role);
                    d.note("principal from userIdentity.arn (the session ARN); role and aws:PrincipalArn from sessionContext.sessionIssuer.arn (the role, with its path)");
                }
                Some(other) => {
                    d.key("aws:PrincipalArn", other);
                    d.note(format!(
                        "principal from userIdentity.arn; the session was issued by a {issuer_kind} ({other}), used as aws:PrincipalArn"
                    ));
                }
                None => {
                    // Without the issuer the role is known by name only, not by path.
                    let role = arn.and_then(|a| {
                        let (head, res) = a.split_once(":assumed-role/")?;
                        let name = res.split('/').next()?;
                        let head = head.replacen(":sts:", ":iam:", 1);
                        Some(format!("{head}:role/{name}"))
                    });
                    if let Some(role) = role {
                        d.key("aws:PrincipalArn", role.clone());
                        d.note(format!(
                            "principal from userIdentity.arn; the event has no sessionContext.sessionIssuer, so aws:PrincipalArn {role} is rebuilt from the session ARN and the role's path is unknown"
                        ));
                    } else {
                        d.note("the event has no sessionContext.sessionIssuer: the role and aws:PrincipalArn are unknown");
                    }
                }
            }
            if let Some(pid) = pid {
                d.key("aws:userid", pid);
            }
            d.key("aws:PrincipalType", "AssumedRole");
        }
        "Role" => {
            if let Some(arn) = arn {
                d.o.principal = Some(arn.into());
                d.o.role_arn = Some(arn.into());
                d.key("aws:PrincipalArn", arn);
            }
            if let Some(pid) = pid {
                d.key("aws:userid", pid);
            }
            d.key("aws:PrincipalType", "AssumedRole");
            d.note("userIdentity type Role (the role itself, rare): principal, role and aws:PrincipalArn from userIdentity.arn; aws:PrincipalType assumed AssumedRole");
        }
        "FederatedUser" => {
            if let Some(arn) = arn {
                d.o.principal = Some(arn.into());
                d.key("aws:PrincipalArn", arn);
            }
            if let Some(pid) = pid {
                d.key("aws:userid", pid);
            }
            d.key("aws:PrincipalType", "FederatedUser");
            let by = issuer_arn.map_or_else(
                || "the issuing IAM user is not logged".to_string(),
                |i| format!("the session was issued by {i} (sessionContext.sessionIssuer), whose policies, intersected with the federation session policy, apply"),
            );
            d.note(format!(
                "principal and aws:PrincipalArn from userIdentity.arn (FederatedUser); aws:userid from principalId; {by}"
            ));
        }
        "Root" => {
            let root = match (arn, account) {
                (Some(a), _) => Some(a.to_string()),
                (None, Some(acct)) => Some(format!("arn:aws:iam::{acct}:root")),
                _ => None,
            };
            if let Some(root) = root {
                d.o.principal = Some(root.clone());
                d.key("aws:PrincipalArn", root);
            }
            if let Some(id) = pid.or(account) {
                d.key("aws:userid", id);
            }
            d.key("aws:PrincipalType", "Account");
            d.note("principal and aws:PrincipalArn: the account root (Root identity); only SCPs and resource policies can restrict it");
        }
        "AWSService" => {
            signed = false;
            let service = invoked_by.filter(|s| s.contains('.'));
            match service {
                Some(s) => {
                    d.o.principal = Some(s.into());
                    d.key("aws:PrincipalIsAWSService", "true");
                    d.key("aws:PrincipalServiceName", s);
                    d.note(format!(
                        "principal: the service principal {s} (userIdentity.invokedBy, AWSService identity); aws:PrincipalArn, aws:userid and aws:PrincipalType do not apply to service principals"
                    ));
                }
                None => d.note(
                    "AWSService identity without an invokedBy service name: the service principal is unknown",
                ),
            }
            d.key("aws:ViaAWSService", "false");
        }
        "AWSAccount" => {
            match pid {
                Some(p) if p.starts_with("AKIA") || p.starts_with("ASIA") => d.note(format!(
                    "the caller is known only by its account and access key {p}: the principal ARN is not logged"
                )),
                Some(p) => {
                    d.key("aws:userid", p);
                    d.note(format!(
                        "the caller is known only by its account and unique ID {p} (aws:userid): the principal ARN is not logged"
                    ));
                }
                None => d.note("the caller is known only by its account: the principal ARN is not logged"),
            }
            if text(ev, "eventType") == Some("AwsVpceEvent")
                || text(ev, "eventCategory") == Some("NetworkActivity")
            {
                d.note("network-activity event (logged to the VPC endpoint owner): the principal may only be an account; find the caller in the account's own trail (same time, same access key)");
            }
        }
        other => {
            if let Some(arn) = arn {
                d.o.principal = Some(arn.into());
            }
            if let Some(pid) = pid {
                d.key("aws:userid", pid);
            }
            if let Some(user) = ui.get("onBehalfOf").and_then(|b| text(b, "userId")) {
                d.key("identitystore:UserId", user);
            }
            d.note(format!(
                "userIdentity type {other}: aws:PrincipalArn and aws:PrincipalType are not derived for it"
            ));
            if matches!(other, "SAMLUser" | "WebIdentityUser") {
                d.note("SAML and web-identity callers are unsigned: only the role trust policy (and RCPs) gate this call");
                signed = false;
            }
        }
    }

    if kind != "AWSService"
        && let Some(acct) = account
    {
        d.key("aws:PrincipalAccount", acct);
    }
    if signed {
        d.key("aws:PrincipalIsAWSService", "false");
    }

    // Temporary credentials: MFA and token issue time.
    let temporary = match key_id {
        Some(k) => k.starts_with("ASIA"),
        None => matches!(kind, "AssumedRole" | "FederatedUser"),
    };
    if temporary {
        let attrs = sc.and_then(|s| s.get("attributes"));
        match attrs.and_then(|a| a.get("mfaAuthenticated")).and_then(scalar) {
            Some(mfa) => {
                d.key("aws:MultiFactorAuthPresent", mfa.to_ascii_lowercase());
            }
            None => d.note("temporary credentials, but sessionContext.attributes.mfaAuthenticated is not logged: aws:MultiFactorAuthPresent is unknown"),
        }
        match attrs.and_then(|a| text(a, "creationDate")) {
            Some(created) => match iso_time(created) {
                Some(iso) => {
                    if iso != created {
                        d.note(format!(
                            "aws:TokenIssueTime {iso} from the basic-form creationDate {created}"
                        ));
                    }
                    d.key("aws:TokenIssueTime", iso);
                }
                None => d.note(format!(
                    "creationDate {created} is not an ISO 8601 time: aws:TokenIssueTime not derived"
                )),
            },
            None => d.note("temporary credentials, but sessionContext.attributes.creationDate is not logged: aws:TokenIssueTime is unknown"),
        }
        d.note(format!(
            "temporary credentials ({}): aws:MultiFactorAuthPresent and aws:TokenIssueTime from sessionContext.attributes",
            key_id.unwrap_or("no accessKeyId, but a session")
        ));
    } else if let Some(k) = key_id.filter(|k| k.starts_with("AKIA")) {
        d.note(format!(
            "long-term access key {k}: aws:MultiFactorAuthPresent and aws:TokenIssueTime are absent"
        ));
    }
    if let Some(si) = sc
        .and_then(|s| text(s, "sourceIdentity"))
        .or_else(|| text(ui, "sourceIdentity"))
    {
        d.key("aws:SourceIdentity", si);
    }
    if let Some(provider) = sc
        .and_then(|s| s.get("webIdFederationData"))
        .and_then(|w| text(w, "federatedProvider"))
    {
        d.key("aws:FederatedProvider", provider);
        d.note("aws:FederatedProvider from sessionContext.webIdFederationData.federatedProvider");
    }
    if let Some(delivery) = sc
        .and_then(|s| s.get("ec2RoleDelivery"))
        .or_else(|| ui.get("ec2RoleDelivery"))
        .and_then(scalar)
    {
        d.key("ec2:RoleDelivery", delivery);
    }
    if sc
        .and_then(|s| s.get("assumedRoot"))
        .and_then(scalar)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        || ui
            .get("assumedRoot")
            .and_then(scalar)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        d.key("aws:AssumedRoot", "true");
    }
    if text(ui, "sessionCredentialFromConsole") == Some("true") {
        d.note("console session (sessionCredentialFromConsole)");
    }
    if kind != "AWSService" {
        via_service(d, invoked_by, true);
    }
}

/// `aws:ViaAWSService` and `aws:CalledVia*` from `invokedBy`; `default_false` sets
/// `aws:ViaAWSService` to false when nothing invoked the call on the caller's behalf.
fn via_service(d: &mut Derive, invoked_by: Option<&str>, default_false: bool) {
    match invoked_by {
        Some(s) if s.ends_with(".amazonaws.com") || s.ends_with(".amazonaws.com.cn") => {
            d.key("aws:ViaAWSService", "true");
            d.key("aws:CalledVia", s);
            d.key("aws:CalledViaFirst", s);
            d.key("aws:CalledViaLast", s);
            d.note(format!(
                "aws:ViaAWSService true and aws:CalledVia [{s}] from userIdentity.invokedBy (AWS sets aws:CalledVia only for the services that support it)"
            ));
        }
        Some(other) => d.note(format!(
            "invokedBy is {other}, not a service principal: aws:ViaAWSService and aws:CalledVia are unknown"
        )),
        None if default_false => d.key("aws:ViaAWSService", "false"),
        None => {}
    }
}
