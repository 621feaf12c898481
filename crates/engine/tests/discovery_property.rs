//! Discovery's formula means what it says: for generated policy sets (every layer, conditions
//! of every operator family with IfExists and set qualifiers, policy variables, principals
//! naming the caller, its account, its role or role sessions), substituting values for the
//! unknown keys (and the session name) gives an Allowed strict decision exactly when the
//! formula holds for those values — both in the "keys the request lacks are unknown" mode and
//! in the "every key is unknown" mode. When nothing is unknown, Discovery's decision and
//! blockers are the strict ones.

use iamwhy_engine::decision::{Decision, PolicySet};
use iamwhy_engine::{
    CompiledPolicy, Context, Discovery, EvaluationOptions, Principal, Request, RequestResource,
    Unknowns,
};
use iamwhy_policy::{PolicyDocument, PolicyType};
use proptest::prelude::*;
use std::sync::Arc;

const A: &str = "111122223333";
const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const ROLE_APP: &str = "arn:aws:iam::111122223333:role/App";
const S1: &str = "arn:aws:sts::111122223333:assumed-role/App/s1";
const BOB_B: &str = "arn:aws:iam::444455556666:user/bob";

/// The callers.
const CALLERS: &[&str] = &[ALICE, ROLE_APP, S1, BOB_B, "arn:aws:iam::111122223333:root"];

/// Principal element values.
const PRINCIPALS: &[&str] = &[
    r#""*""#,
    r#"{"AWS":"111122223333"}"#,
    r#"{"AWS":"arn:aws:iam::111122223333:role/App"}"#,
    r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/App/s1"}"#,
    r#"{"AWS":["arn:aws:sts::111122223333:assumed-role/App/s2","arn:aws:iam::111122223333:user/alice"]}"#,
    r#"{"AWS":"arn:aws:iam::444455556666:user/bob"}"#,
    r#"{"AWS":"444455556666"}"#,
];

const ACTIONS: &[&str] = &[
    r#""s3:GetObject""#,
    r#""s3:*""#,
    r#""*""#,
    r#""ec2:RunInstances""#,
];
const RESOURCES: &[&str] = &[
    r#""*""#,
    r#""arn:aws:s3:::b/*""#,
    r#""arn:aws:s3:::other/*""#,
];

/// Condition entries: (operator, key, values as JSON).
const CONDITIONS: &[(&str, &str, &str)] = &[
    ("StringEquals", "aws:SourceVpc", r#""a""#),
    ("StringEquals", "aws:SourceVpc", r#"["a","b"]"#),
    ("StringNotEquals", "aws:SourceVpc", r#""a""#),
    ("StringLike", "aws:SourceVpc", r#""a*""#),
    ("StringNotLike", "aws:SourceVpc", r#""b*""#),
    ("StringEqualsIfExists", "aws:SourceVpc", r#""b""#),
    ("StringNotEqualsIfExists", "aws:SourceVpc", r#""a""#),
    ("Null", "aws:SourceVpc", r#""true""#),
    ("Null", "aws:SourceVpc", r#""false""#),
    ("StringEqualsIgnoreCase", "aws:PrincipalTag/team", r#""A""#),
    (
        "StringEquals",
        "aws:PrincipalTag/team",
        r#""${aws:SourceVpc}""#,
    ),
    ("StringNotEquals", "aws:PrincipalTag/team", r#""c""#),
    ("ForAnyValue:StringEquals", "aws:TagKeys", r#""a""#),
    ("ForAllValues:StringEquals", "aws:TagKeys", r#"["a","b"]"#),
    ("ForAnyValue:StringNotEquals", "aws:TagKeys", r#""a""#),
    (
        "ForAllValues:StringNotEqualsIfExists",
        "aws:TagKeys",
        r#""c""#,
    ),
    ("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", r#""b""#),
    ("StringEquals", "aws:TagKeys", r#""a""#),
    ("Null", "aws:TagKeys", r#""false""#),
    ("IpAddress", "aws:SourceIp", r#""10.0.0.0/8""#),
    ("NotIpAddress", "aws:SourceIp", r#""10.0.0.0/8""#),
    ("IpAddressIfExists", "aws:SourceIp", r#""192.168.0.0/16""#),
    ("NumericLessThan", "s3:max-keys", r#""5""#),
    ("NumericGreaterThanEqualsIfExists", "s3:max-keys", r#""5""#),
    ("NumericNotEquals", "s3:max-keys", r#""10""#),
    ("Bool", "aws:SecureTransport", r#""true""#),
    ("BoolIfExists", "aws:SecureTransport", r#""false""#),
    ("StringEqualsAnything", "aws:SourceVpc", r#""a""#),
];

/// The context keys the conditions consult, and the values substituted for them. `None` is
/// "absent"; a list is a multivalued key.
fn candidates(key: &str) -> Vec<Option<Vec<&'static str>>> {
    match key {
        "aws:SourceVpc" => vec![
            None,
            Some(vec!["a"]),
            Some(vec!["b"]),
            Some(vec!["c"]),
            Some(vec!["ab"]),
        ],
        "aws:PrincipalTag/team" => vec![None, Some(vec!["a"]), Some(vec!["A"]), Some(vec!["c"])],
        "aws:TagKeys" => vec![
            None,
            Some(vec![]),
            Some(vec!["a"]),
            Some(vec!["a", "b"]),
            Some(vec!["c"]),
            Some(vec!["b", "c"]),
        ],
        "aws:SourceIp" => vec![
            None,
            Some(vec!["10.1.2.3"]),
            Some(vec!["192.168.1.1"]),
            Some(vec!["garbage"]),
        ],
        "s3:max-keys" => vec![
            None,
            Some(vec!["1"]),
            Some(vec!["5"]),
            Some(vec!["10"]),
            Some(vec!["x"]),
        ],
        "aws:SecureTransport" => vec![
            None,
            Some(vec!["true"]),
            Some(vec!["false"]),
            Some(vec!["maybe"]),
        ],
        other => panic!("no candidates for {other}"),
    }
}

const KEYS: &[&str] = &[
    "aws:SourceVpc",
    "aws:PrincipalTag/team",
    "aws:TagKeys",
    "aws:SourceIp",
    "s3:max-keys",
    "aws:SecureTransport",
];

fn set_value(ctx: &mut Context, key: &str, v: &Option<Vec<&str>>) {
    match v {
        None => ctx.remove(key),
        Some(vals) if key == "aws:TagKeys" => {
            ctx.set_multi(key, vals.iter().map(|s| s.to_string()).collect())
        }
        Some(vals) => ctx.set(key, vals[0]),
    }
}

#[derive(Debug, Clone)]
struct Stmt {
    deny: bool,
    principal: Option<(bool, usize)>,
    action: usize,
    resource: usize,
    conditions: Vec<usize>,
}

impl Stmt {
    fn json(&self, role_like_caller: bool) -> String {
        let mut out = format!(
            r#"{{"Effect":"{}""#,
            if self.deny { "Deny" } else { "Allow" }
        );
        if let Some((negated, p)) = self.principal {
            // NotPrincipal is evaluated with the caller as given (a documented limit of
            // Discovery), so it is not generated for callers whose session name varies.
            let key = if negated && !role_like_caller {
                "NotPrincipal"
            } else {
                "Principal"
            };
            out.push_str(&format!(r#","{key}":{}"#, PRINCIPALS[p]));
        }
        out.push_str(&format!(r#","Action":{}"#, ACTIONS[self.action]));
        out.push_str(&format!(r#","Resource":{}"#, RESOURCES[self.resource]));
        if !self.conditions.is_empty() {
            // One entry per (operator, key): a repeated one would be a duplicate JSON key.
            let mut blocks: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
            for &i in &self.conditions {
                let (op, key, values) = CONDITIONS[i];
                match blocks.iter_mut().find(|(o, _)| *o == op) {
                    Some((_, entries)) if entries.iter().any(|(k, _)| *k == key) => {}
                    Some((_, entries)) => entries.push((key, values)),
                    None => blocks.push((op, vec![(key, values)])),
                }
            }
            let blocks: Vec<(&str, Vec<String>)> = blocks
                .into_iter()
                .map(|(op, entries)| {
                    let entries = entries
                        .into_iter()
                        .map(|(k, v)| format!(r#""{k}":{v}"#))
                        .collect();
                    (op, entries)
                })
                .collect();
            let body: Vec<String> = blocks
                .iter()
                .map(|(op, entries)| format!(r#""{op}":{{{}}}"#, entries.join(",")))
                .collect();
            out.push_str(&format!(r#","Condition":{{{}}}"#, body.join(",")));
        }
        out.push('}');
        out
    }
}

fn stmt(with_principal: bool) -> impl Strategy<Value = Stmt> {
    (
        any::<bool>(),
        (
            prop::bool::weighted(0.15),
            // Sessions of the caller's role are weighted up: they exercise the session name.
            prop_oneof![
                2 => Just(0usize),
                1 => Just(1usize),
                2 => Just(2usize),
                3 => Just(3usize),
                3 => Just(4usize),
                1 => Just(5usize),
                1 => Just(6usize),
            ],
        )
            .prop_map(move |p| with_principal.then_some(p)),
        prop_oneof![3 => Just(0usize), 1 => 1..ACTIONS.len()],
        prop_oneof![2 => Just(1usize), 1 => Just(0usize), 1 => Just(2usize)],
        prop::collection::vec(0..CONDITIONS.len(), 0..=2),
    )
        .prop_map(|(deny, principal, action, resource, conditions)| Stmt {
            deny: deny && action != 3,
            principal,
            action,
            resource,
            conditions,
        })
}

fn stmts(with_principal: bool, min: usize, max: usize) -> impl Strategy<Value = Vec<Stmt>> {
    prop::collection::vec(stmt(with_principal), min..=max)
}

#[derive(Debug, Clone)]
struct Scenario {
    caller: usize,
    identity: Vec<Stmt>,
    boundary: Option<Vec<Stmt>>,
    session: Option<Vec<Stmt>>,
    resource: Option<Vec<Stmt>>,
    endpoint: Option<Vec<Stmt>>,
    scps: Vec<Vec<Stmt>>,
    rcps: Vec<Vec<Stmt>>,
    /// Keys the request carries (index into KEYS, index into candidates).
    given: Vec<(usize, usize)>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        0..CALLERS.len(),
        stmts(false, 0, 3),
        prop::option::weighted(0.4, stmts(false, 1, 2)),
        prop::option::weighted(0.3, stmts(false, 1, 2)),
        prop::option::weighted(0.6, stmts(true, 1, 3)),
        prop::option::weighted(0.15, stmts(true, 1, 2)),
        prop::collection::vec(stmts(false, 1, 2), 0..=2),
        prop::collection::vec(stmts(true, 1, 2), 0..=1),
        prop::collection::vec((0..KEYS.len(), 1..4usize), 0..=2),
    )
        .prop_map(
            |(caller, identity, boundary, session, resource, endpoint, scps, rcps, given)| {
                Scenario {
                    caller,
                    identity,
                    boundary,
                    session,
                    resource,
                    endpoint,
                    scps,
                    rcps,
                    given,
                }
            },
        )
}

fn policy(name: &str, ty: PolicyType, statements: &[Stmt], role_like: bool) -> CompiledPolicy {
    let body: Vec<String> = statements.iter().map(|s| s.json(role_like)).collect();
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        body.join(",")
    );
    let doc = PolicyDocument::parse(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    CompiledPolicy::compile(name, ty, Arc::new(doc))
}

fn role_like(caller: &str) -> bool {
    caller == ROLE_APP || caller == S1
}

fn build(s: &Scenario) -> PolicySet {
    let rl = role_like(CALLERS[s.caller]);
    let mut set = PolicySet::new().with_identity(vec![policy(
        "identity",
        PolicyType::Identity,
        &s.identity,
        rl,
    )]);
    if let Some(b) = &s.boundary {
        set = set.with_boundary(vec![policy("boundary", PolicyType::Boundary, b, rl)]);
    }
    if let Some(x) = &s.session {
        set = set.with_session(vec![policy("session", PolicyType::Session, x, rl)]);
    }
    if let Some(r) = &s.resource {
        set = set.with_resource(policy("bucket", PolicyType::Resource, r, rl));
    }
    if let Some(e) = &s.endpoint {
        set = set.with_endpoint(vec![policy("vpce", PolicyType::Endpoint, e, rl)]);
    }
    for (i, level) in s.scps.iter().enumerate() {
        set = set.with_scp_level(
            format!("scp-level-{i}"),
            vec![policy(&format!("scp{i}"), PolicyType::Scp, level, rl)],
        );
    }
    for (i, level) in s.rcps.iter().enumerate() {
        set = set.with_rcp_level(
            format!("rcp-level-{i}"),
            vec![policy(&format!("rcp{i}"), PolicyType::Rcp, level, rl)],
        );
    }
    set
}

fn request(principal: &str, ctx: Context) -> Request {
    let mut req = Request::new(
        Principal::parse(principal).unwrap(),
        "s3:GetObject",
        RequestResource::parse("arn:aws:s3:::b/k"),
        ctx,
    )
    .unwrap();
    req.resource_account = Some(A.to_string());
    req
}

fn base_context(s: &Scenario) -> Context {
    let mut ctx = Context::new();
    for &(k, v) in &s.given {
        let key = KEYS[k];
        let c = candidates(key);
        set_value(&mut ctx, key, &c[v % c.len()]);
    }
    ctx
}

/// Check the formula against the strict decision for every combination of candidate values
/// of the unknown keys (at most `limit` combinations, spread over the whole product). Keys
/// whose presence is known keep it: a present one takes only present values.
fn check(
    set: &PolicySet,
    s: &Scenario,
    d: &Discovery,
    vary: &[&str],
    sessions: &[Option<&str>],
    limit: usize,
) -> Result<(), TestCaseError> {
    check_with(set, s, d, vary, &[], sessions, limit)
}

fn check_with(
    set: &PolicySet,
    s: &Scenario,
    d: &Discovery,
    vary: &[&str],
    presence_known: &[&str],
    sessions: &[Option<&str>],
    limit: usize,
) -> Result<(), TestCaseError> {
    let opts = EvaluationOptions::default();
    let caller = CALLERS[s.caller];
    let base = base_context(s);
    let lists: Vec<Vec<Option<Vec<&str>>>> = vary
        .iter()
        .map(|k| {
            let all = candidates(k);
            if presence_known.contains(k) {
                let present = base.get(k).is_some();
                all.into_iter()
                    .filter(|v| match v {
                        None => !present,
                        Some(list) => present && !(list.is_empty() && *k == "aws:TagKeys"),
                    })
                    .collect()
            } else {
                all
            }
        })
        .collect();
    let total: usize = lists.iter().map(Vec::len).product::<usize>() * sessions.len();
    let step = total.div_ceil(limit).max(1);
    let mut n = 0;
    while n < total {
        let mut rest = n;
        let mut ctx = base_context(s);
        for (key, list) in vary.iter().zip(&lists) {
            set_value(&mut ctx, key, &list[rest % list.len()]);
            rest /= list.len();
        }
        let session = sessions[rest % sessions.len()];
        let principal = match session {
            Some(name) => format!("arn:aws:sts::111122223333:assumed-role/App/{name}"),
            None => caller.to_string(),
        };
        let strict = set.decide(&request(&principal, ctx.clone()), &opts) == Decision::Allowed;
        let formula = d.allowed_when.holds(&ctx, session);
        prop_assert_eq!(
            strict,
            formula,
            "strict and the formula disagree for {} with context {:?}\nformula: {}",
            principal,
            ctx.iter()
                .map(|v| format!("{}={:?}", v.key, v.values))
                .collect::<Vec<_>>(),
            d.allowed_when
        );
        n += step;
    }
    Ok(())
}

/// The keys any generated condition consults (including the variable in one value).
fn consulted(s: &Scenario) -> Vec<&'static str> {
    let mut keys: Vec<&str> = Vec::new();
    let all = s
        .identity
        .iter()
        .chain(s.boundary.iter().flatten())
        .chain(s.session.iter().flatten())
        .chain(s.resource.iter().flatten())
        .chain(s.endpoint.iter().flatten())
        .chain(s.scps.iter().flatten())
        .chain(s.rcps.iter().flatten());
    for st in all {
        for &c in &st.conditions {
            let (_, key, values) = CONDITIONS[c];
            for k in [
                Some(key),
                values
                    .contains("${aws:SourceVpc}")
                    .then_some("aws:SourceVpc"),
            ]
            .into_iter()
            .flatten()
            {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
    }
    keys
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Missing keys are unknown; given keys are evaluated; a role caller's session name is
    /// unknown.
    #[test]
    fn formula_over_missing_keys_agrees_with_strict_decisions(s in scenario()) {
        let set = build(&s);
        let caller = CALLERS[s.caller];
        let base = base_context(&s);
        let req = request(caller, base.clone());
        let d = set.discover(&req, &EvaluationOptions::default(), &Unknowns::missing_keys());
        let vary: Vec<&str> = consulted(&s).into_iter().filter(|k| base.get(k).is_none()).collect();
        let sessions: Vec<Option<&str>> = if caller == ROLE_APP {
            vec![Some("s1"), Some("s2"), Some("s3")]
        } else {
            vec![None]
        };
        check(&set, &s, &d, &vary, &sessions, 1500)?;
        let nothing_unknown = d.statements.iter().all(|st| st.conditions.is_true() && st.session_names.is_empty());
        if nothing_unknown && caller != ROLE_APP {
            let e = set.evaluate(&req, &EvaluationOptions::default());
            prop_assert_eq!(d.decision, e.decision);
            prop_assert_eq!(&d.blocked_by, &e.blocked_by);
        }
        if d.decision != Decision::Allowed {
            prop_assert!(d.allowed_when.is_false());
        }
    }

    /// Every key is unknown, even the given ones, and so is a role session's name.
    #[test]
    fn formula_over_every_key_agrees_with_strict_decisions(s in scenario()) {
        let set = build(&s);
        let caller = CALLERS[s.caller];
        let req = request(caller, base_context(&s));
        let d = set.discover(&req, &EvaluationOptions::default(), &Unknowns::every_key());
        let vary = consulted(&s);
        let sessions: Vec<Option<&str>> = if role_like(caller) {
            vec![Some("s1"), Some("s2"), Some("s3")]
        } else {
            vec![None]
        };
        check(&set, &s, &d, &vary, &sessions, 1500)?;
    }

    /// Every key is unknown except: aws:SourceVpc and aws:TagKeys have a known presence (Null
    /// is evaluated, other conditions on a present key become terms), aws:SourceIp is known.
    #[test]
    fn formula_with_presence_known_keys_agrees_with_strict_decisions(s in scenario()) {
        let set = build(&s);
        let caller = CALLERS[s.caller];
        let req = request(caller, base_context(&s));
        let unknowns = Unknowns::every_key()
            .with_key("aws:Source?pc", iamwhy_engine::KeyKnowledge::PresenceOnly)
            .with_key("aws:tagkeys", iamwhy_engine::KeyKnowledge::PresenceOnly)
            .with_key("AWS:SourceIp", iamwhy_engine::KeyKnowledge::Known)
            .with_session_name_known(true);
        let d = set.discover(&req, &EvaluationOptions::default(), &unknowns);
        let vary: Vec<&str> = consulted(&s).into_iter().filter(|k| *k != "aws:SourceIp").collect();
        check_with(&set, &s, &d, &vary, &["aws:SourceVpc", "aws:TagKeys"], &[None], 1500)?;
    }
}
