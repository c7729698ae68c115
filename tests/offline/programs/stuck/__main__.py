"""Waits forever: on an export that never resolves, or in its own code."""

import asyncio
import threading

import pulumi

if pulumi.Config().get_bool("inOwnCode"):
    threading.Event().wait()
pulumi.export("never", pulumi.Output.from_input(asyncio.get_event_loop().create_future()))
