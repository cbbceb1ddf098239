import { h, fill, table, alertBox, progress, short, toast } from "../dom.js";
import { get, post, follow, stageText, casePath, session, cancel } from "../api.js";
import { stamp } from "../format.js";
import { can } from "../roles.js";
import { saveBlob } from "../download.js";

export async function provenanceTab(body, c) {
  const role = session.user.role;
  const [{ leaves }, log] = await Promise.all([get(casePath(c.ref, "/provenance")), get("/checkpoint")]);
  const receiptOut = h("div", { id: "receipt", "aria-live": "polite" });
  const verifyOut = h("div", { id: "verify-log" });
  const arts = (as) => (as || []).map((a) => h("div", null, a.name, " ", short(a.sha256)));
  fill(body,
    h("h2", null, "Provenance"),
    h("p", { class: "note" }, "Every step of this case is a leaf of the tamper-evident log: who did it, when, with which software, what it read and what it produced, by SHA-256. A receipt proves a leaf is in a signed checkpoint."),
    h("dl", { class: "facts" },
      h("dt", null, "Latest checkpoint"), h("dd", null, `size ${log.checkpoint.size}, root `, h("code", { class: "hash wrap" }, log.checkpoint.root)),
      h("dt", null, "Log key fingerprint"), h("dd", null, h("code", { class: "hash wrap", id: "fingerprint" }, log.fingerprint))),
    verifyOut, receiptOut,
    table([
      { label: "Leaf", get: (l) => l.index, num: true },
      { label: "Step", get: (l) => l.type },
      { label: "When", get: (l) => stamp(l.ended) },
      { label: "Who", get: (l) => `${l.actor.user} (${l.actor.role})` },
      { label: "Read", get: (l) => arts(l.inputs) },
      { label: "Produced", get: (l) => arts(l.outputs) },
      { label: "Leaf hash", get: (l) => short(l.hash) },
      { label: "Receipt", get: (l) => h("button", { type: "button", class: "small", onclick: () => receipt(c, l.index, receiptOut) }, "Receipt ", h("span", { class: "sr" }, "of leaf " + l.index)) },
      { label: "Parameters", get: (l) => h("span", { class: "sub" }, (l.params || []).map((p) => `${p.key}=${p.value}`).join(" ")), class: "wide" },
    ], leaves, { caption: `${leaves.length} leaves of case ${c.ref}, in log order`, scroll: true, class: "leaves" }));
  if (can.verifyLog(role)) verifyOut.append(verifyPanel());
}

async function receipt(c, index, out) {
  try {
    const rc = await get(casePath(c.ref, `/provenance/${index}/receipt`));
    const text = JSON.stringify(rc, null, 2);
    fill(out, h("section", { class: "card" },
      h("h3", null, `Receipt of leaf ${index}`),
      h("p", null, `Inclusion proof of ${rc.proof.length} hashes against the signed checkpoint:`),
      h("pre", { class: "note-text" }, rc.checkpoint),
      h("button", { type: "button", onclick: () => saveBlob(new Blob([text], { type: "application/json" }), `${c.ref.replace(/\//g, "_")}-leaf-${index}-receipt.json`) }, "Save receipt as JSON")));
    out.scrollIntoView({ block: "nearest" });
  } catch (err) { fill(out, alertBox(err)); }
}

function verifyPanel() {
  const bar = progress("Verifying the log");
  bar.hidden = true;
  const out = h("div", { id: "verify-out", "aria-live": "polite" });
  const btn = h("button", { type: "button", id: "verify-btn", class: "primary" }, "Verify the whole log and every original");
  btn.addEventListener("click", async () => {
    fill(out);
    bar.hidden = false;
    btn.disabled = true;
    try {
      const { job } = await post("/verify");
      bar.cancellable(() => cancel(job.id));
      const j = await follow(job.id, (j) => bar.set(j.total ? j.percent : null, stageText(j)));
      bar.cancellable(null);
      if (j.state === "succeeded") {
        const r = j.result;
        bar.set(100, "verified");
        fill(out, h("p", { class: "ok", id: "verify-ok" }, `Verified: ${r.leaves} leaves re-hashed and chained, ${r.checkpoints} signed checkpoints checked (latest size ${r.checkpoint_size}, root ${r.root}), ${r.blobs_checked} originals re-hashed (${r.blob_bytes} bytes); key ${r.fingerprint}.`));
        toast("The log verified.");
      } else {
        bar.set(0, j.state);
        fill(out, h("div", { class: "alert", role: "alert" }, h("p", null, "Verification FAILED: ", j.error)));
      }
    } catch (err) { fill(out, alertBox(err)); }
    btn.disabled = false;
  });
  return h("section", { class: "card" }, h("h3", null, "Verify"),
    h("p", null, "Re-derive every leaf hash, chain link and Merkle root, check every signed checkpoint, and re-hash every stored original, as ", h("code", null, "cellsite verify"), " does."),
    btn, bar, out);
}
