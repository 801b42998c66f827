"""Administration windows: the users of the factory and the factory's settings."""
