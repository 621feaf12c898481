//! Per-layer verdicts: the fast scan of candidate statements.

use super::policy_set::{OrgLevel, PolicyList, PolicySet};
use crate::principal::PrincipalMatch;
use crate::request::Request;
use crate::statement::EvaluationOptions;
use iamwhy_policy::document::Effect;

/// One layer's verdict.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Verdict {
    /// The layer has at least one policy.
    pub present: bool,
    /// An applicable Allow.
    pub allow: bool,
    /// An applicable Deny.
    pub deny: bool,
    /// Best principal match among applicable Allow statements (resource layer).
    pub best_allow: PrincipalMatch,
}

/// An organization layer: one (allow, deny) per level, root first.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrgVerdict {
    pub levels: Vec<Verdict>,
}

impl OrgVerdict {
    /// The first level with an applicable Deny.
    pub fn first_deny(&self) -> Option<usize> {
        self.levels.iter().position(|l| l.deny)
    }

    /// The first level where nothing allows.
    pub fn first_level_without_allow(&self) -> Option<usize> {
        self.levels.iter().position(|l| !l.allow)
    }
}

/// Every layer's verdict for one request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Verdicts {
    pub identity: Verdict,
    pub boundary: Verdict,
    pub session: Verdict,
    pub resource: Verdict,
    pub endpoint: Verdict,
    pub scp: OrgVerdict,
    pub rcp: OrgVerdict,
}

pub(crate) fn scan(list: &PolicyList, req: &Request, opts: &EvaluationOptions) -> Verdict {
    let mut v = Verdict {
        present: !list.is_empty(),
        ..Verdict::default()
    };
    for (_, _, s) in list.candidates(req.service()) {
        let a = s.applicability(req, opts);
        if !a.effective {
            continue;
        }
        match s.effect {
            Effect::Deny => v.deny = true,
            Effect::Allow => {
                v.allow = true;
                v.best_allow = v.best_allow.max(a.principal_match);
            }
        }
    }
    v
}

fn scan_optional(list: &Option<PolicyList>, req: &Request, opts: &EvaluationOptions) -> Verdict {
    match list {
        Some(l) => Verdict {
            present: true,
            ..scan(l, req, opts)
        },
        None => Verdict::default(),
    }
}

fn scan_levels(levels: &[OrgLevel], req: &Request, opts: &EvaluationOptions) -> OrgVerdict {
    OrgVerdict {
        levels: levels
            .iter()
            .map(|l| Verdict {
                present: true,
                ..scan(&l.policies, req, opts)
            })
            .collect(),
    }
}

impl Verdicts {
    pub fn compute(set: &PolicySet, req: &Request, opts: &EvaluationOptions) -> Verdicts {
        Verdicts {
            identity: scan(&set.identity, req, opts),
            boundary: scan_optional(&set.boundary, req, opts),
            session: scan_optional(&set.session, req, opts),
            resource: scan_optional(&set.resource, req, opts),
            endpoint: scan_optional(&set.endpoint, req, opts),
            scp: scan_levels(&set.scp_levels, req, opts),
            rcp: scan_levels(&set.rcp_levels, req, opts),
        }
    }
}
