"""The store's own errors. Driver exceptions are translated into these at the storage boundary."""


class StoreError(Exception):
    """Something went wrong in the database; the original driver error is the cause."""


class UniqueViolation(StoreError):
    """A write would give a unique value to a second live record (a race lost to another writer)."""


class SchemaTooNew(StoreError):
    """The database was migrated by a newer hubcrm than this one."""


class WriteConflict(StoreError):
    """A write transaction lost a race (deadlock, serialization failure, a unique value claimed
    meanwhile) and was rolled back; running it again sees the winner's data."""

    def __init__(self, message: str, *, unique: bool = False) -> None:
        super().__init__(message)
        self.unique = unique  # lost to a unique constraint (rather than a deadlock)


# --- Faults of the database itself (issue 20): the server stays up and answers 503 ---


class StoreUnavailable(StoreError):
    """The database cannot serve this request now (its connection was lost, the server is
    restarting, the disk is full, the file is read-only or gone). Nothing of the request was
    written; the same request may be sent again after `retry_after` seconds."""

    retry_after = 1


class OutcomeUnknown(StoreUnavailable):
    """The connection died while COMMIT was on its way: the write may or may not have been
    committed. Sending it again is safe for writes keyed by an id property (upsert, update)."""


class Overloaded(StoreUnavailable):
    """More writes are waiting for the database than the bound allows (--write-queue-limit), or
    one waited longer than --write-queue-timeout before it started: refused without being run."""


class CannotOpen(StoreError):
    """The database cannot be opened at start-up; the message names the cause and the fix, in one
    line for the operator."""


class CannotWrite(StoreUnavailable):
    """The database refuses writes for now (a full disk, a read-only or removed file); reads may
    still work, and writes resume once the cause is gone."""
