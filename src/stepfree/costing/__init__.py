"""Costing: what each way and node costs a person, between who they are (``profiles``) and how
to search (``routing``): the rules, the live rules of the trip, the overlay of barrier reports,
their combination into costs, and the cache that builds them in parts."""
