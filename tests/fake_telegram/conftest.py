from .fixtures import fake_telegram

__all__ = ["fake_telegram"]
