//! # iamwhy-analyze — questions across a whole world
//!
//! One request at a time is `check`; this crate answers about all requests at once, over a
//! loaded [`World`]:
//!
//! - [`Analyzer::who_can`]: every principal that may make a request, and the classes of
//!   principals no snapshot lists (anonymous, other accounts, services);
//! - [`Analyzer::what_can`]: every action of the catalog a principal may take on a resource;
//! - [`diff::diff`]: the requests whose decision flips between two worlds;
//! - [`assertions`]: access assertions for CI.
//!
//! Every request goes through `World::prepare` (the shared preparation) and the engine's
//! Discovery ([`iamwhy_engine::PolicySet::discover`]); the [`index::WorldIndex`] picks the
//! candidates so that only requests that can be allowed are evaluated. Each indexed answer has
//! a brute-force twin that the property tests compare it with.

pub mod answer;
pub mod assertions;
pub mod diff;
pub mod index;
mod probe;
pub mod what_can;
pub mod who_can;

pub use answer::Grant;
pub use diff::{Diff, DiffQuery, FailOn, diff};
pub use index::WorldIndex;
pub use what_can::{WhatCan, WhatCanQuery};
pub use who_can::{ClassAnswer, Grantee, PrincipalClass, WhoCan, WhoCanQuery};

use iamwhy_diagnostic::Diagnostic;
use iamwhy_world::{Question, World};

/// A world with its indexes, ready for questions.
pub struct Analyzer<'w> {
    /// The world.
    pub world: &'w World,
    /// Its indexes.
    pub index: WorldIndex,
    probes: probe::Probes,
}

impl<'w> Analyzer<'w> {
    /// Index `world`.
    pub fn new(world: &'w World) -> Analyzer<'w> {
        Analyzer {
            world,
            index: WorldIndex::new(world),
            probes: probe::Probes::new(world),
        }
    }

    /// The question for one candidate: the template's context with this principal, action and
    /// resource.
    pub(crate) fn question(
        &self,
        template: &Question,
        principal: &str,
        action: &str,
        resource: &str,
    ) -> Question {
        Question {
            principal: principal.to_string(),
            action: action.to_string(),
            resource: resource.to_string(),
            ..template.clone()
        }
    }
}

/// `template` with its time pinned: when it gives no `now`, the current time, read once, so
/// that every request of one analysis is decided at the same instant (and `World::prepare`
/// does not read and format the clock once per candidate).
pub(crate) fn pinned_now(template: &Question) -> Question {
    Question {
        now: Some(
            template
                .now
                .clone()
                .unwrap_or_else(|| iamwhy_policy::values::Instant::now().to_iso8601()),
        ),
        ..template.clone()
    }
}

/// An action of a question must be one `service:Action`, without wildcards.
pub(crate) fn check_action(action: &str) -> Result<(), Diagnostic> {
    let ok = action
        .split_once(':')
        .is_some_and(|(s, n)| !s.is_empty() && !n.is_empty())
        && !action.contains(['*', '?']);
    if ok {
        Ok(())
    } else {
        Err(
            Diagnostic::error("not-one-action", format!("\"{action}\" is not one action"))
                .with_help("give service:Action, such as s3:GetObject, without wildcards"),
        )
    }
}

pub(crate) use iamwhy_world::parallel::{par_map, par_map_with};
