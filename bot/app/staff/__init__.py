"""The staff desk: volunteers' and admins' commands in front of the engine."""
