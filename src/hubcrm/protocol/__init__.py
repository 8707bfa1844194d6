"""HubSpot's language: its JSON messages, its errors and their texts, its property definitions.

Plain data that every layer sits on, the store included.
"""
