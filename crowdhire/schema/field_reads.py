"""Which stored fields a selection reads, so that an object can be fetched without the rest.

A submission's candidate on a pipeline page shows a name and some skills; the stored candidate
is 950 bytes of contact details, consent history and profile text, and decoding them was most
of what reading 500 candidates cost. A type declares, for the GraphQL fields whose only input
is a few stored fields, which ones those are; `unread` is then what a selection leaves out.

Whatever the declaration does not name keeps the read whole: a selected field missing from it
(a resolver that takes the whole document: ranking, contact checks, files) means nothing is
left out, and only the declared `omittable` fields are ever left out (never what access rules
or cache tags read). A field that was left out holds `NotLoaded`, which raises on use
(crowdhire.models.trusted), so a wrong declaration fails loudly; tests/test_compiled_execution.py
compares every answer with whole reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_KNOWN = 1024


@dataclass(frozen=True)
class FieldReads:
    """The stored fields each GraphQL field of one type reads (see module doc)."""

    reads: Mapping[str, tuple[str, ...]]
    """GraphQL field name → the stored fields it reads; only fields that read nothing else."""
    omittable: frozenset[str]
    """Stored fields a read may leave out: no access rule reads them (the loader refuses
    required fields and those cache tags read)."""

    _known: dict[frozenset[str], frozenset[str]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Answers so far: a page asks 500 times for the same selection."""

    def unread(self, selected: frozenset[str]) -> frozenset[str]:
        """The omittable stored fields none of the `selected` GraphQL fields reads; nothing
        when one of them is not declared."""
        known = self._known.get(selected)
        if known is None:
            if len(self._known) >= MAX_KNOWN:  # selections clients vary: keep it bounded
                self._known.clear()
            known = self._known[selected] = self._work_out(selected)
        return known

    def _work_out(self, selected: frozenset[str]) -> frozenset[str]:
        needed: set[str] = set()
        for name in selected:
            fields = self.reads.get(name)
            if fields is None:
                return frozenset()
            needed.update(fields)
        return self.omittable - needed
