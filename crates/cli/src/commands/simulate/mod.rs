//! The AWS-CLI-compatible simulators: `simulate-custom-policy` (and the shared machinery that
//! `simulate-principal-policy` will reuse): AWS's parameters, AWS's JSON output shape, and
//! AWS CLI v2's exit codes (252 for invalid parameters, 254 for errors the service would
//! return, such as `MalformedPolicyDocument`).

pub mod common;
pub mod custom;
pub mod input;
pub mod output;
pub mod principal;

use iamwhy_engine::decision::{Evaluation, PolicySet};
use iamwhy_engine::{
    CompiledPolicy, Context, EvaluationOptions, Principal, Request, RequestResource,
};
use iamwhy_policy::validate::validate;
use iamwhy_policy::{PolicyDocument, PolicyType};
use input::ContextEntry;
use std::collections::HashMap;
use std::sync::Arc;

/// An error with the AWS CLI's exit code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsCliError {
    /// 252 (parameter validation) or 254 (a service error).
    pub exit_code: u8,
    /// The message the AWS CLI would print.
    pub message: String,
}

impl AwsCliError {
    /// A client-side parameter problem (exit 252).
    pub fn parameter(message: String) -> AwsCliError {
        AwsCliError {
            exit_code: 252,
            message,
        }
    }

    /// An error the IAM API would return (exit 254).
    pub fn service(code: &str, operation: &str, message: String) -> AwsCliError {
        AwsCliError {
            exit_code: 254,
            message: format!(
                "An error occurred ({code}) when calling the {operation} operation: {message}"
            ),
        }
    }
}

/// One policy document as submitted, with the id the simulator reports for it.
#[derive(Debug, Clone)]
pub struct SubmittedPolicy {
    /// `PolicyInputList.1`, `ResourcePolicy`, ...
    pub id: String,
    /// The document text.
    pub text: String,
}

/// Everything a simulation needs, once parameters are read.
#[derive(Debug, Clone, Default)]
pub struct SimulationInput {
    /// The API operation name, for error messages.
    pub operation: &'static str,
    /// Identity-based policies.
    pub policies: Vec<SubmittedPolicy>,
    /// Permissions boundary.
    pub boundaries: Vec<SubmittedPolicy>,
    /// SCP levels, root first.
    pub org_levels: Vec<Vec<SubmittedPolicy>>,
    /// Actions to evaluate.
    pub actions: Vec<String>,
    /// Resources (empty means `*`).
    pub resources: Vec<String>,
    /// The resource policy applied to every resource.
    pub resource_policy: Option<SubmittedPolicy>,
    /// Account owning resources whose ARN has no account (id or root ARN).
    pub resource_owner: Option<String>,
    /// The simulated caller.
    pub caller_arn: Option<String>,
    /// Context entries.
    pub context: Vec<ContextEntry>,
    /// `ResourceHandlingOption`: accepted, not modelled (reported in a note).
    pub resource_handling_option: Option<String>,
}

/// One (action, resource) result.
pub struct ResourceResult {
    /// The resource as given.
    pub resource: String,
    /// The engine's full answer.
    pub evaluation: Evaluation,
    /// Whether principal and resource accounts differ.
    pub cross_account: bool,
}

/// All results of one action.
pub struct ActionResult {
    /// The action as given.
    pub action: String,
    /// One result per resource, in input order.
    pub resources: Vec<ResourceResult>,
}

/// The outcome of a simulation, ready to render.
pub struct Simulation {
    /// Per action.
    pub results: Vec<ActionResult>,
    /// The submitted policies by id, for positions.
    pub has_boundary: bool,
    /// Whether SCP levels were given.
    pub has_organization: bool,
    /// Notes for people (assumptions made).
    pub notes: Vec<String>,
    /// AWS's `SourcePolicyId`/`SourcePolicyType` per policy source (world policies).
    pub policy_ids: HashMap<String, (String, &'static str)>,
}

fn compile(
    p: &SubmittedPolicy,
    ty: PolicyType,
    operation: &str,
) -> Result<CompiledPolicy, AwsCliError> {
    let doc = PolicyDocument::parse(&p.text)
        .map_err(|e| malformed(operation, &p.id, &e.diagnostics[0]))?;
    if let Some(err) = validate(&doc, ty).into_iter().find(|d| d.is_error()) {
        return Err(malformed(operation, &p.id, &err));
    }
    Ok(CompiledPolicy::compile(p.id.clone(), ty, Arc::new(doc)))
}

fn malformed(operation: &str, id: &str, d: &iamwhy_policy::Diagnostic) -> AwsCliError {
    AwsCliError::service(
        "MalformedPolicyDocument",
        operation,
        format!(
            "{id}: line {}, column {}: {}",
            d.position.line, d.position.column, d.message
        ),
    )
}

/// The account id named by a `ResourceOwner` value (an id or `arn:aws:iam::ID:root`).
fn owner_account(owner: &str) -> Option<String> {
    if owner.len() == 12 && owner.bytes().all(|b| b.is_ascii_digit()) {
        return Some(owner.to_string());
    }
    let fields: Vec<&str> = owner.splitn(6, ':').collect();
    (fields.len() == 6 && fields[5] == "root").then(|| fields[4].to_string())
}

/// What a simulation starts from besides the submitted documents: for
/// `simulate-principal-policy`, the source entity's policies from the world.
#[derive(Default)]
pub struct Base {
    /// Identity-based policies of the entity (its own, and its groups').
    pub identity: Vec<Arc<CompiledPolicy>>,
    /// Its permissions boundary (replaced by a submitted one).
    pub boundary: Vec<Arc<CompiledPolicy>>,
    /// SCP levels of its account (replaced by submitted ones).
    pub scp_levels: Vec<(String, Vec<Arc<CompiledPolicy>>)>,
    /// The default caller.
    pub caller: Option<Principal>,
    /// Context keys the simulator fills automatically (spec §6.3); given entries win.
    pub context: Vec<(String, Vec<String>)>,
    /// AWS's `SourcePolicyId` and `SourcePolicyType` per policy source.
    pub policy_ids: HashMap<String, (String, &'static str)>,
}

/// Run a custom-policy simulation.
pub fn simulate(input: &SimulationInput) -> Result<Simulation, AwsCliError> {
    simulate_with(input, Base::default())
}

/// Run a simulation starting from `base`.
pub fn simulate_with(input: &SimulationInput, base: Base) -> Result<Simulation, AwsCliError> {
    let op = input.operation;
    if input.actions.is_empty() {
        return Err(AwsCliError::parameter(
            "the following arguments are required: --action-names".into(),
        ));
    }
    for a in &input.actions {
        if a.contains(['*', '?']) || !a.contains(':') {
            return Err(AwsCliError::service(
                "InvalidInput",
                op,
                format!(
                    "Invalid action name \"{a}\": action names must be service:Action without wildcards"
                ),
            ));
        }
    }
    let mut notes = Vec::new();
    if let Some(option) = &input.resource_handling_option {
        notes.push(format!(
            "ResourceHandlingOption {option} is accepted but EC2 resource-handling scenarios are not modelled: each resource is simulated on its own"
        ));
    }
    let owner = match &input.resource_owner {
        Some(o) => Some(owner_account(o).ok_or_else(|| {
            AwsCliError::service(
                "InvalidInput",
                op,
                format!("Invalid ResourceOwner \"{o}\": expected an account id or arn:aws:iam::ACCOUNT:root"),
            )
        })?),
        None => None,
    };
    let mut identity = base.identity;
    for p in &input.policies {
        identity.push(Arc::new(compile(p, PolicyType::Identity, op)?));
    }
    let mut set = PolicySet::new().with_identity(identity);
    let mut boundaries: Vec<Arc<CompiledPolicy>> = input
        .boundaries
        .iter()
        .map(|p| compile(p, PolicyType::Boundary, op).map(Arc::new))
        .collect::<Result<_, _>>()?;
    if boundaries.is_empty() {
        boundaries = base.boundary;
    }
    let has_boundary = !boundaries.is_empty();
    set = set.with_boundary(boundaries);
    let has_organization = !input.org_levels.is_empty() || !base.scp_levels.is_empty();
    if input.org_levels.is_empty() {
        for (target, policies) in base.scp_levels {
            set = set.with_scp_level(target, policies);
        }
    }
    for (i, level) in input.org_levels.iter().enumerate() {
        let policies = level
            .iter()
            .map(|p| compile(p, PolicyType::Scp, op))
            .collect::<Result<_, _>>()?;
        let name = if i == 0 {
            "organization root".to_string()
        } else if i + 1 == input.org_levels.len() {
            "account".to_string()
        } else {
            format!("OU level {i}")
        };
        set = set.with_scp_level(name, policies);
    }
    if let Some(rp) = &input.resource_policy {
        if input.caller_arn.is_none() && base.caller.is_none() {
            return Err(AwsCliError::service(
                "InvalidInput",
                op,
                "A CallerArn is required when a ResourcePolicy is simulated".into(),
            ));
        }
        set = set.with_resource(compile(rp, PolicyType::Resource, op)?);
    }

    let resources: Vec<String> = if input.resources.is_empty() {
        vec!["*".to_string()]
    } else {
        input.resources.clone()
    };
    let resource_arn_account = resources
        .iter()
        .filter_map(|r| {
            r.split(':')
                .nth(4)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
        })
        .next();
    let principal = match (&input.caller_arn, base.caller) {
        (Some(arn), _) => Principal::parse(arn).map_err(|e| {
            AwsCliError::service("InvalidInput", op, format!("Invalid CallerArn: {e}"))
        })?,
        (None, Some(caller)) => caller,
        (None, None) => {
            let account = owner
                .clone()
                .or(resource_arn_account)
                .unwrap_or_else(|| "123456789012".to_string());
            notes.push(format!(
                "no --caller-arn: the caller is taken to be an IAM user of account {account}"
            ));
            Principal::parse(&format!("arn:aws:iam::{account}:user/SimulatedCaller"))
                .expect("a well-formed user ARN")
        }
    };
    let mut context = Context::new();
    for (key, values) in &base.context {
        if values.len() == 1 {
            context.set(key, values[0].clone());
        } else {
            context.set_multi(key, values.clone());
        }
    }
    for e in &input.context {
        if e.is_list() {
            context.set_multi(&e.context_key_name, e.context_key_values.clone());
        } else {
            match e.context_key_values.as_slice() {
                [one] => context.set(&e.context_key_name, one.clone()),
                _ => {
                    return Err(AwsCliError::service(
                        "InvalidInput",
                        op,
                        format!(
                            "Context key {} of type {} takes exactly one value",
                            e.context_key_name, e.context_key_type
                        ),
                    ));
                }
            }
        }
    }
    let opts = EvaluationOptions::default();
    let mut results = Vec::new();
    for action in &input.actions {
        let mut per_resource = Vec::new();
        for resource in &resources {
            let mut req = Request::new(
                principal.clone(),
                action,
                RequestResource::parse(resource),
                context.clone(),
            )
            .map_err(|e| AwsCliError::service("InvalidInput", op, e.to_string()))?;
            let arn_account = resource
                .split(':')
                .nth(4)
                .filter(|a| !a.is_empty())
                .map(str::to_string);
            req.resource_account = arn_account
                .or_else(|| owner.clone())
                .or_else(|| principal.account.clone());
            req.principal_has_boundary = has_boundary;
            let cross_account = req.resource_account != principal.account;
            let evaluation = set.evaluate(&req, &opts);
            per_resource.push(ResourceResult {
                resource: resource.clone(),
                evaluation,
                cross_account,
            });
        }
        results.push(ActionResult {
            action: action.clone(),
            resources: per_resource,
        });
    }
    Ok(Simulation {
        results,
        has_boundary,
        has_organization,
        notes,
        policy_ids: base.policy_ids,
    })
}
