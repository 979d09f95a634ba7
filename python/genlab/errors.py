"""The one error type of the package."""


class GenLabError(Exception):
    """A run file or results folder that cannot be read as asked.

    ``kind`` says why, for code that handles some cases (``"not_found"``, ``"not_a_run"``,
    ``"newer_format"``, ``"damaged"``, ``"no_description"``, ``"no_checkpoint"``,
    ``"unknown_module"``, ``"no_torch"``, ``"not_a_sweep"``); ``path`` names the file or
    folder; the message says what to do.
    """

    def __init__(self, kind, message, path=""):
        super().__init__(f"{path}: {message}" if path else message)
        self.kind = kind
        self.path = path
        self.reason = message
