"""Entry point for gunicorn: ``gunicorn wsgi:app``."""
import gc

from guichet import create_app

app = create_app()
# The app's long-lived objects (mappers, templates, fonts) need no garbage collection: frozen,
# they no longer make each full collection pause a worker for tens of milliseconds.
gc.freeze()
