"""`hubcrm import` of a 100,000-row CSV into a live hubcrm, with bad rows, optionally rate limited.

    python -m benchmarks.import_100k [--rows 100000] [--rate-limit starter] [--concurrency 4]

Prints the import's summary line, the rows a second, and checks that exactly the bad rows (every
997th) were rejected and every other row is stored.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hubcrm.testing import serve

BAD_EVERY = 997


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rate-limit", default="off")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, serve("--rate-limit", args.rate_limit) as hs:
        portal = hs.new_portal()
        source = Path(folder) / "contacts.csv"
        with source.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["email", "firstname", "lastname", "followercount"])
            for n in range(1, args.rows + 1):
                count = "many" if n % BAD_EVERY == 0 else str(n)
                writer.writerow([f"c{n}@example.com", f"First{n}", f"Last{n}", count])
        errors = Path(folder) / "errors.csv"
        started = time.monotonic()
        command = [sys.executable, "-m", "hubcrm", "import", str(source), "--object", "contacts"]
        command += ["--id-property", "email", "--url", portal.base_url, "--token", portal.token]
        command += ["--concurrency", str(args.concurrency), "--errors", str(errors)]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.monotonic() - started
        print(done.stdout.strip())
        print(f"{args.rows / seconds:.0f} rows/s over {seconds:.1f} s")
        with errors.open(newline="") as found:
            rejected = sorted(int(r[0]) for r in list(csv.reader(found))[1:])
        expected = list(range(BAD_EVERY, args.rows + 1, BAD_EVERY))
        print("rejected rows exact:", rejected == expected)


if __name__ == "__main__":
    main()
