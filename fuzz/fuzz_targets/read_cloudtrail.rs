//! Fuzz target: arbitrary bytes → the CloudTrail reader (events, log files, lookup-events,
//! gzip), every record through `is_denied` and `observe`, the decoded-message reader, and the
//! explain input detection. Must never panic; errors must carry a message.

#![no_main]

use iamwhy_evidence::input::read_bytes;
use iamwhy_evidence::{cloudtrail, decoded};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match cloudtrail::read_events(data, Some("fuzz.json")) {
        Ok(events) => {
            for e in &events {
                let _ = cloudtrail::is_denied(e);
                let o = cloudtrail::observe(e, Some("fuzz.json"));
                let _ = serde_json::to_string(&o).expect("observations serialize");
            }
        }
        Err(e) => assert!(!e.to_string().is_empty(), "an error without a message"),
    }
    if let Ok(text) = std::str::from_utf8(data) {
        match decoded::parse_decoded(text) {
            Ok(o) => {
                let _ = serde_json::to_string(&o).expect("observations serialize");
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
    match read_bytes(data, None, true) {
        Ok(input) => assert!(input.records >= input.observed.len() || input.records == 1),
        Err(e) => assert!(!e.message.is_empty(), "an error without a message"),
    }
});
