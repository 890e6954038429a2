"""The analysis' counts read from the tallies (``imrgraph.rdf.tallies``): one read, then Python.

Every count the ranking, the breakdowns and the report need is a sum over tallies: the items of
a guideline = the links to the guideline tallies of the chosen party, level, category and year.
``TallyCounts.of(store)`` reads the tallies once (two scans of the store, about a second per
100,000 letters) and answers every count from memory; it returns None when the store's tallies
are not current, and the callers then count from the citations directly (the same numbers,
slower). Each function of ``imrgraph.analysis`` that counts takes ``tallies=``: a
``TallyCounts`` to reuse, ``None`` to read them (or fall back), ``False`` to count directly
(what the tests compare against).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from imrgraph.rdf.tallies import Tally
from imrgraph.rdf.vocab import IMR

__all__ = ["TallyCounts", "resolve"]

_UPHELD = f"{IMR}Upheld"
_OVERTURNED = f"{IMR}Overturned"


class TallyCounts:
    """Every tally of a store with its count, and the sums the analysis asks for."""

    def __init__(self, counts: Iterable[tuple[Tally, int]]) -> None:
        self.by_kind: dict[str, list[tuple[Tally, int]]] = defaultdict(list)
        for tally, n in counts:
            self.by_kind[tally.kind].append((tally, n))

    @classmethod
    def of(cls, store: Any) -> TallyCounts | None:
        """The store's tallies, or None if they are not current (``imrgraph tally`` fixes it)."""
        from imrgraph.store.tallies import read_tallies, tallies_current

        if not tallies_current(store):
            return None
        rows = read_tallies(store)
        # Asked again: on a server, `imrgraph tally` may have dropped the descriptions between
        # the first ask and the reads (the counts would then miss them); counted directly then.
        if not tallies_current(store):
            return None
        return cls((row.tally, row.count) for row in rows)

    def _sum(
        self,
        kind: str,
        key: Callable[[Tally], Hashable],
        keep: Callable[[Tally], bool] = lambda t: True,
    ) -> dict[Hashable, list[int]]:
        """key -> [items, upheld, overturned] over the tallies of ``kind`` that ``keep`` accepts.

        Items whose outcome could not be read (imr:UnknownOutcome) count in ``items`` only.
        """
        out: dict[Hashable, list[int]] = {}
        for tally, n in self.by_kind.get(kind, ()):
            if not keep(tally):
                continue
            cell = out.setdefault(key(tally), [0, 0, 0])
            cell[0] += n
            if tally.outcome == _UPHELD:
                cell[1] += n
            elif tally.outcome == _OVERTURNED:
                cell[2] += n
        return out

    @staticmethod
    def _selected(category: str | None, year: int | None) -> Callable[[Tally], bool]:
        def keep(tally: Tally) -> bool:
            return (category is None or tally.category == category) and (
                year is None or tally.year == year
            )

        return keep

    def guideline_counts(
        self,
        party: str,
        level: str,
        category: str | None = None,
        year: int | None = None,
        by_category: bool = False,
    ) -> list[dict[str, Any]]:
        """Rows ``guideline`` (concept IRI), [``category``], ``items``, ``upheld``, ``overturned``.

        ``party``: the citing party's IRI; ``category``: a category concept IRI.
        """
        selected = self._selected(category, year)
        sums = self._sum(
            "guideline",
            (lambda t: (t.guideline, t.category)) if by_category else (lambda t: t.guideline),
            lambda t: t.party == party and t.level == level and selected(t),
        )
        rows = []
        for key, (items, upheld, overturned) in sums.items():
            counted = {"items": items, "upheld": upheld, "overturned": overturned}
            if by_category:
                guideline, cat = key  # type: ignore[misc]
                rows.append({"guideline": guideline, "category": cat, **counted})
            else:
                rows.append({"guideline": key, **counted})
        return rows

    def overall(self, category: str | None = None, year: int | None = None) -> tuple[int, int, int]:
        """(items, upheld, overturned) of every item in the selection."""
        sums = self._sum("item", lambda t: None, self._selected(category, year))
        items, upheld, overturned = sums.get(None, [0, 0, 0])
        return items, upheld, overturned

    def outcome_counts(
        self, dimension: str, category: str | None = None, year: int | None = None
    ) -> list[dict[str, Any]]:
        """Rows ``key``, ``items``, ``upheld``, ``overturned`` per category, specialty or year."""
        if dimension == "specialty":
            sums = self._sum("specialty", lambda t: t.specialty, self._selected(category, year))
        else:
            sums = self._sum(
                "item",
                (lambda t: t.category) if dimension == "category" else (lambda t: t.year),
                self._selected(category, year),
            )
        return [
            {"key": key, "items": n, "upheld": u, "overturned": o}
            for key, (n, u, o) in sums.items()
        ]

    def reason_counts(
        self,
        category: str | None = None,
        year: int | None = None,
        outcome: str | None = None,
        by_category: bool = False,
    ) -> list[dict[str, Any]]:
        """Rows ``reason`` (concept IRI), [``category``], ``items``, ``upheld``, ``overturned``:
        items stating each reason. ``outcome``: an outcome IRI to keep only those items."""
        selected = self._selected(category, year)
        sums = self._sum(
            "reason",
            (lambda t: (t.reason, t.category)) if by_category else (lambda t: t.reason),
            lambda t: selected(t) and (outcome is None or t.outcome == outcome),
        )
        rows = []
        for key, (items, upheld, overturned) in sums.items():
            row = {"reason": key, "items": items, "upheld": upheld, "overturned": overturned}
            if by_category:
                row["reason"], row["category"] = key  # type: ignore[misc]
            rows.append(row)
        return rows

    def letters(self) -> tuple[int, int]:
        """(current letters, of which with parser warnings)."""
        total = warned = 0
        for tally, n in self.by_kind.get("letter", ()):
            total += n
            if tally.warned:
                warned += n
        return total, warned


def resolve(store: Any, tallies: TallyCounts | bool | None) -> TallyCounts | None:
    """The tallies to count with: given ones, the store's (None = read), or none (False)."""
    if tallies is False:
        return None
    if isinstance(tallies, TallyCounts):
        return tallies
    return TallyCounts.of(store)
