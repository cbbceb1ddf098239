import { h, fill, field, table, alertBox, progress, short, bytes, toast } from "../dom.js";
import { get, post, fetchRaw, follow, stageText, casePath, session, cancel } from "../api.js";
import { stamp } from "../format.js";
import { can } from "../roles.js";
import { saveBlob } from "../download.js";
import { verifyPack } from "../verify.js";

export async function packsTab(body, c) {
  const role = session.user.role;
  const list = h("div", { id: "packs" });
  const out = h("div", { id: "pack-check", "aria-live": "polite" });
  const reload = async () => {
    const { packs } = await get(casePath(c.ref, "/packs"));
    fill(list, packs.length ? packs.slice().reverse().map((p) => packCard(c, p, role, reload, out)) :
      h("p", { class: "empty" }, role === "prosecutor" ? "No pack of this case has been approved yet." : "No pack has been rendered yet."));
  };
  fill(body, h("h2", null, "Evidential packs"),
    h("p", { class: "note" }, role === "prosecutor"
      ? "The packs below were approved by a reviewer other than who produced them. Download a pack and the page checks it against the provenance log; check it again offline with cellsite verify."
      : "A pack is one zip of the schedules, the report with its maps, the map data, the originals, a manifest and the receipts. It is stored as a draft until a second person, who did not produce it, approves or rejects it; only approved packs reach prosecutors."));
  if (can.write(role)) body.append(requestForm(c, reload));
  body.append(out, list);
  await reload();
}

function requestForm(c, reload) {
  const exhibit = h("input", { name: "exhibit", maxlength: 64, placeholder: "e.g. ABC/1" });
  const msg = h("div");
  const bar = progress("Rendering the pack");
  bar.hidden = true;
  const form = h("form", { class: "card", id: "request-pack" }, h("h3", null, "Request a pack"), msg,
    h("div", { class: "row" }, field("Exhibit reference", exhibit, "The producing officer's exhibit number"),
      h("button", { type: "submit", class: "primary" }, "Request pack")), bar);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    fill(msg);
    try {
      bar.hidden = false;
      bar.set(null, "starting");
      const { job } = await post(casePath(c.ref, "/packs"), { exhibit: exhibit.value.trim() });
      bar.cancellable(() => cancel(job.id));
      const j = await follow(job.id, (j) => bar.set(j.total ? j.percent : j.state === "succeeded" ? 100 : null, stageText(j)));
      bar.cancellable(null);
      if (j.state !== "succeeded") { bar.set(0, j.state); fill(msg, alertBox(new Error(j.error || j.state))); return; }
      bar.set(100, `done: pack ${j.result.id}, ${bytes(j.result.size)}, awaiting review`);
      toast(`Pack ${j.result.id} rendered: a reviewer must now approve it.`);
      await reload();
    } catch (err) { bar.set(0, "refused"); fill(msg, alertBox(err)); }
  });
  return form;
}

function packCard(c, p, role, reload, out) {
  const status = h("span", { class: "status " + p.status }, p.status);
  const facts = h("dl", { class: "facts" },
    h("dt", null, "Status"), h("dd", null, status),
    h("dt", null, "Exhibit"), h("dd", null, p.exhibit || "—"),
    h("dt", null, "Produced"), h("dd", null, stamp(p.created_at), " by ", p.created_by, p.trigger ? ` (trigger ${p.trigger})` : ""),
    h("dt", null, "Size"), h("dd", null, bytes(p.size)),
    h("dt", null, "SHA-256"), h("dd", null, h("code", { class: "hash wrap" }, p.sha256)),
    h("dt", null, "Leaves"), h("dd", null, `render ${p.render_leaf}, pack ${p.pack_leaf}${p.review_leaf ? ", review " + p.review_leaf : ""}`),
    p.reviewed_by ? [h("dt", null, "Review"), h("dd", null, `${p.status} by ${p.reviewed_by} on `, stamp(p.reviewed_at), h("br"), h("q", null, p.review_comment))] : null);
  const msg = h("div");
  const actions = h("div", { class: "actions" },
    h("button", { type: "button", class: "primary", id: `download-${p.id}`, onclick: () => download(c, p, msg, out) }, "Download and verify pack ", p.id));
  const card = h("article", { class: "card pack", id: `pack-${p.id}`, "aria-labelledby": `pack-h-${p.id}` },
    h("h3", { id: `pack-h-${p.id}` }, `Pack ${p.id}`), facts, msg, actions);
  const producer = p.created_by.replace(/^trigger:/, "");
  if (p.status === "draft" && can.review(role)) {
    if (producer === session.user.name) {
      card.append(h("p", { class: "note" }, "You produced this pack, so another reviewer must check it."));
    } else {
      const comment = h("textarea", { name: "comment", rows: 2, required: true, maxlength: 2000 });
      const form = h("form", { class: "review", id: `review-${p.id}` }, h("h4", null, "Review"),
        field("Comment (required)", comment, "What you checked, e.g. schedules against the originals"),
        h("div", { class: "actions" },
          h("button", { type: "submit", value: "approved", class: "primary" }, "Approve"),
          h("button", { type: "submit", value: "rejected", class: "danger" }, "Reject")));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        fill(msg);
        const decision = e.submitter ? e.submitter.value : "approved";
        if (!comment.value.trim()) { fill(msg, alertBox(new Error("Give a comment: what you checked."))); comment.focus(); return; }
        try {
          await post(casePath(c.ref, `/packs/${p.id}/review`), { decision, comment: comment.value.trim() });
          toast(`Pack ${p.id} ${decision}.`);
          await reload();
        } catch (err) { fill(msg, alertBox(err)); }
      });
      card.append(form);
    }
  }
  return card;
}

async function download(c, p, msg, out) {
  fill(msg, h("p", { class: "note" }, "Downloading…"));
  try {
    const resp = await fetchRaw(casePath(c.ref, `/packs/${p.id}/download`));
    const blob = await resp.blob();
    const name = /filename="([^"]+)"/.exec(resp.headers.get("Content-Disposition") || "");
    saveBlob(blob, name ? name[1] : `pack-${p.id}.zip`);
    fill(msg, h("p", { class: "note" }, "Downloaded; checking it against the provenance log…"));
    const [receipt, log] = await Promise.all([get(casePath(c.ref, `/provenance/${p.pack_leaf}/receipt`)), get("/checkpoint")]);
    const steps = await verifyPack(await blob.arrayBuffer(), p, receipt, log);
    const ok = steps.length && steps.every((s) => s.ok);
    fill(msg);
    fill(out, h("section", { class: "card verify " + (ok ? "good" : "bad"), id: "verify-result", role: "status" },
      h("h3", null, ok ? `Pack ${p.id} verified` : `Pack ${p.id} NOT verified`),
      h("p", null, `${name ? name[1] : "pack"}: ${bytes(blob.size)}.`),
      h("ol", null, steps.map((s) => h("li", { class: s.ok ? "ok" : s.ok === null ? "warn" : "bad" }, s.ok ? "✓ " : s.ok === null ? "? " : "✗ ", s.text))),
      h("p", { class: "hint" }, "To check every file inside the zip offline: ", h("code", null, `cellsite verify ${name ? name[1] : "PACK.zip"} --fingerprint ${log.fingerprint}`))));
    out.scrollIntoView({ block: "nearest" });
  } catch (err) { fill(msg, alertBox(err)); }
}
