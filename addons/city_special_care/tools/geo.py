"""Plane geometry for safe zones: distances on the sphere and point-in-polygon."""

import json
import math

EARTH_RADIUS_M = 6371008.8


def distance_m(lat1, lng1, lat2, lng2):
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def point_in_polygon(lat, lng, points):
    """Ray casting on (lat, lng) pairs; points on an edge count as inside."""
    inside = False
    count = len(points)
    for index in range(count):
        lat1, lng1 = points[index]
        lat2, lng2 = points[(index + 1) % count]
        if (lat1 == lat and lng1 == lng) or (lat2 == lat and lng2 == lng):
            return True
        if (lng1 > lng) != (lng2 > lng):
            crossing = (lat2 - lat1) * (lng - lng1) / (lng2 - lng1) + lat1
            if lat == crossing:
                return True
            if lat < crossing:
                inside = not inside
    return inside


def parse_polygon(text):
    """``[[lat, lng], ...]`` (JSON) as a list of float pairs.

    Raises ValueError with a reason code: ``points`` (fewer than three), ``pair`` (not a
    [latitude, longitude] pair), ``range`` (off the Earth's coordinates), or JSON's own error.
    """
    data = json.loads(text or "[]")
    if not isinstance(data, list) or len(data) < 3:
        raise ValueError("points")
    points = []
    for item in data:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValueError("pair")
        lat, lng = float(item[0]), float(item[1])
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise ValueError("range")
        points.append((lat, lng))
    return points
