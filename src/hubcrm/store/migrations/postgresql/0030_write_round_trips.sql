-- A write locks the unique values it looks up, then reads who holds them. The read must begin
-- after the locks are held, so that it sees what a writer that held one committed: in a single
-- statement its snapshot would be taken before waiting. Each statement of a volatile PL/pgSQL
-- function takes a new snapshot (READ COMMITTED), so this does both in one call.
CREATE FUNCTION unique_holders(p_portal BIGINT, p_type TEXT, p_namespace TEXT, p_locks BIGINT[],
                               p_digests BYTEA[])
RETURNS TABLE (held_value TEXT, holder BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- In the order given (sorted): every process locks in one order.
    PERFORM pg_advisory_xact_lock(k) FROM unnest(p_locks) AS k;
    RETURN QUERY SELECT u.value, u.record_id FROM unique_values u
        WHERE u.portal_id = p_portal AND u.object_type = p_type AND u.namespace = p_namespace
            AND u.digest = ANY (p_digests);
END
$$;
