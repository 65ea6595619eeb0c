"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
import gc

from inventory import create_app

app = create_app()
# The ~200,000 objects loaded with the app (modules, mappers, catalogs) live as long as the
# process: kept out of the cyclic collector's full passes, which otherwise scanned them all
# every ~12 pages (0.4-0.6 ms a page on average, measured with gc.callbacks on the entry page;
# 0.06 ms after the freeze).
gc.freeze()
