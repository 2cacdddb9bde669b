"""A training batch (torch): labels cover the plan tokens only, and the experts' deltas apply
from the request on, never to the context lines before it nor to padding."""

from __future__ import annotations

import torch  # the train extra is part of the test install

from models.moe.train import _batch


def test_batch_masks_context_and_padding() -> None:
    items = [([5, 6, 7, 8, 9, 10], 4, 2), ([5, 6, 7, 8], 3, 0)]  # (ids, plan start, context)
    inp, labels, mask, lora = _batch(torch, items, pad=0)
    assert inp.tolist() == [[5, 6, 7, 8, 9, 10], [5, 6, 7, 8, 0, 0]]
    assert labels.tolist() == [[-100] * 4 + [9, 10], [-100] * 3 + [8, -100, -100]]
    assert mask.tolist() == [[1] * 6, [1, 1, 1, 1, 0, 0]]
    assert lora[..., 0].tolist() == [[0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]]
