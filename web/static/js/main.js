// The interface's entry point: the shell (header, navigation, time basis
// note) and the router from the address's #fragment to a page.
import { h, fill, alertBox } from "./dom.js";
import { session, hooks, get } from "./api.js";
import { can } from "./roles.js";
import { loginPage } from "./pages/login.js";
import { casesPage, casePage } from "./pages/cases.js";
import { usersPage } from "./pages/users.js";
import { auditPage } from "./pages/audit.js";
import { accountPage } from "./pages/account.js";

const main = document.getElementById("main");

// The skip link moves the focus to the page's content (the address's
// #fragment is the router's).
document.querySelector(".skip").addEventListener("click", (e) => {
  e.preventDefault();
  main.focus();
});

// A file dropped outside a drop zone must not replace the page.
for (const type of ["dragover", "drop"]) window.addEventListener(type, (e) => e.preventDefault());

// Anything the content security policy blocks is a fault of the page: say so.
document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`content security policy: ${e.violatedDirective} blocked ${e.blockedURI || "inline code"}`));

hooks.onUnauthorized = () => {
  session.clear();
  location.hash = "#/login?expired=1";
};

function shell() {
  const u = session.user;
  const nav = document.getElementById("mainnav");
  const who = document.getElementById("who");
  const links = [];
  if (u) {
    links.push(["#/cases", "Cases"]);
    if (can.users(u.role)) links.push(["#/users", "Users"]);
    if (can.audit(u.role)) links.push(["#/audit", "Audit trail"]);
  }
  const here = location.hash.split("?")[0];
  fill(nav, h("ul", null, links.map(([href, text]) =>
    h("li", null, h("a", { href, "aria-current": here.startsWith(href) ? "page" : null }, text)))));
  if (u) {
    fill(who, h("a", { class: "user", href: "#/account", title: "Your account and API tokens" }, u.display || u.name), h("span", { class: "role" }, u.role),
      h("button", { type: "button", class: "link", id: "signout", onclick: signOut }, "Sign out"));
  } else {
    fill(who);
  }
  fill(document.getElementById("timebar"),
    "Times are dd/mm/yyyy HH:MM:SS in UTC; times of events also in UK local time (Europe/London: GMT in winter, BST in summer), beneath. Each source's stated time basis is shown with it.");
}

async function signOut() {
  session.clear();
  document.getElementById("toast").classList.remove("show");
  location.hash = "#/login";
}

// route parses the fragment: #/cases/REF/tab/id?query.
function route() {
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, query: new URLSearchParams(query || "") };
}

let current = 0;

async function render() {
  const n = ++current;
  const r = route();
  if (!session.token && r.parts[0] !== "login") {
    location.hash = "#/login";
    return;
  }
  shell();
  const page = h("div", { class: "page" });
  fill(main, page);
  try {
    switch (r.parts[0]) {
      case "login": await loginPage(page, r); break;
      case "cases":
        if (r.parts.length === 1) await casesPage(page, r);
        else await casePage(page, r.parts[1], r.parts[2] || "overview", r.parts[3], r);
        break;
      case "users": await usersPage(page, r); break;
      case "audit": await auditPage(page, r); break;
      case "account": await accountPage(page, r); break;
      default: location.hash = session.token ? "#/cases" : "#/login"; return;
    }
  } catch (err) {
    if (n !== current) return;
    if (err.status === 404 && r.parts[0] === "cases" && r.parts[1]) {
      fill(page, h("h1", null, "No case ", r.parts[1]),
        h("p", null, "There is no such case, or you are not a member of it. A case's members are added by its analysts."),
        alertBox(err), h("p", null, h("a", { href: "#/cases" }, "Your cases")));
    } else {
      page.append(alertBox(err));
    }
  }
  if (n === current) {
    const h1 = main.querySelector("h1");
    document.title = (h1 ? h1.textContent + " – " : "") + "Cellsite";
  }
}

// isCurrent lets a page's slow work stop when the user has moved on.
export function isCurrent(n) { return n === current; }
export function renderCount() { return current; }

// A new page takes the focus (for screen readers and the keyboard), unless
// it gives it to a field itself.
window.addEventListener("hashchange", () => { main.focus({ preventScroll: true }); render(); });

// A token from an earlier visit in this tab: check it is still good.
(async () => {
  if (session.token) {
    try { session.set(session.token, await get("/me")); } catch { /* onUnauthorized handles it */ }
  }
  render();
})();
