//! Renderers shared by several commands.

pub mod trace;
