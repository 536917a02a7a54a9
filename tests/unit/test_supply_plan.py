from decimal import Decimal

from domain.supply_plan import PeggedDocument, quantities_to_keep


def document(number: str, quantity: int, *, canceled: int = 0, arrived: int = 0) -> PeggedDocument:
    return PeggedDocument(
        document_type="PURCHASE_ORDER",
        document_number=number,
        document_line=1,
        quantity=Decimal(quantity),
        canceled_quantity=Decimal(canceled),
        arrived_quantity=Decimal(arrived),
    )


def keep(needed: int, *documents: PeggedDocument) -> list[int]:
    plan = quantities_to_keep(Decimal(needed), list(documents))
    return [int(plan[d.key]) for d in documents]


def test_one_document_keeps_what_the_line_needs() -> None:
    assert keep(40, document("PO-1", 50)) == [40]
    assert keep(0, document("PO-1", 50)) == [0]


def test_never_below_what_arrived() -> None:
    assert keep(10, document("PO-1", 50, arrived=30)) == [30]


def test_a_canceled_quantity_is_not_reinstated() -> None:
    assert keep(50, document("PO-1", 50, canceled=20)) == [30]


def test_later_documents_are_reduced_first() -> None:
    assert keep(70, document("PO-1", 60), document("WO-2", 40)) == [60, 10]
    assert keep(50, document("PO-1", 60), document("WO-2", 40)) == [50, 0]


def test_what_arrived_on_a_later_document_counts_toward_the_need() -> None:
    # 30 completed on the work order stay; the PO gives up what they cover.
    assert keep(50, document("PO-1", 60), document("WO-2", 40, arrived=30)) == [20, 30]
