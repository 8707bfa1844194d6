-- Writes change search rows by their exact keys (what a write removed, what it added), so no
-- index by record is needed; numbers are looked up only among values that have one.
DROP INDEX search_values_by_record;
DROP INDEX search_tokens_by_record;
DROP INDEX search_values_by_number;
CREATE INDEX search_values_by_number
    ON search_values (portal_id, object_type, property, number_value, record_id)
    WHERE number_value IS NOT NULL;
