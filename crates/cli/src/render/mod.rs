//! Renderers shared by several commands.

pub mod diagnostic;
pub mod discovery;
pub mod fixes;
pub mod trace;
