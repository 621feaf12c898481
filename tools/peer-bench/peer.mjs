// Times the peer simulator @cloud-copilot/iam-simulate on one conformance case.
//
//   node peer.mjs SCRATCH_DIR CASE_FILE [--batches N] [--target-batch-ms MS]
//
// SCRATCH_DIR is a folder where `npm install --prefix SCRATCH_DIR @cloud-copilot/iam-simulate`
// was run (run.sh does this in a mktemp folder). The peer is AGPL-3.0-or-later: it is loaded
// from that scratch folder at run time only and is never part of this project. This script
// uses only its public API (runSimulation, runUnsafeSimulation) as documented in its README
// and typings.
//
// Output: one machine-readable line per figure, `peer NAME=VALUE`.

import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { toSimulation } from './simulation.mjs'

function usage() {
  console.error('usage: node peer.mjs SCRATCH_DIR CASE_FILE [--batches N] [--target-batch-ms MS]')
  process.exit(2)
}

const argv = process.argv.slice(2)
const positional = []
let batches = 200
let targetBatchMs = 10
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--batches') batches = Number(argv[++i])
  else if (argv[i] === '--target-batch-ms') targetBatchMs = Number(argv[++i])
  else positional.push(argv[i])
}
if (positional.length !== 2 || !(batches > 0) || !(targetBatchMs > 0)) usage()
const [scratch, caseFile] = positional

// Resolve the package from the scratch folder, through its public entry point.
const requireFromScratch = createRequire(join(resolve(scratch), 'peer-bench-anchor.js'))
const peer = requireFromScratch('@cloud-copilot/iam-simulate')
const peerVersion = JSON.parse(
  readFileSync(
    join(resolve(scratch), 'node_modules', '@cloud-copilot', 'iam-simulate', 'package.json'),
    'utf8'
  )
).version

const lines = readFileSync(caseFile, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
if (lines.length !== 1) {
  console.error(`${caseFile}: expected exactly one case, found ${lines.length}`)
  process.exit(2)
}
const testCase = JSON.parse(lines[0])

const simulation = toSimulation(peer, testCase)
const options = { simulationMode: testCase.mode ?? 'Strict' }
const expected = testCase.expected.decision

console.log(`peer package=@cloud-copilot/iam-simulate version=${peerVersion} node=${process.version}`)

// Check the peer agrees before timing it.
const full = await peer.runSimulation(simulation, options)
if (full.resultType === 'error') {
  console.error('peer: runSimulation rejected the input:')
  console.error(JSON.stringify(full.errors, null, 2))
  process.exit(1)
}
const ignored = full.resultType === 'single' ? full.result.ignoredContextKeys ?? [] : []
console.log(
  `peer runSimulation decision=${full.overallResult} resultType=${full.resultType} ignoredContextKeys=${ignored.length ? ignored.join(',') : '-'} expected=${expected}`
)
// runUnsafeSimulation skips validation and returns the decision alone. In the installed
// version it may throw on some inputs (seen: a simulation with a resource policy); then it is
// reported as unavailable and left out of the comparison.
let unsafe
try {
  unsafe = peer.runUnsafeSimulation(simulation, options)
  console.log(`peer runUnsafeSimulation decision=${unsafe} expected=${expected}`)
} catch (e) {
  unsafe = undefined
  console.log(`peer runUnsafeSimulation unavailable error=${JSON.stringify(String(e))}`)
}
if (full.overallResult !== expected || (unsafe !== undefined && unsafe !== expected)) {
  console.error('peer: decision differs from the expected one; not timing')
  process.exit(1)
}

let sink = 0

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

// Median over `batches` batches of the mean ns per call within a batch. The batch size is
// chosen after warm-up so that one batch takes about `targetBatchMs`.
async function timeAsync(fn) {
  const warmStart = process.hrtime.bigint()
  let warm = 0
  while (warm < 200 || process.hrtime.bigint() - warmStart < 1_000_000_000n) {
    const r = await fn()
    sink ^= r.resultType.length
    warm++
  }
  const perCall = Number(process.hrtime.bigint() - warmStart) / warm
  const size = Math.max(1, Math.round((targetBatchMs * 1e6) / perCall))
  const perBatch = []
  for (let b = 0; b < batches; b++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < size; i++) {
      const r = await fn()
      sink ^= r.resultType.length
    }
    perBatch.push(Number(process.hrtime.bigint() - start) / size)
  }
  return { median: median(perBatch), size }
}

function timeSync(fn) {
  const warmStart = process.hrtime.bigint()
  let warm = 0
  while (warm < 200 || process.hrtime.bigint() - warmStart < 1_000_000_000n) {
    sink ^= fn().length
    warm++
  }
  const perCall = Number(process.hrtime.bigint() - warmStart) / warm
  const size = Math.max(1, Math.round((targetBatchMs * 1e6) / perCall))
  const perBatch = []
  for (let b = 0; b < batches; b++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < size; i++) {
      sink ^= fn().length
    }
    perBatch.push(Number(process.hrtime.bigint() - start) / size)
  }
  return { median: median(perBatch), size }
}

// The peer's public API takes the policies as plain JSON objects on every call: there is no
// exported way to parse or validate them once and reuse the result, so per-call parsing
// (and, for runSimulation, validation) is part of the peer's per-request cost.
console.log('peer note=no public pre-parse API: every call parses the policies (runSimulation also validates policies, action, resource and context keys)')

const validated = await timeAsync(() => peer.runSimulation(simulation, options))
console.log(`peer median_ns=${validated.median.toFixed(0)}`)
console.log(`peer runSimulation_median_ns=${validated.median.toFixed(0)} batch_size=${validated.size}`)

if (unsafe !== undefined) {
  const unvalidated = timeSync(() => peer.runUnsafeSimulation(simulation, options))
  console.log(`peer runUnsafeSimulation_median_ns=${unvalidated.median.toFixed(0)} batch_size=${unvalidated.size}`)
} else {
  console.log('peer runUnsafeSimulation_median_ns=NA')
  // Indicative only: the same scenario without the resource policy, which the unsafe path
  // accepts. The request is then implicitly denied (cross-account needs the bucket policy),
  // so this is a different question; it only shows what skipping validation saves.
  const { resourcePolicy, ...withoutResource } = simulation
  const expectedWithout = (await peer.runSimulation(withoutResource, options)).overallResult
  let got
  try {
    got = peer.runUnsafeSimulation(withoutResource, options)
  } catch (e) {
    got = undefined
  }
  if (got !== undefined && got === expectedWithout) {
    const unvalidated = timeSync(() => peer.runUnsafeSimulation(withoutResource, options))
    const validatedWithout = await timeAsync(() => peer.runSimulation(withoutResource, options))
    console.log(
      `peer indicative_no_resource_policy decision=${got} runUnsafeSimulation_median_ns=${unvalidated.median.toFixed(0)} runSimulation_median_ns=${validatedWithout.median.toFixed(0)}`
    )
  }
}
console.log(`peer batches=${batches} sink=${sink & 1}`)
