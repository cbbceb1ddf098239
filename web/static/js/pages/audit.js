import { h, fill, table, alertBox } from "../dom.js";
import { fetchRaw, casePath } from "../api.js";
import { stamp } from "../format.js";
import { saveBlob } from "../download.js";

async function records(path) {
  const text = await (await fetchRaw(path)).text();
  return { text, recs: text.split("\n").filter(Boolean).map((l) => JSON.parse(l)) };
}

function auditTable(recs, caption) {
  const shown = recs.slice(-500).reverse();
  return table([
    { label: "#", get: (r) => r.seq, num: true },
    { label: "When", get: (r) => stamp(r.at) },
    { label: "User", get: (r) => `${r.user}${r.role ? " (" + r.role + ")" : ""}` },
    { label: "Case", get: (r) => r.case },
    { label: "Action", get: (r) => h("code", null, r.action) },
    { label: "Object", get: (r) => r.object },
    { label: "Outcome", get: (r) => h("span", { class: "outcome " + r.outcome }, `${r.outcome} (${r.status})`) },
    { label: "Client", get: (r) => r.client },
  ], shown, { caption: `${caption}: ${recs.length} records${recs.length > 500 ? ", the latest 500 shown" : ""}, newest first`, scroll: true, class: "audit" });
}

// auditPage is the audit trail of every case (admin) or of the reviewer's cases.
export async function auditPage(page) {
  const { text, recs } = await records("/audit");
  fill(page, h("h1", null, "Audit trail"),
    h("p", { class: "note" }, "Every request that reads or changes case data, users, tokens, jobs, the log or this trail, whatever its outcome. Append-only."),
    h("button", { type: "button", onclick: () => saveBlob(new Blob([text], { type: "application/x-ndjson" }), "audit.jsonl") }, "Save as JSON lines"),
    auditTable(recs, "Audit records"));
}

export async function caseAuditTab(body, c) {
  try {
    const { text, recs } = await records(casePath(c.ref, "/audit"));
    fill(body, h("h2", null, "Audit"),
      h("button", { type: "button", onclick: () => saveBlob(new Blob([text], { type: "application/x-ndjson" }), `audit-${c.ref.replace(/\//g, "_")}.jsonl`) }, "Save as JSON lines"),
      auditTable(recs, `Audit records of case ${c.ref}`));
  } catch (err) { fill(body, alertBox(err)); }
}
