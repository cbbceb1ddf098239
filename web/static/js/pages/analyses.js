import { h, fill, field, table, alertBox, progress, short, toast } from "../dom.js";
import { get, post, follow, stageText, casePath, session, cancel } from "../api.js";
import { both, stamp } from "../format.js";
import { can } from "../roles.js";

// kinds are the analyses and their parameters with the defaults the
// service applies (docs/VALIDATION.md describes each method).
const kinds = {
  colocation: { label: "Co-location", params: [
    ["window_s", "Time window (seconds)", 900], ["basis", "Basis", "service-area", ["service-area", "nearby", "sector", "site", "cell"]],
    ["distance_m", "Nearby: greatest mast distance (m)", 1000], ["apart_m", "Apart: least mast distance (m)", 10000], ["sector_radius_m", "Sector: radius (m)", 3000],
    ["area_neighbour", "Service area: radius to the nth other mast", 2], ["area_width_deg", "Service area: sector width (°)", 120],
    ["area_back_fraction", "Service area: disc about the mast (share of radius)", 0.1], ["area_max_radius_m", "Service area: greatest radius (m)", 35000]] },
  pattern: { label: "Pattern of life", params: [
    ["night_from", "Night from (hour, UK local)", 22], ["night_to", "Night to (hour)", 6], ["day_from", "Working day from (hour)", 9], ["day_to", "Working day to (hour)", 17],
    ["top_cells", "Cells listed", 10], ["same_site_m", "Same site within (m)", 50]] },
  contacts: { label: "Contacts", params: [["window_s", "Call chain window (seconds)", 3600], ["match_s", "Same call within (seconds)", 60]] },
  attribution: { label: "Attribution (handsets and SIMs)", params: [["device_digits", "IMEI digits naming a handset", 14]] },
  timeline: { label: "Timeline", params: [["gap_s", "Gap after (seconds)", 21600], ["max_speed_kmh", "Fastest travel (km/h)", 200], ["service_radius_m", "Service radius (m)", 5000]] },
  sessions: { label: "Data sessions", params: [] },
  towerdump: { label: "Tower dump", params: [["k", "Seen at (scenes, 0 = all)", 0]], scenes: true },
};

export async function analysesTab(body, c, id) {
  if (id) return showAnalysis(body, c, id);
  const list = h("div", { id: "analyses" });
  const reload = async () => {
    const { analyses } = await get(casePath(c.ref, "/analyses"));
    fill(list, table([
      { label: "#", get: (a) => h("a", { href: `#/cases/${encodeURIComponent(c.ref)}/analyses/${a.id}` }, `Analysis ${a.id}`) },
      { label: "Kind", get: (a) => (kinds[a.kind] || {}).label || a.kind },
      { label: "Parameters", get: (a) => h("code", { class: "params" }, paramText(a.params)) },
      { label: "Run", get: (a) => stamp(a.created_at) },
      { label: "By", get: (a) => a.created_by },
      { label: "Result SHA-256", get: (a) => short(a.result_sha256) },
      { label: "Leaf", get: (a) => a.leaf, num: true },
    ], analyses.slice().reverse(), { caption: "Stored runs, newest first; each is recorded on the provenance log", empty: "No analysis has been run yet." }));
  };
  fill(body, h("h2", null, "Analyses"));
  if (can.write(session.user.role)) body.append(runForm(c, reload));
  body.append(list);
  await reload();
}

const paramText = (p) => Object.entries(p || {}).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : typeof v === "object" ? JSON.stringify(v) : v}`).join(" ");

function runForm(c, reload) {
  const kind = h("select", { name: "kind", id: "analysis-kind" }, Object.entries(kinds).map(([k, v]) => h("option", { value: k }, v.label)));
  const targets = h("input", { name: "targets", placeholder: "all targets" });
  const paramsBox = h("div", { class: "row" });
  const msg = h("div");
  const bar = progress("Analysis");
  bar.hidden = true;
  let inputs = {};
  const showParams = () => {
    inputs = {};
    const k = kinds[kind.value];
    fill(paramsBox, k.params.map(([name, label, def, options]) => {
      const el = options ? h("select", { name }, options.map((o) => h("option", { value: o }, o))) : h("input", { name, type: "number", step: "any", value: def });
      if (options) el.value = def;
      inputs[name] = el;
      return field(label, el);
    }), k.scenes ? field("Scenes (JSON)", inputs.scenes = h("textarea", { name: "scenes", rows: 3, placeholder: '[{"name":"A","cells":["234-30-129097582"],"from":"2026-03-01T10:00:00Z","to":"2026-03-01T12:00:00Z"}]' })) : null);
  };
  kind.addEventListener("change", showParams);
  showParams();
  const form = h("form", { class: "card", id: "run-analysis" }, h("h3", null, "Run an analysis"), msg,
    h("div", { class: "row" }, field("Kind", kind), field("Targets", targets, "Numbers separated by commas; empty for every target")),
    paramsBox, h("button", { type: "submit", class: "primary" }, "Run"), bar);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    fill(msg);
    const params = {};
    try {
      for (const [k, el] of Object.entries(inputs)) {
        if (k === "scenes") { if (el.value.trim()) params.scenes = JSON.parse(el.value); continue; }
        params[k] = el.tagName === "SELECT" ? el.value : Number(el.value);
      }
    } catch (err) { fill(msg, alertBox(new Error("scenes: " + err.message))); return; }
    const ts = targets.value.split(",").map((t) => t.trim()).filter(Boolean);
    try {
      bar.hidden = false;
      bar.set(null, "starting");
      const { job } = await post(casePath(c.ref, "/analyses"), { kind: kind.value, targets: ts.length ? ts : undefined, params });
      bar.cancellable(() => cancel(job.id));
      const j = await follow(job.id, (j) => bar.set(j.state === "running" && !j.total ? null : j.percent, stageText(j)));
      bar.cancellable(null);
      if (j.state !== "succeeded") { fill(msg, alertBox(new Error(j.error || j.state))); return; }
      bar.set(100, `done: analysis ${j.result.id}, provenance leaf ${j.result.leaf}`);
      toast(`Analysis ${j.result.id} stored.`);
      await reload();
      location.hash = `#/cases/${encodeURIComponent(c.ref)}/analyses/${j.result.id}`;
    } catch (err) { fill(msg, alertBox(err)); }
  });
  return form;
}

async function showAnalysis(body, c, id) {
  const doc = await get(casePath(c.ref, "/analyses/" + encodeURIComponent(id)));
  const k = kinds[doc.kind] || { label: doc.kind };
  fill(body,
    h("p", null, h("a", { href: `#/cases/${encodeURIComponent(c.ref)}/analyses` }, "← All analyses")),
    h("h2", null, `Analysis ${id}: ${k.label}`),
    h("dl", { class: "facts" },
      h("dt", null, "Targets"), h("dd", null, (doc.targets || []).join(", ")),
      h("dt", null, "Parameters"), h("dd", null, h("code", null, paramText(doc.params))),
      h("dt", null, "Events used"), h("dd", null, String(doc.events)),
      h("dt", null, "Inputs"), h("dd", null, (doc.inputs || []).map((i) => h("div", null, i.name, " ", short(i.sha256)))),
      doc.unresolved && doc.unresolved.length ? [h("dt", null, "Unresolved cells"), h("dd", null, doc.unresolved.length)] : null),
    doc.kind === "colocation" ? colocation(doc.result, c) : value(doc.result, 0, "Result"));
}

function colocation(r, c) {
  const epCols = [
    { label: "#", get: (_e, i) => i + 1, num: true },
    { label: "Target A", get: (e) => e.a }, { label: "Target B", get: (e) => e.b },
    { label: "From", get: (e) => both(e.start) }, { label: "To", get: (e) => both(e.end) },
    { label: "Events", get: (e) => `${(e.events_a || []).length} + ${(e.events_b || []).length}`, num: true },
    { label: "Closest masts", get: (e) => e.closest_m !== undefined ? `${Math.round(e.closest_m)} m` : "", num: true },
  ];
  return h("div", { class: "result" },
    table([{ label: "Target", get: (x) => x.target }, { label: "Events", get: (x) => x.events, num: true }, { label: "Placed by a cell", get: (x) => x.placed, num: true }],
      r.coverage || [], { caption: "Coverage" }),
    table(epCols.concat([{ label: "Map", get: (_e, i) => h("a", { href: `#/cases/${encodeURIComponent(c.ref)}/map?episode=${i + 1}` }, "Show on map") }]),
      r.together || [], { caption: `Together: ${plural((r.together || []).length, "episode")}`, empty: "No episode together.", class: "episodes" }),
    table(epCols, r.apart || [], { caption: `Apart: ${plural((r.apart || []).length, "episode")}`, empty: "No episode apart." }));
}

const plural = (n, what) => `${n} ${what}${n === 1 ? "" : "s"}`;

const isTime = (v) => typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v);

function scalar(v) {
  if (v === null || v === undefined) return "";
  if (isTime(v)) return both(v);
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(3);
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (Array.isArray(v) && v.every((x) => typeof x !== "object")) return v.join(", ");
  return String(v);
}

const isScalar = (v) => v === null || typeof v !== "object" || (Array.isArray(v) && v.every((x) => x === null || typeof x !== "object"));
const label = (k) => k.replace(/_/g, " ").replace(/^./, (s) => s.toUpperCase());

// value renders any result: arrays of records as tables, records as lists
// of facts, nested parts under headings.
function value(v, depth, title) {
  const H = "h" + Math.min(6, 3 + depth);
  if (isScalar(v)) return h("p", null, title ? h("strong", null, title + ": ") : null, scalar(v));
  if (Array.isArray(v) && v.length && v.every((r) => Array.isArray(r) && r.every((x) => typeof x === "number"))) {
    const days = v.length === 7 ? ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] : v.map((_, i) => String(i + 1));
    const cols = [{ label: "", get: (_r, i) => days[i] }].concat(v[0].map((_, j) => ({ label: String(j).padStart(2, "0"), get: (r) => String(r[j]), num: true })));
    return table(cols, v, { caption: title + (v.length === 7 && v[0].length === 24 ? " (events by day and hour, UK local time)" : ""), class: "compact", scroll: true, rowHeader: true });
  }
  if (Array.isArray(v)) {
    if (!v.length) return h("div", null, h(H, null, title), h("p", { class: "empty" }, "None."));
    const cols = [];
    for (const row of v) for (const [k, x] of Object.entries(row)) if (isScalar(x) && !cols.includes(k)) cols.push(k);
    const nested = [];
    for (const row of v) for (const [k, x] of Object.entries(row)) if (!isScalar(x) && !nested.includes(k)) nested.push(k);
    if (nested.length && v.length <= 20) {
      return h("div", null, h(H, null, title), v.map((row, i) => h("section", { class: "sub-result" },
        value(row, depth + 1, `${title ? title + " " : ""}${row.target || row.msisdn || row.name || i + 1}`))));
    }
    return table(cols.map((k) => ({ label: label(k), get: (r) => scalar(r[k]), num: typeof v[0][k] === "number" })), v, { caption: title, scroll: true });
  }
  const facts = Object.entries(v).filter(([, x]) => isScalar(x));
  const rest = Object.entries(v).filter(([, x]) => !isScalar(x) && !(x && !Array.isArray(x) && depth > 2));
  return h("div", null, title ? h(H, null, title) : null,
    facts.length ? h("dl", { class: "facts" }, facts.map(([k, x]) => [h("dt", null, label(k)), h("dd", null, scalar(x))])) : null,
    rest.filter(([k]) => k !== "params").map(([k, x]) => value(x, depth + 1, label(k))));
}
