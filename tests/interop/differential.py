"""Differential test of libnnrp against nnrp-py 1.0.0rc2 (see README.md).

usage: differential.py --nnrp PATH [--shared DIR] [--seed S] [--per-builder N] [--mutations N]
                       [--report FILE]

Three parts, every verdict compared:
  builders   every reference builder on seeded inputs, built by nnrp-py and by `nnrp build`:
             identical bytes, or both refuse; every packet built decodes with both decoders
             (nnrp-py's composite decoder and `nnrp check`) and both read the same header and
             metadata fields
  mutations  valid packets with flipped bits, cut or extended ends and edited length fields:
             whatever nnrp-py rejects, libnnrp rejects in the strict and the PY-compatible
             profile; what only the strict profile rejects must be one of its documented rules
  vectors    the same three verdicts for every packet of the shared vectors
Prints one line per disagreement class and "N passed, M failed".
"""

import argparse
import collections
import glob
import json
import os
import random
import sys
import time

import expected
import gen
import oracle
from libnnrp import Nnrp

def is_packet_builder(name):
    return name.endswith("_packet") or name.startswith("NnrpPacket.build")


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.classes = collections.OrderedDict()  # (kind, key) -> {"count", "expected", "why", "example"}
        self.per_builder = collections.defaultdict(collections.Counter)

    def ok(self):
        self.passed += 1

    def differ(self, kind, key, example, builder=None):
        """Record a disagreement; it passes when `expected` explains it."""
        why = expected.explain(kind, key, builder)
        entry = self.classes.setdefault((kind, key), {"count": 0, "expected": why is not None,
                                                      "why": why, "example": example})
        entry["count"] += 1
        if why is None:
            self.failed += 1
        else:
            self.passed += 1
        return why is not None


# ---- builders -----------------------------------------------------------------------------------------


def run_builders(nnrp, cases, tally):
    t0 = time.time()
    py_out = [oracle.build(b, i) for b, i in cases]
    t1 = time.time()
    lib_out = nnrp.build(cases)
    t2 = time.time()
    print(f"builders: {len(cases)} calls; nnrp-py {t1 - t0:.1f} s, nnrp build {t2 - t1:.2f} s")

    packets = []  # (index, bytes) of every packet both sides built
    for k, ((builder, inputs), (ps, pv), (ls, lv)) in enumerate(zip(cases, py_out, lib_out)):
        stats = tally.per_builder[builder]
        stats["cases"] += 1
        example = {"builder": builder, "inputs": inputs}
        if ps == "ok" and ls == "ok":
            if pv == lv:
                stats["identical"] += 1
                tally.ok()
                if is_packet_builder(builder):
                    packets.append((k, lv))
            else:
                stats["different"] += 1
                example.update(py=pv.hex(), lib=lv.hex())
                tally.differ("bytes differ", builder, example, builder)
        elif ps != "ok" and ls != "ok":
            stats["both refuse"] += 1
            tally.ok()
        elif ps == "ok":
            stats["only libnnrp refuses"] += 1
            own = oracle.decode_output(builder, pv)
            example.update(py=pv.hex(), lib=f"{ls} {lv}", py_decodes_own_output=own or "accepted")
            key = f"{ls} {lv.split(':')[0]}" if ls == "invalid" else lv
            if own and own != "no decoder":
                key = "nnrp-py builds a packet its own decoder rejects"
            tally.differ("only libnnrp refuses", (builder, key), example, builder)
        else:
            stats["only nnrp-py refuses"] += 1
            example.update(py=pv, lib=lv.hex())
            tally.differ("only nnrp-py refuses", (builder, pv.split(":")[0]), example, builder)
    cross_decode(nnrp, cases, packets, tally)
    return [p for _, p in packets]


def _int(v):
    """nnrp's JSON writes integers above 2^53 as decimal strings."""
    return int(v) if isinstance(v, str) and v.isdigit() else v


def cross_decode(nnrp, cases, packets, tally):
    """Every packet both built: accepted by both decoders, the same header and metadata fields."""
    blobs = [p for _, p in packets]
    strict = nnrp.check(blobs, as_json=True)
    for (k, blob), lib in zip(packets, strict):
        builder = cases[k][0]
        example = {"builder": builder, "inputs": cases[k][1], "packet": blob.hex()}
        py_verdict = oracle.decode(blob)
        lib_verdict = None if isinstance(lib, dict) else lib
        if py_verdict or lib_verdict:
            example.update(py=py_verdict or "accepted", lib=lib_verdict or "accepted")
            key = (builder, (py_verdict or "accepted").split(":")[0] + " / " +
                   (lib_verdict or "accepted").split(" ")[0])
            tally.differ("a packet both built does not decode on both sides", key, example, builder)
            continue
        header, meta = oracle.metadata_fields(blob)
        lib_meta = lib.get("metadata", {})
        diffs = [k2 for k2, v in header.items() if _int(lib.get(k2)) != v]
        diffs += [f"metadata.{k2}" for k2, v in meta.items() if _int(lib_meta.get(k2)) != v]
        if diffs:
            example["fields"] = diffs
            tally.differ("decoders read different fields", (builder, ",".join(diffs)), example, builder)
        else:
            tally.per_builder[builder]["cross-decoded"] += 1
            tally.ok()


# ---- mutations ----------------------------------------------------------------------------------------


def mutate(r, packet):
    """One corruption of `packet`: (what, bytes)."""
    b = bytearray(packet)
    kind = r.choice(("bit", "bit", "byte", "truncate", "extend", "length", "length", "field"))
    if kind == "bit" or (kind == "byte" and b):
        pos = r.randrange(len(b)) if r.random() < 0.5 else r.randrange(min(len(b), 40 + 72))
        if kind == "bit":
            b[pos] ^= 1 << r.randrange(8)
        else:
            b[pos] = r.randrange(256)
        return f"{kind}@{pos}", bytes(b)
    if kind == "truncate":
        n = r.randrange(len(b))
        return f"truncate to {n}", bytes(b[:n])
    if kind == "extend":
        n = r.randint(1, 9)
        return f"extend by {n}", bytes(b) + bytes(r.randrange(256) for _ in range(n))
    if kind == "length":  # meta_len (offset 12) or body_len (16), header and packet kept
        off = r.choice((12, 16))
        old = int.from_bytes(b[off:off + 4], "little")
        new = max(0, old + r.choice((-16, -8, -1, 1, 8, 16, 1 << 20)))
        b[off:off + 4] = new.to_bytes(4, "little")
        return f"u32@{off} {old}->{new}", bytes(b)
    # a metadata or body field: a u16/u32 at an aligned offset past the header
    if len(b) <= 40:
        return "truncate to 39", bytes(b[:39])
    width = r.choice((2, 4))
    off = 40 + r.randrange((len(b) - 40) // width or 1) * width
    old = int.from_bytes(b[off:off + width], "little")
    new = r.choice((0, 1, old + 1, max(old - 1, 0), old + 8, (1 << (8 * width)) - 1)) & ((1 << (8 * width)) - 1)
    b[off:off + width] = new.to_bytes(width, "little")[:len(b) - off]
    return f"u{8 * width}@{off} {old}->{new}", bytes(b)


def run_mutations(nnrp, sources, count, seed, tally):
    r = random.Random(f"{seed}:mutations")
    seen = set(sources)
    cases = []
    while len(cases) < count and sources:
        what, blob = mutate(r, r.choice(sources))
        if blob not in seen:
            seen.add(blob)
            cases.append((what, blob))
    judge(nnrp, cases, tally, "mutations")


def judge(nnrp, cases, tally, label):
    blobs = [b for _, b in cases]
    t0 = time.time()
    py = [oracle.decode(b) for b in blobs]
    t1 = time.time()
    strict = nnrp.check(blobs)
    compat = nnrp.check(blobs, "--py-compat")
    t2 = time.time()
    counts = collections.Counter()
    for (what, blob), p, s, c in zip(cases, py, strict, compat):
        example = {"packet": blob.hex(), "corruption": what, "py": p or "accepted",
                   "strict": s or "accepted", "py_compat": c or "accepted"}
        counts["nnrp-py rejects" if p else "nnrp-py accepts"] += 1
        if p and (s is None or c is None):
            profile = "strict" if s is None else "py-compat"
            tally.differ(f"libnnrp ({profile}) accepts what nnrp-py rejects", p.split(":")[0] + ": " +
                         p.split(": ", 1)[-1][:60], example)
        elif not p and c:
            tally.differ("py-compat rejects what nnrp-py accepts", c.split(" ")[0], example)
        elif not p and s:
            tally.differ("strict-only rule", s.split(" ")[0], example)
        else:
            tally.ok()
    print(f"{label}: {len(cases)} packets ({counts['nnrp-py rejects']} rejected by nnrp-py); "
          f"nnrp-py {t1 - t0:.1f} s, nnrp check x2 {t2 - t1:.2f} s")


def calibrate(shared, tally):
    """The composite decoder must give the reference data's verdicts: every invalid example
    rejected with its recorded message, every oracle_accepts packet and builder example accepted."""
    inv = json.load(open(os.path.join(shared, "vectors", "invalid-examples.json")))
    ex = json.load(open(os.path.join(shared, "vectors", "builder-examples.json")))["examples"]
    wrong = [e["name"] for e in inv["examples"] if oracle.decode(bytes.fromhex(e["hex"])) != e["error"]]
    wrong += [e["name"] for e in inv["oracle_accepts"] if oracle.decode(bytes.fromhex(e["hex"]))]
    wrong += [e["name"] for e in ex if e["output_kind"] == "packet" and oracle.decode(bytes.fromhex(e["hex"]))]
    wrong += [e["name"] for e in ex if oracle.build(e["builder"], e["inputs"]) != ("ok", bytes.fromhex(e["hex"]))]
    for name in wrong:
        tally.differ("the oracle disagrees with the reference data", name, {"name": name})
    packets = sum(e["output_kind"] == "packet" for e in ex)
    total = len(inv["examples"]) + len(inv["oracle_accepts"]) + packets + len(ex)
    tally.passed += total - len(wrong)
    print(f"oracle: {total - len(wrong)} of {total} reference verdicts and outputs reproduced")


def vector_packets(shared):
    out = [open(f, "rb").read() for f in sorted(glob.glob(os.path.join(shared, "vectors", "*.bin")))]
    ex = json.load(open(os.path.join(shared, "vectors", "builder-examples.json")))["examples"]
    out += [bytes.fromhex(e["hex"]) for e in ex if e["output_kind"] == "packet"]
    inv = json.load(open(os.path.join(shared, "vectors", "invalid-examples.json")))
    out += [bytes.fromhex(e["hex"]) for e in inv["examples"] + inv["oracle_accepts"]]
    return out


# ---- main ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nnrp", required=True, help="the nnrp command")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "../../../shared"))
    ap.add_argument("--seed", default="1")
    ap.add_argument("--per-builder", type=int, default=100, help="calls per builder and weight unit")
    ap.add_argument("--mutations", type=int, default=20000)
    ap.add_argument("--report", help="write every disagreement class with an example (JSON)")
    args = ap.parse_args()

    examples = json.load(open(os.path.join(args.shared, "vectors", "builder-examples.json")))["examples"]
    nnrp = Nnrp(args.nnrp)
    tally = Tally()

    cases = gen.generate(args.seed, args.per_builder, examples)
    built = run_builders(nnrp, cases, tally)

    calibrate(args.shared, tally)
    vectors = vector_packets(args.shared)
    judge(nnrp, [("vector", v) for v in vectors], tally, "vectors")
    valid = [v for v in vectors if oracle.decode(v) is None]
    lib_ok = nnrp.check(valid)
    sources = [v for v, s in zip(valid, lib_ok) if s is None]
    sources += random.Random(args.seed).sample(built, min(len(built), 3000))
    run_mutations(nnrp, sources, args.mutations, args.seed, tally)

    print("\nper builder: cases identical both-refuse only-libnnrp-refuses only-nnrp-py-refuses cross-decoded")
    for name, s in sorted(tally.per_builder.items()):
        print(f"  {name:58} {s['cases']:5} {s['identical']:5} {s['both refuse']:4} "
              f"{s['only libnnrp refuses']:4} {s['only nnrp-py refuses']:4} {s['cross-decoded']:5}")
    print("\ndisagreement classes (count, verdict):")
    for (kind, key), e in tally.classes.items():
        verdict = "expected: " + e["why"] if e["expected"] else "UNEXPECTED"
        print(f"  {e['count']:6}  {kind}: {key}\n          {verdict}")
        if not e["expected"]:
            print("          example: " + json.dumps(e["example"])[:600])
    if args.report:
        with open(args.report, "w") as f:
            json.dump({"seed": args.seed, "per_builder": tally.per_builder,
                       "classes": [{"kind": k, "key": key, **e} for (k, key), e in tally.classes.items()]},
                      f, indent=1, default=str)
    known = [key for (_, key), e in tally.classes.items() if (e["why"] or "").startswith("KNOWN")]
    if known:
        print(f"\nknown open issues still present ({len(known)}): " + "; ".join(map(str, known)))
    print(f"\n{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
