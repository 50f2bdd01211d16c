"""Seeded datasets of realistic runs for the speed and memory benchmarks.

Each run has 5-40 steps with tool calls, arguments and results, about 5-10 KB a
line, over three cohort dimensions; the same seed writes the same bytes.
"""

from __future__ import annotations

import random
from pathlib import Path

import orjson

TOOLS = ["get_order", "lookup_policy", "issue_refund", "send_email", "get_customer", "search_kb"]
SEGMENTS = ["consumer", "smb", "enterprise"]
VARIANTS = ["planner-v1", "planner-v2", "react-baseline"]
SURFACES = ["mcp-billing", "mcp-booking", "rest-crm", "native-kb"]
WORDS = tuple(
    [
        "the",
        "order",
        "was",
        "found",
        "and",
        "the",
        "policy",
        "allows",
        "a",
        "refund",
        "within",
        "thirty",
        "days",
        "of",
        "delivery",
        "when",
        "the",
        "receipt",
        "is",
        "valid",
        "and",
        "the",
        "customer",
        "account",
        "is",
        "in",
        "good",
        "standing",
        "with",
        "no",
        "open",
        "disputes",
    ]
)


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _call(rng: random.Random, order: str) -> dict[str, object]:
    name = rng.choice(TOOLS)
    failed = rng.random() < 0.08
    return {
        "name": name,
        "arguments": {"order_id": order, "note": _text(rng, 4), "limit": rng.randint(1, 50)},
        "result": None
        if failed
        else {
            "status": "ok",
            "detail": _text(rng, 12),
            "items": [
                {"sku": f"SKU-{rng.randint(1000, 9999)}", "qty": rng.randint(1, 5)}
                for _ in range(3)
            ],
        },
        "error": "timeout contacting service" if failed else None,
    }


def run(rng: random.Random, index: int) -> dict[str, object]:
    order = str(rng.randint(1000, 99999))
    steps: list[dict[str, object]] = [
        {
            "thought": _text(rng, 8),
            "tool_calls": [_call(rng, order)],
            "observation": _text(rng, 10),
        }
        for _ in range(rng.randint(4, 39))
    ]
    succeeded = rng.random() < 0.85
    final = f"Refund of ${rng.randint(5, 200)}.50 issued for order {order}"
    steps.append(
        {"message": final if succeeded else "Sorry, I could not finish.", "is_final": True}
    )
    return {
        "run_id": f"r-{index:07d}",
        "task_id": f"task-{index // 3:06d}",
        "trial": index % 3,
        "cohort": {
            "segment": rng.choice(SEGMENTS),
            "variant": rng.choice(VARIANTS),
            "tool_surface": rng.choice(SURFACES),
        },
        "task": {
            "description": f"Refund order {order} after checking the policy",
            "expected_result": final,
            "success_criteria": ["refund issued", {"tool_called": "issue_refund"}],
            "required_tools": ["get_order", "issue_refund"],
            "available_tools": TOOLS,
            "expected_calls": [{"name": "issue_refund", "arguments": {"order_id": order}}],
            "optimal_steps": 4,
            "step_budget": 40,
        },
        "steps": steps,
        "final_result": steps[-1]["message"],
        "usage": {
            "input_tokens": 900 * len(steps),
            "output_tokens": 120 * len(steps),
            "cost_usd": round(0.0011 * len(steps), 6),
            "latency_ms": 700 * len(steps),
        },
    }


def write_dataset(path: Path, runs: int, seed: int = 7) -> Path:
    """Write ``runs`` records to ``path`` (kept when it already has the right size)."""
    if path.exists() and sum(1 for _ in path.open("rb")) == runs:
        return path
    rng = random.Random(seed)
    with path.open("wb") as handle:
        for index in range(runs):
            handle.write(orjson.dumps(run(rng, index)) + b"\n")
    return path
