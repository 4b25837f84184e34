#!/usr/bin/python3
"""A guestbook CGI script (RFC 3875) keeping its entries in SQLite.

GET shows the entries (HTML-escaped) and a form; POST (application/x-www-form-urlencoded: name,
message) adds an entry and answers 303 See Other back to the page (Post/Redirect/Get), so a
reload never posts twice. The database is $GUESTBOOK_DB, or guestbook.sqlite3 next to this script.
Only the standard library is used.
"""
import html
import os
import sqlite3
import sys
import urllib.parse
from datetime import datetime, timezone

MAX_NAME = 80  # characters
MAX_MESSAGE = 2000  # characters
MAX_BODY = 16 * 1024  # bytes of form data
MAX_SHOWN = 200  # newest entries on the page

DB_PATH = os.environ.get("GUESTBOOK_DB") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "guestbook.sqlite3")


def respond(status, content_type, body, extra=()):
    """Write a CGI response: Status and fields, a blank line, then the body (bytes)."""
    head = [f"Status: {status}", f"Content-Type: {content_type}", f"Content-Length: {len(body)}", *extra]
    out = sys.stdout.buffer
    out.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
    if os.environ.get("REQUEST_METHOD") != "HEAD":
        out.write(body)
    out.flush()


def connect():
    db = sqlite3.connect(DB_PATH, timeout=5)
    db.execute(
        "CREATE TABLE IF NOT EXISTS entries ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " name TEXT NOT NULL,"
        " message TEXT NOT NULL,"
        " created TEXT NOT NULL)"
    )
    return db


def page(entries, error=None, name="", message=""):
    e = html.escape  # quote=True: safe in text and in attribute values
    action = e(os.environ.get("SCRIPT_NAME", ""))
    items = "\n".join(
        f'<li><p class="meta"><strong>{e(n)}</strong> <time datetime="{e(c)}">{e(c)}</time></p>'
        f'<p class="message">{e(m)}</p></li>'
        for n, m, c in entries
    ) or "<li class=\"empty\">No entries yet. Be the first!</li>"
    problem = f'<p class="error" role="alert">{e(error)}</p>' if error else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Guestbook</title>
<style>
  body {{ font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 40rem; padding: 0 1rem; }}
  form {{ display: grid; gap: .5rem; margin-bottom: 2rem; }}
  textarea {{ min-height: 6rem; }}
  ol {{ list-style: none; padding: 0; }}
  li {{ border-top: 1px solid #ddd; padding: .5rem 0; }}
  .meta {{ margin: 0; color: #555; }}
  .message {{ margin: .25rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }}
  .error {{ color: #b00020; }}
</style>
</head>
<body>
<h1>Guestbook</h1>
{problem}
<form method="post" action="{action}">
  <label>Name <input name="name" maxlength="{MAX_NAME}" required value="{e(name)}"></label>
  <label>Message <textarea name="message" maxlength="{MAX_MESSAGE}" required>{e(message)}</textarea></label>
  <button type="submit">Sign the guestbook</button>
</form>
<ol id="entries">
{items}
</ol>
</body>
</html>
""".encode("utf-8")


def newest(db):
    return db.execute("SELECT name, message, created FROM entries ORDER BY id DESC LIMIT ?", (MAX_SHOWN,)).fetchall()


def page_url():
    """The absolute URL of this script: a client redirect needs an absolute Location (RFC 3875 §6.2.3)."""
    scheme = "https" if os.environ.get("HTTPS") == "on" else "http"
    host = os.environ.get("HTTP_HOST", "")
    if not host or any(ch not in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]" for ch in host):
        host = f"{os.environ.get('SERVER_NAME', 'localhost')}:{os.environ.get('SERVER_PORT', '80')}"
    return f"{scheme}://{host}{os.environ.get('SCRIPT_NAME', '/')}"


def read_form():
    """Read and parse the urlencoded body; returns (fields, error)."""
    content_type = os.environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return None, (415, "Send the form as application/x-www-form-urlencoded.")
    length = os.environ.get("CONTENT_LENGTH")
    if length is not None:
        if not length.isdigit() or int(length) > MAX_BODY:
            return None, (413, f"The form is too large (at most {MAX_BODY} bytes).")
        raw = sys.stdin.buffer.read(int(length))
    else:
        raw = sys.stdin.buffer.read(MAX_BODY + 1)  # a chunked body: read to the end, bounded
        if len(raw) > MAX_BODY:
            return None, (413, f"The form is too large (at most {MAX_BODY} bytes).")
    try:
        fields = urllib.parse.parse_qs(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return None, (400, "The form could not be read.")
    return fields, None


def main():
    method = os.environ.get("REQUEST_METHOD", "GET")
    with connect() as db:
        if method in ("GET", "HEAD"):
            respond("200 OK", "text/html; charset=utf-8", page(newest(db)), ["Cache-Control: no-store"])
            return
        if method != "POST":
            respond("405 Method Not Allowed", "text/plain; charset=utf-8", b"Use GET or POST.\n", ["Allow: GET, HEAD, POST"])
            return
        fields, error = read_form()
        name = message = ""
        if error is None:
            name = fields.get("name", [""])[0].strip()
            message = fields.get("message", [""])[0].strip()
            if not name or not message:
                error = (400, "Both a name and a message are needed.")
            elif len(name) > MAX_NAME or len(message) > MAX_MESSAGE:
                error = (400, f"Names are at most {MAX_NAME} characters, messages at most {MAX_MESSAGE}.")
        if error is not None:
            code, text = error
            status = {400: "400 Bad Request", 413: "413 Content Too Large", 415: "415 Unsupported Media Type"}[code]
            respond(status, "text/html; charset=utf-8", page(newest(db), text, name[:MAX_NAME], message[:MAX_MESSAGE]))
            return
        created = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        db.execute("INSERT INTO entries (name, message, created) VALUES (?, ?, ?)", (name, message, created))
    # Post/Redirect/Get: the browser comes back with a GET.
    respond("303 See Other", "text/plain; charset=utf-8", b"Thank you! Back to the guestbook.\n", [f"Location: {page_url()}"])


if __name__ == "__main__":
    main()
