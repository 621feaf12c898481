//! Checks for fuzz targets (`fuzz/fuzz_targets/load_details.rs`); not part of the API.

use crate::load::{WorldFiles, details_streamed, details_whole, summary};
use iamwhy_diagnostic::Diagnostic;
use std::io::Read;

const FILE: &str = "accounts/123456789012/authorization-details.json";

/// One `authorization-details.json` held in memory.
struct Memory<'a>(&'a [u8]);

impl WorldFiles for Memory<'_> {
    fn origin(&self) -> String {
        "memory".into()
    }

    fn read(&self, _: &str) -> Result<Option<String>, Diagnostic> {
        String::from_utf8(self.0.to_vec())
            .map(Some)
            .map_err(|_| Diagnostic::error("not-utf8", "not UTF-8"))
    }

    fn account_dirs(&self) -> Result<Vec<String>, Diagnostic> {
        Ok(vec!["123456789012".into()])
    }

    fn stream(&self, _: &str) -> Option<Box<dyn Read + '_>> {
        Some(Box::new(self.0))
    }
}

/// Read `bytes` as an account's authorization details both ways. Panics when the streaming
/// reader takes a file the whole-file reader refuses or reads differently, or records a
/// document span that is not one JSON value of the file.
pub fn check_authorization_details(bytes: &[u8]) {
    let files = Memory(bytes);
    let whole = details_whole(&files, FILE, "123456789012");
    let Some(streamed) = details_streamed(&files, FILE, "123456789012") else {
        return;
    };
    let whole = match whole {
        Ok(w) => w,
        Err(e) => panic!("streamed, but the whole-file reader refuses it: {e}"),
    };
    assert_eq!(summary(&streamed), summary(&whole));
    let policies = streamed
        .managed
        .values()
        .chain(
            streamed
                .roles
                .values()
                .flat_map(|r| r.inline.iter().chain(r.trust.iter())),
        )
        .chain(streamed.users.values().flat_map(|u| u.inline.iter()))
        .chain(streamed.groups.values().flat_map(|g| g.inline.iter()));
    for p in policies {
        let span = p.file_span.expect("a streamed document has its span");
        let value = &bytes[span.offset as usize..(span.offset + span.len) as usize];
        assert!(serde_json::from_slice::<serde::de::IgnoredAny>(value).is_ok());
    }
}
