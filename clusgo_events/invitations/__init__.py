"""Invitations: the organiser's page, the invitees' token pages, the CLI."""
