//! Condition evaluation (AWS: condition evaluation): every operator, `IfExists`, `Null`, the set qualifiers, the
//! missing-key table, multivalued keys, typed values and policy variables.
//!
//! Policy values are parsed once, when the statement is compiled. Evaluation returns a [`Tri`]:
//! an unknown operator or a value that cannot be read (policy or request side) gives
//! `Tri::Unknown` with a reason, never a silent true or false. The statement layer then applies
//! the documented conservative default: a Deny whose conditions cannot be evaluated applies, an
//! Allow does not.

mod compare;

use crate::context::{Context, ContextValue};
use crate::tri::Tri;
use compare::{PolicyValue, test_positive};
use iamwhy_diagnostic::Span;
use iamwhy_policy::condition_operator::{BaseOperator, ConditionOperator, SetQualifier};
use iamwhy_policy::document::ConditionEntry;
use iamwhy_policy::inline::InlineStr;
use serde::Serialize;

/// One compiled (operator, key, values) triple.
#[derive(Debug, Clone)]
pub struct CompiledCondition {
    /// The operator as written.
    pub operator_text: InlineStr,
    operator: Result<ConditionOperator, String>,
    /// The context key as written.
    pub key: InlineStr,
    key_lower: InlineStr,
    values: Values,
    /// Span of the key in the policy text.
    pub key_span: Span,
}

/// A condition's policy values: most conditions have one, kept without a vector.
#[derive(Debug, Clone)]
enum Values {
    One(PolicyValue),
    Many(Vec<PolicyValue>),
}

impl Values {
    fn as_slice(&self) -> &[PolicyValue] {
        match self {
            Values::One(v) => std::slice::from_ref(v),
            Values::Many(v) => v,
        }
    }
}

/// What one condition did, for explanations: the raw material of every "why".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionResult {
    /// Operator as written.
    pub operator: String,
    /// Context key as written in the policy.
    pub key: String,
    /// Policy values after variable substitution (an unresolvable one is shown as written,
    /// marked `(unresolved)`).
    pub policy_values: Vec<String>,
    /// The request's values for the key; `None` when the key is missing.
    pub request_values: Option<Vec<String>>,
    /// The outcome.
    pub outcome: Tri,
    /// Why, when the outcome needs a word: missing-key rules, multivalued keys, values that
    /// cannot be evaluated.
    pub note: Option<String>,
}

impl CompiledCondition {
    /// Compile one entry of a condition block. `variables` says whether the policy version
    /// substitutes `${...}`.
    pub fn compile<S: AsRef<str>>(
        operator_text: &str,
        entry: &ConditionEntry<S>,
        variables: bool,
    ) -> Self {
        let operator = ConditionOperator::parse(operator_text).map_err(|e| e.0);
        let values = match &operator {
            Ok(op) => match entry.values.as_slice() {
                [one] => Values::One(PolicyValue::compile(op.base, one.value.as_ref(), variables)),
                many => Values::Many(
                    many.iter()
                        .map(|v| PolicyValue::compile(op.base, v.value.as_ref(), variables))
                        .collect(),
                ),
            },
            Err(_) => Values::Many(Vec::new()),
        };
        let key = entry.key.value.as_ref();
        CompiledCondition {
            operator_text: InlineStr::new(operator_text),
            operator,
            key: InlineStr::new(key),
            key_lower: if key.is_ascii() {
                InlineStr::ascii_lowercase(key)
            } else {
                InlineStr::from_string(key.to_lowercase())
            },
            values,
            key_span: entry.key.span,
        }
    }

    /// The lowercased context key.
    pub fn key_lower(&self) -> &str {
        &self.key_lower
    }

    /// The parsed operator, or why the name is not one.
    pub fn operator(&self) -> Result<&ConditionOperator, &str> {
        self.operator.as_ref().map_err(|e| e.as_str())
    }

    /// The policy values as an explanation shows them: variables resolved from `ctx` where
    /// it can, the others as written and marked unresolved.
    pub fn display_values(&self, ctx: &Context) -> Vec<String> {
        self.values
            .as_slice()
            .iter()
            .map(|v| v.display(|k| ctx.single_lower(k)))
            .collect()
    }

    /// The (lowercased) keys of the policy variables in the values.
    pub fn variable_keys(&self) -> impl Iterator<Item = &str> {
        self.values
            .as_slice()
            .iter()
            .flat_map(PolicyValue::variable_keys)
    }

    /// Whether the condition can come out as "cannot be evaluated" for some request: operators
    /// that read typed values (numbers, dates, IP addresses, booleans, base64, `Null`'s
    /// `true`/`false`) can; string and ARN operators cannot.
    pub fn can_meet_unreadable_value(&self) -> bool {
        use iamwhy_policy::condition_operator::OperatorFamily;
        match &self.operator {
            Ok(op) => !matches!(
                op.base.family(),
                OperatorFamily::String | OperatorFamily::Arn
            ),
            Err(_) => true,
        }
    }

    /// Evaluate against a context; with `record`, also describe what happened.
    pub fn evaluate(&self, ctx: &Context, record: bool) -> (Tri, Option<ConditionResult>) {
        let mut note: Option<String> = None;
        let present = ctx.get_lower(&self.key_lower);
        let outcome = match &self.operator {
            Err(message) => {
                note = Some(format!("cannot be evaluated: {message}"));
                Tri::Unknown
            }
            Ok(op) => self.evaluate_operator(op, present, ctx, &mut note),
        };
        let result = record.then(|| ConditionResult {
            operator: self.operator_text.to_string(),
            key: self.key.to_string(),
            policy_values: self
                .values
                .as_slice()
                .iter()
                .map(|v| v.display(|k| ctx.single_lower(k)))
                .collect(),
            request_values: present.map(|v| v.values.clone()),
            outcome,
            note,
        });
        (outcome, result)
    }

    fn evaluate_operator(
        &self,
        op: &ConditionOperator,
        present: Option<&ContextValue>,
        ctx: &Context,
        note: &mut Option<String>,
    ) -> Tri {
        if op.base == BaseOperator::Null {
            let mut acc = Tri::False;
            for v in self.values.as_slice() {
                acc = acc.or(match v.null_expectation() {
                    Some(true) => Tri::from_bool(present.is_none()),
                    Some(false) => Tri::from_bool(present.is_some()),
                    None => {
                        *note = Some(format!(
                            "cannot be evaluated: Null expects \"true\" or \"false\", not \"{}\"",
                            v.raw()
                        ));
                        Tri::Unknown
                    }
                });
            }
            return acc;
        }
        let Some(cv) = present else {
            return self.missing(op, note);
        };
        let resolve = |k: &str| ctx.single_lower(k);
        match op.qualifier {
            None => {
                if cv.multi {
                    *note = Some(format!(
                        "{} is multivalued; an operator without ForAllValues/ForAnyValue never matches it",
                        self.key
                    ));
                    return Tri::False;
                }
                self.per_request_value(op.base, &cv.values[0], resolve, note)
            }
            Some(SetQualifier::ForAllValues) => {
                let mut acc = Tri::True;
                for r in &cv.values {
                    acc = acc.and(self.per_request_value(op.base, r, resolve, note));
                }
                acc
            }
            Some(SetQualifier::ForAnyValue) => {
                let mut acc = Tri::False;
                for r in &cv.values {
                    acc = acc.or(self.per_request_value(op.base, r, resolve, note));
                }
                acc
            }
        }
    }

    /// `m(r)`: a positive operator holds if r matches some policy value; a negated operator
    /// holds if r matches none of them (NOR).
    fn per_request_value<'c>(
        &self,
        base: BaseOperator,
        r: &str,
        resolve: impl Fn(&str) -> Option<&'c str> + Copy,
        note: &mut Option<String>,
    ) -> Tri {
        let mut any = Tri::False;
        for v in self.values.as_slice() {
            let t = test_positive(base, r, v, resolve, note);
            any = any.or(t);
            if any == Tri::True {
                break;
            }
        }
        if base.is_negated() { !any } else { any }
    }

    /// The missing-key table (AWS: missing condition keys).
    fn missing(&self, op: &ConditionOperator, note: &mut Option<String>) -> Tri {
        let (outcome, why) = if op.if_exists {
            (
                Tri::True,
                if op.qualifier == Some(SetQualifier::ForAnyValue) {
                    "key missing: ...IfExists holds (docs/spec-notes.md, settled ambiguities: other simulators say false for ForAnyValue:...IfExists)"
                } else {
                    "key missing: ...IfExists holds"
                },
            )
        } else {
            match op.qualifier {
                Some(SetQualifier::ForAllValues) => {
                    (Tri::True, "key missing: ForAllValues holds vacuously")
                }
                Some(SetQualifier::ForAnyValue) => (Tri::False, "key missing: ForAnyValue fails"),
                None if op.base.is_negated() => {
                    (Tri::True, "key missing: a negated operator holds")
                }
                None => (Tri::False, "key missing: the operator fails"),
            }
        };
        *note = Some(why.to_string());
        outcome
    }
}
