//! Turning the text a policy arrives in into JSON text.
//!
//! Inventories deliver policy documents in three shapes: JSON text, a JSON string whose value is
//! JSON text (`"{\"Version\": ...}"`), and RFC 3986 URL-encoded JSON (`%7B%22Version...`, as the
//! raw IAM API returns them). Positions in diagnostics refer to the decoded JSON text.

use std::borrow::Cow;

/// The shape a policy document arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEncoding {
    /// Plain JSON text.
    Json,
    /// A JSON string literal whose value is the JSON document.
    JsonString,
    /// Percent-encoded JSON text.
    UrlEncoded,
}

/// Decode `text` into JSON text, reporting which shape it had. Returns `Err` with one sentence
/// when a JSON-string or URL-encoded wrapper is itself malformed.
pub fn decode_policy_text(text: &str) -> Result<(Cow<'_, str>, SourceEncoding), String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.starts_with('"') {
        let inner: String = serde_json_string(trimmed)?;
        return Ok((Cow::Owned(inner), SourceEncoding::JsonString));
    }
    if starts_with_ignore_ascii_case(trimmed, "%7B") {
        let bytes: Vec<u8> = percent_encoding::percent_decode_str(trimmed).collect();
        let decoded = String::from_utf8(bytes)
            .map_err(|_| "the URL-encoded policy does not decode to UTF-8 text".to_string())?;
        return Ok((Cow::Owned(decoded), SourceEncoding::UrlEncoded));
    }
    // A byte-order mark is not JSON: drop it (positions then count from after it).
    Ok((
        Cow::Borrowed(text.strip_prefix('\u{feff}').unwrap_or(text)),
        SourceEncoding::Json,
    ))
}

/// Whether `text` starts with the ASCII `prefix`, ignoring ASCII case. Compares bytes, so it
/// never slices inside a multi-byte character; after a match, `&text[prefix.len()..]` is on a
/// character boundary.
pub fn starts_with_ignore_ascii_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|b| b.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Decode one JSON string literal (the whole input must be exactly one string).
fn serde_json_string(text: &str) -> Result<String, String> {
    let mut reader = crate::json::Reader::new(text);
    let read = reader
        .string()
        .and_then(|(value, _)| reader.finish().map(|()| value));
    match read {
        Ok(value) => Ok(value.into_owned()),
        Err(e) => Err(format!(
            "the policy is a JSON string that does not parse: {}",
            e.message
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_json_is_returned_as_is() {
        let (t, enc) = decode_policy_text("{\"a\":1}").unwrap();
        assert_eq!(t, "{\"a\":1}");
        assert_eq!(enc, SourceEncoding::Json);
    }

    #[test]
    fn json_string_containing_json_is_unwrapped() {
        let (t, enc) = decode_policy_text("\"{\\\"Version\\\":\\\"2012-10-17\\\"}\"").unwrap();
        assert_eq!(t, "{\"Version\":\"2012-10-17\"}");
        assert_eq!(enc, SourceEncoding::JsonString);
    }

    #[test]
    fn url_encoded_json_is_decoded_and_plus_stays_a_plus() {
        let (t, enc) = decode_policy_text("%7B%22a%22%3A%22b+c%20d%22%7D").unwrap();
        assert_eq!(t, "{\"a\":\"b+c d\"}");
        assert_eq!(enc, SourceEncoding::UrlEncoded);
    }

    #[test]
    fn a_byte_order_mark_before_plain_json_is_dropped() {
        let (t, enc) = decode_policy_text("\u{feff}{\"a\":1}").unwrap();
        assert_eq!(t, "{\"a\":1}");
        assert_eq!(enc, SourceEncoding::Json);
    }

    #[test]
    fn short_non_ascii_text_is_not_cut_inside_a_character() {
        // Found by fuzzing: "abé" used to be sliced at byte 3, inside the é.
        assert!(decode_policy_text("abé").is_ok());
        assert!(!starts_with_ignore_ascii_case("abé", "%7B"));
    }

    #[test]
    fn malformed_json_string_wrapper_is_an_error() {
        assert!(decode_policy_text("\"{unterminated").is_err());
    }
}
