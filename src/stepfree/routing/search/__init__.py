"""Search: the compiled kernels over a graph's adjacency (A* with landmarks, one-to-all,
many-to-many, two-sided reachability) and the landmark tables that bound them."""
