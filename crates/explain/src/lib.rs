//! # iamwhy-explain — from what AWS said to why, and to a fix
//!
//! The readers of `iamwhy-evidence` turn AWS output into [`iamwhy_evidence::Observed`]
//! requests. With a world, [`diagnose()`] rebuilds the request (with the user's
//! [`request::RequestOverrides`]), simulates it, compares with what AWS claimed and suggests
//! verified fixes ([`fix`]) — the same fixes `iamwhy check` prints. [`batch`] groups many
//! events by cause. When the world lacks the caller or the resource, [`partial`] says what is
//! missing and simulates the side that is there. Without a world, [`guide`] says what the
//! message proves and where to look next. [`index::WorldIndex`] holds what fix generation
//! looks up, so that its cost does not grow with the world.

pub mod apply;
pub mod batch;
pub mod diagnose;
pub mod edit;
pub mod fix;
pub mod guide;
pub mod index;
pub mod partial;
pub mod report;
pub mod request;

pub use batch::{Batch, BatchReport, Group};
pub use diagnose::{DiagnoseOptions, Diagnosis, diagnose};
pub use fix::{Cost, Fix, FixReport, RequestChange, suggest};
pub use index::WorldIndex;
pub use report::{CheckReport, ExplainReport, Explanation, check, explain_sources};
pub use request::{FieldNames, Override, RawOverrides, RequestOverrides};
