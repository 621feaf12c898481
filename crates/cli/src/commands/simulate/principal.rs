//! `iamwhy simulate-principal-policy --world DIR --policy-source-arn ARN ...`: a drop-in for
//! `aws iam simulate-principal-policy`, with the world standing in for the account: the
//! entity's policies (a user's own and its groups', a group's, a role's), its boundary, the
//! SCPs on its account's path, and the context keys the simulator fills itself (AWS: keys the policy simulator fills).

use super::AwsCliError;
use super::common::{CommonArgs, finish};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments, named as the AWS CLI names them, plus `--world`.
#[derive(Debug, Args)]
pub struct PrincipalPolicyArgs {
    /// The world directory standing in for the account.
    #[arg(long, value_name = "DIR")]
    pub world: PathBuf,
    /// The user, group or role whose policies are simulated.
    #[arg(long, value_name = "ARN")]
    pub policy_source_arn: Option<String>,
    /// The shared simulator parameters.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Run the command.
pub fn run(args: &PrincipalPolicyArgs) -> anyhow::Result<ExitCode> {
    let world = crate::commands::load_world(&args.world)?;
    let result = (|| {
        let (sim_input, json) = args.common.read("SimulatePrincipalPolicy")?;
        let source = args
            .policy_source_arn
            .clone()
            .or(json.policy_source_arn)
            .ok_or_else(|| {
                AwsCliError::Parameter(
                    "the following arguments are required: --policy-source-arn".into(),
                )
            })?;
        let mut base = world.simulator_base(&source)?;
        if sim_input.resource_policy.is_none() {
            let resources = if sim_input.resources.is_empty() {
                vec!["*".to_string()]
            } else {
                sim_input.resources.clone()
            };
            let has_caller = sim_input.caller_arn.is_some() || base.caller.is_some();
            let (policies, notes) = world.simulator_resource_policies(
                &sim_input.actions,
                &resources,
                sim_input.resource_owner.as_deref(),
                has_caller,
            );
            base.resource_policies = policies;
            base.notes = notes;
        }
        let has_rp = sim_input.resource_policy.is_some();
        iamwhy_world::simulator::simulate_with(&sim_input, base).map(|sim| (sim, has_rp))
    })();
    finish(result, args.common.output)
}
