"""Every failure becomes a short message for the person or program that asked: JSON
``{"error": "..."}`` from the API, the search page with the message from the page.
Never a traceback, and never a 500 for input we can name the problem with."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from search import IndexNotFoundError, PostNotFoundError, QuerySyntaxError
from web.params import BadRequest
from web.pool import PoolBusy, SearchTimeout, WorkerFailed


def validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        name = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path"))
        message = error.get("msg", "invalid value")
        given = error.get("input")
        if isinstance(given, str) and error.get("type") != "string_too_long":
            shown = given if len(given) <= 40 else given[:40] + "…"
            message += f" (got {shown!r})"
        parts.append(f"{name}: {message}" if name else message)
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    def respond(request: Request, status: int, message: str) -> Response:
        route = request.scope.get("route")
        if getattr(route, "name", None) == "search_page":
            from web.pages import render_page

            return render_page(request, status=status, error=message)
        return JSONResponse({"error": message}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return respond(request, 400, validation_message(exc))

    @app.exception_handler(QuerySyntaxError)
    async def _syntax(request: Request, exc: QuerySyntaxError) -> Response:
        return respond(request, 400, str(exc))

    @app.exception_handler(BadRequest)
    async def _bad(request: Request, exc: BadRequest) -> Response:
        return respond(request, 400, str(exc))

    @app.exception_handler(PostNotFoundError)
    async def _no_post(request: Request, exc: PostNotFoundError) -> Response:
        return respond(request, 404, str(exc))

    @app.exception_handler(IndexNotFoundError)
    async def _no_index(request: Request, exc: IndexNotFoundError) -> Response:
        return respond(request, 503, str(exc))

    @app.exception_handler(PoolBusy)
    @app.exception_handler(SearchTimeout)
    @app.exception_handler(WorkerFailed)
    async def _unavailable(request: Request, exc: Exception) -> Response:
        # every search worker busy and the queue full, a search stopped at the time limit,
        # or its worker gone: the service is fine, this search could not run now
        response = respond(request, 503, str(exc))
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        response = JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # The client gets a sentence; Starlette re-raises the error after this response,
        # so the server logs it with its traceback for the operator.
        return JSONResponse({"error": "internal error: the search failed; see the server log"},
                            status_code=500)
