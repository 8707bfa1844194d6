"""PostgreSQL: any number of hubcrm processes, on any number of hosts, sharing one database.

Nothing is shared between processes but the database, so the database decides every race:

- Uniqueness (emails, every `hasUniqueValue` property) is the primary key of `unique_values`
  (by each value's SHA-256, so that values of any length can be keys).
- A write transaction first takes a transaction-scoped advisory lock on each unique value it looks
  up, in one global order, and only then reads who holds it. Two processes upserting the same new
  email therefore queue: the second reads after the first commits and becomes an update.
- The records a transaction will change are read `FOR UPDATE`, so concurrent read-modify-writes of
  one record serialise instead of losing values.
- Whatever still slips through (a deadlock, a value claimed through another property) fails with a
  unique violation or a deadlock error; those become WriteConflict, and the records service runs
  the transaction again, when it sees the winner's data.
- Search rows are caught up behind writes (records/indexer.py) by one process at a time per
  portal and type (an advisory lock), which reads each lagging record FOR SHARE: a write to it
  either commits first and is caught up, or waits and notes the record as lagging again.
- Each process does what autovacuum would, at the pace of its writes (upkeep.py): it analyzes
  the tables a write grows once the records it created in a portal's type show the planner's
  estimate of that portal to be off by half, so that reads of a portal that grew in the last
  minute are not planned as if it were empty (and a large portal is not analyzed again for a
  few thousand new records); and it vacuums the search notes table as its catch-ups empty it,
  so that finding what lags never reads through the notes of an import.
- Record ids come from a per-portal counter row, advanced in its own short transaction on a
  separate connection, so its lock is never held while a batch is written.

The upsert itself is one statement per batch: INSERT ... SELECT FROM unnest(...) ON CONFLICT DO
UPDATE for the records, with the unique values and history rows written by the same statement.
"""

from hubcrm.store.postgres.migrate import DIALECT, migrate
from hubcrm.store.postgres.store import PostgresStore

__all__ = ["DIALECT", "PostgresStore", "migrate"]
