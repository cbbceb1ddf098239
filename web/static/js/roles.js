// What each role may do, as the service enforces it (docs/API.md): the
// interface shows only what the signed-in user may use.
export const can = {
  // see the case's records, analyses, maps and provenance
  read: (r) => r === "analyst" || r === "reviewer" || r === "admin",
  // upload, analyse, request packs, manage members and triggers
  write: (r) => r === "analyst" || r === "admin",
  review: (r) => r === "reviewer" || r === "admin",
  audit: (r) => r === "reviewer" || r === "admin",
  verifyLog: (r) => r === "reviewer" || r === "admin",
  users: (r) => r === "admin",
};
