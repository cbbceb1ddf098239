import { h, fill, field, table, alertBox, progress, short, bytes, toast } from "../dom.js";
import { get, upload, follow, stageText, casePath, session, cancel } from "../api.js";
import { both, stamp, basisName } from "../format.js";
import { can } from "../roles.js";

export async function sourcesTab(body, c) {
  const list = h("div", { id: "sources" });
  const rejects = h("div", { id: "rejects" });
  const reload = async () => {
    const [{ sources }, { rejects: rj }] = await Promise.all([get(casePath(c.ref, "/sources")), get(casePath(c.ref, "/rejects"))]);
    fill(list, sourcesTable(sources));
    fill(rejects, h("h2", null, "Rejected rows"), table([
      { label: "Source", get: (r) => r.source },
      { label: "Sheet", get: (r) => r.sheet },
      { label: "Row", get: (r) => r.row, num: true },
      { label: "Column", get: (r) => r.column },
      { label: "Code", get: (r) => h("code", null, r.code) },
      { label: "Reason", get: (r) => r.reason, class: "wide" },
      { label: "Value as received", get: (r) => r.value ? h("code", null, r.value) : "" },
    ], rj, { caption: `${rj.length} rows refused, each with its reason (nothing is dropped silently)`, empty: "No row was refused.", scroll: true }));
  };
  fill(body, h("h2", null, "Sources: the operators' originals"));
  if (can.write(session.user.role)) body.append(uploadPanel(c, reload));
  body.append(list, rejects);
  await reload();
}

function sourcesTable(sources) {
  if (!sources.length) return h("p", { class: "empty" }, "No file has been ingested yet.");
  return table([
    { label: "#", get: (s) => s.id, num: true },
    { label: "File", get: (s) => h("span", null, s.name, h("br"), h("span", { class: "sub" }, bytes(s.size), " · ", short(s.sha256))) },
    { label: "Kind", get: (s) => s.kind },
    { label: "Profile", get: (s) => h("span", null, `${s.profile} ${s.profile_version}`, s.summary.profile_status ? h("br") : null, h("span", { class: "sub" }, s.summary.profile_status || "")) },
    { label: "Time basis", get: (s) => s.kind === "cells" ? "n/a (cell list)" : basisName(s.time_basis || s.summary.time_basis) },
    { label: "Rows read = accepted + duplicates + rejected", get: (s) => accounting(s.summary), class: "accounting" },
    { label: "Events", get: (s) => s.summary.first && !s.summary.first.startsWith("0001") ? h("span", null, both(s.summary.first), h("br"), "to ", both(s.summary.last)) : "" },
    { label: "Leaf", get: (s) => s.leaf, num: true },
    { label: "Received", get: (s) => stamp(s.ingested_at) },
  ], sources, { caption: "Each original is kept byte for byte; rows read = accepted + duplicates + rejected", class: "sources", scroll: true });
}

function accounting(sum) {
  const ok = sum.read === sum.accepted + sum.duplicates + sum.rejected;
  const why = Object.entries(sum.rejected_by || {}).map(([k, v]) => `${k} ${v}`).join(", ");
  const warn = Object.entries(sum.warnings || {}).map(([k, v]) => `${k} ${v}`).join(", ");
  return h("span", { class: ok ? "ok" : "bad" },
    `${sum.read} = ${sum.accepted} + ${sum.duplicates} + ${sum.rejected}`, ok ? " ✓" : " ✗ does not add up",
    why ? h("span", { class: "sub" }, h("br"), "rejected: ", why) : null,
    warn ? h("span", { class: "sub" }, h("br"), "warnings: ", warn) : null);
}

function uploadPanel(c, reload) {
  const kind = h("select", { name: "kind" }, h("option", { value: "auto" }, "Decide from the file name"), h("option", { value: "cdr" }, "Call data records"), h("option", { value: "cells" }, "Cell site list"));
  const profile = h("input", { name: "profile", placeholder: "detect from the header", maxlength: 64 });
  const basis = h("select", { name: "time_basis" }, h("option", { value: "" }, "As the profile states"), h("option", { value: "utc" }, "UTC"), h("option", { value: "uk-local" }, "UK local (GMT/BST)"));
  const input = h("input", { type: "file", multiple: true, id: "upload-file", class: "sr", accept: ".csv,.xlsx,.txt" });
  const items = h("ol", { class: "uploads", id: "uploads" });
  const choose = h("button", { type: "button", onclick: () => input.click() }, "Choose files…");
  const zone = h("div", { class: "dropzone", id: "dropzone" },
    h("p", null, "Drop operators' exports or cell site lists here, or ", choose),
    h("p", { class: "hint" }, "CSV or XLSX. Each file is stored and hashed as it arrives, then ingested by a background job."));
  const start = (files) => {
    for (const f of files) {
      let k = kind.value;
      if (k === "auto") k = /cell/i.test(f.name) ? "cells" : "cdr";
      send(c, f, { kind: k, profile: profile.value.trim(), time_basis: basis.value }, items, reload);
    }
  };
  input.addEventListener("change", () => { start([...input.files]); input.value = ""; });
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("over"); start([...e.dataTransfer.files]); });
  return h("section", { class: "card", "aria-labelledby": "upload-h" },
    h("h3", { id: "upload-h" }, "Upload"),
    h("div", { class: "row" }, field("Kind", kind), field("Profile", profile, "Leave empty to detect it"), field("Time basis", basis)),
    zone, h("label", { for: "upload-file", class: "sr" }, "Files to upload"), input, items);
}

// queue sends one file at a time, so that the jobs run in the order dropped.
let queue = Promise.resolve();

function send(c, file, fields, items, reload) {
  const bar = progress(`${file.name} (${fields.kind})`);
  const out = h("div", { class: "result" });
  const li = h("li", null, bar, out);
  items.append(li);
  bar.set(0, "waiting");
  queue = queue.then(async () => {
    try {
      const up = await upload(casePath(c.ref, "/sources"), fields, file, (done, total) =>
        bar.set(total ? (done / total) * 100 : null, `uploading: ${bytes(done)} of ${bytes(total)}`));
      bar.set(0, `stored, sha256 ${up.sha256.slice(0, 12)}…; ingest queued`);
      bar.cancellable(() => cancel(up.job.id));
      const j = await follow(up.job.id, (j) => bar.set(j.percent, "ingest " + stageText(j)));
      bar.cancellable(null);
      if (j.state === "succeeded") {
        const r = j.result, s = r.summary;
        bar.set(100, "ingested");
        fill(out, h("p", { class: "ok" },
          `Source ${r.source}, provenance leaf ${r.leaf}. Profile `, h("strong", { class: "profile" }, `${s.profile} ${s.profile_version}`),
          ` (${s.profile_status || "verified"})${s.kind === "cdr" ? ", time basis " + basisName(s.time_basis) : ""}. Rows read ${s.read} = ${s.accepted} accepted + ${s.duplicates} duplicates + ${s.rejected} rejected.`));
        toast(`${file.name} ingested.`);
        await reload();
      } else {
        bar.set(0, j.state);
        fill(out, detectFailure(j.error, (p) => send(c, file, Object.assign({}, fields, { profile: p }), items, reload)));
      }
    } catch (err) {
      bar.set(0, "refused");
      fill(out, alertBox(err));
    }
  });
}

// detectFailure shows why a file was refused; when no profile fitted,
// the candidates and the headers each one missed, with a retry for each.
function detectFailure(msg, retry) {
  const box = h("div", { class: "alert", role: "alert" }, h("p", null, msg));
  const m = /best candidates:(.*?)\. Choose a profile/.exec(msg);
  if (m) {
    const cands = m[1].split(/;\s*(?=[\w.-]+ \(found)/).map((t) => {
      const x = /^\s*([\w.-]+) \(found (\d+) of (\d+) columns(?:, missing (.*))?\)\s*$/.exec(t);
      return x ? { name: x[1], found: +x[2], of: +x[3], missing: x[4] || "" } : null;
    }).filter(Boolean);
    box.append(table([
      { label: "Candidate profile", get: (c) => h("code", null, c.name) },
      { label: "Columns found", get: (c) => `${c.found} of ${c.of}`, num: true },
      { label: "Headers missing", get: (c) => c.missing },
      { label: "Action", get: (c) => h("button", { type: "button", class: "small", onclick: () => retry(c.name) }, "Try with ", c.name) },
    ], cands, { caption: "No profile fits this file. The closest, and the headers each one missed:", class: "candidates" }));
  }
  const a = /fits several profiles equally well:(.*?);/.exec(msg);
  if (a) {
    box.append(h("p", null, "Choose one: ", a[1].trim().split(/\s+/).map((p) => h("button", { type: "button", class: "small", onclick: () => retry(p) }, p))));
  }
  return box;
}
