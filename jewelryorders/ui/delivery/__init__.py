"""The Delivery & After-sales tab."""
