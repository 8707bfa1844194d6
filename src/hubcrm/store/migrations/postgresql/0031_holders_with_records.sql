-- An upsert reads the records that hold its keys right after locking the keys: this locks the
-- keys, reads their holders, then reads and locks those records, in one call. As in
-- unique_holders, each statement of a volatile PL/pgSQL function takes a new snapshot, so the
-- reads see what a writer that held a key committed. The holders come first, as rows with no
-- record columns, then the records, locked in id order as every read of records for writing
-- locks them. (Joined to the holders in one statement, the read ran two to four times slower
-- in the benchmark; given the holders' ids as a list, it reads each by its key.)
CREATE FUNCTION unique_holder_records(p_portal BIGINT, p_type TEXT, p_namespace TEXT,
                                      p_locks BIGINT[], p_digests BYTEA[])
RETURNS TABLE (held_value TEXT, record_id BIGINT, properties JSONB, created_at BIGINT,
               updated_at BIGINT, archived BOOLEAN, archived_at BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_values TEXT[];
    v_ids    BIGINT[];
BEGIN
    PERFORM pg_advisory_xact_lock(k) FROM unnest(p_locks) AS k;
    SELECT array_agg(u.value), array_agg(u.record_id) INTO v_values, v_ids FROM unique_values u
        WHERE u.portal_id = p_portal AND u.object_type = p_type AND u.namespace = p_namespace
            AND u.digest = ANY (p_digests);
    RETURN QUERY SELECT h.value, h.holder, NULL::JSONB, NULL::BIGINT, NULL::BIGINT,
            NULL::BOOLEAN, NULL::BIGINT
        FROM unnest(v_values, v_ids) AS h (value, holder);
    RETURN QUERY SELECT NULL::TEXT, r.record_id, r.properties, r.created_at, r.updated_at,
            r.archived, r.archived_at
        FROM records r
        WHERE r.portal_id = p_portal AND r.object_type = p_type AND r.record_id = ANY (v_ids)
        ORDER BY r.record_id
        FOR UPDATE;
END
$$;
