//! Tags, service-specific keys, CloudTrail Lake context, and what is never logged.

use super::Derive;
use crate::cloudtrail::service_prefix;
use crate::json::{scalar, text};
use serde_json::Value;

/// Tags in the shapes services log them: lists of `{Key, Value}` / `{key, value}`, EC2's
/// `{"items": [...]}`, S3's `{"TagSet": {"Tag": [...]}}`, maps of key → value, and lists of
/// bare keys. A `None` value is a key without a value (untagging).
fn tag_pairs(v: &Value, out: &mut Vec<(String, Option<String>)>) {
    match v {
        Value::Array(items) => {
            for item in items {
                let item = item.get("item").unwrap_or(item);
                match item {
                    Value::String(k) if !k.is_empty() => out.push((k.clone(), None)),
                    Value::Object(_) => {
                        let key = text(item, "Key").or_else(|| text(item, "key"));
                        let value = item
                            .get("Value")
                            .or_else(|| item.get("value"))
                            .and_then(|v| v.as_str().map(str::to_string));
                        if let Some(key) = key {
                            out.push((key.to_string(), value));
                        }
                    }
                    _ => {}
                }
            }
        }
        Value::Object(map) => {
            for wrapper in ["items", "TagSet", "Tag", "tag", "Tags", "tags"] {
                if let Some(inner) = map.get(wrapper) {
                    tag_pairs(inner, out);
                    return;
                }
            }
            if map.contains_key("Key") || map.contains_key("key") {
                tag_pairs(&Value::Array(vec![v.clone()]), out);
                return;
            }
            for (k, v) in map {
                if let Some(s) = v.as_str() {
                    out.push((k.clone(), Some(s.to_string())));
                }
            }
        }
        _ => {}
    }
}

pub(super) fn tags(d: &mut Derive) {
    let Some(params) = d.event.get("requestParameters").filter(|p| p.is_object()) else {
        return;
    };
    let mut pairs = Vec::new();
    let mut from = Vec::new();
    for field in ["tags", "Tags", "tagSet", "TagSet", "tagList", "TagList"] {
        if let Some(v) = params.get(field) {
            let before = pairs.len();
            tag_pairs(v, &mut pairs);
            if pairs.len() > before {
                from.push(field.to_string());
            }
        }
    }
    for field in [
        "tagSpecificationSet",
        "TagSpecifications",
        "tagSpecifications",
    ] {
        if let Some(v) = params.get(field) {
            let specs: Vec<&Value> = match v.get("items") {
                Some(Value::Array(items)) => items.iter().collect(),
                _ => match v {
                    Value::Array(items) => items.iter().collect(),
                    _ => Vec::new(),
                },
            };
            let before = pairs.len();
            for spec in specs {
                for inner in ["tags", "Tags", "tag", "tagSet"] {
                    if let Some(t) = spec.get(inner) {
                        tag_pairs(t, &mut pairs);
                    }
                }
            }
            if pairs.len() > before {
                from.push(field.to_string());
            }
        }
    }
    for field in ["tagKeys", "TagKeys"] {
        if let Some(v) = params.get(field) {
            let before = pairs.len();
            tag_pairs(v, &mut pairs);
            for p in &mut pairs[before..] {
                p.1 = None;
            }
            if pairs.len() > before {
                from.push(field.to_string());
            }
        }
    }
    if pairs.is_empty() {
        return;
    }
    for (k, v) in &pairs {
        if let Some(v) = v {
            d.key(&format!("aws:RequestTag/{k}"), v.clone());
        }
    }
    for (k, _) in &pairs {
        d.key("aws:TagKeys", k.clone());
    }
    d.note(format!(
        "aws:RequestTag/* and aws:TagKeys from requestParameters.{}",
        from.join(", requestParameters.")
    ));
}

/// A few service-specific keys whose request parameter is unambiguous.
pub(super) fn service_keys(d: &mut Derive) {
    let Some(params) = d.event.get("requestParameters").filter(|p| p.is_object()) else {
        return;
    };
    let prefix = text(d.event, "eventSource")
        .map(service_prefix)
        .unwrap_or_default();
    let name = text(d.event, "eventName").unwrap_or("");
    let table: &[(&str, &str)] = match (prefix.as_str(), name) {
        ("s3", "ListObjects" | "ListObjectsV2" | "ListObjectVersions") => &[
            ("prefix", "s3:prefix"),
            ("delimiter", "s3:delimiter"),
            ("max-keys", "s3:max-keys"),
        ],
        ("s3", _) => &[
            ("x-amz-acl", "s3:x-amz-acl"),
            (
                "x-amz-server-side-encryption",
                "s3:x-amz-server-side-encryption",
            ),
            (
                "x-amz-server-side-encryption-aws-kms-key-id",
                "s3:x-amz-server-side-encryption-aws-kms-key-id",
            ),
            ("versionId", "s3:VersionId"),
        ],
        ("ec2", "RunInstances") => &[("instanceType", "ec2:InstanceType")],
        ("sts", "AssumeRole") => &[
            ("roleSessionName", "sts:RoleSessionName"),
            ("externalId", "sts:ExternalId"),
            ("sourceIdentity", "sts:SourceIdentity"),
            ("durationSeconds", "sts:DurationSeconds"),
        ],
        _ => &[],
    };
    let mut derived = Vec::new();
    for (param, key) in table {
        if let Some(v) = params.get(*param).and_then(scalar) {
            d.key(key, v);
            derived.push(format!("{key} from requestParameters.{param}"));
        }
    }
    if !derived.is_empty() {
        d.note(derived.join("; "));
    }
}

/// CloudTrail Lake enriched events carry the evaluated keys and tags in `eventContext`.
pub(super) fn event_context(d: &mut Derive) {
    let Some(ctx) = d.event.get("eventContext").filter(|c| c.is_object()) else {
        return;
    };
    let mut used = false;
    if let Some(Value::Object(rc)) = ctx.get("requestContext") {
        for (k, v) in rc {
            if !k.contains(':') {
                continue;
            }
            let values: Vec<String> = match v {
                Value::Array(items) => items.iter().filter_map(scalar).collect(),
                other => scalar(other).into_iter().collect(),
            };
            if !values.is_empty() {
                d.set(k, values);
                used = true;
            }
        }
    }
    if let Some(tc) = ctx.get("tagContext") {
        if let Some(pt) = tc.get("principalTags") {
            let mut pairs = Vec::new();
            tag_pairs(pt, &mut pairs);
            for (k, v) in pairs {
                if let Some(v) = v {
                    d.key(&format!("aws:PrincipalTag/{k}"), v);
                    used = true;
                }
            }
        }
        if let Some(Value::Array(rts)) = tc.get("resourceTags") {
            let res = d.o.resource.clone();
            for rt in rts {
                let arn = text(rt, "arn").or_else(|| text(rt, "ARN"));
                if arn.is_some() && arn != res.as_deref() {
                    continue;
                }
                let mut pairs = Vec::new();
                if let Some(t) = rt.get("tags") {
                    tag_pairs(t, &mut pairs);
                }
                for (k, v) in pairs {
                    if let Some(v) = v {
                        d.key(&format!("aws:ResourceTag/{k}"), v);
                        used = true;
                    }
                }
            }
        }
    }
    if used {
        d.note("keys from eventContext (CloudTrail Lake enriched event): the values AWS evaluated");
    }
}

pub(super) fn not_logged(d: &mut Derive) {
    if d.o.vpce.is_some() && !d.has("aws:SourceVpc") {
        d.note("aws:SourceVpc is not logged: take it from the endpoint's inventory (or ask)");
    }
    if !d
        .o
        .context
        .iter()
        .any(|(k, _)| k.starts_with("aws:PrincipalTag/"))
        && !d
            .o
            .context
            .iter()
            .any(|(k, _)| k.starts_with("aws:ResourceTag/"))
    {
        d.note("aws:PrincipalTag/* and aws:ResourceTag/* are not logged: they come from the inventory (IAM and resource tags)");
    }
    d.note("organization keys (aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:ResourceOrgID ...) are not logged: they come from the organization inventory");
    if text(d.event, "errorCode") == Some("VpceAccessDenied") {
        let vpce = d.o.vpce.clone().unwrap_or_else(|| "the endpoint".into());
        d.note(format!(
            "VpceAccessDenied: the policy of VPC endpoint {vpce} denied the request"
        ));
    }
}
