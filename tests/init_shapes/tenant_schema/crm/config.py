import os

DATABASE_URL = os.environ["DATABASE_URL"]
TENANT_SCHEMA = os.environ.get("CRM_TENANT", "tenant_demo")
