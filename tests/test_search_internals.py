"""Faster forms of search internals give exactly what the plain forms gave."""

from __future__ import annotations

import random

from search import docsets


def test_to_bits_sets_the_same_bits_as_bit_by_bit():
    rng = random.Random(15)
    assert docsets.to_bits([], 0) == 0
    for size in (1, 7, 8, 9, 64, 100, 2001):
        for _ in range(20):
            ids = sorted(rng.sample(range(size), rng.randint(0, size)))
            buf = bytearray((size + 7) // 8)
            for n in ids:
                buf[n >> 3] |= 1 << (n & 7)
            bits = docsets.to_bits(ids, size)
            assert bits == int.from_bytes(buf, "little")
            assert docsets.members(bits) == ids
