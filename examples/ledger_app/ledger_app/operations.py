"""What each operation is worth. Amounts come from here, never from the client:
the client's ``amount`` is only checked against this table."""
from types import MappingProxyType

OPERATIONS: MappingProxyType[str, int] = MappingProxyType(
    {"task_completed": 7, "daily_login": 1, "referral": 25}
)
