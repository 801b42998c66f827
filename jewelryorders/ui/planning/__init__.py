"""Planning screens: the production Gantt and what feeds it."""
