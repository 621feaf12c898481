//! Grammar checks per policy type (AWS: elements allowed per policy type; document shape; action syntax; short ARNs; condition block shape).
//!
//! [`validate`] takes a parsed document and the type it is used as, and returns every problem
//! found, errors first by position. Structural problems (bad JSON, duplicate keys, wrong types,
//! unknown elements, missing Effect/Action) are already rejected by the parser.

use crate::action::ActionPattern;
use crate::arn::ResourcePattern;
use crate::condition_operator::{BaseOperator, ConditionOperator, OperatorFamily};
use crate::document::*;
use crate::parse::ParseFailure;
use crate::policy_type::PolicyType;
use crate::template::malformed_variable;
use iamwhy_diagnostic::Span;
use iamwhy_diagnostic::{Diagnostic, Severity};
use std::collections::HashMap;

/// Parse `text` and validate it as `policy_type`: every diagnostic, in document order.
pub fn check(text: &str, policy_type: PolicyType) -> Vec<Diagnostic> {
    match PolicyDocument::parse(text) {
        Ok(doc) => validate(&doc, policy_type),
        Err(ParseFailure { diagnostics }) => diagnostics,
    }
}

/// Validate a parsed document as `policy_type`.
pub fn validate(doc: &PolicyDocument, policy_type: PolicyType) -> Vec<Diagnostic> {
    let mut v = Validator {
        doc,
        ty: policy_type,
        out: Vec::new(),
    };
    v.document();
    v.out.sort_by_key(|d| {
        (
            d.span().map_or(0, |s| s.start),
            d.severity != Severity::Error,
        )
    });
    v.out
}

struct Validator<'d> {
    doc: &'d PolicyDocument,
    ty: PolicyType,
    out: Vec<Diagnostic>,
}

impl Validator<'_> {
    fn push(&mut self, severity: Severity, code: &'static str, span: Span, message: String) {
        self.out.push(
            Diagnostic::new(code, severity, message)
                .at_located_span(self.doc.position(span.start), span)
                .with_source(self.doc.source.clone()),
        );
    }
    fn error(&mut self, code: &'static str, span: Span, message: String) {
        self.push(Severity::Error, code, span, message);
    }
    fn warn(&mut self, code: &'static str, span: Span, message: String) {
        self.push(Severity::Warning, code, span, message);
    }

    fn document(&mut self) {
        let ty = self.ty;
        let doc = self.doc;
        if matches!(ty, PolicyType::Scp | PolicyType::Rcp)
            && doc.version != PolicyVersion::V2012_10_17
        {
            self.error(
                "version-required",
                doc.version_span.unwrap_or(doc.span),
                format!(
                    "{} must declare \"Version\": \"2012-10-17\"",
                    capital(ty.describe())
                ),
            );
        }
        if let (Some(id), PolicyType::Identity | PolicyType::Boundary | PolicyType::Session) =
            (&doc.id, ty)
        {
            self.warn(
                "id-in-identity-policy",
                id.span,
                format!(
                    "the Id element is meant for resource-based policies, not {}",
                    ty.describe()
                ),
            );
        }
        if doc.statements().is_empty() {
            self.warn(
                "no-statements",
                doc.statement_span,
                "the policy has no statements, so it allows and denies nothing".to_string(),
            );
        }
        let mut sids: HashMap<&str, Span> = HashMap::new();
        for stmt in doc.statements() {
            if let Some(sid) = &stmt.sid
                && !sid.value.is_empty()
                && sids.insert(sid.value.as_str(), sid.span).is_some()
            {
                self.error(
                    "duplicate-sid",
                    sid.span,
                    format!("Sid \"{}\" is used by more than one statement", sid.value),
                );
            }
            self.statement(stmt);
        }
    }

    fn statement(&mut self, s: &Statement) {
        let ty = self.ty;
        let label = match &s.sid {
            Some(sid) => format!("statement \"{}\"", sid.value),
            None => format!("statement {}", s.index + 1),
        };
        if let Some(sid) = &s.sid
            && matches!(
                ty,
                PolicyType::Identity | PolicyType::Boundary | PolicyType::Session | PolicyType::Scp
            )
            && !sid.value.chars().all(|c| c.is_ascii_alphanumeric())
        {
            self.warn(
                "sid-characters",
                sid.span,
                format!(
                    "IAM accepts only letters and digits in a Sid; \"{}\" has other characters",
                    sid.value
                ),
            );
        }
        // Principal / NotPrincipal presence.
        match (&s.principal, ty.has_principal()) {
            (Some(p), false) => self.error(
                "principal-not-allowed",
                p.key_span,
                format!(
                    "{label} has {}, which {} cannot contain",
                    if p.negated {
                        "NotPrincipal"
                    } else {
                        "Principal"
                    },
                    ty.describe()
                ),
            ),
            (None, true) => self.error(
                "missing-principal",
                s.span,
                format!("{label} has no Principal, which {} requires", ty.describe()),
            ),
            (Some(p), true) => self.principal(s, p, &label),
            (None, false) => {}
        }
        // Effect restrictions.
        if ty == PolicyType::Rcp && s.effect.value == Effect::Allow {
            self.error(
                "rcp-allow",
                s.effect.span,
                format!("{label} is an Allow; resource control policies may only deny (RCPFullAWSAccess is AWS's own)"),
            );
        }
        // Actions.
        self.actions(&s.action, &label);
        // Resources.
        match (&s.resource, ty) {
            (Some(r), PolicyType::Trust) => self.error(
                "resource-not-allowed",
                r.key_span,
                format!(
                    "{label} has {}, which a role trust policy cannot contain",
                    if r.negated { "NotResource" } else { "Resource" }
                ),
            ),
            (None, PolicyType::Trust) => {}
            (None, _) => self.error(
                "missing-resource",
                s.span,
                format!(
                    "{label} has neither Resource nor NotResource, which {} requires",
                    ty.describe()
                ),
            ),
            (Some(r), _) => self.resources(r, &label),
        }
        if let Some(c) = &s.condition {
            self.conditions(c);
        }
    }

    fn principal(&mut self, s: &Statement, p: &PrincipalElement, label: &str) {
        let ty = self.ty;
        if p.negated {
            if matches!(ty, PolicyType::Trust | PolicyType::Rcp) {
                self.error(
                    "notprincipal-not-allowed",
                    p.key_span,
                    format!(
                        "{label} uses NotPrincipal, which {} cannot contain",
                        ty.describe()
                    ),
                );
            } else if s.effect.value == Effect::Allow {
                self.error(
                    "notprincipal-with-allow",
                    p.key_span,
                    format!("{label} combines NotPrincipal with Allow; NotPrincipal is only supported with Deny"),
                );
            } else {
                self.warn(
                    "notprincipal",
                    p.key_span,
                    "NotPrincipal is hard to get right; prefer \"Principal\": \"*\" with an ArnNotEquals condition on aws:PrincipalArn".to_string(),
                );
            }
        }
        match &p.value {
            PrincipalValue::Everyone => {}
            PrincipalValue::BareString(v) => self.error(
                "principal-string",
                v.span,
                format!(
                    "{label}: the principal must be \"*\" or an object such as {{\"AWS\": \"{}\"}}, not a plain string",
                    v.value
                ),
            ),
            PrincipalValue::Map(entries) => {
                if ty == PolicyType::Rcp {
                    self.error(
                        "rcp-principal",
                        p.span,
                        format!(
                            "{label}: the Principal of a resource control policy must be \"*\""
                        ),
                    );
                }
                for e in entries {
                    for v in &e.values {
                        self.principal_value(e.kind, v);
                    }
                }
            }
        }
    }

    fn principal_value(&mut self, kind: PrincipalType, v: &Spanned<String>) {
        let text = v.value.as_str();
        match kind {
            PrincipalType::Aws => {
                let ok = text == "*"
                    || is_account_id(text)
                    || text.starts_with("arn:")
                    || is_unique_id(text);
                if !ok {
                    self.error(
                        "invalid-principal",
                        v.span,
                        format!("\"{text}\" is not an AWS principal: use an account id, an ARN, or \"*\""),
                    );
                } else if text != "*" && text.contains(['*', '?']) {
                    self.error(
                        "principal-wildcard",
                        v.span,
                        format!("\"{text}\": wildcards are not allowed inside principal ARNs; use a condition on aws:PrincipalArn"),
                    );
                }
            }
            PrincipalType::Service if text == "*" => self.error(
                "invalid-principal",
                v.span,
                "\"Service\": \"*\" is not valid; name the service principal".to_string(),
            ),
            _ => {}
        }
    }

    fn actions(&mut self, a: &ActionElement, label: &str) {
        let ty = self.ty;
        if a.values.is_empty() {
            self.error(
                "empty-list",
                a.span,
                format!(
                    "{label}: {} is an empty list",
                    if a.negated { "NotAction" } else { "Action" }
                ),
            );
        }
        if ty == PolicyType::Rcp && a.negated {
            self.error(
                "notaction-not-allowed",
                a.key_span,
                format!("{label} uses NotAction, which resource control policies do not support"),
            );
        }
        for v in &a.values {
            match ActionPattern::parse(&v.value) {
                ActionPattern::Never { reason } => self.error(
                    "invalid-action",
                    v.span,
                    format!("\"{}\": {reason}", v.value),
                ),
                ActionPattern::All if ty == PolicyType::Rcp => self.error(
                    "rcp-action-wildcard",
                    v.span,
                    "resource control policies must name a service in each action (\"*\" alone is rejected)".to_string(),
                ),
                _ => {
                    if v.value.contains(',') {
                        self.warn(
                            "comma-in-action",
                            v.span,
                            format!("\"{}\" contains a comma; list actions as separate strings", v.value),
                        );
                    }
                }
            }
        }
    }

    fn resources(&mut self, r: &ResourceElement, label: &str) {
        let ty = self.ty;
        let variables = self.doc.version.supports_variables();
        if r.values.is_empty() {
            self.error(
                "empty-list",
                r.span,
                format!(
                    "{label}: {} is an empty list",
                    if r.negated { "NotResource" } else { "Resource" }
                ),
            );
        }
        for v in &r.values {
            if let ResourcePattern::Never { reason } =
                ResourcePattern::compile(&v.value, ty, variables)
            {
                self.error(
                    "invalid-resource",
                    v.span,
                    format!("\"{}\": {reason}", v.value),
                );
                continue;
            }
            if ty == PolicyType::Session && v.value != "*" && v.value.splitn(6, ':').count() < 6 {
                self.error(
                    "session-short-arn",
                    v.span,
                    format!(
                        "\"{}\": session policies need complete ARNs; STS rejects incomplete ones",
                        v.value
                    ),
                );
            }
            if variables {
                self.variables_in(v);
            }
        }
    }

    /// Check `${...}` syntax in a value.
    fn variables_in(&mut self, v: &Spanned<String>) {
        let text = v.value.as_str();
        let mut rest = text;
        let mut offset = 0usize;
        while let Some(start) = rest.find("${") {
            let Some(close) = rest[start..].find('}') else {
                break;
            };
            let inner = &rest[start + 2..start + close];
            if let Some(message) = malformed_variable(inner) {
                self.warn("malformed-variable", v.span, message);
            }
            offset += start + close + 1;
            rest = &text[offset..];
        }
    }

    fn conditions(&mut self, c: &ConditionElement) {
        let variables = self.doc.version.supports_variables();
        for block in &c.blocks {
            let op = match ConditionOperator::parse(&block.operator.value) {
                Ok(op) => op,
                Err(e) => {
                    self.error("unknown-operator", block.operator.span, e.0);
                    continue;
                }
            };
            if !op.canonical_case {
                self.warn(
                    "operator-case",
                    block.operator.span,
                    format!(
                        "write \"{}\" as \"{}\"",
                        block.operator.value,
                        op.canonical_name()
                    ),
                );
            }
            for entry in &block.entries {
                if entry.values.is_empty() {
                    self.error(
                        "empty-list",
                        entry.span,
                        format!(
                            "condition key \"{}\" has an empty list of values",
                            entry.key.value
                        ),
                    );
                }
                for value in &entry.values {
                    self.condition_value(op, value);
                    if variables && op.base.substitutes_variables() {
                        self.variables_in(value);
                    }
                }
            }
        }
    }

    fn condition_value(&mut self, op: ConditionOperator, v: &Spanned<String>) {
        let text = v.value.as_str();
        let problem = match op.base.family() {
            OperatorFamily::Bool | OperatorFamily::Null
                if !(text.eq_ignore_ascii_case("true")
                    || text.eq_ignore_ascii_case("false")
                    || text.contains("${")) =>
            {
                Some(format!(
                    "{} expects \"true\" or \"false\", not \"{text}\"",
                    op.base.name()
                ))
            }
            OperatorFamily::Numeric if !crate::values::is_decimal(text) => Some(format!(
                "{} expects a number, not \"{text}\"",
                op.base.name()
            )),
            OperatorFamily::Date if !crate::values::is_date(text) => Some(format!(
                "{} expects an ISO 8601 date or epoch seconds, not \"{text}\"",
                op.base.name()
            )),
            OperatorFamily::Ip if !crate::values::is_cidr(text) => Some(format!(
                "{} expects an IP address or CIDR block, not \"{text}\"",
                op.base.name()
            )),
            OperatorFamily::Binary if !crate::values::is_base64(text) => Some(format!(
                "BinaryEquals expects a base64 value, not \"{text}\""
            )),
            _ => None,
        };
        if let Some(message) = problem {
            self.error("invalid-condition-value", v.span, message);
        }
        if op.base == BaseOperator::StringEquals && text.contains('*') && !text.contains("${*}") {
            self.warn(
                "wildcard-in-stringequals",
                v.span,
                format!("\"{text}\": StringEquals treats * literally; did you mean StringLike?"),
            );
        }
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A 12-digit account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// An IAM unique id (`AIDA…`, `AROA…`): what trust policies show after the named entity was
/// deleted.
pub fn is_unique_id(s: &str) -> bool {
    s.len() >= 16
        && s.starts_with('A')
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}
