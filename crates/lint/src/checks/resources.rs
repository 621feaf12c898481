//! `Resource` / `NotResource`: each ARN's fields against the catalog's ARN templates, and the
//! statement's actions against its resources (an action none of the resources can be, a
//! resource no action applies to, an action that only takes `*`).

use super::{ActionInfo, Ctx, StatementFacts, has_wildcard, join, join_or, label};
use crate::arnmatch::{self, Cls};
use iamwhy_policy::PolicyType;
use iamwhy_policy::arn::{ResourcePattern, split_pattern_fields};
use iamwhy_policy::document::{Spanned, Statement};
use iamwhy_policy::wildcard::Token;

/// Partitions AWS has (`aws`, China, GovCloud, the isolated and sovereign ones).
const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

pub(super) fn statement(ctx: &mut Ctx<'_>, s: &Statement, facts: &StatementFacts) {
    let Some(r) = &s.resource else {
        return;
    };
    let element = if r.negated { "NotResource" } else { "Resource" };
    if r.values.is_empty() {
        ctx.push(
            "EMPTY_ARRAY_RESOURCE",
            r.span,
            Some(s.index),
            format!(
                "{}: {element} is an empty list, so the statement matches no resource",
                label(s)
            ),
            Some("list the resources, or remove the statement".to_string()),
        );
    }
    let compiled = ctx.compiled;
    let patterns: &[ResourcePattern] = compiled.statements[s.index]
        .resources
        .as_ref()
        .map(|r| r.patterns.as_slice())
        .unwrap_or(&[]);
    for (v, p) in r.values.iter().zip(patterns) {
        value(ctx, s, v, p);
    }
    redundant(ctx, s, patterns);
    if !r.negated {
        against_actions(ctx, s, facts);
    }
}

/// Whether a field has a wildcard or a policy variable (its value is not known).
fn open(field: &str, variables: bool) -> bool {
    has_wildcard(field) || (variables && field.contains("${"))
}

fn value(ctx: &mut Ctx<'_>, s: &Statement, v: &Spanned<String>, pattern: &ResourcePattern) {
    let text = v.value.as_str();
    if text == "*" {
        return;
    }
    let at = Some(s.index);
    if let ResourcePattern::Never { reason } = pattern {
        if iamwhy_policy::source::starts_with_ignore_ascii_case(text, "arn:") {
            ctx.push(
                "MISSING_ARN_FIELD",
                v.span,
                at,
                format!("\"{text}\": {reason}"),
                Some("write the ARN with all six fields: arn:partition:service:region:account:resource (use * for a field that may be anything)".to_string()),
            );
        } else {
            ctx.push(
                "INVALID_ARN_PREFIX",
                v.span,
                at,
                format!("\"{text}\" is neither \"*\" nor an ARN, so it matches no resource"),
                Some(format!(
                    "write it as an ARN: \"arn:aws:SERVICE:REGION:ACCOUNT:{text}\""
                )),
            );
        }
        return;
    }
    let fields = split_pattern_fields(text, ctx.variables);
    if fields.len() < 6 {
        // A short ARN that this policy type pads with `*` (identity policies).
        return;
    }
    let (partition, service, region, account) = (fields[1], fields[2], fields[3], fields[4]);
    if !open(partition, ctx.variables)
        && !PARTITIONS.iter().any(|p| p.eq_ignore_ascii_case(partition))
    {
        ctx.push(
            "INVALID_PARTITION",
            v.span,
            at,
            format!("\"{text}\": \"{partition}\" is not an AWS partition"),
            Some(format!("use one of {}", PARTITIONS.join(", "))),
        );
    }
    if has_wildcard(service) {
        ctx.push(
            "WILDCARD_IN_SERVICE_NAME",
            v.span,
            at,
            format!(
                "\"{text}\": the wildcard in the service \"{service}\" can match services you did not mean, today's and future ones"
            ),
            Some("name the service".to_string()),
        );
        return;
    }
    if open(service, ctx.variables) {
        return;
    }
    if service != service.to_ascii_lowercase() {
        ctx.push(
            "INVALID_ARN_SERVICE_CASE",
            v.span,
            at,
            format!("\"{text}\": the service \"{service}\" must be written in lower case"),
            Some(format!("write \"{}\"", service.to_ascii_lowercase())),
        );
    }
    let service_lower = service.to_ascii_lowercase();
    let ids = ctx.idx.service_templates(&service_lower).to_vec();
    if ids.is_empty() {
        // A service whose actions all take "*" has no ARN templates: the statement-level
        // checks say what its ARN means for the statement's actions.
        if ctx.idx.cat.service(&service_lower).is_none() {
            ctx.push(
                "INVALID_SERVICE",
                v.span,
                at,
                format!(
                    "\"{text}\": no AWS service has ARNs of the service \"{service}\" (service catalog of {}), so the ARN matches nothing",
                    iamwhy_catalog::DATA_DATE
                ),
                None,
            );
        }
        return;
    }
    let templates: Vec<&arnmatch::TemplateClasses> = ids
        .iter()
        .map(|&i| &ctx.idx.templates[i as usize])
        .collect();
    if !region.is_empty() && !open(region, ctx.variables) {
        if !is_region(region) {
            ctx.push(
                "INVALID_ARN_REGION",
                v.span,
                at,
                format!("\"{text}\": \"{region}\" is not a Region code"),
                Some("use a Region code such as us-east-1, or * for any Region".to_string()),
            );
        } else if templates
            .iter()
            .filter(|t| t.service.is_some())
            .all(|t| t.region_empty)
        {
            ctx.push(
                "ARN_REGION_NOT_ALLOWED",
                v.span,
                at,
                format!("\"{text}\": {service} ARNs have no Region, so this ARN matches nothing"),
                Some("leave the Region field empty (arn:aws:SERVICE::...)".to_string()),
            );
        }
    }
    if !account.is_empty() && !open(account, ctx.variables) {
        let id_like = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        if !id_like && account != "aws" {
            ctx.push(
                "INVALID_ARN_ACCOUNT",
                v.span,
                at,
                format!("\"{text}\": \"{account}\" is not a 12-digit account id"),
                None,
            );
        } else if templates
            .iter()
            .filter(|t| t.service.is_some())
            .all(|t| t.account_empty)
        {
            ctx.push(
                "ARN_ACCOUNT_NOT_ALLOWED",
                v.span,
                at,
                format!(
                    "\"{text}\": {service} ARNs have no account id, so this ARN matches nothing"
                ),
                Some("leave the account field empty (arn:aws:SERVICE:REGION::...)".to_string()),
            );
        }
    }
    let resource = arnmatch::policy_field(fields[5], false, ctx.variables);
    if !templates
        .iter()
        .any(|t| arnmatch::overlaps(&resource, &t.fields[5]))
    {
        let shapes: Vec<String> = ctx
            .idx
            .cat
            .services()
            .flat_map(|svc| svc.resource_types())
            .flat_map(|rt| rt.arn_templates())
            .filter(|t| t.split(':').nth(2).is_some_and(|s| s == service_lower))
            .take(4)
            .map(|t| format!("`{t}`"))
            .collect();
        // Is the resource type itself one the catalog knows? Then the shape is wrong (an
        // error); else the catalog may lack the type (a warning).
        let word = arnmatch::type_word(fields[5]).filter(|w| !(ctx.variables && w.contains("${")));
        let known_type = match word {
            None => true,
            Some(w) => {
                let pattern = iamwhy_policy::wildcard::Wildcard::compile(w);
                // Templates for every service (`arn:${Partition}:${Vendor}:...`) say nothing
                // about this service's types.
                templates
                    .iter()
                    .filter(|t| t.service.is_some())
                    .any(|t| match &t.word {
                        None => true,
                        Some(tw) => pattern.matches(tw),
                    })
            }
        };
        if known_type {
            ctx.push(
                "INVALID_ARN_RESOURCE",
                v.span,
                at,
                format!(
                    "\"{text}\": the resource part \"{}\" fits no {service} resource type, so the ARN matches nothing",
                    fields[5]
                ),
                Some(format!("{service} ARNs look like {}", join_or(&shapes))),
            );
        } else {
            ctx.push(
                "IAMWHY_UNKNOWN_RESOURCE_TYPE",
                v.span,
                at,
                format!(
                    "\"{text}\": the service catalog of {} has no {service} resource type \"{}\"; if the type exists, no action in the catalog acts on it, so iamwhy cannot say what the ARN matches",
                    iamwhy_catalog::DATA_DATE,
                    word.unwrap_or("")
                ),
                Some(format!("{service} ARNs in the catalog look like {}", join_or(&shapes))),
            );
        }
    }
    if let Some(rt) = ctx.pc.resource_type
        && !rt.arn_services.is_empty()
        && !rt.arn_services.contains(&service_lower.as_str())
    {
        ctx.push(
            "UNSUPPORTED_RESOURCE_ARN_IN_POLICY",
            v.span,
            at,
            format!(
                "\"{text}\" is a {service} ARN; a policy attached to {} only governs {} resources",
                rt.name,
                rt.arn_services.join(", ")
            ),
            None,
        );
    }
}

/// A Region code: `us-east-1`, `us-gov-west-1`, `cn-north-1`, `eu-isoe-west-1`.
fn is_region(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// REDUNDANT_RESOURCE: a value another value of the element already covers, field by field.
/// Values without wildcards are tested against the wildcard values by matching.
fn redundant(ctx: &mut Ctx<'_>, s: &Statement, patterns: &[ResourcePattern]) {
    let Some(r) = &s.resource else {
        return;
    };
    let fields: Vec<Option<Vec<Vec<Token>>>> = r
        .values
        .iter()
        .map(|v| token_fields(&v.value, ctx.variables))
        .collect();
    let wild: Vec<usize> = (0..r.values.len())
        .filter(|&i| fields[i].is_some() && has_wildcard(&r.values[i].value))
        .collect();
    let mut seen: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    for (j, b) in r.values.iter().enumerate() {
        let Some(fb) = &fields[j] else { continue };
        let cover = if !has_wildcard(&b.value) {
            let dup = match seen.get(b.value.as_str()) {
                Some(&i) => Some(i),
                None => {
                    seen.insert(b.value.as_str(), j);
                    None
                }
            };
            dup.or_else(|| {
                let target = iamwhy_policy::arn::ArnTarget::new(&b.value)?;
                wild.iter().copied().find(|&i| {
                    patterns
                        .get(i)
                        .is_some_and(|p| p.matches(&target, |_| None))
                })
            })
        } else {
            wild.iter().copied().find(|&i| {
                if i == j {
                    return false;
                }
                let Some(fa) = &fields[i] else { return false };
                if fa == fb {
                    return i < j;
                }
                fa.iter().zip(fb).all(|(a, b)| super::pattern_covers(a, b))
            })
        };
        if let Some(i) = cover {
            ctx.push(
                "REDUNDANT_RESOURCE",
                b.span,
                Some(s.index),
                format!(
                    "\"{}\" is redundant: \"{}\" in the same statement already matches every resource it matches",
                    b.value, r.values[i].value
                ),
                Some(format!("remove \"{}\"", b.value)),
            );
        }
    }
}

/// Six fields as wildcard tokens (first five lowercased); `None` for values with policy
/// variables (their meaning depends on the request) or that are not ARNs.
fn token_fields(text: &str, variables: bool) -> Option<Vec<Vec<Token>>> {
    if variables && text.contains("${") {
        return None;
    }
    if text == "*" {
        return Some(vec![vec![Token::AnyRun]; 6]);
    }
    let fields = split_pattern_fields(text, variables);
    if fields.len() != 6 || !fields[0].eq_ignore_ascii_case("arn") {
        return None;
    }
    Some(
        fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let f = if i < 5 {
                    f.to_ascii_lowercase()
                } else {
                    f.to_string()
                };
                iamwhy_policy::wildcard::tokens(&f).collect()
            })
            .collect(),
    )
}

/// The statement's actions against its resources (only with `Action` and `Resource`, no `*`).
fn against_actions(ctx: &mut Ctx<'_>, s: &Statement, facts: &StatementFacts) {
    let Some(r) = &s.resource else {
        return;
    };
    if s.action.negated || r.values.iter().any(|v| v.value == "*") {
        return;
    }
    let arns: Vec<Option<[Vec<Cls>; 6]>> = r
        .values
        .iter()
        .map(|v| arnmatch::policy_arn(&v.value, ctx.variables))
        .collect();
    if arns.iter().any(Option::is_none) {
        // A malformed or short ARN: already reported, and it makes the match unknowable.
        return;
    }
    let arns: Vec<[Vec<Cls>; 6]> = arns.into_iter().flatten().collect();
    let mut used = vec![false; arns.len()];
    let mut all_known = true;
    // Many actions share resource types: decide each (type, ARN) pair once.
    let mut memo: rustc_hash::FxHashMap<(crate::index::RtKey, usize), bool> =
        rustc_hash::FxHashMap::default();
    for (v, info) in s.action.values.iter().zip(&facts.actions) {
        let actions = match info {
            ActionInfo::Known(a) => a,
            _ => {
                all_known = false;
                continue;
            }
        };
        let mut any_fit = false;
        for a in actions {
            if a.is_wildcard_only() {
                continue;
            }
            for art in a.resource_types() {
                let rt = art.resource_type();
                for (k, arn) in arns.iter().enumerate() {
                    let fits = *memo
                        .entry((crate::index::rt_key(rt), k))
                        .or_insert_with(|| ctx.idx.resource_type_fits(rt, arn));
                    if fits {
                        any_fit = true;
                        used[k] = true;
                    }
                }
            }
        }
        if any_fit {
            continue;
        }
        let values: Vec<String> = r
            .values
            .iter()
            .map(|x| format!("\"{}\"", x.value))
            .collect();
        if actions.iter().all(|a| a.is_wildcard_only()) {
            ctx.push(
                "IAMWHY_WILDCARD_ONLY_ACTION_WITH_RESOURCE",
                v.span,
                Some(s.index),
                format!(
                    "\"{}\" takes no resource (only \"Resource\": \"*\" applies to it), so {} grants or denies it on nothing",
                    v.value,
                    label(s)
                ),
                Some(format!(
                    "move \"{}\" to a statement with \"Resource\": \"*\"",
                    v.value
                )),
            );
        } else {
            let types: Vec<String> = actions
                .iter()
                .take(1)
                .flat_map(|a| a.arn_templates())
                .take(3)
                .map(|t| format!("`{t}`"))
                .collect();
            ctx.push(
                "IAMWHY_RESOURCE_MISMATCH",
                v.span,
                Some(s.index),
                format!(
                    "\"{}\" acts on none of {}, so {} {} it on nothing",
                    v.value,
                    join(&values),
                    label(s),
                    if s.effect.value == iamwhy_policy::Effect::Allow {
                        "grants"
                    } else {
                        "denies"
                    }
                ),
                (!types.is_empty()).then(|| format!("its resources look like {}", join(&types))),
            );
        }
    }
    if all_known && ctx.ty != PolicyType::Scp && ctx.ty != PolicyType::Rcp {
        for (k, v) in r.values.iter().enumerate() {
            if !used[k] {
                ctx.push(
                    "IAMWHY_UNUSED_RESOURCE",
                    v.span,
                    Some(s.index),
                    format!(
                        "no action of {} applies to \"{}\", so listing it changes nothing",
                        label(s),
                        v.value
                    ),
                    Some(format!(
                        "remove \"{}\" or add the actions meant for it",
                        v.value
                    )),
                );
            }
        }
    }
}
