//! Writing a policy fix into a copy of a world directory, so that the fix can be checked end
//! to end (`iamwhy check` on the edited world) or handed to someone as files.

use crate::fix::Fix;
use iamwhy_world::PolicyOrigin;
use serde_json::Value;
use std::path::Path;

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_json(path: &Path, v: &Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(v).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Every page object of an authorization-details file.
fn pages(v: &mut Value) -> Vec<&mut serde_json::Map<String, Value>> {
    match v {
        Value::Array(items) => items.iter_mut().filter_map(Value::as_object_mut).collect(),
        Value::Object(o) => vec![o],
        _ => Vec::new(),
    }
}

/// Every entry of the list `key` (`UserDetailList`, `Policies`...) across the pages of an
/// authorization-details file.
fn entries<'a>(v: &'a mut Value, key: &'a str) -> impl Iterator<Item = &'a mut Value> + 'a {
    pages(v)
        .into_iter()
        .filter_map(move |page| match page.get_mut(key) {
            Some(Value::Array(items)) => Some(items.iter_mut()),
            _ => None,
        })
        .flatten()
}

/// A file of one account's folder in the world.
fn account_file(dir: &Path, account: &str, name: &str) -> std::path::PathBuf {
    dir.join("accounts").join(account).join(name)
}

/// Write the fix's document into the world at `dir`. Request fixes change no file.
pub fn apply_to_world_dir(dir: &Path, fix: &Fix) -> Result<(), String> {
    if fix.kind == "request" {
        return Ok(());
    }
    let (Some(origin), Some(text)) = (&fix.origin, &fix.document) else {
        return Err("the fix names no policy to edit".into());
    };
    let doc: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    match origin {
        PolicyOrigin::Inline {
            entity,
            entity_name,
            policy_name,
            account,
        } => {
            let path = account_file(dir, account, "authorization-details.json");
            let mut v = read_json(&path)?;
            let (list, name_key, policies) = match *entity {
                "user" => ("UserDetailList", "UserName", "UserPolicyList"),
                "group" => ("GroupDetailList", "GroupName", "GroupPolicyList"),
                _ => ("RoleDetailList", "RoleName", "RolePolicyList"),
            };
            let mut done = false;
            for e in entries(&mut v, list) {
                if e.get(name_key).and_then(Value::as_str) != Some(entity_name.as_str()) {
                    continue;
                }
                let obj = e.as_object_mut().ok_or("entity is not an object")?;
                let list = obj
                    .entry(policies)
                    .or_insert_with(|| Value::Array(Vec::new()));
                let Value::Array(list) = list else {
                    return Err(format!("{policies} is not a list"));
                };
                match list.iter_mut().find(|p| {
                    p.get("PolicyName").and_then(Value::as_str) == Some(policy_name.as_str())
                }) {
                    Some(p) => p["PolicyDocument"] = doc.clone(),
                    None if fix.new_policy => list.push(
                        serde_json::json!({"PolicyName": policy_name, "PolicyDocument": doc}),
                    ),
                    None => {
                        return Err(format!(
                            "{entity} {entity_name} has no inline policy {policy_name}"
                        ));
                    }
                }
                done = true;
            }
            if !done {
                return Err(format!(
                    "{entity} {entity_name} is not in {}",
                    path.display()
                ));
            }
            write_json(&path, &v)
        }
        PolicyOrigin::Managed { arn, account } => {
            let path = account_file(dir, account, "authorization-details.json");
            let mut v = read_json(&path)?;
            for p in entries(&mut v, "Policies") {
                if p.get("Arn").and_then(Value::as_str) != Some(arn.as_str()) {
                    continue;
                }
                if let Some(Value::Array(versions)) = p.get_mut("PolicyVersionList") {
                    for ver in versions.iter_mut() {
                        if ver.get("IsDefaultVersion") == Some(&Value::Bool(true)) {
                            ver["Document"] = doc.clone();
                        }
                    }
                }
            }
            write_json(&path, &v)
        }
        PolicyOrigin::Trust { role_name, account } => {
            let path = account_file(dir, account, "authorization-details.json");
            let mut v = read_json(&path)?;
            for r in entries(&mut v, "RoleDetailList") {
                if r.get("RoleName").and_then(Value::as_str) == Some(role_name.as_str()) {
                    r["AssumeRolePolicyDocument"] = doc.clone();
                }
            }
            write_json(&path, &v)
        }
        PolicyOrigin::Resource { arn, account } => {
            let path = account_file(dir, account, "resource-policies.json");
            let mut v = read_json(&path)?;
            let Value::Array(entries) = &mut v else {
                return Err("resource-policies.json is not a list".into());
            };
            for e in entries.iter_mut() {
                if e.get("arn").and_then(Value::as_str) == Some(arn.as_str()) {
                    e["policy"] = doc.clone();
                }
            }
            write_json(&path, &v)
        }
        PolicyOrigin::Organization { policy_id, .. } => {
            let path = dir.join("organization.json");
            let mut v = read_json(&path)?;
            v["policies"][policy_id.as_str()]["content"] = doc;
            write_json(&path, &v)
        }
        PolicyOrigin::Endpoint { id } => {
            let accounts = dir.join("accounts");
            for entry in std::fs::read_dir(&accounts)
                .map_err(|e| e.to_string())?
                .flatten()
            {
                let path = entry.path().join("vpc-endpoints.json");
                if !path.exists() {
                    continue;
                }
                let mut v = read_json(&path)?;
                let mut changed = false;
                if let Some(Value::Array(eps)) = v.get_mut("VpcEndpoints") {
                    for e in eps.iter_mut() {
                        if e.get("VpcEndpointId").and_then(Value::as_str) == Some(id.as_str()) {
                            e["PolicyDocument"] = Value::String(text.clone());
                            changed = true;
                        }
                    }
                }
                if changed {
                    write_json(&path, &v)?;
                }
            }
            Ok(())
        }
    }
}
