"""The `b2b` command line: the dev stack and every endpoint of the HTTP API.

The API is found at B2B_API_URL (default http://localhost:$B2B_API_PORT) and called with
B2B_TOKEN, or else the admin token the dev stack wrote to $B2B_DATA_DIR/tokens.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import yaml

from runtime.config import Settings
from starter import upgrade_cli


def api_url() -> str:
    return os.environ.get("B2B_API_URL") or f"http://localhost:{Settings().api_port}"


def token() -> str:
    if os.environ.get("B2B_TOKEN"):
        return os.environ["B2B_TOKEN"]
    path = Settings().data_dir / "tokens.json"
    if path.exists():
        return str(json.loads(path.read_text())["admin"])
    raise SystemExit("no token: set B2B_TOKEN or start the dev stack (b2b up)")


def call(
    method: str,
    path: str,
    body: Any = None,
    *,
    ok: Callable[[Any], bool] | None = None,
    render: Callable[[Any], str] | None = None,
) -> int:
    """Call the API and print its JSON answer (or, on a terminal, what `render` makes of
    it); exit status 1 on an error answer (or when `ok` says the answer is not good, for
    checks that scripts act on)."""
    response = httpx.request(
        method,
        api_url() + path,
        json=body,
        timeout=60,
        headers={"Authorization": f"Bearer {token()}"},
    )
    try:
        answer = response.json()
    except ValueError:
        print(response.text)
        return 1
    readable = render is not None and response.is_success and sys.stdout.isatty()
    print(render(answer) if readable and render else json.dumps(answer, indent=2))
    if not response.is_success:
        return 1
    return 0 if ok is None or ok(answer) else 1


def read_document(path: str) -> Any:
    text = sys.stdin.read() if path == "-" else Path(path).read_text()
    return yaml.safe_load(text)  # YAML is a superset of JSON


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="b2b", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="run the dev stack until Ctrl-C")
    sub.add_parser("health", help="GET /health")

    setup = sub.add_parser("setup", help="master data").add_subparsers(dest="action", required=True)
    setup.add_parser("apply", help="PUT /setup from a YAML or JSON file").add_argument("file")
    check = setup.add_parser(
        "check", help="GET /setup/check: what each back-to-back item lacks (exit 1 if any)"
    )
    check.add_argument("--item")

    orders = sub.add_parser("orders", help="sales orders").add_subparsers(
        dest="action", required=True
    )
    orders.add_parser("book", help="POST /orders from a YAML or JSON file").add_argument("file")
    orders.add_parser(
        "book-order-hub",
        help="POST /orders/order-hub from an Order Hub sales-order payload (JSON or YAML)",
    ).add_argument("file")
    orders.add_parser("show", help="GET /orders/{n}").add_argument("order_number")
    orders.add_parser(
        "credit-retry",
        help="POST /orders/{n}/credit/retry: authorize an order on credit hold again",
    ).add_argument("order_number")
    revise = orders.add_parser("revise", help="POST /orders/{n}/revisions from a YAML or JSON file")
    revise.add_argument("order_number")
    revise.add_argument("file")
    cancel = orders.add_parser("cancel", help="POST /orders/{n}/cancel")
    cancel.add_argument("order_number")
    cancel.add_argument("--reason")

    lines = sub.add_parser("lines", help="order lines").add_subparsers(dest="action", required=True)
    show = lines.add_parser("show", help="GET /orders/{n}/lines/{l}")
    show.add_argument("order_number")
    show.add_argument("line_number", type=int)
    find = lines.add_parser("find", help="GET /lines (Temporal visibility)")
    for name in (
        "status",
        "customer-number",
        "item-number",
        "order-number",
        "supply-status",
        "supply-document",
        "supplier",
    ):
        find.add_argument(f"--{name}")
    lcancel = lines.add_parser("cancel", help="POST /orders/{n}/lines/{l}/cancel")
    lcancel.add_argument("order_number")
    lcancel.add_argument("line_number", type=int)
    lcancel.add_argument("--quantity")
    lcancel.add_argument("--reason")

    retry = lines.add_parser("retry", help="POST /orders/{n}/lines/{l}/retry")
    retry.add_argument("order_number")
    retry.add_argument("line_number", type=int)

    holds = sub.add_parser("hold", help="holds on orders and lines").add_subparsers(
        dest="action", required=True
    )
    apply = holds.add_parser("apply", help="POST /orders/{n}/holds")
    apply.add_argument("order_number")
    apply.add_argument("--code", required=True, help="a hold code of the setup")
    apply.add_argument("--line", type=int, help="one line; the whole order without it")
    apply.add_argument("--reason", required=True)
    release = holds.add_parser("release", help="POST /orders/{n}/holds/{hold_id}/release")
    release.add_argument("order_number")
    release.add_argument("hold_id")
    release.add_argument("--reason", required=True)

    po = sub.add_parser("po", help="purchase orders").add_subparsers(dest="action", required=True)
    po.add_parser("show", help="GET /purchase-orders/{po}").add_argument("po_number")
    po.add_parser("approve", help="POST /purchase-orders/{po}/approve").add_argument("po_number")
    ack = po.add_parser(
        "acknowledge",
        help="POST /purchase-orders/{po}/acknowledgments: the supplier's answer, one PO line"
        " from the options or many from --file",
    )
    ack.add_argument("po_number")
    ack.add_argument("--id", dest="acknowledgment_id", help="acknowledgment_id (applied once)")
    ack.add_argument("--file", help="the whole body as JSON or YAML (- for stdin)")
    ack.add_argument("--po-line", type=int, default=1)
    ack.add_argument("--action", dest="ack_action", choices=["ACCEPT", "CHANGE", "REJECT"])
    ack.add_argument("--quantity", help="CHANGE: what the PO line brings in all")
    ack.add_argument("--promised-date", help="YYYY-MM-DD")
    ack.add_argument("--reason")
    notice = po.add_parser(
        "ship-notice",
        help="POST /purchase-orders/{po}/ship-notices: a drop-ship supplier shipped to the"
        " customer",
    )
    notice.add_argument("po_number")
    notice.add_argument("--id", dest="ship_notice_id", required=True, help="counted once")
    notice.add_argument("--po-line", type=int, default=1)
    notice.add_argument("--quantity", required=True)
    notice.add_argument("--shipped-date", help="YYYY-MM-DD; the day it is sent without it")
    notice.add_argument("--tracking-number")
    review = sub.add_parser(
        "supply-review", help="GET /supply/review: supply left in place by cancels"
    )
    review.add_argument("--order")

    scan = sub.add_parser("scan", help="warehouse scans").add_subparsers(
        dest="action", required=True
    )
    receipt = scan.add_parser("receipt", help="POST /scans/receipts")
    receipt.add_argument("--scan-id", required=True)
    receipt.add_argument("--po")
    receipt.add_argument("--po-line", type=int, default=1)
    receipt.add_argument("--transfer-order")
    receipt.add_argument("--quantity", required=True)
    completion = scan.add_parser("completion", help="POST /scans/work-order-completions")
    completion.add_argument("--scan-id", required=True)
    completion.add_argument("--work-order", required=True)
    completion.add_argument("--quantity", required=True)
    for kind in ("pick", "ship"):
        s = scan.add_parser(kind, help=f"POST /scans/{'picks' if kind == 'pick' else 'shipments'}")
        s.add_argument("--scan-id", required=True)
        s.add_argument("--order", required=True)
        s.add_argument("--line", type=int, required=True)
        s.add_argument("--component", type=int, help="on a kit line: which component")
        s.add_argument("--quantity", required=True)
        s.add_argument("--backordered", default="0")
    wave = sub.add_parser("pick-wave", help="POST /pick-waves")
    wave.add_argument("--organization", required=True)
    wave.add_argument("--order")

    outbox = sub.add_parser(
        "outbox", help="what the relay parked (read from PostgreSQL at B2B_DATABASE_URL)"
    ).add_subparsers(dest="action", required=True)
    outbox.add_parser("parked", help="order starts and signals the relay gave up on")
    outbox.add_parser("retry", help="unpark an item: the relay tries it again").add_argument(
        "item_id", help="an id from `b2b outbox parked` (order:{n} or signal:{id})"
    )

    upgrade_cli.add_commands(sub)
    events = sub.add_parser("events", help="GET /events")
    events.add_argument("--after", type=int, default=0)
    events.add_argument("--limit", type=int, default=100)
    return p


def dispatch(args: argparse.Namespace) -> int:
    cmd, action = args.command, getattr(args, "action", None)
    if cmd == "up":
        from starter.devstack import run

        run()
        return 0
    if cmd == "health":
        return call("GET", "/health")
    if cmd in upgrade_cli.COMMANDS:
        return upgrade_cli.run(args, call)
    if cmd == "outbox":
        from starter import outbox_cli

        return outbox_cli.run(args.action, getattr(args, "item_id", None))
    if cmd == "setup":
        if action == "check":
            query = f"?item={args.item}" if args.item else ""
            return call("GET", "/setup/check" + query, ok=lambda body: body["ready"])
        return call("PUT", "/setup", read_document(args.file))
    if cmd == "orders":
        if action == "book":
            return call("POST", "/orders", read_document(args.file))
        if action == "book-order-hub":
            return call("POST", "/orders/order-hub", read_document(args.file))
        if action == "show":
            return call("GET", f"/orders/{args.order_number}")
        if action == "credit-retry":
            return call("POST", f"/orders/{args.order_number}/credit/retry")
        if action == "revise":
            return call("POST", f"/orders/{args.order_number}/revisions", read_document(args.file))
        return call("POST", f"/orders/{args.order_number}/cancel", {"reason": args.reason})
    if cmd == "lines":
        if action == "show":
            return call("GET", f"/orders/{args.order_number}/lines/{args.line_number}")
        if action == "find":
            params = {
                k: v
                for k, v in vars(args).items()
                if k
                in (
                    "status",
                    "customer_number",
                    "item_number",
                    "order_number",
                    "supply_status",
                    "supply_document",
                    "supplier",
                )
                and v
            }
            return call("GET", "/lines?" + str(httpx.QueryParams(params)))
        if action == "retry":
            return call("POST", f"/orders/{args.order_number}/lines/{args.line_number}/retry")
        body: dict[str, Any] = {"quantity": args.quantity, "reason": args.reason}
        return call(
            "POST",
            f"/orders/{args.order_number}/lines/{args.line_number}/cancel",
            {k: v for k, v in body.items() if v is not None},
        )
    if cmd == "hold":
        return hold(args)
    if cmd == "po":
        return purchase_order(args)
    if cmd == "scan":
        if action == "receipt":
            body = {"scan_id": args.scan_id, "quantity": args.quantity}
            if args.transfer_order:
                body["transfer_order_number"] = args.transfer_order
            else:
                body.update(po_number=args.po, po_line=args.po_line)
            return call("POST", "/scans/receipts", body)
        if action == "completion":
            return call(
                "POST",
                "/scans/work-order-completions",
                {
                    "scan_id": args.scan_id,
                    "work_order_number": args.work_order,
                    "quantity": args.quantity,
                },
            )
        field = "picked_quantity" if action == "pick" else "shipped_quantity"
        return call(
            "POST",
            "/scans/picks" if action == "pick" else "/scans/shipments",
            {
                "scan_id": args.scan_id,
                "order_number": args.order,
                "line_number": args.line,
                field: args.quantity,
                "backordered_quantity": args.backordered,
            }
            | ({"component": args.component} if args.component else {}),
        )
    if cmd == "supply-review":
        query = f"?{httpx.QueryParams({'order_number': args.order})}" if args.order else ""
        return call("GET", "/supply/review" + query)
    if cmd == "pick-wave":
        return call(
            "POST", "/pick-waves", {"organization": args.organization, "order_number": args.order}
        )
    return call("GET", f"/events?after={args.after}&limit={args.limit}")


def purchase_order(args: argparse.Namespace) -> int:
    if args.action == "show":
        return call("GET", f"/purchase-orders/{args.po_number}")
    if args.action == "approve":
        return call("POST", f"/purchase-orders/{args.po_number}/approve")
    if args.action == "ship-notice":
        notice = {
            "ship_notice_id": args.ship_notice_id,
            "po_line": args.po_line,
            "quantity": args.quantity,
            "shipped_date": args.shipped_date,
            "tracking_number": args.tracking_number,
        }
        body = {k: v for k, v in notice.items() if v is not None}
        return call("POST", f"/purchase-orders/{args.po_number}/ship-notices", body)
    if args.file:
        body = read_document(args.file)
    else:
        if not (args.acknowledgment_id and args.ack_action):
            raise SystemExit("give --id and --action (or the whole body with --file)")
        line = {
            "po_line": args.po_line,
            "action": args.ack_action,
            "quantity": args.quantity,
            "promised_date": args.promised_date,
            "reason": args.reason,
        }
        body = {
            "acknowledgment_id": args.acknowledgment_id,
            "lines": [{k: v for k, v in line.items() if v is not None}],
        }
    return call("POST", f"/purchase-orders/{args.po_number}/acknowledgments", body)


def hold(args: argparse.Namespace) -> int:
    if args.action == "apply":
        body = {"hold_code": args.code, "line_number": args.line, "reason": args.reason}
        return call("POST", f"/orders/{args.order_number}/holds", body)
    return call(
        "POST",
        f"/orders/{args.order_number}/holds/{args.hold_id}/release",
        {"reason": args.reason},
    )


def main(argv: list[str] | None = None) -> None:
    sys.exit(dispatch(parser().parse_args(argv)))


if __name__ == "__main__":
    main()
