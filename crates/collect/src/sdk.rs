//! Building the AWS SDK clients: the shared configuration (credential chain or profile,
//! region, endpoint for emulators, explicit retries with backoff and timeouts), one set of
//! clients per account and region, and the interceptor that checks every request against
//! [`crate::calls::CALLS`]. Also how an SDK error becomes a [`CallError`].

use crate::calls;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How to reach AWS.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// A named profile of the shared config files (`--profile`).
    pub profile: Option<String>,
    /// The region for global calls (STS, IAM, Organizations, DescribeRegions); default: the
    /// profile's or environment's region, else `us-east-1`.
    pub home_region: Option<String>,
    /// An endpoint for every service (`--endpoint-url`, emulators); S3 then uses path-style
    /// addressing.
    pub endpoint_url: Option<String>,
    /// Credentials to use instead of the standard chain (embedding, tests against an
    /// emulator); `None`: environment, profile, SSO, container or instance credentials.
    pub credentials: Option<Credentials>,
    /// Attempts per call, first included (the SDK's standard retry mode: exponential backoff
    /// with jitter on throttling and transient errors).
    pub max_attempts: u32,
}

/// The retry configuration every client uses: standard mode, `max_attempts` attempts,
/// backoff from 1 s up to 20 s.
pub fn retry_config(max_attempts: u32) -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(max_attempts.max(1))
        .with_initial_backoff(Duration::from_secs(1))
        .with_max_backoff(Duration::from_secs(20))
}

/// Timeouts so that no call hangs: 10 s to connect, 60 s per attempt, 5 minutes per call.
pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(10))
        .operation_attempt_timeout(Duration::from_secs(60))
        .operation_timeout(Duration::from_secs(300))
        .build()
}

/// Load the base configuration (standard credential chain, or the profile).
pub async fn load_base(conn: &Connection) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config(conn.max_attempts))
        .timeout_config(timeout_config());
    if let Some(p) = &conn.profile {
        loader = loader.profile_name(p);
    }
    if let Some(u) = &conn.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    if let Some(r) = &conn.home_region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(c) = &conn.credentials {
        loader = loader.credentials_provider(c.clone());
    }
    let config = loader.load().await;
    if config.region().is_none() {
        config
            .into_builder()
            .region(Region::new("us-east-1"))
            .build()
    } else {
        config
    }
}

/// The base configuration with other credentials (an assumed member-account role).
pub fn with_credentials(base: &SdkConfig, creds: Credentials) -> SdkConfig {
    base.to_builder()
        .credentials_provider(SharedCredentialsProvider::new(creds))
        .build()
}

/// The configuration for another region.
pub fn in_region(config: &SdkConfig, region: &str) -> SdkConfig {
    config
        .to_builder()
        .region(Region::new(region.to_string()))
        .build()
}

/// Every (SDK service, operation) the clients were asked to call, and those not in the
/// table of calls (which would mean the printed policy is incomplete).
#[derive(Debug, Default)]
pub struct Observed {
    /// Every operation seen, as (SDK service, operation).
    pub seen: BTreeSet<(String, String)>,
    /// Operations seen that are not in [`calls::CALLS`].
    pub unlisted: BTreeSet<(String, String)>,
}

/// The interceptor that records every operation and checks it against the table.
#[derive(Debug, Clone, Default)]
pub struct Recorder(pub Arc<Mutex<Observed>>);

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "iamwhy-collect call table check"
    }

    // Not `read_before_execution`: client interceptors see that hook before the operation's
    // configuration (which carries its `Metadata`) is applied.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(meta) = cfg.load::<Metadata>() else {
            return Err("internal error: an SDK call without operation metadata".into());
        };
        let key = (meta.service().to_string(), meta.name().to_string());
        let listed = calls::find(meta.service(), meta.name()).is_some();
        let mut o = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if !listed {
            o.unlisted.insert(key.clone());
        }
        o.seen.insert(key);
        if listed {
            Ok(())
        } else {
            Err(format!(
                "internal error: {} {} is not in the collector's table of calls",
                meta.service(),
                meta.name()
            )
            .into())
        }
    }
}

/// The clients of one account in one region.
#[derive(Debug, Clone)]
pub struct Clients {
    /// The region.
    pub region: String,
    /// STS.
    pub sts: aws_sdk_sts::Client,
    /// IAM.
    pub iam: aws_sdk_iam::Client,
    /// Organizations.
    pub organizations: aws_sdk_organizations::Client,
    /// EC2.
    pub ec2: aws_sdk_ec2::Client,
    /// S3.
    pub s3: aws_sdk_s3::Client,
    /// KMS.
    pub kms: aws_sdk_kms::Client,
    /// SQS.
    pub sqs: aws_sdk_sqs::Client,
    /// SNS.
    pub sns: aws_sdk_sns::Client,
    /// Secrets Manager.
    pub secrets: aws_sdk_secretsmanager::Client,
    /// Lambda.
    pub lambda: aws_sdk_lambda::Client,
    /// ECR.
    pub ecr: aws_sdk_ecr::Client,
    /// EventBridge.
    pub events: aws_sdk_eventbridge::Client,
    /// OpenSearch.
    pub opensearch: aws_sdk_opensearch::Client,
    /// API Gateway.
    pub apigateway: aws_sdk_apigateway::Client,
}

macro_rules! client {
    ($krate:ident, $config:expr, $rec:expr) => {
        $krate::Client::from_conf(
            $krate::config::Builder::from($config)
                .interceptor($rec.clone())
                .build(),
        )
    };
}

impl Clients {
    /// Clients for `config` (credentials and region), all with the recorder. With an
    /// endpoint override, S3 uses path-style addressing (emulators need it).
    pub fn new(config: &SdkConfig, recorder: &Recorder, path_style: bool) -> Clients {
        let region = config
            .region()
            .map_or_else(|| "us-east-1".to_string(), |r| r.to_string());
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(config)
                .force_path_style(path_style)
                .interceptor(recorder.clone())
                .build(),
        );
        Clients {
            region,
            sts: client!(aws_sdk_sts, config, recorder),
            iam: client!(aws_sdk_iam, config, recorder),
            organizations: client!(aws_sdk_organizations, config, recorder),
            ec2: client!(aws_sdk_ec2, config, recorder),
            s3,
            kms: client!(aws_sdk_kms, config, recorder),
            sqs: client!(aws_sdk_sqs, config, recorder),
            sns: client!(aws_sdk_sns, config, recorder),
            secrets: client!(aws_sdk_secretsmanager, config, recorder),
            lambda: client!(aws_sdk_lambda, config, recorder),
            ecr: client!(aws_sdk_ecr, config, recorder),
            events: client!(aws_sdk_eventbridge, config, recorder),
            opensearch: client!(aws_sdk_opensearch, config, recorder),
            apigateway: client!(aws_sdk_apigateway, config, recorder),
        }
    }
}

/// A call that did not succeed, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    /// The service's error code (`AccessDeniedException`), when it sent one.
    pub code: Option<String>,
    /// The manifest's category: `AccessDenied`, `OptInRequired`, `ServiceNotEnabled`,
    /// `Throttled`, `Timeout`, `Unreachable`, `InvalidCredentials`, `Unexpected`, `Other`.
    pub category: &'static str,
    /// The message.
    pub message: String,
}

impl CallError {
    /// Whether the service's error code is one of `codes`.
    pub fn is(&self, codes: &[&str]) -> bool {
        self.code.as_deref().is_some_and(|c| codes.contains(&c))
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The manifest category of a service error code.
pub fn category(code: &str) -> &'static str {
    match code {
        "AccessDenied"
        | "AccessDeniedException"
        | "UnauthorizedOperation"
        | "AuthorizationError"
        | "AuthorizationErrorException"
        | "UnauthorizedException"
        | "AllAccessDisabled"
        | "Forbidden"
        | "ForbiddenException" => "AccessDenied",
        "OptInRequired" | "SubscriptionRequiredException" => "OptInRequired",
        "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "AuthFailure"
        | "ExpiredToken"
        | "ExpiredTokenException"
        | "InvalidAccessKeyId"
        | "SignatureDoesNotMatch" => "InvalidCredentials",
        "Throttling"
        | "ThrottlingException"
        | "ThrottledException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "RequestThrottled"
        | "RequestThrottledException"
        | "SlowDown" => "Throttled",
        "AWSOrganizationsNotInUseException" | "ServiceNotEnabled" | "ServiceDisabled" => {
            "ServiceNotEnabled"
        }
        _ => "Other",
    }
}

/// Classify an SDK error (after the SDK's own retries).
pub fn classify<E, R>(err: &SdkError<E, R>) -> CallError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let code = e.code().map(str::to_string);
            let message = match (e.code(), e.message()) {
                (Some(c), Some(m)) => format!("{c}: {m}"),
                (Some(c), None) => c.to_string(),
                (None, Some(m)) => m.to_string(),
                (None, None) => DisplayErrorContext(err).to_string(),
            };
            CallError {
                category: code.as_deref().map_or("Other", category),
                code,
                message,
            }
        }
        SdkError::TimeoutError(_) => CallError {
            code: None,
            category: "Timeout",
            message: DisplayErrorContext(err).to_string(),
        },
        SdkError::DispatchFailure(d) => CallError {
            code: None,
            category: if d.is_timeout() {
                "Timeout"
            } else {
                "Unreachable"
            },
            message: DisplayErrorContext(err).to_string(),
        },
        _ => {
            let message = DisplayErrorContext(err).to_string();
            let category = if message.contains("not in the collector's table of calls") {
                "Unexpected"
            } else if message.contains("credentials") {
                "InvalidCredentials"
            } else {
                "Other"
            };
            CallError {
                code: None,
                category,
                message,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::category;

    #[test]
    fn refusals_of_every_service_family_are_access_denied() {
        for code in [
            "AccessDenied",
            "AccessDeniedException",
            "UnauthorizedOperation",
            "AuthorizationError",
        ] {
            assert_eq!(category(code), "AccessDenied", "{code}");
        }
        assert_eq!(category("OptInRequired"), "OptInRequired");
        assert_eq!(category("ThrottlingException"), "Throttled");
        assert_eq!(category("NoSuchThing"), "Other");
    }
}
