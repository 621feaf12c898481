//! The `Condition` element: key names against the catalog (unknown, wrong prefix, missing tag
//! key), operators against key types, values against operators, set qualifiers against
//! multivalued keys, keys the statement's actions do not support, and the network keys'
//! value formats.

use super::{ActionInfo, Ctx, StatementFacts, join, join_or, label};
use iamwhy_catalog::{ConditionKeyType, KeyInfo};
use iamwhy_policy::condition_operator::{
    BaseOperator, ConditionOperator, OperatorFamily, SetQualifier,
};
use iamwhy_policy::document::{ConditionBlock, ConditionEntry, Effect, Spanned, Statement};
use iamwhy_policy::suggest::edit_distance;
use iamwhy_policy::values::{Cidr, is_base64, is_cidr, is_date, is_decimal};
use std::net::IpAddr;

/// Condition keys that neither the Service Authorization Reference nor AWS's list of global
/// keys has, but that AWS's own managed policies use (with the policy seen using each): most
/// likely real keys AWS has not documented. Reported as IAMWHY_UNDOCUMENTED_CONDITION_KEY, not
/// as errors.
const UNDOCUMENTED_KEYS: &[(&str, &str)] = &[
    ("aws:PrincipalOrgMasterAccountId", "AWSSSOServiceRolePolicy"),
    (
        "lakeformation:GlueARN",
        "AmazonDataZoneGlueManageAccessRolePolicy",
    ),
];

/// Global tag keys that take a tag name after the slash.
const TAG_KEYS: &[&str] = &["aws:RequestTag", "aws:ResourceTag", "aws:PrincipalTag"];

pub(super) fn statement(ctx: &mut Ctx<'_>, s: &Statement, facts: &StatementFacts) {
    let Some(c) = &s.condition else {
        return;
    };
    if c.blocks.is_empty() {
        ctx.push(
            "EMPTY_OBJECT_CONDITION",
            c.span,
            Some(s.index),
            format!("{}: the Condition element is empty", label(s)),
            Some("remove the empty Condition element".to_string()),
        );
    }
    for block in &c.blocks {
        let op = ConditionOperator::parse(&block.operator.value).ok();
        if block.entries.is_empty() {
            ctx.push(
                "EMPTY_OBJECT_CONDITION",
                block.operator.span,
                Some(s.index),
                format!(
                    "{}: the operator block \"{}\" has no keys, so it tests nothing",
                    label(s),
                    block.operator.value
                ),
                Some("remove the empty block, or add the key to test".to_string()),
            );
        }
        different_case(ctx, s, block);
        for e in &block.entries {
            entry(ctx, s, facts, block, op, e);
        }
    }
    paired_keys(ctx, s);
}

/// DUPLICATE_KEYS_WITH_DIFFERENT_CASE: key names are case-insensitive, so `aws:SourceIp` and
/// `aws:sourceip` in one block are the same key twice.
fn different_case(ctx: &mut Ctx<'_>, s: &Statement, block: &ConditionBlock) {
    for (j, b) in block.entries.iter().enumerate() {
        if let Some(a) = block.entries[..j]
            .iter()
            .find(|a| a.key.value.eq_ignore_ascii_case(&b.key.value))
        {
            ctx.push(
                "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
                b.key.span,
                Some(s.index),
                format!(
                    "\"{}\" and \"{}\" are the same key (key names ignore case) twice in the \"{}\" block",
                    a.key.value, b.key.value, block.operator.value
                ),
                Some("merge the two into one key with all the values".to_string()),
            );
        }
    }
}

fn entry(
    ctx: &mut Ctx<'_>,
    s: &Statement,
    facts: &StatementFacts,
    block: &ConditionBlock,
    op: Option<ConditionOperator>,
    e: &ConditionEntry,
) {
    let at = Some(s.index);
    let key = e.key.value.as_str();
    if let Some(op) = op {
        values(ctx, s, op, e);
        if e.values.is_empty() {
            let code = match (op.qualifier, op.if_exists) {
                (Some(SetQualifier::ForAllValues), _) => "EMPTY_ARRAY_CONDITION_FORALLVALUES",
                (Some(SetQualifier::ForAnyValue), _) => "EMPTY_ARRAY_CONDITION_FORANYVALUE",
                (None, true) => "EMPTY_ARRAY_CONDITION_IFEXISTS",
                (None, false) => "EMPTY_ARRAY_CONDITION",
            };
            let meaning = match code {
                "EMPTY_ARRAY_CONDITION_FORALLVALUES" => {
                    "it is true only when the request has no value for the key"
                }
                "EMPTY_ARRAY_CONDITION_FORANYVALUE" => "it is never true",
                "EMPTY_ARRAY_CONDITION_IFEXISTS" => {
                    "it is true only when the request has no value for the key"
                }
                _ => "it matches nothing",
            };
            ctx.push(
                code,
                e.span,
                at,
                format!(
                    "\"{key}\" under \"{}\" has an empty list of values: {meaning}",
                    block.operator.value
                ),
                Some(if code == "EMPTY_ARRAY_CONDITION" {
                    "list the values to compare with".to_string()
                } else {
                    "to test that the key is absent, use \"Null\": {\"KEY\": \"true\"}".to_string()
                }),
            );
        }
    }
    // Key name.
    let Some((prefix, name)) = key
        .split_once(':')
        .filter(|(p, n)| !p.is_empty() && !n.is_empty())
    else {
        ctx.push(
            "INVALID_CONDITION_KEY_FORMAT",
            e.key.span,
            at,
            format!("\"{key}\" is not a condition key: keys are written prefix:name, such as aws:SourceIp or s3:prefix"),
            None,
        );
        return;
    };
    let info = ctx.idx.cat.condition_key(key);
    if info.is_none()
        && let Some((known, seen_in)) = UNDOCUMENTED_KEYS
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
    {
        ctx.push(
            "IAMWHY_UNDOCUMENTED_CONDITION_KEY",
            e.key.span,
            at,
            format!("\"{known}\" is in neither the Service Authorization Reference nor AWS's list of global keys, but AWS's own managed policy {seen_in} uses it: probably an undocumented key; iamwhy does not know when requests carry it, so conditions on it cannot be evaluated"),
            None,
        );
        return;
    }
    if prefix.eq_ignore_ascii_case("aws") {
        if let Some(tag) = TAG_KEYS.iter().find(|t| {
            key.eq_ignore_ascii_case(t)
                || (key.len() == t.len() + 1
                    && key[..t.len()].eq_ignore_ascii_case(t)
                    && key.ends_with('/'))
        }) {
            ctx.push(
                "MISSING_TAG_KEY_IN_CONDITION",
                e.key.span,
                at,
                format!("\"{key}\" names no tag: write {tag}/TAG-KEY"),
                Some(format!("for the tag \"owner\": \"{tag}/owner\"")),
            );
            return;
        }
        if name.eq_ignore_ascii_case("ARN") {
            ctx.push(
                "UNSUPPORTED_GLOBAL_CONDITION_KEY",
                e.key.span,
                at,
                format!("\"{key}\" is not a condition key AWS supports"),
                Some("use aws:PrincipalArn for the caller's ARN, or aws:SourceArn for the resource a service acts for".to_string()),
            );
            return;
        }
        if info.is_none() {
            if wrong_prefix(ctx, s, e, prefix, name) {
                return;
            }
            let close: Vec<String> = iamwhy_catalog::GLOBAL_KEYS
                .iter()
                .filter(|g| edit_distance(g.name, key) <= (key.len() / 4).max(1))
                .map(|g| g.name.to_string())
                .take(3)
                .collect();
            ctx.push(
                "INVALID_GLOBAL_CONDITION_KEY",
                e.key.span,
                at,
                format!("\"{key}\" is not a global condition key, so no request has it"),
                (!close.is_empty()).then(|| format!("did you mean {}?", join_or(&close))),
            );
            return;
        }
    } else if info.is_none() {
        // Keys of identity providers (`accounts.google.com:aud`,
        // `token.actions.githubusercontent.com/ORG:sub`) are only partly in the catalog: an
        // unknown one cannot be judged.
        if prefix.contains(['.', '/']) {
            return;
        }
        if wrong_prefix(ctx, s, e, prefix, name) {
            return;
        }
        let service = ctx.idx.cat.service(prefix);
        let close: Vec<String> = match service {
            Some(svc) => svc
                .condition_keys()
                .filter(|k| edit_distance(k.name(), key) <= (key.len() / 4).max(1))
                .map(|k| k.name().to_string())
                .take(3)
                .collect(),
            None => Vec::new(),
        };
        ctx.push(
            "INVALID_SERVICE_CONDITION_KEY",
            e.key.span,
            at,
            match service {
                Some(_) => format!(
                    "\"{key}\" is not a condition key of {prefix} (service catalog of {}), so no request has it",
                    iamwhy_catalog::DATA_DATE
                ),
                None => format!(
                    "\"{key}\": no service has the prefix \"{prefix}\", so no request has this key"
                ),
            },
            (!close.is_empty()).then(|| format!("did you mean {}?", join_or(&close))),
        );
        return;
    }
    let Some(info) = info else { return };
    let Some(op) = op else { return };
    key_type(ctx, s, op, e, &info);
    qualifier(ctx, s, op, e, &info);
    support(ctx, s, facts, op, e, &info);
}

/// IAMWHY_CONDITION_KEY_WRONG_PREFIX: the key exists, but under another prefix
/// (`s3:PrincipalOrgID` for `aws:PrincipalOrgID`). Reports and returns true when so.
fn wrong_prefix(
    ctx: &mut Ctx<'_>,
    s: &Statement,
    e: &ConditionEntry,
    prefix: &str,
    name: &str,
) -> bool {
    let Some(names) = ctx.idx.keys_by_name.get(&name.to_ascii_lowercase()) else {
        return false;
    };
    let names: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).take(3).collect();
    ctx.push(
        "IAMWHY_CONDITION_KEY_WRONG_PREFIX",
        e.key.span,
        Some(s.index),
        format!(
            "\"{}\" does not exist under the prefix \"{prefix}\", so no request has it; the key is {}",
            e.key.value,
            join(&names)
        ),
        Some(format!("did you mean {}?", join_or(&names))),
    );
    true
}

/// The values against the operator: type, wildcards, variables, IP ranges, booleans.
fn values(ctx: &mut Ctx<'_>, s: &Statement, op: ConditionOperator, e: &ConditionEntry) {
    let at = Some(s.index);
    let family = op.base.family();
    let name = op.base.name();
    let mut seen_true = false;
    let mut seen_false = false;
    for v in &e.values {
        let text = v.value.as_str();
        let variable = ctx.variables && text.contains("${");
        if variable && !op.base.substitutes_variables() && family != OperatorFamily::Null {
            ctx.push(
                "INVALID_VARIABLE_FOR_OPERATOR",
                v.span,
                at,
                format!("\"{text}\": {name} does not substitute policy variables, so the value is compared as written"),
                Some("policy variables work with String and Arn operators".to_string()),
            );
            continue;
        }
        match family {
            OperatorFamily::Bool | OperatorFamily::Null => {
                if text.eq_ignore_ascii_case("true") {
                    seen_true = true;
                } else if text.eq_ignore_ascii_case("false") {
                    seen_false = true;
                } else if !variable {
                    ctx.push(
                        "TYPE_MISMATCH_BOOLEAN",
                        v.span,
                        at,
                        format!("{name} compares with true or false, not \"{text}\"; this value never matches"),
                        Some("write \"true\" or \"false\"".to_string()),
                    );
                }
            }
            OperatorFamily::Numeric if !is_decimal(text) => ctx.push(
                "TYPE_MISMATCH_NUMBER",
                v.span,
                at,
                format!("{name} compares numbers; \"{text}\" is not a number, so it never matches"),
                None,
            ),
            OperatorFamily::Date if !is_date(text) => ctx.push(
                "TYPE_MISMATCH_DATE",
                v.span,
                at,
                format!("{name} compares dates; \"{text}\" is not an ISO 8601 date or epoch seconds, so it never matches"),
                Some("write a date such as 2026-01-31 or 2026-01-31T12:00:00Z".to_string()),
            ),
            OperatorFamily::Date
                if is_epoch_seconds(text) =>
            {
                ctx.push(
                    "INVALID_DATE_VALUE",
                    v.span,
                    at,
                    format!("\"{text}\" is read as epoch seconds; a date is easier to check by eye"),
                    Some("write the instant as YYYY-MM-DDThh:mm:ssZ".to_string()),
                )
            }
            OperatorFamily::Ip if !is_cidr(text) => ctx.push(
                "TYPE_MISMATCH_IP_RANGE",
                v.span,
                at,
                format!("{name} compares IP addresses; \"{text}\" is not an address or CIDR block, so it never matches"),
                Some("write a CIDR block such as 203.0.113.0/24".to_string()),
            ),
            OperatorFamily::Ip => {
                if let Some(network) = masked(text) {
                    ctx.push(
                        "IMPROVE_IP_RANGE",
                        v.span,
                        at,
                        format!("\"{text}\" has bits set after its prefix length; they are ignored, so the block is {network}"),
                        Some(format!("write \"{network}\"")),
                    );
                }
            }
            OperatorFamily::Binary if !is_base64(text) => ctx.push(
                "TYPE_MISMATCH_STRING",
                v.span,
                at,
                format!("BinaryEquals compares base64-encoded bytes; \"{text}\" is not base64, so it never matches"),
                None,
            ),
            _ => {}
        }
        let wildcard_equal = matches!(
            op.base,
            BaseOperator::StringEquals
                | BaseOperator::StringNotEquals
                | BaseOperator::StringEqualsIgnoreCase
                | BaseOperator::StringNotEqualsIgnoreCase
        );
        if wildcard_equal && has_literal_wildcard(text) {
            let like = if op.base.is_negated() {
                "StringNotLike"
            } else {
                "StringLike"
            };
            ctx.push(
                "WILDCARD_WITHOUT_LIKE_OPERATOR",
                v.span,
                at,
                format!(
                    "\"{text}\": {name} compares * and ? as plain characters, not as wildcards"
                ),
                Some(format!("to match a pattern, use {like}")),
            );
        }
    }
    if op.base == BaseOperator::Bool && seen_true && seen_false {
        ctx.push(
            "INVALID_CONDITION_MULTIPLE_BOOLEAN",
            e.span,
            at,
            format!(
                "\"{}\" is compared with both true and false, so the condition holds whatever the value",
                e.key.value
            ),
            Some("keep the one value you mean, or remove the condition".to_string()),
        );
    }
    numeric_redundancy(ctx, s, op, e);
    network_values(ctx, s, op, e);
}

/// Digits (optionally signed) that a Date operator reads as epoch seconds (four digits are a
/// year).
fn is_epoch_seconds(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits.len() != 4 || digits.len() != text.len())
}

/// `*` or `?` outside `${*}` / `${?}`.
fn has_literal_wildcard(text: &str) -> bool {
    let stripped = text.replace("${*}", "").replace("${?}", "");
    stripped.contains(['*', '?'])
}

/// The block written with host bits cleared, when the text has host bits set.
fn masked(text: &str) -> Option<String> {
    let (addr, prefix) = text.split_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    let len: u8 = prefix.parse().ok()?;
    let cidr = Cidr::parse(text)?;
    let network = match addr {
        IpAddr::V4(a) => {
            let bits = u32::from(a);
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            IpAddr::V4((bits & mask).into())
        }
        IpAddr::V6(a) => {
            let bits = u128::from(a);
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            IpAddr::V6((bits & mask).into())
        }
    };
    debug_assert!(cidr.contains(network));
    (network != addr).then(|| format!("{network}/{len}"))
}

/// REDUNDANT_CONDITION_VALUE_NUM: several values for an ordering comparison reduce to one.
fn numeric_redundancy(ctx: &mut Ctx<'_>, s: &Statement, op: ConditionOperator, e: &ConditionEntry) {
    use BaseOperator::*;
    let keep = match op.base {
        NumericLessThan | NumericLessThanEquals => "greatest",
        NumericGreaterThan | NumericGreaterThanEquals => "least",
        _ => return,
    };
    if e.values.len() > 1 && op.qualifier.is_none() {
        ctx.push(
            "REDUNDANT_CONDITION_VALUE_NUM",
            e.span,
            Some(s.index),
            format!(
                "{} with several values for \"{}\" holds when any one holds, which is the same as the {keep} value alone",
                op.base.name(),
                e.key.value
            ),
            Some(format!("keep only the {keep} value")),
        );
    }
}

/// The private IPv4 blocks and IPv6 unique-local addresses.
fn is_private(text: &str) -> Option<bool> {
    Cidr::parse(text)?;
    let (addr, len) = match text.split_once('/') {
        Some((a, l)) => (a.parse::<IpAddr>().ok()?, l.parse::<u8>().ok()?),
        None => {
            let a: IpAddr = text.parse().ok()?;
            (a, if a.is_ipv4() { 32 } else { 128 })
        }
    };
    let private = match addr {
        IpAddr::V4(a) => {
            let o = a.octets();
            (o[0] == 10 && len >= 8)
                || (o[0] == 172 && (16..32).contains(&o[1]) && len >= 12)
                || (o[0] == 192 && o[1] == 168 && len >= 16)
        }
        IpAddr::V6(a) => (a.segments()[0] & 0xfe00) == 0xfc00 && len >= 7,
    };
    Some(private)
}

/// The formats of aws:SourceIp, aws:SourceVpc and aws:SourceVpce values.
fn network_values(ctx: &mut Ctx<'_>, s: &Statement, op: ConditionOperator, e: &ConditionEntry) {
    let at = Some(s.index);
    let key = e.key.value.as_str();
    if key.eq_ignore_ascii_case("aws:SourceIp")
        && op.base.family() == OperatorFamily::Ip
        && !e.values.is_empty()
    {
        let kinds: Vec<bool> = e
            .values
            .iter()
            .filter_map(|v| is_private(&v.value))
            .collect();
        let private = kinds.iter().filter(|p| **p).count();
        let negated = op.base == BaseOperator::NotIpAddress;
        if private > 0 {
            let (code, details) = match (private == kinds.len(), negated) {
                (true, false) => (
                    "PRIVATE_IP_ADDRESS",
                    "aws:SourceIp is the public address a request comes from; these private addresses never match it",
                ),
                (true, true) => (
                    "PRIVATE_NOT_IP_ADDRESS",
                    "aws:SourceIp is the public address a request comes from; NotIpAddress on private addresses alone is always true",
                ),
                (false, false) => (
                    "PRIVATE_IP_ADDRESS_SUBSET",
                    "aws:SourceIp is the public address a request comes from; the private addresses in this list never match it",
                ),
                (false, true) => (
                    "PRIVATE_NOT_IP_ADDRESS_SUBSET",
                    "aws:SourceIp is the public address a request comes from; the private addresses in this NotIpAddress list exclude nothing",
                ),
            };
            ctx.push(
                code,
                e.span,
                at,
                details.to_string(),
                Some("for private addresses inside a VPC use aws:VpcSourceIp (with aws:SourceVpc or aws:SourceVpce)".to_string()),
            );
        }
    }
    let (prefix, code) = if key.eq_ignore_ascii_case("aws:SourceVpc") {
        ("vpc-", "INVALID_VPC_FORMAT")
    } else if key.eq_ignore_ascii_case("aws:SourceVpce") {
        ("vpce-", "INVALID_VPCE_FORMAT")
    } else {
        return;
    };
    if op.base.family() != OperatorFamily::String {
        return;
    }
    for v in &e.values {
        let text = v.value.as_str();
        if text.contains(['*', '?', '$']) {
            continue;
        }
        let ok = text.strip_prefix(prefix).is_some_and(|id| {
            (id.len() == 8 || id.len() == 17) && id.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if !ok {
            ctx.push(
                code,
                v.span,
                at,
                format!("\"{text}\" is not a {prefix} identifier ({prefix} and 8 or 17 letters and digits), so it never matches {key}"),
                None,
            );
        }
    }
}

/// TYPE_MISMATCH: the operator's family does not fit the key's type.
fn key_type(
    ctx: &mut Ctx<'_>,
    s: &Statement,
    op: ConditionOperator,
    e: &ConditionEntry,
    info: &KeyInfo,
) {
    use ConditionKeyType as T;
    use OperatorFamily as F;
    let family = op.base.family();
    let element = info.key_type.element();
    let fits = match (family, element) {
        (F::Null, _) => true,
        (F::String, T::String | T::Arn) => true,
        (F::Arn, T::Arn) => true,
        // An Arn operator on a String key whose values are ARNs compares them as ARNs, which
        // is what the author means (`kms:EncryptionContext:aws:sso:instance-arn`).
        (F::Arn, T::String) => e.values.iter().all(|v| v.value.starts_with("arn:")),
        (F::Numeric, T::Numeric) => true,
        (F::Numeric, T::Date) => info.name.eq_ignore_ascii_case("aws:EpochTime"),
        (F::Date, T::Date) => true,
        (F::Bool, T::Bool) => true,
        (F::Binary, T::Binary) => true,
        (F::Ip, T::IpAddress) => true,
        _ => false,
    };
    if fits {
        return;
    }
    let wanted = match element {
        T::String => "String",
        T::Arn => "Arn or String",
        T::Numeric => "Numeric",
        T::Date => "Date",
        T::Bool => "Bool",
        T::Binary => "BinaryEquals",
        T::IpAddress => "IpAddress/NotIpAddress",
        _ => "matching",
    };
    ctx.push(
        "TYPE_MISMATCH",
        e.key.span,
        Some(s.index),
        format!(
            "\"{}\" is a {} key; {} compares it as {}",
            e.key.value,
            info.key_type,
            op.canonical_name(),
            match family {
                F::String => "a string",
                F::Arn => "an ARN",
                F::Numeric => "a number",
                F::Date => "a date",
                F::Bool => "a boolean",
                F::Binary => "bytes",
                F::Ip => "an IP address",
                F::Null => "present or absent",
            }
        ),
        Some(format!("use a {wanted} operator")),
    );
}

/// MISSING_QUALIFIER and FORALLVALUES_WITH_SINGLE_VALUED_KEY.
fn qualifier(
    ctx: &mut Ctx<'_>,
    s: &Statement,
    op: ConditionOperator,
    e: &ConditionEntry,
    info: &KeyInfo,
) {
    if op.base == BaseOperator::Null {
        return;
    }
    match (op.qualifier, info.is_multivalued()) {
        (None, true) => ctx.push(
            "MISSING_QUALIFIER",
            e.key.span,
            Some(s.index),
            format!(
                "\"{}\" is multivalued ({}), but {} has no ForAllValues: or ForAnyValue: to say how its values combine",
                e.key.value,
                info.key_type,
                op.canonical_name()
            ),
            Some(format!(
                "write ForAnyValue:{0} (some value matches) or ForAllValues:{0} (every value matches; true when there are none)",
                op.canonical_name()
            )),
        ),
        (Some(SetQualifier::ForAllValues), false) => ctx.push(
            "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
            e.key.span,
            Some(s.index),
            format!(
                "\"{}\" is single-valued; ForAllValues: is also true when the request has no value for it, so {} holds for requests without the key",
                e.key.value,
                op.canonical_name()
            ),
            Some(format!(
                "write {} without ForAllValues: (requests without the key then no longer match)",
                op.base.name()
            )),
        ),
        _ => {}
    }
}

/// Keys the statement's actions do not support (the request never has them), and AWS's tag
/// checks per service.
fn support(
    ctx: &mut Ctx<'_>,
    s: &Statement,
    facts: &StatementFacts,
    op: ConditionOperator,
    e: &ConditionEntry,
    info: &KeyInfo,
) {
    // Only a positive test without IfExists needs the key: absent, it is false.
    if op.if_exists || op.base.is_negated() || op.base == BaseOperator::Null {
        return;
    }
    let key = e.key.value.as_str();
    let tag_key = is_tag_key(key);
    if info.global.is_some() && !tag_key {
        return;
    }
    if s.action.negated {
        if tag_key {
            let code = match s.effect.value {
                Effect::Allow => "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
                Effect::Deny => "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
            };
            let consequence = match s.effect.value {
                Effect::Allow => "the statement allows only actions of services that support it",
                Effect::Deny => "actions of services that do not support it are not denied",
            };
            ctx.push(
                code,
                e.key.span,
                Some(s.index),
                format!("{} uses NotAction with the tag key \"{key}\", which many services do not support: {consequence}", label(s)),
                Some("list the actions (Action) that support the key instead of NotAction".to_string()),
            );
        }
        return;
    }
    let mut unsupported: Vec<(String, String)> = Vec::new();
    let mut any_supported = false;
    let mut known = true;
    for (v, a) in s.action.values.iter().zip(&facts.actions) {
        match a {
            ActionInfo::Known(actions) => {
                if actions.iter().any(|x| x.supports_condition_key(key)) {
                    any_supported = true;
                } else {
                    let service = actions[0].service().prefix().to_string();
                    unsupported.push((service, v.value.clone()));
                }
            }
            _ => known = false,
        }
    }
    if unsupported.is_empty() {
        return;
    }
    if tag_key {
        let mut services: Vec<String> = unsupported.iter().map(|(s, _)| s.clone()).collect();
        services.sort();
        services.dedup();
        let actions: Vec<String> = unsupported
            .iter()
            .map(|(_, a)| format!("\"{a}\""))
            .collect();
        let (code, consequence) = match s.effect.value {
            Effect::Allow => (
                "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
                "so the statement never allows them",
            ),
            Effect::Deny => (
                "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
                "so the statement never denies them",
            ),
        };
        ctx.push(
            code,
            e.key.span,
            Some(s.index),
            format!(
                "{} ({}) do not support \"{key}\": requests for them never carry it, {consequence}",
                join(&actions),
                join(&services)
            ),
            Some("move those actions to their own statement, controlled by resource names instead of tags".to_string()),
        );
        return;
    }
    if !known || any_supported {
        return;
    }
    // The catalog is reliable about which service a key belongs to, less about which of the
    // service's actions list it: report only keys of a service none of the actions is of.
    let key_service = key
        .split_once(':')
        .map(|(p, _)| p.to_ascii_lowercase())
        .unwrap_or_default();
    let same_service = s
        .action
        .values
        .iter()
        .zip(&facts.actions)
        .any(|(_, a)| match a {
            ActionInfo::Known(actions) => {
                actions.iter().any(|x| x.service().prefix() == key_service)
            }
            _ => false,
        });
    if same_service {
        return;
    }
    let actions: Vec<String> = unsupported
        .iter()
        .map(|(_, a)| format!("\"{a}\""))
        .collect();
    ctx.push(
        "IAMWHY_CONDITION_KEY_UNSUPPORTED",
        e.key.span,
        Some(s.index),
        format!(
            "no action of {} supports \"{key}\" ({}), so requests never carry it and the condition is never true: the statement {} nothing",
            label(s),
            join(&actions),
            if s.effect.value == Effect::Allow { "allows" } else { "denies" }
        ),
        Some("use a key the actions support (`iamwhy actions SERVICE:ACTION` lists them), or move the condition to the statement of the actions that do".to_string()),
    );
}

/// `aws:ResourceTag/...`, `aws:RequestTag/...`, `aws:TagKeys`: the tag keys services support
/// action by action.
fn is_tag_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.starts_with("aws:resourcetag/")
        || lower.starts_with("aws:requesttag/")
        || lower == "aws:tagkeys"
}

/// MISSING_PAIRED_CONDITION_KEYS: aws:VpcSourceIp means something only with the VPC named.
fn paired_keys(ctx: &mut Ctx<'_>, s: &Statement) {
    let Some(c) = &s.condition else { return };
    let keys: Vec<&Spanned<String>> = c
        .blocks
        .iter()
        .flat_map(|b| b.entries.iter().map(|e| &e.key))
        .collect();
    let has = |k: &str| keys.iter().any(|x| x.value.eq_ignore_ascii_case(k));
    if let Some(vpc_ip) = keys
        .iter()
        .find(|k| k.value.eq_ignore_ascii_case("aws:VpcSourceIp"))
        && !has("aws:SourceVpc")
        && !has("aws:SourceVpce")
    {
        ctx.push(
            "MISSING_PAIRED_CONDITION_KEYS",
            vpc_ip.span,
            Some(s.index),
            "aws:VpcSourceIp alone matches that private address in any VPC, including other accounts' VPCs".to_string(),
            Some("add aws:SourceVpc or aws:SourceVpce to the same statement".to_string()),
        );
    }
}
