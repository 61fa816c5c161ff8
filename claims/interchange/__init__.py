"""The curation interchange format (JSON Lines): records.py says what a record holds, export.py
writes a database out, load.py reads a file back in (validated, then upserted)."""
