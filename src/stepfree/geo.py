"""Small geodesy helpers: great-circle distance and a local plane for a city."""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), metres


def haversine_m(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in metres, vectorised."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat = p2 - p1
    dlon = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    distance_m: np.ndarray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return distance_m


def local_origin(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float]:
    """Centre of the bounding box, the origin of the local plane."""
    return float((lon.min() + lon.max()) / 2), float((lat.min() + lat.max()) / 2)


def to_local_m(
    lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float
) -> tuple[np.ndarray, np.ndarray]:
    """Project degrees to metres east and north of (lon0, lat0) on an equirectangular plane."""
    k = math.pi / 180 * EARTH_RADIUS_M
    x = (np.asarray(lon) - lon0) * k * math.cos(math.radians(lat0))
    return x, (np.asarray(lat) - lat0) * k
