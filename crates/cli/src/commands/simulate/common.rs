//! The parameters both simulators share, named as the AWS CLI names them, how they are read
//! (with `--cli-input-json` and `file://`), and how a simulation is printed.

use super::input::{self, CliInput, load_value};
use super::{AwsCliError, exit_code, output};
use anstream::{print, println};
use clap::{Args, ValueEnum};
use iamwhy_world::simulator::{Simulation, SimulationInput, SubmittedPolicy};
use std::process::ExitCode;

/// Parameters common to `simulate-custom-policy` and `simulate-principal-policy`.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Identity-based policy documents (JSON text or file://PATH), one or more.
    #[arg(long, num_args = 1.., value_name = "POLICY")]
    pub policy_input_list: Vec<String>,
    /// A permissions boundary document (JSON text or file://PATH).
    #[arg(long, num_args = 1.., value_name = "POLICY")]
    pub permissions_boundary_policy_input_list: Vec<String>,
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
    /// The simulated caller (user or role ARN).
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

/// Submitted documents, numbered as AWS numbers them (`PolicyInputList.1`).
pub fn submitted(prefix: &str, values: &[String]) -> Result<Vec<SubmittedPolicy>, AwsCliError> {
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

/// A command-line list, or the `--cli-input-json` one when the command line gave none.
pub fn pick<T>(cli: Vec<T>, json: Option<Vec<T>>) -> Vec<T> {
    if cli.is_empty() {
        json.unwrap_or_default()
    } else {
        cli
    }
}

impl CommonArgs {
    /// Read the shared parameters for `operation`, merged with `--cli-input-json`. Returns the
    /// input and the parsed JSON (for the command's own keys).
    pub fn read(
        &self,
        operation: &'static str,
    ) -> Result<(SimulationInput, CliInput), AwsCliError> {
        let mut json = match &self.cli_input_json {
            Some(raw) => input::parse_cli_input(raw)?,
            None => CliInput::default(),
        };
        let actions = pick(self.action_names.clone(), json.action_names.take());
        if actions.is_empty() {
            return Err(AwsCliError::Parameter(
                "the following arguments are required: --action-names".into(),
            ));
        }
        let mut context = input::parse_context_entries(&self.context_entries)?;
        if context.is_empty()
            && let Some(entries) = json.context_entries.take()
        {
            context = input::context_entries_from_json(serde_json::Value::Array(entries))?;
        }
        let resource_policy = match self.resource_policy.clone().or(json.resource_policy.take()) {
            Some(v) => Some(SubmittedPolicy {
                id: "ResourcePolicy".into(),
                text: load_value(&v)?,
            }),
            None => None,
        };
        let input = SimulationInput {
            operation,
            policies: submitted(
                "PolicyInputList",
                &pick(
                    self.policy_input_list.clone(),
                    json.policy_input_list.take(),
                ),
            )?,
            boundaries: submitted(
                "PermissionsBoundaryPolicyInputList",
                &pick(
                    self.permissions_boundary_policy_input_list.clone(),
                    json.permissions_boundary_policy_input_list.take(),
                ),
            )?,
            org_levels: Vec::new(),
            actions,
            resources: pick(self.resource_arns.clone(), json.resource_arns.take()),
            resource_policy,
            resource_owner: self.resource_owner.clone().or(json.resource_owner.take()),
            caller_arn: self.caller_arn.clone().or(json.caller_arn.take()),
            context,
            resource_handling_option: self
                .resource_handling_option
                .clone()
                .or(json.resource_handling_option.take()),
        };
        Ok((input, json))
    }
}

/// Print a simulation (or the AWS CLI error) and give the exit code.
pub fn finish(
    result: Result<(Simulation, bool), AwsCliError>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    match result {
        Ok((sim, has_resource_policy)) => {
            match format {
                Format::Json => {
                    for n in &sim.notes {
                        eprintln!("note: {n}");
                    }
                    for n in output::conservative_notes(&sim) {
                        eprintln!("note: {n}");
                    }
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&output::to_response(
                            &sim,
                            has_resource_policy
                        ))?
                    );
                }
                Format::Text => print!("{}", output::to_text(&sim)),
                Format::Trace => {
                    println!("{}", serde_json::to_string_pretty(&output::to_trace(&sim))?)
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("\n{e}");
            Ok(ExitCode::from(exit_code(&e)))
        }
    }
}
