"""The libnnrp side: `nnrp build` and `nnrp check`, each run once per batch."""

import json
import subprocess


class Nnrp:
    def __init__(self, binary):
        self.binary = binary

    def _run(self, args, lines):
        text = "".join(line + "\n" for line in lines)
        proc = subprocess.run([self.binary, *args], input=text, capture_output=True, text=True)
        if "Sanitizer" in proc.stderr:  # a sanitizer build reports memory errors and leaks here
            raise RuntimeError(f"nnrp {' '.join(args)}: {proc.stderr[-2000:]}")
        out = proc.stdout.split("\n")[:-1]
        if len(out) != len(lines):
            raise RuntimeError(f"nnrp {' '.join(args)}: {len(out)} answers for {len(lines)} lines "
                               f"(exit {proc.returncode}): {proc.stderr[-500:]}")
        return out

    def build(self, cases):
        """[(builder, inputs)] -> [("ok", bytes) | ("error", ERR_NAME) | ("invalid", message)]."""
        answers = self._run(["build"], [json.dumps({"builder": b, "inputs": i}) for b, i in cases])
        out = []
        for a in answers:
            if a.startswith("error "):
                out.append(("error", a[6:]))
            elif a.startswith("invalid "):
                out.append(("invalid", a[8:]))
            else:
                out.append(("ok", bytes.fromhex(a)))
        return out

    def check(self, packets, profile=None, as_json=False):
        """[bytes] -> [None (valid) or "ERR_NAME at N"], or with as_json [dict or error text]."""
        args = ["check"] + ([profile] if profile else []) + (["--json"] if as_json else [])
        out = []
        for a in self._run(args, [p.hex() for p in packets]):
            if a.startswith("ok"):
                out.append(json.loads(a[3:]) if as_json else None)
            else:
                name, _, offset = a[6:].partition(" ") if a.startswith("error ") else (a, "", "")
                out.append(f"{name} at {offset}" if offset else name)
        return out
