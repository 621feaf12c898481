//! Action patterns (`Action` / `NotAction` values): AWS's action matching.
//!
//! `"*"` matches every action. Otherwise the text is split on its **first** colon: the service
//! prefix is compared case-insensitively and literally (no wildcards), the name is a
//! case-insensitive wildcard pattern. Nothing is trimmed: `"s3:GetObject "` and
//! `"s3:GetObject,s3:PutObject"` are patterns that match no real action.

use crate::inline::InlineStr;
use crate::wildcard::Wildcard;

/// A compiled `Action`/`NotAction` value.
#[derive(Debug, Clone)]
pub enum ActionPattern {
    /// `"*"`: every action of every service.
    All,
    /// `service:name-pattern`.
    Service {
        /// Lowercased service prefix (inline: prefixes are short).
        service: InlineStr,
        /// Case-folded name pattern.
        name: Wildcard,
    },
    /// A value that can match no action; the reason says why (for validation and traces).
    Never {
        /// One sentence.
        reason: &'static str,
    },
}

/// Byte classes for the one pass [`ActionPattern::parse`] makes over an action's text.
const WHITESPACE: u8 = 1;
const UPPER: u8 = 2;
const STAR: u8 = 4;
const QUESTION: u8 = 8;
const NON_ASCII: u8 = 16;

/// The class bits of every byte. Whitespace is Unicode's White_Space in ASCII: tab to
/// carriage return (vertical tab included, which `is_ascii_whitespace` leaves out) and space.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'\t'..=b'\r' | b' ' => WHITESPACE,
            b'A'..=b'Z' => UPPER,
            b'*' => STAR,
            b'?' => QUESTION,
            0x80..=0xff => NON_ASCII,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// The union of the classes of `bytes`.
fn classes(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, &b| acc | CLASS[b as usize])
}

impl ActionPattern {
    /// Compile one action value.
    pub fn parse(text: &str) -> ActionPattern {
        if text == "*" {
            return ActionPattern::All;
        }
        let Some(colon) = text.bytes().position(|b| b == b':') else {
            return ActionPattern::Never {
                reason: "an action must be \"*\" or \"service:action\"",
            };
        };
        let (service, name) = (&text[..colon], &text[colon + 1..]);
        if service.is_empty() {
            return ActionPattern::Never {
                reason: "the service prefix of the action is empty",
            };
        }
        let service_class = classes(service.as_bytes());
        if service_class & (STAR | QUESTION) != 0 {
            return ActionPattern::Never {
                reason: "wildcards are not allowed in the service prefix of an action",
            };
        }
        if name.is_empty() {
            return ActionPattern::Never {
                reason: "the action name after the colon is empty",
            };
        }
        let name_class = classes(name.as_bytes());
        let whitespace = if (service_class | name_class) & NON_ASCII == 0 {
            (service_class | name_class) & WHITESPACE != 0
        } else {
            text.chars().any(char::is_whitespace)
        };
        if whitespace {
            return ActionPattern::Never {
                reason: "the action contains whitespace, so it matches no action",
            };
        }
        ActionPattern::Service {
            service: InlineStr::ascii_lowercase(service),
            name: if name_class & NON_ASCII == 0 {
                Wildcard::compile_ascii_folded_with(
                    name,
                    name_class & UPPER != 0,
                    name_class & STAR != 0,
                    name_class & QUESTION != 0,
                )
            } else {
                Wildcard::compile_folded(name)
            },
        }
    }

    /// Does the pattern match a request action, given as its lowercased service prefix and
    /// lowercased action name?
    pub fn matches(&self, service_lower: &str, name_lower: &str) -> bool {
        match self {
            ActionPattern::All => true,
            ActionPattern::Service { service, name } => {
                service.as_bytes() == service_lower.as_bytes() && name.matches(name_lower)
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

    /// The one-pass parse agrees with the plain reading it replaced (split on the first
    /// colon; the checks in order; the service ASCII-lowercased, the name `str::to_lowercase`d)
    /// on random texts of ASCII and non-ASCII letters, whitespace, colons and wildcards.
    #[test]
    fn one_pass_parse_agrees_with_the_plain_reading() {
        use proptest::prelude::*;
        fn reference(text: &str) -> Result<(String, String), &'static str> {
            if text == "*" {
                return Err("all");
            }
            let (service, name) = text.split_once(':').ok_or("no colon")?;
            if service.is_empty() {
                return Err("empty service");
            }
            if service.contains(['*', '?']) {
                return Err("wildcard service");
            }
            if name.is_empty() {
                return Err("empty name");
            }
            if text.chars().any(char::is_whitespace) {
                return Err("whitespace");
            }
            Ok((service.to_ascii_lowercase(), name.to_lowercase()))
        }
        let reason = |p: &ActionPattern| match p {
            ActionPattern::All => Some("all"),
            ActionPattern::Never { reason } => Some(match *reason {
                r if r.contains("\"service:action\"") => "no colon",
                r if r.contains("prefix of the action is empty") => "empty service",
                r if r.contains("wildcards") => "wildcard service",
                r if r.contains("after the colon") => "empty name",
                _ => "whitespace",
            }),
            ActionPattern::Service { .. } => None,
        };
        proptest!(ProptestConfig::with_cases(4000), |(
            text in prop_oneof![
                "[sSéÉ3:*? \t\u{b}\u{a0}aA]{0,12}",
                "[sS3]{1,3}:[aAsS*?]{0,10}",
                // Around the 30-byte inline capacity of the service and the name.
                "[sS3-]{1,40}:[aAsS*]{0,4}",
                "[sS3]{1,4}:[aAsS]{26,40}[*]?",
            ],
            requests in proptest::collection::vec("[séÉ3:aA]{0,8}", 8),
        )| {
            let parsed = ActionPattern::parse(&text);
            match reference(&text) {
                Err(why) => prop_assert_eq!(reason(&parsed), Some(why), "{:?}", text),
                Ok((service, name)) => {
                    let ActionPattern::Service { service: s, name: n } = &parsed else {
                        return Err(TestCaseError::fail(format!("{text:?}: {parsed:?}")));
                    };
                    prop_assert_eq!(&**s, service.as_str());
                    let w = Wildcard::compile(&name);
                    for r in &requests {
                        let r = r.to_lowercase();
                        prop_assert_eq!(n.matches(&r), w.matches(&r), "{:?} {:?}", text, r);
                        prop_assert_eq!(parsed.matches(&service, &r), w.matches(&r));
                    }
                }
            }
        });
    }
}
