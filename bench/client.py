"""A small HTTP client for the benchmarks: loopback only, keep-alive, cookies, gzip, forms.

The standard library's ``http.client`` costs the machine less CPU per request than the
higher-level clients, and the load generator shares the two cores with the server.
"""

from __future__ import annotations

import gzip
import http.client
import re
import time
import zlib
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class BenchHttpError(RuntimeError):
    """An unexpected status; the message names the request."""


@dataclass
class Response:
    method: str
    path: str
    status: int
    headers: dict[str, str]  # lower-cased names; repeated headers joined with ", "
    body: bytes  # decoded (gunzipped) body
    wire_body: int  # bytes of the body as sent
    wire_headers: int  # bytes of the status line and headers, approximately as sent

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str | None:
        return self.headers.get("location")


class Client:
    """One simulated browser: its own connection and cookie jar."""

    def __init__(self, host: str, port: int, *, gzip_ok: bool = True, timeout: float = 300.0) -> None:
        if host not in LOOPBACK:
            raise ValueError(f"the benchmarks only talk to this machine, not {host!r}")
        self.host = host
        self.port = port
        self.gzip_ok = gzip_ok
        self.cookies: dict[str, str] = {}
        self._connection = http.client.HTTPConnection(host, port, timeout=timeout)
        self.requests = 0
        # (route, seconds) of every request when a list is given: "POST /assessments/<id>/submit"
        self.timings: list[tuple[str, float]] | None = None

    def close(self) -> None:
        self._connection.close()

    def _path(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.netloc and parts.hostname not in LOOPBACK:
            raise ValueError(f"refusing to follow {url!r} off this machine")
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def request(self, method: str, url: str, *, form: list[tuple[str, str]] | None = None,
                expect: tuple[int, ...] | None = None, stream_to: object = None,
                keep_cookies: bool = True) -> Response:
        """One request. ``stream_to`` (a callable taking bytes) receives the body in chunks;
        ``keep_cookies=False`` leaves the cookie jar as it was (the response's are ignored)."""
        path = self._path(url)
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "city-assessment-bench/1"}
        if self.gzip_ok:
            headers["Accept-Encoding"] = "gzip"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        began = time.perf_counter()
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self._connection.request(method, path, body=body, headers=headers)
            raw = self._connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # A kept-alive connection the server had closed: reconnect once.
            self._connection.close()
            self._connection.request(method, path, body=body, headers=headers)
            raw = self._connection.getresponse()
        self.requests += 1
        wire_headers = len(f"HTTP/1.1 {raw.status} {raw.reason}\r\n") + 2 + sum(
            len(k) + len(v) + 4 for k, v in raw.getheaders()
        )
        response_headers: dict[str, str] = {}
        for name, value in raw.getheaders():
            key = name.lower()
            if key == "set-cookie" and keep_cookies:
                self._store_cookie(value)
            response_headers[key] = f"{response_headers[key]}, {value}" if key in response_headers else value
        encoding = response_headers.get("content-encoding", "")
        wire_body = 0
        if stream_to is not None:
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
            while chunk := raw.read(65536):
                wire_body += len(chunk)
                stream_to(decoder.decompress(chunk) if decoder else chunk)  # type: ignore[operator]
            data = b""
        else:
            data = raw.read()
            wire_body = len(data)
            if encoding == "gzip":
                data = gzip.decompress(data)
        if raw.will_close:
            self._connection.close()
        if self.timings is not None:
            self.timings.append((f"{method} {route_of(path)}", time.perf_counter() - began))
        response = Response(method, path, raw.status, response_headers, data, wire_body, wire_headers)
        if expect is not None and response.status not in expect:
            raise BenchHttpError(f"{method} {path} gave {response.status}, expected {expect}: "
                                 f"{_snippet(response.text)}")
        return response

    def _store_cookie(self, header: str) -> None:
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            expired = morsel["max-age"] in ("0", "-1") or morsel.value == ""
            if expired:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, url: str, *, expect: tuple[int, ...] | None = (200,), **kwargs: object) -> Response:
        return self.request("GET", url, expect=expect, **kwargs)  # type: ignore[arg-type]

    def post(self, url: str, form: list[tuple[str, str]], *,
             expect: tuple[int, ...] | None = (200, 302, 303), keep_cookies: bool = True) -> Response:
        return self.request("POST", url, form=form, expect=expect, keep_cookies=keep_cookies)

    def follow(self, response: Response, *, limit: int = 5) -> Response:
        """Follow redirects (as a browser does after a POST: with GET)."""
        while response.status in (301, 302, 303, 307, 308) and limit > 0:
            target = urljoin(response.path, response.location or "/")
            response = self.get(target, expect=None)
            limit -= 1
        return response


def route_of(path: str) -> str:
    """A path with ids and element names replaced, to group timings by route."""
    path = path.split("?", 1)[0]
    path = re.sub(r"/elements/[^/]+", "/elements/<element>", path)
    return re.sub(r"/\d+(?=/|$)", "/<id>", path)


def _snippet(text: str, length: int = 300) -> str:
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()
    return flat[:length]


# --- HTML ------------------------------------------------------------------------------


@dataclass
class Field:
    tag: str  # input, select, textarea, button
    type: str  # input type ("text", "radio", ...), "select", "textarea", "submit"
    name: str
    value: str
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # select: (value, selected)
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)

    def named(self, prefix: str = "") -> list[Field]:
        return [f for f in self.fields if f.name and f.name.startswith(prefix)]

    def defaults(self, *, with_buttons: bool = False) -> list[tuple[str, str]]:
        """The pairs a browser would send without any change (no button pressed)."""
        pairs: list[tuple[str, str]] = []
        for f in self.fields:
            if not f.name or "disabled" in f.attrs:
                continue
            if f.type in ("submit", "button", "reset", "image"):
                if with_buttons:
                    pairs.append((f.name, f.value))
            elif f.type in ("radio", "checkbox"):
                if f.checked:
                    pairs.append((f.name, f.value or "on"))
            elif f.type == "select":
                chosen = [v for v, sel in f.options if sel] or [v for v, _ in f.options[:1]]
                pairs.extend((f.name, v) for v in chosen[:1] if "multiple" not in f.attrs)
                if "multiple" in f.attrs:
                    pairs.extend((f.name, v) for v, sel in f.options if sel)
            elif f.type == "file":
                continue
            else:
                pairs.append((f.name, f.value))
        return pairs

    def buttons(self) -> list[Field]:
        return [f for f in self.fields if f.type == "submit" or (f.tag == "button" and f.type != "button")]


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.assets: list[str] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: list[str] | None = None
        self._option_attrs: dict[str, str] = {}
        self._textarea: Field | None = None
        self._button: Field | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v if v is not None else "") for k, v in attrs_list}
        if tag == "form":
            self._form = Form(attrs.get("action", ""), attrs.get("method", "get").lower(), [], attrs)
            self.forms.append(self._form)
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "link" and attrs.get("href"):
            rel = attrs.get("rel", "").lower()
            if "stylesheet" in rel or "icon" in rel or "preload" in rel or "modulepreload" in rel:
                self.assets.append(attrs["href"])
        elif tag in ("script", "img", "source") and attrs.get("src") and attrs.get("loading") != "lazy":
            self.assets.append(attrs["src"])
        owner = self._form_for(attrs)
        if owner is None:
            return
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            owner.fields.append(Field("input", kind, attrs.get("name", ""), attrs.get("value", ""),
                                      "checked" in attrs, attrs=attrs))
        elif tag == "select":
            self._select = Field("select", "select", attrs.get("name", ""), "", attrs=attrs)
            owner.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._finish_option()
            self._option = []
            self._option_attrs = attrs
        elif tag == "textarea":
            self._textarea = Field("textarea", "textarea", attrs.get("name", ""), "", attrs=attrs)
            owner.fields.append(self._textarea)
        elif tag == "button":
            kind = attrs.get("type", "submit").lower()
            self._button = Field("button", kind, attrs.get("name", ""), attrs.get("value", ""), attrs=attrs)
            owner.fields.append(self._button)

    def _form_for(self, attrs: dict[str, str]) -> Form | None:
        if "form" in attrs:  # a control outside its form, linked by id
            for form in self.forms:
                if form.attrs.get("id") == attrs["form"]:
                    return form
        return self._form

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option.append(data)
        elif self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._finish_option()
        elif tag == "select":
            self._finish_option()
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "button":
            self._button = None

    def _finish_option(self) -> None:
        if self._select is not None and self._option is not None:
            value = self._option_attrs.get("value", "".join(self._option).strip())
            self._select.options.append((value, "selected" in self._option_attrs))
            self._option = None


@dataclass
class Page:
    forms: list[Form]
    assets: list[str]
    links: list[str]

    def form(self, *, action_contains: str = "", having: str = "") -> Form:
        """The first form whose action contains ``action_contains`` and has a field starting ``having``."""
        for form in self.forms:
            if action_contains in form.action and (not having or form.named(having)):
                return form
        raise LookupError(f"no form with action containing {action_contains!r} and a field {having!r}")


def parse_page(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return Page(parser.forms, parser.assets, parser.links)


_CONTROL = re.compile(r'<input\b([^>]*)>|<textarea\b([^>]*)>\n?(.*?)</textarea>', re.S)
_NAME = re.compile(r'\bname="([^"]*)"')
_VALUE = re.compile(r'\bvalue="([^"]*)"')
_TYPE = re.compile(r'\btype="([^"]*)"')
_DISABLED = re.compile(r'\sdisabled\b')
_CHECKED = re.compile(r'\schecked\b')


def form_pairs(html: str, form_id: str) -> list[tuple[str, str]]:
    """What a browser sends unchanged from the form with id ``form_id`` (no button pressed).

    A regular-expression reading of inputs and text areas, a few times cheaper than
    ``parse_page`` for a page of several hundred controls (the load generator shares the
    server's cores). It expects attributes in double quotes, as the app writes them.
    """
    start = html.find(f'id="{form_id}"')
    if start < 0 or html.rfind("<form", 0, start) < html.rfind(">", 0, start):
        raise LookupError(f"no form with id {form_id!r}")
    body = html[start:html.index("</form>", start)]
    pairs = []
    for match in _CONTROL.finditer(body):
        attrs = match.group(1)
        if attrs is None:  # a textarea; the newline right after its tag is not content
            name = _NAME.search(match.group(2))
            if name and not _DISABLED.search(match.group(2)):
                pairs.append((name.group(1), unescape(match.group(3))))
            continue
        name = _NAME.search(attrs)
        if name is None or _DISABLED.search(attrs):
            continue
        found = _TYPE.search(attrs)
        kind = found.group(1).lower() if found else "text"
        if kind in ("submit", "button", "reset", "image", "file"):
            continue
        checkable = kind in ("radio", "checkbox")
        if checkable and not _CHECKED.search(attrs):
            continue
        value = _VALUE.search(attrs)
        pairs.append((name.group(1), unescape(value.group(1)) if value else ("on" if checkable else "")))
    return pairs


def css_urls(css: str) -> list[str]:
    """``url(...)`` references in a stylesheet (fonts, images), data: URLs excluded."""
    found = []
    for match in re.finditer(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css):
        url = match.group(1).strip()
        if not url.startswith(("data:", "#")):
            found.append(url)
    for match in re.finditer(r"@import\s+['\"]([^'\"]+)['\"]", css):
        found.append(match.group(1))
    return found
