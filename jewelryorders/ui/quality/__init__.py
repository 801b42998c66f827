"""The Quality tab."""
