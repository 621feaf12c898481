//! One module per subcommand. Each exposes its clap `Args` struct and a `run` function that
//! returns the process exit code.

pub mod actions;
pub mod check;
pub mod demo;
pub mod explain;
pub mod simulate;
pub mod validate;
pub mod version;
