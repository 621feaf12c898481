//! `iamwhy collect --out DIR`: a world from live AWS accounts, read-only (docs/collect.md).
//! `--print-policy` prints the IAM policy the collector needs. The AWS SDK is linked only
//! with the cli crate's `collect` feature (default on); a binary built without it says how
//! to get one that has it.

use clap::Args;
use std::process::ExitCode;

#[cfg(feature = "collect")]
pub use with_sdk::{CollectArgs, run};

#[cfg(not(feature = "collect"))]
pub use without_sdk::{CollectArgs, run};

#[cfg(feature = "collect")]
mod with_sdk {
    use super::*;
    use iamwhy_collect::{CollectError, Options};
    use std::io::IsTerminal;
    use std::path::PathBuf;

    /// Arguments of `iamwhy collect`.
    #[derive(Debug, Args)]
    pub struct CollectArgs {
        /// The world directory to create (must not exist, or be empty).
        #[arg(long, value_name = "DIR", required_unless_present = "print_policy")]
        pub out: Option<PathBuf>,
        /// Print the IAM policy the collector needs (read-only actions; with --org also
        /// sts:AssumeRole on the member-account role) and exit.
        #[arg(long)]
        pub print_policy: bool,
        /// A named profile of the AWS config files (default: the standard credential chain).
        #[arg(long, value_name = "NAME")]
        pub profile: Option<String>,
        /// A region to collect; repeat for several (default: every enabled region).
        #[arg(long = "region", value_name = "REGION")]
        pub regions: Vec<String>,
        /// Send every call to this endpoint (an emulator such as moto); S3 uses path-style
        /// addressing.
        #[arg(long, value_name = "URL")]
        pub endpoint_url: Option<String>,
        /// From the management or delegated-administrator account: collect every active
        /// member account through --role-name.
        #[arg(long)]
        pub org: bool,
        /// With --org: only these accounts.
        #[arg(long, value_name = "ID", num_args = 1.., requires = "org")]
        pub accounts: Vec<String>,
        /// The role assumed in member accounts.
        #[arg(long, value_name = "NAME", default_value = iamwhy_collect::DEFAULT_ROLE_NAME)]
        pub role_name: String,
        /// API calls in flight at most.
        #[arg(long, value_name = "N", default_value_t = iamwhy_collect::DEFAULT_CONCURRENCY as u16,
              value_parser = clap::value_parser!(u16).range(1..=256))]
        pub concurrency: u16,
        /// Attempts per call (throttling and transient errors are retried with exponential
        /// backoff).
        #[arg(long, value_name = "N", default_value_t = iamwhy_collect::DEFAULT_MAX_ATTEMPTS,
              value_parser = clap::value_parser!(u32).range(1..=20))]
        pub max_attempts: u32,
    }

    /// Run `iamwhy collect`.
    pub fn run(args: &CollectArgs) -> anyhow::Result<ExitCode> {
        if args.print_policy {
            let role = args.org.then_some(args.role_name.as_str());
            let policy = iamwhy_collect::required_policy(role);
            println!("{}", serde_json::to_string_pretty(&policy)?);
            return Ok(ExitCode::SUCCESS);
        }
        for id in &args.accounts {
            if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
                eprintln!("iamwhy: --accounts: \"{id}\" is not a 12-digit account id");
                return Ok(ExitCode::from(2));
            }
        }
        let out = args.out.clone().expect("clap requires --out");
        let mut opts = Options {
            out,
            regions: args.regions.clone(),
            org: args.org,
            accounts: args.accounts.clone(),
            role_name: args.role_name.clone(),
            concurrency: usize::from(args.concurrency),
            progress: std::io::stderr().is_terminal(),
            ..Options::default()
        };
        opts.connection.profile = args.profile.clone();
        opts.connection.endpoint_url = args.endpoint_url.clone();
        opts.connection.home_region = args.regions.first().cloned();
        opts.connection.max_attempts = args.max_attempts;
        let started = std::time::Instant::now();
        match iamwhy_collect::collect_blocking(&opts) {
            Ok(outcome) => {
                eprint!("{}", iamwhy_collect::summary(&outcome.manifest));
                eprintln!(
                    "wrote {} in {:.1} s (manifest: collection.json)",
                    outcome.dir.display(),
                    started.elapsed().as_secs_f64()
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(CollectError::NothingCollected(outcome)) => {
                eprint!("{}", iamwhy_collect::summary(&outcome.manifest));
                eprintln!(
                    "iamwhy: nothing usable was collected (no account's IAM data could be read); the failures are in {}",
                    outcome.dir.join("collection.json").display()
                );
                Ok(ExitCode::from(2))
            }
            Err(e) => {
                eprintln!("iamwhy: {e}");
                Ok(ExitCode::from(2))
            }
        }
    }
}

#[cfg(not(feature = "collect"))]
mod without_sdk {
    use super::*;

    /// Arguments of `iamwhy collect` (this binary was built without the AWS SDK).
    #[derive(Debug, Args)]
    pub struct CollectArgs {
        /// Ignored: this binary cannot collect.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        pub rest: Vec<String>,
    }

    /// Explain that collection needs the `collect` feature.
    pub fn run(_args: &CollectArgs) -> anyhow::Result<ExitCode> {
        eprintln!(
            "iamwhy: this binary was built without the AWS SDK (cargo feature `collect`); install one that can collect with `cargo install --path crates/cli` (the feature is on by default)"
        );
        Ok(ExitCode::from(2))
    }
}
