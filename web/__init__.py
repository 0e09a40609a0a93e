"""The web service: a JSON API and a server-rendered search page over ``search/``.

    from web.app import create_app
    app = create_app(".needle/index", cors_origins=["https://clinic.example"])

Nothing here writes to the index, and nothing here calls Whoosh: every answer comes
from the search module; the JSON API describes its answers with pydantic models
(``web.models``) of the search module's results.
"""
