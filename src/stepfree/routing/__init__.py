"""Routing: search kernels, route assembly, explanations and isochrones."""
