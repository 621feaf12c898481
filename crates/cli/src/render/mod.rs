//! Renderers shared by several commands.

pub mod diagnostic;
pub mod discovery;
pub mod trace;
