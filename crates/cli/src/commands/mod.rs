//! One module per subcommand. Each exposes its clap `Args` struct and a `run` function that
//! returns the process exit code.

pub mod actions;
pub mod check;
pub mod demo;
pub mod explain;
pub mod lint;
pub mod simulate;
pub mod validate;
pub mod version;

/// Load the world at `dir`, or print why it cannot be loaded and give exit code 2.
pub(crate) fn load_world(
    dir: &std::path::Path,
) -> Result<iamwhy_world::World, std::process::ExitCode> {
    iamwhy_world::load_dir(dir).map_err(|e| {
        eprintln!("iamwhy: cannot load the world {}: {e}", dir.display());
        std::process::ExitCode::from(2)
    })
}
