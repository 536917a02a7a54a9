"""Sales orders: booking, credit, holds, revisions, cancellations, requested ship dates, and
the order that starts its lines from their rows."""
