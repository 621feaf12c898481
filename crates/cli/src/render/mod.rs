//! Renderers shared by several commands.

pub mod discovery;
pub mod trace;
