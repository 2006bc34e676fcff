/**
 * The `/streams` page: one HTML document with its style and script inline, loading nothing from
 * anywhere (its content security policy allows only its own inline style and script, by hash, and
 * requests to its own origin), so it works offline and behind any proxy that serves the gateway.
 *
 * The script polls `streams.json` about once a second (not while the tab is hidden) and redraws:
 * the streams in flight, nearest to a limit first, each limit a CSS bar with the one that ends the
 * stream first marked; the admission's queue and the counts by outcome; the recent ends, which it
 * keeps as a ring of its own (it asks only for the ends past the last it has) and filters by
 * outcome and upstream. With gateway keys configured it asks for a key in a form, keeps it in
 * `sessionStorage` only and sends it as an `authorization` header: never in a URL.
 *
 * Everything shown is written with `textContent`: a model name is a client's text.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"

const style = String.raw`
:root { color-scheme: light dark; --bg: #f7f7f5; --fg: #1d1d1f; --muted: #6b6b70; --line: #dcdcd8; --card: #fff;
  --cool: #3b82c4; --warm: #d48a00; --hot: #d1343b; --ok: #2e8540; --track: #e6e6e2; }
@media (prefers-color-scheme: dark) { :root { --bg: #161618; --fg: #ececee; --muted: #9a9aa2; --line: #34343a;
  --card: #1f1f23; --track: #2c2c32; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; padding: 12px 20px; border-bottom: 1px solid var(--line); }
h1 { font-size: 17px; margin: 0; }
h2 { font-size: 15px; margin: 0 0 8px; }
#status { color: var(--muted); }
#status.bad { color: var(--hot); }
header button { margin-left: auto; }
main, #key-form { padding: 16px 20px; }
#key-form { max-width: 420px; }
#key-form label { display: block; font-weight: 600; margin-bottom: 6px; }
#key-form input { width: 100%; padding: 6px 8px; font: inherit; }
#key-form button { margin-top: 8px; }
#key-note { color: var(--hot); min-height: 1.4em; }
button { font: inherit; padding: 4px 10px; cursor: pointer; }
.banner { background: var(--warm); color: #000; padding: 6px 10px; border-radius: 4px; margin-bottom: 12px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; min-width: 200px; }
.card .big { font-size: 22px; font-weight: 600; }
.card .sub, .sub { color: var(--muted); font-size: 12px; }
.chips { display: flex; gap: 6px; flex-wrap: wrap; }
.chip { border: 1px solid var(--line); border-radius: 12px; padding: 1px 8px; background: none; color: inherit; font-size: 12px; }
.chip.failed { border-color: var(--hot); }
section { margin-bottom: 20px; }
.scroll { overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; white-space: nowrap; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.empty { color: var(--muted); text-align: center; padding: 14px; }
code { font: 12px ui-monospace, "SFMono-Regular", Menlo, monospace; }
.phase, .outcome { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; border: 1px solid var(--line); }
.phase-streaming { border-color: var(--cool); }
.phase-draining, .phase-shutting_down { border-color: var(--warm); }
.outcome.done { border-color: var(--ok); color: var(--ok); }
.outcome.failed { border-color: var(--hot); color: var(--hot); }
.bars { min-width: 330px; }
.bar { display: grid; grid-template-columns: 78px 130px auto; align-items: center; gap: 6px; font-size: 12px; }
.bar .name { color: var(--muted); }
.bar .track { height: 8px; background: var(--track); border-radius: 4px; overflow: hidden; }
.bar .fill { display: block; height: 100%; background: var(--cool); }
.bar.warm .fill { background: var(--warm); }
.bar.hot .fill { background: var(--hot); }
.bar.paused .fill { opacity: 0.4; }
.bar.next .name { color: var(--fg); font-weight: 700; }
.bar.next .name::after { content: " \25C0"; color: var(--hot); }
.bar .value { font-variant-numeric: tabular-nums; }
.filters { display: flex; gap: 12px; align-items: center; margin-bottom: 8px; }
.filters select { font: inherit; }
`

const script = String.raw`
"use strict";
(() => {
  const storageKey = "streamguard.gatewayKey";
  const rowLimit = 200;
  const keepEnds = 300;
  const pollMillis = 1000;
  const byId = (id) => document.getElementById(id);
  const state = { key: sessionStorage.getItem(storageKey), ends: [], lastEnd: 0, timer: undefined, busy: false, locked: false };
  const phaseLabels = {
    admission: "waiting for admission",
    headers: "waiting for headers",
    first_content: "waiting for first content",
    streaming: "streaming",
    draining: "draining after the client left",
    shutting_down: "shutting down"
  };

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  };
  const pad = (n) => String(n).padStart(2, "0");
  const duration = (ms) => {
    if (ms < 1000) return Math.round(ms) + " ms";
    const s = ms / 1000;
    if (s < 60) return (s < 10 ? s.toFixed(1) : String(Math.floor(s))) + " s";
    const m = Math.floor(s / 60);
    if (m < 60) return m + " m " + pad(Math.floor(s % 60)) + " s";
    return Math.floor(m / 60) + " h " + pad(m % 60) + " m";
  };
  const bytes = (n) => n < 1024 ? n + " B" : n < 1048576 ? (n / 1024).toFixed(1) + " KiB" : (n / 1048576).toFixed(1) + " MiB";
  const count = (n) => n.toLocaleString("en");
  const usage = (u) => !u ? "" : count(u.contentEvents) + " events, " + count(u.characters) + " chars, " +
    count(u.outputTokens) + " tokens" + (u.tokens === "estimate" ? " (est.)" : "");
  const cell = (text, className) => el("td", className, text);
  /** A cell of two lines: the main one, and a smaller one under it. */
  const twoLines = (main, sub, className) => {
    const td = el("td", className);
    td.append(main, el("div", "sub", sub));
    return td;
  };

  const barOf = (bar, next) => {
    const fraction = bar.of > 0 ? Math.min(1, bar.ms / bar.of) : 1;
    const node = el("div", "bar " + (fraction >= 0.8 ? "hot" : fraction >= 0.5 ? "warm" : "cool"));
    node.dataset.limit = bar.name;
    node.dataset.fraction = fraction.toFixed(3);
    if (next) node.classList.add("next");
    if (bar.paused) node.classList.add("paused");
    const track = el("span", "track");
    const fill = el("span", "fill");
    fill.style.width = (fraction * 100).toFixed(1) + "%";
    track.append(fill);
    let value = duration(bar.ms) + " of " + duration(bar.of);
    if (bar.needed !== undefined) value += ", " + bar.seen + " of " + bar.needed + " events";
    if (bar.paused) value += ", paused";
    node.append(el("span", "name", bar.name), track, el("span", "value", value));
    node.title = bar.name + ": " + value + (next ? ". Ends the stream first unless the upstream speaks." : "");
    return node;
  };

  const streamRow = (row) => {
    const tr = el("tr");
    tr.dataset.requestId = row.requestId;
    tr.dataset.phase = row.phase;
    const attempt = "attempt " + row.attempt + (row.role === "primary" ? "" : " (" + row.role + ")") +
      (row.tried ? ", " + row.tried.length + " started" : "");
    const upstream = twoLines(document.createTextNode(row.upstream), attempt);
    if (row.tried) upstream.title = row.tried.map((t, i) => (i + 1) + ". " + t.upstream + ", " + t.role + ": " + t.result).join("\n");
    const bars = el("td", "bars");
    for (const bar of row.bars) bars.append(barOf(bar, bar.name === row.next));
    tr.append(
      twoLines(el("code", "", row.requestId), row.endpoint + ", profile " + row.profile),
      cell(row.model),
      upstream,
      twoLines(el("span", "phase phase-" + row.phase, phaseLabels[row.phase] || row.phase), "for " + duration(row.phaseMs)),
      cell(duration(row.silentMs), "num"),
      bars,
      twoLines(
        document.createTextNode(count(row.chunks) + " content, " + count(row.keepalives) + " pings, " + bytes(row.bytes)),
        "delivered " + usage(row.usage),
        "num"
      )
    );
    return tr;
  };

  const endRow = (end, now) => {
    const tr = el("tr");
    tr.dataset.requestId = end.requestId;
    tr.dataset.outcome = end.outcome;
    const outcome = el("td");
    outcome.append(el("span", "outcome " + (end.outcome === "done" ? "done" : "failed"), end.outcome));
    tr.append(
      cell(duration(Math.max(0, now - end.endedAt)) + " ago", "num"),
      twoLines(el("code", "", end.requestId), end.endpoint + ", profile " + end.profile),
      cell(end.model), cell(end.upstream), outcome, cell(phaseLabels[end.phase] || end.phase),
      cell(duration(end.durationMs), "num"), cell(end.status, "num"), cell(end.attempts, "num"), cell(usage(end.usage), "num")
    );
    return tr;
  };

  const emptyRow = (columns, text) => {
    const tr = el("tr");
    const td = el("td", "empty", text);
    td.colSpan = columns;
    tr.append(td);
    return tr;
  };

  /** Fills a select with "all" and the values seen, keeping what was chosen. */
  const fillSelect = (select, values) => {
    const chosen = select.value;
    const options = [el("option", "", "all")];
    options[0].value = "";
    for (const value of [...values].sort()) {
      const option = el("option", "", value);
      option.value = value;
      options.push(option);
    }
    select.replaceChildren(...options);
    select.value = values.has(chosen) ? chosen : "";
  };

  const renderEnds = (now) => {
    const outcome = byId("outcome-filter");
    const upstream = byId("upstream-filter");
    fillSelect(outcome, new Set([...state.ends.map((e) => e.outcome), ...Object.keys(state.outcomes || {})]));
    fillSelect(upstream, new Set(state.ends.map((e) => e.upstream)));
    const shown = state.ends.filter((e) => (!outcome.value || e.outcome === outcome.value) && (!upstream.value || e.upstream === upstream.value));
    const rows = shown.slice().reverse().map((e) => endRow(e, now));
    byId("ends-body").replaceChildren(...(rows.length > 0 ? rows : [emptyRow(10, state.ends.length > 0 ? "No recent end with this outcome and upstream." : "No stream ended yet.")]));
    byId("ends-note").textContent = shown.length + " of the last " + state.ends.length + " ends";
  };

  const render = (view) => {
    state.outcomes = view.outcomes;
    state.at = view.at;
    byId("shutting-down").hidden = !view.shuttingDown;
    byId("in-flight").textContent = count(view.inFlight);
    const a = view.admission;
    byId("waiting").textContent = count(a.waiting);
    byId("waiting-note").textContent = a.waiting > 0 ? "longest " + duration(a.longestWaitMs) : "none waiting";
    byId("slots").textContent = count(a.slots.inUse) + " / " + count(a.slots.limit);
    byId("slots-note").textContent = Object.entries(a.upstreams).map(([name, s]) => name + " " + s.inUse + " / " + s.limit).join(", ") || "slots in use, overall";
    const chips = Object.entries(view.outcomes).sort((x, y) => y[1] - x[1]).map(([name, n]) => {
      const chip = el("button", "chip" + (name === "done" ? "" : " failed"), name + " " + count(n));
      chip.type = "button";
      chip.dataset.outcome = name;
      chip.addEventListener("click", () => { byId("outcome-filter").value = name; renderEnds(state.at); });
      return chip;
    });
    byId("outcomes").replaceChildren(...(chips.length > 0 ? chips : [el("span", "sub", "no stream ended yet")]));
    const rows = view.streams.map(streamRow);
    byId("streams-body").replaceChildren(...(rows.length > 0 ? rows : [emptyRow(7, "No stream in flight.")]));
    byId("streams-note").textContent = view.inFlight > view.streams.length
      ? "the " + view.streams.length + " nearest to a limit of " + count(view.inFlight) + " in flight"
      : "nearest to a limit first";
    renderEnds(view.at);
    setStatus("Live, updated " + new Date().toLocaleTimeString(), "");
  };

  const setStatus = (text, className) => {
    byId("status").textContent = text;
    byId("status").className = className;
  };

  const schedule = () => {
    clearTimeout(state.timer);
    state.timer = setTimeout(poll, pollMillis);
  };

  const needKey = (note) => {
    state.locked = true;
    clearTimeout(state.timer);
    state.timer = undefined;
    byId("live").hidden = true;
    byId("forget").hidden = true;
    byId("key-form").hidden = false;
    byId("key-note").textContent = note;
    byId("key").focus();
    setStatus("A gateway key is needed.", "bad");
  };

  const poll = async () => {
    if (state.busy || state.locked) return;
    state.timer = undefined;
    if (document.hidden) return;
    state.busy = true;
    try {
      const headers = state.key ? { authorization: "Bearer " + state.key } : {};
      const response = await fetch("streams.json?limit=" + rowLimit + "&after=" + state.lastEnd, { headers, cache: "no-store" });
      if (response.status === 401) {
        const refused = state.key !== null;
        sessionStorage.removeItem(storageKey);
        state.key = null;
        return needKey(refused ? "That key was refused." : "");
      }
      if (!response.ok) throw new Error("the gateway answered " + response.status);
      const view = await response.json();
      if (view.lastEnd < state.lastEnd) {
        // The gateway restarted: its ends start over.
        state.ends = [];
        state.lastEnd = 0;
      } else {
        state.ends = state.ends.concat(view.ends).slice(-keepEnds);
        state.lastEnd = view.lastEnd;
      }
      byId("key-form").hidden = true;
      byId("live").hidden = false;
      byId("forget").hidden = state.key === null;
      render(view);
      schedule();
    } catch (error) {
      setStatus("No answer from the gateway (" + error.message + "); trying again.", "bad");
      schedule();
    } finally {
      state.busy = false;
    }
  };

  byId("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = byId("key").value.trim();
    if (!key) return;
    byId("key").value = "";
    state.key = key;
    sessionStorage.setItem(storageKey, key);
    state.locked = false;
    byId("key-form").hidden = true;
    setStatus("Loading...", "");
    poll();
  });
  byId("forget").addEventListener("click", () => {
    sessionStorage.removeItem(storageKey);
    state.key = null;
    state.ends = [];
    state.lastEnd = 0;
    needKey("");
  });
  byId("outcome-filter").addEventListener("change", () => renderEnds(state.at));
  byId("upstream-filter").addEventListener("change", () => renderEnds(state.at));
  document.addEventListener("visibilitychange", () => { if (!document.hidden && state.timer === undefined) poll(); });
  poll();
})();
`

const body = String.raw`
<header>
  <h1>StreamGuard: streams in flight</h1>
  <span id="status">Loading...</span>
  <button id="forget" type="button" hidden>Forget the key</button>
</header>
<form id="key-form" hidden autocomplete="off">
  <label for="key">Gateway key</label>
  <input id="key" type="password" autocomplete="off" spellcheck="false">
  <button type="submit">Show the streams</button>
  <p id="key-note"></p>
  <p class="sub">Kept in this tab only (sessionStorage) and sent as a header, never in a URL.</p>
</form>
<main id="live" hidden>
  <p id="shutting-down" class="banner" hidden>The gateway is shutting down: streams in flight end at its drain timeout.</p>
  <div class="cards">
    <div class="card"><div class="sub">In flight</div><div class="big" id="in-flight">0</div></div>
    <div class="card"><div class="sub">Waiting for admission</div><div class="big" id="waiting">0</div><div class="sub" id="waiting-note"></div></div>
    <div class="card"><div class="sub">Admission slots</div><div class="big" id="slots">0</div><div class="sub" id="slots-note"></div></div>
    <div class="card"><div class="sub">Ends since start, by outcome</div><div class="chips" id="outcomes"></div></div>
  </div>
  <section>
    <h2>In flight <span class="sub" id="streams-note"></span></h2>
    <div class="scroll"><table id="streams">
      <thead><tr><th>Request</th><th>Model</th><th>Upstream</th><th>Phase</th><th>Silent</th>
        <th>Limits (the marked one ends it first)</th><th>Upstream sent, client got</th></tr></thead>
      <tbody id="streams-body"></tbody>
    </table></div>
  </section>
  <section>
    <h2>Recent ends <span class="sub" id="ends-note"></span></h2>
    <div class="filters">
      <label>Outcome <select id="outcome-filter"></select></label>
      <label>Upstream <select id="upstream-filter"></select></label>
    </div>
    <div class="scroll"><table id="ends">
      <thead><tr><th>Ended</th><th>Request</th><th>Model</th><th>Upstream</th><th>Outcome</th><th>Phase</th>
        <th>Duration</th><th>Status</th><th>Attempts</th><th>Delivered</th></tr></thead>
      <tbody id="ends-body"></tbody>
    </table></div>
  </section>
</main>
`

const hash = (text: string): string => `'sha256-${createHash("sha256").update(text).digest("base64")}'`

/**
 * The page.
 *
 * @since 0.1.0
 * @category page
 */
export const html: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>StreamGuard: streams in flight</title>
<style>${style}</style>
</head>
<body>${body}<script>${script}</script>
</body>
</html>
`

/**
 * The page's headers: a content security policy that lets it load nothing but its own inline
 * style and script (by hash) and fetch nothing but its own origin, never framed, never cached.
 *
 * @since 0.1.0
 * @category page
 */
export const headers: Readonly<Record<string, string>> = {
  "content-security-policy": [
    "default-src 'none'",
    `script-src ${hash(script)}`,
    `style-src ${hash(style)}`,
    "connect-src 'self'",
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join("; "),
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff"
}
