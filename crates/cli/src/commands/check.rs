//! `iamwhy check --world DIR --principal ARN --action A --resource ARN [...]`: one request
//! against a world, explained; `--expect` turns it into a CI assertion.

use crate::render::trace::{render, render_context};
use anstream::{print, println};
use clap::{Args, ValueEnum};
use iamwhy_diagnostic::Diagnostic;
use iamwhy_engine::EvaluationOptions;
use iamwhy_engine::decision::Decision;
use iamwhy_world::Question;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `iamwhy check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The world directory (docs/worlds.md: organization.json, `accounts/<id>/...`), or a store
    /// written by iam-collect.
    #[arg(long, value_name = "DIR")]
    pub world: PathBuf,
    /// Who asks: user, role, assumed-role session or root ARN, account id, service principal,
    /// or `anonymous`.
    #[arg(long, value_name = "ARN")]
    pub principal: String,
    /// The action, e.g. s3:GetObject.
    #[arg(long, value_name = "ACTION")]
    pub action: String,
    /// The resource ARN, or `*` for actions without resources.
    #[arg(long, value_name = "ARN", default_value = "*")]
    pub resource: String,
    /// A context key: KEY=VALUE; repeat a key for multivalued keys.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// A session policy (file) the session was created with.
    #[arg(long, value_name = "FILE")]
    pub session_policy: Option<PathBuf>,
    /// For a federated-user principal: the IAM user that called GetFederationToken.
    #[arg(long, value_name = "USER_ARN")]
    pub federated_by: Option<String>,
    /// The VPC endpoint the request goes through.
    #[arg(long, value_name = "VPCE_ID")]
    pub source_vpce: Option<String>,
    /// The account owning the resource, when the ARN has none and the world cannot tell.
    #[arg(long, value_name = "ACCOUNT")]
    pub resource_account: Option<String>,
    /// Exit 1 unless the decision is this.
    #[arg(long, value_enum, value_name = "DECISION")]
    pub expect: Option<Expectation>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Print how long loading the world, preparing the request and deciding took (stderr).
    #[arg(long)]
    pub timings: bool,
    /// Also report under which values of the context keys the request lacks it would be
    /// allowed (Discovery; docs/analyze.md).
    #[arg(long)]
    pub discover: bool,
}

/// The decisions `--expect` accepts.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Expectation {
    /// Allowed.
    Allowed,
    /// Explicitly or implicitly denied.
    Denied,
    /// Denied by an applicable Deny statement.
    #[value(name = "explicitDeny")]
    ExplicitDeny,
    /// Denied because nothing allows.
    #[value(name = "implicitDeny")]
    ImplicitDeny,
}

impl Expectation {
    fn holds(self, d: Decision) -> bool {
        match self {
            Expectation::Allowed => d == Decision::Allowed,
            Expectation::Denied => d != Decision::Allowed,
            Expectation::ExplicitDeny => d == Decision::ExplicitDeny,
            Expectation::ImplicitDeny => d == Decision::ImplicitDeny,
        }
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// The explanation, for people.
    Text,
    /// The question, the decision, the trace and the context as JSON.
    Json,
}

/// Parse `KEY=VALUE` context arguments.
pub fn parse_context(args: &[String]) -> Result<Vec<(String, String)>, Diagnostic> {
    args.iter()
        .map(|a| {
            a.split_once('=')
                .filter(|(k, _)| !k.trim().is_empty())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| {
                    Diagnostic::error("bad-context-flag", format!("--context {a}: expected KEY=VALUE"))
                        .with_help("for example --context aws:MultiFactorAuthPresent=true; repeat a key for a multivalued key")
                })
        })
        .collect()
}

/// Run the command.
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let world = super::load_world(&args.world)?;
    let session_policy = match &args.session_policy {
        Some(p) => Some(super::read_file(p, "session policy")?),
        None => None,
    };
    let question = Question {
        principal: args.principal.clone(),
        action: args.action.clone(),
        resource: args.resource.clone(),
        context: parse_context(&args.context)?,
        session_policy,
        source_vpce: args.source_vpce.clone(),
        resource_account: args.resource_account.clone(),
        now: None,
        federated_by: args.federated_by.clone(),
    };
    let loaded = started.elapsed();
    let prepare_started = std::time::Instant::now();
    let prepared = world.prepare(&question)?;
    let prepared_in = prepare_started.elapsed();
    let evaluate_started = std::time::Instant::now();
    let evaluation = prepared
        .set
        .evaluate(&prepared.request, &EvaluationOptions::default());
    let evaluated_in = evaluate_started.elapsed();
    let discovery = args.discover.then(|| {
        prepared.set.discover(
            &prepared.request,
            &EvaluationOptions::default(),
            &iamwhy_engine::Unknowns::missing_keys(),
        )
    });
    if args.timings {
        let accounts = world.accounts.len();
        let roles: usize = world.accounts.values().map(|a| a.roles.len()).sum();
        let policies: usize = world.accounts.values().map(|a| a.managed.len()).sum();
        eprintln!(
            "timings: loaded the world ({accounts} accounts, {roles} roles, {policies} managed policies) in {:.1} ms; prepared the request in {:.3} ms; decided and explained in {:.3} ms",
            loaded.as_secs_f64() * 1e3,
            prepared_in.as_secs_f64() * 1e3,
            evaluated_in.as_secs_f64() * 1e3
        );
    }
    let expectation_ok = args.expect.map(|e| e.holds(evaluation.decision));
    match args.output {
        Format::Text => {
            print!("{}", render(&evaluation, &args.action, &args.resource));
            print!("{}", render_context(&prepared.context, &evaluation));
            for n in &prepared.notes {
                println!("  note: {n}");
            }
            if let Some(d) = &discovery {
                print!("{}", crate::render::discovery::render(d));
            }
        }
        Format::Json => {
            let v = json!({
                "schema": "iamwhy.check/1",
                "question": {
                    "principal": args.principal,
                    "action": args.action,
                    "resource": args.resource,
                },
                "decision": evaluation.decision,
                "expectation_met": expectation_ok,
                "context": prepared.context,
                "notes": prepared.notes,
                "evaluation": evaluation,
                "discovery": discovery,
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
    }
    if let (Some(expected), Some(false)) = (args.expect, expectation_ok) {
        eprintln!(
            "iamwhy: expected {:?}, but the decision is {}",
            expected,
            evaluation.decision.simulator_name()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
