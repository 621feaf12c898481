//! Deriving the simulation request one CloudTrail record describes.

mod identity;
mod keys;
mod request;
mod resource;

use serde_json::Value;

use super::classify::is_denied;
use crate::json::{kind_of, text};
use crate::observed::{Observed, Origin, ParsedMessage};

/// The record being read and the observation being built from it.
struct Derive<'a> {
    event: &'a Value,
    o: Observed,
}

impl Derive<'_> {
    fn note(&mut self, s: impl Into<String>) {
        self.o.notes.push(s.into());
    }

    fn has(&self, key: &str) -> bool {
        self.o
            .context
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(key))
    }

    fn key(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        if !self.o.context.iter().any(|(k, v)| k == key && *v == value) {
            self.o.context.push((key.to_string(), value));
        }
    }

    /// Replace every value of `key`.
    fn set(&mut self, key: &str, values: Vec<String>) {
        self.o.context.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        for v in values {
            self.key(key, v);
        }
    }
}

/// The simulation request one CloudTrail record describes, with notes saying
/// what each field was derived from and what could not be derived. Never fails: whatever the
/// record lacks is left empty and noted.
pub fn observe(event: &Value, file: Option<&str>) -> Observed {
    let source = text(event, "eventSource").unwrap_or("");
    let name = text(event, "eventName").unwrap_or("");
    let origin = Origin::CloudTrail {
        event_id: text(event, "eventID").map(str::to_string),
        event_time: text(event, "eventTime").map(str::to_string),
        event: format!("{source} {name}").trim().to_string(),
        file: file.map(str::to_string),
    };
    let mut d = Derive {
        event,
        o: Observed::new(origin),
    };
    if !event.is_object() {
        d.note(format!(
            "the record is a {}, not an event object: nothing could be derived",
            kind_of(event)
        ));
        return d.o;
    }

    let code = text(event, "errorCode");
    let raw = text(event, "errorMessage");
    if code.is_some() || raw.is_some() {
        d.o.message = Some(read_message(code, raw));
        if let Some(raw) = raw {
            d.note(format!(
                "AWS said ({}): {raw}",
                code.unwrap_or("no errorCode")
            ));
        }
    }
    d.o.allowed = if is_denied(event) {
        Some(false)
    } else if let Some(code) = code {
        d.note(format!(
            "errorCode {code} is not an authorization failure: the request was probably authorized and failed later"
        ));
        None
    } else {
        Some(true)
    };

    identity::identity(&mut d);
    request::network(&mut d);
    request::request(&mut d);
    request::action(&mut d, source, name);
    resource::resource(&mut d);
    keys::tags(&mut d);
    keys::service_keys(&mut d);
    keys::event_context(&mut d);
    keys::not_logged(&mut d);
    d.o
}

/// What the record's `errorCode` and `errorMessage` say, read by the one access-denied
/// message reader ([`crate::message::parse_message`]); the record's own `errorCode` wins over
/// any code found in the text.
fn read_message(code: Option<&str>, raw: Option<&str>) -> ParsedMessage {
    let mut m = raw
        .and_then(crate::message::parse_message)
        .unwrap_or_default();
    if let Some(code) = code {
        m.error_code = Some(code.to_string());
    }
    m
}
