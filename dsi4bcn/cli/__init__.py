"""The ``dsi4bcn`` command line: the argument parser, the commands, and a blocking client of the admin API.

Sits beside ``app.py`` at the top: ``serve`` starts the app; every other command talks to a running node."""
