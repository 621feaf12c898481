// The conformance case format (tools/conformance/src/case.rs) as the peer's Simulation input;
// shared by peer.mjs (one case, timed per call) and cases.mjs (every case, timed end to end).
//
// The peer adds the default RCP (RCPFullAWSAccess) to every level itself, so the copies that
// the case format carries explicitly are left out to avoid evaluating it twice.
export function toSimulation(peer, c) {
  const r = c.request
  const p = c.policies
  const principal =
    typeof r.principal === 'string' ? r.principal : peer.anonymousPrincipal
  const sim = {
    request: {
      principal,
      action: r.action,
      resource: { resource: r.resource, accountId: r.resourceAccount },
      contextVariables: r.context ?? {}
    },
    identityPolicies: p.identity ?? [],
    serviceControlPolicies: p.scps ?? [],
    resourceControlPolicies: (p.rcps ?? []).map((level) => ({
      orgIdentifier: level.orgIdentifier,
      policies: level.policies.filter((n) => n.name !== 'RCPFullAWSAccess')
    }))
  }
  if (p.resource) sim.resourcePolicy = p.resource
  if (p.permissionBoundaries) sim.permissionBoundaryPolicies = p.permissionBoundaries
  if (p.session) sim.sessionPolicy = p.session
  if (p.vpcEndpoint) sim.vpcEndpointPolicies = p.vpcEndpoint
  return sim
}
