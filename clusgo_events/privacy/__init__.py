"""The privacy notice, one-click unsubscribe, a person's data and its erasure."""
