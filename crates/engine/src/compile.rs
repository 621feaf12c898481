//! Compiling parsed policy documents once into a form that evaluates without parsing.

use crate::condition::CompiledCondition;
use crate::principal::CompiledPrincipal;
use iamwhy_diagnostic::{Position, Span};
use iamwhy_policy::ParseFailure;
use iamwhy_policy::action::ActionPattern;
use iamwhy_policy::arn::ResourcePattern;
use iamwhy_policy::document::{Effect, PolicyDocument, Statement};
use iamwhy_policy::json::Reader;
use iamwhy_policy::policy_type::PolicyType;
use std::borrow::Cow;
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
    /// Parse and compile a policy given as text (see [`PolicyDocument::parse`] for the
    /// forms it may take) used as `policy_type`. The statements are compiled straight from
    /// the parse, their strings borrowed from the text, and the document keeps no statement
    /// tree: [`PolicyDocument::statements`] reads it again from the source when an
    /// explanation asks for it. This is how a world loads its policies.
    ///
    /// ```
    /// use iamwhy_engine::CompiledPolicy;
    /// use iamwhy_policy::PolicyType;
    /// let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    /// let policy = CompiledPolicy::parse("p", PolicyType::Identity, text)?;
    /// assert_eq!(policy.statements.len(), 1);
    /// # Ok::<(), iamwhy_policy::ParseFailure>(())
    /// ```
    pub fn parse(
        name: impl Into<String>,
        policy_type: PolicyType,
        text: &str,
    ) -> Result<CompiledPolicy, ParseFailure> {
        let read = PolicyDocument::parse_with_statements(text, compiler(policy_type))?;
        Ok(CompiledPolicy::assemble(name.into(), policy_type, read))
    }

    /// Read and compile the policy document that is the next value of `reader`, in place
    /// (see [`PolicyDocument::read_with_statements`]): for a document embedded in a larger
    /// JSON text, such as a case file's line, whose text is then read once.
    pub fn read(
        name: impl Into<String>,
        policy_type: PolicyType,
        reader: &mut Reader<'_>,
    ) -> Result<CompiledPolicy, ParseFailure> {
        let read = PolicyDocument::read_with_statements(reader, compiler(policy_type))?;
        Ok(CompiledPolicy::assemble(name.into(), policy_type, read))
    }

    /// A policy from a released document and its statements compiled from the parse.
    fn assemble(
        name: String,
        policy_type: PolicyType,
        (document, statements): (PolicyDocument, Vec<CompiledStatement>),
    ) -> CompiledPolicy {
        CompiledPolicy {
            name,
            policy_type,
            source: None,
            file_span: None,
            document: Arc::new(document),
            statements,
        }
    }

    /// Compile a parsed document used as `policy_type`.
    pub fn compile(
        name: impl Into<String>,
        policy_type: PolicyType,
        document: Arc<PolicyDocument>,
    ) -> CompiledPolicy {
        let statements = compile_statements(&document, document.statements(), policy_type);
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

/// What compiles a parse's borrowed statements (for [`PolicyDocument::parse_with_statements`]
/// and [`PolicyDocument::read_with_statements`]).
fn compiler(
    policy_type: PolicyType,
) -> impl for<'a> FnOnce(&PolicyDocument, &[Statement<Cow<'a, str>>]) -> Vec<CompiledStatement> {
    move |doc, list| compile_statements(doc, list, policy_type)
}

/// A document's statements (with owned or borrowed strings), compiled.
fn compile_statements<S: AsRef<str>>(
    doc: &PolicyDocument,
    statements: &[Statement<S>],
    policy_type: PolicyType,
) -> Vec<CompiledStatement> {
    statements
        .iter()
        .map(|s| CompiledStatement::compile(s, doc, policy_type))
        .collect()
}

/// The empty condition list, allocated once.
fn no_conditions() -> Arc<[CompiledCondition]> {
    static EMPTY: std::sync::OnceLock<Arc<[CompiledCondition]>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Arc::from(Vec::new())).clone()
}

/// The conditions of a statement, flattened in document order.
fn compile_conditions<S: AsRef<str>>(
    c: &iamwhy_policy::document::ConditionElement<S>,
    variables: bool,
) -> Arc<[CompiledCondition]> {
    let n: usize = c.blocks.iter().map(|b| b.entries.len()).sum();
    if n == 0 {
        return no_conditions();
    }
    let mut entries = c.blocks.iter().flat_map(|b| {
        b.entries
            .iter()
            .map(move |e| (b.operator.value.as_ref(), e))
    });
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
    fn compile<S: AsRef<str>>(
        s: &Statement<S>,
        doc: &PolicyDocument,
        policy_type: PolicyType,
    ) -> CompiledStatement {
        let variables = doc.version.supports_variables();
        let (start, end) = doc.range(s.span);
        CompiledStatement {
            index: s.index,
            sid: s.sid.as_ref().map(|x| x.value.as_ref().to_string()),
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
                    .map(|v| ActionPattern::parse(v.value.as_ref()))
                    .collect(),
            },
            resources: s.resource.as_ref().map(|r| CompiledResources {
                negated: r.negated,
                patterns: r
                    .values
                    .iter()
                    .map(|v| ResourcePattern::compile(v.value.as_ref(), policy_type, variables))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiling straight from the parse (strings borrowed from the text) gives the
    /// statements that compiling the owned tree gives, for every element kind and for
    /// escaped strings, and leaves the document's tree released but readable.
    #[test]
    fn compiling_from_the_parse_equals_compiling_the_tree() {
        let texts = [
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"A\u0041","Effect":"Allow","Action":["s3:Get*","s3:List\u002A"],"Resource":["arn:aws:s3:::b/${aws:username}/*","*"],"Condition":{"StringLike":{"s3:prefix":["a/*","b"]},"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true}}},{"Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:iam::*:role/x"}]}"#,
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","111122223333","AIDAEXAMPLEEXAMPLE1"],"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}}"#,
            r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}"},{"Effect":"Deny","NotPrincipal":"arn:aws:iam::1:root","Action":"*","Resource":"*"}]}"#,
        ];
        for ty in [
            PolicyType::Identity,
            PolicyType::Resource,
            PolicyType::Trust,
        ] {
            for text in texts {
                let tree = CompiledPolicy::compile(
                    "p",
                    ty,
                    Arc::new(PolicyDocument::parse(text).unwrap()),
                );
                let direct = CompiledPolicy::parse("p", ty, text).unwrap();
                assert_eq!(
                    format!("{:?}", direct.statements),
                    format!("{:?}", tree.statements),
                    "{text}"
                );
                assert_eq!(
                    format!("{:?}", direct.document.statements()),
                    format!("{:?}", tree.document.statements())
                );
            }
        }
    }
}
