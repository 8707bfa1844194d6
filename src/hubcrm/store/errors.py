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
