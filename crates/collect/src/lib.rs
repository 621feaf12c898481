//! # iamwhy-collect — a world from live AWS accounts (read-only)
//!
//! All of iamwhy's AWS SDK use lives here; the core crates never depend on it.
//! [`collect`] reads one account (or, with [`Options::org`], every member account through an
//! assumed role) and writes the world layout `iamwhy check --world` reads (docs/worlds.md):
//!
//! ```text
//! DIR/collection.json                          the manifest (what, when, by whom, failures)
//! DIR/organization.json                        when the organization is readable
//! DIR/accounts/<id>/authorization-details.json every page of GetAccountAuthorizationDetails
//! DIR/accounts/<id>/resource-policies.json     [{"arn", "policy", "tags"}] of 10 services
//! DIR/accounts/<id>/vpc-endpoints.json         DescribeVpcEndpoints of every region
//! ```
//!
//! Every API call is one of [`calls::CALLS`], from which [`calls::required_policy`] (the
//! `--print-policy` output) is generated. A refused or failing call never stops the run: it
//! is a [`manifest::Failure`] in `collection.json` saying what the world lacks. Collection
//! fails as a whole ([`CollectError`]) only when nothing usable was collected.

pub mod calls;
pub mod ec2;
pub mod files;
pub mod iam;
pub mod manifest;
pub mod org;
pub mod progress;
pub mod regional;
pub mod run;
pub mod s3;
pub mod sdk;
mod write;

pub use calls::{CALLS, Call, DEFAULT_ROLE_NAME, required_policy};
pub use manifest::{AccountEntry, Failure, Manifest};
pub use sdk::Connection;
pub use write::summary;

use crate::files::{ResourceEntry, VpcEndpoint};
use crate::run::{Run, Scope};
use crate::sdk::{Clients, Recorder};
use aws_config::SdkConfig;
use futures_util::StreamExt;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// What to collect and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The world directory to create (must not exist, or be empty).
    pub out: PathBuf,
    /// Credentials, endpoint, retries.
    pub connection: Connection,
    /// Regions to collect; empty: every enabled region (`ec2:DescribeRegions`).
    pub regions: Vec<String>,
    /// Collect the organization's member accounts through [`Options::role_name`].
    pub org: bool,
    /// With `org`: only these accounts (default: every active account).
    pub accounts: Vec<String>,
    /// The role assumed in member accounts.
    pub role_name: String,
    /// API calls in flight at most.
    pub concurrency: usize,
    /// Progress bars on standard error (only drawn on a terminal).
    pub progress: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            out: PathBuf::from("world"),
            connection: Connection {
                max_attempts: DEFAULT_MAX_ATTEMPTS,
                ..Connection::default()
            },
            regions: Vec::new(),
            org: false,
            accounts: Vec::new(),
            role_name: DEFAULT_ROLE_NAME.to_string(),
            concurrency: DEFAULT_CONCURRENCY,
            progress: false,
        }
    }
}

/// Calls in flight by default: enough to hide latency, few enough to stay clear of most
/// services' request-rate limits.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// Attempts per call by default (throttling is retried with exponential backoff).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;

/// The services collected for every account, as the catalog names them, in order.
pub const SERVICES: &[&str] = &[
    "iam",
    "s3",
    "kms",
    "sqs",
    "sns",
    "secretsmanager",
    "lambda",
    "ecr",
    "events",
    "es",
    "apigateway",
    "ec2",
];

/// A finished collection.
#[derive(Debug)]
pub struct Outcome {
    /// The manifest written to `collection.json`.
    pub manifest: Manifest,
    /// The world directory.
    pub dir: PathBuf,
    /// Every (SDK service, operation) called, for checking against [`CALLS`].
    pub calls_made: BTreeSet<(String, String)>,
    /// Calls made that are not in [`CALLS`] (always empty unless the table is wrong).
    pub unlisted_calls: BTreeSet<(String, String)>,
}

/// Why collection produced no world.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// The output directory cannot be used.
    #[error("{0}")]
    Output(String),
    /// The credentials do not work (`sts:GetCallerIdentity` failed).
    #[error("cannot identify the caller (no usable credentials?): {0}")]
    NoCredentials(String),
    /// No account could be read (the manifest with the failures was still written).
    #[error("nothing usable was collected: no account's IAM data could be read (see {})", .0.dir.join("collection.json").display())]
    NothingCollected(Box<Outcome>),
}

/// One account's collected parts.
struct AccountData {
    entry: AccountEntry,
    details: files::AuthorizationDetails,
    resources: Vec<ResourceEntry>,
    endpoints: Vec<VpcEndpoint>,
}

/// Collect, on a runtime of its own (for callers that are not async). The collection runs on
/// the runtime's worker threads, which get large stacks: the SDK's futures are deep in
/// unoptimized builds.
pub fn collect_blocking(opts: &Options) -> Result<Outcome, CollectError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(16 * 1024 * 1024)
        .build()
        .map_err(|e| CollectError::Output(format!("cannot start the async runtime: {e}")))?;
    let opts = opts.clone();
    rt.block_on(rt.spawn(async move { collect(&opts).await }))
        .map_err(|e| CollectError::Output(format!("the collection task failed: {e}")))?
}

/// Collect the world described by `opts` into `opts.out`.
pub async fn collect(opts: &Options) -> Result<Outcome, CollectError> {
    let staging = write::Staging::prepare(&opts.out)?;
    let started_at = manifest::now();
    let recorder = Recorder::default();
    let base = sdk::load_base(&opts.connection).await;
    let path_style = opts.connection.endpoint_url.is_some();
    let home = Clients::new(&base, &recorder, path_style);
    let run = Run::new(opts.concurrency, progress::Progress::new(opts.progress));

    let who = run
        .call(
            &calls::STS_GET_CALLER_IDENTITY,
            home.sts.get_caller_identity().send(),
        )
        .await
        .map_err(|e| CollectError::NoCredentials(e.message))?;
    let caller = who.arn().unwrap_or_default().to_string();
    let base_account = who.account().unwrap_or_default().to_string();
    let partition = caller.split(':').nth(1).unwrap_or("aws").to_string();
    let global = Scope {
        account: base_account.clone(),
        region: None,
        partition: partition.clone(),
    };

    let regions = if opts.regions.is_empty() {
        let at = global.at(Some(&home.region));
        ec2::enabled_regions(&run, &at, &home.ec2)
            .await
            .unwrap_or_else(|| vec![home.region.clone()])
    } else {
        let mut r = opts.regions.clone();
        r.sort();
        r.dedup();
        r
    };

    let organization = org::read(&run, &global, &home.organizations).await;
    let (org_file, org_id, members) = match organization {
        org::OrgOutcome::Read(r) => (Some(r.file), None, r.members),
        org::OrgOutcome::Unreadable { id } => (None, id, Vec::new()),
        org::OrgOutcome::NotInOrganization => (None, None, Vec::new()),
    };
    let org_id = org_file.as_ref().map(|o| o.id.clone()).or(org_id);

    // Which accounts, and with which credentials.
    let mut targets: Vec<String> = if !opts.org {
        vec![base_account.clone()]
    } else if !opts.accounts.is_empty() {
        opts.accounts.clone()
    } else if org_file.is_some() {
        members
            .iter()
            .filter(|(_, active)| *active)
            .map(|(id, _)| id.clone())
            .collect()
    } else {
        vec![base_account.clone()]
    };
    targets.sort();
    targets.dedup();
    run.progress
        .add_units((targets.len() * (regions.len() + 1)) as u64);

    let results: Vec<Option<AccountData>> = futures_util::stream::iter(targets)
        .map(|id| {
            let run = &run;
            let base = &base;
            let home = &home;
            let recorder = &recorder;
            let regions = &regions;
            let partition = &partition;
            let base_account = &base_account;
            let read_org = org_file.is_some() || org_id.is_some();
            async move {
                let scope = Scope {
                    account: id.clone(),
                    region: None,
                    partition: partition.clone(),
                };
                let (config, via) = if &id == base_account {
                    (base.clone(), None)
                } else {
                    let role = format!("arn:{partition}:iam::{id}:role/{}", opts.role_name);
                    let Some(creds) = assume(run, &scope.at(None), home, &role).await else {
                        run.progress.skip(regions.len() as u64 + 1);
                        return None;
                    };
                    (sdk::with_credentials(base, creds), Some(role))
                };
                let mut data =
                    collect_account(run, &scope, &config, recorder, regions, path_style).await?;
                data.entry.via = via;
                if read_org && &id == base_account {
                    data.entry.services.insert(1, "organizations".into());
                }
                Some(data)
            }
        })
        .buffer_unordered(opts.concurrency.clamp(1, 4))
        .collect()
        .await;
    run.progress.finish();

    let accounts: Vec<AccountData> = results.into_iter().flatten().collect();
    let observed = std::mem::take(&mut *recorder.0.lock().unwrap_or_else(|e| e.into_inner()));
    let mut manifest = Manifest {
        schema: manifest::SCHEMA.to_string(),
        tool: concat!("iamwhy ", env!("CARGO_PKG_VERSION")).to_string(),
        started_at,
        finished_at: String::new(),
        caller,
        partition,
        organization: org_file.as_ref().map(|o| o.id.clone()),
        accounts: accounts.iter().map(|a| a.entry.clone()).collect(),
        failures: run.take_failures(),
    };
    manifest.accounts.sort_by(|a, b| a.id.cmp(&b.id));
    manifest.finished_at = manifest::now();
    let wrote_any = !accounts.is_empty();
    let dir = staging.finish(&manifest, org_file.as_ref(), &accounts)?;
    let outcome = Outcome {
        manifest,
        dir,
        calls_made: observed.seen,
        unlisted_calls: observed.unlisted,
    };
    if wrote_any {
        Ok(outcome)
    } else {
        Err(CollectError::NothingCollected(Box::new(outcome)))
    }
}

/// Await `f`, then count one service of the unit as done.
async fn counted<T>(unit: &progress::Unit, f: impl std::future::Future<Output = T>) -> T {
    let v = f.await;
    unit.inc();
    v
}

/// Assume the member-account role; `None` (failure recorded) when refused.
async fn assume(
    run: &Run,
    scope: &Scope,
    home: &Clients,
    role: &str,
) -> Option<aws_credential_types::Credentials> {
    let o = run
        .call_or_fail(
            scope,
            &calls::STS_ASSUME_ROLE,
            Some(role),
            || format!("account {} (its role could not be assumed)", scope.account),
            home.sts
                .assume_role()
                .role_arn(role)
                .role_session_name("iamwhy-collect")
                .send(),
        )
        .await?;
    let c = o.credentials()?;
    let expiry = std::time::SystemTime::try_from(*c.expiration()).ok();
    Some(aws_credential_types::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        expiry,
        "iamwhy-collect-assume-role",
    ))
}

/// Collect one account: IAM and S3 once, the regional services in every region.
async fn collect_account(
    run: &Run,
    scope: &Scope,
    config: &SdkConfig,
    recorder: &Recorder,
    regions: &[String],
    path_style: bool,
) -> Option<AccountData> {
    let clients = Clients::new(config, recorder, path_style);
    let unit = run.progress.unit(format!("{} global", scope.account), 2);
    unit.step("iam");
    let details = iam::authorization_details(run, scope, &clients.iam).await;
    unit.inc();
    let Some(details) = details else {
        unit.done();
        run.progress.skip(regions.len() as u64);
        return None;
    };
    unit.step("s3");
    let mut resources = s3::buckets(run, scope, &clients.s3, config, recorder, path_style).await;
    unit.inc();
    unit.done();

    let per_region: Vec<(Vec<ResourceEntry>, Vec<VpcEndpoint>)> =
        futures_util::stream::iter(regions.to_vec())
            .map(|region| async move {
                let at = scope.at(Some(&region));
                let c = Clients::new(&sdk::in_region(config, &region), recorder, path_style);
                let unit = run.progress.unit(format!("{} {region}", scope.account), 10);
                let (kms, sqs, sns, sm, lambda, ecr, ev, es, api, vpce) = tokio::join!(
                    counted(&unit, regional::kms(run, &at, &c)),
                    counted(&unit, regional::sqs(run, &at, &c)),
                    counted(&unit, regional::sns(run, &at, &c)),
                    counted(&unit, regional::secrets(run, &at, &c)),
                    counted(&unit, regional::lambda(run, &at, &c)),
                    counted(&unit, regional::ecr(run, &at, &c)),
                    counted(&unit, regional::events(run, &at, &c)),
                    counted(&unit, regional::opensearch(run, &at, &c)),
                    counted(&unit, regional::apigateway(run, &at, &c)),
                    counted(&unit, ec2::vpc_endpoints(run, &at, &c.ec2)),
                );
                let vpce = vpce.unwrap_or_default();
                unit.done();
                let mut all = Vec::new();
                for v in [kms, sqs, sns, sm, lambda, ecr, ev, es, api] {
                    all.extend(v);
                }
                (all, vpce)
            })
            .buffer_unordered(run.concurrency.clamp(1, 4))
            .collect()
            .await;

    let mut endpoints = Vec::new();
    for (r, e) in per_region {
        resources.extend(r);
        endpoints.extend(e);
    }
    let mut by_arn: BTreeMap<String, ResourceEntry> = BTreeMap::new();
    for r in resources {
        by_arn.entry(r.arn.clone()).or_insert(r);
    }
    endpoints.sort_by(|a, b| a.vpc_endpoint_id.cmp(&b.vpc_endpoint_id));
    Some(AccountData {
        entry: AccountEntry {
            id: scope.account.clone(),
            via: None,
            regions: regions.to_vec(),
            services: SERVICES.iter().map(|s| s.to_string()).collect(),
        },
        details,
        resources: by_arn.into_values().collect(),
        endpoints,
    })
}
