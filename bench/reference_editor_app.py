"""The floor for table edits: one 4 × 4 data editor and one heatmap of its values."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="reference editor", layout="wide")
if "m" not in st.session_state:
    st.session_state.m = np.arange(16, dtype=float).reshape(4, 4)
frame = pd.DataFrame(st.session_state.m, columns=list("abcd"))
edited = st.data_editor(frame, key="ed", num_rows="fixed")
st.session_state.m = edited.to_numpy(dtype=float)
st.plotly_chart(go.Figure(go.Heatmap(z=st.session_state.m)), key="ref.editor.heatmap", theme=None)
