from __future__ import annotations

import click


@click.group("tokens", help="Manage personal access tokens for the JSON API.")
def tokens_cli() -> None:
    pass
