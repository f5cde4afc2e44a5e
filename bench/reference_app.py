"""The floor: one slider and one 8 × 8 heatmap, served by the same Streamlit and config.

Every interaction latency of the app is reported as a ratio to this page's.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="reference", layout="wide")
k = st.slider("Reference value", 0, 100, 10)
z = np.add.outer(np.arange(8), np.arange(8)) * (k + 1) / 100.0  # (8, 8)
fig = go.Figure(go.Heatmap(z=z, texttemplate="%{z:.2f}", colorscale="Viridis"))
fig.update_layout(height=360, title={"text": f"k = {k}"})
st.plotly_chart(fig, key="reference.heatmap", theme=None)
