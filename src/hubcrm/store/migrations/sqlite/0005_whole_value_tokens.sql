-- A value's whole text is already a row of search_values: search matches token patterns there
-- too (store/search_sql.py), so search_tokens keeps only the words that differ from it.
DELETE FROM search_tokens
WHERE EXISTS (
    SELECT 1 FROM search_values v
    WHERE v.portal_id = search_tokens.portal_id AND v.object_type = search_tokens.object_type
      AND v.property = search_tokens.property AND v.record_id = search_tokens.record_id
      AND v.text_value = search_tokens.token
);
