def check_capacity() -> None:
    raise ValueError("boom")
