"""The page's preset of the paper's 3-2-1 network (static/js/presets.js), over the defaults:
one copy for the session, export and browser tests."""

PAPER = {
    "dataset": "paper",
    "features": ["x1", "x2", "one"],
    "layers": [2],
    "activations": ["sigmoid"],
    "output": "sigmoid",
    "loss": "mse",
    "initializer": "uniform",
    "optimizer": "sgd",
    "learning_rate": 0.5,
    "batch_size": 4,
}
