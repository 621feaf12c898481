//! Running Discovery cases and comparing their answers.
//!
//! A Discovery case expects the decision, the allowed-when conditions (`conditions`), the
//! conditions that were not evaluated (`ignoredConditions`, per layer and effect) and whether
//! the caller's role session name was treated as unknown (`ignoredRoleSessionName`). iamwhy's
//! answer is translated into the cases' spelling and both sides are normalized before they are
//! compared as text:
//!
//! - groups (`and`/`or`) are flattened, a one-member group is its member, members are sorted
//!   and duplicates dropped (the order of members never changes the meaning);
//! - the values of one condition are sorted (a condition holds if any value matches);
//! - sources are compared as sets of (effect, policy type, policy id, org level, 1-based
//!   statement index);
//! - `ignoredConditions` are compared per layer and effect as sorted lists.
//!
//! The cases spell a Deny's condition that must not hold as an "inverted" leaf carrying the
//! complementary operator (`StringEquals` → `StringNotEquals`; `...IfExists` → `Null false`
//! and the complement; `ForAnyValue:X` → `Null true` or `ForAllValues:` complement). iamwhy
//! keeps the negation explicit (a complement operator is not an exact negation for a
//! multivalued key), so the runner applies that table to iamwhy's negated terms: the
//! comparison is between the same logical structures, never between a hand-picked subset.

use anyhow::{Result, bail};
use iamwhy_engine::decision::Layer;
use iamwhy_engine::{Discovery, Formula, KeyKnowledge, Literal, Term, TermSource, Unknowns};
use iamwhy_policy::condition_operator::{ConditionOperator, SetQualifier};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One entry of a case's `discoveryContextKeyConstraints`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyConstraint {
    key_name: String,
    #[serde(default)]
    presence_is_known: bool,
    #[serde(default)]
    value_is_known: bool,
}

/// What the case says Discovery may take as known: every key is unknown except the
/// constrained ones.
pub fn unknowns(constraints: &[KeyConstraint]) -> Result<Unknowns> {
    let mut u = Unknowns::every_key();
    for c in constraints {
        let pattern = key_pattern(&c.key_name)?;
        let knowledge = if c.value_is_known {
            KeyKnowledge::Known
        } else if c.presence_is_known {
            KeyKnowledge::PresenceOnly
        } else {
            KeyKnowledge::Unknown
        };
        u = u.with_key(&pattern, knowledge);
    }
    Ok(u)
}

/// A constraint's key name: a key, or `/regex/`. Only regular expressions made of literal
/// characters and `.*` are read (as the wildcard `*`); anything else is refused rather than
/// guessed.
fn key_pattern(name: &str) -> Result<String> {
    let Some(re) = name.strip_prefix('/').and_then(|r| r.strip_suffix('/')) else {
        return Ok(name.to_string());
    };
    let mut out = String::new();
    let mut chars = re.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' if chars.peek() == Some(&'*') => {
                chars.next();
                out.push('*');
            }
            '\\' => match chars.next() {
                Some(e) if !e.is_alphanumeric() => out.push(e),
                _ => bail!("key pattern {name}: only literal characters and .* are supported"),
            },
            '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '^' | '$' => {
                bail!("key pattern {name}: only literal characters and .* are supported")
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// The cases' name for a layer.
fn policy_type(layer: Layer) -> &'static str {
    match layer {
        Layer::Identity => "identity",
        Layer::Resource => "resource",
        Layer::PermissionsBoundary => "permissionBoundary",
        Layer::Scp => "scp",
        Layer::Rcp => "rcp",
        Layer::VpcEndpoint => "endpointPolicy",
        Layer::Session => "session",
    }
}

/// The cases' name for a policy (the runner names the resource policy `resource`).
fn policy_id(s: &TermSource) -> String {
    match s.layer {
        Layer::Resource => "ResourcePolicy".to_string(),
        _ => s.policy.clone(),
    }
}

fn source_text(s: &TermSource) -> String {
    format!(
        "{}/{}/{}{}#{}",
        s.effect,
        policy_type(s.layer),
        policy_id(s),
        s.level
            .as_deref()
            .map(|l| format!("@{l}"))
            .unwrap_or_default(),
        s.index + 1
    )
}

fn expected_source_text(v: &Value) -> String {
    let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("");
    format!(
        "{}/{}/{}{}#{}",
        field("effect"),
        field("policyType"),
        field("policyIdentifier"),
        v.get("orgIdentifier")
            .and_then(Value::as_str)
            .map(|l| format!("@{l}"))
            .unwrap_or_default(),
        v.get("statementIndex").and_then(Value::as_u64).unwrap_or(0)
    )
}

fn sources_text(mut list: Vec<String>) -> String {
    list.sort();
    list.dedup();
    list.join(",")
}

/// A normalized formula in the cases' vocabulary.
#[derive(Debug, Clone)]
enum Norm {
    Leaf(String),
    Group { and: bool, members: Vec<Norm> },
}

impl Norm {
    fn leaf(op: &str, key: &str, values: &[String], inverted: bool, sources: String) -> Norm {
        let mut values = values.to_vec();
        values.sort();
        Norm::Leaf(format!(
            "{}{op} {key} [{}] <{sources}>",
            if inverted { "inverted " } else { "" },
            values.join(", ")
        ))
    }

    /// Flatten nested groups of the same kind, sort and deduplicate members, and replace a
    /// one-member group by its member.
    fn canon(self) -> Norm {
        match self {
            Norm::Leaf(s) => Norm::Leaf(s),
            Norm::Group { and, members } => {
                let mut flat: Vec<Norm> = Vec::new();
                for m in members {
                    match m.canon() {
                        Norm::Group { and: a, members } if a == and => flat.extend(members),
                        other => flat.push(other),
                    }
                }
                let mut keyed: Vec<(String, Norm)> =
                    flat.into_iter().map(|m| (m.print(), m)).collect();
                keyed.sort_by(|a, b| a.0.cmp(&b.0));
                keyed.dedup_by(|a, b| a.0 == b.0);
                let mut members: Vec<Norm> = keyed.into_iter().map(|(_, m)| m).collect();
                if members.len() == 1 {
                    return members.pop().expect("one member");
                }
                Norm::Group { and, members }
            }
        }
    }

    fn print(&self) -> String {
        match self {
            Norm::Leaf(s) => s.clone(),
            Norm::Group { and, members } => format!(
                "{}({})",
                if *and { "and" } else { "or" },
                members
                    .iter()
                    .map(Norm::print)
                    .collect::<Vec<_>>()
                    .join(" ; ")
            ),
        }
    }

    /// The canonical text.
    fn text(self) -> String {
        self.canon().print()
    }
}

/// The complement of a base operator, as the cases spell an inverted leaf.
fn complement(base: &str) -> Option<&'static str> {
    const PAIRS: &[(&str, &str)] = &[
        ("StringEquals", "StringNotEquals"),
        ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"),
        ("StringLike", "StringNotLike"),
        ("NumericEquals", "NumericNotEquals"),
        ("NumericLessThan", "NumericGreaterThanEquals"),
        ("NumericLessThanEquals", "NumericGreaterThan"),
        ("DateEquals", "DateNotEquals"),
        ("DateLessThan", "DateGreaterThanEquals"),
        ("DateLessThanEquals", "DateGreaterThan"),
        ("IpAddress", "NotIpAddress"),
        ("ArnEquals", "ArnNotEquals"),
        ("ArnLike", "ArnNotLike"),
    ];
    PAIRS.iter().find_map(|(a, b)| {
        if *a == base {
            Some(*b)
        } else if *b == base {
            Some(*a)
        } else {
            None
        }
    })
}

/// A negated condition term in the cases' spelling.
fn inverted(l: &Literal, op_text: &str, key: &str, values: &[String], sources: &str) -> Norm {
    let leaf = |op: &str, values: &[String]| Norm::leaf(op, key, values, true, sources.into());
    let null = |v: &str| leaf("Null", &[v.to_string()]);
    let Ok(op) = ConditionOperator::parse(op_text) else {
        return Norm::Leaf(format!("not {l}"));
    };
    let base = op.base.name();
    if base == "Null" {
        let flipped: Vec<String> = values
            .iter()
            .map(|v| {
                if v.eq_ignore_ascii_case("true") {
                    "false".into()
                } else {
                    "true".into()
                }
            })
            .collect();
        return leaf("Null", &flipped);
    }
    let Some(inv) = complement(base) else {
        return Norm::Leaf(format!("not {l}"));
    };
    match (op.qualifier, op.if_exists) {
        (None, false) => leaf(inv, values),
        (None, true) => Norm::Group {
            and: true,
            members: vec![null("false"), leaf(inv, values)],
        },
        (Some(SetQualifier::ForAllValues), _) => Norm::Group {
            and: true,
            members: vec![null("false"), leaf(&format!("ForAnyValue:{inv}"), values)],
        },
        (Some(SetQualifier::ForAnyValue), false) => Norm::Group {
            and: false,
            members: vec![null("true"), leaf(&format!("ForAllValues:{inv}"), values)],
        },
        (Some(SetQualifier::ForAnyValue), true) => Norm::Group {
            and: true,
            members: vec![null("false"), leaf(&format!("ForAllValues:{inv}"), values)],
        },
    }
}

fn norm_literal(l: &Literal) -> Norm {
    let sources = sources_text(l.sources.iter().map(|s| source_text(s)).collect());
    match (&*l.term, l.negated) {
        (Term::Condition(c), false) => Norm::leaf(c.operator(), c.key(), &c.values, false, sources),
        (Term::Condition(c), true) => inverted(l, c.operator(), c.key(), &c.values, &sources),
        (Term::SessionName { names }, negated) => {
            let mut names = names.clone();
            names.sort();
            Norm::Leaf(format!(
                "{}sessionName [{}] <{sources}>",
                if negated { "not " } else { "" },
                names.join(", ")
            ))
        }
    }
}

fn norm_formula(f: &Formula) -> Option<Norm> {
    match f {
        Formula::True | Formula::False => None,
        Formula::Term(l) => Some(norm_literal(l)),
        Formula::All { of } | Formula::Any { of } => Some(Norm::Group {
            and: matches!(f, Formula::All { .. }),
            members: of.iter().filter_map(norm_formula).collect(),
        }),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| x.to_string())
            })
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn norm_expected(v: &Value) -> Result<Option<Norm>> {
    if v.is_null() {
        return Ok(None);
    }
    let sources = || {
        sources_text(
            v.get("sources")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(expected_source_text).collect())
                .unwrap_or_default(),
        )
    };
    match v.get("conditionType").and_then(Value::as_str) {
        Some("condition") => {
            let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("");
            let inverted = v.get("inverted").and_then(Value::as_bool).unwrap_or(false);
            Ok(Some(Norm::leaf(
                field("op"),
                field("key"),
                &strings(v.get("values")),
                inverted,
                sources(),
            )))
        }
        Some("sessionName") => {
            let mut names = strings(v.get("sessionName"));
            names.sort();
            Ok(Some(Norm::Leaf(format!(
                "sessionName [{}] <{}>",
                names.join(", "),
                sources()
            ))))
        }
        Some("group") => {
            let and = match v.get("operator").and_then(Value::as_str) {
                Some("and") => true,
                Some("or") => false,
                other => bail!("conditions group with operator {other:?}"),
            };
            let mut members = Vec::new();
            for m in v
                .get("conditions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                members.extend(norm_expected(m)?);
            }
            Ok(Some(Norm::Group { and, members }))
        }
        other => bail!("unknown conditionType {other:?}"),
    }
}

/// The normalized allowed-when conditions of iamwhy's answer (`-` for none).
pub fn actual_conditions(d: &Discovery) -> String {
    norm_formula(&d.allowed_when)
        .map(Norm::text)
        .unwrap_or_else(|| "-".into())
}

/// The normalized expected conditions (`-` for none).
pub fn expected_conditions(v: Option<&Value>) -> Result<String> {
    Ok(match v {
        Some(v) => norm_expected(v)?.map(Norm::text),
        None => None,
    }
    .unwrap_or_else(|| "-".into()))
}

type Ignored = BTreeMap<(String, String), Vec<String>>;

fn ignored_text(m: &Ignored) -> String {
    if m.is_empty() {
        return "-".into();
    }
    m.iter()
        .map(|((layer, effect), list)| format!("{layer}.{effect}: {}", list.join(" ; ")))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn ignored_entry(op: &str, key: &str, values: &[String]) -> String {
    let mut values = values.to_vec();
    values.sort();
    format!("{op} {key} [{}]", values.join(", "))
}

/// The normalized ignored conditions of iamwhy's answer: the unknown conditions of every
/// statement that may apply, per layer and effect.
pub fn actual_ignored(d: &Discovery) -> String {
    let mut m: Ignored = BTreeMap::new();
    for s in &d.statements {
        for c in s.unknown_conditions() {
            m.entry((
                policy_type(s.layer).to_string(),
                s.effect.to_string().to_lowercase(),
            ))
            .or_default()
            .push(ignored_entry(c.operator(), c.key(), &c.values));
        }
    }
    for list in m.values_mut() {
        list.sort();
    }
    ignored_text(&m)
}

/// The normalized expected ignored conditions.
pub fn expected_ignored(v: Option<&Value>) -> Result<String> {
    let mut m: Ignored = BTreeMap::new();
    if let Some(Value::Object(layers)) = v {
        for (layer, effects) in layers {
            let Value::Object(effects) = effects else {
                bail!("ignoredConditions.{layer} is not an object");
            };
            for (effect, list) in effects {
                let entries = m.entry((layer.clone(), effect.clone())).or_default();
                for e in list.as_array().into_iter().flatten() {
                    let field = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("");
                    entries.push(ignored_entry(
                        field("op"),
                        field("key"),
                        &strings(e.get("values")),
                    ));
                }
                entries.sort();
            }
        }
    }
    m.retain(|_, v| !v.is_empty());
    Ok(ignored_text(&m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamwhy_engine::decision::PolicySet;
    use iamwhy_engine::{
        CompiledPolicy, Context, EvaluationOptions, Principal, Request, RequestResource,
    };
    use iamwhy_policy::{PolicyDocument, PolicyType};
    use serde_json::json;
    use std::sync::Arc;

    fn discovery(statements: &str) -> Discovery {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#);
        let doc = PolicyDocument::parse(&text).unwrap();
        let set = PolicySet::new().with_identity(vec![CompiledPolicy::compile(
            "0",
            PolicyType::Identity,
            Arc::new(doc),
        )]);
        let mut req = Request::new(
            Principal::parse("arn:aws:iam::111122223333:user/u").unwrap(),
            "s3:ListBucket",
            RequestResource::parse("arn:aws:s3:::b"),
            Context::new(),
        )
        .unwrap();
        req.resource_account = Some("111122223333".into());
        set.discover(&req, &EvaluationOptions::default(), &Unknowns::every_key())
    }

    #[test]
    fn key_patterns_read_literal_text_and_dot_star_only() {
        assert_eq!(key_pattern("aws:SourceVpc").unwrap(), "aws:SourceVpc");
        assert_eq!(
            key_pattern("/aws:PrincipalTag/.*/").unwrap(),
            "aws:PrincipalTag/*"
        );
        assert_eq!(
            key_pattern(r"/aws:Principal\.Tag/").unwrap(),
            "aws:Principal.Tag"
        );
        assert!(key_pattern("/aws:(a|b)/").is_err());
        assert!(key_pattern("/aws:a.b/").is_err());
    }

    #[test]
    fn groups_compare_flattened_sorted_and_deduplicated() {
        let leaf = |s: &str| Norm::Leaf(s.into());
        let a = Norm::Group {
            and: true,
            members: vec![
                leaf("b"),
                Norm::Group {
                    and: true,
                    members: vec![leaf("a"), leaf("b")],
                },
                Norm::Group {
                    and: false,
                    members: vec![leaf("c")],
                },
            ],
        };
        assert_eq!(a.text(), "and(a ; b ; c)");
    }

    #[test]
    fn a_negated_if_exists_condition_is_spelled_as_present_and_the_complement() {
        let d = discovery(
            r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"},
               {"Effect":"Deny","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:SourceVpc":"v"}}}"#,
        );
        let expected = json!({
            "conditionType": "group", "operator": "and", "conditions": [
                {"conditionType": "condition", "inverted": true, "key": "aws:SourceVpc", "op": "StringNotEquals", "values": ["v"],
                 "sources": [{"effect": "Deny", "policyIdentifier": "0", "policyType": "identity", "statementIndex": 2}]},
                {"conditionType": "condition", "inverted": true, "key": "aws:SourceVpc", "op": "Null", "values": ["false"],
                 "sources": [{"effect": "Deny", "policyIdentifier": "0", "policyType": "identity", "statementIndex": 2}]}
            ]
        });
        assert_eq!(
            actual_conditions(&d),
            expected_conditions(Some(&expected)).unwrap()
        );
        assert_eq!(
            actual_ignored(&d),
            expected_ignored(Some(&json!({"identity": {"deny": [
                {"key": "aws:SourceVpc", "op": "StringEqualsIfExists", "values": ["v"]}
            ]}})))
            .unwrap()
        );
    }

    #[test]
    fn a_negated_for_any_value_condition_is_spelled_as_absent_or_the_complement_for_all() {
        let d = discovery(
            r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"},
               {"Effect":"Deny","Action":"s3:ListBucket","Resource":"*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":"x*"}}}"#,
        );
        assert_eq!(
            actual_conditions(&d),
            "or(inverted ForAllValues:StringNotLike aws:TagKeys [x*] <Deny/identity/0#2> ; inverted Null aws:TagKeys [true] <Deny/identity/0#2>)"
        );
    }

    #[test]
    fn a_different_source_makes_the_conditions_differ() {
        let d = discovery(
            r#"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"v"}}}"#,
        );
        let with_index = |i: u64| {
            json!({"conditionType": "condition", "key": "aws:SourceVpc", "op": "StringEquals", "values": ["v"],
                   "sources": [{"effect": "Allow", "policyIdentifier": "0", "policyType": "identity", "statementIndex": i}]})
        };
        assert_eq!(
            actual_conditions(&d),
            expected_conditions(Some(&with_index(1))).unwrap()
        );
        assert_ne!(
            actual_conditions(&d),
            expected_conditions(Some(&with_index(2))).unwrap()
        );
    }
}
