"""The custom search attributes of the public contract."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

ORDER_NUMBER = SearchAttributeKey.for_keyword("OrderNumber")
CUSTOMER_NUMBER = SearchAttributeKey.for_keyword("CustomerNumber")
ITEM_NUMBER = SearchAttributeKey.for_keyword("ItemNumber")
LINE_STATUS = SearchAttributeKey.for_keyword("LineStatus")
SUPPLY_TYPE = SearchAttributeKey.for_keyword("SupplyType")
SUPPLY_STATUS = SearchAttributeKey.for_keyword("SupplyStatus")
WAREHOUSE = SearchAttributeKey.for_keyword("Warehouse")
# Beyond the contract's list: lets a person find the lines waiting on one supplier.
SUPPLIER = SearchAttributeKey.for_keyword("Supplier")
SUPPLY_DOCUMENTS = SearchAttributeKey.for_keyword_list("SupplyDocuments")
REQUESTED_SHIP_DATE = SearchAttributeKey.for_datetime("RequestedShipDate")
JEOPARDY = SearchAttributeKey.for_bool("Jeopardy")
# LOW, MEDIUM or HIGH while in jeopardy (lines that assess it from their documents' dates).
JEOPARDY_PRIORITY = SearchAttributeKey.for_keyword("JeopardyPriority")

ALL = (
    ORDER_NUMBER,
    CUSTOMER_NUMBER,
    ITEM_NUMBER,
    LINE_STATUS,
    SUPPLY_TYPE,
    SUPPLY_STATUS,
    WAREHOUSE,
    SUPPLIER,
    SUPPLY_DOCUMENTS,
    REQUESTED_SHIP_DATE,
    JEOPARDY,
    JEOPARDY_PRIORITY,
)


def cli_flags() -> list[str]:
    """`--search-attribute Name=Type` flags for `temporal server start-dev`."""
    type_names = {
        "KEYWORD": "Keyword",
        "KEYWORD_LIST": "KeywordList",
        "DATETIME": "Datetime",
        "BOOL": "Bool",
    }
    flags: list[str] = []
    for key in ALL:
        flags += ["--search-attribute", f"{key.name}={type_names[key.indexed_value_type.name]}"]
    return flags
