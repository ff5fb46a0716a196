"""The schema, one module per part of the workbench.

Each module defines only its own tables, so a command that needs one part
(``cscterm log`` writes to the work log) builds only the tables it uses; a
module imports the modules its foreign keys point into. ``cscterm.db.models``
imports them all: the whole schema, for migrations and tests.
"""
