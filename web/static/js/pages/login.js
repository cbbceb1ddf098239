import { h, fill, field, alertBox } from "../dom.js";
import { api, session } from "../api.js";

export async function loginPage(page, r) {
  const user = h("input", { name: "user", autocomplete: "username", required: true, autofocus: true });
  const pw = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const msg = h("div");
  const form = h("form", { class: "card narrow", id: "login" },
    h("h1", null, "Sign in to Cellsite"),
    r.query.get("expired") ? h("p", { class: "note" }, "Your session has ended: sign in again.") : null,
    msg,
    field("User name", user),
    field("Password", pw),
    h("button", { type: "submit", class: "primary" }, "Sign in"),
    h("p", { class: "hint" }, "Every sign-in and every view of case data is recorded in the audit trail."));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    fill(msg);
    try {
      const t = await api("POST", "/login", { user: user.value.trim(), password: pw.value });
      session.set(t.token, t.user);
      location.hash = "#/cases";
    } catch (err) {
      fill(msg, alertBox(err));
      pw.select();
    }
  });
  fill(page, form);
  user.focus();
}
