"""Are the facts a final result states backed by what the run saw (SPEC §3, grounding)?

A stated fact is *found* when it appears, in some spelling, in the tool results, tool errors,
observations, the user's messages, the task's description or the messages the run was given
(a system prompt): never the agent's own words, thoughts or call arguments, which are what is
being checked. A number may also be found as the last digits of a longer one ("the card
ending in 1784").

A number that is not found may have been worked out from numbers the run saw: the sum of two
or three of them, the difference or the product of two (a total, a refund less a fee, a price
times a quantity), a number derived before it in the result among them. Whether that says
anything depends on chance: among a run's hundred whole numbers, some two add up to most whole
numbers, while a total in cents rarely comes out by accident. So the values next to it, at its
own precision (61.49 and 61.51 beside 61.50, 326 and 328 beside 327), are tried as well:

- *derived*: it can be worked out and few of its neighbours can; it counts as backed;
- *unverified*: it can be worked out, but so can most of its neighbours; it is not backed, and
  not called invented either, since the run's numbers may well make it;
- *ungrounded*: found nowhere and made by no such sum: invented, as far as the run shows.

A run that does not record what it was asked (no user message, no task description) may have
been told any id or date in the request: what it does not find is then *unverified*, never
called invented.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from taskgate.scoring.stated_facts import Fact, Seen, stated_facts

NEIGHBOURS = 10
"""Values each side of a number, at its precision, tried to see how often chance makes them."""
CHANCE = 0.1
"""A derivation counts when at most this share of the neighbours can be made as well."""
MAX_OPERANDS = 2000
"""Derivations are looked for among at most this many numbers, and sums of three among at
most MAX_PAIRS (the sums of two they need are quadratic in number)."""
MAX_PAIRS = 100


@dataclass(frozen=True)
class Grounding:
    """The facts a result states, sorted by whether the run saw them."""

    found: tuple[str, ...] = ()
    derived: tuple[tuple[str, str], ...] = ()
    """(fact, how it is made: "41.5 + 20")."""
    unverified: tuple[str, ...] = ()
    ungrounded: tuple[str, ...] = ()

    @property
    def stated(self) -> int:
        return len(self.found) + len(self.derived) + len(self.unverified) + len(self.ungrounded)

    @property
    def backed(self) -> int:
        return len(self.found) + len(self.derived)

    @property
    def share(self) -> float | None:
        """The share of stated facts backed (found or derived); None when none is stated."""
        return self.backed / self.stated if self.stated else None


def ground(result: str, seen: Iterable[str], asked: bool = True) -> Grounding:
    """The facts ``result`` states, against the texts the run saw (read only when the result
    states a fact); ``asked``: the texts include what the run was asked."""
    facts = stated_facts(result)
    if not facts:
        return Grounding()
    what = Seen(seen)
    sums: _Sums | None = None  # made when a fact is not found as it is stated
    found: list[str] = []
    derived: list[tuple[str, str]] = []
    unverified: list[str] = []
    ungrounded: list[str] = []
    for fact in facts:
        if what.holds(fact):
            found.append(fact.text)
            continue
        sums = sums or _Sums(what.spellings)
        made = _derivation(fact, sums)
        if made is None:
            (ungrounded if asked else unverified).append(fact.text)
        elif made[1]:
            derived.append((fact.text, made[0]))
            sums.learn(fact)  # a total less a fee: each step of the arithmetic is checked
        else:
            unverified.append(fact.text)
    return Grounding(tuple(found), tuple(derived), tuple(unverified), tuple(ungrounded))


def _derivation(fact: Fact, sums: _Sums) -> tuple[str, bool] | None:
    """How numbers seen make the fact's number, and whether that is unlikely by chance;
    None when they cannot."""
    if fact.kind != "number" or fact.percent:
        return None
    for target in fact.values:
        if not isinstance(target, Decimal) or not (how := sums.make(target)):
            continue
        step = Decimal(1).scaleb(min(0, int(target.as_tuple().exponent)))
        allowed = CHANCE * 2 * NEIGHBOURS
        chance = 0
        for k in range(-NEIGHBOURS, NEIGHBOURS + 1):
            value = target + k * step
            if k and value > 0 and sums.make(value):
                chance += 1
                if chance > allowed:  # enough to tell: chance makes most values here
                    return how, False
        return how, True
    return None


class _Sums:
    """The numbers a run saw, held as whole numbers of their finest unit (a cent, say) so
    that sums are integer arithmetic, and the sums of two of them, made when first needed."""

    __slots__ = ("_pairs", "operands", "places", "spellings", "unit", "whole")
    _pairs: set[int] | None
    """The sums of two operands; None until first needed, and again after ``learn``."""

    def __init__(self, spellings: Iterable[str]) -> None:
        self.spellings: set[str] = set()
        self._add(spellings)

    def _add(self, spellings: Iterable[str]) -> None:
        """Read from the digits as written (``"1234.50"``): far faster than by value."""
        self.spellings.update(spellings)
        parts = [
            (whole, fraction.rstrip("0"))
            for whole, _, fraction in (digits.partition(".") for digits in self.spellings)
        ]
        if len(parts) > MAX_OPERANDS:
            parts = []
        self.places = max((len(fraction) for _, fraction in parts), default=0)
        self.unit = Decimal(1).scaleb(-self.places)
        self.whole = {int(whole + fraction.ljust(self.places, "0")) for whole, fraction in parts}
        self.operands = sorted(self.whole)
        self._pairs = None

    def learn(self, fact: Fact) -> None:
        """A number derived from the ones seen may be an operand of the next."""
        if self.operands:
            self._add(_shown(v) for v in fact.values if isinstance(v, Decimal) and v >= 0)

    @property
    def pairs(self) -> set[int]:
        if self._pairs is None:
            ops = self.operands
            too_many = len(ops) > MAX_PAIRS
            self._pairs = set() if too_many else {a + b for i, a in enumerate(ops) for b in ops[i:]}
        return self._pairs

    def make(self, target: Decimal) -> str | None:
        """``a + b``, ``a - b``, ``a * b`` or ``a + b + c`` of numbers seen that is ``target``."""
        scaled = target.scaleb(self.places)
        if scaled != scaled.to_integral_value():
            return self._product(target)
        t = int(scaled)
        whole = self.whole
        for a in self.operands:
            if t - a in whole and t - a >= a:
                return self._shown(a, t - a, sign="+")
            if t + a in whole:
                return self._shown(t + a, a, sign="-")
        product = self._product(target)
        if product is not None:
            return product
        pairs = self.pairs
        for a in self.operands if pairs else ():
            if t - a in pairs:
                rest = t - a
                b = next(b for b in self.operands if rest - b in whole and rest - b >= b)
                return self._shown(b, rest - b, a, sign="+")
        return None

    def _product(self, target: Decimal) -> str | None:
        """``a * b``: in units squared, the product of two whole numbers of units."""
        scaled = target.scaleb(2 * self.places)
        if scaled != scaled.to_integral_value():
            return None
        t = int(scaled)
        one = 10**self.places
        for a in self.operands:
            if a > one and t % a == 0 and (b := t // a) in self.whole and b >= a:
                return self._shown(a, b, sign="*")
        return None

    def _shown(self, *operands: int, sign: str) -> str:
        return f" {sign} ".join(_shown(Decimal(n) * self.unit) for n in operands)


def _shown(value: Decimal) -> str:
    return format(value.normalize(), "f")
