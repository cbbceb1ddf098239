// Dates and times in the UK form, dd/mm/yyyy HH:MM:SS, always with their
// basis: UTC, or UK local time (Europe/London) as GMT or BST.

const pad = (n) => String(n).padStart(2, "0");

const london = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "short",
});

function parts(d) {
  const o = {};
  for (const p of london.formatToParts(d)) o[p.type] = p.value;
  return o;
}

function toDate(v) {
  if (v instanceof Date) return v;
  if (!v || v.startsWith("0001-01-01")) return null;
  const d = new Date(v);
  return isNaN(d) ? null : d;
}

// utc formats an instant as "dd/mm/yyyy HH:MM:SS UTC".
export function utc(v) {
  const d = toDate(v);
  if (!d) return "";
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

// local formats an instant in UK local time: "dd/mm/yyyy HH:MM:SS BST".
export function local(v) {
  const d = toDate(v);
  if (!d) return "";
  const p = parts(d);
  const zone = p.timeZoneName === "GMT+1" ? "BST" : (p.timeZoneName === "UTC" ? "GMT" : p.timeZoneName);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}:${p.second} ${zone}`;
}

// both formats an instant of the evidence in UTC with UK local time
// (GMT or BST) beneath.
export function both(v) {
  const d = toDate(v);
  if (!d) return "";
  const span = document.createElement("span");
  span.className = "when";
  const s = document.createElement("span");
  s.className = "local";
  s.textContent = local(d);
  span.append(utc(d), document.createElement("br"), s);
  return span;
}

// stamp formats when something was done in the service: UTC, with UK
// local time beneath only when it differs (in summer).
export function stamp(v) {
  const d = toDate(v);
  if (!d) return "";
  const u = utc(d), l = local(d);
  const span = document.createElement("span");
  span.className = "when";
  span.append(u);
  if (l.slice(0, 19) !== u.slice(0, 19)) {
    const s = document.createElement("span");
    s.className = "local";
    s.textContent = l;
    span.append(document.createElement("br"), s);
  }
  return span;
}

// offsetAt returns UK local time's offset from UTC in minutes at instant ms.
function offsetAt(ms) {
  const p = parts(new Date(ms));
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60000);
}

// parse reads "dd/mm/yyyy HH:MM[:SS]" in the given basis ("utc" or
// "uk-local") and returns the instant as an RFC 3339 string in UTC. It
// throws on text that is not such a time, or on a UK local time that did
// not exist (spring forward) or that happened twice (autumn back).
export function parse(text, basis) {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a date and time such as 05/03/2026 14:30:00`);
  const [, dd, mm, yyyy, HH = "0", MM = "0", SS = "0"] = m;
  const wall = Date.UTC(+yyyy, +mm - 1, +dd, +HH, +MM, +SS);
  const back = new Date(wall);
  if (back.getUTCDate() !== +dd || back.getUTCMonth() !== +mm - 1 || +HH > 23) throw new Error(`"${text}" is not a real date and time`);
  if (basis === "utc") return back.toISOString().replace(".000Z", "Z");
  const hits = [];
  for (const off of [0, 60]) {
    const ms = wall - off * 60000;
    if (offsetAt(ms) === off) hits.push(ms);
  }
  if (hits.length === 0) throw new Error(`${text} did not exist in UK local time (the clocks went forward)`);
  if (hits.length > 1) throw new Error(`${text} happened twice in UK local time (the clocks went back): give it in UTC`);
  return new Date(hits[0]).toISOString().replace(".000Z", "Z");
}

// basisName names a source's stated time basis.
export function basisName(b) {
  return { "utc": "UTC", "uk-local": "UK local (GMT/BST)", "offset": "UTC offset per record" }[b] || b || "—";
}

export function duration(s) {
  if (s === undefined || s === null) return "";
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
  return `${pad(h)}:${pad(m)}:${pad(x)}`;
}
