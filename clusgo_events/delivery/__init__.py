"""Outbox delivery commands.

Not called ``mail``: a package of that name would shadow ``extensions.mail`` in the factory.
"""
