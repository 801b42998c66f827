"""The style window: the styles the factory makes and what an order line of each starts with."""
