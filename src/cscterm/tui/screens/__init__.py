"""One screen module per pillar (library ↔ services/scripts.py)."""
