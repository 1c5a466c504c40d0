"""JSON bodies: compact, UTF-8 as is, NaN as null, and what orjson cannot write (integers
beyond 64 bits) still written."""

from __future__ import annotations

import json
import math

from stepfree.api.responses import json_response


def test_the_body_is_compact_utf8_json_as_json_dumps_writes_it() -> None:
    data = {
        "text": "Абай даңғылы бойымен 120 м",
        "coordinates": [[24.9384, 60.1699], [0.1, 1e-05], [1e16, -0.0]],
        "count": 3,
        "flag": True,
        "none": None,
        "nested": {"list": [1, 2.5, "x"]},
    }
    response = json_response(data, 404)
    assert response.status_code == 404
    assert response.media_type == "application/json"
    assert json.loads(response.body) == data  # the same values (1e-05 is written 0.00001)
    assert b", " not in response.body
    assert b": " not in response.body
    assert "Абай".encode() in response.body  # not \u escapes


def test_nan_and_infinities_are_null_and_keys_become_strings() -> None:
    body = json.loads(json_response({"a": math.nan, "b": [math.inf, -math.inf], 7: "seven"}).body)
    assert body == {"a": None, "b": [None, None], "7": "seven"}


def test_integers_beyond_64_bits_fall_back_to_json() -> None:
    big = 2**70
    body = json.loads(json_response({"big": big, "nan": math.nan}).body)
    assert body == {"big": big, "nan": None}
