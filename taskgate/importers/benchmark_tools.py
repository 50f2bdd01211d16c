"""Which tools of τ-bench's and τ²-bench's domains change the database, and what that asks.

Both benchmarks fix each domain's tools and judge a run by the database it leaves (plus what
the agent must say), so a reference action that only reads is not a requirement: an agent
that looks things up another way and makes the same writes succeeds. The tables below are
facts read from the benchmarks' own source, by domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from taskgate.importers.common import unique

# The same in both benchmarks (checked in each, as the tables' docstrings say).
_AIRLINE = frozenset(
    {
        "book_reservation",
        "cancel_reservation",
        "send_certificate",
        "update_reservation_baggages",
        "update_reservation_flights",
        "update_reservation_passengers",
    }
)
_RETAIL = frozenset(
    {
        "cancel_pending_order",
        "exchange_delivered_order_items",
        "modify_pending_order_address",
        "modify_pending_order_items",
        "modify_pending_order_payment",
        "modify_user_address",
        "return_delivered_order_items",
    }
)
_TELECOM = frozenset(
    {
        "disable_roaming",
        "enable_roaming",
        "refuel_data",
        "resume_line",
        "send_payment_request",
        "suspend_line",
    }
)

TAU_BENCH_WRITES: Mapping[str, frozenset[str]] = MappingProxyType(
    {"airline": _AIRLINE, "retail": _RETAIL}
)
"""τ-bench (commit 59a200c): the tools in ``tau_bench/envs/<domain>/tools/`` whose ``invoke``
modifies ``data``."""

TAU2_WRITES: Mapping[str, frozenset[str]] = MappingProxyType(
    {"airline": _AIRLINE, "retail": _RETAIL, "telecom": _TELECOM}
)
"""τ²-bench (commit a2c0247): the agent's tools declared ``@is_tool(ToolType.WRITE)`` in
``src/tau2/domains/<domain>/tools.py`` (READ, GENERIC and THINK tools do not write; the
telecom user's device tools in ``user_tools.py`` are the user's, never the agent's)."""


def write_tools(table: Mapping[str, frozenset[str]], domain: str | None) -> list[str] | None:
    """The domain's write tools, sorted; None for a domain the table does not know."""
    names = table.get(domain or "")
    return None if names is None else sorted(names)


def reference_calls(
    calls: list[dict[str, Any]], writes: list[str] | None, by_end_state: bool
) -> list[dict[str, Any]]:
    """The reference actions as expected calls; a read is optional when the benchmark judges
    the end state and the domain's writes are known (else nothing tells a read apart)."""
    if not by_end_state or writes is None:
        return calls
    return [call if call["name"] in writes else {**call, "optional": True} for call in calls]


def required_tools(calls: list[dict[str, Any]]) -> list[str]:
    """The names of the calls a run must make, in first-seen order."""
    return unique([str(call["name"]) for call in calls if not call.get("optional")])
