//! Lookups built once per [`crate::Linter`] from the service catalog and the engine: ARN
//! templates by service and by resource type, condition key names by their part after the
//! prefix (for wrong-prefix suggestions), and the probe requests the security checks ask the
//! engine about.

use crate::arnmatch::{self, TemplateClasses};
use iamwhy_catalog::{Catalog, GLOBAL_KEYS, ResourceType};
use iamwhy_engine::{Context, Principal, Request, RequestResource};
use std::collections::HashMap;

/// A resource type as a plain key: (service prefix, type name).
pub(crate) type RtKey = (&'static str, &'static str);

/// The key of a resource type.
pub(crate) fn rt_key(rt: ResourceType<'static>) -> RtKey {
    (rt.service().prefix(), rt.name())
}

/// Catalog-derived tables.
pub(crate) struct CatalogIndex {
    pub(crate) cat: &'static Catalog,
    /// Every compiled template.
    pub(crate) templates: Vec<TemplateClasses>,
    /// ARN service (lowercase) → indexes into `templates` (those whose service is a
    /// placeholder included).
    pub(crate) by_arn_service: HashMap<String, Vec<u32>>,
    /// Resource type (service prefix, type name) → indexes into `templates`.
    pub(crate) by_resource_type: HashMap<RtKey, Vec<u32>>,
    /// Lowercased key name after the first `:` (`principalorgid`) → declared full names.
    pub(crate) keys_by_name: HashMap<String, Vec<&'static str>>,
    /// Engine requests for single actions, by action name (`iam:PassRole`).
    probes: HashMap<&'static str, Request>,
    /// An unauthenticated caller and its request context.
    pub(crate) anonymous: (Principal, Context),
    /// A role session of an account unrelated to any policy, and its request context: what
    /// every signed request from outside carries.
    pub(crate) outsider: (Principal, Context),
    /// IAM role ARNs.
    pub(crate) role_template: TemplateClasses,
}

/// Actions the security checks ask the engine whether a statement grants.
pub(crate) const PROBE_ACTIONS: &[&str] = &[
    "iam:PassRole",
    "iam:CreateServiceLinkedRole",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
    "iam:UpdateAssumeRolePolicy",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:CreateUser",
    "sts:AssumeRole",
    "ec2:RunInstances",
    "ec2:TerminateInstances",
    "lambda:CreateFunction",
    "lambda:InvokeFunction",
    "lambda:CreateEventSourceMapping",
    "lambda:UpdateFunctionCode",
    "glue:CreateDevEndpoint",
    "glue:UpdateDevEndpoint",
    "cloudformation:CreateStack",
    "datapipeline:CreatePipeline",
    "datapipeline:PutPipelineDefinition",
    "codebuild:CreateProject",
    "codebuild:StartBuild",
    "sagemaker:CreateNotebookInstance",
    "sagemaker:CreatePresignedNotebookInstanceUrl",
    "s3:DeleteBucket",
    "kms:ScheduleKeyDeletion",
    "dynamodb:DeleteTable",
    "organizations:LeaveOrganization",
    "cloudtrail:StopLogging",
    "rds:DeleteDBInstance",
];

impl CatalogIndex {
    pub(crate) fn build(cat: &'static Catalog) -> CatalogIndex {
        let mut templates = Vec::new();
        let mut by_arn_service: HashMap<String, Vec<u32>> = HashMap::new();
        let mut by_resource_type: HashMap<RtKey, Vec<u32>> = HashMap::new();
        let mut any_service: Vec<u32> = Vec::new();
        for service in cat.services() {
            for rt in service.resource_types() {
                let mut ids = Vec::new();
                for text in rt.arn_templates() {
                    let Some(t) = arnmatch::template(text) else {
                        continue;
                    };
                    let id = templates.len() as u32;
                    match &t.service {
                        Some(s) => by_arn_service.entry(s.clone()).or_default().push(id),
                        // `arn:${Partition}:${Vendor}:...` (Backup's recovery points): a
                        // template for every service.
                        None => any_service.push(id),
                    }
                    templates.push(t);
                    ids.push(id);
                }
                by_resource_type.insert(rt_key(rt), ids);
            }
        }
        for ids in by_arn_service.values_mut() {
            ids.extend(&any_service);
        }
        let mut keys_by_name: HashMap<String, Vec<&'static str>> = HashMap::new();
        let mut add_key = |name: &'static str| {
            if let Some((_, rest)) = name.split_once(':') {
                let v = keys_by_name.entry(rest.to_ascii_lowercase()).or_default();
                if !v.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    v.push(name);
                }
            }
        };
        for g in GLOBAL_KEYS {
            add_key(g.name);
        }
        for service in cat.services() {
            for k in service.condition_keys() {
                add_key(k.name());
            }
        }
        let probes = PROBE_ACTIONS
            .iter()
            .filter_map(|a| {
                let req = Request::new(
                    Principal::anonymous(),
                    a,
                    RequestResource::Any,
                    Context::new(),
                )
                .ok()?;
                Some((*a, req))
            })
            .collect();
        let mut anonymous_context = Context::new();
        anonymous_context.set("aws:PrincipalAccount", "anonymous");
        anonymous_context.set("aws:userid", "anonymous");
        anonymous_context.set("aws:PrincipalType", "Anonymous");
        anonymous_context.set("aws:SecureTransport", "true");
        let outsider_arn = "arn:aws:sts::999999999999:assumed-role/outsider/session";
        let outsider = match Principal::parse(outsider_arn) {
            Ok(p) => p,
            Err(e) => panic!("the outsider principal must parse: {e}"),
        };
        let mut outsider_context = Context::new();
        outsider_context.set("aws:PrincipalAccount", "999999999999");
        outsider_context.set(
            "aws:PrincipalArn",
            "arn:aws:iam::999999999999:role/outsider",
        );
        outsider_context.set("aws:PrincipalType", "AssumedRole");
        outsider_context.set("aws:userid", "AROAOUTSIDEROUTSIDER:session");
        outsider_context.set("aws:PrincipalIsAWSService", "false");
        outsider_context.set("aws:ViaAWSService", "false");
        outsider_context.set("aws:SecureTransport", "true");
        let role_template =
            match arnmatch::template("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}") {
                Some(t) => t,
                None => panic!("the role template must compile"),
            };
        CatalogIndex {
            anonymous: (Principal::anonymous(), anonymous_context),
            outsider: (outsider, outsider_context),
            role_template,
            cat,
            templates,
            by_arn_service,
            by_resource_type,
            keys_by_name,
            probes,
        }
    }

    /// The engine request for one of [`PROBE_ACTIONS`].
    pub(crate) fn probe(&self, action: &str) -> &Request {
        match self.probes.get(action) {
            Some(r) => r,
            None => panic!("{action} is not a probe action"),
        }
    }

    /// The templates of an ARN service.
    pub(crate) fn service_templates(&self, arn_service: &str) -> &[u32] {
        self.by_arn_service
            .get(arn_service)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Whether a policy ARN pattern can name a resource of this resource type.
    pub(crate) fn resource_type_fits(
        &self,
        rt: ResourceType<'static>,
        arn: &[Vec<arnmatch::Cls>; 6],
    ) -> bool {
        self.by_resource_type.get(&rt_key(rt)).is_some_and(|ids| {
            ids.iter()
                .any(|&id| arnmatch::arn_overlaps(arn, &self.templates[id as usize]))
        })
    }
}
