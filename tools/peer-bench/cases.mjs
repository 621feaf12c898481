// Runs the peer simulator @cloud-copilot/iam-simulate over every case of conformance case files
// (JSON Lines, tools/conformance/src/case.rs's format), the same work the conformance runner
// does for each case: read the case's JSON, simulate, compare the decision with the expected
// one. The loop is timed as a whole (module loading and file reading left out, as the
// runner's --time leaves out its start-up).
//
//   node cases.mjs SCRATCH_DIR CASE_FILE...
//
// SCRATCH_DIR is where run.sh installed the peer (AGPL-3.0-or-later, never part of this
// project; only its public runSimulation is used). Output: `peer NAME=VALUE` lines.

import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { toSimulation } from './simulation.mjs'

const [scratch, ...files] = process.argv.slice(2)
if (!scratch || files.length === 0) {
  console.error('usage: node cases.mjs SCRATCH_DIR CASE_FILE...')
  process.exit(2)
}
const peer = createRequire(join(resolve(scratch), 'peer-bench-anchor.js'))('@cloud-copilot/iam-simulate')
const lines = files.flatMap((f) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
)

let agreed = 0
let differed = 0
let rejected = 0
const start = process.hrtime.bigint()
for (const line of lines) {
  const c = JSON.parse(line)
  const result = await peer.runSimulation(toSimulation(peer, c), {
    simulationMode: c.mode ?? 'Strict'
  })
  if (result.resultType === 'error') rejected++
  else if (result.overallResult === c.expected.decision) agreed++
  else differed++
}
const ns = Number(process.hrtime.bigint() - start)
console.log(
  `peer cases=${lines.length} cases_ns=${ns} per_case_ns=${(ns / lines.length).toFixed(0)} agreed=${agreed} differed=${differed} rejected=${rejected}`
)
