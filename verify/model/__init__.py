"""The model: symbols with shapes, shape-aware expressions, and claims about them."""
