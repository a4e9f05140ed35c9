"""The FastAPI application: API routers, UI pages, dependencies."""
