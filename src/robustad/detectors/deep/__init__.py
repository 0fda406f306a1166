"""Deep detectors: one trainer, pure ``torch.nn`` modules, one estimator file per detector.

Importing this package does not import torch; the estimator modules do, and the registry
imports them only when a deep detector is made.

Common hyperparameters
----------------------
Every deep detector takes these constructor arguments, with the same names and meanings
(individual detectors document only what they add or change):

epochs : int
    Maximum number of passes over the training rows (early stopping may end sooner).
batch_size : int
    Rows per gradient step; a training set smaller than one batch is a single batch.
learning_rate : float
    Adam(W) step size.
weight_decay : float
    Decoupled weight decay (AdamW); ``0`` gives plain Adam.
hidden_sizes : tuple of int
    Widths of the encoder's hidden layers, input side first (decoders mirror them).
validation_fraction : float
    Share of the training rows held out for early stopping, in ``[0, 0.5)``; ``0`` (or too
    few rows to spare one) trains on every row for ``epochs`` epochs.
patience : int
    Epochs without improvement of the validation loss before training stops; the weights of
    the best epoch are restored.
random_state : int or None
    Seed of weight initialisation, shuffling, the validation split and any sampling. Global
    random number generators (``torch.manual_seed``, ``numpy.random.seed``) are never touched.
verbose : bool
    Show a progress bar with the training and validation loss.
n_threads : int or None
    CPU threads for torch while scoring (and while training when mini-batches are large
    enough to gain from them: ``batch_size`` x widest layer >= 262,144 values; smaller steps
    run on one thread, which is faster than several, by far on a busy machine). ``None``
    uses ``OMP_NUM_THREADS`` when set, else ``os.cpu_count()``; never more is assumed.
    torch's own thread setting is restored afterwards.
contamination : float
    Expected share of anomalies in the training data; sets ``threshold_`` (and the share
    trimmed by ``robust_training="trimmed"``).
robust_training : None or "trimmed" (reconstruction detectors)
    ``"trimmed"`` leaves out, in every mini-batch, the rows the current model scores as most
    anomalous (twice the ``contamination`` share, at most half the batch), so anomalies
    hidden in the training data stop shaping the model. ``None`` trains on every row.
adversarial_epsilon : float or None (reconstruction detectors)
    Adversarial training on the (normal) training rows: each mini-batch's loss is half the
    clean loss and half the loss of reconstructing every row from its worst perturbation
    within ``adversarial_epsilon`` training standard deviations per feature (L-infinity,
    3 steps of projected gradient ascent on the row's score). ``None`` trains on clean rows.
spectral_norm : bool (fully connected detectors)
    After every optimiser step, rescale each linear layer whose spectral norm exceeds 1, so
    the network is 1-Lipschitz and ``robustad.robustness.certified`` can certify a useful
    bound on how far any perturbation of a given L2 size can move a score.

Inputs are standardised with the training mean and standard deviation inside the detector (the
statistics are part of the saved state and of ``score_tensor``'s graph, computed in
float64). The networks train and score in float32, about twice as fast as float64 on a CPU; a
row's score alone and in a batch agree to float32 rounding (relative 1e-6), not bit for bit,
because the matrix kernels sum in a different order for different batch sizes.

Every deep detector carries the tags ``differentiable`` and ``requires_torch`` and offers
``score_tensor(x)`` (a differentiable per-row score equal to ``decision_function``) and
``fine_tune(X_new, epochs=..., freeze_encoder=...)`` (transfer learning from the fitted
weights, also after ``robustad.load``). Reconstruction detectors (``autoencoder``, ``vae``,
``conv_autoencoder``) also offer ``explain(X)``: per-feature contributions that sum to each
row's score.
"""
