"""Persistence: tables, the engine, search indexes and migrations."""
