//! The `--output json` shapes of `iamwhy explain` (schema `iamwhy.explain/1`) and `iamwhy
//! check` (schema `iamwhy.check/1`), and the pipelines that produce them. The CLI prints
//! them and `iamwhy serve` answers with them: one set of types, not a rendering per front end.
//!
//! Struct fields are declared in alphabetical order so that the JSON keeps the key order it
//! had when the CLI built it as a map.

use crate::guide::{Guide, guide};
use crate::{Batch, DiagnoseOptions, Diagnosis, FixReport, Group, WorldIndex, diagnose, suggest};
use iamwhy_diagnostic::Diagnostic;
use iamwhy_engine::discovery::Discovery;
use iamwhy_engine::{Decision, Evaluation, EvaluationOptions, Unknowns};
use iamwhy_evidence::input::{InputKind, ReadOptions, Reader, Source, Summary};
use iamwhy_evidence::observed::{Observed, Origin, ParsedMessage};
use iamwhy_world::{ContextReport, Question};
use serde::Serialize;

/// The schema name of `iamwhy explain --output json`.
pub const EXPLAIN_SCHEMA: &str = "iamwhy.explain/1";
/// The schema name of `iamwhy check --output json`.
pub const CHECK_SCHEMA: &str = "iamwhy.check/1";

/// One request (an error message, a decoded message or a single CloudTrail event) explained
/// in full.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainedRequest {
    /// The simulation in the world, when one was given.
    pub diagnosis: Option<Diagnosis>,
    /// What the evidence proves and where to look, when there is no world or it cannot
    /// simulate the whole request.
    pub guide: Option<Guide>,
    /// The kind of input.
    pub input: InputKind,
    /// The request as read from the evidence.
    pub observed: Observed,
    /// The error message as parsed, when the evidence was one.
    pub parsed: Option<ParsedMessage>,
    /// Always [`EXPLAIN_SCHEMA`].
    pub schema: &'static str,
}

/// Several CloudTrail events, grouped by cause.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainedBatch {
    /// Events explained (denied ones, or all with `--all`).
    pub denied: usize,
    /// Events skipped because an earlier one had the same `eventID`.
    pub duplicates: usize,
    /// The groups, the most frequent first.
    pub groups: Vec<Group>,
    /// The kind of input.
    pub input: Option<InputKind>,
    /// Records read.
    pub records: usize,
    /// Always [`EXPLAIN_SCHEMA`].
    pub schema: &'static str,
}

/// One item of an explanation.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ExplainItem {
    /// A request explained in full.
    Request(Box<ExplainedRequest>),
    /// CloudTrail events grouped.
    Batch(ExplainedBatch),
}

/// Several items (several messages, or messages and CloudTrail events).
#[derive(Debug, Clone, Serialize)]
pub struct ExplainedMany {
    /// The kind of the first input.
    pub input: InputKind,
    /// The items, messages first.
    pub items: Vec<ExplainItem>,
    /// Always [`EXPLAIN_SCHEMA`].
    pub schema: &'static str,
}

/// Nothing to explain: no request was denied.
#[derive(Debug, Clone, Serialize)]
pub struct NothingDenied {
    /// Events skipped because an earlier one had the same `eventID`.
    pub duplicates: usize,
    /// The kind of input.
    pub input: InputKind,
    /// Always empty.
    pub items: Vec<ExplainItem>,
    /// Records read.
    pub records: usize,
    /// Always [`EXPLAIN_SCHEMA`].
    pub schema: &'static str,
}

/// What `iamwhy explain --output json` prints.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ExplainReport {
    /// Exactly one item.
    One(ExplainItem),
    /// Several items.
    Many(ExplainedMany),
    /// No request was denied.
    NothingDenied(NothingDenied),
}

/// An explanation before it is printed: the requests explained in full and the batch, if any.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// What was read.
    pub summary: Summary,
    /// The kind of the first input (CloudTrail when nothing was read).
    pub kind: InputKind,
    /// Requests explained in full, in input order.
    pub requests: Vec<ExplainedRequest>,
    /// CloudTrail events grouped (from two events on).
    pub batch: Option<ExplainedBatch>,
}

impl Explanation {
    /// Whether a request could not be simulated in the world (the CLI exits 2).
    pub fn failed(&self) -> bool {
        self.requests
            .iter()
            .any(|r| r.diagnosis.as_ref().is_some_and(|d| d.error.is_some()))
    }

    /// The report `--output json` prints.
    pub fn into_report(self) -> ExplainReport {
        let mut items: Vec<ExplainItem> = self
            .requests
            .into_iter()
            .map(|r| ExplainItem::Request(Box::new(r)))
            .collect();
        items.extend(self.batch.map(ExplainItem::Batch));
        match items.len() {
            0 => ExplainReport::NothingDenied(NothingDenied {
                duplicates: self.summary.duplicates,
                input: self.kind,
                items: Vec::new(),
                records: self.summary.records,
                schema: EXPLAIN_SCHEMA,
            }),
            1 => ExplainReport::One(items.pop().expect("one item")),
            _ => ExplainReport::Many(ExplainedMany {
                input: self.kind,
                items,
                schema: EXPLAIN_SCHEMA,
            }),
        }
    }
}

/// Read `sources` and explain what they hold: every message (and a single CloudTrail event)
/// in full, CloudTrail events from the second on grouped by cause. `fix_dir` is where each
/// fix's document will be written (named in its `apply:` command; the files are written by
/// the caller with [`FixReport::write_files`]). `progress` is called with the number of
/// events grouped so far, from the second event on.
pub fn explain_sources(
    index: Option<&WorldIndex<'_>>,
    sources: Vec<Source<'_>>,
    read: ReadOptions,
    opts: &DiagnoseOptions,
    fix_dir: Option<&str>,
    progress: &mut dyn FnMut(usize),
) -> Result<Explanation, Diagnostic> {
    enum Events<'i, 'w> {
        None,
        One(Box<Observed>),
        Batch(Box<Batch<'i, 'w>>, usize),
    }
    let mut reader = Reader::new(read);
    let mut others: Vec<Observed> = Vec::new();
    let mut events = Events::None;
    for source in sources {
        reader.read(source, &mut |o| {
            if !matches!(o.origin, Origin::CloudTrail { .. }) {
                others.push(o);
                return Ok(());
            }
            events = match std::mem::replace(&mut events, Events::None) {
                Events::None => Events::One(Box::new(o)),
                Events::One(first) => {
                    let mut b = Batch::new(index, opts.clone());
                    b.add(&first);
                    b.add(&o);
                    progress(2);
                    Events::Batch(Box::new(b), 2)
                }
                Events::Batch(mut b, n) => {
                    b.add(&o);
                    progress(n + 1);
                    Events::Batch(b, n + 1)
                }
            };
            Ok(())
        })?;
    }
    let summary = reader.summary().clone();
    let kind = summary.kind.unwrap_or(InputKind::CloudTrail);
    let batch = match events {
        Events::None => None,
        Events::One(o) => {
            others.push(*o);
            None
        }
        Events::Batch(b, _) => {
            let report = b.finish();
            Some(ExplainedBatch {
                denied: report.events,
                duplicates: summary.duplicates,
                groups: report.groups,
                input: summary.kind,
                records: summary.records,
                schema: EXPLAIN_SCHEMA,
            })
        }
    };
    let count = others.len();
    let requests = others
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            let stem = if count > 1 {
                format!("fix-m{}", i + 1)
            } else {
                "fix".to_string()
            };
            explain_one(index, kind, o, opts, fix_dir, &stem)
        })
        .collect();
    Ok(Explanation {
        summary,
        kind,
        requests,
        batch,
    })
}

/// One request explained in full; its fixes' files are named `<stem>-N.json` (with `-aJ`
/// after the stem when the request names several actions).
pub fn explain_one(
    index: Option<&WorldIndex<'_>>,
    kind: InputKind,
    o: Observed,
    opts: &DiagnoseOptions,
    fix_dir: Option<&str>,
    stem: &str,
) -> ExplainedRequest {
    let mut diagnosis = index.map(|i| diagnose(i, &o, opts));
    let needs_guide = diagnosis.as_ref().is_none_or(|d| d.partial.is_some());
    let guide = needs_guide.then(|| guide(&o));
    if let Some(d) = &mut diagnosis {
        let several = d.actions.len() > 1;
        for (j, a) in d.actions.iter_mut().enumerate() {
            let stem = if several {
                format!("{stem}-a{}", j + 1)
            } else {
                stem.to_string()
            };
            a.fixes.place_files(fix_dir, &stem);
        }
    }
    ExplainedRequest {
        diagnosis,
        guide,
        input: kind,
        parsed: o.message.clone(),
        observed: o,
        schema: EXPLAIN_SCHEMA,
    }
}

/// The request as the user asked it (before the world completed it).
#[derive(Debug, Clone, Serialize)]
pub struct CheckQuestion {
    /// The action.
    pub action: String,
    /// The principal.
    pub principal: String,
    /// The resource.
    pub resource: String,
}

/// What `iamwhy check --output json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Given and inferred context.
    pub context: ContextReport,
    /// The decision.
    pub decision: Decision,
    /// Discovery, when asked for.
    pub discovery: Option<Discovery>,
    /// The trace.
    pub evaluation: Evaluation,
    /// Whether the decision is the one `--expect` named (`None` without `--expect`).
    pub expectation_met: Option<bool>,
    /// Verified fixes.
    pub fixes: FixReport,
    /// What preparing the request assumed.
    pub notes: Vec<String>,
    /// The request as asked.
    pub question: CheckQuestion,
    /// Always [`CHECK_SCHEMA`].
    pub schema: &'static str,
}

/// How long each step of [`check`] took.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckTimings {
    /// Preparing the request from the world.
    pub prepared: std::time::Duration,
    /// Deciding.
    pub evaluated: std::time::Duration,
}

/// Simulate `question` in the world of `index` and explain it, as `iamwhy check` does:
/// prepare, evaluate, Discovery when `discover`, verified fixes (their files placed as
/// `fix_dir/fix-N.json` when `fix_dir` is given).
pub fn check(
    index: &WorldIndex<'_>,
    question: &Question,
    discover: bool,
    fix_dir: Option<&str>,
) -> Result<(CheckReport, CheckTimings), Diagnostic> {
    let started = std::time::Instant::now();
    let prepared = index.world.prepare(question)?;
    let prepared_in = started.elapsed();
    let started = std::time::Instant::now();
    let evaluation = prepared
        .set
        .evaluate(&prepared.request, &EvaluationOptions::default());
    let evaluated_in = started.elapsed();
    let discovery = discover.then(|| {
        prepared.set.discover(
            &prepared.request,
            &EvaluationOptions::default(),
            &Unknowns::missing_keys(),
        )
    });
    let mut fixes = suggest(index, question, &prepared, &evaluation);
    if fix_dir.is_some() {
        fixes.place_files(fix_dir, "fix");
    }
    Ok((
        CheckReport {
            context: prepared.context,
            decision: evaluation.decision,
            discovery,
            evaluation,
            expectation_met: None,
            fixes,
            notes: prepared.notes,
            question: CheckQuestion {
                action: question.action.clone(),
                principal: question.principal.clone(),
                resource: question.resource.clone(),
            },
            schema: CHECK_SCHEMA,
        },
        CheckTimings {
            prepared: prepared_in,
            evaluated: evaluated_in,
        },
    ))
}
