"""``python -m bot bench``: how fast the bot matches, answers and starts, and what it costs.

Each part measures one thing against a yardstick taken in the same run on the same machine:

- ``matching``: time per message and index build time and memory, for the shipped knowledge base
  and generated ones of 1,000 to 100,000 entries, each in a fresh process pinned to one core;
- ``dispatch``: updates per second through the real dispatcher next to a bare aiogram one, and
  how long the event loop stalls while a burst of messages is answered;
- ``startup``: seconds and memory from process start to the first ``getUpdates``, against a tiny
  fake Bot API on 127.0.0.1, next to a bare aiogram bot.

``suite`` runs them all for a ``Plan`` and ``report`` prints the result. Nothing here touches
the network beyond 127.0.0.1, and nothing here is imported by the bot itself.
"""
