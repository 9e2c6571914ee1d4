"""Benchmark: the similar-requests check of /nieuw against a wijk with many open requests.

Run: .venv/bin/python tests/benchmarks/bench_similar.py [--counts 60 500 5000] [--repeat 20]
     (WIJKBOT_BENCH_DATABASE_URL=postgresql://... to measure on PostgreSQL; default a SQLite file)

For each count it fills one wijk with that many open (routed) requests of 1,000 characters and
prints the milliseconds one check takes (the database read and the comparison, as in the update's
transaction), median and worst of `--repeat` checks with a 1,000-character text, and the median CPU
time (the figure to read on a busy machine). The check reads
the most recent `storage.similar.MAX_CANDIDATES` requests only, so the figures should stay a few
milliseconds whatever the count (issue 13: it took 3.4-5.5 s with 60 such requests).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete  # noqa: E402
from sqlmodel import select  # noqa: E402

from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Area, Person, Request, RequestKind, RequestStatus, Theme  # noqa: E402
from storage.municipality import example_config, load_municipality  # noqa: E402
from storage.similar import MAX_CANDIDATES, similar_open_requests  # noqa: E402
from storage.visibility import SUPPORTABLE  # noqa: E402

WORDS = ("de het een in aan op bij voor met van graag straat stoep speeltuin schommel bankje park vijver groen boom "
         "fiets fietsenrek parkeren auto verkeer drempel snelheid school kinderen jongeren ouderen buurthuis markt "
         "winkel station brug gracht water tegels kapot repareren verlichting lantaarnpaal afval container hond "
         "overlast veilig donker avond zaterdag bewoners wijk gemeente plein bushalte geveltuin bloembak").split()


def text_of(rng: random.Random, length: int = 1000) -> str:
    """A Dutch-looking text of exactly `length` characters."""
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words)[:length]


def fill(db: Database, *, count: int, rng: random.Random) -> int:
    """Replace the wijk's requests by `count` routed ones; returns the wijk id."""
    with db.transaction_sync() as session:
        wijk = session.exec(select(Area).where(Area.code == "zuid-west-leidsebuurt")).one()
        theme = session.exec(select(Theme)).first()
        resident = session.exec(select(Person)).first()
        session.execute(delete(Request))
        session.add_all([Request(kind=RequestKind.WISH, status=RequestStatus.ROUTED, wijk_id=wijk.id,
                                 theme_id=theme.id, resident_id=resident.id, text=text_of(rng))
                         for _ in range(count)])
        return wijk.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[60, 500, 5000])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("WIJKBOT_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        upgrade(url)
        db = Database(url)
        with db.transaction_sync() as session:
            load_municipality(session, config=example_config())
            session.add(Person(telegram_id=1))
        rng = random.Random(13)
        print(f"similar-requests check, {args.repeat} checks of a 1,000-character text, "
              f"at most {MAX_CANDIDATES} candidates ({url.split(':')[0]})")
        for count in args.counts:
            wijk_id = fill(db, count=count, rng=rng)
            wall, cpu = [], []
            for _ in range(args.repeat):
                query = text_of(rng)
                with db.read() as session:
                    started, started_cpu = time.perf_counter(), time.process_time()
                    similar_open_requests(session, wijk_id=wijk_id, text=query, exclude_person_id=2,
                                          statuses=SUPPORTABLE)
                    wall.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - started_cpu) * 1000)
            print(f"{count:>6} open requests of 1,000 characters: median {statistics.median(wall):6.2f} ms "
                  f"(CPU {statistics.median(cpu):6.2f} ms), worst {max(wall):6.2f} ms per check")
        db.dispose()


if __name__ == "__main__":
    main()
