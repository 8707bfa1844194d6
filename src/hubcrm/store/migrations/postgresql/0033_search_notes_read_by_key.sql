-- The notes of lagging records are a queue: after a large import the table is thousands of
-- pages of nothing, and stays so while fresh notes keep its last pages until vacuum can cut
-- them off. Catching up reads the oldest notes of one portal's type, which its key gives in
-- order; a plan that scans the table instead reads every empty page (2.4 ms a chunk after an
-- import of 1M records and a vacuum, 12 ms before it, against 0.2 by the key).
ALTER FUNCTION search_lag(BIGINT, TEXT, INT, INT, TEXT) SET enable_seqscan = off;
