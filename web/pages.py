"""The search page at /: server-rendered, so plain search works without JavaScript;
static/search.js only adds suggestions as the user types."""

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import jinja2
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from search import SearchResults
from web.params import SearchParams, search_params

TEMPLATES = Path(__file__).parent / "templates"
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
    trim_blocks=True, lstrip_blocks=True,
)
# The page may be linked to or framed by the clinic's site; scripts and styles come only
# from this service, so a post's text can never run as script even if escaping failed.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def post_href(url: str) -> str | None:
    """Only web links become links (a crawled URL is data, not trusted markup)."""
    return url if urlsplit(url).scheme in ("http", "https") else None


_env.filters["href"] = post_href


def make_router(limits) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    dependency = search_params(limits)

    @router.get("/", response_class=HTMLResponse, name="search_page")
    async def search_page(request: Request, params: Annotated[SearchParams, Depends(dependency)]) -> HTMLResponse:
        results = None
        if "q" in request.query_params or params.filters():
            # in a search worker process (web.pool), like the API's searches
            results = await request.app.state.pool.call("search", params)
        return render_page(request, params=params, results=results)

    return router


def render_page(request: Request, *, status: int = 200, error: str | None = None,
                params: SearchParams | None = None, results: SearchResults | None = None) -> HTMLResponse:
    raw = request.query_params
    limits = request.app.state.limits
    root = request.scope.get("root_path", "").rstrip("/")

    def link(**changes: Any) -> str:
        """This search with some parameters changed (None removes one); back to page 1
        unless the page is what changes."""
        current = {**(params.filters() if params else {}), "q": params.q if params else raw.get("q", "")}
        if params and params.per_page != 10:
            current["per_page"] = params.per_page
        current.update(changes)
        query = {k: v for k, v in current.items() if v is not None and v != ""}
        query.setdefault("q", "")
        return f"{root}/?{urlencode(query)}"

    context = {
        "root": root,
        "q": params.q if params else raw.get("q", "")[: limits.max_query_length],
        "form": {name: raw.get(name, "") for name in ("since", "until", "sort", "year", "category")},
        "params": params,
        "results": results,
        "error": error,
        "limits": limits,
        "link": link,
    }
    if params:
        context["form"].update({k: str(v) for k, v in params.filters().items()})
    body = _env.get_template("search.html").render(context)
    return HTMLResponse(body, status_code=status, headers=PAGE_HEADERS)
