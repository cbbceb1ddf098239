// Calls to the service's API with the signed-in user's token. The token
// lives in this tab's session storage and goes when the tab is closed or
// the user signs out.

const base = "/api/v1";

export class APIError extends Error {
  constructor(status, body) {
    super((body && body.message) || `the service answered ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.fields = body && body.fields;
  }
}

export const session = {
  get token() { return sessionStorage.getItem("cellsite.token"); },
  get user() { try { return JSON.parse(sessionStorage.getItem("cellsite.user")); } catch { return null; } },
  set(token, user) {
    sessionStorage.setItem("cellsite.token", token);
    sessionStorage.setItem("cellsite.user", JSON.stringify(user));
  },
  clear() {
    sessionStorage.removeItem("cellsite.token");
    sessionStorage.removeItem("cellsite.user");
  },
};

// onUnauthorized is called when the service no longer accepts the token.
export const hooks = { onUnauthorized: () => {} };

function headers(extra) {
  const hd = Object.assign({}, extra);
  if (session.token) hd["Authorization"] = "Bearer " + session.token;
  return hd;
}

async function check(resp) {
  if (resp.ok) return resp;
  let body = null;
  try { body = await resp.json(); } catch { /* not JSON */ }
  if (resp.status === 401 && session.token) hooks.onUnauthorized();
  throw new APIError(resp.status, body);
}

// api sends a request and returns the decoded JSON answer (null for 204).
export async function api(method, path, body) {
  const init = { method, headers: headers(body !== undefined ? { "Content-Type": "application/json" } : {}) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const resp = await check(await fetch(base + path, init));
  if (resp.status === 204) return null;
  const ct = resp.headers.get("Content-Type") || "";
  if (ct.includes("json")) return resp.json();
  return resp.text();
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body === undefined ? {} : body);
export const del = (path) => api("DELETE", path);

// fetchRaw returns the response of a GET, for downloads and text streams.
export async function fetchRaw(path) {
  return check(await fetch(base + path, { headers: headers() }));
}

// caseURL is the API path of a case; a '/' in a reference is sent as %2F.
export function casePath(ref, rest) {
  return "/cases/" + encodeURIComponent(ref) + (rest || "");
}

// upload sends a file as multipart/form-data (fields first, then the
// file), reporting the bytes sent; it resolves with the answer.
export function upload(path, fields, file, onProgress) {
  return new Promise((resolve, reject) => {
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) if (v) fd.append(k, v);
    fd.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", base + path);
    xhr.setRequestHeader("Authorization", "Bearer " + session.token);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else {
        if (xhr.status === 401) hooks.onUnauthorized();
        reject(new APIError(xhr.status, body));
      }
    };
    xhr.onerror = () => reject(new Error("the upload failed: the service could not be reached"));
    xhr.send(fd);
  });
}

// follow polls a job until it ends, calling onUpdate with each state; it
// resolves with the ended job.
export async function follow(jobID, onUpdate) {
  let wait = 150;
  for (;;) {
    const j = await get("/jobs/" + encodeURIComponent(jobID));
    onUpdate(j);
    if (j.state !== "queued" && j.state !== "running") return j;
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(1000, wait * 1.5);
  }
}

// cancel asks the service to cancel a job; following it shows the end.
export function cancel(jobID) {
  return post("/jobs/" + encodeURIComponent(jobID) + "/cancel").catch(() => {});
}

// stageText describes a job's progress for people.
export function stageText(j) {
  const pct = j.total > 0 || j.state === "succeeded" ? ` (${Math.round(j.percent)}%)` : "";
  return `${j.state}${j.stage ? ": " + j.stage : ""}${pct}`;
}
