import numpy as np
import pytest

from glassnet.datasets import playground as pg

CLASSIFIERS = [pg.circle, pg.xor, pg.gaussians, pg.spiral]
REGRESSORS = [pg.plane, pg.gaussian]
LARGEST = {pg.plane: 1.2, pg.gaussian: 1.0}


@pytest.mark.parametrize("make", CLASSIFIERS)
def test_classification_sets_have_shapes_and_two_labels(make):
    x, y = make(n=301, noise=10, seed=3)
    assert x.shape == (301, 2) and x.dtype == np.float64
    assert y.shape == (301,) and y.dtype == np.int64
    assert set(y.tolist()) == {0, 1}
    assert np.abs(x).max() <= 6.0 + 1e-9


@pytest.mark.parametrize("make", REGRESSORS)
def test_regression_sets_have_bounded_values(make):
    x, y = make(n=200, noise=0, seed=1)
    assert x.shape == (200, 2) and y.shape == (200,) and y.dtype == np.float64
    assert np.abs(x).max() <= 6.0 and np.abs(y).max() <= LARGEST[make]
    assert y.min() < 0 < y.max()


@pytest.mark.parametrize("make", [pg.gaussians, pg.spiral])
@pytest.mark.parametrize("classes", [3, 5])
def test_multiclass_sets_share_points_evenly(make, classes):
    _, y = make(n=103, seed=0, classes=classes)
    counts = np.bincount(y, minlength=classes)
    assert counts.sum() == 103 and counts.max() - counts.min() <= 1
    assert set(y.tolist()) == set(range(classes))


@pytest.mark.parametrize("make", CLASSIFIERS + REGRESSORS)
def test_same_seed_same_points_other_seed_other_points(make):
    x1, y1 = make(n=100, noise=20, seed=7)
    x2, y2 = make(n=100, noise=20, seed=7)
    x3, _ = make(n=100, noise=20, seed=8)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


def test_circle_without_noise_is_labelled_by_radius():
    x, y = pg.circle(n=400, noise=0, seed=2)
    r = np.hypot(x[:, 0], x[:, 1])
    assert np.all(r[y == 1] < 2.5)
    assert np.all((r[y == 0] >= 3.5) & (r[y == 0] <= 5.0))
    assert (y == 1).sum() == 200


def test_circle_noise_moves_labels_not_points():
    x0, y0 = pg.circle(n=400, noise=0, seed=2)
    x1, y1 = pg.circle(n=400, noise=50, seed=2)
    assert np.array_equal(x0, x1)  # the same draws for the points
    assert (y0 != y1).sum() > 10  # but noise relabels some of them


def test_xor_without_noise_is_labelled_by_quadrant():
    x, y = pg.xor(n=300, noise=0, seed=4)
    assert np.array_equal(y == 1, x[:, 0] * x[:, 1] >= 0)
    assert np.abs(x).min() >= 0.3  # the padding keeps points off the axes


def test_two_gaussians_sit_on_either_side_of_the_diagonal():
    x, y = pg.gaussians(n=400, noise=0, seed=5)
    assert np.array_equal(y == 1, x[:, 0] + x[:, 1] > 0)
    assert np.allclose(x[y == 1].mean(axis=0), [2, 2], atol=0.15)
    assert np.allclose(x[y == 0].mean(axis=0), [-2, -2], atol=0.15)


def test_spiral_without_noise_has_radius_growing_along_each_arm():
    x, y = pg.spiral(n=200, noise=0, seed=0)
    r = np.hypot(x[:, 0], x[:, 1])
    for c in (0, 1):
        arm = r[y == c]
        assert np.allclose(arm, 5 * np.arange(100) / 100)
    # the two arms are point-symmetric (t and t + π)
    assert np.allclose(x[y == 0], -x[y == 1])


def test_plane_value_is_the_scaled_sum_of_coordinates():
    x, y = pg.plane(n=50, noise=0, seed=0)
    assert np.allclose(y, (x[:, 0] + x[:, 1]) / 10)


def test_gaussian_regression_has_signed_bumps():
    x, y = pg.gaussian(n=2000, noise=0, seed=0)
    near_positive = np.hypot(x[:, 0] + 4, x[:, 1] - 2.5) < 1  # bump (-4, 2.5) is +1
    near_negative = np.hypot(x[:, 0] - 0, x[:, 1] - 2.5) < 1  # bump (0, 2.5) is -1
    assert near_positive.sum() > 5 and near_negative.sum() > 5
    assert np.all(y[near_positive] >= 0.5) and np.all(y[near_negative] <= -0.5)
    centre = np.hypot(x[:, 0] + 4, x[:, 1] - 2.5)
    # within 2 of the bump's centre and away from others: 1 − d/2
    alone = centre < 1.5
    assert np.allclose(y[alone], 1 - centre[alone] / 2)


def test_load_by_name_and_unknown_name():
    x, _ = pg.load("xor", n=20, seed=1)
    assert np.array_equal(x, pg.xor(n=20, seed=1)[0])
    with pytest.raises(ValueError, match="accepted names"):
        pg.load("moons")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"noise": 60}, r"noise must be in \[0, 50\]"),
        ({"classes": 3}, "only gaussians and spiral"),
        ({"n": 0}, "positive integer"),
        ({"seed": -1}, "non-negative"),
    ],
)
def test_bad_arguments_say_what_was_expected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pg.circle(**kwargs)


def test_features_in_the_order_given():
    x = np.array([[1.0, 2.0], [-0.5, 3.0]])
    f = pg.features(x, ["sin_x2", "x1", "x1x2", "x2^2", "x1^2", "x2", "sin_x1"])
    expected = [
        [np.sin(2.0), 1.0, 2.0, 4.0, 1.0, 2.0, np.sin(1.0)],
        [np.sin(3.0), -0.5, -1.5, 9.0, 0.25, 3.0, np.sin(-0.5)],
    ]
    assert np.allclose(f, expected)


@pytest.mark.parametrize(
    ("names", "match"),
    [(["x3"], "unknown feature"), ([], "at least one"), (["x1", "x1"], "must not repeat")],
)
def test_features_refuse_bad_names(names, match):
    with pytest.raises(ValueError, match=match):
        pg.features(np.zeros((2, 2)), names)


def test_split_is_a_seeded_partition():
    x, y = pg.spiral(n=101, seed=0)
    (xa, ya), (xb, _) = pg.split(x, y, train_ratio=30, seed=9)
    assert len(xa) == 30 and len(xb) == 71
    rows = {tuple(r) for r in np.vstack([xa, xb])}
    assert rows == {tuple(r) for r in x}
    (xa2, _), _ = pg.split(x, y, train_ratio=30, seed=9)
    (xa3, _), _ = pg.split(x, y, train_ratio=30, seed=10)
    assert np.array_equal(xa, xa2) and not np.array_equal(xa, xa3)
    # labels travel with their points
    lookup = {tuple(p): label for p, label in zip(x, y, strict=True)}
    assert all(lookup[tuple(p)] == label for p, label in zip(xa, ya, strict=True))


def test_split_refuses_a_ratio_outside_the_percent_range():
    x, y = pg.xor(n=10)
    with pytest.raises(ValueError, match="percentage"):
        pg.split(x, y, train_ratio=0.5 * 200)


def test_paper_gives_its_four_samples_whatever_the_arguments():
    x, y = pg.paper()
    assert x.tolist() == [[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]]
    assert y.tolist() == [0, 1, 1, 0] and x.dtype == np.float64 and y.dtype == np.int64
    assert np.array_equal(y, x[:, 0])  # the label is x₁
    other_x, other_y = pg.load("paper", n=500, noise=30, seed=7)
    assert np.array_equal(other_x, x) and np.array_equal(other_y, y)
    x[0, 0] = 9.0  # a copy: the next call gives the samples again
    assert pg.paper()[0][0, 0] == 0.0
    assert "paper" in pg.CLASSIFICATION and pg.UNSPLIT == ("paper",)
    with pytest.raises(ValueError, match="only gaussians and spiral"):
        pg.paper(classes=3)


def test_the_constant_feature_one():
    x = np.array([[1.5, -2.0], [0.0, 0.0], [-6.0, 6.0]])
    f = pg.features(x, ["x1", "one", "x2"])
    assert f.tolist() == [[1.5, 1.0, -2.0], [0.0, 1.0, 0.0], [-6.0, 1.0, 6.0]]
    # with the paper's samples, (x1, x2, one) are the paper's inputs (x₁, x₂, 1)
    inputs = pg.features(pg.paper()[0], ["x1", "x2", "one"])
    assert inputs.tolist() == [[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]]
