//! The state one collection shares across its tasks: the bound on calls in flight, the
//! failures so far and the progress display. Every SDK call goes through [`Run::call`].

use crate::calls::Call;
use crate::manifest::Failure;
use crate::progress::Progress;
use crate::sdk::{CallError, classify};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::collections::HashSet;
use std::future::Future;
use std::sync::Mutex;
use tokio::sync::Semaphore;

/// Shared state of one collection.
pub struct Run {
    permits: Semaphore,
    failures: Mutex<Vec<Failure>>,
    /// The progress display (hidden when not on a terminal).
    pub progress: Progress,
    /// The concurrency limit (also used for per-resource fan-out).
    pub concurrency: usize,
}

/// Where a call is made: account and region (`None` for global services).
#[derive(Debug, Clone)]
pub struct Scope {
    /// The account id.
    pub account: String,
    /// The region, `None` for global calls.
    pub region: Option<String>,
    /// The partition (`aws`), for the ARNs the collector builds.
    pub partition: String,
}

impl Scope {
    /// The same account in another region (`None`: global).
    pub fn at(&self, region: Option<&str>) -> Scope {
        Scope {
            account: self.account.clone(),
            region: region.map(str::to_string),
            partition: self.partition.clone(),
        }
    }
}

impl Run {
    /// A run allowing `concurrency` calls in flight.
    pub fn new(concurrency: usize, progress: Progress) -> Run {
        let concurrency = concurrency.max(1);
        Run {
            permits: Semaphore::new(concurrency),
            failures: Mutex::new(Vec::new()),
            progress,
            concurrency,
        }
    }

    /// Make one call, holding a permit while it is in flight; classify its error.
    pub async fn call<T, E, R, F>(&self, _call: &'static Call, fut: F) -> Result<T, CallError>
    where
        F: Future<Output = Result<T, SdkError<E, R>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("the semaphore is never closed");
        fut.await.map_err(|e| classify(&e))
    }

    /// Record a failed call and what the world lacks because of it.
    pub fn fail(
        &self,
        scope: &Scope,
        call: &'static Call,
        resource: Option<&str>,
        err: &CallError,
        missing: impl Into<String>,
    ) {
        let f = Failure {
            account: scope.account.clone(),
            region: scope.region.clone(),
            service: call.service().to_string(),
            operation: call.operation.to_string(),
            resource: resource.map(str::to_string),
            error_code: err.category.to_string(),
            message: err.message.clone(),
            missing: missing.into(),
        };
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(f);
    }

    /// Make a call; on error record the failure and give `None`.
    pub async fn call_or_fail<T, E, R, F>(
        &self,
        scope: &Scope,
        call: &'static Call,
        resource: Option<&str>,
        missing: impl FnOnce() -> String,
        fut: F,
    ) -> Option<T>
    where
        F: Future<Output = Result<T, SdkError<E, R>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug,
    {
        match self.call(call, fut).await {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(scope, call, resource, &e, missing());
                None
            }
        }
    }

    /// Every page of a listing: `page(token)` makes one call and gives its items and the next
    /// token. `None` (failure recorded) when a page fails or the service repeats a token.
    pub async fn pages<T, E, R, F, Fut>(
        &self,
        scope: &Scope,
        call: &'static Call,
        resource: Option<&str>,
        missing: impl Fn() -> String,
        mut page: F,
    ) -> Option<Vec<T>>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<(Vec<T>, Option<String>), SdkError<E, R>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug,
    {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        let mut seen = HashSet::new();
        loop {
            let (items, next) = self
                .call_or_fail(scope, call, resource, &missing, page(token.take()))
                .await?;
            out.extend(items);
            match next.filter(|t| !t.is_empty()) {
                None => return Some(out),
                Some(t) if seen.insert(t.clone()) => token = Some(t),
                Some(t) => {
                    let err = CallError {
                        code: None,
                        category: "Other",
                        message: format!("the service repeated the page token {t}"),
                    };
                    self.fail(scope, call, resource, &err, missing());
                    return None;
                }
            }
        }
    }

    /// The failures so far, sorted.
    pub fn take_failures(&self) -> Vec<Failure> {
        let mut v = std::mem::take(&mut *self.failures.lock().unwrap_or_else(|e| e.into_inner()));
        v.sort();
        v
    }
}
