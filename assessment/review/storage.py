"""Evidence documents: what a file is, read from its content, and where its bytes are kept.

A file's type comes from its first bytes (and, for the office formats that are ZIP archives,
from the parts the archive holds), never from its name or the type the browser sent. A name
that claims another type than the content shows is refused, so a file cannot pass for what it
is not. The bytes are kept by a ``DocumentStore``: in the database (the default, so every
instance and every backup has them) or in a folder.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from assessment.review.models import DocumentBlob

# What each accepted type is served as.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
}
# Names that mean the same type.
_SAME = {"jpeg": "jpg", "jpe": "jpg"}
# The parts that say which office document a ZIP archive is.
_OOXML_PARTS = (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"),
                ("ppt/presentation.xml", "pptx"))
_ODF_TYPES = {"application/vnd.oasis.opendocument.text": "odt",
              "application/vnd.oasis.opendocument.spreadsheet": "ods"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def extension_of(filename: str) -> str:
    """The type a file's name claims ("" when it has no extension)."""
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if "." not in name:
        return ""
    ext = name.rsplit(".", 1)[1].strip().lower()
    return _SAME.get(ext, ext)


def sniff(data: bytes, filename: str = "") -> str | None:
    """The type the content shows (a key of ``CONTENT_TYPES``), or None when it is none of them.

    The old binary Word and Excel formats share one container, so for those the name chooses
    between the two (and nothing else).
    """
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(_OLE):
        claimed = extension_of(filename)
        return claimed if claimed in ("doc", "xls") else None
    if data.startswith(b"PK\x03\x04"):
        return _office_archive(data)
    return None


def _office_archive(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            for part, kind in _OOXML_PARTS:
                if part in names:
                    return kind
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    declared = member.read(100).decode("ascii", "replace").strip()
                return _ODF_TYPES.get(declared)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


class DocumentRefused(ValueError):
    """A file that cannot be kept as evidence; the message says why, for the person uploading."""


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    kind: str
    content_type: str
    size: int
    sha256: str


def check_file(data: bytes, filename: str, *, allowed: tuple[str, ...], max_bytes: int) -> CheckedFile:
    """What ``data`` is, or ``DocumentRefused`` (empty, too large, a type not accepted, or a name
    that claims another type than the content)."""
    if not data:
        raise DocumentRefused(_("The file is empty."))
    if len(data) > max_bytes:
        raise DocumentRefused(_("The file is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024)))
    kind = sniff(data, filename)
    if kind is None or kind not in allowed:
        raise DocumentRefused(_("This file's content is not one of the accepted types (%(types)s).",
                                types=", ".join(allowed)))
    claimed = extension_of(filename)
    if claimed and claimed != kind:
        raise DocumentRefused(_("The file is named as %(claimed)s but its content is %(kind)s: rename "
                                "it or choose the right file.", claimed=claimed, kind=kind))
    return CheckedFile(safe_filename(filename, kind), kind, CONTENT_TYPES[kind], len(data),
                       hashlib.sha256(data).hexdigest())


def safe_filename(filename: str, kind: str) -> str:
    """The uploaded name without folders or control characters, ending with the real type."""
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '"<>|:*?').strip() or "document"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem[:200] or 'document'}.{kind}"


def new_key() -> str:
    return secrets.token_hex(16)


class DocumentStore(Protocol):
    """Where documents' bytes are kept, under a key the ``EvidenceDocument`` row holds."""

    name: str

    def put(self, session: Session, key: str, data: bytes) -> None: ...

    def get(self, session: Session, key: str) -> bytes | None: ...

    def remove(self, session: Session, key: str) -> None: ...


class DatabaseStore:
    """In the ``document_blobs`` table, in the caller's transaction."""

    name = "database"

    def put(self, session: Session, key: str, data: bytes) -> None:
        session.add(DocumentBlob(key=key, data=data))
        session.flush()

    def get(self, session: Session, key: str) -> bytes | None:
        return session.scalar(select(DocumentBlob.data).where(DocumentBlob.key == key))

    def remove(self, session: Session, key: str) -> None:
        session.execute(delete(DocumentBlob).where(DocumentBlob.key == key))


class FolderStore:
    """Files under one folder, by key (written before the row is committed: a failed request
    may leave a file no row names, never a row without its file)."""

    name = "folder"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError("A document key is letters and digits only.")
        return self.folder / key[:2] / key

    def put(self, session: Session, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)

    def get(self, session: Session, key: str) -> bytes | None:
        path = self._path(key)
        return path.read_bytes() if path.is_file() else None

    def remove(self, session: Session, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def store_named(name: str, folder: Path) -> DocumentStore:
    """The store called ``name`` ("database" or "folder")."""
    if name == "folder":
        return FolderStore(folder)
    return DatabaseStore()
