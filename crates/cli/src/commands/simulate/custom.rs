//! `iamwhy simulate-custom-policy`: a drop-in for `aws iam simulate-custom-policy`.

use super::AwsCliError;
use super::common::{CommonArgs, finish, submitted};
use super::input;
use clap::Args;
use iamwhy_world::simulator::{SimulationInput, simulate};
use std::process::ExitCode;

/// Arguments, named as the AWS CLI names them.
#[derive(Debug, Args)]
pub struct CustomPolicyArgs {
    /// The shared simulator parameters.
    #[command(flatten)]
    pub common: CommonArgs,
    /// SCP levels as JSON: `[{"ServiceControlPolicyInputList": ["{...}"]}, ...]`, root first.
    #[arg(long, value_name = "JSON")]
    pub ordered_organization_policy_input_list: Option<String>,
}

/// Read the arguments into a simulation input.
pub fn read_input(args: &CustomPolicyArgs) -> Result<SimulationInput, AwsCliError> {
    let (mut input, json) = args.common.read("SimulateCustomPolicy")?;
    if json.policy_source_arn.is_some() {
        return Err(AwsCliError::Parameter(
            "Parameter validation failed: Unknown parameter in input: \"PolicySourceArn\"".into(),
        ));
    }
    if input.policies.is_empty() {
        return Err(AwsCliError::Parameter(
            "the following arguments are required: --policy-input-list".into(),
        ));
    }
    let org_levels = match &args.ordered_organization_policy_input_list {
        Some(raw) => input::parse_org_levels(raw)?,
        None => json
            .ordered_organization_policy_input_list
            .unwrap_or_default(),
    };
    input.org_levels = org_levels
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
    Ok(input)
}

/// Run the command.
pub fn run(args: &CustomPolicyArgs) -> anyhow::Result<ExitCode> {
    let result = read_input(args).and_then(|input| {
        let sim = simulate(&input)?;
        Ok((sim, input.resource_policy.is_some()))
    });
    finish(result, args.common.output)
}
