//! # iamwhy-evidence — what AWS said about a request
//!
//! Readers turn what a user pastes after an `AccessDenied` into [`Observed`] requests:
//! [`parse_message`] for access-denied error messages (every known format), [`cloudtrail`] for
//! CloudTrail events and log files, [`decoded`] for decoded authorization messages, and
//! [`input`] to tell which of them an input is. Nothing here needs a world or the engine: the
//! readers say what the evidence proves, and `iamwhy-explain` takes it from there.

pub mod cloudtrail;
pub mod decoded;
mod error;
pub mod input;
mod json;
pub mod message;
pub mod observed;

pub use message::parse_message;
pub use observed::{DenyKind, Observed, Origin, ParsedMessage, PolicyKind, ResourceReading};
