"""Reading user text (LaTeX, claims files, Markdown submissions) into the model, safely."""
