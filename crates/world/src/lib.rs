//! # iamwhy-world — snapshots of AWS accounts and organizations
//!
//! A *world* is a directory (docs/worlds.md): `organization.json` and, per account,
//! `accounts/<id>/authorization-details.json`, `resource-policies.json` and
//! `vpc-endpoints.json`. [`load::load_dir`] reads one, compiling every policy once;
//! [`World::prepare`] turns a question (principal, action, resource, context) into the
//! engine's inputs with the context completed from the world.

mod completeness;
pub mod demo;
mod embedded;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod iam_collect;
mod inventory;
pub mod load;
mod manifest;
pub mod model;
pub mod origin;
pub mod parallel;
pub mod position;
pub mod prepare;
pub mod scenario;
pub mod simulator;
mod stream;

pub use completeness::{Gap, RequestScope};
pub use embedded::EmbeddedPolicy;
pub use iam_collect::{StoreFiles, is_store, load_store};
pub use load::{DirFiles, WorldFiles, load, load_dir, load_dirs_side_by_side};
pub use manifest::{Collection, CollectionAccount, CollectionFailure};
pub use model::World;
pub use origin::PolicyOrigin;
pub use prepare::{ContextReport, Prepared, Question, is_multivalued};
