//! Renderers shared by several commands.

pub mod diagnostic;
pub mod trace;
