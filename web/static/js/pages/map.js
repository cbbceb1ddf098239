import { h, fill, field, table, alertBox, short } from "../dom.js";
import { get, casePath } from "../api.js";
import { utc, local } from "../format.js";

// The targets' colours and letters, as on the PDF maps (Okabe-Ito).
const colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#785EF0"];
const letter = (i) => (i < 26 ? String.fromCharCode(65 + i) : letter(Math.floor(i / 26) - 1) + String.fromCharCode(65 + (i % 26)));

// rowList writes sorted row numbers as the PDF labels them: "3, 5–9, 12".
function rowList(rows) {
  const out = [];
  for (let i = 0; i < rows.length;) {
    let j = i;
    while (j + 1 < rows.length && rows[j + 1] === rows[j] + 1) j++;
    if (j - i >= 2) out.push(`${rows[i]}–${rows[j]}`);
    else for (let k = i; k <= j; k++) out.push(String(rows[k]));
    i = j + 1;
  }
  return out.join(", ");
}

export async function mapTab(body, c, _id, r) {
  const { maps, cell_lists: lists, default_beamwidth_deg: beam } = await get(casePath(c.ref, "/maps"));
  if (!maps.length) {
    fill(body, h("h2", null, "Map"), h("p", { class: "empty" }, "No events are placed by a cell yet: ingest call data records and the cell site lists that name their cells."));
    return;
  }
  let chosen = +(r.query.get("map") || 1);
  const ep = r.query.get("episode");
  if (ep) {
    const eps = maps.filter((m) => m.title.startsWith("Co-location episode"));
    if (eps[+ep - 1]) chosen = eps[+ep - 1].id;
  }
  if (!maps.some((m) => m.id === chosen)) chosen = 1;
  const m = maps.find((x) => x.id === chosen);
  const select = h("select", { id: "map-choice", name: "map" }, maps.map((x) => h("option", { value: x.id, selected: x.id === chosen }, `${x.id}. ${x.title}`)));
  select.addEventListener("change", () => { location.hash = `#/cases/${encodeURIComponent(c.ref)}/map?map=${select.value}`; });

  const mapEl = h("div", { id: "leaflet", class: "mapview", role: "region", "aria-label": `Map: ${m.title}. The list of events beside it gives the same information as text.` });
  const slider = h("input", { type: "range", id: "time-slider", min: "0", max: "0", value: "0", step: "1" });
  const sliderText = h("output", { for: "time-slider", id: "slider-text", class: "slidertext" });
  const play = h("button", { type: "button", id: "play" }, "Play");
  const all = h("button", { type: "button", id: "show-all" }, "Show all");
  const keyEl = h("div", { class: "mapkey" });
  const listEl = h("div", { class: "eventlist", id: "map-events", tabindex: "0", role: "region", "aria-label": "Events on this map" });

  fill(body,
    h("div", { class: "maphead" },
      field("Map", select),
      h("div", { class: "mapinfo" },
        h("h2", null, m.title),
        m.subtitle ? h("p", { class: "sub" }, m.subtitle) : null,
        h("p", { class: "sub" }, `From ${utc(m.from)} (${local(m.from)}) to ${utc(m.to)} (${local(m.to)}); ${m.events} events, numbered as rows of the ${m.schedule.toLowerCase()}.`))),
    h("div", { class: "mapgrid" },
      h("div", { class: "mapcol" }, mapEl,
        h("div", { class: "timectl" },
          h("label", { for: "time-slider" }, "Time"), slider, sliderText, play, all)),
      h("aside", { class: "mapside", "aria-label": "Key and events" }, keyEl, listEl)),
    h("p", { class: "caveat" },
      `A wedge shows the direction a serving cell pointed from its mast (its azimuth and beamwidth; ${beam}° where the cell list gives none, drawn dashed and marked as assumed), not the area it covered. `,
      "A serving cell shows that the phone was within that cell's service area, not at the mast. Azimuths are true-north bearings, drawn directly on this web map. ",
      "Cell lists used: ", lists.map((l, i) => [i ? "; " : "", l.name, " ", short(l.sha256)])));

  const gj = await get(casePath(c.ref, "/maps/" + chosen));
  draw(gj, m, { mapEl, slider, sliderText, play, all, keyEl, listEl });
}

function tilesConfig() {
  const u = document.querySelector('meta[name="cellsite-tiles"]');
  const a = document.querySelector('meta[name="cellsite-tiles-attribution"]');
  return { url: u ? u.content : "", attribution: a ? a.content : "" };
}

function draw(gj, m, ui) {
  const L = window.L;
  const tiles = tilesConfig();
  const map = L.map(ui.mapEl, { zoomControl: true, attributionControl: !!tiles.url, preferCanvas: false, keyboard: true });
  if (tiles.url) {
    map.attributionControl.setPrefix(false);
    L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 19 }).addTo(map);
  } else {
    ui.mapEl.classList.add("notiles");
  }
  L.control.scale({ imperial: false }).addTo(map);

  const feats = gj.features;
  const targets = m.targets.slice();
  for (const f of feats) if (f.properties.target && !targets.includes(f.properties.target)) targets.push(f.properties.target);
  const ti = (t) => targets.indexOf(t);
  const events = feats.filter((f) => f.properties.kind === "event")
    .map((f) => ({ ...f.properties, ll: f.geometry ? [f.geometry.coordinates[1], f.geometry.coordinates[0]] : null, t: Date.parse(f.properties.time) }))
    .sort((a, b) => a.t - b.t || a.n - b.n);
  const byRow = new Map(events.map((e) => [e.n, e]));

  // Sites: every mast, served ones stronger.
  const sites = L.layerGroup().addTo(map);
  for (const f of feats.filter((f) => f.properties.kind === "site")) {
    const p = f.properties;
    L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
      radius: p.served ? 4 : 3, color: "#333", weight: 1, fillColor: p.served ? "#333" : "#fff", fillOpacity: 1, className: "cs-site",
    }).bindTooltip(`${p.site || "Site"}${p.address ? ", " + p.address : ""}${p.postcode ? " " + p.postcode : ""} (cells ${p.cells.join(", ")})`).addTo(sites);
  }

  // Wedges, each in the colour of the (first) target it served, labelled
  // with the rows it placed.
  const wedges = [];
  const wedgeLayer = L.layerGroup().addTo(map);
  for (const f of feats.filter((f) => f.properties.kind === "wedge")) {
    const p = f.properties;
    const t0 = p.events.length ? ti(p.events[0].target) : 0;
    const layer = L.geoJSON(f, { style: () => ({
      color: colours[t0 % colours.length], weight: 1.5, fillOpacity: 0.18, dashArray: p.beamwidth_assumed ? "5 4" : null,
      className: "cs-wedge" + (p.beamwidth_assumed ? " cs-assumed" : ""),
    }) });
    const tip = wedgeTip(f, p);
    const label = L.marker(tip, { icon: L.divIcon({ className: "cs-rows", html: "", iconSize: null }), keyboard: false, interactive: false });
    const desc = `Cell ${p.cell}${p.site ? " (" + p.site + ")" : ""}: ` + (p.omni ? "omni" : `azimuth ${p.azimuth_deg}°, beamwidth ${p.beamwidth_deg}°${p.beamwidth_assumed ? " (assumed)" : ""}`) +
      `, drawn ${p.radius_m} m. Rows: ` + p.events.map((ev) => `${letter(ti(ev.target))} ${ev.label}`).join("; ");
    layer.bindTooltip(desc);
    wedges.push({ p, layer, label, bounds: layer.getBounds() });
  }

  // declutter moves a row label that would cover another one step down or
  // up, or hides it (its wedge's tooltip still lists the rows).
  function declutter() {
    const placed = [];
    let hidden = 0;
    for (const w of wedges) {
      const el = w.label.getElement();
      if (!el || !wedgeLayer.hasLayer(w.label)) continue;
      el.style.translate = "";
      el.style.visibility = "";
      const r0 = el.getBoundingClientRect();
      const step = r0.height + 2;
      let ok = false;
      for (const dy of [0, step, -step, 2 * step, -2 * step]) {
        const r = { left: r0.left, right: r0.right, top: r0.top + dy, bottom: r0.bottom + dy };
        if (!placed.some((q) => r.left < q.right && q.left < r.right && r.top < q.bottom && q.top < r.bottom)) {
          el.style.translate = dy ? `0 ${dy}px` : "";
          placed.push(r);
          ok = true;
          break;
        }
      }
      if (!ok) { el.style.visibility = "hidden"; hidden++; }
    }
    ui.keyEl.querySelector(".hiddenlabels").textContent = hidden ? `${hidden} row labels would overlap others and are hidden: zoom in, or point at a wedge.` : "";
  }
  map.on("zoomend", declutter);

  // Routes: each target's masts in time order, up to the slider's time.
  const routeLayer = L.layerGroup().addTo(map);
  const eventLayer = L.layerGroup().addTo(map);
  const current = L.layerGroup().addTo(map);

  // The key.
  fill(ui.keyEl, h("h3", null, "Key"), h("ul", null,
    targets.map((t, i) => h("li", null, h("span", { class: "swatch", "data-colour": i % colours.length }), ` ${letter(i)}: ${t}`)),
    h("li", null, h("span", { class: "swatch wedge" }), " wedge: serving cell's direction (dashed: beamwidth assumed)"),
    h("li", null, h("span", { class: "swatch site" }), " mast (hollow: not serving these events)"),
    h("li", null, h("span", { class: "swatch rows" }, "12"), " row numbers of the events the cell served")),
    h("p", { class: "hint hiddenlabels", "aria-live": "polite" }));
  for (const sw of ui.keyEl.querySelectorAll(".swatch[data-colour]")) sw.style.background = colours[+sw.dataset.colour];

  // The event list: the same information as text.
  const typed = events.some((e) => e.type);
  const rows = events.map((e, i) => {
    const tr = h("tr", { "data-i": i },
      h("td", { class: "num" }, e.n), h("td", null, letter(ti(e.target))),
      h("td", null, utc(e.time), h("br"), h("span", { class: "sub" }, local(e.time))),
      typed ? h("td", null, e.type || "") : null, h("td", null, e.placed ? h("code", null, e.cell) : h("span", { class: "sub" }, e.reason)));
    tr.addEventListener("click", () => { ui.slider.value = i; update(); });
    return tr;
  });
  fill(ui.listEl, h("table", { class: "data compact" },
    h("caption", null, "Events on this map"),
    h("thead", null, h("tr", null, ["Row", "Target", "Time (UTC / UK local)", typed ? "Type" : null, "Cell"].filter(Boolean).map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", null, rows)));

  ui.slider.max = String(Math.max(0, events.length - 1));
  ui.slider.value = ui.slider.max;
  let showAll = true;

  function update() {
    const i = +ui.slider.value;
    const upto = showAll ? Infinity : events[i] ? events[i].t : Infinity;
    const visible = events.filter((e) => e.t <= upto);
    const shownRows = new Set(visible.map((e) => e.n));
    wedgeLayer.clearLayers();
    for (const w of wedges) {
      const parts = w.p.events.map((ev) => ({ t: ev.target, rows: ev.rows.filter((n) => shownRows.has(n)) })).filter((x) => x.rows.length);
      if (!parts.length) continue;
      w.layer.addTo(wedgeLayer);
      w.label.setIcon(L.divIcon({ className: "cs-rows", html: "", iconSize: null }));
      w.label.addTo(wedgeLayer);
      const el = w.label.getElement();
      if (el) {
        el.replaceChildren(...parts.map((x) => {
          const s = document.createElement("span");
          s.className = "t" + (ti(x.t) % colours.length);
          s.textContent = rowList(x.rows);
          return s;
        }));
      }
    }
    routeLayer.clearLayers();
    targets.forEach((t, k) => {
      const pts = [];
      for (const e of visible) if (e.target === t && e.ll) {
        const last = pts[pts.length - 1];
        if (!last || last[0] !== e.ll[0] || last[1] !== e.ll[1]) pts.push(e.ll);
      }
      if (pts.length > 1) L.polyline(pts, { color: colours[k % colours.length], weight: 1.5, opacity: 0.6, dashArray: k % 2 ? "6 4" : null, className: "cs-route" }).addTo(routeLayer);
    });
    declutter();
    current.clearLayers();
    for (const tr of rows) tr.classList.remove("current");
    if (!showAll && events[i]) {
      const e = events[i];
      if (e.ll) L.circleMarker(e.ll, { radius: 9, color: colours[ti(e.target) % colours.length], weight: 3, fill: false, className: "cs-current" }).addTo(current);
      rows[i].classList.add("current");
      rows[i].scrollIntoView({ block: "nearest" });
      ui.sliderText.replaceChildren(`Up to row ${e.n}: `, utc(e.time), " (", local(e.time), ")");
    } else {
      ui.sliderText.replaceChildren(`All ${events.length} events`);
    }
  }
  ui.slider.setAttribute("aria-valuetext", "all events");
  ui.slider.addEventListener("input", () => {
    showAll = false;
    const e = events[+ui.slider.value];
    if (e) ui.slider.setAttribute("aria-valuetext", `row ${e.n}, ${utc(e.time)}`);
    update();
  });
  let timer = null;
  const stop = () => { clearInterval(timer); timer = null; ui.play.textContent = "Play"; };
  ui.play.addEventListener("click", () => {
    if (timer) return stop();
    showAll = false;
    if (+ui.slider.value >= events.length - 1) ui.slider.value = 0;
    ui.play.textContent = "Pause";
    timer = setInterval(() => {
      if (!document.body.contains(ui.slider)) return stop();
      if (+ui.slider.value >= events.length - 1) return stop();
      ui.slider.value = +ui.slider.value + 1;
      update();
    }, 700);
    update();
  });
  ui.all.addEventListener("click", () => { stop(); showAll = true; ui.slider.value = ui.slider.max; update(); });

  let bounds = null;
  for (const w of wedges) bounds = bounds ? bounds.extend(w.bounds) : L.latLngBounds(w.bounds.getSouthWest(), w.bounds.getNorthEast());
  if (!bounds) for (const e of events) if (e.ll) bounds = bounds ? bounds.extend(e.ll) : L.latLngBounds(e.ll, e.ll);
  if (bounds) map.fitBounds(bounds.pad(0.08));
  else map.setView([54.5, -2.5], 6);
  update();
  void byRow;
}

// wedgeTip is where a wedge's row label goes: at the end of its middle
// bearing (the middle of the ring's arc), or north of an omni mast.
function wedgeTip(f, p) {
  const ring = f.geometry.coordinates[0];
  if (p.omni) {
    const lat = ring.reduce((s, c) => Math.max(s, c[1]), -90);
    const lon = ring.reduce((s, c) => s + c[0], 0) / ring.length;
    return [lat, lon];
  }
  const arc = ring.slice(1, -1);
  const mid = arc[Math.floor(arc.length / 2)];
  return [mid[1], mid[0]];
}
