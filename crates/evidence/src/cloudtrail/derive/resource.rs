//! The resource the call was made on, and its account.

use super::Derive;
use crate::cloudtrail::service_prefix;
use crate::json::{arn_account, arn_partition, text};
use serde_json::Value;

/// One entry of `resources[]`.
struct Listed {
    arn: String,
    kind: Option<String>,
    account: Option<String>,
}

fn listed_resources(ev: &Value) -> Vec<Listed> {
    let Some(items) = ev.get("resources").and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|r| {
            let arn = text(r, "ARN").or_else(|| text(r, "arn"))?;
            Some(Listed {
                arn: arn.to_string(),
                kind: text(r, "type").map(str::to_string),
                account: text(r, "accountId").map(str::to_string),
            })
        })
        .collect()
}

/// Whether every action that the catalog knows accepts this ARN as one of its resources.
fn fits_actions(actions: &[String], arn: &str) -> bool {
    let cat = iamwhy_catalog::catalog();
    let mut known = false;
    for a in actions {
        if let Some(action) = cat.action(a) {
            known = true;
            if action.resource_types_for_arn(arn).is_empty() {
                return false;
            }
        }
    }
    known
}

pub(super) fn resource(d: &mut Derive) {
    let ev = d.event;
    let listed = listed_resources(ev);
    let network_event = text(ev, "eventType") == Some("AwsVpceEvent")
        || text(ev, "eventCategory") == Some("NetworkActivity");

    // 1. What the error message names; 2. resources[]; 3. requestParameters.
    if let Some(r) = d.o.message.as_ref().and_then(|m| m.resource.clone()) {
        d.note(format!("resource {r} from errorMessage (on resource:)"));
        d.o.resource = Some(r);
    } else if !listed.is_empty() {
        let pick = listed
            .iter()
            .find(|l| fits_actions(&d.o.actions, &l.arn))
            .unwrap_or(&listed[0]);
        d.note(format!(
            "resource {} from resources[]{}",
            pick.arn,
            pick.kind
                .as_deref()
                .map(|k| format!(" ({k})"))
                .unwrap_or_default()
        ));
        d.o.resource = Some(pick.arn.clone());
    } else if let Some((arn, how)) = build_resource(d) {
        d.note(format!("resource {arn} built from {how}"));
        d.o.resource = Some(arn);
    } else if d
        .o
        .actions
        .iter()
        .filter_map(|a| iamwhy_catalog::catalog().action(a))
        .any(|a| a.is_wildcard_only())
    {
        d.o.resource = Some("*".into());
        d.note("resource *: the action takes no resource");
    } else {
        d.note("the resource could not be derived (no errorMessage resource, resources[] or usable requestParameters)");
    }

    // CopyObject-style operations read another object.
    if let Some(src) = ev
        .get("requestParameters")
        .and_then(|p| text(p, "x-amz-copy-source"))
    {
        let src = src.trim_start_matches('/');
        let src = src.split('?').next().unwrap_or(src);
        d.note(format!(
            "s3:GetObject is checked on the copy source arn:aws:s3:::{src}, s3:PutObject on the destination"
        ));
    }

    // The resource account.
    let Some(res) = d.o.resource.clone() else {
        return;
    };
    if let Some(acct) = listed
        .iter()
        .find(|l| l.arn == res)
        .and_then(|l| l.account.clone())
    {
        d.note(format!(
            "resource account {acct} from resources[].accountId"
        ));
        d.o.resource_account = Some(acct);
    } else if let Some(l) = listed
        .iter()
        .find(|l| l.account.is_some() && (res.starts_with(&format!("{}/", l.arn)) || l.arn == res))
    {
        let acct = l.account.clone().unwrap_or_default();
        d.note(format!(
            "resource account {acct} from resources[].accountId of {} (the container)",
            l.arn
        ));
        d.o.resource_account = Some(acct);
    } else if let Some(acct) = arn_account(&res) {
        d.note(format!("resource account {acct} from the resource ARN"));
        d.o.resource_account = Some(acct.to_string());
    } else if network_event {
        d.note("resource account unknown: recipientAccountId of a network-activity event is the VPC endpoint owner, not the resource owner");
    } else if let Some(acct) = text(ev, "recipientAccountId") {
        d.note(format!(
            "resource account {acct} assumed from recipientAccountId (the account whose trail logged the event)"
        ));
        d.o.resource_account = Some(acct.to_string());
    }
}

/// Build a resource ARN from `requestParameters` for the common cases.
fn build_resource(d: &Derive) -> Option<(String, String)> {
    let ev = d.event;
    let params = ev.get("requestParameters").filter(|p| p.is_object())?;
    let prefix = text(ev, "eventSource").map(service_prefix)?;
    let region = text(ev, "awsRegion").unwrap_or("");
    let partition = text(ev.get("userIdentity").unwrap_or(&Value::Null), "arn")
        .and_then(arn_partition)
        .map(str::to_string)
        .unwrap_or_else(|| {
            if region.starts_with("cn-") {
                "aws-cn".into()
            } else if region.starts_with("us-gov-") {
                "aws-us-gov".into()
            } else {
                "aws".into()
            }
        });
    let p = partition.as_str();
    let account = text(ev, "recipientAccountId")
        .or_else(|| ev.get("userIdentity").and_then(|u| text(u, "accountId")))
        .unwrap_or("");
    let as_arn = |v: &str| v.starts_with("arn:").then(|| v.to_string());
    let built = match prefix.as_str() {
        "s3" => {
            let bucket = text(params, "bucketName").or_else(|| text(params, "Bucket"))?;
            let bucket_arn = format!("arn:{p}:s3:::{bucket}");
            match text(params, "key").or_else(|| text(params, "Key")) {
                Some(key) => {
                    let object = format!("{bucket_arn}/{key}");
                    if d.o.actions.is_empty() || fits_actions(&d.o.actions, &object) {
                        Some((object, "requestParameters.bucketName and key"))
                    } else {
                        Some((bucket_arn, "requestParameters.bucketName"))
                    }
                }
                None => Some((bucket_arn, "requestParameters.bucketName")),
            }
        }
        "dynamodb" => text(params, "tableName").map(|t| {
            (
                as_arn(t)
                    .unwrap_or_else(|| format!("arn:{p}:dynamodb:{region}:{account}:table/{t}")),
                "requestParameters.tableName",
            )
        }),
        "lambda" => text(params, "functionName").map(|f| {
            (
                as_arn(f)
                    .unwrap_or_else(|| format!("arn:{p}:lambda:{region}:{account}:function:{f}")),
                "requestParameters.functionName",
            )
        }),
        "sqs" => text(params, "queueUrl").and_then(|url| {
            let path = url.split("://").nth(1)?.split_once('/')?.1;
            let (acct, name) = path.trim_end_matches('/').split_once('/')?;
            Some((
                format!("arn:{p}:sqs:{region}:{acct}:{name}"),
                "requestParameters.queueUrl",
            ))
        }),
        "kms" => text(params, "keyId").map(|k| {
            let arn = as_arn(k).unwrap_or_else(|| {
                if k.starts_with("alias/") {
                    format!("arn:{p}:kms:{region}:{account}:{k}")
                } else {
                    format!("arn:{p}:kms:{region}:{account}:key/{k}")
                }
            });
            (arn, "requestParameters.keyId")
        }),
        "iam" => {
            let pick = [
                ("roleName", "role"),
                ("userName", "user"),
                ("groupName", "group"),
                ("instanceProfileName", "instance-profile"),
            ]
            .iter()
            .find_map(|(field, kind)| text(params, field).map(|n| (*field, *kind, n)));
            match pick {
                Some((_, kind, n)) => Some((
                    format!("arn:{p}:iam::{account}:{kind}/{n}"),
                    "requestParameters (IAM name; the path is not logged)",
                )),
                None => text(params, "policyArn")
                    .map(|a| (a.to_string(), "requestParameters.policyArn")),
            }
        }
        "ec2" => {
            let single = text(params, "instanceId").map(str::to_string).or_else(|| {
                let items = params.get("instancesSet")?.get("items")?.as_array()?;
                match items.as_slice() {
                    [one] => text(one, "instanceId").map(str::to_string),
                    _ => None,
                }
            });
            single.map(|id| {
                (
                    format!("arn:{p}:ec2:{region}:{account}:instance/{id}"),
                    "requestParameters instance ID",
                )
            })
        }
        _ => None,
    };
    if let Some((arn, how)) = built {
        return Some((arn, how.to_string()));
    }
    // Any `...Arn` parameter holding an ARN (sts roleArn, sns topicArn, secretsmanager ...).
    let map = params.as_object()?;
    for (k, v) in map {
        if let Some(s) = v.as_str()
            && k.to_ascii_lowercase().ends_with("arn")
            && s.starts_with("arn:")
        {
            return Some((s.to_string(), format!("requestParameters.{k}")));
        }
    }
    for k in [
        "secretId",
        "SecretId",
        "resourceArn",
        "ResourceArn",
        "resourceARN",
    ] {
        if let Some(s) = text(params, k).filter(|s| s.starts_with("arn:")) {
            return Some((s.to_string(), format!("requestParameters.{k}")));
        }
    }
    None
}
