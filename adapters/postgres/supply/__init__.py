"""Supply documents pegged to lines: supply orders, requisitions and purchase orders, work
orders, transfer orders; suppliers' acknowledgments, shortfalls and drop-ship notices."""
