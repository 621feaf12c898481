//! Access assertions for CI (`iamwhy test`): a YAML or JSON file of expectations about a
//! world, each checked through the same preparation and engine as `check` and `who-can`.
//!
//! ```yaml
//! tests:
//!   - name: the backend reads orders through the endpoint
//!     principal: arn:aws:iam::222222222222:role/app/app-backend
//!     action: s3:GetObject
//!     resource: arn:aws:s3:::prod-app-customer-data/orders/1.json
//!     context: {aws:SourceVpce: vpce-0a1b2c3d4e5f60718}
//!     expect: allowed            # allowed | denied | explicitDeny | implicitDeny
//!   - name: nobody outside the organization reads customer data
//!     who-can:
//!       action: s3:GetObject
//!       resource: arn:aws:s3:::prod-app-customer-data/orders/1.json
//!       expect: {nobody-outside-org: true}   # and/or only: [ARN, ...]
//! ```
//!
//! The file is either that mapping or the bare list.

use crate::Analyzer;
use crate::who_can::WhoCanQuery;
use iamwhy_diagnostic::{Diagnostic, Position};
use iamwhy_engine::{Decision, EvaluationOptions};
use iamwhy_world::Question;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A decision a test expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Expect {
    /// Allowed.
    #[serde(rename = "allowed")]
    Allowed,
    /// Explicitly or implicitly denied.
    #[serde(rename = "denied")]
    Denied,
    /// Denied by an applicable Deny.
    #[serde(rename = "explicitDeny")]
    ExplicitDeny,
    /// Denied because nothing allows.
    #[serde(rename = "implicitDeny")]
    ImplicitDeny,
}

impl Expect {
    /// Whether the decision meets it.
    pub fn holds(self, d: Decision) -> bool {
        match self {
            Expect::Allowed => d == Decision::Allowed,
            Expect::Denied => d != Decision::Allowed,
            Expect::ExplicitDeny => d == Decision::ExplicitDeny,
            Expect::ImplicitDeny => d == Decision::ImplicitDeny,
        }
    }
}

/// A context value: one string or a list.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ContextValue {
    /// One value.
    One(String),
    /// Several (a multivalued key).
    Many(Vec<String>),
}

/// What a who-can assertion expects.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WhoCanExpect {
    /// Exactly these principals of the world may make the request.
    pub only: Option<Vec<String>>,
    /// No principal outside the organization may make it.
    pub nobody_outside_org: Option<bool>,
}

/// A who-can assertion.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhoCanCase {
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// Context keys every candidate's request carries.
    #[serde(default)]
    pub context: BTreeMap<String, ContextValue>,
    /// The expectation.
    pub expect: WhoCanExpect,
}

/// One test.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Case {
    /// Its name (defaults to a description of the request).
    pub name: Option<String>,
    /// An access assertion: who asks.
    pub principal: Option<String>,
    /// The action.
    pub action: Option<String>,
    /// The resource (`*` when absent).
    pub resource: Option<String>,
    /// Context keys.
    #[serde(default)]
    pub context: BTreeMap<String, ContextValue>,
    /// The expected decision.
    pub expect: Option<Expect>,
    /// A who-can assertion instead.
    pub who_can: Option<WhoCanCase>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FileShape {
    Wrapped { tests: Vec<Case> },
    List(Vec<Case>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wrapped {
    tests: Vec<Case>,
}

/// A deciding statement, located in the world's files when possible.
#[derive(Debug, Clone, Serialize)]
pub struct Located {
    /// `policy / Sid (layer)`.
    pub statement: String,
    /// The file and JSON path the policy came from.
    pub source: Option<String>,
    /// File, line and column in the world directory, when found.
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<u32>,
    /// 1-based column.
    pub column: Option<u32>,
    /// The statement's position in its policy document.
    pub in_document: Position,
}

/// The outcome of one test.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// The test file.
    pub file: String,
    /// 1-based number in the file.
    pub number: usize,
    /// Its name.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// What was expected.
    pub expected: String,
    /// What the world says.
    pub actual: String,
    /// Why, for a failure: lines of explanation.
    pub explanation: Vec<String>,
    /// The statements that decided (for an access assertion).
    pub deciding: Vec<Located>,
    /// Seconds it took.
    pub seconds: f64,
}

/// Parse a test file (YAML, or JSON when the name ends in `.json`).
pub fn parse(path: &str, text: &str) -> Result<Vec<Case>, Diagnostic> {
    let located = |code: &'static str, msg: String, line: usize, column: usize| {
        let mut d = Diagnostic::error(code, msg).in_file(path);
        if line > 0 {
            d = d.at_position(Position {
                line: line as u32,
                column: column.max(1) as u32,
            });
        }
        d.with_help("docs/analyze.md, \"test\", describes the file: a list of tests (principal, action, resource, context, expect) or who-can assertions")
    };
    let cases = if path.ends_with(".json") {
        let parsed = if text.trim_start().starts_with('[') {
            serde_json::from_str::<Vec<Case>>(text)
        } else {
            serde_json::from_str::<Wrapped>(text).map(|w| w.tests)
        };
        match parsed {
            Ok(tests) => tests,
            Err(e) => {
                return Err(located(
                    "test-file-invalid",
                    format!("the test file is not valid: {e}"),
                    e.line(),
                    e.column(),
                ));
            }
        }
    } else {
        let shape = if text.trim_start().starts_with('-') {
            serde_norway::from_str::<Vec<Case>>(text).map(FileShape::List)
        } else {
            serde_norway::from_str::<Wrapped>(text).map(|w| FileShape::Wrapped { tests: w.tests })
        };
        match shape {
            Ok(FileShape::Wrapped { tests }) | Ok(FileShape::List(tests)) => tests,
            Err(e) => {
                let (l, c) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
                return Err(located(
                    "test-file-invalid",
                    format!("the test file is not valid: {e}"),
                    l,
                    c,
                ));
            }
        }
    };
    for (i, c) in cases.iter().enumerate() {
        let what = |m: &str| {
            Diagnostic::error(
                "test-case-invalid",
                format!("test #{} ({}): {m}", i + 1, c.name.as_deref().unwrap_or("unnamed")),
            )
            .in_file(path)
            .with_help("an access assertion has principal, action, expect (and resource, context); a who-can assertion has who-can: {action, resource, expect: {only: [...]} or {nobody-outside-org: true}}")
        };
        match (&c.who_can, &c.principal, &c.action, &c.expect) {
            (Some(w), None, None, None) => {
                if w.expect.only.is_none() && w.expect.nobody_outside_org.is_none() {
                    return Err(what(
                        "who-can expect needs only: [...] or nobody-outside-org: true",
                    ));
                }
            }
            (Some(_), ..) => {
                return Err(what(
                    "a test is either an access assertion or a who-can assertion, not both",
                ));
            }
            (None, Some(_), Some(_), Some(_)) => {}
            (None, None, ..) => return Err(what("missing principal")),
            (None, _, None, _) => return Err(what("missing action")),
            (None, _, _, None) => return Err(what("missing expect")),
        }
    }
    Ok(cases)
}

fn context_pairs(ctx: &BTreeMap<String, ContextValue>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in ctx {
        match v {
            ContextValue::One(s) => out.push((k.clone(), s.clone())),
            ContextValue::Many(vs) => out.extend(vs.iter().map(|s| (k.clone(), s.clone()))),
        }
    }
    out
}

fn locate(world_dir: Option<&Path>, m: &iamwhy_engine::MatchedStatement) -> Located {
    let pos = match (world_dir, m.source.as_deref()) {
        (Some(dir), Some(source)) => iamwhy_world::position::statement_position(
            source,
            m.file_span.as_ref(),
            m.start,
            &|f, span| iamwhy_world::position::read_world_file(dir, f, span),
        ),
        _ => None,
    };
    Located {
        statement: format!("{} / {} ({})", m.policy, m.label(), m.layer.short()),
        source: m.source.clone(),
        file: pos
            .as_ref()
            .map(|p| world_dir.map_or(p.file.clone(), |d| d.join(&p.file).display().to_string())),
        line: pos.as_ref().map(|p| p.line),
        column: pos.as_ref().map(|p| p.column),
        in_document: m.start,
    }
}

/// Run the tests of one file against the analyzer's world. `world_dir` locates deciding
/// statements in the world's files.
pub fn run(
    analyzer: &Analyzer<'_>,
    file: &str,
    cases: &[Case],
    world_dir: Option<&Path>,
) -> Result<Vec<CaseResult>, Diagnostic> {
    let mut out = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let started = std::time::Instant::now();
        let mut r = match &c.who_can {
            Some(w) => who_can_case(analyzer, w)?,
            None => access_case(analyzer, c, world_dir)?,
        };
        r.file = file.to_string();
        r.number = i + 1;
        r.name = c.name.clone().unwrap_or_else(|| match &c.who_can {
            Some(w) => format!("who-can {} on {}", w.action, w.resource),
            None => format!(
                "{} {} on {}",
                c.principal.as_deref().unwrap_or(""),
                c.action.as_deref().unwrap_or(""),
                c.resource.as_deref().unwrap_or("*")
            ),
        });
        r.seconds = started.elapsed().as_secs_f64();
        out.push(r);
    }
    Ok(out)
}

fn blank() -> CaseResult {
    CaseResult {
        file: String::new(),
        number: 0,
        name: String::new(),
        passed: false,
        expected: String::new(),
        actual: String::new(),
        explanation: Vec::new(),
        deciding: Vec::new(),
        seconds: 0.0,
    }
}

fn access_case(
    analyzer: &Analyzer<'_>,
    c: &Case,
    world_dir: Option<&Path>,
) -> Result<CaseResult, Diagnostic> {
    let expect = c.expect.expect("checked by parse");
    let question = Question {
        principal: c.principal.clone().unwrap_or_default(),
        action: c.action.clone().unwrap_or_default(),
        resource: c.resource.clone().unwrap_or_else(|| "*".into()),
        context: context_pairs(&c.context),
        ..Question::default()
    };
    let prepared = analyzer.world.prepare(&question)?;
    let e = prepared
        .set
        .evaluate(&prepared.request, &EvaluationOptions::default());
    let passed = expect.holds(e.decision);
    let mut r = blank();
    r.passed = passed;
    r.expected = serde_json::to_value(expect)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    r.actual = e.decision.simulator_name().to_string();
    r.deciding = e.deciding.iter().map(|m| locate(world_dir, m)).collect();
    if !passed {
        r.explanation.push(e.reason.summary.clone());
        for d in &r.deciding {
            let at = match (&d.file, d.line, d.column) {
                (Some(f), Some(l), Some(col)) => format!("{f}:{l}:{col}"),
                _ => d.source.clone().unwrap_or_else(|| "(no file)".into()),
            };
            r.explanation
                .push(format!("deciding statement: {} at {at}", d.statement));
        }
        for m in &e.missing_context_keys {
            r.explanation.push(format!(
                "the request lacks {} (give it under context:)",
                m.key
            ));
        }
    }
    Ok(r)
}

fn who_can_case(analyzer: &Analyzer<'_>, w: &WhoCanCase) -> Result<CaseResult, Diagnostic> {
    let q = WhoCanQuery {
        action: w.action.clone(),
        resource: w.resource.clone(),
        template: Question {
            context: context_pairs(&w.context),
            ..Question::default()
        },
        ..WhoCanQuery::default()
    };
    let answer = analyzer.who_can(&q)?;
    let mut r = blank();
    r.passed = true;
    let allowed: BTreeSet<String> = answer
        .principals
        .iter()
        .map(|g| g.principal.clone())
        .collect();
    let mut expected = Vec::new();
    let mut actual = Vec::new();
    if let Some(only) = &w.expect.only {
        let want: BTreeSet<String> = only.iter().cloned().collect();
        expected.push(format!("only [{}]", only.join(", ")));
        actual.push(format!(
            "[{}]",
            allowed.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
        for extra in allowed.difference(&want) {
            r.passed = false;
            let g = answer.principals.iter().find(|g| &g.principal == extra);
            let by = g
                .map(|g| {
                    g.grant
                        .granting
                        .iter()
                        .map(crate::answer::statement_label)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            r.explanation.push(format!(
                "{extra} may also make the request (granted by {by})"
            ));
        }
        for missing in want.difference(&allowed) {
            r.passed = false;
            r.explanation
                .push(format!("{missing} may not make the request"));
        }
    }
    if w.expect.nobody_outside_org == Some(true) {
        expected.push("nobody outside the organization".into());
        if answer.nobody_outside_organization {
            actual.push("nobody outside the organization".into());
        } else {
            r.passed = false;
            actual.push("principals outside the organization may".into());
            for c in answer.classes.iter().filter(|c| c.allowed) {
                r.explanation
                    .push(format!("{} may make the request", c.class.describe()));
            }
        }
    }
    r.expected = expected.join("; ");
    r.actual = actual.join("; ");
    Ok(r)
}

/// The results as JUnit XML: one test suite per file.
pub fn junit(results: &[CaseResult]) -> Result<String, Diagnostic> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("iamwhy test");
    let mut suites: BTreeMap<&str, Vec<&CaseResult>> = BTreeMap::new();
    for r in results {
        suites.entry(r.file.as_str()).or_default().push(r);
    }
    for (file, rs) in suites {
        let mut suite = TestSuite::new(file);
        for r in rs {
            let status = if r.passed {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!("expected {}, got {}", r.expected, r.actual));
                s.set_description(r.explanation.join("\n"));
                s
            };
            let mut case = TestCase::new(r.name.clone(), status);
            case.set_classname(file.to_string());
            case.set_time(std::time::Duration::from_secs_f64(r.seconds));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report.to_string().map_err(|e| {
        Diagnostic::error("junit-write-failed", format!("cannot write JUnit XML: {e}"))
    })
}
