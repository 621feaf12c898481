//! The request details a user adds on the command line (`--context`, `--session-policy`,
//! `--source-vpce`, `--federated-by`, `--resource-account`, `--region`), the same for `check`
//! and `explain`. On `explain` they add to what the evidence carried and win over it, and each
//! override is reported; a request field that is empty or malformed is a diagnostic.

use iamwhy_diagnostic::Diagnostic;
use iamwhy_evidence::{Observed, ResourceReading};
use iamwhy_world::Question;

/// What the user adds to a request.
#[derive(Debug, Clone, Default)]
pub struct RequestOverrides {
    /// Context keys, in order; a key given several times is multivalued. Each key given
    /// replaces all of the evidence's values for it.
    pub context: Vec<(String, String)>,
    /// The session policy the session was created with (JSON text); no snapshot records it.
    pub session_policy: Option<String>,
    /// The VPC endpoint the request went through.
    pub source_vpce: Option<String>,
    /// For a federated-user caller: the IAM user that called GetFederationToken.
    pub federated_by: Option<String>,
    /// The account that owns the resource.
    pub resource_account: Option<String>,
    /// The region of the call (`aws:RequestedRegion`).
    pub region: Option<String>,
}

/// The request details as a user typed them — the CLI's request flags or the web API's
/// fields — before they are checked. [`RawOverrides::check`] is the one place both are read.
#[derive(Debug, Clone, Default)]
pub struct RawOverrides {
    /// Context keys as `KEY=VALUE` (repeat a key for several values).
    pub context: Vec<String>,
    /// The session policy (JSON text).
    pub session_policy: Option<String>,
    /// The VPC endpoint id.
    pub source_vpce: Option<String>,
    /// The IAM user that called GetFederationToken.
    pub federated_by: Option<String>,
    /// The account owning the resource (12 digits).
    pub resource_account: Option<String>,
    /// The region of the call.
    pub region: Option<String>,
}

/// How errors name the fields: as command-line flags (`--source-vpce`) or as JSON fields
/// (`source_vpce`, with the field as the diagnostic's JSON path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldNames {
    /// `--source-vpce`.
    Flags,
    /// `source_vpce`, located at that path.
    Json,
}

impl RawOverrides {
    /// The details as overrides, each value checked: no field empty, the resource account
    /// 12 digits, context arguments `KEY=VALUE`.
    pub fn check(self, names: FieldNames) -> Result<RequestOverrides, Diagnostic> {
        let located = |d: Diagnostic, field: &str| match names {
            FieldNames::Flags => d,
            FieldNames::Json => d.at_path(field.to_string()),
        };
        let name = |field: &str| match names {
            FieldNames::Flags => format!("--{}", field.replace('_', "-")),
            FieldNames::Json => field.to_string(),
        };
        let non_empty = |field: &str, v: Option<String>| -> Result<Option<String>, Diagnostic> {
            match v {
                Some(s) if s.trim().is_empty() => Err(located(
                    Diagnostic::error("empty-request-field", format!("{} is empty", name(field))),
                    field,
                )),
                other => Ok(other),
            }
        };
        if let Some(a) = &self.resource_account
            && !iamwhy_policy::is_account_id(a)
        {
            return Err(located(
                Diagnostic::error(
                    "malformed-request-field",
                    format!(
                        "{} \"{a}\" is not a 12-digit account id",
                        name("resource_account")
                    ),
                ),
                "resource_account",
            ));
        }
        Ok(RequestOverrides {
            context: parse_context_args(&self.context)?,
            session_policy: non_empty("session_policy", self.session_policy)?,
            source_vpce: non_empty("source_vpce", self.source_vpce)?,
            federated_by: non_empty("federated_by", self.federated_by)?,
            resource_account: self.resource_account,
            region: non_empty("region", self.region)?,
        })
    }
}

/// A request override, as reported: which field, what the evidence said, what it is now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Override {
    /// `context aws:MultiFactorAuthPresent`, `source VPC endpoint`, ...
    pub field: String,
    /// The evidence's value, when it carried one.
    pub was: Option<String>,
    /// The value used.
    pub now: String,
}

impl Override {
    /// One sentence: "--context aws:X=true overrides the evidence's false".
    pub fn sentence(&self) -> String {
        match &self.was {
            Some(was) => format!(
                "{} = {} (given on the command line; the evidence said {was})",
                self.field, self.now
            ),
            None => format!(
                "{} = {} (given on the command line; the evidence did not say)",
                self.field, self.now
            ),
        }
    }
}

/// `KEY=VALUE` arguments of `--context`, checked: a key is required; a value may be empty
/// only when written explicitly (`KEY=`).
pub fn parse_context_args(args: &[String]) -> Result<Vec<(String, String)>, Diagnostic> {
    args.iter()
        .map(|a| {
            a.split_once('=')
                .map(|(k, v)| (k.trim(), v))
                .filter(|(k, _)| !k.is_empty() && !k.contains(char::is_whitespace))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| {
                    Diagnostic::error("bad-context-flag", format!("--context {a}: expected KEY=VALUE"))
                        .with_help("for example --context aws:MultiFactorAuthPresent=true; repeat a key for a multivalued key")
                })
        })
        .collect()
}

/// Check the fields of a request given on the command line: none may be empty, the action is
/// `service:Action`, the resource `*` or an ARN, the principal an ARN, an account id, a service
/// principal or `anonymous`.
pub fn check_request_fields(
    principal: &str,
    action: &str,
    resource: &str,
) -> Result<(), Diagnostic> {
    let empty = |flag: &str, what: &str| {
        Diagnostic::error(
            "empty-request-field",
            format!("{flag} is empty: a request needs {what}"),
        )
    };
    if principal.trim().is_empty() {
        return Err(empty("--principal", "a principal"));
    }
    if action.trim().is_empty() {
        return Err(empty("--action", "an action"));
    }
    if resource.trim().is_empty() {
        return Err(
            empty("--resource", "a resource (`*` for actions without one)")
                .with_help("give the resource's ARN, or `*` for an action that takes no resource"),
        );
    }
    if resource != resource.trim() || principal != principal.trim() || action != action.trim() {
        return Err(Diagnostic::error(
            "malformed-request-field",
            "a request field starts or ends with whitespace (a stray space in the quoting?)",
        ));
    }
    if resource != "*" && iamwhy_policy::Arn::parse(resource).is_none() {
        return Err(Diagnostic::error(
            "malformed-resource",
            format!(
                "--resource \"{resource}\" is neither `*` nor an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)"
            ),
        ));
    }
    Ok(())
}

impl RequestOverrides {
    /// Apply to a question built from `check`'s flags: the flags are the request.
    pub fn apply_to_check(&self, q: &mut Question) {
        q.context.extend(self.context.iter().cloned());
        if let Some(r) = &self.region {
            set_key(
                &mut q.context,
                "aws:RequestedRegion",
                std::slice::from_ref(r),
            );
        }
        q.session_policy = self.session_policy.clone().or(q.session_policy.take());
        q.source_vpce = self.source_vpce.clone().or(q.source_vpce.take());
        q.federated_by = self.federated_by.clone().or(q.federated_by.take());
        q.resource_account = self.resource_account.clone().or(q.resource_account.take());
    }

    /// Apply to a question rebuilt from evidence: every given field wins over the evidence's,
    /// and each is reported.
    pub fn apply_to_evidence(&self, q: &mut Question) -> Vec<Override> {
        let mut out = Vec::new();
        let mut keys: Vec<&str> = Vec::new();
        for (k, _) in &self.context {
            if !keys.iter().any(|x| x.eq_ignore_ascii_case(k)) {
                keys.push(k);
            }
        }
        for key in keys {
            let values: Vec<String> = self
                .context
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.clone())
                .collect();
            let was = values_of(&q.context, key);
            set_key(&mut q.context, key, &values);
            out.push(Override {
                field: format!("context {key}"),
                was,
                now: values.join(", "),
            });
        }
        if let Some(r) = &self.region {
            let was = values_of(&q.context, "aws:RequestedRegion");
            set_key(
                &mut q.context,
                "aws:RequestedRegion",
                std::slice::from_ref(r),
            );
            out.push(Override {
                field: "region (aws:RequestedRegion)".into(),
                was,
                now: r.clone(),
            });
        }
        let mut field = |name: &str, given: &Option<String>, slot: &mut Option<String>| {
            if let Some(v) = given {
                out.push(Override {
                    field: name.into(),
                    was: slot.clone(),
                    now: v.clone(),
                });
                *slot = Some(v.clone());
            }
        };
        field("source VPC endpoint", &self.source_vpce, &mut q.source_vpce);
        field("federated by", &self.federated_by, &mut q.federated_by);
        field(
            "resource account",
            &self.resource_account,
            &mut q.resource_account,
        );
        if let Some(text) = &self.session_policy {
            q.session_policy = Some(text.clone());
            out.push(Override {
                field: "session policy".into(),
                was: None,
                now: "the one given with --session-policy".into(),
            });
        }
        out
    }
}

fn values_of(context: &[(String, String)], key: &str) -> Option<String> {
    let v: Vec<&str> = context
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
        .collect();
    (!v.is_empty()).then(|| v.join(", "))
}

fn set_key(context: &mut Vec<(String, String)>, key: &str, values: &[String]) {
    context.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
    context.extend(values.iter().map(|v| (key.to_string(), v.clone())));
}

/// The question an observed request asks, for `action` (one of its actions).
pub fn question_for(observed: &Observed, principal: &str, action: &str) -> Question {
    Question {
        principal: principal.to_string(),
        action: action.to_string(),
        resource: observed.resource.clone().unwrap_or_else(|| "*".into()),
        context: observed.context.clone(),
        session_policy: None,
        source_vpce: observed.vpce.clone(),
        resource_account: observed.resource_account.clone(),
        now: None,
        federated_by: None,
    }
}

/// How the resource of an observation is read, in one sentence for the output, when it
/// names a wildcard character.
pub fn reading_note(observed: &Observed) -> Option<String> {
    let r = observed.resource.as_deref()?;
    if r == "*" || !r.contains(['*', '?']) {
        return None;
    }
    Some(match observed.resource_reading {
        ResourceReading::Pattern => format!(
            "the resource {r} is a pattern AWS wrote in its message: it is read as \"some resource matching it\" (a Deny applies only if it covers every such resource)"
        ),
        ResourceReading::Literal => format!(
            "the resource {r} is read literally: `*` and `?` are characters of its name (an S3 key may contain them), not wildcards"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_flags_replace_the_evidence_and_are_reported() {
        let mut q = Question {
            context: vec![
                ("aws:MultiFactorAuthPresent".into(), "false".into()),
                ("aws:SourceIp".into(), "203.0.113.9".into()),
            ],
            ..Question::default()
        };
        let o = RequestOverrides {
            context: vec![("aws:MultiFactorAuthPresent".into(), "true".into())],
            region: Some("eu-west-1".into()),
            ..RequestOverrides::default()
        };
        let notes = o.apply_to_evidence(&mut q);
        assert_eq!(
            q.context,
            vec![
                ("aws:SourceIp".to_string(), "203.0.113.9".to_string()),
                ("aws:MultiFactorAuthPresent".to_string(), "true".to_string()),
                ("aws:RequestedRegion".to_string(), "eu-west-1".to_string()),
            ]
        );
        assert_eq!(notes[0].was.as_deref(), Some("false"));
        assert_eq!(notes[1].was, None);
    }

    #[test]
    fn empty_and_malformed_request_fields_are_diagnostics() {
        let p = "arn:aws:iam::111122223333:user/u";
        assert_eq!(
            check_request_fields(p, "s3:GetObject", "")
                .unwrap_err()
                .code,
            "empty-request-field"
        );
        assert_eq!(
            check_request_fields("", "s3:GetObject", "*")
                .unwrap_err()
                .code,
            "empty-request-field"
        );
        assert_eq!(
            check_request_fields(p, "s3:GetObject", "bucket/key")
                .unwrap_err()
                .code,
            "malformed-resource"
        );
        assert_eq!(
            check_request_fields(p, "s3:GetObject", " *")
                .unwrap_err()
                .code,
            "malformed-request-field"
        );
        assert!(check_request_fields(p, "s3:GetObject", "arn:aws:s3:::b/k").is_ok());
        assert!(parse_context_args(&["=x".into()]).is_err());
        assert!(parse_context_args(&["noequals".into()]).is_err());
        assert_eq!(
            parse_context_args(&["k=".into()]).unwrap(),
            vec![("k".to_string(), String::new())]
        );
    }
}
