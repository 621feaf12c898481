//! # iamwhy-explain — from what AWS said to why, and to a fix
//!
//! Readers turn AWS output into [`observed::Observed`] requests: [`message`] for access-denied
//! error messages (every known format, spec §8), [`cloudtrail`] for CloudTrail events and log
//! files (spec §9), [`decoded`] for decoded authorization messages (spec §8.5). With a world,
//! [`diagnose`] rebuilds the request, simulates it, compares with what AWS claimed and
//! suggests verified fixes; without one, [`guide`] says what the message proves and where to
//! look next.

pub mod apply;
pub mod cloudtrail;
pub mod decoded;
pub mod diagnose;
pub mod edit;
pub mod fix;
pub mod guide;
pub mod input;
pub mod message;
pub mod observed;

pub use message::parse_message;
pub use observed::{DenyKind, Observed, Origin, ParsedMessage, PolicyKind};
