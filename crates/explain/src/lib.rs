//! # iamwhy-explain — from what AWS said to why, and to a fix
//!
//! The readers of `iamwhy-evidence` turn AWS output into [`iamwhy_evidence::Observed`]
//! requests. With a world, [`diagnose`] rebuilds the request, simulates it, compares with what
//! AWS claimed and suggests verified fixes ([`fix`]); without one, [`guide`] says what the
//! message proves and where to look next.

pub mod apply;
pub mod diagnose;
pub mod edit;
pub mod fix;
pub mod guide;
