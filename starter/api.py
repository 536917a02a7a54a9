"""The HTTP API (`python -m starter.api`); the application lives in `starter.http`."""

from starter.http.app import create_app, main
from starter.http.context import AppContext

__all__ = ["AppContext", "create_app", "main"]

if __name__ == "__main__":
    main()
