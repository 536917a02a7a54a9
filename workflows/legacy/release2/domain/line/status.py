"""A line's status: one pure function of its ledger (quantities and phase).

Precedence, first match wins:

1. nothing open → ``CANCELED``;
2. phase ``MANUAL`` → ``MANUAL_ACTION_REQUIRED``; ``CLOSED`` → ``CLOSED``;
   ``BILLING`` → ``AWAITING_BILLING``;
3. all open shipped → ``SHIPPED``;
4. phase ``BOOKED`` (no supply yet) → ``BOOKED``;
5. then the step of the least advanced open quantity: some not on hand →
   ``AWAITING_SUPPLY`` (back-to-back) or ``BACKORDERED`` (shipped from stock); some on hand
   and not released → ``AWAITING_SHIPPING``; some released and not picked →
   ``PICK_RELEASED``; else ``STAGED``. A line with 6 shipped and 4 awaiting supply is
   ``AWAITING_SUPPLY``.
"""

from __future__ import annotations

from workflows.legacy.release2.domain.line.ledger import Ledger, Phase
from workflows.legacy.release2.domain.statuses import LineStatus

_PHASE_STATUS = {
    Phase.MANUAL: LineStatus.MANUAL_ACTION_REQUIRED,
    Phase.CLOSED: LineStatus.CLOSED,
    Phase.BILLING: LineStatus.AWAITING_BILLING,
}


def line_status(ledger: Ledger) -> LineStatus:
    q = ledger
    if q.open <= 0:
        return LineStatus.CANCELED
    if q.phase in _PHASE_STATUS:
        return _PHASE_STATUS[q.phase]
    if q.shipped >= q.open:
        return LineStatus.SHIPPED
    if q.phase is Phase.BOOKED:
        return LineStatus.BOOKED
    if q.to_supply > 0:
        return LineStatus.AWAITING_SUPPLY if q.back_to_back else LineStatus.BACKORDERED
    if q.releasable > 0:
        return LineStatus.AWAITING_SHIPPING
    if q.in_pick > 0:
        return LineStatus.PICK_RELEASED
    return LineStatus.STAGED
