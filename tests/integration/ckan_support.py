"""Helpers for the tests against the real CKAN that `make test` starts (TEST_CKAN_URL and
TEST_CKAN_API_TOKEN, with the instance's CKAN_LOCAL_HOME/CKAN_PORT... from `.ckan-env`). Tests
are isolated by unique organization codes, never by resetting the portal (slow, and shared by
every engineer's test run). Stopping and starting CKAN acts only on the instance under test,
through the same `scripts/ckan-services.sh` that `make services` used."""
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import ckanapi
import pytest
import requests

from tests.conftest import ROOT

CKAN_URL = os.environ.get("TEST_CKAN_URL", "")
CKAN_TOKEN = os.environ.get("TEST_CKAN_API_TOKEN", "")
CKAN_HOME = Path(os.environ.get("CKAN_LOCAL_HOME")
                 or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                 / "ckan-local")
CKAN_SERVICES = ROOT / "scripts" / "ckan-services.sh"

needs_ckan = pytest.mark.skipif(
    not (CKAN_URL and CKAN_TOKEN),
    reason="no real CKAN: set TEST_CKAN_URL and TEST_CKAN_API_TOKEN (make test does, from "
           "../shared/ckan/ckan-local.sh env)")

PORTAL_CONFIG = {
    "CKAN_URL": CKAN_URL, "CKAN_API_TOKEN": CKAN_TOKEN, "CKAN_RATE_PER_SECOND": 50.0,
    "CKAN_RETRY_BASE_SECONDS": 0.2, "CKAN_MAX_ATTEMPTS": 40, "CKAN_TIMEOUT": 10.0,
    "QUEUE_SWEEP_SECONDS": 0.2,
}


def unique_code(prefix="T"):
    """An organization code no other test (or earlier run) used: isolates tests on the portal."""
    return f"{prefix}{uuid.uuid4().hex[:7]}".upper()


def raw_api():
    """A plain ckanapi client, to check results or prepare the portal behind our back."""
    return ckanapi.RemoteCKAN(CKAN_URL, apikey=CKAN_TOKEN)


def org_packages(org_name):
    """Every package of an organization on the portal (private ones included)."""
    api = raw_api()
    org = api.action.organization_show(id=org_name)
    result = api.action.package_search(fq=f'owner_org:"{org["id"]}"', include_private=True,
                                       rows=1000)
    return result["results"]


def wait_for(predicate, timeout=90.0, every=0.2, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def ckan_server_pid():
    """The server process of the instance in CKAN_HOME, if it runs and serves CKAN_URL's port
    (never another instance's: its pid file may be there, its port is not ours)."""
    pid_file = CKAN_HOME / "run" / "ckan.pid"
    pid = int(pid_file.read_text().strip()) if pid_file.exists() else None
    if pid is None:
        return None
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():
        return None
    args = cmdline.read_bytes().split(b"\0")
    if str(CKAN_HOME / "ckan.ini").encode() not in args:
        return None
    port = str(urlsplit(CKAN_URL).port or 80).encode()
    if b"-p" not in args or args[args.index(b"-p") + 1] != port:
        pytest.fail(f"the CKAN of CKAN_LOCAL_HOME={CKAN_HOME} does not serve {CKAN_URL}: "
                    "run the tests with the whole .ckan-env of `make services`")
    return pid


def stop_ckan_server():
    """Stop only CKAN's server process (its database and Redis keep running)."""
    pid = ckan_server_pid()
    assert pid is not None, f"cannot find the CKAN server process of {CKAN_HOME} to stop"
    os.kill(pid, signal.SIGTERM)
    for _ in range(80):
        if not Path(f"/proc/{pid}").exists():
            break
        time.sleep(0.25)
    else:
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not portal_answers(), timeout=20, what="CKAN to stop answering")


def start_ckan_server():
    """Start CKAN again (idempotent: does nothing if it runs) and wait until it answers."""
    subprocess.run([str(CKAN_SERVICES), "start"], check=True, capture_output=True,
                   timeout=300)
    wait_for(portal_answers, timeout=120, what="CKAN to answer")


def portal_answers():
    try:
        return requests.get(f"{CKAN_URL}/api/3/action/status_show", timeout=2).ok
    except requests.RequestException:
        return False

