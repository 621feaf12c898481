//! Fuzz target: arbitrary bytes as an account's `authorization-details.json`, read by the
//! streaming reader (crates/world/src/stream.rs) and by the whole-file reader. Must never
//! panic; whenever the streaming reader takes a file, the whole-file reader must take it too and
//! build the same account, and every document span must be one JSON value of the file.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    iamwhy_world::fuzzing::check_authorization_details(data);
});
