import { h, fill, field, table, alertBox, toast } from "../dom.js";
import { get, post, del, casePath, session } from "../api.js";
import { stamp } from "../format.js";
import { can } from "../roles.js";
import { sourcesTab } from "./sources.js";
import { eventsTab } from "./events.js";
import { analysesTab } from "./analyses.js";
import { mapTab } from "./map.js";
import { packsTab } from "./packs.js";
import { provenanceTab } from "./provenance.js";
import { caseAuditTab } from "./audit.js";
import { triggersTab } from "./triggers.js";

export const caseLink = (ref, tab) => "#/cases/" + encodeURIComponent(ref) + (tab ? "/" + tab : "");

export async function casesPage(page) {
  const role = session.user.role;
  const { cases } = await get("/cases");
  const list = table([
    { label: "Reference", get: (c) => h("a", { href: caseLink(c.ref, role === "prosecutor" ? "packs" : "") }, c.ref) },
    { label: "Title", get: (c) => c.title },
    { label: "Opened", get: (c) => stamp(c.created_at) },
    { label: "By", get: (c) => c.created_by },
  ], cases, { caption: "Cases you are a member of", empty: "You are not a member of any case yet." });
  fill(page, h("h1", null, "Cases"),
    role === "prosecutor" ? h("p", { class: "note" }, "For each case shared with you, you see the evidential packs a reviewer has approved.") : null,
    list);
  if (can.write(role)) page.append(createCaseForm());
}

function createCaseForm() {
  const ref = h("input", { name: "ref", required: true, maxlength: 64, pattern: "[A-Za-z0-9._/\\-]+" });
  const title = h("input", { name: "title", required: true, maxlength: 200 });
  const msg = h("div");
  const form = h("form", { class: "card", id: "create-case" },
    h("h2", null, "Open a case"), msg,
    h("div", { class: "row" },
      field("Reference", ref, "Letters, digits, '-', '_', '.' or '/', e.g. OP-LANTERN"),
      field("Title", title)),
    h("button", { type: "submit", class: "primary" }, "Open case"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    fill(msg);
    try {
      const c = await post("/cases", { ref: ref.value.trim(), title: title.value.trim() });
      toast(`Case ${c.ref} opened.`);
      location.hash = caseLink(c.ref);
    } catch (err) { fill(msg, alertBox(err)); }
  });
  return form;
}

const tabs = [
  ["overview", "Overview", "read"],
  ["sources", "Sources", "read"],
  ["events", "Events", "read"],
  ["analyses", "Analyses", "read"],
  ["map", "Map", "read"],
  ["packs", "Packs", "any"],
  ["provenance", "Provenance", "read"],
  ["audit", "Audit", "audit"],
  ["triggers", "Triggers", "read"],
];

export async function casePage(page, ref, tab, id, r) {
  const role = session.user.role;
  const allowed = tabs.filter(([, , need]) => need === "any" || can[need](role));
  if (!allowed.some(([t]) => t === tab)) tab = allowed[0][0];
  const c = await get(casePath(ref));
  const body = h("section", { class: "tabbody", "aria-labelledby": "tab-" + tab });
  fill(page,
    h("div", { class: "casehead" },
      h("h1", null, h("span", { class: "ref" }, c.ref), " ", c.title)),
    h("nav", { class: "tabs", "aria-label": "Case" }, h("ul", null, allowed.map(([t, label]) =>
      h("li", null, h("a", { href: caseLink(ref, t), id: "tab-" + t, "aria-current": t === tab ? "page" : null }, label))))),
    body);
  const views = { overview, sources: sourcesTab, events: eventsTab, analyses: analysesTab, map: mapTab, packs: packsTab, provenance: provenanceTab, audit: caseAuditTab, triggers: triggersTab };
  await views[tab](body, c, id, r);
}

async function overview(body, c) {
  const role = session.user.role;
  const members = c.members || [];
  const list = h("div");
  const render = (ms) => fill(list, table([
    { label: "User", get: (m) => m.user },
    { label: "Role", get: (m) => m.role },
    { label: "Added", get: (m) => stamp(m.added_at) },
    { label: "By", get: (m) => m.added_by },
    ...(can.write(role) ? [{ label: "Action", get: (m) => m.user === session.user.name ? "" : h("button", { type: "button", class: "small", onclick: () => remove(m.user) }, "Remove ", h("span", { class: "sr" }, m.user)) }] : []),
  ], ms, { caption: "Members: who may see this case" }));
  const remove = async (u) => {
    if (!confirm(`Remove ${u} from case ${c.ref}?`)) return;
    try { await del(casePath(c.ref, "/members/" + encodeURIComponent(u))); toast(`${u} removed.`); render((await get(casePath(c.ref, "/members"))).members); }
    catch (err) { list.prepend(alertBox(err)); }
  };
  render(members);
  fill(body,
    h("h2", { class: "sr" }, "Overview"),
    h("dl", { class: "facts" },
      h("dt", null, "Reference"), h("dd", null, c.ref),
      h("dt", null, "Title"), h("dd", null, c.title),
      h("dt", null, "Opened"), h("dd", null, stamp(c.created_at), " by ", c.created_by)),
    list);
  if (can.write(role)) {
    const user = h("input", { name: "user", required: true, maxlength: 64 });
    const msg = h("div");
    const form = h("form", { class: "card", id: "add-member" }, h("h3", null, "Add a member"), msg,
      field("User name", user, "Reviewers check packs; prosecutors see approved packs only."),
      h("button", { type: "submit" }, "Add member"));
    form.addEventListener("submit", async (e) => {
      e.preventDefault(); fill(msg);
      try {
        await post(casePath(c.ref, "/members"), { user: user.value.trim() });
        toast(`${user.value.trim()} added to ${c.ref}.`);
        user.value = "";
        render((await get(casePath(c.ref, "/members"))).members);
      } catch (err) { fill(msg, alertBox(err)); }
    });
    body.append(form);
  }
}
