import { h, fill, field, table, alertBox, toast } from "../dom.js";
import { get, post, del, casePath, session } from "../api.js";
import { stamp } from "../format.js";
import { can } from "../roles.js";

export async function triggersTab(body, c) {
  const role = session.user.role;
  const list = h("div", { id: "triggers" });
  const reload = async () => {
    const { triggers } = await get(casePath(c.ref, "/triggers"));
    fill(list, table([
      { label: "#", get: (t) => t.id, num: true },
      { label: "Schedule", get: (t) => h("code", null, t.spec) },
      { label: "Time zone", get: (t) => t.zone },
      { label: "Exhibit", get: (t) => t.exhibit },
      { label: "Set up", get: (t) => stamp(t.created_at) },
      { label: "By", get: (t) => t.created_by },
      { label: "Last run for", get: (t) => stamp(t.last_due) },
      ...(can.write(role) ? [{ label: "Action", get: (t) => h("button", { type: "button", class: "small", onclick: () => stop(t.id) }, "Stop ", h("span", { class: "sr" }, "trigger " + t.id)) }] : []),
    ], triggers, { caption: "Triggers: packs regenerated on a schedule, as drafts awaiting review", empty: "No trigger is set." }));
  };
  const stop = async (id) => {
    if (!confirm(`Stop trigger ${id}? Its record is kept.`)) return;
    try { await del(casePath(c.ref, `/triggers/${id}`)); toast(`Trigger ${id} stopped.`); await reload(); }
    catch (err) { list.prepend(alertBox(err)); }
  };
  fill(body, h("h2", null, "Triggers"));
  if (can.write(role)) {
    const spec = h("input", { name: "spec", required: true, placeholder: "0 6 * * 1-5", maxlength: 100 });
    const zone = h("input", { name: "zone", value: "Europe/London", maxlength: 64 });
    const exhibit = h("input", { name: "exhibit", maxlength: 64 });
    const msg = h("div");
    const form = h("form", { class: "card", id: "create-trigger" }, h("h3", null, "Set a trigger"), msg,
      h("div", { class: "row" },
        field("Schedule (cron)", spec, "minute hour day month weekday, or @daily"),
        field("Time zone", zone, "IANA name; clock changes are followed"),
        field("Exhibit reference", exhibit)),
      h("button", { type: "submit", class: "primary" }, "Set trigger"));
    form.addEventListener("submit", async (e) => {
      e.preventDefault(); fill(msg);
      try {
        const t = await post(casePath(c.ref, "/triggers"), { spec: spec.value.trim(), zone: zone.value.trim(), exhibit: exhibit.value.trim() });
        toast(`Trigger ${t.id} set.`);
        await reload();
      } catch (err) { fill(msg, alertBox(err)); }
    });
    body.append(form);
  }
  body.append(list);
  await reload();
}
