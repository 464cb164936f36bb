"""Chapter 7 of *Deep Learning*, "Regularization for Deep Learning", one package per section, in the book's order.

The folder listing is the chapter's table of contents; ``s7_NN`` is §7.NN:

============================================  ==============================================================
package                                       what is in it
============================================  ==============================================================
``s7_01_norm_penalties``                      §7.1  L2 (weight decay), L1, elastic net; ``theory``: Eq. 7.13,
                                                    7.17, 7.23 (ridge, lasso, shrinkage, soft threshold)
``s7_02_constraints``                         §7.2  max-norm, the L2 ball; ``theory``: the KKT multiplier
``s7_03_under_constrained``                   §7.3  the pseudo-inverse as the limit of weight decay (Eq. 7.29)
``s7_04_augmentation``                        §7.4  random affine warps, elastic distortion
``s7_05_noise``                               §7.5  noise on the inputs and on the weights; ``theory``: the
                                                    penalty weight noise amounts to (label smoothing, §7.5.1,
                                                    is the loss's ``label_smoothing=``, in ``core.losses``)
``s7_06_semi_supervised``                     §7.6  k-means, cluster-then-label, label propagation, a
                                                    semi-supervised mixture, self-training, a denoising
                                                    autoencoder sharing its encoder with a classifier
``s7_07_multitask``                           §7.7  a shared trunk, one head and loss per task (Figure 7.2)
``s7_08_early_stopping``                      §7.8  Algorithm 7.1 (``algorithm_7_1``), the seed's callback,
                                                    Prechelt's criteria, Algorithms 7.2-7.3 (``all_data``);
                                                    ``theory``: early stopping as L2 (Eq. 7.33-7.45)
``s7_09_tying_sharing``                       §7.9  parameter tying (``tying``), parameter sharing:
                                                    convolution and pooling (``conv``)
``s7_10_sparse_representations``              §7.10 an L1 penalty on the activations (Eq. 7.48)
``s7_11_bagging``                             §7.11 bagging (Eq. 7.50)
``s7_12_dropout``                             §7.12 dropout, weight scaling against Monte-Carlo averaging
``s7_13_adversarial``                         §7.13 the fast gradient sign method, adversarial training
``s7_14_tangent``                             §7.14 tangent distance, tangent prop, the manifold tangent
                                                    classifier
============================================  ==============================================================

The public names are flat (``nr.L2``, ``nr.EarlyStopping``); the section
prefixes appear only in import paths. Tang & Eliasmith's robustness work
(corruptions, sparse local connectivity, RBMs and DBNs) is in
:mod:`numreg.robust`.
"""
