import { h, fill, field, alertBox } from "../dom.js";
import { post, session } from "../api.js";
import { stamp } from "../format.js";

// accountPage shows who is signed in and issues personal API tokens, for
// scripts and the command line (shown once, stored only as a hash).
export async function accountPage(page) {
  const u = session.user;
  const label = h("input", { name: "label", required: true, maxlength: 64, placeholder: "e.g. laptop scripts" });
  const days = h("input", { name: "days", type: "number", min: 1, max: 366, value: 90 });
  const msg = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card", id: "create-token" }, h("h2", null, "Personal API token"),
    h("p", { class: "note" }, "A token acts as you in the API (Authorization: Bearer TOKEN). It is shown once; the service keeps only its hash. Every use is in the audit trail."),
    msg, h("div", { class: "row" }, field("Label", label), field("Days it lives", days, "1 to 366")),
    h("button", { type: "submit", class: "primary" }, "Issue token"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    fill(msg);
    try {
      const t = await post("/tokens", { label: label.value.trim(), days: Number(days.value) });
      fill(msg, h("div", { class: "card verify good" },
        h("p", null, "Your token, shown this once: copy it now."),
        h("p", null, h("code", { class: "hash wrap", id: "new-token" }, t.token)),
        h("p", null, "It expires ", stamp(t.expires_at), ".")));
    } catch (err) { fill(msg, alertBox(err)); }
  });
  fill(page, h("h1", null, "Your account"),
    h("dl", { class: "facts" },
      h("dt", null, "User name"), h("dd", null, u.name),
      h("dt", null, "Name"), h("dd", null, u.display),
      h("dt", null, "Role"), h("dd", null, u.role)),
    form);
}
