//! Every policy of a world (docs/worlds.md), each with its type and its place in its file:
//! identity policies (users', groups' and roles' inline policies, customer managed policies'
//! default versions), role trust policies, resource policies, VPC endpoint policies, and the
//! SCPs and RCPs of `organization.json`. The files are read through iamwhy-world's
//! [`iamwhy_world::WorldFiles`] and walked as JSON with byte spans, so each
//! finding points into the file on disk. AWS managed policies in a snapshot are not linted
//! (they are AWS's to fix).

use crate::resource_types::resource_type_for_arn;
use crate::source::{PolicySource, SourceFile, input_error};
use iamwhy_diagnostic::Diagnostic;
use iamwhy_diagnostic::{LineIndex, Span};
use iamwhy_policy::PolicyType;
use iamwhy_world::{DirFiles, WorldFiles};
use jsonc_parser::ast::{Object, Value};
use jsonc_parser::common::Ranged;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

/// The policies of a world and the accounts it knows.
#[derive(Debug, Default)]
pub struct WorldPolicies {
    /// Every policy found, in file order.
    pub sources: Vec<PolicySource>,
    /// Files or values that could not be read.
    pub errors: Vec<Diagnostic>,
    /// The world's accounts (its account directories and the organization's accounts).
    pub accounts: BTreeSet<String>,
}

/// Find every policy of the world at `dir`.
pub fn world_policies(dir: &Path) -> WorldPolicies {
    let files = DirFiles(dir.to_path_buf());
    let mut out = WorldPolicies::default();
    let accounts = match files.account_dirs() {
        Ok(a) => a,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    let base = dir.display().to_string();
    let read = |rel: &str, out: &mut WorldPolicies| -> Option<Arc<SourceFile>> {
        match files.read(rel) {
            Ok(Some(text)) => Some(Arc::new(SourceFile::new(
                format!("{}/{rel}", base.trim_end_matches('/')),
                text,
            ))),
            Ok(None) => None,
            Err(e) => {
                out.errors.push(e.in_file(format!("{base}/{rel}")));
                None
            }
        }
    };
    if let Some(f) = read("organization.json", &mut out) {
        with_json(&f, &mut out, |root, out| organization(&f, root, out));
    }
    for id in &accounts {
        out.accounts.insert(id.clone());
        let auth = format!("accounts/{id}/authorization-details.json");
        if let Some(f) = read(&auth, &mut out) {
            with_json(&f, &mut out, |root, out| {
                authorization_details(&f, root, out)
            });
        }
        if let Some(f) = read(&format!("accounts/{id}/resource-policies.json"), &mut out) {
            with_json(&f, &mut out, |root, out| resource_policies(&f, root, out));
        }
        if let Some(f) = read(&format!("accounts/{id}/vpc-endpoints.json"), &mut out) {
            with_json(&f, &mut out, |root, out| vpc_endpoints(&f, root, out));
        }
    }
    out
}

/// Parse a file as strict JSON and hand its root to `walk`, or record why it does not parse.
fn with_json(
    file: &Arc<SourceFile>,
    out: &mut WorldPolicies,
    walk: impl FnOnce(&Value, &mut WorldPolicies),
) {
    let parsed = jsonc_parser::parse_to_ast(
        &file.text,
        &Default::default(),
        &iamwhy_policy::parse::strict_json_options(),
    );
    match parsed {
        Ok(result) => match result.value {
            Some(root) => walk(&root, out),
            None => out.errors.push(input_error(
                "empty-file",
                file.path.clone(),
                None,
                "the file is empty",
            )),
        },
        Err(e) => {
            let lines = LineIndex::new(&file.text);
            out.errors.push(input_error(
                "invalid-json",
                file.path.clone(),
                Some(lines.position(&file.text, e.range().start)),
                format!("not valid JSON: {}", e.kind()),
            ));
        }
    }
}

fn get<'v, 'a>(obj: &'v Object<'a>, key: &str) -> Option<&'v Value<'a>> {
    obj.properties
        .iter()
        .find(|p| p.name.as_str() == key)
        .map(|p| &p.value)
}

fn string<'v>(obj: &'v Object<'_>, key: &str) -> Option<&'v str> {
    match get(obj, key) {
        Some(Value::StringLit(s)) => Some(&s.value),
        _ => None,
    }
}

fn array<'v, 'a>(obj: &'v Object<'a>, key: &str) -> &'v [Value<'a>] {
    match get(obj, key) {
        Some(Value::Array(a)) => &a.elements,
        _ => &[],
    }
}

fn objects<'v, 'a>(values: &'v [Value<'a>]) -> impl Iterator<Item = (usize, &'v Object<'a>)> {
    values.iter().enumerate().filter_map(|(i, v)| match v {
        Value::Object(o) => Some((i, o)),
        _ => None,
    })
}

fn span(v: &Value) -> Span {
    let r = v.range();
    Span::new(r.start, r.end)
}

/// Add the policy held by `value` (skipped when it is `null`).
fn add(
    file: &Arc<SourceFile>,
    value: &Value,
    path: String,
    ty: PolicyType,
    name: String,
    resource_type: Option<&'static crate::ResourceTypeSpec>,
    out: &mut WorldPolicies,
) {
    if matches!(value, Value::NullKeyword(_)) {
        return;
    }
    match PolicySource::embedded(file.clone(), span(value), path, ty) {
        Ok(mut s) => {
            s.name = Some(name);
            s.resource_type = resource_type;
            out.sources.push(s);
        }
        Err(e) => out.errors.push(e),
    }
}

fn authorization_details(file: &Arc<SourceFile>, root: &Value, out: &mut WorldPolicies) {
    let pages: Vec<(String, &Object)> = match root {
        Value::Object(o) => vec![(String::new(), o)],
        Value::Array(a) => objects(&a.elements)
            .map(|(i, o)| (format!("[{i}]."), o))
            .collect(),
        _ => Vec::new(),
    };
    // Managed policies that some user or role uses as its permissions boundary, and those
    // attached as identity policies: a policy used only as a boundary is linted as one.
    let mut boundaries = BTreeSet::new();
    let mut attached = BTreeSet::new();
    for (_, page) in &pages {
        for list in ["UserDetailList", "RoleDetailList", "GroupDetailList"] {
            for (_, entity) in objects(array(page, list)) {
                if let Some(Value::Object(b)) = get(entity, "PermissionsBoundary")
                    && let Some(arn) = string(b, "PermissionsBoundaryArn")
                {
                    boundaries.insert(arn.to_string());
                }
                for (_, a) in objects(array(entity, "AttachedManagedPolicies")) {
                    if let Some(arn) = string(a, "PolicyArn") {
                        attached.insert(arn.to_string());
                    }
                }
            }
        }
    }
    for (prefix, page) in pages {
        for (i, p) in objects(array(page, "Policies")) {
            let arn = string(p, "Arn").unwrap_or("");
            if arn.split(':').nth(4) == Some("aws") {
                continue;
            }
            let default_id = string(p, "DefaultVersionId");
            let versions = array(p, "PolicyVersionList");
            let chosen = objects(versions)
                .find(|(_, v)| matches!(get(v, "IsDefaultVersion"), Some(Value::BooleanLit(b)) if b.value))
                .or_else(|| {
                    objects(versions).find(|(_, v)| {
                        default_id.is_some() && string(v, "VersionId") == default_id
                    })
                });
            if let Some((j, v)) = chosen
                && let Some(doc) = get(v, "Document")
            {
                let name = string(p, "PolicyName").unwrap_or(arn).to_string();
                let ty = if boundaries.contains(arn) && !attached.contains(arn) {
                    PolicyType::Boundary
                } else {
                    PolicyType::Identity
                };
                add(
                    file,
                    doc,
                    format!("{prefix}Policies[{i}].PolicyVersionList[{j}].Document"),
                    ty,
                    format!("managed policy {name}"),
                    None,
                    out,
                );
            }
        }
        for (list, inline, who, name_key) in [
            ("UserDetailList", "UserPolicyList", "user", "UserName"),
            ("GroupDetailList", "GroupPolicyList", "group", "GroupName"),
            ("RoleDetailList", "RolePolicyList", "role", "RoleName"),
        ] {
            for (i, entity) in objects(array(page, list)) {
                let owner = string(entity, name_key).unwrap_or("?");
                for (j, p) in objects(array(entity, inline)) {
                    if let Some(doc) = get(p, "PolicyDocument") {
                        let pname = string(p, "PolicyName").unwrap_or("?");
                        add(
                            file,
                            doc,
                            format!("{prefix}{list}[{i}].{inline}[{j}].PolicyDocument"),
                            PolicyType::Identity,
                            format!("inline policy {pname} of {who} {owner}"),
                            None,
                            out,
                        );
                    }
                }
                if who == "role"
                    && let Some(doc) = get(entity, "AssumeRolePolicyDocument")
                {
                    add(
                        file,
                        doc,
                        format!("{prefix}{list}[{i}].AssumeRolePolicyDocument"),
                        PolicyType::Trust,
                        format!("trust policy of role {owner}"),
                        None,
                        out,
                    );
                }
            }
        }
    }
}

fn resource_policies(file: &Arc<SourceFile>, root: &Value, out: &mut WorldPolicies) {
    let Value::Array(a) = root else { return };
    for (i, entry) in objects(&a.elements) {
        let arn = string(entry, "arn").unwrap_or("?");
        if let Some(doc) = get(entry, "policy") {
            add(
                file,
                doc,
                format!("[{i}].policy"),
                PolicyType::Resource,
                format!("policy of {arn}"),
                resource_type_for_arn(arn),
                out,
            );
        }
    }
}

fn vpc_endpoints(file: &Arc<SourceFile>, root: &Value, out: &mut WorldPolicies) {
    let Value::Object(o) = root else { return };
    for (i, e) in objects(array(o, "VpcEndpoints")) {
        let id = string(e, "VpcEndpointId").unwrap_or("?");
        if let Some(doc) = get(e, "PolicyDocument") {
            add(
                file,
                doc,
                format!("VpcEndpoints[{i}].PolicyDocument"),
                PolicyType::Endpoint,
                format!("policy of VPC endpoint {id}"),
                None,
                out,
            );
        }
    }
}

fn organization(file: &Arc<SourceFile>, root: &Value, out: &mut WorldPolicies) {
    let Value::Object(o) = root else { return };
    if let Some(m) = string(o, "managementAccountId") {
        out.accounts.insert(m.to_string());
    }
    if let Some(Value::Object(accounts)) = get(o, "accounts") {
        for p in &accounts.properties {
            out.accounts.insert(p.name.as_str().to_string());
        }
    }
    fn tree(nodes: &[Value], out: &mut WorldPolicies) {
        for (_, n) in objects(nodes) {
            for a in array(n, "accounts") {
                if let Value::StringLit(s) = a {
                    out.accounts.insert(s.value.to_string());
                }
            }
            tree(array(n, "children"), out);
        }
    }
    tree(array(o, "roots"), out);
    if let Some(Value::Object(policies)) = get(o, "policies") {
        for p in &policies.properties {
            let Value::Object(policy) = &p.value else {
                continue;
            };
            let ty = match string(policy, "type") {
                Some("SERVICE_CONTROL_POLICY") => PolicyType::Scp,
                Some("RESOURCE_CONTROL_POLICY") => PolicyType::Rcp,
                _ => continue,
            };
            let id = p.name.as_str();
            let name = string(policy, "name").unwrap_or(id);
            if let Some(content) = get(policy, "content") {
                add(
                    file,
                    content,
                    format!("policies.{id}.content"),
                    ty,
                    format!(
                        "{} {name}",
                        if ty == PolicyType::Scp { "SCP" } else { "RCP" }
                    ),
                    None,
                    out,
                );
            }
        }
    }
}
