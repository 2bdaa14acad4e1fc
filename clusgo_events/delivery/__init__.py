"""Outbox delivery commands (a package named "mail" would shadow extensions.mail in clusgo_events)."""
