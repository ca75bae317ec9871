"""HTTP routers of the reference app."""
