"""Web load at national scale: 100,000 entries, 400 bodies, 16 concurrent connections.

Production way: PostgreSQL + gunicorn (several workers). Baseline in the same run: the
embedded default (SQLite + the development server). Pages: the list, a filtered list, an
Arabic search, an entry page; each measured with `wrk` on loopback for a fixed duration, signed
in as an admin (who sees every entry: the heaviest scope). Reports p50/p95 latency and
requests/s per page and configuration, and the PostgreSQL/SQLite ratios.

Options: --entries=N (default 100000), --duration=S (default 15), --connections=C (16),
--workers=W (gunicorn workers, default one per core: the page's CPU is the limit, and more
workers than cores measured fewer pages a second; README, "Production deployment"),
--keep (reuse generated databases).
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import requests
import sqlalchemy as sa

from bench._generate import NAMESPACE, admin_user, generate, give_a_history
from inventory.config import normalize_database_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORK = Path(os.environ.get("BENCH_WORK", tempfile.gettempdir())) / "inventory-bench"
LUA = Path(__file__).with_name("_wrk_percentiles.lua")


def _opt(argv, name, default):
    for a in argv:
        if a.startswith(f"--{name}="):
            return type(default)(a.split("=", 1)[1])
    return default


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(database_url, entries, keep, marker):
    """Migrate and fill `database_url`; with --keep, only migrate if it holds `entries`."""
    env = dict(os.environ, DATABASE_URL=database_url)
    if keep and marker.exists() and marker.read_text() == f"{database_url} {entries}":
        print(f"  reusing {database_url.split('@')[-1]} ({entries:,} entries)")
        # A kept database still gets the migrations written since it was generated.
        subprocess.run([BIN / "inventory", "db", "upgrade"], env=env, check=True, cwd=ROOT,
                       capture_output=True)
        _measured_entry_history(database_url, entries)
        return
    # A half-filled database must not be taken for a whole one by a later --keep.
    marker.unlink(missing_ok=True)
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    if database_url.startswith("postgresql"):
        engine = sa.create_engine(normalize_database_url(database_url))
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
    subprocess.run([BIN / "inventory", "db", "upgrade"], env=env, check=True, cwd=ROOT,
                   capture_output=True)
    from inventory import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url)})
    started = time.perf_counter()
    generate(app, entries=entries, echo=lambda m: print(m, flush=True) if "0,000 " in m else None)
    print(f"  generated {entries:,} entries in {time.perf_counter() - started:.0f} s")
    admin_user(app)
    if database_url.startswith("postgresql"):
        # What autovacuum does soon after a bulk load in production: planner statistics and
        # the visibility map (index-only counts), measured here rather than half-way.
        engine = sa.create_engine(normalize_database_url(database_url),
                                  isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        engine.dispose()
    _measured_entry_history(database_url, entries)
    marker.write_text(f"{database_url} {entries}")


def _measured_entry_history(database_url, entries):
    """The measured entry page is that of a published entry with a real one's history
    (`give_a_history`; a kept database generated before gets it here)."""
    from inventory import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url)})
    give_a_history(app, _pages(entries)["entry page"].rsplit("/", 1)[1])


def _wait(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not start")


def _session_cookie(url, email, password):
    s = requests.Session()
    page = s.get(url + "/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"email": email, "password": password}
    if token:
        data["csrf_token"] = token.group(1)
    # Redirects followed, as a browser does: the page after sign-in puts the CSRF secret
    # into the session, and the browser keeps that cookie. Without it, every measured
    # request would add one to the session and re-sign and re-send the cookie.
    r = s.post(url + "/login", data=data)
    if not r.history or r.history[0].status_code != 302 or r.status_code != 200:
        raise RuntimeError(f"sign-in failed: {r.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in s.cookies)


def _wrk(url, cookie, duration, connections):
    out = subprocess.run(
        ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
         "-H", f"Cookie: {cookie}", "-H", "Accept-Language: ar", "-s", str(LUA), url],
        capture_output=True, text=True, check=True).stdout
    figures = dict(re.findall(r"^(p50|p95|p99|requests|errors|non2xx|rps)=(\S+)$", out, re.M))
    return {k: float(v) for k, v in figures.items()}


def _pages(entries):
    entry = str(uuid.uuid5(NAMESPACE, str(min(12345, entries - 1))))
    return {
        "list": "/datasets",
        "filtered list": "/datasets?status=submitted&theme=EDUC&sort=priority",
        "Arabic search": "/datasets?q=" + quote("المؤسسات الصحية"),
        "entry page": f"/datasets/{entry}",
    }


def _measure(name, url, entries, duration, connections):
    results = {}
    for page, path in _pages(entries).items():
        # Signed in afresh for each page: a browser keeps the session cookie that is renewed
        # once a minute (extensions.SessionCookies); wrk cannot, and would make every request
        # of a later page renew it.
        cookie = _session_cookie(url, "bench-admin@example.org", "Bench-admin-2026")
        # Warm-up, discarded: the same load for 2 s, so that every worker has compiled the
        # page's templates and loaded the Arabic catalogs and locale data (the measured
        # headers), and the figures are those of a server in service, not of its first pages.
        _wrk(url + path, cookie, 2, connections)
        figures = _wrk(url + path, cookie, duration, connections)
        results[page] = figures
        print(f"  {name:28} {page:14} p50 {figures['p50']:7.1f} ms   p95 {figures['p95']:7.1f}"
              f" ms   {figures['rps']:7.1f} req/s   non-2xx {int(figures.get('non2xx', 0))}",
              flush=True)
    return results


def _serve(cmd, env):
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def main(argv):
    entries = _opt(argv, "entries", 100_000)
    duration = _opt(argv, "duration", 15)
    connections = _opt(argv, "connections", 16)
    workers = _opt(argv, "workers", os.cpu_count() or 1)
    keep = "--keep" in argv
    if not shutil.which("wrk"):
        print("wrk is missing: run `make system-deps`")
        return {"error": "wrk missing"}
    WORK.mkdir(parents=True, exist_ok=True)
    pg_url = subprocess.run([ROOT / "scripts/postgres.sh", "start", "inventory_bench"],
                            capture_output=True, text=True, check=True).stdout.strip()
    sqlite_url = f"sqlite:///{WORK / 'bench.sqlite'}"
    print(f"preparing {entries:,} entries on PostgreSQL and SQLite")
    _prepare(pg_url, entries, keep, WORK / "pg.marker")
    _prepare(sqlite_url, entries, keep, WORK / "sqlite.marker")

    # Jobs run in `inventory worker` processes in production, not in the web processes.
    base_env = dict(os.environ, SECRET_KEY="bench-secret", INSTANCE_PATH=str(WORK),
                    QUEUE_EMBEDDED_WORKER="false")
    results = {"entries": entries, "connections": connections, "duration_s": duration}

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _serve([BIN / "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                   "wsgi:app"], dict(base_env, DATABASE_URL=pg_url))
    try:
        _wait(url)
        results["postgresql_gunicorn"] = _measure(f"PostgreSQL + gunicorn -w {workers}", url,
                                                  entries, duration, connections)
    finally:
        _stop(proc)

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _serve([BIN / "inventory", "run", "--port", str(port), "--with-threads"],
                  dict(base_env, DATABASE_URL=sqlite_url))
    try:
        _wait(url)
        results["sqlite_devserver"] = _measure("SQLite + dev server (baseline)", url,
                                               entries, duration, connections)
    finally:
        _stop(proc)

    print("\n  page            PG p95   SQLite p95   PG/SQLite p95   PG/SQLite req/s   "
          "target PG p95 < 150 ms")
    for page in _pages(entries):
        pg, lite = results["postgresql_gunicorn"][page], results["sqlite_devserver"][page]
        ok = "met" if pg["p95"] < 150 else "NOT met"
        print(f"  {page:14} {pg['p95']:7.1f}   {lite['p95']:10.1f}   {pg['p95'] / lite['p95']:13.2f}"
              f"   {pg['rps'] / lite['rps']:15.2f}   {ok}")
    return results
