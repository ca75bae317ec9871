from alembic import context
from crm import models
from crm.config import DATABASE_URL, TENANT_SCHEMA
from sqlalchemy import create_engine, text

target_metadata = models.Base.metadata

engine = create_engine(DATABASE_URL)
with engine.connect() as connection:
    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{TENANT_SCHEMA}"'))
    connection.commit()
    tenant = connection.execution_options(schema_translate_map={None: TENANT_SCHEMA})
    context.configure(
        connection=tenant, target_metadata=target_metadata, version_table_schema="public"
    )
    with context.begin_transaction():
        context.run_migrations()
