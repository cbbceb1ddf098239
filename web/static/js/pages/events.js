import { h, fill, field, table, alertBox, toast } from "../dom.js";
import { get, fetchRaw, casePath } from "../api.js";
import { both, basisName, duration, parse } from "../format.js";
import { saveBlob } from "../download.js";

export async function eventsTab(body, c, _id, r) {
  const q = r.query;
  const target = h("input", { name: "target", value: q.get("target") || "", placeholder: "+447700900123", maxlength: 32 });
  const cell = h("input", { name: "cell", value: q.get("cell") || "", placeholder: "234-10-128142472", maxlength: 64 });
  const from = h("input", { name: "from", value: q.get("from") || "", placeholder: "dd/mm/yyyy HH:MM:SS" });
  const to = h("input", { name: "to", value: q.get("to") || "", placeholder: "dd/mm/yyyy HH:MM:SS" });
  const basis = h("select", { name: "basis" }, h("option", { value: "utc" }, "UTC"), h("option", { value: "uk-local" }, "UK local (GMT/BST)"));
  basis.value = q.get("basis") || "utc";
  const repeats = h("input", { type: "checkbox", name: "repeats", checked: q.get("repeats") === "true" });
  const limit = h("select", { name: "limit" }, ["25", "50", "100", "250"].map((n) => h("option", { value: n }, n)));
  limit.value = q.get("limit") || "50";
  const page = Math.max(1, +(q.get("page") || 1));
  const msg = h("div");
  const out = h("div", { id: "events" });

  const params = (p) => {
    const sp = new URLSearchParams();
    if (target.value.trim()) sp.set("target", target.value.trim());
    if (cell.value.trim()) sp.set("cell", cell.value.trim());
    if (from.value.trim()) sp.set("from", from.value.trim());
    if (to.value.trim()) sp.set("to", to.value.trim());
    if (from.value.trim() || to.value.trim()) sp.set("basis", basis.value);
    if (repeats.checked) sp.set("repeats", "true");
    sp.set("limit", limit.value);
    sp.set("page", String(p));
    return sp;
  };
  // apiQuery turns the form's values into the API's query, times in UTC.
  const apiQuery = (sp) => {
    const a = new URLSearchParams(sp);
    a.delete("basis");
    for (const k of ["from", "to"]) if (a.get(k)) a.set(k, parse(a.get(k), sp.get("basis") || "utc"));
    return a;
  };
  const go = (p) => { location.hash = "#/cases/" + encodeURIComponent(c.ref) + "/events?" + params(p).toString(); };

  const form = h("form", { class: "card filters", id: "event-filters", role: "search" },
    h("div", { class: "row" },
      field("Target", target), field("Cell (first or last)", cell),
      field("From", from, "dd/mm/yyyy HH:MM:SS, inclusive"), field("To", to, "exclusive"), field("Times given in", basis)),
    h("div", { class: "row" },
      h("div", { class: "field check" }, repeats, h("label", { for: repeats.id = "f-repeats" }, "Include repeated rows")),
      field("Rows per page", limit),
      h("button", { type: "submit", class: "primary" }, "Show events"),
      h("button", { type: "button", id: "export-csv", onclick: exportCSV }, "Export this page as CSV")));
  form.addEventListener("submit", (e) => { e.preventDefault(); go(1); });

  async function exportCSV() {
    fill(msg);
    try {
      const a = apiQuery(params(page));
      a.set("format", "csv");
      const resp = await fetchRaw(casePath(c.ref, "/events?" + a.toString()));
      const name = /filename="([^"]+)"/.exec(resp.headers.get("Content-Disposition") || "");
      saveBlob(await resp.blob(), name ? name[1] : "events.csv");
      toast("CSV exported; the export is recorded on the provenance log.");
    } catch (err) { fill(msg, alertBox(err)); }
  }

  fill(body, h("h2", null, "Events"), form, msg, out);
  let data;
  try {
    data = await get(casePath(c.ref, "/events?" + apiQuery(params(page)).toString()));
  } catch (err) { fill(msg, alertBox(err)); return; }
  const first = (page - 1) * data.limit + 1;
  const pager = h("nav", { class: "pager", "aria-label": "Pages of events" },
    h("button", { type: "button", disabled: page <= 1, onclick: () => go(page - 1) }, "← Previous"),
    h("span", null, data.events.length ? `Events ${first}–${first + data.events.length - 1}, page ${page}` : `Page ${page}: no events`),
    h("button", { type: "button", disabled: !data.more, onclick: () => go(page + 1) }, "Next →"));
  fill(out, table([
    { label: "Start (UTC / UK local)", get: (e) => both(e.start) },
    { label: "As received", get: (e) => h("span", null, h("code", null, e.start_raw), h("br"), h("span", { class: "sub" }, e.time_basis === "uk-local" ? "UK local" : basisName(e.time_basis)), e.time_flag ? h("span", { class: "bad" }, " ", e.time_flag) : null) },
    { label: "Target", get: (e) => e.target },
    { label: "Type", get: (e) => e.type + (e.direction ? " " + e.direction : "") },
    { label: "Other party", get: (e) => e.other || e.other_raw },
    { label: "Duration", get: (e) => e.type === "voice" || e.duration_s ? duration(e.duration_s) : "" },
    { label: "First cell", get: (e) => e.first_cell ? h("code", null, e.first_cell) : "" },
    { label: "Last cell", get: (e) => e.last_cell && e.last_cell === e.first_cell ? h("span", { class: "sub" }, "as first") : e.last_cell ? h("code", null, e.last_cell) : "" },
    { label: "IMEI", get: (e) => e.imei },
    { label: "Source row", get: (e) => h("span", { title: e.source }, e.source.slice(0, 8), "… ", e.sheet ? e.sheet + " " : "", "row ", e.row), class: "nowrap" },
    { label: "Notes", get: (e) => [e.duplicate_of ? `repeats row ${e.duplicate_of}` : "", ...(e.warnings || [])].filter(Boolean).join(", ") },
  ], data.events, { caption: "Events in time order, each with the row of the original it came from", scroll: true, empty: "No events match." }), pager);
}
