"""attn_core: the NumPy math behind every page of Attention, hands-on.

Pure functions on float64 arrays; no Streamlit, Plotly or pandas. Attention-like functions
return small result objects whose ``.weights`` are what the app draws. Invalid input that a
user can reach raises ``ValueError`` with a message a person can act on.
"""

# Public API, re-exported per module (keep these names stable).
from attn_core.alignment import (
    LOCAL_MODES,
    HardAttention,
    LocalAlignment,
    LocalMode,
    global_weights,
    hard_attention,
    local_weights,
    peak_hit_rate,
    position_logit,
    predicted_position,
    random_position_params,
    sample_positions,
    softmax_parts,
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
from attn_core.convolution import (
    ConvAttention,
    conv2d,
    conv_as_attention,
    conv_attention_error,
    receptive_field,
    receptive_jump,
    receptive_region,
)
from attn_core.induction import (
    copy_accuracy,
    copy_positions,
    duplicate_token_score,
    induction_score,
    induction_targets,
    previous_token_score,
)
from attn_core.kernel_regression import (
    KERNELS,
    BandwidthFit,
    KernelRegression,
    average_pooling,
    fit_bandwidth,
    leave_one_out_loss,
    nadaraya_watson,
    nw_parametric,
)
from attn_core.multihead import (
    MultiHeadResult,
    head_counts,
    multi_head_attention,
    random_mha_weights,
)
from attn_core.positional import sinusoidal_positional_encoding
from attn_core.scaling import DotProductExperiment, dot_product_experiment, softmax_jacobian_norm
from attn_core.scores import SCORE_KINDS, random_score_params, score
from attn_core.softmax import (
    entropy,
    shares_to_weights,
    softmax,
    softmax_jacobian,
    total_variation,
)
from attn_core.toy_tasks import translate
from attn_core.transformer import (
    AttnOnlyRun,
    EncDecRun,
    attn_only_forward,
    encoder_decoder_forward,
    greedy_translate,
    key_composition,
    layer_norm,
)
from attn_core.vision import global_attention_map, local_attention_map, pixel_features

__all__ = [
    "KERNELS",
    "LAYERS",
    "LOCAL_MODES",
    "SCORE_KINDS",
    "AttentionResult",
    "AttnOnlyRun",
    "BandwidthFit",
    "ConvAttention",
    "DotProductExperiment",
    "EncDecRun",
    "HardAttention",
    "KernelRegression",
    "LayerCost",
    "LocalAlignment",
    "LocalMode",
    "MultiHeadResult",
    "attention",
    "attn_only_forward",
    "average_pooling",
    "causal_mask",
    "complexity",
    "conv1d_layer",
    "conv2d",
    "conv_as_attention",
    "conv_attention_error",
    "copy_accuracy",
    "copy_positions",
    "crossover_n",
    "dot_product_experiment",
    "duplicate_token_score",
    "encoder_decoder_forward",
    "entropy",
    "fit_bandwidth",
    "global_attention_map",
    "global_weights",
    "greedy_translate",
    "hard_attention",
    "head_counts",
    "induction_score",
    "induction_targets",
    "key_composition",
    "layer_norm",
    "leave_one_out_loss",
    "local_attention_map",
    "local_weights",
    "multi_head_attention",
    "nadaraya_watson",
    "nw_parametric",
    "peak_hit_rate",
    "pixel_features",
    "position_logit",
    "predicted_position",
    "previous_token_score",
    "random_layer_params",
    "random_mha_weights",
    "random_position_params",
    "random_score_params",
    "receptive_field",
    "receptive_jump",
    "receptive_region",
    "recurrent_layer",
    "sample_positions",
    "score",
    "self_attention_layer",
    "shares_to_weights",
    "sinusoidal_positional_encoding",
    "softmax",
    "softmax_jacobian",
    "softmax_jacobian_norm",
    "softmax_parts",
    "total_variation",
    "translate",
    "valid_length_mask",
]
