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


@pytest.mark.parametrize("namespace", ["numpy", "array_api_strict"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_flush_subnormal_rounds_only_what_no_weight_can_feel(dtype, namespace):
    from sknumpynet._math.ops import flush_subnormal as flush_in_place

    xp = pytest.importorskip(namespace)

    def flush_subnormal(values):
        # The same rounding in every array library.
        return np.asarray(flush_in_place(xp.asarray(values)))

    finfo = np.finfo(dtype)
    tiny = finfo.tiny
    floor = 2 * tiny
    values = np.array(
        [tiny / 3, -tiny / 3, tiny * 0.9, 0.9 * floor, floor, 0.0, 1e-3, -0.25],
        dtype=dtype,
    )
    flushed = flush_subnormal(values.copy())
    np.testing.assert_array_equal(
        flushed, np.array([0, 0, 0, floor, floor, 0, 1e-3, -0.25], dtype=dtype)
    )
    assert flushed.dtype == dtype
    # Everything above 8 c / eps stays as it is (c = floor / eps, the number
    # added and taken away).
    c = floor / finfo.eps
    above = np.geomspace(8 * c / finfo.eps, 1e3, 5000).astype(dtype)
    np.testing.assert_array_equal(flush_subnormal(above.copy()), above)


@pytest.mark.parametrize(
    "make",
    [
        lambda p: SGDOptimizer([p], learning_rate_init=0.1, momentum=0.9),
        lambda p: AdamOptimizer([p], learning_rate_init=0.01),
    ],
    ids=["momentum", "adam"],
)
def test_decaying_state_never_holds_subnormal_numbers(make):
    # A weight whose gradient is 0 after one step (the weight of a pixel
    # inked once): its velocity or first moment decays by 0.9 a step, from
    # about 1e-3 past the smallest normal float32 (1.2e-38) in about 770.
    p = np.array([0.5, -0.25], dtype=np.float32)
    optimizer = make(p)
    tiny = np.finfo(np.float32).tiny
    _step(optimizer, p, np.array([1e-2, 0.0], dtype=np.float32))
    for _ in range(1000):
        _step(optimizer, p, np.zeros(2, dtype=np.float32))
        state = optimizer.state_dict()
        arrays = state.get("velocities") or state["ms"] + state["vs"]
        for a in arrays:
            assert not np.any((a != 0) & (np.abs(a) < tiny))
    # Where it settles: 0, or a multiple of twice the smallest normal number
    # that the decay by 0.9 rounds back to itself (at most 4 of them).
    assert np.abs(arrays[0][0]) / (2 * tiny) in (0, 1, 2, 3, 4)
