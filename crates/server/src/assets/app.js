// iamwhy serve: the page. Hand-written, no framework, no request but to this server.
// Every answer is the JSON the CLI prints with --output json; this file only draws it.
// Text from the server is always set as text (never as HTML).
"use strict";

// Content-Security-Policy violations are counted (the browser test asserts there are none).
window.iamwhyCspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.iamwhyCspViolations.push(e.violatedDirective + " " + e.blockedURI);
});

(function () {
  // ---- token: from #token=... once, kept for the tab's session, removed from the address.
  const m = location.hash.match(/token=([^&]+)/);
  if (m) {
    sessionStorage.setItem("iamwhy-token", decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
})();

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  const token = sessionStorage.getItem("iamwhy-token");
  if (token) headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let json = null;
  try { json = await resp.json(); } catch (_) { /* not JSON */ }
  if (!resp.ok) {
    const d = (json && json.error) || { code: "http-" + resp.status, message: resp.statusText };
    const err = new Error(d.message);
    err.diagnostic = d;
    err.status = resp.status;
    throw err;
  }
  return json;
}

function showError(target, err) {
  const d = err.diagnostic || { code: "page-error", message: String(err.message || err) };
  const where = [d.file, d.line ? "line " + d.line + (d.column ? ", column " + d.column : "") : null, d.json_path]
    .filter(Boolean).join(", ");
  target.replaceChildren(el("div", { class: "error", "data-code": d.code },
    el("strong", {}, "error[" + d.code + "]: "), d.message,
    where ? el("div", { class: "note" }, "at " + where) : null,
    d.help ? el("div", { class: "note" }, "help: " + d.help) : null));
}

// ---- tabs and shareable URLs: the question lives in the query string.
const TABS = ["explain", "check", "lint", "world", "who-can", "what-can"];
function showTab(name) {
  for (const t of TABS) {
    document.getElementById("tab-" + t).classList.toggle("active", t === name);
  }
  for (const a of document.querySelectorAll("#tabs a")) a.classList.toggle("active", a.dataset.tab === name);
}
function setQuery(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else if (v !== undefined && v !== null && v !== "" && v !== false) q.set(k, v);
  }
  history.replaceState(null, "", "?" + q.toString());
}
function lines(text) { return text.split("\n").map((s) => s.trim()).filter(Boolean); }

// ---- the evaluation chain
const STATUS_WORD = { allow: "allows", deny: "denies", no_allow: "does not allow", absent: "none", not_applicable: "does not apply" };
const LAYER_NAME = {
  scp: "SCP", rcp: "RCP", vpc_endpoint: "VPC endpoint policy", permissions_boundary: "Permissions boundary",
  session: "Session policy", identity: "Identity policies", resource: "Resource policy",
};

function statusClass(s) { return s; }

// The statements a box stands for: a layer's allows and denies, or one level's.
function statementsOf(layer, level) {
  const all = [...layer.denies, ...layer.allows];
  return level ? all.filter((s) => s.level === level.target) : all;
}

function drawChain(evaluation, onSelect) {
  const reason = evaluation.reason || {};
  const chain = el("div", { class: "chain", id: "chain" });
  let first = true;
  let decidingBox = null;
  for (const layer of evaluation.layers) {
    if (!first) chain.append(el("span", { class: "arrow" }, "→"));
    first = false;
    const notRequired = !layer.required && layer.status !== "deny";
    const isDecidingLayer = reason.layer === layer.layer;
    const mkBox = (title, status, level, deciding, note) => {
      const b = el("div", {
        class: "box " + statusClass(status) + (notRequired ? " not-required" : "") + (deciding ? " deciding" : ""),
        "data-layer": layer.layer, "data-level": level ? level.target : null, "data-status": status,
        "data-deciding": deciding ? "true" : null, title: note || "",
        tabindex: "0",
      },
        el("div", { class: "name" }, title),
        el("div", { class: "status" }, STATUS_WORD[status] || status, notRequired ? " (not required)" : ""));
      b.addEventListener("click", () => {
        for (const x of chain.querySelectorAll(".box.selected")) x.classList.remove("selected");
        b.classList.add("selected");
        onSelect(layer, level);
      });
      if (deciding) decidingBox = b;
      return b;
    };
    if (layer.levels && layer.levels.length) {
      const g = el("div", { class: "group", "data-layer": layer.layer });
      const row = el("div", { class: "levels" });
      g.append(el("div", { class: "gname" }, LAYER_NAME[layer.layer] + "s, root → OU → account" + (layer.note ? " — " + layer.note : "")), row);
      layer.levels.forEach((lv, i) => {
        const kind = i === 0 ? "root" : (i === layer.levels.length - 1 ? "account" : "OU");
        const deciding = isDecidingLayer && reason.level === lv.target;
        row.append(mkBox(LAYER_NAME[layer.layer] + " " + kind + " " + lv.target,
          layer.status === "not_applicable" ? "not_applicable" : lv.status, lv, deciding, layer.note));
      });
      chain.append(g);
    } else {
      chain.append(mkBox(LAYER_NAME[layer.layer] || layer.layer, layer.status, null, isDecidingLayer && !reason.level, layer.note));
    }
  }
  return { chain, decidingBox };
}

function legend() {
  return el("div", { class: "legend" },
    el("span", {}, el("i", { class: "box allow" }), "allows"),
    el("span", {}, el("i", { class: "box deny" }), "denies"),
    el("span", {}, el("i", { class: "box no_allow" }), "does not allow"),
    el("span", {}, el("i", { class: "box not_applicable" }), "does not apply / none"),
    el("span", {}, "faded: not required; blue ring: deciding"));
}

function conditionLine(c) {
  const cls = c.outcome === "true" ? "t" : c.outcome === "false" ? "f" : "u";
  const req = c.request_values ? "request has " + c.request_values.join(", ") : "key missing from the request";
  return el("div", { class: "cond" },
    c.operator + " " + c.key + " [" + c.policy_values.join(", ") + "] — " + req + " → ",
    el("span", { class: cls }, c.outcome === "unknown" ? "cannot be evaluated" : c.outcome),
    c.note ? " (" + c.note + ")" : "");
}

const sourceCache = new Map();
async function policySource(source) {
  if (!sourceCache.has(source)) {
    sourceCache.set(source, api("GET", "/api/v1/world/policy?source=" + encodeURIComponent(source)));
  }
  return sourceCache.get(source);
}

// The source view: each statement's policy text with its lines highlighted (the deciding
// statement in bold), and the condition values beside it.
async function showSource(panel, evaluation, layer, level) {
  const stmts = statementsOf(layer, level);
  const deciding = new Set(evaluation.deciding.map((d) => d.source + "#" + d.index));
  panel.replaceChildren();
  if (!stmts.length) {
    panel.append(el("p", { class: "note" },
      (LAYER_NAME[layer.layer] || layer.layer) + (level ? " at " + level.target : "") + ": " +
      (STATUS_WORD[layer.status] || layer.status) + (layer.note ? " — " + layer.note : "") +
      ". No statement of it applies to this request."));
    return;
  }
  const bySource = new Map();
  for (const s of stmts) {
    const key = s.source || ("(not in the world) " + s.policy);
    if (!bySource.has(key)) bySource.set(key, []);
    bySource.get(key).push(s);
  }
  const srcCol = el("div", { class: "source" });
  const condCol = el("div", { class: "conditions" });
  panel.append(el("div", { class: "source-view" }, srcCol, condCol));
  for (const [key, group] of bySource) {
    const p0 = group[0];
    srcCol.append(el("div", { class: "title" }, p0.policy + (p0.level ? " (attached at " + p0.level + ")" : "") + (p0.source ? " — " + p0.source : "")));
    let text = null;
    if (p0.source) {
      try { text = (await policySource(p0.source)).text; } catch (e) { text = null; }
    }
    if (text !== null) {
      const pre = el("pre", { class: "policy-text", "data-source": p0.source });
      text.split("\n").forEach((line, i) => {
        const n = i + 1;
        const hit = group.find((s) => n >= s.start.line && n <= s.end.line);
        const isDeciding = hit && deciding.has(hit.source + "#" + hit.index);
        pre.append(el("span", {
          class: "ln" + (hit ? " hl " + hit.effect.toLowerCase() : "") + (isDeciding ? " deciding-line" : ""),
          "data-n": String(n),
        }, line || " "));
      });
      srcCol.append(pre);
    } else {
      srcCol.append(el("p", { class: "note" }, "The text of this policy is not in the world (given with the request)."));
    }
    for (const s of group) {
      const isDeciding = deciding.has(s.source + "#" + s.index);
      condCol.append(el("div", { class: "stmt" + (isDeciding ? " deciding-stmt" : ""), "data-sid": s.sid || ("#" + (s.index + 1)) },
        el("div", {}, el("strong", {}, s.effect + " " + (s.sid || "#" + (s.index + 1))),
          " of " + s.policy + ", lines " + s.start.line + "–" + s.end.line + (isDeciding ? " — deciding" : "")),
        s.detail.conditions.length ? s.detail.conditions.map(conditionLine) : el("div", { class: "note" }, "no conditions"),
        s.detail.principal && s.detail.principal.note ? el("div", { class: "note" }, "note: " + s.detail.principal.note) : null));
    }
  }
}

function contextTable(context, evaluation) {
  const t = el("table", { class: "kv context" });
  for (const g of context.given) t.append(el("tr", { class: "given" }, el("td", {}, "given"), el("td", {}, g.key + " = " + g.values.join(", "))));
  for (const i of context.inferred) t.append(el("tr", { class: "inferred" }, el("td", {}, "inferred"), el("td", {}, i.key + " = " + i.values.join(", ") + "  (from " + i.source + ")")));
  for (const m of evaluation.missing_context_keys) t.append(el("tr", { class: "missing" }, el("td", {}, "missing"), el("td", {}, m.key + " — consulted by a condition but not in the request; add it as a context key if the real request carries it")));
  if (!t.children.length) t.append(el("tr", {}, el("td", {}, "none")));
  return t;
}

function copyButton(text) {
  return el("button", {
    class: "copy", type: "button",
    onclick: async (ev) => {
      try { await navigator.clipboard.writeText(text); ev.target.textContent = "copied"; }
      catch (_) { ev.target.textContent = "select and copy"; }
    },
  }, "copy");
}

function diffBlock(diff) {
  const pre = el("pre", { class: "diff" });
  for (const l of diff.split("\n")) {
    const cls = l.startsWith("+") && !l.startsWith("+++") ? "add" : l.startsWith("-") && !l.startsWith("---") ? "del" : null;
    pre.append(el("span", { class: cls }, l), "\n");
  }
  return pre;
}

function fixesBlock(fixes) {
  const box = el("div", { class: "fixes" });
  if (!fixes) return box;
  if (fixes.fixes.length) {
    box.append(el("h3", {}, "Verified fixes (each re-checked against the world)"));
    fixes.fixes.forEach((f, i) => {
      box.append(el("div", { class: "fix" },
        el("div", {}, el("strong", {}, (i + 1) + ". " + f.title), " ", el("span", { class: "tag" }, f.cost)),
        f.also_allows.length ? el("ul", {}, f.also_allows.map((a) => el("li", { class: "note" }, a))) : null,
        f.diff ? diffBlock(f.diff) : null,
        f.command ? el("div", {}, copyButton(f.command), el("pre", { class: "cmd" }, f.command)) : null));
    });
  }
  if (fixes.no_safe_fix) box.append(el("p", { class: "note" }, "No safe fix: " + fixes.no_safe_fix));
  return box;
}

// One simulated request: decision, chain, source view, context, notes, fixes.
function renderEvaluation(target, r) {
  const e = r.evaluation;
  const denied = e.decision !== "Allowed";
  target.append(
    el("div", { class: "decision " + (denied ? "denied" : "allowed"), id: "decision" }, e.decision, " — ", r.action, " on ", r.resource),
    el("div", { class: "why" }, "why: " + e.reason.summary + (e.reason.level ? " (at " + e.reason.level + ")" : "")));
  target.append(el("h3", {}, "The evaluation chain, in evaluation order"), legend());
  const panel = el("div", { class: "source-panel", id: "source-panel" });
  const { chain, decidingBox } = drawChain(e, (layer, level) => showSource(panel, e, layer, level));
  target.append(chain, panel);
  if (e.unevaluable.length) {
    target.append(el("h3", {}, "Not evaluated faithfully"),
      el("ul", {}, e.unevaluable.map((u) => el("li", {}, u.policy + " statement " + u.statement + " (" + u.layer + ", line " + u.start.line + "): " + u.reason + "; " + u.assumed))));
  }
  target.append(el("h3", {}, "Context keys"), contextTable(r.context, e));
  const notes = [...(r.notes || []), ...e.notes];
  if (notes.length) target.append(el("ul", { class: "notes" }, notes.map((n) => el("li", { class: "note" }, "note: " + n))));
  if (r.agreement) target.append(el("p", {}, el("strong", {}, "Compared with AWS (" + r.agreement.verdict + "): "), r.agreement.explanation));
  target.append(fixesBlock(r.fixes));
  // Open the deciding box's source at once (or the first box).
  const open = decidingBox || chain.querySelector(".box");
  if (open) open.click();
}

function renderGuide(target, g) {
  target.append(el("h3", {}, "What this proves"), el("ul", {}, g.proves.map((p) => el("li", {}, p))));
  target.append(el("h3", {}, "Where to look, in order"),
    el("ol", {}, g.steps.map((s) => el("li", {}, s.check + " — " + s.why, s.commands.map((c) => el("div", {}, copyButton(c), el("pre", { class: "cmd" }, c)))))));
}

function renderObserved(o) {
  const t = el("table", { class: "kv observed" });
  const row = (k, v) => t.append(el("tr", {}, el("td", {}, k), el("td", {}, v || "(not stated)")));
  row("principal", o.principal);
  row("action", (o.actions || []).join(", "));
  row("resource", o.resource || (o.message && o.message.resource));
  if (o.message && o.message.policy_arn) row("policy", o.message.policy_arn);
  return t;
}

function renderExplainItem(target, item) {
  const box = el("div", { class: "item" });
  target.append(box);
  if (item.groups) {
    box.append(el("h3", {}, item.records + " records read, " + item.denied + " grouped by cause"));
    const t = el("table", { class: "kv groups" });
    for (const g of item.groups) t.append(el("tr", {}, el("td", {}, g.count + " ×"), el("td", {}, g.principal + " " + g.action + ": " + g.cause + (g.verdict ? " [" + g.verdict + "]" : ""))));
    box.append(t);
    return;
  }
  box.append(el("h3", {}, "The request as understood (" + item.input + ")"), renderObserved(item.observed));
  const d = item.diagnosis;
  if (d) {
    for (const f of d.first) box.append(el("p", {}, el("strong", {}, "FIRST: "), f));
    if (d.error) box.append(el("div", { class: "error" }, "Cannot simulate: " + d.error));
    if (d.partial) box.append(el("h3", {}, "The world does not hold everything this request needs"), el("ul", {}, d.partial.missing.map((m) => el("li", {}, m))));
    for (const a of d.actions) {
      renderEvaluation(box, {
        evaluation: a.evaluation, context: a.context, notes: a.notes, fixes: a.fixes, agreement: a.agreement,
        action: a.action,
        resource: item.observed.resource || (item.observed.message && item.observed.message.resource) || "*",
      });
    }
  }
  if (item.guide) renderGuide(box, item.guide);
}

async function runExplain(push) {
  const target = document.getElementById("explain-result");
  const input = document.getElementById("explain-input").value;
  const region = document.getElementById("explain-region").value.trim();
  const expected = document.getElementById("explain-expected").value.trim();
  const vpce = document.getElementById("explain-vpce").value.trim();
  const context = lines(document.getElementById("explain-context").value);
  if (push) setQuery({ tab: "explain", input, region, expected_principal: expected, source_vpce: vpce, context });
  target.replaceChildren(el("p", { class: "note" }, "explaining…"));
  try {
    const body = { input, context };
    if (region) body.region = region;
    if (expected) body.expected_principal = expected;
    if (vpce) body.source_vpce = vpce;
    const report = await api("POST", "/api/v1/explain", body);
    target.replaceChildren();
    const items = report.items || [report];
    if (!items.length) target.append(el("p", {}, report.records + " record(s) read; none was denied."));
    for (const it of items) renderExplainItem(target, it);
    target.dataset.ready = "true";
  } catch (err) { console.error(err); showError(target, err); target.dataset.ready = "error"; }
}

async function runCheck(push) {
  const target = document.getElementById("check-result");
  const v = (id) => document.getElementById(id).value.trim();
  const q = { principal: v("check-principal"), action: v("check-action"), resource: v("check-resource") || "*",
    region: v("check-region"), source_vpce: v("check-vpce"), context: lines(document.getElementById("check-context").value) };
  if (push) setQuery({ tab: "check", ...q });
  target.replaceChildren(el("p", { class: "note" }, "checking…"));
  try {
    const body = { principal: q.principal, action: q.action, resource: q.resource, context: q.context };
    if (q.region) body.region = q.region;
    if (q.source_vpce) body.source_vpce = q.source_vpce;
    const r = await api("POST", "/api/v1/check", body);
    target.replaceChildren();
    renderEvaluation(target, { evaluation: r.evaluation, context: r.context, notes: r.notes, fixes: r.fixes,
      action: r.question.action, resource: r.question.resource });
    target.dataset.ready = "true";
  } catch (err) { showError(target, err); target.dataset.ready = "error"; }
}

async function runLint(push) {
  const target = document.getElementById("lint-result");
  const policy = document.getElementById("lint-policy").value;
  const type = document.getElementById("lint-type").value;
  if (push) setQuery({ tab: "lint", policy, type });
  try {
    const r = await api("POST", "/api/v1/lint", { policy, type });
    target.replaceChildren();
    if (!r.findings.length) target.append(el("p", {}, "No findings."));
    for (const f of r.findings) {
      const loc = f.locations && f.locations[0] && f.locations[0].span ? " (line " + f.locations[0].span.start.line + ")" : "";
      target.append(el("div", { class: "fix" }, el("strong", {}, f.findingType + " " + f.issueCode), loc, el("div", {}, f.findingDetails)));
    }
  } catch (err) { showError(target, err); }
}

// ---- world browser
function policyBlock(p) {
  const pre = el("pre", { class: "policy-text" });
  p.text.split("\n").forEach((line, i) => pre.append(el("span", { class: "ln", "data-n": String(i + 1) }, line || " ")));
  return el("div", { class: "source" }, el("div", { class: "title" }, p.name + " (" + p.policy_type + ")" + (p.source ? " — " + p.source : "")), pre);
}

async function showPrincipal(arn) {
  const d = document.getElementById("world-detail");
  setQuery({ tab: "world", principal: arn });
  try {
    const p = await api("GET", "/api/v1/world/principal?arn=" + encodeURIComponent(arn));
    d.replaceChildren(el("h3", {}, "Effective policies of " + p.arn));
    d.append(el("h3", {}, "Identity-based"), p.identity.length ? p.identity.map(policyBlock) : el("p", { class: "note" }, "none"));
    if (p.boundary) d.append(el("h3", {}, "Permissions boundary"), p.boundary.map(policyBlock));
    for (const l of p.scp_levels) d.append(el("h3", {}, "SCPs at " + l.target), l.policies.map(policyBlock));
    for (const n of p.notes) d.append(el("p", { class: "note" }, "note: " + n));
  } catch (err) { showError(d, err); }
}

async function showResource(arn) {
  const d = document.getElementById("world-detail");
  setQuery({ tab: "world", resource: arn });
  try {
    const r = await api("GET", "/api/v1/world/resource?arn=" + encodeURIComponent(arn));
    d.replaceChildren(el("h3", {}, r.arn + " (account " + r.account + ")"));
    d.append(r.policy ? policyBlock(r.policy) : el("p", { class: "note" }, "no resource policy"));
    const tags = Object.entries(r.tags);
    if (tags.length) d.append(el("h3", {}, "Tags"), el("table", { class: "kv" }, tags.map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", {}, v)))));
  } catch (err) { showError(d, err); }
}

function hitLink(h) {
  const open = h.kind === "resource" ? () => showResource(h.id)
    : (h.kind === "user" || h.kind === "role") ? () => showPrincipal(h.id) : null;
  return el("li", {}, open ? el("a", { onclick: open }, h.id) : h.id, el("span", { class: "tag" }, h.kind));
}

async function loadWorld() {
  const treeBox = document.getElementById("world-tree");
  try {
    const w = await api("GET", "/api/v1/world");
    const acct = (a) => el("li", { class: "account" },
      el("a", { onclick: () => search(a.id) }, "account " + a.id),
      a.policies.map((p) => el("span", { class: "tag" }, p)),
      el("span", { class: "note" }, " " + a.users + " users, " + a.roles + " roles, " + a.resources + " resources" + (a.in_world ? "" : " (not in the snapshot)")));
    const node = (n) => el("li", { class: "node" },
      el("strong", {}, (n.name ? n.name + " " : "") + n.id), n.policies.map((p) => el("span", { class: "tag" }, p)),
      el("ul", {}, n.children.map(node), n.accounts.map(acct)));
    treeBox.replaceChildren(el("div", { class: "tree" },
      el("h3", {}, w.organization ? "Organization " + w.organization : "Accounts"),
      el("ul", {}, w.tree.map(node), w.standalone.map(acct))));
  } catch (err) { showError(treeBox, err); }
}

async function search(q) {
  const d = document.getElementById("world-detail");
  document.getElementById("world-q").value = q;
  try {
    const r = await api("GET", "/api/v1/world/search?q=" + encodeURIComponent(q));
    d.replaceChildren(el("h3", {}, r.hits.length + (r.truncated ? "+" : "") + " matching " + JSON.stringify(r.q)),
      el("ul", { class: "hits" }, r.hits.map(hitLink)));
  } catch (err) { showError(d, err); }
}

// ---- who-can and what-can (the answers of iamwhy who-can / what-can --output json)

// A statement of a Discovery answer as `policy / Sid (layer at level), line N` (the CLI's text).
function statementLabel(s) {
  const sid = s.sid || "#" + (s.index + 1);
  return s.policy + " / " + sid + " (" + (LAYER_NAME[s.layer] || s.layer) + (s.level ? " at " + s.level : "") + "), line " + s.start.line;
}

function termText(l) {
  const t = l.term;
  return t.type === "session_name" ? "session name in [" + t.names.join(", ") + "]"
    : t.operator + " " + t.key + " [" + t.values.join(", ") + "]";
}

// A formula drawn as nested lists: "always", "never", a term (NOT for a Deny's condition that
// must not hold), "all of" / "any of" its parts. Each term's title names its statements.
function formulaEl(f) {
  if (f.kind === "true") return el("span", { class: "always" }, "always");
  if (f.kind === "false") return el("span", { class: "never" }, "never");
  if (f.kind === "term") {
    const from = (f.sources || []).map((s) => "from " + s.effect + " statement " + (s.sid || "#" + (s.index + 1)) + " of " + s.policy +
      " (" + (LAYER_NAME[s.layer] || s.layer) + (s.level ? " at " + s.level : "") + "), line " + s.start.line).join("; ");
    return el("span", { class: "term", title: from }, f.negated ? el("span", { class: "neg" }, "NOT ") : null, termText(f));
  }
  return el("span", { class: "group-formula" }, f.kind === "all" ? "all of:" : "any of:",
    el("ul", {}, f.of.map((p) => el("li", {}, formulaEl(p)))));
}

function whenEl(label, f) {
  return el("div", { class: "when" }, el("span", { class: "label" }, label + " "), el("span", { class: "formula" }, formulaEl(f)));
}

// A statement with its conditions on the unknowns and, on demand, its policy's text with the
// statement's lines highlighted.
function statementEl(s) {
  const line = el("li", { class: "stmt-line", "data-sid": s.sid || "#" + (s.index + 1), "data-layer": s.layer },
    statementLabel(s));
  if (s.conditions && s.conditions.kind !== "true") line.append(el("div", { class: "formula" }, "applies when: ", formulaEl(s.conditions)));
  if (s.source) {
    let shown = null;
    line.append(el("a", {
      onclick: async () => {
        if (shown) { shown.remove(); shown = null; return; }
        shown = el("div", { class: "source" }, el("div", { class: "title" }, s.policy + " — " + s.source));
        line.append(shown);
        try {
          const p = await policySource(s.source);
          const pre = el("pre", { class: "policy-text", "data-source": s.source });
          p.text.split("\n").forEach((text, i) => {
            const n = i + 1;
            const hit = n >= s.start.line && n <= s.end.line;
            pre.append(el("span", { class: "ln" + (hit ? " hl " + s.effect.toLowerCase() : ""), "data-n": String(n) }, text || " "));
          });
          shown.append(pre);
        } catch (err) { showError(shown, err); }
      },
    }, "source"));
  }
  return line;
}

function statementsEl(label, stmts) {
  if (!stmts || !stmts.length) return null;
  return el("div", { class: "stmts" }, el("span", { class: "label" }, label), el("ul", {}, stmts.map(statementEl)));
}

// The CLI's phrase for a class of principals no snapshot lists.
function describeClass(c) {
  switch (c.class) {
    case "anonymous": return "anonymous (unauthenticated) callers";
    case "outside_organization": return "any principal of an AWS account outside the organization";
    case "account": return c.in_organization
      ? "any principal of account " + c.account + " (in the organization; the snapshot lists none)"
      : "any principal of account " + c.account + " (outside the world)";
    case "named": return c.arn + " (outside the world)";
    case "service": return "the AWS service " + c.service;
    default: return JSON.stringify(c);
  }
}

function shareLink(params, text) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  return el("a", { href: "?" + q.toString(), class: "share" }, text);
}

function renderWhoCan(target, a) {
  target.append(el("div", { class: "answer-head", id: "who-can-head" },
    a.principals.length + " principal(s) of the world may " + a.action + " on " + a.resource),
  el("p", { class: "note" }, a.candidates_evaluated + " evaluated of " + a.principals_in_scope +
    " in scope; the others have no statement that can allow it. A role stands for its sessions."));
  const list = el("div", { class: "grantees", id: "who-can-principals" });
  for (const g of a.principals) {
    list.append(el("div", { class: "grantee", "data-principal": g.principal, "data-kind": g.kind },
      el("div", { class: "who" }, el("span", { class: "arn" }, g.principal), el("span", { class: "tag" }, g.kind),
        el("span", { class: "tag" }, "account " + g.account),
        g.strict_decision !== "Allowed" ? el("span", { class: "tag" }, "with the context as given: " + g.strict_decision) : null,
        " ", shareLink({ tab: "what-can", principal: g.principal, resource: a.resource }, "what else can it do here?")),
      whenEl("allowed when:", g.allowed_when),
      statementsEl("granted by:", g.granting),
      statementsEl("limited by:", g.guardrails),
      g.notes.length ? el("ul", { class: "notes" }, g.notes.map((n) => el("li", { class: "note" }, "note: " + n))) : null));
  }
  if (!a.principals.length) list.append(el("p", {}, "No principal of the world may make this request."));
  target.append(list);
  target.append(el("h3", {}, "Principals no snapshot lists"));
  const classes = el("div", { class: "classes", id: "who-can-classes" });
  for (const c of a.classes) {
    classes.append(el("div", { class: "class-answer " + (c.allowed ? "may" : "no"), "data-class": c.class.class, "data-allowed": String(c.allowed) },
      el("div", { class: "who" }, describeClass(c.class) + ": " + (c.allowed ? "MAY" : "no")),
      el("div", { class: "note" }, "decided for " + c.representative),
      c.allowed ? whenEl("allowed when:", c.allowed_when) : null,
      c.allowed ? statementsEl("granted by:", c.granting) : null,
      c.allowed ? statementsEl("limited by:", c.guardrails) : null,
      c.assumptions.map((x) => el("div", { class: "note" }, "assuming " + x))));
  }
  target.append(classes);
  target.append(el("p", { class: "outside", id: "who-can-outside" }, el("strong", {}, a.nobody_outside_organization
    ? "Nobody outside the organization may make this request."
    : "Principals outside the organization MAY make this request.")));
  if (a.assume_paths.length) {
    target.append(el("h3", {}, "Who may assume the allowed roles"),
      el("table", { class: "kv assume-paths" }, a.assume_paths.map((e) =>
        el("tr", {}, el("td", {}, e.by + " → " + e.role), el("td", { class: "formula" }, "when ", formulaEl(e.allowed_when))))));
  }
  if (a.notes.length) target.append(el("ul", { class: "notes" }, a.notes.map((n) => el("li", { class: "note" }, "note: " + n))));
}

function renderWhatCan(target, a) {
  target.append(el("div", { class: "answer-head", id: "what-can-head" },
    a.allowed + " action(s) allowed to " + a.principal + " on " + a.resource),
  el("p", { class: "note" }, a.candidates_evaluated + " evaluated of " + a.actions_in_scope + " in the catalog scope; the others have no statement that can allow them."));
  for (const s of a.services) {
    const count = s.levels.reduce((n, l) => n + l.actions.length, 0);
    const box = el("div", { class: "service-group", "data-service": s.service }, el("h3", {}, s.service + " (" + count + ")"));
    for (const l of s.levels) {
      box.append(el("h4", {}, l.access_level + " (" + l.actions.length + ")"),
        el("table", { class: "actions", "data-level": l.access_level }, l.actions.map((x) =>
          el("tr", { "data-action": x.action },
            el("td", { class: "action" }, x.action),
            el("td", { class: "formula" }, x.unconditional ? el("span", { class: "always" }, "always") : ["when ", formulaEl(x.allowed_when)]),
            el("td", { class: "note" }, x.granted_by.length ? "granted by " + x.granted_by.join("; ") : "")))));
    }
    target.append(box);
  }
  if (!a.services.length) target.append(el("p", {}, "No action of the catalog is allowed."));
  if (a.notes.length) target.append(el("ul", { class: "notes" }, a.notes.map((n) => el("li", { class: "note" }, "note: " + n))));
}

// The request details of the who-can and what-can forms, for the body and the address.
function requestDetails(prefix) {
  const v = (id) => document.getElementById(prefix + "-" + id).value.trim();
  return { region: v("region"), source_vpce: v("vpce"), context: lines(document.getElementById(prefix + "-context").value) };
}
function withDetails(body, d) {
  body.context = d.context;
  if (d.region) body.region = d.region;
  if (d.source_vpce) body.source_vpce = d.source_vpce;
  return body;
}

async function runWhoCan(push) {
  const target = document.getElementById("who-can-result");
  const v = (id) => document.getElementById("who-can-" + id).value.trim();
  const q = { action: v("action"), resource: v("resource") || "*", account: v("account"), ou: v("ou"),
    via_assume_role: document.getElementById("who-can-via").checked };
  const d = requestDetails("who-can");
  if (push) setQuery({ tab: "who-can", ...q, via_assume_role: q.via_assume_role ? "1" : "", ...d });
  target.replaceChildren(el("p", { class: "note" }, "asking who can… (every principal of the world)"));
  try {
    const body = withDetails({ action: q.action, resource: q.resource }, d);
    if (q.account) body.account = q.account;
    if (q.ou) body.ou = q.ou;
    if (q.via_assume_role) body.via_assume_role = true;
    const a = await api("POST", "/api/v1/who-can", body);
    target.replaceChildren();
    renderWhoCan(target, a);
    target.dataset.ready = "true";
  } catch (err) { showError(target, err); target.dataset.ready = "error"; }
}

async function runWhatCan(push) {
  const target = document.getElementById("what-can-result");
  const v = (id) => document.getElementById("what-can-" + id).value.trim();
  const q = { principal: v("principal"), resource: v("resource"), service: v("service") };
  const d = requestDetails("what-can");
  if (push) setQuery({ tab: "what-can", ...q, ...d });
  target.replaceChildren(el("p", { class: "note" }, "asking what can… (every action of the catalog)"));
  try {
    const body = withDetails({ principal: q.principal }, d);
    if (q.resource) body.resource = q.resource;
    if (q.service) body.service = q.service;
    const a = await api("POST", "/api/v1/what-can", body);
    target.replaceChildren();
    renderWhatCan(target, a);
    target.dataset.ready = "true";
  } catch (err) { showError(target, err); target.dataset.ready = "error"; }
}

// ---- start: fill the forms from the query string and run the question it holds.
document.addEventListener("DOMContentLoaded", () => {
  const q = new URLSearchParams(location.search);
  const tab = TABS.includes(q.get("tab")) ? q.get("tab") : "explain";
  for (const a of document.querySelectorAll("#tabs a")) {
    a.addEventListener("click", (ev) => {
      ev.preventDefault();
      showTab(a.dataset.tab);
      setQuery({ tab: a.dataset.tab });
      if (a.dataset.tab === "world") loadWorld();
    });
  }
  document.getElementById("explain-form").addEventListener("submit", (ev) => { ev.preventDefault(); runExplain(true); });
  document.getElementById("check-form").addEventListener("submit", (ev) => { ev.preventDefault(); runCheck(true); });
  document.getElementById("lint-form").addEventListener("submit", (ev) => { ev.preventDefault(); runLint(true); });
  document.getElementById("who-can-form").addEventListener("submit", (ev) => { ev.preventDefault(); runWhoCan(true); });
  document.getElementById("what-can-form").addEventListener("submit", (ev) => { ev.preventDefault(); runWhatCan(true); });
  document.getElementById("world-form").addEventListener("submit", (ev) => { ev.preventDefault(); search(document.getElementById("world-q").value); });
  showTab(tab);
  const set = (id, v) => { if (v !== null) document.getElementById(id).value = v; };
  const ctx = q.getAll("context").join("\n");
  if (tab === "explain" && q.get("input")) {
    set("explain-input", q.get("input")); set("explain-region", q.get("region"));
    set("explain-expected", q.get("expected_principal")); set("explain-vpce", q.get("source_vpce"));
    document.getElementById("explain-context").value = ctx;
    runExplain(false);
  } else if (tab === "check" && q.get("principal")) {
    set("check-principal", q.get("principal")); set("check-action", q.get("action")); set("check-resource", q.get("resource"));
    set("check-region", q.get("region")); set("check-vpce", q.get("source_vpce"));
    document.getElementById("check-context").value = ctx;
    runCheck(false);
  } else if (tab === "lint" && q.get("policy")) {
    set("lint-policy", q.get("policy")); set("lint-type", q.get("type"));
    runLint(false);
  } else if (tab === "world") {
    loadWorld();
    if (q.get("principal")) showPrincipal(q.get("principal"));
    else if (q.get("resource")) showResource(q.get("resource"));
  } else if (tab === "who-can" && q.get("action")) {
    set("who-can-action", q.get("action")); set("who-can-resource", q.get("resource"));
    set("who-can-account", q.get("account")); set("who-can-ou", q.get("ou"));
    document.getElementById("who-can-via").checked = !!q.get("via_assume_role");
    set("who-can-region", q.get("region")); set("who-can-vpce", q.get("source_vpce"));
    document.getElementById("who-can-context").value = ctx;
    runWhoCan(false);
  } else if (tab === "what-can" && q.get("principal")) {
    set("what-can-principal", q.get("principal")); set("what-can-resource", q.get("resource"));
    set("what-can-service", q.get("service"));
    set("what-can-region", q.get("region")); set("what-can-vpce", q.get("source_vpce"));
    document.getElementById("what-can-context").value = ctx;
    runWhatCan(false);
  }
});
