"""Swagger UI served from assets the app ships itself, so /docs renders with no internet."""

from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

DOCS_ASSETS_URL = "/docs/assets"


def offline_docs_app(**kwargs: Any) -> FastAPI:
    """A FastAPI app whose /docs loads only fastapi-offline's bundled Swagger UI 5.

    No /redoc: even the bundled ReDoc fetches its logo from cdn.redoc.ly.
    """
    return FastAPIOffline(static_url=DOCS_ASSETS_URL, redoc_url=None, **kwargs)
