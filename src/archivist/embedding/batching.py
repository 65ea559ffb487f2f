"""Batches of texts of similar length: padding every text to its batch's longest is wasted work.

A document's few chunks are often one full window and one short tail; embedding them together
would pad the tail to the full window. Batches here grow only while padding stays small.
"""


def length_batches(
    lengths: list[int], batch_size: int, max_padding: float = 0.15
) -> list[list[int]]:
    """Indices of `lengths` grouped so each batch pads at most `max_padding` of its real tokens."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    real = 0
    for index in order:
        longest = lengths[index]  # ascending order: the newcomer is the longest
        padded = longest * (len(current) + 1)
        if current and (
            len(current) >= batch_size or padded > (real + longest) * (1 + max_padding)
        ):
            batches.append(current)
            current, real = [], 0
        current.append(index)
        real += lengths[index]
    if current:
        batches.append(current)
    return batches
