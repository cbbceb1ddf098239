// Small helpers to build the page with DOM calls (no HTML strings, so
// nothing a record holds can become markup).

// h builds an element: h("a", {href: "#/", class: "x", onclick: fn}, "text", child).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// clear empties an element and fills it with children.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let ids = 0;
// uid returns a new id for labels and their fields.
export function uid(prefix) { return (prefix || "f") + "-" + (++ids); }

// field is a labelled form field; input is an element or built from attrs.
export function field(label, input, hint) {
  if (!input.id) input.id = uid("f");
  const hintEl = hint ? h("span", { class: "hint", id: input.id + "-hint" }, hint) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: input.id }, label), input, hintEl);
}

// table renders rows under columns [{label, get(row), class, num}].
export function table(columns, rows, opts = {}) {
  const head = h("tr", null, columns.map((c) => h("th", { scope: "col", class: (c.class || "") + (c.num ? " num" : "") }, c.label)));
  const body = rows.map((r, i) => {
    const tr = h("tr", opts.rowAttrs ? opts.rowAttrs(r, i) : null,
      columns.map((c, j) => {
        const v = c.get(r, i);
        const cell = j === 0 && opts.rowHeader ? "th" : "td";
        return h(cell, { class: (c.class || "") + (c.num ? " num" : ""), scope: cell === "th" ? "row" : null }, v === undefined || v === null || v === "" ? "—" : v);
      }));
    return tr;
  });
  const t = h("table", { class: "data" + (opts.class ? " " + opts.class : "") },
    opts.caption ? h("caption", null, opts.caption) : null,
    h("thead", null, head), h("tbody", null, body));
  if (!rows.length && opts.empty) return h("p", { class: "empty" }, opts.empty);
  return h("div", { class: "tablewrap", tabindex: opts.scroll ? "0" : null, role: opts.scroll ? "region" : null, "aria-label": opts.scroll ? (opts.caption || "table") : null }, t);
}

// alertBox shows an error message (and field errors) where it is put.
export function alertBox(err) {
  if (!err) return null;
  const fields = err.fields ? Object.entries(err.fields).map(([k, v]) => h("li", null, h("code", null, k), ": ", v)) : [];
  return h("div", { class: "alert", role: "alert" }, h("p", null, err.message || String(err)), fields.length ? h("ul", null, fields) : null);
}

// progress is a labelled progress bar; set(pct, text) updates it.
export function progress(label) {
  const id = uid("p");
  const bar = h("progress", { max: "100", value: "0", id, "aria-describedby": id + "-t" });
  const text = h("span", { class: "ptext", id: id + "-t", "aria-live": "polite" }, "");
  const stop = h("button", { type: "button", class: "small", hidden: true }, "Cancel");
  const el = h("div", { class: "progress" }, h("label", { for: id }, label), bar, text, stop);
  el.set = (pct, t) => {
    if (pct === null || pct === undefined) bar.removeAttribute("value");
    else bar.value = Math.max(0, Math.min(100, pct));
    text.textContent = t || "";
  };
  // cancellable shows a Cancel button that calls fn once (null hides it).
  el.cancellable = (fn) => {
    stop.hidden = !fn;
    stop.disabled = false;
    stop.onclick = fn ? () => { stop.disabled = true; fn(); } : null;
  };
  return el;
}

// toast shows a short message in the status region.
export function toast(msg) {
  const t = document.getElementById("toast");
  t.textContent = msg;
  t.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove("show"), 5000);
}

// short abbreviates a hash for display; the whole is in the title.
export function short(hash) {
  if (!hash) return "—";
  return h("code", { title: hash, class: "hash" }, hash.slice(0, 12) + "…");
}

export function bytes(n) {
  if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + " MiB";
  if (n >= 1 << 10) return (n / (1 << 10)).toFixed(1) + " KiB";
  return n + " bytes";
}
