"""Getting in: the first-run setup of a new database, the login dialog, and changing one's own password."""
