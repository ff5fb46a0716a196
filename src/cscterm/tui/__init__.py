"""The Textual workbench. Imported only when the TUI starts."""
