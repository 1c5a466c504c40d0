"""Routing profiles: the Profile model, presets (TOML) and costing."""
