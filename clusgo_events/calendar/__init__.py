"""Calendars: .ics downloads, personal feeds, the ``ical`` command."""
