//! When the world does not hold the caller or the resource: say exactly what is missing from
//! the snapshot, and simulate the side that is there — the resource's policy and RCPs for "a
//! principal of account X" when only the resource's account is in the world, or the caller's
//! own policies and SCPs when only the caller's is.

use iamwhy_engine::{
    Context, Evaluation, EvaluationOptions, LayerStatus, PolicySet, Principal, Request,
    RequestResource,
};
use iamwhy_world::{Question, World, is_multivalued};
use serde::Serialize;

/// The side of a request that could be simulated.
#[derive(Debug, Clone, Serialize)]
pub struct SideResult {
    /// `resource` (the resource policy and RCPs) or `caller` (identity policies, boundary,
    /// SCPs).
    pub side: &'static str,
    /// One sentence per layer that was evaluated.
    pub findings: Vec<String>,
    /// The evaluation of that side alone (the other side's layers are absent from it).
    pub evaluation: Evaluation,
}

/// What the world lacks for a request, and what could still be simulated.
#[derive(Debug, Clone, Serialize)]
pub struct Partial {
    /// What the snapshot does not hold, one sentence each.
    pub missing: Vec<String>,
    /// The side that is in the world, simulated on its own.
    pub simulated: Option<SideResult>,
}

fn context_of(q: &Question) -> Context {
    let mut ctx = Context::new();
    let mut keys: Vec<&str> = Vec::new();
    for (k, _) in &q.context {
        if !keys.iter().any(|x| x.eq_ignore_ascii_case(k)) {
            keys.push(k);
        }
    }
    for key in keys {
        let values: Vec<String> = q
            .context
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.clone())
            .collect();
        if values.len() == 1 && !is_multivalued(key) {
            ctx.set(key, values[0].clone());
        } else {
            ctx.set_multi(key, values);
        }
    }
    ctx
}

fn verdict(e: &Evaluation, layer: iamwhy_engine::Layer) -> Option<&'static str> {
    e.layers
        .iter()
        .find(|l| l.layer == layer)
        .map(|l| match l.status {
            LayerStatus::Allow => "allows",
            LayerStatus::Deny => "denies",
            LayerStatus::NoAllow => "does not allow",
            LayerStatus::Absent => "is absent",
            LayerStatus::NotApplicable => "does not apply",
        })
}

/// What is missing for `q`, and the side of it the world can simulate. `None` when nothing
/// is missing (the request can be prepared whole).
pub fn partial(world: &World, q: &Question) -> Option<Partial> {
    let caller = world.resolve_principal(&q.principal, q.federated_by.as_deref());
    let resource = world.resolve_resource(&q.action, &q.resource, q.resource_account.as_deref());
    let mut missing = Vec::new();
    if let Err(d) = &caller {
        missing.push(format!("the caller: {}", d.message));
    }
    if let Err(d) = &resource {
        missing.push(format!("the resource: {}", d.message));
    }
    if missing.is_empty() {
        return None;
    }
    let opts = EvaluationOptions::default();
    let simulated = match (caller, resource) {
        (Err(_), Ok(r)) => {
            let principal = Principal::parse(&q.principal).ok()?;
            let account = principal.account.clone().unwrap_or_else(|| "?".into());
            let mut set =
                PolicySet::new().with_identity(Vec::<iamwhy_engine::CompiledPolicy>::new());
            if let Some(p) = &r.policy {
                set = set.with_resource(p.clone());
            }
            if let Some(owner) = &r.owner {
                for level in world.resource_organization(owner).levels {
                    set = set.with_rcp_level(level.target, level.policies);
                }
            }
            let mut req = Request::new(
                principal,
                &q.action,
                RequestResource::parse(&q.resource),
                context_of(q),
            )
            .ok()?;
            req.resource_account = r.owner.clone();
            let e = set.evaluate(&req, &opts);
            let who = format!("a principal of account {account} ({})", q.principal);
            let mut findings = Vec::new();
            match verdict(&e, iamwhy_engine::Layer::Resource) {
                Some(v) => findings.push(format!("the resource's policy {v} {who}")),
                None => findings.push(format!(
                    "{} has no resource policy in the snapshot: across accounts, only the caller's own policies could allow it, and a policy-less resource refuses other accounts",
                    q.resource
                )),
            }
            if let Some(v) = verdict(&e, iamwhy_engine::Layer::Rcp) {
                findings.push(format!("the resource control policies {v} it"));
            }
            findings.push(format!(
                "the caller's own policies are unknown: account {account} is not in the snapshot"
            ));
            Some(SideResult {
                side: "resource",
                findings,
                evaluation: e,
            })
        }
        (Ok(c), Err(_)) => {
            let mut set = PolicySet::new().with_identity(c.identity.clone());
            if let Some(b) = &c.boundary {
                set = set.with_boundary(vec![b.clone()]);
            }
            if c.principal.is_iam_identity() {
                for level in world.principal_organization(&c.account).levels {
                    set = set.with_scp_level(level.target, level.policies);
                }
            }
            let mut ctx = context_of(q);
            for k in &c.keys {
                if ctx.get(&k.key).is_none() {
                    ctx.set_multi(&k.key, k.values.clone());
                }
            }
            let mut req = Request::new(
                c.principal.clone(),
                &q.action,
                RequestResource::parse(&q.resource),
                ctx,
            )
            .ok()?;
            req.principal_has_boundary = c.boundary.is_some();
            let e = set.evaluate(&req, &opts);
            let mut findings = Vec::new();
            if let Some(v) = verdict(&e, iamwhy_engine::Layer::Identity) {
                findings.push(format!("the caller's identity-based policies {v} it"));
            }
            if let Some(v) = verdict(&e, iamwhy_engine::Layer::PermissionsBoundary) {
                findings.push(format!("its permissions boundary {v} it"));
            }
            if let Some(v) = verdict(&e, iamwhy_engine::Layer::Scp) {
                findings.push(format!("the service control policies {v} it"));
            }
            findings.push(
                "the resource's policy and its RCPs are unknown: its account is not in the snapshot"
                    .into(),
            );
            Some(SideResult {
                side: "caller",
                findings,
                evaluation: e,
            })
        }
        _ => None,
    };
    Some(Partial { missing, simulated })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_caller_still_gets_the_resource_side() {
        let world = iamwhy_world::demo::demo_world().unwrap();
        let q = Question {
            principal: "arn:aws:iam::999988887777:user/outsider".into(),
            action: "s3:GetObject".into(),
            resource: "arn:aws:s3:::prod-app-customer-data/orders/x.csv".into(),
            ..Question::default()
        };
        let p = partial(&world, &q).expect("the caller is missing");
        assert!(p.missing[0].contains("999988887777"), "{:?}", p.missing);
        let side = p.simulated.expect("the resource side");
        assert_eq!(side.side, "resource");
        assert!(
            side.findings[0]
                .starts_with("the resource's policy denies a principal of account 999988887777"),
            "{:?}",
            side.findings
        );
    }

    #[test]
    fn a_known_request_is_not_partial() {
        let world = iamwhy_world::demo::demo_world().unwrap();
        let q = Question {
            principal: "arn:aws:iam::333333333333:user/bob".into(),
            action: "ec2:RunInstances".into(),
            resource: "*".into(),
            ..Question::default()
        };
        assert!(partial(&world, &q).is_none());
    }
}
