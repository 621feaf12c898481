//! The request flags `check` and `explain` share: one clap struct, flattened into both, read
//! into the explain crate's [`RequestOverrides`] by [`RawOverrides::check`] (which the web
//! API's fields go through too).

use clap::Args;
use iamwhy_diagnostic::Diagnostic;
use iamwhy_explain::{FieldNames, RawOverrides, RequestOverrides};
use std::path::PathBuf;

/// Details of the request no snapshot records, or that differ from what the evidence says.
#[derive(Debug, Args, Default)]
pub struct RequestFlags {
    /// A context key: KEY=VALUE; repeat a key for multivalued keys. On explain it replaces the
    /// evidence's values for that key.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// The session policy (a file) the session was created with; no snapshot records it.
    #[arg(long, value_name = "FILE")]
    pub session_policy: Option<PathBuf>,
    /// The VPC endpoint the request goes through.
    #[arg(long, value_name = "VPCE_ID")]
    pub source_vpce: Option<String>,
    /// For a federated-user caller: the IAM user that called GetFederationToken.
    #[arg(long, value_name = "USER_ARN")]
    pub federated_by: Option<String>,
    /// The account owning the resource, when the ARN has none and the world cannot tell.
    #[arg(long, value_name = "ACCOUNT")]
    pub resource_account: Option<String>,
    /// The region the call is made in (aws:RequestedRegion).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

impl RequestFlags {
    /// The flags as overrides, with the session policy file read and every value checked.
    pub fn overrides(&self) -> Result<RequestOverrides, Diagnostic> {
        let session_policy = match &self.session_policy {
            Some(p) => Some(super::read_file(p, "session policy")?),
            None => None,
        };
        RawOverrides {
            context: self.context.clone(),
            session_policy,
            source_vpce: self.source_vpce.clone(),
            federated_by: self.federated_by.clone(),
            resource_account: self.resource_account.clone(),
            region: self.region.clone(),
        }
        .check(FieldNames::Flags)
    }
}
