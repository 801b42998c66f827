"""The archive (part 7): filing and finding documents, access requests, loans, the access log, retention,
backups and restore, and the order dossier."""
