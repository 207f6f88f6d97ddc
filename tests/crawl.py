"""Following a page's links the way a person does: the pages a role reaches from where it starts.

One page of each route and query shape is enough to find its links, so a route's other pages
(one initiative of many, page 2 of a list) are not followed; signing out and static files are
left alone. Used by the document and visible-text tests, so a new page is checked as soon as
another page links to it.
"""
from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterator
from urllib.parse import parse_qsl, urljoin, urlsplit

from werkzeug.exceptions import HTTPException

LINK = re.compile(r'href="([^"#]+)"')
SKIPPED = ("/static", "/dang-xuat")


def crawl(client, start_pages: list[str], depth: int = 3, per_shape: int = 1) -> Iterator[tuple[str, str, object]]:
    """Yield (url, endpoint, response) for every page within `depth` links of the start pages,
    following at most `per_shape` links of each route and query shape."""
    adapter = client.app.url_map.bind("localhost")
    seen, queue, shapes = set(start_pages), deque((url, 0) for url in start_pages), Counter()
    while queue:
        url, level = queue.popleft()
        response = client.get(url, follow_redirects=True)
        try:
            endpoint = adapter.match(response.request.path)[0]
        except HTTPException:
            endpoint = ""
        yield url, endpoint, response
        if response.status_code != 200 or response.mimetype != "text/html" or level == depth:
            continue
        for href in LINK.findall(response.get_data(as_text=True)):
            target = urljoin(response.request.path, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc not in ("", "localhost") or target in seen or parts.path.startswith(SKIPPED):
                continue
            seen.add(target)
            try:
                route = adapter.match(parts.path)[0]
            except HTTPException:
                continue
            keys = tuple(sorted(key for key, _ in parse_qsl(parts.query)))
            shape = (route, keys, parts.query if len(keys) <= 1 else "")
            if "page" in keys or shapes[shape] >= per_shape:
                continue
            shapes[shape] += 1
            queue.append((parts.path + (f"?{parts.query}" if parts.query else ""), level + 1))
