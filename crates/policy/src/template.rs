//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, and
//! the fixed `${*}`, `${?}`, `${$}`.
//!
//! A [`Template`] is the parsed form of a value that may contain variables. Resolving it takes a
//! function from a (lowercased) key to its single value; a variable whose key has no value and
//! no default makes the whole value *unresolvable* (callers then treat it as matching nothing).
//! Substituted text is always literal: a `*` inside a tag value is not a wildcard.

use crate::wildcard::{Token, tokens};

/// One part of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text as written in the policy (`*`/`?` in it are wildcards where wildcards apply).
    Text(String),
    /// A literal character from `${*}`, `${?}` or `${$}`.
    Literal(char),
    /// A variable.
    Variable {
        /// The key, lowercased (key names are case-insensitive).
        key: Box<str>,
        /// The default value from `${key, 'default'}`, literal text.
        default: Option<String>,
    },
}

/// A value that may contain policy variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Parts,
}

/// The parts: most templates are one text, kept without a vector. Canonical (a single part is
/// always `One`), so that the derived equality is the parts' equality.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Parts {
    One(Part),
    Many(Vec<Part>),
}

impl Parts {
    fn from_vec(mut parts: Vec<Part>) -> Parts {
        if parts.len() == 1 {
            Parts::One(parts.pop().expect("one part"))
        } else {
            Parts::Many(parts)
        }
    }

    fn as_slice(&self) -> &[Part] {
        match self {
            Parts::One(p) => std::slice::from_ref(p),
            Parts::Many(v) => v,
        }
    }
}

impl Template {
    /// Parse `text`. With `variables == false` (policies of version 2008-10-17 or without a
    /// version) `${...}` is literal text.
    pub fn parse(text: &str, variables: bool) -> Template {
        if !variables || !text.contains("${") {
            return Template {
                parts: Parts::One(Part::Text(text.to_string())),
            };
        }
        let mut parts = Vec::new();
        let mut rest = text;
        let mut pending = String::new();
        while let Some(start) = rest.find("${") {
            let after = &rest[start + 2..];
            let Some(close) = after.find('}') else {
                break;
            };
            pending.push_str(&rest[..start]);
            let inner = &after[..close];
            match inner {
                "*" => push_literal(&mut parts, &mut pending, '*'),
                "?" => push_literal(&mut parts, &mut pending, '?'),
                "$" => push_literal(&mut parts, &mut pending, '$'),
                _ => {
                    if !pending.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut pending)));
                    }
                    parts.push(parse_variable(inner));
                }
            }
            rest = &after[close + 1..];
        }
        pending.push_str(rest);
        if !pending.is_empty() {
            parts.push(Part::Text(pending));
        }
        Template {
            parts: Parts::from_vec(parts),
        }
    }

    /// The parts.
    pub fn parts(&self) -> &[Part] {
        self.parts.as_slice()
    }

    /// True when the template has at least one variable (other than `${*}` `${?}` `${$}`).
    pub fn has_variables(&self) -> bool {
        self.parts()
            .iter()
            .any(|p| matches!(p, Part::Variable { .. }))
    }

    /// The (lowercased) keys of the variables.
    pub fn variable_keys(&self) -> impl Iterator<Item = &str> {
        self.parts().iter().filter_map(|p| match p {
            Part::Variable { key, .. } => Some(&**key),
            _ => None,
        })
    }

    /// The text when there are no variables and no `${*}`-style literals: the value as written.
    pub fn as_plain_text(&self) -> Option<&str> {
        match self.parts() {
            [] => Some(""),
            [Part::Text(t)] => Some(t),
            _ => None,
        }
    }

    /// Resolve into wildcard tokens: text parts keep their wildcards, substituted values and
    /// `${*}`-style literals are literal characters. `None` when a variable is unresolvable.
    pub fn resolve_tokens<'v>(
        &self,
        mut resolve: impl FnMut(&str) -> Option<&'v str>,
    ) -> Option<Vec<Token>> {
        let mut out = Vec::new();
        for part in self.parts() {
            match part {
                Part::Text(t) => out.extend(tokens(t)),
                Part::Literal(c) => out.push(Token::Char(*c)),
                Part::Variable { key, default } => {
                    let value = resolve(key).or(default.as_deref())?;
                    out.extend(value.chars().map(Token::Char));
                }
            }
        }
        Some(out)
    }

    /// Resolve into plain text (for operators without wildcards). `None` when a variable is
    /// unresolvable.
    pub fn resolve_text<'v>(
        &self,
        mut resolve: impl FnMut(&str) -> Option<&'v str>,
    ) -> Option<String> {
        let mut out = String::new();
        for part in self.parts() {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Literal(c) => out.push(*c),
                Part::Variable { key, default } => {
                    out.push_str(resolve(key).or(default.as_deref())?);
                }
            }
        }
        Some(out)
    }
}

fn push_literal(parts: &mut Vec<Part>, pending: &mut String, c: char) {
    if !pending.is_empty() {
        parts.push(Part::Text(std::mem::take(pending)));
    }
    parts.push(Part::Literal(c));
}

/// `key` or `key, 'default'` (whitespace after the comma optional).
fn parse_variable(inner: &str) -> Part {
    if let Some((key, rest)) = inner.split_once(',') {
        let rest = rest.trim();
        if rest.len() >= 2 && rest.starts_with('\'') && rest.ends_with('\'') {
            return Part::Variable {
                key: key.trim().to_lowercase().into_boxed_str(),
                default: Some(rest[1..rest.len() - 1].to_string()),
            };
        }
    }
    Part::Variable {
        key: inner.trim().to_lowercase().into_boxed_str(),
        default: None,
    }
}

/// Check a variable's syntax for validation: `Some(message)` when it is malformed.
pub fn malformed_variable(inner: &str) -> Option<String> {
    if inner.is_empty() {
        return Some("the policy variable \"${}\" names no key".to_string());
    }
    if let Some((_, rest)) = inner.split_once(',') {
        let rest = rest.trim();
        if !(rest.len() >= 2 && rest.starts_with('\'') && rest.ends_with('\'')) {
            return Some(format!(
                "the default value of policy variable \"${{{inner}}}\" must be in single quotes, as in ${{key, 'default'}}"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_with<'a>(
        pairs: &'a [(&'a str, &'a str)],
    ) -> impl FnMut(&str) -> Option<&'a str> + 'a {
        move |k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| *v)
    }

    #[test]
    fn variable_keys_are_case_insensitive() {
        let t = Template::parse("home/${AWS:UserName}/*", true);
        assert_eq!(t.variable_keys().collect::<Vec<_>>(), ["aws:username"]);
        assert_eq!(
            t.resolve_text(resolve_with(&[("aws:username", "Ana")])),
            Some("home/Ana/*".into())
        );
    }

    #[test]
    fn default_value_with_and_without_space() {
        for text in [
            "${aws:PrincipalTag/team, 'shared'}",
            "${aws:PrincipalTag/team,'shared'}",
        ] {
            let t = Template::parse(text, true);
            assert_eq!(t.resolve_text(|_| None), Some("shared".into()), "{text}");
            assert_eq!(
                t.resolve_text(resolve_with(&[("aws:principaltag/team", "red")])),
                Some("red".into())
            );
        }
    }

    #[test]
    fn special_variables_are_literal_characters() {
        let t = Template::parse("a${*}b${?}c${$}", true);
        assert_eq!(t.resolve_text(|_| None), Some("a*b?c$".into()));
        let toks = t.resolve_tokens(|_| None).unwrap();
        assert!(toks.iter().all(|t| matches!(t, Token::Char(_))));
    }

    #[test]
    fn unresolvable_variable_without_default_resolves_to_none() {
        let t = Template::parse("x/${aws:username}", true);
        assert_eq!(t.resolve_text(|_| None), None);
        assert_eq!(t.resolve_tokens(|_| None), None);
    }

    #[test]
    fn variables_are_literal_text_in_2008_policies() {
        let t = Template::parse("b/${aws:username}/*", false);
        assert!(!t.has_variables());
        assert_eq!(t.as_plain_text(), Some("b/${aws:username}/*"));
    }

    #[test]
    fn substituted_values_are_literal_even_with_wildcard_characters() {
        let t = Template::parse("${aws:PrincipalTag/p}*", true);
        let toks = t
            .resolve_tokens(resolve_with(&[("aws:principaltag/p", "a*")]))
            .unwrap();
        assert_eq!(
            toks,
            vec![Token::Char('a'), Token::Char('*'), Token::AnyRun]
        );
    }

    #[test]
    fn unterminated_variable_is_literal_text() {
        let t = Template::parse("a${aws:username", true);
        assert_eq!(t.as_plain_text(), Some("a${aws:username"));
    }

    /// A one-part template (kept without a vector) reads and compares as its parts do,
    /// whichever way it was parsed.
    #[test]
    fn one_part_templates_read_and_compare_as_their_parts() {
        let plain = Template::parse("abc", true);
        assert_eq!(plain.parts(), [Part::Text("abc".into())]);
        assert_eq!(plain, Template::parse("abc", false));
        let var = Template::parse("${aws:username}", true);
        assert_eq!(
            var.parts(),
            [Part::Variable {
                key: "aws:username".into(),
                default: None
            }]
        );
        assert_ne!(var, plain);
        let two = Template::parse("a${aws:username}", true);
        assert_eq!(two.parts().len(), 2);
        assert_eq!(two, Template::parse("a${aws:username}", true));
    }
}
