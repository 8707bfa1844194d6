"""The domain: object types, values, properties, records, portals, tokens and rate limits.

It knows nothing of HTTP; it speaks to storage only through the contract in `hubcrm.store.base`.
"""
