"""Value types several domains share."""

from __future__ import annotations

import strawberry

from crowdhire.models.common import Money


@strawberry.type(name="Money", description="An amount in integer minor units and its currency.")
class MoneyType:
    """Money as the API shows it: never floats."""

    amount: int = strawberry.field(description="Amount in minor units (cents).")
    currency: str = strawberry.field(description="ISO 4217 currency code.")

    @classmethod
    def from_model(cls, money: Money) -> MoneyType:
        """The GraphQL view of a Money value."""
        return cls(amount=money.amount, currency=money.currency)
