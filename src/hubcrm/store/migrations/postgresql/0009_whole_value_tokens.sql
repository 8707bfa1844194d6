-- A value's whole text is already a row of search_values: search matches token patterns there
-- too (store/search_sql.py), so search_tokens keeps only the words that differ from it.
DELETE FROM search_tokens t
USING search_values v
WHERE v.portal_id = t.portal_id AND v.object_type = t.object_type
  AND v.property = t.property AND v.record_id = t.record_id AND v.text_value = t.token;
