//! `iamwhy serve --world DIR [--addr 127.0.0.1:7878] [--token T] [--allow-remote]`: the web
//! UI and JSON API of the iamwhy-server crate over one world (docs/serve.md). This module
//! reads the arguments, loads the world and binds; everything else is in the server crate.
//! The web server (axum, tokio) is linked only with the cli crate's `serve` feature (default
//! on); a binary built without it says how to get one that has it.

#[cfg(feature = "serve")]
pub use with_server::{ServeArgs, run};

#[cfg(not(feature = "serve"))]
pub use without_server::{ServeArgs, run};

#[cfg(feature = "serve")]
mod with_server {
    use clap::Args;
    use iamwhy_diagnostic::Diagnostic;
    use std::net::SocketAddr;
    use std::path::PathBuf;
    use std::process::ExitCode;
    use std::time::Duration;

    /// Arguments of `iamwhy serve`.
    #[derive(Debug, Args)]
    pub struct ServeArgs {
        /// The world directory to serve (docs/worlds.md).
        #[arg(long, value_name = "DIR")]
        pub world: PathBuf,
        /// The address to listen on; a port of 0 picks a free one.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7878")]
        pub addr: SocketAddr,
        /// Require `Authorization: Bearer TOKEN` on every API request (the page reads it from
        /// the #token=... part of its address). IAMWHY_SERVE_TOKEN in the environment does the
        /// same without showing the token in the process list.
        #[arg(long, value_name = "TOKEN")]
        pub token: Option<String>,
        /// Allow an address other than loopback (anyone who can reach it can read every policy
        /// of the world; use --token).
        #[arg(long)]
        pub allow_remote: bool,
        /// The most a request body may hold (e.g. 4M, 64M).
        #[arg(long, value_name = "SIZE", default_value = "4M")]
        pub max_body: String,
        /// The deadline of one API request, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 30)]
        pub timeout: u64,
    }

    /// Run the command: serve until Ctrl-C.
    pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
        let max_body = iamwhy_evidence::input::parse_size(&args.max_body)
            .map_err(|e| Diagnostic::error("bad-size-flag", format!("--max-body {e}")))?;
        if args.timeout == 0 {
            return Err(Diagnostic::error(
                "bad-timeout-flag",
                "--timeout must be at least 1 second",
            )
            .into());
        }
        if let Some(warning) = iamwhy_server::check_bind(args.addr, args.allow_remote)? {
            eprintln!("iamwhy: {warning}");
        }
        let token = args
            .token
            .clone()
            .or_else(|| std::env::var("IAMWHY_SERVE_TOKEN").ok());
        if token.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err(Diagnostic::error(
                "empty-request-field",
                "the token (--token or IAMWHY_SERVE_TOKEN) is empty",
            )
            .into());
        }
        let world = crate::commands::load_world(&args.world)?;
        let listener = std::net::TcpListener::bind(args.addr).map_err(|e| {
            Diagnostic::error(
                "serve-cannot-bind",
                format!("cannot listen on {}: {e}", args.addr),
            )
            .with_help("choose another port with --addr 127.0.0.1:PORT (0 picks a free one)")
        })?;
        let local = listener.local_addr()?;
        let app = iamwhy_server::app(
            world,
            iamwhy_server::Options {
                limits: iamwhy_server::Limits {
                    max_body: usize::try_from(max_body).unwrap_or(usize::MAX),
                    timeout: Duration::from_secs(args.timeout),
                },
                token: token.clone(),
                world_label: args.world.display().to_string(),
                any_host: args.allow_remote,
            },
        );
        let fragment = if token.is_some() {
            "#token=<the token>"
        } else {
            ""
        };
        eprintln!(
            "iamwhy serve: {} on http://{local}/{fragment} (Ctrl-C to stop)",
            args.world.display()
        );
        iamwhy_server::serve_blocking(listener, app)
            .map_err(|e| Diagnostic::error("serve-failed", format!("the server stopped: {e}")))?;
        eprintln!("iamwhy serve: stopped");
        Ok(ExitCode::SUCCESS)
    }
}

#[cfg(not(feature = "serve"))]
mod without_server {
    use clap::Args;
    use std::process::ExitCode;

    /// Arguments of `iamwhy serve` (this binary was built without the web server).
    #[derive(Debug, Args)]
    pub struct ServeArgs {
        /// Ignored: this binary cannot serve.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        pub rest: Vec<String>,
    }

    /// Explain that serving needs the `serve` feature.
    pub fn run(_args: &ServeArgs) -> anyhow::Result<ExitCode> {
        eprintln!(
            "iamwhy: this binary was built without the web server (cargo feature `serve`); install one that can serve with `cargo install --path crates/cli` (the feature is on by default)"
        );
        Ok(ExitCode::from(2))
    }
}
