"""Talking to participants: the event's Mail page, previews, messages, the reminder command."""
