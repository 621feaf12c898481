//! Compiling parsed policy documents once into a form that evaluates without parsing.

use crate::condition::CompiledCondition;
use crate::principal::CompiledPrincipal;
use iamwhy_diagnostic::{Position, Span};
use iamwhy_policy::action::ActionPattern;
use iamwhy_policy::arn::ResourcePattern;
use iamwhy_policy::document::{Effect, PolicyDocument, Statement};
use iamwhy_policy::policy_type::PolicyType;
use std::sync::Arc;

/// A compiled policy: its statements ready to evaluate, plus where they came from.
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    /// A name for explanations (policy name, ARN or input id).
    pub name: String,
    /// The type the policy is used as.
    pub policy_type: PolicyType,
    /// Where the document came from (file and JSON path), when known.
    pub source: Option<String>,
    /// Where the document is in that file (byte range, line and column), when the loader
    /// recorded it: positions are then found by reading that range only.
    pub file_span: Option<iamwhy_diagnostic::FileSpan>,
    /// The parsed document (for positions and text).
    pub document: Arc<PolicyDocument>,
    /// The statements in document order.
    pub statements: Vec<CompiledStatement>,
}

impl CompiledPolicy {
    /// Compile a parsed document used as `policy_type`.
    pub fn compile(
        name: impl Into<String>,
        policy_type: PolicyType,
        document: Arc<PolicyDocument>,
    ) -> CompiledPolicy {
        let statements = document
            .statements()
            .iter()
            .map(|s| CompiledStatement::compile(s, &document, policy_type))
            .collect();
        CompiledPolicy {
            name: name.into(),
            policy_type,
            source: None,
            file_span: None,
            document,
            statements,
        }
    }
}

/// The empty condition list, allocated once.
fn no_conditions() -> Arc<[CompiledCondition]> {
    static EMPTY: std::sync::OnceLock<Arc<[CompiledCondition]>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Arc::from(Vec::new())).clone()
}

/// The conditions of a statement, flattened in document order.
fn compile_conditions(
    c: &iamwhy_policy::document::ConditionElement,
    variables: bool,
) -> Arc<[CompiledCondition]> {
    let n: usize = c.blocks.iter().map(|b| b.entries.len()).sum();
    if n == 0 {
        return no_conditions();
    }
    let mut entries = c
        .blocks
        .iter()
        .flat_map(|b| b.entries.iter().map(move |e| (&b.operator.value, e)));
    // Collected from a range, whose length is exact, the list is allocated once at its size
    // (from the flat_map, of unknown length, it would be gathered in a growing vector first
    // and then copied).
    (0..n)
        .map(|_| {
            let (operator, e) = entries.next().expect("n entries");
            CompiledCondition::compile(operator, e, variables)
        })
        .collect()
}

/// The action element, compiled.
#[derive(Debug, Clone)]
pub struct CompiledActions {
    /// True for `NotAction`.
    pub negated: bool,
    /// The patterns.
    pub patterns: Vec<ActionPattern>,
}

/// The resource element, compiled.
#[derive(Debug, Clone)]
pub struct CompiledResources {
    /// True for `NotResource`.
    pub negated: bool,
    /// The patterns.
    pub patterns: Vec<ResourcePattern>,
}

/// A compiled statement.
#[derive(Debug, Clone)]
pub struct CompiledStatement {
    /// 0-based index in the policy.
    pub index: usize,
    /// The Sid, if any.
    pub sid: Option<String>,
    /// Allow or Deny.
    pub effect: Effect,
    /// Span of the statement object.
    pub span: Span,
    /// Position of the opening `{`.
    pub start: Position,
    /// Position just past the closing `}`.
    pub end: Position,
    /// Principal/NotPrincipal, when the statement has one.
    pub principal: Option<CompiledPrincipal>,
    /// Whether the policy type needs a principal (resource, trust, RCP and endpoint
    /// policies): a statement there without one applies to nobody.
    pub requires_principal: bool,
    /// Action/NotAction.
    pub actions: CompiledActions,
    /// Resource/NotResource; `None` in trust policies (the resource is the role).
    pub resources: Option<CompiledResources>,
    /// Conditions, flattened: every (operator, key) pair, all AND-ed. Shared, so that
    /// Discovery's terms can refer to them without copying.
    pub conditions: Arc<[CompiledCondition]>,
}

impl CompiledStatement {
    fn compile(s: &Statement, doc: &PolicyDocument, policy_type: PolicyType) -> CompiledStatement {
        let variables = doc.version.supports_variables();
        let (start, end) = doc.range(s.span);
        CompiledStatement {
            index: s.index,
            sid: s.sid.as_ref().map(|x| x.value.clone()),
            effect: s.effect.value,
            span: s.span,
            start,
            end,
            principal: s.principal.as_ref().map(CompiledPrincipal::compile),
            // An endpoint policy statement without a Principal (AWS rejects it when saved; its
            // evaluation is undocumented) is read as applying to every caller.
            requires_principal: policy_type.has_principal() && policy_type != PolicyType::Endpoint,
            actions: CompiledActions {
                negated: s.action.negated,
                patterns: s
                    .action
                    .values
                    .iter()
                    .map(|v| ActionPattern::parse(&v.value))
                    .collect(),
            },
            resources: s.resource.as_ref().map(|r| CompiledResources {
                negated: r.negated,
                patterns: r
                    .values
                    .iter()
                    .map(|v| ResourcePattern::compile(&v.value, policy_type, variables))
                    .collect(),
            }),
            conditions: match &s.condition {
                // Most statements have no condition: they share one empty list.
                None => no_conditions(),
                Some(c) => compile_conditions(c, variables),
            },
        }
    }

    /// The Sid, or `#n` (1-based index) when there is none.
    pub fn label(&self) -> String {
        iamwhy_policy::statement_label(self.sid.as_deref(), self.index)
    }
}
