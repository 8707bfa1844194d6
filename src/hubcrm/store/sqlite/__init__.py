"""SQLite, the embedded default store: one file, WAL mode, durable commits, group commit.

One writer connection and one reader connection, each owned by its own thread. Reads run on the
reader connection and only ever see committed data.

Every write is a job for the writer thread, which runs an event loop of its own. The writer takes
jobs in arrival order and runs each in its own SAVEPOINT inside one open transaction (BEGIN
IMMEDIATE, which also excludes writers in other processes); a job that fails rolls back to its
savepoint and fails alone. When no job is waiting, or a group is full, the writer commits, and
only then are the group's jobs answered. With `synchronous=FULL` that commit is durable: an
acknowledged write survives a crash of the process or the machine, while concurrent requests
share one fsync instead of paying one each. A transaction's work runs entirely on the writer
thread, so it never waits for the request loop between its statements.
"""

from hubcrm.store.sqlite.connection import CACHE_MIB, CHECKPOINT_PAGES, DIALECT, path_from_url
from hubcrm.store.sqlite.migrate import migrate
from hubcrm.store.sqlite.store import SQLiteStore

__all__ = ["CACHE_MIB", "CHECKPOINT_PAGES", "DIALECT", "SQLiteStore", "migrate", "path_from_url"]
