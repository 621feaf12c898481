//! The commands over a whole world (crate `iamwhy-analyze`): `who-can`, `what-can`, `diff`
//! and `test`.

pub mod diff;
pub mod test;
mod text;
pub mod what_can;
pub mod who_can;

use clap::ValueEnum;

/// Output formats of the analysis commands.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// For people.
    Text,
    /// The answer as JSON (docs/analyze.md gives its shape).
    Json,
}
