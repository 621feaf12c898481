//! Reading engine conformance cases (the format of ../shared/conformance/README.md) and running
//! them through iamwhy's engine. Used by the `conformance` binary and by benchmarks that
//! describe their scenario as a case.

pub mod case;
pub mod discovery;
pub mod read;
