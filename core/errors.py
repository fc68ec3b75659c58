"""Errors that reach users. Each carries a Chinese message saying what happened and what to do."""


class GuihuaError(Exception):
    """A known failure: the CLI prints `message` and exits with `exit_code`; the TUI shows it."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UserInputError(GuihuaError):
    """Bad input from the user or a file: nothing was changed."""

    exit_code = 2


class NotFoundError(GuihuaError):
    exit_code = 3
