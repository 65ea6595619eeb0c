"""`python -m bench [NAME ...]`: run every benchmark module (or the named ones) in turn.

Each module `bench/<name>.py` (not starting with `_`) defines `main(argv) -> dict` that prints
its own figures and returns them; the runner also writes them to `bench/results/<name>.json`
(git-ignored) so the README table can be refreshed from a real run.
"""
import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def discover():
    return sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                  if not m.name.startswith("_"))


def main(argv):
    names = [a for a in argv if not a.startswith("-")] or discover()
    unknown = sorted(set(names) - set(discover()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(discover())}")
        return 2
    if "--help" in argv or "-h" in argv:
        for name in names:
            print(f"bench {name}: {importlib.import_module(f'bench.{name}').__doc__}")
        return 0
    RESULTS.mkdir(exist_ok=True)
    for name in names:
        print(f"\n=== bench {name} ===", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        figures = module.main([a for a in argv if a.startswith("-")]) or {}
        figures["_seconds_total"] = round(time.perf_counter() - started, 1)
        (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False,
                                                         default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
