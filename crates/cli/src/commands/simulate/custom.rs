//! `iamwhy simulate-custom-policy`: a drop-in for `aws iam simulate-custom-policy`.

use super::input::{self, load_value};
use super::{AwsCliError, SimulationInput, SubmittedPolicy, output, simulate};
use clap::{Args, ValueEnum};
use std::process::ExitCode;

/// Arguments, named as the AWS CLI names them.
#[derive(Debug, Args)]
pub struct CustomPolicyArgs {
    /// Identity-based policy documents (JSON text or file://PATH), one or more.
    #[arg(long, num_args = 1.., value_name = "POLICY")]
    pub policy_input_list: Vec<String>,
    /// A permissions boundary document (JSON text or file://PATH).
    #[arg(long, num_args = 1.., value_name = "POLICY")]
    pub permissions_boundary_policy_input_list: Vec<String>,
    /// SCP levels as JSON: `[{"ServiceControlPolicyInputList": ["{...}"]}, ...]`, root first.
    #[arg(long, value_name = "JSON")]
    pub ordered_organization_policy_input_list: Option<String>,
    /// Actions to simulate, one or more (no wildcards).
    #[arg(long, num_args = 1.., value_name = "ACTION")]
    pub action_names: Vec<String>,
    /// Resource ARNs (default `*`).
    #[arg(long, num_args = 1.., value_name = "ARN")]
    pub resource_arns: Vec<String>,
    /// A resource-based policy applied to every resource (JSON text or file://PATH).
    #[arg(long, value_name = "POLICY")]
    pub resource_policy: Option<String>,
    /// The account that owns resources whose ARN has no account (id or arn:aws:iam::ID:root).
    #[arg(long, value_name = "ACCOUNT")]
    pub resource_owner: Option<String>,
    /// The simulated caller (user or role ARN); required with --resource-policy.
    #[arg(long, value_name = "ARN")]
    pub caller_arn: Option<String>,
    /// Context entries: `ContextKeyName=k,ContextKeyValues=v1,v2,ContextKeyType=stringList`
    /// or JSON.
    #[arg(long, num_args = 1.., value_name = "ENTRY")]
    pub context_entries: Vec<String>,
    /// Accepted for compatibility; EC2 resource-handling scenarios are not modelled.
    #[arg(long, value_name = "OPTION")]
    pub resource_handling_option: Option<String>,
    /// All parameters as JSON (JSON text or file://PATH); command-line values win.
    #[arg(long, value_name = "JSON")]
    pub cli_input_json: Option<String>,
    /// Output format: AWS's JSON (default), text for people, or iamwhy's full trace as JSON.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub output: Format,
}

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// AWS's JSON shape.
    Json,
    /// The full explanation, for people.
    Text,
    /// iamwhy's trace as JSON (schema: docs/trace-schema.md).
    Trace,
}

fn submitted(prefix: &str, values: &[String]) -> Result<Vec<SubmittedPolicy>, AwsCliError> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            Ok(SubmittedPolicy {
                id: format!("{prefix}.{}", i + 1),
                text: load_value(v)?,
            })
        })
        .collect()
}

fn pick<T>(cli: Vec<T>, json: Option<Vec<T>>) -> Vec<T> {
    if cli.is_empty() {
        json.unwrap_or_default()
    } else {
        cli
    }
}

/// Read the arguments into a simulation input.
pub fn read_input(args: &CustomPolicyArgs) -> Result<SimulationInput, AwsCliError> {
    let json = match &args.cli_input_json {
        Some(raw) => input::parse_cli_input(raw)?,
        None => Default::default(),
    };
    if json.policy_source_arn.is_some() {
        return Err(AwsCliError::parameter(
            "Parameter validation failed: Unknown parameter in input: \"PolicySourceArn\"".into(),
        ));
    }
    let policies = pick(args.policy_input_list.clone(), json.policy_input_list);
    if policies.is_empty() {
        return Err(AwsCliError::parameter(
            "the following arguments are required: --policy-input-list".into(),
        ));
    }
    let actions = pick(args.action_names.clone(), json.action_names);
    if actions.is_empty() {
        return Err(AwsCliError::parameter(
            "the following arguments are required: --action-names".into(),
        ));
    }
    let org_levels = match &args.ordered_organization_policy_input_list {
        Some(raw) => input::parse_org_levels(raw)?,
        None => json
            .ordered_organization_policy_input_list
            .unwrap_or_default(),
    };
    let org_levels = org_levels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            submitted(
                &format!(
                    "OrderedOrganizationPolicyInputList.{}.ServiceControlPolicyInputList",
                    i + 1
                ),
                &l.service_control_policy_input_list,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut context = input::parse_context_entries(&args.context_entries)?;
    if context.is_empty()
        && let Some(entries) = json.context_entries
    {
        context = input::context_entries_from_json(serde_json::Value::Array(entries))?;
    }
    let resource_policy = match args.resource_policy.clone().or(json.resource_policy) {
        Some(v) => Some(SubmittedPolicy {
            id: "ResourcePolicy".into(),
            text: load_value(&v)?,
        }),
        None => None,
    };
    Ok(SimulationInput {
        operation: "SimulateCustomPolicy",
        policies: submitted("PolicyInputList", &policies)?,
        boundaries: submitted(
            "PermissionsBoundaryPolicyInputList",
            &pick(
                args.permissions_boundary_policy_input_list.clone(),
                json.permissions_boundary_policy_input_list,
            ),
        )?,
        org_levels,
        actions,
        resources: pick(args.resource_arns.clone(), json.resource_arns),
        resource_policy,
        resource_owner: args.resource_owner.clone().or(json.resource_owner),
        caller_arn: args.caller_arn.clone().or(json.caller_arn),
        context,
        resource_handling_option: args
            .resource_handling_option
            .clone()
            .or(json.resource_handling_option),
    })
}

/// Run the command.
pub fn run(args: &CustomPolicyArgs) -> anyhow::Result<ExitCode> {
    let result = read_input(args).and_then(|input| {
        let sim = simulate(&input)?;
        Ok((sim, input.resource_policy.is_some()))
    });
    match result {
        Ok((sim, has_rp)) => {
            if args.output == Format::Json {
                for n in &sim.notes {
                    eprintln!("note: {n}");
                }
            }
            match args.output {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&output::to_response(&sim, has_rp))?
                ),
                Format::Text => print!("{}", output::to_text(&sim)),
                Format::Trace => {
                    println!("{}", serde_json::to_string_pretty(&output::to_trace(&sim))?)
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("\n{}", e.message);
            Ok(ExitCode::from(e.exit_code))
        }
    }
}
