"""Messages to people (SMS and e-mail): an outbox written in the caller's transaction and
delivered by the background worker with retries. See ``outbox``, ``delivery`` and ``gateways``."""
