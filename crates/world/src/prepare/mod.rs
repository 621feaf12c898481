//! Turning a question about the world ("may this principal do this action on this resource?")
//! into the engine's inputs, in named steps:
//!
//! 1. the principal ([`World::resolve_principal`]) → its identity policies, boundary and
//!    principal keys;
//! 2. the organization over the principal's account ([`World::principal_organization`]) →
//!    SCP levels;
//! 3. the resource ([`World::resolve_resource`]) → owner, governing policy, tags;
//! 4. the organization over the resource's owner ([`World::resource_organization`]) → RCP
//!    levels;
//! 5. the request's own keys: region, time, transport;
//! 6. the VPC endpoint ([`World::resolve_endpoint`]) → its policy and keys;
//! 7. the session policy.
//!
//! Every key completed along the way is recorded with its source ([`ContextReport`]); keys
//! the question gives always win. [`World::prepare`] is the one function every command (check,
//! explain, the simulators, the analyses) calls to turn a question into a prepared request.

mod context;
mod endpoint;
mod organization;
mod principal;
mod resource;

pub use context::{ContextEntry, ContextReport, InferredKey, is_multivalued};
pub use endpoint::{ResolvedEndpoint, default_endpoint_policy};
pub use organization::OrganizationSide;
pub use principal::{Entity, ResolvedPrincipal};
pub use resource::{ResolvedResource, is_trust_action};

pub(crate) use principal::{role_policies, user_policies};

use crate::model::World;
use context::ContextBuilder;
use iamwhy_diagnostic::Diagnostic;
use iamwhy_engine::{CompiledPolicy, PolicySet, Request, RequestResource};
use iamwhy_policy::values::Instant;
use iamwhy_policy::{Arn, PolicyDocument, PolicyType};
use std::sync::Arc;

/// A question about the world.
#[derive(Debug, Clone, Default)]
pub struct Question {
    /// Principal: user, role, role-session or root ARN, an account id (root), a service
    /// principal (`s3.amazonaws.com`), or `anonymous`.
    pub principal: String,
    /// `service:Action`.
    pub action: String,
    /// Resource ARN, or `*` for actions without resources.
    pub resource: String,
    /// Given context keys in order; a key given several times becomes multivalued.
    pub context: Vec<(String, String)>,
    /// A session policy document (JSON text).
    pub session_policy: Option<String>,
    /// The VPC endpoint the request goes through.
    pub source_vpce: Option<String>,
    /// The resource owner, for ARNs without an account that the world cannot place.
    pub resource_account: Option<String>,
    /// The time to use for `aws:CurrentTime`/`aws:EpochTime` (ISO 8601); now when absent.
    pub now: Option<String>,
    /// For a federated-user principal (GetFederationToken session): the IAM user that created
    /// it, whose policies the session inherits (no snapshot records which user it was).
    pub federated_by: Option<String>,
}

/// Everything the engine needs, plus what was assumed.
pub struct Prepared {
    /// The policies of every layer.
    pub set: PolicySet,
    /// The request.
    pub request: Request,
    /// Given and inferred context.
    pub context: ContextReport,
    /// Facts about how the question was read (role path recovered, exemptions ...).
    pub notes: Vec<String>,
}

/// The principal steps (1 and 2) of [`World::prepare`] done once, to prepare many questions
/// that share a principal, its `federated_by` and its given context (the analyses: one
/// principal over many actions and resources). [`World::prepare_with_principal`] continues
/// from it exactly as [`World::prepare`] continues after step 2.
pub struct PreparedPrincipal<'w> {
    who: ResolvedPrincipal<'w>,
    /// The given context with the principal's and its organization's keys completed.
    ctx: ContextBuilder,
    /// Identity policies, boundary and SCP levels.
    set: PolicySet,
    notes: Vec<String>,
    principal_in_management: bool,
}

impl World {
    /// Answer the preparatory part of a question: who, which policies, which context.
    pub fn prepare(&self, q: &Question) -> Result<Prepared, Diagnostic> {
        let PreparedPrincipal {
            mut who,
            ctx,
            set,
            notes,
            principal_in_management,
        } = self.prepare_principal(q)?;
        // The rest reads only the entity of `who`: its principal moves into the request.
        let principal =
            std::mem::replace(&mut who.principal, iamwhy_engine::Principal::anonymous());
        self.prepare_rest(q, &who, principal, ctx, set, notes, principal_in_management)
    }

    /// Steps 1 and 2 of [`World::prepare`] for `q`'s principal, `federated_by` and given
    /// context (its action, resource and the rest are not read).
    pub fn prepare_principal<'w>(
        &'w self,
        q: &'w Question,
    ) -> Result<PreparedPrincipal<'w>, Diagnostic> {
        let mut ctx = ContextBuilder::given(&q.context);
        let mut notes = Vec::new();

        // 1. The principal.
        let who = self.resolve_principal(&q.principal, q.federated_by.as_deref())?;
        let mut set = PolicySet::new().with_identity(who.identity.clone());
        if let Some(b) = &who.boundary {
            set = set.with_boundary(vec![b.clone()]);
        }
        ctx.infer_all(&who.keys);
        notes.extend(who.notes.iter().cloned());

        // 2. The organization over the principal.
        let mut principal_in_management = false;
        if who.principal.is_iam_identity() {
            let side = self.principal_organization(&who.account);
            ctx.infer_all(&side.keys);
            principal_in_management = side.is_management_account;
            for level in side.levels {
                set = set.with_scp_level(level.target, level.policies);
            }
        }
        Ok(PreparedPrincipal {
            who,
            ctx,
            set,
            notes,
            principal_in_management,
        })
    }

    /// [`World::prepare`] of `q` from its principal steps done beforehand: the same
    /// [`Prepared`] as `self.prepare(q)`, provided `p` was made by
    /// [`World::prepare_principal`] on this world for a question with the same principal,
    /// `federated_by` and context as `q`.
    pub fn prepare_with_principal(
        &self,
        q: &Question,
        p: &PreparedPrincipal<'_>,
    ) -> Result<Prepared, Diagnostic> {
        self.prepare_rest(
            q,
            &p.who,
            p.who.principal.clone(),
            p.ctx.clone(),
            p.set.clone(),
            p.notes.clone(),
            p.principal_in_management,
        )
    }

    /// Steps 3 to 7 of [`World::prepare`], after the principal's.
    #[allow(clippy::too_many_arguments)]
    fn prepare_rest(
        &self,
        q: &Question,
        who: &ResolvedPrincipal<'_>,
        principal: iamwhy_engine::Principal,
        mut ctx: ContextBuilder,
        mut set: PolicySet,
        mut notes: Vec<String>,
        principal_in_management: bool,
    ) -> Result<Prepared, Diagnostic> {
        // 3. The resource, and 4. the organization over its owner.
        let resource =
            self.resolve_resource(&q.action, &q.resource, q.resource_account.as_deref())?;
        if let Some(p) = &resource.policy {
            set = set.with_resource(p.clone());
        }
        ctx.infer_all(&resource.keys);
        notes.extend(resource.notes.iter().cloned());
        if let Some(owner) = &resource.owner {
            let side = self.resource_organization(owner);
            ctx.infer_all(&side.keys);
            notes.extend(side.notes);
            for level in side.levels {
                set = set.with_rcp_level(level.target, level.policies);
            }
        }

        // 5. The request's own keys.
        ambient_keys(&mut ctx, &q.resource, q.now.as_deref());

        // 6. The VPC endpoint.
        let vpce = q.source_vpce.clone().or_else(|| {
            ctx.context()
                .get("aws:SourceVpce")
                .map(|v| v.values[0].clone())
        });
        if let Some(id) = vpce {
            let endpoint = self.resolve_endpoint(&id)?;
            set = set.with_endpoint(vec![endpoint.policy]);
            ctx.infer_all(&endpoint.keys);
            if ctx.context().get("aws:SourceIp").is_some() {
                notes.push("aws:SourceIp was given, but requests through a VPC endpoint carry no aws:SourceIp (AWS sets aws:VpcSourceIp instead)".into());
            }
        }

        // 7. The session policy.
        if let Some(text) = &q.session_policy {
            set = set.with_session(vec![session_policy(text)?]);
        }

        if who.is_service_linked_role()
            && let principal::Entity::Role(_, r, _) = &who.entity
        {
            notes.push(format!(
                "{} is a service-linked role: SCPs and RCPs do not apply to it",
                r.name
            ));
        }
        let has_boundary = set.boundary.is_some();
        let (context, report) = ctx.finish();
        let mut request = Request::new(
            principal,
            &q.action,
            RequestResource::parse(&q.resource),
            context,
        )?;
        request.resource_account = resource.owner;
        request.principal_has_boundary = has_boundary;
        request.principal_in_management_account = principal_in_management;
        notes.extend(self.completeness_notes(&set, &request));
        Ok(Prepared {
            set,
            request,
            context: report,
            notes,
        })
    }
}

/// Keys of the request itself: `aws:RequestedRegion` from the resource ARN, the time, and
/// `aws:SecureTransport` (AWS API calls use TLS).
fn ambient_keys(ctx: &mut ContextBuilder, resource: &str, now: Option<&str>) {
    if let Some(region) = Arn::parse(resource).and_then(|a| a.named_region()) {
        ctx.infer_one("aws:RequestedRegion", region, "the resource ARN's region");
    }
    let now = now.map_or_else(|| Instant::now().to_iso8601(), str::to_string);
    if let Some(instant) = Instant::parse(&now) {
        ctx.infer_one("aws:CurrentTime", now.clone(), "the current time");
        ctx.infer_one(
            "aws:EpochTime",
            instant.seconds.to_string(),
            "the current time",
        );
    }
    ctx.infer_one(
        "aws:SecureTransport",
        "true",
        "assumed: AWS API calls use TLS",
    );
}

/// Compile a session policy given as JSON text.
fn session_policy(text: &str) -> Result<Arc<CompiledPolicy>, Diagnostic> {
    let doc = PolicyDocument::parse(text).map_err(|e| {
        Diagnostic::error(
            "invalid-session-policy",
            format!("the session policy does not parse: {e}"),
        )
    })?;
    Ok(Arc::new(CompiledPolicy::compile(
        "session policy",
        PolicyType::Session,
        Arc::new(doc),
    )))
}
