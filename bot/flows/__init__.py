"""Flows: the format (schema), reading files (yaml_source, loader), checking them (checks)."""
