"""Tally's logging setup."""
import logging as _logging


def get_logger(name: str) -> _logging.Logger:
    return _logging.getLogger(f"tally.{name}")
