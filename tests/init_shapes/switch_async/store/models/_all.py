from store.models.customer import Customer
from store.models.order import Order

__all__ = ["Customer", "Order"]
