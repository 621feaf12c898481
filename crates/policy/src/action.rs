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

impl ActionPattern {
    /// Compile one action value.
    pub fn parse(text: &str) -> ActionPattern {
        if text == "*" {
            return ActionPattern::All;
        }
        let Some((service, name)) = text.split_once(':') else {
            return ActionPattern::Never {
                reason: "an action must be \"*\" or \"service:action\"",
            };
        };
        if service.is_empty() {
            return ActionPattern::Never {
                reason: "the service prefix of the action is empty",
            };
        }
        if service.contains(['*', '?']) {
            return ActionPattern::Never {
                reason: "wildcards are not allowed in the service prefix of an action",
            };
        }
        if name.is_empty() {
            return ActionPattern::Never {
                reason: "the action name after the colon is empty",
            };
        }
        let whitespace = if text.is_ascii() {
            // Unicode's White_Space in ASCII: tab to carriage return (vertical tab included,
            // which `is_ascii_whitespace` leaves out) and space.
            text.bytes().any(|b| matches!(b, b'\t'..=b'\r' | b' '))
        } else {
            text.chars().any(char::is_whitespace)
        };
        if whitespace {
            return ActionPattern::Never {
                reason: "the action contains whitespace, so it matches no action",
            };
        }
        ActionPattern::Service {
            service: service.to_ascii_lowercase().into_boxed_str(),
            name: Wildcard::compile_folded(name),
        }
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
