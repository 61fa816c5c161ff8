"""How a long import shows it is moving: a bar on a terminal, a plain line now and then elsewhere."""

import time

from tqdm import tqdm


class Bar:
    """A tqdm bar over the bytes of the file, one per pass."""

    def __init__(self, stream):
        self.stream, self.bar = stream, None

    def start(self, label: str, total: int):
        self.bar = tqdm(total=total, desc=label, unit="B", unit_scale=True, file=self.stream,
                        leave=False)

    def advance(self, amount: int):
        self.bar.update(amount)

    def finish(self):
        self.bar.close()


class Lines:
    """A line when a pass starts, every ten seconds while it runs, and when it ends: for logs."""

    def __init__(self, stream, every: float = 10.0):
        self.stream, self.every = stream, every

    def start(self, label: str, total: int):
        self.label, self.total, self.done = label, total, 0
        self.started = self.last = time.monotonic()
        self._say(f"{label}: {total:,} bytes")

    def advance(self, amount: int):
        self.done += amount
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self._say(f"{self.label}: {self.done * 100 // max(self.total, 1)}%")

    def finish(self):
        self._say(f"{self.label}: done in {time.monotonic() - self.started:.1f} s")

    def _say(self, text: str):
        self.stream.write(text + "\n")
        self.stream.flush()
