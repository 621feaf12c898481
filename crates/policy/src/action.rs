//! Action patterns (`Action` / `NotAction` values): AWS's action matching.
//!
//! `"*"` matches every action. Otherwise the text is split on its **first** colon: the service
//! prefix is compared case-insensitively and literally (no wildcards), the name is a
//! case-insensitive wildcard pattern. Nothing is trimmed: `"s3:GetObject "` and
//! `"s3:GetObject,s3:PutObject"` are patterns that match no real action.

use crate::wildcard::Wildcard;

/// A compiled `Action`/`NotAction` value.
#[derive(Debug, Clone)]
pub enum ActionPattern {
    /// `"*"`: every action of every service.
    All,
    /// `service:name-pattern`.
    Service {
        /// Lowercased service prefix.
        service: Box<str>,
        /// Case-folded name pattern.
        name: Wildcard,
    },
    /// A value that can match no action; the reason says why (for validation and traces).
    Never {
        /// One sentence.
        reason: &'static str,
    },
}

const NO_COLON: &str = "an action must be \"*\" or \"service:action\"";
const EMPTY_SERVICE: &str = "the service prefix of the action is empty";
const WILDCARD_SERVICE: &str = "wildcards are not allowed in the service prefix of an action";
const EMPTY_NAME: &str = "the action name after the colon is empty";
const WHITESPACE: &str = "the action contains whitespace, so it matches no action";

/// Byte classes for [`ActionPattern::parse_ascii`].
const WILD: u8 = 1;
const UPPER: u8 = 2;
const SPACE: u8 = 4;
/// The class of each byte: `*` and `?` are wildcards; `A`–`Z` upper case; Unicode's
/// White_Space in ASCII (tab to carriage return — vertical tab included, which
/// `is_ascii_whitespace` leaves out — and space) is whitespace.
static BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b'*' as usize] = WILD;
    table[b'?' as usize] = WILD;
    let mut b = b'A';
    while b <= b'Z' {
        table[b as usize] = UPPER;
        b += 1;
    }
    let mut b = b'\t';
    while b <= b'\r' {
        table[b as usize] = SPACE;
        b += 1;
    }
    table[b' ' as usize] = SPACE;
    table
};

impl ActionPattern {
    /// Compile one action value.
    pub fn parse(text: &str) -> ActionPattern {
        if text == "*" {
            return ActionPattern::All;
        }
        if text.is_ascii() {
            return ActionPattern::parse_ascii(text);
        }
        ActionPattern::parse_any(text)
    }

    /// [`ActionPattern::parse`] of any text, character by character.
    fn parse_any(text: &str) -> ActionPattern {
        let Some((service, name)) = text.split_once(':') else {
            return ActionPattern::Never { reason: NO_COLON };
        };
        if service.is_empty() {
            return ActionPattern::Never {
                reason: EMPTY_SERVICE,
            };
        }
        if service.contains(['*', '?']) {
            return ActionPattern::Never {
                reason: WILDCARD_SERVICE,
            };
        }
        if name.is_empty() {
            return ActionPattern::Never { reason: EMPTY_NAME };
        }
        if text.chars().any(char::is_whitespace) {
            return ActionPattern::Never { reason: WHITESPACE };
        }
        ActionPattern::Service {
            service: service.to_ascii_lowercase().into_boxed_str(),
            name: Wildcard::compile_folded(name),
        }
    }

    /// [`ActionPattern::parse`] of an ASCII text (nearly every action): the colon is found with
    /// `memchr`, then each part's bytes are classed by a table (wildcard, upper case,
    /// whitespace) in one branch-free pass; the same checks in the same order.
    fn parse_ascii(text: &str) -> ActionPattern {
        let Some(colon) = memchr::memchr(b':', text.as_bytes()) else {
            return ActionPattern::Never { reason: NO_COLON };
        };
        let classes = |part: &str| part.bytes().fold(0u8, |f, b| f | BYTE_CLASS[b as usize]);
        let (service_class, name_class) = (classes(&text[..colon]), classes(&text[colon + 1..]));
        let wild_service = service_class & WILD != 0;
        let (upper_service, upper_name) = (service_class & UPPER != 0, name_class & UPPER != 0);
        let space = (service_class | name_class) & SPACE != 0;
        let (service, name) = (&text[..colon], &text[colon + 1..]);
        let reason = if service.is_empty() {
            EMPTY_SERVICE
        } else if wild_service {
            WILDCARD_SERVICE
        } else if name.is_empty() {
            EMPTY_NAME
        } else if space {
            WHITESPACE
        } else {
            return ActionPattern::Service {
                service: if upper_service {
                    service.to_ascii_lowercase().into_boxed_str()
                } else {
                    service.into()
                },
                name: if upper_name {
                    Wildcard::compile_owned(name.to_ascii_lowercase())
                } else {
                    Wildcard::compile(name)
                },
            };
        };
        ActionPattern::Never { reason }
    }

    /// Does the pattern match a request action, given as its lowercased service prefix and
    /// lowercased action name?
    pub fn matches(&self, service_lower: &str, name_lower: &str) -> bool {
        match self {
            ActionPattern::All => true,
            ActionPattern::Service { service, name } => {
                **service == *service_lower && name.matches(name_lower)
            }
            ActionPattern::Never { .. } => false,
        }
    }

    /// The lowercased service prefix the pattern is limited to (`None` for `*` and invalid ones).
    pub fn service(&self) -> Option<&str> {
        match self {
            ActionPattern::Service { service, .. } => Some(service),
            _ => None,
        }
    }
}

/// Split a request action into lowercased (service, name). `None` when it has no colon.
pub fn split_request_action(action: &str) -> Option<(String, String)> {
    let (service, name) = action.split_once(':')?;
    Some((service.to_lowercase(), name.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass reading of ASCII actions gives what the character-by-character one gives,
    /// for every combination of the bytes that matter, at every place.
    #[test]
    fn the_ascii_fast_path_reads_actions_as_the_general_one_does() {
        let parts = [
            "",
            "s3",
            "S3",
            "s*",
            "?",
            "a b",
            ":",
            "Get*Object",
            "get?",
            "\x0b",
            "x:y",
            "*",
        ];
        let mut checked = 0;
        for a in parts {
            for b in parts {
                for sep in ["", ":", "::"] {
                    let text = format!("{a}{sep}{b}");
                    if text == "*" {
                        continue;
                    }
                    assert_eq!(
                        format!("{:?}", ActionPattern::parse_ascii(&text)),
                        format!("{:?}", ActionPattern::parse_any(&text)),
                        "{text:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 400);
    }

    /// Whitespace anywhere (any Unicode White_Space, ASCII or not) makes an action match
    /// nothing; the ASCII fast path agrees with `char::is_whitespace` on every ASCII byte.
    #[test]
    fn an_action_with_whitespace_of_any_kind_matches_nothing() {
        for b in 0u8..128 {
            let c = b as char;
            let text = format!("s3:Get{c}Object");
            let never = matches!(ActionPattern::parse(&text), ActionPattern::Never { .. });
            assert_eq!(never, c.is_whitespace(), "{b:#04x}");
        }
        for text in [
            "s3:Get\u{a0}Object",
            "s3:Get\u{2003}Object",
            "s3:Get\u{85}Object",
        ] {
            assert!(
                matches!(ActionPattern::parse(text), ActionPattern::Never { .. }),
                "{text:?}"
            );
        }
        assert!(matches!(
            ActionPattern::parse("s3:GétObject"),
            ActionPattern::Service { .. }
        ));
    }
}
