//! Reading one line of a case file in one pass.
//!
//! The policies of a case are most of its text. They are read in place by iamwhy's policy
//! reader ([`CompiledPolicy::read`]) as the line is pulled through, so each policy's text is
//! read once: a `serde` reading of the line would first validate every policy (as a raw
//! value) and iamwhy would then parse it again. The small parts that are plain data (the
//! request, the expectation, Discovery's key constraints) are handed to `serde` as the slices
//! of the line they occupy.

use crate::case::{
    Case, CasePolicies, CasePrincipal, CaseRequest, Expected, Level, ResourceReading,
};
use crate::discovery::KeyConstraint;
use anyhow::{Context as _, Result, anyhow, bail};
use iamwhy_engine::{CompiledPolicy, Context};
use iamwhy_policy::PolicyType;
use iamwhy_policy::json::{Kind, Reader, SyntaxError};
use serde_json::Value;
use std::borrow::Cow;

/// Where in the line a syntax error is, for the message.
fn syntax(line: &str, e: &SyntaxError) -> anyhow::Error {
    let column = line
        .get(..e.span.start as usize)
        .map_or(0, |s| s.chars().count())
        + 1;
    anyhow!(
        "the case is not valid JSON (column {column}): {}",
        e.message
    )
}

/// Whether the next value is `null` (then read).
fn null(r: &mut Reader<'_>) -> Result<bool, Box<SyntaxError>> {
    if r.peek()? == Kind::Null {
        r.scalar()?;
        return Ok(true);
    }
    Ok(false)
}

/// One step of the JSON path of the value being read.
#[derive(Clone, Copy)]
enum Step {
    Key(&'static str),
    Index(usize),
}

/// The pull reader over one line, with the line for error messages and slices, and the JSON
/// path of the value being read (formatted only for an error).
struct LineReader<'t> {
    line: &'t str,
    r: Reader<'t>,
    path: Vec<Step>,
}

impl<'t> LineReader<'t> {
    /// The path of the value being read, `policies.scps[1].policies[0]`, with `last`.
    fn at(&self, last: &str) -> String {
        let mut out = String::new();
        for step in &self.path {
            match step {
                Step::Key(k) if out.is_empty() => out.push_str(k),
                Step::Key(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                Step::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        if !last.is_empty() {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(last);
        }
        if out.is_empty() {
            "the case".into()
        } else {
            out
        }
    }

    /// Read the value at `step` with `read`.
    fn within<T>(&mut self, step: Step, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.path.push(step);
        let out = read(self);
        self.path.pop();
        out
    }

    /// Lift a syntax error to a message with its column.
    fn ok<T>(&self, read: Result<T, Box<SyntaxError>>) -> Result<T> {
        read.map_err(|e| syntax(self.line, &e))
    }

    /// Skip the next value.
    fn skip(&mut self) -> Result<()> {
        let skipped = self.r.skip_value();
        self.ok(skipped).map(drop)
    }

    /// The next value, as `serde` reads it from its slice of the line.
    fn serde<T: serde::de::DeserializeOwned>(&mut self, key: &'static str) -> Result<T> {
        let skipped = self.r.skip_value();
        let span = self.ok(skipped)?;
        let text = &self.line[span.start as usize..span.end as usize];
        serde_json::from_str(text).with_context(|| self.at(key))
    }

    /// The next value as a string.
    fn string(&mut self, key: &'static str) -> Result<String> {
        let kind = self.r.peek();
        if self.ok(kind)? != Kind::String {
            bail!("{} must be a string", self.at(key));
        }
        let read = self.r.string();
        Ok(self.ok(read)?.0.into_owned())
    }

    /// The next value as a policy document used as `ty`, read and compiled in place (named
    /// `name`).
    fn policy(&mut self, ty: PolicyType, name: &str) -> Result<CompiledPolicy> {
        CompiledPolicy::read(name, ty, &mut self.r).map_err(|e| anyhow!("{}: {e}", self.at("")))
    }

    /// `[item, ...]`, each item read by `item`.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        let begin = self.r.begin_array();
        self.ok(begin)?;
        let mut out = Vec::new();
        loop {
            let next = self.r.next_element();
            if !self.ok(next)? {
                return Ok(out);
            }
            out.push(self.within(Step::Index(out.len()), &mut item)?);
        }
    }

    /// `[{"name": ..., "policy": ...}, ...]`.
    fn named_list(&mut self, ty: PolicyType) -> Result<Vec<CompiledPolicy>> {
        self.list(|s| s.named(ty))
    }

    /// The object that is the next value: each member named in `fields` goes to `member`
    /// with its name; one of them given twice is refused ([`Seen`]); other members are
    /// skipped.
    fn object(
        &mut self,
        fields: &[&'static str],
        mut member: impl FnMut(&mut Self, &'static str) -> Result<()>,
    ) -> Result<()> {
        let begin = self.r.begin_object();
        self.ok(begin)?;
        let mut seen = Seen::default();
        loop {
            let next = self.r.next_key();
            let Some(key) = self.ok(next)? else {
                return Ok(());
            };
            match seen.known(self, &key.name, fields)? {
                Some(field) => member(self, field)?,
                None => self.skip()?,
            }
        }
    }

    /// `{"name": ..., "policy": ...}`: the policy is named by `name` once both are read.
    fn named(&mut self, ty: PolicyType) -> Result<CompiledPolicy> {
        let (mut name, mut policy) = (None, None);
        self.object(&["name", "policy"], |s, field| {
            match field {
                "name" => name = Some(s.string("name")?),
                _ => policy = Some(s.within(Step::Key("policy"), |s| s.policy(ty, ""))?),
            }
            Ok(())
        })?;
        let mut policy = policy.with_context(|| format!("{} has no policy", self.at("")))?;
        policy.name = name.with_context(|| format!("{} has no name", self.at("")))?;
        Ok(policy)
    }

    /// `[{"orgIdentifier": ..., "policies": [...]}, ...]`: SCP or RCP levels.
    fn levels(&mut self, ty: PolicyType) -> Result<Vec<Level>> {
        self.list(|s| {
            let (mut org, mut policies) = (None, None);
            s.object(&["orgIdentifier", "policies"], |s, field| {
                match field {
                    "orgIdentifier" => org = Some(s.string("orgIdentifier")?),
                    _ => policies = Some(s.within(Step::Key("policies"), |s| s.named_list(ty))?),
                }
                Ok(())
            })?;
            Ok(Level {
                org_identifier: org
                    .with_context(|| format!("{} has no orgIdentifier", s.at("")))?,
                policies: policies.with_context(|| format!("{} has no policies", s.at("")))?,
            })
        })
    }

    /// The next value's JSON text (a slice of the line).
    fn raw(&mut self) -> Result<&'t str> {
        let skipped = self.r.skip_value();
        let span = self.ok(skipped)?;
        Ok(&self.line[span.start as usize..span.end as usize])
    }

    /// A context value that is not a string, as text: its JSON text as `serde_json` writes
    /// it (`1e3` is `1000.0`), as the harness has always read such values.
    fn json_text(&mut self, key: &'static str) -> Result<String> {
        let text = self.raw()?;
        let value: Value = serde_json::from_str(text).with_context(|| self.at(key))?;
        Ok(value.to_string())
    }

    /// The `request` object.
    fn request(&mut self) -> Result<CaseRequest> {
        let (mut principal, mut action, mut resource) = (None, None, None);
        let mut r = CaseRequest {
            principal: CasePrincipal::Anonymous,
            action: String::new(),
            resource: String::new(),
            resource_account: None,
            context: Context::new(),
            wildcard_only_action: false,
            resource_reading: ResourceReading::Pattern,
        };
        self.object(&REQUEST_FIELDS, |s, field| {
            match field {
                "principal" => {
                    let kind = s.r.peek();
                    principal = Some(if s.ok(kind)? == Kind::String {
                        CasePrincipal::Arn(s.string("principal")?)
                    } else {
                        let value: Value =
                            serde_json::from_str(s.raw()?).with_context(|| s.at("principal"))?;
                        if value.get("type").and_then(Value::as_str) != Some("Anonymous") {
                            bail!("unsupported principal {value}");
                        }
                        CasePrincipal::Anonymous
                    })
                }
                "action" => action = Some(s.string("action")?),
                "resource" => resource = Some(s.string("resource")?),
                "resourceAccount" => {
                    r.resource_account = s.nullable(|s| s.string("resourceAccount"))?
                }
                "context" => r.context = s.within(Step::Key("context"), |s| s.context())?,
                "wildcardOnlyAction" => {
                    let text = s.raw()?;
                    r.wildcard_only_action = match text {
                        "true" => true,
                        "false" => false,
                        _ => bail!("{} must be true or false", s.at("wildcardOnlyAction")),
                    }
                }
                _ => {
                    r.resource_reading = match &*s.string("resourceReading")? {
                        "pattern" => ResourceReading::Pattern,
                        "literal" => ResourceReading::Literal,
                        other => bail!(
                            "{} must be \"pattern\" or \"literal\", not \"{other}\"",
                            s.at("resourceReading")
                        ),
                    }
                }
            }
            Ok(())
        })?;
        r.principal = principal.with_context(|| format!("{} has no principal", self.at("")))?;
        r.action = action.with_context(|| format!("{} has no action", self.at("")))?;
        r.resource = resource.with_context(|| format!("{} has no resource", self.at("")))?;
        Ok(r)
    }

    /// The request's `context`: each key's string, list of values, or other value as its
    /// JSON text. A key given twice is refused.
    fn context(&mut self) -> Result<Context> {
        let begin = self.r.begin_object();
        self.ok(begin)?;
        let mut ctx = Context::new();
        let mut keys: Vec<Cow<'t, str>> = Vec::new();
        loop {
            let next = self.r.next_key();
            let Some(key) = self.ok(next)? else { break };
            if keys.contains(&key.name) {
                bail!("{} is given twice", self.at(&key.name));
            }
            let kind = self.r.peek();
            match self.ok(kind)? {
                Kind::String => {
                    let read = self.r.string();
                    let value = self.ok(read)?.0;
                    ctx.set(&key.name, value.into_owned());
                }
                Kind::Array => {
                    let values = self.list(|s| {
                        let kind = s.r.peek();
                        if s.ok(kind)? == Kind::String {
                            let read = s.r.string();
                            Ok(s.ok(read)?.0.into_owned())
                        } else {
                            s.json_text("value")
                        }
                    })?;
                    ctx.set_multi(&key.name, values);
                }
                _ => {
                    let text = self.json_text("value")?;
                    ctx.set(&key.name, text);
                }
            }
            keys.push(key.name);
        }
        Ok(ctx)
    }

    /// A value that may be `null` (then `None`), else read by `read`.
    fn nullable<T>(&mut self, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<Option<T>> {
        let is_null = null(&mut self.r);
        if self.ok(is_null)? {
            return Ok(None);
        }
        read(self).map(Some)
    }

    /// The `policies` object. The resource policy's type depends on the request's action
    /// (`sts:` actions read it as a trust policy): when the request comes later in the line,
    /// its text is kept and compiled once the action is known.
    fn policies(&mut self, action: Option<&str>) -> Result<(CasePolicies, Option<String>)> {
        let mut p = CasePolicies::default();
        let mut deferred = None;
        self.object(&POLICY_FIELDS, |s, field| {
            s.within(Step::Key(field), |s| {
                match field {
                    "identity" => p.identity = s.named_list(PolicyType::Identity)?,
                    "permissionBoundaries" => {
                        p.permission_boundaries =
                            s.nullable(|s| s.named_list(PolicyType::Boundary))?
                    }
                    "session" => {
                        p.session = s.nullable(|s| s.policy(PolicyType::Session, "session"))?
                    }
                    "scps" => p.scps = s.levels(PolicyType::Scp)?,
                    "rcps" => p.rcps = s.levels(PolicyType::Rcp)?,
                    "resource" => match action {
                        Some(action) => {
                            let ty = resource_type(action);
                            p.resource = s.nullable(|s| s.policy(ty, "resource"))?
                        }
                        None => deferred = s.nullable(|s| Ok(s.raw()?.to_string()))?,
                    },
                    _ => p.vpc_endpoint = s.nullable(|s| s.named_list(PolicyType::Endpoint))?,
                }
                Ok(())
            })
        })?;
        Ok((p, deferred))
    }
}

/// The members of a case's `policies`.
const POLICY_FIELDS: [&str; 7] = [
    "identity",
    "permissionBoundaries",
    "session",
    "scps",
    "rcps",
    "resource",
    "vpcEndpoint",
];

/// The members of a case.
const CASE_FIELDS: [&str; 7] = [
    "id",
    "name",
    "mode",
    "request",
    "policies",
    "expected",
    "discoveryContextKeyConstraints",
];

/// The members of a case's `request`.
const REQUEST_FIELDS: [&str; 7] = [
    "principal",
    "action",
    "resource",
    "resourceAccount",
    "context",
    "wildcardOnlyAction",
    "resourceReading",
];

/// Which of an object's known members have been read (bit `i` for member `i` of its list):
/// a known member given twice is refused, as `serde` refuses a duplicate field, so that a
/// case that says two things is not read as the last one. Unknown members are skipped.
#[derive(Default)]
struct Seen(u32);

impl Seen {
    /// The member of `fields` that `key` names, if any, noted as read.
    fn known(
        &mut self,
        lr: &LineReader<'_>,
        key: &str,
        fields: &[&'static str],
    ) -> Result<Option<&'static str>> {
        let Some(i) = fields.iter().position(|f| *f == key) else {
            return Ok(None);
        };
        if self.0 & (1 << i) != 0 {
            bail!("{} is given twice", lr.at(key));
        }
        self.0 |= 1 << i;
        Ok(Some(fields[i]))
    }
}

/// How a case's resource policy is used: a trust policy for `sts:` actions, else a
/// resource policy.
pub(crate) fn resource_type(action: &str) -> PolicyType {
    if action.to_ascii_lowercase().starts_with("sts:") {
        PolicyType::Trust
    } else {
        PolicyType::Resource
    }
}

/// Read one line of a case file: the case, its policies compiled.
pub fn case(line: &str) -> Result<Case> {
    let mut lr = LineReader {
        line,
        r: Reader::new(line),
        path: Vec::new(),
    };
    let (mut id, mut name, mut mode) = (None, None, None);
    let (mut request, mut expected, mut constraints) =
        (None::<CaseRequest>, None::<Expected>, None);
    let mut policies = None;
    let mut deferred = None;
    lr.object(&CASE_FIELDS, |lr, field| {
        match field {
            "id" => id = Some(lr.string("id")?),
            "name" => name = Some(lr.string("name")?),
            "mode" => mode = Some(lr.string("mode")?),
            "request" => request = Some(lr.within(Step::Key("request"), |lr| lr.request())?),
            "policies" => {
                let action = request.as_ref().map(|r| r.action.as_str());
                let (p, d) = lr.within(Step::Key("policies"), |lr| lr.policies(action))?;
                policies = Some(p);
                deferred = d;
            }
            "expected" => expected = Some(lr.serde("expected")?),
            _ => {
                constraints =
                    Some(lr.serde::<Vec<KeyConstraint>>("discoveryContextKeyConstraints")?)
            }
        }
        Ok(())
    })?;
    let finished = lr.r.finish();
    lr.ok(finished)?;
    let request = request.context("the case has no request")?;
    let mut policies = policies.context("the case has no policies")?;
    if let Some(text) = deferred {
        let ty = resource_type(&request.action);
        let policy = CompiledPolicy::parse("resource", ty, &text)
            .map_err(|e| anyhow!("policies.resource: {e}"))?;
        policies.resource = Some(policy);
    }
    Ok(Case {
        id: id.context("the case has no id")?,
        name: name.context("the case has no name")?,
        mode: mode.context("the case has no mode")?,
        request: Some(request),
        policies: Some(policies),
        expected: expected.context("the case has no expected")?,
        discovery_context_key_constraints: constraints.unwrap_or_default(),
    })
}

/// Read the JSON text of a case's `request` object alone.
pub(crate) fn request(text: &str) -> Result<CaseRequest> {
    let mut lr = LineReader {
        line: text,
        r: Reader::new(text),
        path: vec![Step::Key("request")],
    };
    let request = lr.request()?;
    let finished = lr.r.finish();
    lr.ok(finished)?;
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::build;
    use iamwhy_engine::EvaluationOptions;
    use iamwhy_engine::decision::Decision;

    const ALLOW_ALL: &str =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;

    fn line(request: &str, policies: &str) -> String {
        format!(
            r#"{{"id":"t","name":"n","mode":"Strict","request":{request},"policies":{policies},"expected":{{"decision":"Allowed"}}}}"#
        )
    }

    fn decide(line: &str) -> Decision {
        let mut case = case(line).unwrap();
        let (set, req) = build(&mut case).unwrap();
        set.decide(&req, &EvaluationOptions::default())
    }

    const REQUEST: &str = r#"{"principal":"arn:aws:iam::111111111111:user/u","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{"aws:SecureTransport":"true"}}"#;

    #[test]
    fn a_case_reads_and_decides_with_its_policies_compiled_in_place() {
        let l = line(
            REQUEST,
            &format!(r#"{{"identity":[{{"name":"all","policy":{ALLOW_ALL}}}]}}"#),
        );
        assert_eq!(decide(&l), Decision::Allowed);
        let mut c = case(&l).unwrap();
        let p = c.policies.as_ref().unwrap();
        assert_eq!(p.identity[0].name, "all");
        assert_eq!(&*p.identity[0].document.source, ALLOW_ALL);
        build(&mut c).unwrap();
        assert!(build(&mut c).is_err(), "a case builds once");
    }

    #[test]
    fn a_known_key_given_twice_is_refused_and_an_unknown_key_is_skipped() {
        let policies =
            format!(r#"{{"identity":[{{"name":"all","policy":{ALLOW_ALL},"note":[1,{{}}]}}]}}"#);
        let l = line(REQUEST, &policies).replacen(
            r#""mode":"Strict""#,
            r#""mode":"Strict","extra":{"a":[1]}"#,
            1,
        );
        assert_eq!(decide(&l), Decision::Allowed);
        let twice = line(REQUEST, &policies).replacen(
            r#""mode":"Strict""#,
            r#""mode":"Strict","mode":"Discovery""#,
            1,
        );
        let e = case(&twice).err().unwrap().to_string();
        assert!(e.contains("mode is given twice"), "{e}");
        let twice = line(
            REQUEST,
            &format!(r#"{{"identity":[{{"name":"a","name":"b","policy":{ALLOW_ALL}}}]}}"#),
        );
        let e = case(&twice).err().unwrap().to_string();
        assert!(
            e.contains("policies.identity[0].name is given twice"),
            "{e}"
        );
        let ctx = REQUEST.replace(r#""aws:SecureTransport":"true""#, r#""k":"1","k":"2""#);
        let e = case(&line(&ctx, r#"{}"#)).err().unwrap().to_string();
        assert!(e.contains("request.context.k is given twice"), "{e}");
    }

    #[test]
    fn a_resource_policy_before_the_request_is_read_once_the_action_is_known() {
        let trust = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/u"},"Action":"sts:AssumeRole"}}"#;
        let request = r#"{"principal":"arn:aws:iam::111111111111:user/u","action":"sts:AssumeRole","resource":"arn:aws:iam::111111111111:role/r"}"#;
        let l = format!(
            r#"{{"id":"t","name":"n","mode":"Strict","policies":{{"resource":{trust}}},"request":{request},"expected":{{"decision":"Allowed"}}}}"#
        );
        let c = case(&l).unwrap();
        let resource = c.policies.as_ref().unwrap().resource.as_ref().unwrap();
        assert_eq!(resource.policy_type, PolicyType::Trust);
        let l = line(request, &format!(r#"{{"resource":{trust}}}"#));
        let c = case(&l).unwrap();
        let resource = c.policies.as_ref().unwrap().resource.as_ref().unwrap();
        assert_eq!(resource.policy_type, PolicyType::Trust);
    }

    #[test]
    fn context_values_that_are_not_strings_are_their_serde_json_text() {
        let ctx = REQUEST.replace(
            r#""aws:SecureTransport":"true""#,
            r#""n":1e3,"b":true,"l":["x",2,false]"#,
        );
        let r = request(&ctx).unwrap();
        assert_eq!(r.context.single_lower("n"), Some("1000.0"));
        assert_eq!(r.context.single_lower("b"), Some("true"));
        let l = r.context.get("l").unwrap();
        assert_eq!(l.values, ["x", "2", "false"]);
    }

    #[test]
    fn malformed_cases_are_errors_that_say_where() {
        let e = case(r#"{"id":"t","name":"n"#).err().unwrap().to_string();
        assert!(e.contains("not valid JSON (column"), "{e}");
        let e = case(&line(
            REQUEST,
            r#"{"identity":[{"name":"p","policy":{"Statement":{"Effect":"Allow"}}}]}"#,
        ))
        .err()
        .unwrap()
        .to_string();
        assert!(e.starts_with("policies.identity[0].policy:"), "{e}");
        let e = case(&line(r#"{"action":"s3:GetObject","resource":"*"}"#, "{}"))
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("request has no principal"), "{e}");
        let e = case(r#"{"id":"t","name":"n","mode":"Strict","request":{"principal":"arn:aws:iam::1:user/u","action":"a:b","resource":"*"},"expected":{"decision":"Allowed"}}"#)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("the case has no policies"), "{e}");
    }
}
