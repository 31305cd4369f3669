"""``flask --app assessment tokens``: personal access tokens from the command line."""

from __future__ import annotations

import click
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from assessment.api import tokens
from assessment.api.models import ApiToken
from assessment.auth.models import User
from assessment.auth.services import normalise_email
from assessment.exports.services import TABLES
from assessment.extensions import db
from assessment.places.models import Region


@click.group("tokens", help="Manage personal access tokens for the JSON API.")
def tokens_cli() -> None:
    pass


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.ClickException(_("No account with the email %(email)s.", email=email))
    return user


@tokens_cli.command("create")
@click.option("--email", required=True, help="Email of the account the token acts for.")
@click.option("--name", default="Command line", show_default=True,
              help="What the token is for, e.g. the script or computer that uses it.")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="How many days it works (default TOKEN_DAYS, at most TOKEN_MAX_DAYS).")
@click.option("--table", "tables", multiple=True, type=click.Choice(list(TABLES)),
              help="A table it may read; repeat for several (default: every table).")
@click.option("--region", "regions", multiple=True, metavar="NAME",
              help="A region it may read; repeat for several (default: every region the "
                   "account may see).")
def tokens_create(email: str, name: str, days: int | None, tables: tuple[str, ...],
                  regions: tuple[str, ...]) -> None:
    """Create a token and print it once, on standard output (store it safely)."""
    session = db.session
    region_ids = []
    for region in regions:
        found = session.scalar(select(Region.id).where(Region.name == region))
        if found is None:
            raise click.ClickException(_("No region is named %(name)s.", name=region))
        region_ids.append(found)
    try:
        new = tokens.create_token(
            session, _user(email), name, via="cli",
            days=days or int(current_app.config["TOKEN_DAYS"]),
            max_days=int(current_app.config["TOKEN_MAX_DAYS"]), tables=tables or None,
            region_ids=region_ids or None)
    except tokens.TokenError as problem:
        session.rollback()
        raise click.ClickException(str(problem)) from None
    session.commit()
    click.echo(_("Created token %(id)s (%(name)s) for %(email)s. It is shown only this once:",
                 id=new.token.id, name=new.token.name, email=email), err=True)
    click.echo(new.secret)


@tokens_cli.command("revoke")
@click.argument("token_ids", metavar="ID...", nargs=-1, type=int)
@click.option("--email", help="Revoke every active token of this account instead.")
def tokens_revoke(token_ids: tuple[int, ...], email: str | None) -> None:
    """Revoke tokens by id (see 'tokens list'), or all tokens of an account with --email."""
    session = db.session
    if email and token_ids:
        raise click.UsageError(_("Give token ids or --email, not both."))
    if email:
        chosen = tokens.active_tokens(session, _user(email))
    elif token_ids:
        chosen = list(session.scalars(select(ApiToken).where(ApiToken.id.in_(token_ids))))
        missing = sorted(set(token_ids) - {t.id for t in chosen})
        if missing:
            raise click.ClickException(_("No token with id %(ids)s.", ids=", ".join(map(str, missing))))
    else:
        raise click.UsageError(_("Give the ids of the tokens to revoke, or --email."))
    revoked = [t for t in chosen if tokens.revoke_token(session, t, via="cli")]
    session.commit()
    message = ngettext("Revoked %(num)d token.", "Revoked %(num)d tokens.", len(revoked))
    if len(revoked) < len(chosen):
        message += " " + _("%(count)s already revoked.", count=len(chosen) - len(revoked))
    click.echo(message)


@tokens_cli.command("list")
@click.option("--email", help="Only this account's tokens.")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked tokens.")
def tokens_list(email: str | None, include_revoked: bool) -> None:
    """One line per token: id, email, name, prefix, created, last used, expiry, status
    (tab-separated)."""
    session = db.session
    found = tokens.tokens_of(session, _user(email) if email else None,
                             include_revoked=include_revoked)
    emails = dict(session.execute(select(User.id, User.email)
                                  .where(User.id.in_({t.user_id for t in found}))).all())
    for token in found:
        status = ("revoked" if token.revoked_at else
                  "expired" if tokens.expired(token) else "active")
        last = token.last_used_at.strftime("%Y-%m-%d %H:%M") if token.last_used_at else "never"
        click.echo("\t".join([str(token.id), emails.get(token.user_id, "?"), token.name,
                              token.prefix + "…", token.created_at.strftime("%Y-%m-%d %H:%M"),
                              last, token.expires_at.strftime("%Y-%m-%d %H:%M"), status]))
    if not found:
        click.echo(_("No tokens."), err=True)
