//! A lint run over many policies, and its two machine formats: Access Analyzer's finding shape
//! (`findingType`, `issueCode`, `findingDetails`, `learnMoreLink`, `locations` with a path
//! and a span whose line counts from 1 and column from 0) and SARIF 2.1.0 for code scanning.
//!
//! Every location is in the file on disk. For a policy embedded in its file as an escaped
//! JSON string or URL-encoded text, the span is where the encoded characters are in the file,
//! and `documentSpan` gives the same place in the decoded document, with `embedding` saying
//! which encoding it was.

use crate::config::Config;
use crate::finding::{Finding, PathElement};
use crate::linter::{Linter, PolicyContext};
use crate::rules::{FindingType, RULES, Rule};
use crate::source::{Embedding, PolicySource};
use iamwhy_diagnostic::{LineIndex, Position, Span};
use jsonc_parser::ast::Value;
use serde_json::{Value as Json, json};
use std::collections::BTreeSet;

/// The findings of one policy.
#[derive(Debug, Clone)]
pub struct PolicyReport {
    /// The policy.
    pub source: PolicySource,
    /// Its findings, suppressed ones removed, in document order.
    pub findings: Vec<Finding>,
    /// How many findings the configuration suppressed.
    pub suppressed: usize,
}

/// The result of linting a set of policies.
#[derive(Debug, Clone, Default)]
pub struct LintRun {
    /// One report per policy, in input order.
    pub policies: Vec<PolicyReport>,
    /// Inputs that could not be read (exit code 2).
    pub errors: Vec<iamwhy_diagnostic::Diagnostic>,
}

/// A finding with every position worked out.
#[derive(Debug, Clone)]
pub struct LocatedFinding<'r> {
    /// The finding.
    pub finding: &'r Finding,
    /// Its policy.
    pub source: &'r PolicySource,
    /// Its span in the file.
    pub file_span: Span,
    /// Start and end (exclusive) in the file: line from 1, column from 1 in characters.
    pub file_range: (Position, Position),
    /// Start and end in the decoded document, when the policy is encoded in its file.
    pub document_range: Option<(Position, Position)>,
    /// The path of the spanned element in the document.
    pub path: Vec<PathElement>,
    /// The Sid of the finding's statement.
    pub sid: Option<String>,
}

impl Linter {
    /// Lint one policy source (positions of the findings relative to its decoded text).
    pub fn lint_source(
        &self,
        source: &PolicySource,
        known_accounts: Option<&BTreeSet<String>>,
    ) -> Vec<Finding> {
        self.lint_text(
            &source.text,
            PolicyContext {
                policy_type: source.policy_type,
                resource_type: source.resource_type,
                known_accounts,
            },
        )
    }

    /// Lint every source, applying the configuration's ignores and suppressions.
    pub fn run(
        &self,
        sources: Vec<PolicySource>,
        config: &Config,
        known_accounts: Option<&BTreeSet<String>>,
    ) -> LintRun {
        let mut run = LintRun::default();
        for source in sources {
            let findings = self.lint_source(&source, known_accounts);
            let sids = statement_sids(&source.text);
            let before = findings.len();
            let findings: Vec<Finding> = findings
                .into_iter()
                .filter(|f| {
                    let sid = f.statement.and_then(|i| sids.get(i).cloned().flatten());
                    !config.suppresses(&source, f, sid.as_deref())
                })
                .collect();
            run.policies.push(PolicyReport {
                suppressed: before - findings.len(),
                source,
                findings,
            });
        }
        run
    }
}

/// The Sid of every statement of a document (`None` where it has none), by index.
fn statement_sids(text: &str) -> Vec<Option<String>> {
    match iamwhy_policy::PolicyDocument::parse(text) {
        Ok(doc) => doc
            .statements()
            .iter()
            .map(|s| s.sid.as_ref().map(|x| x.value.clone()))
            .collect(),
        Err(_) => Vec::new(),
    }
}

impl LintRun {
    /// Every finding with its positions, in input order.
    pub fn located(&self) -> Vec<LocatedFinding<'_>> {
        let mut out = Vec::new();
        for p in &self.policies {
            if p.findings.is_empty() {
                continue;
            }
            let doc_lines = LineIndex::new(&p.source.text);
            let tree = jsonc_parser::parse_to_ast(
                &p.source.text,
                &Default::default(),
                &iamwhy_policy::parse::strict_json_options(),
            )
            .ok()
            .and_then(|r| r.value);
            let sids = statement_sids(&p.source.text);
            for f in &p.findings {
                let file_span = p.source.file_span(f.span);
                let file_range = (
                    p.source.file.position(file_span.start),
                    p.source.file.position(file_span.end),
                );
                let document_range = p.source.embedding.is_encoded().then(|| {
                    (
                        doc_lines.position(&p.source.text, f.span.start as usize),
                        doc_lines.position(&p.source.text, f.span.end as usize),
                    )
                });
                let path = tree
                    .as_ref()
                    .map(|t| json_path(t, f.span))
                    .unwrap_or_default();
                out.push(LocatedFinding {
                    finding: f,
                    source: &p.source,
                    file_span,
                    file_range,
                    document_range,
                    path,
                    sid: f.statement.and_then(|i| sids.get(i).cloned().flatten()),
                });
            }
        }
        out
    }

    /// Number of findings of each type (suppressed ones excluded).
    pub fn counts(&self) -> [usize; 4] {
        let mut c = [0; 4];
        for p in &self.policies {
            for f in &p.findings {
                c[f.rule.finding_type as usize] += 1;
            }
        }
        c
    }

    /// Whether a finding at or above `threshold` exists.
    pub fn fails(&self, threshold: FindingType) -> bool {
        self.policies
            .iter()
            .flat_map(|p| &p.findings)
            .any(|f| f.rule.finding_type.at_least(threshold))
    }

    /// The report in Access Analyzer's finding shape.
    pub fn to_json(&self) -> Json {
        let findings: Vec<Json> = self.located().iter().map(finding_json).collect();
        json!({
            "findings": findings,
            "errors": self.errors.iter().map(|e| json!({
                "code": e.code,
                "path": e.file,
                "line": e.position().map(|p| p.line),
                "column": e.position().map(|p| p.column - 1),
                "message": e.message,
            })).collect::<Vec<_>>(),
            "suppressed": self.policies.iter().map(|p| p.suppressed).sum::<usize>(),
        })
    }

    /// The report as a SARIF 2.1.0 log.
    pub fn to_sarif(&self) -> Json {
        let rules: Vec<Json> = RULES.iter().map(sarif_rule).collect();
        let results: Vec<Json> = self
            .located()
            .iter()
            .map(|l| {
                let rule_index = RULES
                    .iter()
                    .position(|r| r.code == l.finding.rule.code)
                    .unwrap_or(0);
                let mut text = l.finding.details.clone();
                if let Some(h) = &l.finding.help {
                    text.push_str(&format!(" Help: {h}"));
                }
                let (start, end) = l.file_range;
                let mut props = serde_json::Map::new();
                props.insert(
                    "findingType".into(),
                    json!(l.finding.rule.finding_type.as_str()),
                );
                if let Some(p) = &l.source.json_path {
                    props.insert("policyPath".into(), json!(p));
                }
                if let Some((ds, de)) = l.document_range {
                    props.insert("embedding".into(), json!(l.source.embedding));
                    props.insert(
                        "documentRegion".into(),
                        json!({
                            "startLine": ds.line, "startColumn": ds.column,
                            "endLine": de.line, "endColumn": de.column,
                        }),
                    );
                }
                json!({
                    "ruleId": l.finding.rule.code,
                    "ruleIndex": rule_index,
                    "level": sarif_level(l.finding.rule),
                    "message": {"text": text},
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri(&l.source.file.path)},
                            "region": {
                                "startLine": start.line,
                                "startColumn": start.column,
                                "endLine": end.line,
                                "endColumn": end.column,
                                "byteOffset": l.file_span.start,
                                "byteLength": l.file_span.end - l.file_span.start,
                            }
                        }
                    }],
                    "properties": Json::Object(props),
                })
            })
            .collect();
        json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "iamwhy",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": crate::rules::DOCS_URL,
                    "rules": rules,
                }},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }]
        })
    }
}

fn sarif_level(rule: &Rule) -> &'static str {
    match rule.finding_type {
        FindingType::Error => "error",
        FindingType::SecurityWarning | FindingType::Warning => "warning",
        FindingType::Suggestion => "note",
    }
}

fn sarif_rule(rule: &Rule) -> Json {
    let mut props = serde_json::Map::new();
    let mut tags = vec![json!("iam"), json!(rule.finding_type.as_str())];
    if rule.finding_type == FindingType::SecurityWarning {
        tags.push(json!("security"));
        // GitHub code scanning ranks security results by this score (0.1-10).
        props.insert("security-severity".into(), json!("7.5"));
    }
    props.insert("tags".into(), Json::Array(tags));
    if let Some(aws) = rule.aws_url() {
        props.insert("accessAnalyzerReference".into(), json!(aws));
    }
    json!({
        "id": rule.code,
        "name": pascal(rule.code),
        "shortDescription": {"text": rule.title},
        "helpUri": rule.docs_url(),
        "help": {"text": format!("{}: {}. See {}", rule.code, rule.title, rule.docs_url())},
        "defaultConfiguration": {"level": sarif_level(rule)},
        "properties": Json::Object(props),
    })
}

/// `INVALID_ACTION` → `InvalidAction` (SARIF's `name` is an identifier).
fn pascal(code: &str) -> String {
    code.split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_string() + &c.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect()
}

/// A relative URI reference for a file path: `/` separators, and the characters a URI cannot
/// hold percent-encoded.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn span_json(start: Position, end: Position, start_offset: u32, end_offset: u32) -> Json {
    json!({
        "start": {"line": start.line, "column": start.column - 1, "offset": start_offset},
        "end": {"line": end.line, "column": end.column - 1, "offset": end_offset},
    })
}

fn finding_json(l: &LocatedFinding<'_>) -> Json {
    let f = l.finding;
    let (fs, fe) = l.file_range;
    let mut location = serde_json::Map::new();
    location.insert(
        "path".into(),
        serde_json::to_value(&l.path).unwrap_or(Json::Null),
    );
    location.insert(
        "span".into(),
        span_json(fs, fe, l.file_span.start, l.file_span.end),
    );
    if let Some((ds, de)) = l.document_range {
        location.insert(
            "documentSpan".into(),
            span_json(ds, de, f.span.start, f.span.end),
        );
    }
    let mut out = serde_json::Map::new();
    out.insert("findingType".into(), json!(f.rule.finding_type.as_str()));
    out.insert("issueCode".into(), json!(f.rule.code));
    out.insert("findingDetails".into(), json!(f.details));
    out.insert("learnMoreLink".into(), json!(f.rule.docs_url()));
    if let Some(aws) = f.rule.aws_url() {
        out.insert("accessAnalyzerLink".into(), json!(aws));
    }
    if let Some(h) = &f.help {
        out.insert("help".into(), json!(h));
    }
    out.insert("file".into(), json!(l.source.file.path));
    let mut policy = serde_json::Map::new();
    policy.insert("type".into(), json!(l.source.policy_type.as_str()));
    policy.insert("embedding".into(), json!(l.source.embedding));
    if let Some(p) = &l.source.json_path {
        policy.insert("jsonPath".into(), json!(p));
    }
    if let Some(n) = &l.source.name {
        policy.insert("name".into(), json!(n));
    }
    out.insert("policy".into(), Json::Object(policy));
    if let Some(i) = f.statement {
        out.insert("statement".into(), json!({"index": i, "sid": l.sid}));
    }
    out.insert("locations".into(), json!([Json::Object(location)]));
    Json::Object(out)
}

/// The path of the innermost element whose text contains `span`, as Access Analyzer writes
/// paths (`Statement`, `0`, `Action`, `1`).
pub fn json_path(root: &Value, span: Span) -> Vec<PathElement> {
    use jsonc_parser::common::Ranged;
    let mut out = Vec::new();
    let mut node = root;
    let inside =
        |r: jsonc_parser::common::Range| r.start as u32 <= span.start && span.end <= r.end as u32;
    loop {
        match node {
            Value::Object(o) => {
                let Some(p) = o.properties.iter().find(|p| inside(p.range)) else {
                    break;
                };
                out.push(PathElement::Value(p.name.as_str().to_string()));
                if !inside(p.value.range()) {
                    break;
                }
                node = &p.value;
            }
            Value::Array(a) => {
                let Some((i, v)) = a
                    .elements
                    .iter()
                    .enumerate()
                    .find(|(_, v)| inside(v.range()))
                else {
                    break;
                };
                out.push(PathElement::Index(i));
                node = v;
            }
            _ => break,
        }
    }
    out
}

/// Embedding names as the JSON report writes them.
pub fn embedding_name(e: Embedding) -> &'static str {
    match e {
        Embedding::Json => "json",
        Embedding::JsonString => "json-string",
        Embedding::UrlEncoded => "url-encoded",
        Embedding::JsonStringUrlEncoded => "json-string-url-encoded",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal("INVALID_ACTION"), "InvalidAction");
        assert_eq!(uri("./a b/c.json"), "a%20b/c.json");
    }
}
