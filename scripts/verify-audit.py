#!/usr/bin/env python3
"""Checks a Galley audit export offline, as docs/audit.md describes; needs `cryptography`.
Usage: verify-audit.py EXPORT.jsonl SEALS.jsonl KEYS.json   (exit 0 intact, 1 broken)"""
import base64, calendar, hashlib, json, sys, time
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

def b64(text): return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
def field(value): return "~" if value is None else f"{len(value.encode())}:{value}"
def micros(at):  # 2026-12-01T09:00:00.123456Z, exactly
    whole, _, fraction = at.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) * 10**6 + int(fraction.ljust(6, "0"))
def event_hash(e):
    revision = None if e.get("revision") is None else str(e["revision"])
    parts = ["galley-audit/1", field(e["chain"]), str(e["seq"]), field(e["prev_hash"]), field(e.get("actor_id")),
             field(e["actor"]), field(e["action"]), field(e.get("article_id")), field(revision), field(e.get("from_state")),
             field(e.get("to_state")), field(e.get("reason")), field(e["details_text"]), field(e.get("request_id")), str(micros(e["at"]))]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()

def verify(export, seals, keyfile):
    events = [json.loads(line) for line in open(export, encoding="utf-8") if line.strip()]
    keys = json.load(open(keyfile, encoding="utf-8"))
    keys = {key["kid"]: key for key in keys.get("keys", [keys])}
    began = min((key["not_before"] for key in keys.values() if "not_before" in key), default="~")  # when signing began
    last = {}  # chain -> (seq, hash) of the last event checked
    for e in sorted(events, key=lambda e: (e["chain"], e["seq"])):
        seq, prev = last.get(e["chain"], (0, ""))
        if e["seq"] != seq + 1 or e["prev_hash"] != prev or event_hash(e) != e["hash"] or json.loads(e["details_text"]) != e["details"]:
            return f"event {e['id']} (chain {e['chain']}, position {e['seq']}) was altered, or events around it removed"
        last[e["chain"]] = (e["seq"], e["hash"])
    hashes, previous, signed = {(e["chain"], e["seq"]): e["hash"] for e in events}, "", 0
    for s in map(json.loads, open(seals, encoding="utf-8")):
        text = f"galley-seal/1\n{previous}\n" + "".join(f"{c} {q} {h}\n" for c, q, h in s["heads"])
        if s["prev_hash"] != previous or hashlib.sha256(text.encode()).hexdigest() != s["root"]:
            return f"seal {s['id']} was altered or a seal before it removed"
        if "signature" in s:
            key = keys.get(s["key_id"], {})  # times compare as text; "~" sorts after every digit
            if not key.get("not_before", "~") <= s["at"] <= key.get("not_after", "~"):
                return f"seal {s['id']}: its key {s['key_id']} is not listed, or was not signing at {s['at']}"
            signed_bytes = f"galley-seal-signature/1\n{s['id']}\n{s['at']}\n{s['chains']}\n{s['root']}\n{s['prev_hash']}"
            Ed25519PublicKey.from_public_bytes(b64(key["x"])).verify(b64(s["signature"]), signed_bytes.encode())
            signed += 1
        elif signed or s["at"] >= began:  # a seal's time is signed, not hashed: after a signed seal, every seal is signed
            return f"seal {s['id']} is unsigned but dated {s['at']}, after signing began ({began}): its signature was removed"
        for chain, seq, hash in s["heads"]:
            if seq > 0 and hashes.get((chain, seq)) != hash:
                return f"seal {s['id']} vouches for event {seq} of chain {chain}, which the export lacks or has altered"
        previous = s["root"]
    return None if signed else "no seal is signed"

if __name__ == "__main__":
    try: problem = verify(*sys.argv[1:4])
    except Exception as error: problem = f"{type(error).__name__}: {error}"  # e.g. InvalidSignature
    print(f"broken: {problem}" if problem else "intact", file=sys.stderr if problem else sys.stdout)
    sys.exit(1 if problem else 0)
