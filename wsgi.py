"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
import gc

from inventory import create_app

app = create_app()
# The ~200,000 objects loaded with the app (modules, mappers, catalogs) live as long as the
# process: kept out of the cyclic collector's full passes, which otherwise scanned them all
# every ~12 pages (0.4-0.6 ms a page on average, measured with gc.callbacks on the entry page;
# 0.06 ms after the freeze).
gc.freeze()
# A page keeps a few thousand container objects alive while it renders (rows, ORM states,
# template contexts), so the youngest generation's default threshold (700) ran a collection
# almost every page, and every tenth one a second-generation pass: 0.53-0.59 ms a page on the
# entry page against 0.29-0.33 ms at 3,000 (gc.callbacks, 300 pages each, three rounds). Each
# collection still takes ~2 ms at most.
gc.set_threshold(3000, 10, 10)
