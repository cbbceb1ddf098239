import { h, fill, field, table, alertBox, toast } from "../dom.js";
import { get, post } from "../api.js";
import { stamp } from "../format.js";

export async function usersPage(page) {
  const list = h("div", { id: "users" });
  const reload = async () => {
    const { users } = await get("/users");
    fill(list, table([
      { label: "User name", get: (u) => u.name },
      { label: "Name", get: (u) => u.display },
      { label: "Role", get: (u) => u.role },
      { label: "Created", get: (u) => stamp(u.created_at) },
      { label: "Disabled", get: (u) => (u.disabled ? "yes" : "no") },
    ], users, { caption: "Users" }));
  };
  const name = h("input", { name: "name", required: true, maxlength: 64, autocomplete: "off", pattern: "[A-Za-z0-9._\\-]+" });
  const display = h("input", { name: "display", required: true, maxlength: 128 });
  const role = h("select", { name: "role" }, ["analyst", "reviewer", "prosecutor", "admin"].map((r) => h("option", { value: r }, r)));
  const pw = h("input", { name: "password", type: "password", required: true, minlength: 12, maxlength: 72, autocomplete: "new-password" });
  const msg = h("div");
  const form = h("form", { class: "card", id: "create-user" }, h("h2", null, "Add a user"), msg,
    h("div", { class: "row" },
      field("User name", name, "Letters, digits, '.', '-' and '_'"), field("Full name", display), field("Role", role),
      field("Initial password", pw, "At least 12 characters; give it to the user in person")),
    h("button", { type: "submit", class: "primary" }, "Add user"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault(); fill(msg);
    try {
      const u = await post("/users", { name: name.value.trim(), display: display.value.trim(), role: role.value, password: pw.value });
      toast(`User ${u.name} (${u.role}) added.`);
      form.reset();
      await reload();
    } catch (err) { fill(msg, alertBox(err)); }
  });
  fill(page, h("h1", null, "Users"),
    h("p", { class: "note" }, "Roles: analysts build cases; reviewers check and approve packs (never their own); prosecutors see the approved packs of their cases; admins manage users and see everything."),
    form, list);
  await reload();
}
