"""Backup and restore of the whole database.

SQLite is copied with its online backup API, so a backup taken while the app runs is
consistent; PostgreSQL goes through ``pg_dump --format=custom`` and ``pg_restore``. The
functions take a database URL and paths and need no app: ``assessment.cli`` wraps them in the
``backup`` and ``restore`` commands.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404 # runs pg_dump and pg_restore, found on PATH, never through a shell
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlencode

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask_babel import gettext as _
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from assessment.config import PROJECT_ROOT
from assessment.models import Base

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# How long a restore waits for the app to finish a write to the SQLite file.
SQLITE_WAIT_SECONDS = 30.0
# The tables whose rows a summary counts, in the order it reports them.
COUNTED_TABLES = ("assessments", "answers", "audit_events")


class BackupError(Exception):
    """A backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Contents:
    assessments: int
    answers: int
    audit_events: int


@dataclass(frozen=True)
class Summary:
    """What a backup wrote or a restore read: the file, its size and what the data hold."""

    path: Path
    size: int
    revisions: tuple[str, ...]  # the schema revision(s) of the data
    heads: tuple[str, ...]  # the revision(s) this version of the app migrates to
    contents: Contents

    @property
    def behind(self) -> bool:
        """Whether the data are of an older schema than the app's (``flask db upgrade`` needed)."""
        return set(self.revisions) != set(self.heads)


def backup(database_url: str, path: Path, *, migrations: Path = MIGRATIONS_DIR) -> Summary:
    """Copy the whole database to ``path``, replacing it only once the copy is complete."""
    url = _parse(database_url)
    if _backend(url) == "sqlite":
        revisions, contents = _backup_sqlite(_sqlite_file(url), path)
    else:
        revisions, contents = _backup_postgres(url, path)
    return Summary(path, path.stat().st_size, revisions, _heads(migrations), contents)


def read_backup(database_url: str, path: Path, *, migrations: Path = MIGRATIONS_DIR) -> tuple[str, ...]:
    """The schema revision(s) of the backup at ``path``, once it is known to be a backup of this
    app, for this kind of database, of a schema this version of the app knows. Changes nothing."""
    url = _parse(database_url)
    if _backend(url) == "sqlite":
        if _sqlite_file(url).resolve() == path.resolve():
            raise BackupError(_("%(path)s is the database itself.", path=path))
        revisions = _sqlite_backup_revisions(path)
    else:
        revisions = _postgres_backup_revisions(path)[0]
    _check_known(revisions, path, migrations)
    return revisions


def restore(database_url: str, path: Path, *, migrations: Path = MIGRATIONS_DIR) -> Summary:
    """Replace every row of the database with the backup at ``path`` (checked first, as
    ``read_backup`` does: a file that is not a usable backup changes nothing)."""
    revisions = read_backup(database_url, path, migrations=migrations)
    url = _parse(database_url)
    if _backend(url) == "sqlite":
        contents = _restore_sqlite(path, _sqlite_file(url))
    else:
        contents = _restore_postgres(path, url)
    return Summary(path, path.stat().st_size, revisions, _heads(migrations), contents)


def describe_database(database_url: str) -> str:
    """The database as an operator knows it: the SQLite file, or the URL without its password."""
    url = _parse(database_url)
    if _backend(url) == "sqlite":
        return str(_sqlite_file(url))
    return url.render_as_string(hide_password=True)


# --- shared ---------------------------------------------------------------------------


def _parse(database_url: str) -> URL:
    try:
        return make_url(database_url)
    except ArgumentError:
        raise BackupError(_("DATABASE_URL is not a database URL.")) from None


def _backend(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise BackupError(_("Backups are made of SQLite and PostgreSQL databases, not %(backend)s.",
                            backend=backend))
    return backend


def _heads(migrations: Path) -> tuple[str, ...]:
    return tuple(ScriptDirectory(str(migrations)).get_heads())


def _check_known(revisions: tuple[str, ...], path: Path, migrations: Path) -> None:
    script = ScriptDirectory(str(migrations))
    for revision in revisions:
        try:
            script.get_revision(revision)
        except CommandError:
            raise BackupError(_(
                "%(path)s was made by a newer version of the app (its schema revision %(revision)s "
                "is unknown here): install that version first.", path=path, revision=revision)) from None


def _contents(scalar: Callable[[str], Any]) -> Contents:
    # Table names from a fixed list, never from input.
    counts = [int(scalar(f"SELECT count(*) FROM {table}")) for table in COUNTED_TABLES]  # nosec B608
    return Contents(*counts)


def _starts_with(path: Path, magic: bytes) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(len(magic)) == magic
    except OSError as error:
        raise BackupError(_("Cannot read %(path)s: %(error)s", path=path,
                            error=error.strerror or error)) from None


@contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A new empty file next to ``target`` (readable by its owner only: a backup holds password
    hashes), moved over ``target`` if the block succeeds and removed if it fails."""
    directory = target.parent
    if not directory.is_dir():
        raise BackupError(_("The directory %(directory)s does not exist: create it, or choose "
                            "another file.", directory=directory))
    if target.is_dir():
        raise BackupError(_("%(path)s is a directory; give a file name.", path=target))
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=directory)
    except OSError as error:
        raise BackupError(_("Cannot write in %(directory)s: %(error)s", directory=directory,
                            error=error.strerror or error)) from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# --- SQLite ---------------------------------------------------------------------------


def _sqlite_file(url: URL) -> Path:
    database = url.database or ""
    if database in {"", ":memory:"} or url.query:
        raise BackupError(_("Only an SQLite database in a file (sqlite:///path/to/file.db) can be "
                            "backed up or restored."))
    return Path(database)


def _open_sqlite(path: Path, mode: str) -> sqlite3.Connection:
    """Open an existing database file (``mode`` "ro" or "rw"); never creates one."""
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True,
                               timeout=SQLITE_WAIT_SECONDS)
    except sqlite3.Error as error:
        raise BackupError(_("Cannot open %(path)s: %(error)s", path=path, error=error)) from None


def _sqlite_revisions(connection: sqlite3.Connection) -> tuple[str, ...]:
    """The alembic revision(s) in the database; empty if it has no alembic_version table."""
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone()
    if found is None:
        return ()
    return tuple(row[0] for row in connection.execute("SELECT version_num FROM alembic_version"))


def _sqlite_scalar(connection: sqlite3.Connection) -> Callable[[str], Any]:
    return lambda sql: connection.execute(sql).fetchone()[0]


def _backup_sqlite(source: Path, target: Path) -> tuple[tuple[str, ...], Contents]:
    if not source.is_file():
        raise BackupError(_("The database file %(path)s does not exist.", path=source))
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError(_("%(path)s is the database itself.", path=target))
    with _replacing(target) as temporary:
        try:
            with closing(_open_sqlite(source, "rw")) as origin, \
                    closing(sqlite3.connect(temporary)) as copy:
                # A consistent snapshot of the file, WAL included, whatever the app writes meanwhile.
                origin.backup(copy)
                # One self-contained file: no -wal or -shm beside it.
                copy.execute("PRAGMA journal_mode=DELETE")
                revisions = _sqlite_revisions(copy)
                if not revisions:
                    raise BackupError(_(
                        "%(path)s is not a database of this app yet (it has no alembic_version "
                        "table): run flask --app assessment db upgrade first.", path=source))
                contents = _contents(_sqlite_scalar(copy))
        except sqlite3.Error as error:
            raise BackupError(_("Cannot back up %(path)s: %(error)s", path=source, error=error)) from None
    return revisions, contents


def _sqlite_backup_revisions(path: Path) -> tuple[str, ...]:
    if not _starts_with(path, SQLITE_MAGIC):
        raise BackupError(_("%(path)s is not a backup of this app: it is not an SQLite database.",
                            path=path))
    try:
        with closing(_open_sqlite(path, "ro")) as connection:
            revisions = _sqlite_revisions(connection)
    except sqlite3.Error as error:
        raise BackupError(_("Cannot read %(path)s: %(error)s", path=path, error=error)) from None
    if not revisions:
        raise BackupError(_("%(path)s is not a backup of this app: it has no alembic_version table.",
                            path=path))
    return revisions


def _restore_sqlite(path: Path, target: Path) -> Contents:
    if not target.parent.is_dir():
        raise BackupError(_("The directory %(directory)s of the database does not exist.",
                            directory=target.parent))
    try:
        with closing(_open_sqlite(path, "ro")) as origin, \
                closing(sqlite3.connect(target, timeout=SQLITE_WAIT_SECONDS)) as database:
            # Through SQLite, not a file copy: connections the app holds see the new data, and
            # the -wal file beside the database stays in step with it.
            origin.backup(database)
            database.execute("PRAGMA journal_mode=WAL")  # as the app runs it
            return _contents(_sqlite_scalar(database))
    except sqlite3.Error as error:
        raise BackupError(_("Cannot restore into %(path)s: %(error)s", path=target,
                            error=error)) from None


# --- PostgreSQL -----------------------------------------------------------------------


def _libpq(url: URL) -> tuple[str, str | None]:
    """The libpq connection URI for ``url`` (``postgresql+psycopg://...`` is SQLAlchemy's), and
    the password apart: it goes to the programs in their environment, never on a command line."""
    netloc = quote(url.username, safe="") + "@" if url.username else ""
    host = url.host or ""
    netloc += f"[{host}]" if ":" in host else host
    if url.port:
        netloc += f":{url.port}"
    # What SQLAlchemy passes on to psycopg are libpq parameters (sslmode, host=/socket/dir...).
    query = urlencode([(key, value) for key, values in url.query.items()
                       for value in (values if isinstance(values, tuple) else (values,))])
    uri = f"postgresql://{netloc}/{quote(url.database or '', safe='')}"
    return (f"{uri}?{query}" if query else uri), url.password


def _run(program: str, args: list[str], *, password: str | None = None,
         stdout: IO[bytes] | None = None) -> bytes:
    """Run a PostgreSQL client program; its output, or a BackupError with its error output."""
    binary = shutil.which(program)
    if binary is None:
        raise BackupError(_(
            "%(program)s was not found on the PATH. Install the PostgreSQL client programs, of "
            "the server's major version or newer (on Debian or Ubuntu: apt-get install "
            "postgresql-client), or add their directory to PATH.", program=program))
    # The programs inherit the environment (PATH, locale, PGSSLROOTCERT...) and get the password.
    environment = None if password is None else {**os.environ, "PGPASSWORD": password}
    try:
        done = subprocess.run(  # nosec B603 # an absolute path and a list of arguments, no shell
            [binary, "--no-password", *args], stdout=stdout or subprocess.PIPE,
            stderr=subprocess.PIPE, env=environment, check=False)
    except OSError as error:
        raise BackupError(_("Cannot run %(program)s: %(error)s", program=binary,
                            error=error.strerror or error)) from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip() or _("no message")
        raise BackupError(_("%(program)s failed (exit status %(status)s): %(message)s",
                            program=program, status=done.returncode, message=message))
    return done.stdout or b""


def _postgres_engine(url: URL) -> Any:
    return create_engine(url, poolclass=NullPool, hide_parameters=True)


def _postgres_revisions(connection: Connection) -> tuple[str, ...]:
    if connection.scalar(text("SELECT to_regclass('alembic_version')")) is None:
        return ()
    return tuple(connection.scalars(text("SELECT version_num FROM alembic_version")))


def _database_error(url: URL, error: SQLAlchemyError) -> BackupError:
    detail = str(getattr(error, "orig", None) or error).strip()
    return BackupError(_("Database %(database)s: %(error)s",
                         database=url.render_as_string(hide_password=True), error=detail))


def _backup_postgres(url: URL, target: Path) -> tuple[tuple[str, ...], Contents]:
    uri, password = _libpq(url)
    engine = _postgres_engine(url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                # pg_dump reads the snapshot this transaction sees, so the counts reported are
                # those of the archive, whatever the app writes meanwhile.
                snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
                revisions = _postgres_revisions(connection)
                if not revisions:
                    raise BackupError(_(
                        "%(database)s is not a database of this app yet (it has no "
                        "alembic_version table): run flask --app assessment db upgrade first.",
                        database=url.render_as_string(hide_password=True)))
                contents = _contents(lambda sql: connection.scalar(text(sql)))
                with _replacing(target) as temporary, temporary.open("wb") as file:
                    _run("pg_dump", ["--format=custom", f"--snapshot={snapshot}", f"--dbname={uri}"],
                         password=password, stdout=file)
    except SQLAlchemyError as error:
        raise _database_error(url, error) from None
    finally:
        engine.dispose()
    return revisions, contents


# One line of `pg_restore --list`: "215; 1259 16390 TABLE public alembic_version owner".
_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(\S+) (\S+)", re.MULTILINE)
_COPY_REVISIONS = re.compile(r"^COPY \S*alembic_version \(version_num\) FROM stdin;\n(.*?)^\\\.$",
                             re.MULTILINE | re.DOTALL)


def _postgres_backup_revisions(path: Path) -> tuple[tuple[str, ...], set[str]]:
    """The revision(s) in a pg_dump archive and the tables it holds (read without a database)."""
    if not _starts_with(path, PG_DUMP_MAGIC):
        raise BackupError(_("%(path)s is not a backup of this app: it is not a pg_dump archive "
                            "(custom format).", path=path))
    toc = _run("pg_restore", ["--list", str(path)]).decode(errors="replace")
    tables = {name for _schema, name in _TOC_TABLE.findall(toc)}
    if "alembic_version" not in tables:
        raise BackupError(_("%(path)s is not a backup of this app: it has no alembic_version table.",
                            path=path))
    script = _run("pg_restore", ["--data-only", "--table=alembic_version", "--file=-", str(path)])
    found = _COPY_REVISIONS.search(script.decode(errors="replace"))
    revisions = tuple(found.group(1).split()) if found else ()
    if not revisions:
        raise BackupError(_("%(path)s is not a backup of this app: its alembic_version table is empty.",
                            path=path))
    return revisions, tables


def _restore_postgres(path: Path, url: URL) -> Contents:
    uri, password = _libpq(url)
    in_backup = _postgres_backup_revisions(path)[1]
    engine = _postgres_engine(url)
    try:
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
        # The app's tables go first, with whatever a newer schema than the backup's added to them
        # (tables, columns and foreign keys that would stop the backup's tables from being
        # replaced; `flask db upgrade` creates them again); tables that are not the app's are
        # left alone. Then the backup, all in one transaction: a restore that fails leaves the
        # database as it was.
        replaced = sorted(present & (set(Base.metadata.tables) | in_backup | {"alembic_version"}))
        quote_name = engine.dialect.identifier_preparer.quote
        drops = "".join(f"DROP TABLE IF EXISTS {quote_name(table)} CASCADE;\n" for table in replaced)
        with tempfile.TemporaryDirectory() as folder:
            script = Path(folder) / "restore.sql"
            script.write_text(drops, encoding="utf-8")
            with script.open("ab") as out:
                _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--file=-", str(path)],
                     stdout=out)
            _run("psql", ["--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
                          f"--dbname={uri}", f"--file={script}"], password=password)
        with engine.begin() as connection:
            return _contents(lambda sql: connection.scalar(text(sql)))
    except SQLAlchemyError as error:
        raise _database_error(url, error) from None
    finally:
        engine.dispose()
