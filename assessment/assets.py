"""Static files: fingerprinted URLs, and precompressed siblings for the large ones.

A content hash in the URL lets browsers cache files for a year. A file with a ``.gz``
sibling (the plotly.js bundle, built by ``frontend/build-plotly.mjs``) is sent as that
sibling, gzip-encoded, to browsers that accept gzip: compressing 1.2 MB on every request
would cost CPU, and Flask-Compress leaves streamed files alone anyway. The app's own small
text files (CSS, JavaScript, SVG) are compressed once per process and kept in memory.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from functools import cache
from pathlib import Path

from flask import Flask, Response, current_app, request, send_from_directory, url_for
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600
GZIP_SUFFIX = ".gz"
# Text files worth compressing in memory; anything larger should ship a .gz sibling.
COMPRESSIBLE_TYPES = frozenset({"text/css", "text/javascript", "application/javascript",
                                "image/svg+xml", "application/json"})
MIN_COMPRESS_BYTES = 500
MAX_MEMORY_COMPRESS_BYTES = 512 * 1024


@cache
def _digest(path: Path, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """``url_for('static')`` with ``?v=<content hash>``; unknown files get no hash.

    In debug mode a file's hash follows its changes; otherwise it is computed once per process
    (a deployment replaces the files and restarts the workers)."""
    assert current_app.static_folder is not None
    if current_app.debug:
        version = _version(Path(current_app.static_folder) / filename)
    else:
        version = _version_once(current_app.static_folder, filename)
    if version is None:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=version)


def _version(path: Path) -> str | None:
    try:
        return _digest(path, path.stat().st_mtime_ns)
    except FileNotFoundError:
        return None


@cache
def _version_once(static_folder: str, filename: str) -> str | None:
    return _version(Path(static_folder) / filename)


@cache
def _sibling_matches(original: str, original_mtime_ns: int, gz_mtime_ns: int) -> bool:
    """Whether ``original.gz`` still holds ``original``: gzip's trailer stores the size."""
    with open(original + GZIP_SUFFIX, "rb") as gz:
        gz.seek(-4, os.SEEK_END)
        stored_size = int.from_bytes(gz.read(4), "little")
    return stored_size == os.path.getsize(original) % 2**32


def precompressed_path(static_folder: str, filename: str) -> str | None:
    """The absolute path of ``filename``'s up-to-date ``.gz`` sibling, if it has one."""
    original = safe_join(static_folder, filename)
    if original is None or filename.endswith(GZIP_SUFFIX):
        return None
    try:
        original_stat = os.stat(original)
        gz_stat = os.stat(original + GZIP_SUFFIX)
    except OSError:
        return None
    if not _sibling_matches(original, original_stat.st_mtime_ns, gz_stat.st_mtime_ns):
        # A file edited without rebuilding its sibling: send the file as it is now.
        return None
    return original + GZIP_SUFFIX


@cache
def _gzipped(path: str, mtime_ns: int) -> bytes:
    """The gzip of a small static file, made once per version of the file."""
    with open(path, "rb") as source:
        # mtime=0: the same bytes every time, so every worker sends an identical body.
        return gzip.compress(source.read(), compresslevel=9, mtime=0)


def _memory_compressible(static_folder: str, filename: str, mimetype: str) -> str | None:
    """The path of ``filename`` if it is a small text file worth compressing in memory."""
    if mimetype not in COMPRESSIBLE_TYPES:
        return None
    path = safe_join(static_folder, filename)
    if path is None:
        return None
    try:
        size = os.path.getsize(path)
    except OSError:
        return None
    return path if MIN_COMPRESS_BYTES <= size <= MAX_MEMORY_COMPRESS_BYTES else None


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _serve_precompressed() -> Response | None:
    """Answer a static request with the ``.gz`` sibling when there is one and it is wanted."""
    if request.endpoint != "static" or request.view_args is None or not _accepts_gzip():
        return None
    static_folder = current_app.static_folder
    filename = request.view_args.get("filename", "")
    if static_folder is None:
        return None
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if precompressed_path(static_folder, filename) is None:
        path = _memory_compressible(static_folder, filename, mimetype)
        if path is None:
            return None
        body = _gzipped(path, os.stat(path).st_mtime_ns)
        response = Response(body, mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
        response.cache_control.max_age = current_app.get_send_file_max_age(filename)
        response.vary.add("Accept-Encoding")
        return response
    response = send_from_directory(
        static_folder, filename + GZIP_SUFFIX, mimetype=mimetype,
        max_age=current_app.get_send_file_max_age(filename),
    )
    response.headers["Content-Encoding"] = "gzip"
    # No "filename.gz" in a Content-Disposition: the browser must see the original file.
    response.headers.pop("Content-Disposition", None)
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["static_url"] = static_url
    app.before_request(_serve_precompressed)

    @app.after_request
    def _cache_static(response: Response) -> Response:
        if request.endpoint != "static":
            return response
        filename = (request.view_args or {}).get("filename", "")
        mimetype = mimetypes.guess_type(filename)[0] or ""
        if app.static_folder and (precompressed_path(app.static_folder, filename)
                                  or _memory_compressible(app.static_folder, filename, mimetype)):
            # Shared caches must keep the gzip and the plain copy apart.
            response.vary.add("Accept-Encoding")
        if request.args.get("v") and response.status_code in (200, 304):
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
        return response
