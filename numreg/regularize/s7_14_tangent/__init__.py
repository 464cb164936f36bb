"""§7.14 Tangent distance, tangent prop and the manifold tangent classifier.

- ``tangents``: tangent vectors of images under small translations, rotation, scaling, thickening;
- ``forward_mode``: Jacobian-vector products through a network, and the backward pass of a tangent;
- ``distance``: the tangent distance (Simard et al. 1993) and a nearest-neighbour classifier on it;
- ``tangent_prop``: the tangent-prop penalty of Eq. 7.67 (Simard et al. 1992);
- ``contractive``: the contractive autoencoder and its learned tangents (Rifai et al. 2011).
"""
