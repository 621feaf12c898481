//! `iamwhy simulate-principal-policy --world DIR --policy-source-arn ARN ...`: a drop-in for
//! `aws iam simulate-principal-policy`, with the world standing in for the account: the
//! entity's policies (a user's own and its groups', a group's, a role's), its boundary, the
//! SCPs on its account's path, and the context keys the simulator fills itself (spec §6.3).

use super::common::{CommonArgs, finish};
use super::{AwsCliError, Base, simulate_with};
use clap::Args;
use iamwhy_engine::Principal;
use iamwhy_world::World;
use iamwhy_world::model::{Account, Policy};
use std::collections::HashMap;
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

/// Record AWS's id and type for a managed policy.
fn managed(ids: &mut HashMap<String, (String, &'static str)>, arn: &str, p: &Policy) {
    if let Some(source) = &p.source {
        let kind = if arn.contains(":aws:policy/") {
            "aws-managed"
        } else {
            "user-managed"
        };
        ids.insert(source.clone(), (p.name.clone(), kind));
    }
}

/// Record AWS's synthesised id (`user_<name>_<policy>`) for an inline policy.
fn inline(
    ids: &mut HashMap<String, (String, &'static str)>,
    kind: &'static str,
    owner: &str,
    p: &Policy,
) {
    if let Some(source) = &p.source {
        let name = p.name.rsplit('/').next().unwrap_or(&p.name);
        ids.insert(source.clone(), (format!("{kind}_{owner}_{name}"), kind));
    }
}

fn not_found(arn: &str) -> AwsCliError {
    AwsCliError::service(
        "NoSuchEntity",
        "SimulatePrincipalPolicy",
        format!("The entity {arn} does not exist in the world"),
    )
}

/// The entity's policies and the simulator's automatic context.
fn base_from_world(world: &World, arn: &str) -> Result<Base, AwsCliError> {
    let account_id = arn.split(':').nth(4).unwrap_or("");
    let account: &Account = world
        .accounts
        .get(account_id)
        .ok_or_else(|| not_found(arn))?;
    let resource = arn.split(':').nth(5).unwrap_or("");
    let mut base = Base::default();
    let mut context: Vec<(String, Vec<String>)> =
        vec![("aws:PrincipalAccount".into(), vec![account_id.to_string()])];
    let attach = |base: &mut Base, arns: &[String]| {
        for a in arns {
            let p = account.managed[a].clone();
            managed(&mut base.policy_ids, a, &p);
            base.identity.push(p);
        }
    };
    match resource.split_once('/') {
        Some(("user", _)) => {
            let user = account.users.get(arn).ok_or_else(|| not_found(arn))?;
            for p in &user.inline {
                inline(&mut base.policy_ids, "user", &user.name, p);
                base.identity.push(p.clone());
            }
            attach(&mut base, &user.attached);
            for g in &user.groups {
                let group = &account.groups[g];
                for p in &group.inline {
                    inline(&mut base.policy_ids, "group", &group.name, p);
                    base.identity.push(p.clone());
                }
                attach(&mut base, &group.attached);
            }
            if let Some(b) = &user.boundary {
                base.boundary.push(account.managed[b].clone());
            }
            base.caller = Principal::parse(&user.arn).ok();
            context.push(("aws:PrincipalType".into(), vec!["User".into()]));
            context.push(("aws:username".into(), vec![user.name.clone()]));
            if let Some(id) = &user.id {
                context.push(("aws:userid".into(), vec![id.clone()]));
            }
        }
        Some(("group", _)) => {
            let group = account
                .groups
                .values()
                .find(|g| g.arn == arn)
                .ok_or_else(|| not_found(arn))?;
            for p in &group.inline {
                inline(&mut base.policy_ids, "group", &group.name, p);
                base.identity.push(p.clone());
            }
            attach(&mut base, &group.attached);
        }
        Some(("role", _)) => {
            let role = account.roles.get(arn).ok_or_else(|| not_found(arn))?;
            for p in &role.inline {
                inline(&mut base.policy_ids, "role", &role.name, p);
                base.identity.push(p.clone());
            }
            attach(&mut base, &role.attached);
            if let Some(b) = &role.boundary {
                base.boundary.push(account.managed[b].clone());
            }
            base.caller = Principal::parse(&role.arn).ok().map(|mut p| {
                p.unique_id = role.id.clone();
                p
            });
            context.push(("aws:PrincipalType".into(), vec!["AssumedRole".into()]));
            if let Some(id) = &role.id {
                context.push(("aws:userid".into(), vec![id.clone()]));
            }
        }
        _ => {
            return Err(AwsCliError::service(
                "InvalidInput",
                "SimulatePrincipalPolicy",
                format!("PolicySourceArn {arn} must be an IAM user, group or role ARN"),
            ));
        }
    }
    if let Some(org) = &world.organization
        && let Some(path) = org.org_path(account_id)
    {
        context.push(("aws:PrincipalOrgID".into(), vec![org.id.clone()]));
        context.push(("aws:PrincipalOrgPaths".into(), vec![path]));
        if org.scps_enabled
            && account_id != org.management_account
            && let Some(levels) = org.levels(account_id, false)
        {
            base.scp_levels = levels.into_iter().map(|l| (l.target, l.policies)).collect();
        }
    }
    base.context = context;
    Ok(base)
}

/// Run the command.
pub fn run(args: &PrincipalPolicyArgs) -> anyhow::Result<ExitCode> {
    let world = match crate::commands::load_world(&args.world) {
        Ok(w) => w,
        Err(code) => return Ok(code),
    };
    let result = (|| {
        let (sim_input, json) = args.common.read("SimulatePrincipalPolicy")?;
        let source = args
            .policy_source_arn
            .clone()
            .or(json.policy_source_arn)
            .ok_or_else(|| {
                AwsCliError::parameter(
                    "the following arguments are required: --policy-source-arn".into(),
                )
            })?;
        let base = base_from_world(&world, &source)?;
        let has_rp = sim_input.resource_policy.is_some();
        simulate_with(&sim_input, base).map(|sim| (sim, has_rp))
    })();
    finish(result, args.common.output)
}
