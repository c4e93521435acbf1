"""The exception raised for a scenario that cannot be used."""


class ScenarioError(ValueError):
    """An invalid scenario or override: says where, which key, and what is wrong.

    ``str(error)`` is the whole message, as the command line prints it:
    ``FILE:LINE:COL: key.path: problem``. The parts are also attributes:
    ``location`` (``FILE:LINE:COL``, the file alone, or the ``--set`` option the
    value came from), ``key_path`` (dotted, empty when the whole file is at fault)
    and ``problem`` (what was expected and what was found).
    """

    def __init__(self, message: str, location: str = "", key_path: str = "", problem: str = ""):
        super().__init__(message)
        self.location = location
        self.key_path = key_path
        self.problem = problem

    def __reduce__(self):
        # Keeps the attributes across pickling (errors coming back from worker processes).
        return (type(self), (str(self), self.location, self.key_path, self.problem))


class Overloaded(RuntimeError):
    """A run stopped because it could not finish: a service could not keep up and its
    queue would have carried the requests in flight past ``max_memory`` (the message
    names the service, its load (ρ), its queue and how fast it grew, and what to change),
    or it was doing over four times the work its estimate foresaw, enough to take over an
    hour (calls failing at once and retried; the message names the service flooded and
    the retries). ``force=True`` turns the second watch off."""
