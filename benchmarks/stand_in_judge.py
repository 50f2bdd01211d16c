"""A deterministic stand-in for a judge model, to measure the judge's plumbing, not a model.

It reads one taskgate judge request on standard input and prints a verdict: true when every
number and code the expected result (for an outcome) or the criterion states is in the final
result or the evidence, and at least half of their other words of four letters or more are
too. No model, no network, no labels: the same request always gets the same verdict.

    taskgate.yaml:  judge: {command: "python benchmarks/stand_in_judge.py", model_family: stand-in}
"""

from __future__ import annotations

import json
import re
import sys

TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def verdict(request: dict[str, object]) -> dict[str, object]:
    wanted_text = request["criterion"] if request["kind"] == "criterion" else request["expected"]
    wanted = {t.lower().strip(".") for t in TOKEN.findall(json.dumps(wanted_text))}
    seen_text = json.dumps([request["result"], request["evidence"]]).lower()
    seen = {t.strip(".") for t in TOKEN.findall(seen_text)}
    facts = {t for t in wanted if any(c.isdigit() for c in t)}
    words = {t for t in wanted - facts if len(t) >= 4}
    facts_found = facts <= seen
    share = len(words & seen) / len(words) if words else 1.0
    ok = facts_found and share >= 0.5
    return {
        "verdict": ok,
        "score": round(share if facts_found else 0.0, 3),
        "reason": f"facts {'all' if facts_found else 'not all'} seen; {share:.0%} of words seen",
    }


if __name__ == "__main__":
    print(json.dumps(verdict(json.load(sys.stdin))))
