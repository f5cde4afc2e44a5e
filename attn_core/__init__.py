"""attn_core: the NumPy math behind every page of Attention, hands-on.

Pure functions on float64 arrays; no Streamlit, Plotly or pandas. Attention-like functions
return small result objects whose ``.weights`` are what the app draws. Invalid input that a
user can reach raises ``ValueError`` with a message a person can act on.
"""

# Public API, re-exported per module (keep these names stable).
from attn_core.alignment import (
    HardAttention,
    LocalAlignment,
    global_weights,
    hard_attention,
    local_weights,
    predicted_position,
    random_position_params,
    sample_positions,
)
from attn_core.attention import AttentionResult, attention, causal_mask, valid_length_mask
from attn_core.complexity import (
    LAYERS,
    LayerCost,
    complexity,
    conv1d_layer,
    crossover_n,
    random_layer_params,
    recurrent_layer,
    self_attention_layer,
)
from attn_core.multihead import MultiHeadResult, multi_head_attention, random_mha_weights
from attn_core.positional import sinusoidal_positional_encoding
from attn_core.scores import SCORE_KINDS, random_score_params, score
from attn_core.softmax import entropy, softmax, softmax_jacobian

__all__ = [
    "LAYERS",
    "SCORE_KINDS",
    "AttentionResult",
    "HardAttention",
    "LayerCost",
    "LocalAlignment",
    "MultiHeadResult",
    "attention",
    "causal_mask",
    "complexity",
    "conv1d_layer",
    "crossover_n",
    "entropy",
    "global_weights",
    "hard_attention",
    "local_weights",
    "multi_head_attention",
    "predicted_position",
    "random_layer_params",
    "random_mha_weights",
    "random_position_params",
    "random_score_params",
    "recurrent_layer",
    "sample_positions",
    "score",
    "self_attention_layer",
    "sinusoidal_positional_encoding",
    "softmax",
    "softmax_jacobian",
    "valid_length_mask",
]
