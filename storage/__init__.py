"""Tables, the engine/session, migrations and the domain operations that change state."""
