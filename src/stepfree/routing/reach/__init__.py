"""Reach: where a person gets from one origin within travel times (the network reached, and
the isochrone polygons drawn around it); the coming analytics build on the same searches."""
