//! AWS's policy simulator (`SimulatePrincipalPolicy` / `SimulateCustomPolicy`) over iamwhy's
//! engine: the API's inputs ([`SimulationInput`]), its rules (submitted documents compiled by
//! type, SCP levels named, the default caller, the resource owner), and results per action and
//! resource that the CLI renders in AWS's JSON shape.
//!
//! For `simulate-principal-policy` the world supplies what AWS's account would: the entity's
//! policies, its boundary, the SCPs over its account and the context keys the simulator fills
//! in itself ([`World::simulator_base`]).

mod base;

pub use base::{PolicyIds, ResourcePolicies};

use iamwhy_engine::{
    CompiledPolicy, Context, Evaluation, EvaluationOptions, PolicySet, Principal, Request,
    RequestResource,
};
use iamwhy_policy::validate::validate;
use iamwhy_policy::{Arn, PolicyDocument, PolicyType, is_account_id};
use serde::Deserialize;
use std::fmt;
use std::sync::Arc;

#[cfg(doc)]
use crate::World;

/// Why a simulation cannot run, as the AWS CLI would report it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SimulatorError {
    /// A parameter the AWS CLI itself refuses before calling the API (its exit code 252).
    Parameter(String),
    /// An error the IAM API would return (the AWS CLI's exit code 254).
    Service {
        /// AWS's error code (`InvalidInput`, `MalformedPolicyDocument`, `NoSuchEntity`).
        code: &'static str,
        /// The API operation (`SimulateCustomPolicy`).
        operation: &'static str,
        /// AWS's message.
        message: String,
    },
}

impl SimulatorError {
    /// An error the IAM API would return.
    pub fn service(
        code: &'static str,
        operation: &'static str,
        message: impl Into<String>,
    ) -> SimulatorError {
        SimulatorError::Service {
            code,
            operation,
            message: message.into(),
        }
    }
}

impl fmt::Display for SimulatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimulatorError::Parameter(m) => f.write_str(m),
            SimulatorError::Service {
                code,
                operation,
                message,
            } => write!(
                f,
                "An error occurred ({code}) when calling the {operation} operation: {message}"
            ),
        }
    }
}

impl std::error::Error for SimulatorError {}

/// One context entry, as the IAM API defines it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContextEntry {
    /// The key name.
    pub context_key_name: String,
    /// Its values.
    #[serde(default)]
    pub context_key_values: Vec<String>,
    /// `string`, `stringList`, `numeric`, `numericList`, `boolean`, `booleanList`, `ip`,
    /// `ipList`, `binary`, `binaryList`, `date`, `dateList`.
    pub context_key_type: String,
}

/// The context key types the IAM API accepts.
pub const CONTEXT_KEY_TYPES: &[&str] = &[
    "string",
    "stringList",
    "numeric",
    "numericList",
    "boolean",
    "booleanList",
    "ip",
    "ipList",
    "binary",
    "binaryList",
    "date",
    "dateList",
];

impl ContextEntry {
    /// Whether the type makes the key multivalued (`…List`).
    pub fn is_list(&self) -> bool {
        self.context_key_type.ends_with("List")
    }

    /// The entry if its type and name are ones the API accepts.
    pub fn checked(self) -> Result<ContextEntry, SimulatorError> {
        if !CONTEXT_KEY_TYPES.contains(&self.context_key_type.as_str()) {
            return Err(SimulatorError::Parameter(format!(
                "Invalid value for parameter ContextEntries.ContextKeyType: \"{}\"; valid values: {}",
                self.context_key_type,
                CONTEXT_KEY_TYPES.join(", ")
            )));
        }
        if self.context_key_name.is_empty() {
            return Err(SimulatorError::Parameter(
                "Invalid value for parameter ContextEntries: ContextKeyName is empty".into(),
            ));
        }
        Ok(self)
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
    /// Whether a resource policy (submitted, or the resource's own from the world) was part
    /// of the evaluation.
    pub resource_policy: bool,
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
    /// Whether a permissions boundary was part of the simulation.
    pub has_boundary: bool,
    /// Whether SCP levels were given.
    pub has_organization: bool,
    /// Notes for people (assumptions made).
    pub notes: Vec<String>,
    /// AWS's `SourcePolicyId`/`SourcePolicyType` per policy source (world policies).
    pub policy_ids: PolicyIds,
}

/// What a simulation starts from besides the submitted documents: for
/// `simulate-principal-policy`, the source entity's policies from the world
/// ([`World::simulator_base`]).
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
    /// Context keys the simulator fills automatically; given entries win.
    pub context: Vec<(String, Vec<String>)>,
    /// AWS's `SourcePolicyId` and `SourcePolicyType` per policy source.
    pub policy_ids: PolicyIds,
    /// Resource policies from the world, by (action, resource), used when no
    /// `ResourcePolicy` is submitted ([`World::simulator_resource_policies`]).
    pub resource_policies: ResourcePolicies,
    /// What the world said about the resources' policies (included, none, not in the world).
    pub notes: Vec<String>,
}

/// Compile a submitted document as `ty`, refusing it as AWS would (`MalformedPolicyDocument`
/// with the line and column).
fn compile(
    p: &SubmittedPolicy,
    ty: PolicyType,
    operation: &'static str,
) -> Result<CompiledPolicy, SimulatorError> {
    let doc = PolicyDocument::parse(&p.text)
        .map_err(|e| malformed(operation, &p.id, &e.diagnostics[0]))?;
    if let Some(err) = validate(&doc, ty).into_iter().find(|d| d.is_error()) {
        return Err(malformed(operation, &p.id, &err));
    }
    Ok(CompiledPolicy::compile(p.id.clone(), ty, Arc::new(doc)))
}

fn malformed(
    operation: &'static str,
    id: &str,
    d: &iamwhy_diagnostic::Diagnostic,
) -> SimulatorError {
    SimulatorError::service(
        "MalformedPolicyDocument",
        operation,
        format!(
            "{id}: line {}, column {}: {}",
            d.position().map_or(0, |p| p.line),
            d.position().map_or(0, |p| p.column),
            d.message
        ),
    )
}

/// The account id named by a `ResourceOwner` value (an id or `arn:aws:iam::ID:root`).
fn owner_account(owner: &str) -> Option<String> {
    if is_account_id(owner) {
        return Some(owner.to_string());
    }
    let arn = Arn::parse(owner)?;
    (arn.resource == "root").then(|| arn.account.to_string())
}

/// The account of a resource ARN, when it names one.
fn arn_account(resource: &str) -> Option<String> {
    Arn::parse(resource)
        .map(|a| a.account)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
}

/// The SCP level names AWS's simulator output uses, root first.
fn scp_level_name(index: usize, count: usize) -> String {
    if index == 0 {
        "organization root".to_string()
    } else if index + 1 == count {
        "account".to_string()
    } else {
        format!("OU level {index}")
    }
}

/// Run a custom-policy simulation.
pub fn simulate(input: &SimulationInput) -> Result<Simulation, SimulatorError> {
    simulate_with(input, Base::default())
}

/// Run a simulation starting from `base`.
pub fn simulate_with(input: &SimulationInput, base: Base) -> Result<Simulation, SimulatorError> {
    let op = input.operation;
    check_actions(input)?;
    let mut notes = base.notes.clone();
    if let Some(option) = &input.resource_handling_option {
        notes.push(format!(
            "ResourceHandlingOption {option} is accepted but EC2 resource-handling scenarios are not modelled: each resource is simulated on its own"
        ));
    }
    let owner = match &input.resource_owner {
        Some(o) => Some(owner_account(o).ok_or_else(|| {
            SimulatorError::service(
                "InvalidInput",
                op,
                format!("Invalid ResourceOwner \"{o}\": expected an account id or arn:aws:iam::ACCOUNT:root"),
            )
        })?),
        None => None,
    };
    let has_organization = !input.org_levels.is_empty() || !base.scp_levels.is_empty();
    let has_caller = input.caller_arn.is_some() || base.caller.is_some();
    let (set, has_boundary) = policy_set(
        input,
        base.identity,
        base.boundary,
        base.scp_levels,
        has_caller,
    )?;
    let resources: Vec<String> = if input.resources.is_empty() {
        vec!["*".to_string()]
    } else {
        input.resources.clone()
    };
    let principal = caller(input, base.caller, owner.as_deref(), &resources, &mut notes)?;
    let context = context(input, &base.context)?;
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
            .map_err(|e| SimulatorError::service("InvalidInput", op, e.to_string()))?;
            req.resource_account = arn_account(resource)
                .or_else(|| owner.clone())
                .or_else(|| principal.account.clone());
            req.principal_has_boundary = has_boundary;
            let cross_account = req.resource_account != principal.account;
            let from_world = input
                .resource_policy
                .is_none()
                .then(|| {
                    base.resource_policies
                        .get(&(action.clone(), resource.clone()))
                })
                .flatten();
            let evaluation = match from_world {
                Some(p) => set.clone().with_resource(p.clone()).evaluate(&req, &opts),
                None => set.evaluate(&req, &opts),
            };
            per_resource.push(ResourceResult {
                resource: resource.clone(),
                evaluation,
                cross_account,
                resource_policy: input.resource_policy.is_some() || from_world.is_some(),
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

/// Actions must be given, and be `service:Action` without wildcards.
fn check_actions(input: &SimulationInput) -> Result<(), SimulatorError> {
    if input.actions.is_empty() {
        return Err(SimulatorError::Parameter(
            "the following arguments are required: --action-names".into(),
        ));
    }
    for a in &input.actions {
        if a.contains(['*', '?']) || !a.contains(':') {
            return Err(SimulatorError::service(
                "InvalidInput",
                input.operation,
                format!(
                    "Invalid action name \"{a}\": action names must be service:Action without wildcards"
                ),
            ));
        }
    }
    Ok(())
}

/// The policy set: the base's identity policies plus the submitted ones; submitted boundaries
/// and SCP levels replace the base's; a resource policy needs a caller. Returns whether a
/// boundary applies.
fn policy_set(
    input: &SimulationInput,
    mut identity: Vec<Arc<CompiledPolicy>>,
    base_boundary: Vec<Arc<CompiledPolicy>>,
    base_scp_levels: Vec<(String, Vec<Arc<CompiledPolicy>>)>,
    has_caller: bool,
) -> Result<(PolicySet, bool), SimulatorError> {
    let op = input.operation;
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
        boundaries = base_boundary;
    }
    let has_boundary = !boundaries.is_empty();
    set = set.with_boundary(boundaries);
    if input.org_levels.is_empty() {
        for (target, policies) in base_scp_levels {
            set = set.with_scp_level(target, policies);
        }
    }
    for (i, level) in input.org_levels.iter().enumerate() {
        let policies = level
            .iter()
            .map(|p| compile(p, PolicyType::Scp, op))
            .collect::<Result<_, _>>()?;
        set = set.with_scp_level(scp_level_name(i, input.org_levels.len()), policies);
    }
    if let Some(rp) = &input.resource_policy {
        if !has_caller {
            return Err(SimulatorError::service(
                "InvalidInput",
                op,
                "A CallerArn is required when a ResourcePolicy is simulated",
            ));
        }
        set = set.with_resource(compile(rp, PolicyType::Resource, op)?);
    }
    Ok((set, has_boundary))
}

/// The caller: `CallerArn`, else the base's entity, else an IAM user of the resource owner's
/// (or the first resource's) account — said in a note.
fn caller(
    input: &SimulationInput,
    base: Option<Principal>,
    owner: Option<&str>,
    resources: &[String],
    notes: &mut Vec<String>,
) -> Result<Principal, SimulatorError> {
    match (&input.caller_arn, base) {
        (Some(arn), _) => Principal::parse(arn).map_err(|e| {
            SimulatorError::service(
                "InvalidInput",
                input.operation,
                format!("Invalid CallerArn: {e}"),
            )
        }),
        (None, Some(caller)) => Ok(caller),
        (None, None) => {
            let account = owner
                .map(str::to_string)
                .or_else(|| resources.iter().find_map(|r| arn_account(r)))
                .unwrap_or_else(|| "123456789012".to_string());
            notes.push(format!(
                "no --caller-arn: the caller is taken to be an IAM user of account {account}"
            ));
            Ok(
                Principal::parse(&format!("arn:aws:iam::{account}:user/SimulatedCaller"))
                    .expect("a well-formed user ARN"),
            )
        }
    }
}

/// The request context: the base's automatic keys, then the given entries (which win).
fn context(
    input: &SimulationInput,
    base: &[(String, Vec<String>)],
) -> Result<Context, SimulatorError> {
    let mut context = Context::new();
    for (key, values) in base {
        if values.len() == 1 {
            context.set(key, values[0].clone());
        } else {
            context.set_multi(key, values.clone());
        }
    }
    for e in &input.context {
        if e.is_list() {
            context.set_multi(&e.context_key_name, e.context_key_values.clone());
            continue;
        }
        match e.context_key_values.as_slice() {
            [one] => context.set(&e.context_key_name, one.clone()),
            _ => {
                return Err(SimulatorError::service(
                    "InvalidInput",
                    input.operation,
                    format!(
                        "Context key {} of type {} takes exactly one value",
                        e.context_key_name, e.context_key_type
                    ),
                ));
            }
        }
    }
    Ok(context)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scp_levels_are_named_root_ou_account() {
        assert_eq!(scp_level_name(0, 3), "organization root");
        assert_eq!(scp_level_name(1, 3), "OU level 1");
        assert_eq!(scp_level_name(2, 3), "account");
    }

    #[test]
    fn resource_owner_is_an_account_id_or_a_root_arn() {
        assert_eq!(
            owner_account("111122223333").as_deref(),
            Some("111122223333")
        );
        assert_eq!(
            owner_account("arn:aws:iam::111122223333:root").as_deref(),
            Some("111122223333")
        );
        assert_eq!(owner_account("arn:aws:iam::111122223333:user/bob"), None);
        assert_eq!(owner_account("1111"), None);
    }

    #[test]
    fn without_a_caller_the_simulated_user_belongs_to_the_resource_owner() {
        let input = SimulationInput {
            operation: "SimulateCustomPolicy",
            actions: vec!["s3:GetObject".into()],
            resources: vec!["arn:aws:sqs:us-east-1:444455556666:q".into()],
            ..SimulationInput::default()
        };
        let sim = simulate(&input).unwrap();
        assert!(sim.notes[0].contains("444455556666"), "{:?}", sim.notes);
    }

    #[test]
    fn wildcard_actions_are_refused_as_the_api_refuses_them() {
        let input = SimulationInput {
            operation: "SimulateCustomPolicy",
            actions: vec!["s3:Get*".into()],
            ..SimulationInput::default()
        };
        let err = simulate(&input).err().unwrap();
        assert!(matches!(
            err,
            SimulatorError::Service {
                code: "InvalidInput",
                ..
            }
        ));
    }
}
