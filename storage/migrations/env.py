"""Alembic environment: migrations run on the connection the application hands over."""

from alembic import context

import storage.plenary_models  # noqa: F401  (its tables in the metadata)
from storage.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
