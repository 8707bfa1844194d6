-- The planner picks indexes by table statistics. PostgreSQL refreshes them after 10% of a table
-- changes; while a portal grows from nothing, that leaves lookups planned for a near-empty table
-- (a scan of the portal's rows where a key lookup was meant). Refresh after 2% instead.
ALTER TABLE records SET (autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE unique_values SET (autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE property_history SET (autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE search_values SET (autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE search_tokens SET (autovacuum_analyze_scale_factor = 0.02);
