//! CloudTrail records into [`Observed`](crate::Observed) requests.
//!
//! Reading accepts every shape the records usually come in: a single event object, a
//! CloudTrail log file (`{"Records": [...]}`, plain or gzip-compressed), the output of
//! `aws cloudtrail lookup-events` (`{"Events": [{"CloudTrailEvent": "<JSON text>"}]}`), a
//! plain array of events, several JSON documents one after the other (JSON Lines), and
//! directories of `.json` / `.json.gz` files. Errors are one sentence plus the file and, for
//! JSON syntax errors, the line and column; nothing here panics on bad input.
//!
//! [`observe`] then derives the simulation request from one record: the principal,
//! the role (with its path, from the session issuer), the action (the one AWS names in
//! `errorMessage`, else the event name with the exceptions of actions.rs), the resource and its
//! account, and every request-context key the record supports. Each derivation, and each
//! key that cannot be derived, is recorded in [`Observed::notes`](crate::Observed::notes).
//!
//! ```
//! use iamwhy_evidence::cloudtrail::{is_denied, observe, read_events};
//! let log = br#"{"Records": [{
//!     "eventSource": "s3.amazonaws.com", "eventName": "HeadObject",
//!     "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE",
//!         "arn": "arn:aws:iam::111122223333:user/bob", "accountId": "111122223333",
//!         "accessKeyId": "AKIAEXAMPLE", "userName": "bob"},
//!     "errorCode": "AccessDenied", "errorMessage": "Access Denied",
//!     "requestParameters": {"bucketName": "reports", "key": "q1.csv"},
//!     "recipientAccountId": "111122223333"}]}"#;
//! let records = read_events(log, Some("log.json")).unwrap();
//! assert!(is_denied(&records[0]));
//! let o = observe(&records[0], Some("log.json"));
//! assert_eq!(o.principal.as_deref(), Some("arn:aws:iam::111122223333:user/bob"));
//! assert_eq!(o.actions, ["s3:GetObject"]);
//! assert_eq!(o.resource.as_deref(), Some("arn:aws:s3:::reports/q1.csv"));
//! ```

mod actions;
mod classify;
mod derive;
pub(crate) mod read;
pub(crate) mod stream;

pub use actions::{actions_for_event, service_prefix};
pub use classify::is_denied;
pub use derive::observe;
pub use read::{read_events, read_path, read_paths};
