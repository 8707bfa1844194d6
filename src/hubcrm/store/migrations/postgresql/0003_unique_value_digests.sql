-- Unique values are keyed by the SHA-256 of their UTF-8 text rather than the text itself: a B-tree
-- entry must fit in a third of a page (about 2.7 kB), and a value may be up to 65,536 characters.
-- The text stays, for reading back; hubcrm computes the digest of each value it writes.

ALTER TABLE unique_values ADD COLUMN digest BYTEA;

UPDATE unique_values SET digest = sha256(convert_to(value, 'UTF8'));

ALTER TABLE unique_values ALTER COLUMN digest SET NOT NULL;

ALTER TABLE unique_values DROP CONSTRAINT unique_values_pkey;

ALTER TABLE unique_values ADD PRIMARY KEY (portal_id, object_type, namespace, digest);
