"""Errors an operator can fix. The CLI prints them as one line and exits with ``exit_code``."""


class OperatorError(Exception):
    """A mistake in configuration or data, reported as one line, never as a traceback."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(OperatorError):
    """A missing or malformed setting in the environment or ``.env``."""

    exit_code = 2


class KnowledgeBaseError(OperatorError):
    """A knowledge-base file that cannot be used; the message names the file and line or entry."""

    exit_code = 3
