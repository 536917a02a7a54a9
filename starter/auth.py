"""Bearer tokens with roles."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

ROLES = ("orders", "scanner", "buyer", "admin", "viewer")


def parse_tokens(spec: str) -> dict[str, set[str]]:
    """`role:token,role:token` -> {token: {roles}}; a token may carry several roles."""
    tokens: dict[str, set[str]] = {}
    for pair in filter(None, (p.strip() for p in spec.split(","))):
        role, sep, token = pair.partition(":")
        if not sep or not token or role not in ROLES:
            raise ValueError(
                f"B2B_API_TOKENS: {pair!r} is not role:token with a role of {', '.join(ROLES)}"
            )
        tokens.setdefault(token, set()).add(role)
    return tokens


def load_tokens(spec: str | None, file: Path | None) -> dict[str, set[str]]:
    """The tokens of `B2B_API_TOKENS` and of the file `B2B_API_TOKENS_FILE` names (a mounted
    secret: the same pairs, separated by commas or one per line; `#` starts a comment)."""
    specs = [spec or ""]
    if file is not None:
        lines = (line.partition("#")[0].strip() for line in file.read_text().splitlines())
        specs.append(",".join(filter(None, lines)))
    tokens: dict[str, set[str]] = {}
    for token, roles in parse_tokens(",".join(filter(None, specs))).items():
        tokens.setdefault(token, set()).update(roles)
    return tokens


def dev_tokens(data_dir: Path) -> str:
    """One token per role for the dev stack, kept in the data folder across restarts."""
    path = data_dir / "tokens.json"
    if path.exists():
        saved: dict[str, str] = json.loads(path.read_text())
    else:
        saved = {role: f"{role}-{secrets.token_urlsafe(18)}" for role in ROLES}
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(saved, indent=2) + "\n")
        path.chmod(0o600)
    return ",".join(f"{role}:{token}" for role, token in saved.items())
