//! What Discovery may take as known about the request: which context keys it evaluates as
//! given and which it reports as terms, and whether the caller's role session name is known.

use crate::context::Context;
use crate::principal::{Principal, PrincipalKind};
use iamwhy_policy::wildcard::Wildcard;
use serde::Serialize;

/// How much Discovery knows about one context key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKnowledge {
    /// The key is present or absent exactly as the context says, with the values given:
    /// conditions on it are evaluated as in a strict evaluation.
    Known,
    /// Whether the key is present is as the context says, but its value is not known:
    /// `Null` conditions are evaluated, and so is every condition on an absent key (the
    /// missing-key rules decide it); conditions on the values of a present key become terms.
    PresenceOnly,
    /// Neither presence nor value is known: every condition on the key becomes a term.
    Unknown,
}

/// Which keys a rule of [`Unknowns`] covers.
#[derive(Debug, Clone)]
struct Rule {
    /// The pattern as given.
    pattern: String,
    /// Compiled over the lowercased pattern (key names are case-insensitive).
    matcher: Wildcard,
    knowledge: KeyKnowledge,
}

/// The default for keys no rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownDefault {
    /// Keys the context carries are known; keys it lacks are unknown.
    MissingKeys,
    /// Every key is unknown, whether the context carries it or not.
    EveryKey,
}

/// What Discovery treats as unknown. Rules are tried in order; the first whose pattern covers
/// a key decides; keys no rule covers follow the default.
#[derive(Debug, Clone)]
pub struct Unknowns {
    default: UnknownDefault,
    rules: Vec<Rule>,
    session_name: Option<bool>,
}

impl Unknowns {
    /// The keys a condition consults but the request lacks are unknown; the keys the request
    /// carries are evaluated as given. The session name of a role session is known (it is in
    /// the session ARN); for a principal given as a role, any session name is possible.
    pub fn missing_keys() -> Unknowns {
        Unknowns {
            default: UnknownDefault::MissingKeys,
            rules: Vec::new(),
            session_name: None,
        }
    }

    /// Every key is unknown, even one the request carries (the context then only resolves
    /// policy variables in Resource elements); so is the session name of a role or role
    /// session caller. Add rules to make keys known.
    pub fn every_key() -> Unknowns {
        Unknowns {
            default: UnknownDefault::EveryKey,
            rules: Vec::new(),
            session_name: None,
        }
    }

    /// Add a rule: keys matching `pattern` (a key name; `*` and `?` are wildcards; letter case
    /// does not matter) have this knowledge. Earlier rules win.
    pub fn with_key(mut self, pattern: &str, knowledge: KeyKnowledge) -> Unknowns {
        self.rules.push(Rule {
            pattern: pattern.to_string(),
            matcher: Wildcard::compile(&pattern.to_lowercase()),
            knowledge,
        });
        self
    }

    /// Say whether the caller's role session name is known, overriding the default.
    pub fn with_session_name_known(mut self, known: bool) -> Unknowns {
        self.session_name = Some(known);
        self
    }

    /// The default for keys no rule covers.
    pub fn default_knowledge(&self) -> UnknownDefault {
        self.default
    }

    /// The rules, as (pattern, knowledge), in order.
    pub fn rules(&self) -> impl Iterator<Item = (&str, KeyKnowledge)> {
        self.rules.iter().map(|r| (r.pattern.as_str(), r.knowledge))
    }

    /// What is known about a key (lowercased) of a request with this context.
    pub fn knowledge(&self, key_lower: &str, ctx: &Context) -> KeyKnowledge {
        if let Some(r) = self.rules.iter().find(|r| r.matcher.matches(key_lower)) {
            return r.knowledge;
        }
        match self.default {
            UnknownDefault::EveryKey => KeyKnowledge::Unknown,
            UnknownDefault::MissingKeys if ctx.get_lower(key_lower).is_some() => {
                KeyKnowledge::Known
            }
            UnknownDefault::MissingKeys => KeyKnowledge::Unknown,
        }
    }

    /// Whether the caller's session name is unknown: a principal given as a role could be any
    /// of its sessions; a role session's name is known unless every key is unknown.
    pub fn session_name_unknown(&self, p: &Principal) -> bool {
        let role_like = matches!(p.kind, PrincipalKind::Role | PrincipalKind::AssumedRole);
        match self.session_name {
            Some(known) => role_like && !known,
            None => match self.default {
                UnknownDefault::EveryKey => role_like,
                UnknownDefault::MissingKeys => p.kind == PrincipalKind::Role,
            },
        }
    }
}
