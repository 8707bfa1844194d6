"""Test support on the server side: the control API's portals, clock and sequences, the request
journal, injected faults and seeding.
"""
