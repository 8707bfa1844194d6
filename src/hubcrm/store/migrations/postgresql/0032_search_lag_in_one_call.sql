-- Catching up search reads what lags in one call: it takes the portal type's catch-up lock,
-- reads the oldest notes of lagging records, then reads those records FOR SHARE (a writer that
-- holds one is waited for, and its write is caught up here). Each statement of a volatile
-- PL/pgSQL function takes a new snapshot, as the separate statements did. The notes come first,
-- with no record columns, then the records.
CREATE FUNCTION search_lag(p_portal BIGINT, p_type TEXT, p_limit INT, p_lock INT,
                           p_lock_name TEXT)
RETURNS TABLE (record_id BIGINT, lagging BOOLEAN, indexed JSONB, properties JSONB,
               created_at BIGINT, updated_at BIGINT, archived BOOLEAN, archived_at BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_ids     BIGINT[];
    v_indexed JSONB[];
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock, hashtext(p_lock_name));
    SELECT array_agg(p.record_id ORDER BY p.record_id), array_agg(p.indexed ORDER BY p.record_id)
        INTO v_ids, v_indexed
        FROM (SELECT s.record_id, s.indexed FROM search_pending s
              WHERE s.portal_id = p_portal AND s.object_type = p_type
              ORDER BY s.record_id LIMIT p_limit) AS p;
    RETURN QUERY SELECT l.record_id, TRUE, l.indexed, NULL::JSONB, NULL::BIGINT, NULL::BIGINT,
            NULL::BOOLEAN, NULL::BIGINT
        FROM unnest(v_ids, v_indexed) AS l (record_id, indexed);
    RETURN QUERY SELECT r.record_id, FALSE, NULL::JSONB, r.properties, r.created_at,
            r.updated_at, r.archived, r.archived_at
        FROM records r
        WHERE r.portal_id = p_portal AND r.object_type = p_type AND r.record_id = ANY (v_ids)
        ORDER BY r.record_id
        FOR SHARE;
END
$$;
