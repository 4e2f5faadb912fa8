"""ASGI entry point for uvicorn/granian: ``uvicorn core.asgi:app``."""

from core.app import create_app

app = create_app()
