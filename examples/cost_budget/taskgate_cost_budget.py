"""An example taskgate plugin: did a run stay within its cost budget?

Configured as

    evaluators:
      plugins:
        - name: cost_budget
          weight: 0.1                     # optional: its share of trajectory_score
          settings: {max_cost_usd: 0.05}

it scores 1 for a run that cost at most the budget, budget / cost for one that cost more
(twice the budget scores 0.5), and leaves runs that record no cost unjudged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__version__ = "1.0.0"


def cost_budget(run: Any, settings: Mapping[str, Any]) -> tuple[float | None, str]:
    budget = settings.get("max_cost_usd")
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or budget <= 0:
        raise ValueError(f"settings.max_cost_usd must be a positive number, got {budget!r}")
    cost = run.usage.cost_usd
    if cost is None:
        return None, "The run records no cost."
    if cost <= budget:
        return 1.0, f"${cost:.4f} is within the ${budget:.4f} budget."
    return budget / cost, f"${cost:.4f} is {cost / budget:.1f}x the ${budget:.4f} budget."
