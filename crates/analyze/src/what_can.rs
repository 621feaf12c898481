//! `what-can`: every action of the catalog a principal may take on a resource.
//!
//! Candidates are the catalog actions that an Allow statement of the principal's identity
//! policies or of the resource's policy matches (expanded through the catalog; `*` and
//! `NotAction` match every action). The request is prepared once per (service, trust or not)
//! group through `World::prepare` — what the preparation gathers depends on the action only
//! through those two — and each candidate action is decided with Discovery on that set, once
//! per action class (`PolicySet::action_class`: actions the same statements match are decided
//! alike).

use crate::Analyzer;
use crate::answer::{RequestParts, allows, default_unknowns};
use crate::index::statement_matches_action;
use iamwhy_catalog::{AccessLevel, catalog};
use iamwhy_diagnostic::Diagnostic;
use iamwhy_engine::{ActionClass, CompiledPolicy, Discovery, EvaluationOptions, Formula, Layer};
use iamwhy_policy::action::ActionPattern;
use iamwhy_policy::document::Effect;
use iamwhy_world::Question;
use iamwhy_world::prepare::is_trust_action;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

/// A what-can question.
#[derive(Debug, Clone, Default)]
pub struct WhatCanQuery {
    /// The principal (any form `check` accepts).
    pub principal: String,
    /// The resource (`*` when absent).
    pub resource: Option<String>,
    /// Only actions of this service prefix.
    pub service: Option<String>,
    /// Context and request details shared by every action.
    pub template: Question,
}

/// One allowed action.
#[derive(Debug, Clone, Serialize)]
pub struct ActionAnswer {
    /// `service:Action` as the catalog spells it.
    pub action: String,
    /// Allowed whatever the unknown keys are.
    pub unconditional: bool,
    /// The conditions under which it is allowed.
    pub allowed_when: Formula,
    /// The Allow statements that grant it (`policy / Sid (layer)`).
    pub granted_by: Vec<String>,
}

/// The allowed actions of one access level.
#[derive(Debug, Clone, Serialize)]
pub struct LevelGroup {
    /// `List`, `Read`, `Write`, `Permissions management`, `Tagging`.
    pub access_level: String,
    /// Its actions, by name.
    pub actions: Vec<ActionAnswer>,
}

/// The allowed actions of one service.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceGroup {
    /// The service prefix.
    pub service: String,
    /// By access level, in the catalog's order.
    pub levels: Vec<LevelGroup>,
}

/// The answer of what-can.
#[derive(Debug, Clone, Serialize)]
pub struct WhatCan {
    /// `iamwhy.what-can/1`.
    pub schema: &'static str,
    /// The principal.
    pub principal: String,
    /// The resource.
    pub resource: String,
    /// Allowed actions by service, then access level.
    pub services: Vec<ServiceGroup>,
    /// How many actions are allowed.
    pub allowed: usize,
    /// How many catalog actions are in scope (the service filter).
    pub actions_in_scope: usize,
    /// How many of them the statements' patterns selected and were evaluated.
    pub candidates_evaluated: usize,
    /// Facts about the answer.
    pub notes: Vec<String>,
}

/// A catalog action with its lowercased parts.
struct CatalogAction {
    full: String,
    service: String,
    name: String,
    level: AccessLevel,
}

/// Every catalog action, and the range of each service's actions.
struct Table {
    actions: Vec<CatalogAction>,
    services: HashMap<String, (usize, usize)>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut actions: Vec<CatalogAction> = catalog()
            .actions()
            .map(|a| CatalogAction {
                full: a.full_name(),
                service: a.service().prefix().to_ascii_lowercase(),
                name: a.name().to_ascii_lowercase(),
                level: a.access_level(),
            })
            .collect();
        actions.sort_by(|a, b| (&a.service, &a.name).cmp(&(&b.service, &b.name)));
        let mut services = HashMap::new();
        let mut start = 0;
        for i in 1..=actions.len() {
            if i == actions.len() || actions[i].service != actions[start].service {
                services.insert(actions[start].service.clone(), (start, i));
                start = i;
            }
        }
        Table { actions, services }
    })
}

/// Mark the catalog actions the Allow statements of `policies` match.
fn mark(policies: &[&CompiledPolicy], table: &Table, marked: &mut [bool]) {
    for p in policies {
        for s in p.statements.iter().filter(|s| s.effect == Effect::Allow) {
            let all = s.actions.negated
                || s.actions
                    .patterns
                    .iter()
                    .any(|a| matches!(a, ActionPattern::All));
            if all {
                for (i, a) in table.actions.iter().enumerate() {
                    if !marked[i] && statement_matches_action(s, &a.service, &a.name) {
                        marked[i] = true;
                    }
                }
                continue;
            }
            for pat in &s.actions.patterns {
                let Some(svc) = pat.service() else { continue };
                let Some(&(from, to)) = table.services.get(svc) else {
                    continue;
                };
                for (i, a) in table.actions[from..to].iter().enumerate() {
                    if pat.matches(&a.service, &a.name) {
                        marked[from + i] = true;
                    }
                }
            }
        }
    }
}

impl Analyzer<'_> {
    /// What may this principal do?
    pub fn what_can(&self, q: &WhatCanQuery) -> Result<WhatCan, Diagnostic> {
        self.what_can_with(q, false)
    }

    /// The same answer by brute force: every catalog action in scope is prepared and decided
    /// on its own. The reference the property tests compare [`Analyzer::what_can`] with.
    pub fn what_can_brute_force(&self, q: &WhatCanQuery) -> Result<WhatCan, Diagnostic> {
        self.what_can_with(q, true)
    }

    fn what_can_with(&self, q: &WhatCanQuery, brute: bool) -> Result<WhatCan, Diagnostic> {
        let table = table();
        let resource = q.resource.clone().unwrap_or_else(|| "*".into());
        let (from, to) = match &q.service {
            Some(s) => *table.services.get(&s.to_ascii_lowercase()).ok_or_else(|| {
                Diagnostic::error(
                    "what-can-unknown-service",
                    format!("--service {s}: the catalog has no service with this prefix"),
                )
                .with_help("iamwhy actions 'SERVICE:*' lists a service's actions")
            })?,
            None => (0, table.actions.len()),
        };
        let mut marked = vec![false; table.actions.len()];
        if brute {
            marked[from..to].iter_mut().for_each(|m| *m = true);
        } else {
            // The principal's identity policies and the resource's policies (its own and, for
            // a role, its trust policy), as the preparation gathers them.
            let who = self
                .world
                .resolve_principal(&q.principal, q.template.federated_by.as_deref())?;
            let mut policies: Vec<iamwhy_world::model::Policy> = who.identity.clone();
            for action in ["iamwhy:AnyAction", "sts:AssumeRole"] {
                let r = self.world.resolve_resource(
                    action,
                    &resource,
                    q.template.resource_account.as_deref(),
                )?;
                policies.extend(r.policy);
            }
            let refs: Vec<&CompiledPolicy> = policies.iter().map(|p| &**p).collect();
            mark(&refs, table, &mut marked);
            // The root user is not governed by identity policies: every action is a candidate.
            if who.principal.kind == iamwhy_engine::PrincipalKind::Root {
                marked.iter_mut().for_each(|m| *m = true);
            }
        }
        let unknowns = default_unknowns();
        let opts = EvaluationOptions::default();
        let mut groups: HashMap<(&'static str, bool), iamwhy_world::Prepared> = HashMap::new();
        let mut by_service: BTreeMap<String, BTreeMap<u8, LevelGroup>> = BTreeMap::new();
        let picked: Vec<usize> = (from..to).filter(|&i| marked[i]).collect();
        let evaluated = picked.len();
        if !brute {
            for &i in &picked {
                let a = &table.actions[i];
                let key = (a.service.as_str(), is_trust_action(&a.full));
                if let std::collections::hash_map::Entry::Vacant(slot) = groups.entry(key) {
                    let question = self.question(&q.template, &q.principal, &a.full, &resource);
                    slot.insert(self.world.prepare(&question)?);
                }
            }
        }
        // Each worker keeps the action-independent parts of the request of the group it is
        // in (actions are sorted by service, so groups are contiguous) and moves them in and
        // out of each action's request instead of cloning the context per action. Actions of
        // one action class (the same matching statements and action rules) are decided once:
        // the engine decides them alike.
        type Scratch = (
            Option<((&'static str, bool), RequestParts)>,
            HashMap<ActionClass, Arc<Discovery>>,
        );
        let decided = crate::par_map_with(&picked, Scratch::default, |(parts_of, decided), &i| {
            let a = &table.actions[i];
            if brute {
                let question = self.question(&q.template, &q.principal, &a.full, &resource);
                let p = self.world.prepare(&question)?;
                let d = p.set.discover(&p.request, &opts, &unknowns);
                return Ok::<_, Diagnostic>(Arc::new(d));
            }
            let key = (a.service.as_str(), is_trust_action(&a.full));
            let p = &groups[&key];
            let parts = match parts_of.take() {
                Some((k, parts)) if k == key => parts,
                _ => RequestParts::of(&p.request),
            };
            let req = parts.into_request(&a.full)?;
            let class = p.set.action_class(&req);
            let d = match decided.get(&class) {
                Some(d) => d.clone(),
                None => {
                    let d = Arc::new(p.set.discover(&req, &opts, &unknowns));
                    decided.insert(class, d.clone());
                    d
                }
            };
            *parts_of = Some((key, RequestParts::from_request(req)));
            Ok(d)
        });
        let mut allowed = 0;
        for (&i, d) in picked.iter().zip(decided) {
            let d = d?;
            let a = &table.actions[i];
            if !allows(&d) {
                continue;
            }
            allowed += 1;
            let granted_by = d
                .statements
                .iter()
                .filter(|s| {
                    s.effect == Effect::Allow
                        && matches!(s.layer, Layer::Identity | Layer::Resource | Layer::Session)
                })
                .map(crate::answer::statement_label)
                .collect();
            by_service
                .entry(a.service.clone())
                .or_default()
                .entry(a.level as u8)
                .or_insert_with(|| LevelGroup {
                    access_level: a.level.as_str().to_string(),
                    actions: Vec::new(),
                })
                .actions
                .push(ActionAnswer {
                    action: a.full.clone(),
                    unconditional: d.allowed_when.is_true(),
                    allowed_when: d.allowed_when.clone(),
                    granted_by,
                });
        }
        let mut notes = vec![
            "actions are the embedded catalog's; an action a policy names that the catalog does not know is not listed".to_string(),
        ];
        if resource == "*" {
            notes.push("the resource is \"*\": statements granting only on specific resources do not match it (give --resource ARN)".into());
        }
        Ok(WhatCan {
            schema: "iamwhy.what-can/1",
            principal: q.principal.clone(),
            resource,
            services: by_service
                .into_iter()
                .map(|(service, levels)| ServiceGroup {
                    service,
                    levels: levels.into_values().collect(),
                })
                .collect(),
            allowed,
            actions_in_scope: to - from,
            candidates_evaluated: evaluated,
            notes,
        })
    }
}
