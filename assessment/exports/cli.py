from __future__ import annotations

import click


@click.command("export")
def export_command() -> None:
    """Export response tables."""
    raise click.ClickException("Not available yet.")
