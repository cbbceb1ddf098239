// Checks, in the browser, that a downloaded pack is the one the
// provenance log recorded: its SHA-256 against the pack record; the pack
// leaf (from its receipt) naming that hash; the receipt's RFC 6962
// inclusion proof up to the signed checkpoint's root; and the
// checkpoint's Ed25519 signature under the log's key, whose fingerprint
// is shown so that it can be compared with the one the force publishes.
// `cellsite verify PACK.zip --fingerprint FP` checks every file inside.

const subtle = globalThis.crypto && globalThis.crypto.subtle;

const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const unhex = (s) => Uint8Array.from(s.match(/../g).map((x) => parseInt(x, 16)));
const eq = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

async function sha256(...parts) {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const buf = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { buf.set(p, o); o += p.length; }
  return new Uint8Array(await subtle.digest("SHA-256", buf));
}

function contains(hay, needle) {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

// inclusion checks an RFC 6962 (RFC 9162 §2.1.3.2) inclusion proof.
async function inclusion(index, size, leafHash, proof, root) {
  if (index >= size) return false;
  let fn = BigInt(index), sn = BigInt(size - 1), r = leafHash;
  const one = new Uint8Array([1]);
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await sha256(one, p, r);
      if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = await sha256(one, r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n && eq(r, root);
}

// openNote splits a signed note into its text and signatures.
function openNote(note) {
  const at = note.lastIndexOf("\n\n");
  const text = note.slice(0, at + 1);
  const sigs = note.slice(at + 2).split("\n").filter(Boolean).map((l) => {
    const m = /^— (\S+) (\S+)$/.exec(l);
    return m ? { name: m[1], sig: unb64(m[2]) } : null;
  }).filter(Boolean);
  return { text, sigs };
}

// parseKey splits a verifier key "name+hash+base64(0x01 || key)"; the
// base64 may itself hold '+'.
function parseKey(key) {
  const i = key.indexOf("+"), j = key.indexOf("+", i + 1);
  return { name: key.slice(0, i), hashHex: key.slice(i + 1, j), raw: unb64(key.slice(j + 1)) };
}

// checkSignature verifies a note's signature by the verifier key
// "name+hash+base64(0x01 || ed25519 public key)".
async function checkSignature(note, key) {
  const { name, hashHex, raw } = parseKey(key);
  const { text, sigs } = openNote(note);
  const sig = sigs.find((s) => s.name === name && hex(s.sig.slice(0, 4)) === hashHex);
  if (!sig) return { ok: false, why: `no signature by ${name}` };
  try {
    const k = await subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
    const ok = await subtle.verify({ name: "Ed25519" }, k, sig.sig.slice(4), new TextEncoder().encode(text));
    return { ok, why: ok ? "" : "the signature does not verify" };
  } catch (err) {
    return { ok: null, why: "this browser cannot check Ed25519 signatures (" + err.message + ")" };
  }
}

// verifyPack checks a downloaded pack's bytes against its receipt and the
// log's key. It returns the steps, each {ok, text}.
export async function verifyPack(bytes, pack, receipt, log) {
  const steps = [];
  const step = (ok, text) => { steps.push({ ok, text }); return ok; };
  if (!subtle) {
    step(null, "This page is not in a secure context (HTTPS or localhost), so the browser offers no hashing: check the pack with `cellsite verify`.");
    return steps;
  }
  const sum = await sha256(new Uint8Array(bytes));
  if (!step(hex(sum) === pack.sha256, `The download's SHA-256 ${hex(sum)} ${hex(sum) === pack.sha256 ? "matches" : "does not match"} the pack record.`)) return steps;
  const leaf = unb64(receipt.leaf);
  if (!step(contains(leaf, sum), `Provenance leaf ${receipt.index} (the pack leaf) ${contains(leaf, sum) ? "records" : "does not record"} that hash.`)) return steps;
  const body = openNote(receipt.checkpoint).text.split("\n");
  const size = Number(body[1]), root = unb64(body[2]);
  const lh = await sha256(new Uint8Array([0]), leaf);
  const proof = receipt.proof.map((p) => unhex(p));
  const inc = await inclusion(receipt.index, size, lh, proof, root);
  if (!step(inc, `The receipt's inclusion proof ${inc ? "leads" : "does not lead"} from leaf ${receipt.index} to the root ${body[2]} of the checkpoint of size ${size}.`)) return steps;
  const { name, raw } = parseKey(log.key);
  if (!step(body[0] === name, `The checkpoint is of the log ${body[0]}.`)) return steps;
  const sig = await checkSignature(receipt.checkpoint, log.key);
  step(sig.ok, sig.ok ? `The checkpoint is signed by the log's key, fingerprint ${log.fingerprint}: compare it with the fingerprint your force publishes.` : `Checkpoint signature: ${sig.why}.`);
  const fp = "sha256:" + hex(await sha256(raw));
  step(fp === log.fingerprint, `The key's fingerprint computed here is ${fp}.`);
  return steps;
}
