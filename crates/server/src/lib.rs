//! # iamwhy-server — `iamwhy serve`: a local web UI over a JSON API
//!
//! [`app`] builds the whole service for one loaded world: the pages (HTML, CSS and JS
//! embedded in the binary; no request leaves the page) and the JSON API under `/api/v1/`.
//! Every answer of the API is the serde type the CLI prints with `--output json`
//! ([`iamwhy_explain::ExplainReport`], [`iamwhy_explain::CheckReport`], the lint crate's
//! Access Analyzer shape, [`iamwhy_analyze::WhoCan`], [`iamwhy_analyze::WhatCan`]) and
//! every failure is the `iamwhy.error/1` document
//! ([`iamwhy_diagnostic::ErrorReport`]) with an HTTP status. [`serve`] runs it on a listener
//! until a shutdown signal; [`check_bind`] refuses a non-loopback address unless asked.
//!
//! Limits: request bodies are capped ([`Limits::max_body`], 413), each API request has a
//! deadline ([`Limits::timeout`], 503), a panic becomes a 500 with a message, and an optional
//! bearer token guards `/api/`. docs/serve.md describes the API.

mod api;
mod assets;
mod error;
mod world_api;

pub use error::ApiError;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use iamwhy_diagnostic::Diagnostic;
use iamwhy_engine::CompiledPolicy;
use iamwhy_explain::WorldIndex;
use iamwhy_world::World;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// The Content-Security-Policy of every response: the page may load its own script, style and
/// images and talk to its own origin, nothing else (no CDN, no external request of any kind).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The limits of the service.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The most bytes a request body may hold (413 above).
    pub max_body: usize,
    /// The deadline of one API request (503 after it).
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 4 << 20,
            timeout: Duration::from_secs(30),
        }
    }
}

/// How the service is set up.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Limits of each request.
    pub limits: Limits,
    /// When set, every `/api/` request needs `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// How the world is named in answers (its directory).
    pub world_label: String,
    /// Answer requests whatever their `Host` header names. Off (the default), a request
    /// whose `Host` is not a loopback name (`127.0.0.1`, `localhost`, `[::1]`) is refused
    /// with 421, so that a web page elsewhere cannot reach the API through DNS rebinding;
    /// `iamwhy serve --allow-remote` turns it on.
    pub any_host: bool,
}

/// What every handler shares: the world (loaded once, for the life of the process), its
/// index, and the policies by their source (file and JSON path) for the source view.
pub(crate) struct State {
    pub(crate) world: &'static World,
    pub(crate) index: WorldIndex<'static>,
    pub(crate) by_source: HashMap<String, Arc<CompiledPolicy>>,
    pub(crate) options: Options,
    pub(crate) linter: std::sync::OnceLock<iamwhy_lint::Linter>,
    /// The analyses' indexes over the world (who-can, what-can): built by the first request
    /// that needs them (on the blocking pool), then shared.
    pub(crate) analyzer: std::sync::OnceLock<iamwhy_analyze::Analyzer<'static>>,
}

/// Shared state.
pub(crate) type Shared = Arc<State>;

/// The service for `world`: pages and API, with every limit and failure layer applied.
///
/// The world is kept for the life of the process (it is leaked: a server holds one world
/// until it exits).
pub fn app(world: World, options: Options) -> Router {
    let world: &'static World = Box::leak(Box::new(world));
    let by_source = world_api::policies_by_source(world);
    let state = Arc::new(State {
        world,
        index: WorldIndex::new(world),
        by_source,
        options,
        linter: std::sync::OnceLock::new(),
        analyzer: std::sync::OnceLock::new(),
    });
    let max_body = state.options.limits.max_body;
    let routes = Router::new()
        .merge(assets::routes())
        .nest("/api/v1", api::routes(state.clone()))
        .fallback(api::not_found);
    let any_host = state.options.any_host;
    let timeout = state.options.limits.timeout;
    layered(routes)
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(timeout))
        .layer(axum::middleware::from_fn(move |req, next| {
            api::loopback_host(any_host, req, next)
        }))
        .layer(DefaultBodyLimit::max(max_body))
}

/// Apply the layers every route gets: panics caught (500 with a message, as an
/// `iamwhy.error/1` document) and the security headers (a strict Content-Security-Policy,
/// no sniffing, no referrer, no framing). Public so that tests can check a route that
/// panics on purpose.
pub fn layered(router: Router) -> Router {
    router
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}

/// Check the address to bind: a loopback address is fine; any other needs `allow_remote`
/// and then comes with a warning to print (anyone who can reach the port can read the
/// world's policies).
pub fn check_bind(addr: SocketAddr, allow_remote: bool) -> Result<Option<String>, Diagnostic> {
    if addr.ip().is_loopback() {
        return Ok(None);
    }
    if !allow_remote {
        return Err(Diagnostic::error(
            "serve-remote-address",
            format!(
                "{addr} is not a loopback address: iamwhy serve answers only on this machine unless asked"
            ),
        )
        .with_help(
            "use --addr 127.0.0.1:PORT, or add --allow-remote (and --token) to serve other machines",
        ));
    }
    Ok(Some(format!(
        "warning: serving on {addr}, which is not a loopback address: anyone who can reach it can read every policy of the world (use --token)"
    )))
}

/// Serve `app` on `listener` until `shutdown` completes; requests under way are finished
/// first (graceful shutdown).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// A future that completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Serve `app` on `listener` (bound already, so that its address can be printed) on a
/// multi-threaded runtime until Ctrl-C or SIGTERM; for callers without a runtime (the CLI).
pub fn serve_blocking(listener: std::net::TcpListener, app: Router) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    // The API's work is CPU-bound and runs on the blocking pool: as many threads as cores
    // (twice, so that a slow request does not hold up the others), not tokio's default of
    // 512 — more threads than cores only add switching and per-thread allocator arenas.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(cores * 2)
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        serve(listener, app, shutdown_signal()).await
    })
}
