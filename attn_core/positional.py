r"""Sinusoidal positional encoding (Vaswani et al., 2017).

Attention itself ignores order: shuffle the tokens and the outputs are only shuffled. Adding
a vector that depends on the position breaks that symmetry. Each pair of columns is a sine and
a cosine of the position at one frequency, from one turn per :math:`2\pi` positions (column 0)
down to one turn per :math:`2\pi \cdot 10000` positions, so near positions get similar codes
and every shift by :math:`k` is the same rotation of each (sin, cos) pair.
"""

from __future__ import annotations

import numpy as np

from ._validate import positive, positive_int


def sinusoidal_positional_encoding(n: int, d: int, base: float = 10000.0) -> np.ndarray:
    r"""Positional encodings of positions ``0 .. n-1`` in ``d`` dimensions.

    .. math::
        PE_{p,\,2i} = \sin\!\Big(\frac{p}{\text{base}^{2i/d}}\Big), \qquad
        PE_{p,\,2i+1} = \cos\!\Big(\frac{p}{\text{base}^{2i/d}}\Big)

    An odd ``d`` ends with a sine column.

    Args:
        n: number of positions; d: encoding length; base: the longest wavelength over
            :math:`2\pi` (10000 in the paper).

    Returns:
        ``(n, d)``, every entry in ``[-1, 1]``; row ``p`` is added to token ``p``'s vector.

    >>> np.round(sinusoidal_positional_encoding(2, 3), 3)
    array([[0.   , 1.   , 0.   ],
           [0.841, 0.54 , 0.002]])
    """
    n, d = positive_int("n", n), positive_int("d", d)
    base = positive("base", base)
    positions = np.arange(n, dtype=np.float64)[:, None]  # (n, 1)
    two_i = np.arange(0, d, 2, dtype=np.float64)  # (ceil(d/2),) the even column indices
    angles = positions / base ** (two_i / d)  # (n, ceil(d/2))
    pe = np.empty((n, d))
    pe[:, 0::2] = np.sin(angles)  # (n, ceil(d/2))
    pe[:, 1::2] = np.cos(angles[:, : d // 2])  # (n, floor(d/2))
    return pe


def positional_wavelengths(d: int, base: float = 10000.0) -> np.ndarray:
    r"""Wavelengths (in positions) of the sin/cos pairs of :func:`sinusoidal_positional_encoding`.

    Pair ``i`` (columns ``2i`` and ``2i+1``) turns once every
    :math:`\lambda_i = 2\pi \cdot \text{base}^{2i/d}` positions: a geometric series, so the last
    pairs hardly move over a short sentence.

    >>> np.round(positional_wavelengths(8), 1)
    array([   6.3,   62.8,  628.3, 6283.2])
    """
    d, base = positive_int("d", d), positive("base", base)
    two_i = np.arange(0, d, 2, dtype=np.float64)  # (ceil(d/2),) the even column indices
    return 2 * np.pi * base ** (two_i / d)  # (ceil(d/2),)
