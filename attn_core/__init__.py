"""attn_core: the NumPy math behind every page of Attention, hands-on.

Pure functions on float64 arrays; no Streamlit, Plotly or pandas. Attention-like functions
return small result objects whose ``.weights`` are what the app draws. Invalid input that a
user can reach raises ``ValueError`` with a message a person can act on.
"""

# Public API, re-exported per module (keep these names stable).
