/* Check a line of "Wie keek in mijn gegevens?" in the resident's own browser.
 *
 * The line's record is hashed into a leaf (RFC 9162: SHA-256 of 0x00 || SHA-256(record)),
 * the inclusion proof from the public API leads from that leaf to a root, and that root must be
 * the one in the latest checkpoint, whose Ed25519 signature (C2SP signed note) is checked with
 * the published key. Nothing here trusts the server's own verdict. Without scripts, the link
 * leads to the same check done by the server.
 *
 * Only a check that ran and failed says the line does not match: a phone that lost its
 * connection or a server that did not answer is told so in those words, with the link to the
 * server's check, and never that the log was changed; a browser without Ed25519 (older ones)
 * goes to the server's check at once.
 */
(function () {
  "use strict";
  const nl = document.documentElement.lang !== "en";
  const say = {
    busy: nl ? "Bezig met controleren…" : "Checking…",
    ok: nl
      ? "Gecontroleerd in uw eigen browser: deze regel staat ongewijzigd in het ondertekende logboek."
      : "Checked in your own browser: this line is unchanged in the signed log.",
    fresh: nl ? "Deze regel is nog niet ondertekend. Probeer het over een paar seconden opnieuw."
              : "This line is not signed yet. Try again in a few seconds.",
    bad: nl ? "Deze regel klopt niet met het ondertekende logboek. Meld dit bij de privacy officer."
            : "This line does not match the signed log. Please tell the privacy officer.",
    unsupported: nl ? "Uw browser kan dit niet zelf controleren; volg de link."
                    : "Your browser cannot check this itself; follow the link.",
    unreachable: nl ? "Controleren lukte nu niet: er kwam geen antwoord. Probeer het later opnieuw, of volg de link."
                    : "The check could not be done now: no answer came. Try again later, or follow the link.",
  };
  /* Why a check could not be done, as opposed to a check that found a difference. */
  class CannotCheck extends Error {
    constructor(reason) { super(reason); this.reason = reason; }
  }
  async function get(url) {
    let response;
    try {
      response = await fetch(url, { cache: "no-store" });
    } catch (error) {
      throw new CannotCheck("unreachable");
    }
    if (!response.ok) throw new CannotCheck("unreachable");
    try {
      return await response.json();
    } catch (error) {
      throw new CannotCheck("unreachable");
    }
  }
  const enc = new TextEncoder();
  const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const node = (l, r) => sha256(concat(new Uint8Array([1]), l, r));

  async function openNote(note, keyName, publicKey) {
    const cut = note.lastIndexOf("\n\n");
    const text = note.slice(0, cut + 1);
    const id = (await sha256(concat(enc.encode(keyName + "\n"), new Uint8Array([1]), publicKey))).slice(0, 4);
    // A note may carry several signatures (the log's key changed): take this key's.
    const raw = note.slice(cut + 2).split("\n")
      .filter((l) => l.startsWith("\u2014 " + keyName + " "))
      .map((l) => b64(l.split(" ").pop()))
      .find((r) => equal(r.slice(0, 4), id));
    if (!raw) throw new Error("not signed by this key");
    let key;
    try {
      key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    } catch (error) {
      throw new CannotCheck("unsupported");  // Ed25519 came to Web Crypto only in 2023-2025
    }
    if (!(await crypto.subtle.verify({ name: "Ed25519" }, key, raw.slice(4), enc.encode(text)))) {
      throw new Error("bad signature");
    }
    const [origin, size, root] = text.split("\n");
    return { origin, size: Number(size), root: b64(root) };
  }

  async function rootFromProof(leaf, index, size, hashes) {
    let fn = index, sn = size - 1, r = leaf;
    for (const p of hashes) {
      if (sn === 0) throw new Error("long proof");
      if (fn % 2 === 1 || fn === sn) {
        r = await node(p, r);
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        r = await node(r, p);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    if (sn !== 0) throw new Error("short proof");
    return r;
  }

  async function check(link, out) {
    out.textContent = say.busy;
    const index = Number(link.closest("[data-log-index]").dataset.logIndex);
    const key = await get("/api/v1/ledger/public-key");
    const checkpoint = await get("/api/v1/ledger/checkpoint");
    const signed = await openNote(checkpoint.note, key.keyName, b64(key.publicKey));
    if (signed.size <= index) { out.textContent = say.fresh; return; }
    const proof = await get(
      "/api/v1/ledger/entries/" + index + "/inclusion-proof?treeSize=" + signed.size);
    const leaf = await sha256(concat(new Uint8Array([0]), await sha256(enc.encode(link.dataset.record))));
    const root = await rootFromProof(leaf, index, signed.size, proof.hashes.map(b64));
    out.textContent = equal(root, signed.root) ? say.ok : say.bad;
  }

  // After a check that could not be done, the link leads to the server's check (all links,
  // if this browser cannot verify a signature at all: asked once, when the page loads, by
  // importing the public key of RFC 8032's first test vector).
  let serverOnly = !window.crypto || !crypto.subtle;
  if (!serverOnly) {
    const probe = Uint8Array.from(
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a".match(/../g),
      (h) => parseInt(h, 16));
    crypto.subtle.importKey("raw", probe, { name: "Ed25519" }, false, ["verify"])
      .catch(() => { serverOnly = true; });
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest(".check-link");
    if (!link || serverOnly || link.dataset.serverCheck) return;
    event.preventDefault();
    const out = link.parentElement.querySelector(".check-result");
    check(link, out).catch((error) => {
      if (!(error instanceof CannotCheck)) { out.textContent = say.bad; return; }
      out.textContent = say[error.reason];
      link.dataset.serverCheck = "1";
      if (error.reason === "unsupported") {  // clicked before the page's own probe answered
        serverOnly = true;
        window.location.assign(link.href);
      }
    });
  });
})();
