"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
from inventory import create_app

app = create_app()
