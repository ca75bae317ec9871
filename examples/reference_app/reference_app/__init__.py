"""Reference app: a small FastAPI + PostgreSQL/pgvector service used as the
system under test by the staging-verification harness."""
