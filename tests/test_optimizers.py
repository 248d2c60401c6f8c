"""Each optimizer and schedule against updates computed by hand."""

import numpy as np
import pytest

from sknumpynet._training.optimizers import (
    AdamOptimizer,
    SGDOptimizer,
    make_optimizer,
    optimizer_state,
)


def _step(optimizer, param, grad):
    # Backpropagation hands the optimizer its gradient times `step`.
    optimizer.update_params([param], [grad * optimizer.step])


def test_plain_sgd_step():
    p = np.array([1.0, -2.0])
    opt = SGDOptimizer([p], learning_rate_init=0.5)
    _step(opt, p, np.array([0.2, 0.4]))
    np.testing.assert_allclose(p, [1.0 - 0.1, -2.0 - 0.2])


def test_momentum_step():
    p = np.array([0.0])
    opt = SGDOptimizer([p], learning_rate_init=0.1, momentum=0.9, nesterov=False)
    _step(opt, p, np.array([1.0]))  # v = -0.1, p = -0.1
    _step(opt, p, np.array([1.0]))  # v = 0.9 * -0.1 - 0.1 = -0.19, p = -0.29
    np.testing.assert_allclose(p, [-0.29])
    np.testing.assert_allclose(opt.velocities[0], [-0.19])


def test_nesterov_step():
    p = np.array([0.0])
    opt = SGDOptimizer([p], learning_rate_init=0.1, momentum=0.9, nesterov=True)
    _step(opt, p, np.array([1.0]))  # v = -0.1; p += 0.9 * v - 0.1 = -0.19
    np.testing.assert_allclose(p, [-0.19])
    _step(opt, p, np.array([1.0]))  # v = -0.19; p += 0.9 * -0.19 - 0.1 = -0.271
    np.testing.assert_allclose(p, [-0.19 - 0.271])


def test_invscaling_schedule():
    opt = SGDOptimizer(
        [np.zeros(1)], learning_rate_init=0.2, lr_schedule="invscaling", power_t=0.5
    )
    # Each epoch's rate comes from the initial rate, never from the last one.
    for time_step in (99, 399, 899):
        opt.iteration_ends(time_step=time_step)
        assert opt.learning_rate == pytest.approx(0.2 / (time_step + 1) ** 0.5)
    p = np.array([1.0])
    _step(opt, p, np.array([1.0]))
    np.testing.assert_allclose(p, [1.0 - 0.2 / 30])


def test_constant_schedule_stops_and_adaptive_divides_by_five():
    constant = SGDOptimizer([np.zeros(1)], 0.1)
    constant.iteration_ends(1000)
    assert constant.learning_rate == 0.1
    assert constant.trigger_stopping("no progress.", verbose=False)
    adaptive = SGDOptimizer([np.zeros(1)], 0.1, lr_schedule="adaptive")
    assert not adaptive.trigger_stopping("no progress.", verbose=False)
    assert adaptive.learning_rate == pytest.approx(0.02)
    adaptive.learning_rate = 1e-6
    assert adaptive.trigger_stopping("no progress.", verbose=False)


def test_adam_steps_by_hand():
    p = np.array([1.0])
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    opt = AdamOptimizer([p], lr, b1, b2, eps)
    m = v = 0.0
    expected = 1.0
    for t, g in enumerate([0.5, -0.3, 0.8], start=1):
        _step(opt, p, np.array([g]))
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        expected -= lr_t * m / (np.sqrt(v) + eps)
        np.testing.assert_allclose(p, [expected], rtol=1e-12)
    assert opt.t == 3


@pytest.mark.parametrize(
    "settings",
    [
        ("sgd", 0.1, "invscaling", 0.9, True, 0.5),
        ("sgd", 0.1, "constant", 0.0, True, 0.5),
        ("adam", 0.01, 0.9, 0.999, 1e-8),
    ],
    ids=["sgd momentum", "sgd", "adam"],
)
def test_state_round_trip_continues_exactly(settings):
    rng = np.random.RandomState(0)
    grads = [rng.normal(size=3) for _ in range(6)]
    p = np.zeros(3)
    straight = make_optimizer(settings, [p])
    for t, g in enumerate(grads):
        _step(straight, p, g)
        straight.iteration_ends(t)
    q = np.zeros(3)
    first = make_optimizer(settings, [q])
    for t, g in enumerate(grads[:3]):
        _step(first, q, g)
        first.iteration_ends(t)
    state = optimizer_state(settings, first)
    resumed = make_optimizer(settings, [q], state)
    for t, g in enumerate(grads[3:], start=3):
        _step(resumed, q, g)
        resumed.iteration_ends(t)
    np.testing.assert_array_equal(p, q)
    # Other settings start afresh instead of resuming a foreign state.
    other = (*settings[:1], 0.5, *settings[2:])
    assert make_optimizer(other, [q], state).learning_rate == 0.5
