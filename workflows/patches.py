"""The `workflow.patched` ids of the live workflows, one place for all of them.

A change to a live workflow that alters the commands an existing history of *this* release
would replay (an activity added, moved or made local, a timer, a search attribute upsert
that moves) goes behind `workflow.patched(ID)` with an id named here, and follows the
lifecycle:

1. patch: `if workflow.patched(ID): new else: old`; new runs record the marker, runs begun
   before take the old branch;
2. deprecate: once no run without the marker is open on this release's queue, the old
   branch goes and `workflow.deprecate_patch(ID)` stays, so histories with the marker
   replay;
3. remove: once no run with the marker is open either, the call goes too.

At the next release the live code is frozen as `workflows/legacy/release{n}/` with its
patches as they are, and the new live code starts with none: it runs only workflows its
own release started, on its own task queue (`runtime/generations.py`).

A redesign that changes the cycle gets a new workflow type instead (contract: "Identity
across releases").
"""

from __future__ import annotations

# id -> what it changed, and the step of its lifecycle. None in release 3 yet.
PATCHES: dict[str, str] = {}
