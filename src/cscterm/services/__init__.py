"""Domain rules. Plain Python: takes a session and the acting user, checks
roles, validates input and raises :mod:`cscterm.errors`. Never imports the UI."""
