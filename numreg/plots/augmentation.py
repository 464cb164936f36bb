"""An augmentation grid: one image under many random transformations (§7.4)."""
import numpy as np

from ..core import checks
from .style import new_figure


def default_augmentations(seed=0):
    """The rows of :func:`augmentation_grid` by default: safe transformations, then two that change a digit's class."""
    from ..regularize.s7_04_augmentation.augment import Compose, ElasticDistortion, RandomAffine
    from ..regularize.s7_05_noise.noise import GaussianNoise

    return {
        "RandomAffine()": RandomAffine(seed=seed),
        "ElasticDistortion(34, 4)": ElasticDistortion(34.0, 4.0, seed=seed),
        "affine + elastic": Compose(RandomAffine(), ElasticDistortion(), seed=seed),
        "GaussianNoise(0.2)": GaussianNoise(0.2, seed=seed),
        "rotation +-180 deg:\nunsafe (6 <-> 9)": RandomAffine(degrees=180, scale=None, translate=None, seed=seed),
        "mirror flip:\nunsafe (b <-> d)": lambda x: x[:, :, ::-1],
    }


def augmentation_grid(image, augmentations=None, n=6, seed=0, image_shape=None, title=None, cmap="gray_r"):
    """Show one image and ``n`` random versions of it under each augmentation, one row each.

    Parameters
    ----------
    image : ndarray, (H, W), (1, H, W), or flat (H*W,)
        The image, pixel values in [0, 1].
    augmentations : dict of str -> callable, or None, default None
        ``{row label: augment}`` with ``augment(batch (n, H, W)) -> batch``
        (``nr.augment.RandomAffine(...)``, ...). None:
        :func:`default_augmentations` -- ``RandomAffine()``, elastic
        distortion, both, Gaussian noise, and, as the book warns, two that
        can change the class: rotations up to 180 degrees and a mirror flip.
    n : int, default 6
        Random versions per row (columns after the original).
    seed : int, default 0
        Seed of the default augmentations.
    image_shape : (int, int) or None, default None
        ``(H, W)`` for a flat image; None: square.
    title : str or None, default None
    cmap : str, default "gray_r"
        Colour map; ``"gray_r"`` shows ink dark on white, as on paper.

    Returns
    -------
    matplotlib.figure.Figure
    """
    img = checks.float_array("image", image, ndim=(1, 2, 3), dtype=np.float32)
    image_shape = checks.optional(checks.image_shape, "image_shape", image_shape)
    if img.ndim == 3 and img.shape[0] == 1:
        img = img[0]
    if img.ndim == 1:
        if image_shape is None:
            side = int(np.sqrt(img.size) + 0.5)
            if side * side != img.size:
                raise ValueError(f"a flat image of {img.size} pixels is not square: give image_shape=(H, W)")
            image_shape = (side, side)
        if img.size != image_shape[0] * image_shape[1]:
            raise ValueError(f"image of {img.size} pixels does not match image_shape={image_shape}")
        img = img.reshape(image_shape)
    if img.ndim != 2 or (image_shape is not None and img.shape != image_shape):
        raise ValueError(f"image must be one image (H, W), (1, H, W) or flat, got image.shape={np.shape(image)}")
    n = checks.count("n", n)
    checks.allocation("n", n, n, *img.shape, itemsize=4)
    checks.optional(checks.instance, "title", title, str, "None or a str")
    cmap = checks.instance("cmap", cmap, str, "a matplotlib colour map name such as 'gray_r'")
    if augmentations is not None and not isinstance(augmentations, dict):
        raise checks.type_error("augmentations", "None or a dict {row label: augment}", augmentations)
    augs = default_augmentations(seed) if augmentations is None else dict(augmentations)
    if not augs:
        raise ValueError("augmentations must name at least one transformation")
    for label, aug in augs.items():
        checks.function(f"augmentations[{label!r}]", aug, "a function augment(batch) -> batch")
    batch = np.repeat(img[None], n, axis=0)
    rows = len(augs)
    fig, axes = new_figure(rows, n + 1, width=1.0 * (n + 1) + 1.8, height=1.05 * rows + 0.5)
    axes = np.asarray(axes).reshape(rows, n + 1)       # new_figure squeezes single rows
    for i, (label, aug) in enumerate(augs.items()):
        out = np.asarray(aug(batch.copy())).reshape(n, *img.shape)
        for j in range(n + 1):
            ax = axes[i, j]
            ax.imshow(img if j == 0 else out[j - 1], cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        axes[i, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize="small")
    axes[0, 0].set_title("original", fontsize="small")
    for j in range(1, n + 1):
        axes[0, j].set_title(f"draw {j}", fontsize="small")
    if title:
        fig.suptitle(title)
    return fig
