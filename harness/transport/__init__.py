"""Talking to the target: HTTP, the database, auth, TLS and readiness waits."""
