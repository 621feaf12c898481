//! The text `iamwhy --version` prints.

/// Version line: the crate version (the catalog date is added once the catalog is embedded).
pub const LONG_VERSION: &str = env!("CARGO_PKG_VERSION");
